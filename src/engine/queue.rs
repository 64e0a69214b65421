//! Event queues ordered by `(time, process id)`.
//!
//! [`EventQueue`] is the engine's queue: a timing wheel of bitmaps for the
//! near future and a binary heap for events further ahead. [`HeapQueue`] is the plain
//! binary-heap reference it is tested and benchmarked against.
//!
//! Both give exactly the same order: smallest time first, ties broken by the
//! smaller process id. A process has at most one queued event, so the pair is
//! a total order and no insertion counter is needed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{ProcId, Tick};

/// The operations the simulator needs from a queue of `(time, process id)` keys.
pub trait Queue {
    /// Queues process `proc_id` at `time`. `time` must not lie before the
    /// time of the last event popped.
    fn push(&mut self, time: Tick, proc_id: ProcId);
    /// Removes and returns the smallest `(time, process id)`.
    fn pop(&mut self) -> Option<(Tick, ProcId)>;
    /// The time of the event [`Queue::pop`] would return next.
    fn peek_time(&self) -> Option<Tick>;
    /// How many events are queued.
    fn len(&self) -> usize;
    /// Whether no event is queued.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reference queue: a binary heap of packed keys.
#[derive(Debug, Default, Clone)]
pub struct HeapQueue {
    heap: BinaryHeap<Reverse<(Tick, ProcId)>>,
}

impl HeapQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Queue for HeapQueue {
    #[inline]
    fn push(&mut self, time: Tick, proc_id: ProcId) {
        self.heap.push(Reverse((time, proc_id)));
    }

    #[inline]
    fn pop(&mut self) -> Option<(Tick, ProcId)> {
        self.heap.pop().map(|Reverse(key)| key)
    }

    fn peek_time(&self) -> Option<Tick> {
        self.heap.peek().map(|Reverse((time, _))| *time)
    }

    fn len(&self) -> usize {
        self.heap.len()
    }
}

/// Most wheel slots: events up to 1023 ticks ahead go straight into the wheel.
const MAX_SLOTS: usize = 1024;
/// Fewest slots: huge fleets trade wheel reach for bitmap memory.
const MIN_SLOTS: usize = 8;
/// Memory the wheel's bitmaps may take beyond `MIN_SLOTS` slots.
const WHEEL_BYTES: usize = 16 << 20;

/// Timing wheel whose slots are bitmaps of process ids. A process has at
/// most one queued event, so a set of ids per time is enough.
///
/// Integer times and short durations mean that almost every event lands a
/// few dozen ticks ahead. Slot `t mod S` holds, as one bit per process id,
/// the processes whose event is at time `t`, for every `t` in the window
/// `[now, now + S)`; events further ahead wait in a heap and move into the
/// wheel when the window reaches them. Taking the lowest set bit gives the
/// tie order by process id for free: no sorting. A second bitmap level
/// (one bit per non-zero word) keeps the scan short for large fleets.
#[derive(Debug, Clone)]
pub struct EventQueue {
    slot_mask: Tick,
    /// Summary words per slot.
    summaries: usize,
    /// Words per slot: its summary words (bit `w` set when bitmap word `w`
    /// is non-zero), then its bitmap words (bit `i` set when process `i` has
    /// an event at the slot's time). One block per slot, so an event touches
    /// one place in memory; a slot is empty when its summary words are zero.
    stride: usize,
    table: Vec<u64>,
    /// The current time: every queued event is at or after it.
    now: Tick,
    /// Summary word of the current slot where the next scan starts.
    cursor: usize,
    far: BinaryHeap<Reverse<(Tick, ProcId)>>,
    len: usize,
}

impl Default for EventQueue {
    fn default() -> Self {
        Self::new(0)
    }
}

impl EventQueue {
    /// Slots for a fleet of `processes`: as many as fit the memory budget
    /// (a power of two), so about one byte per process at worst.
    fn slots_for(processes: usize, horizon: Tick) -> usize {
        let words = processes.div_ceil(64).max(1);
        let bytes_per_slot = (words + words.div_ceil(64)) * 8;
        let fitting = (WHEEL_BYTES / bytes_per_slot).clamp(MIN_SLOTS, MAX_SLOTS);
        // No more slots than the delays need: a small wheel stays in cache.
        let wanted = usize::try_from(horizon)
            .unwrap_or(usize::MAX)
            .clamp(MIN_SLOTS, MAX_SLOTS)
            .next_power_of_two();
        wanted.min(1 << fitting.ilog2())
    }

    /// An empty queue for process ids below `processes`, with wheel slots
    /// for delays up to about 1024 ticks.
    pub fn new(processes: usize) -> Self {
        Self::with_horizon(processes, MAX_SLOTS as Tick)
    }

    /// An empty queue for process ids below `processes` whose delays are
    /// nearly all below `horizon` ticks (longer ones are correct, but slower).
    pub fn with_horizon(processes: usize, horizon: Tick) -> Self {
        Self::with_slots(processes, Self::slots_for(processes, horizon))
    }

    /// An empty queue with `slots` wheel slots (a power of two).
    fn with_slots(processes: usize, slots: usize) -> Self {
        debug_assert!(slots.is_power_of_two());
        let words = processes.div_ceil(64).max(1);
        let summaries = words.div_ceil(64);
        let stride = summaries + words;
        Self {
            slot_mask: slots as Tick - 1,
            summaries,
            stride,
            table: vec![0; slots * stride],
            now: 0,
            cursor: 0,
            far: BinaryHeap::new(),
            len: 0,
        }
    }

    #[inline(always)]
    fn slot_of(&self, time: Tick) -> usize {
        (time & self.slot_mask) as usize
    }

    fn is_empty_slot(&self, slot: usize) -> bool {
        self.table[slot * self.stride..][..self.summaries]
            .iter()
            .all(|&word| word == 0)
    }

    #[inline(always)]
    fn place(&mut self, slot: usize, proc_id: ProcId) {
        let base = slot * self.stride;
        let word = proc_id as usize / 64;
        self.table[base + word / 64] |= 1 << (word % 64);
        self.table[base + self.summaries + word] |= 1 << (proc_id % 64);
    }

    /// Time of the next non-empty slot after `now`, if any. A linear scan:
    /// consecutive event times are usually a tick or two apart.
    fn next_wheel_time(&self) -> Option<Tick> {
        let slots = self.slots();
        let current = self.slot_of(self.now);
        let offset = (1..slots).position(|ahead| !self.is_empty_slot((current + ahead) % slots))?;
        Some(self.now + 1 + offset as Tick)
    }

    /// Moves time to the next event's time. Needs `len > 0`.
    #[cold]
    fn advance(&mut self) {
        let wheel = self.next_wheel_time();
        let far = self.far.peek().map(|Reverse((time, _))| *time);
        let next = match (wheel, far) {
            (Some(w), Some(f)) => w.min(f),
            (Some(w), None) => w,
            (None, Some(f)) => f,
            (None, None) => unreachable!("advance is only called on a non-empty queue"),
        };
        self.now = next;
        self.cursor = 0;
        // The window moved: bring in the far events it now covers.
        while let Some(&Reverse((time, proc_id))) = self.far.peek() {
            // `next` is the smallest time queued, so this cannot underflow.
            if time - next > self.slot_mask {
                break;
            }
            self.far.pop();
            let slot = self.slot_of(time);
            self.place(slot, proc_id);
        }
    }

    /// Slots of the wheel: events this many ticks ahead or more wait in the heap.
    pub fn slots(&self) -> usize {
        self.slot_mask as usize + 1
    }
}

impl Queue for EventQueue {
    #[inline(always)]
    fn push(&mut self, time: Tick, proc_id: ProcId) {
        debug_assert!(time >= self.now, "event queued in the past");
        debug_assert!(
            (proc_id as usize) < (self.stride - self.summaries) * 64,
            "process id beyond the wheel"
        );
        self.len += 1;
        if time - self.now <= self.slot_mask {
            let slot = self.slot_of(time);
            self.place(slot, proc_id);
            if time == self.now {
                // Rare: an event at the current time may lie before the cursor.
                self.cursor = self.cursor.min(proc_id as usize / 4096);
            }
        } else {
            self.far.push(Reverse((time, proc_id)));
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<(Tick, ProcId)> {
        if self.len == 0 {
            return None;
        }
        let summaries = self.summaries;
        let mut base = self.slot_of(self.now) * self.stride;
        let mut at = self.cursor;
        // The first non-empty summary word from the cursor on; none left
        // means the current time is done.
        while self.table[base + at] == 0 {
            at += 1;
            if at == summaries {
                self.advance();
                at = 0;
                base = self.slot_of(self.now) * self.stride;
            }
        }
        let summary = self.table[base + at];
        let word = at * 64 + summary.trailing_zeros() as usize;
        let bits = self.table[base + summaries + word];
        let remaining = bits & (bits - 1);
        self.table[base + summaries + word] = remaining;
        // Clear the summary bit when the word empties, without a branch: which
        // word empties next is as random as the taxis.
        self.table[base + at] = summary & !(u64::from(remaining == 0) << (word % 64));
        self.cursor = at;
        self.len -= 1;
        Some((self.now, (word * 64) as ProcId + bits.trailing_zeros()))
    }

    fn peek_time(&self) -> Option<Tick> {
        if self.len == 0 {
            None
        } else if !self.is_empty_slot(self.slot_of(self.now)) {
            Some(self.now)
        } else {
            let wheel = self.next_wheel_time();
            let far = self.far.peek().map(|Reverse((time, _))| *time);
            wheel.into_iter().chain(far).min()
        }
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn drain(queue: &mut impl Queue) -> Vec<(Tick, ProcId)> {
        std::iter::from_fn(|| queue.pop()).collect()
    }

    #[test]
    fn events_come_out_by_time_then_process_id() {
        let mut queue = EventQueue::new(10);
        for (time, id) in [(5, 2), (3, 9), (5, 1), (3, 0), (2000, 4), (5, 0)] {
            queue.push(time, id);
        }
        assert_eq!(
            drain(&mut queue),
            [(3, 0), (3, 9), (5, 0), (5, 1), (5, 2), (2000, 4)]
        );
    }

    #[test]
    fn an_event_pushed_at_the_current_time_keeps_the_id_order() {
        let mut queue = EventQueue::new(10);
        queue.push(7, 1);
        queue.push(7, 5);
        assert_eq!(queue.pop(), Some((7, 1)));
        queue.push(7, 3);
        queue.push(7, 9);
        assert_eq!(drain(&mut queue), [(7, 3), (7, 5), (7, 9)]);
    }

    #[test]
    fn far_events_are_found_after_the_wheel_wraps_around() {
        let mut queue = EventQueue::new(5);
        queue.push(1, 0);
        queue.push(1023, 1);
        queue.push(1024, 2);
        queue.push(5000, 3);
        queue.push(u64::MAX, 4);
        assert_eq!(queue.peek_time(), Some(1));
        assert_eq!(
            drain(&mut queue),
            [(1, 0), (1023, 1), (1024, 2), (5000, 3), (u64::MAX, 4)]
        );
        assert!(queue.is_empty());
        assert_eq!(queue.peek_time(), None);
    }

    #[test]
    fn huge_fleets_get_fewer_slots_and_the_same_order() {
        assert_eq!(EventQueue::new(1_000).slots(), 1024);
        assert_eq!(EventQueue::with_horizon(1_000, 200).slots(), 256);
        assert_eq!(EventQueue::with_horizon(1_000, 3).slots(), 8);
        assert_eq!(EventQueue::new(1_000_000).slots(), 128);
        assert_eq!(EventQueue::new(100_000_000).slots(), 8);
        let mut queue = EventQueue::new(100_000_000);
        queue.push(3, 99_999_999);
        queue.push(3, 5);
        assert_eq!(drain(&mut queue), [(3, 5), (3, 99_999_999)]);
    }

    #[test]
    fn ids_across_many_words_come_out_in_order() {
        let mut queue = EventQueue::new(300_000);
        let ids = [299_999, 0, 4095, 4096, 64, 63, 200_000];
        for id in ids {
            queue.push(9, id);
        }
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        assert_eq!(
            drain(&mut queue),
            sorted.iter().map(|&id| (9, id)).collect::<Vec<_>>()
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push { delay: Tick, id: ProcId },
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                prop_oneof![0..4u64, 0..40u64, 0..3000u64],
                prop_oneof![0..64u32, 0..5000u32]
            )
                .prop_map(|(delay, id)| Op::Push { delay, id }),
            Just(Op::Pop),
        ]
    }

    proptest! {
        #[test]
        fn the_wheel_pops_exactly_what_the_heap_pops(
            ops in prop::collection::vec(op(), 0..400),
            slots in prop_oneof![Just(8usize), Just(64), Just(1024)],
        ) {
            let mut wheel = EventQueue::with_slots(5000, slots);
            let mut heap = HeapQueue::new();
            // A process has at most one queued event: the wheel relies on it.
            let mut queued = std::collections::HashSet::new();
            let mut now = 0;
            for op in ops {
                match op {
                    Op::Push { delay, id } => {
                        if queued.insert(id) {
                            wheel.push(now + delay, id);
                            heap.push(now + delay, id);
                        }
                    }
                    Op::Pop => {
                        prop_assert_eq!(wheel.peek_time(), heap.peek_time());
                        let popped = wheel.pop();
                        prop_assert_eq!(popped, heap.pop());
                        if let Some((time, id)) = popped {
                            now = time;
                            queued.remove(&id);
                        }
                    }
                }
                prop_assert_eq!(wheel.len(), heap.len());
            }
            prop_assert_eq!(drain(&mut wheel), drain(&mut heap));
        }
    }
}
