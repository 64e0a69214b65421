//! CSV: a `time,taxi,action` header and one row per event. The run's
//! settings, outcome and summary are not in it (use JSON for those).

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader, TaxiEvent, push_u64};

/// Comma-separated events.
#[derive(Debug, Default, Clone, Copy)]
pub struct Csv;

impl EventFormat for Csv {
    fn header(&mut self, out: &mut dyn Write, _: &RunHeader) -> io::Result<()> {
        out.write_all(b"time,taxi,action\n")
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &TaxiEvent) {
        push_u64(out, event.time);
        out.push(b',');
        push_u64(out, event.proc_id.into());
        out.push(b',');
        out.extend_from_slice(event.action.key().as_bytes());
        out.push(b'\n');
    }

    fn footer(&mut self, _: &mut dyn Write, _: &RunEnd) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_csv_format_has_a_header_and_a_row_per_event() {
        insta::assert_snapshot!(crate::output::test_support::render(Box::new(super::Csv)));
    }
}
