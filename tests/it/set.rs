//! `taxi-sim run --set KEY=VALUE`: any scenario value from the command line,
//! validated as if it were written in the file.

use std::fs;

use predicates::prelude::*;

use crate::{stdout_of, taxi_sim};

fn scenario_file(text: &str, suffix: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(suffix).tempfile().unwrap();
    fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn a_set_value_runs_exactly_as_the_same_value_written_in_the_file() {
    let written = scenario_file(
        "schema_version = 1\nend_time = 90\n[fleet]\ntaxis = 4\n[durations]\ntrip = 25\n",
        ".toml",
    );
    let from_file = stdout_of(&[
        "run",
        "--scenario",
        written.path().to_str().unwrap(),
        "-s",
        "7",
    ]);
    let from_sets = stdout_of(&[
        "run",
        "--set",
        "fleet.taxis=4",
        "--set",
        "durations.trip=25",
        "--set",
        "end_time=90",
        "-s",
        "7",
    ]);
    assert_eq!(from_sets, from_file);
    assert_ne!(
        from_sets,
        stdout_of(&["run", "-t", "4", "-e", "90", "-s", "7"])
    );
}

#[test]
fn a_set_wins_over_the_file_and_the_shorthand_is_the_same_set() {
    let by_set = stdout_of(&[
        "run",
        "--scenario",
        "rush-hour",
        "--set",
        "fleet.taxis=2",
        "-e",
        "60",
        "-s",
        "3",
    ]);
    let by_flag = stdout_of(&[
        "run",
        "--scenario",
        "rush-hour",
        "--taxis",
        "2",
        "-e",
        "60",
        "-s",
        "3",
    ]);
    assert_eq!(by_set, by_flag);
    assert_ne!(
        by_set,
        stdout_of(&["run", "--scenario", "rush-hour", "-e", "60", "-s", "3"])
    );
}

#[test]
fn sets_apply_to_a_json_scenario_too() {
    let json = scenario_file(r#"{"schema_version": 1, "fleet": {"taxis": 9}}"#, ".json");
    let path = json.path().to_str().unwrap();
    assert_eq!(
        stdout_of(&[
            "run",
            "--scenario",
            path,
            "--set",
            "fleet.taxis=2",
            "-s",
            "10"
        ]),
        stdout_of(&["run", "-t", "2", "-s", "10"])
    );
}

#[test]
fn a_later_set_of_the_same_key_wins() {
    assert_eq!(
        stdout_of(&[
            "run",
            "--set",
            "fleet.taxis=7",
            "--set",
            "fleet.taxis=1",
            "-s",
            "1"
        ]),
        stdout_of(&["run", "-t", "1", "-s", "1"])
    );
}

#[test]
fn a_bad_set_value_gets_the_files_error_naming_the_key() {
    let file = scenario_file("schema_version = 1\n[fleet]\ntaxis = -4\n", ".toml");
    let from_file = taxi_sim()
        .args(["run", "--scenario", file.path().to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let from_file = String::from_utf8(from_file).unwrap();
    assert!(from_file.contains("taxis = -4"), "{from_file}");
    taxi_sim()
        .args(["run", "--set", "fleet.taxis=-4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fleet.taxis").and(predicate::str::contains("-4")));
    taxi_sim()
        .args(["run", "--set", "durations.trip=-3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("durations.trip.mean"));
    taxi_sim()
        .args(["run", "--set", "fleet.taxis=many"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fleet.taxis").and(predicate::str::contains("many")));
}

#[test]
fn an_unknown_key_is_an_error_naming_it_with_a_hint() {
    taxi_sim()
        .args(["run", "--set", "fleet.taxs=3"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("fleet.taxs")
                .and(predicate::str::contains("did you mean `taxis`")),
        );
    taxi_sim()
        .args(["run", "--set", "durations.trip.mean=3", "-s", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "durations.trip: missing field `distribution`",
        ));
    taxi_sim()
        .args(["run", "--set", "colour=red"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("colour"));
}

#[test]
fn a_set_that_is_not_key_equals_value_is_a_usage_error() {
    for bad in ["fleet.taxis", "=3", "fleet..taxis=3"] {
        taxi_sim()
            .args(["run", "--set", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("KEY=VALUE").or(predicate::str::contains("dotted")));
    }
}

#[test]
fn a_shorthand_and_a_set_of_the_same_key_are_refused() {
    taxi_sim()
        .args(["run", "--taxis", "3", "--set", "fleet.taxis=4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--taxis and --set fleet.taxis"));
    taxi_sim()
        .args(["run", "--seed", "3", "--set", "seed=4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--seed"));
}
