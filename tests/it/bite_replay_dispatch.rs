//! What `src/models/dispatch/replay.rs`'s mutants showed the suite did not
//! check: the words of an event mismatch, the header's generator, blank
//! lines after the end line, and a broken event where the first pass over
//! the log does not look.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::taxi_sim;

/// Exports a short taxi-stand run (every passenger measured) to
/// `directory/name`.
fn stand_log(directory: &Path, name: &str) -> PathBuf {
    let log = directory.join(name);
    taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "--set", "end_time=300"])
        .args([
            "--set",
            "warm_up=0",
            "-s",
            "4",
            "-q",
            "-f",
            "none",
            "--export",
        ])
        .arg(&log)
        .assert()
        .success();
    log
}

/// Replays `text` written to `directory/name`.
fn replay_of(directory: &Path, name: &str, text: &str) -> (Output, String) {
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    let output = taxi_sim().arg("replay").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

#[test]
fn a_dispatch_event_mismatch_gives_both_events_field_by_field() {
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.jsonl");
    let text = std::fs::read_to_string(log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Line `index` is event #index, the first pick-up: a taxi and a passenger.
    let index = lines
        .iter()
        .position(|line| line.contains("pick_up_passenger"))
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(lines[index]).unwrap();
    let data = &event["data"];
    let (time, taxi, passenger) = (
        data["time"].as_f64().unwrap(),
        data["taxi"].as_u64().unwrap(),
        data["passenger"].as_u64().unwrap(),
    );
    let simulated =
        format!("time {time}, taxi {taxi}, passenger {passenger}, action pick_up_passenger");
    let later = time + 0.5;
    for (field, value, recorded) in [
        (
            "time",
            later.to_string(),
            format!("time {later}, taxi {taxi}, passenger {passenger}, action pick_up_passenger"),
        ),
        (
            "taxi",
            "null".to_string(),
            format!("time {time}, taxi null, passenger {passenger}, action pick_up_passenger"),
        ),
        (
            "passenger",
            (passenger + 7).to_string(),
            format!(
                "time {time}, taxi {taxi}, passenger {}, action pick_up_passenger",
                passenger + 7
            ),
        ),
        (
            "action",
            "\"drop_off_passenger\"".to_string(),
            format!("time {time}, taxi {taxi}, passenger {passenger}, action drop_off_passenger"),
        ),
    ] {
        let mut tampered = event.clone();
        tampered["data"][field] = serde_json::from_str(&value).unwrap();
        let mut changed: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
        changed[index] = tampered.to_string();
        let (output, stderr) = replay_of(directory.path(), "t.jsonl", &(changed.join("\n") + "\n"));
        assert_eq!(output.status.code(), Some(1), "{field}: {stderr}");
        let expected = format!(
            "event #{index} differs\n  recorded:     {recorded}\n  re-simulated: {simulated}\n"
        );
        assert!(
            stderr.contains(&expected),
            "{field}: {stderr}\nwanted: {expected}"
        );
    }
}

#[test]
fn a_dispatch_log_whose_header_names_another_generator_is_not_identical() {
    // The scenario inside the header says pcg64 too; the header's own
    // generator is the one the run was recorded with.
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.jsonl");
    let text = std::fs::read_to_string(log).unwrap();
    assert!(text.starts_with(r#"{"type":"header","data":{"schema_version":2,"#));
    let (before, after) = text.split_once(r#""rng":"pcg64""#).unwrap();
    let tampered = format!(r#"{before}"rng":"cpython"{after}"#);
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &tampered);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("MISMATCH"), "{stderr}");
}

#[test]
fn blank_lines_after_a_dispatch_logs_end_line_are_allowed() {
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.jsonl");
    let text = std::fs::read_to_string(log).unwrap() + "\n  \n\t\n";
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &text);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("identical"), "{stderr}");
    // Between events, a blank line is no event.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(5, "");
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &lines.join("\n"));
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("line 6: EOF while parsing"), "{stderr}");
}

#[test]
fn a_bad_event_inside_a_dispatch_document_is_named_not_taken_for_its_end() {
    // The first pass reads a document's events as any JSON; the second
    // finds the unknown field, and says so.
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.json");
    let text = std::fs::read_to_string(log).unwrap();
    let at = text.find(r#""action":"pick_up_passenger""#).unwrap();
    let tampered = format!("{}\"extra\":1,{}", &text[..at], &text[at..]);
    let (output, stderr) = replay_of(directory.path(), "t.json", &tampered);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("malformed log") && stderr.contains("unknown field `extra`"),
        "{stderr}"
    );
    assert!(!stderr.contains("ends before"), "{stderr}");
}

#[test]
fn a_broken_line_of_a_dispatch_log_cut_before_its_end_is_named_first() {
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.jsonl");
    let text = std::fs::read_to_string(log).unwrap();
    let mut lines: Vec<&str> = text.lines().take(40).collect();
    lines[20] = "not json";
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &(lines.join("\n") + "\n"));
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("line 21: expected"), "{stderr}");
    assert!(!stderr.contains("no end line"), "{stderr}");
}

#[test]
fn a_dispatch_log_cut_by_ctrl_c_replays_its_events_and_keeps_its_reason() {
    // A log cut by Ctrl-C ends like one cut by an event limit, but for its
    // reason: its events are re-simulated by their count, as a limit.
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("cut.jsonl");
    taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "--set", "end_time=300"])
        .args(["--set", "warm_up=0", "-s", "4", "-q", "-f", "none"])
        .args(["--max-events", "50", "--export"])
        .arg(&log)
        .assert()
        .success();
    let text = std::fs::read_to_string(log).unwrap();
    let interrupted = text.replacen(r#""reason":"event_limit""#, r#""reason":"interrupted""#, 1);
    assert_ne!(interrupted, text);
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &interrupted);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("verified 50 events") && stderr.contains("identical, ending interrupted"),
        "{stderr}"
    );
}

#[test]
fn a_whole_dispatch_log_whose_end_says_event_limit_is_a_mismatch() {
    let directory = tempfile::tempdir().unwrap();
    let log = stand_log(directory.path(), "stand.jsonl");
    let text = std::fs::read_to_string(log).unwrap();
    let limited = text.replacen(r#""reason":"end_time""#, r#""reason":"event_limit""#, 1);
    assert_ne!(limited, text);
    let (output, stderr) = replay_of(directory.path(), "t.jsonl", &limited);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the outcome differs\n  recorded:     at the event limit")
            && stderr.contains("re-simulated: at the end time"),
        "{stderr}"
    );
}
