//! CSV: the model's header (`time,taxi,action` for the book) and one row
//! per event. The run's settings, outcome and summary are not in it (use
//! JSON for those).

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader};
use crate::model::{LogEvent, Model};

/// Comma-separated events.
#[derive(Debug, Default, Clone, Copy)]
pub struct Csv;

impl<M: Model> EventFormat<M> for Csv {
    fn header(&mut self, out: &mut dyn Write, _: &RunHeader<M>) -> io::Result<()> {
        out.write_all(<M::Event as LogEvent>::CSV_HEADER)
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &M::Event) {
        event.push_csv(out);
    }

    fn footer(&mut self, _: &mut dyn Write, _: &RunEnd<M>) -> io::Result<()> {
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
