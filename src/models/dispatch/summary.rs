//! The measures of a dispatch run, kept as streaming tallies: memory does not
//! grow with the number of passengers.
//!
//! Wait percentiles come from a log-bucketed histogram ([`WaitHistogram`]):
//! a wait of exactly zero is counted exactly; a wait `w` above
//! [`WaitHistogram::SMALLEST`] minutes is reported within a relative error
//! of [`WaitHistogram::RELATIVE_ERROR`] (0.5%) of the true order statistic;
//! waits in `(0, SMALLEST]` are reported as `SMALLEST`.

use serde::Serialize;

/// A histogram of waits with buckets of geometrically growing width.
#[derive(Debug, Clone, Default)]
pub struct WaitHistogram {
    zeros: u64,
    buckets: Vec<u64>,
    count: u64,
}

impl WaitHistogram {
    /// Bound of the relative error of a reported percentile.
    pub const RELATIVE_ERROR: f64 = 0.005;
    /// Waits at or below this many minutes (but above 0) share one bucket.
    pub const SMALLEST: f64 = 1e-6;
    const MAX_BUCKETS: usize = 1 << 15;

    fn gamma() -> f64 {
        (1.0 + Self::RELATIVE_ERROR) / (1.0 - Self::RELATIVE_ERROR)
    }

    /// Counts a wait (>= 0).
    #[inline]
    pub fn record(&mut self, wait: f64) {
        self.count += 1;
        if wait <= 0.0 {
            self.zeros += 1;
            return;
        }
        // Bucket i > 0 holds (SMALLEST * gamma^(i-1), SMALLEST * gamma^i].
        let index = if wait <= Self::SMALLEST {
            0
        } else {
            ((wait / Self::SMALLEST).ln() / Self::gamma().ln()).ceil() as usize
        }
        .min(Self::MAX_BUCKETS - 1);
        if index >= self.buckets.len() {
            self.buckets.resize(index + 1, 0);
        }
        self.buckets[index] += 1;
    }

    /// Waits counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q`-quantile (0 < q <= 1): an estimate of the order statistic of
    /// rank `ceil(q * n)`; NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (index, &count) in self.buckets.iter().enumerate() {
            seen += count;
            if seen >= rank {
                if index == 0 {
                    return Self::SMALLEST;
                }
                let gamma = Self::gamma();
                // The point of the bucket closest, relatively, to both ends.
                return 2.0 * Self::SMALLEST * gamma.powi(index as i32) / (gamma + 1.0);
            }
        }
        unreachable!("the buckets hold every positive wait")
    }
}

/// Tallies of the passengers who request in `[warm_up, end_time)`, and of
/// the fleet's occupied time.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Measured requests.
    pub requests: u64,
    /// Measured passengers picked up.
    pub served: u64,
    /// Measured passengers who gave up.
    pub abandoned: u64,
    /// Measured resolved passengers who found no idle taxi.
    pub waited: u64,
    /// Measured resolved passengers picked up within the service level.
    pub within_service_level: u64,
    /// Sum of served passengers' waits.
    pub wait_sum: f64,
    /// Sum over resolved passengers of the time until pick-up or abandonment.
    pub queue_time_sum: f64,
    /// Waits of served passengers.
    pub waits: WaitHistogram,
    /// Occupied taxi-minutes within `[warm_up, end)`, of finished trips.
    pub occupied_minutes: f64,
    /// Drop-offs (all, not only of measured passengers).
    pub trips: u64,
}

/// The passengers' measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PassengerSummary {
    /// Measured passengers (requests in `[warm_up, end_time)`).
    pub requests: u64,
    /// Picked up.
    pub served: u64,
    /// Gave up.
    pub abandoned: u64,
    /// Still waiting at the end.
    pub unresolved: u64,
    /// Share of resolved passengers who found no idle taxi.
    pub p_wait: f64,
    /// Abandoned / resolved.
    pub p_abandon: f64,
    /// Mean wait of served passengers, minutes.
    pub wait_mean: f64,
    /// Median wait of served passengers (histogram estimate).
    pub wait_p50: f64,
    /// 90th percentile.
    pub wait_p90: f64,
    /// 99th percentile.
    pub wait_p99: f64,
    /// Mean over resolved passengers of the time until pick-up or abandonment.
    pub queue_time_mean: f64,
    /// Share of resolved passengers picked up within `service_level_minutes`.
    pub service_level: f64,
}

/// The fleet's measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FleetSummary {
    /// Taxis.
    pub taxis: u64,
    /// Occupied / on-duty taxi-minutes within `[warm_up, end]`.
    pub utilization: f64,
    /// Occupied taxi-minutes within `[warm_up, end]`.
    pub occupied_minutes: f64,
    /// On-duty taxi-minutes within `[warm_up, end]`.
    pub on_duty_minutes: f64,
    /// Passengers dropped off in the whole run.
    pub trips: u64,
}

/// The names of the measures of a dispatch run, in the order
/// [`DispatchSummary::measures`] gives them.
pub const MEASURE_NAMES: [&str; 13] = [
    "requests",
    "served",
    "abandoned",
    "unresolved",
    "p_wait",
    "p_abandon",
    "wait_mean",
    "wait_p50",
    "wait_p90",
    "wait_p99",
    "queue_time_mean",
    "service_level",
    "fleet.utilization",
];

/// The statistics of a dispatch run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DispatchSummary {
    /// Simulated minutes at the end.
    pub sim_time: f64,
    /// Passengers.
    pub passengers: PassengerSummary,
    /// Fleet.
    pub fleet: FleetSummary,
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { f64::NAN }
}

impl DispatchSummary {
    /// The summary from the tallies and the fleet's time.
    pub fn new(tally: &Tally, taxis: u64, occupied: f64, on_duty: f64, sim_time: f64) -> Self {
        let resolved = (tally.served + tally.abandoned) as f64;
        Self {
            sim_time,
            passengers: PassengerSummary {
                requests: tally.requests,
                served: tally.served,
                abandoned: tally.abandoned,
                unresolved: tally.requests - tally.served - tally.abandoned,
                p_wait: ratio(tally.waited as f64, resolved),
                p_abandon: ratio(tally.abandoned as f64, resolved),
                wait_mean: ratio(tally.wait_sum, tally.served as f64),
                wait_p50: tally.waits.quantile(0.5),
                wait_p90: tally.waits.quantile(0.9),
                wait_p99: tally.waits.quantile(0.99),
                queue_time_mean: ratio(tally.queue_time_sum, resolved),
                service_level: ratio(tally.within_service_level as f64, resolved),
            },
            fleet: FleetSummary {
                taxis,
                utilization: ratio(occupied, on_duty),
                occupied_minutes: occupied,
                on_duty_minutes: on_duty,
                trips: tally.trips,
            },
        }
    }

    /// Every numeric measure, in a fixed order (NaN where undefined).
    /// The names of [`DispatchSummary::measures`], in order.
    pub fn measure_names() -> Vec<&'static str> {
        MEASURE_NAMES.to_vec()
    }

    /// Every numeric measure, named as in [`MEASURE_NAMES`].
    pub fn measures(&self) -> Vec<(&'static str, f64)> {
        let p = &self.passengers;
        vec![
            ("requests", p.requests as f64),
            ("served", p.served as f64),
            ("abandoned", p.abandoned as f64),
            ("unresolved", p.unresolved as f64),
            ("p_wait", p.p_wait),
            ("p_abandon", p.p_abandon),
            ("wait_mean", p.wait_mean),
            ("wait_p50", p.wait_p50),
            ("wait_p90", p.wait_p90),
            ("wait_p99", p.wait_p99),
            ("queue_time_mean", p.queue_time_mean),
            ("service_level", p.service_level),
            ("fleet.utilization", self.fleet.utilization),
        ]
    }

    /// Two lines for a person, printed on stderr after a run.
    pub fn short(&self) -> String {
        let p = &self.passengers;
        let percent = |share: f64| {
            if share.is_nan() {
                "-".to_string()
            } else {
                format!("{:.1}%", share * 100.0)
            }
        };
        let wait = |minutes: f64, unit: &str| {
            if minutes.is_nan() {
                "-".to_string()
            } else {
                format!("{minutes:.2}{unit}")
            }
        };
        format!(
            "summary: {}, {} measured: {} served, {} abandoned, {} unresolved by time {}\n\
             summary: P(wait) {}, P(abandon) {}, mean wait {} (p90 {}), service level {}, utilization {}",
            crate::stdio::counted(self.fleet.taxis, "taxi"),
            crate::stdio::counted(p.requests, "request"),
            p.served,
            p.abandoned,
            p.unresolved,
            crate::stdio::readable(self.sim_time),
            percent(p.p_wait),
            percent(p.p_abandon),
            wait(p.wait_mean, " min"),
            wait(p.wait_p90, ""),
            percent(p.service_level),
            percent(self.fleet.utilization),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn histogram_quantiles_are_within_the_stated_relative_error(
            waits in proptest::collection::vec(prop_oneof![Just(0.0), 1e-5f64..1e5], 1..400),
            q in 0.01f64..1.0,
        ) {
            let mut histogram = WaitHistogram::default();
            waits.iter().for_each(|&wait| histogram.record(wait));
            let mut sorted = waits.clone();
            sorted.sort_by(f64::total_cmp);
            let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            let exact = sorted[rank - 1];
            let estimate = histogram.quantile(q);
            prop_assert!(
                (estimate - exact).abs() <= WaitHistogram::RELATIVE_ERROR * exact * (1.0 + 1e-9),
                "q {} exact {} estimate {}", q, exact, estimate
            );
        }
    }

    #[test]
    fn an_empty_histogram_has_no_quantile() {
        assert!(WaitHistogram::default().quantile(0.5).is_nan());
    }
}
