//! The book's other programs and the CLI conventions: the delayed run,
//! shell completions, the man page.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use predicates::prelude::*;

use crate::{output_within, spawn, stdout_of, taxi_sim};

#[test]
fn a_delayed_run_prints_the_same_lines_as_they_happen() {
    let mut child = spawn(
        Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .args([
                "run",
                "-t",
                "2",
                "-s",
                "10",
                "-d",
                "--delay-scale",
                "0.01",
                "-q",
            ])
            .stdout(Stdio::piped()),
    );
    let started = Instant::now();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        lines.push((started.elapsed().as_secs_f64(), line.unwrap()));
    }
    assert!(child.wait().success());
    let text: String = lines.iter().map(|(_, line)| format!("{line}\n")).collect();
    assert_eq!(text, stdout_of(&["run", "-t", "2", "-s", "10"]));
    // The book's doctest run ends at time 150: 1.5 s at 0.01 s per tick,
    // and the lines arrive one by one, not all at the end.
    let (first, _) = lines[0];
    let (last, _) = lines[lines.len() - 1];
    assert!(first < 1.0, "first line after {first} s");
    assert!((1.4..4.0).contains(&last), "last line after {last} s");
    let (middle, _) = lines[lines.len() / 2];
    assert!(middle > first + 0.1 && middle < last - 0.1, "{middle}");
}

#[test]
fn a_delay_scale_of_zero_disables_the_delay() {
    let started = Instant::now();
    let text = stdout_of(&[
        "run",
        "-t",
        "3",
        "-s",
        "3",
        "-e",
        "1000",
        "-d",
        "--delay-scale",
        "0",
    ]);
    assert!(started.elapsed().as_secs_f64() < 2.0);
    assert_eq!(
        text,
        stdout_of(&["run", "-t", "3", "-s", "3", "-e", "1000"])
    );
}

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _taxi__sim"),
        ("zsh", "#compdef taxi-sim"),
        ("fish", "complete -c taxi-sim"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[taxi-sim]"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}");
        assert!(
            script.contains("end-time"),
            "{shell} completes run's options"
        );
    }
    taxi_sim().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn completions_and_the_man_page_end_quietly_on_a_closed_pipe() {
    for command in ["completions bash", "man"] {
        let output = output_within(Command::new("bash").arg("-c").arg(format!(
            "'{}' {command} | head -c 10 > /dev/null; echo ${{PIPESTATUS[0]}}",
            assert_cmd::cargo::cargo_bin("taxi-sim").display()
        )));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "0",
            "{command}"
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{command}");
    }
}

#[test]
fn the_bash_completion_script_is_valid_bash() {
    let script = stdout_of(&["completions", "bash"]);
    let mut child = spawn(Command::new("bash").arg("-n").stdin(Stdio::piped()));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    assert!(child.wait().success());
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH taxi-sim"),
        "{}",
        &page[..200]
    );
    assert!(page.contains(".TH taxi-sim"));
    for subcommand in ["run", "replay", "scenario", "completions", "man"] {
        assert!(page.contains(subcommand), "{subcommand}");
    }
}

#[test]
fn every_subcommand_help_ends_with_examples() {
    for subcommand in ["run", "replay", "scenario", "completions", "man"] {
        taxi_sim()
            .args([subcommand, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::is_match("Examples:\n(  taxi-sim .*\n){2,}$").unwrap());
    }
}

/// Runs `args` with stderr (and stdout) on a pseudo-terminal, through
/// util-linux's `script`, and returns what the terminal showed.
pub(crate) fn on_a_terminal(args: &str) -> String {
    on_a_terminal_with_term(args, "xterm")
}

fn on_a_terminal_with_term(args: &str, term: &str) -> String {
    let command = format!(
        "'{}' {args}",
        assert_cmd::cargo::cargo_bin("taxi-sim").display()
    );
    let output = output_within(
        Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("TERM", term),
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_long_run_on_a_terminal_shows_a_progress_bar_and_quiet_hides_it() {
    // The book's run played at 0.02 s per tick lasts about 2.2 s, however
    // fast the machine: long enough for the bar, which appears after 1 s.
    let long_run = "run -t 3 -s 3 -d --delay-scale 0.02 -f none";
    let shown = on_a_terminal(long_run);
    assert!(
        shown.contains("eta") && shown.contains("M/s") && shown.contains("/180"),
        "{shown}"
    );
    assert!(shown.contains("summary:"));
    let quiet = on_a_terminal(&format!("{long_run} --quiet"));
    assert!(!quiet.contains("eta"), "{quiet}");
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal_or_the_terminal_is_dumb() {
    // The same long run that shows a bar on a terminal (see above).
    let long_run = "run -t 3 -s 3 -d --delay-scale 0.02 -f none";
    // stdout on the terminal, stderr into a file.
    let directory = tempfile::tempdir().unwrap();
    let stderr_file = directory.path().join("stderr.txt");
    let shown = on_a_terminal(&format!("{long_run} 2>'{}'", stderr_file.display()));
    let stderr = fs::read_to_string(&stderr_file).unwrap();
    assert!(
        !shown.contains("eta") && !shown.contains("summary:"),
        "{shown}"
    );
    assert!(
        !stderr.contains("eta") && !stderr.contains('\r'),
        "{stderr}"
    );
    assert!(stderr.starts_with("summary: 3 taxis"), "{stderr}");
    // Both on a terminal that says it cannot move the cursor.
    let dumb = on_a_terminal_with_term(long_run, "dumb");
    assert!(dumb.contains("summary: 3 taxis"), "{dumb}");
    assert!(!dumb.contains("eta"), "{dumb}");
}

#[test]
fn a_short_run_on_a_terminal_draws_no_progress_bar() {
    // The book's run takes a few milliseconds: the bar waits a second.
    let shown = on_a_terminal("run -t 3 -s 3 -f none");
    assert!(shown.starts_with("summary: 3 taxis"), "{shown:?}");
    assert!(!shown.contains("eta"), "{shown:?}");
}

/// What a terminal shows of a replay of the book's 3-taxi run played back
/// at 0.02 s a tick: about 2.2 s, long enough for the bar.
fn a_long_replay_on_a_terminal() -> String {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("run.jsonl");
    taxi_sim()
        .args(["run", "-t", "3", "-s", "3", "-q", "-f", "none", "--export"])
        .arg(&log)
        .assert()
        .success();
    on_a_terminal(&format!("replay '{}' --delay 0.02", log.display()))
}

#[test]
fn a_long_replay_on_a_terminal_clears_its_bar_before_the_verdict() {
    let shown = a_long_replay_on_a_terminal();
    let (bar, verdict) = shown.split_once("replay: verified").expect(&shown);
    assert!(bar.contains("eta"), "{shown:?}");
    // The verdict starts a line of its own, not after the bar's last draw.
    assert!(bar.ends_with("\r\u{1b}[2K"), "{shown:?}");
    assert!(verdict.ends_with("pending)\r\n"), "{shown:?}");
}

#[test]
fn a_long_replay_on_a_terminal_shows_a_progress_bar() {
    let shown = a_long_replay_on_a_terminal();
    assert!(shown.contains("eta") && shown.contains("/180"), "{shown}");
    assert!(shown.contains("replay: verified 30 events"), "{shown}");
}
