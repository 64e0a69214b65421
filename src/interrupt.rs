//! Ctrl-C and SIGTERM: the first stops the run at the next event boundary,
//! and the outputs are completed; a second exits at once, removing the
//! partial files so that nothing half-written is left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
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

fn on_signal() {
    if STOP.swap(true, Ordering::SeqCst) {
        let files = PARTIAL_FILES
            .lock()
            .map(|files| files.clone())
            .unwrap_or_default();
        for file in files {
            let _ = std::fs::remove_file(file);
        }
        crate::say!("taxi-sim: interrupted twice, exiting now");
        std::process::exit(Exit::Interrupted.code().into());
    }
}

/// Remembers a temporary file to delete if a second signal exits at once.
pub fn register_partial_file(path: &Path) {
    if let Ok(mut files) = PARTIAL_FILES.lock() {
        files.push(path.to_path_buf());
    }
}

/// Forgets a temporary file (renamed into place, or dropped).
pub fn unregister_partial_file(path: &Path) {
    if let Ok(mut files) = PARTIAL_FILES.lock() {
        files.retain(|file| file != path);
    }
}

/// Sleeps for `duration`, or less if a stop is requested; returns whether
/// the sleep was cut short.
pub fn sleep(duration: Duration) -> bool {
    let deadline = Instant::now() + duration;
    loop {
        if stop_requested() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(20)));
    }
}
