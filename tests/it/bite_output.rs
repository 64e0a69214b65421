//! What `src/output/mod.rs`'s mutants showed the suite did not check: where
//! an export's temporary file is made (beside the file, whatever the
//! current directory), and an export through a link that names no file yet.

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
