//! The commands `taxi-sim sweep`, `size` and `merge`: their options and
//! what they do.

use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde_json::json;

use super::grid::Vary;
use super::report::{self, OutputFile, ReportFormat, write_stdout};
use super::shard::{self, ShardDocument, ShardSpec};
use super::size::{Evaluated, Sizing, Target, smallest_fleet};
use super::sweep::{RunProgress, Sweep, SweepResult};
use super::{load_model, replication_seed};
use crate::app::UsageError;
use crate::exit::Exit;
use crate::scenario::{ScenarioSource, Set};
use crate::stats::{Interval, t_interval};
use crate::stdio::{counted, same_file};
use crate::{interrupt, progress};

/// Options of `taxi-sim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (.toml or .json) or built-in scenario name [default: the book's model]
    #[arg(long, value_name = "FILE_OR_NAME")]
    pub scenario: Option<String>,

    /// A key and its values: a..b (integers, ends included), a..b:step, or a comma list; repeatable, the first key outermost
    #[arg(long, value_name = "KEY=VALUES")]
    pub vary: Vec<Vary>,

    /// Change one scenario value at every point (as `run --set`); repeatable
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Set>,

    /// Independent replications of each point (2 or more)
    #[arg(short = 'r', long, value_name = "R", value_parser = parse_replications)]
    pub replications: u64,

    /// Seed of the whole sweep; without it one is drawn and printed on stderr
    #[arg(short = 's', long, value_name = "SEED", value_parser = crate::cli::parse_count, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Confidence of the intervals, between 0 and 1
    #[arg(long, value_name = "LEVEL", default_value = "0.95", value_parser = parse_confidence, allow_hyphen_values = true)]
    pub confidence: f64,

    /// Threads to run on, at most 4 per core (the results are the same for any number) [default: every core]
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Output format [default: json with --shard, else by the extension of -o (.json, .csv), else text]
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Write to FILE (whole or not at all) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Run only shard I of N and write its shard document (JSON), for `merge`
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,

    /// No progress bar and no notes on stderr
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Output formats of `taxi-sim size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SizeFormat {
    /// A sentence and a table for people.
    Text,
    /// One JSON document.
    Json,
}

/// Options of `taxi-sim size`.
#[derive(Debug, Args)]
pub struct SizeArgs {
    /// Scenario file (.toml or .json) or built-in scenario name [default: the book's model]
    #[arg(long, value_name = "FILE_OR_NAME")]
    pub scenario: Option<String>,

    /// What the fleet must achieve: MEASURE OP VALUE, OP one of <=, <, >=, > ('p_wait<=0.2')
    #[arg(long, value_name = "TARGET", allow_hyphen_values = true)]
    pub target: Target,

    /// Independent replications of each fleet tried (2 or more)
    #[arg(short = 'r', long, value_name = "R", default_value = "20", value_parser = parse_replications)]
    pub replications: u64,

    /// Seed; without it one is drawn and printed on stderr
    #[arg(short = 's', long, value_name = "SEED", value_parser = crate::cli::parse_count, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Fleet sizes to search, both ends included
    #[arg(long, value_name = "MIN..MAX", default_value = "1..100", value_parser = parse_fleet_range)]
    pub taxis: (u64, u64),

    /// Confidence of the intervals, between 0 and 1
    #[arg(long, value_name = "LEVEL", default_value = "0.95", value_parser = parse_confidence, allow_hyphen_values = true)]
    pub confidence: f64,

    /// Change one scenario value (as `run --set`); repeatable
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Set>,

    /// Threads to run on, at most 4 per core (the results are the same for any number) [default: every core]
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Output format
    #[arg(short = 'f', long, value_enum, default_value = "text")]
    pub format: SizeFormat,

    /// No notes on stderr
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Options of `taxi-sim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard documents written by `sweep --shard`, in any order
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,

    /// Output format [default: by the extension of -o (.json, .csv), else text]
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Write to FILE (whole or not at all) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_replications(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(count) if count >= 2 => Ok(count),
        Ok(count) => Err(format!(
            "must be 2 or more for a confidence interval, got {count}"
        )),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

fn parse_confidence(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(level) if level > 0.0 && level < 1.0 => Ok(level),
        Ok(level) => Err(format!(
            "must be between 0 and 1 (0.95 for 95%), got {level}"
        )),
        Err(_) => Err(format!("'{text}' is not a number")),
    }
}

fn parse_threads(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(threads) if threads >= 1 => Ok(threads),
        Ok(_) => Err("must be 1 or more".to_string()),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

fn parse_fleet_range(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("'{text}' is not MIN..MAX with 0 <= MIN <= MAX (for example 1..50)");
    let (min, max) = text.split_once("..").ok_or_else(bad)?;
    let (min, max) = (
        min.trim().parse::<u64>().map_err(|_| bad())?,
        max.trim().parse::<u64>().map_err(|_| bad())?,
    );
    if min > max {
        return Err(format!("the range {min}..{max} is empty"));
    }
    Ok((min, max))
}

fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    // More threads than this only cost memory and start-up time.
    let most = std::thread::available_parallelism().map_or(1, usize::from) * 4;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.map_or(0, |threads| threads.min(most)))
        .build()
        .map_err(|error| anyhow::anyhow!("could not start the threads: {error}"))
}

/// The format an output file's extension names (`.json`, `.csv`), as for
/// `run --export`.
fn format_of_path(output: Option<&Path>) -> Option<ReportFormat> {
    let extension = output?.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "json" => Some(ReportFormat::Json),
        "csv" => Some(ReportFormat::Csv),
        _ => None,
    }
}

/// The output file of `-o FILE` (`-` or none: stdout), opened now.
fn open_output(output: Option<&Path>) -> anyhow::Result<Option<OutputFile>> {
    match output {
        Some(path) if path.as_os_str() != "-" => OutputFile::create(path).map(Some),
        _ => Ok(None),
    }
}

fn write_output(output: Option<OutputFile>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(file) => file.write(bytes),
        None => write_stdout(bytes),
    }
}

fn interrupted() -> anyhow::Result<Exit> {
    crate::say!("taxi-sim: interrupted: nothing was written");
    Ok(Exit::Interrupted)
}

/// Refuses an `output` that is a file the scenario reads (a demand file),
/// as it is or at any point of the sweep (a `--vary` of a file name): it
/// would be overwritten. A scenario that does not load as it is (its
/// --vary values may complete it) is left for the sweep to explain.
fn check_not_an_input(
    output: &Path,
    source: &ScenarioSource,
    sets: &[Set],
    varies: &[Vary],
) -> anyhow::Result<()> {
    // Only a text value can name a file; one load per such value.
    let mut variants = vec![sets.to_vec()];
    for vary in varies {
        for value in vary.values.iter().filter(|value| value.is_str()) {
            let mut point = sets.to_vec();
            point.push(Set {
                key: vary.set_key.clone(),
                value: value.clone(),
            });
            variants.push(point);
        }
    }
    for sets in &variants {
        let Ok(model) = super::load_model(source, sets) else {
            continue;
        };
        if let Some(input) = model
            .input_files()
            .into_iter()
            .find(|input| same_file(output, &input.path))
        {
            return Err(usage(format!(
                "-o '{}' is the scenario's {} '{}': it would be overwritten",
                output.display(),
                input.role,
                input.path.display()
            )));
        }
    }
    Ok(())
}

/// `taxi-sim sweep`.
pub fn sweep(args: &SweepArgs) -> anyhow::Result<Exit> {
    let format = match (args.shard, args.format) {
        (Some(_), Some(ReportFormat::Text | ReportFormat::Csv)) => {
            return Err(usage(
                "--shard writes a JSON shard document: merge the shards for text or CSV",
            ));
        }
        (_, format) => format
            .or_else(|| format_of_path(args.output.as_deref()))
            .unwrap_or(ReportFormat::Text),
    };
    for (index, vary) in args.vary.iter().enumerate() {
        if args.vary[..index]
            .iter()
            .any(|earlier| earlier.set_key == vary.set_key)
        {
            return Err(usage(format!("--vary {} is given twice", vary.key)));
        }
        if args.sets.iter().any(|set| set.key == vary.set_key) {
            return Err(usage(format!(
                "--set {} and --vary {} both set it: give only one",
                vary.set_key, vary.key
            )));
        }
    }
    if let (Some(output), Some(scenario)) = (&args.output, &args.scenario)
        && same_file(output, Path::new(scenario))
    {
        return Err(usage(format!(
            "-o '{}' is the scenario file: it would be overwritten",
            output.display()
        )));
    }
    let pool = thread_pool(args.threads)?;
    let source = ScenarioSource::load(args.scenario.as_deref())?;
    if let Some(output) = &args.output {
        check_not_an_input(output, &source, &args.sets, &args.vary)?;
    }
    interrupt::stop_flag();
    let output = open_output(args.output.as_deref())?;
    pool.install(|| {
        let prepared = Sweep::prepare(
            &source,
            &args.sets,
            &args.vary,
            args.replications,
            args.seed,
            args.confidence,
        )?;
        let sweep = prepared.sweep;
        let definition = &sweep.definition;
        if prepared.seed_drawn {
            if args.shard.is_some() {
                return Err(usage(
                    "--shard needs --seed (or a seed in the scenario): every shard must use the same one",
                ));
            }
            crate::say!("seed: {}", definition.seed);
        }
        let total = definition.run_count();
        let runs: Vec<u64> = match args.shard {
            Some(shard) => shard.runs(total),
            None => (0..total).collect(),
        };
        if !args.quiet {
            crate::say!(
                "sweep: {} × {} = {}{}, on {}",
                counted(definition.point_count() as u64, "point"),
                counted(definition.replications, "replication"),
                counted(total, "run"),
                args.shard
                    .map(|shard| format!(" (shard {shard}: {} of them)", runs.len()))
                    .unwrap_or_default(),
                counted(rayon::current_num_threads() as u64, "thread")
            );
        }
        let progress = RunProgress::new(progress::wanted(args.quiet), runs.len() as u64);
        let results = sweep.run(&runs, &progress)?;
        drop(progress);
        let Some(results) = results else {
            return interrupted();
        };
        let definition = sweep.definition;
        let bytes = match args.shard {
            Some(shard) => ShardDocument::new(definition, shard, results).to_bytes(),
            None => report::render(&SweepResult::from_runs(definition, results), format),
        };
        write_output(output, &bytes)?;
        Ok(Exit::Success)
    })
}

/// A file a shard records (a `"file"` anywhere in it, as a demand file's
/// path) that is `output`. A shard that does not read is left for the
/// merge to explain.
fn recorded_file_named(shard: &Path, output: &Path) -> Option<String> {
    fn find(value: &serde_json::Value, output: &Path) -> Option<String> {
        match value {
            serde_json::Value::Object(fields) => {
                fields.iter().find_map(|(key, value)| match value {
                    serde_json::Value::String(file)
                        if key == "file" && same_file(output, Path::new(file)) =>
                    {
                        Some(file.clone())
                    }
                    other => find(other, output),
                })
            }
            serde_json::Value::Array(items) => items.iter().find_map(|item| find(item, output)),
            _ => None,
        }
    }
    // Only a regular file of a shard's size: a device could be read forever.
    let metadata = std::fs::metadata(shard).ok()?;
    if !metadata.is_file() || !small_enough_to_read(metadata.len()) {
        return None;
    }
    let bytes = std::fs::read(shard).ok()?;
    find(&serde_json::from_slice(&bytes).ok()?, output)
}

/// The most bytes of a shard read to look for a recorded file.
const MOST_SHARD_BYTES: u64 = 256 << 20;

fn small_enough_to_read(bytes: u64) -> bool {
    bytes <= MOST_SHARD_BYTES
}

/// `taxi-sim merge`.
pub fn merge(args: &MergeArgs) -> anyhow::Result<Exit> {
    if let Some(output) = &args.output
        && let Some(shard) = args.shards.iter().find(|shard| same_file(output, shard))
    {
        return Err(usage(format!(
            "-o '{}' is the shard '{}': it would be overwritten",
            output.display(),
            shard.display()
        )));
    }
    if let Some(output) = &args.output
        && let Some(input) = args
            .shards
            .iter()
            .find_map(|shard| recorded_file_named(shard, output))
    {
        return Err(usage(format!(
            "-o '{}' is the file '{input}' a shard's sweep reads: it would be overwritten",
            output.display()
        )));
    }
    let output = open_output(args.output.as_deref())?;
    let result = shard::merge(&args.shards)?;
    let format = args
        .format
        .or_else(|| format_of_path(args.output.as_deref()))
        .unwrap_or(ReportFormat::Text);
    write_output(output, &report::render(&result, format))?;
    Ok(Exit::Success)
}

/// `taxi-sim size`.
pub fn size(args: &SizeArgs) -> anyhow::Result<Exit> {
    if let Some(set) = args.sets.iter().find(|set| set.key == "fleet.taxis") {
        return Err(usage(format!(
            "--set {set}: size chooses the fleet itself (use --taxis MIN..MAX)"
        )));
    }
    let target = &args.target;
    let pool = thread_pool(args.threads)?;
    let source = ScenarioSource::load(args.scenario.as_deref())?;
    let base = load_model(&source, &args.sets)?;
    let measures = base.measure_names();
    // A summary's dotted name (`fleet.utilization`, as `validate` and the
    // JSON summary give it) is the sweeps' short one.
    let short = target
        .measure
        .strip_prefix("fleet.")
        .unwrap_or(&target.measure);
    let Some(measure) = measures
        .iter()
        .position(|name| *name == target.measure || *name == short)
    else {
        return Err(usage(format!(
            "--target: the model has no measure '{}' (it has {})",
            target.measure,
            measures.join(", ")
        )));
    };
    let seed = match args.seed.or(base.scenario_seed()) {
        Some(seed) => seed,
        None => {
            let seed = crate::rng::os_seed();
            crate::say!("seed: {seed}");
            seed
        }
    };
    interrupt::stop_flag();
    let (min, max) = args.taxis;
    let evaluate = |taxis: u64| -> anyhow::Result<Option<Interval>> {
        let mut sets = args.sets.clone();
        sets.push(
            Set::new("fleet.taxis", toml::Value::Integer(taxis as i64))
                .map_err(anyhow::Error::msg)?,
        );
        let model = load_model(&source, &sets)?;
        let values = (0..args.replications)
            .into_par_iter()
            .map(|replication| {
                if interrupt::stop_requested() {
                    return Ok(None);
                }
                let values = model.replicate(replication_seed(seed, replication))?;
                Ok(Some(values[measure]))
            })
            .collect::<anyhow::Result<Option<Vec<f64>>>>()?;
        let Some(values) = values.filter(|_| !interrupt::stop_requested()) else {
            return Ok(None);
        };
        let interval = t_interval(&values, args.confidence);
        if !args.quiet {
            crate::say!(
                "size: {}: {} = {:.decimals$} ± {:.decimals$}",
                counted(taxis, "taxi"),
                target.measure,
                interval.mean,
                interval.half_width(),
                decimals = report::decimals_for(&interval)
            );
        }
        Ok(Some(interval))
    };
    let mut tried = Vec::new();
    let sizing = pool.install(|| smallest_fleet(target, min, max, evaluate, &mut tried))?;
    let found = match sizing {
        Sizing::Found(found) => found,
        Sizing::Interrupted => return interrupted(),
        Sizing::NoneMeets => {
            let largest = tried.last().expect("the largest fleet was tried");
            anyhow::bail!(
                "no fleet of {min} to {max} taxis meets {target}: with {}, {} is {} (interval {} to {})",
                counted(max, "taxi"),
                target.measure,
                largest.interval.mean,
                largest.interval.low,
                largest.interval.high
            );
        }
    };
    let bytes = match args.format {
        SizeFormat::Json => size_json(args, &found, &tried, seed),
        SizeFormat::Text => size_text(args, &found, &tried),
    };
    write_stdout(&bytes)?;
    Ok(Exit::Success)
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn size_json(args: &SizeArgs, found: &Evaluated, tried: &[Evaluated], seed: u64) -> Vec<u8> {
    let evaluated: Vec<serde_json::Value> = tried
        .iter()
        .map(|known| {
            json!({
                "taxis": known.taxis,
                "mean": finite(known.interval.mean),
                "ci_low": finite(known.interval.low),
                "ci_high": finite(known.interval.high),
                "meets": known.meets,
            })
        })
        .collect();
    let document = json!({
        "taxis": found.taxis,
        "measure": args.target.measure,
        "target": args.target.to_string(),
        "mean": finite(found.interval.mean),
        "ci_low": finite(found.interval.low),
        "ci_high": finite(found.interval.high),
        "replications": args.replications,
        "confidence": args.confidence,
        "seed": seed,
        "evaluated": evaluated,
    });
    let mut out = serde_json::to_vec_pretty(&document).expect("a sizing serializes");
    out.push(b'\n');
    out
}

fn size_text(args: &SizeArgs, found: &Evaluated, tried: &[Evaluated]) -> Vec<u8> {
    let percent = args.confidence * 100.0;
    let interval = &found.interval;
    let decimals = report::decimals_for(interval);
    let mut out = format!(
        "smallest fleet for {}: {} ({} = {:.decimals$} ± {:.decimals$}, {percent}% interval {:.decimals$} to {:.decimals$})\n",
        args.target,
        counted(found.taxis, "taxi"),
        args.target.measure,
        interval.mean,
        interval.half_width(),
        interval.low,
        interval.high
    );
    let rows: Vec<[String; 5]> = tried
        .iter()
        .map(|known| {
            let interval = &known.interval;
            let decimals = report::decimals_for(interval);
            [
                known.taxis.to_string(),
                format!("{:.decimals$}", interval.mean),
                format!("{:.decimals$}", interval.low),
                format!("{:.decimals$}", interval.high),
                if known.meets { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    let header = ["taxis", "mean", "ci_low", "ci_high", "meets"].map(String::from);
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|row| row[column].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:>width$}"))
            .collect();
        out.push_str(&cells.join("  "));
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn replications_are_a_whole_number_of_two_or_more() {
        assert_eq!(parse_replications("2"), Ok(2));
        assert_eq!(parse_replications(" 7 "), Ok(7));
        assert!(parse_replications("1").unwrap_err().contains("got 1"));
        assert!(parse_replications("0").unwrap_err().contains("got 0"));
        assert!(parse_replications("x").unwrap_err().contains("'x' is not"));
    }

    #[test]
    fn a_confidence_lies_strictly_between_0_and_1() {
        assert_eq!(parse_confidence("0.95"), Ok(0.95));
        assert_eq!(parse_confidence("0.5"), Ok(0.5));
        for bad in ["0", "1", "-0.5", "1.5"] {
            assert!(parse_confidence(bad).unwrap_err().contains("got"), "{bad}");
        }
        assert!(parse_confidence("x").unwrap_err().contains("'x' is not"));
    }

    #[test]
    fn threads_are_one_or_more_and_capped_at_four_per_core() {
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(parse_threads("3"), Ok(3));
        assert_eq!(parse_threads("0"), Err("must be 1 or more".into()));
        assert!(parse_threads("x").is_err());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(thread_pool(Some(1)).unwrap().current_num_threads(), 1);
        assert_eq!(
            thread_pool(Some(1000)).unwrap().current_num_threads(),
            cores * 4
        );
    }

    #[test]
    fn a_fleet_range_is_min_to_max_ends_included() {
        assert_eq!(parse_fleet_range("2..50"), Ok((2, 50)));
        assert_eq!(parse_fleet_range(" 3 .. 3 "), Ok((3, 3)));
        assert_eq!(parse_fleet_range("0..0"), Ok((0, 0)));
        assert!(
            parse_fleet_range("5..2")
                .unwrap_err()
                .contains("5..2 is empty")
        );
        assert!(parse_fleet_range("a..2").is_err());
        assert!(parse_fleet_range("2").is_err());
    }

    #[test]
    fn an_output_files_extension_names_its_format() {
        let format = |path: &str| format_of_path(Some(Path::new(path)));
        assert_eq!(format("out.json"), Some(ReportFormat::Json));
        assert_eq!(format("OUT.CSV"), Some(ReportFormat::Csv));
        assert_eq!(format("out.txt"), None);
        assert_eq!(format("out"), None);
        assert_eq!(format_of_path(None), None);
    }

    #[test]
    fn an_output_file_is_opened_at_once_and_dash_is_stdout() {
        assert!(open_output(None).unwrap().is_none());
        assert!(open_output(Some(Path::new("-"))).unwrap().is_none());
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("out.csv");
        let output = open_output(Some(&path)).unwrap();
        assert!(output.is_some());
        write_output(output, b"x\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x\n");
        assert!(open_output(Some(&directory.path().join("no/such/folder/out.csv"))).is_err());
    }

    #[test]
    fn an_interrupted_command_exits_as_interrupted() {
        assert_eq!(interrupted().unwrap(), Exit::Interrupted);
    }

    /// `folder/stand.toml`, a dispatch scenario reading `requests.csv`, and
    /// `other.csv` beside it.
    fn stand(folder: &Path) -> ScenarioSource {
        for name in ["requests.csv", "other.csv"] {
            std::fs::write(folder.join(name), "time,trip\n1.5,10\n2,5\n").unwrap();
        }
        let scenario = folder.join("stand.toml");
        std::fs::write(
            &scenario,
            "schema_version = 2\nmodel = \"dispatch\"\nend_time = 100\nseed = 3\n\
             [fleet]\ntaxis = 2\n[demand]\nfile = \"requests.csv\"\n[durations]\ntrip = 20\npatience = 10\n",
        )
        .unwrap();
        ScenarioSource::load(Some(scenario.to_str().unwrap())).unwrap()
    }

    #[test]
    fn an_output_onto_a_file_the_sweep_reads_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let source = stand(folder.path());
        let requests = folder.path().join("requests.csv");
        let other = folder.path().join("other.csv");
        let message = check_not_an_input(&requests, &source, &[], &[])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("is the scenario's demand file") && message.contains("overwritten"),
            "{message}"
        );
        assert!(check_not_an_input(&other, &source, &[], &[]).is_ok());
        // A file named by a varied value, at any point.
        let vary: Vary = "demand.file=requests.csv,other.csv".parse().unwrap();
        assert!(check_not_an_input(&other, &source, &[], &[vary]).is_err());
    }

    #[test]
    fn a_file_recorded_anywhere_in_a_shard_is_found_and_nothing_else() {
        let folder = tempfile::tempdir().unwrap();
        let (named, other) = (folder.path().join("x.csv"), folder.path().join("y.csv"));
        std::fs::write(&named, "x").unwrap();
        std::fs::write(&other, "y").unwrap();
        let shard = folder.path().join("shard.json");
        let document = serde_json::json!({
            "a_note": "hello",
            "list": [{"file": named.to_str().unwrap()}],
        });
        std::fs::write(&shard, document.to_string()).unwrap();
        assert_eq!(
            recorded_file_named(&shard, &named).as_deref(),
            named.to_str()
        );
        assert_eq!(recorded_file_named(&shard, &other), None);
        // What is not a regular file is not read (a pipe would block).
        let fifo = folder.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|status| status.success());
        if made {
            assert_eq!(recorded_file_named(&fifo, &named), None);
        }
    }

    #[test]
    fn a_shard_of_up_to_256_mib_is_read() {
        assert_eq!(MOST_SHARD_BYTES, 268_435_456);
        assert!(small_enough_to_read(0));
        assert!(small_enough_to_read(268_435_456));
        assert!(!small_enough_to_read(268_435_457));
    }

    fn target_interval(mean: f64, low: f64, high: f64) -> Interval {
        Interval {
            mean,
            low,
            high,
            std_dev: 0.05,
            count: 4,
        }
    }

    /// Fleets of 3, 4 and 10 tried for `p_wait <= 0.2` at 90%: 4 meets it,
    /// 10 has an interval without ends.
    fn sizing() -> (SizeArgs, Vec<Evaluated>) {
        let args = SizeArgs {
            scenario: None,
            target: "p_wait<=0.2".parse().unwrap(),
            replications: 4,
            seed: Some(5),
            taxis: (1, 10),
            confidence: 0.9,
            sets: Vec::new(),
            threads: None,
            format: SizeFormat::Text,
            quiet: true,
        };
        let tried = vec![
            Evaluated {
                taxis: 3,
                interval: target_interval(0.3, 0.25, 0.35),
                meets: false,
            },
            Evaluated {
                taxis: 4,
                interval: target_interval(0.15, 0.1, 0.2),
                meets: true,
            },
            Evaluated {
                taxis: 10,
                interval: target_interval(0.02, f64::NAN, f64::NAN),
                meets: false,
            },
        ];
        (args, tried)
    }

    #[test]
    fn the_sizing_text_names_the_fleet_and_tabulates_every_fleet_tried() {
        let (args, tried) = sizing();
        let text = String::from_utf8(size_text(&args, &tried[1], &tried)).unwrap();
        assert_eq!(
            text,
            "smallest fleet for p_wait <= 0.2: 4 taxis (p_wait = 0.150 ± 0.050, 90% interval 0.100 to 0.200)\n\
             taxis   mean  ci_low  ci_high  meets\n    \
                 3  0.300   0.250    0.350     no\n    \
                 4  0.150   0.100    0.200    yes\n   \
                10  0.020     NaN      NaN     no\n"
        );
    }

    #[test]
    fn the_sizing_json_has_every_number_and_null_for_a_missing_end() {
        let (args, tried) = sizing();
        let bytes = size_json(&args, &tried[1], &tried, 5);
        assert!(bytes.ends_with(b"}\n"));
        let document: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            document,
            json!({
                "taxis": 4,
                "measure": "p_wait",
                "target": "p_wait <= 0.2",
                "mean": 0.15,
                "ci_low": 0.1,
                "ci_high": 0.2,
                "replications": 4,
                "confidence": 0.9,
                "seed": 5,
                "evaluated": [
                    {"taxis": 3, "mean": 0.3, "ci_low": 0.25, "ci_high": 0.35, "meets": false},
                    {"taxis": 4, "mean": 0.15, "ci_low": 0.1, "ci_high": 0.2, "meets": true},
                    {"taxis": 10, "mean": 0.02, "ci_low": null, "ci_high": null, "meets": false},
                ],
            })
        );
    }
}
