//! Scenario errors a user can act on: the file, the field, the bad value and
//! what is allowed, with a "did you mean" hint for misspelt keys.

use std::fmt;

/// One problem with a scenario's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the field: `fleet.taxis`, `durations.trip.mean`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Problem {
    /// `field` has the bad `value`; `allowed` says what would do.
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl fmt::Display,
    ) -> Self {
        Self {
            field: field.into(),
            message: format!("{value} is not allowed: {allowed}"),
        }
    }

    /// `field` with a message that already names the value.
    pub fn bare(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("could not read scenario '{origin}': {cause}")]
    Read {
        /// The path.
        origin: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// Neither a file nor a built-in scenario.
    #[error(
        "no scenario file or built-in scenario named '{name}'{} (built-in: {})",
        closest_builtin(name).map_or_else(String::new, |close| format!("; did you mean '{close}'?")),
        super::BUILTIN.iter().map(|builtin| builtin.name).collect::<Vec<_>>().join(", ")
    )]
    UnknownName {
        /// The name given.
        name: String,
    },
    /// Not valid TOML or JSON, or not the scenario's shape.
    #[error("invalid scenario '{origin}': {message}")]
    Parse {
        /// The path or name.
        origin: String,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// Values out of range.
    #[error(
        "invalid scenario '{origin}':{}",
        problems.iter().map(|problem| format!("\n  - {problem}")).collect::<String>()
    )]
    Invalid {
        /// The path or name.
        origin: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

/// A deserialization error at a path (`fleet.taxis: invalid type ...`), as
/// a parse error of `origin`.
pub(crate) fn at_path<E: fmt::Display>(
    origin: &str,
    error: serde_path_to_error::Error<E>,
) -> ScenarioError {
    let path = error.path().to_string();
    // serde_path_to_error marks an unknown position with `?`.
    let path = path
        .trim_end_matches(".?")
        .trim_end_matches('?')
        .to_string();
    let inner = error.into_inner();
    let at = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}: ")
    };
    ScenarioError::Parse {
        origin: origin.to_string(),
        message: with_hint(&format!("{at}{inner}")),
    }
}

/// Where a key given at the top level of a scenario belongs, said as a
/// hint (`taxis` is `fleet.taxis`), when its table is one of `top_level`.
pub(crate) fn nested_home(key: &str, top_level: &[&str]) -> Option<String> {
    const HOMES: &[(&str, &str)] = &[
        ("taxis", "fleet"),
        ("trips", "fleet"),
        ("first_departure", "fleet"),
        ("departure_interval", "fleet"),
        ("search", "durations"),
        ("trip", "durations"),
        ("going_home", "durations"),
        ("patience", "durations"),
        ("rate", "demand"),
        ("profile", "demand"),
        ("period", "demand"),
        ("file", "demand"),
    ];
    let (_, table) = HOMES
        .iter()
        .find(|&&(name, table)| name == key && top_level.contains(&table))?;
    Some(format!(
        "`{key}` belongs in the [{table}] table: `--set {table}.{key}=...` on the command line, `{key} = ...` under `[{table}]` in a file"
    ))
}

/// Appends "did you mean" to serde's unknown-field and unknown-variant
/// messages: ``unknown field `serch`, expected one of `search`, `trip` ``.
pub(crate) fn with_hint(message: &str) -> String {
    let Some(start) = message
        .find("unknown field `")
        .map(|at| at + "unknown field `".len())
        .or_else(|| {
            message
                .find("unknown variant `")
                .map(|at| at + "unknown variant `".len())
        })
    else {
        return message.to_string();
    };
    let Some(length) = message[start..].find('`') else {
        return message.to_string();
    };
    let unknown = &message[start..start + length];
    let rest = &message[start + length + 1..];
    let Some(expected) = rest.find("expected").map(|at| &rest[at..]) else {
        return message.to_string();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    if let Some(home) = nested_home(unknown, &candidates) {
        return format!("{}\n  help: {home}", message.trim_end());
    }
    let best = candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::normalized_damerau_levenshtein(unknown, candidate),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, candidate)) => format!(
            "{}\n  help: did you mean `{candidate}`?",
            message.trim_end()
        ),
        None => message.to_string(),
    }
}

/// The built-in scenario whose name is a likely typo of `name`, if any.
fn closest_builtin(name: &str) -> Option<&'static str> {
    super::BUILTIN
        .iter()
        .map(|builtin| {
            (
                strsim::normalized_damerau_levenshtein(name, builtin.name),
                builtin.name,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, close)| close)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_key_gets_a_hint() {
        let hinted =
            with_hint("unknown field `serch`, expected one of `search`, `trip`, `going_home`");
        assert!(hinted.ends_with("did you mean `search`?"), "{hinted}");
    }

    #[test]
    fn a_far_key_gets_no_hint() {
        let message = "unknown field `colour`, expected `search` or `trip`";
        assert_eq!(with_hint(message), message);
    }
}
