//! The dispatch model's side of the commands: `validate`, and `run`,
//! `scenario` and `replay` of dispatch scenarios and logs.

use crate::app::{
    check_memory, finish_run_outputs, open_run_outputs, prints_events, quiet_on_broken_pipe,
    run_delay, seed_or_drawn, sinks_with_files, stdout_closed_beside_files, write_stdout,
};
use crate::cli::{RunArgs, ValidateArgs};
use crate::exit::Exit;
use crate::interrupt;
use crate::output::SinkError;
use crate::progress::{self, Progress};

use super::validate::{self, Effort};
use super::{Dispatch, DispatchEvent, DispatchScenario, RunControl, RunFailure};

/// `taxi-sim run` of a dispatch scenario: the book's run rules (outputs
/// opened first, a closed stdout stops only stdout, Ctrl-C completes every
/// file) through the same helpers.
pub fn run(args: &RunArgs, scenario: DispatchScenario) -> anyhow::Result<Exit> {
    let seed = seed_or_drawn(scenario.seed);
    check_memory(scenario.fleet.taxis)?;
    let delay = run_delay(args);
    let mut sinks = match open_run_outputs::<Dispatch>(args, &scenario, seed, delay)? {
        Ok(sinks) => sinks,
        Err(exit) => return Ok(exit),
    };
    let stop_flag = interrupt::stop_flag();
    let files = sinks_with_files(&args.export);
    let mut progress = Progress::new(
        progress::wanted_beside_events(args.quiet, prints_events(args)),
        scenario.end_time.ceil() as u64,
    );
    let mut on_progress = |now: f64, events: u64| progress.update(now as u64, events);
    let mut pace = |now: f64, next: f64| interrupt::pace(now, next, delay.unwrap_or(0.0));
    let no_outputs = sinks.is_empty();
    let mut on_event = |event: &DispatchEvent| -> Result<(), SinkError> {
        for sink in sinks.iter_mut().filter(|sink| !sink.is_closed()) {
            if let Err(error) = sink.event(event) {
                if !stdout_closed_beside_files(sink, &error, files) {
                    return Err(error);
                }
                sink.close();
            }
        }
        Ok(())
    };
    let control = RunControl {
        seed,
        max_events: args.max_events.unwrap_or(u64::MAX),
        stop_flag: Some(stop_flag),
        before: match delay {
            Some(_) => Some(&mut pace),
            None => None,
        },
        // `-f none` without exports: no event is built for nobody.
        on_event: if no_outputs {
            None
        } else {
            Some(&mut on_event)
        },
        on_progress: &mut on_progress,
    };
    let (outcome, summary) = match super::simulate(&scenario, control) {
        Ok(done) => done,
        Err(RunFailure::Observer(error)) => return quiet_on_broken_pipe(error),
        Err(RunFailure::Model(message)) => anyhow::bail!(message),
    };
    progress.finish();
    finish_run_outputs::<Dispatch>(args, sinks, &outcome, &summary)
}

/// `taxi-sim validate`.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let effort = if args.quick {
        Effort::QUICK
    } else {
        Effort::FULL
    };
    let stop_flag = interrupt::stop_flag();
    let Some(results) = validate::validate(effort, || {
        stop_flag.load(std::sync::atomic::Ordering::Relaxed)
    })?
    else {
        crate::say!("taxi-sim: validate interrupted");
        return Ok(Exit::Interrupted);
    };
    if args.json {
        let document = serde_json::json!({ "cases": results });
        write_stdout(format!("{}\n", serde_json::to_string_pretty(&document)?).as_bytes())?;
    } else {
        write_stdout(validate::table(&results, effort).as_bytes())?;
    }
    Ok(if results.iter().all(|result| result.pass) {
        Exit::Success
    } else {
        Exit::Failure
    })
}
