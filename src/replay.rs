//! `taxi-sim replay`: re-simulates a run from the scenario, seed and
//! generator recorded in its log, and compares every event, the outcome and
//! the summary. Both the log and the re-simulation stream: memory does not
//! grow with the number of events.
//!
//! A JSON document is read twice: once to learn its settings and outcome
//! (the keys may come in any order), once to compare its events.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::marker::PhantomData;
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::cli::ReplayArgs;
use crate::engine::{Outcome, Step, StopReason, Tick};
use crate::exit::Exit;
use crate::interrupt;
use crate::model::Model;
use crate::models::book::output::LOG_SCHEMA_VERSION;
use crate::models::book::summary::Summary;
use crate::models::book::taxi::{self, TaxiAction, TaxiSimulator};
use crate::models::book::{Book, BookSink, TaxiEvent};
use crate::models::dispatch::Dispatch;
use crate::output::{ModelSink, RunEnd, Sink, SinkError, text};
use crate::progress::{self, Progress};
use crate::rng::{self, CpythonRandom, RandomSource, RngKind};
use crate::scenario::{Overrides, Scenario};
use crate::stdio::counted;

/// An event as a log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedEvent {
    time: Tick,
    taxi: u32,
    action: TaxiAction,
}

impl From<TaxiEvent> for RecordedEvent {
    fn from(event: TaxiEvent) -> Self {
        Self {
            time: event.time,
            taxi: event.proc_id,
            action: event.action,
        }
    }
}

impl fmt::Display for RecordedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "time {}, taxi {}, action {}",
            self.time,
            self.taxi,
            self.action.key()
        )
    }
}

/// The settings recorded before the events.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedHeader {
    schema_version: u32,
    taxi_sim_version: String,
    /// A number; a JSON tool may have rounded it (see `seed_text`).
    seed: serde_json::Number,
    /// The seed's digits, written since the seed could be rounded; older
    /// logs lack it.
    #[serde(default)]
    seed_text: Option<String>,
    rng: RngKind,
    #[serde(deserialize_with = "crate::strict_json::strict_value")]
    scenario: serde_json::Value,
}

impl RecordedHeader {
    /// The seed: the text if there is one (the number must then agree with
    /// it, or be its rounding to a double), else the number.
    fn seed(&self) -> Result<u64, String> {
        match &self.seed_text {
            Some(text) => {
                let seed: u64 = text.parse().map_err(|_| {
                    format!(
                        "seed_text '{}' is not a whole number from 0 to {}",
                        crate::stdio::printable(text),
                        u64::MAX
                    )
                })?;
                if number_is_seed(&self.seed, seed) {
                    Ok(seed)
                } else {
                    Err(format!(
                        "seed {} and seed_text '{seed}' disagree",
                        self.seed
                    ))
                }
            }
            None => self.seed.as_u64().ok_or_else(|| {
                format!(
                    "seed {} is not a whole number from 0 to {}",
                    self.seed,
                    u64::MAX
                )
            }),
        }
    }

    /// The recorded scenario, checked against the header's own seed and
    /// generator, with the exact seed in place of a rounded one.
    fn scenario_with(&self, seed: u64) -> Result<serde_json::Value, String> {
        let mut scenario = self.scenario.clone();
        let Some(fields) = scenario.as_object_mut() else {
            return Err("the recorded scenario is not an object".into());
        };
        if let Some(recorded) = fields.get("seed") {
            let agrees = match recorded {
                serde_json::Value::Number(number) => number_is_seed(number, seed),
                _ => false,
            };
            if !agrees {
                return Err(format!(
                    "the recorded scenario's seed {} differs from the log's seed {seed}",
                    crate::stdio::printable(&recorded.to_string())
                ));
            }
        }
        if let Some(recorded) = fields.get("rng")
            && recorded.as_str() != Some(self.rng.to_string().as_str())
        {
            return Err(format!(
                "the recorded scenario's rng {} differs from the log's rng {}",
                crate::stdio::printable(&recorded.to_string()),
                self.rng
            ));
        }
        fields.insert("seed".into(), seed.into());
        Ok(scenario)
    }
}

/// Whether `number` is `seed`, exactly or as a tool that reads numbers as
/// doubles would have rounded it (seeds above 2^53 round to 2^53 or more).
fn number_is_seed(number: &serde_json::Number, seed: u64) -> bool {
    number.as_u64() == Some(seed)
        || (number.as_u64().is_none_or(|value| value >= 1 << 53)
            && seed > 1 << 53
            && number.as_f64() == Some(seed as f64))
}

/// A JSON Lines record.
#[derive(Debug)]
enum LogLine {
    Header(RecordedHeader),
    Event(RecordedEvent),
    End {
        outcome: Outcome,
        summary: Summary,
        events: u64,
    },
}

/// The JSON Lines envelope `{"type": .., "data": ..}`, its keys in any
/// order. The data is kept raw and read by its type afterwards: serde's
/// tagged enums buffer a value whose tag comes second, and that buffer
/// cannot hold the summary's 128-bit totals.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    data: &'a serde_json::value::RawValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndData {
    outcome: Outcome,
    summary: Summary,
    events: u64,
}

impl LogLine {
    fn parse(line: &str) -> Result<Self, serde_json::Error> {
        let envelope: Envelope = serde_json::from_str(line)?;
        let data = envelope.data.get();
        match envelope.kind {
            "header" => serde_json::from_str(data).map(LogLine::Header),
            "event" => serde_json::from_str(data).map(LogLine::Event),
            "end" => serde_json::from_str(data).map(|end: EndData| LogLine::End {
                outcome: end.outcome,
                summary: end.summary,
                events: end.events,
            }),
            other => Err(de::Error::unknown_variant(
                other,
                &["header", "event", "end"],
            )),
        }
    }
}

/// Why the log and the re-simulation differ.
#[derive(Debug)]
enum Difference {
    Event {
        index: u64,
        recorded: RecordedEvent,
        simulated: RecordedEvent,
    },
    LogLonger {
        index: u64,
        recorded: RecordedEvent,
        outcome: Outcome,
    },
    LogShorter {
        index: u64,
        simulated: RecordedEvent,
    },
    Outcome {
        recorded: Outcome,
        simulated: Outcome,
    },
    Summary,
    EventCount {
        recorded: u64,
        verified: u64,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Event {
                index,
                recorded,
                simulated,
            } => write!(
                f,
                "event #{index} differs\n  recorded:     {recorded}\n  re-simulated: {simulated}"
            ),
            Difference::LogLonger {
                index,
                recorded,
                outcome,
            } => write!(
                f,
                "the log has more events than the re-simulation\n  recorded:     event #{index}: {recorded}\n  re-simulated: the run ended {}",
                book_outcome_text(outcome)
            ),
            Difference::LogShorter { index, simulated } => write!(
                f,
                "the log ends before the re-simulation does\n  recorded:     no event #{index}\n  re-simulated: event #{index}: {simulated}"
            ),
            Difference::Outcome {
                recorded,
                simulated,
            } => write!(
                f,
                "the outcome differs\n  recorded:     {}\n  re-simulated: {}",
                book_outcome_text(recorded),
                book_outcome_text(simulated)
            ),
            Difference::Summary => f.write_str(
                "the events match but the recorded summary differs from the re-computed one",
            ),
            Difference::EventCount { recorded, verified } => write!(
                f,
                "the end line says {}, but the log holds {verified}",
                counted(*recorded, "event")
            ),
        }
    }
}

fn book_outcome_text(outcome: &Outcome) -> String {
    Book::ending(outcome).to_string()
}

/// What `replay` is asked besides the log, whatever its model.
pub(crate) struct ReplayOptions {
    /// Print the events (text format) while verifying.
    pub show: bool,
    /// Seconds per simulated time unit (the book's tick, the dispatch
    /// model's minute) to sleep between events.
    pub delay: Option<f64>,
    /// No progress bar.
    pub quiet: bool,
}

impl ReplayOptions {
    fn of(args: &ReplayArgs) -> Self {
        Self {
            show: args.show,
            delay: args.delay,
            quiet: args.quiet,
        }
    }

    /// The pace of a paced replay, if any.
    pub(crate) fn seconds_per_unit(&self) -> Option<f64> {
        self.delay.filter(|&seconds| seconds > 0.0)
    }

    /// `--show`'s output of model `M`'s events, if asked for: the text
    /// format on stdout, flushed after each event when paced.
    pub(crate) fn show_sink<M: Model>(&self) -> anyhow::Result<Option<ModelSink<M>>> {
        if !self.show {
            return Ok(None);
        }
        crate::stdio::check_stdout_open().context("could not write stdout")?;
        let mut sink: ModelSink<M> = Sink::stdout(Box::new(text::Text));
        sink.set_eager(self.delay.is_some());
        Ok(Some(sink))
    }
}

/// Why `--show` could not print an event.
#[derive(Debug)]
pub(crate) enum ShowFailure {
    /// Its reader went away (`--show | head`): the replay ends quietly.
    StdoutGone,
    /// Any other failure to print: an error, not a fault of the log.
    Failed(SinkError),
}

/// Prints a verified event if `--show` asked for it.
#[inline]
pub(crate) fn show<M: Model>(
    show: &mut Option<ModelSink<M>>,
    event: &M::Event,
) -> Result<(), ShowFailure> {
    match show.as_mut().map(|sink| sink.event(event)) {
        Some(Err(error)) if error.is_broken_pipe() => Err(ShowFailure::StdoutGone),
        Some(Err(error)) => Err(ShowFailure::Failed(error)),
        _ => Ok(()),
    }
}

/// Prints the events shown so far (a reader gone away is no error).
pub(crate) fn flush_show<M: Model>(show: &mut Option<ModelSink<M>>) -> Result<(), SinkError> {
    match show.as_mut().map(Sink::flush) {
        Some(Err(error)) if !error.is_broken_pipe() => Err(error),
        _ => Ok(()),
    }
}

/// Completes `--show`'s output of a verified log.
pub(crate) fn finish_show<M: Model>(
    show: Option<ModelSink<M>>,
    end: &RunEnd<M>,
) -> Result<(), SinkError> {
    match show.map(|sink| sink.finish(end)) {
        Some(Err(error)) if !error.is_broken_pipe() => Err(error),
        _ => Ok(()),
    }
}

/// How a replay ended, whatever the log's model.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Every event, the outcome and the summary are the re-simulation's.
    Identical {
        /// Events verified.
        verified: u64,
        /// The recorded outcome, in words.
        ending: String,
    },
    /// The first difference, in words.
    Mismatch(String),
    /// Ctrl-C.
    Interrupted {
        /// Events verified before it.
        verified: u64,
    },
    /// `--show`'s reader went away.
    StdoutGone,
}

impl Verdict {
    /// A mismatch, once the events verified before it are shown.
    pub(crate) fn mismatch<M: Model>(
        show: &mut Option<ModelSink<M>>,
        difference: String,
    ) -> Result<Self, SinkError> {
        flush_show(show)?;
        Ok(Verdict::Mismatch(difference))
    }
}

/// What the verdict's message names of the log.
pub(crate) struct LogFacts<'a> {
    /// The log's name.
    pub name: &'a str,
    /// Its seed.
    pub seed: u64,
    /// Its generator.
    pub rng: RngKind,
    /// Its scenario's name.
    pub scenario: &'a str,
    /// The taxi-sim version that wrote it.
    pub written_by: &'a str,
}

/// Says the verdict on stderr, in one wording for every model, and returns
/// the exit code.
pub(crate) fn report(verdict: &Verdict, log: &LogFacts) -> Exit {
    let name = log.name;
    match verdict {
        Verdict::Identical { verified, ending } => {
            crate::say!(
                "replay: verified {} of '{name}' (seed {}, generator {}, scenario '{}', written by taxi-sim {}): identical, ending {ending}",
                counted(*verified, "event"),
                log.seed,
                log.rng,
                crate::stdio::printable(log.scenario),
                crate::stdio::printable(log.written_by),
            );
            Exit::Success
        }
        Verdict::Mismatch(difference) => {
            crate::say!("replay: MISMATCH in '{name}': {difference}");
            crate::say!(
                "replay: the log does not match a re-simulation with seed {} and generator {}",
                log.seed,
                log.rng
            );
            Exit::Failure
        }
        Verdict::Interrupted { verified } => {
            crate::say!(
                "taxi-sim: replay interrupted after verifying {}",
                counted(*verified, "event")
            );
            Exit::Interrupted
        }
        Verdict::StdoutGone if interrupt::stop_requested() => Exit::Interrupted,
        Verdict::StdoutGone => Exit::Success,
    }
}

/// Re-simulates and compares, event by event.
struct Verifier<R: RandomSource> {
    sim: TaxiSimulator<R>,
    minutes_per_tick: f64,
    verified: u64,
    difference: Option<Difference>,
    show: Option<BookSink>,
    seconds_per_tick: Option<f64>,
    interrupted: bool,
    progress: Progress,
    last_time: Tick,
    /// `--show` stopped the replay.
    show_failure: Option<ShowFailure>,
}

/// The error that stops reading a log once a difference is found.
pub(crate) const STOP_READING: &str = "taxi-sim: stop reading";

impl<R: RandomSource> Verifier<R> {
    /// Compares the next recorded event with the next re-simulated one.
    /// `false` means stop: a difference was found or Ctrl-C was pressed.
    fn check(&mut self, recorded: RecordedEvent) -> anyhow::Result<bool> {
        if let Some(seconds_per_tick) = self.seconds_per_tick {
            let ticks = recorded.time.saturating_sub(self.last_time);
            if interrupt::sleep(interrupt::pause_for(ticks, seconds_per_tick)) {
                self.interrupted = true;
                return Ok(false);
            }
        } else if self.verified.is_multiple_of(progress::CHECK_EVERY) && interrupt::stop_requested()
        {
            self.interrupted = true;
            return Ok(false);
        }
        self.last_time = recorded.time;
        let index = self.verified + 1;
        match self.sim.step()? {
            Step::Event(event) => {
                let simulated = RecordedEvent::from(event);
                if simulated != recorded {
                    self.difference = Some(Difference::Event {
                        index,
                        recorded,
                        simulated,
                    });
                    return Ok(false);
                }
                if let Err(failure) = show::<Book>(&mut self.show, &event) {
                    self.show_failure = Some(failure);
                    return Ok(false);
                }
            }
            Step::Stopped(outcome) => {
                self.difference = Some(Difference::LogLonger {
                    index,
                    recorded,
                    outcome,
                });
                return Ok(false);
            }
        }
        self.verified = index;
        if self.verified.is_multiple_of(progress::CHECK_EVERY) || self.seconds_per_tick.is_some() {
            self.progress.update(recorded.time, self.verified);
        }
        Ok(true)
    }

    /// After the last recorded event: the re-simulation must end the same way.
    fn finish(&mut self, recorded: &Outcome, summary: &Summary, count: u64) -> anyhow::Result<()> {
        if count != self.verified {
            self.difference = Some(Difference::EventCount {
                recorded: count,
                verified: self.verified,
            });
            return Ok(());
        }
        let simulated = match recorded.reason {
            // The recorded run was cut short: stop the re-simulation there
            // too, unless it ends there by itself: then a run would have
            // said so (end_time or end_of_events), and the reason is false.
            StopReason::Interrupted | StopReason::EventLimit => {
                let reason = self.sim.stops_by_itself().unwrap_or(recorded.reason);
                self.sim.stop_now(reason)
            }
            StopReason::EndOfEvents | StopReason::EndTime => match self.sim.step()? {
                Step::Stopped(outcome) => outcome,
                Step::Event(event) => {
                    self.difference = Some(Difference::LogShorter {
                        index: self.verified + 1,
                        simulated: event.into(),
                    });
                    return Ok(());
                }
            },
        };
        if simulated != *recorded {
            self.difference = Some(Difference::Outcome {
                recorded: *recorded,
                simulated,
            });
        } else if taxi::summary(&self.sim, &simulated, self.minutes_per_tick) != *summary {
            self.difference = Some(Difference::Summary);
        }
        Ok(())
    }
}

/// Reads a document's `schema_version` into its option, skipping the rest.
struct PeekVersion<'a>(&'a mut Option<u64>);

impl<'de> DeserializeSeed<'de> for PeekVersion<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PeekVersion<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a taxi-sim event log object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "schema_version" {
                *self.0 = map.next_value::<serde_json::Value>()?.as_u64();
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Which kind of log a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogKind {
    Document,
    Lines,
}

/// The log's bytes, readable from the start as often as needed: the file
/// itself, or for stdin and pipes (`replay -`, `replay <(...)`) a copy in
/// an anonymous temporary file, since a pipe can be read only once and a
/// document is read twice.
pub(crate) struct LogSource {
    file: File,
    /// The log's name for messages (`(stdin)` for `-`).
    pub(crate) name: String,
    /// The copy of a pipe, removed when the replay ends.
    _spool: Option<tempfile::NamedTempFile>,
}

impl LogSource {
    pub(crate) fn open(path: &Path) -> anyhow::Result<Self> {
        let name = if path.as_os_str() == "-" {
            "(stdin)".to_string()
        } else {
            crate::stdio::printable(&path.display().to_string()).into_owned()
        };
        let could_not = || format!("could not read log '{name}'");
        let spooled = |reader: &mut dyn std::io::Read| -> anyhow::Result<Self> {
            let spool = Self::spool(reader).with_context(could_not)?;
            Ok(Self {
                file: spool.reopen().with_context(could_not)?,
                name: name.clone(),
                _spool: Some(spool),
            })
        };
        if path.as_os_str() == "-" {
            return spooled(&mut std::io::stdin().lock());
        }
        let mut file = File::open(path).with_context(could_not)?;
        if file.metadata().with_context(could_not)?.is_file() {
            Ok(Self {
                file,
                name: name.clone(),
                _spool: None,
            })
        } else {
            spooled(&mut file)
        }
    }

    fn spool(reader: &mut dyn std::io::Read) -> std::io::Result<tempfile::NamedTempFile> {
        let mut copy = tempfile::NamedTempFile::new()?;
        std::io::copy(reader, &mut copy)?;
        Ok(copy)
    }

    /// The schema version the log declares (`None` if it declares none):
    /// the first line's `data` of JSON Lines, or a document's key (read
    /// streaming, its events skipped).
    fn schema_version(&self, kind: LogKind) -> anyhow::Result<Option<u64>> {
        #[derive(Deserialize)]
        struct Peek {
            schema_version: Option<u64>,
        }
        #[derive(Deserialize)]
        struct PeekLine {
            data: Option<Peek>,
        }
        let reader = self.reader()?;
        Ok(match kind {
            LogKind::Lines => match reader.lines().next() {
                Some(Ok(first)) => serde_json::from_str::<PeekLine>(&first)
                    .ok()
                    .and_then(|line| line.data?.schema_version),
                _ => None,
            },
            LogKind::Document => {
                // Kept as soon as it is read: a document cut after its
                // header is still its model's to explain.
                let mut version = None;
                let mut deserializer = serde_json::Deserializer::from_reader(reader);
                let _ = PeekVersion(&mut version).deserialize(&mut deserializer);
                version
            }
        })
    }

    /// A reader from the first byte.
    pub(crate) fn reader(&self) -> anyhow::Result<BufReader<File>> {
        use std::io::Seek;
        let mut file = self
            .file
            .try_clone()
            .with_context(|| format!("could not read log '{}'", self.name))?;
        file.rewind()
            .with_context(|| format!("could not read log '{}'", self.name))?;
        Ok(BufReader::with_capacity(1 << 16, file))
    }

    /// The kind of log, from its first bytes (not its name): a JSON Lines
    /// log starts with a header line `{"type":...`, a document with `{`.
    /// Anything else is named for what it looks like.
    /// Whether the first line is a whole JSON Lines envelope
    /// (`{"type": .., "data": ..}` with its keys in any order, as a JSON tool
    /// may rewrite it); a document's first line is never a whole object.
    fn first_line_is_an_envelope(&self) -> anyhow::Result<bool> {
        use std::io::Read;
        const LONGEST_HEADER: u64 = 16 << 20;
        let mut line = Vec::new();
        self.reader()?
            .take(LONGEST_HEADER)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("could not read log '{}'", self.name))?;
        Ok(serde_json::from_slice::<serde_json::Value>(&line)
            .ok()
            .and_then(|value| {
                let object = value.as_object()?;
                Some(object.contains_key("type") && object.contains_key("data"))
            })
            .unwrap_or(false))
    }

    fn kind(&self) -> anyhow::Result<LogKind> {
        let mut start = Vec::new();
        let mut reader = self.reader()?;
        loop {
            let buffer = reader
                .fill_buf()
                .with_context(|| format!("could not read log '{}'", self.name))?;
            if buffer.is_empty() || start.len() >= 256 {
                break;
            }
            let take = buffer.len().min(256 - start.len());
            start.extend_from_slice(&buffer[..take]);
            reader.consume(take);
        }
        let text = String::from_utf8_lossy(&start);
        let trimmed = text.trim_start();
        let fail = |what: &str| {
            Err(anyhow!(
                "malformed log '{}': not a taxi-sim event log: {what}",
                self.name
            ))
        };
        if trimmed.is_empty() {
            return fail("it is empty");
        }
        if trimmed.starts_with('\u{feff}') {
            return fail(
                "it starts with a byte-order mark (U+FEFF), which a JSON log may not have",
            );
        }
        if let Some(rest) = trimmed.strip_prefix('{') {
            return Ok(
                // A document's first key is never `type` or `data`: an
                // envelope's are, whatever a JSON tool did to the lines.
                if ["\"type\"", "\"data\""]
                    .iter()
                    .any(|key| rest.trim_start().starts_with(key))
                    || self.first_line_is_an_envelope()?
                {
                    LogKind::Lines
                } else {
                    LogKind::Document
                },
            );
        }
        if trimmed.starts_with("time,taxi,action")
            || trimmed.starts_with("time,taxi,passenger,action")
        {
            return fail(
                "it is a CSV export, which holds only the events; replay reads the .json and .jsonl logs of `run --export`",
            );
        }
        if trimmed.starts_with("taxi:") {
            return fail(
                "it is the text format, which holds only the events; replay reads the .json and .jsonl logs of `run --export`",
            );
        }
        fail("it does not start with a JSON object")
    }
}

/// `taxi-sim replay`: one path for every model. The log is read whatever
/// its name (stdin and pipes too), its kind is told by its first bytes, its
/// model by its `schema_version`; `--show`, `--delay` and the verdict are
/// the same for every model.
pub fn replay(args: &ReplayArgs) -> anyhow::Result<Exit> {
    let source = LogSource::open(&args.log)?;
    let kind = source.kind()?;
    // Installs the Ctrl-C handler: the verifiers poll the flag it raises.
    interrupt::stop_flag();
    let options = ReplayOptions::of(args);
    if source.schema_version(kind)? == Some(Dispatch::LOG_SCHEMA_VERSION.into()) {
        return crate::models::dispatch::replay::replay(&source, kind == LogKind::Lines, &options);
    }
    // The book's, or a log no model reads: the book's reader says why.
    replay_book(&source, kind, &options)
}

/// Replays a book log (`schema_version` 1).
fn replay_book(source: &LogSource, kind: LogKind, args: &ReplayOptions) -> anyhow::Result<Exit> {
    let name = source.name.clone();
    let malformed = |what: String| anyhow!("malformed log '{name}': {what}");

    // The settings, and for a document its outcome and summary (first pass).
    let (header, document_end) = match kind {
        LogKind::Lines => {
            let mut reader = source.reader()?;
            let mut line = String::new();
            reader
                .read_line(&mut line)
                .with_context(|| format!("could not read log '{name}'"))?;
            let first: serde_json::Value = serde_json::from_str(&line).map_err(|error| {
                // `jq .` spreads each object over many lines; `jq -c .` does not.
                let hint = if line.trim() == "{" {
                    " (a JSON Lines log holds one object per line: was it pretty-printed? `jq -c .` writes it back)"
                } else {
                    ""
                };
                malformed(format!("line 1 is not valid JSON: {error}{hint}"))
            })?;
            check_version(
                first
                    .get("data")
                    .and_then(|data| data.get("schema_version")?.as_u64()),
                &name,
            )?;
            match LogLine::parse(&line) {
                Ok(LogLine::Header(header)) => (header, None),
                Ok(_) => return Err(malformed("line 1 is not the header".into())),
                Err(error) => return Err(malformed(format!("line 1: {error}"))),
            }
        }
        LogKind::Document => {
            let scan =
                scan_document(source.reader()?).map_err(|error| malformed(error.to_string()))?;
            check_version(Some(scan.header.schema_version.into()), &name)?;
            (scan.header, Some((scan.outcome, scan.summary, scan.events)))
        }
    };
    check_version(Some(header.schema_version.into()), &name)?;
    // A header that contradicts itself was edited: the log does not match.
    let checked = header
        .seed()
        .and_then(|seed| Ok((seed, header.scenario_with(seed)?)));
    let (seed, recorded_scenario) = match checked {
        Ok(checked) => checked,
        Err(what) => {
            crate::say!("replay: MISMATCH in '{name}': {what}");
            return Ok(Exit::Failure);
        }
    };
    let overrides = Overrides {
        seed: Some(seed),
        rng: Some(header.rng),
        ..Overrides::default()
    };
    let scenario_text = recorded_scenario.to_string();
    let scenario = Scenario::parse(
        &scenario_text,
        crate::scenario::Format::Json,
        &format!("{name} (recorded scenario)"),
        &overrides,
    )?;
    crate::app::check_scenario_memory(&scenario)?;

    let context = ReplayContext {
        source,
        kind,
        scenario: &scenario,
        show: args.show_sink::<Book>()?,
        seconds_per_tick: args.seconds_per_unit(),
        progress: Progress::new(
            progress::wanted_beside_events(args.quiet, args.show),
            scenario.end_time,
        ),
        document_end,
        seed,
    };
    match header.rng {
        RngKind::Cpython => verify(context, CpythonRandom::new(seed), true, &header),
        RngKind::Pcg64 => verify(context, rng::pcg64(seed), false, &header),
    }
}

fn check_version(version: Option<u64>, name: &str) -> anyhow::Result<()> {
    match version {
        Some(version) if version == u64::from(LOG_SCHEMA_VERSION) => Ok(()),
        Some(version) => bail!(
            "log '{name}' has schema_version {version}; this taxi-sim reads version {LOG_SCHEMA_VERSION} (the book model's logs) and {} (the dispatch model's)",
            Dispatch::LOG_SCHEMA_VERSION
        ),
        None => bail!("malformed log '{name}': no schema_version in its header"),
    }
}

struct ReplayContext<'a> {
    source: &'a LogSource,
    kind: LogKind,
    scenario: &'a Scenario,
    show: Option<BookSink>,
    seconds_per_tick: Option<f64>,
    progress: Progress,
    document_end: Option<(Outcome, Summary, u64)>,
    seed: u64,
}

fn verify<R: RandomSource>(
    context: ReplayContext,
    rng: R,
    cpython_tables: bool,
    header: &RecordedHeader,
) -> anyhow::Result<Exit> {
    let scenario = context.scenario;
    let source = context.source;
    let name = source.name.as_str();
    let malformed = |what: String| anyhow!("malformed log '{name}': {what}");
    let sim = taxi::simulator(
        scenario.plans(),
        &scenario.duration_sets(),
        rng,
        cpython_tables,
        scenario.end_time,
    )?;
    let mut verifier = Verifier {
        sim,
        minutes_per_tick: scenario.minutes_per_tick,
        verified: 0,
        difference: None,
        show: context.show,
        seconds_per_tick: context.seconds_per_tick,
        interrupted: false,
        progress: context.progress,
        last_time: 0,
        show_failure: None,
    };

    let end = match context.kind {
        LogKind::Lines => verify_lines(source.reader()?, &mut verifier, name)?,
        LogKind::Document => {
            let result = {
                let mut deserializer = serde_json::Deserializer::from_reader(source.reader()?);
                EachEvent::new(|event: RecordedEvent| {
                    verifier.check(event).map_err(|error| format!("{error:#}"))
                })
                .deserialize(&mut deserializer)
                .and_then(|()| deserializer.end())
            };
            match result {
                Ok(()) => {}
                Err(_)
                    if verifier.difference.is_some()
                        || verifier.interrupted
                        || verifier.show_failure.is_some() => {}
                Err(error) => return Err(malformed(error.to_string())),
            }
            context.document_end
        }
    };
    verifier.progress.finish();
    let facts = LogFacts {
        name,
        seed: context.seed,
        rng: header.rng,
        scenario: &scenario.name,
        written_by: &header.taxi_sim_version,
    };
    let verdict = match verifier.show_failure {
        Some(ShowFailure::Failed(error)) => return Err(error.into()),
        Some(ShowFailure::StdoutGone) => Verdict::StdoutGone,
        None if verifier.interrupted => {
            flush_show(&mut verifier.show)?;
            Verdict::Interrupted {
                verified: verifier.verified,
            }
        }
        None => {
            if verifier.difference.is_none()
                && let Some((outcome, summary, count)) = &end
            {
                verifier.finish(outcome, summary, *count)?;
            }
            match (verifier.difference.take(), end) {
                (Some(difference), _) => {
                    Verdict::mismatch(&mut verifier.show, difference.to_string())?
                }
                (None, None) => {
                    return Err(malformed(format!(
                        "truncated: no end line after {}",
                        counted(verifier.verified, "event")
                    )));
                }
                (None, Some((outcome, summary, _))) => {
                    finish_show(
                        verifier.show.take(),
                        &RunEnd::<Book> {
                            outcome: &outcome,
                            summary: &summary,
                        },
                    )?;
                    Verdict::Identical {
                        verified: verifier.verified,
                        ending: book_outcome_text(&outcome),
                    }
                }
            }
        }
    };
    Ok(report(&verdict, &facts))
}

/// Reads JSON Lines after the header; returns the end line's data, or `None`
/// if the file ends without one (or the check stopped early).
fn verify_lines<R: RandomSource>(
    mut reader: BufReader<File>,
    verifier: &mut Verifier<R>,
    name: &str,
) -> anyhow::Result<Option<(Outcome, Summary, u64)>> {
    let malformed = |what: String| anyhow!("malformed log '{name}': {what}");
    let mut line = String::new();
    let mut number = 0u64;
    let mut end = None;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("could not read log '{name}'"))?;
        if read == 0 {
            break;
        }
        number += 1;
        if number == 1 {
            continue; // the header, already read
        }
        if end.is_some() {
            if line.trim().is_empty() {
                continue;
            }
            return Err(malformed(format!(
                "line {number}: content after the end line"
            )));
        }
        if !line.ends_with('\n') {
            return Err(malformed(format!(
                "line {number} is cut off: truncated file"
            )));
        }
        match LogLine::parse(&line) {
            Ok(LogLine::Event(event)) => {
                if !verifier.check(event)? {
                    return Ok(None);
                }
            }
            Ok(LogLine::End {
                outcome,
                summary,
                events,
            }) => end = Some((outcome, summary, events)),
            Ok(LogLine::Header(_)) => {
                return Err(malformed(format!("line {number}: a second header")));
            }
            Err(error) => return Err(malformed(format!("line {number}: {error}"))),
        }
    }
    Ok(end)
}

/// First pass over a JSON document: everything but the events, which are
/// only checked for shape and counted.
struct DocumentScan {
    header: RecordedHeader,
    outcome: Outcome,
    summary: Summary,
    events: u64,
}

fn scan_document(reader: BufReader<File>) -> Result<DocumentScan, serde_json::Error> {
    struct ScanVisitor;

    impl<'de> Visitor<'de> for ScanVisitor {
        type Value = DocumentScan;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a taxi-sim event log object")
        }

        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<DocumentScan, M::Error> {
            let mut fields = serde_json::Map::new();
            let mut events = None;
            let mut outcome = None;
            let mut summary = None;
            while let Some(key) = map.next_key::<String>()? {
                let duplicate = fields.contains_key(&key)
                    || (key == "events" && events.is_some())
                    || (key == "outcome" && outcome.is_some())
                    || (key == "summary" && summary.is_some());
                if duplicate {
                    return Err(de::Error::custom(format!("duplicate field `{key}`")));
                }
                match key.as_str() {
                    "events" => events = Some(map.next_value::<EventCount>()?.0),
                    "outcome" => outcome = Some(map.next_value::<Outcome>()?),
                    "summary" => summary = Some(map.next_value::<Summary>()?),
                    "schema_version" => {
                        let version = map.next_value::<serde_json::Value>()?;
                        if version.as_u64() != Some(LOG_SCHEMA_VERSION.into()) {
                            return Err(de::Error::custom(format!(
                                "unsupported schema_version {version}; this taxi-sim reads version {LOG_SCHEMA_VERSION}"
                            )));
                        }
                        fields.insert(key, version);
                    }
                    _ => {
                        fields.insert(key, map.next_value::<crate::strict_json::StrictValue>()?.0);
                    }
                }
            }
            let header: RecordedHeader = serde_json::from_value(serde_json::Value::Object(fields))
                .map_err(de::Error::custom)?;
            Ok(DocumentScan {
                header,
                outcome: outcome.ok_or_else(|| de::Error::missing_field("outcome"))?,
                summary: summary.ok_or_else(|| de::Error::missing_field("summary"))?,
                events: events.ok_or_else(|| de::Error::missing_field("events"))?,
            })
        }
    }

    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let scan = deserializer.deserialize_map(ScanVisitor)?;
    deserializer.end()?;
    Ok(scan)
}

/// Counts the events of an array, checking each one's shape.
struct EventCount(u64);

impl<'de> Deserialize<'de> for EventCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> Visitor<'de> for CountVisitor {
            type Value = EventCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of events")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<EventCount, S::Error> {
                let mut count = 0;
                while seq.next_element::<RecordedEvent>()?.is_some() {
                    count += 1;
                }
                Ok(EventCount(count))
            }
        }
        deserializer.deserialize_seq(CountVisitor)
    }
}

/// Hands each event of a log document's `events` array to `each` as it is
/// read (other keys are skipped), for every model's second pass: `each`
/// answers `Ok(false)` to stop reading ([`STOP_READING`]), or an error.
pub(crate) struct EachEvent<E, F> {
    each: F,
    event: PhantomData<fn() -> E>,
}

impl<E, F> EachEvent<E, F> {
    pub(crate) fn new(each: F) -> Self {
        Self {
            each,
            event: PhantomData,
        }
    }
}

impl<'de, E, F> DeserializeSeed<'de> for EachEvent<E, F>
where
    E: Deserialize<'de>,
    F: FnMut(E) -> Result<bool, String>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, E, F> Visitor<'de> for EachEvent<E, F>
where
    E: Deserialize<'de>,
    F: FnMut(E) -> Result<bool, String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a taxi-sim event log object")
    }

    fn visit_map<M: MapAccess<'de>>(mut self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                map.next_value_seed(EventArray {
                    each: &mut self.each,
                    event: self.event,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct EventArray<'a, E, F> {
    each: &'a mut F,
    event: PhantomData<fn() -> E>,
}

impl<'de, E, F> DeserializeSeed<'de> for EventArray<'_, E, F>
where
    E: Deserialize<'de>,
    F: FnMut(E) -> Result<bool, String>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, E, F> Visitor<'de> for EventArray<'_, E, F>
where
    E: Deserialize<'de>,
    F: FnMut(E) -> Result<bool, String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(event) = seq.next_element::<E>()? {
            match (self.each)(event) {
                Ok(true) => {}
                Ok(false) => return Err(de::Error::custom(STOP_READING)),
                Err(message) => return Err(de::Error::custom(message)),
            }
        }
        Ok(())
    }
}
