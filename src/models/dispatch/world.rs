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
    emitted: Vec<DispatchEvent>,
    /// Events of a run that does not record them, counted only.
    unrecorded: u64,
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
    ) {
        if self.recording {
            self.emitted.push(DispatchEvent {
                time,
                taxi,
                passenger,
                action,
            });
        } else {
            self.unrecorded += 1;
        }
    }

    fn handle(&mut self, due: Due<Timer>) -> Result<(), String> {
        let now = due.time;
        match due.action {
            Timer::Request => self.request(now)?,
            Timer::LeaveGarage => {
                let taxi = due.id;
                self.emit(now, Some(taxi), None, DispatchAction::LeaveGarage);
                self.become_free(taxi, now);
            }
            Timer::DropOff => {
                let taxi = due.id;
                let record = self.taxis[taxi as usize];
                self.emit(
                    now,
                    Some(taxi),
                    Some(record.passenger),
                    DispatchAction::DropOffPassenger,
                );
                self.tally.trips += 1;
                self.tally.occupied_minutes +=
                    overlap(record.busy_since, now, self.warm_up, self.end_time);
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
                self.emit(now, None, Some(passenger.serial), DispatchAction::Abandon);
                if passenger.measured {
                    self.tally.abandoned += 1;
                    self.tally.waited += 1;
                    self.tally.queue_time_sum += now - passenger.request_time;
                }
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
        self.emit(now, None, Some(serial), DispatchAction::Request);
        if measured {
            self.tally.requests += 1;
        }
        let taxis = &self.taxis;
        let found = self.policy.taxi_for_request(|idle| {
            let taxi = &taxis[idle.taxi as usize];
            taxi.state == TaxiState::Idle && taxi.stamp == idle.stamp
        });
        match (found, patience) {
            (Some(idle), _) => {
                if measured {
                    self.record_pick_up(0.0);
                }
                self.pick_up(idle.taxi, serial, now, trip);
            }
            (None, Some(patience)) if patience <= 0.0 => {
                self.emit(now, None, Some(serial), DispatchAction::Abandon);
                if measured {
                    self.tally.abandoned += 1;
                    self.tally.waited += 1;
                }
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

    #[inline]
    fn record_pick_up(&mut self, wait: f64) {
        let tally = &mut self.tally;
        tally.served += 1;
        tally.wait_sum += wait;
        tally.queue_time_sum += wait;
        tally.waits.record(wait);
        if wait > 0.0 {
            tally.waited += 1;
        }
        if wait <= self.service_level_minutes {
            tally.within_service_level += 1;
        }
    }

    fn pick_up(&mut self, taxi: u32, serial: u64, now: f64, trip: f64) {
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
                if passenger.measured {
                    self.record_pick_up(now - passenger.request_time);
                }
                self.pick_up(taxi, passenger.serial, now, passenger.trip);
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
        self.emit(now, Some(taxi), None, DispatchAction::GoingHome);
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
                for event in self.emitted.drain(..) {
                    if events >= max_events {
                        limited = true;
                        break;
                    }
                    on_event(&event).map_err(RunFailure::Observer)?;
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
