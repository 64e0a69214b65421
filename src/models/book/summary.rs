//! Run statistics per taxi and for the fleet, gathered from the events as
//! they stream by (memory grows with the fleet, not with the run).

use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::engine::{Event, Outcome, Tick};
use crate::models::book::taxi::TaxiAction;

/// What a run keeps of one taxi, enough for its [`TaxiSummary`]: every
/// gap between two of its events is either prowling or occupied, so the
/// occupied time and the span are enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaxiRecord {
    /// Events taken.
    pub events: u64,
    /// Ticks between pick-ups and their drop-offs.
    pub occupied: Tick,
    /// When it left the garage (meaningful once `events > 0`).
    pub left_at: Tick,
    /// Time of its last event taken.
    pub last_time: Tick,
    /// Whether its last event was a pick-up: a trip is under way.
    pub driving: bool,
    /// Whether its last event was going home.
    pub went_home: bool,
}

impl TaxiRecord {
    /// Records one event of this taxi, taken at `time`.
    pub fn record(&mut self, time: Tick, action: TaxiAction) {
        if action == TaxiAction::LeaveGarage {
            self.left_at = time;
        } else if action == TaxiAction::DropOffPassenger {
            self.occupied += time - self.last_time;
        }
        self.events += 1;
        self.last_time = time;
        self.driving = action == TaxiAction::PickUpPassenger;
        self.went_home = action == TaxiAction::GoingHome;
    }

    /// The figures of a run that ended at `end`.
    pub fn summary(&self, taxi: u64, end: Tick) -> TaxiSummary {
        if self.events == 0 {
            return TaxiSummary {
                taxi,
                trips: 0,
                events: 0,
                prowling: 0,
                occupied: 0,
                on_duty: 0,
                went_home: false,
            };
        }
        // The phase under way at the end of the run counts up to its end.
        let until = if self.went_home { self.last_time } else { end };
        let open_trip = if self.driving {
            until - self.last_time
        } else {
            0
        };
        let on_duty = until - self.left_at;
        let occupied = self.occupied + open_trip;
        TaxiSummary {
            taxi,
            // Leave, then a pick-up and a drop-off per trip, then maybe home.
            trips: (self.events - 1 - u64::from(self.went_home)) / 2,
            events: self.events,
            prowling: on_duty - occupied,
            occupied,
            on_duty,
            went_home: self.went_home,
        }
    }
}

/// Statistics of a fleet built from events, one [`TaxiRecord`] per taxi.
/// (A run keeps each taxi's record in the taxi itself, next to its state.)
#[derive(Debug, Clone)]
pub struct Tally {
    taxis: Vec<TaxiRecord>,
    minutes_per_tick: f64,
}

impl Tally {
    /// A tally for `taxis` taxis whose ticks stand for `minutes_per_tick` minutes.
    pub fn new(taxis: usize, minutes_per_tick: f64) -> Self {
        Self {
            taxis: vec![TaxiRecord::default(); taxis],
            minutes_per_tick,
        }
    }

    /// Records one event.
    pub fn record(&mut self, event: &Event<TaxiAction>) {
        self.taxis[event.proc_id as usize].record(event.time, event.action);
    }

    /// The summary of the run that ended with `outcome`.
    pub fn summary(&self, outcome: &Outcome) -> Summary {
        Summary::from_records(self.taxis.iter().copied(), outcome, self.minutes_per_tick)
    }
}

/// One taxi's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxiSummary {
    /// The taxi's id.
    pub taxi: u64,
    /// Drop-offs: trips completed.
    pub trips: u64,
    /// Events taken.
    pub events: u64,
    /// Ticks from leaving the garage or a drop-off to the next pick-up or going home.
    pub prowling: Tick,
    /// Ticks from a pick-up to the drop-off.
    pub occupied: Tick,
    /// Ticks from leaving the garage to going home, or to the end of the run.
    pub on_duty: Tick,
    /// Whether it went home.
    pub went_home: bool,
}

/// Fleet totals and ratios.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSummary {
    /// Taxis in the fleet.
    pub taxis: u64,
    /// Taxis that left the garage.
    pub taxis_started: u64,
    /// Taxis that went home.
    pub taxis_home: u64,
    /// Trips completed.
    pub trips: u64,
    /// Events taken.
    pub events: u64,
    /// Total prowling ticks (wider than a tick: a fleet's total can exceed one).
    pub prowling: u128,
    /// Total occupied ticks.
    pub occupied: u128,
    /// Total on-duty ticks.
    pub on_duty: u128,
    /// Mean over started taxis of occupied / on-duty time.
    pub mean_occupancy_share: f64,
    /// Trips completed per hour of on-duty taxi time.
    pub trips_per_taxi_hour: f64,
}

/// The statistics of a run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Fleet figures.
    pub fleet: FleetSummary,
    /// Per-taxi figures, by id.
    pub taxis: Vec<TaxiSummary>,
    /// Minutes per tick used for the hourly rate.
    pub minutes_per_tick: f64,
    /// Simulated time at the end.
    pub sim_time: Tick,
}

impl Summary {
    /// The summary of a run that ended with `outcome`, from each taxi's
    /// record in id order.
    pub fn from_records(
        records: impl Iterator<Item = TaxiRecord>,
        outcome: &Outcome,
        minutes_per_tick: f64,
    ) -> Self {
        let end = outcome.sim_time;
        let taxis = records
            .enumerate()
            .map(|(id, record)| record.summary(id as u64, end))
            .collect();
        Self::new(taxis, outcome, minutes_per_tick)
    }

    fn new(taxis: Vec<TaxiSummary>, outcome: &Outcome, minutes_per_tick: f64) -> Self {
        let mut fleet = FleetSummary {
            taxis: taxis.len() as u64,
            taxis_started: 0,
            taxis_home: 0,
            trips: 0,
            events: 0,
            prowling: 0,
            occupied: 0,
            on_duty: 0,
            mean_occupancy_share: 0.0,
            trips_per_taxi_hour: 0.0,
        };
        let mut share_sum = 0.0;
        for taxi in &taxis {
            fleet.trips += taxi.trips;
            fleet.events += taxi.events;
            fleet.prowling += u128::from(taxi.prowling);
            fleet.occupied += u128::from(taxi.occupied);
            fleet.on_duty += u128::from(taxi.on_duty);
            fleet.taxis_home += u64::from(taxi.went_home);
            if taxi.events > 0 {
                fleet.taxis_started += 1;
                if taxi.on_duty > 0 {
                    share_sum += taxi.occupied as f64 / taxi.on_duty as f64;
                }
            }
        }
        if fleet.taxis_started > 0 {
            fleet.mean_occupancy_share = share_sum / fleet.taxis_started as f64;
        }
        let on_duty_hours = fleet.on_duty as f64 * minutes_per_tick / 60.0;
        if on_duty_hours > 0.0 {
            fleet.trips_per_taxi_hour = fleet.trips as f64 / on_duty_hours;
        }
        Self {
            fleet,
            taxis,
            minutes_per_tick,
            sim_time: outcome.sim_time,
        }
    }

    /// A few lines for a person, printed on stderr after a run.
    pub fn short(&self) -> String {
        let fleet = &self.fleet;
        format!(
            "summary: {} ({} went home), {}, {} by time {}\n\
             summary: mean occupancy {:.1}%, {:.2} trips per taxi-hour",
            crate::stdio::counted(fleet.taxis, "taxi"),
            fleet.taxis_home,
            crate::stdio::counted(fleet.events, "event"),
            crate::stdio::counted(fleet.trips, "trip"),
            self.sim_time,
            fleet.mean_occupancy_share * 100.0,
            fleet.trips_per_taxi_hour
        )
    }
}

/// Serialized as `{"fleet": {...}, "taxis": [...]}`, streaming the taxis.
impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Taxis<'a>(&'a [TaxiSummary]);
        impl Serialize for Taxis<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for taxi in self.0 {
                    seq.serialize_element(taxi)?;
                }
                seq.end()
            }
        }
        let mut state = serializer.serialize_struct("summary", 4)?;
        state.serialize_field("minutes_per_tick", &self.minutes_per_tick)?;
        state.serialize_field("sim_time", &self.sim_time)?;
        state.serialize_field("fleet", &self.fleet)?;
        state.serialize_field("taxis", &Taxis(&self.taxis))?;
        state.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StopReason;
    use TaxiAction::*;

    fn outcome(sim_time: Tick) -> Outcome {
        Outcome {
            reason: StopReason::EndTime,
            sim_time,
            pending: 0,
            events: 0,
        }
    }

    #[test]
    fn the_book_console_taxi_prowls_and_drives_as_expected() {
        let mut tally = Tally::new(1, 1.0);
        for (time, action) in [
            (0, LeaveGarage),
            (7, PickUpPassenger),
            (30, DropOffPassenger),
            (35, PickUpPassenger),
            (83, DropOffPassenger),
            (84, GoingHome),
        ] {
            tally.record(&Event::new(time, 0, action));
        }
        let summary = tally.summary(&outcome(84));
        let taxi = summary.taxis[0];
        assert_eq!(
            (taxi.prowling, taxi.occupied, taxi.on_duty),
            (7 + 5 + 1, 23 + 48, 84)
        );
        assert_eq!((taxi.trips, taxi.events, taxi.went_home), (2, 6, true));
        assert_eq!(summary.fleet.trips_per_taxi_hour, 2.0 / (84.0 / 60.0));
    }

    #[test]
    fn an_unfinished_trip_counts_as_occupied_up_to_the_end() {
        let mut tally = Tally::new(2, 1.0);
        tally.record(&Event::new(0, 0, LeaveGarage));
        tally.record(&Event::new(4, 0, PickUpPassenger));
        let summary = tally.summary(&outcome(10));
        assert_eq!(
            (summary.taxis[0].prowling, summary.taxis[0].occupied),
            (4, 6)
        );
        assert_eq!(summary.taxis[0].on_duty, 10);
        assert_eq!(summary.taxis[1].on_duty, 0);
        assert_eq!(summary.fleet.taxis_started, 1);
        assert!((summary.fleet.mean_occupancy_share - 0.6).abs() < 1e-12);
    }
}
