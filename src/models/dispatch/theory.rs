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
/// E\[Wq\] = L_q / lambda (Little's law).
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
