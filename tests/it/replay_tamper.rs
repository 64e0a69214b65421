//! Replay compares every recorded field: each field of each record kind,
//! tampered in turn in each format, is a MISMATCH with exit code 1.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::taxi_sim;

/// A run with taxis that went home, taxis still driving at the end, and a
/// positive number of pending events.
const RUN: &[&str] = &["-t", "5", "-s", "10", "-e", "100"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Json,
    Jsonl,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }
}

/// A log read into values: one document, or one value per line.
struct Log {
    format: Format,
    records: Vec<Value>,
}

impl Log {
    fn read(path: &Path, format: Format) -> Self {
        let text = fs::read_to_string(path).unwrap();
        let records = match format {
            Format::Json => vec![serde_json::from_str(&text).unwrap()],
            Format::Jsonl => text
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect(),
        };
        Self { format, records }
    }

    fn write(&self, path: &Path) {
        let text: String = match self.format {
            Format::Json => serde_json::to_string(&self.records[0]).unwrap(),
            Format::Jsonl => self
                .records
                .iter()
                .map(|record| serde_json::to_string(record).unwrap() + "\n")
                .collect(),
        };
        fs::write(path, text).unwrap();
    }

    /// The value at a JSON document's pointer (`/events/3/time`,
    /// `/outcome/pending`, `/summary/fleet/trips`, `/seed`), found where
    /// the format keeps it.
    fn at(&mut self, pointer: &str) -> &mut Value {
        let (record, inner) = match self.format {
            Format::Json => (0, pointer.to_string()),
            Format::Jsonl => {
                let last = self.records.len() - 1;
                let mut parts = pointer.splitn(4, '/').skip(1);
                match parts.next().unwrap() {
                    "events" => {
                        let index: usize = parts.next().unwrap().parse().unwrap();
                        (1 + index, format!("/data/{}", parts.next().unwrap()))
                    }
                    "outcome" | "summary" => (last, format!("/data{pointer}")),
                    "end_events" => (last, "/data/events".to_string()),
                    _ => (0, format!("/data{pointer}")),
                }
            }
        };
        self.records[record]
            .pointer_mut(&inner)
            .unwrap_or_else(|| panic!("{pointer} in the {:?} log", self.format))
    }

    fn event_count(&self) -> usize {
        match self.format {
            Format::Json => self.records[0]["events"].as_array().unwrap().len(),
            Format::Jsonl => self.records.len() - 2,
        }
    }
}

/// A different value of the same kind: another number, the other truth
/// value, another name of the same enumeration.
fn other_value(value: &Value) -> Value {
    match value {
        Value::Bool(truth) => Value::Bool(!truth),
        Value::Number(number) if number.is_u64() => {
            let number = number.as_u64().unwrap();
            if number > 0 { number - 1 } else { number + 1 }.into()
        }
        Value::Number(number) => (number.as_f64().unwrap() + 0.25).into(),
        Value::String(name) => match name.as_str() {
            "leave_garage" => "pick_up_passenger",
            "pick_up_passenger" => "drop_off_passenger",
            "drop_off_passenger" => "pick_up_passenger",
            "going_home" => "drop_off_passenger",
            "end_time" => "end_of_events",
            "end_of_events" => "end_time",
            "cpython" => "pcg64",
            "pcg64" => "cpython",
            other => panic!("no other value for {other:?}"),
        }
        .into(),
        other => panic!("no other value for {other}"),
    }
}

fn export(directory: &Path, format: Format, args: &[&str]) -> std::path::PathBuf {
    let path = directory.join(format!("fresh.{}", format.extension()));
    taxi_sim()
        .arg("run")
        .args(args)
        .args(["-q", "-f", "none", "--export"])
        .arg(&path)
        .assert()
        .success();
    path
}

/// Every pointer to a recorded value replay must compare, for a log with
/// `events` events.
fn compared_fields(events: usize) -> Vec<String> {
    let mut pointers = Vec::new();
    for index in [0, 1, events / 2, events - 1] {
        for field in ["time", "taxi", "action"] {
            pointers.push(format!("/events/{index}/{field}"));
        }
    }
    for field in ["reason", "sim_time", "pending", "events"] {
        pointers.push(format!("/outcome/{field}"));
    }
    for field in ["minutes_per_tick", "sim_time"] {
        pointers.push(format!("/summary/{field}"));
    }
    for field in [
        "taxis",
        "taxis_started",
        "taxis_home",
        "trips",
        "events",
        "prowling",
        "occupied",
        "on_duty",
        "mean_occupancy_share",
        "trips_per_taxi_hour",
    ] {
        pointers.push(format!("/summary/fleet/{field}"));
    }
    for taxi in [0, 4] {
        for field in [
            "taxi",
            "trips",
            "events",
            "prowling",
            "occupied",
            "on_duty",
            "went_home",
        ] {
            pointers.push(format!("/summary/taxis/{taxi}/{field}"));
        }
    }
    pointers.extend(["/seed", "/rng"].map(String::from));
    pointers
}

fn assert_tampered_log_is_a_mismatch(fresh: &Path, format: Format, pointer: &str) {
    let mut log = Log::read(fresh, format);
    let value = log.at(pointer);
    let tampered = other_value(value);
    *value = tampered.clone();
    let path = fresh.with_file_name(format!("tampered.{}", format.extension()));
    log.write(&path);
    taxi_sim()
        .arg("replay")
        .arg(&path)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("MISMATCH")
                .and(predicate::str::contains("identical").not())
                .and(predicate::str::contains("malformed").not()),
        );
}

#[test]
fn each_tampered_field_of_each_record_is_a_mismatch_in_both_formats() {
    let directory = tempfile::tempdir().unwrap();
    for format in [Format::Json, Format::Jsonl] {
        let fresh = export(directory.path(), format, RUN);
        let log = Log::read(&fresh, format);
        let events = log.event_count();
        assert!(events > 8, "{events} events");
        // The run covers both ends of a taxi's day and a pending queue.
        let summary = &log.records.last().unwrap();
        let summary = match format {
            Format::Json => &summary["summary"],
            Format::Jsonl => &summary["data"]["summary"],
        };
        let homes = summary["fleet"]["taxis_home"].as_u64().unwrap();
        assert!(homes > 0 && homes < 5, "{homes} taxis went home");
        let mut pointers = compared_fields(events);
        if format == Format::Jsonl {
            pointers.push("/end_events".to_string());
        }
        for pointer in &pointers {
            assert_tampered_log_is_a_mismatch(&fresh, format, pointer);
        }
        // And the untouched log still verifies.
        taxi_sim().arg("replay").arg(&fresh).assert().success();
    }
}

#[test]
fn each_tampered_field_of_a_log_stopped_by_the_event_limit_is_a_mismatch() {
    let directory = tempfile::tempdir().unwrap();
    let args = ["-t", "6", "-s", "3", "--max-events", "23"];
    for format in [Format::Json, Format::Jsonl] {
        let fresh = export(directory.path(), format, &args);
        for pointer in [
            "/outcome/sim_time",
            "/outcome/pending",
            "/outcome/events",
            "/summary/fleet/occupied",
            "/summary/taxis/1/occupied",
            "/events/22/time",
        ] {
            assert_tampered_log_is_a_mismatch(&fresh, format, pointer);
        }
    }
}

#[test]
fn a_reason_tampered_to_interrupted_or_event_limit_is_a_mismatch() {
    let directory = tempfile::tempdir().unwrap();
    for format in [Format::Json, Format::Jsonl] {
        let fresh = export(directory.path(), format, RUN);
        for reason in ["interrupted", "event_limit"] {
            let mut log = Log::read(&fresh, format);
            *log.at("/outcome/reason") = reason.into();
            let path = directory
                .path()
                .join(format!("tampered.{}", format.extension()));
            log.write(&path);
            taxi_sim()
                .arg("replay")
                .arg(&path)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("MISMATCH"));
        }
    }
}

/// The outcome as replay's messages write it.
fn outcome_text(outcome: &Value) -> String {
    let how = match outcome["reason"].as_str().unwrap() {
        "end_time" => "at the end time",
        "end_of_events" => "when events ran out",
        "event_limit" => "at the event limit",
        "interrupted" => "interrupted",
        other => panic!("unknown reason {other}"),
    };
    format!(
        "{how} (time {}, {} events, {} pending)",
        outcome["sim_time"], outcome["events"], outcome["pending"]
    )
}

/// An event as replay's messages write it.
fn event_text(event: &Value) -> String {
    format!(
        "time {}, taxi {}, action {}",
        event["time"],
        event["taxi"],
        event["action"].as_str().unwrap()
    )
}

fn replay_stderr(log: &Path, code: i32) -> String {
    let output = taxi_sim().arg("replay").arg(log).output().unwrap();
    assert_eq!(output.status.code(), Some(code));
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn replay_messages_name_the_outcome_and_the_events_exactly() {
    let directory = tempfile::tempdir().unwrap();
    for format in [Format::Json, Format::Jsonl] {
        let fresh = export(directory.path(), format, RUN);
        let path = fresh.with_file_name(format!("edited.{}", format.extension()));
        let log = Log::read(&fresh, format);
        let events = log.event_count();
        let mut document = log.records.last().unwrap().clone();
        if format == Format::Jsonl {
            document = document["data"].clone();
        }
        let outcome = document["outcome"].clone();
        let last_event = match format {
            Format::Json => log.records[0]["events"][events - 1].clone(),
            Format::Jsonl => log.records[events]["data"].clone(),
        };
        // A verified log: its ending, in full.
        let stderr = replay_stderr(&fresh, 0);
        assert!(
            stderr.contains(&format!(
                "verified {events} events of '{}' (seed 10, generator cpython, scenario 'fluent-python', written by taxi-sim {}): identical, ending {}",
                fresh.display(),
                env!("CARGO_PKG_VERSION"),
                outcome_text(&outcome)
            )),
            "{stderr}"
        );
        // A changed outcome: both outcomes, in full.
        let mut edited = Log::read(&fresh, format);
        *edited.at("/outcome/pending") = (outcome["pending"].as_u64().unwrap() + 1).into();
        edited.write(&path);
        let mut tampered = outcome.clone();
        tampered["pending"] = (outcome["pending"].as_u64().unwrap() + 1).into();
        let stderr = replay_stderr(&path, 1);
        assert!(
            stderr.contains(&format!(
                "the outcome differs\n  recorded:     {}\n  re-simulated: {}\n",
                outcome_text(&tampered),
                outcome_text(&outcome)
            )),
            "{stderr}"
        );
        // The last event removed: the missing event, by number.
        let mut edited = Log::read(&fresh, format);
        match format {
            Format::Json => {
                edited.records[0]["events"].as_array_mut().unwrap().pop();
            }
            Format::Jsonl => {
                edited.records.remove(events);
                *edited.at("/end_events") = (events as u64 - 1).into();
            }
        }
        edited.write(&path);
        let stderr = replay_stderr(&path, 1);
        assert!(
            stderr.contains(&format!(
                "the log ends before the re-simulation does\n  recorded:     no event #{events}\n  re-simulated: event #{events}: {}\n",
                event_text(&last_event)
            )),
            "{stderr}"
        );
        // One event too many: how the re-simulation ended.
        let mut edited = Log::read(&fresh, format);
        match format {
            Format::Json => edited.records[0]["events"]
                .as_array_mut()
                .unwrap()
                .push(last_event.clone()),
            Format::Jsonl => {
                let line = edited.records[events].clone();
                edited.records.insert(events + 1, line);
                *edited.at("/end_events") = (events as u64 + 1).into();
            }
        }
        edited.write(&path);
        let stderr = replay_stderr(&path, 1);
        assert!(
            stderr.contains(&format!(
                "the log has more events than the re-simulation\n  recorded:     event #{}: {}\n  re-simulated: the run ended at the end time (time {}, {events} events, {} pending)\n",
                events + 1,
                event_text(&last_event),
                outcome["sim_time"],
                outcome["pending"]
            )),
            "{stderr}"
        );
    }
}

#[test]
fn replay_show_into_a_full_disk_is_an_error() {
    let directory = tempfile::tempdir().unwrap();
    let fresh = export(directory.path(), Format::Jsonl, RUN);
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = crate::spawn(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .arg("replay")
            .arg(&fresh)
            .arg("--show")
            .stdout(full)
            .stderr(std::process::Stdio::piped()),
    )
    .output();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("could not write stdout"), "{stderr}");
    assert!(!stderr.contains("identical"), "{stderr}");
}
