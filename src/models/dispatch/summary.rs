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

#[cfg(test)]
mod bite_tests {
    use super::*;

    /// 12 measured requests: 6 served (waits 0, 0, 0, 1, 2 and 9 minutes),
    /// 2 abandoned after 3 and 5 minutes, 4 still waiting; 4 taxis busy 30
    /// of their 120 on-duty minutes.
    fn stand() -> DispatchSummary {
        let mut tally = Tally {
            requests: 12,
            served: 6,
            abandoned: 2,
            waited: 5,
            within_service_level: 5,
            wait_sum: 12.0,
            queue_time_sum: 20.0,
            trips: 7,
            ..Tally::default()
        };
        for wait in [0.0, 0.0, 0.0, 1.0, 2.0, 9.0] {
            tally.waits.record(wait);
        }
        DispatchSummary::new(&tally, 4, 30.0, 120.0, 480.0)
    }

    fn within_relative_error(estimate: f64, exact: f64) -> bool {
        (estimate - exact).abs() <= WaitHistogram::RELATIVE_ERROR * exact
    }

    #[test]
    fn each_share_is_its_tally_over_the_passengers_it_is_a_share_of() {
        let summary = stand();
        let passengers = summary.passengers;
        assert_eq!(passengers.unresolved, 4);
        // Shares of the 8 resolved passengers; the mean wait over the 6 served.
        assert_eq!(passengers.p_wait, 5.0 / 8.0);
        assert_eq!(passengers.p_abandon, 0.25);
        assert_eq!(passengers.service_level, 5.0 / 8.0);
        assert_eq!(passengers.queue_time_mean, 2.5);
        assert_eq!(passengers.wait_mean, 2.0);
        assert_eq!(passengers.wait_p50, 0.0);
        assert!(within_relative_error(passengers.wait_p90, 9.0));
        assert_eq!(summary.fleet.utilization, 0.25);
        assert_eq!(summary.fleet.trips, 7);
    }

    #[test]
    fn a_share_of_nothing_is_undefined_whatever_its_part() {
        assert!(ratio(0.0, 0.0).is_nan());
        assert!(ratio(3.0, 0.0).is_nan());
        let empty = DispatchSummary::new(&Tally::default(), 2, 0.0, 0.0, 10.0);
        let passengers = empty.passengers;
        for share in [
            passengers.p_wait,
            passengers.p_abandon,
            passengers.wait_mean,
            passengers.wait_p90,
            passengers.queue_time_mean,
            passengers.service_level,
            empty.fleet.utilization,
        ] {
            assert!(share.is_nan());
        }
    }

    #[test]
    fn every_measure_is_given_under_its_name_in_the_listed_order() {
        let measures = stand().measures();
        let names: Vec<&str> = measures.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, DispatchSummary::measure_names());
        assert_eq!(names.len(), 13);
        let exact: Vec<(&str, f64)> = measures
            .iter()
            .copied()
            .filter(|(name, _)| !["wait_p90", "wait_p99"].contains(name))
            .collect();
        assert_eq!(
            exact,
            [
                ("requests", 12.0),
                ("served", 6.0),
                ("abandoned", 2.0),
                ("unresolved", 4.0),
                ("p_wait", 0.625),
                ("p_abandon", 0.25),
                ("wait_mean", 2.0),
                ("wait_p50", 0.0),
                ("queue_time_mean", 2.5),
                ("service_level", 0.625),
                ("fleet.utilization", 0.25),
            ]
        );
        for (name, value) in &measures[8..10] {
            assert!(within_relative_error(*value, 9.0), "{name} {value}");
        }
    }

    #[test]
    fn the_two_summary_lines_give_every_number_rounded_and_a_dash_when_undefined() {
        // p90: the histogram's estimate of 9, in the middle of its bucket (8.98, 9.07].
        assert_eq!(
            stand().short(),
            "summary: 4 taxis, 12 requests measured: 6 served, 2 abandoned, 4 unresolved by time 480\n\
             summary: P(wait) 62.5%, P(abandon) 25.0%, mean wait 2.00 min (p90 9.02), \
             service level 62.5%, utilization 25.0%"
        );
        let empty = DispatchSummary::new(&Tally::default(), 1, 0.0, 0.0, 0.5);
        assert_eq!(
            empty.short(),
            "summary: 1 taxi, 0 requests measured: 0 served, 0 abandoned, 0 unresolved by time 0.5\n\
             summary: P(wait) -, P(abandon) -, mean wait - (p90 -), service level -, utilization -"
        );
    }

    #[test]
    fn the_histogram_counts_every_wait_zero_or_not() {
        let mut histogram = WaitHistogram::default();
        assert_eq!(histogram.count(), 0);
        for wait in [0.0, 0.0, 5e-7, 3.0, 1e9] {
            histogram.record(wait);
        }
        assert_eq!(histogram.count(), 5);
    }

    #[test]
    fn a_wait_beyond_the_last_bucket_is_counted_in_it_and_memory_stays_bounded() {
        let mut histogram = WaitHistogram::default();
        histogram.record(1e300);
        assert_eq!(histogram.buckets.len(), 1 << 15);
        // The last bucket, (SMALLEST gamma^32766, SMALLEST gamma^32767].
        let log_gamma = (1.005f64 / 0.995).ln();
        let reported = histogram.quantile(1.0).ln() - WaitHistogram::SMALLEST.ln();
        assert!(
            reported > 32766.0 * log_gamma && reported <= 32767.0 * log_gamma,
            "{reported}"
        );
    }
}
