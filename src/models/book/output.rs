//! The book's events in each format, and its text format's closing line:
//! what [`crate::output`] frames for the book's runs.

use super::Book;
use super::TaxiEvent;
use super::summary::Summary;
use crate::engine::{Outcome, StopReason};
use crate::model::{Ending, LogEvent, Model};
use crate::output::push_u64;
use crate::rng::RngKind;
use crate::scenario::Scenario;

/// Version of the book's logs (JSON and JSON Lines).
pub const LOG_SCHEMA_VERSION: u32 = 1;

impl Model for Book {
    const NAME: &'static str = "book";
    const LOG_SCHEMA_VERSION: u32 = LOG_SCHEMA_VERSION;
    const SEED_TEXT: bool = true;
    type Scenario = Scenario;
    type Event = TaxiEvent;
    type Outcome = Outcome;
    type Summary = Summary;

    fn with_seed(scenario: &Scenario, seed: u64) -> Scenario {
        let mut scenario = scenario.clone();
        scenario.seed = Some(seed);
        scenario
    }

    fn rng(scenario: &Scenario) -> RngKind {
        scenario.rng
    }

    fn ending(outcome: &Outcome) -> Ending {
        Ending {
            reason: outcome.reason,
            sim_time: outcome.sim_time.to_string(),
            events: outcome.events,
            pending: outcome.pending,
        }
    }

    fn summary_lines(summary: &Summary) -> String {
        summary.short()
    }

    fn closing_line(outcome: &Outcome) -> Option<String> {
        Some(closing_line(outcome))
    }
}

/// Spaces copied in slices: the book indents taxi `i` by `3 * i` spaces.
static SPACES: [u8; 4096] = [b' '; 4096];

/// Appends `count` spaces.
#[inline(always)]
fn push_spaces(out: &mut Vec<u8>, mut count: usize) {
    while count > SPACES.len() {
        out.extend_from_slice(&SPACES);
        count -= SPACES.len();
    }
    out.extend_from_slice(&SPACES[..count]);
}

impl LogEvent for TaxiEvent {
    const CSV_HEADER: &'static [u8] = b"time,taxi,action\n";

    /// `{"time":T,"taxi":I,"action":"A"}`.
    #[inline(always)]
    fn push_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"time\":");
        push_u64(out, self.time);
        out.extend_from_slice(b",\"taxi\":");
        push_u64(out, self.proc_id.into());
        out.extend_from_slice(b",\"action\":\"");
        out.extend_from_slice(self.action.key().as_bytes());
        out.extend_from_slice(b"\"}");
    }

    #[inline(always)]
    fn push_csv(&self, out: &mut Vec<u8>) {
        push_u64(out, self.time);
        out.push(b',');
        push_u64(out, self.proc_id.into());
        out.push(b',');
        out.extend_from_slice(self.action.key().as_bytes());
        out.push(b'\n');
    }

    /// `taxi: 1     Event(time=5, proc=1, action='leave garage')`, as the
    /// book prints it.
    #[inline(always)]
    fn push_text(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"taxi: ");
        push_u64(out, self.proc_id.into());
        out.push(b' ');
        push_spaces(out, self.proc_id as usize * 3);
        out.extend_from_slice(b" Event(time=");
        push_u64(out, self.time);
        out.extend_from_slice(b", proc=");
        push_u64(out, self.proc_id.into());
        out.extend_from_slice(b", action='");
        out.extend_from_slice(self.action.book_name().as_bytes());
        out.extend_from_slice(b"')\n");
    }
}

/// The closing line: the book's two, and ours for stops the book lacks.
pub fn closing_line(outcome: &Outcome) -> String {
    match outcome.reason {
        StopReason::EndOfEvents => "*** end of events ***".to_string(),
        StopReason::EndTime => {
            format!(
                "*** end of simulation time: {} events pending ***",
                outcome.pending
            )
        }
        StopReason::Interrupted => format!(
            "*** interrupted at time {}: {} events pending ***",
            outcome.sim_time, outcome.pending
        ),
        StopReason::EventLimit => format!(
            "*** event limit of {} reached at time {}: {} events pending ***",
            outcome.events, outcome.sim_time, outcome.pending
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Event;
    use crate::models::book::taxi::TaxiAction;

    #[test]
    fn indentation_longer_than_the_space_buffer_is_exact() {
        let mut out = Vec::new();
        Event::new(1, 2000, TaxiAction::GoingHome).push_text(&mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(line.starts_with(&format!("taxi: 2000 {} Event(", " ".repeat(6000))));
    }
}
