//! The dispatch model: passengers arrive from a demand, wait with a
//! patience, and are matched to taxis on shifts by a dispatch policy. It
//! runs on the [`crate::engine::agenda`] engine in exact real time
//! (minutes, no rounding), and is checked against queueing theory
//! ([`theory`], `taxi-sim validate`).

pub mod commands;
pub mod demand;
pub mod draws;
pub mod output;
pub mod policy;
pub mod replay;
pub mod scenario;
pub mod summary;
pub mod theory;
pub mod validate;
pub mod world;

use std::sync::atomic::AtomicBool;

use rand_pcg::Pcg64;

pub use scenario::{DispatchScenario, refuse_resized_shifts};
pub use summary::DispatchSummary;
pub use world::{DispatchAction, DispatchEvent, DispatchOutcome, RunFailure, World};

use crate::rng::{CpythonRandom, RngKind};
use draws::Draws;
use policy::Fifo;

/// The dispatch model, as the upper layers see it ([`crate::model::Model`]).
#[derive(Debug, Clone, Copy)]
pub struct Dispatch;

/// What receives each event of a run; an error stops it.
pub type EventHandler<'a, E> = dyn FnMut(&DispatchEvent) -> Result<(), E> + 'a;

/// Every numeric measure of a summary, by name, in a fixed order.
pub type Measures = Vec<(&'static str, f64)>;

/// What a run needs besides its scenario and outputs.
pub struct RunControl<'a, E> {
    /// The seed.
    pub seed: u64,
    /// Stop after this many events.
    pub max_events: u64,
    /// Raised by Ctrl-C.
    pub stop_flag: Option<&'a AtomicBool>,
    /// Called before each timer with the current and next time (a paced
    /// run sleeps here); `true` stops the run.
    pub before: Option<&'a mut dyn FnMut(f64, f64) -> bool>,
    /// Each event, or `None` for a run that only measures.
    pub on_event: Option<&'a mut EventHandler<'a, E>>,
    /// The time and events so far, every few thousand timers.
    pub on_progress: &'a mut dyn FnMut(f64, u64),
}

/// Runs `scenario` with its generator and the fifo policy.
pub fn simulate<E>(
    scenario: &DispatchScenario,
    control: RunControl<'_, E>,
) -> Result<(DispatchOutcome, DispatchSummary), RunFailure<E>> {
    match scenario.rng {
        RngKind::Pcg64 => simulate_with::<Pcg64, E>(scenario, control),
        RngKind::Cpython => simulate_with::<CpythonRandom, E>(scenario, control),
    }
}

fn simulate_with<R: Draws, E>(
    scenario: &DispatchScenario,
    control: RunControl<'_, E>,
) -> Result<(DispatchOutcome, DispatchSummary), RunFailure<E>> {
    // Only a recorded run stops at the exact event of an event limit.
    let recording = control.on_event.is_some() || control.max_events != u64::MAX;
    let mut world = World::<R, Fifo>::new(scenario, control.seed, Fifo::default(), recording)
        .map_err(RunFailure::Model)?;
    let outcome = match control.on_event {
        Some(on_event) => world.run(
            control.max_events,
            control.stop_flag,
            control.before,
            on_event,
            control.on_progress,
        )?,
        None => world.run(
            control.max_events,
            control.stop_flag,
            control.before,
            |_: &DispatchEvent| Ok::<(), E>(()),
            control.on_progress,
        )?,
    };
    let summary = world.summary(&outcome);
    Ok((outcome, summary))
}

/// The names [`replicate`] gives its measures, in order: the summary's,
/// with `fleet.utilization` called `utilization` as sweeps name it.
pub fn replicate_names() -> Vec<&'static str> {
    DispatchSummary::measure_names()
        .into_iter()
        .map(|name| {
            if name == "fleet.utilization" {
                "utilization"
            } else {
                name
            }
        })
        .collect()
}

/// One replication of `scenario` with `seed`, without event output: every
/// numeric measure of the summary, in a fixed order (NaN where undefined).
pub fn replicate(scenario: &DispatchScenario, seed: u64) -> anyhow::Result<Measures> {
    let control = RunControl::<std::convert::Infallible> {
        seed,
        max_events: u64::MAX,
        stop_flag: None,
        before: None,
        on_event: None,
        on_progress: &mut |_, _| {},
    };
    match simulate(scenario, control) {
        Ok((_, summary)) => Ok(summary.measures()),
        Err(RunFailure::Model(message)) => Err(anyhow::anyhow!(message)),
        Err(RunFailure::Observer(never)) => match never {},
    }
}
