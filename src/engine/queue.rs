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

/// Process ids covered by one summary word.
const SUMMARY_IDS: usize = 64 * 64;

/// Timing wheel whose slots are bitmaps of process ids. A process has at
/// most one queued event, so a set of ids per time is enough.
///
/// Integer times and short durations mean that almost every event lands a
/// few dozen ticks ahead. Slot `t mod S` holds, as one bit per process id,
/// the processes whose event is at time `t`, for every `t` in the window
/// `[now, now + S)`; events further ahead wait in a heap and move into the
/// wheel when the window reaches them. Taking the lowest set bit gives the
/// tie order by process id for free: no sorting. A summary word per 64
/// bitmap words keeps the scan short for large fleets.
///
/// The simulator's loop works on a [`Session`], which holds the wheel's
/// few changing numbers by value so that they can live in registers.
#[derive(Debug, Clone)]
pub struct EventQueue {
    shape: Shape,
    position: Position,
    /// One block of [`Shape::stride`] words per slot, slot after slot: its
    /// summary words (bit `w` set when bitmap word `w` is non-zero), then its
    /// bitmap words (bit `i` set when process `i` has an event at the
    /// slot's time). An event touches one block; a slot is empty when its
    /// summary words are zero.
    table: Box<[u64]>,
    far: BinaryHeap<Reverse<(Tick, ProcId)>>,
}

/// The wheel's fixed dimensions.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Slots minus one (slots are a power of two).
    slot_mask: Tick,
    /// Summary words per slot.
    summaries: usize,
    /// Words per slot: summary words, then bitmap words.
    stride: usize,
}

impl Shape {
    /// Where the block of `time`'s slot starts in the table.
    #[inline(always)]
    fn base_of(self, time: Tick) -> usize {
        (time & self.slot_mask) as usize * self.stride
    }

    /// Marks `proc_id` due at `time`.
    #[inline(always)]
    fn place(self, table: &mut [u64], time: Tick, proc_id: ProcId) {
        let base = self.base_of(time);
        let word = proc_id as usize / 64;
        table[base + self.summaries + word] |= 1 << (proc_id % 64);
        table[base + word / 64] |= 1 << (word % 64);
    }

    fn is_empty_slot(self, table: &[u64], time: Tick) -> bool {
        table[self.base_of(time)..][..self.summaries]
            .iter()
            .all(|&word| word == 0)
    }

    /// Time of the first non-empty slot after `now`, if any. A linear scan:
    /// consecutive event times are usually a tick or two apart.
    fn next_wheel_time(self, table: &[u64], now: Tick) -> Option<Tick> {
        (1..=self.slot_mask)
            .map_while(|ahead| now.checked_add(ahead))
            .find(|&time| !self.is_empty_slot(table, time))
    }
}

/// Where the wheel stands: the numbers that change as events come and go.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    /// The current time: every queued event is at or after it.
    now: Tick,
    /// Where the current time's block starts in the table.
    base: usize,
    /// Summary word of the current slot where the next scan starts.
    cursor: usize,
    /// Events queued.
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
        let bytes_per_slot = Self::stride_for(processes) * size_of::<u64>();
        let fitting = (WHEEL_BYTES / bytes_per_slot).clamp(MIN_SLOTS, MAX_SLOTS);
        // No more slots than the delays need: a small wheel stays in cache.
        let wanted = usize::try_from(horizon)
            .unwrap_or(usize::MAX)
            .clamp(MIN_SLOTS, MAX_SLOTS)
            .next_power_of_two();
        wanted.min(1 << fitting.ilog2())
    }

    /// Summary words, then words for every process id.
    fn stride_for(processes: usize) -> usize {
        let words = processes.div_ceil(64).max(1);
        words.div_ceil(64) + words
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
        let stride = Self::stride_for(processes);
        Self {
            shape: Shape {
                slot_mask: slots as Tick - 1,
                summaries: processes.div_ceil(SUMMARY_IDS).max(1),
                stride,
            },
            position: Position::default(),
            table: vec![0; slots * stride].into_boxed_slice(),
            far: BinaryHeap::new(),
        }
    }

    /// Slots of the wheel: events this many ticks ahead or more wait in the heap.
    pub fn slots(&self) -> usize {
        self.shape.slot_mask as usize + 1
    }

    /// A session of pushes and pops; the queue is brought up to date when
    /// the session is dropped.
    #[inline(always)]
    pub fn session(&mut self) -> Session<'_> {
        Session {
            shape: self.shape,
            position: self.position,
            table: &mut self.table,
            far: &mut self.far,
            home: &mut self.position,
        }
    }
}

/// Pushes and pops on an [`EventQueue`], with the wheel's position held by
/// value: a run's hot loop keeps it in registers instead of reloading it
/// from memory after every store to the bitmaps.
#[derive(Debug)]
pub struct Session<'a> {
    shape: Shape,
    position: Position,
    table: &'a mut [u64],
    far: &'a mut BinaryHeap<Reverse<(Tick, ProcId)>>,
    home: &'a mut Position,
}

impl Drop for Session<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.home = self.position;
    }
}

/// Moves to the next event's time once the current time's events are all
/// taken, bringing in the far events the window now covers; `None` when no
/// event is left. Takes the position by value, so that the caller's copy
/// stays in registers.
#[cold]
#[inline(never)]
fn advance(
    shape: Shape,
    table: &mut [u64],
    far: &mut BinaryHeap<Reverse<(Tick, ProcId)>>,
    position: Position,
) -> Option<Position> {
    if position.len == 0 {
        return None;
    }
    // With every queued event far, no slot needs a look: a sparse fleet's
    // scan would cost each of its events every slot's summary words.
    let wheel = if far.len() == position.len {
        None
    } else {
        shape.next_wheel_time(table, position.now)
    };
    let far_time = far.peek().map(|Reverse((time, _))| *time);
    let next = match (wheel, far_time) {
        (Some(w), Some(f)) => w.min(f),
        (Some(w), None) => w,
        (None, Some(f)) => f,
        (None, None) => unreachable!("events are queued, in the wheel or the heap"),
    };
    while let Some(&Reverse((time, proc_id))) = far.peek() {
        // `next` is the smallest time queued, so this cannot underflow.
        if time - next > shape.slot_mask {
            break;
        }
        far.pop();
        shape.place(table, time, proc_id);
    }
    Some(Position {
        now: next,
        base: shape.base_of(next),
        cursor: 0,
        len: position.len,
    })
}

/// The time of the next event, without moving.
fn peek_time(
    shape: Shape,
    position: Position,
    table: &[u64],
    far: &BinaryHeap<Reverse<(Tick, ProcId)>>,
) -> Option<Tick> {
    if position.len == 0 {
        None
    } else if !shape.is_empty_slot(table, position.now) {
        Some(position.now)
    } else {
        let wheel = shape.next_wheel_time(table, position.now);
        let far = far.peek().map(|Reverse((time, _))| *time);
        wheel.into_iter().chain(far).min()
    }
}

/// The events due at one time whose process ids share one bitmap word,
/// taken out of an [`EventQueue`] together by [`Session::take_due`]: the
/// simulator walks them in a register instead of popping them one by one.
/// Hand it back with [`Session::settle`], which returns what was not taken.
#[derive(Debug)]
#[must_use = "a Due must be settled, or its events are lost"]
pub struct Due {
    time: Tick,
    /// Id of bit 0.
    first: ProcId,
    /// Process `first + i` is due for each set bit `i`.
    bits: u64,
    /// Events taken from it, and how many of those were queued again.
    taken: u64,
    requeued: u64,
}

impl Due {
    /// The time every event here is at.
    #[inline(always)]
    pub fn time(&self) -> Tick {
        self.time
    }

    /// Whether every event here has been taken.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// Events taken from it so far (requeued ones count each time).
    #[inline(always)]
    pub fn taken(&self) -> u64 {
        self.taken
    }

    /// Takes the due event with the smallest process id.
    #[inline(always)]
    pub fn take(&mut self) -> Option<ProcId> {
        if self.bits == 0 {
            return None;
        }
        let offset = self.bits.trailing_zeros();
        self.bits &= self.bits - 1;
        self.taken += 1;
        Some(self.first + offset)
    }

    /// Queues `proc_id`, a process of this word taken from it, again at
    /// [`Due::time`]: what pushing an event at the current time means while
    /// its word is out of the queue.
    #[inline(always)]
    pub fn requeue(&mut self, proc_id: ProcId) {
        let offset = proc_id.wrapping_sub(self.first);
        debug_assert!(offset < 64, "process {proc_id} is not in this word");
        self.bits |= 1 << (offset % 64);
        self.requeued += 1;
    }
}

impl Session<'_> {
    /// Takes out the events at the earliest queued time in the lowest
    /// bitmap word that has any; `None` when the queue is empty. Their order
    /// by process id is the order of the bits.
    #[inline(always)]
    pub fn take_due(&mut self) -> Option<Due> {
        let shape = self.shape;
        let mut at = self.position.cursor;
        // The first non-empty summary word from the cursor on; none left
        // means the current time is done. An empty queue is found there
        // too, off the hot path.
        while self.table[self.position.base + at] == 0 {
            at += 1;
            if at >= shape.summaries {
                self.position = advance(shape, self.table, self.far, self.position)?;
                at = 0;
            }
        }
        let position = &mut self.position;
        let summary = self.table[position.base + at];
        let word = at * 64 + summary.trailing_zeros() as usize;
        let bits = std::mem::take(&mut self.table[position.base + shape.summaries + word]);
        self.table[position.base + at] = summary & (summary - 1);
        position.cursor = at;
        Some(Due {
            time: position.now,
            first: (word * 64) as ProcId,
            bits,
            taken: 0,
            requeued: 0,
        })
    }

    /// Hands `due` back: the events not taken return to the queue.
    #[inline(always)]
    pub fn settle(&mut self, due: Due) {
        let position = &mut self.position;
        position.len -= (due.taken - due.requeued) as usize;
        if due.bits != 0 {
            debug_assert_eq!(due.time, position.now, "a due word outlived its time");
            let word = due.first as usize / 64;
            self.table[position.base + word / 64] |= 1 << (word % 64);
            self.table[position.base + self.shape.summaries + word] |= due.bits;
            position.cursor = position.cursor.min(word / 64);
        }
    }

    /// [`Queue::push`] of an event after the current time: no care needed
    /// for the slot being taken.
    #[inline(always)]
    pub fn push_later(&mut self, time: Tick, proc_id: ProcId) {
        debug_assert!(time > self.position.now, "push_later at the current time");
        self.push_unchecked(time, proc_id);
    }

    #[inline(always)]
    fn push_unchecked(&mut self, time: Tick, proc_id: ProcId) {
        let shape = self.shape;
        let position = &mut self.position;
        debug_assert!(time >= position.now, "event queued in the past");
        debug_assert!(
            (proc_id as usize) < (shape.stride - shape.summaries) * 64,
            "process id beyond the wheel"
        );
        position.len += 1;
        if time - position.now <= shape.slot_mask {
            shape.place(self.table, time, proc_id);
        } else {
            self.far.push(Reverse((time, proc_id)));
        }
    }
}

impl Queue for Session<'_> {
    #[inline(always)]
    fn push(&mut self, time: Tick, proc_id: ProcId) {
        self.push_unchecked(time, proc_id);
        if time == self.position.now {
            // An event at the current time may lie before the cursor.
            let position = &mut self.position;
            position.cursor = position.cursor.min(proc_id as usize / SUMMARY_IDS);
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<(Tick, ProcId)> {
        let mut due = self.take_due()?;
        let proc_id = due.take().expect("a due word holds an event");
        let time = due.time();
        self.settle(due);
        Some((time, proc_id))
    }

    fn peek_time(&self) -> Option<Tick> {
        peek_time(self.shape, self.position, self.table, self.far)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.position.len
    }
}

impl Queue for EventQueue {
    #[inline(always)]
    fn push(&mut self, time: Tick, proc_id: ProcId) {
        self.session().push(time, proc_id);
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<(Tick, ProcId)> {
        self.session().pop()
    }

    fn peek_time(&self) -> Option<Tick> {
        peek_time(self.shape, self.position, &self.table, &self.far)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.position.len
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
            // One summary word per slot, or several.
            processes in prop_oneof![Just(4096u32), Just(5000)],
        ) {
            let mut wheel = EventQueue::with_slots(processes as usize, slots);
            let mut heap = HeapQueue::new();
            // A process has at most one queued event: the wheel relies on it.
            let mut queued = std::collections::HashSet::new();
            let mut now = 0;
            for op in ops {
                match op {
                    Op::Push { delay, id } => {
                        let id = id % processes;
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

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn a_session_counts_the_events_queued_as_the_queue_does() {
        let mut queue = EventQueue::new(10);
        let mut session = queue.session();
        assert_eq!(session.len(), 0);
        session.push(4, 1);
        session.push(2000, 2);
        assert_eq!(session.len(), 2);
        assert_eq!(session.pop(), Some((4, 1)));
        assert_eq!(session.len(), 1);
        drop(session);
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn a_session_peeks_at_the_next_events_time_in_the_wheel_or_the_heap() {
        let mut queue = EventQueue::new(10);
        let mut session = queue.session();
        assert_eq!(session.peek_time(), None);
        session.push(2000, 2);
        assert_eq!(session.peek_time(), Some(2000));
        session.push(6, 1);
        assert_eq!(session.peek_time(), Some(6));
        assert_eq!(session.pop(), Some((6, 1)));
        assert_eq!(session.peek_time(), Some(2000));
    }
}
