//! Random sources. `cpython` reproduces CPython's `random` bit for bit (the
//! book's generator); `pcg64` is a fast portable generator sampled with
//! `rand_distr`.

pub mod ahead;
pub mod cpython;
pub mod exp_table;
pub mod mt19937;

use rand_core::SeedableRng;
use rand_distr::Distribution;
use rand_pcg::Pcg64;

pub use cpython::CpythonRandom;
pub use exp_table::StepTable;

use crate::engine::Tick;

/// Which generator a run uses.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// CPython's Mersenne Twister: the book's exact output for the same seed.
    #[default]
    Cpython,
    /// PCG-64 (`rand_pcg`) with `rand_distr` sampling: fast and portable.
    Pcg64,
}

impl RngKind {
    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            RngKind::Cpython => "cpython",
            RngKind::Pcg64 => "pcg64",
        }
    }
}

impl std::fmt::Display for RngKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The book's rule turning a sampled duration into whole ticks: `floor(x) + 1`.
#[inline(always)]
pub fn whole_ticks(x: f64) -> Tick {
    // `as` saturates: negative and NaN give 0, huge values Tick::MAX.
    (x as Tick).saturating_add(1)
}

/// An exponential duration, ready to sample with either generator.
#[derive(Debug, Clone)]
pub struct Exponential {
    lambd: f64,
    /// Exact step table, built only for the CPython generator.
    table: Option<StepTable>,
    exp: rand_distr::Exp<f64>,
}

impl Exponential {
    /// Exponential with `mean` (> 0, finite); `with_table` builds the
    /// CPython lookup table.
    pub fn new(mean: f64, with_table: bool) -> Self {
        // CPython computes lambd = 1 / mean and divides by it.
        let lambd = 1.0 / mean;
        Self {
            lambd,
            table: if with_table {
                StepTable::new(lambd)
            } else {
                None
            },
            exp: rand_distr::Exp::new(lambd).expect("mean validated positive and finite"),
        }
    }

    /// Whole ticks for the CPython draw whose `random()` is `u / 2^53`.
    #[inline(always)]
    pub fn ticks_of_53_bits(&self, u: u64) -> Tick {
        match &self.table {
            Some(table) => table.ticks(u),
            None => exp_table::direct_ticks(cpython::TWO_POW_53 - u, self.lambd),
        }
    }

    /// The longest duration a CPython draw can give: `random()` just
    /// below 1.
    pub fn longest_cpython_ticks(&self) -> Tick {
        self.ticks_of_53_bits(cpython::TWO_POW_53 - 1)
    }
}

/// A generator that can draw the book's exponential durations its own way.
pub trait RandomSource: rand_core::Rng {
    /// Whole ticks of an exponential duration: `floor(x) + 1`.
    fn exponential_ticks(&mut self, exponential: &Exponential) -> Tick;
}

impl RandomSource for CpythonRandom {
    #[inline(always)]
    fn exponential_ticks(&mut self, exponential: &Exponential) -> Tick {
        exponential.ticks_of_53_bits(self.next_53_bits())
    }
}

impl RandomSource for Pcg64 {
    #[inline(always)]
    fn exponential_ticks(&mut self, exponential: &Exponential) -> Tick {
        whole_ticks(exponential.exp.sample(self))
    }
}

/// A PCG-64 generator seeded from a `u64` in `rand`'s portable way.
pub fn pcg64(seed: u64) -> Pcg64 {
    Pcg64::seed_from_u64(seed)
}

/// A seed from the operating system, for runs without `--seed`.
pub fn os_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        // No OS entropy: the clock still gives a usable, printed seed.
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpython_durations_equal_the_book_formula() {
        // Same draws, two ways: table lookup and CPython's expression.
        for mean in [1.0, 5.0, 20.0] {
            let exponential = Exponential::new(mean, true);
            let mut fast = CpythonRandom::new(42);
            let mut book = CpythonRandom::new(42);
            for _ in 0..100_000 {
                let expected = book.expovariate(1.0 / mean) as Tick + 1;
                assert_eq!(fast.exponential_ticks(&exponential), expected);
            }
        }
    }

    #[test]
    fn pcg64_durations_are_whole_ticks_of_at_least_one() {
        let exponential = Exponential::new(5.0, false);
        let mut rng = pcg64(7);
        let draws: Vec<Tick> = (0..10_000)
            .map(|_| rng.exponential_ticks(&exponential))
            .collect();
        assert!(draws.iter().all(|&d| d >= 1));
        let mean = draws.iter().sum::<Tick>() as f64 / draws.len() as f64;
        // Geometric on {1, 2, ...} with p = 1 - exp(-1/5): mean 5.5167.
        assert!((mean - 5.5167).abs() < 0.3, "mean {mean}");
    }

    #[test]
    fn whole_ticks_is_floor_plus_one_and_saturates() {
        assert_eq!(whole_ticks(0.0), 1);
        assert_eq!(whole_ticks(2.999), 3);
        assert_eq!(whole_ticks(-1.0), 1);
        assert_eq!(whole_ticks(f64::INFINITY), Tick::MAX);
    }
}
