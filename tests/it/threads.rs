//! `run --threads`: the helper thread that draws the book model's
//! durations ahead changes nothing in the output, on any seed, fleet, end
//! time, generator or duration law; Ctrl-C and `--max-events` stay exact.

use std::fs;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::{spawn, taxi_sim};

/// Stdout and stderr of `run` with `args` on `threads` threads.
fn run_on(threads: &str, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let output = taxi_sim()
        .arg("run")
        .args(args)
        .args(["--threads", threads])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "run {args:?} --threads {threads}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.stdout, output.stderr)
}

fn assert_same_on_one_and_two_threads(args: &[&str]) {
    let single = run_on("1", args);
    let helped = run_on("2", args);
    assert!(!single.0.is_empty() || args.contains(&"none"), "{args:?}");
    assert!(single.0 == helped.0, "stdout differs for {args:?}");
    assert!(single.1 == helped.1, "stderr differs for {args:?}");
}

#[test]
fn text_and_json_are_the_same_with_and_without_the_helper_thread() {
    for seed in ["1", "2", "17", "4294967296"] {
        for (taxis, end_time) in [("3", "180"), ("1000", "3000"), ("40", "200000")] {
            for format in ["text", "json"] {
                assert_same_on_one_and_two_threads(&[
                    "-t", taxis, "-e", end_time, "-s", seed, "-f", format,
                ]);
            }
        }
    }
}

#[test]
fn the_event_limit_is_exact_with_the_helper_thread() {
    for limit in ["0", "1", "4095", "4096", "4097", "123457"] {
        let args = ["-t", "1000", "-e", "1000000", "-s", "3", "-f", "jsonl"];
        let mut with_limit = args.to_vec();
        with_limit.extend(["--max-events", limit]);
        assert_same_on_one_and_two_threads(&with_limit);
        let (stdout, _) = run_on("2", &with_limit);
        let lines = String::from_utf8(stdout).unwrap();
        let events = lines
            .lines()
            .filter(|line| line.contains("\"event\""))
            .count();
        assert_eq!(events.to_string(), limit);
    }
}

#[test]
fn other_generators_duration_laws_and_per_taxi_durations_are_unchanged() {
    let scenarios = [
        "fluent-python",
        "mixed-fleet",
        "night-shift",
        "rush-hour",
        "big-fleet",
    ];
    for scenario in scenarios {
        for format in ["text", "jsonl"] {
            assert_same_on_one_and_two_threads(&[
                "--scenario",
                scenario,
                "-s",
                "5",
                "-e",
                "3000",
                "--max-events",
                "300000",
                "-f",
                format,
            ]);
        }
    }
    assert_same_on_one_and_two_threads(&["--rng", "pcg64", "-t", "50", "-e", "5000", "-s", "8"]);
}

#[test]
fn the_summary_and_exports_are_the_same_with_the_helper_thread() {
    let directory = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for threads in ["1", "2"] {
        let csv = directory.path().join(format!("run{threads}.csv"));
        let (_, stderr) = run_on(
            threads,
            &[
                "-t",
                "500",
                "-e",
                "20000",
                "-s",
                "11",
                "-f",
                "none",
                "--export",
                csv.to_str().unwrap(),
            ],
        );
        exports.push((fs::read(&csv).unwrap(), stderr));
    }
    assert!(exports[0].0.len() > 1_000_000);
    assert!(exports[0] == exports[1]);
}

#[test]
fn zero_threads_is_a_usage_error() {
    taxi_sim()
        .args(["run", "--threads", "0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--threads"))
        .stderr(predicates::str::contains("must be 1 or more"));
}

#[test]
fn ctrl_c_stops_a_helped_run_exactly_where_it_says() {
    let directory = tempfile::tempdir().unwrap();
    let child = spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args(["run", "-t", "1000", "-e", "18446744073709551615", "-s", "9"])
            .args(["--threads", "2", "-f", "none", "--export", "run.jsonl"])
            .current_dir(directory.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let partial_bytes = || -> u64 {
        fs::read_dir(directory.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
            .map(|entry| entry.metadata().map_or(0, |metadata| metadata.len()))
            .sum()
    };
    let started = Instant::now();
    while partial_bytes() < 5_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never got going"
        );
        sleep(Duration::from_millis(10));
    }
    child.signal("INT");
    let output = child.output();
    assert_eq!(output.status.code(), Some(130));
    // Replay re-simulates on one thread: every event of the interrupted
    // run, and its outcome, must be the single-threaded run's.
    taxi_sim()
        .arg("replay")
        .arg(directory.path().join("run.jsonl"))
        .assert()
        .success();
}
