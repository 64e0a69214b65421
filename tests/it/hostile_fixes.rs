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

fn stderr_of_run(args: &[&str]) -> String {
    let output = taxi_sim().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn an_undefined_mean_wait_is_printed_as_a_dash() {
    for extra in [&["-t", "1", "--max-events", "1"][..], &["-t", "0"][..]] {
        let mut args = vec!["run", "--scenario", "taxi-stand", "--set", "warm_up=0"];
        args.extend(["-s", "1", "-f", "none"]);
        args.extend(extra);
        let stderr = stderr_of_run(&args);
        assert!(stderr.contains("mean wait - (p90 -)"), "{stderr}");
        assert!(!stderr.contains("NaN"), "{stderr}");
    }
}

#[test]
fn counts_of_one_take_a_singular_noun() {
    let book = stderr_of_run(&[
        "run",
        "-t",
        "1",
        "-s",
        "10",
        "--max-events",
        "1",
        "-f",
        "none",
    ]);
    assert!(
        book.contains("summary: 1 taxi (0 went home), 1 event, 0 trips by time"),
        "{book}"
    );
    let dispatch = stderr_of_run(&[
        "run",
        "--scenario",
        "taxi-stand",
        "--set",
        "warm_up=0",
        "-s",
        "1",
        "-t",
        "1",
        "--max-events",
        "1",
        "-f",
        "none",
    ]);
    assert!(
        dispatch.contains("summary: 1 taxi, 0 requests measured"),
        "{dispatch}"
    );
}

#[test]
fn a_tiny_simulated_time_is_printed_in_scientific_notation() {
    let stderr = stderr_of_run(&[
        "run",
        "--scenario",
        "taxi-stand",
        "--set",
        "demand.rate=1e300",
        "--set",
        "warm_up=0",
        "-e",
        "20000",
        "--max-events",
        "100000",
        "-f",
        "none",
    ]);
    let time = stderr
        .split("by time ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(time.contains('e') && time.len() < 30, "{stderr}");
}

#[test]
fn a_taxi_count_that_is_not_whole_gets_one_error_only() {
    let output = taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "fleet.taxis=1e3",
            "-f",
            "none",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("a whole number, 0 or more"), "{stderr}");
    assert!(!stderr.contains("missing"), "{stderr}");
}

/// A folder with `stand.toml` reading `a.csv`, and `a.csv`, `b.csv`.
fn two_demand_files() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    for name in ["a.csv", "b.csv"] {
        std::fs::write(folder.path().join(name), "time,trip\n1,5\n2,7\n30,4\n").unwrap();
    }
    let scenario = scenario_reading(folder.path(), "a.csv");
    (folder, scenario)
}

#[test]
fn a_sweep_output_onto_a_varied_demand_file_is_refused() {
    let (folder, scenario) = two_demand_files();
    let b = folder.path().join("b.csv");
    for shard in [&[][..], &["--shard", "1/2"][..]] {
        taxi_sim()
            .current_dir(folder.path())
            .args([
                "sweep",
                "-q",
                "-r",
                "2",
                "--vary",
                "demand.file=a.csv,b.csv",
            ])
            .args(shard)
            .arg("--scenario")
            .arg(&scenario)
            .arg("-o")
            .arg(&b)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("it would be overwritten"));
        assert_eq!(
            std::fs::read_to_string(&b).unwrap(),
            "time,trip\n1,5\n2,7\n30,4\n"
        );
    }
}

#[test]
fn a_merge_output_onto_the_sweeps_demand_file_is_refused() {
    let (folder, scenario) = two_demand_files();
    for index in [1, 2] {
        taxi_sim()
            .args(["sweep", "-q", "-r", "2", "--vary", "taxis=1,2", "--shard"])
            .arg(format!("{index}/2"))
            .arg("--scenario")
            .arg(&scenario)
            .arg("-o")
            .arg(folder.path().join(format!("shard{index}.json")))
            .assert()
            .success();
    }
    let a = folder.path().join("a.csv");
    taxi_sim()
        .arg("merge")
        .arg(folder.path().join("shard1.json"))
        .arg(folder.path().join("shard2.json"))
        .arg("-o")
        .arg(&a)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("it would be overwritten"));
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "time,trip\n1,5\n2,7\n30,4\n"
    );
}

#[test]
fn a_chart_never_overwrites_the_demand_file_its_log_read() {
    let folder = tempfile::tempdir().unwrap();
    // A demand file named like a chart: the log records it, the chart refuses it.
    let demand = folder.path().join("d.svg");
    std::fs::write(&demand, "time\n1\n2.5\n7\n").unwrap();
    let scenario = scenario_reading(folder.path(), "d.svg");
    let log = folder.path().join("run.jsonl");
    taxi_sim()
        .args(["run", "-q", "-f", "none", "--export"])
        .arg(&log)
        .arg("--scenario")
        .arg(&scenario)
        .assert()
        .success();
    let output = taxi_sim()
        .arg("chart")
        .arg(&log)
        .arg("--timeline")
        .arg("-o")
        .arg(&demand)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("would overwrite the demand file"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&demand).unwrap(),
        "time\n1\n2.5\n7\n"
    );
}
