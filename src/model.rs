//! The seam between the models and the layers above them (output, replay,
//! app): what a model gives them, so that one framing (header, events, end
//! line) and one replay command serve every model.
//!
//! ```text
//!   app ──► output (text, csv, json, jsonl)  ──┐
//!       └─► replay (log reading, routing)    ──┼──► model.rs: Model, LogEvent
//!                                              │        ▲            ▲
//!                                  models/book ┘────────┘            │
//!                                  models/dispatch ──────────────────┘
//! ```
//!
//! The framing is generic over [`Model`]; only a model's events are written
//! by the model itself ([`LogEvent`]), since they are the hot path: each
//! format calls them through static dispatch, so the book's event writing
//! compiles to the same code as when it was the only model.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::StopReason;
use crate::rng::RngKind;

/// A model, as the upper layers see it. Implemented by zero-sized markers
/// ([`crate::models::book::Book`], [`crate::models::dispatch::Dispatch`]).
pub trait Model: 'static {
    /// Its name in scenario files (`model = "..."`).
    const NAME: &'static str;
    /// The `schema_version` of its logs: replay tells models apart by it.
    const LOG_SCHEMA_VERSION: u32;
    /// Whether its log header also spells the seed in decimal (`seed_text`),
    /// for JSON tools that round numbers above 2^53.
    const SEED_TEXT: bool;

    /// Its resolved scenario, as recorded in a log's header.
    type Scenario: Serialize + Clone;
    /// One event, as written by every format.
    type Event: LogEvent;
    /// How a run ended.
    type Outcome: Serialize;
    /// A run's measures.
    type Summary: Serialize;

    /// `scenario` with its seed set to `seed` (a log records the seed used).
    fn with_seed(scenario: &Self::Scenario, seed: u64) -> Self::Scenario;
    /// The scenario's generator.
    fn rng(scenario: &Self::Scenario) -> RngKind;
    /// How a run ended, in the terms every model shares.
    fn ending(outcome: &Self::Outcome) -> Ending;
    /// The summary's lines for stderr after a run.
    fn summary_lines(summary: &Self::Summary) -> String;
    /// The text format's last line, if the model has one.
    fn closing_line(outcome: &Self::Outcome) -> Option<String>;

    /// The files a run of `scenario` reads besides the scenario (a demand
    /// file): outputs must not replace them, and logs record them so that a
    /// replay finds them from any folder and notices if they changed.
    fn input_files(scenario: &Self::Scenario) -> Vec<InputFile> {
        let _ = scenario;
        Vec::new()
    }
}

/// A file a scenario reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// What it is to the scenario, in messages (`demand file`).
    pub role: &'static str,
    /// Where it is: as resolved when the scenario was loaded (absolute when
    /// the file exists).
    pub path: PathBuf,
}

/// What a log records of an input file: enough to find it from any folder
/// and to tell whether it is still the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedInput {
    /// What it is to the scenario (`demand file`).
    pub role: String,
    /// Its absolute path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The FNV-1a 64-bit hash of its bytes, in hex: enough to notice an
    /// edit (this is no defence against forgery).
    pub fnv1a64: String,
}

impl RecordedInput {
    /// Reads `input` (streaming) to record it.
    pub fn of(input: &InputFile) -> std::io::Result<Self> {
        let (bytes, hash) = fingerprint(&input.path)?;
        Ok(Self {
            role: input.role.to_string(),
            path: input.path.clone(),
            bytes,
            fnv1a64: format!("{hash:016x}"),
        })
    }

    /// Why the file at the recorded path is not the recorded one, if it
    /// is not: gone, unreadable, or changed.
    pub fn check(&self) -> Result<(), String> {
        let shown = crate::stdio::printable(&self.path.display().to_string()).into_owned();
        match fingerprint(&self.path) {
            Err(error) => Err(format!(
                "its {} '{shown}' cannot be read ({error}): a replay needs the same file",
                self.role
            )),
            Ok((bytes, hash)) => {
                let hash = format!("{hash:016x}");
                if bytes == self.bytes && hash == self.fnv1a64 {
                    Ok(())
                } else {
                    Err(format!(
                        "its {} '{shown}' has changed since the log was written ({} bytes, FNV-1a {} then; {bytes} bytes, {hash} now): a replay needs the same file",
                        self.role, self.bytes, self.fnv1a64
                    ))
                }
            }
        }
    }
}

/// The size and FNV-1a 64-bit hash of the file at `path`.
fn fingerprint(path: &Path) -> std::io::Result<(u64, u64)> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut bytes, mut hash) = (0u64, OFFSET);
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok((bytes, hash));
        }
        bytes += read as u64;
        for &byte in &buffer[..read] {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
}

/// How a run ended, whatever its model.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    /// Why it stopped.
    pub reason: StopReason,
    /// The simulated time it stopped at, as the model writes times.
    pub sim_time: String,
    /// Events written.
    pub events: u64,
    /// Events or timers still pending.
    pub pending: u64,
}

impl std::fmt::Display for Ending {
    /// `at the end time (time 180, 32 events, 3 pending)`: the words of
    /// every model's replay verdicts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.reason {
            StopReason::EndTime => "at the end time",
            StopReason::EndOfEvents => "when events ran out",
            StopReason::EventLimit => "at the event limit",
            StopReason::Interrupted => "interrupted",
        };
        write!(
            f,
            "{how} (time {}, {}, {} pending)",
            self.sim_time,
            crate::stdio::counted(self.events, "event"),
            self.pending
        )
    }
}

/// How one event is written in each format: appended to a byte buffer, with
/// no allocation where it can be helped (it is the hot path).
pub trait LogEvent {
    /// The CSV header line, with its newline.
    const CSV_HEADER: &'static [u8];
    /// Appends the event as a JSON object (in the document's `events` and
    /// JSON Lines' `data`).
    fn push_json(&self, out: &mut Vec<u8>);
    /// Appends the event as a CSV row, with its newline.
    fn push_csv(&self, out: &mut Vec<u8>);
    /// Appends the event as a line of the text format, with its newline.
    fn push_text(&self, out: &mut Vec<u8>);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_fnv1a_64() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("a.txt");
        std::fs::write(&path, "a").unwrap();
        // The published FNV-1a 64 of "a".
        assert_eq!(fingerprint(&path).unwrap(), (1, 0xaf63_dc4c_8601_ec8c));
    }

    #[test]
    fn a_changed_or_missing_input_is_named() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("requests.csv");
        std::fs::write(&path, "time\n1\n").unwrap();
        let recorded = RecordedInput::of(&InputFile {
            role: "demand file",
            path: path.clone(),
        })
        .unwrap();
        assert_eq!(recorded.check(), Ok(()));
        std::fs::write(&path, "time\n2\n").unwrap();
        let changed = recorded.check().unwrap_err();
        assert!(
            changed.contains("demand file") && changed.contains("has changed"),
            "{changed}"
        );
        std::fs::remove_file(&path).unwrap();
        let gone = recorded.check().unwrap_err();
        assert!(
            gone.contains("requests.csv") && gone.contains("cannot be read"),
            "{gone}"
        );
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn each_ending_is_told_in_the_words_of_the_replay_verdicts() {
        let ending = |reason, events| {
            Ending {
                reason,
                sim_time: "180".to_string(),
                events,
                pending: 3,
            }
            .to_string()
        };
        assert_eq!(
            ending(StopReason::EndTime, 32),
            "at the end time (time 180, 32 events, 3 pending)"
        );
        assert_eq!(
            ending(StopReason::EndOfEvents, 1),
            "when events ran out (time 180, 1 event, 3 pending)"
        );
        assert_eq!(
            ending(StopReason::EventLimit, 7),
            "at the event limit (time 180, 7 events, 3 pending)"
        );
        assert_eq!(
            ending(StopReason::Interrupted, 0),
            "interrupted (time 180, 0 events, 3 pending)"
        );
    }
}
