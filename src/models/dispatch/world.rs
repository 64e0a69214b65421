//! The dispatch model on the [`Agenda`]: taxis on shifts, passengers with
//! patience, a demand source and a [`DispatchPolicy`].
//!
//! Agenda ids: taxis are `0..taxis`, the demand source is `taxis`, and
//! waiting passengers take the ids after, reused as they leave. A taxi's
//! timer is its leave-garage, drop-off or shift-end time; an idle taxi
//! whose shift lasts the whole run has none. A waiting passenger's timer is
//! their patience; the pick-up cancels it.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::demand::Arrivals;
use super::draws::{Draws, RealSampler, Stream};
use super::policy::{DispatchPolicy, IdleTaxi, WaitingPassenger};
use super::scenario::DispatchScenario;
use super::summary::{DispatchSummary, Tally};
use crate::engine::StopReason;
use crate::engine::agenda::{Agenda, Due, Id};

/// What happens in the dispatch model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchAction {
    /// A taxi goes on duty.
    LeaveGarage,
    /// A passenger asks for a taxi.
    Request,
    /// A taxi picks a passenger up.
    PickUpPassenger,
    /// A taxi drops a passenger off.
    DropOffPassenger,
    /// A passenger gives up waiting.
    Abandon,
    /// A taxi's shift is over.
    GoingHome,
}

impl DispatchAction {
    /// The name in logs.
    pub fn key(self) -> &'static str {
        match self {
            DispatchAction::LeaveGarage => "leave_garage",
            DispatchAction::Request => "request",
            DispatchAction::PickUpPassenger => "pick_up_passenger",
            DispatchAction::DropOffPassenger => "drop_off_passenger",
            DispatchAction::Abandon => "abandon",
            DispatchAction::GoingHome => "going_home",
        }
    }

    /// The name in the text format.
    pub fn words(self) -> &'static str {
        match self {
            DispatchAction::LeaveGarage => "leave garage",
            DispatchAction::Request => "request",
            DispatchAction::PickUpPassenger => "pick up passenger",
            DispatchAction::DropOffPassenger => "drop off passenger",
            DispatchAction::Abandon => "abandon",
            DispatchAction::GoingHome => "going home",
        }
    }
}

/// An event of the dispatch model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchEvent {
    /// Minutes.
    pub time: f64,
    /// The taxi, if one takes part. Present in every event, `null` when
    /// none: a log with the key removed is malformed, not a null (serde
    /// would read a missing `Option` as `None`).
    #[serde(deserialize_with = "Option::deserialize")]
    pub taxi: Option<u32>,
    /// The passenger's serial number (from 0 in request order), if one
    /// takes part; present in every event as `taxi` is.
    #[serde(deserialize_with = "Option::deserialize")]
    pub passenger: Option<u64>,
    /// What happened.
    pub action: DispatchAction,
}

/// How a dispatch run ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchOutcome {
    /// Why it stopped.
    pub reason: StopReason,
    /// Simulated minutes of the last timer taken.
    pub sim_time: f64,
    /// Timers still pending.
    pub pending: u64,
    /// Events written.
    pub events: u64,
}

#[derive(Debug, Clone, Copy)]
enum Timer {
    LeaveGarage,
    ShiftEnd,
    DropOff,
    Request,
    Abandon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaxiState {
    Garage,
    Idle,
    Busy,
    Home,
}

#[derive(Debug, Clone, Copy)]
struct Taxi {
    state: TaxiState,
    start: f64,
    shift_end: f64,
    stamp: u64,
    busy_since: f64,
    passenger: u64,
    off_at: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Waiting {
    serial: u64,
    request_time: f64,
    trip: f64,
    measured: bool,
}

fn overlap(from: f64, to: f64, low: f64, high: f64) -> f64 {
    (to.min(high) - from.max(low)).max(0.0)
}

/// A dispatch run in progress.
pub struct World<R: Draws, P: DispatchPolicy> {
    agenda: Agenda<Timer>,
    taxis: Vec<Taxi>,
    source: Id,
    waiting: Vec<Waiting>,
    policy: P,
    arrivals: Arrivals,
    next_trip: Option<f64>,
    arrival_rng: R,
    trip_rng: R,
    patience_rng: R,
    trip: RealSampler,
    patience: Option<RealSampler>,
    next_serial: u64,
    warm_up: f64,
    end_time: f64,
    service_level_minutes: f64,
    tally: Tally,
    recording: bool,
    /// Events of the timer being handled, each with what it adds to the
    /// tally: applied only once the event is written, so that a run cut
    /// at its event limit between two events of one timer measures exactly
    /// the events of its log.
    emitted: Vec<(DispatchEvent, Effect)>,
    /// Events of a run that does not record them, counted only.
    unrecorded: u64,
    /// Drawn requests in a row that fell at the current time.
    requests_at_now: u32,
}

/// What an event adds to the tally (`Nothing` for an unmeasured
/// passenger's events).
#[derive(Debug, Clone, Copy)]
enum Effect {
    Nothing,
    /// A measured passenger's request.
    Request,
    /// A measured passenger picked up after `wait` minutes.
    PickUp {
        wait: f64,
    },
    /// A measured passenger who gave up after `queue_time` minutes.
    Abandon {
        queue_time: f64,
    },
    /// A trip ended, `occupied` of its minutes within the measured window.
    DropOff {
        occupied: f64,
    },
}

impl Effect {
    #[inline]
    fn apply(self, tally: &mut Tally, service_level_minutes: f64) {
        match self {
            Effect::Nothing => {}
            Effect::Request => tally.requests += 1,
            Effect::PickUp { wait } => {
                tally.served += 1;
                tally.wait_sum += wait;
                tally.queue_time_sum += wait;
                tally.waits.record(wait);
                if wait > 0.0 {
                    tally.waited += 1;
                }
                if wait <= service_level_minutes {
                    tally.within_service_level += 1;
                }
            }
            Effect::Abandon { queue_time } => {
                tally.abandoned += 1;
                tally.waited += 1;
                tally.queue_time_sum += queue_time;
            }
            Effect::DropOff { occupied } => {
                tally.trips += 1;
                tally.occupied_minutes += occupied;
            }
        }
    }
}

impl<R: Draws, P: DispatchPolicy> World<R, P> {
    /// A world for `scenario` with `seed`; `recording` keeps the events for
    /// [`World::run`]'s observer (without it only the tallies and the
    /// number of events are kept, and `max_events` is checked only between
    /// timers: a run with an event limit records).
    pub fn new(
        scenario: &DispatchScenario,
        seed: u64,
        policy: P,
        recording: bool,
    ) -> Result<Self, String> {
        let taxis: Vec<Taxi> = scenario
            .taxi_shifts()
            .into_iter()
            .map(|(start, shift_end)| Taxi {
                state: TaxiState::Garage,
                start,
                shift_end,
                stamp: 0,
                busy_since: 0.0,
                passenger: 0,
                off_at: f64::INFINITY,
            })
            .collect();
        let mut world = Self {
            agenda: Agenda::new(),
            source: taxis.len() as Id,
            taxis,
            waiting: Vec::new(),
            policy,
            arrivals: Arrivals::new(&scenario.demand)?,
            next_trip: None,
            arrival_rng: R::for_stream(seed, Stream::Arrivals),
            trip_rng: R::for_stream(seed, Stream::Trips),
            patience_rng: R::for_stream(seed, Stream::Patience),
            trip: RealSampler::new(&scenario.durations.trip),
            patience: scenario.durations.patience.as_ref().map(RealSampler::new),
            next_serial: 0,
            warm_up: scenario.warm_up,
            end_time: scenario.end_time,
            service_level_minutes: scenario.service_level_minutes,
            tally: Tally::default(),
            recording,
            emitted: Vec::new(),
            unrecorded: 0,
            requests_at_now: 0,
        };
        world.start()?;
        Ok(world)
    }

    fn start(&mut self) -> Result<(), String> {
        for (index, taxi) in self.taxis.iter().enumerate() {
            let id = self.agenda.add();
            debug_assert_eq!(id as usize, index);
            self.agenda.schedule(id, taxi.start, Timer::LeaveGarage);
        }
        let source = self.agenda.add();
        debug_assert_eq!(source, self.source);
        self.schedule_next_request(0.0)
    }

    fn schedule_next_request(&mut self, now: f64) -> Result<(), String> {
        if let Some(request) = self.arrivals.next(now, &mut self.arrival_rng)? {
            // Drawn gaps too small to move the clock would keep the run at
            // one time for ever: a million in a row is no accident.
            if request.time <= now && !self.arrivals.is_file() {
                self.requests_at_now += 1;
                if self.requests_at_now >= 1_000_000 {
                    return Err(format!(
                        "demand: a million requests in a row at time {now}: requests come too fast for the clock to tell them apart (lower the demand's rate)"
                    ));
                }
            } else {
                self.requests_at_now = 0;
            }
            self.next_trip = request.trip;
            // A file may list a time before the current one only at the start.
            self.agenda
                .schedule(self.source, request.time.max(now), Timer::Request);
        }
        Ok(())
    }

    #[inline]
    fn emit(
        &mut self,
        time: f64,
        taxi: Option<u32>,
        passenger: Option<u64>,
        action: DispatchAction,
        effect: Effect,
    ) {
        if self.recording {
            let event = DispatchEvent {
                time,
                taxi,
                passenger,
                action,
            };
            self.emitted.push((event, effect));
        } else {
            self.unrecorded += 1;
            effect.apply(&mut self.tally, self.service_level_minutes);
        }
    }

    fn handle(&mut self, due: Due<Timer>) -> Result<(), String> {
        let now = due.time;
        match due.action {
            Timer::Request => self.request(now)?,
            Timer::LeaveGarage => {
                let taxi = due.id;
                self.emit(
                    now,
                    Some(taxi),
                    None,
                    DispatchAction::LeaveGarage,
                    Effect::Nothing,
                );
                self.become_free(taxi, now);
            }
            Timer::DropOff => {
                let taxi = due.id;
                let record = self.taxis[taxi as usize];
                let occupied = overlap(record.busy_since, now, self.warm_up, self.end_time);
                self.emit(
                    now,
                    Some(taxi),
                    Some(record.passenger),
                    DispatchAction::DropOffPassenger,
                    Effect::DropOff { occupied },
                );
                if now >= record.shift_end {
                    self.go_home(taxi, now);
                } else {
                    self.become_free(taxi, now);
                }
            }
            Timer::ShiftEnd => {
                let taxi = due.id;
                if self.taxis[taxi as usize].state == TaxiState::Idle {
                    self.go_home(taxi, now);
                }
            }
            Timer::Abandon => {
                let slot = due.id;
                let passenger = self.waiting[self.waiting_index(slot)];
                let effect = if passenger.measured {
                    Effect::Abandon {
                        queue_time: now - passenger.request_time,
                    }
                } else {
                    Effect::Nothing
                };
                self.emit(
                    now,
                    None,
                    Some(passenger.serial),
                    DispatchAction::Abandon,
                    effect,
                );
                self.agenda.remove(slot);
            }
        }
        Ok(())
    }

    #[inline]
    fn waiting_index(&self, slot: Id) -> usize {
        (slot - self.source - 1) as usize
    }

    fn request(&mut self, now: f64) -> Result<(), String> {
        let serial = self.next_serial;
        self.next_serial += 1;
        let measured = now >= self.warm_up;
        // Every passenger takes their trip and patience draws, taxi or not,
        // so that runs with other fleets see the same riders.
        let trip = match self.next_trip.take() {
            Some(trip) => trip,
            None => self.trip.draw(&mut self.trip_rng),
        };
        let patience = self
            .patience
            .as_ref()
            .map(|sampler| sampler.draw(&mut self.patience_rng));
        let counted = |effect| if measured { effect } else { Effect::Nothing };
        self.emit(
            now,
            None,
            Some(serial),
            DispatchAction::Request,
            counted(Effect::Request),
        );
        let taxis = &self.taxis;
        let found = self.policy.taxi_for_request(|idle| {
            let taxi = &taxis[idle.taxi as usize];
            taxi.state == TaxiState::Idle && taxi.stamp == idle.stamp
        });
        match (found, patience) {
            (Some(idle), _) => {
                let effect = counted(Effect::PickUp { wait: 0.0 });
                self.pick_up(idle.taxi, serial, now, trip, effect);
            }
            (None, Some(patience)) if patience <= 0.0 => {
                let effect = counted(Effect::Abandon { queue_time: 0.0 });
                self.emit(now, None, Some(serial), DispatchAction::Abandon, effect);
            }
            (None, patience) => {
                let slot = self.agenda.add();
                let index = self.waiting_index(slot);
                if index == self.waiting.len() {
                    self.waiting.push(Waiting::default());
                }
                self.waiting[index] = Waiting {
                    serial,
                    request_time: now,
                    trip,
                    measured,
                };
                if let Some(patience) = patience {
                    self.agenda.schedule(slot, now + patience, Timer::Abandon);
                }
                self.policy
                    .passenger_waits(WaitingPassenger { slot, serial });
            }
        }
        self.schedule_next_request(now)
    }

    fn pick_up(&mut self, taxi: u32, serial: u64, now: f64, trip: f64, effect: Effect) {
        let record = &mut self.taxis[taxi as usize];
        record.state = TaxiState::Busy;
        record.busy_since = now;
        record.passenger = serial;
        // Replaces the shift-end timer, if any: the drop-off handles it.
        self.agenda.schedule(taxi, now + trip, Timer::DropOff);
        self.emit(
            now,
            Some(taxi),
            Some(serial),
            DispatchAction::PickUpPassenger,
            effect,
        );
    }

    /// `taxi` is free at `now`: it takes the next waiting passenger, or waits.
    fn become_free(&mut self, taxi: u32, now: f64) {
        let agenda = &self.agenda;
        let waiting = &self.waiting;
        let first = self.source + 1;
        let next = self.policy.passenger_for_taxi(taxi, |candidate| {
            agenda.is_live(candidate.slot)
                && waiting[(candidate.slot - first) as usize].serial == candidate.serial
        });
        match next {
            Some(candidate) => {
                let passenger = self.waiting[self.waiting_index(candidate.slot)];
                self.agenda.remove(candidate.slot);
                let effect = if passenger.measured {
                    Effect::PickUp {
                        wait: now - passenger.request_time,
                    }
                } else {
                    Effect::Nothing
                };
                self.pick_up(taxi, passenger.serial, now, passenger.trip, effect);
            }
            None => {
                let record = &mut self.taxis[taxi as usize];
                record.state = TaxiState::Idle;
                record.stamp += 1;
                if record.shift_end.is_finite() {
                    self.agenda
                        .schedule(taxi, record.shift_end, Timer::ShiftEnd);
                } else {
                    self.agenda.cancel(taxi);
                }
                self.policy.taxi_idle(IdleTaxi {
                    taxi,
                    stamp: record.stamp,
                });
            }
        }
    }

    fn go_home(&mut self, taxi: u32, now: f64) {
        let record = &mut self.taxis[taxi as usize];
        record.state = TaxiState::Home;
        record.off_at = now;
        self.agenda.cancel(taxi);
        self.emit(
            now,
            Some(taxi),
            None,
            DispatchAction::GoingHome,
            Effect::Nothing,
        );
    }

    /// Runs until `end_time` (timers at or past it are not taken), the
    /// demand and every trip are over, `max_events` events were written,
    /// `stop_flag` is raised or `before` asks to stop (it is given the
    /// current time and the next timer's, when `looks_ahead`). Each event
    /// goes to `on_event`; `on_progress` hears the time and event count
    /// every few thousand timers.
    #[allow(clippy::too_many_arguments)]
    pub fn run<E>(
        &mut self,
        max_events: u64,
        stop_flag: Option<&AtomicBool>,
        mut before: Option<&mut dyn FnMut(f64, f64) -> bool>,
        mut on_event: impl FnMut(&DispatchEvent) -> Result<(), E>,
        mut on_progress: impl FnMut(f64, u64),
    ) -> Result<DispatchOutcome, RunFailure<E>> {
        const CHECK_EVERY: u32 = 4096;
        let mut events = 0u64;
        let mut countdown = CHECK_EVERY;
        let reason = loop {
            // A run that ends by itself says so, even at its event limit:
            // a log cut there claims no interruption that did not happen.
            let Some(next) = self.agenda.next_time() else {
                break StopReason::EndOfEvents;
            };
            if next >= self.end_time {
                break StopReason::EndTime;
            }
            if events >= max_events {
                break StopReason::EventLimit;
            }
            countdown -= 1;
            if countdown == 0 || before.is_some() {
                countdown = CHECK_EVERY;
                if stop_flag.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                    break StopReason::Interrupted;
                }
                on_progress(self.agenda.now(), events);
                if let Some(before) = before.as_mut()
                    && before(self.agenda.now(), next)
                {
                    break StopReason::Interrupted;
                }
            }
            let due = self.agenda.pop().expect("a timer is pending");
            self.handle(due).map_err(RunFailure::Model)?;
            if self.recording {
                let mut limited = false;
                for (event, effect) in self.emitted.drain(..) {
                    if events >= max_events {
                        limited = true;
                        break;
                    }
                    on_event(&event).map_err(RunFailure::Observer)?;
                    effect.apply(&mut self.tally, self.service_level_minutes);
                    events += 1;
                }
                self.emitted.clear();
                if limited {
                    break StopReason::EventLimit;
                }
            } else {
                events = self.unrecorded;
            }
        };
        Ok(DispatchOutcome {
            reason,
            sim_time: self.agenda.now(),
            pending: self.agenda.pending() as u64,
            events,
        })
    }

    /// The measures of a run that ended with `outcome`.
    pub fn summary(&self, outcome: &DispatchOutcome) -> DispatchSummary {
        let end = match outcome.reason {
            StopReason::EndTime | StopReason::EndOfEvents => self.end_time,
            StopReason::Interrupted | StopReason::EventLimit => outcome.sim_time,
        };
        let mut occupied = self.tally.occupied_minutes;
        let mut on_duty = 0.0;
        for taxi in &self.taxis {
            if taxi.state == TaxiState::Busy {
                occupied += overlap(taxi.busy_since, end, self.warm_up, end);
            }
            on_duty += overlap(taxi.start, taxi.off_at.min(end), self.warm_up, end);
        }
        DispatchSummary::new(&self.tally, self.taxis.len() as u64, occupied, on_duty, end)
    }

    /// Waiting passengers' slots ever allocated: memory follows the longest queue.
    pub fn passenger_slots(&self) -> usize {
        self.waiting.len()
    }
}

/// Why a run failed: the model's input (a demand file) or the observer.
#[derive(Debug)]
pub enum RunFailure<E> {
    /// A demand file turned bad during the run.
    Model(String),
    /// The observer failed (an output error).
    Observer(E),
}

#[cfg(test)]
mod bite_tests {
    //! Runs worked out by hand: requests from a demand file with their
    //! trips, constant patience, shifts; every event, the outcome and the
    //! measures are written down in advance.

    use std::path::Path;

    use rand_pcg::Pcg64;

    use super::*;
    use crate::distribution::DurationSpec;
    use crate::models::dispatch::policy::Fifo;
    use crate::models::dispatch::scenario::{
        Demand, DispatchDurations, DispatchFleet, RateStep, TaxiShift,
    };
    use crate::rng::RngKind;

    struct Stand {
        taxis: u64,
        end_time: f64,
        warm_up: f64,
        patience: Option<f64>,
        shifts: Vec<TaxiShift>,
    }

    fn shift(id: u64, start_time: f64, shift_end: f64) -> TaxiShift {
        TaxiShift {
            id,
            count: 1,
            start_time,
            shift_end: Some(shift_end),
        }
    }

    impl Stand {
        /// One taxi on duty all day, riders who wait for ever, statistics
        /// from the start.
        fn one_taxi(end_time: f64) -> Self {
            Stand {
                taxis: 1,
                end_time,
                warm_up: 0.0,
                patience: None,
                shifts: Vec::new(),
            }
        }

        fn scenario(&self, demand: Demand) -> DispatchScenario {
            DispatchScenario {
                schema_version: 2,
                model: "dispatch",
                name: "worked".to_string(),
                description: String::new(),
                end_time: self.end_time,
                warm_up: self.warm_up,
                service_level_minutes: 5.0,
                seed: None,
                rng: RngKind::Pcg64,
                policy: "fifo".to_string(),
                fleet: DispatchFleet { taxis: self.taxis },
                demand,
                durations: DispatchDurations {
                    trip: DurationSpec::Constant { value: 1.0 },
                    patience: self.patience.map(|value| DurationSpec::Constant { value }),
                },
                shifts: self.shifts.clone(),
            }
        }

        /// A world whose requests are `requests` (`time,trip` lines).
        fn world(&self, dir: &Path, requests: &str, recording: bool) -> World<Pcg64, Fifo> {
            let file = dir.join("requests.csv");
            std::fs::write(&file, format!("time,trip\n{requests}")).unwrap();
            let scenario = self.scenario(Demand::File { file });
            World::new(&scenario, 1, Fifo::default(), recording).unwrap()
        }
    }

    struct Ran {
        events: Vec<DispatchEvent>,
        outcome: DispatchOutcome,
        summary: DispatchSummary,
    }

    fn run(world: &mut World<Pcg64, Fifo>, max_events: u64) -> Ran {
        let mut events = Vec::new();
        let outcome = world
            .run(
                max_events,
                None,
                None,
                |event: &DispatchEvent| {
                    events.push(*event);
                    Ok::<(), ()>(())
                },
                |_, _| {},
            )
            .unwrap();
        let summary = world.summary(&outcome);
        Ran {
            events,
            outcome,
            summary,
        }
    }

    /// Events written `time taxi passenger action`, `-` for none.
    fn log(lines: &str) -> Vec<DispatchEvent> {
        lines
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                let action = [
                    DispatchAction::LeaveGarage,
                    DispatchAction::Request,
                    DispatchAction::PickUpPassenger,
                    DispatchAction::DropOffPassenger,
                    DispatchAction::Abandon,
                    DispatchAction::GoingHome,
                ]
                .into_iter()
                .find(|action| action.key() == words[3])
                .unwrap();
                DispatchEvent {
                    time: words[0].parse().unwrap(),
                    taxi: words[1].strip_prefix('T').map(|id| id.parse().unwrap()),
                    passenger: words[2].strip_prefix('P').map(|id| id.parse().unwrap()),
                    action,
                }
            })
            .collect()
    }

    /// Three taxis: T1 works until 15, T2 from 50 to 60; riders wait 8.5
    /// minutes at most; statistics from minute 3.
    fn three_taxis(end_time: f64) -> Stand {
        Stand {
            taxis: 3,
            end_time,
            warm_up: 3.0,
            patience: Some(8.5),
            shifts: vec![shift(1, 0.0, 15.0), shift(2, 50.0, 60.0)],
        }
    }

    const REQUESTS: &str = "1,10\n2,10\n3,10\n4,10\n5,10\n30,10\n55,10\n70,5\n";

    const THE_DAY: &str = "
        0 T0 - leave_garage
        0 T1 - leave_garage
        1 - P0 request
        1 T0 P0 pick_up_passenger
        2 - P1 request
        2 T1 P1 pick_up_passenger
        3 - P2 request
        4 - P3 request
        5 - P4 request
        11 T0 P0 drop_off_passenger
        11 T0 P2 pick_up_passenger
        12 T1 P1 drop_off_passenger
        12 T1 P3 pick_up_passenger
        13.5 - P4 abandon
        21 T0 P2 drop_off_passenger
        22 T1 P3 drop_off_passenger
        22 T1 - going_home
        30 - P5 request
        30 T0 P5 pick_up_passenger
        40 T0 P5 drop_off_passenger
        50 T2 - leave_garage
        55 - P6 request
        55 T0 P6 pick_up_passenger
        60 T2 - going_home
        65 T0 P6 drop_off_passenger
        70 - P7 request
        70 T0 P7 pick_up_passenger
        75 T0 P7 drop_off_passenger
    ";

    #[test]
    fn a_worked_day_gives_every_event_and_measure_written_down_in_advance() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = three_taxis(100.0).world(dir.path(), REQUESTS, true);
        let ran = run(&mut world, u64::MAX);
        // The longest-idle taxi takes a request (T0 before T2 at 55; T2,
        // gone home, is passed over at 70); the longest-waiting rider
        // takes a freed taxi; T1 goes home from its last drop-off, T2 when
        // its idle shift ends.
        assert_eq!(ran.events, log(THE_DAY));
        assert_eq!(
            ran.outcome,
            DispatchOutcome {
                reason: StopReason::EndOfEvents,
                sim_time: 75.0,
                pending: 0,
                events: 28,
            }
        );
        // P2 to P7 request from minute 3 on: P2 and P3 wait 8 minutes, P4
        // gives up after 8.5, P5 to P7 wait 0.
        let passengers = ran.summary.passengers;
        assert_eq!(ran.summary.sim_time, 100.0);
        assert_eq!(
            (passengers.requests, passengers.served),
            (6, 5),
            "{passengers:?}"
        );
        assert_eq!((passengers.abandoned, passengers.unresolved), (1, 0));
        assert_eq!(passengers.p_wait, 0.5);
        assert_eq!(passengers.p_abandon, 1.0 / 6.0);
        assert_eq!(passengers.wait_mean, 3.2);
        assert_eq!(passengers.wait_p50, 0.0);
        assert!((passengers.wait_p90 - 8.0).abs() < 0.04);
        assert_eq!(passengers.queue_time_mean, 24.5 / 6.0);
        assert_eq!(passengers.service_level, 0.5);
        // Busy within [3, 100]: T0 8 + 10 + 10 + 10 + 5, T1 9 + 10. On duty:
        // T0 97, T1 3 to 22, T2 50 to 60.
        let fleet = ran.summary.fleet;
        assert_eq!(
            (
                fleet.taxis,
                fleet.trips,
                fleet.occupied_minutes,
                fleet.on_duty_minutes
            ),
            (3, 7, 62.0, 126.0)
        );
        assert_eq!(fleet.utilization, 62.0 / 126.0);
        // P2, P3 and P4 waited together.
        assert_eq!(world.passenger_slots(), 3);
    }

    #[test]
    fn the_end_time_cuts_the_day_before_a_timer_due_exactly_then() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = three_taxis(40.0).world(dir.path(), REQUESTS, true);
        let ran = run(&mut world, u64::MAX);
        assert_eq!(ran.events, log(THE_DAY)[..19]);
        // T0's drop-off at 40, T2's start at 50 and the request at 55.
        assert_eq!(
            ran.outcome,
            DispatchOutcome {
                reason: StopReason::EndTime,
                sim_time: 30.0,
                pending: 3,
                events: 19,
            }
        );
        // T0 carries P5 from 30 to the end: 10 busy minutes of its 37.
        let fleet = ran.summary.fleet;
        assert_eq!(ran.summary.sim_time, 40.0);
        assert_eq!(
            (fleet.trips, fleet.occupied_minutes, fleet.on_duty_minutes),
            (4, 47.0, 56.0)
        );
        let passengers = ran.summary.passengers;
        assert_eq!(
            (passengers.requests, passengers.served, passengers.abandoned),
            (4, 3, 1)
        );
    }

    #[test]
    fn an_event_limit_stops_the_run_there_even_within_a_timer() {
        for limit in [3, 4] {
            let dir = tempfile::tempdir().unwrap();
            let mut world = three_taxis(100.0).world(dir.path(), REQUESTS, true);
            let ran = run(&mut world, limit);
            assert_eq!(ran.events, log(THE_DAY)[..limit as usize]);
            assert_eq!(ran.outcome.reason, StopReason::EventLimit);
            assert_eq!(ran.outcome.events, limit);
            assert_eq!(ran.outcome.sim_time, 1.0);
            // Measured up to where it stopped.
            assert_eq!(ran.summary.sim_time, 1.0);
        }
    }

    #[test]
    fn a_run_that_ends_by_itself_at_its_event_limit_says_it_ended_by_itself() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = three_taxis(100.0).world(dir.path(), REQUESTS, true);
        let ran = run(&mut world, 28);
        assert_eq!(ran.events.len(), 28);
        assert_eq!(ran.outcome.reason, StopReason::EndOfEvents);
        assert_eq!(ran.summary.sim_time, 100.0);
    }

    #[test]
    fn a_run_that_does_not_record_counts_the_same_events_and_measures_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let recorded = run(
            &mut three_taxis(100.0).world(dir.path(), REQUESTS, true),
            u64::MAX,
        );
        let mut world = three_taxis(100.0).world(dir.path(), REQUESTS, false);
        let unrecorded = run(&mut world, u64::MAX);
        assert!(unrecorded.events.is_empty());
        assert_eq!(unrecorded.outcome, recorded.outcome);
        assert_eq!(unrecorded.summary, recorded.summary);
    }

    #[test]
    fn the_hook_before_each_timer_hears_the_time_and_the_next_timers_and_can_stop() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = three_taxis(100.0).world(dir.path(), REQUESTS, true);
        let mut asked = Vec::new();
        let mut progress = 0;
        let mut before = |now: f64, next: f64| {
            asked.push((now, next));
            next >= 11.0
        };
        let outcome = world
            .run(
                u64::MAX,
                None,
                Some(&mut before),
                |_: &DispatchEvent| Ok::<(), ()>(()),
                |_, _| progress += 1,
            )
            .unwrap();
        // Timers at 0 (T0, T1), 1, 2, 3, 4 and 5 (requests), then T0's
        // drop-off at 11, where it stops. Pending then: two drop-offs,
        // three patiences, T2's start and the next request.
        let expected = [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 11.0];
        let pairs: Vec<(f64, f64)> = expected.windows(2).map(|w| (w[0], w[1])).collect();
        assert_eq!(asked, pairs);
        assert_eq!(progress, 8);
        assert_eq!(
            outcome,
            DispatchOutcome {
                reason: StopReason::Interrupted,
                sim_time: 5.0,
                pending: 7,
                events: 9,
            }
        );
        assert_eq!(world.summary(&outcome).sim_time, 5.0);
    }

    #[test]
    fn a_raised_stop_flag_is_seen_at_the_next_check_every_4096_timers() {
        let dir = tempfile::tempdir().unwrap();
        // One taxi busy for ever after the first rider; the others wait.
        let requests: String = (0..6000).map(|k| format!("{k},1e9\n")).collect();
        let stand = Stand::one_taxi(1e8);
        let flag = AtomicBool::new(true);
        // A run with the flag as it stands: its outcome, the progress it
        // reported, and the passenger slots it ended with.
        let run_with_flag = |flag: &AtomicBool| {
            let mut world = stand.world(dir.path(), &requests, true);
            let mut heard = Vec::new();
            let outcome = world
                .run(
                    u64::MAX,
                    Some(flag),
                    None,
                    |_: &DispatchEvent| Ok::<(), ()>(()),
                    |now, events| heard.push((now, events)),
                )
                .unwrap();
            (outcome, heard, world.passenger_slots())
        };
        let (outcome, _, slots) = run_with_flag(&flag);
        // 4095 timers: the taxi's start, then requests at 0 to 4093 (the
        // first one picked up).
        assert_eq!(outcome.reason, StopReason::Interrupted);
        assert_eq!((outcome.events, outcome.sim_time), (4096, 4093.0));
        assert_eq!(slots, 4093);
        flag.store(false, Ordering::Relaxed);
        let (outcome, heard, _) = run_with_flag(&flag);
        // The 6001 timers before the drop-off at 1e9, past the end.
        assert_eq!(outcome.reason, StopReason::EndTime);
        assert_eq!(heard, [(4093.0, 4096)]);
    }

    #[test]
    fn a_taxi_dropping_off_at_its_shift_end_goes_home_though_a_rider_waits() {
        let dir = tempfile::tempdir().unwrap();
        let stand = Stand {
            shifts: vec![shift(0, 0.0, 10.0)],
            ..Stand::one_taxi(100.0)
        };
        let ran = run(&mut stand.world(dir.path(), "0,10\n1,5\n", true), u64::MAX);
        assert_eq!(
            ran.events,
            log("
                0 T0 - leave_garage
                0 - P0 request
                0 T0 P0 pick_up_passenger
                1 - P1 request
                10 T0 P0 drop_off_passenger
                10 T0 - going_home
            ")
        );
        assert_eq!(ran.summary.passengers.unresolved, 1);
        assert_eq!(ran.summary.fleet.on_duty_minutes, 10.0);
    }

    #[test]
    fn a_freed_taxi_passes_over_a_rider_who_gave_up_even_when_a_later_one_took_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let stand = Stand {
            patience: Some(5.0),
            ..Stand::one_taxi(100.0)
        };
        // P1 gives up at 6; P3 takes its place in the agenda at 6.5; the
        // taxi, free at 6.75, takes P2 (waiting since 2), then P3.
        let requests = "0,6.75\n1,1\n2,1\n6.5,1\n";
        let ran = run(&mut stand.world(dir.path(), requests, true), u64::MAX);
        assert_eq!(
            ran.events,
            log("
                0 T0 - leave_garage
                0 - P0 request
                0 T0 P0 pick_up_passenger
                1 - P1 request
                2 - P2 request
                6 - P1 abandon
                6.5 - P3 request
                6.75 T0 P0 drop_off_passenger
                6.75 T0 P2 pick_up_passenger
                7.75 T0 P2 drop_off_passenger
                7.75 T0 P3 pick_up_passenger
                8.75 T0 P3 drop_off_passenger
            ")
        );
        let passengers = ran.summary.passengers;
        assert_eq!(passengers.queue_time_mean, (5.0 + 4.75 + 1.25) / 4.0);
    }

    #[test]
    fn a_rider_without_patience_gives_up_at_once_and_takes_no_waiting_slot() {
        let dir = tempfile::tempdir().unwrap();
        let stand = Stand {
            patience: Some(0.0),
            ..Stand::one_taxi(100.0)
        };
        let mut world = stand.world(dir.path(), "0,10\n1,10\n", true);
        let ran = run(&mut world, u64::MAX);
        assert_eq!(
            ran.events,
            log("
                0 T0 - leave_garage
                0 - P0 request
                0 T0 P0 pick_up_passenger
                1 - P1 request
                1 - P1 abandon
                10 T0 P0 drop_off_passenger
            ")
        );
        let passengers = ran.summary.passengers;
        assert_eq!((passengers.abandoned, passengers.p_wait), (1, 0.5));
        assert_eq!(world.passenger_slots(), 0);
    }

    #[test]
    fn a_wait_of_exactly_the_service_level_is_within_it() {
        let dir = tempfile::tempdir().unwrap();
        let stand = Stand::one_taxi(100.0);
        // Waits of 0, 5 (the service level) and 5.5 minutes.
        let requests = "0,5\n0,1\n0.5,1\n";
        let ran = run(&mut stand.world(dir.path(), requests, true), u64::MAX);
        let passengers = ran.summary.passengers;
        assert_eq!(passengers.served, 3);
        assert_eq!(passengers.service_level, 2.0 / 3.0);
        assert_eq!(passengers.p_wait, 2.0 / 3.0);
        assert_eq!(passengers.wait_mean, 3.5);
    }

    #[test]
    fn each_action_has_its_name_in_logs_and_in_words() {
        let names: Vec<(&str, &str)> = [
            DispatchAction::LeaveGarage,
            DispatchAction::Request,
            DispatchAction::PickUpPassenger,
            DispatchAction::DropOffPassenger,
            DispatchAction::Abandon,
            DispatchAction::GoingHome,
        ]
        .into_iter()
        .map(|action| (action.key(), action.words()))
        .collect();
        assert_eq!(
            names,
            [
                ("leave_garage", "leave garage"),
                ("request", "request"),
                ("pick_up_passenger", "pick up passenger"),
                ("drop_off_passenger", "drop off passenger"),
                ("abandon", "abandon"),
                ("going_home", "going home"),
            ]
        );
    }

    /// A stand of one taxi whose riders give up at once (no waiting line
    /// grows), with requests drawn from `demand`.
    fn drawn(demand: Demand, end_time: f64, recording: bool) -> World<Pcg64, Fifo> {
        let stand = Stand {
            patience: Some(0.0),
            ..Stand::one_taxi(end_time)
        };
        World::new(&stand.scenario(demand), 1, Fifo::default(), recording).unwrap()
    }

    /// A profile of period 2e6 minutes without requests until minute 1e6,
    /// then `rate` a minute, for `length` minutes if given. At minute 1e6
    /// the clock moves by steps of about 1.2e-10 minutes.
    fn burst_at_a_million(rate: f64, length: Option<f64>) -> Demand {
        let mut profile = vec![
            RateStep {
                from: 0.0,
                rate: 0.0,
            },
            RateStep { from: 1e6, rate },
        ];
        if let Some(length) = length {
            profile.push(RateStep {
                from: 1e6 + length,
                rate: 0.0,
            });
        }
        Demand::Profile {
            period: 2e6,
            profile,
        }
    }

    #[test]
    fn more_than_a_million_requests_at_distinct_times_run_to_the_end() {
        // About 1.1 million requests, each at a time of its own.
        let mut world = drawn(Demand::Rate { rate: 1e4 }, 110.0, false);
        let ran = run(&mut world, u64::MAX);
        assert_eq!(ran.outcome.reason, StopReason::EndTime);
        assert!(
            ran.summary.passengers.requests > 1_000_000,
            "{}",
            ran.summary.passengers.requests
        );
    }

    #[test]
    fn a_million_drawn_requests_in_a_row_at_one_time_stop_the_run_with_an_error() {
        // Gaps of about 1e-15 minutes never move a clock at minute 1e6.
        let mut world = drawn(burst_at_a_million(1e15, None), 1.5e6, false);
        // Two events a request: a run without the guard stops at this limit.
        let failure = world
            .run(3_000_000, None, None, |_| Ok::<(), ()>(()), |_, _| {})
            .unwrap_err();
        let RunFailure::Model(message) = failure else {
            panic!("{failure:?}");
        };
        assert!(
            message.starts_with("demand: a million requests in a row at time 1000000: "),
            "{message}"
        );
    }

    #[test]
    fn drawn_requests_a_few_in_a_row_at_one_time_are_not_a_stall() {
        // Gaps of about 1e-10 minutes at minute 1e6: four in ten round to
        // nothing, so some requests share a time, but never a million in a row.
        let mut world = drawn(burst_at_a_million(1e10, Some(1e-6)), 1e6 + 1.0, true);
        let ran = run(&mut world, u64::MAX);
        assert_eq!(ran.outcome.reason, StopReason::EndTime);
        let times: Vec<f64> = ran
            .events
            .iter()
            .filter(|event| event.action == DispatchAction::Request)
            .map(|event| event.time)
            .collect();
        assert!(times.len() > 5000, "{}", times.len());
        assert!(
            times.windows(2).any(|pair| pair[0] == pair[1]),
            "no two requests at one time"
        );
    }

    #[test]
    fn a_file_may_list_a_million_requests_at_one_time() {
        let dir = tempfile::tempdir().unwrap();
        let stand = Stand {
            patience: Some(0.0),
            ..Stand::one_taxi(10.0)
        };
        let requests = "0,1\n".repeat(1_000_000);
        let ran = run(&mut stand.world(dir.path(), &requests, false), u64::MAX);
        assert_eq!(ran.outcome.reason, StopReason::EndOfEvents);
        assert_eq!(ran.summary.passengers.requests, 1_000_000);
    }
}
