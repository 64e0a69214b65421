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
