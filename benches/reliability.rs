//! Reliability: whole analysis from CSV (parse + alpha + item statistics + Feldt + omega), from
//! the rows and streamed into sums (as the command runs it), and the 2,000-resample bootstrap
//! interval at n = 10^4.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::reliability::alpha::reliability_from_sums;
use trustscale::reliability::{reliability, ReliabilityOptions};
use trustscale::study::DataRequest;

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

fn from_csv(c: &mut Criterion) {
    let mut g = c.benchmark_group("reliability_from_csv");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let path = common::survey_csv(n);
        g.throughput(Throughput::Elements((n * 24) as u64));
        g.bench_with_input(BenchmarkId::new("24_items", n), &path, |b, path| {
            b.iter(|| {
                let d = read(path);
                black_box(reliability(&d, &ReliabilityOptions::default()).expect("alpha"))
            })
        });
    }
    g.finish();
}

fn streamed_from_csv(c: &mut Criterion) {
    let mut g = c.benchmark_group("reliability_streamed_from_csv");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let path = common::survey_csv(n);
        let req = DataRequest {
            data: Some(path),
            items: Some("NO1:CC6".into()),
            ..DataRequest::default()
        };
        g.throughput(Throughput::Elements((n * 24) as u64));
        g.bench_with_input(BenchmarkId::new("24_items", n), &req, |b, req| {
            b.iter(|| {
                let l = req
                    .load_sums()
                    .expect("read")
                    .expect("whole-number answers");
                let s = &l.scales[0];
                black_box(
                    reliability_from_sums(
                        &s.names,
                        &s.reversed,
                        &s.sums,
                        &l.at,
                        &ReliabilityOptions::default(),
                    )
                    .expect("alpha"),
                )
            })
        });
    }
    g.finish();
}

fn bootstrap(c: &mut Criterion) {
    let mut g = c.benchmark_group("reliability_bootstrap");
    g.sample_size(10);
    let d = read(&common::survey_csv(10_000));
    let opts = ReliabilityOptions {
        bootstrap: Some(2000),
        seed: 1,
        ..Default::default()
    };
    g.bench_function("2000_resamples_n10000_24_items", |b| {
        b.iter(|| black_box(reliability(&d, &opts).expect("bootstrap")))
    });
    g.finish();
}

criterion_group!(benches, from_csv, streamed_from_csv, bootstrap);
criterion_main!(benches);
