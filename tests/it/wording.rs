//! Messages are written for people: counts agree with their nouns
//! (`1 event`), and no Rust debug notation (`Some(..)`, type names,
//! escaped quotes) reaches a dispatch replay's verdict.

use predicates::prelude::PredicateBooleanExt;

use crate::taxi_sim;

fn stderr_of(args: &[&str]) -> String {
    let output = taxi_sim().args(args).output().unwrap();
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_count_of_one_takes_the_singular() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("one.jsonl");
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "-s",
            "1",
            "-q",
            "-f",
            "none",
        ])
        .args(["--max-events", "1", "--export"])
        .arg(&log)
        .assert()
        .success();
    taxi_sim()
        .arg("replay")
        .arg(&log)
        .assert()
        .success()
        .stderr(
            predicates::str::contains("verified 1 event of")
                .and(predicates::str::contains(", 1 event, "))
                .and(predicates::str::contains("1 events").not()),
        );
    let scenario = directory.path().join("one.toml");
    std::fs::write(
        &scenario,
        "schema_version = 1\nname = \"one\"\n[fleet]\ntaxis = 1\n",
    )
    .unwrap();
    taxi_sim()
        .args(["scenario", "check"])
        .arg(&scenario)
        .assert()
        .success()
        .stdout(predicates::str::contains("1 taxi, end time"));
    let sweep = stderr_of(&[
        "sweep",
        "--set",
        "fleet.taxis=1",
        "--vary",
        "end_time=60",
        "-r",
        "2",
        "-s",
        "1",
        "--threads",
        "1",
    ]);
    assert!(
        sweep.contains("sweep: 1 point × 2 replications = 2 runs, on 1 thread"),
        "{sweep}"
    );
}

#[test]
fn a_dispatch_outcome_mismatch_is_told_in_words() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("stand.jsonl");
    taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "--set", "end_time=300"])
        .args([
            "--set",
            "warm_up=0",
            "-s",
            "5",
            "-q",
            "-f",
            "none",
            "--export",
        ])
        .arg(&log)
        .assert()
        .success();
    let text = std::fs::read_to_string(&log).unwrap();
    let tampered = text.replacen("\"pending\":", "\"pending\":1", 1);
    assert_ne!(tampered, text);
    std::fs::write(&log, tampered).unwrap();
    let stderr = stderr_of(&["replay", log.to_str().unwrap()]);
    assert!(
        stderr.contains("MISMATCH") && stderr.contains("the outcome differs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("recorded:     at the end time (time "),
        "{stderr}"
    );
    for debug in [
        "Some(",
        "None",
        "DispatchOutcome",
        "reason:",
        "EndTime",
        "\\\"",
    ] {
        assert!(!stderr.contains(debug), "{debug} in {stderr}");
    }
}

#[test]
fn a_nested_key_given_at_the_top_level_is_shown_its_table() {
    for (args, key, table) in [
        (&["run", "--set", "taxis=12"][..], "taxis", "fleet"),
        (&["run", "--set", "trips=2"][..], "trips", "fleet"),
        (&["run", "--set", "trip=2"][..], "trip", "durations"),
        (
            &["run", "--scenario", "taxi-stand", "--set", "taxis=12"][..],
            "taxis",
            "fleet",
        ),
        (
            &["run", "--scenario", "taxi-stand", "--set", "rate=2"][..],
            "rate",
            "demand",
        ),
        (
            &["run", "--scenario", "taxi-stand", "--set", "patience=2"][..],
            "patience",
            "durations",
        ),
    ] {
        let output = taxi_sim().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("--set {table}.{key}="))
                && stderr.contains(&format!("[{table}]")),
            "{args:?}: {stderr}"
        );
    }
    // A misspelt key still gets its nearest name.
    let output = taxi_sim()
        .args(["run", "--set", "fleet.taxs=3"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `taxis`"));
}
