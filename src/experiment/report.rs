//! A sweep's results as text (an aligned table, mean ± half-width), CSV
//! (one row per point and measure) or JSON (every raw value). Each is a pure
//! function of the [`SweepResult`], so a merge of shards prints the very
//! bytes of the sweep it was cut from.

use std::path::Path;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::sweep::SweepResult;
use crate::stats::Interval;

/// Version of the sweep's JSON document.
pub const SCHEMA_VERSION: u32 = 1;

/// The output formats of `sweep` and `merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// An aligned table for people.
    Text,
    /// One row per point and measure.
    Csv,
    /// One document with every raw value.
    Json,
}

/// The bytes of `result` in `format`.
pub fn render(result: &SweepResult, format: ReportFormat) -> Vec<u8> {
    match format {
        ReportFormat::Text => text(result).into_bytes(),
        ReportFormat::Csv => csv(result).into_bytes(),
        ReportFormat::Json => json(result),
    }
}

/// A number as CSV and text cells write it: the shortest text that reads
/// back as the same number.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else {
        value.to_string()
    }
}

/// A varied value as a cell: text without quotes, numbers as JSON writes them.
fn param(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(result: &SweepResult) -> String {
    let definition = &result.definition;
    let mut out = String::new();
    let mut header: Vec<String> = definition
        .vary
        .iter()
        .map(|column| csv_cell(&column.key))
        .collect();
    header.extend(
        [
            "measure",
            "mean",
            "ci_low",
            "ci_high",
            "std_dev",
            "replications",
        ]
        .map(String::from),
    );
    out.push_str(&header.join(","));
    out.push('\n');
    for point in 0..definition.point_count() {
        let params: Vec<String> = definition
            .params(point)
            .into_iter()
            .map(|value| csv_cell(&param(value)))
            .collect();
        for (measure, name) in definition.measures.iter().enumerate() {
            let interval = result.interval(point, measure);
            let mut row = params.clone();
            row.push(csv_cell(name));
            row.extend([interval.mean, interval.low, interval.high, interval.std_dev].map(number));
            row.push(interval.count.to_string());
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// Decimals that show an interval's half-width to two significant digits.
pub(crate) fn decimals_for(interval: &Interval) -> usize {
    let reference = if interval.half_width() > 0.0 && interval.half_width().is_finite() {
        interval.half_width()
    } else {
        interval.mean.abs()
    };
    if !(reference > 0.0 && reference.is_finite()) {
        return 0;
    }
    (1 - reference.log10().floor() as i64).clamp(0, 6) as usize
}

fn text(result: &SweepResult) -> String {
    let definition = &result.definition;
    let mut header: Vec<String> = definition.vary.iter().map(|c| c.key.clone()).collect();
    let percent = definition.confidence * 100.0;
    header.push("measure".into());
    header.push("mean".into());
    header.push(format!("± {percent}%"));
    header.push("std dev".into());
    let keys = definition.vary.len();
    let mut rows = vec![header];
    for point in 0..definition.point_count() {
        let params = definition.params(point);
        for (measure, name) in definition.measures.iter().enumerate() {
            let interval = result.interval(point, measure);
            let decimals = decimals_for(&interval);
            let mut row: Vec<String> = params.iter().map(|value| param(value)).collect();
            row.push(name.clone());
            // Undefined (no rider to measure, or no interval from one
            // replication) prints `-`, as `run`'s summary does.
            let shown = |value: f64| {
                if value.is_nan() {
                    "-".to_string()
                } else {
                    format!("{value:.decimals$}")
                }
            };
            row.push(shown(interval.mean));
            row.push(match interval.half_width() {
                half if half.is_nan() => "-".to_string(),
                half => format!("± {half:.decimals$}"),
            });
            row.push(shown(interval.std_dev));
            rows.push(row);
        }
    }
    // Numbers line up on their decimal point: pad each on the right to the
    // most decimals of its column.
    let decimals_of = |cell: &str| cell.split_once('.').map(|(_, fraction)| fraction.len() + 1);
    for column in keys + 1..rows[0].len() {
        let most = rows[1..]
            .iter()
            .filter_map(|row| decimals_of(&row[column]))
            .max()
            .unwrap_or(0);
        for row in rows[1..].iter_mut() {
            let pad = most - decimals_of(&row[column]).unwrap_or(0);
            row[column].push_str(&" ".repeat(pad));
        }
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "sweep of '{}': {} × {}, seed {}, {percent}% confidence intervals\n",
        definition.scenario["name"].as_str().unwrap_or("custom"),
        crate::stdio::counted(definition.point_count() as u64, "point"),
        crate::stdio::counted(definition.replications, "replication"),
        definition.seed,
    );
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                let width = widths[column];
                // The measure's name reads best on the left, numbers on the right.
                if column == keys {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A float as JSON: NaN (no interval from fewer than two values) is null.
fn json_number(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn json(result: &SweepResult) -> Vec<u8> {
    struct Document<'a>(&'a SweepResult);
    struct Points<'a>(&'a SweepResult);
    struct Point<'a>(&'a SweepResult, usize);
    struct Params<'a>(&'a SweepResult, usize);
    struct Measures<'a>(&'a SweepResult, usize);
    #[derive(Serialize)]
    struct Measure {
        mean: Option<f64>,
        ci_low: Option<f64>,
        ci_high: Option<f64>,
        std_dev: Option<f64>,
        values: Vec<Option<f64>>,
    }

    impl Serialize for Document<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let definition = &self.0.definition;
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
            map.serialize_entry("taxi_sim_version", env!("CARGO_PKG_VERSION"))?;
            map.serialize_entry("scenario", &definition.scenario)?;
            map.serialize_entry("seed", &definition.seed)?;
            map.serialize_entry("replications", &definition.replications)?;
            map.serialize_entry("confidence", &definition.confidence)?;
            map.serialize_entry("vary", &definition.vary)?;
            map.serialize_entry("measures", &definition.measures)?;
            map.serialize_entry("points", &Points(self.0))?;
            map.end()
        }
    }
    impl Serialize for Points<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq((0..self.0.definition.point_count()).map(|p| Point(self.0, p)))
        }
    }
    impl Serialize for Point<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry("params", &Params(self.0, self.1))?;
            map.serialize_entry("measures", &Measures(self.0, self.1))?;
            map.end()
        }
    }
    impl Serialize for Params<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let definition = &self.0.definition;
            serializer.collect_map(
                definition
                    .vary
                    .iter()
                    .map(|column| &column.key)
                    .zip(definition.params(self.1)),
            )
        }
    }
    impl Serialize for Measures<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let (result, point) = (self.0, self.1);
            serializer.collect_map(result.definition.measures.iter().enumerate().map(
                |(measure, name)| {
                    let interval = result.interval(point, measure);
                    let values = &result.values[point][measure];
                    (
                        name,
                        Measure {
                            mean: json_number(interval.mean),
                            ci_low: json_number(interval.low),
                            ci_high: json_number(interval.high),
                            std_dev: json_number(interval.std_dev),
                            values: values.iter().map(|&value| json_number(value)).collect(),
                        },
                    )
                },
            ))
        }
    }

    let mut out = serde_json::to_vec_pretty(&Document(result)).expect("a sweep serializes");
    out.push(b'\n');
    out
}

/// An output file written whole or not at all (see
/// [`crate::output::AtomicFile`]): created before the work, so a bad path
/// fails at once.
pub struct OutputFile(crate::output::AtomicFile);

impl OutputFile {
    /// Creates the temporary file beside `path`.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        Ok(Self(crate::output::AtomicFile::create(path)?))
    }

    /// Writes `bytes` and renames the file into place.
    pub fn write(self, bytes: &[u8]) -> anyhow::Result<()> {
        Ok(self.0.write(bytes)?)
    }
}

/// Prints `bytes` on stdout; a closed pipe (`| head`) ends quietly, a
/// closed or full stdout is an error.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    crate::stdio::write_stdout(bytes)
        .map_err(|error| anyhow::anyhow!("could not write stdout: {error}"))
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use crate::experiment::sweep::{SweepDefinition, VaryColumn};
    use crate::stats::t_interval;
    use serde_json::json;

    /// Two points (`taxis` 1; `rate` 0.25 then 3), two replications, 90%:
    /// a measure with a NaN value, one of zero spread and two whose
    /// half-widths call for 0 and 1 decimals. The dotted measure name makes
    /// a padded name column visible.
    fn result() -> SweepResult {
        let definition = SweepDefinition {
            scenario: json!({"name": "demo"}),
            seed: 7,
            replications: 2,
            confidence: 0.9,
            vary: vec![
                VaryColumn {
                    key: "taxis".into(),
                    values: vec![json!(1)],
                },
                VaryColumn {
                    key: "rate".into(),
                    values: vec![json!(0.25), json!(3)],
                },
            ],
            measures: vec!["wait.mean".into(), "trips".into()],
        };
        let values = vec![
            vec![vec![1.0, f64::NAN], vec![100.0, 140.0]],
            vec![vec![0.5, 0.5], vec![130.0, 131.0]],
        ];
        SweepResult { definition, values }
    }

    #[test]
    fn the_text_table_lines_numbers_up_on_their_decimal_point() {
        // Decimals by hand: ± 126.3 shows none, ± 0 with a mean of 0.5 two,
        // ± 3.16 one; each number column is padded to its most decimals.
        // No value (NaN) is a dash, as in `run`'s summary.
        let expected = "\
sweep of 'demo': 2 points × 2 replications, seed 7, 90% confidence intervals
taxis  rate  measure      mean     ± 90%  std dev
    1  0.25  wait.mean    -         -        -
    1  0.25  trips      120     ± 126       28
    1     3  wait.mean    0.50    ± 0.00     0.00
    1     3  trips      130.5     ± 3.2      0.7
";
        let text = String::from_utf8(render(&result(), ReportFormat::Text)).unwrap();
        assert_eq!(text, expected);
    }

    #[test]
    fn the_csv_gives_each_interval_in_full_and_nan_as_nan() {
        let cells = |values: &[f64]| {
            let interval = t_interval(values, 0.9);
            format!(
                "{},{},{},{},2",
                interval.mean, interval.low, interval.high, interval.std_dev
            )
        };
        let expected = format!(
            "taxis,rate,measure,mean,ci_low,ci_high,std_dev,replications\n\
             1,0.25,wait.mean,NaN,NaN,NaN,NaN,2\n\
             1,0.25,trips,{}\n\
             1,3,wait.mean,0.5,0.5,0.5,0,2\n\
             1,3,trips,{}\n",
            cells(&[100.0, 140.0]),
            cells(&[130.0, 131.0]),
        );
        let csv = String::from_utf8(render(&result(), ReportFormat::Csv)).unwrap();
        assert_eq!(csv, expected);
        assert!(csv.contains(",trips,120,-6.27"), "{csv}");
    }

    #[test]
    fn the_json_holds_every_value_and_null_for_what_is_not_a_number() {
        let interval = |values: &[f64]| {
            let interval = t_interval(values, 0.9);
            json!({
                "mean": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "std_dev": interval.std_dev,
                "values": values,
            })
        };
        let expected = json!({
            "schema_version": 1,
            "taxi_sim_version": env!("CARGO_PKG_VERSION"),
            "scenario": {"name": "demo"},
            "seed": 7,
            "replications": 2,
            "confidence": 0.9,
            "vary": [
                {"key": "taxis", "values": [1]},
                {"key": "rate", "values": [0.25, 3]},
            ],
            "measures": ["wait.mean", "trips"],
            "points": [
                {
                    "params": {"taxis": 1, "rate": 0.25},
                    "measures": {
                        "wait.mean": {
                            "mean": null, "ci_low": null, "ci_high": null,
                            "std_dev": null, "values": [1.0, null],
                        },
                        "trips": interval(&[100.0, 140.0]),
                    },
                },
                {
                    "params": {"taxis": 1, "rate": 3},
                    "measures": {
                        "wait.mean": {
                            "mean": 0.5, "ci_low": 0.5, "ci_high": 0.5,
                            "std_dev": 0.0, "values": [0.5, 0.5],
                        },
                        "trips": interval(&[130.0, 131.0]),
                    },
                },
            ],
        });
        let bytes = render(&result(), ReportFormat::Json);
        assert!(bytes.ends_with(b"}\n"));
        let document: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(document, expected);
    }

    fn with(mean: f64, half_width: f64) -> Interval {
        Interval {
            mean,
            low: mean - half_width,
            high: mean + half_width,
            std_dev: 1.0,
            count: 3,
        }
    }

    #[test]
    fn decimals_show_the_half_width_to_two_digits_or_else_the_mean() {
        // 1 - floor(log10(reference)), within 0..=6.
        assert_eq!(decimals_for(&with(5.0, 0.03)), 3);
        assert_eq!(decimals_for(&with(5.0, 0.3)), 2);
        assert_eq!(decimals_for(&with(5.0, 30.0)), 0);
        assert_eq!(decimals_for(&with(5.0, 3e-9)), 6);
        // No spread, or an endless one: the mean decides.
        assert_eq!(decimals_for(&with(0.0123, 0.0)), 3);
        assert_eq!(decimals_for(&with(-0.0123, 0.0)), 3);
        assert_eq!(decimals_for(&with(0.0123, f64::INFINITY)), 3);
        assert_eq!(decimals_for(&with(0.0123, f64::NAN)), 3);
        // Nothing to go by.
        assert_eq!(decimals_for(&with(0.0, 0.0)), 0);
        assert_eq!(decimals_for(&with(f64::NAN, f64::NAN)), 0);
        assert_eq!(decimals_for(&with(f64::INFINITY, 0.0)), 0);
    }

    #[test]
    fn an_output_file_is_written_whole_at_its_path() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("out.csv");
        let file = OutputFile::create(&path).unwrap();
        file.write(b"a,b\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n");
    }
}
