//! The dispatch model as a [`Replicable`]: each replication is a whole run
//! without event output, measured after the scenario's warm-up.

use std::path::PathBuf;

use crate::models::dispatch::{self, DispatchScenario};
use crate::scenario::{Overrides, ScenarioSource, Set, apply_sets};

use super::Replicable;

/// The dispatch model, ready to replicate.
#[derive(Debug)]
pub struct DispatchModel {
    scenario: DispatchScenario,
    names: Vec<&'static str>,
}

impl DispatchModel {
    /// The scenario of `source` with `sets` applied; `base` is the folder its
    /// relative paths (a demand file) start from.
    pub fn new(source: &ScenarioSource, base: PathBuf, sets: &[Set]) -> anyhow::Result<Self> {
        let mut table = source.table.clone();
        apply_sets(&mut table, sets)?;
        let origin = if sets.is_empty() {
            source.origin.clone()
        } else {
            let values: Vec<String> = sets.iter().map(ToString::to_string).collect();
            format!("{} with {}", source.origin, values.join(" "))
        };
        dispatch::refuse_resized_shifts(&source.table, &table, &Overrides::default(), &origin)?;
        let scenario = DispatchScenario::from_table(&table, &origin, &base, &Overrides::default())?;
        crate::app::check_memory(scenario.fleet.taxis)?;
        let names = dispatch::replicate_names();
        Ok(Self { scenario, names })
    }
}

impl Replicable for DispatchModel {
    fn measure_names(&self) -> Vec<&'static str> {
        self.names.clone()
    }

    fn replicate(&self, seed: u64) -> anyhow::Result<Vec<f64>> {
        Ok(dispatch::replicate(&self.scenario, seed)?
            .into_iter()
            .map(|(_, value)| value)
            .collect())
    }

    fn scenario_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.scenario).expect("a resolved scenario serializes")
    }

    fn scenario_seed(&self) -> Option<u64> {
        self.scenario.seed
    }

    fn input_files(&self) -> Vec<crate::model::InputFile> {
        <dispatch::Dispatch as crate::model::Model>::input_files(&self.scenario)
    }
}
