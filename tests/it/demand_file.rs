//! A scenario's demand file: no output may replace it, and a log of a run
//! that read it replays from any folder, or says clearly that the file is
//! gone or changed (never "identical" on other input).

use std::path::{Path, PathBuf};

use predicates::prelude::PredicateBooleanExt;

use crate::taxi_sim;

const REQUESTS: &str = "time,trip\n1.5,10\n2,5\n2,7.25\n30,4\n";

/// `folder/sub/stand.toml` reading `folder/sub/requests.csv`.
fn scenario_with_a_demand_file(folder: &Path) -> PathBuf {
    let sub = folder.join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("requests.csv"), REQUESTS).unwrap();
    let scenario = sub.join("stand.toml");
    std::fs::write(
        &scenario,
        "schema_version = 2\nmodel = \"dispatch\"\nname = \"from-a-file\"\nend_time = 100\nseed = 3\n\
         [fleet]\ntaxis = 2\n[demand]\nfile = \"requests.csv\"\n[durations]\ntrip = 20\npatience = 10\n",
    )
    .unwrap();
    scenario
}

#[test]
fn outputs_onto_the_scenarios_demand_file_are_refused() {
    let folder = tempfile::tempdir().unwrap();
    let scenario = scenario_with_a_demand_file(folder.path());
    let requests = folder.path().join("sub/requests.csv");
    let spelt_otherwise = folder.path().join("sub/../sub/requests.csv");
    for target in [&requests, &spelt_otherwise] {
        taxi_sim()
            .args(["run", "-q", "-f", "none", "--scenario"])
            .arg(&scenario)
            .arg("--export")
            .arg(target)
            .assert()
            .code(2)
            .stderr(refused_as_an_overwritten_demand_file());
        taxi_sim()
            .args([
                "sweep",
                "-q",
                "-r",
                "2",
                "--vary",
                "fleet.taxis=1,2",
                "--scenario",
            ])
            .arg(&scenario)
            .arg("-o")
            .arg(target)
            .assert()
            .code(2)
            .stderr(refused_as_an_overwritten_demand_file());
    }
    assert_eq!(std::fs::read_to_string(&requests).unwrap(), REQUESTS);
}

/// Runs the scenario into `log.json` and `log.jsonl` beside the folder.
fn logs_of(folder: &Path, scenario: &Path) -> [PathBuf; 2] {
    let logs = [folder.join("log.json"), folder.join("log.jsonl")];
    taxi_sim()
        .args(["run", "-q", "-f", "none", "--scenario"])
        .arg(scenario)
        .arg("--export")
        .arg(&logs[0])
        .arg("--export")
        .arg(&logs[1])
        .assert()
        .success();
    logs
}

#[test]
fn a_log_whose_demand_comes_from_a_file_replays_from_any_folder() {
    let folder = tempfile::tempdir().unwrap();
    scenario_with_a_demand_file(folder.path());
    // Written from the scenario's parent folder, naming it relatively.
    taxi_sim()
        .current_dir(folder.path())
        .args(["run", "-q", "-f", "none", "--scenario", "sub/stand.toml"])
        .args(["--export", "log.json", "--export", "log.jsonl"])
        .assert()
        .success();
    let logs = [
        folder.path().join("log.json"),
        folder.path().join("log.jsonl"),
    ];
    let elsewhere = tempfile::tempdir().unwrap();
    for log in &logs {
        taxi_sim()
            .current_dir(elsewhere.path())
            .arg("replay")
            .arg(log)
            .assert()
            .success()
            .stderr(predicates::str::contains("identical"));
    }
}

#[test]
fn a_changed_or_missing_demand_file_is_named_and_never_identical() {
    let folder = tempfile::tempdir().unwrap();
    let scenario = scenario_with_a_demand_file(folder.path());
    let logs = logs_of(folder.path(), &scenario);
    let requests = folder.path().join("sub/requests.csv");
    // One more request: another input, so another run.
    std::fs::write(&requests, format!("{REQUESTS}31,2\n")).unwrap();
    for log in &logs {
        taxi_sim().arg("replay").arg(log).assert().code(1).stderr(
            predicates::str::contains("requests.csv")
                .and(predicates::str::contains("has changed"))
                .and(predicates::str::contains("identical").not()),
        );
    }
    std::fs::remove_file(&requests).unwrap();
    for log in &logs {
        taxi_sim().arg("replay").arg(log).assert().code(1).stderr(
            predicates::str::contains("requests.csv")
                .and(predicates::str::contains("cannot be read"))
                .and(predicates::str::contains("identical").not()),
        );
    }
}

/// What every refusal to write over a demand file says.
fn refused_as_an_overwritten_demand_file() -> impl predicates::Predicate<str> {
    predicates::str::contains("demand file")
        .and(predicates::str::contains("it would be overwritten"))
}
