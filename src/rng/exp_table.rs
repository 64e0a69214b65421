//! Exact table lookup for the book's duration rule with CPython's generator.
//!
//! `random()` returns `k / 2^53`, so `v = 1 - random()` is exactly `m / 2^53`
//! for an integer `m` in `[1, 2^53]`, and the duration
//! `floor(-ln(v) / lambd) + 1` is a non-increasing step function of `m` with
//! only a few hundred steps. We find each step's first `m` once, by binary
//! search evaluating the very same expression, so the table agrees with the
//! direct formula by construction. A lookup then costs one load of a bucket
//! indexed by `m`'s leading zeros and next six bits, and one comparison,
//! instead of a logarithm.

use super::cpython::TWO_POW_53;

/// Sub-buckets per binade of `m`: enough that most buckets hold no step.
const SUB_BITS: u32 = 6;
/// Every exponent of a `u64`, so that a bucket index needs no bounds check.
const BUCKETS: usize = 64 << SUB_BITS;
/// A bucket's entry: its smallest duration in the low 16 bits; this flag
/// when it holds more than one step; otherwise, from bit 17, the offset
/// within the bucket below which the duration is one more (0: no step).
const TICKS_MASK: u64 = 0xffff;
const SEVERAL_STEPS: u64 = 1 << 16;
const OFFSET_SHIFT: u32 = 17;
/// Tables with more steps than this are not worth building (huge means).
const MAX_STEPS: u64 = 1 << 15;

/// The book's duration for `m`, computed directly: what CPython computes.
#[inline]
pub fn direct_ticks(m: u64, lambd: f64) -> u64 {
    let v = m as f64 / TWO_POW_53 as f64;
    let x = -v.ln() / lambd;
    (x as u64).saturating_add(1)
}

/// Step boundaries of `floor(-ln(m / 2^53) / lambd) + 1` over `m`.
#[derive(Debug, Clone)]
pub struct StepTable {
    lambd: f64,
    /// `first_m[d]`: the smallest `m` whose duration is at most `d`.
    first_m: Vec<u64>,
    /// One entry per bucket, as described at [`TICKS_MASK`].
    buckets: Box<[u64; BUCKETS]>,
}

/// The bucket of `m` (> 0), and `m`'s offset from the bucket's first value.
#[inline(always)]
fn bucket_of(m: u64) -> (usize, u64) {
    let zeros = m.leading_zeros();
    let exponent = 63 - zeros;
    let top = ((m << zeros) >> (63 - SUB_BITS)) as usize & ((1 << SUB_BITS) - 1);
    // The low `exponent - 6` bits (none when the binade is narrower).
    let offset = m & (((1u64 << exponent) - 1) >> SUB_BITS);
    (((exponent as usize) << SUB_BITS) | top, offset)
}

/// Largest `m` in `[1, 2^53]` that falls in `bucket`.
fn bucket_last_m(bucket: usize) -> u64 {
    let exponent = (bucket >> SUB_BITS) as u32;
    let top = (1u64 << SUB_BITS) | (bucket as u64 & ((1 << SUB_BITS) - 1));
    let last = if exponent >= SUB_BITS {
        ((top + 1) << (exponent - SUB_BITS)) - 1
    } else {
        // Binades narrower than the sub-buckets: one value per bucket at most.
        top >> (SUB_BITS - exponent)
    };
    last.clamp(1, TWO_POW_53)
}

impl StepTable {
    /// Builds the table for `lambd = 1 / mean`, or `None` when the mean is so
    /// large that the table would be big, or when the platform's logarithm is
    /// not monotone around a step (then the direct formula is used).
    pub fn new(lambd: f64) -> Option<Self> {
        let longest = direct_ticks(1, lambd);
        if direct_ticks(TWO_POW_53, lambd) != 1 || longest > MAX_STEPS {
            return None;
        }
        let mut first_m = vec![0u64; longest as usize + 1];
        first_m[0] = u64::MAX;
        first_m[longest as usize] = 1;
        // Steps are found from the shortest duration down, each search
        // starting below the previous step: far fewer evaluations.
        let mut upper = TWO_POW_53;
        for ticks in 1..longest {
            // Smallest m with direct_ticks(m) <= ticks, within [1, upper]. The
            // real-number answer, 2^53 * exp(-ticks * lambd), is off by a few
            // units at most: search a small window around it when it brackets
            // the step (checked), the whole range otherwise. Start-up stays short.
            let estimate = (TWO_POW_53 as f64 * (-(ticks as f64) * lambd).exp()) as u64;
            let window_lo = estimate.saturating_sub(1 << 12).clamp(1, upper);
            let window_hi = estimate.saturating_add(1 << 12).clamp(1, upper);
            let brackets = direct_ticks(window_hi, lambd) <= ticks
                && (window_lo == 1 || direct_ticks(window_lo - 1, lambd) > ticks);
            let (mut lo, mut hi) = if brackets {
                (window_lo, window_hi)
            } else {
                (1u64, upper)
            };
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if direct_ticks(mid, lambd) <= ticks {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            first_m[ticks as usize] = lo;
            upper = lo;
        }
        // Check each step's edges: exact only if the logarithm is monotone there.
        for ticks in 1..longest {
            let m = first_m[ticks as usize];
            if direct_ticks(m, lambd) > ticks || (m > 1 && direct_ticks(m - 1, lambd) <= ticks) {
                return None;
            }
        }
        let mut buckets = Box::new([0u64; BUCKETS]);
        for (bucket, entry) in buckets.iter_mut().enumerate().take(54 << SUB_BITS) {
            let last = bucket_last_m(bucket);
            let first = last - bucket_of(last).1;
            // The smallest duration in the bucket: the first step at or below `last`.
            let shortest = first_m.partition_point(|&step| step > last);
            let steps_inside = first_m[shortest..]
                .iter()
                .take_while(|&&step| step > first)
                .count();
            *entry = shortest as u64
                | match steps_inside {
                    0 => 0,
                    1 => (first_m[shortest] - first) << OFFSET_SHIFT,
                    _ => SEVERAL_STEPS,
                };
        }
        Some(Self {
            lambd,
            first_m,
            buckets,
        })
    }

    /// The `lambd` the table was built for.
    pub fn lambd(&self) -> f64 {
        self.lambd
    }

    /// Duration for `m` in `[1, 2^53]`: equal to [`direct_ticks`].
    #[inline(always)]
    pub fn ticks(&self, m: u64) -> u64 {
        let (bucket, offset) = bucket_of(m);
        let entry = self.buckets[bucket];
        if entry & SEVERAL_STEPS != 0 {
            return self.ticks_from(entry & TICKS_MASK, m);
        }
        // One step at most: one comparison, no branch.
        (entry & TICKS_MASK) + u64::from(offset < entry >> OFFSET_SHIFT)
    }

    /// Walks the steps from `ticks` down to `m`: buckets with several steps.
    #[cold]
    fn ticks_from(&self, mut ticks: u64, m: u64) -> u64 {
        while m < self.first_m[ticks as usize] {
            ticks += 1;
        }
        ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    const MEANS: [f64; 6] = [1.0, 5.0, 20.0, 0.3, 7.25, 300.0];

    static TABLES: LazyLock<Vec<StepTable>> = LazyLock::new(|| {
        MEANS
            .iter()
            .map(|mean| StepTable::new(1.0 / mean).expect("table for a small mean"))
            .collect()
    });

    #[test]
    fn the_table_agrees_with_the_formula_at_every_step_edge() {
        for (mean, table) in MEANS.iter().zip(TABLES.iter()) {
            let lambd = table.lambd();
            for &first in &table.first_m[1..] {
                for m in first.saturating_sub(3).max(1)..=(first + 3).min(TWO_POW_53) {
                    assert_eq!(table.ticks(m), direct_ticks(m, lambd), "mean {mean}, m {m}");
                }
            }
            for m in (1..200).chain(TWO_POW_53 - 200..=TWO_POW_53) {
                assert_eq!(table.ticks(m), direct_ticks(m, lambd), "mean {mean}, m {m}");
            }
        }
    }

    #[test]
    fn huge_means_fall_back_to_the_formula() {
        assert!(StepTable::new(1.0 / 1e9).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn the_table_agrees_with_the_formula_everywhere(m in 1..=TWO_POW_53, which in 0..MEANS.len()) {
            let table = &TABLES[which];
            prop_assert_eq!(table.ticks(m), direct_ticks(m, table.lambd()));
        }

        #[test]
        fn the_table_agrees_with_the_formula_for_small_m(m in 1u64..1 << 20) {
            let table = &TABLES[2];
            prop_assert_eq!(table.ticks(m), direct_ticks(m, table.lambd()));
        }
    }
}
