//! Exact table lookup for the book's duration rule with CPython's generator.
//!
//! `random()` returns `u / 2^53` for a 53-bit integer `u`, so `1 - random()`
//! is exactly `(2^53 - u) / 2^53` and the duration
//! `floor(-ln(1 - random()) / lambd) + 1` is a non-decreasing step function
//! of `u` with only a few hundred steps. We find where each step starts once,
//! by binary search evaluating the very same expression, so the table agrees
//! with the direct formula by construction. A lookup then costs one load of a
//! bucket indexed by `u`'s top ten bits and one comparison, instead of a
//! logarithm; the few buckets that hold several steps (the long tail) fall
//! back to a binary search over the step starts.

use std::sync::Arc;

use super::cpython::TWO_POW_53;

/// Top bits of `u` that index a bucket: 8 KB per table, so the tables of a
/// fleet's phases stay in the first-level cache, and most buckets hold at
/// most one step.
const INDEX_BITS: u32 = 10;
const BUCKETS: usize = 1 << INDEX_BITS;
/// Bits of `u` below the index.
const BUCKET_SHIFT: u32 = 53 - INDEX_BITS;
/// A bucket's entry: in the low 11 bits, the duration `d` just below the
/// bucket's one step; above them, the `u` where that step starts, so the
/// duration is `d + (u >= start)`. A bucket without a step stores `d - 1` and
/// start 0. [`SEVERAL_STEPS`] in the low bits sends the lookup to the search.
const TICKS_BITS: u32 = 11;
const TICKS_MASK: u64 = (1 << TICKS_BITS) - 1;
const SEVERAL_STEPS: u64 = TICKS_MASK;
/// Tables with more steps than this are not worth building (huge means).
const MAX_STEPS: u64 = 1 << 15;

/// The book's duration for `m = 2^53 - u`, computed directly: what CPython computes.
#[inline]
pub fn direct_ticks(m: u64, lambd: f64) -> u64 {
    let v = m as f64 / TWO_POW_53 as f64;
    let x = -v.ln() / lambd;
    (x as u64).saturating_add(1)
}

/// Step boundaries of `floor(-ln((2^53 - u) / 2^53) / lambd) + 1` over `u`.
#[derive(Debug, Clone)]
pub struct StepTable {
    lambd: f64,
    /// `starts[d - 1]`: the smallest `u` whose duration is at least `d`
    /// (ascending; `starts[0]` is 0).
    starts: Vec<u64>,
    /// One entry per bucket, as described at [`TICKS_BITS`]. Shared by
    /// clones: a fleet draws from the same table for several actions, and
    /// one copy keeps the cache free for the rest.
    buckets: Arc<[u64; BUCKETS]>,
}

/// Evaluations a walk to a step's edge may take before the binary search
/// takes over.
const MAX_WALK: u32 = 64;

/// The `m` nearest `start` with `direct_ticks(m) <= ticks` where the one
/// below it does not (or `m` is 1), walking one unit at a time: both edges
/// are evaluated, so the step's start is exact where the formula is
/// monotone. `None` if the walk takes more than [`MAX_WALK`] steps.
fn walk_to_step(start: u64, ticks: u64, lambd: f64) -> Option<u64> {
    let within = |m: u64| direct_ticks(m, lambd) <= ticks;
    let mut m = start;
    if within(m) {
        for _ in 0..MAX_WALK {
            if m == 1 || !within(m - 1) {
                return Some(m);
            }
            m -= 1;
        }
    } else {
        for _ in 0..MAX_WALK {
            m += 1;
            if within(m) {
                return Some(m);
            }
        }
    }
    None
}

/// The smallest `m` in `[1, upper]` with `direct_ticks(m) <= ticks`, by
/// binary search (the formula is non-decreasing in `2^53 - m`).
fn search_step(ticks: u64, lambd: f64, upper: u64) -> u64 {
    let (mut lo, mut hi) = (1u64, upper);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if direct_ticks(mid, lambd) <= ticks {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
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
        // Steps are found from the shortest duration down. The real-number
        // answer, 2^53 * exp(-ticks * lambd), is off by a few units at most,
        // so each step is found by walking from it to the edge (about three
        // evaluations of the formula, where a binary search takes 53 and
        // start-up waits for them: the tables are built before the first
        // draw). A walk that does not arrive soon falls back to the search.
        let mut upper = TWO_POW_53;
        for ticks in 1..longest {
            let estimate = (TWO_POW_53 as f64 * (-(ticks as f64) * lambd).exp()) as u64;
            let first = match walk_to_step(estimate.clamp(1, upper), ticks, lambd) {
                Some(first) => first,
                None => {
                    let first = search_step(ticks, lambd, upper);
                    // Exact only if the logarithm is monotone at the edge.
                    if direct_ticks(first, lambd) > ticks
                        || (first > 1 && direct_ticks(first - 1, lambd) <= ticks)
                    {
                        return None;
                    }
                    first
                }
            };
            first_m[ticks as usize] = first;
            upper = first;
        }
        // Duration d + 1 starts just above the largest u whose m = 2^53 - u
        // still gives d or less, that is at u = 2^53 - first_m[d] + 1.
        let starts: Vec<u64> = std::iter::once(0)
            .chain((1..longest as usize).map(|ticks| TWO_POW_53 - first_m[ticks] + 1))
            .collect();
        let mut buckets = Box::new([0u64; BUCKETS]);
        for (bucket, entry) in buckets.iter_mut().enumerate() {
            let first = (bucket as u64) << BUCKET_SHIFT;
            let last = first + (1 << BUCKET_SHIFT) - 1;
            let shortest = starts.partition_point(|&start| start <= first) as u64;
            let steps_inside = starts[shortest as usize..]
                .iter()
                .take_while(|&&start| start <= last)
                .count();
            *entry = match steps_inside {
                _ if shortest >= SEVERAL_STEPS => SEVERAL_STEPS,
                0 => shortest - 1,
                1 => (starts[shortest as usize] << TICKS_BITS) | shortest,
                _ => SEVERAL_STEPS,
            };
        }
        Some(Self {
            lambd,
            starts,
            buckets: Arc::from(buckets),
        })
    }

    /// The `lambd` the table was built for.
    pub fn lambd(&self) -> f64 {
        self.lambd
    }

    /// The duration for the 53-bit draw `u` (below 2^53): the same as
    /// [`direct_ticks`]`(2^53 - u, lambd)`.
    #[inline(always)]
    pub fn ticks(&self, u: u64) -> u64 {
        // The mask costs one instruction and spares a bounds check.
        let entry = self.buckets[(u >> BUCKET_SHIFT) as usize & (BUCKETS - 1)];
        let below = entry & TICKS_MASK;
        if below == SEVERAL_STEPS {
            return self.search(u);
        }
        below + u64::from(u >= entry >> TICKS_BITS)
    }

    /// The duration by binary search over the step starts: for the rare
    /// draws that land in a bucket with several steps.
    #[cold]
    fn search(&self, u: u64) -> u64 {
        self.starts.partition_point(|&start| start <= u) as u64
    }
}

/// Two step tables side by side, so that choosing one is an offset into
/// one array rather than a pointer loaded from memory (the book model's
/// search and trip in its quiet loop, where the choice is random).
#[derive(Debug, Clone)]
pub struct TablePair {
    buckets: Box<[u64; 2 * BUCKETS]>,
    tables: [StepTable; 2],
}

impl TablePair {
    /// The pair of `first` and `second`.
    pub fn new(first: StepTable, second: StepTable) -> Self {
        let mut buckets = Box::new([0; 2 * BUCKETS]);
        buckets[..BUCKETS].copy_from_slice(&first.buckets[..]);
        buckets[BUCKETS..].copy_from_slice(&second.buckets[..]);
        Self {
            buckets,
            tables: [first, second],
        }
    }

    /// [`StepTable::ticks`] of the first table (`which == 0`) or the
    /// second (`which == 1`).
    #[inline(always)]
    pub fn ticks(&self, u: u64, which: u64) -> u64 {
        let which = (which & 1) as usize;
        let bucket = (u >> BUCKET_SHIFT) as usize & (BUCKETS - 1);
        let entry = self.buckets[which * BUCKETS + bucket];
        let below = entry & TICKS_MASK;
        if below == SEVERAL_STEPS {
            return self.tables[which].search(u);
        }
        below + u64::from(u >= entry >> TICKS_BITS)
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

    /// What CPython computes for the draw `u`.
    fn expected(u: u64, lambd: f64) -> u64 {
        direct_ticks(TWO_POW_53 - u, lambd)
    }

    #[test]
    fn the_table_agrees_with_the_formula_at_every_step_edge() {
        for (mean, table) in MEANS.iter().zip(TABLES.iter()) {
            let lambd = table.lambd();
            for &start in &table.starts {
                for u in start.saturating_sub(3)..=(start + 3).min(TWO_POW_53 - 1) {
                    assert_eq!(table.ticks(u), expected(u, lambd), "mean {mean}, u {u}");
                }
            }
            for u in (0..200).chain(TWO_POW_53 - 200..TWO_POW_53) {
                assert_eq!(table.ticks(u), expected(u, lambd), "mean {mean}, u {u}");
            }
        }
    }

    #[test]
    fn the_table_agrees_with_the_formula_at_every_bucket_edge() {
        for (mean, table) in MEANS.iter().zip(TABLES.iter()) {
            for bucket in 0..BUCKETS as u64 {
                let first = bucket << BUCKET_SHIFT;
                for u in [first, first + 1, first + (1 << BUCKET_SHIFT) - 1] {
                    assert_eq!(
                        table.ticks(u),
                        expected(u, table.lambd()),
                        "mean {mean}, u {u}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_walk_from_far_off_gives_up_and_the_search_finds_the_same_step() {
        let lambd = 1.0 / 5.0;
        for ticks in [1, 2, 7, 40] {
            let estimate = (TWO_POW_53 as f64 * (-(ticks as f64) * lambd).exp()) as u64;
            let searched = search_step(ticks, lambd, TWO_POW_53);
            assert_eq!(walk_to_step(estimate, ticks, lambd), Some(searched));
            // The step starts at `searched`: the formula says so on both sides.
            assert!(direct_ticks(searched, lambd) <= ticks);
            assert!(direct_ticks(searched - 1, lambd) > ticks);
            for far in [searched - 1000, searched + 1000] {
                assert_eq!(walk_to_step(far, ticks, lambd), None, "{ticks} from {far}");
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
        fn the_table_agrees_with_the_formula_everywhere(u in 0..TWO_POW_53, which in 0..MEANS.len()) {
            let table = &TABLES[which];
            prop_assert_eq!(table.ticks(u), expected(u, table.lambd()));
        }

        #[test]
        fn the_table_agrees_with_the_formula_in_the_long_tail(
            below_one in 0u64..1 << 20,
            which in 0..MEANS.len(),
        ) {
            // u just below 2^53: the rarest, longest durations.
            let table = &TABLES[which];
            let u = TWO_POW_53 - 1 - below_one;
            prop_assert_eq!(table.ticks(u), expected(u, table.lambd()));
        }
    }
}
