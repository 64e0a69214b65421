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
