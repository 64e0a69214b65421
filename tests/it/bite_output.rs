//! What `src/output/mod.rs`'s mutants showed the suite did not check: where
//! an export's temporary file is made (beside the file, whatever the
//! current directory), an export through a link that names no file yet, and
//! a stdout found broken beside an export staying closed for good.

use std::fs;
use std::path::Path;

use crate::{stdout_of, taxi_sim};

/// The CSV of the book's run with seed 1, as printed on stdout.
fn csv_of_seed_one() -> String {
    stdout_of(&["run", "-s", "1", "-f", "csv"])
}

#[test]
fn an_export_is_prepared_beside_its_file_not_in_the_current_directory() {
    // /proc takes no new file, not even root's: a temporary file made in
    // the current directory instead of beside the export would fail.
    if !Path::new("/proc/self").exists() {
        return; // not Linux: no such directory to run from
    }
    let directory = tempfile::tempdir().unwrap();
    let target = directory.path().join("events.csv");
    taxi_sim()
        .current_dir("/proc")
        .args(["run", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&target)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&target).unwrap(), csv_of_seed_one());
}

#[test]
fn an_export_through_a_link_to_no_file_yet_creates_that_file_and_keeps_the_link() {
    let directory = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let link = directory.path().join("link.csv");
    // Relative: it names a file beside the link, not in the current directory.
    std::os::unix::fs::symlink("made.csv", &link).unwrap();
    taxi_sim()
        .current_dir(elsewhere.path())
        .args(["run", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&link)
        .assert()
        .success();
    assert!(link.is_symlink(), "the link was replaced by a file");
    assert_eq!(
        fs::read_to_string(directory.path().join("made.csv")).unwrap(),
        csv_of_seed_one()
    );
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// Runs `taxi-sim ARGS --export run.jsonl` with stdout on a named pipe
/// whose first reader left before taxi-sim wrote anything; once the run is
/// under way (its export has its header and an event), a second reader
/// opens the pipe and reads it to the end. Returns what that reader read
/// and the export, or `None` where no named pipe can be made.
fn read_by_a_second_reader_of_stdouts_pipe(args: &[&str]) -> Option<(String, String)> {
    use std::fs::{File, OpenOptions};
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let directory = tempfile::tempdir().unwrap();
    let pipe = directory.path().join("stdout");
    let made = Command::new("mkfifo").arg(&pipe).status();
    if !made.is_ok_and(|status| status.success()) {
        return None;
    }
    // Opening one end of a pipe waits for the other end.
    let first_reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || File::open(pipe).unwrap())
    };
    let writer = OpenOptions::new().write(true).open(&pipe).unwrap();
    // The first reader goes away before taxi-sim starts: its header finds
    // the pipe without a reader (a broken pipe), beside a file export.
    drop(first_reader.join().unwrap());
    let export = directory.path().join("run.jsonl");
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"));
    command
        .args(args)
        .arg("--export")
        .arg(&export)
        .stdout(writer.try_clone().unwrap())
        .stderr(Stdio::piped());
    let mut child = crate::spawn(&mut command);
    drop(command);
    // Every header is written before the first event, so once the export
    // holds an event, stdout has been found broken (and must stay closed).
    let deadline = Instant::now() + Duration::from_secs(60);
    let under_way = || {
        fs::read_dir(directory.path()).unwrap().any(|entry| {
            let path = entry.unwrap().path();
            path != pipe && fs::read_to_string(&path).is_ok_and(|text| text.lines().count() >= 2)
        })
    };
    while !under_way() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        assert!(Instant::now() < deadline, "the export never got an event");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The test still holds a writer, so this open does not wait; then only
    // taxi-sim does, and the reader sees the end when taxi-sim exits.
    let mut second_reader = File::open(&pipe).unwrap();
    drop(writer);
    let reading = std::thread::spawn(move || {
        let mut read = Vec::new();
        second_reader.read_to_end(&mut read).unwrap();
        String::from_utf8_lossy(&read).into_owned()
    });
    let output = child.output();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some((
        reading.join().unwrap(),
        fs::read_to_string(&export).unwrap(),
    ))
}

#[test]
fn a_stdout_found_broken_beside_an_export_stays_closed_for_a_reader_who_comes_later() {
    // Paced runs of about two seconds, so that the second reader opens
    // the pipe while events are still due.
    let paced = [
        "-e",
        "60",
        "-d",
        "--delay-scale",
        "0.03",
        "-f",
        "jsonl",
        "-q",
    ];
    let book = [&["run", "-t", "3", "-s", "3"][..], &paced].concat();
    let dispatch = [
        &[
            "run",
            "--scenario",
            "taxi-stand",
            "--set",
            "warm_up=0",
            "-s",
            "1",
        ][..],
        &paced,
    ]
    .concat();
    // The dispatch run checks whether a closed stdout is skipped for each
    // event; the book's drops it from its outputs, and checks only whether
    // it was closed when it writes the end line.
    for args in [dispatch, book] {
        let Some((read, export)) = read_by_a_second_reader_of_stdouts_pipe(&args) else {
            return; // no mkfifo here: nothing to test
        };
        // Neither an event nor the end line: stdout was closed for good.
        assert_eq!(read, "", "{args:?}");
        assert!(
            export
                .lines()
                .last()
                .unwrap()
                .starts_with(r#"{"type":"end""#),
            "{args:?}: {export}"
        );
    }
}
