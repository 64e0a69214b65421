//! JSON Lines: `{"type":"header","data":{..}}`, one
//! `{"type":"event","data":{..}}` line per event, and
//! `{"type":"end","data":{"outcome":..,"summary":..,"events":N}}`.

use std::io::{self, Write};

use serde::Serialize;

use super::{EventFormat, RunEnd, RunHeader};
use crate::model::{LogEvent, Model};

/// The JSON Lines log.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonLines;

#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case", bound = "")]
enum Line<'a, M: Model> {
    Header(&'a RunHeader<M>),
    End {
        outcome: &'a M::Outcome,
        summary: &'a M::Summary,
        events: u64,
    },
}

impl<M: Model> EventFormat<M> for JsonLines {
    fn header(&mut self, out: &mut dyn Write, header: &RunHeader<M>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &Line::Header(header))?;
        out.write_all(b"\n")
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &M::Event) {
        out.extend_from_slice(b"{\"type\":\"event\",\"data\":");
        event.push_json(out);
        out.extend_from_slice(b"}\n");
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd<M>) -> io::Result<()> {
        let line: Line<M> = Line::End {
            outcome: end.outcome,
            summary: end.summary,
            events: M::ending(end.outcome).events,
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
