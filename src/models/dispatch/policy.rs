//! Who gets which taxi. A policy remembers the idle taxis and the waiting
//! passengers; the world tells it who became idle or started waiting, and
//! asks it for matches. Entries may go stale (a taxi went home, a passenger
//! gave up): the world's `still_*` predicates tell, and a policy drops stale
//! entries as it meets them, so neither side needs a search to remove one.
//!
//! `fifo` is the only policy today; a spatial `nearest` policy would
//! implement the same trait with positions kept by the world.

use std::collections::VecDeque;

/// An idle taxi, as remembered by a policy: `stamp` tells this idle spell
/// from the taxi's later ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleTaxi {
    /// The taxi.
    pub taxi: u32,
    /// Its idle spell.
    pub stamp: u64,
}

/// A waiting passenger, as remembered by a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingPassenger {
    /// The passenger's agenda slot.
    pub slot: u32,
    /// Its serial number (slots are reused).
    pub serial: u64,
}

/// A dispatch policy.
pub trait DispatchPolicy {
    /// The policy's name in scenario files.
    fn name(&self) -> &'static str;
    /// `taxi` is idle and free to take a passenger.
    fn taxi_idle(&mut self, taxi: IdleTaxi);
    /// `passenger` found no taxi and waits.
    fn passenger_waits(&mut self, passenger: WaitingPassenger);
    /// A taxi for a passenger who has just requested, if any is idle.
    fn taxi_for_request(&mut self, still_idle: impl Fn(IdleTaxi) -> bool) -> Option<IdleTaxi>;
    /// A waiting passenger for `taxi`, which has just become free.
    fn passenger_for_taxi(
        &mut self,
        taxi: u32,
        still_waiting: impl Fn(WaitingPassenger) -> bool,
    ) -> Option<WaitingPassenger>;
}

/// First come, first served: the longest-waiting passenger goes to the
/// longest-idle taxi.
#[derive(Debug, Default)]
pub struct Fifo {
    idle: VecDeque<IdleTaxi>,
    waiting: VecDeque<WaitingPassenger>,
}

impl DispatchPolicy for Fifo {
    fn name(&self) -> &'static str {
        "fifo"
    }

    #[inline]
    fn taxi_idle(&mut self, taxi: IdleTaxi) {
        self.idle.push_back(taxi);
    }

    #[inline]
    fn passenger_waits(&mut self, passenger: WaitingPassenger) {
        self.waiting.push_back(passenger);
    }

    #[inline]
    fn taxi_for_request(&mut self, still_idle: impl Fn(IdleTaxi) -> bool) -> Option<IdleTaxi> {
        while let Some(taxi) = self.idle.pop_front() {
            if still_idle(taxi) {
                return Some(taxi);
            }
        }
        None
    }

    #[inline]
    fn passenger_for_taxi(
        &mut self,
        _taxi: u32,
        still_waiting: impl Fn(WaitingPassenger) -> bool,
    ) -> Option<WaitingPassenger> {
        while let Some(passenger) = self.waiting.pop_front() {
            if still_waiting(passenger) {
                return Some(passenger);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_is_named_as_in_scenario_files() {
        // `policy = "fifo"`, the default a scenario records.
        assert_eq!(Fifo::default().name(), "fifo");
    }

    #[test]
    fn fifo_matches_the_longest_waiting_and_longest_idle_skipping_stale_ones() {
        let mut fifo = Fifo::default();
        for taxi in [4, 2, 7] {
            fifo.taxi_idle(IdleTaxi { taxi, stamp: 1 });
        }
        let gone_home = |idle: IdleTaxi| idle.taxi != 4;
        assert_eq!(
            fifo.taxi_for_request(gone_home).map(|idle| idle.taxi),
            Some(2)
        );
        assert_eq!(
            fifo.taxi_for_request(gone_home).map(|idle| idle.taxi),
            Some(7)
        );
        assert_eq!(fifo.taxi_for_request(gone_home), None);
        for serial in 0..3 {
            fifo.passenger_waits(WaitingPassenger { slot: 9, serial });
        }
        let abandoned = |waiting: WaitingPassenger| waiting.serial != 0;
        assert_eq!(
            fifo.passenger_for_taxi(1, abandoned).map(|w| w.serial),
            Some(1)
        );
    }
}
