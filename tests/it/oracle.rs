//! An independent reference for the run summary: recomputed from the events
//! alone, by a deliberately plain walk over each taxi's events that shares
//! no code with `taxi_sim::models::book::summary`. Runs through the binary are checked
//! against it: the JSON summary, and the numbers on the two stderr lines.

use std::fs;

use serde_json::Value;

use crate::{output_within, repo_path};

/// One taxi's figures, recomputed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceTaxi {
    pub taxi: u64,
    pub trips: u64,
    pub events: u64,
    pub prowling: u64,
    pub occupied: u64,
    pub on_duty: u64,
    pub went_home: bool,
}

/// The whole summary, recomputed.
#[derive(Debug, Clone)]
pub struct ReferenceSummary {
    pub taxis: Vec<ReferenceTaxi>,
    pub taxis_started: u64,
    pub taxis_home: u64,
    pub trips: u64,
    pub events: u64,
    pub prowling: u64,
    pub occupied: u64,
    pub on_duty: u64,
    pub mean_occupancy_share: f64,
    pub trips_per_taxi_hour: f64,
    pub sim_time: u64,
    pub minutes_per_tick: f64,
}

/// The summary of a run of `fleet_size` taxis whose events (time, taxi,
/// action key) are `events`, and that ended at `sim_time`.
pub fn reference_summary(
    events: &[(u64, u64, String)],
    fleet_size: u64,
    sim_time: u64,
    minutes_per_tick: f64,
) -> ReferenceSummary {
    let mut by_taxi: Vec<Vec<(u64, &str)>> = vec![Vec::new(); fleet_size as usize];
    for (time, taxi, action) in events {
        by_taxi[*taxi as usize].push((*time, action.as_str()));
    }
    let mut taxis = Vec::new();
    for (id, mine) in (0..fleet_size).zip(&by_taxi) {
        let Some(&(left, first_action)) = mine.first() else {
            taxis.push(ReferenceTaxi {
                taxi: id,
                trips: 0,
                events: 0,
                prowling: 0,
                occupied: 0,
                on_duty: 0,
                went_home: false,
            });
            continue;
        };
        assert_eq!(first_action, "leave_garage", "taxi {id} starts by leaving");
        let (last_time, last_action) = *mine.last().unwrap();
        let went_home = last_action == "going_home";
        // A taxi on the road at the end is on duty until the run's end.
        let until = if went_home { last_time } else { sim_time };
        let mut occupied = 0;
        for (index, &(time, action)) in mine.iter().enumerate() {
            if action == "pick_up_passenger" {
                // The trip lasts until the next event (its drop-off), or
                // until the end of the run if it is still under way.
                let trip_end = mine.get(index + 1).map_or(until, |&(next, _)| next);
                occupied += trip_end - time;
            }
        }
        let on_duty = until - left;
        taxis.push(ReferenceTaxi {
            taxi: id,
            trips: mine
                .iter()
                .filter(|(_, action)| *action == "drop_off_passenger")
                .count() as u64,
            events: mine.len() as u64,
            prowling: on_duty - occupied,
            occupied,
            on_duty,
            went_home,
        });
    }
    let started: Vec<&ReferenceTaxi> = taxis.iter().filter(|taxi| taxi.events > 0).collect();
    let shares: f64 = started
        .iter()
        .map(|taxi| {
            if taxi.on_duty == 0 {
                0.0
            } else {
                taxi.occupied as f64 / taxi.on_duty as f64
            }
        })
        .sum();
    let trips: u64 = taxis.iter().map(|taxi| taxi.trips).sum();
    let on_duty: u64 = taxis.iter().map(|taxi| taxi.on_duty).sum();
    ReferenceSummary {
        taxis_started: started.len() as u64,
        taxis_home: taxis.iter().filter(|taxi| taxi.went_home).count() as u64,
        trips,
        events: taxis.iter().map(|taxi| taxi.events).sum(),
        prowling: taxis.iter().map(|taxi| taxi.prowling).sum(),
        occupied: taxis.iter().map(|taxi| taxi.occupied).sum(),
        on_duty,
        mean_occupancy_share: if started.is_empty() {
            0.0
        } else {
            shares / started.len() as f64
        },
        // Trips per hour of on-duty taxi time: minutes are ticks times
        // minutes_per_tick, hours are minutes over 60.
        trips_per_taxi_hour: if on_duty == 0 {
            0.0
        } else {
            trips as f64 * 60.0 / (on_duty as f64 * minutes_per_tick)
        },
        taxis,
        sim_time,
        minutes_per_tick,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Asserts that a summary as the logs write it (`{"fleet", "taxis", ...}`)
/// equals the reference.
pub fn assert_summary_matches(reference: &ReferenceSummary, summary: &Value) {
    let fleet = &summary["fleet"];
    let count = |key: &str| {
        fleet[key]
            .as_u64()
            .unwrap_or_else(|| panic!("fleet.{key} in {fleet}"))
    };
    let expected_counts = [
        ("taxis", reference.taxis.len() as u64),
        ("taxis_started", reference.taxis_started),
        ("taxis_home", reference.taxis_home),
        ("trips", reference.trips),
        ("events", reference.events),
        ("prowling", reference.prowling),
        ("occupied", reference.occupied),
        ("on_duty", reference.on_duty),
    ];
    for (key, expected) in expected_counts {
        assert_eq!(count(key), expected, "fleet.{key}");
    }
    for (key, expected) in [
        ("mean_occupancy_share", reference.mean_occupancy_share),
        ("trips_per_taxi_hour", reference.trips_per_taxi_hour),
    ] {
        let got = fleet[key].as_f64().unwrap();
        assert!(close(got, expected), "fleet.{key}: {got} vs {expected}");
    }
    assert_eq!(summary["sim_time"].as_u64(), Some(reference.sim_time));
    assert_eq!(
        summary["minutes_per_tick"].as_f64(),
        Some(reference.minutes_per_tick)
    );
    let taxis = summary["taxis"].as_array().unwrap();
    assert_eq!(taxis.len(), reference.taxis.len());
    for (got, expected) in taxis.iter().zip(&reference.taxis) {
        let got = ReferenceTaxi {
            taxi: got["taxi"].as_u64().unwrap(),
            trips: got["trips"].as_u64().unwrap(),
            events: got["events"].as_u64().unwrap(),
            prowling: got["prowling"].as_u64().unwrap(),
            occupied: got["occupied"].as_u64().unwrap(),
            on_duty: got["on_duty"].as_u64().unwrap(),
            went_home: got["went_home"].as_bool().unwrap(),
        };
        assert_eq!(&got, expected);
    }
}

/// The numbers of the two `summary:` lines on stderr.
#[derive(Debug, PartialEq)]
pub struct SummaryLines {
    pub taxis: u64,
    pub home: u64,
    pub events: u64,
    pub trips: u64,
    pub time: u64,
    pub occupancy_percent: f64,
    pub trips_per_hour: f64,
}

/// Reads `summary: T taxis (H went home), E events, N trips by time S` and
/// `summary: mean occupancy X%, Y trips per taxi-hour` from `stderr`.
pub fn summary_lines(stderr: &str) -> SummaryLines {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("summary: "))
        .collect();
    assert_eq!(lines.len(), 2, "two summary lines in {stderr}");
    let numbers = |line: &str| -> Vec<f64> {
        line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|word| !word.is_empty() && *word != ".")
            .map(|word| word.trim_end_matches('.').parse().unwrap())
            .collect()
    };
    let counts = numbers(lines[0]);
    assert!(
        lines[0].contains(" taxis (") && lines[0].contains(" went home), "),
        "{}",
        lines[0]
    );
    assert_eq!(counts.len(), 5, "{}", lines[0]);
    let rates = numbers(lines[1]);
    assert!(
        lines[1].starts_with("mean occupancy ") && lines[1].ends_with(" trips per taxi-hour"),
        "{}",
        lines[1]
    );
    assert_eq!(rates.len(), 2, "{}", lines[1]);
    SummaryLines {
        taxis: counts[0] as u64,
        home: counts[1] as u64,
        events: counts[2] as u64,
        trips: counts[3] as u64,
        time: counts[4] as u64,
        occupancy_percent: rates[0],
        trips_per_hour: rates[1],
    }
}

/// Asserts that the stderr summary lines show the reference's figures,
/// to the digits they print.
pub fn assert_lines_match(reference: &ReferenceSummary, lines: &SummaryLines) {
    assert_eq!(
        (
            lines.taxis,
            lines.home,
            lines.events,
            lines.trips,
            lines.time
        ),
        (
            reference.taxis.len() as u64,
            reference.taxis_home,
            reference.events,
            reference.trips,
            reference.sim_time
        )
    );
    let percent = reference.mean_occupancy_share * 100.0;
    assert!(
        (lines.occupancy_percent - percent).abs() <= 0.05 + 1e-9,
        "occupancy {} vs {percent}",
        lines.occupancy_percent
    );
    assert!(
        (lines.trips_per_hour - reference.trips_per_taxi_hour).abs() <= 0.005 + 1e-9,
        "trips per taxi-hour {} vs {}",
        lines.trips_per_hour,
        reference.trips_per_taxi_hour
    );
}

/// The events of a JSON document log, as (time, taxi, action key).
pub fn document_events(document: &Value) -> Vec<(u64, u64, String)> {
    document["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["time"].as_u64().unwrap(),
                event["taxi"].as_u64().unwrap(),
                event["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The reference summary of a JSON document log, from its events, its
/// scenario's fleet size and minutes per tick, and its outcome's end time.
pub fn reference_of_document(document: &Value) -> ReferenceSummary {
    reference_summary(
        &document_events(document),
        document["scenario"]["fleet"]["taxis"].as_u64().unwrap(),
        document["outcome"]["sim_time"].as_u64().unwrap(),
        document["scenario"]["minutes_per_tick"].as_f64().unwrap(),
    )
}

/// Runs `args` exporting a JSON log; returns the log and the run's stderr.
fn run_with_log(args: &[&str]) -> (Value, String) {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("run.json");
    let output = output_within(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("taxi-sim"))
            .arg("run")
            .args(args)
            .args(["-f", "none", "--export"])
            .arg(&log),
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{args:?}: {stderr}");
    let document = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    (document, stderr)
}

/// A scenario whose ticks are 2.5 minutes: hourly rates depend on it.
const SLOW_TICKS: &str = "schema_version = 1\nminutes_per_tick = 2.5\nend_time = 400\n\
    [fleet]\ntaxis = 6\ntrips = \"unlimited\"\n[durations]\nsearch = 3\ntrip = 11\n";

#[test]
fn the_summary_of_every_kind_of_run_equals_one_recomputed_from_its_events() {
    let directory = tempfile::tempdir().unwrap();
    let slow_ticks = directory.path().join("slow-ticks.toml");
    fs::write(&slow_ticks, SLOW_TICKS).unwrap();
    let rush_hour = repo_path("scenarios/rush-hour.toml");
    let cases: Vec<Vec<&str>> = vec![
        // Every taxi goes home.
        vec!["-t", "5", "-s", "1", "-e", "10000"],
        // Stopped by the event limit with trips under way.
        vec!["-t", "20", "-s", "2", "--max-events", "57"],
        // Stopped by the end time: some taxis never left, some are driving.
        vec!["-t", "30", "-s", "7", "-e", "40"],
        vec!["--scenario", slow_ticks.to_str().unwrap(), "-s", "5"],
        vec!["--scenario", rush_hour.to_str().unwrap(), "-s", "3"],
        vec!["--rng", "pcg64", "-t", "10", "-s", "4", "-e", "500"],
    ];
    let mut open_trips = 0;
    let mut unstarted = 0;
    for args in &cases {
        let (document, stderr) = run_with_log(args);
        let reference = reference_of_document(&document);
        assert_summary_matches(&reference, &document["summary"]);
        assert_lines_match(&reference, &summary_lines(&stderr));
        let events = document_events(&document);
        for taxi in &reference.taxis {
            let last = events.iter().rev().find(|event| event.1 == taxi.taxi);
            open_trips += usize::from(last.is_some_and(|event| event.2 == "pick_up_passenger"));
            unstarted += usize::from(taxi.events == 0);
        }
    }
    // The cases do cover trips under way at the end and taxis that never left.
    assert!(open_trips >= 3, "{open_trips} open trips");
    assert!(unstarted >= 3, "{unstarted} taxis never left");
}

#[test]
fn trips_per_taxi_hour_counts_minutes_per_tick() {
    let directory = tempfile::tempdir().unwrap();
    let slow_ticks = directory.path().join("slow-ticks.toml");
    fs::write(&slow_ticks, SLOW_TICKS).unwrap();
    let (slow, slow_stderr) =
        run_with_log(&["--scenario", slow_ticks.to_str().unwrap(), "-s", "5"]);
    let fast_ticks = directory.path().join("fast-ticks.toml");
    fs::write(&fast_ticks, SLOW_TICKS.replace("2.5", "1.0")).unwrap();
    let (fast, _) = run_with_log(&["--scenario", fast_ticks.to_str().unwrap(), "-s", "5"]);
    // The same events; an hour holds 2.5 times fewer ticks of 2.5 minutes.
    assert_eq!(slow["events"], fast["events"]);
    let rate = |document: &Value| {
        document["summary"]["fleet"]["trips_per_taxi_hour"]
            .as_f64()
            .unwrap()
    };
    assert!(rate(&fast) > 0.0);
    assert!(close(rate(&fast), rate(&slow) * 2.5));
    let trips = slow["summary"]["fleet"]["trips"].as_f64().unwrap();
    let on_duty_hours = slow["summary"]["fleet"]["on_duty"].as_f64().unwrap() * 2.5 / 60.0;
    assert!(close(rate(&slow), trips / on_duty_hours));
    assert!(
        summary_lines(&slow_stderr).trips_per_hour > 0.0,
        "{slow_stderr}"
    );
}
