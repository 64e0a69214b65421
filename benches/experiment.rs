//! What a replication costs beyond its events: one tiny book run through
//! the experiment layer (taxis and tables built once per point, cloned per
//! run) against the same run built from scratch, and a whole sweep of
//! 10,000 tiny runs on one thread.
//!
//!     cargo bench --bench experiment

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use taxi_sim::app::{RunSettings, simulate};
use taxi_sim::experiment::sweep::{RunProgress, Sweep};
use taxi_sim::experiment::{load_model, replication_seed};
use taxi_sim::scenario::{Overrides, Scenario, ScenarioSource};

fn bench_replication(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    let source = ScenarioSource::load(None).expect("the book's model");
    let model = load_model(&source, &[]).expect("the book's model");
    let mut replication = 0;
    group.bench_function("tiny_book_replicable", |b| {
        b.iter(|| {
            replication += 1;
            black_box(model.replicate(replication_seed(1, replication)).unwrap())
        })
    });
    let scenario = Scenario::with_defaults(&Overrides::default()).unwrap();
    let mut seed = 0;
    group.bench_function("tiny_book_from_scratch", |b| {
        b.iter(|| {
            seed += 1;
            let settings = RunSettings {
                scenario: &scenario,
                seed,
                max_events: u64::MAX,
                delay: None,
                progress: false,
            };
            black_box(simulate(&settings, &mut [], None).unwrap())
        })
    });
    group.finish();
}

fn bench_sweep(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let source = ScenarioSource::load(None).expect("the book's model");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    group.bench_function("10000_tiny_book_runs_1_thread", |b| {
        b.iter(|| {
            pool.install(|| {
                let prepared = Sweep::prepare(&source, &[], &[], 10_000, Some(1), 0.95).unwrap();
                let runs: Vec<u64> = (0..10_000).collect();
                black_box(
                    prepared
                        .sweep
                        .run(&runs, &RunProgress::new(false, 10_000))
                        .unwrap(),
                )
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench_replication, bench_sweep);
criterion_main!(benches);
