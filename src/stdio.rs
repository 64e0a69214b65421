//! Checked writes to stdout, and what stdout is.
//!
//! Rust's runtime replaces a closed stdout (`taxi-sim run >&-`) with
//! `/dev/null` before `main`, so writes to it "succeed": a run whose output
//! goes nowhere would report success. Commands that print ask
//! [`check_stdout_open`] first.

use std::io::{self, Write};
use std::path::Path;

/// `count` and its noun, singular for one: `1 event`, `2 events`.
pub fn counted(count: impl Into<u64>, singular: &str) -> String {
    match count.into() {
        1 => format!("1 {singular}"),
        count => format!("{count} {singular}s"),
    }
}

/// `value` for a person: shortest round-trip decimals for ordinary
/// magnitudes, scientific notation for very small or large ones (`{}` of
/// an f64 would print hundreds of digits for 1e-300).
pub fn readable(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-4..1e15).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// Whether stdout was closed when taxi-sim started. The runtime opens
/// `/dev/null` read-write in its place; a shell's `>/dev/null` opens it
/// write-only, so the access mode tells the two apart (Linux only).
pub fn stdout_is_closed() -> bool {
    let Ok(target) = std::fs::read_link("/proc/self/fd/1") else {
        return false;
    };
    if target != Path::new("/dev/null") {
        return false;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    info.lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
        .is_some_and(|flags| flags & 0o3 == 0o2)
}

/// An error for a closed stdout, as a write to it would give. It names the
/// case that looks the same: `/dev/null` opened read-write by the caller
/// (Python's `subprocess.DEVNULL`, a shell's `1<>/dev/null`), and the way
/// out, since the runtime leaves no way to tell the two apart.
pub fn closed_stdout_error() -> io::Error {
    io::Error::other(
        "stdout is closed (or is /dev/null opened read-write, as Python's \
         subprocess.DEVNULL does, which looks the same from inside a Rust \
         program): send stdout to a file, a pipe or a write-only /dev/null \
         (`>/dev/null`), or print no events with `-f none`",
    )
}

/// Fails if stdout is closed (see [`stdout_is_closed`]).
pub fn check_stdout_open() -> io::Result<()> {
    if stdout_is_closed() {
        Err(closed_stdout_error())
    } else {
        Ok(())
    }
}

/// Writes `bytes` on stdout and flushes. A reader that went away
/// (`| head`) is not an error; any other failure, a closed stdout
/// included, is.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    check_stdout_open()?;
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .or_else(ignore_broken_pipe)
}

/// Turns a broken pipe into success: `taxi-sim ... | head` ends quietly.
pub fn ignore_broken_pipe(error: io::Error) -> io::Result<()> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(error)
    }
}

/// The device and inode of the file stdout writes to, when it is a
/// regular file (`taxi-sim run > out.json`).
#[cfg(unix)]
pub fn stdout_file_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let owned = io::stdout().as_fd().try_clone_to_owned().ok()?;
    let metadata = std::fs::File::from(owned).metadata().ok()?;
    metadata.is_file().then(|| (metadata.dev(), metadata.ino()))
}

/// Not known on this platform.
#[cfg(not(unix))]
pub fn stdout_file_identity() -> Option<(u64, u64)> {
    None
}

/// Lines written to stdout one by one: once its reader goes away
/// (`| head`) the rest are dropped quietly; any other failure is an error.
pub struct StdoutLines {
    out: io::StdoutLock<'static>,
    gone: bool,
}

impl StdoutLines {
    /// Stdout, if it is open.
    pub fn open() -> io::Result<Self> {
        check_stdout_open()?;
        Ok(Self {
            out: io::stdout().lock(),
            gone: false,
        })
    }

    /// Writes one line.
    pub fn line(&mut self, line: std::fmt::Arguments) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let result = self
            .out
            .write_fmt(line)
            .and_then(|()| self.out.write_all(b"\n"));
        self.settle(result)
    }

    /// Flushes what is left.
    pub fn finish(mut self) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let result = self.out.flush();
        self.settle(result)
    }

    fn settle(&mut self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Longest line of a message quoted from a file, in characters.
pub const MAX_QUOTE: usize = 300;

/// `text` with control characters escaped (`\u{1b}`, `\n`), so that text
/// from a file cannot move the cursor, clear the screen or fake a line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if character.is_control() {
            escaped.extend(character.escape_debug());
        } else {
            escaped.push(character);
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// A message for the terminal: each of its lines made [`printable`] and
/// cut to [`MAX_QUOTE`] characters (a parser may quote a whole line of the
/// file, and a line can be megabytes long).
pub fn tidy_message(message: &str) -> String {
    let mut tidy = String::with_capacity(message.len().min(64 * 1024));
    for (number, line) in message.split('\n').enumerate() {
        if number > 0 {
            tidy.push('\n');
        }
        let length = line.chars().count();
        if length > MAX_QUOTE {
            let cut: String = line.chars().take(MAX_QUOTE).collect();
            tidy.push_str(&printable(&cut));
            tidy.push_str(&format!("... ({} more characters)", length - MAX_QUOTE));
        } else {
            tidy.push_str(&printable(line));
        }
    }
    tidy
}

/// Whether `a` and `b` name one existing file, however each is spelt
/// (links followed): its device and inode.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        matches!(
            (a.canonicalize(), b.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        )
    }
}

/// The first difference between a recorded JSON value and a re-computed
/// one, as `path: recorded R, re-simulated S`. Numbers compare as numbers
/// (integers exactly, others as doubles), so a JSON tool's `300` for
/// `300.0` is no difference; objects compare whatever their key order.
pub fn json_difference(
    path: &str,
    recorded: &serde_json::Value,
    simulated: &serde_json::Value,
) -> Option<String> {
    use serde_json::Value;
    let shown = |value: Option<&Value>| match value {
        None => "nothing".to_string(),
        Some(Value::Number(number)) => number_text(number),
        Some(value) => printable(&value.to_string()).into_owned(),
    };
    let differs = || {
        Some(format!(
            "{path}: recorded {}, re-simulated {}",
            shown(Some(recorded)),
            shown(Some(simulated))
        ))
    };
    match (recorded, simulated) {
        (Value::Number(left), Value::Number(right)) => {
            let same = match (whole_number(left), whole_number(right)) {
                (Some(left), Some(right)) => left == right,
                _ => left.as_f64() == right.as_f64(),
            };
            if same { None } else { differs() }
        }
        (Value::Object(left), Value::Object(right)) => {
            let keys = right
                .keys()
                .chain(left.keys().filter(|key| !right.contains_key(*key)));
            keys.into_iter().find_map(|key| {
                let inner = format!("{path}.{}", printable(key));
                match (left.get(key), right.get(key)) {
                    (Some(left), Some(right)) => json_difference(&inner, left, right),
                    (left, right) => Some(format!(
                        "{inner}: recorded {}, re-simulated {}",
                        shown(left),
                        shown(right)
                    )),
                }
            })
        }
        (Value::Array(left), Value::Array(right)) => {
            if left.len() != right.len() {
                return Some(format!(
                    "{path}: recorded {} items, re-simulated {}",
                    left.len(),
                    right.len()
                ));
            }
            left.iter()
                .zip(right)
                .enumerate()
                .find_map(|(index, (left, right))| {
                    json_difference(&format!("{path}[{index}]"), left, right)
                })
        }
        (left, right) if left == right => None,
        _ => differs(),
    }
}

/// A JSON number for a message: integers whole, others readable.
fn number_text(number: &serde_json::Number) -> String {
    match whole_number(number) {
        Some(whole) => whole.to_string(),
        None => number.as_f64().map_or_else(|| number.to_string(), readable),
    }
}

fn whole_number(number: &serde_json::Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\nc\u{9b}"), "a\\u{1b}[2Jb\\nc\\u{9b}");
        assert_eq!(printable("plain é"), "plain é");
    }

    #[test]
    fn long_lines_are_cut_but_line_breaks_kept() {
        let message = format!("first\n{}\nlast", "x".repeat(10_000));
        let tidy = tidy_message(&message);
        assert!(tidy.starts_with("first\nxxx"));
        assert!(tidy.ends_with("... (9700 more characters)\nlast"), "{tidy}");
        assert!(tidy.len() < 400);
    }
}

/// Tests written for issue 17's mutation testing: the pure helpers, which
/// the binary's tests reach only through a few messages.
#[cfg(test)]
mod bite_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_count_of_one_is_singular_and_any_other_count_plural() {
        assert_eq!(counted(1u64, "event"), "1 event");
        assert_eq!(counted(0u64, "event"), "0 events");
        assert_eq!(counted(2u64, "taxi"), "2 taxis");
    }

    #[test]
    fn ordinary_magnitudes_are_plain_and_extreme_ones_scientific() {
        assert_eq!(readable(0.0), "0");
        assert_eq!(readable(2.5), "2.5");
        assert_eq!(readable(-0.001), "-0.001");
        assert_eq!(readable(1e-300), "1e-300");
        assert_eq!(readable(-2e20), "-2e20");
        assert_eq!(readable(f64::INFINITY), "inf");
        assert_eq!(readable(f64::NAN), "NaN");
    }

    #[test]
    fn a_line_of_exactly_the_longest_quote_is_kept_whole() {
        let line = "y".repeat(MAX_QUOTE);
        assert_eq!(tidy_message(&line), line);
        let longer = "y".repeat(MAX_QUOTE + 1);
        assert_eq!(
            tidy_message(&longer),
            format!("{line}... (1 more characters)")
        );
        assert_eq!(tidy_message("a\nb"), "a\nb");
    }

    #[test]
    fn one_file_by_two_spellings_is_the_same_file_and_two_files_are_not() {
        let directory = tempfile::tempdir().unwrap();
        let first = directory.path().join("first");
        let second = directory.path().join("second");
        std::fs::write(&first, "1").unwrap();
        std::fs::write(&second, "2").unwrap();
        let spelt_again = directory.path().join(".").join("first");
        assert!(same_file(&first, &spelt_again));
        assert!(!same_file(&first, &second), "two files on one device");
        let missing = directory.path().join("missing");
        assert!(!same_file(&missing, &missing), "a file that does not exist");
    }

    #[test]
    fn numbers_compare_as_numbers_whatever_their_spelling() {
        let same = |recorded, simulated| json_difference("x", &recorded, &simulated);
        assert_eq!(same(json!(300), json!(300.0)), None);
        assert_eq!(same(json!(1), json!(1)), None);
        assert_eq!(same(json!(1.5), json!(1.5)), None);
        assert_eq!(
            same(json!(1), json!(2)).as_deref(),
            Some("x: recorded 1, re-simulated 2")
        );
        assert_eq!(
            same(json!(1.5), json!(2.5)).as_deref(),
            Some("x: recorded 1.5, re-simulated 2.5")
        );
        // Whole numbers compare exactly: these two are one double.
        assert_eq!(
            same(
                json!(9_007_199_254_740_993u64),
                json!(9_007_199_254_740_992u64)
            )
            .as_deref(),
            Some("x: recorded 9007199254740993, re-simulated 9007199254740992")
        );
    }

    #[test]
    fn objects_and_arrays_compare_item_by_item_and_name_the_first_difference() {
        let same = |recorded, simulated| json_difference("x", &recorded, &simulated);
        assert_eq!(
            same(json!({"a": 300, "b": [1]}), json!({"b": [1.0], "a": 300.0})),
            None
        );
        assert_eq!(
            same(json!({"a": 1}), json!({"a": 2})).as_deref(),
            Some("x.a: recorded 1, re-simulated 2")
        );
        assert_eq!(
            same(json!({"a": 1, "b": 2}), json!({"a": 1})).as_deref(),
            Some("x.b: recorded 2, re-simulated nothing")
        );
        assert_eq!(same(json!([1, 2]), json!([1.0, 2])), None);
        assert_eq!(
            same(json!([1]), json!([1, 2])).as_deref(),
            Some("x: recorded 1 items, re-simulated 2")
        );
        assert_eq!(
            same(json!([1, "a"]), json!([1, "b"])).as_deref(),
            Some("x[1]: recorded \"a\", re-simulated \"b\"")
        );
        assert_eq!(same(json!("a"), json!("a")), None);
        assert_eq!(same(json!(null), json!(null)), None);
    }
}
