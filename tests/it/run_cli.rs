//! `taxi-sim run` as a user types it: flags, errors, pipes.

use predicates::prelude::*;

use crate::{output_within, spawn, stdout_of, taxi_sim};

#[test]
fn help_shows_the_subcommands_and_examples() {
    taxi_sim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("run").and(predicate::str::contains("Examples:")));
    for subcommand in ["run", "replay", "scenario", "completions", "man"] {
        taxi_sim()
            .args([subcommand, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}

#[test]
fn version_prints_the_crate_version() {
    taxi_sim()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn invalid_values_are_usage_errors_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--taxis", "-1"], "0 or more"),
        (&["run", "--end-time", "abc"], "not a whole number"),
        (
            &["run", "--scenario", "taxi-stand", "--end-time", "100.5"],
            "`--set end_time=100.5`",
        ),
        (
            &["run", "--end-time", "18446744073709551616"],
            "at most 18446744073709551615",
        ),
        (&["run", "--seed", "-5"], "0 or more"),
        (&["run", "--rng", "mt"], "invalid value"),
        (&["run", "--format", "xml"], "invalid value"),
        (&["run", "--delay-scale", "-1"], "finite number of seconds"),
        (&["run", "--delay-scale", "inf"], "finite number of seconds"),
        (&["run", "--export", "-", "--export", "-"], "only once"),
        (&["run", "--export", "events.dat"], "cannot tell the format"),
        (&["fly"], "unrecognized subcommand"),
    ];
    for (args, message) in cases {
        taxi_sim()
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(*message));
    }
}

#[test]
fn zero_taxis_is_valid_as_in_the_book() {
    assert_eq!(
        stdout_of(&["run", "-t", "0", "-s", "1"]),
        "*** end of events ***\n"
    );
}

#[test]
fn a_huge_end_time_runs_every_taxi_home() {
    let output = stdout_of(&["run", "-t", "3", "-s", "3", "-e", "18446744073709551615"]);
    assert!(output.ends_with("*** end of events ***\n"));
    assert_eq!(output.matches("going home").count(), 3);
}

#[test]
fn without_a_seed_one_is_drawn_printed_and_reproducible() {
    let output = taxi_sim().args(["run", "-t", "5"]).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let seed = stderr
        .lines()
        .find_map(|line| line.strip_prefix("seed: "))
        .expect("the drawn seed is printed on stderr");
    assert_eq!(
        stdout_of(&["run", "-t", "5", "-s", seed]),
        String::from_utf8(output.stdout).unwrap()
    );
}

#[test]
fn runs_without_a_seed_draw_different_seeds() {
    let drawn_seed = || {
        let output = taxi_sim()
            .args(["run", "-t", "1", "-f", "none"])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr)
            .unwrap()
            .lines()
            .find_map(|line| line.strip_prefix("seed: ").map(str::to_string))
            .expect("the drawn seed is printed on stderr")
    };
    assert_ne!(drawn_seed(), drawn_seed());
}

#[test]
fn the_summary_goes_to_stderr_and_quiet_hides_it() {
    taxi_sim()
        .args(["run", "-s", "3"])
        .assert()
        .success()
        .stderr(predicate::str::contains("summary: 3 taxis"));
    taxi_sim()
        .args(["run", "-s", "3", "--quiet"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_success() {
    // `head -1` closes the pipe after one line of a run of gigabytes.
    let output = output_within(
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "'{}' run -t 2000 -e 1000000 -s 1 | head -1; echo \"status ${{PIPESTATUS[0]}}\"",
                assert_cmd::cargo::cargo_bin("taxi-sim").display()
            ))
            .env("SHELL", "bash"),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("taxi: 0  Event(time=0"), "{stdout}");
    assert!(stdout.ends_with("status 0\n"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains("error") && !stderr.contains("panic"),
        "{stderr}"
    );
}

#[test]
fn a_closed_pipe_gives_exit_code_0() {
    let mut child = spawn(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args(["run", "-t", "2000", "-e", "1000000", "-s", "1", "-q"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
    );
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.output();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn the_event_limit_stops_the_run_with_its_own_closing_line() {
    let output = stdout_of(&["run", "-t", "3", "-s", "3", "--max-events", "5"]);
    assert_eq!(output.lines().count(), 6);
    assert!(
        output.ends_with("*** event limit of 5 reached at time 10: 3 events pending ***\n"),
        "{output}"
    );
}

#[test]
fn format_none_prints_no_events() {
    assert_eq!(stdout_of(&["run", "-s", "3", "--format", "none"]), "");
}

#[test]
fn a_fleet_too_big_for_memory_fails_before_allocating() {
    taxi_sim()
        .args(["run", "--taxis", "4000000000", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("GB of memory"));
    // Beyond 32-bit ids it is a usage error (issue 11, item 19).
    taxi_sim()
        .args(["run", "--taxis", "18446744073709551615", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--taxis"));
}
