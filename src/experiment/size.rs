//! Fleet sizing: the smallest fleet whose confidence interval for a measure
//! lies wholly on the good side of a target, found by bisection over the
//! fleet size (the measure is taken to change monotonically with it) and
//! confirmed on the fleet just below.

use std::fmt;
use std::str::FromStr;

use crate::stats::Interval;

/// A comparison of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    AtMost,
    /// `<`
    Below,
    /// `>=`
    AtLeast,
    /// `>`
    Above,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::AtMost => "<=",
            Op::Below => "<",
            Op::AtLeast => ">=",
            Op::Above => ">",
        }
    }
}

/// `MEASURE OP VALUE`, such as `p_wait <= 0.2`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The measure.
    pub measure: String,
    /// The comparison.
    pub op: Op,
    /// The number compared with.
    pub value: f64,
}

impl Target {
    /// Whether the whole interval is on the good side: for `<=`, its upper
    /// end is at most the value; for `>=`, its lower end at least.
    pub fn met_by(&self, interval: &Interval) -> bool {
        match self.op {
            Op::AtMost => interval.high <= self.value,
            Op::Below => interval.high < self.value,
            Op::AtLeast => interval.low >= self.value,
            Op::Above => interval.low > self.value,
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "'{text}' is not MEASURE OP VALUE with OP one of <=, <, >=, > (for example 'p_wait<=0.2')"
            )
        };
        let (at, op, length) = [
            ("<=", Op::AtMost),
            (">=", Op::AtLeast),
            ("<", Op::Below),
            (">", Op::Above),
        ]
        .into_iter()
        .find_map(|(symbol, op)| text.find(symbol).map(|at| (at, op, symbol.len())))
        .ok_or_else(bad)?;
        let measure = text[..at].trim();
        let value = text[at + length..].trim();
        let valid_name = !measure.is_empty()
            && measure
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        match value.parse::<f64>() {
            Ok(value) if valid_name && value.is_finite() => Ok(Self {
                measure: measure.to_string(),
                op,
                value,
            }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.measure, self.op.symbol(), self.value)
    }
}

/// One fleet tried, with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluated {
    /// Fleet size.
    pub taxis: u64,
    /// The measure's interval.
    pub interval: Interval,
    /// Whether it meets the target.
    pub meets: bool,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub enum Sizing {
    /// The smallest fleet that meets the target.
    Found(Evaluated),
    /// No fleet in the range meets it.
    NoneMeets,
    /// A stop was requested.
    Interrupted,
}

/// Searches `min..=max` for the smallest fleet that meets `target`;
/// `evaluate(taxis)` gives a fleet's interval (`None`: interrupted). Every
/// fleet tried is in `tried`, by size.
pub fn smallest_fleet(
    target: &Target,
    min: u64,
    max: u64,
    mut evaluate: impl FnMut(u64) -> anyhow::Result<Option<Interval>>,
    tried: &mut Vec<Evaluated>,
) -> anyhow::Result<Sizing> {
    let mut check = |taxis: u64, tried: &mut Vec<Evaluated>| -> anyhow::Result<Option<bool>> {
        if let Some(known) = tried.iter().find(|known| known.taxis == taxis) {
            return Ok(Some(known.meets));
        }
        let Some(interval) = evaluate(taxis)? else {
            return Ok(None);
        };
        let meets = target.met_by(&interval);
        let at = tried.partition_point(|known| known.taxis < taxis);
        tried.insert(
            at,
            Evaluated {
                taxis,
                interval,
                meets,
            },
        );
        Ok(Some(meets))
    };
    macro_rules! check {
        ($taxis:expr) => {
            match check($taxis, tried)? {
                Some(meets) => meets,
                None => return Ok(Sizing::Interrupted),
            }
        };
    }
    if !check!(max) {
        // A measure that gets better as the fleet shrinks (`utilization >=
        // 0.9`): the range's smallest fleet may meet the target after all.
        if min < max && check!(min) {
            let found = *tried
                .iter()
                .find(|known| known.taxis == min)
                .expect("just evaluated");
            return Ok(Sizing::Found(found));
        }
        return Ok(Sizing::NoneMeets);
    }
    // Invariant: `high` meets the target, `low` (if any) does not. The
    // search ends with `low` just below `high`: the answer is confirmed on
    // the fleet just below it, unless it is the range's smallest.
    let mut high = max;
    let mut low: Option<u64> = None;
    while low.map_or(min, |low| low + 1) < high {
        let from = low.map_or(min, |low| low + 1);
        let middle = from + (high - from) / 2;
        if check!(middle) {
            high = middle;
        } else {
            low = Some(middle);
        }
    }
    let found = *tried
        .iter()
        .find(|known| known.taxis == high)
        .expect("the answer was evaluated");
    Ok(Sizing::Found(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(mean: f64) -> Interval {
        Interval {
            mean,
            low: mean - 0.01,
            high: mean + 0.01,
            std_dev: 0.01,
            count: 10,
        }
    }

    #[test]
    fn targets_read_with_or_without_spaces() {
        let target: Target = "p_wait<=0.2".parse().unwrap();
        assert_eq!(
            (target.measure.as_str(), target.op, target.value),
            ("p_wait", Op::AtMost, 0.2)
        );
        assert_eq!("trips > 30".parse::<Target>().unwrap().op, Op::Above);
        assert_eq!("x >= -1".parse::<Target>().unwrap().op, Op::AtLeast);
        assert_eq!("x<1e-3".parse::<Target>().unwrap().value, 1e-3);
        for bad in [
            "p_wait",
            "p_wait = 3",
            "<= 3",
            "p_wait <= x",
            "p wait <= 1",
            "x <= inf",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_whole_interval_must_be_on_the_good_side() {
        let target: Target = "m <= 0.5".parse().unwrap();
        assert!(target.met_by(&interval(0.48)));
        assert!(!target.met_by(&interval(0.495)));
        let target: Target = "m > 0.5".parse().unwrap();
        assert!(target.met_by(&interval(0.52)));
        assert!(!target.met_by(&interval(0.505)));
    }

    #[test]
    fn bisection_finds_the_smallest_fleet_and_confirms_the_one_below() {
        let target: Target = "m <= 0.3".parse().unwrap();
        // The measure falls as the fleet grows: 1 / taxis.
        let mut tried = Vec::new();
        let found = smallest_fleet(
            &target,
            1,
            100,
            |taxis| Ok(Some(interval(1.0 / taxis as f64))),
            &mut tried,
        )
        .unwrap();
        // 1/4 + 0.01 <= 0.3 but 1/3 + 0.01 is not.
        let Sizing::Found(found) = found else {
            panic!("{found:?}")
        };
        assert_eq!(found.taxis, 4);
        assert!(tried.iter().any(|known| known.taxis == 3 && !known.meets));
        assert!(tried.len() <= 9, "{}", tried.len());
        assert!(tried.windows(2).all(|pair| pair[0].taxis < pair[1].taxis));
    }

    #[test]
    fn the_smallest_fleet_of_the_range_and_a_range_that_never_meets() {
        let target: Target = "m <= 0.3".parse().unwrap();
        let mut tried = Vec::new();
        let found = smallest_fleet(
            &target,
            5,
            9,
            |taxis| Ok(Some(interval(1.0 / taxis as f64))),
            &mut tried,
        )
        .unwrap();
        assert!(matches!(found, Sizing::Found(found) if found.taxis == 5));
        let mut tried = Vec::new();
        let none = smallest_fleet(
            &target,
            1,
            3,
            |taxis| Ok(Some(interval(1.0 / taxis as f64))),
            &mut tried,
        )
        .unwrap();
        assert_eq!(none, Sizing::NoneMeets);
    }

    #[test]
    fn a_target_met_only_by_small_fleets_is_met_by_the_smallest() {
        // Utilization falls as the fleet grows: 1 taxi meets `>= 0.5`, 30 do not.
        let target: Target = "utilization >= 0.5".parse().unwrap();
        let mut tried = Vec::new();
        let found = smallest_fleet(
            &target,
            1,
            30,
            |taxis| Ok(Some(interval(1.0 / taxis as f64))),
            &mut tried,
        )
        .unwrap();
        assert!(matches!(found, Sizing::Found(found) if found.taxis == 1));
    }

    #[test]
    fn an_interrupted_search_says_so() {
        let target: Target = "m <= 0.3".parse().unwrap();
        let mut tried = Vec::new();
        let found = smallest_fleet(&target, 1, 9, |_| Ok(None), &mut tried).unwrap();
        assert_eq!(found, Sizing::Interrupted);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    /// An interval from 0.4 to 0.6.
    fn around_a_half() -> Interval {
        Interval {
            mean: 0.5,
            low: 0.4,
            high: 0.6,
            std_dev: 0.1,
            count: 5,
        }
    }

    fn met(target: &str) -> bool {
        target.parse::<Target>().unwrap().met_by(&around_a_half())
    }

    #[test]
    fn an_end_exactly_at_the_value_meets_only_the_target_that_allows_equality() {
        assert!(met("m <= 0.6"));
        assert!(!met("m < 0.6"));
        assert!(met("m >= 0.4"));
        assert!(!met("m > 0.4"));
        // Strictly inside or outside, by the right end.
        assert!(met("m < 0.61") && !met("m < 0.5") && !met("m < 0.3"));
        assert!(met("m > 0.39") && !met("m > 0.5") && !met("m > 0.7"));
        assert!(!met("m <= 0.5") && !met("m >= 0.5"));
        assert!(!met("m >= 0.7") && met("m >= 0.3"));
    }

    #[test]
    fn the_bisection_tries_the_fleets_of_its_halvings_and_no_others() {
        // 1 / taxis: 6 taxis meet `<= 0.18` (0.177 with the interval's
        // 0.01), 5 do not (0.21). By hand: 20 meets; [1, 20] halves at 10
        // (meets) and 5 (fails); then [6, 10] at 8, [6, 8] at 7, [6, 7] at 6.
        let target: Target = "m <= 0.18".parse().unwrap();
        let mut tried = Vec::new();
        let found = smallest_fleet(
            &target,
            1,
            20,
            |taxis| {
                Ok(Some(Interval {
                    mean: 1.0 / taxis as f64,
                    low: 1.0 / taxis as f64 - 0.01,
                    high: 1.0 / taxis as f64 + 0.01,
                    std_dev: 0.01,
                    count: 10,
                }))
            },
            &mut tried,
        )
        .unwrap();
        assert!(matches!(found, Sizing::Found(found) if found.taxis == 6));
        let sizes: Vec<u64> = tried.iter().map(|known| known.taxis).collect();
        assert_eq!(sizes, [5, 6, 7, 8, 10, 20]);
    }

    #[test]
    fn a_target_shows_as_measure_op_value() {
        for (text, shown) in [
            ("p_wait<=0.2", "p_wait <= 0.2"),
            ("p_wait<0.2", "p_wait < 0.2"),
            ("trips >= 30", "trips >= 30"),
            ("trips>30.5", "trips > 30.5"),
        ] {
            assert_eq!(text.parse::<Target>().unwrap().to_string(), shown);
        }
    }
}
