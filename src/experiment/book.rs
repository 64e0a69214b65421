//! The book's model as a [`Replicable`]: its taxis and duration tables are
//! built once, and each replication clones them with a fresh generator.

use std::convert::Infallible;

use crate::engine::{Observer, Simulator};
use crate::interrupt;
use crate::models::book::summary::Summary;
use crate::models::book::taxi::{self, Taxi, TaxiAction, TaxiTiming};
use crate::rng::{self, CpythonRandom, RandomSource, RngKind};
use crate::scenario::{Overrides, Scenario, ScenarioSource, Set};

use super::Replicable;

/// The book's measures, in the order of [`book_measures`].
const MEASURES: [&str; 9] = [
    "occupancy",
    "trips_per_taxi_hour",
    "trips",
    "events",
    "taxis_started",
    "taxis_home",
    "prowling",
    "occupied",
    "on_duty",
];

/// The book's model, ready to replicate.
#[derive(Debug)]
pub struct BookModel {
    scenario: Scenario,
    taxis: Vec<Taxi>,
    timing: TaxiTiming<rand_pcg::Pcg64>,
}

impl BookModel {
    /// The scenario of `source` with `sets` applied.
    pub fn new(source: &ScenarioSource, sets: &[Set]) -> anyhow::Result<Self> {
        let scenario = source.resolve(&Overrides::default(), sets)?;
        crate::app::check_memory(scenario.fleet.taxis)?;
        let cpython_tables = scenario.rng == RngKind::Cpython;
        // The template's generator is replaced in every replication.
        let (taxis, timing) = taxi::fleet(
            scenario.plans(),
            &scenario.duration_sets(),
            rng::pcg64(0),
            cpython_tables,
        )?;
        Ok(Self {
            scenario,
            taxis,
            timing,
        })
    }

    fn run<R: RandomSource>(&self, rng: R) -> anyhow::Result<Vec<f64>> {
        let mut sim = Simulator::new(
            self.taxis.clone(),
            self.timing.with_rng(rng),
            self.scenario.end_time,
        )?;
        let outcome = sim.run(&mut NoOutput, Some(interrupt::stop_flag()))?;
        let summary = taxi::summary(&sim, &outcome, self.scenario.minutes_per_tick);
        Ok(book_measures(&summary).to_vec())
    }
}

/// Every numeric measure of a run's summary, named by [`MEASURES`].
fn book_measures(summary: &Summary) -> [f64; MEASURES.len()] {
    let fleet = &summary.fleet;
    [
        fleet.mean_occupancy_share,
        fleet.trips_per_taxi_hour,
        fleet.trips as f64,
        fleet.events as f64,
        fleet.taxis_started as f64,
        fleet.taxis_home as f64,
        fleet.prowling as f64,
        fleet.occupied as f64,
        fleet.on_duty as f64,
    ]
}

impl Replicable for BookModel {
    fn measure_names(&self) -> Vec<&'static str> {
        MEASURES.to_vec()
    }

    fn replicate(&self, seed: u64) -> anyhow::Result<Vec<f64>> {
        match self.scenario.rng {
            RngKind::Cpython => self.run(CpythonRandom::new(seed)),
            RngKind::Pcg64 => self.run(rng::pcg64(seed)),
        }
    }

    fn scenario_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.scenario).expect("a resolved scenario serializes")
    }

    fn scenario_seed(&self) -> Option<u64> {
        self.scenario.seed
    }
}

/// A run whose events are only counted into the summary.
struct NoOutput;

impl Observer<TaxiAction> for NoOutput {
    type Error = Infallible;

    #[inline(always)]
    fn on_event(&mut self, _: crate::models::book::TaxiEvent) -> Result<(), Infallible> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{RunSettings, simulate};

    #[test]
    fn a_replication_measures_what_the_run_command_summarises() {
        let source = ScenarioSource::load(None).unwrap();
        let sets = ["fleet.taxis=5".parse().unwrap()];
        let model = BookModel::new(&source, &sets).unwrap();
        let scenario = source.resolve(&Overrides::default(), &sets).unwrap();
        for seed in [1, 10, 77] {
            let settings = RunSettings {
                scenario: &scenario,
                seed,
                max_events: u64::MAX,
                delay: None,
                progress: false,
            };
            let (_, summary) = simulate(&settings, &mut [], None).unwrap();
            assert_eq!(
                model.replicate(seed).unwrap(),
                book_measures(&summary).to_vec()
            );
        }
    }
}
