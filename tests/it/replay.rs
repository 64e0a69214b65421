//! `taxi-sim replay`: fresh logs verify; tampered ones fail, saying where.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

use crate::{stdout_of, taxi_sim};

fn export(directory: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = directory.join(name);
    taxi_sim()
        .arg("run")
        .args(args)
        .args(["-q", "-f", "none", "--export"])
        .arg(&path)
        .assert()
        .success();
    path
}

fn assert_verifies(log: &Path) {
    taxi_sim().arg("replay").arg(log).assert().success().stderr(
        predicate::str::contains("replay: verified").and(predicate::str::contains("identical")),
    );
}

fn assert_mismatch(log: &Path, messages: &[&str]) {
    let mut expected = predicate::str::contains("MISMATCH").boxed();
    for message in messages {
        expected = expected.and(predicate::str::contains(*message)).boxed();
    }
    taxi_sim()
        .arg("replay")
        .arg(log)
        .assert()
        .code(1)
        .stderr(expected);
}

fn assert_malformed(log: &Path, message: &str) {
    taxi_sim().arg("replay").arg(log).assert().code(1).stderr(
        predicate::str::contains(log.to_str().unwrap()).and(predicate::str::contains(message)),
    );
}

#[test]
fn the_readme_example_verifies_every_event() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(
        directory.path(),
        "events.json",
        &["--taxis", "3", "--end-time", "180", "--seed", "10"],
    );
    let events =
        serde_json::from_str::<Value>(&fs::read_to_string(&log).unwrap()).unwrap()["events"]
            .as_array()
            .unwrap()
            .len();
    taxi_sim()
        .arg("replay")
        .arg(&log)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "verified {events} events"
        )));
}

#[test]
fn fresh_logs_verify_for_many_seeds_scenarios_and_both_formats() {
    let directory = tempfile::tempdir().unwrap();
    let runs: &[&[&str]] = &[
        &["-t", "5", "-e", "500"],
        &["--scenario", "rush-hour"],
        &["--scenario", "mixed-fleet"],
        &["--scenario", "night-shift", "--rng", "pcg64"],
        &["--scenario", "big-fleet", "-e", "40"],
        &["-t", "0"],
        &["-t", "4", "-e", "0"],
        &["-t", "30", "-e", "100000"],
    ];
    for (index, args) in runs.iter().enumerate() {
        for seed in ["0", "1", "77", "18446744073709551615"] {
            for extension in ["json", "jsonl"] {
                let mut all = args.to_vec();
                all.extend(["-s", seed]);
                let log = export(
                    directory.path(),
                    &format!("run{index}-{seed}.{extension}"),
                    &all,
                );
                assert_verifies(&log);
            }
        }
    }
}

#[test]
fn logs_of_runs_stopped_by_the_event_limit_verify() {
    let directory = tempfile::tempdir().unwrap();
    for extension in ["json", "jsonl"] {
        let log = export(
            directory.path(),
            &format!("limited.{extension}"),
            &["-t", "20", "-s", "2", "--max-events", "57"],
        );
        assert_verifies(&log);
    }
}

fn edit_json(log: &Path, edit: impl FnOnce(&mut Value)) {
    let mut document: Value = serde_json::from_str(&fs::read_to_string(log).unwrap()).unwrap();
    edit(&mut document);
    fs::write(log, serde_json::to_string(&document).unwrap()).unwrap();
}

#[test]
fn a_json_log_with_keys_in_another_order_still_verifies() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "6", "-s", "4"]);
    // serde_json writes object keys sorted: "events" now comes first.
    edit_json(&log, |_| {});
    assert!(fs::read_to_string(&log).unwrap().starts_with("{\"events\""));
    assert_verifies(&log);
}

#[test]
fn an_altered_event_fails_and_shows_recorded_and_re_simulated() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(
        directory.path(),
        "events.json",
        &["-t", "3", "-e", "180", "-s", "10"],
    );
    edit_json(&log, |document| {
        let time = document["events"][4]["time"].as_u64().unwrap();
        document["events"][4]["time"] = (time + 1).into();
    });
    assert_mismatch(&log, &["event #5 differs", "recorded:", "re-simulated:"]);

    let log = export(
        directory.path(),
        "events.jsonl",
        &["-t", "3", "-e", "180", "-s", "10"],
    );
    let text = fs::read_to_string(&log).unwrap();
    let altered = text.replacen(
        "\"taxi\":1,\"action\":\"leave_garage\"",
        "\"taxi\":1,\"action\":\"going_home\"",
        1,
    );
    assert_ne!(altered, text);
    fs::write(&log, altered).unwrap();
    assert_mismatch(&log, &["differs", "going_home", "leave_garage"]);
}

#[test]
fn a_removed_event_fails() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "3", "-s", "10"]);
    edit_json(&log, |document| {
        document["events"].as_array_mut().unwrap().remove(7);
    });
    assert_mismatch(&log, &["event #8 differs"]);

    let log = export(directory.path(), "events.jsonl", &["-t", "3", "-s", "10"]);
    let text = fs::read_to_string(&log).unwrap();
    let kept: String = text
        .lines()
        .enumerate()
        .filter(|(index, _)| *index != 3)
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    fs::write(&log, kept).unwrap();
    assert_mismatch(&log, &["differs"]);
}

#[test]
fn a_removed_last_event_or_an_added_one_fails() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "3", "-s", "10"]);
    edit_json(&log, |document| {
        document["events"].as_array_mut().unwrap().pop();
    });
    assert_mismatch(&log, &[]);
    let log = export(directory.path(), "more.json", &["-t", "3", "-s", "10"]);
    edit_json(&log, |document| {
        let events = document["events"].as_array_mut().unwrap();
        let last = events.last().unwrap().clone();
        events.push(last);
    });
    assert_mismatch(&log, &["more events than the re-simulation"]);
}

#[test]
fn a_changed_seed_fails() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "3", "-s", "10"]);
    edit_json(&log, |document| document["seed"] = 11.into());
    assert_mismatch(&log, &["seed 11"]);
    let log = export(directory.path(), "events.jsonl", &["-t", "3", "-s", "10"]);
    let text = fs::read_to_string(&log)
        .unwrap()
        .replacen("\"seed\":10,", "\"seed\":12,", 1);
    fs::write(&log, text).unwrap();
    assert_mismatch(&log, &["seed 12"]);
}

#[test]
fn an_altered_summary_or_outcome_fails() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "3", "-s", "10"]);
    edit_json(&log, |document| {
        document["summary"]["fleet"]["trips"] = 99.into()
    });
    assert_mismatch(&log, &["summary"]);
    let log = export(
        directory.path(),
        "outcome.json",
        &["-t", "3", "-s", "10", "-e", "50"],
    );
    edit_json(&log, |document| {
        let pending = document["outcome"]["pending"].as_u64().unwrap();
        document["outcome"]["pending"] = (pending + 1).into();
    });
    assert_mismatch(&log, &["outcome differs"]);
}

#[test]
fn a_truncated_log_is_a_clear_error() {
    let directory = tempfile::tempdir().unwrap();
    for extension in ["json", "jsonl"] {
        let log = export(
            directory.path(),
            &format!("events.{extension}"),
            &["-t", "5", "-s", "1"],
        );
        let bytes = fs::read(&log).unwrap();
        fs::write(&log, &bytes[..bytes.len() * 2 / 3]).unwrap();
        assert_malformed(&log, "malformed log");
    }
    // Cut exactly at a line end: the JSON Lines end line is missing.
    let log = export(directory.path(), "cut.jsonl", &["-t", "5", "-s", "1"]);
    let text = fs::read_to_string(&log).unwrap();
    let without_end: String = text
        .lines()
        .filter(|line| !line.contains("\"type\":\"end\""))
        .map(|line| format!("{line}\n"))
        .collect();
    fs::write(&log, without_end).unwrap();
    assert_malformed(&log, "truncated");
    let empty = directory.path().join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    assert_malformed(&empty, "malformed log");
}

#[test]
fn an_unknown_schema_version_or_garbage_is_a_clear_error() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.json", &["-t", "3", "-s", "1"]);
    edit_json(&log, |document| document["schema_version"] = 99.into());
    assert_malformed(&log, "schema_version 99");
    let log = export(directory.path(), "events.jsonl", &["-t", "3", "-s", "1"]);
    let text = fs::read_to_string(&log).unwrap().replacen(
        "\"schema_version\":1",
        "\"schema_version\":99",
        1,
    );
    fs::write(&log, text).unwrap();
    assert_malformed(&log, "schema_version 99");
    let garbage = directory.path().join("garbage.json");
    fs::write(&garbage, "this is not json").unwrap();
    assert_malformed(&garbage, "malformed log");
    taxi_sim()
        .args(["replay", "no/such/log.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "could not read log 'no/such/log.json'",
        ));
}

#[test]
fn show_prints_the_books_text_while_verifying() {
    let directory = tempfile::tempdir().unwrap();
    for extension in ["json", "jsonl"] {
        let log = export(
            directory.path(),
            &format!("events.{extension}"),
            &["-t", "3", "-e", "120", "-s", "3"],
        );
        let shown = taxi_sim()
            .arg("replay")
            .arg(&log)
            .arg("--show")
            .output()
            .unwrap();
        assert!(shown.status.success());
        assert_eq!(
            String::from_utf8(shown.stdout).unwrap(),
            stdout_of(&["run", "-t", "3", "-e", "120", "-s", "3"])
        );
    }
}

#[test]
fn delay_plays_the_log_back_in_real_time() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "events.jsonl", &["-t", "2", "-s", "10"]);
    let started = std::time::Instant::now();
    taxi_sim()
        .arg("replay")
        .arg(&log)
        .args(["--show", "--delay", "0.01"])
        .assert()
        .success();
    // The last event is at time 150: 1.5 s at 0.01 s per tick.
    let elapsed = started.elapsed().as_secs_f64();
    assert!(elapsed >= 1.4, "took {elapsed} s");
}
