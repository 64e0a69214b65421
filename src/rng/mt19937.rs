//! MT19937, the Mersenne Twister CPython's `random` uses, with the
//! `init_by_array` seeding it calls. Hand-written for the hot path: each
//! refill tempers all 624 outputs in one loop the compiler vectorizes, so a
//! draw is a load from a buffer. Checked against `rand_mt` in the tests.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The Mersenne Twister MT19937 (32-bit).
#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; N],
    /// Tempered outputs of the current state; `next` is the next to hand out.
    outputs: [u32; N],
    next: usize,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mt19937")
    }
}

impl Mt19937 {
    /// Seeded by `init_by_array(key)`, as CPython's `random.seed(int)` does.
    pub fn from_key(key: &[u32]) -> Self {
        let mut mt = Self {
            state: [0; N],
            outputs: [0; N],
            next: N,
        };
        mt.init_genrand(19_650_218);
        let state = &mut mt.state;
        let (mut i, mut j) = (1usize, 0usize);
        let key_length = key.len().max(1);
        for _ in 0..N.max(key_length) {
            let previous = state[i - 1] ^ (state[i - 1] >> 30);
            let word = key.get(j).copied().unwrap_or(0);
            state[i] = (state[i] ^ previous.wrapping_mul(1_664_525))
                .wrapping_add(word)
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                state[0] = state[N - 1];
                i = 1;
            }
            if j >= key_length {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let previous = state[i - 1] ^ (state[i - 1] >> 30);
            state[i] = (state[i] ^ previous.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                state[0] = state[N - 1];
                i = 1;
            }
        }
        state[0] = 0x8000_0000;
        mt
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
    }

    #[inline(always)]
    fn twist(upper: u32, lower: u32, far: u32) -> u32 {
        let y = (upper & UPPER_MASK) | (lower & LOWER_MASK);
        far ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
    }

    /// CPython's output function.
    #[inline(always)]
    fn temper(mut y: u32) -> u32 {
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Twists the state and tempers all its outputs, in one pass per part:
    /// each part vectorizes, and every word is loaded once.
    #[cold]
    fn refill(&mut self) {
        let (state, outputs) = (&mut self.state, &mut self.outputs);
        for k in 0..N - M {
            state[k] = Self::twist(state[k], state[k + 1], state[k + M]);
            outputs[k] = Self::temper(state[k]);
        }
        for k in N - M..N - 1 {
            state[k] = Self::twist(state[k], state[k + 1], state[k + M - N]);
            outputs[k] = Self::temper(state[k]);
        }
        state[N - 1] = Self::twist(state[N - 1], state[0], state[M - 1]);
        outputs[N - 1] = Self::temper(state[N - 1]);
        self.next = 0;
    }

    /// The next 32-bit output.
    #[inline(always)]
    pub fn next_u32(&mut self) -> u32 {
        if self.next >= N {
            self.refill();
        }
        let output = self.outputs[self.next];
        self.next += 1;
        output
    }

    /// The next outputs, up to `most` of them and at least one (`most`
    /// above zero), as they lie in the current refill: for a caller that
    /// turns many outputs into values in one loop.
    pub fn next_outputs(&mut self, most: usize) -> &[u32] {
        debug_assert!(most > 0, "no outputs asked for");
        if self.next >= N {
            self.refill();
        }
        let start = self.next;
        self.next = (start + most).min(N);
        &self.outputs[start..self.next]
    }

    /// The next two outputs, in order.
    #[inline(always)]
    pub fn next_pair(&mut self) -> (u32, u32) {
        let next = self.next;
        if next < N - 1 {
            self.next = next + 2;
            (self.outputs[next], self.outputs[next + 1])
        } else {
            (self.next_u32(), self.next_u32())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_mt::Mt;

    #[test]
    fn outputs_equal_the_reference_implementation_for_many_keys() {
        let keys: [&[u32]; 5] = [&[0], &[3], &[u32::MAX], &[0, 1], &[5, 6, 7, 8]];
        for key in keys {
            let mut ours = Mt19937::from_key(key);
            let mut reference = Mt::new_with_key(key.iter().copied());
            for index in 0..5_000 {
                let expected = reference.next_u32();
                let got = if index % 3 == 0 {
                    let (first, second) = ours.next_pair();
                    assert_eq!(second, reference.next_u32(), "key {key:?}, output {index}");
                    first
                } else {
                    ours.next_u32()
                };
                assert_eq!(got, expected, "key {key:?}, output {index}");
            }
        }
    }

    // Keys longer than the state, where rand_mt and CPython part ways:
    //   python3 -c "import random; random.seed((1<<(32*700))-1); print([random.getrandbits(32) for _ in range(3)])"
    //   python3 -c "import random; random.seed(sum(1<<(32*i) for i in range(700))); print([random.getrandbits(32) for _ in range(3)])"
    #[test]
    fn keys_longer_than_the_state_seed_as_cpython_does() {
        let mut all_ones = Mt19937::from_key(&[u32::MAX; 700]);
        let outputs = [
            all_ones.next_u32(),
            all_ones.next_u32(),
            all_ones.next_u32(),
        ];
        assert_eq!(outputs, [2830013534, 1750515526, 2872926267]);
        let mut ones = Mt19937::from_key(&[1; 700]);
        let outputs = [ones.next_u32(), ones.next_u32(), ones.next_u32()];
        assert_eq!(outputs, [3811663828, 345100369, 3198437879]);
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use rand_mt::Mt;

    #[test]
    fn pairs_that_straddle_a_refill_are_the_next_two_outputs() {
        // One single output first makes every pair start at an odd index,
        // so one of them starts at the state's last output.
        let mut ours = Mt19937::from_key(&[11]);
        let mut reference = Mt::new_with_key([11u32]);
        assert_eq!(ours.next_u32(), reference.next_u32());
        for pair in 0..3 * N {
            let expected = (reference.next_u32(), reference.next_u32());
            assert_eq!(ours.next_pair(), expected, "pair {pair}");
        }
    }

    #[test]
    fn outputs_taken_in_runs_are_the_next_outputs() {
        let mut ours = Mt19937::from_key(&[5]);
        let mut reference = Mt::new_with_key([5u32]);
        for most in [1, 7, 623, 624, 1000, 2, 625] {
            let run = ours.next_outputs(most).to_vec();
            assert!(
                !run.is_empty() && run.len() <= most,
                "{most}: {}",
                run.len()
            );
            for (index, &output) in run.iter().enumerate() {
                assert_eq!(output, reference.next_u32(), "{most}: output {index}");
            }
        }
    }

    #[test]
    fn its_debug_form_names_it_without_its_state() {
        assert_eq!(format!("{:?}", Mt19937::from_key(&[1])), "Mt19937");
    }
}
