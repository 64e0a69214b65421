//! `--vary KEY=VALUES`: the values a sweep gives one scenario key, and the
//! grid of every combination (the first key outermost).
//!
//! VALUES is `a..b` (integers, both ends included), `a..b:step` (integers
//! or decimals), or a comma list whose items are typed as `--set` types
//! them (`0.3,0.4,0.5`, `cpython,pcg64`).

use std::fmt;
use std::str::FromStr;

use crate::scenario::{Set, parse_value};

/// Most points one `--vary` may give: more is surely a typo.
const MAX_VALUES: u64 = 1_000_000;

/// One `--vary`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The key as written on the command line (`taxis`).
    pub key: String,
    /// The scenario key it sets (`fleet.taxis`).
    pub set_key: String,
    /// The values, in order.
    pub values: Vec<toml::Value>,
}

/// The scenario key a sweep key stands for: `taxis` is short for `fleet.taxis`.
pub fn scenario_key(key: &str) -> &str {
    match key {
        "taxis" => "fleet.taxis",
        other => other,
    }
}

impl FromStr for Vary {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let Some((key, values)) = text.split_once('=') else {
            return Err(format!(
                "'{text}' is not KEY=VALUES (for example taxis=2..12 or demand.rate=0.3,0.4)"
            ));
        };
        let key = key.trim();
        let set_key = scenario_key(key);
        // The key's syntax is a set's.
        Set::new(set_key, toml::Value::Boolean(true))?;
        let values =
            parse_values(values.trim()).map_err(|message| format!("--vary {key}: {message}"))?;
        Ok(Self {
            key: key.to_string(),
            set_key: set_key.to_string(),
            values,
        })
    }
}

impl fmt::Display for Vary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values: Vec<String> = self.values.iter().map(ToString::to_string).collect();
        write!(f, "{}={}", self.key, values.join(","))
    }
}

fn parse_values(text: &str) -> Result<Vec<toml::Value>, String> {
    if let Some((from, rest)) = text.split_once("..") {
        let (to, step) = match rest.split_once(':') {
            Some((to, step)) => (to, Some(step)),
            None => (rest, None),
        };
        return range(from.trim(), to.trim(), step.map(str::trim));
    }
    let values: Vec<toml::Value> = text.split(',').map(parse_value).collect();
    if values
        .iter()
        .any(|value| value.as_str().is_some_and(|text| text.trim().is_empty()))
    {
        return Err(format!("'{text}' has an empty value"));
    }
    Ok(values)
}

fn range(from: &str, to: &str, step: Option<&str>) -> Result<Vec<toml::Value>, String> {
    let integers = (
        from.parse::<i64>(),
        to.parse::<i64>(),
        step.map(str::parse::<i64>),
    );
    match integers {
        (Ok(from), Ok(to), None | Some(Ok(_))) => {
            let step = match step {
                Some(text) => text.parse::<i64>().unwrap_or(0),
                None => 1,
            };
            if step <= 0 {
                return Err(format!("the step must be positive, got {step}"));
            }
            if from > to {
                return Err(format!("the range {from}..{to} is empty"));
            }
            let count = ((to as i128 - from as i128) / step as i128 + 1) as u64;
            if count > MAX_VALUES {
                return Err(format!("{count} values is too many (at most {MAX_VALUES})"));
            }
            Ok((0..count as i64)
                .map(|index| toml::Value::Integer(from + index * step))
                .collect())
        }
        _ => decimal_range(from, to, step),
    }
}

fn decimal_range(from: &str, to: &str, step: Option<&str>) -> Result<Vec<toml::Value>, String> {
    let number = |text: &str| match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(format!("'{text}' is not a number")),
    };
    let Some(step_text) = step else {
        // Ranges without a step are ranges of integers.
        number(from)?;
        number(to)?;
        return Err(format!(
            "{from}..{to} needs a step for decimal values (for example {from}..{to}:0.1)"
        ));
    };
    let (first, last, step) = (number(from)?, number(to)?, number(step_text)?);
    if step <= 0.0 {
        return Err(format!("the step must be positive, got {step_text}"));
    }
    if first > last {
        return Err(format!("the range {from}..{to} is empty"));
    }
    // Values are a + i * step, rounded to the decimals written, so that
    // 0.3..0.5:0.1 gives 0.3, 0.4, 0.5 and not 0.30000000000000004.
    let decimals = [from, to, step_text]
        .iter()
        .map(|text| {
            text.split_once('.')
                .map_or(0, |(_, fraction)| fraction.len())
        })
        .max()
        .unwrap_or(0)
        .min(15);
    let scale = 10f64.powi(decimals as i32);
    let count = ((last - first) / step + 1e-9).floor() + 1.0;
    if count > MAX_VALUES as f64 {
        return Err(format!("{count} values is too many (at most {MAX_VALUES})"));
    }
    Ok((0..count as u64)
        .map(|index| {
            let value = ((first + index as f64 * step) * scale).round() / scale;
            toml::Value::Float(value)
        })
        .collect())
}

/// Every combination of the values of `vary`, the first key outermost:
/// each point is one value per key.
pub fn grid(vary: &[Vary]) -> Vec<Vec<toml::Value>> {
    let mut points: Vec<Vec<toml::Value>> = vec![Vec::new()];
    for key in vary {
        points = points
            .into_iter()
            .flat_map(|point| {
                key.values.iter().map(move |value| {
                    let mut point = point.clone();
                    point.push(value.clone());
                    point
                })
            })
            .collect();
    }
    points
}

/// The sets that make `point` of `vary`.
pub fn point_sets(vary: &[Vary], point: &[toml::Value]) -> Vec<Set> {
    vary.iter()
        .zip(point)
        .map(|(key, value)| Set {
            key: key.set_key.clone(),
            value: value.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        text.parse::<Vary>()
            .unwrap()
            .values
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn ranges_include_both_ends_and_follow_their_step() {
        assert_eq!(values("taxis=2..5"), ["2", "3", "4", "5"]);
        assert_eq!(values("taxis=2..9:3"), ["2", "5", "8"]);
        assert_eq!(values("taxis=4..4"), ["4"]);
        assert_eq!(values("demand.rate=0.3..0.5:0.1"), ["0.3", "0.4", "0.5"]);
        assert_eq!(values("demand.rate=0.3,0.45"), ["0.3", "0.45"]);
        assert_eq!(values("rng=cpython,pcg64"), ["\"cpython\"", "\"pcg64\""]);
    }

    #[test]
    fn taxis_is_short_for_the_fleet_size() {
        let vary: Vary = "taxis=1..2".parse().unwrap();
        assert_eq!(
            (vary.key.as_str(), vary.set_key.as_str()),
            ("taxis", "fleet.taxis")
        );
    }

    #[test]
    fn empty_and_non_numeric_ranges_are_refused() {
        for bad in [
            "taxis=5..2",
            "taxis=a..b",
            "taxis=1..x",
            "taxis=1..5:0",
            "taxis=1..5:-1",
            "rate=0.5..0.1:0.1",
            "rate=0.1..0.5",
            "taxis=1,,2",
            "taxis",
            "=1..2",
        ] {
            assert!(bad.parse::<Vary>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_grid_puts_the_first_key_outermost() {
        let a: Vary = "a=1..2".parse().unwrap();
        let b: Vary = "b=7,8,9".parse().unwrap();
        let points: Vec<String> = grid(&[a, b])
            .iter()
            .map(|point| format!("{}{}", point[0], point[1]))
            .collect();
        assert_eq!(points, ["17", "18", "19", "27", "28", "29"]);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    fn refusal(text: &str) -> String {
        text.parse::<Vary>().unwrap_err()
    }

    fn count(text: &str) -> usize {
        text.parse::<Vary>().unwrap().values.len()
    }

    #[test]
    fn a_range_that_runs_backwards_is_refused_as_empty() {
        assert!(refusal("taxis=5..2").contains("the range 5..2 is empty"));
        assert!(refusal("rate=0.5..0.1:0.1").contains("the range 0.5..0.1 is empty"));
        assert_eq!(count("rate=0.5..0.5:0.1"), 1);
    }

    #[test]
    fn a_million_values_are_allowed_and_one_more_is_refused() {
        assert_eq!(count("taxis=1..1000000"), 1_000_000);
        assert!(refusal("taxis=1..1000001").contains("1000001 values is too many"));
        assert!(refusal("taxis=1..2000000").contains("2000000 values is too many"));
        assert_eq!(count("rate=0.0..999999.0:1.0"), 1_000_000);
        assert!(refusal("rate=0.0..1000000.0:1.0").contains("1000001 values is too many"));
        assert!(refusal("rate=0.0..1999999.0:1.0").contains("2000000 values is too many"));
    }

    #[test]
    fn an_endless_or_undefined_end_is_not_a_number() {
        for (text, bad) in [
            ("rate=inf..inf:1.0", "inf"),
            ("rate=0.5..inf:0.1", "inf"),
            ("rate=nan..1.0:0.1", "nan"),
        ] {
            let message = refusal(text);
            assert!(
                message.contains(&format!("'{bad}' is not a number")),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn a_vary_shows_as_its_key_and_values() {
        let vary: Vary = "taxis=2..8:3".parse().unwrap();
        assert_eq!(vary.to_string(), "taxis=2,5,8");
        let vary: Vary = "rng=cpython,pcg64".parse().unwrap();
        assert_eq!(vary.to_string(), "rng=\"cpython\",\"pcg64\"");
    }

    #[test]
    fn a_point_sets_each_varied_scenario_key_to_its_value() {
        let taxis: Vary = "taxis=1..2".parse().unwrap();
        let rate: Vary = "demand.rate=0.3,0.4".parse().unwrap();
        let point = [toml::Value::Integer(2), toml::Value::Float(0.4)];
        let sets = point_sets(&[taxis, rate], &point);
        let sets: Vec<String> = sets.iter().map(ToString::to_string).collect();
        assert_eq!(sets, ["fleet.taxis=2", "demand.rate=0.4"]);
    }
}
