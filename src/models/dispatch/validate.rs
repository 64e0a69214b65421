//! `taxi-sim validate`: the dispatch model against queueing theory. Each
//! case runs independent replications (seeds 1, 2, ...; after a warm-up) of
//! a taxi stand whose steady state has a closed form, and checks that the
//! theory value lies inside the 99% Student-t confidence interval of the
//! replications' means.

use serde::Serialize;

use super::scenario::{Demand, DispatchDurations, DispatchFleet, DispatchScenario};
use super::theory;
use crate::distribution::DurationSpec;
use crate::rng::RngKind;
use crate::stats::t_interval;

/// Confidence of the intervals.
pub const CONFIDENCE: f64 = 0.99;

/// How long and how many replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effort {
    /// Replications per group of cases.
    pub replications: u64,
    /// Measured minutes per replication (after the warm-up).
    pub minutes: f64,
    /// Warm-up minutes.
    pub warm_up: f64,
}

impl Effort {
    /// The full check.
    pub const FULL: Effort = Effort {
        replications: 40,
        minutes: 200_000.0,
        warm_up: 2_000.0,
    };
    /// The quick check (`--quick`, part of `cargo test`).
    pub const QUICK: Effort = Effort {
        replications: 30,
        minutes: 80_000.0,
        warm_up: 1_000.0,
    };
}

/// A measure checked against theory.
#[derive(Debug, Clone, Copy)]
struct Check {
    measure: &'static str,
    theory: f64,
}

/// Cases that share one scenario (hence one set of replications).
struct Group {
    name: &'static str,
    scenario: DispatchScenario,
    checks: Vec<Check>,
}

/// One line of the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Which formula and which system.
    pub name: String,
    /// The summary measure compared.
    pub measure: &'static str,
    /// The closed form's value.
    pub theory: f64,
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 99% interval.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Whether the theory value lies inside.
    pub pass: bool,
}

fn stand(
    lambda: f64,
    trip: DurationSpec,
    patience: Option<DurationSpec>,
    taxis: u64,
    service_level_minutes: f64,
    effort: Effort,
) -> DispatchScenario {
    DispatchScenario {
        schema_version: super::scenario::SCHEMA_VERSION,
        model: "dispatch",
        name: "validate".to_string(),
        description: String::new(),
        end_time: effort.warm_up + effort.minutes,
        warm_up: effort.warm_up,
        service_level_minutes,
        seed: None,
        rng: RngKind::Pcg64,
        policy: "fifo".to_string(),
        fleet: DispatchFleet { taxis },
        demand: Demand::Rate { rate: lambda },
        durations: DispatchDurations { trip, patience },
        shifts: Vec::new(),
    }
}

fn groups(effort: Effort) -> Vec<Group> {
    let (lambda, mean_trip, taxis) = (0.4, 20.0, 10);
    let mu = 1.0 / mean_trip;
    let exponential_trip = DurationSpec::Exponential { mean: mean_trip };
    let loss = Some(DurationSpec::Constant { value: 0.0 });
    // Log-normal trips of mean 20: mu = ln 20 - sigma^2 / 2.
    let sigma: f64 = 0.8;
    let log_normal_trip = DurationSpec::LogNormal {
        mu: mean_trip.ln() - sigma * sigma / 2.0,
        sigma,
    };
    let patience = Some(DurationSpec::Exponential { mean: 10.0 });
    let theta = 0.1;
    let stand_a = theory::erlang_a(lambda, mu, theta, taxis);
    let overloaded_lambda = 0.7;
    let overloaded = theory::erlang_a(overloaded_lambda, mu, theta, taxis);
    let within = 5.0;
    vec![
        Group {
            name: "Erlang C: M/M/10, 0.4 req/min, trips 20",
            scenario: stand(lambda, exponential_trip, None, taxis, within, effort),
            checks: vec![
                Check {
                    measure: "p_wait",
                    theory: theory::erlang_c(lambda / mu, taxis),
                },
                Check {
                    measure: "queue_time_mean",
                    theory: theory::erlang_c_mean_wait(lambda, mu, taxis),
                },
                Check {
                    measure: "service_level",
                    theory: theory::erlang_c_wait_within(lambda, mu, taxis, within),
                },
            ],
        },
        Group {
            name: "Erlang B: M/M/10/10, 0.4 req/min, trips 20",
            scenario: stand(lambda, exponential_trip, loss, taxis, within, effort),
            checks: vec![Check {
                measure: "p_abandon",
                theory: theory::erlang_b(lambda / mu, taxis),
            }],
        },
        Group {
            name: "Erlang B: M/G/10/10, log-normal trips of mean 20",
            scenario: stand(lambda, log_normal_trip, loss, taxis, within, effort),
            checks: vec![
                Check {
                    measure: "p_abandon",
                    theory: theory::erlang_b(lambda / mu, taxis),
                },
                Check {
                    measure: "fleet.utilization",
                    theory: lambda / mu * (1.0 - theory::erlang_b(lambda / mu, taxis))
                        / taxis as f64,
                },
            ],
        },
        Group {
            name: "Erlang A: M/M/10+M, 0.4 req/min, patience 10",
            scenario: stand(lambda, exponential_trip, patience, taxis, within, effort),
            checks: vec![
                Check {
                    measure: "p_abandon",
                    theory: stand_a.p_abandon,
                },
                Check {
                    measure: "p_wait",
                    theory: stand_a.p_wait,
                },
                Check {
                    measure: "queue_time_mean",
                    theory: stand_a.mean_queue_time,
                },
                Check {
                    measure: "fleet.utilization",
                    theory: stand_a.utilization,
                },
            ],
        },
        Group {
            name: "Erlang A overloaded: M/M/10+M, 0.7 req/min (load 14)",
            scenario: stand(
                overloaded_lambda,
                exponential_trip,
                patience,
                taxis,
                within,
                effort,
            ),
            checks: vec![
                Check {
                    measure: "p_abandon",
                    theory: overloaded.p_abandon,
                },
                Check {
                    measure: "p_wait",
                    theory: overloaded.p_wait,
                },
                Check {
                    measure: "queue_time_mean",
                    theory: overloaded.mean_queue_time,
                },
            ],
        },
    ]
}

/// Runs `replications` of `scenario` (seeds 1, 2, ...) on up to `threads`
/// threads; the results are in seed order whatever the threads.
fn replications(
    scenario: &DispatchScenario,
    count: u64,
    threads: usize,
) -> anyhow::Result<Vec<super::Measures>> {
    let threads = threads.clamp(1, count.max(1) as usize);
    let mut results: Vec<Option<anyhow::Result<super::Measures>>> =
        (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        for (worker, chunk) in results
            .chunks_mut(count.div_ceil(threads as u64).max(1) as usize)
            .enumerate()
        {
            let first = worker as u64 * count.div_ceil(threads as u64);
            scope.spawn(move || {
                for (offset, slot) in chunk.iter_mut().enumerate() {
                    *slot = Some(super::replicate(scenario, first + offset as u64 + 1));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|result| result.expect("every replication ran"))
        .collect()
}

/// Runs every case with `effort`; `stop` is asked between groups (Ctrl-C).
pub fn validate(
    effort: Effort,
    stop: impl Fn() -> bool,
) -> anyhow::Result<Option<Vec<CaseResult>>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut results = Vec::new();
    for group in groups(effort) {
        if stop() {
            return Ok(None);
        }
        let runs = replications(&group.scenario, effort.replications, threads)?;
        for check in &group.checks {
            let values: Vec<f64> = runs
                .iter()
                .map(|measures| {
                    measures
                        .iter()
                        .find(|(name, _)| *name == check.measure)
                        .map(|(_, value)| *value)
                        .expect("every checked measure is in the summary")
                })
                .collect();
            let interval = t_interval(&values, CONFIDENCE);
            results.push(CaseResult {
                name: group.name.to_string(),
                measure: check.measure,
                theory: check.theory,
                mean: interval.mean,
                ci_low: interval.low,
                ci_high: interval.high,
                pass: interval.contains(check.theory),
            });
        }
    }
    Ok(Some(results))
}

/// The verdict as a table for a person.
pub fn table(results: &[CaseResult], effort: Effort) -> String {
    let width = results
        .iter()
        .map(|result| result.name.len())
        .max()
        .unwrap_or(4);
    let mut text = format!(
        "{:width$}  {:17}  {:>8}  {:>8}  {:>21}  verdict\n",
        "case", "measure", "theory", "mean", "99% CI"
    );
    for result in results {
        text.push_str(&format!(
            "{:width$}  {:17}  {:>8.4}  {:>8.4}  [{:>8.4}, {:>8.4}]  {}\n",
            result.name,
            result.measure,
            result.theory,
            result.mean,
            result.ci_low,
            result.ci_high,
            if result.pass { "pass" } else { "FAIL" }
        ));
    }
    let failed = results.iter().filter(|result| !result.pass).count();
    text.push_str(&format!(
        "{} of {} cases agree with theory ({} of {} minutes after a {}-minute warm-up, {:.0}% intervals)\n",
        results.len() - failed,
        results.len(),
        crate::stdio::counted(effort.replications, "replication"),
        effort.minutes,
        effort.warm_up,
        CONFIDENCE * 100.0
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_case_runs_its_warm_up_then_its_measured_minutes() {
        let trip = DurationSpec::Exponential { mean: 20.0 };
        let quick = stand(0.4, trip, None, 10, 5.0, Effort::QUICK);
        assert_eq!((quick.warm_up, quick.end_time), (1_000.0, 81_000.0));
        let full = stand(0.4, trip, None, 10, 5.0, Effort::FULL);
        assert_eq!((full.warm_up, full.end_time), (2_000.0, 202_000.0));
    }

    #[test]
    fn replications_use_seeds_one_two_and_on_whatever_the_threads() {
        let short = Effort {
            replications: 5,
            minutes: 300.0,
            warm_up: 0.0,
        };
        let trip = DurationSpec::Exponential { mean: 20.0 };
        let scenario = stand(0.4, trip, None, 10, 5.0, short);
        // Compared as text: a measure may be NaN.
        let by_seed: Vec<String> = (1..=5)
            .map(|seed| format!("{:?}", super::super::replicate(&scenario, seed).unwrap()))
            .collect();
        for threads in [1, 2, 3] {
            let runs = replications(&scenario, 5, threads).unwrap();
            let got: Vec<String> = runs.iter().map(|run| format!("{run:?}")).collect();
            assert_eq!(got, by_seed, "{threads} threads");
        }
    }

    #[test]
    fn the_table_counts_the_cases_that_agree_and_marks_the_others() {
        let case = |name: &str, pass| CaseResult {
            name: name.to_string(),
            measure: "p_wait",
            theory: 0.25,
            mean: 0.5,
            ci_low: 0.125,
            ci_high: 0.75,
            pass,
        };
        let results = [case("agrees", true), case("off", false), case("too", true)];
        assert_eq!(
            table(&results, Effort::QUICK),
            "case    measure              theory      mean                 99% CI  verdict\n\
             agrees  p_wait               0.2500    0.5000  [  0.1250,   0.7500]  pass\n\
             off     p_wait               0.2500    0.5000  [  0.1250,   0.7500]  FAIL\n\
             too     p_wait               0.2500    0.5000  [  0.1250,   0.7500]  pass\n\
             2 of 3 cases agree with theory (30 replications of 80000 minutes \
             after a 1000-minute warm-up, 99% intervals)\n"
        );
    }

    #[test]
    fn there_are_at_least_nine_cases_covering_erlang_a_b_and_c() {
        let all: Vec<(String, &str)> = groups(Effort::QUICK)
            .into_iter()
            .flat_map(|group| {
                group
                    .checks
                    .into_iter()
                    .map(move |check| (group.name.to_string(), check.measure))
            })
            .collect();
        assert!(all.len() >= 9);
        for formula in ["Erlang A", "Erlang B", "Erlang C"] {
            assert!(all.iter().any(|(name, _)| name.starts_with(formula)));
        }
    }
}
