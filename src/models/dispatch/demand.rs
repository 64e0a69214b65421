//! Where requests come from: Poisson arrivals at a constant rate, Poisson
//! arrivals with a piecewise-constant rate repeating every period (drawn by
//! exact inversion of the cumulative rate: one unit exponential per
//! request, spent across the steps), or a file streamed line by line.

use super::draws::Draws;
use super::scenario::{Demand, FileRequest, RateStep, RequestReader};

/// A source of requests, in time order.
pub enum Arrivals {
    /// Constant rate.
    Rate(f64),
    /// Piecewise-constant rate.
    Profile {
        /// The period.
        period: f64,
        /// The steps.
        steps: Vec<RateStep>,
    },
    /// A file.
    File(RequestReader),
}

impl Arrivals {
    /// The source of `demand`.
    pub fn new(demand: &Demand) -> Result<Self, String> {
        Ok(match demand {
            Demand::Rate { rate } => Arrivals::Rate(*rate),
            Demand::Profile { period, profile } => Arrivals::Profile {
                period: *period,
                steps: profile.clone(),
            },
            Demand::File { file } => Arrivals::File(RequestReader::open(file)?),
        })
    }

    /// Whether the requests come from a file (which may list many at one time).
    pub fn is_file(&self) -> bool {
        matches!(self, Arrivals::File(_))
    }

    /// The next request after one at `now`: its time, and its trip if the
    /// source gives it. `None` when the source has no more.
    pub fn next<R: Draws>(&mut self, now: f64, rng: &mut R) -> Result<Option<FileRequest>, String> {
        Ok(match self {
            Arrivals::Rate(rate) => Some(FileRequest {
                time: now + rng.exponential(*rate),
                trip: None,
            }),
            Arrivals::Profile { period, steps } => {
                let budget = rng.exponential(1.0);
                Some(FileRequest {
                    time: spend(now, budget, *period, steps),
                    trip: None,
                })
            }
            Arrivals::File(reader) => reader.next_request()?,
        })
    }
}

/// The requests a period of the profile `steps` brings: its integrated rate.
pub fn requests_per_period(period: f64, steps: &[RateStep]) -> f64 {
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            step.rate * (steps.get(i + 1).map_or(period, |next| next.from) - step.from)
        })
        .sum()
}

/// The time after `now` at which the cumulative rate has grown by `budget`
/// (the inverse of the integrated rate).
fn spend(now: f64, mut budget: f64, period: f64, steps: &[RateStep]) -> f64 {
    let cycle_start = (now / period).floor() * period;
    let mut offset = now - cycle_start;
    // Rounding can leave `now` a hair past the period's end.
    let mut cycle_start = cycle_start;
    if offset >= period {
        cycle_start += period;
        offset = 0.0;
    }
    let mut index = steps
        .iter()
        .rposition(|step| step.from <= offset)
        .unwrap_or(0);
    let per_cycle = requests_per_period(period, steps);
    loop {
        let step = steps[index];
        let end = steps.get(index + 1).map_or(period, |next| next.from);
        let capacity = step.rate * (end - offset);
        if capacity >= budget && step.rate > 0.0 {
            return cycle_start + offset + budget / step.rate;
        }
        budget -= capacity;
        index += 1;
        offset = end;
        if index == steps.len() {
            index = 0;
            offset = 0.0;
            cycle_start += period;
            // Skip whole cycles at once when the budget spans many.
            let cycles = (budget / per_cycle).floor();
            if cycles >= 1.0 {
                cycle_start += cycles * period;
                budget -= cycles * per_cycle;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::dispatch::draws::Stream;
    use rand_pcg::Pcg64;

    #[test]
    fn profile_arrivals_follow_each_steps_rate() {
        let steps = vec![
            RateStep {
                from: 0.0,
                rate: 0.5,
            },
            RateStep {
                from: 60.0,
                rate: 0.0,
            },
            RateStep {
                from: 80.0,
                rate: 2.0,
            },
        ];
        let mut arrivals = Arrivals::Profile {
            period: 100.0,
            steps,
        };
        let mut rng = Pcg64::for_stream(3, Stream::Arrivals);
        let mut counts = [0u64; 3];
        let mut now = 0.0;
        let cycles = 2000.0;
        loop {
            now = arrivals.next(now, &mut rng).unwrap().unwrap().time;
            if now >= cycles * 100.0 {
                break;
            }
            let offset = now % 100.0;
            counts[if offset < 60.0 {
                0
            } else if offset < 80.0 {
                1
            } else {
                2
            }] += 1;
        }
        let per_cycle = counts.map(|count| count as f64 / cycles);
        // Expected 30, 0 and 40 per cycle; 4 standard errors of a Poisson count.
        assert!(
            (per_cycle[0] - 30.0).abs() < 4.0 * (30.0f64 / cycles).sqrt(),
            "{per_cycle:?}"
        );
        assert_eq!(counts[1], 0);
        assert!(
            (per_cycle[2] - 40.0).abs() < 4.0 * (40.0f64 / cycles).sqrt(),
            "{per_cycle:?}"
        );
    }

    #[test]
    fn spending_a_budget_inverts_the_integrated_rate() {
        let steps = [
            RateStep {
                from: 0.0,
                rate: 1.0,
            },
            RateStep {
                from: 10.0,
                rate: 2.0,
            },
        ];
        // 5 units from 0: 5; 15 units: 10 + 5 / 2; from 12.5: 15 units by 20, 10 more by 30.
        assert_eq!(spend(0.0, 5.0, 20.0, &steps), 5.0);
        assert_eq!(spend(0.0, 15.0, 20.0, &steps), 12.5);
        assert_eq!(spend(12.5, 25.0, 20.0, &steps), 30.0);
        assert_eq!(spend(0.0, 95.0, 20.0, &steps), 65.0);
        // A budget spanning a billion periods is spent at once: the first
        // period, 999999999 skipped whole, then 5 units at rate 1.
        assert_eq!(spend(0.0, 3e10 + 5.0, 20.0, &steps), 2e10 + 5.0);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use crate::models::dispatch::draws::Stream;
    use rand_pcg::Pcg64;

    /// Steps of a profile, `(from, rate)`.
    fn steps(list: &[(f64, f64)]) -> Vec<RateStep> {
        list.iter()
            .map(|&(from, rate)| RateStep { from, rate })
            .collect()
    }

    #[test]
    fn constant_rate_arrivals_come_one_exponential_gap_after_another() {
        let mut arrivals = Arrivals::new(&Demand::Rate { rate: 0.25 }).unwrap();
        let mut rng = Pcg64::for_stream(9, Stream::Arrivals);
        // The same stream, drawn directly: each gap is one exponential.
        let mut gaps = Pcg64::for_stream(9, Stream::Arrivals);
        let mut now = 7.0;
        for _ in 0..5 {
            let request = arrivals.next(now, &mut rng).unwrap().unwrap();
            assert_eq!(request.time, now + gaps.exponential(0.25));
            assert_eq!(request.trip, None);
            now = request.time;
        }
    }

    #[test]
    fn a_time_a_hair_past_a_periods_end_by_rounding_starts_the_next_period() {
        // floor(now / period) * period falls a whole period short here, so
        // that `now` seems to lie at the very end of the period before.
        let period: f64 = 12.014030642780533;
        let now: f64 = 11941357.771422353;
        assert!(now - (now / period).floor() * period >= period);
        let steps = steps(&[(0.0, 1.0), (6.0, 2.0)]);
        // At the start of a period: the first step's rate, 3 units in 3 minutes.
        let time = spend(now, 3.0, period, &steps);
        assert!((time - (now + 3.0)).abs() < 1e-6, "{time}");
    }

    #[test]
    fn a_budget_of_zero_in_a_step_without_requests_waits_for_the_next_step_with_some() {
        // CPython's generator draws a unit exponential of exactly 0 once in 2^53.
        let steps = steps(&[(0.0, 1.0), (10.0, 0.0)]);
        assert_eq!(spend(12.0, 0.0, 20.0, &steps), 20.0);
    }
}
