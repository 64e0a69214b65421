//! `taxi-sim chart`: the SVG is valid XML, carries the expected labels and
//! series, and its shapes stand where the data puts them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

use crate::{repo_path, stdout_of, taxi_sim};

const SWEEP: &str = "tests/fixtures/charts/sweep-two-keys.json";
const DISPATCH_LINES: &str = "tests/fixtures/charts/dispatch-small.jsonl";
const DISPATCH_DOCUMENT: &str = "tests/fixtures/charts/dispatch-small.json";

/// Colours of the chart, as the SVG writes them.
const BLUE: &str = "#0072B2";
const VERMILION: &str = "#D55E00";
const OCCUPIED: &str = "#0072B2";
const PROWLING: &str = "#E69F00";
const IDLE: &str = "#009E73";
const OFF_DUTY: &str = "#DDDDDD";

/// Runs `taxi-sim chart INPUT ARGS -o FILE` and returns the SVG.
fn chart(input: &Path, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("chart.svg");
    taxi_sim()
        .arg("chart")
        .arg(input)
        .args(args)
        .arg("-o")
        .arg(&output)
        .assert()
        .success();
    fs::read_to_string(&output).unwrap()
}

fn attribute<'a>(node: &roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
}

fn number(node: &roxmltree::Node, name: &str) -> f64 {
    attribute(node, name).parse().unwrap()
}

/// Every text of the SVG, trimmed.
fn texts(svg: &roxmltree::Document) -> Vec<String> {
    svg.descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| node.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The points of every polyline drawn in `color` with `points` points.
fn polylines(svg: &roxmltree::Document, color: &str, points: usize) -> Vec<Vec<(f64, f64)>> {
    svg.descendants()
        .filter(|node| node.has_tag_name("polyline") && node.attribute("stroke") == Some(color))
        .map(|node| {
            attribute(&node, "points")
                .split_whitespace()
                .map(|pair| {
                    let (x, y) = pair.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<(f64, f64)>>()
        })
        .filter(|line| line.len() == points)
        .collect()
}

/// Asserts that `pixels` is an affine image of `values` (a chart's axis),
/// within rounding to whole pixels.
fn assert_affine(values: &[f64], pixels: &[f64], what: &str) {
    let (first, last) = (0, values.len() - 1);
    let scale = (pixels[last] - pixels[first]) / (values[last] - values[first]);
    for (value, pixel) in values.iter().zip(pixels) {
        let expected = pixels[first] + (value - values[first]) * scale;
        assert!(
            (expected - pixel).abs() <= 1.5,
            "{what}: value {value} drawn at {pixel}, expected {expected:.1} ({values:?} -> {pixels:?})"
        );
    }
}

/// The (taxis, mean of `measure`) of a sweep's points where `key` is `value`.
fn sweep_means(sweep: &Path, measure: &str, key: &str, value: f64) -> Vec<(f64, f64)> {
    let document: Value = serde_json::from_str(&fs::read_to_string(sweep).unwrap()).unwrap();
    let mut means: Vec<(f64, f64)> = document["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|point| point["params"][key].as_f64() == Some(value))
        .map(|point| {
            (
                point["params"]["taxis"].as_f64().unwrap(),
                point["measures"][measure]["mean"].as_f64().unwrap(),
            )
        })
        .collect();
    means.sort_by(|a, b| a.0.total_cmp(&b.0));
    means
}

/// Asserts that each line is drawn where the sweep's means put it.
fn assert_lines_follow_the_means(
    lines: &[Vec<(f64, f64)>],
    sweep: &Path,
    measures: &[&str],
    (key, value): (&str, f64),
) {
    assert_eq!(lines.len(), measures.len(), "lines of {key} = {value}");
    for (line, measure) in lines.iter().zip(measures) {
        let means = sweep_means(sweep, measure, key, value);
        let xs: Vec<f64> = means.iter().map(|point| point.0).collect();
        let ys: Vec<f64> = means.iter().map(|point| point.1).collect();
        let pixel_xs: Vec<f64> = line.iter().map(|point| point.0).collect();
        let pixel_ys: Vec<f64> = line.iter().map(|point| point.1).collect();
        assert_affine(&xs, &pixel_xs, &format!("{measure} x"));
        assert_affine(&ys, &pixel_ys, &format!("{measure} y"));
        // Larger means stand higher: smaller y in SVG.
        let (first, last) = (0, ys.len() - 1);
        assert_eq!(
            ys[first] > ys[last],
            pixel_ys[first] < pixel_ys[last],
            "{measure}: the line goes the data's way"
        );
    }
}

#[test]
fn a_real_sweep_is_drawn_where_its_means_are() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("sweep.json");
    taxi_sim()
        .args([
            "sweep",
            "--vary",
            "taxis=2..5",
            "--vary",
            "end_time=120,180",
        ])
        .args(["-r", "4", "-s", "1", "-q", "-f", "json", "-o"])
        .arg(&sweep)
        .assert()
        .success();
    let measures = ["trips", "occupancy"];
    let svg_text = chart(&sweep, &["--measure", "trips", "-m", "occupancy"]);
    let svg = roxmltree::Document::parse(&svg_text).expect("the SVG is XML");
    let texts = texts(&svg);
    for label in [
        "taxis",
        "trips",
        "occupancy (share)",
        "end_time = 120",
        "end_time = 180",
        "Sweep of 'fluent-python' over taxis",
        "line: mean of 4 replications; band: its 95% confidence interval, seed 1",
    ] {
        assert!(texts.iter().any(|text| text == label), "{label}: {texts:?}");
    }
    assert!(!texts.iter().any(|text| text.starts_with("prowling")));
    for (color, end_time) in [(BLUE, 120.0), (VERMILION, 180.0)] {
        let lines = polylines(&svg, color, 4);
        assert_lines_follow_the_means(&lines, &sweep, &measures, ("end_time", end_time));
    }

    // A shard is not a sweep yet.
    let shard = dir.path().join("shard.json");
    taxi_sim()
        .args(["sweep", "--vary", "taxis=2..5", "-r", "4", "-s", "1", "-q"])
        .args(["--shard", "1/2", "-o"])
        .arg(&shard)
        .assert()
        .success();
    chart_error(&shard, 1, "is one shard of a sweep: merge the shards first");
}

#[test]
fn a_dispatch_sweep_draws_each_measure_with_its_unit_and_a_line_per_second_key_value() {
    let svg_text = chart(&repo_path(SWEEP), &[]);
    let svg = roxmltree::Document::parse(&svg_text).expect("the SVG is XML");
    let texts = texts(&svg);
    for label in [
        "taxis",
        "p_wait (share)",
        "utilization (share)",
        "wait_mean (minutes)",
        "demand.rate = 0.3",
        "demand.rate = 0.35",
        "Sweep of 'taxi-stand' over taxis",
    ] {
        assert!(
            texts.iter().any(|text| text == label),
            "no text '{label}' in {texts:?}"
        );
    }
    assert!(
        texts
            .iter()
            .any(|text| text.contains("95% confidence interval")),
        "{texts:?}"
    );
    // The swept values are the ticks of every panel's x axis.
    for taxis in ["8", "9", "11", "12"] {
        assert_eq!(texts.iter().filter(|text| *text == taxis).count(), 3);
    }
    // One band per series and panel.
    assert_eq!(
        svg.descendants()
            .filter(|node| node.has_tag_name("polygon"))
            .count(),
        6
    );
    // Panels in measure order, each with its lines of means where the data
    // puts them: x by taxis, y by the mean.
    for (color, rate) in [(BLUE, 0.3), (VERMILION, 0.35)] {
        assert_lines_follow_the_means(
            &polylines(&svg, color, 5),
            &repo_path(SWEEP),
            &["p_wait", "utilization", "wait_mean"],
            ("demand.rate", rate),
        );
    }
}

#[test]
fn a_chosen_measure_gets_the_whole_chart() {
    let svg_text = chart(&repo_path(SWEEP), &["--measure", "p_wait"]);
    let svg = roxmltree::Document::parse(&svg_text).unwrap();
    let texts = texts(&svg);
    assert!(texts.iter().any(|text| text == "p_wait (share)"));
    assert!(!texts.iter().any(|text| text.starts_with("wait_mean")));
    assert_eq!(polylines(&svg, BLUE, 5).len(), 1);
    assert_eq!(polylines(&svg, VERMILION, 5).len(), 1);
}

#[test]
fn an_unknown_measure_is_a_usage_error_listing_the_measures() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("chart.svg");
    taxi_sim()
        .args(["chart", SWEEP, "--measure", "p_wiat", "-o"])
        .arg(&output)
        .current_dir(repo_path(""))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no measure 'p_wiat'")
                .and(predicate::str::contains("p_wait, utilization, wait_mean")),
        );
    assert!(!output.exists());
}

#[test]
fn a_timeline_of_a_sweep_is_a_usage_error() {
    taxi_sim()
        .args(["chart", SWEEP, "--timeline", "-o", "never.svg"])
        .current_dir(repo_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a sweep"));
}

/// The rectangles of the timeline's rows: per row (top to bottom), the
/// total width drawn in each colour.
fn row_widths(svg: &roxmltree::Document) -> Vec<BTreeMap<String, f64>> {
    let plot_top = 120.0; // below the title and the legend
    let mut rows: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    for node in svg.descendants().filter(|node| node.has_tag_name("rect")) {
        let fill = attribute(&node, "fill");
        if ![OCCUPIED, PROWLING, IDLE, OFF_DUTY].contains(&fill) || number(&node, "y") < plot_top {
            continue;
        }
        *rows
            .entry(number(&node, "y") as i64)
            .or_default()
            .entry(fill.to_string())
            .or_default() += number(&node, "width");
    }
    rows.into_values().collect()
}

fn share(widths: &BTreeMap<String, f64>, color: &str) -> f64 {
    widths.get(color).copied().unwrap_or(0.0) / widths.values().sum::<f64>()
}

#[test]
fn a_book_timeline_shows_each_taxi_occupied_as_long_as_its_summary_says() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let jsonl = dir.path().join("run.jsonl");
    taxi_sim()
        .args(["run", "-t", "3", "-s", "3", "-q", "-f", "none", "--export"])
        .arg(&json)
        .arg("--export")
        .arg(&jsonl)
        .assert()
        .success();
    let svg_text = chart(&json, &["--timeline"]);
    assert_eq!(
        svg_text,
        chart(&jsonl, &["--timeline"]),
        "JSON and JSON Lines logs of one run draw the same chart"
    );
    let svg = roxmltree::Document::parse(&svg_text).unwrap();
    let texts = texts(&svg);
    for label in ["prowling", "occupied", "off duty", "taxi", "time (minutes)"] {
        assert!(texts.iter().any(|text| text == label), "{label}: {texts:?}");
    }
    assert!(!texts.iter().any(|text| text == "idle"));
    assert!(!texts.iter().any(|text| text == "passengers waiting"));
    assert!(texts.iter().any(|text| text == "all 3 taxis; 30 events"));

    let document: Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let span = document["summary"]["sim_time"]
        .as_f64()
        .unwrap()
        .max(document["scenario"]["end_time"].as_f64().unwrap());
    let rows = row_widths(&svg);
    assert_eq!(rows.len(), 3);
    for (taxi, widths) in rows.iter().enumerate() {
        let summary = &document["summary"]["taxis"][taxi];
        for (color, ticks) in [
            (OCCUPIED, &summary["occupied"]),
            (PROWLING, &summary["prowling"]),
        ] {
            let expected = ticks.as_f64().unwrap() / span;
            let drawn = share(widths, color);
            assert!(
                (drawn - expected).abs() < 0.01,
                "taxi {taxi} {color}: drawn {drawn:.4}, summary {expected:.4}"
            );
        }
    }
}

/// Per taxi, minutes occupied; and the time-weighted mean number of
/// passengers waiting, over `[0, span)`.
fn dispatch_truth(path: &Path, taxis: usize, span: f64) -> (Vec<f64>, f64) {
    let mut occupied = vec![0.0; taxis];
    let mut picked_at = vec![None; taxis];
    let (mut waiting, mut since, mut area) = (0i64, 0.0, 0.0);
    for line in fs::read_to_string(path).unwrap().lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        if line["type"] != "event" {
            continue;
        }
        let event = &line["data"];
        let time = event["time"].as_f64().unwrap();
        let taxi = event["taxi"].as_u64().map(|taxi| taxi as usize);
        match event["action"].as_str().unwrap() {
            "pick_up_passenger" => picked_at[taxi.unwrap()] = Some(time),
            "drop_off_passenger" => {
                let taxi = taxi.unwrap();
                occupied[taxi] += time - picked_at[taxi].take().unwrap();
            }
            _ => {}
        }
        let change = match event["action"].as_str().unwrap() {
            "request" => 1,
            "pick_up_passenger" | "abandon" => -1,
            _ => 0,
        };
        if change != 0 {
            area += waiting as f64 * (time - since);
            since = time;
            waiting += change;
        }
    }
    for (taxi, start) in picked_at.iter().enumerate() {
        if let Some(start) = start {
            occupied[taxi] += span - start;
        }
    }
    area += waiting as f64 * (span - since);
    (occupied, area / span)
}

/// The mean of the passengers-waiting line, read back through its y axis's
/// tick labels (`0` and `2`, the lowest of each).
fn drawn_mean_waiting(svg: &roxmltree::Document) -> f64 {
    let line = &polylines(svg, VERMILION, 1100)[0];
    let tick_y = |label: &str| {
        svg.descendants()
            .filter(|node| {
                node.has_tag_name("text")
                    && node.attribute("text-anchor") == Some("end")
                    && node.text().map(str::trim) == Some(label)
            })
            .map(|node| number(&node, "y"))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let (zero, two) = (tick_y("0"), tick_y("2"));
    line.iter()
        .map(|point| (zero - point.1) / (zero - two) * 2.0)
        .sum::<f64>()
        / line.len() as f64
}

#[test]
fn a_dispatch_timeline_shows_idle_taxis_and_the_passengers_waiting() {
    let svg_text = chart(&repo_path(DISPATCH_LINES), &["--timeline"]);
    assert_eq!(
        svg_text,
        chart(&repo_path(DISPATCH_DOCUMENT), &[]),
        "both formats, and --timeline is implied for a log"
    );
    let svg = roxmltree::Document::parse(&svg_text).unwrap();
    let texts = texts(&svg);
    for label in ["occupied", "idle", "off duty", "passengers waiting"] {
        assert!(texts.iter().any(|text| text == label), "{label}: {texts:?}");
    }
    assert!(!texts.iter().any(|text| text == "prowling"));
    assert!(
        texts
            .iter()
            .any(|text| text == "Taxis of 'small-stand' over time (dispatch model)")
    );

    let span = 240.0;
    let (occupied, mean_waiting) = dispatch_truth(&repo_path(DISPATCH_LINES), 3, span);
    let rows = row_widths(&svg);
    assert_eq!(rows.len(), 3);
    for (taxi, widths) in rows.iter().enumerate() {
        let drawn = share(widths, OCCUPIED);
        let expected = occupied[taxi] / span;
        assert!(
            (drawn - expected).abs() < 0.01,
            "taxi {taxi} occupied: drawn {drawn:.4}, events {expected:.4}"
        );
    }
    // Taxi 2's shift ends at 150: off duty from its last drop-off after that.
    assert!(share(&rows[2], OFF_DUTY) > 0.3);
    assert_eq!(share(&rows[0], OFF_DUTY), 0.0);

    let drawn_mean = drawn_mean_waiting(&svg);
    assert!(
        (drawn_mean - mean_waiting).abs() < 0.03 * mean_waiting,
        "mean waiting: drawn {drawn_mean:.4}, events {mean_waiting:.4}"
    );
}

#[test]
fn a_real_dispatch_log_written_by_run_export_charts_taxis_and_waiting_passengers() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("stand.json");
    let jsonl = dir.path().join("stand.jsonl");
    let span = 480.0;
    taxi_sim()
        .args(["run", "--scenario", "taxi-stand", "-q", "-f", "none"])
        .args(["--set", "end_time=480", "--set", "warm_up=0", "--export"])
        .arg(&json)
        .arg("--export")
        .arg(&jsonl)
        .assert()
        .success();
    let svg_text = chart(&jsonl, &["--timeline"]);
    assert_eq!(svg_text, chart(&json, &["--timeline"]), "JSON and JSONL");
    let svg = roxmltree::Document::parse(&svg_text).unwrap();
    let texts = texts(&svg);
    for label in [
        "Taxis of 'taxi-stand' over time (dispatch model)",
        "occupied",
        "idle",
        "passengers waiting",
    ] {
        assert!(texts.iter().any(|text| text == label), "{label}: {texts:?}");
    }

    let (occupied, mean_waiting) = dispatch_truth(&jsonl, 10, span);
    let rows = row_widths(&svg);
    assert_eq!(rows.len(), 10);
    for (taxi, widths) in rows.iter().enumerate() {
        let drawn = share(widths, OCCUPIED);
        let expected = occupied[taxi] / span;
        assert!(
            (drawn - expected).abs() < 0.01,
            "taxi {taxi} occupied: drawn {drawn:.4}, events {expected:.4}"
        );
    }
    // Riders did queue in these 8 hours, and the panel draws how many.
    assert!(mean_waiting > 0.05, "{mean_waiting}");
    let drawn_mean = drawn_mean_waiting(&svg);
    assert!(
        (drawn_mean - mean_waiting).abs() < 0.03 * mean_waiting,
        "mean waiting: drawn {drawn_mean:.4}, events {mean_waiting:.4}"
    );
}

#[test]
fn a_large_fleet_is_sampled_and_the_chart_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("run.jsonl");
    taxi_sim()
        .args([
            "run", "-t", "200", "-e", "60", "-s", "1", "-q", "-f", "none",
        ])
        .arg("--export")
        .arg(&log)
        .assert()
        .success();
    let svg_text = chart(&log, &["--timeline", "--max-taxis", "20"]);
    let svg = roxmltree::Document::parse(&svg_text).unwrap();
    let texts = texts(&svg);
    assert!(
        texts
            .iter()
            .any(|text| text.starts_with("20 of 200 taxis shown, sampled evenly by id")),
        "{texts:?}"
    );
    assert_eq!(row_widths(&svg).len(), 20);
    // Rows are every tenth taxi: 0, 10, ... 190.
    assert!(texts.iter().any(|text| text == "190"));
    assert!(!texts.iter().any(|text| text == "195"));
    assert_eq!(
        row_widths(&roxmltree::Document::parse(&chart(&log, &[])).unwrap()).len(),
        40
    );
}

fn chart_error(input: &Path, code: i32, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("chart.svg");
    taxi_sim()
        .arg("chart")
        .arg(input)
        .arg("-o")
        .arg(&output)
        .assert()
        .code(code)
        .stderr(predicate::str::contains(message));
    assert!(!output.exists(), "no chart for {}", input.display());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no leftovers");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn inputs_that_are_neither_sweeps_nor_logs_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let csv = dir.join("run.csv");
    taxi_sim()
        .args(["run", "-t", "2", "-s", "1", "-q", "-f", "none", "--export"])
        .arg(&csv)
        .assert()
        .success();
    let neither = "is neither a sweep";
    chart_error(&csv, 1, &format!("'{}' {neither}", csv.display()));
    chart_error(&repo_path("scenarios/rush-hour.toml"), 1, neither);
    chart_error(&write(dir, "empty.json", ""), 1, neither);
    chart_error(&write(dir, "other.json", r#"{"name": "x"}"#), 1, neither);
    chart_error(&write(dir, "list.json", "[1, 2]"), 1, neither);
    chart_error(&dir.join("missing.json"), 1, "could not read");
    chart_error(dir, 1, "it is a directory");
    let backwards = r#"{"schema_version":1,"events":[
        {"time":5,"taxi":0,"action":"leave_garage"},
        {"time":3,"taxi":0,"action":"pick_up_passenger"}]}"#;
    chart_error(
        &write(dir, "backwards.json", backwards),
        1,
        "event #2 at time 3 comes after an event at time 5",
    );
    let unknown = "{\"type\":\"header\",\"data\":{\"schema_version\":2}}\n\
        {\"type\":\"event\",\"data\":{\"time\":1,\"taxi\":0,\"action\":\"fly\"}}\n";
    chart_error(&write(dir, "unknown.jsonl", unknown), 1, "malformed log");
    let no_taxi = r#"{"schema_version":2,"events":[{"time":1,"taxi":null,"passenger":0,"action":"pick_up_passenger"}]}"#;
    chart_error(&write(dir, "no-taxi.json", no_taxi), 1, "names no taxi");
    let bad_sweep = r#"{"replications":2,"confidence":0.95,"vary":["taxis=1..2"],
        "points":[{"params":{"taxis":1},"measures":{"p_wait":{"mean":"high"}}}]}"#;
    chart_error(
        &write(dir, "bad-sweep.json", bad_sweep),
        1,
        "field `points[0].measures.p_wait.mean`",
    );
    let text_key = r#"{"replications":2,"confidence":0.95,"vary":["rng=cpython,pcg64"],
        "points":[{"params":{"rng":"cpython"},"measures":{"p_wait":{"mean":0.1}}}]}"#;
    chart_error(
        &write(dir, "text-key.json", text_key),
        1,
        "the x axis needs numbers",
    );
}

#[test]
fn a_chart_never_replaces_a_directory_or_a_read_only_file_and_writes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    taxi_sim()
        .args(["chart", SWEEP, "-o"])
        .arg(dir.path())
        .current_dir(repo_path(""))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is a directory"));
    let kept = write(dir.path(), "kept.svg", "mine");
    let mut permissions = fs::metadata(&kept).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&kept, permissions).unwrap();
    taxi_sim()
        .args(["chart", SWEEP, "-o"])
        .arg(&kept)
        .current_dir(repo_path(""))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("read-only"));
    assert_eq!(fs::read_to_string(&kept).unwrap(), "mine");
    let svg = stdout_of(&["chart", &repo_path(SWEEP).to_string_lossy(), "-o", "-"]);
    roxmltree::Document::parse(&svg).expect("the SVG on stdout is XML");
    assert_eq!(svg, chart(&repo_path(SWEEP), &[]));
}

#[test]
fn a_chart_never_overwrites_a_demand_file_that_an_older_log_names_from_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    // Older logs record the demand file relative to the log's folder.
    let demand = write(dir.path(), "d.svg", "time\n1\n");
    let log = write(
        dir.path(),
        "run.json",
        r#"{"schema_version":2,"scenario":{"model":"dispatch","demand":{"file":"d.svg"}},
            "events":[{"time":1,"passenger":0,"action":"request"}]}"#,
    );
    taxi_sim()
        .arg("chart")
        .arg(&log)
        .arg("-o")
        .arg(&demand)
        .current_dir(repo_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would overwrite the demand file"));
    assert_eq!(fs::read_to_string(&demand).unwrap(), "time\n1\n");
}
