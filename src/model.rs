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

use serde::Serialize;

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
    /// The events a run wrote, by its outcome.
    fn events(outcome: &Self::Outcome) -> u64;
    /// The text format's last line, if the model has one.
    fn closing_line(outcome: &Self::Outcome) -> Option<String>;
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
