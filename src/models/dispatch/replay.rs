//! `taxi-sim replay` of dispatch logs (`schema_version` 2): re-simulates
//! the recorded scenario, seed and generator, and compares every event
//! (time to the bit, taxi, passenger, action), the outcome and the summary.
//!
//! The log is read twice, streaming: once for its header and end, once for
//! its events, which a reader thread hands over through a bounded channel,
//! so memory does not grow with the log.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::output::LOG_SCHEMA_VERSION;
use super::scenario::DispatchScenario;
use super::world::{DispatchEvent, DispatchOutcome};
use super::{RunControl, RunFailure};
use crate::engine::StopReason;
use crate::exit::Exit;
use crate::interrupt;
use crate::rng::RngKind;
use crate::scenario::Overrides;

/// The schema version a log declares (`None` if it declares none), reading
/// a JSON document (streaming, events skipped) or the first line of JSON Lines.
pub fn schema_version(path: &Path, lines: bool) -> anyhow::Result<Option<u64>> {
    #[derive(Deserialize)]
    struct Peek {
        schema_version: Option<u64>,
    }
    #[derive(Deserialize)]
    struct PeekLine {
        data: Option<Peek>,
    }
    let reader = open(path)?;
    if lines {
        let Some(Ok(first)) = reader.lines().next() else {
            return Ok(None);
        };
        Ok(serde_json::from_str::<PeekLine>(&first)
            .ok()
            .and_then(|line| line.data?.schema_version))
    } else {
        Ok(serde_json::from_reader::<_, Peek>(reader)
            .ok()
            .and_then(|peek| peek.schema_version))
    }
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file =
        File::open(path).with_context(|| format!("could not read log '{}'", path.display()))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    schema_version: u32,
    #[allow(dead_code)]
    taxi_sim_version: String,
    seed: u64,
    rng: RngKind,
    scenario: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    outcome: DispatchOutcome,
    summary: serde_json::Value,
    events: u64,
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
    #[allow(dead_code)]
    events: IgnoredAny,
    outcome: DispatchOutcome,
    summary: serde_json::Value,
}

enum Recorded {
    Event(DispatchEvent),
    Error(String),
}

/// Sends each event of a document's `events` array, ignoring the rest.
struct EventsOf<'a>(&'a SyncSender<Recorded>);

impl<'de> DeserializeSeed<'de> for EventsOf<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventsOf<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a dispatch log document")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                map.next_value_seed(EventArray(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct EventArray<'a>(&'a SyncSender<Recorded>);

impl<'de> DeserializeSeed<'de> for EventArray<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventArray<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(event) = seq.next_element::<DispatchEvent>()? {
            if self.0.send(Recorded::Event(event)).is_err() {
                // The verifier stopped: nothing more to read.
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn describe(event: &DispatchEvent) -> String {
    let cell = |value: Option<String>| value.unwrap_or_else(|| "null".to_string());
    format!(
        "time {}, taxi {}, passenger {}, action {}",
        event.time,
        cell(event.taxi.map(|taxi| taxi.to_string())),
        cell(event.passenger.map(|passenger| passenger.to_string())),
        event.action.key()
    )
}

/// Replays the dispatch log at `path` (`lines`: JSON Lines).
pub fn replay(path: &Path, name: &str, lines: bool) -> anyhow::Result<Exit> {
    let malformed = |what: String| anyhow!("malformed log '{name}': {what}");
    // First pass: the settings and the end.
    let (header, end) = if lines {
        let mut header = None;
        let mut end = None;
        for (index, line) in open(path)?.lines().enumerate() {
            let line = line.with_context(|| format!("could not read log '{name}'"))?;
            if index == 0 {
                match serde_json::from_str::<Line>(&line) {
                    Ok(Line::Header(read)) => header = Some(read),
                    Ok(_) => return Err(malformed("line 1 is not the header".into())),
                    Err(error) => return Err(malformed(format!("line 1: {error}"))),
                }
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
        let document: Document =
            serde_json::from_reader(open(path)?).map_err(|error| malformed(error.to_string()))?;
        (
            Header {
                schema_version: document.schema_version,
                taxi_sim_version: document.taxi_sim_version,
                seed: document.seed,
                rng: document.rng,
                scenario: document.scenario,
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
            "log '{}' has schema_version {}, the dispatch model's, but its scenario is not a dispatch scenario (book logs are version 1)",
            path.display(),
            header.schema_version
        );
    }
    if header.schema_version != LOG_SCHEMA_VERSION {
        bail!(
            "log '{name}' has schema_version {}; dispatch logs are version {LOG_SCHEMA_VERSION}",
            header.schema_version
        );
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
    let owned = path.to_path_buf();
    let reader = std::thread::spawn(move || read_events(&owned, lines, sender));
    let result = verify(&scenario, header.seed, &end, &receiver);
    drop(receiver);
    let _ = reader.join();
    result
}

fn read_events(path: &Path, lines: bool, sender: SyncSender<Recorded>) {
    let fail = |message: String| {
        let _ = sender.send(Recorded::Error(message));
    };
    let reader = match open(path) {
        Ok(reader) => reader,
        Err(error) => return fail(error.to_string()),
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
        if let Err(error) = EventsOf(&sender).deserialize(&mut deserializer)
            && !error.to_string().starts_with("stopped")
        {
            fail(error.to_string());
        }
    }
}

enum Mismatch {
    Event(u64, DispatchEvent, DispatchEvent),
    LogShorter(u64, DispatchEvent),
    Malformed(String),
}

fn verify(
    scenario: &DispatchScenario,
    seed: u64,
    end: &End,
    receiver: &Receiver<Recorded>,
) -> anyhow::Result<Exit> {
    let truncated = matches!(
        end.outcome.reason,
        StopReason::EventLimit | StopReason::Interrupted
    );
    let mut index = 0u64;
    let mut on_event = |simulated: &DispatchEvent| -> Result<(), Mismatch> {
        let result = match receiver.recv() {
            Ok(Recorded::Event(recorded)) => {
                if recorded.time.to_bits() == simulated.time.to_bits()
                    && recorded.taxi == simulated.taxi
                    && recorded.passenger == simulated.passenger
                    && recorded.action == simulated.action
                {
                    Ok(())
                } else {
                    Err(Mismatch::Event(index, recorded, *simulated))
                }
            }
            Ok(Recorded::Error(message)) => Err(Mismatch::Malformed(message)),
            Err(_) => Err(Mismatch::LogShorter(index, *simulated)),
        };
        index += 1;
        result
    };
    let control = RunControl {
        seed,
        max_events: if truncated {
            end.outcome.events
        } else {
            u64::MAX
        },
        stop_flag: Some(interrupt::stop_flag()),
        before: None,
        on_event: Some(&mut on_event),
        on_progress: &mut |_, _| {},
    };
    let (outcome, summary) = match super::simulate(scenario, control) {
        Ok(done) => done,
        Err(RunFailure::Model(message)) => bail!(message),
        Err(RunFailure::Observer(Mismatch::Malformed(message))) => {
            bail!("malformed log: {message}")
        }
        Err(RunFailure::Observer(Mismatch::Event(index, recorded, simulated))) => bail!(
            "replay mismatch: event #{index} differs\n  recorded:     {}\n  re-simulated: {}",
            describe(&recorded),
            describe(&simulated)
        ),
        Err(RunFailure::Observer(Mismatch::LogShorter(index, simulated))) => bail!(
            "replay mismatch: the log has fewer events than the re-simulation\n  re-simulated: event #{index}: {}",
            describe(&simulated)
        ),
    };
    if outcome.reason == StopReason::Interrupted && !truncated {
        crate::say!(
            "taxi-sim: replay interrupted after {} events",
            outcome.events
        );
        return Ok(Exit::Interrupted);
    }
    match receiver.recv() {
        Ok(Recorded::Event(recorded)) => bail!(
            "replay mismatch: the log has more events than the re-simulation\n  recorded:     event #{}: {}",
            outcome.events,
            describe(&recorded)
        ),
        Ok(Recorded::Error(message)) => bail!("malformed log: {message}"),
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
    if expected != end.outcome || end.events != outcome.events {
        bail!(
            "replay mismatch: the outcome differs\n  recorded:     {:?}\n  re-simulated: {:?}",
            end.outcome,
            outcome
        );
    }
    if serde_json::to_value(summary)? != end.summary {
        bail!("replay mismatch: the summary differs from the re-simulation's");
    }
    crate::say!(
        "replay ok: {} events identical, outcome and summary identical",
        outcome.events
    );
    Ok(Exit::Success)
}
