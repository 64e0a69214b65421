//! Statistics for replications: a running mean and variance (Welford's
//! method, stable for long runs), a time-weighted mean, and Student-t
//! confidence intervals from independent replications.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Running count, mean and variance of a series of values (Welford).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    count: u64,
    mean: f64,
    /// Sum of squared deviations from the mean.
    m2: f64,
}

impl Running {
    /// An empty series.
    pub const fn new() -> Self {
        Self {
            count: 0,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Adds a value.
    pub fn push(&mut self, value: f64) {
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// How many values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Their mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// The sample variance, with `n - 1` (NaN below two values).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else {
            self.m2 / (self.count - 1) as f64
        }
    }

    /// The sample standard deviation.
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }
}

impl FromIterator<f64> for Running {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        let mut running = Running::new();
        values.into_iter().for_each(|value| running.push(value));
        running
    }
}

/// The mean of a quantity that holds its value between changes, weighted by
/// how long it held it (a queue length, a number of busy taxis).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeWeighted {
    since: f64,
    value: f64,
    area: f64,
    start: f64,
}

impl TimeWeighted {
    /// Starts at time `start` with `value`.
    pub fn new(start: f64, value: f64) -> Self {
        Self {
            since: start,
            value,
            area: 0.0,
            start,
        }
    }

    /// The quantity changes to `value` at time `now` (not before the last change).
    pub fn set(&mut self, now: f64, value: f64) {
        self.area += self.value * (now - self.since);
        self.since = now;
        self.value = value;
    }

    /// The integral of the quantity from the start to `now`.
    pub fn area(&self, now: f64) -> f64 {
        self.area + self.value * (now - self.since)
    }

    /// The time-weighted mean from the start to `now` (NaN for an empty span).
    pub fn mean(&self, now: f64) -> f64 {
        let span = now - self.start;
        if span > 0.0 {
            self.area(now) / span
        } else {
            f64::NAN
        }
    }
}

/// A two-sided Student-t confidence interval for a mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The sample mean.
    pub mean: f64,
    /// The lower end.
    pub low: f64,
    /// The upper end.
    pub high: f64,
    /// The sample standard deviation.
    pub std_dev: f64,
    /// How many values.
    pub count: u64,
}

impl Interval {
    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }

    /// Whether `value` lies inside (ends included).
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// The `confidence` (in (0, 1)) Student-t interval of the mean of `values`,
/// each from an independent replication. With fewer than two values, or
/// values that are not all finite, the ends are NaN. Identical values give
/// an interval of width zero.
pub fn t_interval(values: &[f64], confidence: f64) -> Interval {
    let running: Running = values.iter().copied().collect();
    let mean = running.mean();
    let std_dev = running.std_dev();
    let count = running.count();
    let half = t_quantile(confidence, count) * std_dev / (count as f64).sqrt();
    Interval {
        mean,
        low: mean - half,
        high: mean + half,
        std_dev,
        count,
    }
}

/// The two-sided `confidence` quantile of Student's t with `count - 1`
/// degrees of freedom (NaN below two values or outside (0, 1)).
pub fn t_quantile(confidence: f64, count: u64) -> f64 {
    if count < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, (count - 1) as f64) {
        Ok(t) => t.inverse_cdf(0.5 + confidence / 2.0),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_mean_and_variance_match_the_two_pass_formulas() {
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let running: Running = values.iter().copied().collect();
        assert_eq!(running.count(), 8);
        assert!((running.mean() - 5.0).abs() < 1e-12);
        // Sum of squared deviations 32, over n - 1 = 7.
        assert!((running.variance() - 32.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn the_running_variance_is_stable_far_from_zero() {
        let running: Running = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]
            .into_iter()
            .collect();
        assert!((running.variance() - 30.0).abs() < 1e-6);
    }

    #[test]
    fn too_few_values_have_no_variance_or_interval() {
        assert!(Running::new().mean().is_nan());
        let one: Running = [3.0].into_iter().collect();
        assert!(one.variance().is_nan());
        assert!(t_interval(&[3.0], 0.95).low.is_nan());
    }

    #[test]
    fn t_quantiles_match_published_tables() {
        // Two-sided 95%: 12.706 (1 df), 2.262 (9 df), 2.045 (29 df); 99%: 3.250 (9 df).
        assert!((t_quantile(0.95, 2) - 12.7062).abs() < 1e-3);
        assert!((t_quantile(0.95, 10) - 2.2622).abs() < 1e-3);
        assert!((t_quantile(0.95, 30) - 2.0452).abs() < 1e-3);
        assert!((t_quantile(0.99, 10) - 3.2498).abs() < 1e-3);
        assert!(t_quantile(1.0, 10).is_nan());
        assert!(t_quantile(0.0, 10).is_nan());
    }

    #[test]
    fn an_interval_is_the_mean_plus_or_minus_t_times_the_standard_error() {
        let values = [10.0, 12.0, 14.0, 16.0, 18.0];
        let interval = t_interval(&values, 0.95);
        let std_error = (10.0f64).sqrt() / (5.0f64).sqrt();
        assert!((interval.mean - 14.0).abs() < 1e-12);
        assert!((interval.half_width() - 2.7764 * std_error).abs() < 1e-3);
        assert!(interval.contains(14.0) && !interval.contains(20.0));
    }

    #[test]
    fn a_time_weighted_mean_weights_each_value_by_how_long_it_held() {
        let mut queue = TimeWeighted::new(10.0, 0.0);
        queue.set(12.0, 3.0); // 0 for 2 minutes
        queue.set(16.0, 1.0); // 3 for 4 minutes
        // then 1 for 4 minutes: (0*2 + 3*4 + 1*4) / 10
        assert!((queue.mean(20.0) - 1.6).abs() < 1e-12);
    }
}

#[cfg(test)]
mod bite_tests {
    //! What the mutation run of this file showed the tests above left open.
    use super::*;

    #[test]
    fn an_empty_series_has_no_variance() {
        assert!(Running::new().variance().is_nan());
        assert!(Running::new().std_dev().is_nan());
    }

    #[test]
    fn two_values_are_enough_for_a_variance() {
        // Deviations from the mean 4 are -1 and 1: squares sum to 2, over n - 1 = 1.
        let two: Running = [3.0, 5.0].into_iter().collect();
        assert_eq!(two.variance(), 2.0);
        assert_eq!(t_interval(&[3.0, 5.0], 0.95).std_dev, 2.0_f64.sqrt());
    }
}
