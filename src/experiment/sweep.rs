//! A sweep: every point of a grid of scenario values, each replicated R
//! times, run on a pool of threads. Run `k` is replication `k % R` of point
//! `k / R`; results are put back in that order whatever thread ran them, so
//! the output is the same bytes on any number of threads.

use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::grid::{Vary, grid, point_sets};
use super::{Replicable, load_model, replication_seed};
use crate::interrupt;
use crate::scenario::{ScenarioSource, Set};
use crate::stats::{Interval, t_interval};

/// One varied key and its values, as the sweep's documents record them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaryColumn {
    /// The key as written on the command line.
    pub key: String,
    /// Its values, in order.
    pub values: Vec<serde_json::Value>,
}

/// What identifies a sweep: equal definitions give equal results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepDefinition {
    /// The resolved scenario (with `--set` applied, before the varied keys).
    pub scenario: serde_json::Value,
    /// The sweep's seed.
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    /// Confidence of the intervals.
    pub confidence: f64,
    /// The varied keys, the first outermost.
    pub vary: Vec<VaryColumn>,
    /// The model's measures, in order.
    pub measures: Vec<String>,
}

impl SweepDefinition {
    /// Number of points of the grid.
    pub fn point_count(&self) -> usize {
        self.vary.iter().map(|column| column.values.len()).product()
    }

    /// Number of runs: points times replications.
    pub fn run_count(&self) -> u64 {
        self.point_count() as u64 * self.replications
    }

    /// The values of point `point`, one per varied key (the last key
    /// changes fastest).
    pub fn params(&self, point: usize) -> Vec<&serde_json::Value> {
        let mut rest = point;
        let mut params: Vec<&serde_json::Value> = self
            .vary
            .iter()
            .rev()
            .map(|column| {
                let value = &column.values[rest % column.values.len()];
                rest /= column.values.len();
                value
            })
            .collect();
        params.reverse();
        params
    }
}

/// Runs `k` with their values, one per measure.
pub type RunValues = Vec<(u64, Vec<f64>)>;

/// The raw values of a whole sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    /// What was run.
    pub definition: SweepDefinition,
    /// `values[point][measure][replication]`.
    pub values: Vec<Vec<Vec<f64>>>,
}

impl SweepResult {
    /// Gathers runs `(k, values of each measure)` covering every run once.
    pub fn from_runs(
        definition: SweepDefinition,
        runs: impl IntoIterator<Item = (u64, Vec<f64>)>,
    ) -> Self {
        let replications = definition.replications as usize;
        let measures = definition.measures.len();
        let mut values =
            vec![vec![vec![f64::NAN; replications]; measures]; definition.point_count()];
        for (run, measured) in runs {
            let (point, replication) = (run as usize / replications, run as usize % replications);
            for (measure, value) in measured.into_iter().enumerate() {
                values[point][measure][replication] = value;
            }
        }
        Self { definition, values }
    }

    /// The interval of `measure` at `point`.
    pub fn interval(&self, point: usize, measure: usize) -> Interval {
        t_interval(&self.values[point][measure], self.definition.confidence)
    }
}

/// A sweep ready to run: its definition and one model per point.
pub struct Sweep {
    /// What it runs.
    pub definition: SweepDefinition,
    models: Vec<Box<dyn Replicable>>,
}

/// The seed of a sweep: the one given, the scenario's, or none.
pub struct Prepared {
    /// The sweep.
    pub sweep: Sweep,
    /// Whether the seed was drawn (and must be printed).
    pub seed_drawn: bool,
}

impl Sweep {
    /// Builds the models of every point (on the current thread pool).
    pub fn prepare(
        source: &ScenarioSource,
        sets: &[Set],
        vary: &[Vary],
        replications: u64,
        seed: Option<u64>,
        confidence: f64,
    ) -> anyhow::Result<Prepared> {
        let base = load_model(source, sets)?;
        let measures = base.measure_names();
        let (seed, seed_drawn) = match seed.or(base.scenario_seed()) {
            Some(seed) => (seed, false),
            None => (crate::rng::os_seed(), true),
        };
        let points = grid(vary);
        let models = points
            .par_iter()
            .map(|point| {
                let mut point_sets = point_sets(vary, point);
                point_sets.splice(0..0, sets.iter().cloned());
                let model = load_model(source, &point_sets)?;
                if model.measure_names() != measures {
                    anyhow::bail!(
                        "the point {} has other measures than the scenario",
                        describe_point(vary, point)
                    );
                }
                Ok(model)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let definition = SweepDefinition {
            scenario: base.scenario_json(),
            seed,
            replications,
            confidence,
            vary: vary
                .iter()
                .map(|column| VaryColumn {
                    key: column.key.clone(),
                    values: column.values.iter().map(json_value).collect(),
                })
                .collect(),
            measures: measures.iter().map(|name| name.to_string()).collect(),
        };
        Ok(Prepared {
            sweep: Sweep { definition, models },
            seed_drawn,
        })
    }

    /// Runs `runs` (indices below [`SweepDefinition::run_count`]) on the
    /// current thread pool, returning their values in the order given, or
    /// `None` when a stop was requested.
    pub fn run(&self, runs: &[u64], progress: &RunProgress) -> anyhow::Result<Option<RunValues>> {
        let replications = self.definition.replications;
        let results = runs
            .par_iter()
            .map(|&run| {
                if interrupt::stop_requested() {
                    return Ok(None);
                }
                let (point, replication) = (run / replications, run % replications);
                let values = self.models[point as usize]
                    .replicate(replication_seed(self.definition.seed, replication))
                    .with_context(|| {
                        format!(
                            "replication {replication} of point {}",
                            self.describe(point as usize)
                        )
                    })?;
                progress.inc();
                Ok(Some((run, values)))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if interrupt::stop_requested() {
            return Ok(None);
        }
        Ok(results.into_iter().collect())
    }

    fn describe(&self, point: usize) -> String {
        self.definition
            .vary
            .iter()
            .zip(self.definition.params(point))
            .map(|(column, value)| format!("{}={value}", column.key))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn describe_point(vary: &[Vary], point: &[toml::Value]) -> String {
    vary.iter()
        .zip(point)
        .map(|(column, value)| format!("{}={value}", column.key))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A varied value as JSON: numbers stay numbers, text stays text.
pub fn json_value(value: &toml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|_| serde_json::Value::String(value.to_string()))
}

/// A progress bar over the runs of an experiment (runs done of all, eta),
/// drawn on stderr only when wanted.
pub struct RunProgress(Option<ProgressBar>);

impl RunProgress {
    /// A bar over `total` runs, if `enabled`.
    pub fn new(enabled: bool, total: u64) -> Self {
        if !enabled {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] runs {pos}/{len} · eta {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self(Some(bar))
    }

    /// One more run done.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
}

impl Drop for RunProgress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(vary: &[(&str, &[i64])]) -> SweepDefinition {
        SweepDefinition {
            scenario: serde_json::json!({}),
            seed: 1,
            replications: 2,
            confidence: 0.95,
            vary: vary
                .iter()
                .map(|(key, values)| VaryColumn {
                    key: key.to_string(),
                    values: values
                        .iter()
                        .map(|value| serde_json::json!(value))
                        .collect(),
                })
                .collect(),
            measures: vec!["m".into()],
        }
    }

    #[test]
    fn points_count_the_last_key_fastest() {
        let definition = definition(&[("a", &[1, 2]), ("b", &[7, 8, 9])]);
        assert_eq!(definition.point_count(), 6);
        assert_eq!(definition.run_count(), 12);
        let params: Vec<String> = (0..6)
            .map(|point| {
                let params = definition.params(point);
                format!("{}{}", params[0], params[1])
            })
            .collect();
        assert_eq!(params, ["17", "18", "19", "27", "28", "29"]);
    }

    #[test]
    fn runs_are_put_back_by_point_and_replication() {
        let definition = definition(&[("a", &[1, 2])]);
        let result = SweepResult::from_runs(
            definition,
            [
                (3, vec![4.0]),
                (0, vec![1.0]),
                (2, vec![3.0]),
                (1, vec![2.0]),
            ],
        );
        assert_eq!(result.values, [vec![vec![1.0, 2.0]], vec![vec![3.0, 4.0]]]);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use crate::experiment::BookModel;

    #[test]
    fn each_run_is_its_points_model_replicated_with_its_replications_seed() {
        let source = ScenarioSource::load(None).unwrap();
        let sets: Vec<Set> = vec!["end_time=300".parse().unwrap()];
        let vary: Vec<Vary> = vec!["taxis=1..2".parse().unwrap()];
        let prepared = Sweep::prepare(&source, &sets, &vary, 2, Some(9), 0.9).unwrap();
        assert!(!prepared.seed_drawn);
        let sweep = prepared.sweep;
        let base = BookModel::new(&source, &sets).unwrap();
        assert_eq!(
            sweep.definition,
            SweepDefinition {
                scenario: base.scenario_json(),
                seed: 9,
                replications: 2,
                confidence: 0.9,
                vary: vec![VaryColumn {
                    key: "taxis".into(),
                    values: vec![serde_json::json!(1), serde_json::json!(2)],
                }],
                measures: base
                    .measure_names()
                    .iter()
                    .map(|name| name.to_string())
                    .collect(),
            }
        );
        // Run k is replication k % 2 of point k / 2, given in any order.
        let expected = |run: u64| {
            let mut point_sets = sets.clone();
            point_sets.push(format!("fleet.taxis={}", run / 2 + 1).parse().unwrap());
            BookModel::new(&source, &point_sets)
                .unwrap()
                .replicate(replication_seed(9, run % 2))
                .unwrap()
        };
        let order = [3, 0, 2, 1];
        let runs = sweep
            .run(&order, &RunProgress::new(false, 4))
            .unwrap()
            .unwrap();
        let wanted: RunValues = order.iter().map(|&run| (run, expected(run))).collect();
        assert_eq!(runs, wanted);
        // The runs differ, so that a run taken for another would show.
        for (a, b) in [(0, 1), (0, 2), (1, 3), (2, 3)] {
            assert_ne!(expected(a), expected(b), "runs {a} and {b}");
        }
    }

    struct Failing {
        fails: bool,
    }

    impl Replicable for Failing {
        fn measure_names(&self) -> Vec<&'static str> {
            vec!["m"]
        }

        fn replicate(&self, seed: u64) -> anyhow::Result<Vec<f64>> {
            if self.fails && seed == replication_seed(1, 1) {
                anyhow::bail!("no taxi came");
            }
            Ok(vec![1.0])
        }

        fn scenario_json(&self) -> serde_json::Value {
            serde_json::Value::Null
        }

        fn scenario_seed(&self) -> Option<u64> {
            None
        }
    }

    #[test]
    fn a_failed_replication_is_named_with_its_point() {
        let definition = SweepDefinition {
            scenario: serde_json::json!({}),
            seed: 1,
            replications: 2,
            confidence: 0.95,
            vary: vec![
                VaryColumn {
                    key: "taxis".into(),
                    values: vec![serde_json::json!(1), serde_json::json!(2)],
                },
                VaryColumn {
                    key: "rng".into(),
                    values: vec![serde_json::json!("pcg64")],
                },
            ],
            measures: vec!["m".into()],
        };
        let sweep = Sweep {
            definition,
            models: vec![
                Box::new(Failing { fails: false }),
                Box::new(Failing { fails: true }),
            ],
        };
        let error = sweep
            .run(&[0, 1, 2, 3], &RunProgress::new(false, 4))
            .unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "replication 1 of point taxis=2 rng=\"pcg64\": no taxi came"
        );
    }

    #[test]
    fn a_point_is_described_by_its_keys_and_values() {
        let vary: Vec<Vary> = vec![
            "taxis=1..2".parse().unwrap(),
            "demand.rate=0.3,0.4".parse().unwrap(),
        ];
        let point = [toml::Value::Integer(2), toml::Value::Float(0.4)];
        assert_eq!(describe_point(&vary, &point), "taxis=2 demand.rate=0.4");
    }

    #[test]
    fn the_progress_bar_counts_the_runs_done_and_is_cleared_at_the_end() {
        let progress = RunProgress::new(true, 5);
        let bar = progress.0.clone().unwrap();
        progress.inc();
        progress.inc();
        assert_eq!((bar.position(), bar.length()), (2, Some(5)));
        assert!(!bar.is_finished());
        drop(progress);
        assert!(bar.is_finished());
        assert!(RunProgress::new(false, 5).0.is_none());
    }
}
