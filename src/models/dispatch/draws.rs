//! Exact real-valued draws (no rounding to ticks) and the model's separate
//! random streams.
//!
//! Each purpose (arrivals, trips, patience) has its own generator, seeded
//! from the run's seed and the purpose by [`stream_seed`]. Passenger `k`
//! always takes the `k`-th trip and patience draw, whether or not a taxi was
//! free, so two runs with the same seed and different fleets see the same
//! riders (common random numbers for sweeps).

use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Normal, Uniform};
use rand_pcg::Pcg64;

use crate::distribution::DurationSpec;
use crate::rng::{CpythonRandom, RandomSource, pcg64};

/// What a stream is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Times between requests.
    Arrivals = 1,
    /// Trip durations.
    Trips = 2,
    /// Patience.
    Patience = 3,
}

/// The seed of `stream` in a run with `seed`: SplitMix64's finalizer of the
/// seed offset by the stream's number times the golden ratio, so that
/// nearby seeds and streams give unrelated generators.
pub fn stream_seed(seed: u64, stream: Stream) -> u64 {
    let mut z = seed.wrapping_add((stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A generator that draws exact exponentials its own way.
pub trait Draws: RandomSource + Sized {
    /// The generator of `stream` for `seed`.
    fn for_stream(seed: u64, stream: Stream) -> Self;
    /// An exponential of rate `rate`.
    fn exponential(&mut self, rate: f64) -> f64;
}

impl Draws for CpythonRandom {
    fn for_stream(seed: u64, stream: Stream) -> Self {
        CpythonRandom::new(stream_seed(seed, stream))
    }

    #[inline]
    fn exponential(&mut self, rate: f64) -> f64 {
        // CPython's own `random.expovariate(rate)`.
        self.expovariate(rate)
    }
}

impl Draws for Pcg64 {
    fn for_stream(seed: u64, stream: Stream) -> Self {
        pcg64(stream_seed(seed, stream))
    }

    #[inline]
    fn exponential(&mut self, rate: f64) -> f64 {
        let unit: f64 = Exp1.sample(self);
        unit / rate
    }
}

/// A validated duration, drawn as a real number of minutes.
#[derive(Debug, Clone)]
pub enum RealSampler {
    /// Exponential with this rate (1 / mean).
    Exponential(f64),
    /// Always this value.
    Constant(f64),
    /// Uniform.
    Uniform(Uniform<f64>),
    /// Normal truncated at zero.
    Normal(Normal<f64>),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Gamma.
    Gamma(Gamma<f64>),
}

impl RealSampler {
    /// The sampler of a validated spec.
    pub fn new(spec: &DurationSpec) -> Self {
        const VALIDATED: &str = "duration parameters are validated before sampling";
        match *spec {
            DurationSpec::Exponential { mean } => RealSampler::Exponential(1.0 / mean),
            DurationSpec::Constant { value } => RealSampler::Constant(value),
            DurationSpec::Uniform { min, max } => {
                RealSampler::Uniform(Uniform::new(min, max).expect(VALIDATED))
            }
            DurationSpec::Normal { mean, std_dev } => {
                RealSampler::Normal(Normal::new(mean, std_dev).expect(VALIDATED))
            }
            DurationSpec::LogNormal { mu, sigma } => {
                RealSampler::LogNormal(LogNormal::new(mu, sigma).expect(VALIDATED))
            }
            DurationSpec::Gamma { shape, scale } => {
                RealSampler::Gamma(Gamma::new(shape, scale).expect(VALIDATED))
            }
        }
    }

    /// Draws a duration in minutes (>= 0).
    #[inline]
    pub fn draw<R: Draws>(&self, rng: &mut R) -> f64 {
        match self {
            RealSampler::Exponential(rate) => rng.exponential(*rate),
            RealSampler::Constant(value) => *value,
            RealSampler::Uniform(uniform) => uniform.sample(rng),
            RealSampler::Normal(normal) => loop {
                // Mean >= 0, so at least half the draws are accepted.
                let x = normal.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            RealSampler::LogNormal(log_normal) => log_normal.sample(rng),
            RealSampler::Gamma(gamma) => gamma.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of<R: Draws>(spec: DurationSpec) -> f64 {
        let sampler = RealSampler::new(&spec);
        let mut rng = R::for_stream(5, Stream::Trips);
        let n = 200_000;
        (0..n).map(|_| sampler.draw(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn real_draws_have_the_spec_mean_with_no_half_tick() {
        let specs = [
            DurationSpec::Exponential { mean: 20.0 },
            DurationSpec::Uniform {
                min: 2.0,
                max: 10.0,
            },
            DurationSpec::Gamma {
                shape: 2.0,
                scale: 4.0,
            },
            DurationSpec::LogNormal {
                mu: 2.0,
                sigma: 0.5,
            },
        ];
        for spec in specs {
            for got in [mean_of::<Pcg64>(spec), mean_of::<CpythonRandom>(spec)] {
                assert!(
                    (got - spec.mean()).abs() < 0.01 * spec.mean(),
                    "{spec:?}: {got}"
                );
            }
        }
    }

    #[test]
    fn a_normal_duration_is_truncated_at_zero_by_drawing_again() {
        // Normal(1, 2) truncated at 0: mean 1 + 2 phi(-1/2) / (1 - Phi(-1/2))
        // = 2.018321 (standard error 0.0031 over 200,000 draws).
        let spec = DurationSpec::Normal {
            mean: 1.0,
            std_dev: 2.0,
        };
        let sampler = RealSampler::new(&spec);
        let mut rng = Pcg64::for_stream(5, Stream::Trips);
        let draws: Vec<f64> = (0..1000).map(|_| sampler.draw(&mut rng)).collect();
        assert!(draws.iter().all(|&x| x >= 0.0), "{draws:?}");
        for got in [mean_of::<Pcg64>(spec), mean_of::<CpythonRandom>(spec)] {
            assert!((got - 2.018321).abs() < 0.02, "{got}");
        }
    }

    #[test]
    fn a_streams_seed_is_splitmix64s_output_at_the_streams_number() {
        // SplitMix64 seeded with 0 gives 0xe220a8397b1dcdaf,
        // 0x6e789e6aa1b965f4, 0x06c45d188009454f first (its published
        // reference outputs): its n-th output is the finalizer of n times
        // the golden ratio, which is a stream's seed for seed 0.
        let streams = [Stream::Arrivals, Stream::Trips, Stream::Patience];
        assert_eq!(
            streams.map(|stream| stream_seed(0, stream)),
            [0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f]
        );
        // The seed offsets the state, with wrapping (from a reference in
        // Python).
        assert_eq!(
            streams.map(|stream| stream_seed(1, stream)),
            [0x910a2dec89025cc1, 0xbeeb8da1658eec67, 0xf893a2eefb32555e]
        );
    }

    #[test]
    fn streams_of_one_seed_differ_and_are_reproducible() {
        let seeds = [Stream::Arrivals, Stream::Trips, Stream::Patience].map(|s| stream_seed(7, s));
        assert_ne!(seeds[0], seeds[1]);
        assert_ne!(seeds[1], seeds[2]);
        assert_eq!(stream_seed(7, Stream::Trips), seeds[1]);
    }
}
