//! What `src/models/dispatch/output.rs`'s mutants showed the suite did not
//! check: the summary a dispatch run tells on stderr (the other tests run
//! with `-q`).

use crate::taxi_sim;

#[test]
fn a_dispatch_run_tells_its_summary_on_stderr_in_two_lines() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("stand.jsonl");
    let output = taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "--set", "end_time=300"])
        .args(["--set", "warm_up=0", "-s", "4", "-f", "none", "--export"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(output.status.success());
    // The numbers are the log's summary's: 126 requests, 118 served, 8
    // abandoned; P(wait) 0.2222, P(abandon) 0.0635, mean wait 0.3401,
    // p90 1.2456, service level 0.9286, utilization 0.6613.
    let text = std::fs::read_to_string(&log).unwrap();
    let end: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let passengers = &end["data"]["summary"]["passengers"];
    assert_eq!(passengers["requests"], 126);
    assert_eq!(passengers["served"], 118);
    assert_eq!(passengers["p_wait"], 0.2222222222222222);
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "summary: 10 taxis, 126 requests measured: 118 served, 8 abandoned, 0 unresolved by time 300\n\
         summary: P(wait) 22.2%, P(abandon) 6.3%, mean wait 0.34 min (p90 1.25), service level 92.9%, utilization 66.1%\n"
    );
}
