//! Integration tests through the real `taxi-sim` binary.

mod dispatch;
mod export;
mod extras;
mod golden;
mod properties;
mod replay;
mod run_cli;
mod scenarios;
mod signals;
mod validate;

use std::path::{Path, PathBuf};

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
