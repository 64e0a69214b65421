//! Invariants every run satisfies, for arbitrary fleets, end times, seeds
//! and both generators.

use proptest::prelude::*;
use taxi_sim::engine::{Event, Step, StopReason};
use taxi_sim::models::book::taxi::{self, TaxiAction};
use taxi_sim::rng::{self, CpythonRandom, RandomSource, RngKind};
use taxi_sim::scenario::{Overrides, Scenario};

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
    fn the_same_seed_gives_the_same_events_and_another_seed_other_events(
        taxis in 3u64..30, end in 100u64..3000, seed: u64, kind in rng_kind()
    ) {
        // A run of another seed in between must not change anything: no
        // state survives from one run to the next.
        let first = run(taxis, end, seed, kind).1;
        let other = run(taxis, end, seed.wrapping_add(1), kind).1;
        let again = run(taxis, end, seed, kind).1;
        prop_assert_eq!(&first, &again);
        prop_assert_ne!(&first, &other);
    }

    #[test]
    fn a_run_cut_short_by_the_event_limit_is_the_start_of_the_full_run(
        taxis in 0u64..30, end in 0u64..3000, seed: u64, kind in rng_kind(), limit in 0usize..200
    ) {
        let (scenario, full, _) = run(taxis, end, seed, kind);
        let (events, reason) = match kind {
            RngKind::Cpython => limited_events(&scenario, CpythonRandom::new(seed), true, limit),
            RngKind::Pcg64 => limited_events(&scenario, rng::pcg64(seed), false, limit),
        };
        prop_assert_eq!(&events[..], &full[..limit.min(full.len())]);
        if limit < full.len() {
            prop_assert_eq!(reason, StopReason::EventLimit);
        }
    }
}

fn limited_events<R: RandomSource>(
    scenario: &Scenario,
    rng: R,
    tables: bool,
    limit: usize,
) -> (Vec<Event<TaxiAction>>, StopReason) {
    let mut sim = taxi::simulator(
        scenario.plans(),
        &scenario.duration_sets(),
        rng,
        tables,
        scenario.end_time,
    )
    .unwrap()
    .with_max_events(limit as u64);
    let mut events = Vec::new();
    loop {
        match sim.step().unwrap() {
            Step::Event(event) => events.push(event),
            Step::Stopped(outcome) => return (events, outcome.reason),
        }
    }
}

/// Fixed outputs of both generators, recorded once: the same seed must give
/// the same bytes on every machine and in every later version.
const RECORDED_RUNS: &[(&str, &str)] = &[
    (
        "cpython",
        "tests/fixtures/determinism/cpython-t25-e500-s99.csv",
    ),
    ("pcg64", "tests/fixtures/determinism/pcg64-t25-e500-s99.csv"),
];

#[test]
fn the_same_seed_gives_the_same_output_through_the_binary() {
    for (rng, fixture) in RECORDED_RUNS {
        let args = [
            "run", "-t", "25", "-e", "500", "-s", "99", "--rng", rng, "--format", "csv",
        ];
        let recorded = std::fs::read_to_string(crate::repo_path(fixture)).unwrap();
        assert_eq!(crate::stdout_of(&args), recorded, "{rng}");
        let other_seed = [
            "run", "-t", "25", "-e", "500", "-s", "100", "--rng", rng, "--format", "csv",
        ];
        assert_ne!(crate::stdout_of(&other_seed), recorded, "{rng}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_summary_kept_by_the_taxis_equals_one_recomputed_from_the_events(
        taxis in 0u64..20,
        end in 0u64..2000,
        seed: u64,
        limit in prop::option::of(0u64..300),
        minutes_per_tick in prop_oneof![Just(1.0), Just(0.5), Just(2.5)],
    ) {
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
        let mut events = Vec::new();
        let mut tally = taxi_sim::models::book::summary::Tally::new(taxis as usize, minutes_per_tick);
        let outcome = loop {
            match sim.step().unwrap() {
                Step::Event(event) => {
                    tally.record(&event);
                    events.push((event.time, u64::from(event.proc_id), event.action.key().to_string()));
                }
                Step::Stopped(outcome) => break outcome,
            }
        };
        let reference = crate::oracle::reference_summary(&events, taxis, outcome.sim_time, minutes_per_tick);
        let kept = taxi::summary(&sim, &outcome, minutes_per_tick);
        crate::oracle::assert_summary_matches(&reference, &serde_json::to_value(&kept).unwrap());
        crate::oracle::assert_summary_matches(&reference, &serde_json::to_value(tally.summary(&outcome)).unwrap());
    }
}
