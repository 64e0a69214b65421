//! The dispatch model's event formats: text (a readable line per event),
//! CSV (`time,taxi,passenger,action`, empty cells for null), and JSON and
//! JSON Lines with the book's wrapper and envelope (`schema_version` 2).
//! They write through the same [`Sink`]s as the book's formats, so stdout,
//! atomic exports and broken pipes behave the same.

use std::io::{self, Write};

use serde::Serialize;

use super::scenario::DispatchScenario;
use super::summary::DispatchSummary;
use super::world::{DispatchEvent, DispatchOutcome};
use crate::output::{FormatKind, Sink, SinkError};
use crate::rng::RngKind;

/// Version of the dispatch model's logs.
pub const LOG_SCHEMA_VERSION: u32 = 2;

/// What a dispatch log records before its events.
#[derive(Debug, Clone, Serialize)]
pub struct DispatchHeader {
    /// Log format version (2).
    pub schema_version: u32,
    /// The taxi-sim that wrote the log.
    pub taxi_sim_version: &'static str,
    /// The seed used.
    pub seed: u64,
    /// The generator used.
    pub rng: RngKind,
    /// The resolved scenario (with the seed).
    pub scenario: DispatchScenario,
}

impl DispatchHeader {
    /// The header of a run of `scenario` with `seed`.
    pub fn new(scenario: &DispatchScenario, seed: u64) -> Self {
        let mut scenario = scenario.clone();
        scenario.seed = Some(seed);
        Self {
            schema_version: LOG_SCHEMA_VERSION,
            taxi_sim_version: env!("CARGO_PKG_VERSION"),
            seed,
            rng: scenario.rng,
            scenario,
        }
    }
}

/// What is known after the last event.
#[derive(Debug, Clone, Copy)]
pub struct DispatchEnd<'a> {
    /// How the run ended.
    pub outcome: &'a DispatchOutcome,
    /// Its measures.
    pub summary: &'a DispatchSummary,
}

/// An output format of the dispatch model.
pub trait DispatchFormat {
    /// Writes what comes before the events.
    fn header(&mut self, out: &mut dyn Write, header: &DispatchHeader) -> io::Result<()>;
    /// Appends one event.
    fn event(&mut self, out: &mut Vec<u8>, event: &DispatchEvent);
    /// Writes what comes after the events.
    fn footer(&mut self, out: &mut dyn Write, end: &DispatchEnd) -> io::Result<()>;
}

/// A fresh formatter of `kind`, or `None` for no events.
pub fn formatter(kind: FormatKind) -> Option<Box<dyn DispatchFormat>> {
    match kind {
        FormatKind::Text => Some(Box::new(Text)),
        FormatKind::Json => Some(Box::new(Json::default())),
        FormatKind::Jsonl => Some(Box::new(JsonLines)),
        FormatKind::Csv => Some(Box::new(Csv)),
        FormatKind::None => None,
    }
}

impl Sink<dyn DispatchFormat> {
    /// Writes the dispatch header.
    pub fn dispatch_header(&mut self, header: &DispatchHeader) -> Result<(), SinkError> {
        self.write_framing(|format, writer| format.header(writer, header))
    }

    /// Writes one dispatch event.
    #[inline]
    pub fn dispatch_event(&mut self, event: &DispatchEvent) -> Result<(), SinkError> {
        self.append(|format, buffer| format.event(buffer, event))
    }

    /// Writes the footer and completes the output.
    pub fn dispatch_finish(mut self, end: &DispatchEnd) -> Result<(), SinkError> {
        if self.is_closed() {
            return Ok(());
        }
        self.write_framing(|format, writer| format.footer(writer, end))?;
        self.complete()
    }
}

/// Appends a time: the shortest decimal that reads back as the same `f64`.
#[inline]
fn push_time(out: &mut Vec<u8>, time: f64) {
    // `{}` of an f64 is the shortest round-trip form, never an exponent.
    let _ = write!(out, "{time}");
}

/// One readable line per event.
#[derive(Debug, Default, Clone, Copy)]
pub struct Text;

impl DispatchFormat for Text {
    fn header(&mut self, _: &mut dyn Write, _: &DispatchHeader) -> io::Result<()> {
        Ok(())
    }

    fn event(&mut self, out: &mut Vec<u8>, event: &DispatchEvent) {
        let taxi = event.taxi.map_or("-".to_string(), |taxi| taxi.to_string());
        let passenger = event
            .passenger
            .map_or("-".to_string(), |passenger| passenger.to_string());
        let _ = writeln!(
            out,
            "{:>12.3}  taxi {taxi:>5}  passenger {passenger:>8}  {}",
            event.time,
            event.action.words()
        );
    }

    fn footer(&mut self, _: &mut dyn Write, _: &DispatchEnd) -> io::Result<()> {
        Ok(())
    }
}

/// `time,taxi,passenger,action`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Csv;

impl DispatchFormat for Csv {
    fn header(&mut self, out: &mut dyn Write, _: &DispatchHeader) -> io::Result<()> {
        out.write_all(b"time,taxi,passenger,action\n")
    }

    fn event(&mut self, out: &mut Vec<u8>, event: &DispatchEvent) {
        push_time(out, event.time);
        out.push(b',');
        if let Some(taxi) = event.taxi {
            out.extend_from_slice(itoa::Buffer::new().format(taxi).as_bytes());
        }
        out.push(b',');
        if let Some(passenger) = event.passenger {
            out.extend_from_slice(itoa::Buffer::new().format(passenger).as_bytes());
        }
        out.push(b',');
        out.extend_from_slice(event.action.key().as_bytes());
        out.push(b'\n');
    }

    fn footer(&mut self, _: &mut dyn Write, _: &DispatchEnd) -> io::Result<()> {
        Ok(())
    }
}

/// `{"time":T,"taxi":I|null,"passenger":P|null,"action":"A"}`.
fn push_event_object(out: &mut Vec<u8>, event: &DispatchEvent) {
    out.extend_from_slice(b"{\"time\":");
    push_time(out, event.time);
    out.extend_from_slice(b",\"taxi\":");
    match event.taxi {
        Some(taxi) => out.extend_from_slice(itoa::Buffer::new().format(taxi).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"passenger\":");
    match event.passenger {
        Some(passenger) => out.extend_from_slice(itoa::Buffer::new().format(passenger).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"action\":\"");
    out.extend_from_slice(event.action.key().as_bytes());
    out.extend_from_slice(b"\"}");
}

/// One JSON document, its events array written as the run goes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Json {
    events_written: bool,
}

impl DispatchFormat for Json {
    fn header(&mut self, out: &mut dyn Write, header: &DispatchHeader) -> io::Result<()> {
        let object = serde_json::to_string(header).map_err(io::Error::other)?;
        let fields = object
            .strip_suffix('}')
            .expect("a struct serializes to an object");
        write!(out, "{fields},\"events\":[")
    }

    fn event(&mut self, out: &mut Vec<u8>, event: &DispatchEvent) {
        if self.events_written {
            out.extend_from_slice(b",\n");
        } else {
            out.push(b'\n');
            self.events_written = true;
        }
        push_event_object(out, event);
    }

    fn footer(&mut self, out: &mut dyn Write, end: &DispatchEnd) -> io::Result<()> {
        out.write_all(b"\n],\"outcome\":")?;
        serde_json::to_writer(&mut *out, end.outcome)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, end.summary)?;
        out.write_all(b"}\n")
    }
}

/// JSON Lines: header, one line per event, end.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonLines;

#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Line<'a> {
    Header(&'a DispatchHeader),
    End {
        outcome: &'a DispatchOutcome,
        summary: &'a DispatchSummary,
        events: u64,
    },
}

impl DispatchFormat for JsonLines {
    fn header(&mut self, out: &mut dyn Write, header: &DispatchHeader) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &Line::Header(header))?;
        out.write_all(b"\n")
    }

    fn event(&mut self, out: &mut Vec<u8>, event: &DispatchEvent) {
        out.extend_from_slice(b"{\"type\":\"event\",\"data\":");
        push_event_object(out, event);
        out.extend_from_slice(b"}\n");
    }

    fn footer(&mut self, out: &mut dyn Write, end: &DispatchEnd) -> io::Result<()> {
        let line = Line::End {
            outcome: end.outcome,
            summary: end.summary,
            events: end.outcome.events,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::dispatch::world::DispatchAction;

    #[test]
    fn null_taxis_and_passengers_are_empty_csv_cells_and_json_nulls() {
        let event = DispatchEvent {
            time: 12.5,
            taxi: None,
            passenger: Some(3),
            action: DispatchAction::Request,
        };
        let mut csv = Vec::new();
        Csv.event(&mut csv, &event);
        assert_eq!(csv, b"12.5,,3,request\n");
        let mut json = Vec::new();
        push_event_object(&mut json, &event);
        let parsed: DispatchEvent = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed, event);
    }

    #[test]
    fn times_read_back_as_the_same_float() {
        for time in [0.1 + 0.2, 1e-9, 123456.789012345, 100.0] {
            let mut out = Vec::new();
            push_time(&mut out, time);
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.parse::<f64>().unwrap(), time, "{text}");
        }
    }
}
