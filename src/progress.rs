//! A progress bar on stderr for long runs: simulated time out of the end
//! time, events per second, elapsed and remaining time. It appears only
//! after about a second, only when stderr is a terminal (and `TERM` is not
//! `dumb`), never with `--quiet`, never while events are printed on a
//! terminal, and never writes to stdout.

use std::ffi::OsStr;
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
    wanted_on(
        quiet,
        std::io::stderr().is_terminal(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// [`wanted`] given whether stderr is a terminal and the value of `TERM`.
fn wanted_on(quiet: bool, stderr_is_terminal: bool, term: Option<&OsStr>) -> bool {
    !quiet && stderr_is_terminal && term.is_none_or(|term| term != "dumb")
}

/// Whether a progress bar may be drawn by a command that prints events on
/// stdout when `events_on_stdout`. Not when stdout is a terminal: stdout
/// and stderr then share the screen, and a bar drawn between two event
/// lines would leave the next line starting after it (`… eta 0staxi: 0
/// Event(…)`). Erasing and redrawing the bar around every line would cost a
/// redraw per event, and the scrolling lines already show the run going on.
pub fn wanted_beside_events(quiet: bool, events_on_stdout: bool) -> bool {
    wanted(quiet) && !shares_the_screen(events_on_stdout, std::io::stdout().is_terminal())
}

/// Whether events printed on stdout would share the screen with the bar.
fn shares_the_screen(events_on_stdout: bool, stdout_is_terminal: bool) -> bool {
    events_on_stdout && stdout_is_terminal
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
        if !draw_due(now - self.started, now - self.last_draw) {
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
        bar.set_message(message(events, now - self.started));
        bar.set_position(sim_time.min(end_time));
    }

    /// Removes the bar from the terminal.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Whether the bar is drawn now: not in a run's first second (a short run
/// never shows one), and at most once every [`REFRESH`].
fn draw_due(since_start: Duration, since_last_draw: Duration) -> bool {
    since_start >= SHOW_AFTER && since_last_draw >= REFRESH
}

/// The bar's message: the events so far and their rate.
fn message(events: u64, elapsed: Duration) -> String {
    let rate = events as f64 / elapsed.as_secs_f64();
    format!(
        "{}, {:.2} M/s",
        crate::stdio::counted(events, "event"),
        rate / 1e6
    )
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn a_bar_is_wanted_only_on_a_terminal_that_is_not_dumb_and_not_with_quiet() {
        let xterm = Some(OsStr::new("xterm"));
        let dumb = Some(OsStr::new("dumb"));
        assert!(wanted_on(false, true, xterm));
        assert!(wanted_on(false, true, None));
        assert!(!wanted_on(true, true, xterm));
        assert!(!wanted_on(false, false, xterm));
        assert!(!wanted_on(false, false, None));
        assert!(!wanted_on(false, true, dumb));
    }

    #[test]
    fn events_share_the_screen_only_when_printed_on_a_terminal() {
        assert!(shares_the_screen(true, true));
        assert!(!shares_the_screen(true, false));
        assert!(!shares_the_screen(false, true));
        assert!(!shares_the_screen(false, false));
    }

    #[test]
    fn the_bar_is_drawn_after_the_first_second_and_then_every_tenth_of_a_second() {
        let ms = Duration::from_millis;
        assert!(!draw_due(ms(999), ms(999)));
        assert!(draw_due(ms(1000), ms(1000)));
        assert!(draw_due(ms(1500), ms(100)));
        assert!(!draw_due(ms(1500), ms(99)));
        assert!(!draw_due(ms(500), ms(200)));
        assert!(draw_due(ms(5000), ms(3000)));
    }

    #[test]
    fn the_message_counts_the_events_and_their_rate_in_millions_a_second() {
        assert_eq!(
            message(3_000_000, Duration::from_secs(2)),
            "3000000 events, 1.50 M/s"
        );
        assert_eq!(message(1, Duration::from_secs(1)), "1 event, 0.00 M/s");
    }

    #[test]
    fn a_replay_looks_at_the_clock_every_few_tens_of_thousands_of_events() {
        // Often enough for a bar and Ctrl-C, seldom enough to cost nothing.
        assert!((1_000..=1_000_000).contains(&CHECK_EVERY));
    }

    #[test]
    fn a_hidden_progress_draws_nothing_and_has_nothing_to_clear() {
        let mut progress = Progress::hidden();
        progress.update(10, 1000);
        assert!(!progress.enabled);
        assert!(progress.bar.is_none());
        progress.finish();
    }
}
