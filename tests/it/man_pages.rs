//! `taxi-sim man` and `taxi-sim man --dir`: one page per command, every
//! option on its page, and every page referred to written too.

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use taxi_sim::cli::Cli;

use super::{stdout_of, taxi_sim};

/// Every command of the tree as its page's name (`taxi-sim-scenario-check`),
/// with the `--long` or `-s` forms and positional names of its arguments.
fn commands() -> Vec<(String, Vec<String>)> {
    fn walk(command: &clap::Command, prefix: &str, found: &mut Vec<(String, Vec<String>)>) {
        let name = if prefix.is_empty() {
            command.get_name().to_string()
        } else {
            format!("{prefix}-{}", command.get_name())
        };
        let arguments = command
            .get_arguments()
            .filter(|arg| !arg.is_hide_set())
            .map(|arg| match (arg.get_long(), arg.get_short()) {
                (Some(long), _) => format!("--{long}"),
                (None, Some(short)) => format!("-{short}"),
                (None, None) => arg
                    .get_value_names()
                    .and_then(|names| names.first())
                    .map_or_else(|| arg.get_id().to_string(), ToString::to_string),
            })
            .collect();
        found.push((name.clone(), arguments));
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            if sub.get_name() != "help" {
                walk(sub, &name, found);
            }
        }
    }
    let mut found = Vec::new();
    walk(&Cli::command(), "", &mut found);
    found
}

/// A page as plain text: roff's escapes for hyphens and fonts removed.
fn plain(roff: &str) -> String {
    roff.replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
}

/// The pages a page refers to, `name(1)`.
fn references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("(1)") {
        let before = &text[..at];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |index| index + 1);
        found.insert(before[start..].to_string());
    }
    found
}

#[test]
fn man_dir_writes_one_page_per_command_naming_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("share/man/man1");
    let listing = stdout_of(&["man", "--dir", target.to_str().unwrap()]);
    let commands = commands();
    assert!(commands.len() >= 9, "{commands:?}");
    let written: BTreeSet<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = commands
        .iter()
        .map(|(name, _)| format!("{name}.1"))
        .collect();
    assert_eq!(written, expected);
    assert_eq!(listing.lines().count(), expected.len(), "{listing}");
    for (name, arguments) in &commands {
        let page = std::fs::read_to_string(target.join(format!("{name}.1"))).unwrap();
        let text = plain(&page);
        assert!(page.starts_with(".ie"), "{name}: not roff");
        assert!(
            text.contains(&format!(".TH {name} 1")),
            "{name}: wrong title"
        );
        for argument in arguments {
            assert!(
                text.contains(argument.as_str()),
                "{name}.1 does not name {argument}"
            );
        }
        assert!(
            !text.contains("*Fluent Python*"),
            "{name}.1 has literal asterisks"
        );
    }
}

#[test]
fn every_page_a_man_page_refers_to_is_written_too() {
    let dir = tempfile::tempdir().unwrap();
    stdout_of(&["man", "--dir", dir.path().to_str().unwrap()]);
    let mut referred = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = plain(&std::fs::read_to_string(&path).unwrap());
        for reference in references(&text) {
            referred += 1;
            assert!(
                Path::new(dir.path())
                    .join(format!("{reference}.1"))
                    .is_file(),
                "{} refers to {reference}(1), which was not written",
                path.display()
            );
        }
    }
    // The top page lists every subcommand, each subpage its parents.
    assert!(referred >= 16, "only {referred} references");
}

#[test]
fn man_alone_prints_the_top_page_and_man_dir_replaces_old_pages() {
    let top = stdout_of(&["man"]);
    assert!(plain(&top).contains(".TH taxi-sim 1"));
    assert!(plain(&top).contains("taxi-sim-run(1)"));
    assert!(plain(&top).contains("the book Fluent Python"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taxi-sim.1"), "old").unwrap();
    stdout_of(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taxi-sim.1")).unwrap(),
        top
    );
    // No temporary file is left beside the pages.
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|entry| {
        !entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.')
    }));
}

#[test]
fn man_dir_on_a_file_fails_with_the_path_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let output = taxi_sim()
        .args(["man", "--dir", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not-a-dir"), "{stderr}");
}

#[test]
fn man_pages_render_with_man_when_it_is_installed() {
    if !super::shells::installed("man") {
        println!("skipped: man is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    stdout_of(&["man", "--dir", dir.path().to_str().unwrap()]);
    let output = super::shells::bounded("man")
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "0")
        .args(["-l", dir.path().join("taxi-sim-run.1").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success());
    // Without a terminal, man still marks bold as "c\x08c": keep the letters.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&output.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert!(text.contains("--delay-scale"), "{text}");
    assert!(text.contains("EXAMPLES"), "{text}");
    assert!(text.contains("SEE ALSO"), "{text}");
}
