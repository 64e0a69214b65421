//! The engine is generic: a shuttle bus on a fixed timetable runs on the
//! same event loop as the taxis, with its own process and timing.
//!
//! Two buses shuttle between a depot and three stops. Each leg takes a
//! fixed number of minutes from a timetable (no randomness at all), and bus
//! 1 starts 10 minutes after bus 0. `cargo test` runs this example and the
//! assertions below check the whole trajectory.

use taxi_sim::engine::{Event, Observer, ProcId, Process, Simulator, StopReason, Tick, Timing};

/// What happens to a bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BusAction {
    LeaveDepot,
    ArriveAt(u8),
    ReturnToDepot,
}

/// A bus: leaves the depot, calls at every stop in order, goes back.
struct Bus {
    id: ProcId,
    start: Tick,
    next_stop: u8,
    stops: u8,
    done: bool,
}

impl Process for Bus {
    type Action = BusAction;

    fn start(&mut self) -> Event<BusAction> {
        Event::new(self.start, self.id, BusAction::LeaveDepot)
    }

    fn resume(&mut self, time: Tick) -> Option<Event<BusAction>> {
        if self.done {
            return None;
        }
        let action = if self.next_stop < self.stops {
            self.next_stop += 1;
            BusAction::ArriveAt(self.next_stop)
        } else {
            self.done = true;
            BusAction::ReturnToDepot
        };
        Some(Event::new(time, self.id, action))
    }
}

/// Minutes of each leg, by the action that starts it.
struct Timetable;

impl Timing<BusAction> for Timetable {
    fn delay(&mut self, _bus: ProcId, action: BusAction) -> Tick {
        match action {
            BusAction::LeaveDepot => 4,
            BusAction::ArriveAt(stop) => 3 + Tick::from(stop),
            BusAction::ReturnToDepot => 0,
        }
    }
}

struct Log(Vec<(Tick, ProcId, BusAction)>);

impl Observer<BusAction> for Log {
    type Error = std::convert::Infallible;

    fn on_event(&mut self, event: Event<BusAction>) -> Result<(), Self::Error> {
        println!(
            "bus {} at {:>2}: {:?}",
            event.proc_id, event.time, event.action
        );
        self.0.push((event.time, event.proc_id, event.action));
        Ok(())
    }
}

fn main() {
    use BusAction::*;
    let buses = (0..2)
        .map(|id| Bus {
            id,
            start: Tick::from(id) * 10,
            next_stop: 0,
            stops: 3,
            done: false,
        })
        .collect();
    let mut sim = Simulator::new(buses, Timetable, 1_000).expect("two buses");
    let mut log = Log(Vec::new());
    let outcome = sim
        .run(&mut log, None)
        .expect("the timetable never overflows");

    assert_eq!(
        log.0,
        [
            (0, 0, LeaveDepot),
            (4, 0, ArriveAt(1)),
            (8, 0, ArriveAt(2)),
            (10, 1, LeaveDepot),
            (13, 0, ArriveAt(3)),
            (14, 1, ArriveAt(1)),
            (18, 1, ArriveAt(2)),
            (19, 0, ReturnToDepot),
            (23, 1, ArriveAt(3)),
            (29, 1, ReturnToDepot),
        ]
    );
    assert_eq!(outcome.reason, StopReason::EndOfEvents);
    assert_eq!(outcome.sim_time, 29);
    println!("{} events, as the timetable says", outcome.events);
}

#[cfg(test)]
mod tests {
    /// `cargo test` builds examples with the test harness: run the
    /// trajectory's assertions from here.
    #[test]
    fn the_shuttle_buses_follow_their_timetable() {
        super::main();
    }
}
