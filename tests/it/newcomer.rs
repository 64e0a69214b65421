//! What a new user meets first: the real-time mode on a terminal, the
//! install lines of the README on a fresh account, the scripts' `--help`,
//! and the messages for options that do nothing.

use std::path::{Path, PathBuf};

use super::shells::{bounded, installed};
use super::{repo_path, taxi_sim};

const BINARY: &str = env!("CARGO_BIN_EXE_taxi-sim");

/// What a terminal shows while `command_line` runs in a pseudo-terminal
/// (`script`), stdout and stderr both on it, carriage returns and all.
fn on_a_terminal(command_line: &str) -> String {
    let output = bounded("script")
        .args(["-qec", command_line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every event line of a terminal's text is a whole line, with nothing drawn
/// before or after it on that line.
fn assert_event_lines_are_whole(screen: &str, events: usize) {
    let lines: Vec<&str> = screen
        .split('\n')
        .filter(|line| line.contains("Event("))
        .collect();
    assert_eq!(lines.len(), events, "{screen}");
    for line in lines {
        let line = line.strip_suffix('\r').unwrap_or(line);
        assert!(
            line.starts_with("taxi: ") && line.ends_with("')") && !line.contains('\u{1b}'),
            "an event line shares the line with something else: {line:?}"
        );
    }
}

#[test]
fn a_delayed_run_on_a_terminal_never_draws_the_bar_on_an_event_line() {
    // 2.3 s of paced events: the bar would appear after one second.
    let screen = on_a_terminal(&format!("'{BINARY}' run -t 2 -s 10 -d --delay-scale 0.015"));
    assert_event_lines_are_whole(&screen, 16);
    assert!(screen.contains("summary: 2 taxis"), "{screen}");
}

#[test]
fn a_delayed_replay_on_a_terminal_never_draws_the_bar_on_an_event_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("run.jsonl");
    taxi_sim()
        .args(["run", "-t", "2", "-s", "10", "-f", "none", "-q", "--export"])
        .arg(&log)
        .assert()
        .success();
    let screen = on_a_terminal(&format!(
        "'{BINARY}' replay '{}' --show --delay 0.015",
        log.display()
    ));
    assert_event_lines_are_whole(&screen, 16);
    assert!(screen.contains("identical"), "{screen}");
}

#[test]
fn a_delayed_run_without_events_on_the_terminal_still_shows_the_bar() {
    // The terminal of the tests above does show a bar when events do not
    // scroll on it: their checks are not vacuous.
    let screen = on_a_terminal(&format!(
        "'{BINARY}' run -t 2 -s 10 -d --delay-scale 0.015 -f none"
    ));
    assert!(screen.contains("eta"), "no progress bar: {screen:?}");
}

#[test]
fn delay_scale_without_delay_warns_that_it_does_nothing() {
    let output = taxi_sim()
        .args(["run", "-s", "1", "-e", "10", "--delay-scale", "0.1"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: --delay-scale has no effect without -d/--delay"),
        "{stderr}"
    );
    let output = taxi_sim()
        .args(["run", "-s", "1", "-e", "10", "-d", "--delay-scale", "0"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"));
}

#[test]
fn replay_delay_without_show_warns_that_nothing_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("run.json");
    taxi_sim()
        .args(["run", "-t", "1", "-s", "1", "-f", "none", "-q", "--export"])
        .arg(&log)
        .assert()
        .success();
    let output = taxi_sim()
        .args(["replay", log.to_str().unwrap(), "--delay", "0"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: --delay without --show"),
        "{stderr}"
    );
    let output = taxi_sim()
        .args(["replay", log.to_str().unwrap(), "--show", "--delay", "0"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"));
}

#[test]
fn quiet_keeps_a_drawn_seed_and_says_so_in_help() {
    let output = taxi_sim()
        .args(["run", "-e", "10", "-q", "-f", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("seed: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let help = super::stdout_of(&["run", "--help"]);
    assert!(help.contains("a drawn seed is still printed"), "{help}");
}

#[test]
fn an_export_error_names_the_users_path_not_the_temporary_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("run.json");
    let output = taxi_sim()
        .args(["run", "-s", "1", "-f", "none", "--export"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("'{}'", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("No such file or directory"), "{stderr}");
    assert!(!stderr.contains("partial"), "{stderr}");
}

/// The lines of the README's Install block that set up completions and
/// man pages (those after `cargo install`).
fn readme_install_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let section = readme
        .split("\n## Install\n")
        .nth(1)
        .expect("the README has an Install section");
    let section = section.split("\n## ").next().unwrap();
    let lines: Vec<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with("mkdir -p") || line.starts_with("taxi-sim man"))
        .map(|line| line.split("  #").next().unwrap().trim().to_string())
        .collect();
    assert!(lines.len() >= 4, "{lines:?}");
    lines
}

/// A fresh account where `cargo install` has put taxi-sim in ~/.cargo/bin.
fn fresh_home() -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BINARY, bin.join("taxi-sim")).unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    (home, path)
}

#[test]
fn the_readme_install_lines_work_on_a_fresh_home() {
    let (home, path) = fresh_home();
    for line in readme_install_lines() {
        bounded("bash")
            .args(["--norc", "--noprofile", "-c", &line])
            .env("HOME", home.path())
            .env("PATH", &path)
            .env_remove("MANPATH")
            .assert()
            .success();
    }
    let installed_at = |relative: &str| -> PathBuf { home.path().join(relative) };
    for file in [
        ".local/share/bash-completion/completions/taxi-sim",
        ".zfunc/_taxi-sim",
        ".config/fish/completions/taxi-sim.fish",
        ".cargo/share/man/man1/taxi-sim.1",
        ".cargo/share/man/man1/taxi-sim-run.1",
    ] {
        assert!(installed_at(file).is_file(), "{file} was not installed");
    }
    // The installed bash script completes options after a subcommand.
    let bash = installed_at(".local/share/bash-completion/completions/taxi-sim");
    bounded("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!(
            "source '{}'; COMP_WORDS=(taxi-sim run --fo); COMP_CWORD=2; \
             _taxi__sim taxi-sim --fo run; echo \"${{COMPREPLY[*]}}\"",
            bash.display()
        ))
        .assert()
        .success()
        .stdout("--format\n");
    // `man taxi-sim-run` finds the page through PATH alone, as the README says.
    if installed("man") {
        let found = bounded("man")
            .args(["-w", "taxi-sim-run"])
            .env("HOME", home.path())
            .env("PATH", &path)
            .env_remove("MANPATH")
            .output()
            .unwrap();
        assert!(found.status.success(), "{found:?}");
        assert!(
            Path::new(String::from_utf8_lossy(&found.stdout).trim())
                .starts_with(home.path().join(".cargo/share/man")),
            "{found:?}"
        );
    }
}

#[test]
fn every_script_answers_help_at_once_without_running() {
    let mut scripts = 0;
    // CI's script too: the README lists it beside the others, and without
    // a --help it would start the whole CI (installing packages as root).
    let paths = std::fs::read_dir(repo_path("scripts"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .chain([repo_path(".ci/run")]);
    for path in paths {
        if !path.is_file() {
            continue;
        }
        scripts += 1;
        let output = bounded(path.to_str().unwrap())
            .arg("--help")
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}: {output:?}", path.display());
        assert!(
            stdout.to_lowercase().contains("usage"),
            "{} --help prints no usage: {stdout}",
            path.display()
        );
    }
    assert!(scripts >= 3);
}

/// The README, and the binary's directory first on PATH, as after install.
fn readme() -> String {
    std::fs::read_to_string(repo_path("README.md")).unwrap()
}

fn path_with_binary() -> String {
    let dir = Path::new(BINARY).parent().unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// `expected` appears in `actual` in order, where a `...` line stands for
/// any number of lines.
fn assert_lines_match(command: &str, expected: &[&str], actual: &str) {
    let actual: Vec<&str> = actual.lines().collect();
    let mut next = 0;
    let mut skipping = false;
    for line in expected {
        if *line == "..." {
            skipping = true;
            continue;
        }
        let found = if skipping {
            actual[next..]
                .iter()
                .position(|candidate| candidate == line)
        } else {
            (actual.get(next) == Some(line)).then_some(0)
        };
        match found {
            Some(offset) => next += offset + 1,
            None => panic!(
                "`{command}` does not print {line:?} where the README shows it:\n{actual:#?}"
            ),
        }
        skipping = false;
    }
}

#[test]
fn the_readme_sample_sessions_print_what_the_readme_shows() {
    let dir = tempfile::tempdir().unwrap();
    // The two invalid files of the Scenarios section.
    std::fs::write(
        dir.path().join("bad.toml"),
        "schema_version = 1\n[durations]\nserch = 5\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("other.toml"),
        "schema_version = 1\n[fleet]\ntaxis = 3\n[durations]\n\
         trip = { distribution = \"uniform\", min = 30, max = 10 }\n[[taxi]]\nid = 7\n",
    )
    .unwrap();
    let mut sessions = 0;
    for block in readme().split("```text\n").skip(1) {
        let block = block.split("```").next().unwrap();
        if !block.starts_with("$ ") {
            continue;
        }
        let mut commands: Vec<(&str, Vec<&str>)> = Vec::new();
        for line in block.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => commands.push((command, Vec::new())),
                None => commands.last_mut().unwrap().1.push(line),
            }
        }
        for (command, expected) in commands {
            sessions += 1;
            let output = bounded("bash")
                .args(["--norc", "--noprofile", "-c", &format!("{command} 2>&1")])
                .current_dir(dir.path())
                .env("PATH", path_with_binary())
                .output()
                .unwrap();
            assert_lines_match(command, &expected, &String::from_utf8_lossy(&output.stdout));
        }
    }
    assert!(sessions >= 5, "only {sessions} sample commands");
}

#[test]
fn the_readme_task_and_real_time_commands_succeed_on_a_clean_clone() {
    let readme = readme();
    let section = |heading: &str| -> String {
        let text = readme.split(heading).nth(1).expect(heading);
        text.split("\n## ").next().unwrap().to_string()
    };
    let sections = [
        section("\n### Usage by task\n"),
        section("\n## Real time\n"),
    ];
    let commands: Vec<&str> = sections
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with("taxi-sim "))
        .collect();
    assert!(commands.len() >= 7, "{commands:?}");
    // In an empty directory: the scenarios they name are built in.
    let dir = tempfile::tempdir().unwrap();
    for command in commands {
        bounded("bash")
            .args(["--norc", "--noprofile", "-c", command])
            .current_dir(dir.path())
            .env("PATH", path_with_binary())
            .assert()
            .success();
    }
}

#[test]
fn measure_memory_says_when_gnu_time_is_missing() {
    let output = bounded(repo_path("scripts/measure-memory").to_str().unwrap())
        .env("GNU_TIME", "/nonexistent/time")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GNU time is missing"), "{stderr}");
}
