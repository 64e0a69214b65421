//! JSON Lines: `{"type":"header","data":{..}}`, one
//! `{"type":"event","data":{..}}` line per event, and
//! `{"type":"end","data":{"outcome":..,"summary":..,"events":N}}`.

use std::io::{self, Write};

use serde::Serialize;

use super::json::push_event_object;
use super::{EventFormat, RunEnd, RunHeader, TaxiEvent};

/// The JSON Lines log.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonLines;

#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Line<'a> {
    Header(&'a RunHeader),
    End {
        outcome: &'a crate::engine::Outcome,
        summary: &'a crate::models::book::summary::Summary,
        events: u64,
    },
}

impl EventFormat for JsonLines {
    fn header(&mut self, out: &mut dyn Write, header: &RunHeader) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &Line::Header(header))?;
        out.write_all(b"\n")
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &TaxiEvent) {
        out.extend_from_slice(b"{\"type\":\"event\",\"data\":");
        push_event_object(out, event);
        out.extend_from_slice(b"}\n");
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd) -> io::Result<()> {
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
    #[test]
    fn the_jsonl_format_is_one_valid_object_per_line() {
        let text = crate::output::test_support::render(Box::new(super::JsonLines));
        for line in text.lines() {
            let _: serde_json::Value = serde_json::from_str(line).unwrap();
        }
        insta::assert_snapshot!(text);
    }
}
