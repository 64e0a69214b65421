//! What `src/distribution.rs`'s mutants showed the suite did not check:
//! a uniform with an empty range, the message for a duration of the wrong
//! type, and the rare bound the event queue sizes its timing wheel by,
//! measured against each law's own tail (statrs), not against the formula.

use std::fs;

use predicates::prelude::*;
use statrs::distribution::{ContinuousCDF, Exp, Gamma, LogNormal, Normal};
use taxi_sim::distribution::DurationSpec;

use crate::taxi_sim;

/// `scenario check` on a scenario whose trips last `trip`.
fn check_with_trip(trip: &str) -> assert_cmd::assert::Assert {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("scenario.toml");
    fs::write(
        &file,
        format!("schema_version = 1\n[durations]\nsearch = 5\ntrip = {trip}\n"),
    )
    .unwrap();
    taxi_sim().args(["scenario", "check"]).arg(&file).assert()
}

#[test]
fn a_uniform_whose_max_equals_its_min_is_refused_naming_max() {
    check_with_trip(r#"{ distribution = "uniform", min = 30, max = 30 }"#)
        .code(1)
        .stderr(predicate::str::contains(
            "durations.trip.max: 30 must be greater than min (30)",
        ));
}

#[test]
fn a_uniform_whose_max_is_above_its_min_is_accepted() {
    check_with_trip(r#"{ distribution = "uniform", min = 30, max = 30.5 }"#).success();
}

#[test]
fn a_duration_that_is_neither_a_number_nor_a_table_names_both_forms() {
    check_with_trip(r#""fast""#).code(1).stderr(
        predicate::str::contains("line 4")
            .and(predicate::str::contains("\"fast\""))
            .and(predicate::str::contains(
                "expected a mean (number) or a table with a `distribution` key",
            )),
    );
}

/// P(X > x) for the law `spec` describes, from statrs.
fn tail_beyond(spec: DurationSpec, x: f64) -> f64 {
    match spec {
        DurationSpec::Exponential { mean } => 1.0 - Exp::new(1.0 / mean).unwrap().cdf(x),
        DurationSpec::Normal { mean, std_dev } => Normal::new(mean, std_dev).unwrap().sf(x),
        DurationSpec::LogNormal { mu, sigma } => LogNormal::new(mu, sigma).unwrap().sf(x),
        DurationSpec::Gamma { shape, scale } => Gamma::new(shape, 1.0 / scale).unwrap().sf(x),
        DurationSpec::Uniform { max, .. } | DurationSpec::Constant { value: max } => {
            if x >= max {
                0.0
            } else {
                1.0
            }
        }
    }
}

#[test]
fn the_rare_bound_is_exceeded_about_once_in_ten_thousand_draws_or_less_but_not_never() {
    // Parameters where each term of each formula matters: a mean far from
    // 10, a mu and a sigma whose sum and product differ, a gamma whose
    // shape and square root differ.
    let laws = [
        DurationSpec::Exponential { mean: 50.0 },
        DurationSpec::Exponential { mean: 0.5 },
        DurationSpec::Normal {
            mean: 30.0,
            std_dev: 3.0,
        },
        DurationSpec::LogNormal {
            mu: 1.0,
            sigma: 0.5,
        },
        DurationSpec::Gamma {
            shape: 9.0,
            scale: 2.0,
        },
        DurationSpec::Gamma {
            shape: 1.0,
            scale: 0.25,
        },
    ];
    for spec in laws {
        let bound = spec.rare_bound();
        let tail = tail_beyond(spec, bound);
        // Rare enough that the wheel nearly always holds a draw, and not
        // so far out that it is sized for durations that never happen.
        assert!(
            (1e-12..=2e-4).contains(&tail),
            "{spec:?}: P(X > {bound}) = {tail:e}"
        );
    }
    // Bounded laws: exactly their largest value.
    let uniform = DurationSpec::Uniform { min: 2.0, max: 9.0 };
    assert_eq!(uniform.rare_bound(), 9.0);
    assert_eq!(DurationSpec::Constant { value: 7.5 }.rare_bound(), 7.5);
}
