//! Text: a line per event, as the model writes it, and the model's closing
//! line (the book's `*** end of events ***`).

use std::io::{self, Write};

use super::{EventFormat, RunEnd, RunHeader};
use crate::model::{LogEvent, Model};

/// Readable lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct Text;

impl<M: Model> EventFormat<M> for Text {
    fn header(&mut self, _: &mut dyn Write, _: &RunHeader<M>) -> io::Result<()> {
        Ok(())
    }

    #[inline]
    fn event(&mut self, out: &mut Vec<u8>, event: &M::Event) {
        event.push_text(out);
    }

    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd<M>) -> io::Result<()> {
        match M::closing_line(end.outcome) {
            Some(line) => writeln!(out, "{line}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_renders_the_books_lines() {
        insta::assert_snapshot!(crate::output::test_support::render(Box::new(Text)));
    }
}
