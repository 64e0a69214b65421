//! Honest intervals against queueing theory: a sweep of an M/M/c taxi stand
//! (Poisson riders, exponential trips, riders who wait for ever) gives 95%
//! intervals of `p_wait` that contain the Erlang C value at least 90% of the
//! time.

use serde_json::Value;

use crate::stdout_of;

/// The mean trip, in minutes, of the scenario below.
const MEAN_TRIP: f64 = 10.0;

/// M/M/c: no patience, so nobody gives up; 20,000 measured minutes after a
/// warm-up of 1,000 (thousands of riders per replication, and the empty
/// start forgotten long before the measurement begins).
const MMC_SCENARIO: &str = r#"
schema_version = 2
model = "dispatch"
name = "mmc"
end_time = 21000
warm_up = 1000
rng = "pcg64"

[fleet]
taxis = 5

[demand]
rate = 0.25

[durations]
trip = { distribution = "exponential", mean = 10 }
"#;

/// Erlang C, written out here rather than taken from the library: with
/// offered load `a` and `c` servers,
/// `P(wait) = (a^c / c!) c / (c - a) / (sum_{k<c} a^k / k! + (a^c / c!) c / (c - a))`.
fn erlang_c(load: f64, servers: u64) -> f64 {
    let c = servers as f64;
    assert!(
        load < c,
        "no steady state at load {load} with {servers} servers"
    );
    let mut term = 1.0; // a^k / k!
    let mut below_c = 0.0;
    for k in 0..servers {
        below_c += term;
        term *= load / (k + 1) as f64;
    }
    let waiting = term * c / (c - load);
    waiting / (below_c + waiting)
}

#[test]
fn erlang_c_here_matches_textbook_values() {
    // Two servers at load 1: P(wait) = 1/3. One server: P(wait) = rho.
    assert!((erlang_c(1.0, 2) - 1.0 / 3.0).abs() < 1e-12);
    assert!((erlang_c(0.7, 1) - 0.7).abs() < 1e-12);
}

#[test]
fn ninety_percent_of_p_wait_intervals_of_an_mmc_sweep_contain_erlang_c() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("mmc.toml");
    std::fs::write(&scenario, MMC_SCENARIO).unwrap();
    // 4 fleets x 5 demand rates: utilisations from 0.31 to 0.9, P(wait) from
    // 0.005 to 0.76.
    let sweep: Value = serde_json::from_str(&stdout_of(&[
        "sweep",
        "--scenario",
        scenario.to_str().unwrap(),
        "--vary",
        "taxis=5..8",
        "--vary",
        "demand.rate=0.25,0.3,0.35,0.4,0.45",
        "--replications",
        "30",
        "--seed",
        "2026",
        "-q",
        "-f",
        "json",
    ]))
    .unwrap();
    assert_eq!(sweep["confidence"].as_f64(), Some(0.95), "{sweep}");
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 20);
    let mut misses = Vec::new();
    for point in points {
        let taxis = point["params"]["taxis"].as_u64().unwrap();
        let rate = point["params"]["demand.rate"].as_f64().unwrap();
        let truth = erlang_c(rate * MEAN_TRIP, taxis);
        let p_wait = &point["measures"]["p_wait"];
        assert_eq!(p_wait["values"].as_array().unwrap().len(), 30);
        let (low, high) = (
            p_wait["ci_low"].as_f64().unwrap(),
            p_wait["ci_high"].as_f64().unwrap(),
        );
        assert!(low < high, "a degenerate interval at {point}");
        if !(low <= truth && truth <= high) {
            misses.push(format!(
                "{taxis} taxis, rate {rate}: Erlang C {truth:.4} outside [{low:.4}, {high:.4}]"
            ));
        }
    }
    // At least 18 of 20 (90%). Against Erlang C for trips 5% longer, no
    // interval of this sweep covers the value.
    assert!(
        misses.len() <= 2,
        "{} of 20 intervals miss Erlang C:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
