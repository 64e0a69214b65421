//! The defects a hostile user found (issue 11), one or more tests each:
//! closed and full streams, signals, paths that name one file twice, logs
//! that lie, and values at the edges of what can be represented.

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::taxi_sim;

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("taxi-sim")
}

/// A child of the binary, in `directory`, with stdout and stderr piped.
fn spawn(directory: &Path, args: &[&str]) -> Child {
    Command::new(binary())
        .args(args)
        .current_dir(directory)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`, killing it (and failing) after `limit`.
fn wait_at_most(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        sleep(Duration::from_millis(10));
    }
}

fn read_line(stream: &mut impl Read) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while byte[0] != b'\n' {
        stream.read_exact(&mut byte).unwrap();
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

/// `| head -1`: reads the child's first line, closes its stdout, and
/// expects it to finish successfully within a minute (`what` names the run).
fn read_one_line_and_leave(mut child: Child, what: &str) {
    let mut stdout = child.stdout.take().unwrap();
    read_line(&mut stdout);
    drop(stdout);
    let output = wait_at_most(child, Duration::from_secs(60));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), "--", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Signals every process of the group `group`, as Ctrl-C in a terminal does.
fn signal_group(group: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), "--", &format!("-{group}")])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The `.partial` files left in `directory`.
fn partial_files(directory: &Path) -> Vec<String> {
    fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect()
}

fn partial_bytes(directory: &Path) -> u64 {
    fs::read_dir(directory)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
        .map(|entry| entry.metadata().map(|metadata| metadata.len()).unwrap_or(0))
        .sum()
}

fn wait_for_partial_bytes(directory: &Path, bytes: u64) {
    let started = Instant::now();
    while partial_bytes(directory) < bytes {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run never got going"
        );
        sleep(Duration::from_millis(10));
    }
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// `taxi-sim replay FILE` succeeds.
fn replays(path: &Path) {
    taxi_sim().arg("replay").arg(path).assert().success();
}

fn dev_full() -> Stdio {
    Stdio::from(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// Runs `taxi-sim ARGS` through `sh` with a redirection such as `>&-`.
fn with_redirection(args: &str, redirection: &str) -> Output {
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" {args} {redirection}"))
        .arg(binary())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_at_most(child, Duration::from_secs(60))
}

// Item 1: a closed stdout stops only stdout.

#[test]
fn a_closed_stdout_stops_only_stdout_and_every_export_is_completed() {
    let directory = tempfile::tempdir().unwrap();
    for format in ["text", "json", "jsonl", "csv"] {
        let child = spawn(
            directory.path(),
            &[
                "run", "-s", "1", "-t", "200", "-e", "100000", "-f", format, "-q", "--export",
                "e.json", "--export", "e.jsonl", "--export", "e.csv", "--export", "e.txt",
            ],
        );
        read_one_line_and_leave(child, format);
        let document = json_file(&directory.path().join("e.json"));
        assert_eq!(document["outcome"]["reason"], "end_of_events", "{format}");
        assert_eq!(document["events"].as_array().unwrap().len(), 80_800);
        replays(&directory.path().join("e.json"));
        replays(&directory.path().join("e.jsonl"));
        let text = fs::read_to_string(directory.path().join("e.txt")).unwrap();
        assert!(
            text.lines()
                .last()
                .unwrap()
                .starts_with("*** end of events"),
            "{format}"
        );
        let csv = fs::read_to_string(directory.path().join("e.csv")).unwrap();
        assert_eq!(
            csv.lines().count() as u64 - 1,
            document["outcome"]["events"].as_u64().unwrap()
        );
        assert!(partial_files(directory.path()).is_empty());
        fs::remove_file(directory.path().join("e.json")).unwrap();
    }
}

#[test]
fn a_closed_stdout_stops_only_stdout_of_a_dispatch_run_and_its_export_is_completed() {
    let directory = tempfile::tempdir().unwrap();
    let stand = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/taxi-stand.toml");
    // Megabytes of text: stdout is closed long before the run ends.
    let child = spawn(
        directory.path(),
        &[
            "run",
            "--scenario",
            stand,
            "-f",
            "text",
            "-q",
            "--export",
            "e.jsonl",
        ],
    );
    read_one_line_and_leave(child, "dispatch");
    let export = fs::read_to_string(directory.path().join("e.jsonl")).unwrap();
    assert!(
        export
            .lines()
            .last()
            .unwrap()
            .starts_with(r#"{"type":"end""#),
        "{}",
        export.lines().last().unwrap()
    );
    replays(&directory.path().join("e.jsonl"));
    assert!(partial_files(directory.path()).is_empty());
}

#[test]
fn ctrl_c_on_a_run_piped_into_cat_exits_130_with_complete_exports() {
    let directory = tempfile::tempdir().unwrap();
    // Ctrl-C reaches the whole pipeline: taxi-sim and `cat`, whose end
    // closes taxi-sim's stdout.
    let mut run = Command::new(binary())
        .args([
            "run",
            "--scenario",
            "big-fleet",
            "-e",
            "18446744073709551615",
            "-q",
            "--export",
            "x.json",
            "--export",
            "x.jsonl",
        ])
        .current_dir(directory.path())
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let group = run.id();
    let mut cat = Command::new("cat")
        .stdin(Stdio::from(run.stdout.take().unwrap()))
        .stdout(Stdio::null())
        .process_group(group as i32)
        .spawn()
        .unwrap();
    wait_for_partial_bytes(directory.path(), 2_000_000);
    signal_group(group, "INT");
    let output = wait_at_most(run, Duration::from_secs(60));
    let _ = cat.wait();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = json_file(&directory.path().join("x.json"));
    assert_eq!(document["outcome"]["reason"], "interrupted");
    replays(&directory.path().join("x.jsonl"));
    assert!(partial_files(directory.path()).is_empty());
}

// Item 4: a second Ctrl-C leaves no partial file, whenever it comes.

#[test]
fn a_second_ctrl_c_during_the_final_sync_leaves_no_partial_file() {
    // The first Ctrl-C completes a file of a hundred megabytes: its footer
    // is written, then it is synced (a while) and renamed. The second comes
    // once the file stops growing, while it is being synced.
    for attempt in 0..2 {
        let directory = tempfile::tempdir().unwrap();
        let child = spawn(
            directory.path(),
            &[
                "run",
                "--scenario",
                "big-fleet",
                "-e",
                "100000000",
                "-f",
                "none",
                "-q",
                "--export",
                "out.json",
            ],
        );
        wait_for_partial_bytes(directory.path(), 100_000_000);
        signal(child.id(), "INT");
        let mut last = partial_bytes(directory.path());
        loop {
            sleep(Duration::from_millis(2));
            let now = partial_bytes(directory.path());
            if now == last {
                break;
            }
            last = now;
        }
        // It may be gone already: then `kill` fails, which is fine.
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let output = wait_at_most(child, Duration::from_secs(60));
        assert_eq!(output.status.code(), Some(130), "attempt {attempt}");
        assert_eq!(
            partial_files(directory.path()),
            Vec::<String>::new(),
            "attempt {attempt}"
        );
        let target = directory.path().join("out.json");
        if target.exists() {
            // Complete: it ends with the end of the document.
            let bytes = fs::read(&target).unwrap();
            let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(4_000_000)..]);
            assert!(tail.contains("\"reason\":\"interrupted\""));
            assert!(tail.trim_end().ends_with('}'));
        }
    }
}

// Item 2: a delay too long for the clock waits (for Ctrl-C) instead of panicking.

fn interrupted_after_first_line(directory: &Path, args: &[&str]) -> (Output, String) {
    let mut child = spawn(directory, args);
    let first = read_line(child.stdout.as_mut().unwrap());
    sleep(Duration::from_millis(200));
    signal(child.id(), "INT");
    (wait_at_most(child, Duration::from_secs(10)), first)
}

#[test]
fn an_endless_delay_waits_for_ctrl_c_and_completes_the_export() {
    let directory = tempfile::tempdir().unwrap();
    let (output, first) = interrupted_after_first_line(
        directory.path(),
        &[
            "run",
            "-t",
            "1",
            "-s",
            "1",
            "-d",
            "--delay-scale",
            "1e300",
            "--export",
            "p.json",
        ],
    );
    assert!(first.contains("leave garage"), "{first}");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        json_file(&directory.path().join("p.json"))["outcome"]["reason"],
        "interrupted"
    );
    assert!(partial_files(directory.path()).is_empty());
}

#[test]
fn replay_with_an_endless_delay_waits_for_ctrl_c() {
    let directory = tempfile::tempdir().unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "-s", "1", "-q", "-f", "none", "--export", "b.json"])
        .assert()
        .success();
    let (output, _) = interrupted_after_first_line(
        directory.path(),
        &["replay", "b.json", "--show", "--delay", "1e300"],
    );
    assert_eq!(output.status.code(), Some(130));
}

#[test]
fn a_first_departure_beyond_the_clock_waits_for_ctrl_c() {
    let directory = tempfile::tempdir().unwrap();
    fs::write(
        directory.path().join("late.toml"),
        "schema_version = 1\nend_time = 18446744073709551615\n[fleet]\ntaxis = 1\nfirst_departure = 10000000000000000000\n",
    )
    .unwrap();
    let child = spawn(
        directory.path(),
        &[
            "run",
            "--scenario",
            "late.toml",
            "-s",
            "1",
            "-d",
            "--delay-scale",
            "1",
            "--export",
            "late.json",
        ],
    );
    sleep(Duration::from_millis(500));
    signal(child.id(), "INT");
    let output = wait_at_most(child, Duration::from_secs(10));
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(directory.path().join("late.json").exists());
    assert!(partial_files(directory.path()).is_empty());
}

// Item 3: stderr that cannot be written never aborts.

#[test]
fn a_full_stderr_never_aborts_a_command() {
    let directory = tempfile::tempdir().unwrap();
    fs::write(directory.path().join("empty.toml"), "").unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "-s", "1", "-q", "-f", "none", "--export", "b.json"])
        .assert()
        .success();
    let cases: [(&[&str], i32); 6] = [
        (&["run", "-s", "1"], 0),
        (&["run"], 0), // prints the drawn seed on stderr
        (&["replay", "b.json"], 0),
        (&["scenario", "check", "empty.toml"], 1),
        (&["run", "--no-such-option"], 2),
        (&["replay", "missing.json"], 1),
    ];
    for (args, code) in cases {
        let output = Command::new(binary())
            .args(args)
            .current_dir(directory.path())
            .stdout(Stdio::null())
            .stderr(dev_full())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn stderr_into_a_closed_pipe_never_aborts_a_command() {
    let directory = tempfile::tempdir().unwrap();
    fs::write(directory.path().join("empty.toml"), "").unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "-s", "1", "-q", "-f", "none", "--export", "b.json"])
        .assert()
        .success();
    // `2>&1 | head -1`: both streams into one pipe, closed after a line.
    for (args, code) in [
        ("run -f none -t 200 -e 100000", 0),
        ("replay b.json", 0),
        ("scenario check empty.toml empty.toml", 1),
        ("run --bogus", 2),
    ] {
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "\"$0\" {args} 2>&1 | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}"
            ))
            .arg(binary())
            .current_dir(directory.path())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            code.to_string(),
            "{args}"
        );
    }
}

// Item 21: a closed or full stdout is an error, not a silent success.

#[test]
fn a_closed_stdout_is_an_error_for_every_format_and_command() {
    for args in [
        "run -s 1",
        "run -s 1 -f json",
        "run -s 1 -f jsonl",
        "run -s 1 -f csv",
        "run -s 1 --export -",
        "--help",
        "--version",
        "run --help",
        "scenario list",
        "scenario show rush-hour",
        "scenario check rush-hour",
        "man",
        "completions bash",
    ] {
        let output = with_redirection(args, ">&-");
        assert_eq!(output.status.code(), Some(1), "{args}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("stdout"),
            "{args}"
        );
    }
    // Nothing to print: nothing lost.
    assert_eq!(
        with_redirection("run -s 1 -f none", ">&-").status.code(),
        Some(0)
    );
}

#[test]
fn dev_null_opened_read_write_is_refused_with_the_way_out_named() {
    // Python's subprocess.DEVNULL opens /dev/null read-write: to a Rust
    // program that is what a closed stdout becomes, so it is refused, and
    // the message says what to do instead.
    let output = with_redirection("run -s 1", "1<>/dev/null");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("subprocess.DEVNULL"), "{stderr}");
    assert!(stderr.contains(">/dev/null"), "{stderr}");
    assert!(stderr.contains("-f none"), "{stderr}");
    // The ways out work.
    assert_eq!(
        with_redirection("run -s 1", ">/dev/null").status.code(),
        Some(0)
    );
    assert_eq!(
        with_redirection("run -s 1 -f none", "1<>/dev/null")
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_full_stdout_is_an_error_for_every_format_and_command() {
    for args in [
        "run -s 1",
        "run -s 1 -f json",
        "run -s 1 -f jsonl",
        "run -s 1 -f csv",
        "--help",
        "--version",
        "scenario list",
        "scenario show rush-hour --json",
        "scenario check rush-hour",
        "man",
        "completions zsh",
    ] {
        let output = with_redirection(args, ">/dev/full");
        assert_eq!(output.status.code(), Some(1), "{args}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("No space left"),
            "{args}"
        );
    }
}

// Item 9: `replay --show | head` ends quietly.

#[test]
fn replay_show_into_a_closed_pipe_ends_quietly() {
    let directory = tempfile::tempdir().unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args([
            "run",
            "-s",
            "1",
            "-t",
            "200",
            "-e",
            "100000",
            "-q",
            "-f",
            "none",
            "--export",
            "big.json",
            "--export",
            "big.jsonl",
        ])
        .assert()
        .success();
    for log in ["big.json", "big.jsonl"] {
        let mut child = spawn(directory.path(), &["replay", log, "--show"]);
        let mut stdout = child.stdout.take().unwrap();
        read_line(&mut stdout);
        drop(stdout);
        let output = wait_at_most(child, Duration::from_secs(60));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{log}: {stderr}");
        assert!(!stderr.contains("malformed"), "{log}: {stderr}");
    }
    // A full stdout is an error of stdout, not of the log.
    let output = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" replay big.jsonl --show >/dev/full")
        .arg(binary())
        .current_dir(directory.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("No space left") && !stderr.contains("malformed"),
        "{stderr}"
    );
}

// Item 13: export paths that cannot work fail before the run.

#[test]
fn export_paths_that_name_no_file_fail_before_the_run() {
    let directory = tempfile::tempdir().unwrap();
    for path in ["x.json/", "x.json/.", "..", "sub/..", "."] {
        let started = Instant::now();
        taxi_sim()
            .current_dir(directory.path())
            .args([
                "run", "-t", "2000", "-e", "1000000", "-s", "1", "--export", path,
            ])
            .assert()
            .failure()
            .stdout("");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");
    }
    assert!(partial_files(directory.path()).is_empty());
    assert!(!directory.path().join("x.json").exists());
}

// Item 14: long file names export.

#[test]
fn a_file_name_of_up_to_255_bytes_can_be_exported() {
    let directory = tempfile::tempdir().unwrap();
    for length in [239, 240, 250, 255] {
        let name = format!("{}.json", "n".repeat(length - ".json".len()));
        taxi_sim()
            .current_dir(directory.path())
            .args(["run", "-s", "1", "-q", "-f", "none", "--export", &name])
            .assert()
            .success();
        replays(&directory.path().join(&name));
    }
    assert!(partial_files(directory.path()).is_empty());
}

// Item 6: one file by two names is refused.

#[test]
fn an_export_onto_the_scenario_file_is_refused_however_it_is_spelt() {
    let directory = tempfile::tempdir().unwrap();
    let scenario = "{\"schema_version\": 1, \"name\": \"mine\"}";
    fs::write(directory.path().join("s.json"), scenario).unwrap();
    fs::create_dir(directory.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("s.json", directory.path().join("link.json")).unwrap();
    fs::hard_link(
        directory.path().join("s.json"),
        directory.path().join("hard.json"),
    )
    .unwrap();
    for export in [
        "s.json",
        "./s.json",
        "sub/../s.json",
        "link.json",
        "hard.json",
    ] {
        let output = taxi_sim()
            .current_dir(directory.path())
            .args(["run", "-s", "1", "--scenario", "s.json", "--export", export])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{export}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("scenario file"),
            "{export}"
        );
        assert_eq!(
            fs::read_to_string(directory.path().join("s.json")).unwrap(),
            scenario
        );
    }
    let absolute = directory.path().join("s.json");
    taxi_sim()
        .current_dir(directory.path())
        .args(["run", "--scenario"])
        .arg(&absolute)
        .args(["--export", "s.json"])
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&absolute).unwrap(), scenario);
}

#[test]
fn two_exports_to_one_file_by_different_spellings_are_refused() {
    let directory = tempfile::tempdir().unwrap();
    fs::create_dir(directory.path().join("sub")).unwrap();
    for (first, second) in [
        ("e.json", "./e.json"),
        ("e.json", "sub/../e.json"),
        ("sub/e.csv", "./sub//e.csv"),
    ] {
        let output = taxi_sim()
            .current_dir(directory.path())
            .args(["run", "-s", "1", "--export", first, "--export", second])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{first} {second}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("same file"));
    }
    // An existing file reached through a symbolic link.
    fs::write(directory.path().join("old.json"), "old").unwrap();
    std::os::unix::fs::symlink("old.json", directory.path().join("alias.json")).unwrap();
    taxi_sim()
        .current_dir(directory.path())
        .args([
            "run",
            "-s",
            "1",
            "--export",
            "old.json",
            "--export",
            "alias.json",
        ])
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(directory.path().join("old.json")).unwrap(),
        "old"
    );
}

#[test]
fn an_export_onto_the_file_stdout_goes_to_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" run -s 1 --export out.json > out.json")
        .arg(binary())
        .current_dir(directory.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// Writes a run's JSON and JSON Lines logs into `directory`; returns their texts.
fn logs(directory: &Path, args: &[&str]) -> (String, String) {
    taxi_sim()
        .current_dir(directory)
        .args([
            "run", "-q", "-f", "none", "--export", "r.json", "--export", "r.jsonl",
        ])
        .args(args)
        .assert()
        .success();
    (
        fs::read_to_string(directory.join("r.json")).unwrap(),
        fs::read_to_string(directory.join("r.jsonl")).unwrap(),
    )
}

/// Replays `text` written to `name` in `directory`.
fn replay_text(directory: &Path, name: &str, text: &str) -> Output {
    fs::write(directory.join(name), text).unwrap();
    taxi_sim()
        .current_dir(directory)
        .args(["replay", name])
        .output()
        .unwrap()
}

fn assert_refused(output: &Output, message: &str, case: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{case}: {stderr}");
    assert!(!stderr.contains("identical"), "{case}: {stderr}");
    assert!(stderr.contains(message), "{case}: {stderr}");
}

// Item 5: the recorded reason must be what re-simulation establishes.

#[test]
fn a_tampered_reason_is_a_mismatch() {
    let directory = tempfile::tempdir().unwrap();
    for (args, reason) in [
        (&["-s", "1"][..], "end_of_events"),
        (&["-s", "1", "-e", "100"][..], "end_time"),
    ] {
        let (json, jsonl) = logs(directory.path(), args);
        let recorded = format!("\"reason\":\"{reason}\"");
        assert!(json.contains(&recorded));
        for tampered in ["interrupted", "event_limit"] {
            let fake = format!("\"reason\":\"{tampered}\"");
            let output = replay_text(directory.path(), "t.json", &json.replace(&recorded, &fake));
            assert_refused(&output, "MISMATCH", &format!("json {reason} -> {tampered}"));
            let output = replay_text(
                directory.path(),
                "t.jsonl",
                &jsonl.replace(&recorded, &fake),
            );
            assert_refused(
                &output,
                "MISMATCH",
                &format!("jsonl {reason} -> {tampered}"),
            );
        }
    }
    // A genuine event limit still replays.
    let (json, _) = logs(directory.path(), &["-s", "1", "--max-events", "7"]);
    assert!(json.contains("\"reason\":\"event_limit\""));
    replays(&directory.path().join("r.json"));
}

// Item 7: the recorded scenario agrees with the header, and has no duplicate keys.

#[test]
fn a_recorded_scenario_that_disagrees_with_its_header_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let (json, jsonl) = logs(directory.path(), &["-s", "1", "-t", "5"]);
    let scenario_seed = "\"end_time\":180,\"seed\":1,\"rng\":\"cpython\"";
    assert!(json.contains(scenario_seed), "{json}");
    for (from, to, message) in [
        (
            scenario_seed,
            "\"end_time\":180,\"seed\":2,\"rng\":\"cpython\"",
            "seed",
        ),
        (
            scenario_seed,
            "\"end_time\":180,\"seed\":1,\"rng\":\"pcg64\"",
            "rng",
        ),
        ("\"taxis\":5,", "\"taxis\":5,\"taxis\":5,", "duplicate"),
        ("\"fleet\":{", "\"fleet\":{},\"fleet\":{", "duplicate"),
    ] {
        for (name, text) in [("t.json", &json), ("t.jsonl", &jsonl)] {
            assert!(text.contains(from), "{from}");
            let output = replay_text(directory.path(), name, &text.replacen(from, to, 1));
            assert_refused(&output, message, &format!("{name}: {to}"));
        }
    }
}

// Item 16: stdin, pipes, and logs that are not logs.

#[test]
fn a_log_on_stdin_or_a_pipe_replays() {
    let directory = tempfile::tempdir().unwrap();
    logs(directory.path(), &["-s", "4"]);
    for log in ["r.json", "r.jsonl"] {
        for target in ["-", "/dev/stdin"] {
            let output = taxi_sim()
                .current_dir(directory.path())
                .args(["replay", target])
                .pipe_stdin(directory.path().join(log))
                .unwrap()
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{log} {target}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        // A real pipe, which can be read only once.
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!("cat {log} | \"$0\" replay -"))
            .arg(binary())
            .current_dir(directory.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{log} through a pipe");
    }
}

#[test]
fn a_log_of_the_wrong_kind_is_named_for_what_it_is() {
    let directory = tempfile::tempdir().unwrap();
    let (_, jsonl) = logs(directory.path(), &["-s", "4"]);
    // A JSON Lines log named .json is read as what it holds.
    let output = replay_text(directory.path(), "lines.json", &jsonl);
    assert_eq!(output.status.code(), Some(0));
    let output = replay_text(
        directory.path(),
        "doc.jsonl",
        &fs::read_to_string(directory.path().join("r.json")).unwrap(),
    );
    assert_eq!(output.status.code(), Some(0));
    taxi_sim()
        .current_dir(directory.path())
        .args([
            "run", "-s", "4", "-q", "--export", "r.csv", "--export", "r.txt",
        ])
        .assert()
        .success();
    for (name, text, message) in [
        ("empty.json", String::new(), "empty"),
        ("blank.jsonl", "\n\n".to_string(), "empty"),
        (
            "r.csv",
            fs::read_to_string(directory.path().join("r.csv")).unwrap(),
            "CSV",
        ),
        (
            "csv.json",
            fs::read_to_string(directory.path().join("r.csv")).unwrap(),
            "CSV",
        ),
        (
            "r.txt",
            fs::read_to_string(directory.path().join("r.txt")).unwrap(),
            "text format",
        ),
    ] {
        let output = replay_text(directory.path(), name, &text);
        assert_refused(&output, message, name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("schema_version") && !stderr.contains("ident"),
            "{stderr}"
        );
    }
    let output = taxi_sim()
        .args(["replay", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_refused(&output, "empty", "empty stdin");
}

// Item 17: nothing read from a file reaches the terminal raw.

#[test]
fn control_characters_from_a_file_are_escaped_in_every_message() {
    let directory = tempfile::tempdir().unwrap();
    let (json, _) = logs(directory.path(), &["-s", "4"]);
    let evil = "\\u001b[2J\\u001b[1;31mreplay: MISMATCH\\r\\n";
    let tampered = json
        .replacen(
            "\"name\":\"fluent-python\"",
            &format!("\"name\":\"{evil}\""),
            1,
        )
        .replacen(
            "\"taxi_sim_version\":\"",
            &format!("\"taxi_sim_version\":\"{evil}"),
            1,
        );
    let output = replay_text(directory.path(), "evil.json", &tampered);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    // scenario check: the name, and a key in an error message.
    fs::write(
        directory.path().join("evil.toml"),
        "schema_version = 1\nname = \"\\u001b[2Jevil\"\n",
    )
    .unwrap();
    fs::write(
        directory.path().join("bad.json"),
        "{\"schema_version\": 1, \"\\u001b[2Jkey\\n\": 1}",
    )
    .unwrap();
    for (file, code) in [("evil.toml", 0), ("bad.json", 1)] {
        for command in ["check", "show"] {
            let output = taxi_sim()
                .current_dir(directory.path())
                .args(["scenario", command, file])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(code), "{command} {file}");
            for stream in [&output.stdout, &output.stderr] {
                let text = String::from_utf8_lossy(stream);
                assert!(!text.contains('\u{1b}'), "{command} {file}: {text:?}");
            }
        }
    }
}

// Item 18: --show prints the events verified before a mismatch.

#[test]
fn replay_show_prints_the_events_verified_before_a_mismatch() {
    let directory = tempfile::tempdir().unwrap();
    let (_, jsonl) = logs(directory.path(), &["-s", "1", "-t", "20"]);
    let mut lines: Vec<String> = jsonl.lines().map(str::to_string).collect();
    // Event #10 is line 11 (after the header): move it a tick later.
    let event: Value = serde_json::from_str(&lines[10]).unwrap();
    let time = event["data"]["time"].as_u64().unwrap();
    lines[10] = lines[10].replace(
        &format!("\"time\":{time}"),
        &format!("\"time\":{}", time + 1),
    );
    fs::write(directory.path().join("t.jsonl"), lines.join("\n") + "\n").unwrap();
    let output = taxi_sim()
        .current_dir(directory.path())
        .args(["replay", "t.jsonl", "--show"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("event #10 differs"));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 9);
}

// Item 22: a seed above 2^53 survives a JSON tool that reads doubles.

#[test]
fn a_seed_rounded_by_a_json_tool_still_replays() {
    let directory = tempfile::tempdir().unwrap();
    let seed = "18446744073709551557";
    let (json, jsonl) = logs(directory.path(), &["-s", seed]);
    // What `jq -c .` prints for it: the nearest double.
    let rounded = format!("{}", seed.parse::<u64>().unwrap() as f64);
    assert_eq!(rounded, "18446744073709552000");
    for (name, text) in [("j.json", &json), ("j.jsonl", &jsonl)] {
        let through_jq = text.replace(&format!("\"seed\":{seed}"), &format!("\"seed\":{rounded}"));
        assert_ne!(&through_jq, text);
        let output = replay_text(directory.path(), name, &through_jq);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The text wins, but must agree with the number.
        let lying = text.replace(
            &format!("\"seed_text\":\"{seed}\""),
            "\"seed_text\":\"18446744073709551556\"",
        );
        assert_ne!(&lying, text);
        assert_refused(&replay_text(directory.path(), name, &lying), "seed", name);
        // Logs written before the seed's text was recorded still replay.
        let old = text.replace(&format!(",\"seed_text\":\"{seed}\""), "");
        assert_ne!(&old, text);
        assert_eq!(
            replay_text(directory.path(), name, &old).status.code(),
            Some(0)
        );
    }
}

fn scenario_file(directory: &Path, name: &str, text: &str) -> String {
    fs::write(directory.join(name), text).unwrap();
    name.to_string()
}

// Item 8: an event that cannot be represented lies past the end time.

#[test]
fn an_event_past_the_largest_time_ends_the_run_as_the_end_time_does() {
    let directory = tempfile::tempdir().unwrap();
    let file = scenario_file(
        directory.path(),
        "far.toml",
        "schema_version = 1\nend_time = 180\n[durations]\nsearch = 1e300\n",
    );
    let output = taxi_sim()
        .current_dir(directory.path())
        .args([
            "run",
            "--scenario",
            &file,
            "-s",
            "1",
            "-q",
            "--export",
            "far.json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("taxi: 0  Event(time=0, proc=0, action='leave garage')"));
    assert!(
        stdout.ends_with("*** end of simulation time: 3 events pending ***\n"),
        "{stdout}"
    );
    replays(&directory.path().join("far.json"));
}

// Item 10: every log taxi-sim writes, it can replay.

#[test]
fn minutes_per_tick_that_would_break_the_summary_are_refused_at_check_time() {
    let directory = tempfile::tempdir().unwrap();
    for value in ["1e-310", "5e-324", "1e300"] {
        let file = scenario_file(
            directory.path(),
            "m.toml",
            &format!("schema_version = 1\nminutes_per_tick = {value}\n"),
        );
        let output = taxi_sim()
            .current_dir(directory.path())
            .args(["scenario", "check", &file])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{value}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("minutes_per_tick"));
    }
    for value in ["1e-200", "1e200", "0.5"] {
        let file = scenario_file(
            directory.path(),
            "m.toml",
            &format!("schema_version = 1\nminutes_per_tick = {value}\n"),
        );
        taxi_sim()
            .current_dir(directory.path())
            .args([
                "run",
                "--scenario",
                &file,
                "-s",
                "1",
                "-q",
                "--export",
                "m.json",
            ])
            .assert()
            .success();
        replays(&directory.path().join("m.json"));
    }
}

// Item 11: overrides in linear time; one duplicate reported, not thousands.

#[test]
fn many_overrides_check_quickly_and_a_duplicate_stops_the_check() {
    let directory = tempfile::tempdir().unwrap();
    let mut text = String::from("schema_version = 1\n[fleet]\ntaxis = 50000\n");
    for id in 0..50_000 {
        text.push_str(&format!("[[taxi]]\nid = {id}\n"));
    }
    let file = scenario_file(directory.path(), "many.toml", &text);
    taxi_sim()
        .current_dir(directory.path())
        .args(["scenario", "check", &file])
        .assert()
        .success();
    let mut text = String::from("schema_version = 1\n[fleet]\ntaxis = 10\n");
    for _ in 0..20_000 {
        text.push_str("[[taxi]]\nid = 1\n");
    }
    let file = scenario_file(directory.path(), "dup.toml", &text);
    let output = taxi_sim()
        .current_dir(directory.path())
        .args(["scenario", "check", &file])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.matches("overridden once").count(), 1, "{stderr}");
}

// Item 12: fleet totals do not wrap.

#[test]
fn fleet_totals_beyond_a_tick_count_are_exact() {
    let directory = tempfile::tempdir().unwrap();
    let file = scenario_file(
        directory.path(),
        "long.toml",
        "schema_version = 1\nend_time = 18446744073709551615\n[fleet]\ntaxis = 2\ndeparture_interval = 0\ntrips = 1\n[durations]\nsearch = 1e19\ntrip = 1e19\n",
    );
    taxi_sim()
        .current_dir(directory.path())
        .args([
            "run",
            "--scenario",
            &file,
            "-s",
            "1",
            "-q",
            "-f",
            "none",
            "--export",
            "long.json",
        ])
        .assert()
        .success();
    let text = fs::read_to_string(directory.path().join("long.json")).unwrap();
    let number_after = |text: &str, key: &str| -> u128 {
        let start = text.find(key).unwrap() + key.len();
        text[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let fleet = &text[text.find("\"fleet\":{\"taxis\"").unwrap()..];
    let taxis = &fleet[fleet.find("\"taxis\":[").unwrap()..];
    let first = number_after(taxis, "\"on_duty\":");
    let second_start = taxis.find("\"taxi\":1").unwrap();
    let second = number_after(&taxis[second_start..], "\"on_duty\":");
    assert!(first + second > u128::from(u64::MAX));
    assert_eq!(number_after(fleet, "\"on_duty\":"), first + second);
    replays(&directory.path().join("long.json"));
}

// Item 15: a directory does not hide a built-in scenario.

#[test]
fn a_directory_named_like_a_built_in_scenario_does_not_hide_it() {
    let directory = tempfile::tempdir().unwrap();
    fs::create_dir(directory.path().join("rush-hour")).unwrap();
    let output = taxi_sim()
        .current_dir(directory.path())
        .args([
            "run",
            "--scenario",
            "rush-hour",
            "-s",
            "1",
            "-q",
            "-f",
            "none",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("built-in"));
    taxi_sim()
        .current_dir(directory.path())
        .args(["scenario", "show", "rush-hour"])
        .assert()
        .success();
}

// Item 19: out-of-range options are usage errors naming the option.

#[test]
fn out_of_range_options_are_usage_errors_that_say_so() {
    for (option, value) in [
        ("--taxis", "4294967296"),
        ("--taxis", "18446744073709551615"),
        ("--seed", "123456789012345678901234567890123456789012345"),
        ("--end-time", "99999999999999999999999999999999999999999999"),
        ("--max-events", "18446744073709551616"),
    ] {
        let output = taxi_sim().args(["run", option, value]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{option} {value}: {stderr}");
        assert!(stderr.contains(option), "{stderr}");
        assert!(
            stderr.contains("at most") && !stderr.contains("not a whole number"),
            "{stderr}"
        );
        assert!(!stderr.contains("departure_interval"), "{stderr}");
    }
}

// Item 20: quotes from a file are cut to a readable length.

#[test]
fn a_huge_line_is_quoted_only_in_part() {
    let directory = tempfile::tempdir().unwrap();
    let huge = "x".repeat(1_000_000);
    for (name, text) in [
        (
            "huge.toml",
            format!("schema_version = 1\nname = \"{huge}\" junk\n"),
        ),
        ("key.toml", format!("schema_version = 1\n{huge} = 1\n")),
        (
            "huge.json",
            format!("{{\"schema_version\": 1, \"{huge}\": 1}}"),
        ),
    ] {
        scenario_file(directory.path(), name, &text);
        for command in [
            &["scenario", "check", name][..],
            &["run", "--scenario", name],
        ] {
            let output = taxi_sim()
                .current_dir(directory.path())
                .args(command)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{command:?}");
            assert!(
                output.stderr.len() < 10_000,
                "{command:?}: {} bytes",
                output.stderr.len()
            );
        }
    }
}

// What a second hostile pass found: outputs onto links, devices and inputs,
// dispatch logs with more after their end, and `--set model`.

#[test]
fn an_export_through_a_symbolic_link_replaces_the_file_it_names_and_keeps_the_link() {
    let directory = tempfile::tempdir().unwrap();
    let real = directory.path().join("real.csv");
    let link = directory.path().join("link.csv");
    std::fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    taxi_sim()
        .args(["run", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&link)
        .assert()
        .success();
    assert!(link.is_symlink(), "the link was replaced by a file");
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("time,taxi,action\n")
    );
    taxi_sim()
        .args(["sweep", "-r", "2", "-s", "1", "-q", "-f", "csv", "-o"])
        .arg(&link)
        .assert()
        .success();
    assert!(link.is_symlink(), "the sweep replaced the link by a file");
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("measure,mean,")
    );
}

#[test]
fn an_export_into_a_named_pipe_is_written_through_it_not_replaced() {
    let directory = tempfile::tempdir().unwrap();
    let pipe = directory.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status();
    if !made.is_ok_and(|status| status.success()) {
        return; // no mkfifo here: nothing to test
    }
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap())
    };
    taxi_sim()
        .args(["run", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&pipe)
        .assert()
        .success();
    // Checked before joining: a pipe replaced by a file would leave the
    // reader waiting for ever.
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&pipe)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    let read = reader.join().unwrap();
    assert!(read.starts_with("time,taxi,action\n"), "{read}");
}

#[test]
fn a_chart_never_overwrites_its_input() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("run.jsonl");
    taxi_sim()
        .args(["run", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&log)
        .assert()
        .success();
    let before = std::fs::read(&log).unwrap();
    taxi_sim()
        .arg("chart")
        .arg(&log)
        .args(["--timeline", "-o"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("would overwrite its input"));
    assert_eq!(std::fs::read(&log).unwrap(), before);
}

#[test]
fn a_dispatch_log_with_events_after_its_end_line_is_malformed_not_identical() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("stand.jsonl");
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "end_time=300",
            "--set",
            "warm_up=0",
            "-s",
            "1",
            "-q",
            "-f",
            "none",
            "--export",
        ])
        .arg(&log)
        .assert()
        .success();
    let text = std::fs::read_to_string(&log).unwrap();
    let an_event = text.lines().nth(2).unwrap().to_string();
    std::fs::write(&log, format!("{text}{an_event}\n")).unwrap();
    taxi_sim()
        .arg("replay")
        .arg(&log)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("after the end line"));
}

#[test]
fn a_dispatch_log_with_a_seed_above_two_to_the_63_replays() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("stand.json");
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "end_time=300",
            "--set",
            "warm_up=0",
            "--seed",
            "18446744073709551615",
            "-q",
            "-f",
            "none",
            "--export",
        ])
        .arg(&log)
        .assert()
        .success();
    taxi_sim().arg("replay").arg(&log).assert().success();
}

#[test]
fn set_model_chooses_the_model_as_the_file_would() {
    taxi_sim()
        .args([
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "model=book",
            "-q",
            "-f",
            "none",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("unknown field `demand`"));
}
