//! Durations of a taxi's phases: how scenarios describe them, and how they
//! are sampled into whole ticks with the book's `floor(x) + 1` rule.

use std::fmt;

use rand_distr::{Distribution, Gamma, LogNormal, Normal, Uniform};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::Tick;
use crate::rng::{Exponential, RandomSource, whole_ticks};

/// A phase's duration: a distribution of real numbers of ticks.
///
/// In a scenario file a bare number means an exponential with that mean, as
/// in the book; a table names the distribution:
/// `{ distribution = "uniform", min = 2, max = 9 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum DurationSpec {
    /// Exponential with this mean (the book's model).
    Exponential {
        /// Mean, > 0.
        mean: f64,
    },
    /// Always this value.
    Constant {
        /// The value, >= 0.
        value: f64,
    },
    /// Uniform on `[min, max)`.
    Uniform {
        /// Lower bound, >= 0.
        min: f64,
        /// Upper bound, > min.
        max: f64,
    },
    /// Normal truncated at zero (negative draws are drawn again).
    Normal {
        /// Mean, >= 0.
        mean: f64,
        /// Standard deviation, >= 0.
        std_dev: f64,
    },
    /// Log-normal: `exp(N(mu, sigma))`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm, >= 0.
        sigma: f64,
    },
    /// Gamma with shape and scale (mean = shape * scale).
    Gamma {
        /// Shape, > 0.
        shape: f64,
        /// Scale, > 0.
        scale: f64,
    },
}

/// Names of the distributions, for messages.
pub const DISTRIBUTION_NAMES: &[&str] = &[
    "exponential",
    "constant",
    "uniform",
    "normal",
    "log_normal",
    "gamma",
];

impl DurationSpec {
    /// The book's exponential with `mean`.
    pub const fn exponential(mean: f64) -> Self {
        DurationSpec::Exponential { mean }
    }

    /// Checks the parameters. The error names the bad parameter
    /// (`mean`, `min`...), its value, and what is allowed.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        fn finite(name: &'static str, value: f64) -> Result<(), (&'static str, String)> {
            if value.is_finite() {
                Ok(())
            } else {
                Err((name, format!("{value} is not a finite number")))
            }
        }
        fn positive(name: &'static str, value: f64) -> Result<(), (&'static str, String)> {
            finite(name, value)?;
            if value > 0.0 {
                Ok(())
            } else {
                Err((name, format!("{value} must be greater than 0")))
            }
        }
        fn non_negative(name: &'static str, value: f64) -> Result<(), (&'static str, String)> {
            finite(name, value)?;
            if value >= 0.0 {
                Ok(())
            } else {
                Err((name, format!("{value} must be 0 or more")))
            }
        }
        match *self {
            DurationSpec::Exponential { mean } => positive("mean", mean),
            DurationSpec::Constant { value } => non_negative("value", value),
            DurationSpec::Uniform { min, max } => {
                non_negative("min", min)?;
                finite("max", max)?;
                if max > min {
                    Ok(())
                } else {
                    Err(("max", format!("{max} must be greater than min ({min})")))
                }
            }
            DurationSpec::Normal { mean, std_dev } => {
                non_negative("mean", mean)?;
                non_negative("std_dev", std_dev)
            }
            DurationSpec::LogNormal { mu, sigma } => {
                finite("mu", mu)?;
                non_negative("sigma", sigma)
            }
            DurationSpec::Gamma { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)
            }
        }
    }

    /// A value that draws exceed only very rarely (about 1 in 10,000 or
    /// less): what the event queue sizes its timing wheel by.
    pub fn rare_bound(&self) -> f64 {
        match *self {
            DurationSpec::Exponential { mean } => 10.0 * mean,
            DurationSpec::Constant { value } => value,
            DurationSpec::Uniform { max, .. } => max,
            DurationSpec::Normal { mean, std_dev } => mean + 5.0 * std_dev,
            DurationSpec::LogNormal { mu, sigma } => (mu + 4.0 * sigma).exp(),
            DurationSpec::Gamma { shape, scale } => (shape + 8.0 * shape.sqrt()) * scale,
        }
    }

    /// The mean of the sampled real value (before the `floor + 1` rule).
    pub fn mean(&self) -> f64 {
        match *self {
            DurationSpec::Exponential { mean } => mean,
            DurationSpec::Constant { value } => value,
            DurationSpec::Uniform { min, max } => (min + max) / 2.0,
            // Not exact for the truncated normal, but close when mean >> std_dev.
            DurationSpec::Normal { mean, .. } => mean,
            DurationSpec::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            DurationSpec::Gamma { shape, scale } => shape * scale,
        }
    }
}

/// Deserializes either a bare number (exponential mean) or a table.
pub(crate) fn deserialize_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DurationSpec, D::Error> {
    struct DurationVisitor;

    impl<'de> Visitor<'de> for DurationVisitor {
        type Value = DurationSpec;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a mean (number) or a table with a `distribution` key")
        }

        fn visit_f64<E: de::Error>(self, mean: f64) -> Result<DurationSpec, E> {
            Ok(DurationSpec::Exponential { mean })
        }

        fn visit_i64<E: de::Error>(self, mean: i64) -> Result<DurationSpec, E> {
            Ok(DurationSpec::Exponential { mean: mean as f64 })
        }

        fn visit_u64<E: de::Error>(self, mean: u64) -> Result<DurationSpec, E> {
            Ok(DurationSpec::Exponential { mean: mean as f64 })
        }

        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<DurationSpec, M::Error> {
            DurationSpec::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_any(DurationVisitor)
}

/// Same, for an optional field.
pub(crate) fn deserialize_optional_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DurationSpec>, D::Error> {
    deserialize_duration(deserializer).map(Some)
}

/// A validated duration, ready to draw whole ticks from.
// A plain one-byte tag: telling the exponential apart is one comparison.
#[derive(Debug, Clone)]
#[repr(u8)]
pub enum TickSampler {
    /// The book's exponential.
    Exponential(Exponential),
    /// Always the same number of ticks.
    Constant(Tick),
    /// Uniform.
    Uniform(Uniform<f64>),
    /// Normal truncated at zero.
    Normal(Normal<f64>),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Gamma.
    Gamma(Gamma<f64>),
}

impl TickSampler {
    /// Builds the sampler of a validated spec; `cpython_tables` builds the
    /// exact lookup tables of the CPython generator.
    pub fn new(spec: &DurationSpec, cpython_tables: bool) -> Self {
        const VALIDATED: &str = "duration parameters are validated before sampling";
        match *spec {
            DurationSpec::Exponential { mean } => {
                TickSampler::Exponential(Exponential::new(mean, cpython_tables))
            }
            DurationSpec::Constant { value } => TickSampler::Constant(whole_ticks(value)),
            DurationSpec::Uniform { min, max } => {
                TickSampler::Uniform(Uniform::new(min, max).expect(VALIDATED))
            }
            DurationSpec::Normal { mean, std_dev } => {
                TickSampler::Normal(Normal::new(mean, std_dev).expect(VALIDATED))
            }
            DurationSpec::LogNormal { mu, sigma } => {
                TickSampler::LogNormal(LogNormal::new(mu, sigma).expect(VALIDATED))
            }
            DurationSpec::Gamma { shape, scale } => {
                TickSampler::Gamma(Gamma::new(shape, scale).expect(VALIDATED))
            }
        }
    }

    /// Draws a duration in whole ticks (at least 1).
    #[inline(always)]
    pub fn ticks<R: RandomSource>(&self, rng: &mut R) -> Tick {
        match self {
            TickSampler::Exponential(exponential) => rng.exponential_ticks(exponential),
            other => other.ticks_slow(rng),
        }
    }

    #[inline(never)]
    fn ticks_slow<R: RandomSource>(&self, rng: &mut R) -> Tick {
        match self {
            TickSampler::Exponential(exponential) => rng.exponential_ticks(exponential),
            TickSampler::Constant(ticks) => *ticks,
            TickSampler::Uniform(uniform) => whole_ticks(uniform.sample(rng)),
            TickSampler::Normal(normal) => loop {
                // Mean >= 0, so at least half the draws are accepted.
                let x = normal.sample(rng);
                if x >= 0.0 {
                    break whole_ticks(x);
                }
            },
            TickSampler::LogNormal(log_normal) => whole_ticks(log_normal.sample(rng)),
            TickSampler::Gamma(gamma) => whole_ticks(gamma.sample(rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::pcg64;

    fn sample_mean(spec: DurationSpec) -> f64 {
        let sampler = TickSampler::new(&spec, false);
        let mut rng = pcg64(1);
        let n = 20_000;
        (0..n).map(|_| sampler.ticks(&mut rng) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn every_distribution_samples_near_its_mean_plus_a_half() {
        // floor(x) + 1 adds about half a tick to a continuous mean.
        let specs = [
            DurationSpec::Uniform {
                min: 2.0,
                max: 10.0,
            },
            DurationSpec::Normal {
                mean: 30.0,
                std_dev: 3.0,
            },
            DurationSpec::LogNormal {
                mu: 2.0,
                sigma: 0.5,
            },
            DurationSpec::Gamma {
                shape: 2.0,
                scale: 4.0,
            },
        ];
        for spec in specs {
            let got = sample_mean(spec);
            let expected = spec.mean() + 0.5;
            assert!(
                (got - expected).abs() < 0.05 * expected,
                "{spec:?}: {got} vs {expected}"
            );
        }
        assert_eq!(sample_mean(DurationSpec::Constant { value: 7.5 }), 8.0);
    }

    #[test]
    fn a_truncated_normal_never_gives_less_than_one_tick() {
        let sampler = TickSampler::new(
            &DurationSpec::Normal {
                mean: 0.0,
                std_dev: 5.0,
            },
            false,
        );
        let mut rng = pcg64(3);
        assert!((0..10_000).all(|_| sampler.ticks(&mut rng) >= 1));
    }

    #[test]
    fn impossible_parameters_are_rejected_with_the_parameter_named() {
        let bad = [
            (DurationSpec::Exponential { mean: 0.0 }, "mean"),
            (DurationSpec::Exponential { mean: f64::NAN }, "mean"),
            (DurationSpec::Uniform { min: 5.0, max: 1.0 }, "max"),
            (
                DurationSpec::Uniform {
                    min: -1.0,
                    max: 1.0,
                },
                "min",
            ),
            (
                DurationSpec::Gamma {
                    shape: 0.0,
                    scale: 1.0,
                },
                "shape",
            ),
            (
                DurationSpec::Normal {
                    mean: 1.0,
                    std_dev: -2.0,
                },
                "std_dev",
            ),
            (
                DurationSpec::LogNormal {
                    mu: f64::INFINITY,
                    sigma: 1.0,
                },
                "mu",
            ),
            (DurationSpec::Constant { value: -3.0 }, "value"),
        ];
        for (spec, field) in bad {
            assert_eq!(spec.validate().unwrap_err().0, field, "{spec:?}");
        }
    }
}
