//! Reading an input as a stream: what kind it is (sweep or event log), and a
//! log's events one by one, in either JSON format, for both models.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, anyhow};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::interrupt;
use crate::progress::CHECK_EVERY;

/// An action of either model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Action {
    LeaveGarage,
    Request,
    PickUpPassenger,
    DropOffPassenger,
    Abandon,
    GoingHome,
}

impl Action {
    /// Whether the event belongs to a taxi (and must name it).
    fn is_taxis(self) -> bool {
        !matches!(self, Action::Request | Action::Abandon)
    }
}

/// An event as either model's log records it (the book's has no passenger;
/// times are whole ticks there and minutes here).
#[derive(Debug, Clone, Copy, Deserialize)]
pub(super) struct LogEvent {
    pub time: f64,
    #[serde(default)]
    pub taxi: Option<u64>,
    #[serde(default)]
    pub passenger: Option<u64>,
    pub action: Action,
}

/// The header fields a chart needs.
#[derive(Debug, Clone, Deserialize)]
struct Header {
    schema_version: u64,
    #[serde(default)]
    scenario: Option<serde_json::Value>,
}

/// One line of a JSON Lines log.
#[derive(Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Line {
    Header(Header),
    Event(LogEvent),
    End(IgnoredAny),
}

/// Which JSON format a log is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Document,
    Lines,
}

/// What the first pass learned of a log.
#[derive(Debug, Clone)]
pub(super) struct LogScan {
    pub format: Format,
    pub schema_version: u64,
    pub scenario: Option<serde_json::Value>,
    pub events: u64,
    /// The highest taxi id of any event.
    pub max_taxi: Option<u64>,
    /// The time of the last event.
    pub last_time: f64,
    /// Whether any event concerns a passenger (request, abandon, or a
    /// passenger field): the dispatch model.
    pub has_passengers: bool,
}

impl LogScan {
    /// Whether the log comes from the dispatch model.
    pub fn is_dispatch(&self) -> bool {
        self.has_passengers
            || self.schema_version >= 2
            || self
                .scenario_field("model")
                .and_then(|model| model.as_str())
                == Some("dispatch")
    }

    /// A field of the recorded scenario.
    pub fn scenario_field(&self, key: &str) -> Option<&serde_json::Value> {
        self.scenario.as_ref()?.get(key)
    }
}

/// The first look at an input.
pub(super) enum Scanned {
    Sweep,
    Log(LogScan),
    Interrupted,
}

/// Why walking a file stopped.
enum Stop {
    Interrupted,
    Invalid(anyhow::Error),
}

impl From<anyhow::Error> for Stop {
    fn from(error: anyhow::Error) -> Self {
        Stop::Invalid(error)
    }
}

/// The message by which the event callback's own errors and Ctrl-C cross
/// serde's error type; never shown.
const INTERRUPTED: &str = "taxi-sim: chart interrupted";

/// What a walk found besides the events.
#[derive(Default)]
struct Walked {
    header: Option<Header>,
    has_events: bool,
    has_points: bool,
    /// The document's `kind`, if it says (a sweep shard does).
    kind: Option<String>,
}

/// Calls `on_event` for each event of the file, in order; `on_event`'s
/// error message becomes the file's error.
fn walk(
    path: &Path,
    format: Format,
    on_event: &mut dyn FnMut(u64, &LogEvent) -> Result<(), String>,
) -> Result<Walked, Stop> {
    match format {
        Format::Lines => walk_lines(path, on_event, interrupt::stop_requested),
        Format::Document => walk_document(path, on_event, interrupt::stop_requested),
    }
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("could not read '{}'", path.display()))?;
    if file.metadata().is_ok_and(|metadata| metadata.is_dir()) {
        return Err(anyhow!(
            "could not read '{}': it is a directory",
            path.display()
        ));
    }
    Ok(BufReader::with_capacity(1 << 16, file))
}

/// Whether a file starts as a JSON Lines log does: `{"type"`, after any
/// white space (a bounded look, whatever the file's size).
fn looks_like_lines(path: &Path) -> anyhow::Result<bool> {
    let mut reader = open(path)?;
    let prefix = reader
        .fill_buf()
        .with_context(|| format!("could not read '{}'", path.display()))?;
    let mut rest = prefix.trim_ascii_start();
    let Some(after_brace) = rest.strip_prefix(b"{") else {
        return Ok(false);
    };
    rest = after_brace.trim_ascii_start();
    Ok(rest.starts_with(b"\"type\""))
}

/// The first pass: the input's kind and, for a log, its extent, checking
/// every event's shape and order.
pub(super) fn scan(path: &Path) -> anyhow::Result<Scanned> {
    let format = if looks_like_lines(path)? {
        Format::Lines
    } else {
        Format::Document
    };
    let mut max_taxi: Option<u64> = None;
    let mut last_time = 0.0f64;
    let mut has_passengers = false;
    let mut events = 0;
    let mut check = |index: u64, event: &LogEvent| -> Result<(), String> {
        events = index;
        if !event.time.is_finite() || event.time < 0.0 {
            return Err(format!(
                "event #{index} has time {}: times are numbers of minutes, 0 or more",
                event.time
            ));
        }
        if event.time < last_time {
            return Err(format!(
                "event #{index} at time {} comes after an event at time {last_time}: events must be in time order",
                event.time
            ));
        }
        last_time = event.time;
        match event.taxi {
            Some(taxi) => max_taxi = Some(max_taxi.map_or(taxi, |max| max.max(taxi))),
            None if event.action.is_taxis() => {
                return Err(format!("event #{index} ({:?}) names no taxi", event.action));
            }
            None => {}
        }
        has_passengers |= event.passenger.is_some() || !event.action.is_taxis();
        Ok(())
    };
    let walked = match walk(path, format, &mut check) {
        Ok(walked) => walked,
        Err(Stop::Interrupted) => return Ok(Scanned::Interrupted),
        Err(Stop::Invalid(error)) => return Err(error),
    };
    let events_seen = walked.has_events;
    if walked.has_points && !events_seen {
        return Ok(Scanned::Sweep);
    }
    if walked.kind.as_deref() == Some("taxi-sim sweep shard") {
        return Err(anyhow!(
            "'{}' is one shard of a sweep: merge the shards first (`taxi-sim merge SHARD... -f json -o sweep.json`), then chart the sweep",
            path.display()
        ));
    }
    let Some(header) = walked.header.filter(|_| events_seen) else {
        return Err(not_a_chart_input(path));
    };
    Ok(Scanned::Log(LogScan {
        format,
        schema_version: header.schema_version,
        scenario: header.scenario,
        events,
        max_taxi,
        last_time,
        has_passengers,
    }))
}

fn not_a_chart_input(path: &Path) -> anyhow::Error {
    anyhow!(
        "'{}' is neither a sweep (JSON with \"points\", from `taxi-sim sweep` or `merge`) nor an event log (JSON or JSON Lines with events, from `taxi-sim run --export`)",
        path.display()
    )
}

/// The second pass: every event of a scanned log, in order. `Ok(false)`:
/// interrupted.
pub(super) fn for_each_event(
    path: &Path,
    scan: &LogScan,
    on_event: &mut dyn FnMut(&LogEvent),
) -> anyhow::Result<bool> {
    match walk(path, scan.format, &mut |_, event| {
        on_event(event);
        Ok(())
    }) {
        Ok(_) => Ok(true),
        Err(Stop::Interrupted) => Ok(false),
        Err(Stop::Invalid(error)) => Err(error),
    }
}

fn malformed(path: &Path, what: impl fmt::Display) -> Stop {
    Stop::Invalid(anyhow!("malformed log '{}': {what}", path.display()))
}

/// Reads a JSON Lines log; `stop_requested` is asked every [`CHECK_EVERY`]
/// events (a parameter, so that a test can ask to stop without stopping
/// the whole process).
fn walk_lines(
    path: &Path,
    on_event: &mut dyn FnMut(u64, &LogEvent) -> Result<(), String>,
    stop_requested: fn() -> bool,
) -> Result<Walked, Stop> {
    let mut reader = open(path)?;
    let mut line = String::new();
    let mut number = 0u64;
    let mut events = 0u64;
    let mut walked = Walked::default();
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("could not read '{}'", path.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Line>(&line)
            .map_err(|error| malformed(path, format!("line {number}: {error}")))?;
        match (parsed, number) {
            (Line::Header(header), 1) => walked.header = Some(header),
            (_, 1) => return Err(malformed(path, "line 1 is not the header")),
            (Line::Header(_), _) => {
                return Err(malformed(path, format!("line {number}: a second header")));
            }
            (Line::Event(event), _) => {
                events += 1;
                walked.has_events = true;
                if events.is_multiple_of(CHECK_EVERY) && stop_requested() {
                    return Err(Stop::Interrupted);
                }
                on_event(events, &event)
                    .map_err(|what| malformed(path, format!("line {number}: {what}")))?;
            }
            (Line::End(_), _) => walked.has_events = true,
        }
    }
    Ok(walked)
}

/// Reads a JSON document (a log or a sweep), as [`walk_lines`] does.
fn walk_document(
    path: &Path,
    on_event: &mut dyn FnMut(u64, &LogEvent) -> Result<(), String>,
    stop_requested: fn() -> bool,
) -> Result<Walked, Stop> {
    let mut interrupted = false;
    let mut recognised = None;
    let mut deserializer = serde_json::Deserializer::from_reader(open(path)?);
    let result = DocumentVisitor {
        on_event,
        interrupted: &mut interrupted,
        recognised: &mut recognised,
        stop_requested,
    }
    .deserialize(&mut deserializer)
    .and_then(|walked| deserializer.end().map(|()| walked));
    match result {
        Ok(walked) => Ok(walked),
        Err(_) if interrupted => Err(Stop::Interrupted),
        Err(error) if error.is_io() => Err(Stop::Invalid(anyhow!(
            "could not read '{}': {error}",
            path.display()
        ))),
        Err(error) if recognised == Some("sweep") => Err(Stop::Invalid(anyhow!(
            "malformed sweep '{}': {error}",
            path.display()
        ))),
        Err(error) if recognised.is_some() => Err(malformed(path, error)),
        // Broken before anything of a log or a sweep was seen.
        Err(error) => Err(Stop::Invalid(anyhow!(
            "{} ({error})",
            not_a_chart_input(path)
        ))),
    }
}

struct DocumentVisitor<'a> {
    on_event: &'a mut dyn FnMut(u64, &LogEvent) -> Result<(), String>,
    interrupted: &'a mut bool,
    /// Set at the first key of a log or a sweep: errors from then on are
    /// about a malformed file of that kind.
    recognised: &'a mut Option<&'static str>,
    stop_requested: fn() -> bool,
}

impl<'de> DeserializeSeed<'de> for DocumentVisitor<'_> {
    type Value = Walked;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Walked, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
    type Value = Walked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Walked, M::Error> {
        let mut walked = Walked::default();
        let mut schema_version = None;
        let mut scenario = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "events" => {
                    *self.recognised = Some("log");
                    map.next_value_seed(EventsVisitor {
                        on_event: &mut *self.on_event,
                        interrupted: &mut *self.interrupted,
                        stop_requested: self.stop_requested,
                    })?;
                    walked.has_events = true;
                }
                "points" => {
                    *self.recognised = Some("sweep");
                    map.next_value::<IgnoredAny>()?;
                    walked.has_points = true;
                }
                "kind" => walked.kind = map.next_value::<Value>()?.as_str().map(str::to_string),
                "schema_version" => schema_version = Some(map.next_value::<u64>()?),
                "scenario" => scenario = Some(map.next_value::<serde_json::Value>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        walked.header = schema_version.map(|schema_version| Header {
            schema_version,
            scenario,
        });
        Ok(walked)
    }
}

struct EventsVisitor<'a> {
    on_event: &'a mut dyn FnMut(u64, &LogEvent) -> Result<(), String>,
    interrupted: &'a mut bool,
    stop_requested: fn() -> bool,
}

impl<'de> DeserializeSeed<'de> for EventsVisitor<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0u64;
        while let Some(event) = seq.next_element::<LogEvent>()? {
            index += 1;
            if index.is_multiple_of(CHECK_EVERY) && (self.stop_requested)() {
                *self.interrupted = true;
                return Err(de::Error::custom(INTERRUPTED));
            }
            (self.on_event)(index, &event).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod bite_tests {
    use std::path::PathBuf;

    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn scanned(path: &Path) -> LogScan {
        match scan(path).unwrap() {
            Scanned::Log(scan) => scan,
            Scanned::Sweep => panic!("{} read as a sweep", path.display()),
            Scanned::Interrupted => panic!("{} interrupted", path.display()),
        }
    }

    fn error(path: &Path) -> String {
        match scan(path) {
            Ok(_) => panic!("{} accepted", path.display()),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_stop_asked_while_a_log_is_read_is_an_interruption_not_a_malformed_log() {
        let dir = tempfile::tempdir().unwrap();
        let event = r#"{"time":0,"taxi":0,"action":"leave_garage"}"#;
        let count = CHECK_EVERY as usize;
        let document = write(
            &dir,
            "log.json",
            &format!(
                r#"{{"schema_version":1,"events":[{}]}}"#,
                vec![event; count].join(",")
            ),
        );
        let lines = write(
            &dir,
            "log.jsonl",
            &format!(
                "{{\"type\":\"header\",\"data\":{{\"schema_version\":1}}}}\n{}\n",
                vec![format!(r#"{{"type":"event","data":{event}}}"#); count].join("\n")
            ),
        );
        let seen = std::cell::Cell::new(0);
        let mut count_events = |_: u64, _: &LogEvent| {
            seen.set(seen.get() + 1);
            Ok(())
        };
        assert!(matches!(
            walk_document(&document, &mut count_events, || true),
            Err(Stop::Interrupted)
        ));
        assert!(matches!(
            walk_lines(&lines, &mut count_events, || true),
            Err(Stop::Interrupted)
        ));
        // Asked at the last event, before it is handed on.
        assert_eq!(seen.get(), 2 * (count - 1));
        assert!(walk_document(&document, &mut count_events, || false).is_ok());
        assert!(walk_lines(&lines, &mut count_events, || false).is_ok());
    }

    const BOOK_EVENTS: &str = r#"{"time":0,"taxi":0,"action":"leave_garage"},
        {"time":0,"taxi":2,"action":"leave_garage"},
        {"time":3,"taxi":0,"action":"pick_up_passenger"},
        {"time":3,"taxi":0,"action":"drop_off_passenger"}"#;

    /// The events of `BOOK_EVENTS` as JSON Lines, after `header`.
    fn book_lines(header: &str) -> String {
        let mut text = format!("  {{ \"type\":\"header\",\"data\":{header}}}\n\n");
        for event in BOOK_EVENTS.split(",\n") {
            text.push_str(&format!(
                "{{\"type\":\"event\",\"data\":{}}}\n",
                event.trim()
            ));
        }
        text + "{\"type\":\"end\",\"data\":{\"events\":4}}\n"
    }

    /// The times of every event the second pass hands over.
    fn times(path: &Path, scan: &LogScan) -> Vec<f64> {
        let mut times = Vec::new();
        assert!(for_each_event(path, scan, &mut |event| times.push(event.time)).unwrap());
        times
    }

    #[test]
    fn a_book_log_in_either_format_is_scanned_for_its_fleet_and_time_span() {
        let dir = tempfile::tempdir().unwrap();
        let header = r#"{"schema_version":1,"scenario":{"name":"three"}}"#;
        let lines = write(&dir, "run.jsonl", &book_lines(header));
        let document = write(
            &dir,
            "run.json",
            &format!(
                r#"{{"schema_version":1,"other":[1],"scenario":{{"name":"three"}},"events":[{BOOK_EVENTS}]}}"#
            ),
        );
        for (path, format) in [(&lines, Format::Lines), (&document, Format::Document)] {
            let scan = scanned(path);
            assert_eq!(scan.format, format);
            assert_eq!(scan.schema_version, 1);
            assert_eq!(scan.events, 4);
            assert_eq!(scan.max_taxi, Some(2));
            assert_eq!(scan.last_time, 3.0);
            assert!(!scan.has_passengers);
            assert!(!scan.is_dispatch());
            assert_eq!(
                scan.scenario_field("name").and_then(Value::as_str),
                Some("three")
            );
            assert_eq!(times(path, &scan), [0.0, 0.0, 3.0, 3.0]);
        }
    }

    #[test]
    fn a_dispatch_log_is_told_by_its_passengers_its_version_or_its_model() {
        let dir = tempfile::tempdir().unwrap();
        let dispatch = |name: &str, version: u64, scenario: &str, events: &str| {
            let path = write(
                &dir,
                name,
                &format!(
                    r#"{{"schema_version":{version},"scenario":{scenario},"events":[{events}]}}"#
                ),
            );
            scanned(&path)
        };
        let request = r#"{"time":1,"passenger":0,"action":"request"},
            {"time":2,"passenger":0,"action":"abandon"}"#;
        let scan = dispatch("request.json", 1, "{}", request);
        assert!(scan.has_passengers && scan.is_dispatch());
        assert_eq!(scan.max_taxi, None);
        let ride = r#"{"time":1,"taxi":0,"passenger":0,"action":"pick_up_passenger"}"#;
        let scan = dispatch("ride.json", 1, "{}", ride);
        assert!(scan.has_passengers && scan.is_dispatch());
        let taxi = r#"{"time":1,"taxi":0,"action":"leave_garage"}"#;
        let scan = dispatch("version.json", 2, "{}", taxi);
        assert!(!scan.has_passengers && scan.is_dispatch());
        let scan = dispatch("model.json", 1, r#"{"model":"dispatch"}"#, taxi);
        assert!(!scan.has_passengers && scan.is_dispatch());
        let scan = dispatch("book.json", 1, r#"{"model":"book"}"#, taxi);
        assert!(!scan.is_dispatch());
    }

    #[test]
    fn events_must_have_times_of_0_or_more_in_order_and_taxi_events_a_taxi() {
        let dir = tempfile::tempdir().unwrap();
        let log = |name: &str, events: &str| {
            write(
                &dir,
                name,
                &format!(r#"{{"schema_version":1,"events":[{events}]}}"#),
            )
        };
        let negative = log(
            "negative.json",
            r#"{"time":-1,"taxi":0,"action":"leave_garage"}"#,
        );
        assert!(
            error(&negative).contains(
                "event #1 has time -1: times are numbers of minutes, 0 or more at line 1"
            ),
            "{}",
            error(&negative)
        );
        let backwards = log(
            "backwards.json",
            r#"{"time":2,"taxi":0,"action":"leave_garage"},
               {"time":1.5,"taxi":0,"action":"going_home"}"#,
        );
        assert!(
            error(&backwards).contains(
                "event #2 at time 1.5 comes after an event at time 2: events must be in time order"
            ),
            "{}",
            error(&backwards)
        );
        let no_taxi = log("no-taxi.json", r#"{"time":1,"action":"going_home"}"#);
        assert!(
            error(&no_taxi).contains("event #1 (GoingHome) names no taxi"),
            "{}",
            error(&no_taxi)
        );
    }

    #[test]
    fn a_sweep_a_shard_and_other_json_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let sweep = write(&dir, "sweep.json", r#"{"kind":"sweep","points":[{"a":1}]}"#);
        assert!(matches!(scan(&sweep).unwrap(), Scanned::Sweep));
        // Points beside events: a log all the same.
        let both = write(
            &dir,
            "both.json",
            r#"{"schema_version":1,"points":[],"events":[{"time":1,"taxi":4,"action":"leave_garage"}]}"#,
        );
        assert_eq!(scanned(&both).max_taxi, Some(4));
        let shard = write(
            &dir,
            "shard.json",
            r#"{"kind":"taxi-sim sweep shard","cells":[]}"#,
        );
        assert!(error(&shard).contains("is one shard of a sweep"));
        let neither = "is neither a sweep";
        let no_header = write(&dir, "no-header.json", r#"{"events":[]}"#);
        assert!(error(&no_header).contains(neither));
        let no_events = write(&dir, "no-events.json", r#"{"schema_version":1}"#);
        assert!(error(&no_events).contains(neither));
        let list = write(&dir, "list.json", "[1]");
        assert!(
            error(&list).contains("expected a JSON object"),
            "{}",
            error(&list)
        );
        let broken = write(&dir, "broken.json", r#"{"name": }"#);
        assert!(error(&broken).contains(neither), "{}", error(&broken));
    }

    #[test]
    fn a_broken_log_or_sweep_is_called_malformed_for_what_it_began_as() {
        let dir = tempfile::tempdir().unwrap();
        let log = write(&dir, "log.json", r#"{"schema_version":1,"events":5}"#);
        let message = error(&log);
        assert!(
            message.starts_with("malformed log '")
                && message.contains("invalid type: integer `5`, expected an array of events"),
            "{message}"
        );
        let sweep = write(&dir, "sweep.json", r#"{"points":[] "x"}"#);
        assert!(
            error(&sweep).starts_with("malformed sweep '"),
            "{}",
            error(&sweep)
        );
        let lines =
            "{\"type\":\"event\",\"data\":{\"time\":1,\"taxi\":0,\"action\":\"leave_garage\"}}\n";
        let headless = write(&dir, "headless.jsonl", lines);
        assert!(error(&headless).contains("line 1 is not the header"));
        let twice = write(
            &dir,
            "twice.jsonl",
            &book_lines(r#"{"schema_version":1}"#).replacen(
                "{\"type\":\"event\"",
                "{\"type\":\"header\",\"data\":{\"schema_version\":1}}\n{\"type\":\"event\"",
                1,
            ),
        );
        assert!(
            error(&twice).contains("line 3: a second header"),
            "{}",
            error(&twice)
        );
    }

    #[test]
    fn a_read_error_midway_is_reported_as_one() {
        // Reading this process's memory from address 0 fails with EIO.
        let mem = Path::new("/proc/self/mem");
        let Err(Stop::Invalid(error)) = walk_document(mem, &mut |_, _| Ok(()), || false) else {
            panic!("read");
        };
        assert!(
            error
                .to_string()
                .starts_with("could not read '/proc/self/mem'"),
            "{error}"
        );
    }

    #[test]
    fn a_long_log_is_read_to_its_end_past_each_check_for_ctrl_c() {
        let dir = tempfile::tempdir().unwrap();
        let count = CHECK_EVERY + 1;
        let mut lines = String::from("{\"type\":\"header\",\"data\":{\"schema_version\":1}}\n");
        let mut events = Vec::new();
        for index in 0..count {
            let event = format!(r#"{{"time":{index},"taxi":0,"action":"leave_garage"}}"#);
            lines.push_str(&format!("{{\"type\":\"event\",\"data\":{event}}}\n"));
            events.push(event);
        }
        let document = format!(r#"{{"schema_version":1,"events":[{}]}}"#, events.join(","));
        for path in [
            write(&dir, "long.jsonl", &lines),
            write(&dir, "long.json", &document),
        ] {
            let scan = scanned(&path);
            assert_eq!(scan.events, count);
            assert_eq!(times(&path, &scan).len() as u64, count);
        }
    }
}
