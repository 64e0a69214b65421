//! `--set KEY=VALUE`: any scenario value by its dotted path, applied to the
//! scenario's table before it is validated, so a value set on the command
//! line is checked exactly as if it were written in the file.
//!
//! VALUE is read as a TOML value (`12`, `0.5`, `true`, `"text"`,
//! `{ distribution = "constant", value = 4 }`), and as a plain string when
//! it is not one (`rng=pcg64`). A later `--set` of the same key wins.

use std::fmt;
use std::str::FromStr;

use super::{
    BOOK_DESCRIPTION, Format, Overrides, Problem, SCHEMA_VERSION, Scenario, ScenarioError,
    ScenarioFile, errors, read_source,
};

/// One `KEY=VALUE` of the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    /// Dotted path: `fleet.taxis`, `durations.trip`.
    pub key: String,
    /// The value, typed as TOML reads it.
    pub value: toml::Value,
}

impl Set {
    /// The set of `key` to `value`; the key must be a valid dotted path.
    pub fn new(key: &str, value: toml::Value) -> Result<Self, String> {
        check_key(key)?;
        Ok(Self {
            key: key.to_string(),
            value,
        })
    }
}

/// Reads VALUE as TOML, or as a plain string when it is not TOML.
pub fn parse_value(text: &str) -> toml::Value {
    text.trim()
        .parse::<toml::Value>()
        .unwrap_or_else(|_| toml::Value::String(text.to_string()))
}

fn check_key(key: &str) -> Result<(), String> {
    let valid_part = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if key.split('.').all(valid_part) {
        Ok(())
    } else {
        Err(format!(
            "'{key}' is not a scenario key: expected a dotted path such as fleet.taxis"
        ))
    }
}

impl FromStr for Set {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!(
                "'{text}' is not KEY=VALUE (for example fleet.taxis=12)"
            ));
        };
        Set::new(key.trim(), parse_value(value))
    }
}

impl fmt::Display for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// Applies `sets` in order to a scenario's table, creating the tables on
/// their paths as needed. A path through a value that is not a table is an
/// error naming the key. (Unknown keys are found when the table is read.)
pub fn apply_sets(table: &mut toml::Table, sets: &[Set]) -> Result<(), ScenarioError> {
    for set in sets {
        let mut parts = set.key.split('.').peekable();
        let mut current = &mut *table;
        let mut walked = String::new();
        while let Some(part) = parts.next() {
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(part);
            if parts.peek().is_none() {
                current.insert(part.to_string(), set.value.clone());
                break;
            }
            let entry = current
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            current = match entry {
                toml::Value::Table(inner) => inner,
                other => {
                    return Err(ScenarioError::Invalid {
                        origin: "--set".to_string(),
                        problems: vec![Problem::bare(
                            set.key.clone(),
                            format!(
                                "cannot be set: `{walked}` is {} {}, not a table",
                                article(other.type_str()),
                                other.type_str()
                            ),
                        )],
                    });
                }
            };
        }
    }
    Ok(())
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Parses scenario text into a table, the form `--set` edits and the
/// models' loaders read (JSON is converted); `origin` names it in errors.
pub fn parse_table(text: &str, format: Format, origin: &str) -> Result<toml::Table, ScenarioError> {
    let parse_error = |message: String| ScenarioError::Parse {
        origin: origin.to_string(),
        message,
    };
    match format {
        Format::Toml => text
            .parse::<toml::Table>()
            .map_err(|error| parse_error(error.to_string().trim_end().to_string())),
        Format::Json => {
            let json = crate::strict_json::from_str(text)
                .map_err(|error| parse_error(error.to_string()))?;
            if !json.is_object() {
                return Err(parse_error("a scenario is a JSON object".into()));
            }
            toml::Table::try_from(json).map_err(|error| {
                parse_error(format!(
                    "{} (a scenario is an object without null values)",
                    error.to_string().trim_end()
                ))
            })
        }
    }
}

/// The folder a scenario's relative paths (a demand file) start from: the
/// file's, or the working folder for a built-in scenario.
pub fn base_of(file_or_name: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(file_or_name);
    match path.parent() {
        Some(parent) if path.is_file() && !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// A scenario as a table, read once: sweeps resolve it again for every
/// point with that point's sets.
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    /// The file or name, for messages.
    pub origin: String,
    /// The scenario's values as written.
    pub table: toml::Table,
}

impl ScenarioSource {
    /// Reads a scenario file or built-in scenario; `None` is the book's model.
    pub fn load(file_or_name: Option<&str>) -> Result<Self, ScenarioError> {
        let Some(file_or_name) = file_or_name else {
            let mut table = toml::Table::new();
            table.insert(
                "schema_version".into(),
                toml::Value::Integer(SCHEMA_VERSION.into()),
            );
            table.insert("name".into(), "fluent-python".into());
            table.insert("description".into(), BOOK_DESCRIPTION.into());
            return Ok(Self {
                origin: "(command line)".into(),
                table,
            });
        };
        let (text, format) = read_source(file_or_name)?;
        let table = parse_table(&text, format, file_or_name)?;
        Ok(Self {
            origin: file_or_name.to_string(),
            table,
        })
    }

    /// The scenario with `sets` applied, then `overrides`, validated.
    pub fn resolve(&self, overrides: &Overrides, sets: &[Set]) -> Result<Scenario, ScenarioError> {
        let mut table = self.table.clone();
        apply_sets(&mut table, sets)?;
        // `model = "book"` names this loader's model: it is not a book key.
        if table.get("model").and_then(toml::Value::as_str) == Some("book") {
            table.remove("model");
        }
        let origin = if sets.is_empty() {
            self.origin.clone()
        } else {
            let values: Vec<String> = sets.iter().map(ToString::to_string).collect();
            format!("{} with {}", self.origin, values.join(" "))
        };
        let file: ScenarioFile = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|error| errors::at_path(&origin, error))?;
        Scenario::resolve(file, overrides)
            .map_err(|problems| ScenarioError::Invalid { origin, problems })
    }
}

impl Scenario {
    /// Loads a scenario (`None`: the book's model) with `sets` applied to its
    /// values, then the command line's `overrides`. Without sets, exactly
    /// [`Scenario::load`] or [`Scenario::with_defaults`].
    pub fn load_with_sets(
        file_or_name: Option<&str>,
        overrides: &Overrides,
        sets: &[Set],
    ) -> Result<Self, ScenarioError> {
        match (file_or_name, sets.is_empty()) {
            (Some(file_or_name), true) => Self::load(file_or_name, overrides),
            (None, true) => Self::with_defaults(overrides),
            (file_or_name, false) => ScenarioSource::load(file_or_name)?.resolve(overrides, sets),
        }
    }
}

impl Overrides {
    /// The first flag that sets the same value as one of `sets`, with that
    /// key: giving both is ambiguous, so the command line refuses it.
    pub fn conflict_with(&self, sets: &[Set]) -> Option<(&'static str, &'static str)> {
        [
            ("--taxis", "fleet.taxis", self.taxis.is_some()),
            ("--end-time", "end_time", self.end_time.is_some()),
            ("--seed", "seed", self.seed.is_some()),
            ("--rng", "rng", self.rng.is_some()),
        ]
        .into_iter()
        .find(|(_, key, given)| *given && sets.iter().any(|set| set.key == *key))
        .map(|(flag, key, _)| (flag, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> Set {
        text.parse().unwrap()
    }

    #[test]
    fn values_are_typed_as_toml_reads_them() {
        assert_eq!(set("fleet.taxis=12").value, toml::Value::Integer(12));
        assert_eq!(set("demand.rate=0.5").value, toml::Value::Float(0.5));
        assert_eq!(set("rng=pcg64").value, toml::Value::String("pcg64".into()));
        assert_eq!(set("name=\"a b\"").value, toml::Value::String("a b".into()));
        assert!(
            set("durations.trip={ distribution = \"constant\", value = 4 }")
                .value
                .is_table()
        );
    }

    #[test]
    fn a_set_without_equals_or_with_a_bad_key_is_refused() {
        assert!("fleet.taxis".parse::<Set>().is_err());
        assert!("=3".parse::<Set>().is_err());
        assert!("fleet..taxis=3".parse::<Set>().is_err());
        assert!("fleet taxis=3".parse::<Set>().is_err());
    }

    #[test]
    fn sets_create_tables_and_the_last_one_wins() {
        let mut table = toml::Table::new();
        apply_sets(&mut table, &[set("fleet.taxis=2"), set("fleet.taxis=5")]).unwrap();
        assert_eq!(table["fleet"]["taxis"].as_integer(), Some(5));
    }

    #[test]
    fn a_path_through_a_number_names_the_key() {
        let mut table: toml::Table = "[durations]\ntrip = 20".parse().unwrap();
        let error = apply_sets(&mut table, &[set("durations.trip.mean=3")]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("durations.trip.mean"), "{message}");
        assert!(
            message.contains("`durations.trip` is an integer"),
            "{message}"
        );
    }

    #[test]
    fn a_set_value_is_validated_as_the_file_would_be() {
        let source = ScenarioSource::load(None).unwrap();
        let scenario = source
            .resolve(&Overrides::default(), &[set("fleet.taxis=12")])
            .unwrap();
        assert_eq!(scenario.fleet.taxis, 12);
        let bad = source
            .resolve(&Overrides::default(), &[set("fleet.taxis=-1")])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("fleet.taxis"), "{bad}");
        let unknown = source
            .resolve(&Overrides::default(), &[set("fleet.taxs=3")])
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("taxs") && unknown.contains("did you mean `taxis`"),
            "{unknown}"
        );
    }

    #[test]
    fn without_sets_the_book_table_resolves_to_the_book() {
        let source = ScenarioSource::load(None).unwrap();
        assert_eq!(
            source.resolve(&Overrides::default(), &[]).unwrap(),
            Scenario::book()
        );
    }
}
