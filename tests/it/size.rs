//! `taxi-sim size`: the smallest fleet whose interval meets a target.

use predicates::prelude::*;
use serde_json::Value;

use crate::{stdout_of, taxi_sim};

const SIZE: &[&str] = &[
    "size",
    "--target",
    "trips>=20",
    "--taxis",
    "1..30",
    "-r",
    "10",
    "-s",
    "1",
    "-q",
];

fn sized(extra: &[&str]) -> Value {
    let mut args = SIZE.to_vec();
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "json"]);
    serde_json::from_str(&stdout_of(&args)).unwrap()
}

/// The interval of `trips` with `taxis` taxis, from a sweep with the same
/// seed and replications.
fn sweep_interval(taxis: u64) -> (f64, f64) {
    let vary = format!("taxis={taxis}");
    let csv = stdout_of(&[
        "sweep", "--vary", &vary, "-r", "10", "-s", "1", "-q", "-f", "csv",
    ]);
    let row: Vec<&str> = csv
        .lines()
        .find(|line| line.split(',').nth(1) == Some("trips"))
        .unwrap()
        .split(',')
        .collect();
    (row[3].parse().unwrap(), row[4].parse().unwrap())
}

#[test]
fn the_answer_meets_the_target_and_the_fleet_just_below_does_not() {
    let document = sized(&[]);
    let taxis = document["taxis"].as_u64().unwrap();
    assert_eq!(document["measure"], "trips");
    assert!(document["ci_low"].as_f64().unwrap() >= 20.0);
    let evaluated = document["evaluated"].as_array().unwrap();
    let below = evaluated
        .iter()
        .find(|known| known["taxis"] == taxis - 1)
        .expect("the fleet just below was tried");
    assert!(below["ci_low"].as_f64().unwrap() < 20.0);
    assert_eq!(below["meets"], false);
    // Bisection: a handful of fleets out of 30.
    assert!(evaluated.len() <= 7, "{evaluated:?}");
    // Each interval is the sweep's for that fleet.
    for known in evaluated {
        let (low, high) = sweep_interval(known["taxis"].as_u64().unwrap());
        assert_eq!(known["ci_low"].as_f64().unwrap(), low);
        assert_eq!(known["ci_high"].as_f64().unwrap(), high);
        assert_eq!(known["meets"], low >= 20.0);
    }
}

#[test]
fn a_strict_target_needs_the_whole_interval_strictly_on_its_side() {
    let at_least = sized(&[]);
    let mut args = SIZE.to_vec();
    args[2] = "trips > 20";
    args.extend_from_slice(&["-f", "json"]);
    let strictly: Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    assert!(strictly["ci_low"].as_f64().unwrap() > 20.0);
    assert!(strictly["taxis"].as_u64() >= at_least["taxis"].as_u64());
    assert_eq!(strictly["target"], "trips > 20");
}

#[test]
fn the_text_answer_names_the_fleet_and_its_interval() {
    let text = stdout_of(SIZE);
    let taxis = sized(&[])["taxis"].as_u64().unwrap();
    assert!(
        text.starts_with(&format!(
            "smallest fleet for trips >= 20: {taxis} taxis (trips = "
        )),
        "{text}"
    );
    assert!(text.contains("taxis  ") && text.contains("meets"), "{text}");
}

#[test]
fn no_fleet_in_the_range_meeting_the_target_is_exit_1_with_a_message() {
    taxi_sim()
        .args([
            "size",
            "--target",
            "trips>=1000",
            "--taxis",
            "1..5",
            "-r",
            "3",
            "-s",
            "1",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "no fleet of 1 to 5 taxis meets trips >= 1000",
        ));
}

#[test]
fn bad_targets_ranges_and_measures_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["--target", "trips"], "MEASURE OP VALUE"),
        (&["--target", "trips<=x"], "MEASURE OP VALUE"),
        (&["--target", "trips>=1", "--taxis", "5..2"], "empty"),
        (&["--target", "trips>=1", "--taxis", "a..3"], "MIN..MAX"),
        (&["--target", "trips>=1", "-r", "1"], "2 or more"),
        (&["--target", "wait<=1"], "no measure 'wait'"),
        (
            &["--target", "trips>=1", "--set", "fleet.taxis=3"],
            "size chooses the fleet",
        ),
    ];
    for (args, message) in cases {
        taxi_sim()
            .arg("size")
            .args(*args)
            .args(["-s", "1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*message));
    }
}

#[test]
fn each_fleet_tried_is_noted_on_stderr_unless_quiet() {
    let args = [
        "size",
        "--target",
        "trips>=5",
        "--taxis",
        "1..8",
        "-r",
        "4",
        "-s",
        "2",
        "--set",
        "end_time=600",
    ];
    // Every replication of a fleet makes as many trips here: no spread.
    taxi_sim().args(args).assert().success().stderr(
        "size: 8 taxis: trips = 72 ± 0\n\
         size: 4 taxis: trips = 20 ± 0\n\
         size: 2 taxis: trips = 6.0 ± 0.0\n\
         size: 1 taxi: trips = 2.0 ± 0.0\n",
    );
    taxi_sim()
        .args(args)
        .arg("-q")
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::starts_with(
            "smallest fleet for trips >= 5: 2 taxis",
        ));
}
