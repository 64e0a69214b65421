//! `taxi-sim replay` of dispatch logs (`schema_version` 2): re-simulates
//! the recorded scenario, seed and generator, and compares every event
//! (time to the bit, taxi, passenger, action), the outcome and the summary.
//!
//! The log is read twice, streaming: once for its header and end, once for
//! its events, which a reader thread hands over through a bounded channel,
//! so memory does not grow with the log. Reading the log, telling models
//! apart, `--show`, `--delay` and the verdict's wording are
//! [`crate::replay`]'s, shared with the book's logs.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny};

use super::output::LOG_SCHEMA_VERSION;
use super::scenario::DispatchScenario;
use super::world::{DispatchEvent, DispatchOutcome};
use super::{Dispatch, RunControl, RunFailure};
use crate::engine::StopReason;
use crate::exit::Exit;
use crate::interrupt;
use crate::model::{Model, RecordedInput};
use crate::output::{RunEnd, SinkError};
use crate::progress::{self, Progress};
use crate::replay::{EachEvent, LogSource, ReplayOptions, STOP_READING, ShowFailure, Verdict};
use crate::rng::RngKind;
use crate::scenario::Overrides;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    schema_version: u32,
    taxi_sim_version: String,
    seed: u64,
    rng: RngKind,
    scenario: serde_json::Value,
    #[serde(default)]
    inputs: Vec<RecordedInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    outcome: DispatchOutcome,
    summary: serde_json::Value,
    events: u64,
}

/// `at the end time (time 300, 120 events, 4 pending)`.
fn outcome_text(outcome: &DispatchOutcome) -> String {
    Dispatch::ending(outcome).to_string()
}

#[derive(Debug, Deserialize)]
#[serde(
    tag = "type",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
enum Line {
    Header(Header),
    Event(DispatchEvent),
    End(End),
}

/// A whole document with its events skipped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    schema_version: u32,
    taxi_sim_version: String,
    seed: u64,
    rng: RngKind,
    scenario: serde_json::Value,
    #[serde(default)]
    inputs: Vec<RecordedInput>,
    #[allow(dead_code)]
    events: IgnoredAny,
    outcome: DispatchOutcome,
    summary: serde_json::Value,
}

enum Recorded {
    Event(DispatchEvent),
    Error(String),
}

fn describe(event: &DispatchEvent) -> String {
    let cell = |value: Option<String>| value.unwrap_or_else(|| "null".to_string());
    format!(
        "time {}, taxi {}, passenger {}, action {}",
        crate::stdio::readable(event.time),
        cell(event.taxi.map(|taxi| taxi.to_string())),
        cell(event.passenger.map(|passenger| passenger.to_string())),
        event.action.key()
    )
}

/// Replays the dispatch log `source` (`lines`: JSON Lines).
pub(crate) fn replay(
    source: &LogSource,
    lines: bool,
    options: &ReplayOptions,
) -> anyhow::Result<Exit> {
    let name = source.name.as_str();
    let malformed = |what: String| anyhow!("malformed log '{name}': {what}");
    // First pass: the settings and the end.
    let (header, end) = if lines {
        let mut header = None;
        let mut end = None;
        for (index, line) in source.reader()?.lines().enumerate() {
            let line = line.with_context(|| format!("could not read log '{name}'"))?;
            if index == 0 {
                match serde_json::from_str::<Line>(&line) {
                    Ok(Line::Header(read)) => header = Some(read),
                    Ok(_) => return Err(malformed("line 1 is not the header".into())),
                    Err(error) => return Err(malformed(format!("line 1: {error}"))),
                }
            } else if line.trim().is_empty() {
                // Allowed after the end line only, as in the book's logs:
                // the second pass tells where it is.
            } else if line.starts_with("{\"type\":\"end\"") || !line.contains("\"event\"") {
                match serde_json::from_str::<Line>(&line) {
                    Ok(Line::End(read)) => end = Some(read),
                    Ok(_) => {}
                    Err(error) => return Err(malformed(format!("line {}: {error}", index + 1))),
                }
            }
        }
        (
            header.ok_or_else(|| malformed("the file is empty".into()))?,
            end.ok_or_else(|| malformed("no end line: the log is incomplete".into()))?,
        )
    } else {
        let document: Document = serde_json::from_reader(source.reader()?).map_err(|error| {
            if error.is_eof() {
                malformed(format!(
                    "truncated: the file ends before the document does ({error})"
                ))
            } else {
                malformed(error.to_string())
            }
        })?;
        (
            Header {
                schema_version: document.schema_version,
                taxi_sim_version: document.taxi_sim_version,
                seed: document.seed,
                rng: document.rng,
                scenario: document.scenario,
                inputs: document.inputs,
            },
            End {
                outcome: document.outcome,
                summary: document.summary,
                events: document.outcome.events,
            },
        )
    };
    if header
        .scenario
        .get("model")
        .and_then(|model| model.as_str())
        != Some("dispatch")
    {
        bail!(
            "log '{name}' has schema_version {}, the dispatch model's, but its scenario is not a dispatch scenario (book logs are version 1)",
            header.schema_version
        );
    }
    if header.schema_version != LOG_SCHEMA_VERSION {
        bail!(
            "log '{name}' has schema_version {}; dispatch logs are version {LOG_SCHEMA_VERSION}",
            header.schema_version
        );
    }
    // The same input files, or no verdict: a log re-simulated on other
    // input would be a false mismatch, or worse, a false proof.
    for input in &header.inputs {
        if let Err(why) = input.check() {
            bail!("cannot replay log '{name}': {why}");
        }
    }
    let origin = format!("{name} (recorded scenario)");
    // The recorded seed is the header's (checked below through the
    // overrides); a TOML table cannot hold one above 2^63 - 1.
    let mut recorded = header.scenario.clone();
    if let Some(object) = recorded.as_object_mut() {
        if let Some(seed) = object.get("seed")
            && seed.as_u64() != Some(header.seed)
        {
            return Err(malformed(format!(
                "the recorded scenario's seed {seed} is not the header's seed {}",
                header.seed
            )));
        }
        object.remove("seed");
    }
    let table =
        toml::Table::try_from(recorded).map_err(|error| malformed(format!("scenario: {error}")))?;
    let overrides = Overrides {
        seed: Some(header.seed),
        rng: Some(header.rng),
        ..Overrides::default()
    };
    let scenario = DispatchScenario::from_table(&table, &origin, Path::new("."), &overrides)?;
    crate::app::check_memory(scenario.fleet.taxis)?;

    // Second pass: the events, from a reader thread.
    let (sender, receiver) = sync_channel::<Recorded>(4096);
    let events = source.reader()?;
    let reader = std::thread::spawn(move || read_events(events, lines, sender));
    let verdict = verify(&scenario, header.seed, &end, &receiver, options);
    drop(receiver);
    let _ = reader.join();
    let verdict = verdict.map_err(|error| match error {
        Failure::Malformed(message) => malformed(message),
        Failure::Other(error) => error,
    })?;
    Ok(crate::replay::report(
        &verdict,
        &crate::replay::LogFacts {
            name,
            seed: header.seed,
            rng: header.rng,
            scenario: &scenario.name,
            written_by: &header.taxi_sim_version,
        },
    ))
}

fn read_events(reader: BufReader<File>, lines: bool, sender: SyncSender<Recorded>) {
    let fail = |message: String| {
        let _ = sender.send(Recorded::Error(message));
    };
    if lines {
        let mut ended = false;
        for (index, line) in reader.lines().enumerate().skip(1) {
            if ended {
                // Nothing but blank lines may follow the end line: events
                // after it would otherwise go unverified.
                match line {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(_) => {
                        return fail(format!("line {}: content after the end line", index + 1));
                    }
                    Err(error) => return fail(format!("line {}: {error}", index + 1)),
                }
            }
            match line.map_err(|error| error.to_string()).and_then(|line| {
                serde_json::from_str::<Line>(&line).map_err(|error| error.to_string())
            }) {
                Ok(Line::Event(event)) => {
                    if sender.send(Recorded::Event(event)).is_err() {
                        return;
                    }
                }
                Ok(Line::End(_)) => ended = true,
                Ok(Line::Header(_)) => return fail(format!("line {}: a second header", index + 1)),
                Err(error) => return fail(format!("line {}: {error}", index + 1)),
            }
        }
    } else {
        let mut deserializer = serde_json::Deserializer::from_reader(reader);
        let each = |event: DispatchEvent| Ok(sender.send(Recorded::Event(event)).is_ok());
        if let Err(error) = EachEvent::new(each).deserialize(&mut deserializer)
            && !error.to_string().starts_with(STOP_READING)
        {
            fail(error.to_string());
        }
    }
}

/// Why the re-simulation stopped before its end.
enum Stop {
    Event(u64, DispatchEvent, DispatchEvent),
    LogShorter(u64, DispatchEvent),
    Malformed(String),
    Show(ShowFailure),
}

/// A replay that could not reach a verdict.
enum Failure {
    /// The log is not a log (the message, without the log's name).
    Malformed(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Other(error)
    }
}

impl From<SinkError> for Failure {
    fn from(error: SinkError) -> Self {
        Failure::Other(error.into())
    }
}

fn verify(
    scenario: &DispatchScenario,
    seed: u64,
    end: &End,
    receiver: &Receiver<Recorded>,
    options: &ReplayOptions,
) -> Result<Verdict, Failure> {
    let truncated = matches!(
        end.outcome.reason,
        StopReason::EventLimit | StopReason::Interrupted
    );
    let mut show = options.show_sink::<Dispatch>()?;
    let mut progress = Progress::new(
        progress::wanted_beside_events(options.quiet, options.show),
        scenario.end_time.ceil() as u64,
    );
    let mut index = 0u64;
    let mut on_event = |simulated: &DispatchEvent| -> Result<(), Stop> {
        index += 1;
        match receiver.recv() {
            Ok(Recorded::Event(recorded)) => {
                let same = recorded.time.to_bits() == simulated.time.to_bits()
                    && recorded.taxi == simulated.taxi
                    && recorded.passenger == simulated.passenger
                    && recorded.action == simulated.action;
                if !same {
                    return Err(Stop::Event(index, recorded, *simulated));
                }
            }
            Ok(Recorded::Error(message)) => return Err(Stop::Malformed(message)),
            Err(_) => return Err(Stop::LogShorter(index, *simulated)),
        }
        crate::replay::show::<Dispatch>(&mut show, simulated).map_err(Stop::Show)
    };
    let seconds_per_minute = options.seconds_per_unit();
    let mut pace =
        |now: f64, next: f64| interrupt::pace(now, next, seconds_per_minute.unwrap_or(0.0));
    let mut on_progress = |now: f64, events: u64| progress.update(now as u64, events);
    let control = RunControl {
        seed,
        max_events: if truncated {
            end.outcome.events
        } else {
            u64::MAX
        },
        stop_flag: Some(interrupt::stop_flag()),
        before: match seconds_per_minute {
            Some(_) => Some(&mut pace),
            None => None,
        },
        on_event: Some(&mut on_event),
        on_progress: &mut on_progress,
    };
    let result = super::simulate(scenario, control);
    progress.finish();
    let (outcome, summary) = match result {
        Ok(done) => done,
        Err(RunFailure::Model(message)) => return Err(Failure::Other(anyhow!(message))),
        Err(RunFailure::Observer(stop)) => {
            return match stop {
                Stop::Malformed(message) => Err(Failure::Malformed(message)),
                Stop::Show(ShowFailure::StdoutGone) => Ok(Verdict::StdoutGone),
                Stop::Show(ShowFailure::Failed(error)) => Err(error.into()),
                Stop::Event(index, recorded, simulated) => Ok(Verdict::mismatch(
                    &mut show,
                    format!(
                        "event #{index} differs\n  recorded:     {}\n  re-simulated: {}",
                        describe(&recorded),
                        describe(&simulated)
                    ),
                )?),
                Stop::LogShorter(index, simulated) => Ok(Verdict::mismatch(
                    &mut show,
                    format!(
                        "the log ends before the re-simulation does\n  recorded:     no event #{index}\n  re-simulated: event #{index}: {}",
                        describe(&simulated)
                    ),
                )?),
            };
        }
    };
    if interrupt::stop_requested() {
        crate::replay::flush_show(&mut show)?;
        return Ok(Verdict::Interrupted {
            verified: outcome.events,
        });
    }
    match receiver.recv() {
        Ok(Recorded::Event(recorded)) => {
            return Ok(Verdict::mismatch(
                &mut show,
                format!(
                    "the log has more events than the re-simulation\n  recorded:     event #{}: {}\n  re-simulated: the run ended {}",
                    outcome.events + 1,
                    describe(&recorded),
                    outcome_text(&outcome)
                ),
            )?);
        }
        Ok(Recorded::Error(message)) => return Err(Failure::Malformed(message)),
        Err(_) => {}
    }
    // A truncated log was cut by an event limit or Ctrl-C: the
    // re-simulation stops at its event count, by the limit.
    let expected = DispatchOutcome {
        reason: if truncated && outcome.reason == StopReason::EventLimit {
            end.outcome.reason
        } else {
            outcome.reason
        },
        ..outcome
    };
    if end.events != outcome.events {
        return Ok(Verdict::mismatch(
            &mut show,
            format!(
                "the end line says {}, but the log holds {}",
                crate::stdio::counted(end.events, "event"),
                outcome.events
            ),
        )?);
    }
    if expected != end.outcome {
        return Ok(Verdict::mismatch(
            &mut show,
            format!(
                "the outcome differs\n  recorded:     {}\n  re-simulated: {}",
                outcome_text(&end.outcome),
                outcome_text(&expected)
            ),
        )?);
    }
    let simulated = serde_json::to_value(summary).map_err(anyhow::Error::from)?;
    if let Some(difference) = crate::stdio::json_difference("summary", &end.summary, &simulated) {
        return Ok(Verdict::mismatch(
            &mut show,
            format!("the events match but the summary differs: {difference}"),
        )?);
    }
    crate::replay::finish_show(
        show,
        &RunEnd::<Dispatch> {
            outcome: &end.outcome,
            summary: &summary,
        },
    )?;
    Ok(Verdict::Identical {
        verified: outcome.events,
        ending: outcome_text(&end.outcome),
    })
}
