//! One JSON document: `{"schema_version": .., .., "events": [..],
//! "outcome": {..}, "summary": {..}}`. The events array is written as the
//! run goes, so the document never sits in memory.

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader};
use crate::model::{LogEvent, Model};

/// The JSON document.
#[derive(Debug, Default, Clone, Copy)]
pub struct Json {
    events_written: bool,
}

impl<M: Model> EventFormat<M> for Json {
    fn header(&mut self, out: &mut dyn Write, header: &RunHeader<M>) -> io::Result<()> {
        // The header's fields, then an open events array.
        let object = serde_json::to_string(header).map_err(io::Error::other)?;
        let fields = object
            .strip_suffix('}')
            .expect("a struct serializes to an object");
        write!(out, "{fields},\"events\":[")
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &M::Event) {
        if self.events_written {
            out.extend_from_slice(b",\n");
        } else {
            out.push(b'\n');
            self.events_written = true;
        }
        event.push_json(out);
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd<M>) -> io::Result<()> {
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
