//! `replay` of dispatch logs through the one replay path: `--show`,
//! `--delay`/`-d`, a closed stdout and Ctrl-C behave as for the book's logs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{spawn, stdout_of, taxi_sim};

/// A short taxi-stand run with every passenger measured.
const STAND: &[&str] = &[
    "run",
    "--scenario",
    "taxi-stand",
    "--set",
    "end_time=300",
    "--set",
    "warm_up=0",
    "-s",
    "4",
];

/// Exports the run of `args` (without `-f`) to `directory/name`.
fn export(directory: &Path, name: &str, args: &[&str]) -> PathBuf {
    let log = directory.join(name);
    taxi_sim()
        .args(args)
        .args(["-q", "-f", "none", "--export"])
        .arg(&log)
        .assert()
        .success();
    log
}

#[test]
fn dispatch_replay_show_prints_the_runs_text_while_verifying() {
    let directory = tempfile::tempdir().unwrap();
    let mut run_text = STAND.to_vec();
    run_text.extend(["-q", "-f", "text"]);
    let expected = stdout_of(&run_text);
    assert!(expected.lines().count() > 100, "{expected}");
    for extension in ["json", "jsonl"] {
        let log = export(directory.path(), &format!("stand.{extension}"), STAND);
        let shown = taxi_sim()
            .arg("replay")
            .arg(&log)
            .arg("--show")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&shown.stderr);
        assert!(shown.status.success(), "{stderr}");
        assert!(stderr.contains("identical"), "{stderr}");
        assert_eq!(String::from_utf8(shown.stdout).unwrap(), expected);
    }
}

#[test]
fn dispatch_replay_show_stops_at_a_mismatch_after_showing_the_events_before_it() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(directory.path(), "stand.jsonl", STAND);
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Line 11 is event #10.
    lines[10] = lines[10].replacen("\"time\":", "\"time\":1", 1);
    let tampered = directory.path().join("tampered.jsonl");
    std::fs::write(&tampered, lines.join("\n") + "\n").unwrap();
    let output = taxi_sim()
        .arg("replay")
        .arg(&tampered)
        .arg("--show")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8(output.stdout).unwrap().lines().count(), 9);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("replay: MISMATCH in") && stderr.contains("event #10 differs"),
        "{stderr}"
    );
}

#[test]
fn dispatch_replay_show_into_a_closed_pipe_ends_quietly() {
    let directory = tempfile::tempdir().unwrap();
    // Some 20,000 events: more text than a pipe holds.
    let log = export(
        directory.path(),
        "day.jsonl",
        &[
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "end_time=20000",
            "--set",
            "warm_up=0",
            "-s",
            "2",
        ],
    );
    let mut child = spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .arg("replay")
            .arg(&log)
            .arg("--show")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("error") && !stderr.contains("identical"),
        "{stderr}"
    );
}

#[test]
fn dispatch_replay_delay_plays_the_log_back_in_real_time() {
    let directory = tempfile::tempdir().unwrap();
    let log = export(
        directory.path(),
        "short.json",
        &[
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "end_time=100",
            "--set",
            "warm_up=0",
            "-s",
            "4",
        ],
    );
    let started = Instant::now();
    let output = taxi_sim()
        .arg("replay")
        .arg(&log)
        .args(["--show", "-d", "0.015"])
        .output()
        .unwrap();
    assert!(output.status.success());
    // Its last event is past minute 90: at least 1.35 s at 0.015 s a minute.
    let last: f64 = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(last > 90.0, "{last}");
    let elapsed = started.elapsed().as_secs_f64();
    assert!(elapsed >= last * 0.015, "took {elapsed} s");
}

#[test]
fn ctrl_c_during_a_paced_dispatch_replay_exits_130_without_a_verdict() {
    let directory = tempfile::tempdir().unwrap();
    for extension in ["json", "jsonl"] {
        let log = export(directory.path(), &format!("stand.{extension}"), STAND);
        // At 0.05 s a minute the 300 minutes last 15 s.
        let mut child = spawn(
            Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
                .arg("replay")
                .arg(&log)
                .args(["--show", "-d", "0.05"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        let mut first = [0u8; 20];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let signalled = Instant::now();
        let output = child.output();
        assert!(signalled.elapsed() < Duration::from_secs(3));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(130), "{extension}: {stderr}");
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
