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

    #[test]
    fn a_problem_reads_field_colon_message() {
        let problem = Problem::new("fleet.taxis", -1, "a whole number of at least 1");
        assert_eq!(
            problem.to_string(),
            "fleet.taxis: -1 is not allowed: a whole number of at least 1"
        );
        let bare = Problem::bare("demand.rate", "missing");
        assert_eq!(
            (bare.field.as_str(), bare.to_string().as_str()),
            ("demand.rate", "demand.rate: missing")
        );
    }

    /// `at_path`'s message for `json` read as a map of numbers.
    fn message_at_path(json: &str) -> String {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let error = serde_path_to_error::deserialize::<_, std::collections::BTreeMap<String, u32>>(
            &mut deserializer,
        )
        .unwrap_err();
        match at_path("s.json", error) {
            ScenarioError::Parse { origin, message } => {
                assert_eq!(origin, "s.json");
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_at_a_path_names_the_path_and_one_at_the_top_does_not() {
        let nested = message_at_path(r#"{"taxis": "five"}"#);
        assert!(
            nested.starts_with("taxis: invalid type: string"),
            "{nested}"
        );
        let top = message_at_path("5");
        assert!(top.starts_with("invalid type: integer `5`"), "{top}");
    }

    #[test]
    fn a_nested_key_given_at_the_top_level_is_told_its_table() {
        let hint = nested_home("taxis", &["end_time", "fleet"]).unwrap();
        assert_eq!(
            hint,
            "`taxis` belongs in the [fleet] table: `--set fleet.taxis=...` on the command line, `taxis = ...` under `[fleet]` in a file"
        );
        // Not when its table is not among the keys allowed there.
        assert_eq!(nested_home("taxis", &["end_time", "durations"]), None);
        // Nor for a key that belongs in no table.
        assert_eq!(nested_home("colour", &["fleet", "durations"]), None);
        let hinted = with_hint("unknown field `trip`, expected one of `end_time`, `durations`\n");
        assert_eq!(
            hinted,
            "unknown field `trip`, expected one of `end_time`, `durations`\n  help: `trip` belongs in the [durations] table: `--set durations.trip=...` on the command line, `trip = ...` under `[durations]` in a file"
        );
    }

    #[test]
    fn a_close_variant_gets_a_hint_after_the_message_as_it_was() {
        assert_eq!(
            with_hint("unknown variant `fifoo`, expected `fifo` or `nearest`"),
            "unknown variant `fifoo`, expected `fifo` or `nearest`\n  help: did you mean `fifo`?"
        );
        assert_eq!(
            with_hint("unknown field `serch`, expected `search`"),
            "unknown field `serch`, expected `search`\n  help: did you mean `search`?"
        );
        // A long key, and one whose last letter takes two bytes.
        assert_eq!(
            with_hint("unknown field `departure_intervall`, expected `departure_interval`"),
            "unknown field `departure_intervall`, expected `departure_interval`\n  help: did you mean `departure_interval`?"
        );
        assert_eq!(
            with_hint("unknown field `taxé`, expected `taxis`"),
            "unknown field `taxé`, expected `taxis`\n  help: did you mean `taxis`?"
        );
        // Messages of other shapes are left as they are.
        for message in [
            "invalid type: string",
            "unknown field `serch",
            "unknown field `serch` here",
        ] {
            assert_eq!(with_hint(message), message);
        }
    }

    #[test]
    fn an_unknown_scenario_name_close_to_a_built_in_one_gets_a_did_you_mean() {
        let unknown = |name: &str| ScenarioError::UnknownName { name: name.into() }.to_string();
        let close = unknown("rush-huor");
        assert!(
            close.starts_with(
                "no scenario file or built-in scenario named 'rush-huor'; did you mean 'rush-hour'? (built-in: fluent-python, rush-hour, "
            ),
            "{close}"
        );
        let far = unknown("zzzzzzzzzzzz");
        assert!(
            far.starts_with(
                "no scenario file or built-in scenario named 'zzzzzzzzzzzz' (built-in: "
            ),
            "{far}"
        );
        assert_eq!(closest_builtin("rush-hour"), Some("rush-hour"));
    }
}
