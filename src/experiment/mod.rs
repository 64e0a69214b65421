//! Experiments: independent replications of a model, sweeps over scenario
//! values with Student-t confidence intervals, fleet sizing, and sweeps cut
//! into shards and merged back.
//!
//! The layer knows a model only through [`Replicable`]: one whole run from
//! a seed, answering one number per measure. [`load_model`] is the one place
//! that picks the model of a scenario.
//!
//! ```text
//!  --vary keys ──> grid of points ──> (point, replication) runs ──rayon──> values
//!                                         seed of replication r            │
//!                                         = replication_seed(seed, r)      v
//!                        text / csv / json  <── t intervals <── values by point, measure
//! ```

mod book;
pub mod command;
mod dispatch;
pub mod grid;
pub mod report;
pub mod shard;
pub mod size;
pub mod sweep;

pub use book::BookModel;

use crate::scenario::{ScenarioSource, Set};

/// A model that can be run once from a seed, with no event output.
pub trait Replicable: Send + Sync {
    /// The names of the measures [`Replicable::replicate`] answers, in order.
    fn measure_names(&self) -> Vec<&'static str>;

    /// One whole run (statistics after any warm-up) with `seed`: one value
    /// per measure, in the order of [`Replicable::measure_names`].
    fn replicate(&self, seed: u64) -> anyhow::Result<Vec<f64>>;

    /// The resolved scenario, for the sweep's JSON document.
    fn scenario_json(&self) -> serde_json::Value;

    /// The seed written in the scenario, if any.
    fn scenario_seed(&self) -> Option<u64>;

    /// The files the scenario reads besides itself (a demand file).
    fn input_files(&self) -> Vec<crate::model::InputFile> {
        Vec::new()
    }
}

/// The model of a scenario (read once into `source`) with `sets` applied.
// The one place that names a concrete model: the dispatch model plugs in here.
pub fn load_model(source: &ScenarioSource, sets: &[Set]) -> anyhow::Result<Box<dyn Replicable>> {
    let origin = source.origin.as_str();
    match crate::models::model_of(&source.table, origin)? {
        "dispatch" => {
            // A demand file is relative to the scenario file's folder.
            let base = crate::scenario::base_of(origin);
            Ok(Box::new(dispatch::DispatchModel::new(source, base, sets)?))
        }
        _ => {
            let mut source = source.clone();
            source.table.remove("model"); // `model = "book"` is only the loader's
            Ok(Box::new(BookModel::new(&source, sets)?))
        }
    }
}

/// The seed of replication `replication` (0-based) of an experiment seeded
/// with `seed`: output number `replication + 1` of SplitMix64 started at
/// `seed`. It depends on nothing else, so replication r draws the same
/// random streams at every point of a sweep (common random numbers).
pub fn replication_seed(seed: u64, replication: u64) -> u64 {
    const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut z = seed.wrapping_add(replication.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_seeds_are_the_splitmix64_sequence() {
        // The published SplitMix64 outputs for the state 1234567.
        let expected = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for (replication, value) in expected.into_iter().enumerate() {
            assert_eq!(replication_seed(1234567, replication as u64), value);
        }
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use crate::model::InputFile;

    #[test]
    fn the_books_model_names_its_measures_and_gives_one_value_each() {
        let source = ScenarioSource::load(None).unwrap();
        let sets: Vec<Set> = vec![
            "seed=42".parse().unwrap(),
            "fleet.taxis=3".parse().unwrap(),
            "end_time=300".parse().unwrap(),
        ];
        let model = load_model(&source, &sets).unwrap();
        assert_eq!(
            model.measure_names(),
            [
                "occupancy",
                "trips_per_taxi_hour",
                "trips",
                "events",
                "taxis_started",
                "taxis_home",
                "prowling",
                "occupied",
                "on_duty",
            ]
        );
        assert_eq!(model.scenario_seed(), Some(42));
        assert_eq!(model.scenario_json()["fleet"]["taxis"], 3);
        assert_eq!(model.input_files(), Vec::<InputFile>::new());
        let values = model.replicate(5).unwrap();
        assert_eq!(values.len(), 9);
        assert_eq!(values[4], 3.0, "taxis started: {values:?}");
    }

    #[test]
    fn a_dispatch_scenario_gives_the_dispatch_model_with_its_demand_file() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("requests.csv"),
            "time,trip\n1.5,10\n2,5\n2,7.25\n30,4\n",
        )
        .unwrap();
        let scenario = folder.path().join("stand.toml");
        std::fs::write(
            &scenario,
            "schema_version = 2\nmodel = \"dispatch\"\nname = \"from-a-file\"\nend_time = 100\nseed = 3\n\
             [fleet]\ntaxis = 2\n[demand]\nfile = \"requests.csv\"\n[durations]\ntrip = 20\npatience = 10\n",
        )
        .unwrap();
        let source = ScenarioSource::load(Some(scenario.to_str().unwrap())).unwrap();
        let model = load_model(&source, &[]).unwrap();
        let names = model.measure_names();
        assert_eq!(names, crate::models::dispatch::replicate_names());
        assert!(names.len() > 1 && names.contains(&"utilization"));
        assert_eq!(model.scenario_seed(), Some(3));
        assert_eq!(model.scenario_json()["fleet"]["taxis"], 2);
        let files = model.input_files();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].role, "demand file");
        assert!(
            crate::stdio::same_file(&files[0].path, &folder.path().join("requests.csv")),
            "{files:?}"
        );
        let values = model.replicate(8).unwrap();
        assert_eq!(values.len(), names.len());
        assert!(values.iter().any(|value| ![0.0, 1.0, -1.0].contains(value)));
    }
}
