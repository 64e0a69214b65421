//! A progress bar on stderr for long runs: simulated time out of the end
//! time, events per second, elapsed and remaining time. It appears only
//! after about a second, only when stderr is a terminal (and `TERM` is not
//! `dumb`), never with `--quiet`, never while events are printed on a
//! terminal, and never writes to stdout.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::Tick;

/// Events a replay verifies between two looks at the clock: cheap enough to
/// be invisible. (A run looks once per batch of the engine's loop.)
pub const CHECK_EVERY: u64 = 1 << 16;
const SHOW_AFTER: Duration = Duration::from_secs(1);
const REFRESH: Duration = Duration::from_millis(100);

/// Whether a progress bar may be drawn.
pub fn wanted(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// Whether a progress bar may be drawn by a command that prints events on
/// stdout when `events_on_stdout`. Not when stdout is a terminal: stdout
/// and stderr then share the screen, and a bar drawn between two event
/// lines would leave the next line starting after it (`… eta 0staxi: 0
/// Event(…)`). Erasing and redrawing the bar around every line would cost a
/// redraw per event, and the scrolling lines already show the run going on.
pub fn wanted_beside_events(quiet: bool, events_on_stdout: bool) -> bool {
    wanted(quiet) && !(events_on_stdout && std::io::stdout().is_terminal())
}

/// The progress of one run.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    end_time: Tick,
    started: Instant,
    last_draw: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress report towards `end_time`; draws nothing unless `enabled`.
    pub fn new(enabled: bool, end_time: Tick) -> Self {
        let now = Instant::now();
        Self {
            enabled,
            end_time,
            started: now,
            last_draw: now,
            bar: None,
        }
    }

    /// A disabled progress report.
    pub fn hidden() -> Self {
        Self::new(false, 0)
    }

    /// Reports the simulated time and events so far.
    pub fn update(&mut self, sim_time: Tick, events: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now - self.started < SHOW_AFTER || now - self.last_draw < REFRESH {
            return;
        }
        self.last_draw = now;
        let end_time = self.end_time;
        let bar = self.bar.get_or_insert_with(|| {
            // Elapsed time counts from the start of the run, not from the bar.
            let bar = ProgressBar::with_draw_target(Some(end_time), ProgressDrawTarget::stderr())
                .with_elapsed(now - self.started);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{wide_bar}] time {pos}/{len} · {msg} · eta {eta}",
                )
                .expect("the template is valid")
                .progress_chars("=> "),
            );
            bar
        });
        let rate = events as f64 / (now - self.started).as_secs_f64();
        bar.set_message(format!(
            "{}, {:.2} M/s",
            crate::stdio::counted(events, "event"),
            rate / 1e6
        ));
        bar.set_position(sim_time.min(end_time));
    }

    /// Removes the bar from the terminal.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
