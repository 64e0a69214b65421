//! The agenda: a second engine, beside the book's [`super::Simulator`], for
//! models whose processes wait on each other.
//!
//! Each live process has an id and at most one pending timer. A process can
//! schedule, replace or cancel any process's timer (a pick-up cancels the
//! passenger's patience), and processes come and go during the run: ids are
//! reused through a free list, so memory follows the live processes, not the
//! run's length.
//!
//! Time is `f64` minutes, exact as drawn (no rounding to ticks).
//!
//! **Tie order**: timers due at the same time fire in the order they were
//! scheduled (a global sequence number taken by every [`Agenda::schedule`]
//! call, including one that replaces a timer). So the order of events never
//! depends on ids, slot reuse or the heap's layout.
//!
//! The timers live in an indexed binary heap: `schedule`, `cancel`, `remove`
//! and [`Agenda::pop`] are O(log n) in the number of pending timers.
//!
//! **Popped root**: [`Agenda::pop`] leaves the timer it takes at the heap's
//! root, marked taken, and removes it only at the next `pop`. A taken timer
//! is due now with the smallest sequence number, so it stays before every
//! timer scheduled after it and the heap's order holds around it; when the
//! handler schedules the same process again (a request schedules the next
//! one, a drop-off the taxi's next trip), the new timer overwrites the root
//! and sinks once, instead of a removal sinking one entry and an insertion
//! raising another. The order of timers is the same either way: it is set by
//! (time, sequence) alone.

/// Simulated time in minutes.
pub type Time = f64;
/// A process's id: a slot of the agenda, reused after [`Agenda::remove`].
pub type Id = u32;

const NOT_QUEUED: u32 = u32::MAX;

/// A timer that came due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Due<A> {
    /// When.
    pub time: Time,
    /// Whose timer.
    pub id: Id,
    /// What it was scheduled for.
    pub action: A,
}

#[derive(Debug, Clone, Copy)]
struct Entry<A> {
    time: Time,
    sequence: u64,
    id: Id,
    action: A,
}

impl<A> Entry<A> {
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        self.time < other.time || (self.time == other.time && self.sequence < other.sequence)
    }
}

/// A model driven by an [`Agenda`].
pub trait EventModel {
    /// What a timer carries.
    type Action: Copy;
    /// Adds the first processes and timers.
    fn start(&mut self, agenda: &mut Agenda<Self::Action>);
    /// Handles a timer that came due (the agenda's time is already its time).
    fn handle(&mut self, due: Due<Self::Action>, agenda: &mut Agenda<Self::Action>);
}

/// Pending timers of live processes, and the current time.
#[derive(Debug, Clone)]
pub struct Agenda<A> {
    now: Time,
    sequence: u64,
    heap: Vec<Entry<A>>,
    /// Per id: its timer's position in `heap`, or `NOT_QUEUED`.
    position: Vec<u32>,
    live: Vec<bool>,
    free: Vec<Id>,
    /// Whether `heap[0]` is the timer the last [`Agenda::pop`] took, kept
    /// there until the next pop (see the module's "popped root").
    root_taken: bool,
}

impl<A: Copy> Default for Agenda<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Copy> Agenda<A> {
    /// An empty agenda at time 0.
    pub fn new() -> Self {
        Self {
            now: 0.0,
            sequence: 0,
            heap: Vec::new(),
            position: Vec::new(),
            live: Vec::new(),
            free: Vec::new(),
            root_taken: false,
        }
    }

    /// The current time: that of the last timer taken.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Pending timers.
    #[inline]
    pub fn pending(&self) -> usize {
        self.heap.len() - usize::from(self.root_taken)
    }

    /// Ids ever allocated (live or free): the agenda's memory.
    pub fn slots(&self) -> usize {
        self.live.len()
    }

    /// Live processes.
    pub fn live(&self) -> usize {
        self.live.len() - self.free.len()
    }

    /// Whether `id` is a live process.
    pub fn is_live(&self, id: Id) -> bool {
        self.live.get(id as usize).copied().unwrap_or(false)
    }

    /// A new process, with no timer; reuses the most recently freed id.
    pub fn add(&mut self) -> Id {
        if let Some(id) = self.free.pop() {
            self.live[id as usize] = true;
            return id;
        }
        let id = Id::try_from(self.live.len()).expect("fewer than 2^32 live processes");
        assert!(id != NOT_QUEUED, "fewer than 2^32 - 1 live processes");
        self.live.push(true);
        self.position.push(NOT_QUEUED);
        id
    }

    /// Ends process `id`: cancels its timer and frees its id for reuse.
    pub fn remove(&mut self, id: Id) {
        assert!(
            self.is_live(id),
            "remove of process {id}, which is not live"
        );
        self.cancel(id);
        self.live[id as usize] = false;
        self.free.push(id);
    }

    /// Sets `id`'s timer to fire at `at` with `action`, replacing any timer
    /// it had. `at` must not be before [`Agenda::now`] (nor NaN).
    pub fn schedule(&mut self, id: Id, at: Time, action: A) {
        assert!(
            self.is_live(id),
            "schedule for process {id}, which is not live"
        );
        assert!(
            at >= self.now,
            "timer at {at} is before the current time {}",
            self.now
        );
        let entry = Entry {
            time: at,
            sequence: self.sequence,
            id,
            action,
        };
        self.sequence += 1;
        if self.is_taken_root(id) {
            // At or after the taken timer's time, so it can only sink.
            self.root_taken = false;
            self.heap[0] = entry;
            self.sift_down(0);
            return;
        }
        let at_position = self.position[id as usize];
        if at_position == NOT_QUEUED {
            self.heap.push(entry);
            self.sift_up(self.heap.len() - 1);
        } else {
            let index = at_position as usize;
            self.heap[index] = entry;
            // The new key may be earlier or later than the old one.
            let index = self.sift_up(index);
            self.sift_down(index);
        }
    }

    /// Cancels `id`'s timer; returns whether it had one.
    pub fn cancel(&mut self, id: Id) -> bool {
        let at_position = self.position[id as usize];
        if at_position == NOT_QUEUED || self.is_taken_root(id) {
            return false;
        }
        self.take_at(at_position as usize);
        true
    }

    /// When `id`'s timer is due, if it has one.
    pub fn due_time(&self, id: Id) -> Option<Time> {
        match self.position.get(id as usize) {
            Some(&index) if index != NOT_QUEUED && !self.is_taken_root(id) => {
                Some(self.heap[index as usize].time)
            }
            _ => None,
        }
    }

    /// Whether `id`'s entry is the root the last pop took (not pending).
    #[inline(always)]
    fn is_taken_root(&self, id: Id) -> bool {
        self.root_taken && self.heap[0].id == id
    }

    /// The time of the next timer, without taking it.
    #[inline]
    pub fn next_time(&self) -> Option<Time> {
        if !self.root_taken {
            return self.heap.first().map(|entry| entry.time);
        }
        // The next timer is the earlier of the taken root's children.
        match (self.heap.get(1), self.heap.get(2)) {
            (Some(left), Some(right)) if right.before(left) => Some(right.time),
            (Some(left), _) => Some(left.time),
            _ => None,
        }
    }

    /// Takes the next timer and advances the time to it.
    #[inline]
    pub fn pop(&mut self) -> Option<Due<A>> {
        if self.root_taken {
            self.root_taken = false;
            self.take_at(0);
        }
        let entry = *self.heap.first()?;
        self.root_taken = true;
        self.now = entry.time;
        Some(Due {
            time: entry.time,
            id: entry.id,
            action: entry.action,
        })
    }

    fn take_at(&mut self, index: usize) -> Entry<A> {
        let last = self.heap.len() - 1;
        self.heap.swap(index, last);
        let entry = self.heap.pop().expect("the heap holds the entry");
        self.position[entry.id as usize] = NOT_QUEUED;
        if index < self.heap.len() {
            self.position[self.heap[index].id as usize] = index as u32;
            let index = self.sift_up(index);
            self.sift_down(index);
        }
        entry
    }

    #[inline]
    fn sift_up(&mut self, mut index: usize) -> usize {
        let entry = self.heap[index];
        while index > 0 {
            let parent = (index - 1) / 2;
            if !entry.before(&self.heap[parent]) {
                break;
            }
            self.heap[index] = self.heap[parent];
            self.position[self.heap[index].id as usize] = index as u32;
            index = parent;
        }
        self.heap[index] = entry;
        self.position[entry.id as usize] = index as u32;
        index
    }

    #[inline]
    fn sift_down(&mut self, mut index: usize) {
        let entry = self.heap[index];
        let len = self.heap.len();
        loop {
            let left = 2 * index + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&entry) {
                break;
            }
            self.heap[index] = self.heap[child];
            self.position[self.heap[index].id as usize] = index as u32;
            index = child;
        }
        self.heap[index] = entry;
        self.position[entry.id as usize] = index as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn timers_fire_in_time_order_and_ties_in_scheduling_order() {
        let mut agenda = Agenda::new();
        let a = agenda.add();
        let b = agenda.add();
        let c = agenda.add();
        agenda.schedule(c, 5.0, 'c');
        agenda.schedule(b, 5.0, 'b');
        agenda.schedule(a, 1.5, 'a');
        let order: Vec<char> = std::iter::from_fn(|| agenda.pop().map(|due| due.action)).collect();
        assert_eq!(order, ['a', 'c', 'b']);
        assert_eq!(agenda.now(), 5.0);
    }

    #[test]
    fn a_cancelled_timer_never_fires_and_a_replaced_one_fires_once() {
        let mut agenda = Agenda::new();
        let a = agenda.add();
        let b = agenda.add();
        agenda.schedule(a, 3.0, 1);
        agenda.schedule(b, 4.0, 2);
        assert!(agenda.cancel(a));
        assert!(!agenda.cancel(a));
        agenda.schedule(b, 2.0, 3);
        assert_eq!(
            agenda.pop(),
            Some(Due {
                time: 2.0,
                id: b,
                action: 3
            })
        );
        assert_eq!(agenda.pop(), None);
    }

    #[test]
    fn removed_ids_are_reused_so_slots_follow_the_live_processes() {
        let mut agenda = Agenda::<()>::new();
        for round in 0..1000 {
            let id = agenda.add();
            agenda.schedule(id, f64::from(round), ());
            agenda.remove(id);
        }
        assert_eq!(agenda.slots(), 1);
        assert_eq!(agenda.pending(), 0);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add,
        Remove(usize),
        Schedule(usize, u8),
        Cancel(usize),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => Just(Op::Add),
            1 => any::<usize>().prop_map(Op::Remove),
            4 => (any::<usize>(), any::<u8>()).prop_map(|(who, delay)| Op::Schedule(who, delay)),
            1 => any::<usize>().prop_map(Op::Cancel),
            3 => Just(Op::Pop),
        ]
    }

    /// The plain reference: a map ordered by (time, sequence).
    #[derive(Default)]
    struct Reference {
        now: f64,
        sequence: u64,
        timers: BTreeMap<(u64, u64), (Id, u32)>,
        by_id: BTreeMap<Id, (u64, u64)>,
    }

    impl Reference {
        fn schedule(&mut self, id: Id, at: f64, action: u32) {
            self.cancel(id);
            let key = (at.to_bits(), self.sequence);
            self.sequence += 1;
            self.timers.insert(key, (id, action));
            self.by_id.insert(id, key);
        }
        fn cancel(&mut self, id: Id) -> bool {
            match self.by_id.remove(&id) {
                Some(key) => self.timers.remove(&key).is_some(),
                None => false,
            }
        }
        fn pop(&mut self) -> Option<Due<u32>> {
            let (&key, &(id, action)) = self.timers.iter().next()?;
            self.timers.remove(&key);
            self.by_id.remove(&id);
            self.now = f64::from_bits(key.0);
            Some(Due {
                time: self.now,
                id,
                action,
            })
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn the_agenda_behaves_like_a_sorted_map(ops in proptest::collection::vec(op(), 1..300)) {
            let mut agenda = Agenda::<u32>::new();
            let mut reference = Reference::default();
            let mut live: Vec<Id> = Vec::new();
            let mut peak_live = 0;
            for (step, op) in ops.into_iter().enumerate() {
                let step = step as u32;
                match op {
                    Op::Add => {
                        let id = agenda.add();
                        prop_assert!(!live.contains(&id));
                        prop_assert!(!reference.by_id.contains_key(&id));
                        live.push(id);
                        peak_live = peak_live.max(live.len());
                    }
                    Op::Remove(pick) if !live.is_empty() => {
                        let id = live.swap_remove(pick % live.len());
                        agenda.remove(id);
                        reference.cancel(id);
                    }
                    Op::Schedule(pick, delay) if !live.is_empty() => {
                        let id = live[pick % live.len()];
                        // Quarter-minute steps make ties frequent.
                        let at = reference.now + f64::from(delay % 16) * 0.25;
                        agenda.schedule(id, at, step);
                        reference.schedule(id, at, step);
                    }
                    Op::Cancel(pick) if !live.is_empty() => {
                        let id = live[pick % live.len()];
                        prop_assert_eq!(agenda.cancel(id), reference.cancel(id));
                    }
                    Op::Pop => {
                        prop_assert_eq!(agenda.pop(), reference.pop());
                    }
                    _ => {}
                }
                prop_assert_eq!(agenda.pending(), reference.timers.len());
                prop_assert_eq!(agenda.next_time(), reference.timers.keys().next().map(|key| f64::from_bits(key.0)));
                prop_assert_eq!(agenda.live(), live.len());
                prop_assert!(agenda.slots() <= peak_live);
                for &id in &live {
                    let expected = reference.by_id.get(&id).map(|key| f64::from_bits(key.0));
                    prop_assert_eq!(agenda.due_time(id), expected);
                }
            }
            while let Some(due) = reference.pop() {
                prop_assert_eq!(agenda.pop(), Some(due));
            }
            prop_assert_eq!(agenda.pop(), None);
        }
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;

    #[test]
    fn only_an_added_process_not_yet_removed_is_live() {
        let mut agenda = Agenda::<()>::new();
        assert!(!agenda.is_live(0), "no id is live before an add");
        let first = agenda.add();
        assert!(agenda.is_live(first));
        assert!(!agenda.is_live(first + 1), "an id never allocated");
        agenda.remove(first);
        assert!(!agenda.is_live(first), "a removed id, kept as a slot");
        assert_eq!(agenda.slots(), 1);
    }

    #[test]
    #[should_panic(expected = "which is not live")]
    fn scheduling_a_removed_process_is_refused() {
        let mut agenda = Agenda::new();
        let gone = agenda.add();
        agenda.remove(gone);
        agenda.schedule(gone, 1.0, ());
    }

    #[test]
    #[should_panic(expected = "which is not live")]
    fn removing_a_process_twice_is_refused() {
        let mut agenda = Agenda::<()>::new();
        let gone = agenda.add();
        agenda.remove(gone);
        agenda.remove(gone);
    }
}
