//! The book's text: `taxi: 1     Event(time=5, proc=1, action='leave garage')`.

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader, TaxiEvent, push_u64};
use crate::engine::{Outcome, StopReason};

/// The book's lines and closing message.
#[derive(Debug, Default, Clone, Copy)]
pub struct Text;

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

/// Appends one event as the book prints it.
#[inline(always)]
pub fn push_event(out: &mut Vec<u8>, event: &TaxiEvent) {
    out.extend_from_slice(b"taxi: ");
    push_u64(out, event.proc_id.into());
    out.push(b' ');
    push_spaces(out, event.proc_id as usize * 3);
    out.extend_from_slice(b" Event(time=");
    push_u64(out, event.time);
    out.extend_from_slice(b", proc=");
    push_u64(out, event.proc_id.into());
    out.extend_from_slice(b", action='");
    out.extend_from_slice(event.action.book_name().as_bytes());
    out.extend_from_slice(b"')\n");
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

impl EventFormat for Text {
    fn header(&mut self, _: &mut dyn Write, _: &RunHeader) -> io::Result<()> {
        Ok(())
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &TaxiEvent) {
        push_event(out, event);
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd) -> io::Result<()> {
        writeln!(out, "{}", closing_line(end.outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Event;
    use crate::models::book::taxi::TaxiAction;

    #[test]
    fn the_text_format_renders_the_books_lines() {
        insta::assert_snapshot!(crate::output::test_support::render(Box::new(Text)));
    }

    #[test]
    fn indentation_longer_than_the_space_buffer_is_exact() {
        let mut out = Vec::new();
        push_event(&mut out, &Event::new(1, 2000, TaxiAction::GoingHome));
        let line = String::from_utf8(out).unwrap();
        assert!(line.starts_with(&format!("taxi: 2000 {} Event(", " ".repeat(6000))));
    }
}
