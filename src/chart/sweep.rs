//! The chart of a sweep: each measure against the first varied key, the mean
//! as a line through the points and its confidence interval as a band, one
//! line per value of the other varied keys. Several measures make small
//! multiples: one panel each, sharing the legend.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::style::{self, Swatch, TickedAxis};
use crate::app::UsageError;

/// A sweep as `taxi-sim sweep -f json` and `taxi-sim merge` write it (fields
/// a chart does not need are not read).
#[derive(Debug, Deserialize)]
pub(super) struct SweepDocument {
    #[serde(default)]
    scenario: Option<Value>,
    #[serde(default)]
    seed: Option<u64>,
    replications: u64,
    confidence: f64,
    #[serde(default)]
    vary: Value,
    points: Vec<Point>,
}

#[derive(Debug, Deserialize)]
struct Point {
    params: serde_json::Map<String, Value>,
    measures: BTreeMap<String, Estimate>,
}

/// A measure at one point. A measure without a value in some replication
/// (a mean wait when nobody was served) may be null.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Estimate {
    mean: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

impl SweepDocument {
    /// Reads a sweep, naming the file and the field of any error.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let bytes = super::read_small_file(path)?;
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            anyhow!(
                "malformed sweep '{}': field `{}`: {}",
                path.display(),
                error.path(),
                error.inner()
            )
        })
    }

    /// The varied keys in command-line order: from `vary` (a list of
    /// `KEY=VALUES` strings or of objects with a `key`), else from the
    /// points' parameters.
    fn varied_keys(&self) -> Vec<String> {
        let listed: Vec<String> = match &self.vary {
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(text) => Some(text.split('=').next().unwrap_or(text).trim()),
                    Value::Object(object) => object
                        .get("key")
                        .or_else(|| object.get("name"))
                        .and_then(Value::as_str),
                    _ => None,
                })
                .map(str::to_string)
                .collect(),
            Value::Object(object) => object.keys().cloned().collect(),
            _ => Vec::new(),
        };
        if listed.is_empty() {
            self.points
                .first()
                .map(|point| point.params.keys().cloned().collect())
                .unwrap_or_default()
        } else {
            listed
        }
    }

    /// Every measure of the sweep, sorted by name.
    fn measures(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .points
            .iter()
            .flat_map(|point| point.measures.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// A value as a legend shows it: strings without quotes.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One line of a panel: the points of one value of the other keys.
#[derive(Debug, Default)]
struct Series {
    /// (x, mean, ci_low, ci_high), by x.
    points: Vec<(f64, f64, f64, f64)>,
}

/// The sweep arranged for drawing.
struct Layout {
    key: String,
    /// The x of each point.
    xs: Vec<f64>,
    /// The series index of each point, and the series' labels.
    series_of: Vec<usize>,
    labels: Vec<String>,
}

fn arrange(document: &SweepDocument, path: &Path) -> anyhow::Result<Layout> {
    let invalid = |what: String| anyhow!("sweep '{}': {what}", path.display());
    let keys = document.varied_keys();
    let Some(key) = keys.first().cloned() else {
        return Err(invalid(
            "no varied key: nothing to put on the x axis".into(),
        ));
    };
    if document.points.is_empty() {
        return Err(invalid("no points to draw".into()));
    }
    let mut xs = Vec::new();
    let mut series_of = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for (index, point) in document.points.iter().enumerate() {
        let value_of = |key: &str| {
            point.params.get(key).ok_or_else(|| {
                invalid(format!(
                    "point #{} has no value for the varied key '{key}'",
                    index + 1
                ))
            })
        };
        let x_value = value_of(&key)?;
        let x = match x_value {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            invalid(format!(
                "the first varied key '{key}' has the value {x_value} at point #{}; the x axis needs numbers (vary a numeric key first)",
                index + 1
            ))
        })?;
        let mut parts = Vec::new();
        for other in &keys[1..] {
            parts.push(format!("{other} = {}", value_text(value_of(other)?)));
        }
        let label = parts.join(", ");
        let series = match labels.iter().position(|known| *known == label) {
            Some(series) => series,
            None => {
                labels.push(label);
                labels.len() - 1
            }
        };
        xs.push(x);
        series_of.push(series);
    }
    Ok(Layout {
        key,
        xs,
        series_of,
        labels,
    })
}

/// The series of one measure, each sorted by x.
fn series_of_measure(document: &SweepDocument, layout: &Layout, measure: &str) -> Vec<Series> {
    let mut series: Vec<Series> = layout.labels.iter().map(|_| Series::default()).collect();
    for (index, point) in document.points.iter().enumerate() {
        let Some(estimate) = point.measures.get(measure) else {
            continue;
        };
        let Some(mean) = estimate.mean.filter(|mean| mean.is_finite()) else {
            continue;
        };
        let low = estimate
            .ci_low
            .filter(|low| low.is_finite())
            .unwrap_or(mean);
        let high = estimate
            .ci_high
            .filter(|high| high.is_finite())
            .unwrap_or(mean);
        series[layout.series_of[index]]
            .points
            .push((layout.xs[index], mean, low, high));
    }
    for one in &mut series {
        one.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    series
}

/// Round tick positions covering `low..high`, at most about `count` of them:
/// steps of 1, 2 or 5 times a power of ten.
pub(super) fn nice_ticks(low: f64, high: f64, count: usize) -> Vec<f64> {
    let span = high - low;
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return vec![low];
    }
    let rough = span / count.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    // Dividing by a power of ten, not multiplying by its inverse, keeps
    // ticks exact to the last digit (0.6, not 0.6000000000000001).
    let units = step / magnitude;
    (first..=last)
        .map(|index| {
            let count = index as f64 * units;
            if magnitude < 1.0 {
                count / (1.0 / magnitude).round()
            } else {
                count * magnitude
            }
        })
        .collect()
}

/// The x range and ticks: the swept values themselves when there are few.
fn x_axis(xs: &[f64]) -> (f64, f64, Vec<f64>) {
    let low = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let high = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if high > low {
        (high - low) * 0.04
    } else {
        low.abs().max(1.0) * 0.5
    };
    let mut distinct = xs.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let ticks = if distinct.len() <= 12 {
        distinct
    } else {
        nice_ticks(low, high, 8)
    };
    (low - pad, high + pad, ticks)
}

/// The y range and ticks: every interval visible, with some air; a measure
/// that cannot be negative (or exceed 1, for a share) is not padded past that.
fn y_axis(series: &[Series], measure: &str) -> (f64, f64, Vec<f64>) {
    let low = series
        .iter()
        .flat_map(|one| one.points.iter().map(|point| point.2))
        .fold(f64::INFINITY, f64::min);
    let high = series
        .iter()
        .flat_map(|one| one.points.iter().map(|point| point.3))
        .fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0, nice_ticks(0.0, 1.0, 5));
    }
    let pad = if high > low {
        (high - low) * 0.08
    } else {
        low.abs().max(1.0) * 0.1
    };
    let mut bottom = low - pad;
    let mut top = high + pad;
    if low >= 0.0 {
        bottom = bottom.max(0.0);
    }
    if style::unit_of(measure) == Some("share") && high <= 1.0 {
        top = top.min(1.0);
    }
    (bottom, top, nice_ticks(bottom, top, 6))
}

const PANEL_WIDTH: u32 = 640;
const PANEL_HEIGHT: u32 = 460;
const TITLE_HEIGHT: u32 = 90;

/// Draws the chart of `requested` measures (all when empty) as SVG.
pub(super) fn draw(
    document: &SweepDocument,
    requested: &[String],
    path: &Path,
) -> anyhow::Result<String> {
    let available = document.measures();
    let measures: Vec<String> = if requested.is_empty() {
        available.clone()
    } else {
        for measure in requested {
            if !available.contains(measure) {
                return Err(UsageError(format!(
                    "sweep '{}' has no measure '{measure}'; it has: {}",
                    path.display(),
                    available.join(", ")
                ))
                .into());
            }
        }
        let mut unique: Vec<String> = Vec::new();
        for measure in requested {
            if !unique.contains(measure) {
                unique.push(measure.clone());
            }
        }
        unique
    };
    if measures.is_empty() {
        return Err(anyhow!(
            "sweep '{}' has no measures to draw",
            path.display()
        ));
    }
    let layout = arrange(document, path)?;

    let columns = match measures.len() {
        1 => 1,
        2..=4 => 2,
        _ => 3,
    };
    let rows = measures.len().div_ceil(columns);
    let with_legend = layout.labels.len() > 1;
    let legend_width = if with_legend {
        layout
            .labels
            .iter()
            .map(|label| style::text_width(label, style::LABEL_SIZE))
            .max()
            .unwrap_or(0)
            + 80
    } else {
        0
    };
    let width = PANEL_WIDTH * columns as u32 + legend_width;
    let height = TITLE_HEIGHT + PANEL_HEIGHT * rows as u32;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(style::drawing_error)?;
        let name = document
            .scenario
            .as_ref()
            .and_then(|scenario| scenario.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("sweep");
        let seed = document
            .seed
            .map(|seed| format!(", seed {seed}"))
            .unwrap_or_default();
        root.draw(&Text::new(
            format!("Sweep of '{name}' over {}", layout.key),
            (20, 28),
            style::left_middle(style::text_style(style::TITLE_SIZE, BLACK)),
        ))
        .map_err(style::drawing_error)?;
        root.draw(&Text::new(
            format!(
                "line: mean of {}; band: its {}% confidence interval{seed}",
                crate::stdio::counted(document.replications, "replication"),
                style::tick_label(document.confidence * 100.0)
            ),
            (20, 62),
            style::left_middle(style::text_style(style::SUBTITLE_SIZE, style::NOTE)),
        ))
        .map_err(style::drawing_error)?;

        let (body, legend_area) = root
            .margin(TITLE_HEIGHT, 0, 0, 0)
            .split_horizontally(PANEL_WIDTH * columns as u32);
        let panels = body.split_evenly((rows, columns));
        for (measure, panel) in measures.iter().zip(&panels) {
            let series = series_of_measure(document, &layout, measure);
            draw_panel(panel, &layout.key, measure, &series).map_err(style::drawing_error)?;
        }
        if with_legend {
            let entries: Vec<(Swatch, String)> = layout
                .labels
                .iter()
                .enumerate()
                .map(|(index, label)| (Swatch::Line(style::series_color(index)), label.clone()))
                .collect();
            style::draw_legend_column(&legend_area, (10, 20), &entries)
                .map_err(style::drawing_error)?;
        }
        root.present().map_err(style::drawing_error)?;
    }
    Ok(svg)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    key: &str,
    measure: &str,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|one| one.points.iter().map(|point| point.0))
        .collect();
    if xs.is_empty() {
        area.draw(&Text::new(
            format!("{measure}: no values"),
            (30, 40),
            style::left_middle(style::text_style(style::LABEL_SIZE, style::NOTE)),
        ))?;
        return Ok(());
    }
    let (x_low, x_high, x_ticks) = x_axis(&xs);
    let (y_low, y_high, y_ticks) = y_axis(series, measure);
    let y_label_width = y_ticks
        .iter()
        .map(|tick| style::text_width(&style::tick_label(*tick), style::LABEL_SIZE))
        .max()
        .unwrap_or(0);
    let mut chart = ChartBuilder::on(area)
        .margin_top(16)
        .margin_right(24)
        .margin_left(8)
        .margin_bottom(8)
        .x_label_area_size(58)
        .y_label_area_size(y_label_width + 46)
        .build_cartesian_2d(
            TickedAxis::new(x_low..x_high, x_ticks),
            TickedAxis::new(y_low..y_high, y_ticks),
        )?;
    let label_style = style::text_style(style::LABEL_SIZE, BLACK);
    let formatter = |value: &f64| style::tick_label(*value);
    chart
        .configure_mesh()
        .x_desc(key)
        .y_desc(style::measure_label(measure))
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, BLACK))
        .label_style(label_style)
        .x_label_formatter(&formatter)
        .y_label_formatter(&formatter)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;

    for (index, one) in series.iter().enumerate() {
        let color = style::series_color(index);
        let band = color.mix(0.18).filled();
        if one.points.len() > 1 {
            let outline: Vec<(f64, f64)> = one
                .points
                .iter()
                .map(|point| (point.0, point.3))
                .chain(one.points.iter().rev().map(|point| (point.0, point.2)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, band)))?;
        } else {
            // One point: the interval as an error bar.
            chart.draw_series(one.points.iter().map(|point| {
                PathElement::new(
                    vec![(point.0, point.2), (point.0, point.3)],
                    color.mix(0.5).stroke_width(6),
                )
            }))?;
        }
    }
    for (index, one) in series.iter().enumerate() {
        let color = style::series_color(index);
        chart.draw_series(LineSeries::new(
            one.points.iter().map(|point| (point.0, point.1)),
            color.stroke_width(3),
        ))?;
        chart.draw_series(
            one.points
                .iter()
                .map(|point| Circle::new((point.0, point.1), 4, color.filled())),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_inside_the_range() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(
            nice_ticks(7.6, 14.4, 8),
            vec![8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
        );
        assert_eq!(nice_ticks(3.0, 3.0, 5), vec![3.0]);
        let ticks = nice_ticks(0.013, 0.087, 6);
        assert!(ticks.iter().all(|tick| (0.013..=0.087).contains(tick)));
        assert!(ticks.len() >= 3 && ticks.len() <= 8, "{ticks:?}");
    }

    #[test]
    fn the_varied_keys_keep_the_command_line_order() {
        let document: SweepDocument = serde_json::from_str(
            r#"{"replications":2,"confidence":0.95,
                "vary":["taxis=8..10","demand.rate=0.3,0.4"],
                "points":[{"params":{"demand.rate":0.3,"taxis":8},"measures":{}}]}"#,
        )
        .unwrap();
        assert_eq!(document.varied_keys(), ["taxis", "demand.rate"]);
    }
}

#[cfg(test)]
mod bite_tests {
    use serde_json::json;

    use super::*;

    fn document(text: &str) -> SweepDocument {
        serde_json::from_str(text).unwrap()
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "{what}: {actual}, expected {expected}"
        );
    }

    fn assert_range(
        (low, high, ticks): (f64, f64, Vec<f64>),
        expected: (f64, f64, &[f64]),
        what: &str,
    ) {
        assert_close(low, expected.0, &format!("{what}: low"));
        assert_close(high, expected.1, &format!("{what}: high"));
        assert_eq!(ticks, expected.2, "{what}: ticks");
    }

    /// A series of (x, mean, ci_low, ci_high).
    fn series(points: &[(f64, f64, f64, f64)]) -> Vec<Series> {
        vec![Series {
            points: points.to_vec(),
        }]
    }

    #[test]
    fn the_x_axis_pads_the_swept_values_by_four_percent_and_ticks_each_of_a_few() {
        assert_range(
            x_axis(&[2.0, 6.0, 4.0, 4.0]),
            (2.0 - 0.16, 6.0 + 0.16, &[2.0, 4.0, 6.0]),
            "three values",
        );
        // One value: half its size (at least 1/2) either side.
        assert_range(x_axis(&[3.0]), (1.5, 4.5, &[3.0]), "one value");
        assert_range(x_axis(&[-4.0]), (-6.0, -2.0, &[-4.0]), "one negative");
        assert_range(x_axis(&[0.0]), (-0.5, 0.5, &[0.0]), "zero");
        // Up to 12 values are the ticks themselves; more get round ticks.
        let twelve: Vec<f64> = (1..=12).map(f64::from).collect();
        assert_range(x_axis(&twelve), (1.0 - 0.44, 12.0 + 0.44, &twelve), "12");
        let thirteen: Vec<f64> = (0..=12).map(f64::from).collect();
        assert_range(
            x_axis(&thirteen),
            (-0.48, 12.48, &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]),
            "13",
        );
    }

    #[test]
    fn the_y_axis_shows_every_interval_with_eight_percent_of_air() {
        assert_range(
            y_axis(&series(&[(1.0, 7.0, 2.0, 12.0)]), "trips"),
            (1.2, 12.8, &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0]),
            "from 2 to 12",
        );
        // A measure whose intervals reach below 0 is padded below 0 ...
        assert_range(
            y_axis(&series(&[(1.0, 0.0, -2.0, 8.0)]), "trips"),
            (-2.8, 8.8, &[-2.0, 0.0, 2.0, 4.0, 6.0, 8.0]),
            "from -2 to 8",
        );
        // ... one that does not is not.
        assert_range(
            y_axis(&series(&[(1.0, 5.0, 0.5, 10.5)]), "trips"),
            (0.0, 11.3, &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
            "from 0.5 to 10.5",
        );
        // One value without spread: a tenth of it (at least 1/10) either side.
        assert_range(
            y_axis(&series(&[(1.0, 5.0, 5.0, 5.0)]), "trips"),
            (4.5, 5.5, &[4.6, 4.8, 5.0, 5.2, 5.4]),
            "5 alone",
        );
        assert_range(
            y_axis(&series(&[(1.0, 0.0, 0.0, 0.0)]), "trips"),
            (0.0, 0.1, &[0.0, 0.02, 0.04, 0.06, 0.08, 0.1]),
            "0 alone",
        );
        // Nothing to show: 0 to 1.
        assert_range(
            y_axis(&[Series::default()], "trips"),
            (0.0, 1.0, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            "no points",
        );
    }

    #[test]
    fn a_share_is_not_padded_past_1_unless_it_exceeds_1() {
        let points = [(1.0, 0.7, 0.5, 0.98)];
        let (_, top, _) = y_axis(&series(&points), "p_wait");
        assert_close(top, 1.0, "a share");
        let (_, top, _) = y_axis(&series(&points), "trips");
        assert_close(top, 0.98 + 0.48 * 0.08, "not a share");
        let (_, top, _) = y_axis(&series(&[(1.0, 1.0, 0.5, 1.5)]), "p_wait");
        assert_close(top, 1.58, "a share above 1");
    }

    #[test]
    fn nice_ticks_handle_empty_ranges_and_large_steps() {
        assert_eq!(nice_ticks(5.0, 1.0, 5), [5.0], "a backwards range");
        assert_eq!(
            nice_ticks(0.0, 1000.0, 5),
            [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        assert_eq!(nice_ticks(-30.0, 25.0, 5), [-20.0, 0.0, 20.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 0), [0.0, 1.0], "at least one step");
    }

    #[test]
    fn the_varied_keys_come_from_any_form_of_vary_or_else_from_the_points() {
        let keys = |vary: &str| {
            document(&format!(
                r#"{{"replications":2,"confidence":0.95,{vary}
                    "points":[{{"params":{{"z":1,"a":2}},"measures":{{}}}}]}}"#
            ))
            .varied_keys()
        };
        assert_eq!(
            keys(r#""vary":[{"key":"taxis","values":[1,2]},{"name":"rate"},3],"#),
            ["taxis", "rate"]
        );
        assert_eq!(keys(r#""vary":{"taxis":[1,2]},"#), ["taxis"]);
        assert_eq!(keys(r#""vary":[" taxis = 1,2"],"#), ["taxis"]);
        assert_eq!(keys(""), ["a", "z"], "the points' keys");
        assert_eq!(keys(r#""vary":[],"#), ["a", "z"], "the points' keys");
    }

    const TWO_KEYS: &str = r#"{"replications":3,"confidence":0.9,"seed":5,"scenario":{"name":"s"},
        "vary":["taxis=2,4,6","rng=a,b"],
        "points":[
         {"params":{"taxis":4,"rng":"a"},"measures":{"trips":{"mean":20,"ci_low":18,"ci_high":22}}},
         {"params":{"taxis":2,"rng":"a"},"measures":{"trips":{"mean":10,"ci_low":8,"ci_high":12},
                                                     "p_wait":{"mean":0.5}}},
         {"params":{"taxis":"6","rng":"b"},"measures":{"trips":{"mean":30,"ci_low":28,"ci_high":32},
                                                       "p_wait":{"mean":null}}}
        ]}"#;

    #[test]
    fn points_are_arranged_in_one_series_per_value_of_the_other_keys() {
        let document = document(TWO_KEYS);
        assert_eq!(document.measures(), ["p_wait", "trips"]);
        let layout = arrange(&document, Path::new("s.json")).unwrap();
        assert_eq!(layout.key, "taxis");
        assert_eq!(layout.xs, [4.0, 2.0, 6.0], "a number given as text too");
        assert_eq!(layout.series_of, [0, 0, 1]);
        assert_eq!(layout.labels, ["rng = a", "rng = b"]);
        let trips = series_of_measure(&document, &layout, "trips");
        assert_eq!(trips.len(), 2);
        assert_eq!(
            trips[0].points,
            [(2.0, 10.0, 8.0, 12.0), (4.0, 20.0, 18.0, 22.0)],
            "sorted by x"
        );
        assert_eq!(trips[1].points, [(6.0, 30.0, 28.0, 32.0)]);
        // Without an interval the mean stands alone; without a mean, nothing.
        let shares = series_of_measure(&document, &layout, "p_wait");
        assert_eq!(shares[0].points, [(2.0, 0.5, 0.5, 0.5)]);
        assert!(shares[1].points.is_empty());
        assert_eq!(value_text(&json!("a b")), "a b");
        assert_eq!(value_text(&json!(0.5)), "0.5");
    }

    #[test]
    fn a_point_without_a_varied_key_is_named_by_its_number() {
        let document = document(
            r#"{"replications":2,"confidence":0.95,"vary":["taxis=1,2","rng=a"],
                "points":[{"params":{"taxis":1,"rng":"a"},"measures":{}},
                          {"params":{"taxis":2},"measures":{}}]}"#,
        );
        let error = arrange(&document, Path::new("s.json")).err().unwrap();
        assert_eq!(
            error.to_string(),
            "sweep 's.json': point #2 has no value for the varied key 'rng'"
        );
    }

    /// The SVG of `requested` measures of `document`.
    fn svg_of(document: &str, requested: &[&str]) -> String {
        let requested: Vec<String> = requested.iter().map(|name| name.to_string()).collect();
        draw(&self::document(document), &requested, Path::new("s.json")).unwrap()
    }

    use super::super::svg_probe::size;

    /// Every text of the SVG with its position.
    fn texts(svg: &roxmltree::Document) -> Vec<(String, i32, i32)> {
        super::super::svg_probe::texts(svg)
            .into_iter()
            .map(|(text, x, y, _)| (text, x, y))
            .collect()
    }

    fn has_text(svg: &roxmltree::Document, text: &str) -> bool {
        texts(svg).iter().any(|(each, _, _)| each == text)
    }

    /// Each element named `tag`, as its attributes `names`.
    fn shapes<'a>(svg: &'a roxmltree::Document, tag: &str, names: &[&str]) -> Vec<Vec<&'a str>> {
        svg.descendants()
            .filter(|node| node.has_tag_name(tag))
            .map(|node| {
                names
                    .iter()
                    .map(|name| node.attribute(*name).unwrap_or(""))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn each_point_is_drawn_where_its_mean_falls_in_the_padded_ranges() {
        let text = svg_of(TWO_KEYS, &["trips"]);
        let svg = roxmltree::Document::parse(&text).unwrap();
        assert!(has_text(&svg, "Sweep of 's' over taxis"));
        assert!(has_text(
            &svg,
            "line: mean of 3 replications; band: its 90% confidence interval, seed 5"
        ));
        assert!(has_text(&svg, "trips"));
        // The plot: below the title (90) and a margin of 16, above the x
        // labels (58) and a margin of 8; right of a margin of 8 and of the
        // y labels ("10" to "30": 17 px, plus 46 of room), left of a
        // margin of 24 in the panel of 640.
        let (left, right, top, bottom) = (8 + 17 + 46, 640 - 24 - 1, 90 + 16, 550 - 8 - 58 - 1);
        assert_eq!(
            size(&svg),
            (640 + 58 + 80, 90 + 460),
            "a legend of 7 letters"
        );
        // x from 2 - 0.16 to 6 + 0.16; y from 8 - 1.92 to 32 + 1.92.
        let pixel = |(x, y): (f64, f64)| {
            let x = f64::from(left) + f64::from(right - left) * (x - 1.84) / 4.32;
            let y = f64::from(bottom) - f64::from(bottom - top) * (y - 6.08) / 27.84;
            (x.round().to_string(), y.round().to_string())
        };
        let circles = shapes(&svg, "circle", &["cx", "cy", "fill"]);
        let expected: Vec<Vec<String>> = [
            ((2.0, 10.0), "#0072B2"),
            ((4.0, 20.0), "#0072B2"),
            ((6.0, 30.0), "#D55E00"),
        ]
        .into_iter()
        .map(|(point, color)| {
            let (x, y) = pixel(point);
            vec![x, y, color.to_string()]
        })
        .collect();
        assert_eq!(circles[..3], expected, "the means");
        // The first series' band; the second's single interval as a bar.
        let band = shapes(&svg, "polygon", &["points", "fill"]);
        let corner = |point| {
            let (x, y) = pixel(point);
            format!("{x},{y}")
        };
        assert_eq!(
            band,
            [[
                format!(
                    "{} {} {} {} ",
                    corner((2.0, 12.0)),
                    corner((4.0, 22.0)),
                    corner((4.0, 18.0)),
                    corner((2.0, 8.0))
                ),
                "#0072B2".to_string()
            ]]
        );
        let bars = shapes(&svg, "polyline", &["points", "stroke-width"]);
        let bar = format!("{} {} ", corner((6.0, 28.0)), corner((6.0, 32.0)));
        assert!(bars.contains(&vec![&bar, "6"]), "{bars:?}");
        // The legend, right of the panel.
        for (label, y) in [("rng = a", 90 + 20 + 13), ("rng = b", 90 + 20 + 13 + 26)] {
            assert!(
                texts(&svg).contains(&(label.to_string(), 640 + 10 + 34, y)),
                "{label}"
            );
        }
    }

    #[test]
    fn measures_are_laid_out_in_up_to_three_columns_beside_the_legend() {
        let legend = 58 + 80;
        let one_series = TWO_KEYS.replace(r#""rng":"b""#, r#""rng":"a""#);
        for (requested, width, height) in [
            (&["trips"][..], 640 + legend, 550),
            (&["trips", "trips"][..], 640 + legend, 550),
            (&["trips", "p_wait"][..], 2 * 640 + legend, 550),
            (&[][..], 2 * 640 + legend, 550),
        ] {
            let svg = svg_of(TWO_KEYS, requested);
            let svg = roxmltree::Document::parse(&svg).unwrap();
            assert_eq!(size(&svg), (width, height), "{requested:?}");
            assert!(
                texts(&svg).contains(&(
                    "rng = a".to_string(),
                    width as i32 - legend as i32 + 44,
                    123
                )),
                "{requested:?}"
            );
        }
        let svg = svg_of(&one_series, &[]);
        let svg = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(size(&svg), (2 * 640, 550), "one series: no legend");
        assert!(!has_text(&svg, "rng = a"));

        let measures: Vec<String> = (1..=5).map(|n| format!("m{n}")).collect();
        let five = format!(
            r#"{{"replications":1,"confidence":0.95,"vary":["taxis=1"],
                "points":[{{"params":{{"taxis":1}},"measures":{{{}}}}}]}}"#,
            measures
                .iter()
                .map(|name| format!(r#""{name}":{{"mean":1}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let svg = svg_of(&five, &[]);
        let svg = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(size(&svg), (3 * 640, 90 + 2 * 460));
        assert!(has_text(
            &svg,
            "line: mean of 1 replication; band: its 95% confidence interval"
        ));
        assert!(has_text(&svg, "Sweep of 'sweep' over taxis"));
        assert_eq!(shapes(&svg, "circle", &["r"]).len(), 5, "a point a panel");
    }

    #[test]
    fn a_measure_asked_for_must_exist_and_one_without_values_says_so() {
        let requested = vec!["trip".to_string()];
        let error = draw(&document(TWO_KEYS), &requested, Path::new("s.json"))
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "sweep 's.json' has no measure 'trip'; it has: p_wait, trips"
        );
        let without = TWO_KEYS.replace(r#""mean":0.5"#, r#""mean":null"#);
        let svg = svg_of(&without, &["p_wait"]);
        let svg = roxmltree::Document::parse(&svg).unwrap();
        assert!(has_text(&svg, "p_wait: no values"));
    }
}
