//! Integration tests through the real `taxi-sim` binary.
// Tests may print diagnostics: a failing eprintln! only fails the test.
#![allow(clippy::print_stderr)]

mod bite_app;
mod bite_dispatch_output;
mod bite_distribution;
mod bite_output;
mod bite_replay;
mod bite_replay_dispatch;
mod bite_scenario;
mod chart;
mod demand_file;
mod dispatch;
mod dispatch_fixes;
mod export;
mod extras;
mod golden;
mod hardening;
mod hostile_fixes;
mod man_pages;
mod merge;
mod newcomer;
mod oracle;
mod precedence;
mod properties;
mod quiet;
mod replay;
mod replay_dispatch;
mod replay_fixes;
mod replay_tamper;
mod run_cli;
mod scenarios;
mod set;
mod shells;
mod signals;
mod size;
mod statistics;
mod sweep;
mod sweep_theory;
mod threads;
mod validate;
mod wording;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as RawCommand, ExitStatus, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{JoinHandle, sleep};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The binary under test.
pub fn taxi_sim() -> Command {
    let mut command = Command::cargo_bin("taxi-sim").expect("the binary is built");
    // A hung binary fails its test instead of hanging the whole suite.
    command
        .env_remove("TERM")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(120));
    command
}

/// A file of the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The stdout of a successful run of `args`.
pub fn stdout_of(args: &[&str]) -> String {
    let output = taxi_sim().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "taxi-sim {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// How long a raw child process of a test may run before it is killed.
pub const CHILD_TIME_LIMIT: Duration = Duration::from_secs(120);

/// A child process that is killed if it is still running
/// [`CHILD_TIME_LIMIT`] after it started: a hung binary fails its test
/// instead of hanging the suite, even while the test blocks reading the
/// child's output. It stays in the test's process group, so that whatever
/// kills the tests (a CI timeout, cargo-mutants, Ctrl-C) kills it too.
pub struct BoundedChild {
    child: Child,
    done: Arc<AtomicBool>,
    killed: Arc<AtomicBool>,
}

/// Spawns `command` under a watchdog.
pub fn spawn(command: &mut RawCommand) -> BoundedChild {
    let child = command.spawn().expect("the command starts");
    let done = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(AtomicBool::new(false));
    let pid = child.id().to_string();
    let (watch_done, watch_killed) = (done.clone(), killed.clone());
    std::thread::spawn(move || {
        let deadline = Instant::now() + CHILD_TIME_LIMIT;
        while Instant::now() < deadline {
            if watch_done.load(Ordering::SeqCst) {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        if !watch_done.load(Ordering::SeqCst) {
            watch_killed.store(true, Ordering::SeqCst);
            let _ = RawCommand::new("kill").args(["-KILL", &pid]).status();
        }
    });
    BoundedChild {
        child,
        done,
        killed,
    }
}

impl BoundedChild {
    /// Sends it the signal `name` (`INT`, `TERM`, ...) with `kill`.
    pub fn signal(&self, name: &str) {
        let status = RawCommand::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the end, collecting whatever of stdout and stderr the test
    /// has not taken; fails the test if the watchdog had to kill the child.
    pub fn output(mut self) -> Output {
        fn collect(pipe: Option<impl Read + Send + 'static>) -> Option<JoinHandle<Vec<u8>>> {
            pipe.map(|mut pipe| {
                std::thread::spawn(move || {
                    let mut bytes = Vec::new();
                    let _ = pipe.read_to_end(&mut bytes);
                    bytes
                })
            })
        }
        let stdout = collect(self.child.stdout.take());
        let stderr = collect(self.child.stderr.take());
        let status = self.wait();
        let joined = |handle: Option<JoinHandle<Vec<u8>>>| {
            handle.map_or_else(Vec::new, |handle| handle.join().unwrap_or_default())
        };
        Output {
            status,
            stdout: joined(stdout),
            stderr: joined(stderr),
        }
    }

    /// Waits for the end; fails the test if the watchdog had to kill the child.
    pub fn wait(&mut self) -> ExitStatus {
        let status = self.child.wait().expect("the child can be waited for");
        self.done.store(true, Ordering::SeqCst);
        assert!(
            !self.killed.load(Ordering::SeqCst),
            "the child did not finish within {CHILD_TIME_LIMIT:?}: killed"
        );
        status
    }
}

impl std::ops::Deref for BoundedChild {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.child
    }
}

impl std::ops::DerefMut for BoundedChild {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for BoundedChild {
    fn drop(&mut self) {
        // A test that gives up on its child (a failed assertion) ends it.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.done.store(true, Ordering::SeqCst);
    }
}

/// Runs `command` to the end, within [`CHILD_TIME_LIMIT`], capturing its
/// stdout and stderr.
pub fn output_within(command: &mut RawCommand) -> Output {
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    spawn(command).output()
}
