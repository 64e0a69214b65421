//! The dispatch model's events in each format: text (a readable line per
//! event), CSV (`time,taxi,passenger,action`, empty cells for null), and
//! the objects of JSON and JSON Lines, which [`crate::output`] frames with
//! the book's wrapper and envelope (`schema_version` 2).

use std::io::Write;

use super::Dispatch;
use super::scenario::{Demand, DispatchScenario};
use super::summary::DispatchSummary;
use super::world::{DispatchEvent, DispatchOutcome};
use crate::model::{Ending, InputFile, LogEvent, Model};
use crate::output::push_u64;
use crate::rng::RngKind;

/// Version of the dispatch model's logs.
pub const LOG_SCHEMA_VERSION: u32 = 2;

impl Model for Dispatch {
    const NAME: &'static str = "dispatch";
    const LOG_SCHEMA_VERSION: u32 = LOG_SCHEMA_VERSION;
    const SEED_TEXT: bool = false;
    type Scenario = DispatchScenario;
    type Event = DispatchEvent;
    type Outcome = DispatchOutcome;
    type Summary = DispatchSummary;

    fn with_seed(scenario: &DispatchScenario, seed: u64) -> DispatchScenario {
        let mut scenario = scenario.clone();
        scenario.seed = Some(seed);
        scenario
    }

    fn rng(scenario: &DispatchScenario) -> RngKind {
        scenario.rng
    }

    fn ending(outcome: &DispatchOutcome) -> Ending {
        Ending {
            reason: outcome.reason,
            sim_time: crate::stdio::readable(outcome.sim_time),
            events: outcome.events,
            pending: outcome.pending,
        }
    }

    fn summary_lines(summary: &DispatchSummary) -> String {
        summary.short()
    }

    fn closing_line(_: &DispatchOutcome) -> Option<String> {
        None
    }

    fn input_files(scenario: &DispatchScenario) -> Vec<InputFile> {
        match &scenario.demand {
            Demand::File { file } => vec![InputFile {
                role: "demand file",
                path: file.clone(),
            }],
            _ => Vec::new(),
        }
    }
}

/// Appends a time: the shortest decimal that reads back as the same `f64`.
#[inline]
fn push_time(out: &mut Vec<u8>, time: f64) {
    // `{}` of an f64 is the shortest round-trip form, never an exponent.
    let _ = write!(out, "{time}");
}

/// Appends `value`, or `null` (`empty` for CSV: nothing).
#[inline]
fn push_optional(out: &mut Vec<u8>, value: Option<u64>, null: &[u8]) {
    match value {
        Some(value) => push_u64(out, value),
        None => out.extend_from_slice(null),
    }
}

impl LogEvent for DispatchEvent {
    const CSV_HEADER: &'static [u8] = b"time,taxi,passenger,action\n";

    /// `{"time":T,"taxi":I|null,"passenger":P|null,"action":"A"}`.
    fn push_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"time\":");
        push_time(out, self.time);
        out.extend_from_slice(b",\"taxi\":");
        push_optional(out, self.taxi.map(u64::from), b"null");
        out.extend_from_slice(b",\"passenger\":");
        push_optional(out, self.passenger, b"null");
        out.extend_from_slice(b",\"action\":\"");
        out.extend_from_slice(self.action.key().as_bytes());
        out.extend_from_slice(b"\"}");
    }

    fn push_csv(&self, out: &mut Vec<u8>) {
        push_time(out, self.time);
        out.push(b',');
        push_optional(out, self.taxi.map(u64::from), b"");
        out.push(b',');
        push_optional(out, self.passenger, b"");
        out.push(b',');
        out.extend_from_slice(self.action.key().as_bytes());
        out.push(b'\n');
    }

    fn push_text(&self, out: &mut Vec<u8>) {
        let taxi = self.taxi.map_or("-".to_string(), |taxi| taxi.to_string());
        let passenger = self
            .passenger
            .map_or("-".to_string(), |passenger| passenger.to_string());
        let _ = writeln!(
            out,
            "{:>12.3}  taxi {taxi:>5}  passenger {passenger:>8}  {}",
            self.time,
            self.action.words()
        );
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
        event.push_csv(&mut csv);
        assert_eq!(csv, b"12.5,,3,request\n");
        let mut json = Vec::new();
        event.push_json(&mut json);
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
