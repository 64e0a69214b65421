//! The book model's run when nobody follows its events one by one
//! (`run -f none`): the same events as the engine's
//! [`Simulator`](crate::engine::Simulator) with [`Taxi`](super::taxi::Taxi)
//! processes, the same outcome and the same statistics, from a loop that
//! keeps only what the summary needs.
//!
//! The engine's loop is general: it asks a timing for each delay by action,
//! resumes a process that answers with an event, stores the action of the
//! queued event, and its queue takes events at the current time. A taxi's
//! life is so regular that none of that is needed here:
//! - its `k`-th event (from 0) is leaving the garage for `k = 0`, going
//!   home for `k = 2n + 1` (with `n` trips), and otherwise a pick-up for odd
//!   `k` and a drop-off for even `k`; so the phase drawn after it is a trip
//!   for odd `k` and a search for even `k`;
//! - its occupied time is the sum of its drop-off times minus the sum of
//!   its pick-up times: one signed add of the event's time an event;
//! - every duration is at least a tick, so no event is queued at the
//!   current time: the loop takes all of a time's events a bitmap word at
//!   a time and queues each taxi in the wheel row of its own word, found
//!   once for the word; events are counted by the draws they use.
//!
//! A taxi is then four numbers, half a cache line, and the loop keeps few
//! enough values to hold them in registers (measured in
//! `docs/PERFORMANCE.md`). It serves fleets drawn with the CPython
//! generator whose durations are all exponential and the same for every
//! taxi, the book's own runs ([`run`] says `None` for the others); the
//! tests compare it with the engine's loop on random fleets.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::distribution::DurationSpec;
use crate::engine::{EngineError, Outcome, ProcId, StopReason, Tick};
use crate::models::book::summary::TaxiRecord;
use crate::models::book::taxi::{PhaseDurations, TaxiPlan, check_fleet_size, horizon};
use crate::rng::ahead::{Ahead, BLOCK_LEN, Block};
use crate::rng::exp_table::TablePair;
use crate::rng::{CpythonRandom, Exponential, StepTable};

/// Events taken between two looks at the stop flag and two progress
/// reports, as in the engine.
const BATCH: u64 = 4096;
/// Times beyond which the quiet loop is not used: with durations below
/// [`LONGEST`], no time it computes can then overflow.
const LATEST: Tick = 1 << 62;
/// Longest duration the quiet loop takes.
const LONGEST: Tick = 1 << 32;
/// Memory the wheel's rows may take beyond the smallest wheel.
const WHEEL_BYTES: usize = 16 << 20;

/// The draws of a run, one an event, taken a block at a time: the loop
/// keeps the block and its place in it in its own hands.
pub trait Draws {
    /// Replaces `block`, read to its end, with the next draws.
    fn refill(&mut self, block: &mut Box<Block>);
    /// The duration of a search (`trip == 0`) or a trip (`trip == 1`) for
    /// the draw `value`.
    fn ticks(&self, value: u64, trip: u64) -> Tick;
}

/// Draws on the run's own thread: the CPython generator's 53-bit draws,
/// and the search and trip step tables to turn them into durations.
#[derive(Debug)]
pub struct DrawsHere {
    rng: CpythonRandom,
    /// Search, then trip.
    tables: TablePair,
}

impl DrawsHere {
    /// The CPython generator seeded with `seed`, for exponential searches
    /// and trips of the given means; `None` if a mean has no step table.
    pub fn new(seed: u64, search_mean: f64, trip_mean: f64) -> Option<Self> {
        // CPython divides by `lambd = 1 / mean`; so do the tables.
        let table = |mean: f64| StepTable::new(1.0 / mean);
        Some(Self {
            rng: CpythonRandom::new(seed),
            tables: TablePair::new(table(search_mean)?, table(trip_mean)?),
        })
    }
}

impl Draws for DrawsHere {
    #[inline(never)]
    fn refill(&mut self, block: &mut Box<Block>) {
        self.rng.fill_53_bits(&mut block[..]);
    }

    #[inline(always)]
    fn ticks(&self, value: u64, trip: u64) -> Tick {
        self.tables.ticks(value, trip)
    }
}

/// Draws made on a helper thread ([`Ahead`]): each packs the durations of
/// a search (low half) and a trip (high half) for one 53-bit draw, so the
/// loop keeps a load and a shift and the helper does the rest. Durations
/// this loop takes are below 2^32 ticks, so each fits its half.
#[derive(Debug)]
pub struct DrawsAhead {
    ahead: Ahead,
}

impl DrawsAhead {
    /// Starts the helper for the CPython generator seeded with `seed`;
    /// `None` if no thread can be started.
    pub fn spawn(seed: u64, search_mean: f64, trip_mean: f64) -> Option<Self> {
        let mut rng = CpythonRandom::new(seed);
        // Built on the helper, off the start-up's critical path.
        let mut phases: Option<[Exponential; 2]> = None;
        let ahead = Ahead::spawn(move |block| {
            let [search, trip] = phases.get_or_insert_with(|| {
                [search_mean, trip_mean].map(|mean| Exponential::new(mean, true))
            });
            rng.fill_53_bits(block);
            for value in block.iter_mut() {
                let u = *value;
                *value = search.ticks_of_53_bits(u) | trip.ticks_of_53_bits(u) << 32;
            }
        })?;
        Some(Self { ahead })
    }
}

impl Draws for DrawsAhead {
    #[inline(never)]
    fn refill(&mut self, block: &mut Box<Block>) {
        self.ahead.swap_block(block);
    }

    #[inline(always)]
    fn ticks(&self, value: u64, trip: u64) -> Tick {
        Tick::from((value >> (32 * (trip & 1))) as u32)
    }
}

/// What the loop keeps of a taxi: half a cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct QuietTaxi {
    /// Events taken.
    taken: u64,
    /// Number of its going-home event, `2n + 1` (saturated: a taxi with
    /// more trips than any run can take never goes home).
    last: u64,
    /// Times of its drop-offs and of leaving the garage, minus times of its
    /// pick-ups and of going home (wrapping: the start time and an open
    /// trip or going home are put right in [`QuietTaxi::record`]).
    balance: Tick,
    /// Time of its last event taken (its start time before the first).
    last_time: Tick,
}

impl QuietTaxi {
    fn new(plan: &TaxiPlan) -> Self {
        Self {
            taken: 0,
            last: plan.trips.saturating_mul(2).saturating_add(1),
            balance: 0,
            last_time: plan.start_time,
        }
    }

    /// The statistics a [`Taxi`](super::taxi::Taxi) keeps, from these.
    fn record(&self, start_time: Tick) -> TaxiRecord {
        let went_home = self.taken > self.last;
        // A pick-up was the last event: an even number taken, not past the end.
        let driving = self.taken >= 2 && self.taken.is_multiple_of(2) && !went_home;
        let mut occupied = self.balance;
        if self.taken > 0 {
            occupied = occupied.wrapping_sub(start_time);
        }
        if went_home || driving {
            occupied = occupied.wrapping_add(self.last_time);
        }
        TaxiRecord {
            events: self.taken,
            occupied,
            left_at: start_time,
            last_time: self.last_time,
            driving,
            went_home,
        }
    }
}

/// A fleet run by the quiet loop, with a timing wheel of `SLOTS` slots
/// (a power of two, a constant so that a slot's index needs no bounds
/// check).
#[derive(Debug)]
struct QuietFleet<D, const SLOTS: usize> {
    /// Taxi `i` is `taxis[i / 64][i % 64]`: the taxis of one bitmap word.
    taxis: Vec<[QuietTaxi; 64]>,
    start_times: Vec<Tick>,
    /// Bit `i` of `rows[w][t % SLOTS]`: taxi `64 w + i` has its event at
    /// time `t`, for times in `[slot_time, slot_time + SLOTS)`.
    rows: Vec<[u64; SLOTS]>,
    /// Bit `j` of `summaries[g][s]`: `rows[64 g + j][s]` is not zero.
    summaries: Vec<[u64; SLOTS]>,
    /// Events too far ahead for the wheel.
    far: BinaryHeap<Reverse<(Tick, ProcId)>>,
    /// The wheel's time, and the first summary row that may have events
    /// at it.
    slot_time: Tick,
    cursor: usize,
    draws: D,
    block: Box<Block>,
    /// Draws of `block` used.
    used: usize,
    /// Time of the last event taken.
    now: Tick,
    end_time: Tick,
    max_events: u64,
    events: u64,
    /// Events queued: one a taxi that has not gone home.
    queued: u64,
}

impl<D: Draws, const SLOTS: usize> QuietFleet<D, SLOTS> {
    const MASK: Tick = SLOTS as Tick - 1;

    fn new(plans: &[TaxiPlan], draws: D, end_time: Tick, max_events: u64) -> Self {
        let words = plans.len().div_ceil(64);
        let mut fleet = Self {
            taxis: vec![[QuietTaxi::default(); 64]; words],
            start_times: plans.iter().map(|plan| plan.start_time).collect(),
            rows: vec![[0; SLOTS]; words],
            summaries: vec![[0; SLOTS]; words.div_ceil(64)],
            far: BinaryHeap::new(),
            slot_time: 0,
            cursor: 0,
            draws,
            block: Box::new([0; BLOCK_LEN]),
            used: BLOCK_LEN,
            now: 0,
            end_time,
            max_events,
            events: 0,
            queued: plans.len() as u64,
        };
        for (id, plan) in plans.iter().enumerate() {
            fleet.taxis[id / 64][id % 64] = QuietTaxi::new(plan);
            fleet.queue(plan.start_time, id as ProcId);
        }
        fleet
    }

    /// Queues taxi `id` at `time`, at or after the wheel's time.
    fn queue(&mut self, time: Tick, id: ProcId) {
        if time - self.slot_time <= Self::MASK {
            let slot = (time & Self::MASK) as usize;
            let word = id as usize / 64;
            self.rows[word][slot] |= 1 << (id % 64);
            self.summaries[word / 64][slot] |= 1 << (word % 64);
        } else {
            self.far.push(Reverse((time, id)));
        }
    }

    /// Moves the wheel to the next time with events, bringing in the far
    /// events it then covers; `queued` events are queued, one or more.
    #[cold]
    #[inline(never)]
    fn advance(&mut self, queued: u64) {
        let nonempty = |time: Tick| {
            let slot = (time & Self::MASK) as usize;
            self.summaries.iter().any(|row| row[slot] != 0)
        };
        // With every queued event far, no slot needs a look: a sparse
        // fleet's scan would cost each of its events every slot of every
        // summary row.
        let wheel = if self.far.len() as u64 == queued {
            None
        } else {
            (1..=Self::MASK)
                .map(|ahead| self.slot_time + ahead)
                .find(|&time| nonempty(time))
        };
        let far = self.far.peek().map(|Reverse((time, _))| *time);
        let next = match (wheel, far) {
            (Some(wheel), Some(far)) => wheel.min(far),
            (Some(time), None) | (None, Some(time)) => time,
            (None, None) => unreachable!("an event is queued, in the wheel or far"),
        };
        self.slot_time = next;
        self.cursor = 0;
        while let Some(&Reverse((time, id))) = self.far.peek() {
            if time - next > Self::MASK {
                break;
            }
            self.far.pop();
            self.queue(time, id);
        }
    }

    /// Each taxi's statistics, in id order.
    fn records(&self) -> Vec<TaxiRecord> {
        self.start_times
            .iter()
            .enumerate()
            .map(|(id, &start)| self.taxis[id / 64][id % 64].record(start))
            .collect()
    }

    fn outcome(&self, reason: StopReason) -> Outcome {
        Outcome {
            reason,
            sim_time: self.now,
            pending: self.queued,
            events: self.events,
        }
    }

    /// Runs to the end, as [`Simulator::run`](crate::engine::Simulator::run)
    /// does: `progress` hears the time and the events taken every few
    /// thousand events, and `stop_flag` stops the run between two of those.
    fn run(&mut self, mut progress: impl FnMut(Tick, u64), stop_flag: &AtomicBool) -> Outcome {
        loop {
            let reason = if self.now >= self.end_time {
                Some(StopReason::EndTime)
            } else if self.queued == 0 {
                Some(StopReason::EndOfEvents)
            } else if self.events >= self.max_events {
                Some(StopReason::EventLimit)
            } else if stop_flag.load(Ordering::Relaxed) {
                Some(StopReason::Interrupted)
            } else {
                None
            };
            if let Some(reason) = reason {
                return self.outcome(reason);
            }
            self.run_batch((self.max_events - self.events).min(BATCH));
            progress(self.now, self.events);
        }
    }

    /// Takes up to `batch` events, fewer if the end time or the end of the
    /// events comes first.
    #[inline(always)]
    fn run_batch(&mut self, batch: u64) {
        let end_time = self.end_time;
        let mut now = self.now;
        let mut queued = self.queued;
        let mut used = self.used;
        // Events taken are draws used: `counted + used`, wrapping (the
        // count goes up a block at each refill), so that the loop keeps
        // no counter of its own.
        let mut counted = 0u64.wrapping_sub(used as u64);
        while now < end_time && queued > 0 {
            let taken = counted.wrapping_add(used as u64);
            if taken >= batch {
                break;
            }
            let slot = (self.slot_time & Self::MASK) as usize;
            let Some(group) =
                (self.cursor..self.summaries.len()).find(|&group| self.summaries[group][slot] != 0)
            else {
                self.advance(queued);
                continue;
            };
            let time = self.slot_time;
            now = time;
            // The book's rule: once the end time is reached, only this
            // first event is taken.
            let stop_at = taken + if time >= end_time { 1 } else { batch - taken };
            let mut words = self.summaries[group][slot];
            while words != 0 {
                let room = stop_at - counted.wrapping_add(used as u64);
                if room == 0 {
                    break;
                }
                let in_group = (words.trailing_zeros() & 63) as usize;
                let word = group * 64 + in_group;
                let due = self.rows[word][slot];
                let mut bits = due;
                if room < 64 && u64::from(due.count_ones()) > room {
                    // Only the first `room` taxis of the word: the others
                    // stay queued, and so does the word.
                    let mut rest = due;
                    for _ in 0..room {
                        rest &= rest - 1;
                    }
                    bits = due ^ rest;
                    self.rows[word][slot] = rest;
                } else {
                    self.rows[word][slot] = 0;
                    words &= words - 1;
                }
                let row = &mut self.rows[word];
                let summary = &mut self.summaries[group];
                let taxis = &mut self.taxis[word];
                let block = &mut self.block;
                let draws = &mut self.draws;
                while bits != 0 {
                    let bit = (bits.trailing_zeros() & 63) as usize;
                    bits &= bits - 1;
                    if used == BLOCK_LEN {
                        draws.refill(block);
                        used = 0;
                        counted = counted.wrapping_add(BLOCK_LEN as u64);
                    }
                    let value = block[used];
                    used += 1;
                    let taxi = &mut taxis[bit];
                    let k = taxi.taken;
                    let trip = k & 1;
                    let ticks = draws.ticks(value, trip);
                    // +time for a drop-off or leaving, -time for a pick-up
                    // or going home, without a branch on the random parity.
                    let sign = trip.wrapping_neg();
                    taxi.balance = taxi.balance.wrapping_add((time ^ sign).wrapping_sub(sign));
                    taxi.last_time = time;
                    taxi.taken = k + 1;
                    if k == taxi.last {
                        queued -= 1;
                        continue;
                    }
                    debug_assert!(ticks >= 1, "a duration of no time");
                    if ticks <= Self::MASK {
                        let at = ((time + ticks) & Self::MASK) as usize;
                        row[at] |= 1 << bit;
                        summary[at] |= 1 << in_group;
                    } else {
                        queue_far(&mut self.far, time + ticks, (word * 64 + bit) as ProcId);
                    }
                }
            }
            self.summaries[group][slot] = words;
            if words == 0 {
                self.cursor = group + 1;
            }
        }
        self.now = now;
        self.events += counted.wrapping_add(used as u64);
        self.queued = queued;
        self.used = used;
    }
}

#[cold]
fn queue_far(far: &mut BinaryHeap<Reverse<(Tick, ProcId)>>, time: Tick, id: ProcId) {
    far.push(Reverse((time, id)));
}

/// Slots of the quiet loop's wheel for `words` bitmap words and durations
/// nearly all below `horizon`: 64, 256 or 1024, no more than needed and
/// than fit the memory budget.
fn slots_for(words: usize, horizon: Tick) -> usize {
    let wanted = match horizon {
        0..=64 => 64,
        65..=256 => 256,
        _ => 1024,
    };
    let fits = |slots: usize| words.saturating_mul(slots * 8) <= WHEEL_BYTES;
    [1024, 256, 64]
        .into_iter()
        .find(|&slots| slots <= wanted && fits(slots))
        .unwrap_or(64)
}

/// Runs a fleet with the wheel of `slots` slots. The plans are dropped
/// once the taxis are built: memory for a million taxis.
fn run_with<D: Draws>(
    slots: usize,
    plans: Vec<TaxiPlan>,
    draws: D,
    end_time: Tick,
    max_events: u64,
    progress: impl FnMut(Tick, u64),
    stop_flag: &AtomicBool,
) -> (Outcome, Vec<TaxiRecord>) {
    fn go<D: Draws, const SLOTS: usize>(
        mut fleet: QuietFleet<D, SLOTS>,
        plans: Vec<TaxiPlan>,
        progress: impl FnMut(Tick, u64),
        stop_flag: &AtomicBool,
    ) -> (Outcome, Vec<TaxiRecord>) {
        drop(plans);
        let outcome = fleet.run(progress, stop_flag);
        (outcome, fleet.records())
    }
    match slots {
        1024 => go(
            QuietFleet::<D, 1024>::new(&plans, draws, end_time, max_events),
            plans,
            progress,
            stop_flag,
        ),
        256 => go(
            QuietFleet::<D, 256>::new(&plans, draws, end_time, max_events),
            plans,
            progress,
            stop_flag,
        ),
        _ => go(
            QuietFleet::<D, 64>::new(&plans, draws, end_time, max_events),
            plans,
            progress,
            stop_flag,
        ),
    }
}

/// Runs the fleet of `plans` with the quiet loop, if it suits it: the
/// CPython generator seeded with `seed`, one duration set for every taxi,
/// all three of its durations exponential, times and durations far from
/// the largest tick (`None` otherwise: run the engine's loop). With
/// `threads` of two or more, the durations are drawn ahead on a helper
/// thread ([`DrawsAhead`]).
#[allow(clippy::too_many_arguments)]
pub fn run(
    plans: impl ExactSizeIterator<Item = TaxiPlan>,
    duration_sets: &[PhaseDurations],
    seed: u64,
    end_time: Tick,
    max_events: u64,
    threads: usize,
    progress: impl FnMut(Tick, u64),
    stop_flag: &AtomicBool,
) -> Result<Option<(Outcome, Vec<TaxiRecord>)>, EngineError> {
    let Some(set) = duration_sets.first() else {
        return Ok(None);
    };
    let mean = |spec: DurationSpec| match spec {
        DurationSpec::Exponential { mean } => Some(mean),
        _ => None,
    };
    let (Some(search), Some(trip), Some(_)) =
        (mean(set.search), mean(set.trip), mean(set.going_home))
    else {
        return Ok(None);
    };
    check_fleet_size(plans.len())?;
    let plans: Vec<TaxiPlan> = plans.collect();
    let fits = |mean| Exponential::new(mean, false).longest_cpython_ticks() < LONGEST;
    if end_time > LATEST
        || !fits(search)
        || !fits(trip)
        || plans
            .iter()
            .any(|plan| plan.durations != 0 || plan.start_time > LATEST)
    {
        return Ok(None);
    }
    let horizon = horizon(duration_sets);
    let slots = slots_for(plans.len().div_ceil(64), horizon);
    if threads >= 2
        && let Some(ahead) = DrawsAhead::spawn(seed, search, trip)
    {
        let run = run_with(
            slots, plans, ahead, end_time, max_events, progress, stop_flag,
        );
        return Ok(Some(run));
    }
    let Some(draws) = DrawsHere::new(seed, search, trip) else {
        return Ok(None);
    };
    let run = run_with(
        slots, plans, draws, end_time, max_events, progress, stop_flag,
    );
    Ok(Some(run))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Event, Observer};
    use crate::models::book::taxi::{self, Taxi, TaxiAction, UNLIMITED_TRIPS};
    use proptest::prelude::*;

    /// Follows nothing: the engine's loop as `run -f none` drives it.
    struct Nothing;
    impl Observer<TaxiAction> for Nothing {
        type Error = std::convert::Infallible;
        fn on_event(&mut self, _: Event<TaxiAction>) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    fn book_with(search: f64, trip: f64, going_home: f64) -> PhaseDurations {
        PhaseDurations {
            search: DurationSpec::exponential(search),
            trip: DurationSpec::exponential(trip),
            going_home: DurationSpec::exponential(going_home),
        }
    }

    /// The engine's run of the same fleet: its outcome and its taxis' records.
    fn engine_run(
        plans: &[TaxiPlan],
        sets: &[PhaseDurations],
        seed: u64,
        end_time: Tick,
        max_events: u64,
    ) -> (Outcome, Vec<TaxiRecord>) {
        let rng = CpythonRandom::new(seed);
        let mut sim = taxi::simulator(plans.iter().copied(), sets, rng, true, end_time)
            .unwrap()
            .with_max_events(max_events);
        let outcome = sim.run(&mut Nothing, None).unwrap();
        (outcome, sim.processes().map(Taxi::record).collect())
    }

    fn quiet_run(
        plans: &[TaxiPlan],
        sets: &[PhaseDurations],
        seed: u64,
        end_time: Tick,
        max_events: u64,
        threads: usize,
    ) -> Option<(Outcome, Vec<TaxiRecord>)> {
        let never = AtomicBool::new(false);
        run(
            plans.iter().copied(),
            sets,
            seed,
            end_time,
            max_events,
            threads,
            |_, _| {},
            &never,
        )
        .unwrap()
    }

    fn plan(start_time: Tick, trips: u64) -> TaxiPlan {
        TaxiPlan {
            start_time,
            trips,
            durations: 0,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn the_quiet_loop_ends_as_the_engines_loop_does_with_the_same_statistics(
            seed in any::<u64>(),
            fleet in prop::collection::vec(
                (0u64..3_000, prop_oneof![0u64..5, Just(UNLIMITED_TRIPS)]),
                1..300,
            ),
            end_time in prop_oneof![1u64..200, 1u64..30_000],
            max_events in prop_oneof![Just(u64::MAX), 0u64..40_000],
            means in prop::array::uniform3(prop_oneof![
                0.01f64..3.0, 3.0f64..100.0, Just(300.0)
            ]),
            threads in 1usize..=2,
        ) {
            let plans: Vec<TaxiPlan> = fleet.iter().map(|&(start, trips)| plan(start, trips)).collect();
            let sets = [book_with(means[0], means[1], means[2])];
            let expected = engine_run(&plans, &sets, seed, end_time, max_events);
            let got = quiet_run(&plans, &sets, seed, end_time, max_events, threads)
                .expect("the book's kind of fleet runs quietly");
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn fleets_past_one_summary_word_and_far_events_run_as_in_the_engine() {
        // 4,200 taxis: two summary rows of the wheel; trips of mean 90 on
        // a wheel of 256 slots, so that some go far; both draw sources.
        let plans: Vec<TaxiPlan> = (0..4_200).map(|id| plan(id % 97, 1 + id % 3)).collect();
        let sets = [book_with(5.0, 90.0, 1.0)];
        assert_eq!(slots_for(4_200usize.div_ceil(64), horizon(&sets)), 1024);
        let few_slots = [book_with(5.0, 20.0, 1.0)];
        assert_eq!(slots_for(66, horizon(&few_slots)), 256);
        for sets in [sets, few_slots] {
            for (end_time, max_events) in
                [(u64::MAX >> 2, u64::MAX), (300, u64::MAX), (10_000, 20_001)]
            {
                let expected = engine_run(&plans, &sets, 3, end_time, max_events);
                for threads in [1, 2] {
                    let got = quiet_run(&plans, &sets, 3, end_time, max_events, threads);
                    assert_eq!(
                        got.as_ref(),
                        Some(&expected),
                        "{end_time} {max_events} {threads}"
                    );
                }
            }
        }
    }

    #[test]
    fn draws_made_on_the_helper_are_the_draws_made_here() {
        // Means whose tables have buckets of several steps and a long tail.
        let (search, trip) = (0.7, 300.0);
        let mut here = DrawsHere::new(12, search, trip).unwrap();
        let mut ahead = DrawsAhead::spawn(12, search, trip).expect("a helper thread starts");
        let mut here_block = Box::new([0; BLOCK_LEN]);
        let mut ahead_block = Box::new([0; BLOCK_LEN]);
        for round in 0..3 {
            here.refill(&mut here_block);
            ahead.refill(&mut ahead_block);
            for (index, (&mine, &theirs)) in here_block.iter().zip(ahead_block.iter()).enumerate() {
                for trip in [0, 1] {
                    assert_eq!(
                        ahead.ticks(theirs, trip),
                        here.ticks(mine, trip),
                        "block {round}, draw {index}, trip {trip}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_mean_whose_longest_draw_is_exactly_2_to_the_32_ticks_is_left_to_the_engine() {
        // The smallest mean whose longest draw is `LONGEST` ticks: such a
        // draw would not fit its half of a packed draw (`DrawsAhead`).
        let longest = |mean: f64| Exponential::new(mean, false).longest_cpython_ticks();
        let (mut low, mut high) = (1.0e8f64, 2.0e8f64);
        assert!(longest(low) < LONGEST && longest(high) >= LONGEST);
        while f64::from_bits(low.to_bits() + 1) < high {
            let mid = f64::from_bits((low.to_bits() + high.to_bits()) / 2);
            if longest(mid) < LONGEST {
                low = mid;
            } else {
                high = mid;
            }
        }
        assert_eq!(longest(high), LONGEST);
        assert_eq!(longest(low), LONGEST - 1);
        let plans = [plan(0, 2)];
        for (fits, mean) in [(true, low), (false, high)] {
            for sets in [[book_with(mean, 5.0, 1.0)], [book_with(5.0, mean, 1.0)]] {
                // Two threads: a mean this long has no step table for one.
                let got = quiet_run(&plans, &sets, 1, 100, u64::MAX, 2);
                assert_eq!(got.is_some(), fits, "{mean}");
            }
        }
    }

    #[test]
    fn means_without_a_step_table_run_quietly_on_two_threads_as_in_the_engine() {
        // No step table for these means: one thread leaves them to the
        // engine, two draw them ahead, far beyond the wheel.
        let plans: Vec<TaxiPlan> = (0..100).map(|id| plan(id, 3)).collect();
        let sets = [book_with(2_000.0, 5_000.0, 1.0)];
        assert!(DrawsHere::new(1, 2_000.0, 5_000.0).is_none());
        let expected = engine_run(&plans, &sets, 1, 1 << 40, u64::MAX);
        assert_eq!(
            quiet_run(&plans, &sets, 1, 1 << 40, u64::MAX, 2),
            Some(expected)
        );
        assert_eq!(quiet_run(&plans, &sets, 1, 1 << 40, u64::MAX, 1), None);
    }

    #[test]
    fn the_wheel_has_the_slots_the_durations_need_within_its_memory() {
        assert_eq!(slots_for(1, 1), 64);
        assert_eq!(slots_for(1, 64), 64);
        assert_eq!(slots_for(1, 65), 256);
        assert_eq!(slots_for(1, 256), 256);
        assert_eq!(slots_for(1, 257), 1024);
        // A row of 1,024 slots is 8 KB: 2,048 rows fit 16 MB, one more does not.
        assert_eq!(slots_for(2_048, 1_000), 1024);
        assert_eq!(slots_for(2_049, 1_000), 256);
        assert_eq!(slots_for(8_192, 1_000), 256);
        assert_eq!(slots_for(8_193, 1_000), 64);
        assert_eq!(slots_for(usize::MAX, 1_000), 64);
    }

    #[test]
    fn a_raised_stop_flag_stops_before_the_first_event_and_progress_is_heard() {
        // The outcome of two book taxis' run, and the progress reports heard.
        let run_with_flag = |flag: &AtomicBool| {
            let plans = [plan(0, 3), plan(5, 3)];
            let mut heard = Vec::new();
            let report = |now, events| heard.push((now, events));
            let quiet = run_quiet_loop(plans, report, flag);
            (quiet, heard)
        };
        let (quiet, heard) = run_with_flag(&AtomicBool::new(true));
        assert_eq!(quiet.reason, StopReason::Interrupted);
        assert_eq!((quiet.events, quiet.pending, quiet.sim_time), (0, 2, 0));
        assert!(heard.is_empty());
        let (quiet, heard) = run_with_flag(&AtomicBool::new(false));
        assert_eq!(quiet.reason, StopReason::EndOfEvents);
        assert_eq!(heard, [(quiet.sim_time, 16)]);
    }

    /// The outcome of the book's durations on `plans`, seed 1, end time
    /// 1,000, one thread.
    fn run_quiet_loop(
        plans: [TaxiPlan; 2],
        progress: impl FnMut(Tick, u64),
        stop_flag: &AtomicBool,
    ) -> Outcome {
        let sets = [PhaseDurations::BOOK];
        run(
            plans.into_iter(),
            &sets,
            1,
            1_000,
            u64::MAX,
            1,
            progress,
            stop_flag,
        )
        .unwrap()
        .unwrap()
        .0
    }

    #[test]
    fn fleets_of_other_kinds_are_left_to_the_engine() {
        let plans = [plan(0, 1)];
        let mut uniform = PhaseDurations::BOOK;
        uniform.going_home = DurationSpec::Uniform { min: 1.0, max: 3.0 };
        assert!(quiet_run(&plans, &[uniform], 1, 100, u64::MAX, 1).is_none());
        assert!(quiet_run(&plans, &[], 1, 100, u64::MAX, 1).is_none());
        // Another duration set in use, times near the largest tick, a mean
        // whose longest draw passes 2^32 ticks.
        let other = [TaxiPlan {
            durations: 1,
            ..plan(0, 1)
        }];
        let sets = [PhaseDurations::BOOK, PhaseDurations::BOOK];
        assert!(quiet_run(&other, &sets, 1, 100, u64::MAX, 1).is_none());
        assert!(quiet_run(&plans, &sets, 1, 100, u64::MAX, 1).is_some());
        assert!(quiet_run(&plans, &[PhaseDurations::BOOK], 1, LATEST + 1, u64::MAX, 1).is_none());
        assert!(quiet_run(&plans, &[PhaseDurations::BOOK], 1, LATEST, u64::MAX, 1).is_some());
        assert!(
            quiet_run(
                &[plan(LATEST + 1, 1)],
                &[PhaseDurations::BOOK],
                1,
                100,
                u64::MAX,
                1
            )
            .is_none()
        );
        assert!(
            quiet_run(
                &[plan(LATEST, 1)],
                &[PhaseDurations::BOOK],
                1,
                100,
                u64::MAX,
                1
            )
            .is_some()
        );
        assert!(quiet_run(&plans, &[book_with(5.0, 1e9, 1.0)], 1, 100, u64::MAX, 1).is_none());
    }
}
