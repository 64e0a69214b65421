//! What `src/scenario/`'s mutants (mod.rs and sets.rs) showed, or would
//! show, the suite did not check: the largest fleet, the start of an
//! overridden taxi without a start time, the message for a bad number of
//! trips, and `--set` on a book scenario that names its model.

use std::fs;

use predicates::prelude::*;

use crate::{stdout_of, taxi_sim};

fn scenario_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn the_largest_fleet_passes_the_check_and_one_more_taxi_does_not() {
    let largest = u64::from(u32::MAX);
    let file = scenario_file(&format!("schema_version = 1\n[fleet]\ntaxis = {largest}\n"));
    taxi_sim()
        .args(["scenario", "check"])
        .arg(file.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{largest} taxis")));
    let file = scenario_file(&format!(
        "schema_version = 1\n[fleet]\ntaxis = {}\n",
        largest + 1
    ));
    taxi_sim()
        .args(["scenario", "check"])
        .arg(file.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "fleet.taxis: {}",
            largest + 1
        )));
}

#[test]
fn an_overridden_taxi_without_a_start_time_leaves_when_the_fleet_would_send_it() {
    // Taxi 2 of a fleet that starts at 7 and sends one every 3 ticks: 13.
    let file = scenario_file(
        "schema_version = 1\nend_time = 30\n[fleet]\ntaxis = 3\nfirst_departure = 7\n\
         departure_interval = 3\n[[taxi]]\nid = 2\ntrips = 1\n",
    );
    let path = file.path().to_str().unwrap();
    let shown = stdout_of(&["scenario", "show", path]);
    assert!(
        shown.contains("[[taxi]]\nid = 2\nstart_time = 13\n"),
        "{shown}"
    );
    let events = stdout_of(&["run", "--scenario", path, "-s", "1", "-f", "csv"]);
    let leaves: Vec<&str> = events
        .lines()
        .filter(|line| line.ends_with(",leave_garage"))
        .collect();
    assert_eq!(
        leaves,
        ["7,0,leave_garage", "10,1,leave_garage", "13,2,leave_garage"]
    );
}

#[test]
fn a_negative_number_of_trips_names_what_trips_may_be() {
    let file = scenario_file("schema_version = 1\n[fleet]\ntrips = -1\n");
    taxi_sim()
        .args(["scenario", "check"])
        .arg(file.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "invalid value: integer `-1`, expected a number of trips (0 or more), \"book\" or \"unlimited\"",
        ));
}

#[test]
fn a_book_scenario_that_names_its_model_takes_sets() {
    let file = scenario_file("schema_version = 1\nmodel = \"book\"\nend_time = 60\n");
    let path = file.path().to_str().unwrap();
    let with_set = stdout_of(&[
        "run",
        "--scenario",
        path,
        "-s",
        "3",
        "--set",
        "fleet.taxis=4",
    ]);
    assert_eq!(
        with_set,
        stdout_of(&["run", "-e", "60", "-s", "3", "-t", "4"])
    );
    assert_ne!(with_set, stdout_of(&["run", "--scenario", path, "-s", "3"]));
}

#[test]
fn a_bad_set_is_reported_with_every_set_as_given() {
    taxi_sim()
        .args(["run", "--set", "end_time=90", "--set", "fleet.taxis=-4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "invalid scenario '(command line) with end_time=90 fleet.taxis=-4'",
        ));
}
