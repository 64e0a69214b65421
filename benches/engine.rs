//! Benchmarks of the hot path: the event queue alone, each generator's
//! exponential draw, and whole runs of the README's workloads (W-book,
//! W-fleet) into a sink, so that the disk is not measured.
//!
//!     cargo bench                      # everything
//!     cargo bench -- queue             # one group

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use taxi_sim::app::{RunSettings, simulate};
use taxi_sim::engine::{EventQueue, HeapQueue, Queue};
use taxi_sim::models::book::{Book, BookSink};
use taxi_sim::output::{FormatKind, RunHeader, Sink};
use taxi_sim::rng::{self, CpythonRandom, Exponential, RandomSource};
use taxi_sim::scenario::{Overrides, Scenario};

/// Steady state of a queue holding `pending` events: pop the next event and
/// push it again 1 to 40 ticks later, as a taxi does.
fn queue_steady_state<Q: Queue>(queue: &mut Q, pending: u32, operations: u64) -> u64 {
    let mut delays = rng::pcg64(7);
    let mut checksum = 0;
    for _ in 0..operations {
        let (time, id) = queue.pop().expect("the queue is never empty");
        checksum ^= time ^ u64::from(id);
        queue.push(
            time + 1 + u64::from(rand_core::Rng::next_u32(&mut delays) % 40),
            id,
        );
    }
    let _ = pending;
    checksum
}

fn filled<Q: Queue>(mut queue: Q, pending: u32) -> Q {
    for id in 0..pending {
        queue.push(u64::from(id % 50), id);
    }
    queue
}

fn bench_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue");
    const OPERATIONS: u64 = 100_000;
    group.throughput(Throughput::Elements(OPERATIONS));
    for pending in [3u32, 1_000, 100_000, 1_000_000] {
        group.bench_with_input(
            BenchmarkId::new("wheel", pending),
            &pending,
            |b, &pending| {
                let mut queue = filled(EventQueue::new(pending as usize), pending);
                b.iter(|| black_box(queue_steady_state(&mut queue, pending, OPERATIONS)));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("heap", pending),
            &pending,
            |b, &pending| {
                let mut queue = filled(HeapQueue::new(), pending);
                b.iter(|| black_box(queue_steady_state(&mut queue, pending, OPERATIONS)));
            },
        );
    }
    group.finish();
}

fn bench_draws(c: &mut Criterion) {
    let mut group = c.benchmark_group("exponential_draw");
    const DRAWS: u64 = 100_000;
    group.throughput(Throughput::Elements(DRAWS));
    let table = Exponential::new(20.0, true);
    let mut cpython = CpythonRandom::new(1);
    group.bench_function("cpython_table", |b| {
        b.iter(|| (0..DRAWS).fold(0, |sum, _| sum + cpython.exponential_ticks(&table)))
    });
    let direct = Exponential::new(20.0, false);
    group.bench_function("cpython_formula", |b| {
        b.iter(|| (0..DRAWS).fold(0, |sum, _| sum + cpython.exponential_ticks(&direct)))
    });
    let mut pcg = rng::pcg64(1);
    group.bench_function("pcg64", |b| {
        b.iter(|| (0..DRAWS).fold(0, |sum, _| sum + pcg.exponential_ticks(&direct)))
    });
    group.finish();
}

/// W-book: the book model, 1000 taxis, end time 1,000,000, seed 1, cpython.
fn w_book() -> Scenario {
    Scenario::with_defaults(&Overrides {
        taxis: Some(1000),
        end_time: Some(1_000_000),
        seed: Some(1),
        ..Overrides::default()
    })
    .unwrap()
}

/// W-fleet: the `big-fleet` scenario, 10,000 taxis, about 20 million events.
fn w_fleet() -> Scenario {
    Scenario::load("big-fleet", &Overrides::default()).unwrap()
}

fn run_into_sink(scenario: &Scenario, format: FormatKind) -> u64 {
    let seed = scenario.seed.unwrap_or(1);
    let mut sinks: Vec<BookSink> = format
        .formatter::<Book>()
        .map(|formatter| Sink::writer(formatter, Box::new(std::io::sink())))
        .into_iter()
        .collect();
    for sink in &mut sinks {
        sink.header(&RunHeader::<Book>::new(scenario, seed))
            .unwrap();
    }
    let settings = RunSettings {
        scenario,
        seed,
        max_events: u64::MAX,
        delay: None,
        progress: false,
    };
    let (outcome, _) = simulate(&settings, &mut sinks, None).unwrap();
    outcome.events
}

fn bench_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (name, scenario) in [("w_book", w_book()), ("w_fleet", w_fleet())] {
        let events = run_into_sink(&scenario, FormatKind::None);
        group.throughput(Throughput::Elements(events));
        for format in [
            FormatKind::None,
            FormatKind::Text,
            FormatKind::Jsonl,
            FormatKind::Csv,
        ] {
            // W-fleet as text is 80 GB of indentation: not a useful measure.
            if name == "w_fleet" && format == FormatKind::Text {
                continue;
            }
            let label = format!("{format:?}").to_lowercase();
            group.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| black_box(run_into_sink(&scenario, format)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_queue, bench_draws, bench_runs);
criterion_main!(benches);
