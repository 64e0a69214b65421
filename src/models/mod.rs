//! The models taxi-sim runs, and the one place that tells them apart by the
//! scenario's `model` key: `book` (the default, today's `crate::models::book::taxi`) and
//! `dispatch`.

pub mod book;
pub mod dispatch;

use toml::Table;

use crate::scenario::{
    Format, Overrides, Problem, Scenario, ScenarioError, ScenarioSource, Set, apply_sets, base_of,
    parse_table,
};
use dispatch::{DispatchScenario, refuse_resized_shifts};

/// The model names.
pub const MODELS: &[&str] = &["book", "dispatch"];

/// A scenario of either model.
#[derive(Debug, Clone)]
pub enum AnyScenario {
    /// The book's model.
    Book(Scenario),
    /// The dispatch model.
    Dispatch(DispatchScenario),
}

impl AnyScenario {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            AnyScenario::Book(scenario) => &scenario.name,
            AnyScenario::Dispatch(scenario) => &scenario.name,
        }
    }

    /// Its description.
    pub fn description(&self) -> &str {
        match self {
            AnyScenario::Book(scenario) => &scenario.description,
            AnyScenario::Dispatch(scenario) => &scenario.description,
        }
    }
}

/// A scenario's text and where it came from.
pub struct Source {
    /// The text.
    pub text: String,
    /// TOML or JSON.
    pub format: Format,
    /// The folder relative paths inside it start from.
    pub base: std::path::PathBuf,
}

/// Reads `FILE_OR_NAME`: a `.toml` or `.json` file, or a built-in name
/// (by the book's loader's rules).
pub fn read_source(file_or_name: &str) -> Result<Source, ScenarioError> {
    let (text, format) = crate::scenario::read_source(file_or_name)?;
    Ok(Source {
        text: text.into_owned(),
        format,
        base: base_of(file_or_name),
    })
}

/// The model a scenario table names (`book` when it names none).
pub fn model_of(table: &Table, origin: &str) -> Result<&'static str, ScenarioError> {
    match table.get("model") {
        None if table
            .get("schema_version")
            .and_then(toml::Value::as_integer)
            == Some(2) =>
        {
            Err(ScenarioError::Invalid {
                origin: origin.to_string(),
                problems: vec![Problem::bare(
                    "model",
                    "missing: version 2 files are the dispatch model's: write model = \"dispatch\"",
                )],
            })
        }
        None => Ok("book"),
        Some(toml::Value::String(name)) if MODELS.contains(&name.as_str()) => Ok(MODELS
            .iter()
            .find(|model| **model == name)
            .expect("just checked")),
        Some(other) => {
            let shown = match other {
                toml::Value::String(name) => format!("{name:?}"),
                other => other.to_string(),
            };
            let hint = match other
                .as_str()
                .and_then(|name| dispatch::scenario::did_you_mean(name, MODELS))
            {
                Some(candidate) => format!("\"book\" or \"dispatch\"; did you mean `{candidate}`?"),
                None => "\"book\" or \"dispatch\"".to_string(),
            };
            Err(ScenarioError::Invalid {
                origin: origin.to_string(),
                problems: vec![Problem::new("model", shown, hint)],
            })
        }
    }
}

/// Whether scenario text that is not a table (a TOML integer beyond 2^63-1,
/// a JSON null) still says `model = "dispatch"` at its top level.
fn declares_dispatch(text: &str, format: Format) -> bool {
    match format {
        Format::Json => serde_json::from_str::<serde_json::Value>(text).is_ok_and(|json| {
            json.get("model").and_then(|model| model.as_str()) == Some("dispatch")
        }),
        Format::Toml => text
            .lines()
            .map(str::trim)
            .take_while(|line| !line.starts_with('['))
            .filter_map(|line| line.split_once('='))
            .any(|(key, value)| {
                key.trim() == "model"
                    && value.split('#').next().map(str::trim) == Some("\"dispatch\"")
            }),
    }
}

/// Loads a scenario of either model, with the command line's values applied.
pub fn load(file_or_name: &str, overrides: &Overrides) -> Result<AnyScenario, ScenarioError> {
    let source = read_source(file_or_name)?;
    // What is not a table (a u64 beyond TOML's integers, a syntax error) is
    // the book's to load or to explain, exactly as before.
    let table = match parse_table(&source.text, source.format, file_or_name) {
        Ok(table) => table,
        // A dispatch scenario is read as a table: the book's loader would
        // only say that it does not know the dispatch keys.
        Err(error) if declares_dispatch(&source.text, source.format) => return Err(error),
        Err(_) => {
            return Scenario::parse(&source.text, source.format, file_or_name, overrides)
                .map(AnyScenario::Book);
        }
    };
    match model_of(&table, file_or_name)? {
        "dispatch" => {
            refuse_resized_shifts(&table, &table, overrides, file_or_name)?;
            DispatchScenario::from_table(&table, file_or_name, &source.base, overrides)
                .map(AnyScenario::Dispatch)
        }
        _ => {
            // The book's loader, unchanged; `model = "book"` is only ours.
            let mut table = table;
            if table.remove("model").is_some() {
                let text = toml::to_string(&table).expect("a table serializes");
                Scenario::parse(&text, Format::Toml, file_or_name, overrides)
            } else {
                Scenario::parse(&source.text, source.format, file_or_name, overrides)
            }
            .map(AnyScenario::Book)
        }
    }
}

/// Loads a scenario of either model (`None`: the book's defaults) with
/// `sets` applied to its values as if written in the file, then the command
/// line's `overrides`.
pub fn load_with_sets(
    file_or_name: Option<&str>,
    overrides: &Overrides,
    sets: &[Set],
) -> Result<AnyScenario, ScenarioError> {
    let Some(file_or_name) = file_or_name else {
        return Scenario::load_with_sets(None, overrides, sets).map(AnyScenario::Book);
    };
    if sets.is_empty() {
        return load(file_or_name, overrides);
    }
    // Read and parsed once, as sweeps read it.
    let source = ScenarioSource::load(Some(file_or_name))?;
    let mut table = source.table.clone();
    // The sets first: `--set model=...` chooses the model as the file would.
    apply_sets(&mut table, sets)?;
    match model_of(&table, file_or_name)? {
        "dispatch" => {
            let values: Vec<String> = sets.iter().map(ToString::to_string).collect();
            let origin = format!("{file_or_name} with {}", values.join(" "));
            refuse_resized_shifts(&source.table, &table, overrides, &origin)?;
            DispatchScenario::from_table(&table, &origin, &base_of(file_or_name), overrides)
                .map(AnyScenario::Dispatch)
        }
        _ => source.resolve(overrides, sets).map(AnyScenario::Book),
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    fn shipped(name: &str) -> String {
        format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))
    }

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    fn written(directory: &tempfile::TempDir, name: &str, text: &str) -> String {
        let path = directory.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn each_model_gives_its_scenarios_name_and_description() {
        let stand = load(&shipped("taxi-stand"), &Overrides::default()).unwrap();
        assert!(matches!(stand, AnyScenario::Dispatch(_)));
        assert_eq!(stand.name(), "taxi-stand");
        assert!(stand.description().starts_with("Erlang A: 10 taxis"));
        let book = load(&shipped("fluent-python"), &Overrides::default()).unwrap();
        let AnyScenario::Book(scenario) = &book else {
            panic!("the book's scenario loaded as a dispatch one")
        };
        assert_eq!(book.name(), scenario.name);
        assert_eq!(book.description(), scenario.description);
        assert!(!book.name().is_empty() && !book.description().is_empty());
    }

    #[test]
    fn the_model_key_names_the_model_and_version_2_files_must_name_it() {
        assert_eq!(model_of(&table("name = \"x\""), "f").unwrap(), "book");
        assert_eq!(model_of(&table("schema_version = 1"), "f").unwrap(), "book");
        assert_eq!(model_of(&table("model = \"book\""), "f").unwrap(), "book");
        assert_eq!(
            model_of(&table("model = \"dispatch\""), "f").unwrap(),
            "dispatch"
        );
        let missing = model_of(&table("schema_version = 2"), "f").unwrap_err();
        assert!(missing.to_string().contains("write model"), "{missing}");
        let typo = model_of(&table("model = \"dispatc\""), "f").unwrap_err();
        assert!(
            typo.to_string().contains("did you mean `dispatch`"),
            "{typo}"
        );
        let number = model_of(&table("model = 3"), "f").unwrap_err();
        assert!(
            number.to_string().contains("\"book\" or \"dispatch\""),
            "{number}"
        );
    }

    #[test]
    fn only_a_top_level_model_key_of_dispatch_declares_the_dispatch_model() {
        let toml = |text| declares_dispatch(text, Format::Toml);
        assert!(toml(
            "name = \"x\"\n  model = \"dispatch\"  # the new one\n"
        ));
        assert!(!toml("model = \"book\""));
        assert!(!toml("models = \"dispatch\""));
        assert!(!toml("[fleet]\nmodel = \"dispatch\""));
        let json = |text| declares_dispatch(text, Format::Json);
        assert!(json("{\"model\": \"dispatch\"}"));
        assert!(!json("{\"model\": \"book\"}"));
        assert!(!json("null"));
    }

    #[test]
    fn a_file_that_is_not_a_table_is_the_books_unless_it_declares_dispatch() {
        let directory = tempfile::tempdir().unwrap();
        // A seed beyond TOML's integers: not a table, but the book's to load.
        let huge = format!(
            "seed = 18446744073709551615\n{}",
            std::fs::read_to_string(shipped("fluent-python")).unwrap()
        );
        let book = written(&directory, "book.toml", &huge);
        let loaded = load(&book, &Overrides::default());
        assert!(matches!(loaded, Ok(AnyScenario::Book(_))), "{loaded:?}");
        let dispatch = written(
            &directory,
            "dispatch.toml",
            &format!("model = \"dispatch\"\n{huge}"),
        );
        let refused = load(&dispatch, &Overrides::default()).unwrap_err();
        let as_table = parse_table(
            &std::fs::read_to_string(&dispatch).unwrap(),
            Format::Toml,
            &dispatch,
        )
        .unwrap_err();
        assert_eq!(refused.to_string(), as_table.to_string());
    }

    #[test]
    fn a_set_of_the_dispatch_models_file_still_loads_the_dispatch_model() {
        let sets = ["fleet.taxis=3".parse::<Set>().unwrap()];
        let loaded =
            load_with_sets(Some(&shipped("taxi-stand")), &Overrides::default(), &sets).unwrap();
        let AnyScenario::Dispatch(scenario) = loaded else {
            panic!("loaded as the book's")
        };
        assert_eq!(scenario.fleet.taxis, 3);
        let book = load_with_sets(
            Some(&shipped("fluent-python")),
            &Overrides::default(),
            &sets,
        );
        assert!(matches!(book, Ok(AnyScenario::Book(_))));
    }
}
