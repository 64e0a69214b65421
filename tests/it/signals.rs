//! Ctrl-C and SIGTERM sent to a real child process.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::oracle::{
    assert_lines_match, assert_summary_matches, reference_of_document, summary_lines,
};
use crate::{BoundedChild, spawn, taxi_sim};

fn start_long_run(directory: &Path, extra: &[&str]) -> BoundedChild {
    spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args([
                "run",
                "--scenario",
                "big-fleet",
                "--end-time",
                "18446744073709551615",
            ])
            .args(extra)
            .current_dir(directory)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
}

/// Waits until the run has produced some events (its temporary file grows).
fn wait_until_running(directory: &Path) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let partial_bytes: u64 = fs::read_dir(directory)
            .unwrap()
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
            .map(|entry| entry.metadata().map(|metadata| metadata.len()).unwrap_or(0))
            .sum();
        if partial_bytes > 1_000_000 {
            return;
        }
        sleep(Duration::from_millis(20));
    }
    panic!("the run never got going");
}

/// Reads the first line a delayed run prints: by then its signal handler
/// is installed, and it is asleep before its second event.
fn wait_for_first_line(child: &mut BoundedChild) -> String {
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while byte[0] != b'\n' {
        std::io::Read::read_exact(stdout, &mut byte).unwrap();
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

fn no_partial_files(directory: &Path) -> bool {
    fs::read_dir(directory).unwrap().all(|entry| {
        !entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")
    })
}

fn interrupted_run_completes_its_files(signal_name: &str, quiet: bool) {
    // The exports go to another directory than the working one: their
    // temporary files must be beside them.
    let directory = tempfile::tempdir().unwrap();
    let working = tempfile::tempdir().unwrap();
    let json = directory.path().join("run.json");
    let jsonl = directory.path().join("run.jsonl");
    let mut extra = vec![
        "-f",
        "none",
        "--export",
        json.to_str().unwrap(),
        "--export",
        jsonl.to_str().unwrap(),
    ];
    if quiet {
        extra.push("-q");
    }
    let child = start_long_run(working.path(), &extra);
    wait_until_running(directory.path());
    child.signal(signal_name);
    let output = child.output();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    // Both files are complete documents whose outcome is `interrupted`.
    let document: Value =
        serde_json::from_str(&fs::read_to_string(directory.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(document["outcome"]["reason"], "interrupted");
    let events = document["events"].as_array().unwrap().len() as u64;
    assert!(events > 0);
    assert_eq!(document["outcome"]["events"].as_u64().unwrap(), events);
    let interrupted_line = format!(
        "taxi-sim: interrupted at time {} after {events} events",
        document["outcome"]["sim_time"]
    );
    assert!(stderr.contains(&interrupted_line), "{stderr}");
    // The summary of the interrupted run is right, in the file and on stderr.
    let reference = reference_of_document(&document);
    assert_summary_matches(&reference, &document["summary"]);
    if quiet {
        assert!(!stderr.contains("summary:"), "{stderr}");
    } else {
        assert_lines_match(&reference, &summary_lines(&stderr));
    }
    let lines = fs::read_to_string(directory.path().join("run.jsonl")).unwrap();
    let end: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(end["type"], "end");
    assert_eq!(end["data"]["outcome"], document["outcome"]);
    assert_eq!(end["data"]["summary"], document["summary"]);
    assert_eq!(end["data"]["events"].as_u64(), Some(events));
    assert!(no_partial_files(directory.path()));
    assert_eq!(fs::read_dir(working.path()).unwrap().count(), 0);
    // And the interrupted run replays: its events are exactly the run's first ones.
    taxi_sim()
        .arg("replay")
        .arg(directory.path().join("run.jsonl"))
        .assert()
        .success();
}

#[test]
fn ctrl_c_stops_the_run_and_completes_the_export_files() {
    interrupted_run_completes_its_files("INT", false);
}

#[test]
fn sigterm_stops_the_run_and_completes_the_export_files() {
    interrupted_run_completes_its_files("TERM", true);
}

#[test]
fn ctrl_c_stops_a_dispatch_run_without_output_with_the_recorded_runs_event_count() {
    // `-f none` builds no events, it counts them: the count in the
    // interrupted line must be that of a recorded run to the same time.
    let child = spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args(["run", "--scenario", "taxi-stand", "--set", "warm_up=0"])
            .args(["--set", "end_time=1e15", "-f", "none", "-q"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    sleep(Duration::from_millis(300));
    child.signal("INT");
    let output = child.output();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let (time, events) = stderr
        .trim_end()
        .strip_prefix("taxi-sim: interrupted at time ")
        .and_then(|rest| rest.strip_suffix(" events"))
        .and_then(|rest| rest.split_once(" after "))
        .unwrap_or_else(|| panic!("no interrupted line: {stderr}"));
    let time: f64 = time.parse().unwrap();
    let events: u64 = events.parse().unwrap();
    assert!(events > 1000, "{stderr}");
    // Every timer up to `time`, and none after: end just past it.
    let end = f64::from_bits(time.to_bits() + 1);
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("run.json");
    taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "--set", "warm_up=0"])
        .args(["--set", &format!("end_time={end:?}"), "-f", "none", "-q"])
        .arg("--export")
        .arg(&log)
        .assert()
        .success();
    let document: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    assert_eq!(document["outcome"]["events"].as_u64(), Some(events));
    assert_eq!(document["outcome"]["sim_time"].as_f64(), Some(time));
}

#[test]
fn a_second_ctrl_c_exits_at_once_without_leaving_a_partial_file() {
    let directory = tempfile::tempdir().unwrap();
    // The run prints its events to a pipe nobody reads: once the pipe is
    // full it is stuck in a write, and the first Ctrl-C's orderly stop
    // cannot complete. Only the second one can end it, at once.
    let mut child = start_long_run(directory.path(), &["-f", "text", "--export", "run.json"]);
    let started = Instant::now();
    while no_partial_files(directory.path()) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no export started"
        );
        sleep(Duration::from_millis(20));
    }
    sleep(Duration::from_millis(300));
    child.signal("INT");
    sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first Ctrl-C waits for the blocked output"
    );
    child.signal("INT");
    let signalled = Instant::now();
    let status = child.wait();
    assert!(signalled.elapsed() < Duration::from_secs(5));
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("interrupted twice"), "{stderr}");
    // Nothing half-written is left, and no file appears.
    assert!(no_partial_files(directory.path()));
    assert!(!directory.path().join("run.json").exists());
}

#[test]
fn ctrl_c_during_a_delayed_run_ends_it_at_once() {
    let mut child = spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args(["run", "-t", "3", "-s", "3", "--delay"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    // The first event is at time 0; the second, 2 ticks later, is a second away.
    sleep(Duration::from_millis(400));
    child.signal("INT");
    let started = Instant::now();
    let status = child.wait();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    assert_eq!(
        stdout,
        "taxi: 0  Event(time=0, proc=0, action='leave garage')\n*** interrupted at time 0: 3 events pending ***\n"
    );
}

#[test]
fn ctrl_c_during_a_replay_exits_with_130_without_claiming_a_verdict() {
    let directory = tempfile::tempdir().unwrap();
    for extension in ["json", "jsonl"] {
        let log = directory.path().join(format!("run.{extension}"));
        taxi_sim()
            .args(["run", "-t", "3", "-s", "3", "-q", "-f", "none", "--export"])
            .arg(&log)
            .assert()
            .success();
        // Played back at 0.05 s per tick, the log lasts about 9 s.
        let mut child = spawn(
            Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
                .arg("replay")
                .arg(&log)
                .args(["--show", "--delay", "0.05"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        let first = wait_for_first_line(&mut child);
        assert!(first.starts_with("taxi: 0"), "{first}");
        child.signal("INT");
        let signalled = Instant::now();
        let output = child.output();
        assert!(signalled.elapsed() < Duration::from_secs(2));
        assert_eq!(output.status.code(), Some(130), "{extension}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("replay interrupted after verifying"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("identical") && !stderr.contains("MISMATCH"),
            "{stderr}"
        );
    }
}
