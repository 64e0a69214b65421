//! One JSON document: `{"schema_version": .., .., "events": [..],
//! "outcome": {..}, "summary": {..}}`. The events array is written as the
//! run goes, so the document never sits in memory.

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader, TaxiEvent, push_u64};

/// The JSON document.
#[derive(Debug, Default, Clone, Copy)]
pub struct Json {
    events_written: bool,
}

/// Appends `{"time":T,"taxi":I,"action":"A"}`.
#[inline(always)]
pub(crate) fn push_event_object(out: &mut Vec<u8>, event: &TaxiEvent) {
    out.extend_from_slice(b"{\"time\":");
    push_u64(out, event.time);
    out.extend_from_slice(b",\"taxi\":");
    push_u64(out, event.proc_id.into());
    out.extend_from_slice(b",\"action\":\"");
    out.extend_from_slice(event.action.key().as_bytes());
    out.extend_from_slice(b"\"}");
}

impl EventFormat for Json {
    fn header(&mut self, out: &mut dyn Write, header: &RunHeader) -> io::Result<()> {
        // The header's fields, then an open events array.
        let object = serde_json::to_string(header).map_err(io::Error::other)?;
        let fields = object
            .strip_suffix('}')
            .expect("a struct serializes to an object");
        write!(out, "{fields},\"events\":[")
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &TaxiEvent) {
        if self.events_written {
            out.extend_from_slice(b",\n");
        } else {
            out.push(b'\n');
            self.events_written = true;
        }
        push_event_object(out, event);
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd) -> io::Result<()> {
        out.write_all(b"\n],\"outcome\":")?;
        serde_json::to_writer(&mut *out, end.outcome)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, end.summary)?;
        out.write_all(b"}\n")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_json_format_is_one_valid_document() {
        let text = crate::output::test_support::render(Box::<super::Json>::default());
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["events"].as_array().unwrap().len(), 5);
        insta::assert_snapshot!(text);
    }
}
