//! Ctrl-C and SIGTERM sent to a real child process.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

fn start_long_run(directory: &Path, extra: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
        .args([
            "run",
            "--scenario",
            "big-fleet",
            "--end-time",
            "18446744073709551615",
            "-f",
            "none",
            "-q",
        ])
        .args(extra)
        .current_dir(directory)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
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
fn wait_for_first_line(child: &mut Child) -> String {
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

fn interrupted_run_completes_its_files(signal_name: &str) {
    let directory = tempfile::tempdir().unwrap();
    let child = start_long_run(
        directory.path(),
        &["--export", "run.json", "--export", "run.jsonl"],
    );
    wait_until_running(directory.path());
    signal(&child, signal_name);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("interrupted at time"), "{stderr}");
    // Both files are complete documents whose outcome is `interrupted`.
    let document: Value =
        serde_json::from_str(&fs::read_to_string(directory.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(document["outcome"]["reason"], "interrupted");
    let events = document["events"].as_array().unwrap().len() as u64;
    assert!(events > 0);
    assert_eq!(document["outcome"]["events"].as_u64().unwrap(), events);
    let lines = fs::read_to_string(directory.path().join("run.jsonl")).unwrap();
    let end: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(end["type"], "end");
    assert_eq!(end["data"]["outcome"], document["outcome"]);
    assert!(no_partial_files(directory.path()));
    // And the interrupted run replays: its events are exactly the run's first ones.
    assert_cmd::Command::cargo_bin("taxi-sim")
        .unwrap()
        .arg("replay")
        .arg(directory.path().join("run.jsonl"))
        .assert()
        .success();
}

#[test]
fn ctrl_c_stops_the_run_and_completes_the_export_files() {
    interrupted_run_completes_its_files("INT");
}

#[test]
fn sigterm_stops_the_run_and_completes_the_export_files() {
    interrupted_run_completes_its_files("TERM");
}

#[test]
fn a_second_ctrl_c_exits_at_once_without_leaving_a_partial_file() {
    let directory = tempfile::tempdir().unwrap();
    // A delayed run sleeps between events, so the first Ctrl-C finds it asleep.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
        .args([
            "run",
            "-t",
            "3",
            "-s",
            "3",
            "--delay",
            "--delay-scale",
            "5",
            "--export",
            "run.json",
        ])
        .current_dir(directory.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_first_line(&mut child);
    signal(&child, "INT");
    signal(&child, "INT");
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(130));
    // Either the first signal's orderly stop won the race and the file is
    // complete, or the second one exited at once and there is no file.
    let target = directory.path().join("run.json");
    if target.exists() {
        let document: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
        assert_eq!(document["outcome"]["reason"], "interrupted");
    }
    assert!(no_partial_files(directory.path()));
}

#[test]
fn ctrl_c_during_a_delayed_run_ends_it_at_once() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
        .args(["run", "-t", "3", "-s", "3", "--delay"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first event is at time 0; the second, 2 ticks later, is a second away.
    sleep(Duration::from_millis(400));
    signal(&child, "INT");
    let started = Instant::now();
    let status = child.wait().unwrap();
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
