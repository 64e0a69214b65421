//! Which value a run uses: each command-line flag against the scenario
//! file's value, with values that give different outputs either way, and
//! the fleet keys that place the taxis without an override.

use std::collections::BTreeMap;
use std::fs;

use crate::stdout_of;

/// A scenario file that sets every value a flag can override.
const FILE: &str = "schema_version = 1\nend_time = 90\nseed = 7\nrng = \"pcg64\"\n\
    [fleet]\ntaxis = 4\n";

/// The file's values, as flags on a run without a file.
const FILE_AS_FLAGS: [(&str, &str); 4] = [
    ("--taxis", "4"),
    ("--end-time", "90"),
    ("--seed", "7"),
    ("--rng", "pcg64"),
];

fn flags_run(flags: &[(&str, &str)]) -> String {
    let mut args = vec!["run", "-f", "csv"];
    for (flag, value) in flags {
        args.extend([*flag, *value]);
    }
    stdout_of(&args)
}

#[test]
fn each_flag_wins_over_the_scenario_files_value() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("scenario.toml");
    fs::write(&file, FILE).unwrap();
    let file = file.to_str().unwrap();
    let file_run = stdout_of(&["run", "--scenario", file, "-f", "csv"]);
    // The file alone gives what its values give as flags.
    assert_eq!(file_run, flags_run(&FILE_AS_FLAGS));
    for (flag, value) in [
        ("--taxis", "2"),
        ("--end-time", "400"),
        ("--seed", "8"),
        ("--rng", "cpython"),
    ] {
        let with_flag = stdout_of(&["run", "--scenario", file, flag, value, "-f", "csv"]);
        // The flag's value is used...
        let expected: Vec<(&str, &str)> = FILE_AS_FLAGS
            .iter()
            .map(|&(name, file_value)| (name, if name == flag { value } else { file_value }))
            .collect();
        assert_eq!(with_flag, flags_run(&expected), "{flag} {value}");
        // ...and it makes a difference.
        assert_ne!(with_flag, file_run, "{flag} {value} changes the run");
    }
}

#[test]
fn all_flags_together_turn_a_file_into_the_books_sample_run() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("scenario.toml");
    fs::write(&file, FILE).unwrap();
    let golden = fs::read_to_string(crate::repo_path(
        "tests/fixtures/golden/taxis3_end180_seed3.txt",
    ))
    .unwrap();
    let run = stdout_of(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "--taxis",
        "3",
        "--end-time",
        "180",
        "--seed",
        "3",
        "--rng",
        "cpython",
    ]);
    assert_eq!(run, golden);
}

/// Each taxi's first event time (its departure), from a CSV run.
fn departures(csv: &str) -> BTreeMap<u64, u64> {
    let mut first = BTreeMap::new();
    for row in csv.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        let (time, taxi): (u64, u64) = (fields[0].parse().unwrap(), fields[1].parse().unwrap());
        if fields[2] == "leave_garage" {
            assert!(first.insert(taxi, time).is_none());
        }
    }
    first
}

#[test]
fn taxis_without_a_start_time_leave_at_first_departure_plus_id_times_the_interval() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("spaced.toml");
    // Taxi 1 has its own start time; taxi 2 is overridden without one.
    fs::write(
        &file,
        "schema_version = 1\nend_time = 10000\n\
         [fleet]\ntaxis = 5\nfirst_departure = 7\ndeparture_interval = 11\ntrips = 1\n\
         [[taxi]]\nid = 1\nstart_time = 100\n\
         [[taxi]]\nid = 2\ntrips = 2\n",
    )
    .unwrap();
    let csv = stdout_of(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "-s",
        "1",
        "-f",
        "csv",
    ]);
    let expected: BTreeMap<u64, u64> = [(0, 7), (1, 100), (2, 29), (3, 40), (4, 51)].into();
    assert_eq!(departures(&csv), expected);
    // The defaults, for comparison: taxi i leaves at 5 i.
    let csv = stdout_of(&["run", "-t", "4", "-s", "1", "-e", "10000", "-f", "csv"]);
    let expected: BTreeMap<u64, u64> = [(0, 0), (1, 5), (2, 10), (3, 15)].into();
    assert_eq!(departures(&csv), expected);
}

#[test]
fn scenario_show_resolves_the_fleet_keys_and_the_flags() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("spaced.json");
    fs::write(
        &file,
        r#"{"schema_version": 1, "fleet": {"taxis": 3, "first_departure": 4, "departure_interval": 9},
            "taxi": [{"id": 2, "trips": 1}]}"#,
    )
    .unwrap();
    let shown: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "scenario",
        "show",
        file.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(shown["fleet"]["first_departure"], 4);
    assert_eq!(shown["fleet"]["departure_interval"], 9);
    assert_eq!(shown["taxi"][0]["start_time"], 4 + 2 * 9);
}
