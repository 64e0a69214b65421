//! `replay` of dispatch logs as JSON tools and people hand them back:
//! rewritten numbers, edited outcomes, cut files, odd bytes, moved folders.

use std::path::{Path, PathBuf};

use crate::taxi_sim;

/// A short taxi-stand run (374 events).
const SMALL: &[&str] = &[
    "run",
    "--scenario",
    "taxi-stand",
    "--set",
    "warm_up=100",
    "-s",
    "4",
    "-e",
    "300",
];

/// Writes the small run's log in `format` to `directory/name`.
fn small_log(directory: &Path, name: &str, format: &str) -> PathBuf {
    let output = taxi_sim()
        .args(SMALL)
        .args(["-q", "-f", format])
        .output()
        .unwrap();
    assert!(output.status.success());
    let log = directory.join(name);
    std::fs::write(&log, output.stdout).unwrap();
    log
}

/// The replay's stderr and whether it succeeded.
fn replay(log: &Path) -> (bool, String) {
    let output = taxi_sim().arg("replay").arg(log).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Rewrites whole doubles as integers (`300.0` as `300`), as jq does.
fn as_jq_writes(text: &str) -> String {
    text.replace(".0,", ",").replace(".0}", "}")
}

#[test]
fn a_dispatch_log_with_whole_numbers_rewritten_as_integers_is_identical() {
    let directory = tempfile::tempdir().unwrap();
    for (name, format) in [("small.jsonl", "jsonl"), ("small.json", "json")] {
        let log = small_log(directory.path(), name, format);
        let text = std::fs::read_to_string(&log).unwrap();
        let rewritten = as_jq_writes(&text);
        assert_ne!(rewritten, text);
        std::fs::write(&log, rewritten).unwrap();
        let (success, stderr) = replay(&log);
        assert!(success, "{stderr}");
        assert!(stderr.contains("identical"), "{stderr}");
    }
}

#[test]
fn a_changed_summary_number_names_the_field_with_both_values() {
    let directory = tempfile::tempdir().unwrap();
    let log = small_log(directory.path(), "small.jsonl", "jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let edited = text.replace("\"wait_mean\":0.41197985609556637", "\"wait_mean\":1.5");
    assert_ne!(edited, text);
    std::fs::write(&log, edited).unwrap();
    let (success, stderr) = replay(&log);
    assert!(!success, "{stderr}");
    assert!(
        stderr.contains(
            "summary.passengers.wait_mean: recorded 1.5, re-simulated 0.41197985609556637"
        ),
        "{stderr}"
    );
}

#[test]
fn a_run_that_ended_by_itself_recorded_as_interrupted_is_an_outcome_difference() {
    let directory = tempfile::tempdir().unwrap();
    let log = small_log(directory.path(), "small.jsonl", "jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let edited = text.replace("\"reason\":\"end_time\"", "\"reason\":\"interrupted\"");
    assert_ne!(edited, text);
    std::fs::write(&log, edited).unwrap();
    let (success, stderr) = replay(&log);
    assert!(!success, "{stderr}");
    assert!(stderr.contains("the outcome differs"), "{stderr}");
    assert!(!stderr.contains("summary"), "{stderr}");
}

#[test]
fn a_truncated_dispatch_document_is_called_truncated() {
    let directory = tempfile::tempdir().unwrap();
    let log = small_log(directory.path(), "small.json", "json");
    let text = std::fs::read(&log).unwrap();
    std::fs::write(&log, &text[..5000]).unwrap();
    let (success, stderr) = replay(&log);
    assert!(!success, "{stderr}");
    assert!(
        stderr.contains("malformed log '") && stderr.contains("small.json': truncated"),
        "{stderr}"
    );
    assert!(stderr.contains("EOF while parsing"), "{stderr}");
    assert!(!stderr.contains("schema_version"), "{stderr}");
}

#[test]
fn an_event_with_its_taxi_or_passenger_key_removed_is_malformed_not_a_null() {
    let directory = tempfile::tempdir().unwrap();
    let log = small_log(directory.path(), "small.jsonl", "jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    for key in ["\"taxi\":", "\"passenger\":"] {
        // The first event line that names a taxi or a passenger with a
        // value: drop the key and its value, keep the rest of the line.
        let mut removed = false;
        let tampered: Vec<String> = text
            .lines()
            .map(|line| {
                if removed || !line.starts_with("{\"type\":\"event\"") {
                    return line.to_string();
                }
                let start = line.find(key).expect("every event names both keys");
                let rest = &line[start..];
                let end = rest.find([',', '}']).unwrap();
                let cut = if rest.as_bytes()[end] == b',' {
                    end + 1
                } else {
                    end
                };
                removed = true;
                format!("{}{}", &line[..start], &rest[cut..]).replace(",}", "}")
            })
            .collect();
        assert!(removed);
        let tampered_log = directory.path().join("tampered.jsonl");
        std::fs::write(&tampered_log, tampered.join("\n") + "\n").unwrap();
        let (identical, stderr) = replay(&tampered_log);
        assert!(!identical, "{key} removed: {stderr}");
        assert!(stderr.contains("missing field"), "{key} removed: {stderr}");
    }
}

#[test]
fn a_log_that_people_and_tools_mangled_is_named_for_what_happened_to_it() {
    let directory = tempfile::tempdir().unwrap();
    for (format, name) in [("jsonl", "book.jsonl"), ("jsonl", "stand.jsonl")] {
        let log = if name == "book.jsonl" {
            let output = taxi_sim()
                .args(["run", "-t", "3", "-e", "100", "-s", "3", "-q", "-f", format])
                .output()
                .unwrap();
            let log = directory.path().join(name);
            std::fs::write(&log, output.stdout).unwrap();
            log
        } else {
            small_log(directory.path(), name, format)
        };
        let text = std::fs::read_to_string(&log).unwrap();

        // A byte-order mark, as some editors add.
        let bom = directory.path().join(format!("bom-{name}"));
        std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
        let (ok, stderr) = replay(&bom);
        assert!(
            !ok && stderr.contains("byte-order mark"),
            "{name}: {stderr}"
        );

        // Each object spread over many lines, as `jq .` writes them.
        let pretty = directory.path().join(format!("pretty-{name}"));
        let spread: String = text
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                serde_json::to_string_pretty(&value).unwrap() + "\n"
            })
            .collect();
        std::fs::write(&pretty, spread).unwrap();
        let (ok, stderr) = replay(&pretty);
        assert!(
            !ok && stderr.contains("line 1 is not valid JSON") && stderr.contains("jq -c"),
            "{name}: {stderr}"
        );

        // A header number edited into something JSON does not have.
        let nan = directory.path().join(format!("nan-{name}"));
        let edited = text.replacen("\"schema_version\":", "\"schema_version\":NaN,\"was\":", 1);
        std::fs::write(&nan, edited).unwrap();
        let (ok, stderr) = replay(&nan);
        assert!(
            !ok && stderr.contains("line 1 is not valid JSON") && !stderr.contains("jq -c"),
            "{name}: {stderr}"
        );
    }
}
