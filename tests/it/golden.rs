//! The book's own outputs, byte for byte.

use std::fs;

use crate::{repo_path, taxi_sim};

/// `taxisT_endE_seedS.txt` -> (T, E, S)
fn parameters(name: &str) -> (String, String, String) {
    let stem = name
        .strip_suffix(".txt")
        .unwrap()
        .strip_prefix("taxis")
        .unwrap();
    let (taxis, rest) = stem.split_once("_end").unwrap();
    let (end, seed) = rest.split_once("_seed").unwrap();
    (taxis.into(), end.into(), seed.into())
}

fn check_directory(directory: &str) -> usize {
    let mut checked = 0;
    for entry in fs::read_dir(repo_path(directory)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.starts_with("taxis") {
            continue;
        }
        let (taxis, end, seed) = parameters(&name);
        let expected = fs::read(&path).unwrap();
        let output = taxi_sim()
            .args(["run", "-t", &taxis, "-e", &end, "-s", &seed])
            .output()
            .unwrap();
        assert!(output.status.success(), "{name}");
        assert!(
            output.stdout == expected,
            "{name}: output differs from the book's program"
        );
        checked += 1;
    }
    checked
}

#[test]
fn every_golden_file_of_the_books_program_is_reproduced_byte_for_byte() {
    assert_eq!(check_directory("tests/fixtures/golden"), 26);
}

#[test]
fn the_plain_python_peer_outputs_are_reproduced_for_other_fleets_and_huge_seeds() {
    assert_eq!(check_directory("tests/fixtures/peer"), 4);
}

#[test]
fn the_long_flag_forms_give_the_same_output_as_the_short_ones() {
    let short = crate::stdout_of(&["run", "-t", "3", "-e", "120", "-s", "3"]);
    let long = crate::stdout_of(&["run", "--taxis", "3", "--end-time", "120", "--seed", "3"]);
    assert_eq!(short, long);
    assert_eq!(
        short,
        fs::read_to_string(repo_path("tests/fixtures/golden/taxis3_end120_seed3.txt")).unwrap()
    );
}

#[test]
fn the_book_model_through_its_scenario_file_reproduces_the_sample_run() {
    let expected =
        fs::read_to_string(repo_path("tests/fixtures/golden/taxis3_end120_seed3.txt")).unwrap();
    assert_eq!(
        crate::stdout_of(&["run", "--scenario", "fluent-python", "-s", "3", "-e", "120"]),
        expected
    );
    let file = repo_path("scenarios/fluent-python.toml");
    assert_eq!(
        crate::stdout_of(&[
            "run",
            "--scenario",
            file.to_str().unwrap(),
            "-s",
            "3",
            "-e",
            "120"
        ]),
        expected
    );
}
