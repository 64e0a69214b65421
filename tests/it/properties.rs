//! Invariants every run satisfies, for arbitrary fleets, end times, seeds
//! and both generators.

use proptest::prelude::*;
use taxi_sim::engine::{Event, Step, StopReason};
use taxi_sim::rng::{self, CpythonRandom, RandomSource, RngKind};
use taxi_sim::scenario::{Overrides, Scenario};
use taxi_sim::taxi::{self, TaxiAction};

fn events_with<R: RandomSource>(
    scenario: &Scenario,
    rng: R,
    tables: bool,
) -> (Vec<Event<TaxiAction>>, StopReason) {
    let mut sim = taxi::simulator(
        scenario.plans(),
        &scenario.duration_sets(),
        rng,
        tables,
        scenario.end_time,
    )
    .unwrap();
    let mut events = Vec::new();
    loop {
        match sim.step().unwrap() {
            Step::Event(event) => events.push(event),
            Step::Stopped(outcome) => return (events, outcome.reason),
        }
    }
}

fn run(
    taxis: u64,
    end_time: u64,
    seed: u64,
    rng_kind: RngKind,
) -> (Scenario, Vec<Event<TaxiAction>>, StopReason) {
    let scenario = Scenario::with_defaults(&Overrides {
        taxis: Some(taxis),
        end_time: Some(end_time),
        seed: Some(seed),
        rng: Some(rng_kind),
    })
    .unwrap();
    let (events, reason) = match rng_kind {
        RngKind::Cpython => events_with(&scenario, CpythonRandom::new(seed), true),
        RngKind::Pcg64 => events_with(&scenario, rng::pcg64(seed), false),
    };
    (scenario, events, reason)
}

fn rng_kind() -> impl Strategy<Value = RngKind> {
    prop_oneof![Just(RngKind::Cpython), Just(RngKind::Pcg64)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn event_times_never_decrease(taxis in 0u64..30, end in 0u64..3000, seed: u64, kind in rng_kind()) {
        let (_, events, _) = run(taxis, end, seed, kind);
        prop_assert!(events.windows(2).all(|pair| pair[0].time <= pair[1].time));
    }

    #[test]
    fn each_taxi_follows_its_life_and_a_finished_taxi_has_2n_plus_2_events(
        taxis in 0u64..30, end in 0u64..3000, seed: u64, kind in rng_kind()
    ) {
        use TaxiAction::*;
        let (scenario, events, _) = run(taxis, end, seed, kind);
        for (id, plan) in scenario.plans().enumerate() {
            let life: Vec<TaxiAction> =
                events.iter().filter(|event| event.proc_id as usize == id).map(|event| event.action).collect();
            let mut expected = vec![LeaveGarage];
            for _ in 0..plan.trips {
                expected.extend([PickUpPassenger, DropOffPassenger]);
            }
            expected.push(GoingHome);
            prop_assert!(expected.starts_with(&life), "taxi {id}: {life:?}");
            if life.last() == Some(&GoingHome) {
                prop_assert_eq!(life.len() as u64, 2 * plan.trips + 2);
            }
            if let Some(first) = events.iter().find(|event| event.proc_id as usize == id) {
                prop_assert_eq!(first.time, plan.start_time);
            }
        }
    }

    #[test]
    fn the_run_ends_as_the_book_says(taxis in 0u64..30, end in 0u64..3000, seed: u64, kind in rng_kind()) {
        let (_, events, reason) = run(taxis, end, seed, kind);
        match reason {
            // The first event at or past the end time is the last one taken.
            StopReason::EndTime => {
                let last = events.last().map_or(0, |event| event.time);
                prop_assert!(last >= end);
                prop_assert!(events.iter().rev().skip(1).all(|event| event.time < end));
            }
            StopReason::EndOfEvents => prop_assert!(events.iter().all(|event| event.time < end)),
            other => prop_assert!(false, "unexpected stop {other:?}"),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_events(taxis in 0u64..30, end in 0u64..3000, seed: u64, kind in rng_kind()) {
        prop_assert_eq!(run(taxis, end, seed, kind).1, run(taxis, end, seed, kind).1);
    }
}

#[test]
fn the_same_seed_gives_the_same_output_through_the_binary() {
    for rng in ["cpython", "pcg64"] {
        let args = [
            "run", "-t", "25", "-e", "500", "-s", "99", "--rng", rng, "--format", "csv",
        ];
        assert_eq!(crate::stdout_of(&args), crate::stdout_of(&args));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_summary_kept_by_the_taxis_equals_one_counted_from_the_events(
        taxis in 0u64..20, end in 0u64..2000, seed: u64, limit in prop::option::of(0u64..300)
    ) {
        use taxi_sim::summary::Tally;
        let scenario = Scenario::with_defaults(&Overrides {
            taxis: Some(taxis),
            end_time: Some(end),
            seed: Some(seed),
            rng: Some(RngKind::Cpython),
        })
        .unwrap();
        let mut sim = taxi::simulator(scenario.plans(), &scenario.duration_sets(), CpythonRandom::new(seed), true, scenario.end_time)
            .unwrap()
            .with_max_events(limit.unwrap_or(u64::MAX));
        let mut tally = Tally::new(taxis as usize, 1.0);
        let outcome = loop {
            match sim.step().unwrap() {
                Step::Event(event) => tally.record(&event),
                Step::Stopped(outcome) => break outcome,
            }
        };
        prop_assert_eq!(taxi::summary(&sim, &outcome, 1.0), tally.summary(&outcome));
    }
}
