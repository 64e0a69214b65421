//! Defects a hostile tester found: outputs onto a file a command reads,
//! demand files that never end, and wording of the summaries.

use std::path::{Path, PathBuf};

use crate::taxi_sim;

/// `folder/stand.toml`, a dispatch scenario whose demand is `file`.
fn scenario_reading(folder: &Path, file: &str) -> PathBuf {
    let scenario = folder.join("stand.toml");
    std::fs::write(
        &scenario,
        format!(
            "schema_version = 2\nmodel = \"dispatch\"\nname = \"stand-file\"\nend_time = 400\nseed = 7\n\
             [fleet]\ntaxis = 5\n[demand]\nfile = \"{file}\"\n[durations]\ntrip = 20\npatience = 10\n"
        ),
    )
    .unwrap();
    scenario
}

fn stderr_of_failure(args: &[&str], scenario: &Path, code: i32) -> String {
    let output = taxi_sim().args(args).arg(scenario).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_demand_file_that_is_a_device_is_refused_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let scenario = scenario_reading(folder.path(), "/dev/zero");
    for args in [
        &["scenario", "check"][..],
        &["run", "-q", "-f", "none", "--scenario"][..],
    ] {
        let stderr = stderr_of_failure(args, &scenario, 1);
        assert!(
            stderr.contains("'/dev/zero' is a device: it must be a regular file"),
            "{stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_demand_file_that_is_a_fifo_is_refused_without_reading_it() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("requests.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let scenario = scenario_reading(folder.path(), "requests.csv");
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(
        stderr.contains("is a FIFO: it must be a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_demand_line_longer_than_a_megabyte_is_an_error_naming_the_line() {
    let folder = tempfile::tempdir().unwrap();
    let mut text = String::from("time\n1\n");
    text.push_str(&"7".repeat(2 << 20));
    std::fs::write(folder.path().join("requests.csv"), text).unwrap();
    let scenario = scenario_reading(folder.path(), "requests.csv");
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(
        stderr.contains("requests.csv', line 3: the line is longer than 1048576 bytes"),
        "{stderr}"
    );
}

#[test]
fn a_directory_or_an_empty_demand_file_is_named_without_a_line_number() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("requests.csv")).unwrap();
    let scenario = scenario_reading(folder.path(), "requests.csv");
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(
        stderr.contains("requests.csv' is a directory: it must be a regular file"),
        "{stderr}"
    );
    assert!(!stderr.contains("line"), "{stderr}");
    std::fs::remove_dir(folder.path().join("requests.csv")).unwrap();
    std::fs::write(folder.path().join("requests.csv"), "\n\n").unwrap();
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(stderr.contains("requests.csv' is empty"), "{stderr}");
    assert!(!stderr.contains("line 0"), "{stderr}");
}

#[test]
fn a_demand_header_with_a_byte_order_mark_says_so_without_debug_escapes() {
    let folder = tempfile::tempdir().unwrap();
    let requests = folder.path().join("requests.csv");
    std::fs::write(&requests, "\u{feff}time,trip\n1,2\n").unwrap();
    let scenario = scenario_reading(folder.path(), "requests.csv");
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(stderr.contains("starts with a byte-order mark"), "{stderr}");
    assert!(!stderr.contains("\\u{feff}"), "{stderr}");
    std::fs::write(&requests, "when,\"trip\"\n1,2\n").unwrap();
    let stderr = stderr_of_failure(&["scenario", "check"], &scenario, 1);
    assert!(
        stderr.contains("header 'when,\"trip\"': expected"),
        "{stderr}"
    );
}
