//! What a hostile and a newcomer's pass over the dispatch model found: a run
//! cut at its event limit, shifted fleets, misleading loader errors, demand
//! the clock cannot follow, and names and blanks in sweeps and sizes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::taxi_sim;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The stderr of `scenario check FILE`, which must refuse it (exit 1).
fn check_refuses(file: &Path) -> String {
    let output = taxi_sim()
        .args(["scenario", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", file.display());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small stand that keeps riders waiting, some giving up: `patience` is
/// the `[durations]` line's value.
fn stand(patience: &str) -> String {
    format!(
        r#"
schema_version = 2
model = "dispatch"
end_time = 120
seed = 11
[fleet]
taxis = 2
[demand]
rate = 0.3
[durations]
trip = 6
patience = {patience}
"#
    )
}

/// The passengers' counts and mean wait recomputed from a JSON log's
/// events alone (no warm-up: every request is measured).
fn measured_from_events(log: &Value) -> (u64, u64, u64, u64, Option<f64>) {
    let mut requested: HashMap<u64, f64> = HashMap::new();
    let (mut served, mut abandoned, mut wait_sum) = (0u64, 0u64, 0.0);
    for event in log["events"].as_array().unwrap() {
        let time = event["time"].as_f64().unwrap();
        let passenger = event["passenger"].as_u64();
        match event["action"].as_str().unwrap() {
            "request" => {
                requested.insert(passenger.unwrap(), time);
            }
            "pick_up_passenger" => {
                served += 1;
                wait_sum += time - requested[&passenger.unwrap()];
            }
            "abandon" => abandoned += 1,
            _ => {}
        }
    }
    let requests = requested.len() as u64;
    let mean = (served > 0).then(|| wait_sum / served as f64);
    (
        requests,
        served,
        abandoned,
        requests - served - abandoned,
        mean,
    )
}

#[test]
fn a_run_cut_at_its_event_limit_measures_exactly_the_events_of_its_log() {
    let dir = tempfile::tempdir().unwrap();
    // Waiting riders who give up, and riders who leave at once: a request
    // and its pick-up or loss, or a drop-off and the next pick-up, are
    // two events of one moment that a limit can cut apart.
    let files = [
        write(dir.path(), "wait.toml", &stand("3")),
        write(
            dir.path(),
            "loss.toml",
            &stand(r#"{ distribution = "constant", value = 0 }"#),
        ),
    ];
    let mut cut_apart = 0;
    for file in &files {
        for limit in 1..=90u64 {
            let output = taxi_sim()
                .args([
                    "run",
                    "--scenario",
                    file.to_str().unwrap(),
                    "-f",
                    "json",
                    "-q",
                ])
                .args(["--max-events", &limit.to_string()])
                .output()
                .unwrap();
            assert!(output.status.success(), "limit {limit}");
            let log: Value = serde_json::from_slice(&output.stdout).unwrap();
            let passengers = &log["summary"]["passengers"];
            let (requests, served, abandoned, unresolved, wait_mean) = measured_from_events(&log);
            let context = format!("{} at limit {limit}: {passengers}", file.display());
            assert_eq!(passengers["requests"].as_u64(), Some(requests), "{context}");
            assert_eq!(passengers["served"].as_u64(), Some(served), "{context}");
            assert_eq!(
                passengers["abandoned"].as_u64(),
                Some(abandoned),
                "{context}"
            );
            assert_eq!(
                passengers["unresolved"].as_u64(),
                Some(unresolved),
                "{context}"
            );
            match wait_mean {
                Some(mean) => {
                    let given = passengers["wait_mean"].as_f64().unwrap();
                    assert!((given - mean).abs() <= 1e-9 * mean.max(1.0), "{context}");
                }
                None => assert!(passengers["wait_mean"].is_null(), "{context}"),
            }
            let last = log["events"].as_array().unwrap().last().cloned();
            if log["outcome"]["reason"] == "event_limit"
                && last.is_some_and(|event| {
                    matches!(
                        event["action"].as_str(),
                        Some("request" | "drop_off_passenger")
                    )
                })
            {
                cut_apart += 1;
            }
        }
    }
    // The limit fell between the two events of one moment often enough
    // for the test to mean something.
    assert!(cut_apart >= 10, "{cut_apart}");
}

#[test]
fn a_run_stopped_at_its_event_limit_says_so_on_stderr_in_both_models() {
    let output = taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "-f",
            "none",
            "--max-events",
            "1000",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("taxi-sim: stopped at the event limit, time ")
            && stderr.contains(" after 1000 events"),
        "{stderr}"
    );
    let output = taxi_sim()
        .args([
            "run",
            "-t",
            "3",
            "-s",
            "3",
            "-f",
            "none",
            "--max-events",
            "10",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with("taxi-sim: stopped at the event limit, time 25 after 10 events\n"),
        "{stderr}"
    );
    // A run that ends by itself, or a quiet one, says nothing of a limit.
    for args in [
        &["run", "-t", "3", "-s", "3", "-f", "none"][..],
        &[
            "run",
            "-t",
            "3",
            "-s",
            "3",
            "-f",
            "none",
            "-q",
            "--max-events",
            "10",
        ][..],
    ] {
        let output = taxi_sim().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("event limit"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_fleet_that_shifts_define_is_not_resized_by_taxis_set_sweep_or_size() {
    let refusals: [&[&str]; 4] = [
        &[
            "run",
            "--scenario",
            "city-day",
            "-f",
            "none",
            "--taxis",
            "130",
        ],
        &[
            "run",
            "--scenario",
            "city-day",
            "-f",
            "none",
            "--set",
            "fleet.taxis=125",
        ],
        &[
            "sweep",
            "--scenario",
            "city-day",
            "--vary",
            "taxis=120..121",
            "-r",
            "2",
            "-s",
            "1",
            "-q",
        ],
        &[
            "size",
            "--scenario",
            "city-day",
            "--taxis",
            "120..160",
            "--target",
            "p_abandon<=0.03",
            "-r",
            "2",
            "-s",
            "1",
            "-q",
        ],
    ];
    for args in refusals {
        let output = taxi_sim().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is not allowed: the scenario's [[taxi]] shifts fix its fleet at 120"),
            "{args:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    // The fleet the shifts define runs, named as the file names it.
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "city-day",
            "-f",
            "none",
            "-q",
            "--taxis",
            "120",
        ])
        .assert()
        .success();
    // A stand without shifts is resized as before.
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "-f",
            "none",
            "-q",
            "--taxis",
            "12",
        ])
        .args(["--set", "end_time=2000", "--set", "warm_up=0"])
        .assert()
        .success();
}

#[test]
fn dispatch_files_that_are_not_tables_name_their_own_problem_not_the_books_keys() {
    let dir = tempfile::tempdir().unwrap();
    let big_seed = write(
        dir.path(),
        "seed.toml",
        &stand("3").replace("seed = 11", "seed = 18446744073709551615"),
    );
    let null_rate = write(
        dir.path(),
        "null.json",
        r#"{"schema_version": 2, "model": "dispatch", "end_time": 100,
            "fleet": {"taxis": 2}, "demand": {"rate": null}, "durations": {"trip": 5}}"#,
    );
    for (file, says) in [
        (&big_seed, "seed = 18446744073709551615"),
        (&null_rate, "without null values"),
    ] {
        let stderr = check_refuses(file);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("unknown field"), "{stderr}");
    }
}

#[test]
fn a_version_2_file_without_its_model_is_told_to_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "stand.toml",
        &stand("3").replace("model = \"dispatch\"\n", ""),
    );
    let stderr = check_refuses(&file);
    assert!(
        stderr.contains(
            "model: missing: version 2 files are the dispatch model's: write model = \"dispatch\""
        ),
        "{stderr}"
    );
    // A book file of another version hears which versions there are.
    let book = write(dir.path(), "book.toml", "schema_version = 3\n");
    let stderr = check_refuses(&book);
    assert!(
        stderr.contains(
            "this taxi-sim reads version 1 (the book model) and version 2 with model = \"dispatch\""
        ),
        "{stderr}"
    );
}

#[test]
fn zero_patience_written_as_a_number_points_to_riders_who_leave_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "stand.toml", &stand("0"));
    let stderr = check_refuses(&file);
    assert!(
        stderr.contains(
            "durations.patience: 0 must be greater than 0; for riders who leave at once, write patience = { distribution = \"constant\", value = 0 }"
        ),
        "{stderr}"
    );
}

#[test]
fn a_profile_whose_period_brings_next_to_no_demand_is_refused_before_it_can_hang() {
    let dir = tempfile::tempdir().unwrap();
    let profile = |period: &str, rate: &str| {
        stand("3").replace(
            "rate = 0.3",
            &format!("period = {period}\nprofile = [{{ from = 0, rate = {rate} }}]"),
        )
    };
    for (period, rate, says) in [
        (
            "5e-324",
            "0.5",
            "demand.period: 5e-324 is not allowed: minutes, at least 1e-6",
        ),
        (
            "1e-5",
            "1e-296",
            "demand.profile: 1e-301 requests a period is not allowed: at least 1e-300 requests a period",
        ),
    ] {
        let file = write(dir.path(), "profile.toml", &profile(period, rate));
        let output = taxi_sim()
            .args(["run", "--scenario", file.to_str().unwrap(), "-f", "none"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{period} {rate}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    // The smallest period allowed runs.
    let file = write(dir.path(), "profile.toml", &profile("1e-6", "0.5"));
    taxi_sim()
        .args([
            "run",
            "--scenario",
            file.to_str().unwrap(),
            "-f",
            "none",
            "-q",
        ])
        .assert()
        .success();
}

#[test]
fn requests_too_dense_for_the_clock_stop_the_run_with_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    // At time 1e6 the clock moves by about 1e-10: gaps of 1e-15 never move it.
    let file = write(
        dir.path(),
        "dense.toml",
        &stand(r#"{ distribution = "constant", value = 0 }"#)
            .replace("rate = 0.3", "period = 2000000\nprofile = [{ from = 0, rate = 0 }, { from = 1000000, rate = 1e15 }]")
            .replace("end_time = 120", "end_time = 1500000"),
    );
    let output = taxi_sim()
        .args(["run", "--scenario", file.to_str().unwrap(), "-f", "none"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("demand: a million requests in a row at time 1000000: requests come too fast for the clock to tell them apart"),
        "{stderr}"
    );
}

#[test]
fn size_takes_the_summarys_dotted_name_for_utilization() {
    let size = |target: &str| {
        taxi_sim()
            .args([
                "size",
                "--scenario",
                "taxi-stand",
                "--taxis",
                "8..14",
                "-r",
                "3",
                "-s",
                "1",
                "-q",
            ])
            .args([
                "--set",
                "end_time=6000",
                "--set",
                "warm_up=500",
                "--target",
                target,
            ])
            .output()
            .unwrap()
    };
    let dotted = size("fleet.utilization<=0.7");
    let short = size("utilization<=0.7");
    assert!(short.status.success());
    assert_eq!(dotted.status.code(), short.status.code());
    let dotted_text = String::from_utf8(dotted.stdout).unwrap();
    assert!(
        dotted_text.starts_with("smallest fleet for fleet.utilization <= 0.7: "),
        "{dotted_text}"
    );
    assert_eq!(
        dotted_text.replace("fleet.utilization", "utilization"),
        String::from_utf8(short.stdout).unwrap()
    );
}

#[test]
fn a_sweep_prints_a_dash_where_there_is_nothing_to_measure() {
    let output = taxi_sim()
        .args([
            "sweep",
            "--scenario",
            "taxi-stand",
            "--vary",
            "taxis=0..1",
            "-r",
            "3",
            "-s",
            "1",
            "-q",
        ])
        .args(["--set", "end_time=11000"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains("NaN"), "{text}");
    let no_taxi_wait = text
        .lines()
        .find(|line| line.split_whitespace().take(2).eq(["0", "wait_mean"]))
        .unwrap();
    assert_eq!(
        no_taxi_wait.split_whitespace().collect::<Vec<_>>(),
        ["0", "wait_mean", "-", "-", "-"]
    );
}

#[test]
fn a_dispatch_json_file_with_a_key_given_twice_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "twice.json",
        r#"{"schema_version": 2, "model": "dispatch", "end_time": 100,
            "fleet": {"taxis": 2, "taxis": 3}, "demand": {"rate": 0.5}, "durations": {"trip": 5}}"#,
    );
    for args in [
        &["scenario", "check"][..],
        &["run", "-f", "none", "--scenario"][..],
        &["sweep", "-r", "2", "-s", "1", "--scenario"][..],
    ] {
        let output = taxi_sim()
            .args(args)
            .arg(file.to_str().unwrap())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("duplicate key `taxis`"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_misspelt_built_in_scenario_gets_a_did_you_mean() {
    let output = taxi_sim()
        .args(["run", "--scenario", "taxi-stnd", "-f", "none"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no scenario file or built-in scenario named 'taxi-stnd'; did you mean 'taxi-stand'? (built-in: "),
        "{stderr}"
    );
    let output = taxi_sim()
        .args(["run", "--scenario", "nothing-like-it", "-f", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("did you mean"), "{stderr}");
}
