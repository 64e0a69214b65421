//! `--format` and `--export`: every format round-trips to the book's text.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::{spawn, stdout_of, taxi_sim};

/// The book's line for an event object `{"time", "taxi", "action"}`.
fn book_line(event: &Value) -> String {
    let taxi = event["taxi"].as_u64().unwrap();
    let action = event["action"].as_str().unwrap().replace('_', " ");
    format!(
        "taxi: {taxi} {} Event(time={}, proc={taxi}, action='{action}')",
        " ".repeat(3 * taxi as usize),
        event["time"]
    )
}

/// The book's closing line for an outcome object.
fn closing_line(outcome: &Value) -> String {
    match outcome["reason"].as_str().unwrap() {
        "end_of_events" => "*** end of events ***".to_string(),
        "end_time" => format!(
            "*** end of simulation time: {} events pending ***",
            outcome["pending"]
        ),
        other => panic!("unexpected reason {other}"),
    }
}

fn text_from(events: &[Value], outcome: &Value) -> String {
    let mut text: String = events.iter().map(|event| book_line(event) + "\n").collect();
    text.push_str(&closing_line(outcome));
    text.push('\n');
    text
}

const CASES: &[[&str; 3]] = &[
    ["3", "180", "10"],
    ["10", "180", "3"],
    ["7", "1000", "4294967297"],
    ["0", "180", "1"],
    ["3", "0", "3"],
];

fn run_args<'a>(case: &'a [&'a str; 3], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "-t", case[0], "-e", case[1], "-s", case[2]];
    args.extend_from_slice(extra);
    args
}

#[test]
fn the_json_document_reads_back_equal_to_the_text_run() {
    for case in CASES {
        let text = stdout_of(&run_args(case, &[]));
        let document: Value =
            serde_json::from_str(&stdout_of(&run_args(case, &["-f", "json"]))).unwrap();
        assert_eq!(document["schema_version"], 1);
        assert_eq!(document["taxi_sim_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(document["seed"].as_u64().unwrap().to_string(), case[2]);
        assert_eq!(document["rng"], "cpython");
        assert_eq!(
            document["scenario"]["fleet"]["taxis"]
                .as_u64()
                .unwrap()
                .to_string(),
            case[0]
        );
        let events = document["events"].as_array().unwrap();
        assert_eq!(
            text_from(events, &document["outcome"]),
            text,
            "case {case:?}"
        );
        assert_eq!(
            document["outcome"]["events"].as_u64().unwrap(),
            events.len() as u64
        );
        assert_eq!(
            document["summary"]["fleet"]["events"].as_u64().unwrap(),
            events.len() as u64
        );
    }
}

#[test]
fn the_json_lines_log_reads_back_equal_to_the_text_run() {
    for case in CASES {
        let text = stdout_of(&run_args(case, &[]));
        let log = stdout_of(&run_args(case, &["-f", "jsonl"]));
        let lines: Vec<Value> = log
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines[0]["type"], "header");
        assert_eq!(
            lines[0]["data"]["seed"].as_u64().unwrap().to_string(),
            case[2]
        );
        assert!(lines[0]["data"].get("events").is_none());
        let end = lines.last().unwrap();
        assert_eq!(end["type"], "end");
        let events: Vec<Value> = lines[1..lines.len() - 1]
            .iter()
            .map(|line| {
                assert_eq!(line["type"], "event");
                line["data"].clone()
            })
            .collect();
        assert_eq!(end["data"]["events"].as_u64().unwrap(), events.len() as u64);
        assert_eq!(
            text_from(&events, &end["data"]["outcome"]),
            text,
            "case {case:?}"
        );
    }
}

#[test]
fn the_csv_rows_read_back_equal_to_the_text_runs_events() {
    for case in CASES {
        let text = stdout_of(&run_args(case, &[]));
        let csv = stdout_of(&run_args(case, &["-f", "csv"]));
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("time,taxi,action"));
        let events: Vec<Value> = lines
            .map(|row| {
                let fields: Vec<&str> = row.split(',').collect();
                serde_json::json!({"time": fields[0].parse::<u64>().unwrap(), "taxi": fields[1].parse::<u64>().unwrap(), "action": fields[2]})
            })
            .collect();
        let expected: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("taxi:"))
            .collect();
        let got: Vec<String> = events.iter().map(book_line).collect();
        assert_eq!(got, expected);
    }
}

#[test]
fn exports_go_to_files_in_the_format_of_their_extension_while_stdout_keeps_the_text() {
    let directory = tempfile::tempdir().unwrap();
    let path = |name: &str| directory.path().join(name);
    let output = taxi_sim()
        .args(["run", "-t", "3", "-e", "180", "-s", "10"])
        .arg("--export")
        .arg(path("run.json"))
        .arg("--export")
        .arg(path("run.jsonl"))
        .arg("--export")
        .arg(path("run.csv"))
        .arg("--export")
        .arg(path("run.txt"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(fs::read_to_string(path("run.txt")).unwrap(), text);
    assert_eq!(
        fs::read_to_string(path("run.json")).unwrap(),
        stdout_of(&["run", "-t", "3", "-e", "180", "-s", "10", "-f", "json"])
    );
    assert_eq!(
        fs::read_to_string(path("run.jsonl")).unwrap(),
        stdout_of(&["run", "-t", "3", "-e", "180", "-s", "10", "-f", "jsonl"])
    );
    assert_eq!(
        fs::read_to_string(path("run.csv")).unwrap(),
        stdout_of(&["run", "-t", "3", "-e", "180", "-s", "10", "-f", "csv"])
    );
    // Nothing but the four files: no temporary file is left behind.
    assert_eq!(fs::read_dir(directory.path()).unwrap().count(), 4);
}

#[test]
fn export_dash_writes_the_json_log_to_stdout() {
    let out = stdout_of(&["run", "-s", "3", "--export", "-"]);
    let document: Value = serde_json::from_str(&out).unwrap();
    assert!(document["events"].is_array());
    let out = stdout_of(&["run", "-s", "3", "--export", "-", "-f", "csv"]);
    assert!(out.starts_with("time,taxi,action\n"));
}

fn assert_fails_before_simulating(target: &Path, message: &str) {
    taxi_sim()
        .args(["run", "-t", "2000", "-e", "1000000", "-s", "1", "--export"])
        .arg(target)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains(target.to_str().unwrap())
                .and(predicate::str::contains(message)),
        );
}

#[test]
fn an_unwritable_export_path_fails_before_the_simulation_starts() {
    let directory = tempfile::tempdir().unwrap();
    assert_fails_before_simulating(
        &directory.path().join("missing/dir/events.json"),
        "could not write",
    );
    let looks_like_a_file = directory.path().join("out.json");
    fs::create_dir(&looks_like_a_file).unwrap();
    assert_fails_before_simulating(&looks_like_a_file, "directory");
}

/// The names in `directory`, sorted.
fn names_in(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_existing_export_file_is_replaced_only_by_a_complete_one() {
    let directory = tempfile::tempdir().unwrap();
    let target = directory.path().join("events.json");
    fs::write(&target, "old contents").unwrap();
    // The export is opened, then stdout fails in the middle of the run.
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = spawn(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args(["run", "-t", "50", "-e", "5000", "-s", "1", "-q", "--export"])
            .arg(&target)
            .stdout(full)
            .stderr(std::process::Stdio::piped()),
    )
    .output();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("could not write stdout"), "{stderr}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "old contents");
    assert_eq!(names_in(directory.path()), ["events.json"]);
    // The export is opened, then a second export cannot be.
    taxi_sim()
        .args(["run", "-s", "3", "-q", "--export"])
        .arg(&target)
        .arg("--export")
        .arg(directory.path().join("missing/events.csv"))
        .assert()
        .code(1)
        .stdout("");
    assert_eq!(fs::read_to_string(&target).unwrap(), "old contents");
    assert_eq!(names_in(directory.path()), ["events.json"]);
    // A run that fails before simulating leaves the old file alone.
    taxi_sim()
        .args(["run", "--scenario", "no-such-scenario", "--export"])
        .arg(&target)
        .assert()
        .code(1);
    assert_eq!(fs::read_to_string(&target).unwrap(), "old contents");
    // A complete run replaces it.
    taxi_sim()
        .args(["run", "-s", "3", "-q", "--export"])
        .arg(&target)
        .assert()
        .success();
    let document: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(document["seed"], 3);
    assert_eq!(names_in(directory.path()), ["events.json"]);
}

#[cfg(unix)]
#[test]
fn a_read_only_export_file_is_refused_before_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let target = directory.path().join("kept.jsonl");
    fs::write(&target, "precious").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o444)).unwrap();
    // A run of minutes would follow: the refusal comes first.
    let started = std::time::Instant::now();
    taxi_sim()
        .args([
            "run",
            "-t",
            "2000",
            "-e",
            "100000000",
            "-s",
            "1",
            "--export",
        ])
        .arg(&target)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains(target.to_str().unwrap())
                .and(predicate::str::contains("read-only"))
                .and(predicate::str::contains("summary").not()),
        );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
    assert_eq!(names_in(directory.path()), ["kept.jsonl"]);
}

#[test]
fn the_summary_counts_match_the_events() {
    let document: Value = serde_json::from_str(&stdout_of(&[
        "run", "-t", "5", "-s", "1", "-e", "10000", "-f", "json",
    ]))
    .unwrap();
    let events = document["events"].as_array().unwrap();
    let fleet = &document["summary"]["fleet"];
    let drop_offs = events
        .iter()
        .filter(|event| event["action"] == "drop_off_passenger")
        .count();
    assert_eq!(fleet["trips"].as_u64().unwrap() as usize, drop_offs);
    assert_eq!(fleet["taxis_home"], 5);
    for taxi in document["summary"]["taxis"].as_array().unwrap() {
        let id = taxi["taxi"].as_u64().unwrap();
        let mine: Vec<&Value> = events.iter().filter(|event| event["taxi"] == id).collect();
        let first = mine.first().unwrap()["time"].as_u64().unwrap();
        let last = mine.last().unwrap()["time"].as_u64().unwrap();
        assert_eq!(taxi["on_duty"].as_u64().unwrap(), last - first);
        assert_eq!(
            taxi["prowling"].as_u64().unwrap() + taxi["occupied"].as_u64().unwrap(),
            last - first
        );
    }
}

#[cfg(unix)]
#[test]
fn an_export_file_gets_the_permissions_of_an_ordinary_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let reference = directory.path().join("reference");
    fs::File::create(&reference).unwrap();
    let export = directory.path().join("events.json");
    taxi_sim()
        .args(["run", "-s", "1", "-q", "--export"])
        .arg(&export)
        .assert()
        .success();
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&export), mode(&reference));
}
