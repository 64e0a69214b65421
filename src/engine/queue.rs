//! Event queues ordered by `(time, process id)`.
//!
//! [`EventQueue`] is the engine's queue: a timing wheel for the near future
//! and a binary heap for events further ahead. [`HeapQueue`] is the plain
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

const WHEEL_BITS: u32 = 10;
const WHEEL_SLOTS: usize = 1 << WHEEL_BITS;
const WHEEL_MASK: Tick = WHEEL_SLOTS as Tick - 1;
const BITMAP_WORDS: usize = WHEEL_SLOTS / 64;

/// Timing wheel with a heap for the far future.
///
/// Integer times and short durations mean that almost every event lands
/// within a few hundred ticks of now. Slot `t mod 1024` holds the ids of the
/// processes whose event is at time `t`, for every `t` in the window
/// `[now, now + 1024)`; events further ahead wait in a heap and move into the
/// wheel when the window reaches them. When time advances to a slot, its ids
/// are sorted once, which keeps the tie order by process id exact.
#[derive(Debug, Clone)]
pub struct EventQueue {
    /// Ids of the events at the current time, sorted; `head` is the next one.
    current: Vec<ProcId>,
    head: usize,
    /// The current time: every queued event is at or after it.
    now: Tick,
    slots: Vec<Vec<ProcId>>,
    /// Bit `s` is set when slot `s` is non-empty, to find the next time fast.
    occupied: [u64; BITMAP_WORDS],
    far: BinaryHeap<Reverse<(Tick, ProcId)>>,
    len: usize,
}

impl Default for EventQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl EventQueue {
    /// An empty queue whose current time is 0.
    pub fn new() -> Self {
        Self {
            current: Vec::new(),
            head: 0,
            now: 0,
            slots: vec![Vec::new(); WHEEL_SLOTS],
            occupied: [0; BITMAP_WORDS],
            far: BinaryHeap::new(),
            len: 0,
        }
    }

    /// Time of the next non-empty wheel slot after `now`, if any.
    fn next_wheel_time(&self) -> Option<Tick> {
        let start = ((self.now + 1) & WHEEL_MASK) as usize;
        // Scan the bitmap from `start` around the wheel once; the slot of
        // `now` itself is always empty (its ids live in `current`).
        let mut word_index = start / 64;
        let mut word = self.occupied[word_index] & (!0u64 << (start % 64));
        for _ in 0..=BITMAP_WORDS {
            if word != 0 {
                let slot = (word_index * 64 + word.trailing_zeros() as usize) as Tick;
                let offset = slot.wrapping_sub(self.now) & WHEEL_MASK;
                return Some(self.now + offset);
            }
            word_index = (word_index + 1) % BITMAP_WORDS;
            word = self.occupied[word_index];
        }
        None
    }

    #[inline]
    fn place(&mut self, time: Tick, proc_id: ProcId) {
        let slot = (time & WHEEL_MASK) as usize;
        self.slots[slot].push(proc_id);
        self.occupied[slot / 64] |= 1 << (slot % 64);
    }

    /// Moves the events at the next time into `current`. Needs `len > 0`.
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
        let slot = (next & WHEEL_MASK) as usize;
        self.current.clear();
        self.head = 0;
        std::mem::swap(&mut self.current, &mut self.slots[slot]);
        self.occupied[slot / 64] &= !(1 << (slot % 64));
        // The window moved: bring in the far events it now covers.
        while let Some(&Reverse((time, proc_id))) = self.far.peek() {
            // `next` is the smallest time queued, so `time - next` cannot underflow.
            if time - next >= WHEEL_SLOTS as Tick {
                break;
            }
            self.far.pop();
            if time == next {
                self.current.push(proc_id);
            } else {
                self.place(time, proc_id);
            }
        }
        if self.current.len() > 1 {
            self.current.sort_unstable();
        }
    }
}

impl Queue for EventQueue {
    #[inline]
    fn push(&mut self, time: Tick, proc_id: ProcId) {
        debug_assert!(time >= self.now, "event queued in the past");
        self.len += 1;
        if time == self.now {
            // Rare: an event at the current time joins the ids being drained.
            let pending = &self.current[self.head..];
            let at = self.head + pending.partition_point(|&id| id < proc_id);
            self.current.insert(at, proc_id);
        } else if time - self.now < WHEEL_SLOTS as Tick {
            self.place(time, proc_id);
        } else {
            self.far.push(Reverse((time, proc_id)));
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(Tick, ProcId)> {
        if self.len == 0 {
            return None;
        }
        if self.head == self.current.len() {
            self.advance();
        }
        let proc_id = self.current[self.head];
        self.head += 1;
        self.len -= 1;
        Some((self.now, proc_id))
    }

    fn peek_time(&self) -> Option<Tick> {
        if self.len == 0 {
            None
        } else if self.head < self.current.len() {
            Some(self.now)
        } else {
            let wheel = self.next_wheel_time();
            let far = self.far.peek().map(|Reverse((time, _))| *time);
            wheel.into_iter().chain(far).min()
        }
    }

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
        let mut queue = EventQueue::new();
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
        let mut queue = EventQueue::new();
        queue.push(7, 1);
        queue.push(7, 5);
        assert_eq!(queue.pop(), Some((7, 1)));
        queue.push(7, 3);
        queue.push(7, 9);
        assert_eq!(drain(&mut queue), [(7, 3), (7, 5), (7, 9)]);
    }

    #[test]
    fn far_events_are_found_after_the_wheel_wraps_around() {
        let mut queue = EventQueue::new();
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

    #[derive(Debug, Clone)]
    enum Op {
        Push { delay: Tick, id: ProcId },
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (prop_oneof![0..4u64, 0..40u64, 0..3000u64], 0..64u32)
                .prop_map(|(delay, id)| Op::Push { delay, id }),
            Just(Op::Pop),
        ]
    }

    proptest! {
        #[test]
        fn the_wheel_pops_exactly_what_the_heap_pops(ops in prop::collection::vec(op(), 0..400)) {
            let mut wheel = EventQueue::new();
            let mut heap = HeapQueue::new();
            let mut now = 0;
            for op in ops {
                match op {
                    Op::Push { delay, id } => {
                        wheel.push(now + delay, id);
                        heap.push(now + delay, id);
                    }
                    Op::Pop => {
                        prop_assert_eq!(wheel.peek_time(), heap.peek_time());
                        let popped = wheel.pop();
                        prop_assert_eq!(popped, heap.pop());
                        if let Some((time, _)) = popped {
                            now = time;
                        }
                    }
                }
                prop_assert_eq!(wheel.len(), heap.len());
            }
            prop_assert_eq!(drain(&mut wheel), drain(&mut heap));
        }
    }
}
