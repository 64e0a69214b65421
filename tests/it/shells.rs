//! Shell completion, tried in the shells themselves: the script printed by
//! `taxi-sim completions SHELL` is loaded and asked what it offers after a
//! partial command line, as pressing Tab would.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::taxi_sim;

/// A command of another program, bounded in time like `taxi_sim()`.
pub fn bounded(program: &str) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(program);
    command.timeout(Duration::from_secs(60));
    command
}

/// Whether `program` can be run here (zsh and fish may not be installed).
pub fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The completion script for `shell`, written into `dir`.
fn script(shell: &str, dir: &Path) -> PathBuf {
    let output = taxi_sim().args(["completions", shell]).output().unwrap();
    assert!(output.status.success());
    let path = dir.join(format!("taxi-sim.{shell}"));
    std::fs::write(&path, output.stdout).unwrap();
    path
}

/// Calls the bash completion function as bash does on Tab: COMP_WORDS holds
/// the words, the last one being completed (possibly empty).
const BASH_HARNESS: &str = r#"
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
function=$(complete -p taxi-sim | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
"$function" taxi-sim "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

/// An interactive zsh in a pseudo-terminal (zsh's zpty): loads compinit and
/// the script, replaces compadd so that every candidate is printed between
/// `<<` and `>>` instead of being inserted, types the line and a Tab.
const ZSH_HARNESS: &str = r#"
zmodload zsh/zpty
zpty -b completer zsh -f -i
zpty -w completer "PS1='' PS2='' RPS1=''; unsetopt zle_bracketed_paste; autoload -U compinit; compinit -u -D"
zpty -w completer "source ${(q)1}"
zpty -w completer 'compadd() { local -a found; builtin compadd -A found "$@"; (( $#found )) && print -r -- "<<"${^found}">>"; }'
zpty -w completer 'print -r -- "<<""READY>>"'
zpty -r -m completer line '*<<READY>>*' >/dev/null
zpty -w -n completer "$2"$'\t'
zpty -w -n completer $'\C-u'
zpty -w completer 'print -r -- "<<""DONE>>"'
zpty -r -m completer output '*<<DONE>>*'
print -r -- "$output" | grep -o '<<[^>]*>>' | grep -v '<<DONE>>' | tr -d '<>'
zpty -d completer
"#;

/// What `shell` offers at the end of `line` (a trailing space asks for the
/// next word), sorted and deduplicated.
fn offers(shell: &str, line: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let script = script(shell, dir.path());
    let output = match shell {
        "bash" => {
            let mut words: Vec<&str> = line.split(' ').collect();
            if words.len() < 2 {
                words.push("");
            }
            bounded("bash")
                .args(["--norc", "--noprofile", "-c", BASH_HARNESS, "harness"])
                .arg(&script)
                .args(&words)
                .output()
                .unwrap()
        }
        "zsh" => {
            let harness = dir.path().join("harness.zsh");
            std::fs::write(&harness, ZSH_HARNESS).unwrap();
            bounded("zsh")
                .arg("-f")
                .arg(&harness)
                .arg(&script)
                .arg(line)
                .output()
                .unwrap()
        }
        "fish" => bounded("fish")
            .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
            .arg(&script)
            .arg(line)
            .output()
            .unwrap(),
        _ => unreachable!("no harness for {shell}"),
    };
    assert!(
        output.status.success(),
        "{shell} failed on {line:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut offered: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        // fish prints "candidate<TAB>description".
        .map(|line| line.split('\t').next().unwrap().trim().to_string())
        .filter(|word| !word.is_empty() && word != "READY")
        .collect();
    offered.sort();
    offered.dedup();
    offered
}

/// The checks every shell must pass.
fn completes_options_values_and_subcommands(shell: &str) {
    let has = |line: &str, expected: &[&str]| {
        let offered = offers(shell, line);
        for word in expected {
            assert!(
                offered.iter().any(|offer| offer == word),
                "{shell}: `{line}<TAB>` offers {offered:?}, not {word}"
            );
        }
    };
    has("taxi-sim ru", &["run"]);
    has("taxi-sim run --fo", &["--format"]);
    has("taxi-sim run --rng ", &["cpython", "pcg64"]);
    has(
        "taxi-sim run --format ",
        &["text", "json", "jsonl", "csv", "none"],
    );
    has("taxi-sim run --", &["--taxis", "--delay-scale", "--export"]);
    has("taxi-sim replay --", &["--show", "--delay", "--quiet"]);
    has("taxi-sim scenario ", &["check", "show", "list"]);
    has("taxi-sim scenario show --", &["--json"]);
    has("taxi-sim completions ", &["bash", "zsh", "fish"]);
    has("taxi-sim man --", &["--dir"]);
}

#[test]
fn bash_completes_every_option_and_value_after_a_subcommand() {
    completes_options_values_and_subcommands("bash");
    // Exactly the run options starting with --fo: nothing else leaks in.
    assert_eq!(offers("bash", "taxi-sim run --fo"), ["--format"]);
}

#[test]
fn zsh_completes_every_option_and_value_after_a_subcommand() {
    if !installed("zsh") {
        println!("skipped: zsh is not installed");
        return;
    }
    completes_options_values_and_subcommands("zsh");
}

#[test]
fn fish_completes_every_option_and_value_after_a_subcommand() {
    if !installed("fish") {
        println!("skipped: fish is not installed");
        return;
    }
    completes_options_values_and_subcommands("fish");
}
