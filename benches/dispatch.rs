//! Benchmarks of the dispatch model: W-stand (the built-in taxi stand grown
//! to 200 taxis and 9 requests a minute for 100 days, 1.3 million
//! passengers) measured only, as `run -f none` does it, and with every
//! event built and handed to an observer, as a run with an output does
//! before formatting. Throughput is in passengers.
//!
//!     cargo bench --bench dispatch

use std::convert::Infallible;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use taxi_sim::models::dispatch::{self, DispatchAction, DispatchScenario, RunControl};
use taxi_sim::scenario::{Overrides, ScenarioSource, Set, apply_sets};

fn w_stand() -> DispatchScenario {
    let mut source = ScenarioSource::load(Some("taxi-stand")).expect("the built-in taxi stand");
    let sets: Vec<Set> = [
        "fleet.taxis=200",
        "demand.rate=9",
        "end_time=144000",
        "warm_up=10000",
    ]
    .iter()
    .map(|text| text.parse().expect("a valid --set"))
    .collect();
    apply_sets(&mut source.table, &sets).expect("W-stand's keys exist");
    DispatchScenario::from_table(
        &source.table,
        "W-stand",
        Path::new("."),
        &Overrides::default(),
    )
    .expect("W-stand is valid")
}

/// One run of `scenario`: the passengers it simulated (its request events)
/// when `observe` builds every event, else the measured requests.
fn run(scenario: &DispatchScenario, observe: bool) -> u64 {
    let mut requests = 0;
    let mut count = |event: &dispatch::DispatchEvent| {
        requests += u64::from(event.action == DispatchAction::Request);
        Ok::<(), Infallible>(())
    };
    let control = RunControl {
        seed: scenario.seed.unwrap_or(1),
        max_events: u64::MAX,
        stop_flag: None,
        before: None,
        on_event: if observe { Some(&mut count) } else { None },
        on_progress: &mut |_, _| {},
    };
    let Ok((_, summary)) = dispatch::simulate(scenario, control) else {
        unreachable!("W-stand has no demand file and an infallible observer")
    };
    if observe {
        requests
    } else {
        summary.passengers.requests
    }
}

fn bench_w_stand(c: &mut Criterion) {
    let scenario = w_stand();
    let passengers = run(&scenario, true);
    let mut group = c.benchmark_group("w_stand");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(passengers));
    group.bench_function("measured_only", |b| {
        b.iter(|| black_box(run(&scenario, false)))
    });
    group.bench_function("events_built", |b| {
        b.iter(|| black_box(run(&scenario, true)))
    });
    group.finish();
}

criterion_group!(benches, bench_w_stand);
criterion_main!(benches);
