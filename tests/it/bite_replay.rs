//! What `src/replay.rs`'s mutants showed the suite did not check.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::taxi_sim;

/// The JSON and JSON Lines logs of `run ARGS`, written in `directory`.
fn logs(directory: &Path, args: &[&str]) -> [(&'static str, String); 2] {
    taxi_sim()
        .current_dir(directory)
        .args(["run", "-q", "-f", "none", "--export", "r.json"])
        .args(["--export", "r.jsonl"])
        .args(args)
        .assert()
        .success();
    ["r.json", "r.jsonl"].map(|name| (name, fs::read_to_string(directory.join(name)).unwrap()))
}

/// `replay` of `text`, written to `name` in `directory`.
fn replay_text(directory: &Path, name: &str, text: &str) -> Output {
    let file = format!("t-{name}");
    fs::write(directory.join(&file), text).unwrap();
    taxi_sim()
        .current_dir(directory)
        .args(["replay", &file])
        .output()
        .unwrap()
}

fn assert_identical(output: &Output, case: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{case}: {stderr}");
    assert!(stderr.contains("identical"), "{case}: {stderr}");
}

#[test]
fn a_seed_just_above_two_to_the_53_rounded_down_by_a_json_tool_still_replays() {
    // 2^53 + 1 is not a double: `jq -c .` prints the nearest one, 2^53,
    // which is a whole number that fits a u64 but is not the seed.
    let directory = tempfile::tempdir().unwrap();
    let seed = (1u64 << 53) + 1;
    let rounded = seed as f64;
    assert_eq!(rounded as u64, 1 << 53);
    for (name, text) in logs(directory.path(), &["-s", &seed.to_string(), "-e", "60"]) {
        // Both numbers (the header's and the recorded scenario's), not the text.
        let through_jq = text.replace(&format!(":{seed}"), &format!(":{}", rounded as u64));
        assert_eq!(
            through_jq.matches(&format!(":{}", 1u64 << 53)).count(),
            2,
            "{name}"
        );
        assert_identical(&replay_text(directory.path(), name, &through_jq), name);
    }
}

#[test]
fn a_seed_number_that_no_rounding_of_the_seed_text_gives_is_refused() {
    // Seed 2^53 is a double; 2^53 + 1 is what no tool rounds it to (nor
    // is 5.0 how one prints 5). The text is the seed; the number disagrees.
    let directory = tempfile::tempdir().unwrap();
    for (seed, number) in [
        (1u64 << 53, ((1u64 << 53) + 1).to_string()),
        (5, "5.0".into()),
    ] {
        for (name, text) in logs(directory.path(), &["-s", &seed.to_string(), "-e", "60"]) {
            let header_seed = format!("\"seed\":{seed},\"seed_text\"");
            assert!(text.contains(&header_seed), "{name}");
            let tampered = text.replace(&header_seed, &format!("\"seed\":{number},\"seed_text\""));
            let output = replay_text(directory.path(), name, &tampered);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{seed} {name}: {stderr}");
            assert!(
                stderr.contains(&format!("seed {number} and seed_text '{seed}' disagree")),
                "{seed} {name}: {stderr}"
            );
        }
    }
}

#[test]
fn every_field_given_twice_in_a_json_document_is_refused_by_name() {
    let directory = tempfile::tempdir().unwrap();
    let [(name, json), _] = logs(directory.path(), &["-s", "2", "-e", "60"]);
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    for field in ["rng", "events", "outcome", "summary"] {
        // The first of the two is put in front, the second is where it was.
        let first = if field == "events" {
            "[]".to_string()
        } else {
            document[field].to_string()
        };
        let twice = json.replacen('{', &format!("{{\"{field}\":{first},"), 1);
        let output = replay_text(directory.path(), name, &twice);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{field}: {stderr}");
        assert!(
            stderr.contains(&format!("duplicate field `{field}`")),
            "{field}: {stderr}"
        );
    }
}

#[test]
fn a_json_document_of_another_schema_version_is_refused_while_it_is_read() {
    let directory = tempfile::tempdir().unwrap();
    let [(name, json), _] = logs(directory.path(), &["-s", "2", "-e", "60"]);
    let other = json.replacen("{\"schema_version\":1,", "{\"schema_version\":7,", 1);
    assert_ne!(other, json);
    let output = replay_text(directory.path(), name, &other);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("malformed log")
            && stderr.contains("unsupported schema_version 7; this taxi-sim reads version 1"),
        "{stderr}"
    );
}

#[test]
fn a_json_document_whose_events_are_not_an_array_says_what_they_should_be() {
    let directory = tempfile::tempdir().unwrap();
    let [(name, json), _] = logs(directory.path(), &["-s", "2", "-e", "60"]);
    // A number in front: the field is then also given twice, but its
    // type is what is read first.
    let not_an_array = json.replacen('{', "{\"events\":5,", 1);
    let output = replay_text(directory.path(), name, &not_an_array);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("invalid type: integer `5`, expected an array of events"),
        "{stderr}"
    );
}

#[test]
fn a_first_line_holding_data_but_no_type_is_read_as_a_json_document() {
    // Only an object with both `type` and `data` is a JSON Lines envelope
    // (or one whose first key is either); with `data` alone, after another
    // key, the file is a document, refused for its stray `data` key.
    let directory = tempfile::tempdir().unwrap();
    let [_, (_, lines)] = logs(directory.path(), &["-s", "7", "-e", "60"]);
    let (header, rest) = lines.split_once('\n').unwrap();
    let data = header
        .strip_prefix("{\"type\":\"header\",")
        .expect("the header line starts with its type");
    let output = replay_text(
        directory.path(),
        "data.jsonl",
        &format!("{{\"note\":1,{data}\n{rest}"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // Read as a document: its reader names the key it does not know.
    assert!(
        stderr.contains("unknown field `data`") && !stderr.contains("': line 1"),
        "{stderr}"
    );
}

#[test]
fn a_mismatch_shown_into_a_full_disk_reports_the_full_disk() {
    // The events verified before the mismatch are flushed to stdout; a
    // write error then (not a reader gone away) is the error reported.
    let directory = tempfile::tempdir().unwrap();
    let [_, (_, lines)] = logs(directory.path(), &["-s", "7", "-e", "60"]);
    // The last event's taxi changed: every event before it is shown.
    let mut records: Vec<String> = lines.lines().map(String::from).collect();
    let last_event = records.len() - 2;
    assert!(last_event > 2 && records[last_event].contains("\"type\":\"event\""));
    records[last_event] = records[last_event].replacen("\"taxi\":", "\"taxi\":9", 1);
    let tampered = records.join("\n") + "\n";
    fs::write(directory.path().join("t.jsonl"), tampered).unwrap();
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = replay_into(directory.path(), &["t.jsonl", "--show"], full);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not write stdout"), "{stderr}");
    assert!(!stderr.contains("MISMATCH"), "{stderr}");
}

/// `replay ARGS` run in `directory` with its stdout going to `stdout`.
fn replay_into(directory: &Path, args: &[&str], stdout: impl Into<std::process::Stdio>) -> Output {
    crate::spawn(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .current_dir(directory)
            .arg("replay")
            .args(args)
            .stdout(stdout)
            .stderr(std::process::Stdio::piped()),
    )
    .output()
}

#[test]
fn a_full_disk_while_events_are_shown_ends_the_replay_before_the_rest_of_the_log() {
    // The shown events fill the output buffer long before the end: the
    // first failed write ends the replay, which never reads the cut-off end.
    let directory = tempfile::tempdir().unwrap();
    let [_, (_, lines)] = logs(directory.path(), &["-s", "1", "-t", "200", "-e", "2000"]);
    let events = lines.lines().count() - 2;
    assert!(events > 10_000, "{events} events fill the 128 KiB buffer");
    let without_end = &lines[..lines.trim_end().rfind('\n').unwrap() + 1];
    fs::write(directory.path().join("cut.jsonl"), without_end).unwrap();
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = replay_into(directory.path(), &["cut.jsonl", "--show"], full);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not write stdout"), "{stderr}");
    assert!(!stderr.contains("truncated"), "{stderr}");
}

#[test]
fn a_mismatch_shown_to_a_reader_already_gone_is_still_reported_as_a_mismatch() {
    // The few events before the mismatch wait in the buffer; flushing them
    // into a pipe nobody reads is no error, and the verdict is the mismatch.
    let directory = tempfile::tempdir().unwrap();
    let [_, (_, lines)] = logs(directory.path(), &["-s", "7", "-e", "60"]);
    let mut records: Vec<String> = lines.lines().map(String::from).collect();
    let last_event = records.len() - 2;
    records[last_event] = records[last_event].replacen("\"taxi\":", "\"taxi\":9", 1);
    fs::write(directory.path().join("t.jsonl"), records.join("\n") + "\n").unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = replay_into(directory.path(), &["t.jsonl", "--show"], writer);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("MISMATCH in 't.jsonl'"), "{stderr}");
    assert!(!stderr.contains("could not write"), "{stderr}");
}

#[test]
fn an_identical_log_shown_to_a_reader_already_gone_ends_quietly() {
    // Every event fits the buffer, written only when the replay completes
    // its output: a reader gone by then (`| head` done) is no error.
    let directory = tempfile::tempdir().unwrap();
    let [_, (name, _)] = logs(directory.path(), &["-s", "7", "-e", "60"]);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = replay_into(directory.path(), &[name, "--show"], writer);
    assert_identical(&output, name);
}

/// Waits until process `pid`'s main thread is blocked in `write` (a pipe
/// nobody reads is full).
fn wait_until_blocked_writing(pid: u32) {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        let syscall = fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        // System call 1 is `write` on x86-64.
        if syscall.starts_with("1 ") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("process {pid} never blocked writing stdout");
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn ctrl_c_then_the_reader_of_shown_events_going_away_exits_with_130() {
    // Ctrl-C in a terminal stops both ends of `replay --show | less`: the
    // replay, blocked writing into the full pipe, finds its reader gone
    // after the stop was asked for. That is an interruption, not the quiet
    // end of a `| head`.
    let directory = tempfile::tempdir().unwrap();
    let [_, (name, lines)] = logs(directory.path(), &["-s", "1", "-t", "200", "-e", "2000"]);
    assert!(
        lines.len() > 1 << 20,
        "the shown events overflow the buffers"
    );
    let mut child = crate::spawn(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .current_dir(directory.path())
            .args(["replay", name, "--show", "-q"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
    );
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    wait_until_blocked_writing(child.id());
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The handler notes the request; then the reader goes.
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(stdout);
    let output = child.output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("identical"), "{stderr}");
}
