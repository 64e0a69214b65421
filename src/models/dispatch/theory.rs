//! Closed forms of queueing theory for the dispatch model at a taxi stand:
//! Poisson requests at rate `lambda`, `servers` taxis, exponential trips at
//! rate `mu` (mean `1 / mu`), exponential patience at rate `theta`.
//!
//! - Erlang B (M/M/c/c, and M/G/c/c: blocking is insensitive to the trip law):
//!   the share of riders who find every taxi busy and leave.
//! - Erlang C (M/M/c, patience for ever): P(wait), E\[Wq\], P(W <= t).
//! - Erlang A (M/M/c+M): the exact birth-death chain of the number of riders
//!   in the system, summed until its terms vanish.

/// Erlang B: the blocking probability with offered load `load` (= lambda / mu)
/// and `servers` servers, by the stable recursion
/// `B(k) = a B(k-1) / (k + a B(k-1))`.
pub fn erlang_b(load: f64, servers: u64) -> f64 {
    let mut blocking = 1.0;
    for k in 1..=servers {
        blocking = load * blocking / (k as f64 + load * blocking);
    }
    blocking
}

/// Erlang C: the probability that a rider waits (NaN when `load >= servers`,
/// which has no steady state).
pub fn erlang_c(load: f64, servers: u64) -> f64 {
    let c = servers as f64;
    if load >= c {
        return f64::NAN;
    }
    let blocking = erlang_b(load, servers);
    c * blocking / (c - load * (1.0 - blocking))
}

/// Erlang C: the mean wait in queue, E\[Wq\].
pub fn erlang_c_mean_wait(lambda: f64, mu: f64, servers: u64) -> f64 {
    erlang_c(lambda / mu, servers) / (servers as f64 * mu - lambda)
}

/// Erlang C: P(W <= t), the share of riders picked up within `t`.
pub fn erlang_c_wait_within(lambda: f64, mu: f64, servers: u64, t: f64) -> f64 {
    1.0 - erlang_c(lambda / mu, servers) * (-(servers as f64 * mu - lambda) * t).exp()
}

/// The steady-state measures of M/M/c+M (Erlang A).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// P(a rider finds every taxi busy).
    pub p_wait: f64,
    /// P(a rider abandons).
    pub p_abandon: f64,
    /// Mean time in queue over all riders (until pick-up or abandonment).
    pub mean_queue_time: f64,
    /// Mean share of busy taxis.
    pub utilization: f64,
}

/// Erlang A by the exact birth-death chain: births at `lambda`, deaths at
/// `min(n, c) mu + max(n - c, 0) theta` (`theta > 0`). By PASTA, an arriving
/// rider sees the stationary distribution: P(wait) = P(N >= c); the queue's
/// mean length L_q gives P(abandon) = theta L_q / lambda and
/// E\[Wq\] = L_q / lambda (Little's law). The sum stops past `servers` once
/// the terms fall and one is below 1e-18 of the total, so each measure is
/// exact to about 1e-18 (absolutely, not relatively).
pub fn erlang_a(lambda: f64, mu: f64, theta: f64, servers: u64) -> ErlangA {
    assert!(theta > 0.0, "Erlang A needs a finite mean patience");
    let c = servers as f64;
    // Unnormalized p_n, rescaled when large; sums of p_n, of p_n for n >= c,
    // of (n - c) p_n and of min(n, c) p_n.
    let (mut term, mut total, mut at_least_c, mut queue, mut busy) = (1.0f64, 0.0, 0.0, 0.0, 0.0);
    let mut n: u64 = 0;
    loop {
        let nf = n as f64;
        total += term;
        busy += nf.min(c) * term;
        if n >= servers {
            at_least_c += term;
            queue += (nf - c) * term;
        }
        n += 1;
        let nf = n as f64;
        let death = nf.min(c) * mu + (nf - c).max(0.0) * theta;
        term *= lambda / death;
        if total > 1e250 {
            for value in [
                &mut term,
                &mut total,
                &mut at_least_c,
                &mut queue,
                &mut busy,
            ] {
                *value *= 1e-250;
            }
        }
        if n > servers && death > lambda && term < total * 1e-18 {
            break;
        }
    }
    let queue_length = queue / total;
    let p_abandon = theta * queue_length / lambda;
    let mean_queue_time = queue_length / lambda;
    ErlangA {
        p_wait: at_least_c / total,
        p_abandon,
        mean_queue_time,
        utilization: busy / total / c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, expected: f64, digits: i32) {
        let tolerance = 0.5 * 10f64.powi(-digits);
        assert!((got - expected).abs() <= tolerance, "{got} vs {expected}");
    }

    #[test]
    fn erlang_c_matches_the_published_values() {
        // lambda = 0.4 / min, trips of mean 20, 10 taxis.
        close(erlang_c(8.0, 10), 0.4092, 4);
        close(erlang_c_mean_wait(0.4, 0.05, 10), 4.092, 3);
        close(erlang_c_wait_within(0.4, 0.05, 10, 0.0), 1.0 - 0.4092, 4);
    }

    #[test]
    fn erlang_b_matches_the_published_value() {
        close(erlang_b(8.0, 10), 0.1217, 4);
        assert_eq!(erlang_b(3.0, 0), 1.0);
    }

    #[test]
    fn erlang_a_matches_the_published_value_and_tends_to_erlang_c() {
        let stand = erlang_a(0.4, 0.05, 0.1, 10);
        close(stand.p_abandon, 0.0684, 4);
        // Very patient riders: Erlang C.
        let patient = erlang_a(0.4, 0.05, 1e-7, 10);
        close(patient.p_wait, erlang_c(8.0, 10), 4);
        close(
            patient.mean_queue_time,
            erlang_c_mean_wait(0.4, 0.05, 10),
            3,
        );
        // Throughput balance: served riders keep the taxis busy.
        close(
            stand.utilization,
            0.4 * (1.0 - stand.p_abandon) * 20.0 / 10.0,
            9,
        );
    }

    #[test]
    fn an_overloaded_stand_is_stable_only_through_abandonment() {
        let overloaded = erlang_a(0.7, 0.05, 0.1, 10);
        assert!(overloaded.p_abandon > 1.0 - 10.0 / 14.0);
        close(overloaded.p_wait, 0.7969, 4);
        close(overloaded.p_abandon, 0.3156, 4);
    }
}

#[cfg(test)]
mod bite_tests {
    //! Reference values from an independent computation: the M/M/c+M chain
    //! summed term by term in 60-digit arithmetic (mpmath, 4000 terms, no
    //! rescaling and no stopping rule), and Erlang B and C from their
    //! textbook sums `a^k / k!` in the same arithmetic
    //! (`docs/mutation/erlang-reference.py`).

    use super::*;

    fn near(got: f64, expected: f64, relative: f64) {
        assert!(
            (got - expected).abs() <= relative * expected.abs(),
            "{got} vs {expected}"
        );
    }

    fn near_chain(got: ErlangA, expected: [f64; 4]) {
        near(got.p_wait, expected[0], 1e-9);
        near(got.p_abandon, expected[1], 1e-9);
        near(got.mean_queue_time, expected[2], 1e-9);
        near(got.utilization, expected[3], 1e-9);
    }

    #[test]
    fn erlang_b_of_one_and_of_two_taxis_is_the_textbook_fraction() {
        for load in [0.5, 2.0, 7.0] {
            near(erlang_b(load, 1), load / (1.0 + load), 1e-15);
            let squared = load * load / 2.0;
            near(erlang_b(load, 2), squared / (1.0 + load + squared), 1e-15);
        }
        near(erlang_b(1000.0, 1000), 0.02481191764616041, 1e-12);
    }

    #[test]
    fn a_load_at_or_above_the_fleet_has_no_erlang_c() {
        assert!(erlang_c(10.0, 10).is_nan());
        assert!(erlang_c(12.0, 10).is_nan());
        assert!(erlang_c_mean_wait(0.5, 0.05, 10).is_nan());
        near(erlang_c(990.0, 1000), 0.6590804218808545, 1e-12);
    }

    #[test]
    fn the_share_picked_up_within_t_grows_at_the_fleets_spare_rate() {
        // 10 taxis serve 0.5 riders a minute, 0.4 come: spare rate 0.1.
        near(
            erlang_c_wait_within(0.4, 0.05, 10, 5.0),
            0.7518196931961183,
            1e-12,
        );
        near(
            erlang_c_wait_within(0.4, 0.05, 10, 20.0),
            0.9446234883971634,
            1e-12,
        );
        near(erlang_c_mean_wait(0.4, 0.05, 10), 4.091801507964435, 1e-12);
    }

    #[test]
    fn a_two_taxi_stand_with_impatient_riders_matches_the_chain() {
        near_chain(
            erlang_a(3.0, 1.0, 0.5, 2),
            [
                0.8770582477521778,
                0.38455906343659263,
                0.7691181268731853,
                0.9231614048451111,
            ],
        );
        near_chain(
            erlang_a(0.4, 0.05, 0.1, 10),
            [
                0.2475191896670825,
                0.06840535289533901,
                0.68405352895339,
                0.7452757176837288,
            ],
        );
    }

    #[test]
    fn a_thousand_taxis_overflow_no_sum() {
        // The chain's terms reach about 10^434, beyond any double.
        near_chain(
            erlang_a(1000.0, 1.0, 1.0, 1000),
            [
                0.5042052441802155,
                0.0126146113487215,
                0.0126146113487215,
                0.9873853886512785,
            ],
        );
    }

    #[test]
    fn a_nearly_idle_stand_keeps_its_tiny_chance_to_wait_to_nine_digits() {
        near(erlang_c(0.001, 10), 2.7532528931722955e-37, 1e-9);
        near(erlang_b(0.001, 10), 2.7529775678829786e-37, 1e-9);
        near(erlang_a(0.001, 1.0, 1.0, 10).utilization, 0.0001, 1e-9);
    }
}
