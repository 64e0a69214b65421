//! `taxi-sim chart`: SVG charts of a sweep (a measure against the varied
//! keys, with confidence bands) or of an event log (each taxi's state over
//! time, and for the dispatch model the passengers waiting).
//!
//! The input's kind is found from its content, not its name: a JSON document
//! with `points` is a sweep, one with `events` (or JSON Lines starting with a
//! header line) is an event log. Logs are read as streams, twice (once to
//! learn the fleet and the time span, once to draw), so memory follows the
//! chart, not the log. The SVG is made in memory (it is small: the timeline
//! is drawn at the resolution of the picture) and written to a temporary file
//! renamed into place, so a failed or interrupted chart leaves no file.

mod log;
mod style;
mod sweep;
mod timeline;

/// What the charts' tests read from an SVG.
#[cfg(test)]
mod svg_probe {
    /// The SVG's width and height.
    pub(super) fn size(svg: &roxmltree::Document) -> (u32, u32) {
        let root = svg.root_element();
        let number = |name| root.attribute(name).unwrap().parse().unwrap();
        (number("width"), number("height"))
    }

    /// Every text as (text, x, y, anchor).
    pub(super) fn texts(svg: &roxmltree::Document) -> Vec<(String, i32, i32, String)> {
        svg.descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                let number = |name| node.attribute(name).unwrap().parse().unwrap();
                (
                    node.text().unwrap_or("").trim().to_string(),
                    number("x"),
                    number("y"),
                    node.attribute("text-anchor").unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;

use crate::app::UsageError;
use crate::exit::Exit;
use crate::interrupt;

/// Examples shown by `taxi-sim chart --help`.
pub const EXAMPLES: &str = "\
Examples:
  taxi-sim chart sweep.json -o sweep.svg                    every measure, small multiples
  taxi-sim chart sweep.json --measure p_wait --measure wait_mean -o waits.svg
  taxi-sim chart events.jsonl --timeline -o timeline.svg    each taxi's state over time";

/// Options of `taxi-sim chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// A sweep (JSON from `sweep` or `merge`) or an event log (JSON or JSON Lines from `run --export`)
    #[arg(value_name = "SWEEP_OR_LOG")]
    pub input: PathBuf,

    /// Measure of a sweep to draw (repeatable; default: every measure, one panel each)
    #[arg(short = 'm', long, value_name = "M")]
    pub measure: Vec<String>,

    /// Draw an event log as a timeline of the taxis' states
    #[arg(long)]
    pub timeline: bool,

    /// Most taxis a timeline shows; a larger fleet is sampled evenly by id
    #[arg(long, value_name = "N", default_value = "40", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_taxis: u32,

    /// The SVG file to write (`-` is stdout)
    #[arg(short = 'o', long, value_name = "FILE.svg")]
    pub output: PathBuf,
}

/// What an input file holds.
enum Input {
    Sweep(sweep::SweepDocument),
    Log(log::LogScan),
}

/// The demand file a log's scenario reads, if any: recorded as an absolute
/// path, or by older logs relative to the log's folder.
fn recorded_demand_file(log: &std::path::Path, scan: &log::LogScan) -> Option<PathBuf> {
    let file = scan.scenario_field("demand")?.get("file")?.as_str()?;
    let file = PathBuf::from(file);
    Some(match log.parent() {
        Some(folder) if file.is_relative() => folder.join(file),
        _ => file,
    })
}

/// `taxi-sim chart`.
pub fn chart(args: &ChartArgs) -> anyhow::Result<Exit> {
    // Installs the Ctrl-C handler; the log readers poll the flag it raises.
    interrupt::stop_flag();
    let path = args.input.as_path();
    if crate::stdio::same_file(path, &args.output) {
        return Err(UsageError(format!(
            "the chart '{}' would overwrite its input '{}'",
            args.output.display(),
            path.display()
        ))
        .into());
    }
    let input = match log::scan(path)? {
        log::Scanned::Interrupted => return Ok(interrupted()),
        log::Scanned::Sweep => Input::Sweep(sweep::SweepDocument::read(path)?),
        log::Scanned::Log(scan) => Input::Log(scan),
    };
    let svg = match input {
        Input::Sweep(document) => {
            if args.timeline {
                return Err(UsageError(format!(
                    "'{}' is a sweep; --timeline draws an event log (from `taxi-sim run --export`)",
                    path.display()
                ))
                .into());
            }
            sweep::draw(&document, &args.measure, path)?
        }
        Input::Log(scan) => {
            if let Some(demand) = recorded_demand_file(path, &scan)
                && crate::stdio::same_file(&demand, &args.output)
            {
                return Err(UsageError(format!(
                    "the chart '{}' would overwrite the demand file '{}' of its log",
                    args.output.display(),
                    demand.display()
                ))
                .into());
            }
            if !args.measure.is_empty() {
                return Err(UsageError(format!(
                    "'{}' is an event log; --measure picks measures of a sweep",
                    path.display()
                ))
                .into());
            }
            match timeline::draw(path, &scan, args.max_taxis as usize)? {
                Some(svg) => svg,
                None => return Ok(interrupted()),
            }
        }
    };
    write_output(&args.output, svg.as_bytes())?;
    Ok(Exit::Success)
}

fn interrupted() -> Exit {
    crate::say!("taxi-sim: chart interrupted; no file written");
    Exit::Interrupted
}

/// Writes the chart: to stdout for `-`, else whole or not at all (through
/// a temporary file renamed into place), never replacing a directory, a
/// read-only file or a device.
fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        return crate::stdio::write_stdout(bytes)
            .map_err(|error| anyhow!("could not write stdout: {error}"));
    }
    // A device or a pipe is written through, a link followed: the shared
    // rules of every file taxi-sim writes.
    Ok(crate::output::write_file_atomically(path, bytes)?)
}

/// Reads a whole small file (a sweep), naming it in errors.
fn read_small_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("could not read '{}'", path.display()))
}
