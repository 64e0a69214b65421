//! The dispatch model through the binary: scenarios, events in every
//! format, common random numbers, shifts, loss systems and bad input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{stdout_of, taxi_sim};

const STAND: &str = r#"
schema_version = 2
model = "dispatch"
name = "small-stand"
end_time = 600
seed = 5
[fleet]
taxis = 3
[demand]
rate = 0.2
[durations]
trip = 20
patience = 10
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn a_dispatch_run_writes_csv_with_empty_cells_for_null() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "stand.toml", STAND);
    let text = stdout_of(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "-f",
        "csv",
        "-q",
    ]);
    assert_eq!(text.lines().next(), Some("time,taxi,passenger,action"));
    let rows = csv_rows(&text);
    assert!(rows.len() > 100);
    let mut previous = 0.0;
    for row in &rows {
        let time: f64 = row[0].parse().unwrap();
        assert!(time >= previous && time < 600.0);
        previous = time;
        let (taxi, passenger) = (!row[1].is_empty(), !row[2].is_empty());
        match row[3].as_str() {
            "leave_garage" | "going_home" => assert!(taxi && !passenger),
            "request" | "abandon" => assert!(!taxi && passenger),
            "pick_up_passenger" | "drop_off_passenger" => assert!(taxi && passenger),
            other => panic!("unknown action {other}"),
        }
    }
    // Exact real times: not all whole minutes.
    assert!(rows.iter().any(|row| row[0].contains('.')));
}

#[test]
fn json_and_jsonl_logs_have_the_books_envelope_at_version_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "stand.toml", STAND);
    let json_path = dir.path().join("run.json");
    let jsonl_path = dir.path().join("run.jsonl");
    taxi_sim()
        .args([
            "run",
            "--scenario",
            file.to_str().unwrap(),
            "-f",
            "none",
            "-q",
        ])
        .arg("--export")
        .arg(&json_path)
        .arg("--export")
        .arg(&jsonl_path)
        .assert()
        .success();
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(document["schema_version"], 2);
    assert_eq!(document["scenario"]["model"], "dispatch");
    let events = document["events"].as_array().unwrap();
    assert!(events[0]["passenger"].is_null() && events[0]["taxi"] == 0);
    let passengers = &document["summary"]["passengers"];
    for measure in [
        "requests",
        "served",
        "abandoned",
        "unresolved",
        "p_wait",
        "p_abandon",
        "wait_mean",
        "wait_p50",
        "wait_p90",
        "wait_p99",
        "queue_time_mean",
        "service_level",
    ] {
        assert!(passengers.get(measure).is_some(), "{measure}");
    }
    assert!(document["summary"]["fleet"]["utilization"].is_f64());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl_path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "header");
    assert_eq!(lines[0]["data"]["schema_version"], 2);
    assert_eq!(lines.len(), events.len() + 2);
    assert_eq!(lines[1]["data"], events[0]);
    assert_eq!(
        lines.last().unwrap()["data"]["summary"],
        document["summary"]
    );
}

#[test]
fn runs_with_the_same_seed_and_other_fleets_share_their_riders() {
    let requests = |taxis: &str| -> Vec<String> {
        let text = stdout_of(&[
            "run",
            "--scenario",
            "taxi-stand",
            "--taxis",
            taxis,
            "-f",
            "csv",
            "-q",
            "--max-events",
            "3000",
        ]);
        csv_rows(&text)
            .into_iter()
            .filter(|row| row[3] == "request")
            .map(|row| row[0].clone())
            .take(500)
            .collect()
    };
    let (few, many) = (requests("5"), requests("15"));
    assert_eq!(few.len(), 500);
    assert_eq!(few, many);
    let again = stdout_of(&[
        "run",
        "--scenario",
        "taxi-stand",
        "-f",
        "csv",
        "-q",
        "--max-events",
        "2000",
    ]);
    let once = stdout_of(&[
        "run",
        "--scenario",
        "taxi-stand",
        "-f",
        "csv",
        "-q",
        "--max-events",
        "2000",
    ]);
    assert_eq!(again, once);
    let other_seed = stdout_of(&[
        "run",
        "--scenario",
        "taxi-stand",
        "-f",
        "csv",
        "-q",
        "--max-events",
        "2000",
        "--seed",
        "8",
    ]);
    assert_ne!(again, other_seed);
}

#[test]
fn a_loss_system_serves_at_once_or_loses_the_rider_at_once() {
    let text = stdout_of(&[
        "run",
        "--scenario",
        "ride-hailing",
        "--taxis",
        "20",
        "-f",
        "csv",
        "-q",
        "--max-events",
        "20000",
        "--rng",
        "cpython",
    ]);
    let rows = csv_rows(&text);
    let mut requested: HashMap<String, String> = HashMap::new();
    let mut lost = 0;
    for row in &rows {
        match row[3].as_str() {
            "request" => {
                requested.insert(row[2].clone(), row[0].clone());
            }
            "pick_up_passenger" | "abandon" if requested.contains_key(&row[2]) => {
                assert_eq!(requested.remove(&row[2]).unwrap(), row[0], "{row:?}");
                lost += usize::from(row[3] == "abandon");
            }
            _ => {}
        }
    }
    assert!(lost > 0);
}

#[test]
fn taxis_take_no_rider_after_their_shift_and_go_home() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{STAND}\n[[taxi]]\nid = 1\nstart_time = 100\nshift_end = 300\n");
    let file = write(dir.path(), "shift.toml", &text);
    let csv = stdout_of(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "-f",
        "csv",
        "-q",
    ]);
    let taxi_one: Vec<Vec<String>> = csv_rows(&csv)
        .into_iter()
        .filter(|row| row[1] == "1")
        .collect();
    assert_eq!(taxi_one[0][3], "leave_garage");
    assert_eq!(taxi_one[0][0], "100");
    let home = taxi_one
        .iter()
        .position(|row| row[3] == "going_home")
        .unwrap();
    assert_eq!(home, taxi_one.len() - 1);
    let home_time: f64 = taxi_one[home][0].parse().unwrap();
    assert!(home_time >= 300.0);
    for row in &taxi_one {
        if row[3] == "pick_up_passenger" {
            assert!(row[0].parse::<f64>().unwrap() < 300.0, "{row:?}");
        }
    }
}

#[test]
fn bad_dispatch_files_name_the_file_the_field_and_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("rate = 0.2", "rate = -1", "demand.rate: -1"),
        (
            "model = \"dispatch\"",
            "model = \"dispatsh\"",
            "did you mean `dispatch`",
        ),
        ("patience = 10", "patients = 10", "did you mean `patience`"),
        (
            "rate = 0.2",
            "rate = 0.2\nfile = \"r.csv\"",
            "rate and file",
        ),
        (
            "end_time = 600",
            "end_time = 600\nwarm_up = 700",
            "warm_up: 700",
        ),
        ("rate = 0.2", "file = \"requests.csv\"", "line 3"),
    ];
    write(dir.path(), "requests.csv", "time\n1.5\nsoon\n");
    for (index, (from, to, expected)) in cases.into_iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("bad{index}.toml"),
            &STAND.replace(from, to),
        );
        let output = taxi_sim()
            .args(["scenario", "check"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{to}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{to}: {stderr}");
        assert!(stderr.contains(&format!("bad{index}.toml")), "{stderr}");
    }
}

#[test]
fn a_demand_file_drives_the_requests_and_their_trips() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "requests.csv",
        "time,trip\n1.5,10\n2,5\n2,7.25\n",
    );
    let file = write(
        dir.path(),
        "file.toml",
        &STAND.replace("rate = 0.2", "file = \"requests.csv\""),
    );
    let csv = stdout_of(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "-f",
        "csv",
        "-q",
    ]);
    let rows = csv_rows(&csv);
    let drop_offs: Vec<(String, String)> = rows
        .iter()
        .filter(|row| row[3] == "drop_off_passenger")
        .map(|row| (row[0].clone(), row[2].clone()))
        .collect();
    assert_eq!(
        drop_offs,
        [
            ("7".into(), "1".into()),
            ("9.25".into(), "2".into()),
            ("11.5".into(), "0".into())
        ]
    );
    let output = taxi_sim()
        .args(["scenario", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
}

#[test]
fn scenario_show_and_list_know_the_dispatch_model() {
    let shown: serde_json::Value =
        serde_json::from_str(&stdout_of(&["scenario", "show", "city-day", "--json"])).unwrap();
    assert_eq!(shown["model"], "dispatch");
    assert_eq!(shown["demand"]["period"], 1440.0);
    let list = stdout_of(&["scenario", "list"]);
    for name in ["taxi-stand", "ride-hailing", "city-day", "fluent-python"] {
        assert!(list.contains(name), "{list}");
    }
    // `scenario show` prints a file that loads again to the same scenario.
    let dir = tempfile::tempdir().unwrap();
    let toml = stdout_of(&["scenario", "show", "city-day"]);
    let file = write(dir.path(), "again.toml", &toml);
    let again: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "scenario",
        "show",
        file.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(again, shown);
}

#[test]
fn replay_proves_a_dispatch_log_and_catches_any_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("run.jsonl");
    let document = dir.path().join("run.json");
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "-f",
            "none",
            "-q",
            "--max-events",
            "4000",
        ])
        .arg("--export")
        .arg(&log)
        .arg("--export")
        .arg(&document)
        .assert()
        .success();
    for path in [&log, &document] {
        let output = taxi_sim().arg("replay").arg(path).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("verified 4000 events"));
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let pick_up = lines
        .iter()
        .position(|line| line.contains("pick_up_passenger"))
        .unwrap();
    let tampered_taxi = lines[pick_up].replacen("\"taxi\":", "\"taxi\":9", 1);
    let changed: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            if index == pick_up {
                tampered_taxi.clone()
            } else {
                line.to_string()
            }
        })
        .collect();
    let removed: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 200)
        .map(|(_, line)| line.to_string())
        .collect();
    let mut added: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    added.insert(300, lines[300].to_string());
    let mut field: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    field[50] = field[50].replacen("}}", ",\"extra\":1}}", 1);
    for (name, tampered, expected) in [
        ("changed", changed, "event #"),
        ("removed", removed, "differs"),
        ("added", added, "differs"),
        ("field", field, "extra"),
    ] {
        let path = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&path, tampered.join("\n") + "\n").unwrap();
        let output = taxi_sim().arg("replay").arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}
