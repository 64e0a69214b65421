//! `run -f none` without an export takes the book model's quiet loop
//! (`models::book::quiet`): its summary, its event-limit and end lines and
//! its Ctrl-C must be those of the engine's loop, which a run with event
//! output takes. The events go to /dev/null-like stdout here; only stderr
//! (summary and notes) is compared.

use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use crate::{spawn, taxi_sim};

/// Stderr of a successful `run` with `args`.
fn stderr_of(args: &[&str]) -> String {
    let output = taxi_sim().arg("run").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "run {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

/// The quiet run of `args` and the same run with its events written as
/// JSON Lines (the engine's loop) say the same on stderr, on one thread
/// and on two.
fn assert_quiet_as_followed(args: &[&str]) {
    let followed = stderr_of(&[args, &["-f", "jsonl", "--threads", "1"]].concat());
    assert!(followed.contains("summary: "), "{followed}");
    for threads in ["1", "2"] {
        let quiet = stderr_of(&[args, &["-f", "none", "--threads", threads]].concat());
        assert_eq!(quiet, followed, "{args:?} on {threads} threads");
    }
}

#[test]
fn a_run_without_event_output_summarises_as_a_run_with_events_does() {
    for seed in ["1", "10", "4294967297"] {
        for (taxis, end_time) in [
            ("3", "180"),
            ("1000", "1000000"),
            ("70", "300"),
            ("5000", "900"),
        ] {
            assert_quiet_as_followed(&["-t", taxis, "-e", end_time, "-s", seed]);
        }
    }
}

#[test]
fn the_event_limit_and_the_end_time_stop_the_quiet_run_where_they_stop_the_other() {
    for limit in ["1", "4095", "4096", "4097", "123457"] {
        assert_quiet_as_followed(&[
            "-t",
            "1000",
            "-e",
            "1000000",
            "-s",
            "7",
            "--max-events",
            limit,
        ]);
    }
    // End times inside a busy minute: only its first event is taken.
    for end_time in ["1", "2", "57", "1001"] {
        assert_quiet_as_followed(&["-t", "300", "-e", end_time, "-s", "3"]);
    }
}

#[test]
fn scenario_values_and_per_taxi_plans_run_quietly_as_they_run_followed() {
    let directory = tempfile::tempdir().unwrap();
    let scenario = directory.path().join("starts.toml");
    std::fs::write(
        &scenario,
        "schema_version = 1\nname = \"starts\"\nend_time = 5000\nrng = \"cpython\"\n\
         [fleet]\ntaxis = 200\ndeparture_interval = 0\ntrips = \"unlimited\"\n\
         [durations]\nsearch = 3\ntrip = 140\n\
         [[taxi]]\nid = 7\nstart_time = 900\ntrips = 0\n\
         [[taxi]]\nid = 150\nstart_time = 4999\ntrips = 2\n",
    )
    .unwrap();
    let path = scenario.to_str().unwrap();
    assert_quiet_as_followed(&["--scenario", path, "-s", "5"]);
    assert_quiet_as_followed(&["--scenario", path, "-s", "5", "--set", "durations.trip=400"]);
    assert_quiet_as_followed(&[
        "--scenario",
        "fluent-python",
        "-s",
        "2",
        "--set",
        "fleet.trips=3",
    ]);
    assert_quiet_as_followed(&[
        "-t",
        "20",
        "-e",
        "500",
        "-s",
        "9",
        "--set",
        "durations.search=0.2",
    ]);
}

#[test]
fn ctrl_c_stops_a_quiet_run_after_the_events_it_names() {
    for threads in ["1", "2"] {
        let child = spawn(
            Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
                .args(["run", "-t", "100000", "-e", "1000000000000", "-s", "4"])
                .args(["-f", "none", "--threads", threads])
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        );
        sleep(Duration::from_millis(700));
        child.signal("INT");
        let output = child.output();
        assert_eq!(output.status.code(), Some(130), "{threads} threads");
        let stderr = String::from_utf8(output.stderr).unwrap();
        // "taxi-sim: interrupted at time T after N events"
        let events = stderr
            .lines()
            .find_map(|line| line.strip_prefix("taxi-sim: interrupted at time "))
            .and_then(|rest| rest.split(" after ").nth(1))
            .and_then(|rest| rest.strip_suffix(" events"))
            .unwrap_or_else(|| panic!("no interruption note: {stderr}"));
        assert!(events.parse::<u64>().unwrap() > 0, "{stderr}");
        // The same run stopped at that many events by the limit has the
        // same summary: the interrupted run took exactly those events.
        let limited = stderr_of(&[
            "-t",
            "100000",
            "-e",
            "1000000000000",
            "-s",
            "4",
            "-f",
            "none",
            "--max-events",
            events,
            "--threads",
            "1",
        ]);
        let summary = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|line| line.starts_with("summary: "))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(summary(&stderr), summary(&limited), "{threads} threads");
        assert_eq!(summary(&stderr).len(), 2, "{stderr}");
    }
}
