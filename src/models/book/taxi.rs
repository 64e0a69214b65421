//! The taxi model: each taxi is a resumable state machine implementing the
//! engine's [`Process`] protocol.
//!
//! A taxi leaves the garage, then `trips` times picks up and drops off a
//! passenger, then goes home. The book's console session drives one by hand:
//! it is resumed with the time of its next event and answers with the event.
//!
//! ```
//! use taxi_sim::engine::{Event, Process};
//! use taxi_sim::models::book::taxi::{Taxi, TaxiAction::*};
//!
//! let mut taxi = Taxi::new(13, 2, 0); // taxi_process(ident=13, trips=2, start_time=0)
//! assert_eq!(taxi.start(), Event::new(0, 13, LeaveGarage)); // next(taxi)
//! assert_eq!(taxi.resume(7), Some(Event::new(7, 13, PickUpPassenger))); // taxi.send(_.time + 7)
//! assert_eq!(taxi.resume(30), Some(Event::new(30, 13, DropOffPassenger)));
//! assert_eq!(taxi.resume(35), Some(Event::new(35, 13, PickUpPassenger)));
//! assert_eq!(taxi.resume(83), Some(Event::new(83, 13, DropOffPassenger)));
//! assert_eq!(taxi.resume(84), Some(Event::new(84, 13, GoingHome)));
//! assert_eq!(taxi.resume(94), None); // StopIteration: the process is finished
//! ```

use crate::distribution::{DurationSpec, TickSampler};
use crate::engine::{EngineError, Event, ProcId, Process, Simulator, Tick, Timing};
use crate::models::book::summary::{Summary, TaxiRecord};
use crate::rng::ahead::Ahead;
use crate::rng::{CpythonRandom, Exponential, RandomSource, whole_ticks};

/// What happens to a taxi. Serialized by its [`TaxiAction::key`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TaxiAction {
    /// Leaves the garage and starts prowling.
    LeaveGarage,
    /// Picks up a passenger: the trip starts.
    PickUpPassenger,
    /// Drops the passenger off and prowls again.
    DropOffPassenger,
    /// Goes home: the taxi's last event.
    GoingHome,
}

impl TaxiAction {
    /// Every action, in the order of a taxi's life.
    pub const ALL: [TaxiAction; 4] = [
        TaxiAction::LeaveGarage,
        TaxiAction::PickUpPassenger,
        TaxiAction::DropOffPassenger,
        TaxiAction::GoingHome,
    ];

    /// The book's wording: `leave garage`.
    pub const fn book_name(self) -> &'static str {
        match self {
            TaxiAction::LeaveGarage => "leave garage",
            TaxiAction::PickUpPassenger => "pick up passenger",
            TaxiAction::DropOffPassenger => "drop off passenger",
            TaxiAction::GoingHome => "going home",
        }
    }

    /// The machine-readable name used in logs: `leave_garage`.
    pub const fn key(self) -> &'static str {
        match self {
            TaxiAction::LeaveGarage => "leave_garage",
            TaxiAction::PickUpPassenger => "pick_up_passenger",
            TaxiAction::DropOffPassenger => "drop_off_passenger",
            TaxiAction::GoingHome => "going_home",
        }
    }

    /// The action whose [`TaxiAction::key`] is `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.key() == key)
    }

    /// The phase that follows this action, whose duration is drawn next.
    pub const fn next_phase(self) -> Phase {
        match self {
            TaxiAction::LeaveGarage | TaxiAction::DropOffPassenger => Phase::Search,
            TaxiAction::PickUpPassenger => Phase::Trip,
            TaxiAction::GoingHome => Phase::GoingHome,
        }
    }
}

/// A stretch of a taxi's life whose duration is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Prowling for a passenger (after leaving the garage or a drop-off).
    Search = 0,
    /// Driving a passenger.
    Trip = 1,
    /// After going home: drawn, as the book does, though no event follows.
    GoingHome = 2,
}

/// Trip count meaning "until the run ends".
pub const UNLIMITED_TRIPS: u64 = u64::MAX;

/// Where a taxi is in its life, named by the action of its queued event.
/// Started states come first: `2 * state` is their row in [`TRANSITIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum TaxiState {
    /// Leaving the garage is queued.
    Leaving = 0,
    /// Prowling: a pick-up is queued.
    Prowling = 1,
    /// Driving a passenger: a drop-off is queued.
    Driving = 2,
    /// Going home is queued.
    GoingHome = 3,
    /// Went home: the process has ended.
    Finished = 4,
    /// Not started yet.
    InGarage = 5,
}

/// What taking a taxi's queued event leads to: its next state, the action
/// of the event it answers with (`None`: the process ends), and whether
/// that event begins a trip (counted off the trips left).
// Four bytes, so that an entry's address is one scaled index.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(4))]
struct Transition {
    next: TaxiState,
    answer: Option<TaxiAction>,
    begins_trip: u8,
}

impl Transition {
    const fn to(next: TaxiState) -> Self {
        let answer = match next {
            TaxiState::Leaving => Some(TaxiAction::LeaveGarage),
            TaxiState::Prowling => Some(TaxiAction::PickUpPassenger),
            TaxiState::Driving => Some(TaxiAction::DropOffPassenger),
            TaxiState::GoingHome => Some(TaxiAction::GoingHome),
            TaxiState::Finished | TaxiState::InGarage => None,
        };
        Self {
            next,
            answer,
            begins_trip: matches!(next, TaxiState::Prowling) as u8,
        }
    }
}

/// The book's generator as a table, for `(state, has a trip left)` at
/// index `2 * state + has a trip left`. A table, not a `match`, because
/// which taxi comes next is random and a jump on its state would be
/// mispredicted half the time.
const TRANSITIONS: [Transition; 8] = [
    // Left the garage: go home, or prowl for the first passenger.
    Transition::to(TaxiState::GoingHome),
    Transition::to(TaxiState::Prowling),
    // Picked up a passenger.
    Transition::to(TaxiState::Driving),
    Transition::to(TaxiState::Driving),
    // Dropped the passenger off: go home, or prowl again.
    Transition::to(TaxiState::GoingHome),
    Transition::to(TaxiState::Prowling),
    // Went home: the process ends.
    Transition::to(TaxiState::Finished),
    Transition::to(TaxiState::Finished),
];

/// One taxi: the book's `taxi_process` generator as a state machine, with
/// its statistics kept beside its state: 56 bytes, so that with the
/// engine's byte a taxi is one cache line.
// In this order (`repr(C)`): with the two counters side by side, the
// compiler updates them with vector instructions, which costs more.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C)]
pub struct Taxi {
    /// Time of the queued event: when it is taken, the current time.
    queued_time: Tick,
    /// Trips to make in all: with the trips left and the state, this tells
    /// the events taken (see [`Taxi::events`]), which the event loop then
    /// need not count.
    trips: u64,
    /// Ticks occupied, and the time of the last event taken.
    last_time: Tick,
    occupied: Tick,
    trips_left: u64,
    start_time: Tick,
    ident: ProcId,
    state: TaxiState,
}

impl Taxi {
    /// Taxi `ident` that leaves the garage at `start_time` and makes `trips`
    /// trips ([`UNLIMITED_TRIPS`] for no limit).
    pub fn new(ident: ProcId, trips: u64, start_time: Tick) -> Self {
        Self {
            ident,
            state: TaxiState::InGarage,
            queued_time: start_time,
            start_time,
            trips,
            trips_left: trips,
            occupied: 0,
            last_time: start_time,
        }
    }

    /// Whether the taxi has gone home and been resumed once more.
    pub fn is_finished(&self) -> bool {
        self.state == TaxiState::Finished
    }

    /// Events taken so far. A taxi takes its events in a fixed order:
    /// leaving the garage, then a pick-up and a drop-off per trip, then
    /// going home; a trip is counted off when the taxi starts to prowl for
    /// its passenger. So with `begun` trips counted off, a prowling taxi has
    /// taken `2 * begun - 1` events, a driving one `2 * begun`, one going
    /// home `2 * begun + 1` (leaving with no trip: 1), a finished one
    /// `2 * begun + 2`.
    fn events(&self) -> u64 {
        let begun = self.trips.wrapping_sub(self.trips_left);
        match self.state {
            TaxiState::InGarage | TaxiState::Leaving => 0,
            TaxiState::Prowling => 2 * begun - 1,
            TaxiState::Driving => 2 * begun,
            TaxiState::GoingHome => 2 * begun + 1,
            TaxiState::Finished => 2 * begun + 2,
        }
    }

    /// The statistics of the events taken so far.
    pub fn record(&self) -> TaxiRecord {
        TaxiRecord {
            events: self.events(),
            occupied: self.occupied,
            left_at: self.start_time,
            last_time: self.last_time,
            // A drop-off is queued: the last event taken began a trip.
            driving: self.state == TaxiState::Driving,
            went_home: self.state == TaxiState::Finished,
        }
    }

    /// Resumed before being started, or after finishing: off the hot path.
    #[cold]
    fn resume_unstarted_or_finished(&mut self) -> Option<Event<TaxiAction>> {
        // Before being started, behave as started; once finished, stay so.
        (self.state == TaxiState::InGarage).then(|| self.start())
    }
}

impl Process for Taxi {
    type Action = TaxiAction;

    fn start(&mut self) -> Event<TaxiAction> {
        self.state = TaxiState::Leaving;
        self.queued_time = self.start_time;
        Event::new(self.start_time, self.ident, TaxiAction::LeaveGarage)
    }

    #[inline(always)]
    fn resume(&mut self, time: Tick) -> Option<Event<TaxiAction>> {
        let taken = self.state;
        if taken as u8 >= TaxiState::Finished as u8 {
            return self.resume_unstarted_or_finished();
        }
        // Being resumed means the queued event is being taken. A drop-off
        // ends an occupied stretch (no branch: the state is random).
        let trip_ended = u64::from(taken == TaxiState::Driving).wrapping_neg();
        self.occupied += (self.queued_time - self.last_time) & trip_ended;
        self.last_time = self.queued_time;
        let step = TRANSITIONS[(taken as usize & 3) * 2 + usize::from(self.trips_left > 0)];
        // Unlimited is u64::MAX: it is never counted down to zero in practice.
        self.trips_left -= u64::from(step.begins_trip);
        self.state = step.next;
        self.queued_time = time;
        Some(Event::new(time, self.ident, step.answer?))
    }
}

/// Durations of the three phases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseDurations {
    /// Prowling for a passenger.
    pub search: DurationSpec,
    /// A trip with a passenger.
    pub trip: DurationSpec,
    /// Drawn after going home.
    pub going_home: DurationSpec,
}

impl PhaseDurations {
    /// The book's: exponential with means 5, 20 and 1.
    pub const BOOK: PhaseDurations = PhaseDurations {
        search: DurationSpec::exponential(5.0),
        trip: DurationSpec::exponential(20.0),
        going_home: DurationSpec::exponential(1.0),
    };
}

/// One taxi's resolved plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxiPlan {
    /// When it leaves the garage.
    pub start_time: Tick,
    /// How many trips ([`UNLIMITED_TRIPS`] for no limit).
    pub trips: u64,
    /// Index into the fleet's duration sets.
    pub durations: usize,
}

/// Draws each taxi's durations from its phase samplers.
#[derive(Debug, Clone)]
pub struct TaxiTiming<R> {
    rng: R,
    /// The fleet's sampler for the phase after each action (set 0), kept
    /// inline and indexed by the action itself: most runs use nothing else.
    fleet: [TickSampler; 4],
    /// Samplers of the other duration sets (set `i + 1` at index `i`).
    other_sets: Vec<[TickSampler; 4]>,
    /// Duration set of each taxi; empty when every taxi uses set 0.
    set_of_taxi: Vec<u32>,
    /// Ticks that nearly every duration stays below.
    horizon: Tick,
}

impl<R: RandomSource> TaxiTiming<R> {
    /// Timing with the given duration sets (validated specs) and, when some
    /// taxis differ from set 0, each taxi's set.
    pub fn new(
        rng: R,
        sets: &[PhaseDurations],
        set_of_taxi: Vec<u32>,
        cpython_tables: bool,
    ) -> Self {
        let samplers = |set: &PhaseDurations| {
            // One sampler per phase (clones share a CPython table), then one
            // per action, for the phase the action begins.
            let by_phase = [set.search, set.trip, set.going_home]
                .map(|spec| TickSampler::new(&spec, cpython_tables));
            TaxiAction::ALL.map(|action| by_phase[action.next_phase() as usize].clone())
        };
        let (fleet, others) = sets
            .split_first()
            .expect("the fleet's duration set comes first");
        Self {
            rng,
            fleet: samplers(fleet),
            other_sets: others.iter().map(samplers).collect(),
            set_of_taxi,
            horizon: horizon(sets),
        }
    }
}

impl<R> TaxiTiming<R> {
    /// The same samplers drawing from `rng`: the tables are built once and
    /// shared, so a replication costs little beyond its events.
    pub fn with_rng<S>(&self, rng: S) -> TaxiTiming<S> {
        TaxiTiming {
            rng,
            fleet: self.fleet.clone(),
            other_sets: self.other_sets.clone(),
            set_of_taxi: self.set_of_taxi.clone(),
            horizon: self.horizon,
        }
    }
}

impl<R: RandomSource> Timing<TaxiAction> for TaxiTiming<R> {
    #[inline(always)]
    fn delay(&mut self, proc_id: ProcId, action: TaxiAction) -> Tick {
        let sampler = match self.set_of_taxi.get(proc_id as usize) {
            None | Some(0) => &self.fleet[action as usize],
            Some(&set) => &self.other_sets[set as usize - 1][action as usize],
        };
        sampler.ticks(&mut self.rng)
    }

    fn horizon(&self) -> Tick {
        self.horizon
    }
}

/// Ticks that nearly every duration of `sets` stays below.
pub(crate) fn horizon(sets: &[PhaseDurations]) -> Tick {
    sets.iter()
        .flat_map(|set| [set.search, set.trip, set.going_home])
        .map(|spec| whole_ticks(spec.rare_bound()))
        .max()
        .unwrap_or(1)
}

/// Bits of one action's duration in a packed draw of [`DurationsAhead`]:
/// a lane per action, so that taking an action's duration is one shift by
/// its number (three shifts and a mask fewer than a lane per phase, on the
/// event loop's critical path). Durations up to 65,535 ticks: exponential
/// means up to about 1,780 minutes.
const LANE_BITS: u32 = 16;
/// The phase whose duration the lane of each action holds: the lane of the
/// action numbered `i` is at bit `LANE_BITS * i`.
const LANE_PHASES: [usize; 4] = {
    let mut phases = [0; 4];
    let mut index = 0;
    while index < TaxiAction::ALL.len() {
        assert!(TaxiAction::ALL[index] as usize == index);
        phases[index] = TaxiAction::ALL[index].next_phase() as usize;
        index += 1;
    }
    phases
};

/// The book model's durations computed ahead on a helper thread: the
/// CPython generator with exponential durations and one duration set for
/// the whole fleet. Every event takes exactly one draw, in event order, and
/// the action only chooses which of the three phases' durations of that
/// draw applies; so the helper computes all three for each draw (the
/// generator and the step tables), packed into one word, and the event
/// loop keeps one load and a shift. Same draws, same tables, same events
/// as [`TaxiTiming`] with the same seed.
#[derive(Debug)]
pub struct DurationsAhead {
    draws: Ahead,
    horizon: Tick,
}

impl DurationsAhead {
    /// Starts the helper for the CPython generator seeded with `seed` and
    /// the durations `set`. `None` if a phase is not exponential, a
    /// duration may not fit its packed field, or no thread can be started.
    pub fn spawn(seed: u64, set: &PhaseDurations, horizon: Tick) -> Option<Self> {
        let mean = |spec: DurationSpec| match spec {
            DurationSpec::Exponential { mean } => Some(mean),
            _ => None,
        };
        let means = [mean(set.search)?, mean(set.trip)?, mean(set.going_home)?];
        // The check uses the formula, so the tables are built on the helper
        // thread, off the start-up's critical path; the tables are exact.
        let fits = means
            .iter()
            .all(|&mean| Exponential::new(mean, false).longest_cpython_ticks() < 1 << LANE_BITS);
        if !fits {
            return None;
        }
        let mut phases: Option<[Exponential; 3]> = None;
        let mut rng = CpythonRandom::new(seed);
        let draws = Ahead::spawn(move |block| {
            let [search, trip, going_home] =
                phases.get_or_insert_with(|| means.map(|mean| Exponential::new(mean, true)));
            for slot in block {
                let u = rng.next_53_bits();
                // Each phase's duration once, then into the lane of every
                // action it follows, with constant indexes (a loop over the
                // actions or a `map` over the phases measured 140
                // instructions a draw on the helper against 88: more than
                // the event loop's).
                let ticks = [
                    search.ticks_of_53_bits(u),
                    trip.ticks_of_53_bits(u),
                    going_home.ticks_of_53_bits(u),
                ];
                *slot = ticks[LANE_PHASES[0]]
                    | ticks[LANE_PHASES[1]] << LANE_BITS
                    | ticks[LANE_PHASES[2]] << (2 * LANE_BITS)
                    | ticks[LANE_PHASES[3]] << (3 * LANE_BITS);
            }
        })?;
        Some(Self { draws, horizon })
    }
}

impl Timing<TaxiAction> for DurationsAhead {
    #[inline(always)]
    fn delay(&mut self, _: ProcId, action: TaxiAction) -> Tick {
        Tick::from((self.draws.next_value() >> (LANE_BITS * action as u32)) as u16)
    }

    fn horizon(&self) -> Tick {
        self.horizon
    }
}

/// A taxi fleet ready to simulate.
pub type TaxiSimulator<R> = Simulator<Taxi, TaxiTiming<R>>;

/// The summary of a fleet's run so far (or that ended with `outcome`),
/// whatever its timing.
pub fn summary<T: Timing<TaxiAction>>(
    sim: &Simulator<Taxi, T>,
    outcome: &crate::engine::Outcome,
    minutes_per_tick: f64,
) -> Summary {
    Summary::from_records(sim.processes().map(Taxi::record), outcome, minutes_per_tick)
}

/// The taxis of `plans`, in id order, and each taxi's duration set (empty
/// when every taxi uses set 0).
fn fleet_taxis(
    plans: impl ExactSizeIterator<Item = TaxiPlan>,
) -> Result<(Vec<Taxi>, Vec<u32>), EngineError> {
    let count = plans.len();
    check_fleet_size(count)?;
    let mut taxis = Vec::with_capacity(count);
    let mut set_of_taxi = Vec::new();
    for (id, plan) in plans.enumerate() {
        if plan.durations != 0 && set_of_taxi.is_empty() {
            set_of_taxi = vec![0; count];
        }
        if !set_of_taxi.is_empty() {
            set_of_taxi[id] = plan.durations as u32;
        }
        taxis.push(Taxi::new(id as ProcId, plan.trips, plan.start_time));
    }
    Ok((taxis, set_of_taxi))
}

/// Refuses a fleet with more taxis than process ids, before any is built:
/// taxi `i` has id `i`, so the largest id, `ProcId::MAX`, is the last taxi
/// of the largest fleet.
pub(crate) fn check_fleet_size(count: usize) -> Result<(), EngineError> {
    if count > ProcId::MAX as usize {
        return Err(EngineError::TooManyProcesses(count));
    }
    Ok(())
}

/// Builds the simulator of a fleet: the taxis of `plans`, in id order.
pub fn simulator<R: RandomSource>(
    plans: impl ExactSizeIterator<Item = TaxiPlan>,
    duration_sets: &[PhaseDurations],
    rng: R,
    cpython_tables: bool,
    end_time: Tick,
) -> Result<TaxiSimulator<R>, EngineError> {
    let (taxis, timing) = fleet(plans, duration_sets, rng, cpython_tables)?;
    Simulator::new(taxis, timing, end_time)
}

/// The taxis of `plans`, in id order, and their timing: what a simulator is
/// built from. Replications build them once and clone them for each run
/// (see [`TaxiTiming::with_rng`]).
pub fn fleet<R: RandomSource>(
    plans: impl ExactSizeIterator<Item = TaxiPlan>,
    duration_sets: &[PhaseDurations],
    rng: R,
    cpython_tables: bool,
) -> Result<(Vec<Taxi>, TaxiTiming<R>), EngineError> {
    let (taxis, set_of_taxi) = fleet_taxis(plans)?;
    let timing = TaxiTiming::new(rng, duration_sets, set_of_taxi, cpython_tables);
    Ok((taxis, timing))
}

/// Builds the simulator of a fleet on the CPython generator seeded with
/// `seed`, its durations drawn ahead on a helper thread
/// ([`DurationsAhead`]); the run is the same as [`simulator`]'s. `None`
/// when the fleet does not suit it (several duration sets in use, or
/// durations that are not all exponential): build it with [`simulator`].
pub fn simulator_ahead(
    plans: impl ExactSizeIterator<Item = TaxiPlan>,
    duration_sets: &[PhaseDurations],
    seed: u64,
    end_time: Tick,
) -> Result<Option<Simulator<Taxi, DurationsAhead>>, EngineError> {
    let Some(fleet_set) = duration_sets.first() else {
        return Ok(None);
    };
    let exponential = |spec: DurationSpec| matches!(spec, DurationSpec::Exponential { .. });
    if ![fleet_set.search, fleet_set.trip, fleet_set.going_home]
        .into_iter()
        .all(exponential)
    {
        return Ok(None);
    }
    let (taxis, set_of_taxi) = fleet_taxis(plans)?;
    if !set_of_taxi.is_empty() {
        return Ok(None);
    }
    let Some(timing) = DurationsAhead::spawn(seed, fleet_set, horizon(duration_sets)) else {
        return Ok(None);
    };
    Simulator::new(taxis, timing, end_time).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taxi_with_no_trips_goes_home_after_leaving() {
        let mut taxi = Taxi::new(0, 0, 3);
        assert_eq!(taxi.start().action, TaxiAction::LeaveGarage);
        assert_eq!(
            taxi.resume(9).map(|e| e.action),
            Some(TaxiAction::GoingHome)
        );
        assert_eq!(taxi.resume(10), None);
        assert!(taxi.is_finished());
        assert_eq!(taxi.resume(11), None);
    }

    #[test]
    fn a_taxi_resumed_before_it_was_started_starts_as_if_started() {
        let mut taxi = Taxi::new(4, 1, 5);
        assert_eq!(
            taxi.resume(9),
            Some(Event::new(5, 4, TaxiAction::LeaveGarage))
        );
        // It goes on from there, as a started taxi does.
        assert_eq!(
            taxi.resume(12),
            Some(Event::new(12, 4, TaxiAction::PickUpPassenger))
        );
        assert_eq!(taxi.record().events, 1);
    }

    #[test]
    fn a_taxis_record_counts_every_event_taken_in_every_state() {
        for trips in [0, 1, 3, UNLIMITED_TRIPS] {
            let mut taxi = Taxi::new(0, trips, 2);
            assert_eq!(taxi.record().events, 0, "in the garage, {trips} trips");
            taxi.start();
            let mut taken = 0;
            for time in 3..20 {
                assert_eq!(taxi.record().events, taken, "{trips} trips, at {time}");
                let finished = taxi.is_finished();
                let answer = taxi.resume(time);
                // A finished taxi takes no more events.
                taken += u64::from(!finished);
                if answer.is_none() {
                    assert!(taxi.is_finished());
                }
            }
            let expected = if trips == UNLIMITED_TRIPS {
                17
            } else {
                2 * trips + 2
            };
            assert_eq!(taxi.record().events, expected, "{trips} trips");
        }
    }

    #[test]
    fn an_unlimited_taxi_keeps_driving() {
        let mut taxi = Taxi::new(1, UNLIMITED_TRIPS, 0);
        taxi.start();
        for step in 0..10_000 {
            let event = taxi.resume(step).unwrap();
            assert_ne!(event.action, TaxiAction::GoingHome);
        }
    }

    #[test]
    fn each_action_draws_the_duration_of_the_phase_it_begins() {
        let constant = |value| DurationSpec::Constant { value };
        let sets = [PhaseDurations {
            search: constant(3.0),
            trip: constant(7.0),
            going_home: constant(11.0),
        }];
        let mut timing = TaxiTiming::new(crate::rng::pcg64(1), &sets, Vec::new(), false);
        for action in TaxiAction::ALL {
            let expected = match action.next_phase() {
                Phase::Search => 4,
                Phase::Trip => 8,
                Phase::GoingHome => 12,
            };
            assert_eq!(timing.delay(0, action), expected, "{action:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn durations_drawn_ahead_give_the_same_run_as_durations_drawn_in_the_loop(
            seed in proptest::prelude::any::<u64>(),
            taxis in 1usize..300,
            trips in proptest::prop_oneof![0u64..4, proptest::strategy::Just(UNLIMITED_TRIPS)],
            end_time in 1u64..20_000,
            max_events in proptest::prop_oneof![proptest::strategy::Just(u64::MAX), 0u64..30_000],
            means in proptest::array::uniform3(proptest::prop_oneof![
                0.01f64..3.0, 3.0f64..100.0, proptest::strategy::Just(1_700.0)
            ]),
        ) {
            use crate::engine::{Observer, Outcome};
            struct Collect(Vec<Event<TaxiAction>>);
            impl Observer<TaxiAction> for Collect {
                type Error = std::convert::Infallible;
                fn on_event(&mut self, event: Event<TaxiAction>) -> Result<(), Self::Error> {
                    self.0.push(event);
                    Ok(())
                }
            }
            let sets = [PhaseDurations {
                search: DurationSpec::exponential(means[0]),
                trip: DurationSpec::exponential(means[1]),
                going_home: DurationSpec::exponential(means[2]),
            }];
            let plans = || (0..taxis).map(|id| TaxiPlan {
                start_time: id as Tick * 3,
                trips,
                durations: 0,
            });
            let run = |events: &mut Collect, outcome: Outcome, records: Vec<TaxiRecord>| {
                (std::mem::take(&mut events.0), outcome, records)
            };
            let mut single = simulator(
                plans(), &sets, CpythonRandom::new(seed), true, end_time,
            ).unwrap().with_max_events(max_events);
            let mut seen = Collect(Vec::new());
            let outcome = single.run(&mut seen, None).unwrap();
            let expected = run(&mut seen, outcome, single.processes().map(Taxi::record).collect());
            let mut helped = simulator_ahead(plans(), &sets, seed, end_time)
                .unwrap()
                .expect("exponential durations of one set are drawn ahead")
                .with_max_events(max_events);
            let outcome = helped.run(&mut seen, None).unwrap();
            let got = run(&mut seen, outcome, helped.processes().map(Taxi::record).collect());
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn fleets_with_other_laws_or_several_duration_sets_are_not_drawn_ahead() {
        let mut uniform = PhaseDurations::BOOK;
        uniform.trip = DurationSpec::Uniform { min: 1.0, max: 3.0 };
        let plan = |durations| TaxiPlan {
            start_time: 0,
            trips: 1,
            durations,
        };
        let ahead = |sets: &[PhaseDurations], plans: Vec<TaxiPlan>| {
            simulator_ahead(plans.into_iter(), sets, 1, 100)
                .unwrap()
                .is_some()
        };
        assert!(ahead(&[PhaseDurations::BOOK], vec![plan(0), plan(0)]));
        assert!(!ahead(&[uniform], vec![plan(0)]));
        assert!(!ahead(
            &[PhaseDurations::BOOK, uniform],
            vec![plan(0), plan(1)]
        ));
        // The longest draw of a mean (the smallest 53-bit draw: 36.74
        // times the mean) must fit a packed lane of 16 bits: a mean of
        // 1,780 does (65,392 ticks), one of 1,790 does not (65,760).
        let with_trip_mean = |mean| PhaseDurations {
            trip: DurationSpec::exponential(mean),
            ..PhaseDurations::BOOK
        };
        assert!(ahead(&[with_trip_mean(1_780.0)], vec![plan(0)]));
        assert!(!ahead(&[with_trip_mean(1_790.0)], vec![plan(0)]));
        // At the edge: 65,535 ticks fit, 65,536 would wrap to 0.
        let longest = |mean| Exponential::new(mean, false).longest_cpython_ticks();
        assert_eq!(longest(1_783.9), 65_535);
        assert!(ahead(&[with_trip_mean(1_783.9)], vec![plan(0)]));
        assert_eq!(longest(1_783.92), 65_536);
        assert!(!ahead(&[with_trip_mean(1_783.92)], vec![plan(0)]));
    }

    #[test]
    fn the_queue_is_sized_for_the_longest_rare_duration_of_every_set_and_phase() {
        // Rare bounds: ten exponential means, a constant, a uniform's max.
        let mut other = PhaseDurations::BOOK;
        other.going_home = DurationSpec::Uniform {
            min: 1.0,
            max: 450.5,
        };
        other.trip = DurationSpec::Constant { value: 7.0 };
        let horizon = |sets: &[PhaseDurations]| {
            TaxiTiming::new(crate::rng::pcg64(1), sets, vec![0, 1], false).horizon()
        };
        assert_eq!(horizon(&[PhaseDurations::BOOK]), 201);
        assert_eq!(horizon(&[PhaseDurations::BOOK, other]), 451);
        assert_eq!(horizon(&[other, PhaseDurations::BOOK]), 451);
        // Drawn ahead, the same.
        let plans = (0..2).map(|_| TaxiPlan {
            start_time: 0,
            trips: 1,
            durations: 0,
        });
        let ahead = simulator_ahead(plans, &[PhaseDurations::BOOK, other], 1, 100).unwrap();
        assert_eq!(ahead.unwrap().timing().horizon(), 451);
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_fleet_of_as_many_taxis_as_ids_fits_and_one_more_does_not() {
        assert!(check_fleet_size(ProcId::MAX as usize).is_ok());
        assert!(matches!(
            check_fleet_size(ProcId::MAX as usize + 1),
            Err(EngineError::TooManyProcesses(count)) if count == ProcId::MAX as usize + 1
        ));
    }

    #[test]
    fn a_fleet_with_more_taxis_than_ids_is_refused_before_any_is_built() {
        // Taxi ids are 32-bit: 2^32 taxis are one too many. The plans are
        // never drawn (the fleet would need 240 GB).
        let plans = (0..1usize << 32).map(|_| TaxiPlan {
            start_time: 0,
            trips: 1,
            durations: 0,
        });
        let built = simulator(
            plans,
            &[PhaseDurations::BOOK],
            crate::rng::pcg64(1),
            false,
            9,
        );
        assert!(
            matches!(built, Err(EngineError::TooManyProcesses(4_294_967_296))),
            "{:?}",
            built.err()
        );
    }

    #[test]
    fn action_keys_round_trip() {
        for action in TaxiAction::ALL {
            assert_eq!(TaxiAction::from_key(action.key()), Some(action));
        }
        assert_eq!(TaxiAction::from_key("leave garage"), None);
    }
}
