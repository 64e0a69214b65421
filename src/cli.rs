//! The command line, declared with clap's derive API: doc comments are the
//! help text, and values are validated while parsing (usage errors exit 2).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::experiment::command::{MergeArgs, SizeArgs, SweepArgs};
use crate::output::FormatKind;
use crate::rng::RngKind;
use crate::scenario::Set;

const MAIN_EXAMPLES: &str = "\
Examples:
  taxi-sim run --taxis 3 --end-time 180 --seed 3      the book's model, seed 3
  taxi-sim run --scenario rush-hour --export events.json
  taxi-sim replay events.json                         re-simulate, prove identical";

const RUN_EXAMPLES: &str = "\
Precedence: options given here win over the scenario file's values, and the
book's defaults fill the rest. --set KEY=VALUE changes any value as if it were
written in the file (a later --set of the same key wins); a shorthand such as
--taxis and a --set of the same key together are refused.

Without --seed, a seed is drawn and printed on stderr as `seed: N`, even
with --quiet: it is the only way to run the same simulation again.

Examples:
  taxi-sim run -t 3 -e 120 -s 3                     the book's sample run
  taxi-sim run --scenario scenarios/rush-hour.toml --export events.json
  taxi-sim run --scenario taxi-stand -f none --taxis 12   riders' waits (dispatch model)
  taxi-sim run --scenario taxi-stand --set end_time=3000 --set warm_up=0 -f csv
  taxi-sim run --scenario rush-hour --set fleet.taxis=12 --set durations.trip=25
  taxi-sim run -t 2 -s 10 -d --delay-scale 0.01     the book's doctest run, in real time";

const REPLAY_EXAMPLES: &str = "\
Examples:
  taxi-sim replay events.json
  taxi-sim replay events.jsonl --show
  taxi-sim replay events.json --show --delay 0.5     as taxi_sim_delay.py does";

const SWEEP_EXAMPLES: &str = "\
Replication r of every point uses the seed SplitMix64 gives as its output
r + 1 from --seed: the same random streams at every point.

Examples:
  taxi-sim sweep --vary taxis=1..6 --replications 30 --seed 1
  taxi-sim sweep --scenario rush-hour --vary taxis=20..40:5 --vary durations.trip=15,25 -r 20 -f csv
  taxi-sim sweep --vary taxis=1..6 -r 30 -s 1 --shard 2/4 -o shard-2.json";

const SIZE_EXAMPLES: &str = "\
Examples:
  taxi-sim size --target 'trips>=40' --taxis 1..30 --seed 1
  taxi-sim size --scenario rush-hour --target 'occupancy <= 0.6' -r 30 -f json";

const MERGE_EXAMPLES: &str = "\
Examples:
  taxi-sim merge shard-*.json -f csv -o sweep.csv";

const SCENARIO_EXAMPLES: &str = "\
Examples:
  taxi-sim scenario list
  taxi-sim scenario check scenarios/*.toml
  taxi-sim scenario show fluent-python --json";

const VALIDATE_EXAMPLES: &str = "\
Exit status 1 if a theory value falls outside its 99% confidence interval.

Examples:
  taxi-sim validate --quick
  taxi-sim validate --json > verdict.json";

const COMPLETIONS_EXAMPLES: &str = "\
Install for your account (each line works as written on a fresh account;
open a new shell afterwards):
  mkdir -p ~/.local/share/bash-completion/completions &&
    taxi-sim completions bash > ~/.local/share/bash-completion/completions/taxi-sim
  mkdir -p ~/.zfunc && taxi-sim completions zsh > ~/.zfunc/_taxi-sim
    (zsh also needs fpath+=~/.zfunc in ~/.zshrc, before compinit)
  mkdir -p ~/.config/fish/completions &&
    taxi-sim completions fish > ~/.config/fish/completions/taxi-sim.fish

Examples:
  taxi-sim completions bash > taxi-sim.bash    then `source taxi-sim.bash`: this shell only
  taxi-sim completions fish | source           in fish: this shell only";

const MAN_EXAMPLES: &str = "\
With --dir, one page per command is written (taxi-sim.1, taxi-sim-run.1,
...), the directory is created if needed, and each path is printed.
`man` also looks in ../share/man beside every directory of PATH: pages in
~/.cargo/share/man/man1 are found when taxi-sim was installed by `cargo
install` (into ~/.cargo/bin), as `man taxi-sim` or `man taxi-sim-run`. For
another directory DIR/man1, run `MANPATH=DIR: man taxi-sim`, or read a
file with `man -l FILE`.

Examples:
  taxi-sim man | man -l -                       read the top page now
  taxi-sim man --dir ~/.cargo/share/man/man1    install every page";

/// A discrete-event taxi-fleet simulator: the taxi simulation of the book
/// Fluent Python, reproduced byte for byte, and much faster.
#[derive(Debug, Parser)]
#[command(name = "taxi-sim", version, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a simulation and print its events.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Re-simulate an event log and check that every event is identical.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Replicate a scenario over a grid of values: means with confidence intervals.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep(SweepArgs),
    /// Find the smallest fleet whose confidence interval meets a target.
    #[command(after_help = SIZE_EXAMPLES)]
    Size(SizeArgs),
    /// Combine the shards of a sweep into the whole sweep's output.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Check, show and list scenarios.
    #[command(subcommand, after_help = SCENARIO_EXAMPLES)]
    Scenario(ScenarioCommand),
    /// Draw a sweep or an event log as an SVG chart.
    #[command(after_help = crate::chart::EXAMPLES)]
    Chart(crate::chart::ChartArgs),
    /// Check the dispatch model against queueing theory (Erlang A, B and C).
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
    /// Print a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, or write every page with --dir.
    #[command(after_help = MAN_EXAMPLES)]
    Man {
        /// Write one page per command into DIR instead
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Options of `taxi-sim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Number of taxis [default: the scenario's, else 3]
    #[arg(short = 't', long, value_name = "N", value_parser = parse_taxis, allow_hyphen_values = true)]
    pub taxis: Option<u64>,

    /// Simulation end time in ticks (minutes) [default: the scenario's, else 180]
    #[arg(short = 'e', long, value_name = "TICKS", value_parser = parse_end_time, allow_hyphen_values = true)]
    pub end_time: Option<u64>,

    /// Random seed (0 to 2^64-1); without it one is drawn and printed on stderr
    #[arg(short = 's', long, value_name = "SEED", value_parser = parse_count, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Random generator: `cpython` reproduces the book [default: cpython]
    #[arg(long, value_enum)]
    pub rng: Option<RngKind>,

    /// Scenario file (.toml or .json) or built-in scenario name
    #[arg(long, value_name = "FILE_OR_NAME")]
    pub scenario: Option<String>,

    /// Change one scenario value by its dotted path (fleet.taxis=12, durations.trip=25); repeatable
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Set>,

    /// What to print on stdout [default: text]
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<FormatKind>,

    /// Also write the run to FILE (.json, .jsonl, .csv, .txt; `-` is stdout); repeatable
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,

    /// Stop after N events
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    pub max_events: Option<u64>,

    /// Play the run in real time, as taxi_sim_delay.py does (half a second per tick)
    #[arg(short = 'd', long)]
    pub delay: bool,

    /// Seconds of delay per tick with --delay (0 disables it) [default: 0.5]
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_hyphen_values = true)]
    pub delay_scale: Option<f64>,

    /// No summary and no progress bar on stderr (a drawn seed is still printed)
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Threads for the run: 1 runs on one; 2 or more draw the book model's durations ahead on a helper thread (same output) [default: 2 for long runs on 2+ cores]
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<u64>,
}

/// Options of `taxi-sim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Fewer, shorter replications (about a second instead of a few)
    #[arg(long)]
    pub quick: bool,

    /// Print the verdict as JSON: {"cases": [{"name", "measure", "theory", "mean", "ci_low", "ci_high", "pass"}]}
    #[arg(long)]
    pub json: bool,
}

/// Options of `taxi-sim replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Event log written by `run --export` (.json or .jsonl)
    #[arg(value_name = "LOG")]
    pub log: PathBuf,

    /// Print the events in the text format while verifying
    #[arg(long)]
    pub show: bool,

    /// Play the events back in real time with --show: SECONDS per simulated tick
    /// (the book model) or minute (the dispatch model)
    #[arg(short = 'd', long, value_name = "SECONDS", value_parser = parse_seconds, allow_hyphen_values = true)]
    pub delay: Option<f64>,

    /// No progress bar
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// The `scenario` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Validate scenario files and report every error; exit 1 if any is invalid.
    Check {
        /// Files or built-in names.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Print a scenario with every default made explicit.
    Show {
        /// File or built-in name.
        #[arg(value_name = "FILE_OR_NAME")]
        scenario: String,
        /// JSON instead of TOML.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in scenarios.
    List,
}

/// A whole number from 0 to 2^64-1, with messages for the usual mistakes.
pub(crate) fn parse_count(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    match trimmed.parse::<i128>() {
        Ok(value) if value < 0 => Err(format!("must be 0 or more, got {value}")),
        Ok(value) => u64::try_from(value).map_err(|_| format!("must be at most {}", u64::MAX)),
        // Digits too many for any integer type: a number, out of range.
        Err(_) if is_whole_number(trimmed) => Err(if trimmed.starts_with('-') {
            "must be 0 or more".to_string()
        } else {
            format!("out of range: must be at most {}", u64::MAX)
        }),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

/// [`parse_count`] for `--end-time`: a fraction gets the way to give one
/// to the dispatch model, whose time is not in whole ticks.
fn parse_end_time(text: &str) -> Result<u64, String> {
    parse_count(text).map_err(|message| {
        if text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
            format!(
                "{message} (the book model counts whole ticks; a dispatch scenario takes a fraction of a minute with `--set end_time={}`)",
                text.trim()
            )
        } else {
            message
        }
    })
}

fn is_whole_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// A number of taxis: ids are 32-bit.
fn parse_taxis(text: &str) -> Result<u64, String> {
    let taxis = parse_count(text)?;
    if taxis > crate::scenario::MAX_TAXIS {
        return Err(format!(
            "out of range: at most {} taxis",
            crate::scenario::MAX_TAXIS
        ));
    }
    Ok(taxis)
}

/// A thread count: 1 or more.
fn parse_threads(text: &str) -> Result<u64, String> {
    match parse_count(text)? {
        0 => Err("must be 1 or more, got 0".to_string()),
        threads => Ok(threads),
    }
}

/// A duration in seconds: finite and not negative.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        Ok(value) => Err(format!(
            "must be a finite number of seconds, 0 or more, got {value}"
        )),
        Err(_) => Err(format!("'{text}' is not a number of seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn counts_reject_negative_huge_and_non_numbers() {
        assert_eq!(parse_count("42"), Ok(42));
        assert_eq!(parse_count("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_count("-1").unwrap_err().contains("0 or more"));
        assert!(
            parse_count("18446744073709551616")
                .unwrap_err()
                .contains("at most")
        );
        assert!(
            parse_count("abc")
                .unwrap_err()
                .contains("not a whole number")
        );
    }

    #[test]
    fn seconds_reject_negative_and_non_finite() {
        assert_eq!(parse_seconds("0.01"), Ok(0.01));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("inf").is_err());
        assert!(parse_seconds("NaN").is_err());
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn zero_is_a_count_and_numbers_beyond_any_integer_are_out_of_range() {
        assert_eq!(parse_count("0"), Ok(0));
        let huge = "9".repeat(60);
        assert!(parse_count(&huge).unwrap_err().starts_with("out of range"));
        assert_eq!(
            parse_count(&format!("-{huge}")),
            Err("must be 0 or more".to_string())
        );
    }

    #[test]
    fn a_whole_number_is_digits_with_at_most_a_sign_before_them() {
        assert!(is_whole_number("12"));
        assert!(is_whole_number("+12"));
        assert!(is_whole_number("-12"));
        assert!(!is_whole_number(""));
        assert!(!is_whole_number("-"));
        assert!(!is_whole_number("12a"));
        assert!(!is_whole_number("1.5"));
    }

    #[test]
    fn an_end_time_is_a_count_and_a_fraction_is_told_how_to_give_one() {
        assert_eq!(parse_end_time("120"), Ok(120));
        let message = parse_end_time("1.5").unwrap_err();
        assert!(message.contains("--set end_time=1.5"), "{message}");
        assert_eq!(
            parse_end_time("abc"),
            Err("'abc' is not a whole number".to_string())
        );
    }

    #[test]
    fn the_largest_fleet_is_a_number_of_taxis_and_one_more_is_not() {
        let max = crate::scenario::MAX_TAXIS;
        assert_eq!(parse_taxis("3"), Ok(3));
        assert_eq!(parse_taxis(&max.to_string()), Ok(max));
        assert!(
            parse_taxis(&(max + 1).to_string())
                .unwrap_err()
                .contains("at most")
        );
    }

    #[test]
    fn threads_are_one_or_more() {
        assert_eq!(parse_threads("2"), Ok(2));
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(
            parse_threads("0"),
            Err("must be 1 or more, got 0".to_string())
        );
    }

    #[test]
    fn zero_seconds_is_a_duration_and_a_negative_one_is_not() {
        assert_eq!(parse_seconds("0"), Ok(0.0));
        assert_eq!(parse_seconds(" 2.5 "), Ok(2.5));
        assert!(parse_seconds("-0.5").unwrap_err().contains("0 or more"));
    }
}
