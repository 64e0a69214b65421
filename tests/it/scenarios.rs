//! Scenario files through the binary: shipped ones, bad ones, precedence.

use std::fs;

use predicates::prelude::*;
use proptest::prelude::*;
use taxi_sim::scenario::{Format, Overrides, Scenario};

use crate::{repo_path, stdout_of, taxi_sim};

const SHIPPED: [&str; 8] = [
    "fluent-python",
    "rush-hour",
    "mixed-fleet",
    "night-shift",
    "big-fleet",
    "taxi-stand",
    "ride-hailing",
    "city-day",
];

/// The shipped scenarios of the dispatch model.
const DISPATCH: [&str; 3] = ["taxi-stand", "ride-hailing", "city-day"];

#[test]
fn every_shipped_scenario_passes_the_check_by_file_and_by_name() {
    let files: Vec<String> = SHIPPED
        .iter()
        .map(|name| {
            repo_path(&format!("scenarios/{name}.toml"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    taxi_sim()
        .args(["scenario", "check"])
        .args(&files)
        .assert()
        .success();
    taxi_sim()
        .args(["scenario", "check"])
        .args(SHIPPED)
        .assert()
        .success();
}

#[test]
fn scenario_list_names_every_built_in_scenario_with_its_description() {
    let listing = stdout_of(&["scenario", "list"]);
    assert_eq!(listing.lines().count(), SHIPPED.len());
    for name in SHIPPED {
        assert!(listing.contains(name), "{listing}");
    }
    assert!(listing.contains("The book's model"));
}

/// Bad file, and what its error must say besides the file's name.
const BAD: &[(&str, &[&str])] = &[
    ("syntax-error.toml", &["line 2, column 7", "unclosed table"]),
    ("wrong-type.toml", &["line 3", "taxis", "\"many\""]),
    ("unknown-key.toml", &["serch", "did you mean `search`?"]),
    (
        "unknown-top-key.toml",
        &["end_tme", "did you mean `end_time`?"],
    ),
    (
        "negative-mean.toml",
        &["durations.trip.mean", "-20", "greater than 0"],
    ),
    (
        "zero-mean.toml",
        &["durations.search.mean", "0 must be greater than 0"],
    ),
    ("nan-mean.toml", &["durations.trip.mean", "NaN", "finite"]),
    (
        "infinite-mean.toml",
        &["durations.trip.mean", "inf", "finite"],
    ),
    (
        "min-above-max.toml",
        &["durations.trip.max", "10 must be greater than min (30)"],
    ),
    (
        "gamma-shape-zero.toml",
        &["durations.search.shape", "0 must be greater than 0"],
    ),
    (
        "unknown-distribution.toml",
        &["poisson", "expected one of `exponential`"],
    ),
    ("unknown-parameter.toml", &["unknown field `sd`", "std_dev"]),
    ("unknown-rng.toml", &["mersenne", "`cpython` or `pcg64`"]),
    ("negative-taxis.toml", &["line 3, column 9", "-4"]),
    (
        "absurd-taxis.toml",
        &["fleet.taxis", "99999999999999", "at most 4294967295"],
    ),
    ("unknown-trips.toml", &["lots", "`book` or `unlimited`"]),
    (
        "override-missing-taxi.toml",
        &["taxi[0].id", "7", "0 to 2 (3 taxis)"],
    ),
    ("override-twice.toml", &["taxi[1].id", "overridden once"]),
    (
        "unsupported-version.toml",
        &["schema_version", "7", "reads version 1"],
    ),
    ("missing-version.toml", &["missing field `schema_version`"]),
    (
        "zero-minutes-per-tick.toml",
        &["minutes_per_tick", "positive"],
    ),
    (
        "departure-overflow.toml",
        &["fleet.departure_interval", "largest time"],
    ),
    (
        "wrong-type.json",
        &["fleet.taxis", "line 1 column 44", "\"x\""],
    ),
    (
        "negative-sigma.json",
        &["durations.trip.sigma", "-1", "0 or more"],
    ),
    ("syntax-error.json", &["trailing comma", "line 1 column 44"]),
    (
        "several-problems.toml",
        &[
            "durations.search.value",
            "durations.trip.mean",
            "taxi[0].id",
        ],
    ),
];

#[test]
fn every_bad_scenario_fails_the_check_with_a_message_naming_the_problem() {
    let directory = repo_path("tests/fixtures/bad-scenarios");
    assert_eq!(
        fs::read_dir(&directory).unwrap().count(),
        BAD.len(),
        "every bad file has a row"
    );
    for (file, fragments) in BAD {
        let path = directory.join(file);
        let path = path.to_str().unwrap();
        let mut expected = predicate::str::contains(path).boxed();
        for fragment in *fragments {
            expected = expected.and(predicate::str::contains(*fragment)).boxed();
        }
        taxi_sim()
            .args(["scenario", "check", path])
            .assert()
            .code(1)
            .stderr(expected.and(predicate::str::contains("panicked").not()));
    }
}

#[test]
fn scenario_check_reports_every_file_in_one_go() {
    let good = repo_path("scenarios/rush-hour.toml");
    let bad_one = repo_path("tests/fixtures/bad-scenarios/zero-mean.toml");
    let bad_two = repo_path("tests/fixtures/bad-scenarios/unknown-key.toml");
    taxi_sim()
        .args(["scenario", "check"])
        .args([&bad_one, &good, &bad_two])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ok: ").and(predicate::str::contains("rush-hour")))
        .stderr(
            predicate::str::contains("zero-mean.toml")
                .and(predicate::str::contains("unknown-key.toml"))
                .and(predicate::str::contains("2 of 3 scenarios are invalid")),
        );
}

#[test]
fn a_bad_scenario_stops_run_before_any_output_file_exists() {
    let directory = tempfile::tempdir().unwrap();
    let export = directory.path().join("events.json");
    taxi_sim()
        .args(["run", "--scenario"])
        .arg(repo_path("tests/fixtures/bad-scenarios/negative-mean.toml"))
        .arg("--export")
        .arg(&export)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("durations.trip.mean"));
    assert_eq!(fs::read_dir(directory.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_file_and_an_unknown_name_are_clear_errors() {
    taxi_sim()
        .args(["run", "--scenario", "no/such/file.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "could not read scenario 'no/such/file.toml'",
        ));
    let directory = tempfile::tempdir().unwrap();
    taxi_sim()
        .args(["scenario", "check"])
        .arg(directory.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could not read scenario"));
    taxi_sim()
        .args(["run", "--scenario", "rush-our"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("'rush-our'").and(predicate::str::contains("rush-hour")));
}

#[test]
fn command_line_flags_win_over_the_file_and_defaults_fill_the_rest() {
    let shown = stdout_of(&["scenario", "show", "rush-hour"]);
    assert!(shown.contains("taxis = 40"));
    // --taxis and --end-time given: the file's 40 taxis and 240 minutes lose.
    let csv = stdout_of(&[
        "run",
        "--scenario",
        "rush-hour",
        "-t",
        "2",
        "-e",
        "30",
        "-s",
        "1",
        "-f",
        "csv",
    ]);
    let taxis: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .map(|row| row.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(taxis.into_iter().collect::<Vec<_>>(), ["0", "1"]);
    let last_time: u64 = csv
        .lines()
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(last_time >= 30);
    // Defaults fill what the file leaves out: the going-home mean.
    assert!(
        shown.contains("[durations.going_home]") && shown.contains("mean = 1.0"),
        "{shown}"
    );
}

#[test]
fn the_seed_in_a_scenario_is_used_unless_a_flag_overrides_it() {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    fs::write(
        file.path(),
        "schema_version = 1\nseed = 3\nend_time = 120\n",
    )
    .unwrap();
    let path = file.path().to_str().unwrap();
    let golden =
        fs::read_to_string(repo_path("tests/fixtures/golden/taxis3_end120_seed3.txt")).unwrap();
    assert_eq!(stdout_of(&["run", "--scenario", path]), golden);
    assert_ne!(
        stdout_of(&["run", "--scenario", path, "--seed", "4"]),
        golden
    );
}

#[test]
fn a_shown_scenario_is_a_valid_scenario_that_shows_the_same() {
    for name in SHIPPED {
        let directory = tempfile::tempdir().unwrap();
        for (flag, extension) in [(None, "toml"), (Some("--json"), "json")] {
            let mut args = vec!["scenario", "show", name];
            args.extend(flag);
            let shown = stdout_of(&args);
            let file = directory.path().join(format!("shown.{extension}"));
            fs::write(&file, &shown).unwrap();
            let again = stdout_of(&["scenario", "show", file.to_str().unwrap()]);
            assert_eq!(
                again,
                stdout_of(&["scenario", "show", name]),
                "{name} via {extension}"
            );
        }
    }
}

#[test]
fn per_taxi_overrides_change_only_their_taxi() {
    let csv = stdout_of(&["run", "--scenario", "mixed-fleet", "-s", "5", "-f", "csv"]);
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|row| row.split(',').collect())
        .collect();
    let of_taxi = |id: &str| {
        rows.iter()
            .filter(move |row| row[1] == id)
            .collect::<Vec<_>>()
    };
    assert_eq!(of_taxi("4")[0], &vec!["120", "4", "leave_garage"]);
    let drop_offs = |id: &str| {
        of_taxi(id)
            .iter()
            .filter(|row| row[2] == "drop_off_passenger")
            .count()
    };
    assert_eq!(drop_offs("4"), 3);
    assert_eq!(drop_offs("1"), 6);
    // The shuttle's trips are uniform on [55, 65): 56 to 65 whole ticks.
    let shuttle = of_taxi("0");
    for pair in shuttle.windows(2) {
        if pair[0][2] == "pick_up_passenger" {
            let trip = pair[1][0].parse::<u64>().unwrap() - pair[0][0].parse::<u64>().unwrap();
            assert!((56..=65).contains(&trip), "trip of {trip}");
        }
    }
}

/// When each taxi of a shown (resolved) scenario leaves the garage.
fn departures_of(shown: &serde_json::Value) -> Vec<u64> {
    let fleet = &shown["fleet"];
    let (first, interval) = (
        fleet["first_departure"].as_u64().unwrap(),
        fleet["departure_interval"].as_u64().unwrap(),
    );
    let mut departures: Vec<u64> = (0..fleet["taxis"].as_u64().unwrap())
        .map(|id| first + id * interval)
        .collect();
    for entry in shown["taxi"].as_array().into_iter().flatten() {
        departures[entry["id"].as_u64().unwrap() as usize] = entry["start_time"].as_u64().unwrap();
    }
    departures
}

#[test]
fn every_shipped_scenario_runs_as_it_is_written_and_replays() {
    let directory = tempfile::tempdir().unwrap();
    // The book's scenarios (the dispatch model's are run and replayed in
    // tests/it/dispatch.rs).
    for name in SHIPPED.into_iter().filter(|name| !DISPATCH.contains(name)) {
        let shown: serde_json::Value =
            serde_json::from_str(&stdout_of(&["scenario", "show", name, "--json"])).unwrap();
        let log = directory.path().join(format!("{name}.json"));
        let mut args = vec!["run", "--scenario", name, "-s", "1", "-f", "none", "-q"];
        if name == "big-fleet" {
            args.extend(["--end-time", "100"]);
        }
        taxi_sim()
            .args(&args)
            .arg("--export")
            .arg(&log)
            .assert()
            .success();
        let document: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
        // The run used the scenario as shown (with the seed and end time given).
        let recorded = &document["scenario"];
        for key in ["name", "fleet", "durations", "minutes_per_tick", "rng"] {
            assert_eq!(recorded[key], shown[key], "{name}: {key}");
        }
        assert_eq!(recorded["taxi"], shown["taxi"], "{name}: overrides");
        let end_time = recorded["end_time"].as_u64().unwrap();
        // Every taxi due before the end leaves at its departure time, once.
        let events = crate::oracle::document_events(&document);
        assert!(!events.is_empty(), "{name}");
        for (id, departure) in departures_of(&shown).into_iter().enumerate() {
            let leaving: Vec<u64> = events
                .iter()
                .filter(|(_, taxi, action)| *taxi == id as u64 && action == "leave_garage")
                .map(|(time, _, _)| *time)
                .collect();
            if departure < end_time {
                assert_eq!(leaving, [departure], "{name}: taxi {id}");
            }
        }
        // Its summary is right, and the log replays.
        let reference = crate::oracle::reference_of_document(&document);
        crate::oracle::assert_summary_matches(&reference, &document["summary"]);
        taxi_sim().arg("replay").arg(&log).assert().success();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in ".{0,200}") {
        let _ = Scenario::parse(&text, Format::Toml, "fuzz.toml", &Overrides::default());
        let _ = Scenario::parse(&text, Format::Json, "fuzz.json", &Overrides::default());
    }

    #[test]
    fn arbitrary_scenario_shaped_files_never_panic(
        keys in prop::collection::vec(
            prop_oneof![
                Just("taxis"), Just("departure_interval"), Just("first_departure"), Just("trips"),
            ],
            0..4,
        ),
        values in prop::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(|v| v.to_string()),
                any::<f64>().prop_map(|v| format!("{v:?}")),
                Just("\"unlimited\"".to_string()),
                Just("\"book\"".to_string()),
                Just("18446744073709551615".to_string()),
            ],
            4,
        ),
        durations in prop::collection::vec(
            (
                prop_oneof![Just("exponential"), Just("constant"), Just("uniform"), Just("normal"), Just("log_normal"), Just("gamma")],
                any::<f64>(),
                any::<f64>(),
            ),
            3,
        ),
        end in any::<u64>(),
    ) {
        let mut text = format!("schema_version = 1\nend_time = {end}\n[fleet]\n");
        for (key, value) in keys.iter().zip(&values) {
            text.push_str(&format!("{key} = {value}\n"));
        }
        text.push_str("[durations]\n");
        for (phase, (name, a, b)) in ["search", "trip", "going_home"].iter().zip(&durations) {
            let parameters = match *name {
                "exponential" => format!("mean = {a:?}"),
                "constant" => format!("value = {a:?}"),
                "uniform" => format!("min = {a:?}, max = {b:?}"),
                "normal" => format!("mean = {a:?}, std_dev = {b:?}"),
                "log_normal" => format!("mu = {a:?}, sigma = {b:?}"),
                _ => format!("shape = {a:?}, scale = {b:?}"),
            };
            text.push_str(&format!("{phase} = {{ distribution = \"{name}\", {parameters} }}\n"));
        }
        if let Ok(scenario) = Scenario::parse(&text, Format::Toml, "fuzz.toml", &Overrides::default()) {
            // A valid scenario also builds its samplers and plans and takes
            // its first events without panicking (errors are fine), with
            // both generators.
            take_first_events(&scenario, taxi_sim::rng::pcg64(1), false);
            take_first_events(&scenario, taxi_sim::rng::CpythonRandom::new(1), true);
        }
    }
}

fn take_first_events<R: taxi_sim::rng::RandomSource>(scenario: &Scenario, rng: R, tables: bool) {
    // At most 50 taxis: the fleet may count billions.
    let Ok(sim) = taxi_sim::models::book::taxi::simulator(
        scenario.plans().take(50),
        &scenario.duration_sets(),
        rng,
        tables,
        scenario.end_time,
    ) else {
        return;
    };
    let mut sim = sim.with_max_events(200);
    while let Ok(taxi_sim::engine::Step::Event(_)) = sim.step() {}
}
