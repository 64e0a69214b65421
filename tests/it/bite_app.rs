//! Tests written for issue 17's mutation testing of the command layer
//! (`src/app.rs`) and of stdout's handling (`src/stdio.rs`).

use std::fs;
use std::process::{Command, Stdio};

use predicates::prelude::*;

use crate::{spawn, taxi_sim};

#[test]
fn two_exports_of_one_name_in_different_folders_are_two_files() {
    let directory = tempfile::tempdir().unwrap();
    fs::create_dir(directory.path().join("sub")).unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "-s", "1", "-q", "-f", "none"])
        .args(["--export", "e.json", "--export", "sub/e.json"])
        .assert()
        .success();
    let top = fs::read(directory.path().join("e.json")).unwrap();
    assert!(!top.is_empty());
    assert_eq!(top, fs::read(directory.path().join("sub/e.json")).unwrap());
}

#[test]
fn a_dispatch_fleet_too_big_for_memory_fails_before_allocating() {
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "ride-hailing",
            "--taxis",
            "2000000000",
            "-q",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("GB of memory"));
}

#[test]
fn a_fleet_of_a_quarter_million_taxis_fits_in_memory() {
    // 40 MB: far below any machine's memory, far above a few kilobytes.
    taxi_sim()
        .args(["run", "-s", "1", "-q", "-f", "none", "--taxis", "250000"])
        .args(["--max-events", "10"])
        .assert()
        .success()
        .stderr("");
}

/// The memory the kernel says is available, in bytes.
fn available_memory() -> u64 {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap();
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))
        .unwrap();
    let kilobytes: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kilobytes * 1024
}

#[test]
fn the_memory_check_counts_each_distinct_set_of_durations() {
    // 100,000 taxis with trip durations of their own need about 4.9 GB for
    // their tables; the fleet is sized to leave half of that free, so the
    // check refuses the run only if it counts the tables (a margin of
    // 2.4 GB either way for whatever else runs on the machine). Were it
    // let through, the missing export folder stops it before the fleet
    // is allocated.
    let sets: u64 = 100_000;
    let half_the_tables = sets * 48 * 1024 / 2;
    let available = available_memory();
    if available < 2 * half_the_tables {
        eprintln!("skipped: only {available} bytes of memory available");
        return;
    }
    let taxis = (available - half_the_tables) / 160;
    let mut text = format!("schema_version = 1\n[fleet]\ntaxis = {taxis}\n");
    for id in 0..sets {
        text.push_str(&format!(
            "[[taxi]]\nid = {id}\ndurations = {{ trip = {} }}\n",
            id + 1
        ));
    }
    let directory = tempfile::tempdir().unwrap();
    fs::write(directory.path().join("tables.toml"), text).unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "-q", "-s", "1", "--scenario", "tables.toml"])
        .args(["--export", "missing/e.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("GB of memory"));
}

#[test]
fn scenario_commands_into_a_pipe_nobody_reads_end_quietly() {
    for command in [
        &["scenario", "list"][..],
        &["scenario", "show", "rush-hour"],
        &["scenario", "check", "rush-hour"],
    ] {
        // The reading end is closed before the command starts: its first
        // write finds the reader gone, as `| head -0` would.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = spawn(
            Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
                .args(command)
                .stdout(writer)
                .stderr(Stdio::piped()),
        )
        .output();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{command:?}");
    }
}

#[test]
fn runs_into_a_pipe_nobody_reads_end_at_once_without_their_summary() {
    for (model, args) in [
        ("book", &["run", "-s", "1", "-f", "json"][..]),
        // Text has no header: the first block of events finds it gone.
        (
            "book text",
            &["run", "-s", "1", "-t", "2000", "-e", "100000"],
        ),
        (
            "dispatch",
            &["run", "--scenario", "ride-hailing", "-s", "1", "-f", "json"],
        ),
    ] {
        // The reader is gone before the run starts: nothing else is
        // written, and nothing is said (no files are being written beside
        // stdout, so the run does not go on for them).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = spawn(
            Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
                .args(args)
                .stdout(writer)
                .stderr(Stdio::piped()),
        )
        .output();
        assert_eq!(output.status.code(), Some(0), "{model}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{model}");
    }
}

#[test]
fn a_run_that_prints_its_events_only_to_a_file_shows_a_progress_bar() {
    // Played at 0.02 s per tick, about 2.2 s: long enough for the bar.
    let directory = tempfile::tempdir().unwrap();
    let shown = crate::extras::on_a_terminal(&format!(
        "run -t 3 -s 3 -d --delay-scale 0.02 -f none --export '{}'",
        directory.path().join("run.jsonl").display()
    ));
    assert!(shown.contains("eta") && shown.contains("/180"), "{shown}");
}

#[test]
fn a_long_run_without_event_output_shows_a_progress_bar() {
    // Not paced: some 5 s of simulation in a debug build, well past the
    // second after which the bar appears.
    let shown = crate::extras::on_a_terminal("run -t 4000 -e 100000 -s 3 -f none");
    assert!(
        shown.contains("eta") && shown.contains("/100000"),
        "{shown}"
    );
}

#[test]
fn only_a_run_cut_short_by_the_event_limit_says_so_after_its_summary() {
    let whole = taxi_sim()
        .args(["run", "-s", "3", "-f", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&whole.stderr);
    assert!(whole.status.success(), "{stderr}");
    assert!(stderr.starts_with("summary: 3 taxis"), "{stderr}");
    assert!(!stderr.contains("event limit"), "{stderr}");
    let cut = taxi_sim()
        .args([
            "run",
            "-t",
            "3",
            "-s",
            "3",
            "-f",
            "none",
            "--max-events",
            "5",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cut.stderr);
    assert!(cut.status.success(), "{stderr}");
    assert!(
        stderr.ends_with("taxi-sim: stopped at the event limit, time 10 after 5 events\n"),
        "{stderr}"
    );
}
