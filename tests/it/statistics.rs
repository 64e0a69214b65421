//! The laws durations are drawn from, measured: the truncated normal's
//! redraw gives the truncated law (not a bound), and the CPython generator's
//! exponentials for means too large for a lookup table equal CPython's own.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};
use taxi_sim::distribution::{DurationSpec, TickSampler};
use taxi_sim::rng::{self, CpythonRandom, Exponential, RandomSource};

use crate::output_within;

/// P(ticks = k) for k = 1..=last, then the rest, for a normal with `mean`
/// and `std_dev` conditioned on being >= 0, under `ticks = floor(x) + 1`.
fn truncated_normal_tick_law(mean: f64, std_dev: f64, last: u64) -> Vec<f64> {
    let normal = Normal::new(mean, std_dev).unwrap();
    let kept = 1.0 - normal.cdf(0.0);
    let mut law: Vec<f64> = (1..=last)
        .map(|k| (normal.cdf(k as f64) - normal.cdf(k as f64 - 1.0)) / kept)
        .collect();
    law.push((1.0 - normal.cdf(last as f64)) / kept);
    law
}

/// Pearson's statistic of `counts` against `law`, and its p-value.
fn chi_square(counts: &[u64], law: &[f64]) -> (f64, f64) {
    let n: u64 = counts.iter().sum();
    let statistic: f64 = counts
        .iter()
        .zip(law)
        .map(|(&count, &p)| {
            let expected = p * n as f64;
            (count as f64 - expected).powi(2) / expected
        })
        .sum();
    let degrees = ChiSquared::new((law.len() - 1) as f64).unwrap();
    (statistic, 1.0 - degrees.cdf(statistic))
}

#[test]
fn the_truncated_normal_follows_the_truncated_law() {
    // A mean of 2 with a deviation of 5: a third of the raw draws are
    // negative, so how they are redrawn shapes the whole law.
    let (mean, std_dev) = (2.0, 5.0);
    let last = 15;
    let law = truncated_normal_tick_law(mean, std_dev, last);
    let expected_mean: f64 = law[..last as usize]
        .iter()
        .enumerate()
        .map(|(index, p)| (index + 1) as f64 * p)
        .sum::<f64>();
    for generator in ["cpython", "pcg64"] {
        let sampler = TickSampler::new(&DurationSpec::Normal { mean, std_dev }, false);
        let n = 200_000;
        let draws: Vec<u64> = match generator {
            "cpython" => {
                let mut source = CpythonRandom::new(11);
                (0..n).map(|_| sampler.ticks(&mut source)).collect()
            }
            _ => {
                let mut source = rng::pcg64(11);
                (0..n).map(|_| sampler.ticks(&mut source)).collect()
            }
        };
        let mut counts = vec![0u64; law.len()];
        for &ticks in &draws {
            assert!(ticks >= 1);
            counts[(ticks.min(last + 1) - 1) as usize] += 1;
        }
        // A correct sampler fails this once in a million seeds.
        let (statistic, p_value) = chi_square(&counts, &law);
        assert!(
            p_value > 1e-6,
            "{generator}: chi-square {statistic:.1} (p = {p_value:e}); counts {counts:?}"
        );
        // The mean of the first `last` buckets, within five standard errors.
        let head: Vec<f64> = draws
            .iter()
            .map(|&ticks| if ticks <= last { ticks as f64 } else { 0.0 })
            .collect();
        let sample_mean = head.iter().sum::<f64>() / n as f64;
        let variance = law[..last as usize]
            .iter()
            .enumerate()
            .map(|(index, p)| ((index + 1) as f64).powi(2) * p)
            .sum::<f64>()
            - expected_mean.powi(2);
        let standard_error = (variance / n as f64).sqrt();
        assert!(
            (sample_mean - expected_mean).abs() < 5.0 * standard_error,
            "{generator}: mean {sample_mean} vs {expected_mean} ± {standard_error}"
        );
    }
}

#[test]
fn the_tick_law_of_an_untruncated_normal_is_not_the_truncated_one() {
    // The check above can tell the laws apart: a normal with its negative
    // draws clamped to one tick fails it.
    let (mean, std_dev) = (2.0, 5.0);
    let law = truncated_normal_tick_law(mean, std_dev, 15);
    let normal = rand_distr::Normal::new(mean, std_dev).unwrap();
    let mut source = rng::pcg64(11);
    let mut counts = vec![0u64; law.len()];
    for _ in 0..200_000 {
        let ticks = rng::whole_ticks(rand_distr::Distribution::sample(&normal, &mut source));
        counts[(ticks.min(16) - 1) as usize] += 1;
    }
    assert!(chi_square(&counts, &law).1 < 1e-6);
}

/// `floor(random.Random(seed).expovariate(1 / mean)) + 1`, six times, as
/// CPython 3.11 computes it:
///   python3 -c "import random; r = random.Random(SEED);
///               print([int(r.expovariate(1 / MEAN)) + 1 for _ in range(6)])"
const CPYTHON_TICKS: &[(u64, f64, [u64; 6])] = &[
    (3, 1000.0, [272, 786, 462, 927, 983, 68]),
    (3, 12345.6, [3356, 9701, 5704, 11434, 12133, 837]),
    (3, 1e6, [271763, 785766, 461965, 926140, 982752, 67775]),
    (
        3,
        1e12,
        [
            271762303234,
            785765282910,
            461964297920,
            926139165375,
            982751911090,
            67774534575,
        ],
    ),
    (1099511627781, 1000.0, [702, 313, 2601, 758, 1704, 1545]),
    (
        1099511627781,
        1e6,
        [701947, 312801, 2600810, 757066, 1703553, 1544740],
    ),
];

fn taxi_sim_ticks(seed: u64, mean: f64, count: usize) -> Vec<u64> {
    let exponential = Exponential::new(mean, true);
    let mut source = CpythonRandom::new(seed);
    (0..count)
        .map(|_| source.exponential_ticks(&exponential))
        .collect()
}

#[test]
fn exponentials_too_long_for_a_lookup_table_equal_cpythons() {
    for (seed, mean, expected) in CPYTHON_TICKS {
        assert!(
            rng::StepTable::new(1.0 / mean).is_none(),
            "mean {mean} is past the lookup tables"
        );
        assert_eq!(
            taxi_sim_ticks(*seed, *mean, 6),
            expected,
            "seed {seed}, mean {mean}"
        );
    }
}

#[test]
fn exponentials_too_long_for_a_lookup_table_equal_what_python3_computes_now() {
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|directory| directory.join("python3").is_file())
    });
    if !on_path {
        // Without python3 the recorded values of the test above still apply.
        return;
    }
    let cases = [(0u64, 900.0), (5, 4321.5), (18446744073709551615, 7.5e8)];
    for (seed, mean) in cases {
        let program = format!(
            "import random\nr = random.Random({seed})\n\
             print(' '.join(str(int(r.expovariate(1 / {mean:?})) + 1) for _ in range(2000)))"
        );
        let output = output_within(std::process::Command::new("python3").args(["-c", &program]));
        assert!(output.status.success());
        let expected: Vec<u64> = String::from_utf8(output.stdout)
            .unwrap()
            .split_whitespace()
            .map(|word| word.parse().unwrap())
            .collect();
        assert_eq!(expected.len(), 2000);
        assert_eq!(
            taxi_sim_ticks(seed, mean, 2000),
            expected,
            "seed {seed}, mean {mean}"
        );
    }
}
