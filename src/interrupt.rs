//! Ctrl-C and SIGTERM: the first stops the run at the next event boundary,
//! and the outputs are completed; a second exits at once, removing the
//! partial files so that nothing half-written is left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::exit::Exit;

static STOP: AtomicBool = AtomicBool::new(false);
static PARTIAL_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the signal handler (once) and returns the stop flag it raises.
pub fn stop_flag() -> &'static AtomicBool {
    INSTALLED.get_or_init(|| ctrlc::set_handler(on_signal).is_ok());
    &STOP
}

/// Whether a stop was requested.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

fn partial_files() -> MutexGuard<'static, Vec<PathBuf>> {
    PARTIAL_FILES.lock().unwrap_or_else(PoisonError::into_inner)
}

fn on_signal() {
    if STOP.swap(true, Ordering::SeqCst) {
        // The list stays locked until the exit: a file cannot be renamed
        // into place, half done, while its siblings are being removed.
        let files = partial_files();
        for file in files.iter() {
            let _ = std::fs::remove_file(file);
        }
        crate::say!("taxi-sim: interrupted twice, exiting now");
        std::process::exit(Exit::Interrupted.code().into());
    }
}

/// Creates a temporary file with `create` and remembers its path (given by
/// `path_of`) to delete if a second signal exits at once. Both happen with
/// the list locked, so no signal comes between them.
pub fn create_partial_file<T>(
    create: impl FnOnce() -> std::io::Result<T>,
    path_of: impl FnOnce(&T) -> &Path,
) -> std::io::Result<T> {
    let mut files = partial_files();
    let created = create()?;
    files.push(path_of(&created).to_path_buf());
    Ok(created)
}

/// Runs `settle` (the rename into place, or the removal) on a remembered
/// temporary file and forgets it, with the list locked: the file stays in
/// the list until it is gone from its temporary name.
pub fn settle_partial_file<T>(path: &Path, settle: impl FnOnce() -> T) -> T {
    let mut files = partial_files();
    let result = settle();
    files.retain(|file| file != path);
    result
}

/// Sleeps for `duration`, or less if a stop is requested; returns whether
/// the sleep was cut short.
pub fn sleep(duration: Duration) -> bool {
    // A deadline past what the clock can represent is never reached.
    let deadline = Instant::now().checked_add(duration);
    loop {
        if stop_requested() {
            return true;
        }
        let now = Instant::now();
        let left = match deadline {
            Some(deadline) if now >= deadline => return false,
            Some(deadline) => deadline - now,
            None => Duration::MAX,
        };
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// The pause for `ticks` ticks at `seconds_per_tick` seconds each; a pause
/// too long to represent is as good as endless.
pub fn pause_for(ticks: u64, seconds_per_tick: f64) -> Duration {
    Duration::try_from_secs_f64(ticks as f64 * seconds_per_tick).unwrap_or(Duration::MAX)
}

/// Sleeps through the simulated time from `now` to `next` at
/// `seconds_per_unit` (a paced run or replay); `true` if Ctrl-C cut it short.
pub fn pace(now: f64, next: f64, seconds_per_unit: f64) -> bool {
    let seconds = (next - now).max(0.0) * seconds_per_unit;
    sleep(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_file_stays_known_until_it_is_settled() {
        let directory = tempfile::tempdir().unwrap();
        let known = |path: &Path| partial_files().iter().any(|file| file == path);
        let temp = create_partial_file(
            || tempfile::NamedTempFile::new_in(directory.path()),
            tempfile::NamedTempFile::path,
        )
        .unwrap();
        let path = temp.path().to_path_buf();
        assert!(known(&path));
        let target = directory.path().join("done");
        settle_partial_file(&path, || {
            // The list is locked: a second signal now waits for the rename,
            // and the file is not forgotten before it.
            assert!(PARTIAL_FILES.try_lock().is_err());
            temp.persist(&target).unwrap();
        });
        assert!(!known(&path));
        assert!(target.exists());
    }

    #[test]
    fn a_pause_too_long_for_the_clock_saturates() {
        assert_eq!(pause_for(u64::MAX, 1e300), Duration::MAX);
        assert_eq!(pause_for(3, 0.5), Duration::from_millis(1500));
    }
}
