//! taxi-sim: a discrete-event taxi-fleet simulator.
//!
//! The [`engine`] is a generic discrete-event kernel; the [`models`] run on
//! it (the book's taxi in [`models::book`], passengers in
//! [`models::dispatch`]); [`scenario`] files describe fleets; [`rng`] holds
//! the random sources (one of them CPython's, bit for bit); [`output`] has one module
//! per format; [`replay`] verifies event logs. The binary is a thin wrapper
//! around [`app::execute`].
//!
//! The book's doctest, a whole run of 2 taxis with seed 10 (its output is
//! `tests/fixtures/golden/taxis2_end180_seed10.txt`), through the simulator's API:
//!
//! ```
//! use taxi_sim::engine::Step;
//! use taxi_sim::rng::CpythonRandom;
//! use taxi_sim::scenario::{Overrides, Scenario};
//! use taxi_sim::models::book::taxi;
//!
//! let scenario = Scenario::with_defaults(&Overrides { taxis: Some(2), ..Overrides::default() })?;
//! let mut sim = taxi::simulator(
//!     scenario.plans(),
//!     &scenario.duration_sets(),
//!     CpythonRandom::new(10),
//!     true,
//!     scenario.end_time,
//! )?;
//! let mut lines = Vec::new();
//! while let Step::Event(event) = sim.step()? {
//!     lines.push(format!("{} {} {}", event.time, event.proc_id, event.action.book_name()));
//! }
//! assert_eq!(lines, [
//!     "0 0 leave garage",
//!     "5 0 pick up passenger",
//!     "5 1 leave garage",
//!     "10 1 pick up passenger",
//!     "15 1 drop off passenger",
//!     "17 0 drop off passenger",
//!     "24 1 pick up passenger",
//!     "26 0 pick up passenger",
//!     "30 0 drop off passenger",
//!     "34 0 going home",
//!     "46 1 drop off passenger",
//!     "48 1 pick up passenger",
//!     "110 1 drop off passenger",
//!     "139 1 pick up passenger",
//!     "140 1 drop off passenger",
//!     "150 1 going home",
//! ]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

/// Writes one line on stderr and ignores a failure to write it: `eprintln!`
/// panics when stderr is closed or full (`2>/dev/full`, `2>&1 | head -1`),
/// and a diagnostic must never abort taxi-sim.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::exit::stderr_line(format_args!($($arg)*))
    };
}

pub mod app;
pub mod chart;
pub mod cli;
pub mod distribution;
pub mod engine;
pub mod exit;
pub mod experiment;
pub mod interrupt;
pub mod manual;
pub mod model;
pub mod models;
pub mod output;
pub mod progress;
pub mod replay;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod stdio;
pub mod strict_json;
