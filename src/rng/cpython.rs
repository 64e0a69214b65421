//! CPython's `random` module, reproduced: MT19937 seeded from an integer the
//! way `random.seed(int)` does, `random()` built from two 32-bit outputs, and
//! `expovariate` computed with the same floating-point operations.

use super::mt19937::Mt19937;
use rand_core::{Infallible, TryRng};

/// `2^53`: `random()` returns a multiple of `1 / 2^53`.
pub const TWO_POW_53: u64 = 1 << 53;

/// The key `random.seed(seed)` hands to `init_by_array`: the seed's 32-bit
/// words, least significant first, and `[0]` for zero.
pub fn seed_key(seed: u64) -> Vec<u32> {
    let low = seed as u32;
    let high = (seed >> 32) as u32;
    if high == 0 {
        vec![low]
    } else {
        vec![low, high]
    }
}

/// The 53-bit integer `random()` makes of two outputs `a`, `b`.
#[inline(always)]
fn bits_53(a: u32, b: u32) -> u64 {
    (u64::from(a >> 5) << 26) | u64::from(b >> 6)
}

/// CPython's Mersenne Twister, bit for bit.
#[derive(Clone)]
pub struct CpythonRandom {
    mt: Mt19937,
}

impl std::fmt::Debug for CpythonRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CpythonRandom")
    }
}

impl CpythonRandom {
    /// The generator after `random.seed(seed)`.
    pub fn new(seed: u64) -> Self {
        Self {
            mt: Mt19937::from_key(&seed_key(seed)),
        }
    }

    /// The integer `k` behind the next `random()`, which returns `k / 2^53`.
    #[inline(always)]
    pub fn next_53_bits(&mut self) -> u64 {
        let (a, b) = self.mt.next_pair();
        bits_53(a, b)
    }

    /// The integers behind the next `out.len()` calls of `random()`, in
    /// order: the same as [`CpythonRandom::next_53_bits`] that many times,
    /// in a loop the compiler vectorizes.
    pub fn fill_53_bits(&mut self, out: &mut [u64]) {
        let mut rest = out;
        while !rest.is_empty() {
            let outputs = self.mt.next_outputs(2 * rest.len());
            let (filled, later) = rest.split_at_mut(outputs.len() / 2);
            for (value, pair) in filled.iter_mut().zip(outputs.chunks_exact(2)) {
                *value = bits_53(pair[0], pair[1]);
            }
            rest = later;
            // A pair cut by a refill: its second output is the next one.
            if let &[.., first] = outputs
                && outputs.len() % 2 == 1
            {
                let second = self.mt.next_u32();
                rest[0] = bits_53(first, second);
                rest = &mut rest[1..];
            }
        }
    }

    /// `random.random()`: a float in `[0, 1)`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        self.next_53_bits() as f64 / TWO_POW_53 as f64
    }

    /// `random.expovariate(1 / mean)`, with `lambd` computed as CPython does.
    #[inline]
    pub fn expovariate(&mut self, lambd: f64) -> f64 {
        -(1.0 - self.random()).ln() / lambd
    }
}

impl TryRng for CpythonRandom {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.mt.next_u32())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        // High word first, as rand_mt does.
        let (high, low) = self.mt.next_pair();
        Ok((u64::from(high) << 32) | u64::from(low))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.mt.next_u32().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11:
    //   python3 -c "import random; random.seed(S); print([repr(random.random()) for _ in range(3)])"
    const FIRST_RANDOMS: &[(u64, [f64; 3])] = &[
        (
            0,
            [0.8444218515250481, 0.7579544029403025, 0.420571580830845],
        ),
        (
            3,
            [0.23796462709189137, 0.5442292252959519, 0.36995516654807925],
        ),
        (
            10,
            [0.5714025946899135, 0.4288890546751146, 0.5780913011344704],
        ),
        (
            4294967296,
            [0.11299430095636409, 0.41782886486292836, 0.0166763664992291],
        ),
        (
            18446744073709551615,
            [
                0.021825695401270107,
                0.3380953268613758,
                0.21196748656082065,
            ],
        ),
    ];

    #[test]
    fn random_matches_what_cpython_prints_for_the_same_seed() {
        for (seed, expected) in FIRST_RANDOMS {
            let mut rng = CpythonRandom::new(*seed);
            let got = [rng.random(), rng.random(), rng.random()];
            assert_eq!(&got, expected, "seed {seed}");
        }
    }

    // python3 -c "import random; random.seed(3); print([repr(random.expovariate(1/5)) for _ in range(3)])"
    #[test]
    fn expovariate_matches_what_cpython_prints() {
        let mut rng = CpythonRandom::new(3);
        let got = [
            rng.expovariate(1.0 / 5.0),
            rng.expovariate(1.0 / 5.0),
            rng.expovariate(1.0 / 5.0),
        ];
        assert_eq!(
            got,
            [1.3588115161683416, 3.928826414548857, 2.3098214895960645]
        );
    }

    #[test]
    fn seeds_of_two_to_the_32_and_above_use_a_two_word_key() {
        assert_eq!(seed_key(0), [0]);
        assert_eq!(seed_key(u32::MAX as u64), [u32::MAX]);
        assert_eq!(seed_key(1 << 32), [0, 1]);
        assert_eq!(seed_key(u64::MAX), [u32::MAX, u32::MAX]);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    /// The Mersenne Twister that `CpythonRandom::new(seed)` wraps.
    fn twister(seed: u64) -> Mt19937 {
        Mt19937::from_key(&seed_key(seed))
    }

    #[test]
    fn draws_filled_in_blocks_are_the_draws_taken_one_by_one() {
        // A single output taken first makes the blocks' pairs straddle
        // every refill.
        for skipped in [0, 1] {
            let mut blocks = CpythonRandom::new(77);
            let mut single = CpythonRandom::new(77);
            for _ in 0..skipped {
                assert_eq!(blocks.mt.next_u32(), single.mt.next_u32());
            }
            for len in [1, 311, 312, 313, 4096, 5, 624] {
                let mut block = vec![0; len];
                blocks.fill_53_bits(&mut block);
                for (index, &value) in block.iter().enumerate() {
                    assert_eq!(
                        value,
                        single.next_53_bits(),
                        "{skipped}, {len}: draw {index}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_generic_outputs_are_the_twisters_words() {
        let mut rng = CpythonRandom::new(12345);
        let mut mt = twister(12345);
        assert_eq!(rng.try_next_u32().unwrap(), mt.next_u32());
        assert_eq!(rng.try_next_u32().unwrap(), mt.next_u32());
        let (high, low) = (mt.next_u32(), mt.next_u32());
        assert_eq!(
            rng.try_next_u64().unwrap(),
            (u64::from(high) << 32) | u64::from(low)
        );
        let mut bytes = [0u8; 6];
        rng.try_fill_bytes(&mut bytes).unwrap();
        let (first, second) = (mt.next_u32().to_le_bytes(), mt.next_u32().to_le_bytes());
        assert_eq!(bytes[..4], first);
        assert_eq!(bytes[4..], second[..2]);
    }

    #[test]
    fn its_debug_form_names_the_generator_without_its_state() {
        assert_eq!(format!("{:?}", CpythonRandom::new(1)), "CpythonRandom");
    }
}
