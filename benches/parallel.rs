//! Parallel analysis (`factor::parallel`): 100 normal-data iterations on 24 items at
//! n = 10^3, 10^4, 10^5 (Pearson), from data already in memory. The peer figure
//! (psych::fa.parallel, n.iter = 100, on the same 10^4 x 24 file) comes from
//! `benches/peers/parallel.R`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nalgebra::DMatrix;
use std::hint::black_box;
use trustscale::correlation::{covariance, Missing};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::factor::parallel::{parallel, ParallelOptions};
use trustscale::Error;

mod common;

fn read(path: &std::path::Path) -> ItemData {
    let src = CsvSource::open(path, &ReadOptions::default()).expect("open");
    let cols: Vec<ColumnRequest> = (1..25)
        .map(|index| ColumnRequest {
            index,
            range: Some((1.0, 6.0)),
        })
        .collect();
    src.read(&cols, None).expect("read")
}

fn pearson(d: &ItemData) -> Result<DMatrix<f64>, Error> {
    Ok(covariance(d, Missing::Pairwise)?.pairwise_cor())
}

fn normal_reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("parallel_100_iterations");
    g.sample_size(10);
    let opts = ParallelOptions {
        iterations: 100,
        seed: 1,
        ..Default::default()
    };
    for n in [1_000usize, 10_000, 100_000] {
        let d = read(&common::survey_csv(n));
        g.throughput(Throughput::Elements((n * 24 * opts.iterations) as u64));
        g.bench_with_input(BenchmarkId::new("24_items", n), &d, |b, d| {
            b.iter(|| black_box(parallel(d, &pearson, &opts).expect("parallel")))
        });
    }
    g.finish();
}

fn resampled_reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("parallel_100_resamples");
    g.sample_size(10);
    let opts = ParallelOptions {
        iterations: 100,
        seed: 1,
        resample: true,
        ..Default::default()
    };
    let d = read(&common::survey_csv(10_000));
    g.bench_function("24_items_n10000", |b| {
        b.iter(|| black_box(parallel(&d, &pearson, &opts).expect("parallel")))
    });
    g.finish();
}

criterion_group!(benches, normal_reference, resampled_reference);
criterion_main!(benches);
