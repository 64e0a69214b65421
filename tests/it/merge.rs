//! `sweep --shard I/N` and `taxi-sim merge`: shards merge into exactly the
//! bytes of the whole sweep, and anything else is refused with a reason.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::{stdout_of, taxi_sim};

const SWEEP: &[&str] = &[
    "sweep",
    "--vary",
    "taxis=1..3",
    "--vary",
    "durations.trip=10,20.5",
    "-r",
    "5",
    "-s",
    "11",
    "-q",
];

fn shard(directory: &Path, extra: &[&str], index: u64, count: u64) -> PathBuf {
    let path = directory.join(format!("shard-{index}-of-{count}.json"));
    let spec = format!("{index}/{count}");
    taxi_sim()
        .args(SWEEP)
        .args(extra)
        .args(["--shard", &spec, "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    path
}

fn merge(paths: &[&PathBuf], format: &str) -> String {
    let output = taxi_sim()
        .arg("merge")
        .args(paths)
        .args(["-f", format])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn shards_merge_into_the_bytes_of_the_whole_sweep_in_any_order_and_format() {
    let directory = tempfile::tempdir().unwrap();
    for count in 1..=3u64 {
        let shards: Vec<PathBuf> = (1..=count)
            .map(|index| shard(directory.path(), &[], index, count))
            .collect();
        // Given in reverse, and rotated: the order of the arguments is free.
        let reversed: Vec<&PathBuf> = shards.iter().rev().collect();
        let mut rotated: Vec<&PathBuf> = shards.iter().collect();
        rotated.rotate_left(1);
        for format in ["text", "csv", "json"] {
            let mut args = SWEEP.to_vec();
            args.extend_from_slice(&["-f", format]);
            let whole = stdout_of(&args);
            assert_eq!(merge(&reversed, format), whole, "{count} shards, {format}");
            assert_eq!(merge(&rotated, format), whole, "{count} shards, {format}");
        }
    }
}

#[test]
fn shards_share_the_runs_evenly() {
    let directory = tempfile::tempdir().unwrap();
    // 6 points × 5 replications = 30 runs: 8, 8, 7, 7 over four shards.
    let sizes: Vec<usize> = (1..=4)
        .map(|index| {
            let path = shard(directory.path(), &[], index, 4);
            let document: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
            assert_eq!(document["sweep"]["seed"], 11);
            assert_eq!(document["shard"]["index"], index);
            document["runs"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, [8, 8, 7, 7]);
}

#[test]
fn a_merge_written_to_a_file_is_the_sweep_written_to_a_file() {
    let directory = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| shard(directory.path(), &[], i, 2))
        .collect();
    let merged = directory.path().join("merged.csv");
    taxi_sim()
        .arg("merge")
        .args(&shards)
        .args(["-f", "csv", "-o"])
        .arg(&merged)
        .assert()
        .success();
    let mut args = SWEEP.to_vec();
    args.extend_from_slice(&["-f", "csv"]);
    assert_eq!(fs::read_to_string(merged).unwrap(), stdout_of(&args));
    taxi_sim()
        .arg("merge")
        .args(&shards)
        .arg("-o")
        .arg(&shards[0])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would be overwritten"));
}

fn refused(paths: &[&PathBuf], messages: &[&str]) {
    let mut assert = taxi_sim().arg("merge").args(paths).assert().code(1);
    for message in messages {
        assert = assert.stderr(predicate::str::contains(*message));
    }
}

#[test]
fn shards_of_different_sweeps_are_refused_naming_the_file_and_what_differs() {
    let directory = tempfile::tempdir().unwrap();
    let first = shard(directory.path(), &[], 1, 2);
    let sweep = |trip: &'static str, replications: &'static str, seed: &'static str| {
        vec![
            "sweep",
            "--vary",
            "taxis=1..3",
            "--vary",
            trip,
            "-r",
            replications,
            "-s",
            seed,
            "-q",
        ]
    };
    let trip = "durations.trip=10,20.5";
    let with = |mut args: Vec<&'static str>, extra: &[&'static str]| {
        args.extend_from_slice(extra);
        args
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (sweep(trip, "5", "12"), "its seed is 12, not 11"),
        (sweep(trip, "6", "11"), "it has 6 replications, not 5"),
        (
            with(sweep(trip, "5", "11"), &["--confidence", "0.9"]),
            "its confidence is 0.9, not 0.95",
        ),
        (
            with(sweep(trip, "5", "11"), &["--set", "end_time=100"]),
            "its scenario differs",
        ),
        (
            sweep("durations.trip=10,20", "5", "11"),
            "its varied values differ",
        ),
    ];
    for (index, (args, reason)) in cases.iter().enumerate() {
        let other = directory.path().join(format!("other-{index}.json"));
        taxi_sim()
            .args(args)
            .args(["--shard", "2/2", "-o"])
            .arg(&other)
            .assert()
            .success();
        let other_name = other.display().to_string();
        refused(&[&first, &other], &[&other_name, "different sweep", reason]);
    }
    // Another version of taxi-sim may give other values.
    let second = shard(directory.path(), &[], 2, 2);
    let mut document: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&second).unwrap()).unwrap();
    document["taxi_sim_version"] = "0.0.1".into();
    let older = directory.path().join("older.json");
    fs::write(&older, document.to_string()).unwrap();
    refused(&[&first, &older], &["older.json", "made by taxi-sim 0.0.1"]);
}

#[test]
fn a_missing_shard_is_named() {
    let directory = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (1..=3)
        .map(|i| shard(directory.path(), &[], i, 3))
        .collect();
    refused(&[&shards[2], &shards[0]], &["missing shard 2/3"]);
    refused(&[&shards[1]], &["missing shards 1/3, 3/3"]);
}

#[test]
fn a_duplicate_shard_is_refused_naming_both_files() {
    let directory = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| shard(directory.path(), &[], i, 2))
        .collect();
    let copy = directory.path().join("copy.json");
    fs::copy(&shards[0], &copy).unwrap();
    refused(
        &[&shards[0], &shards[1], &copy],
        &[
            "duplicate shard 1/2",
            &shards[0].display().to_string(),
            "copy.json",
        ],
    );
    let other_count = shard(directory.path(), &[], 1, 3);
    refused(&[&shards[0], &other_count], &["one of 3 shards, not 2"]);
}

#[test]
fn a_file_that_is_not_a_shard_is_refused_naming_it() {
    let directory = tempfile::tempdir().unwrap();
    let good = shard(directory.path(), &[], 1, 1);
    let whole = directory.path().join("whole.json");
    let mut args = SWEEP.to_vec();
    args.extend_from_slice(&["-f", "json"]);
    fs::write(&whole, stdout_of(&args)).unwrap();
    refused(&[&whole], &["whole.json", "not a taxi-sim sweep shard"]);
    let garbage = directory.path().join("garbage.json");
    fs::write(&garbage, "not json at all").unwrap();
    refused(&[&garbage], &["garbage.json", "not a taxi-sim sweep shard"]);
    // A shard whose runs were tampered with.
    let tampered = directory.path().join("tampered.json");
    let text = fs::read_to_string(&good).unwrap();
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["runs"].as_array_mut().unwrap().pop();
    fs::write(&tampered, document.to_string()).unwrap();
    refused(&[&tampered], &["tampered.json", "runs"]);
    let missing = directory.path().join("nowhere.json");
    refused(&[&missing], &["nowhere.json"]);
}

#[test]
fn a_shard_needs_a_fixed_seed() {
    taxi_sim()
        .args(["sweep", "--vary", "taxis=1..2", "-r", "3", "--shard", "1/2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--shard needs --seed"));
}
