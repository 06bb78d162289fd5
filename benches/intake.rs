//! Intake: parse a survey CSV of n x 24 items into ItemData (whole read, from disk cache).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ReadOptions};

mod common;

fn intake(c: &mut Criterion) {
    let mut g = c.benchmark_group("intake");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let path = common::survey_csv(n);
        g.throughput(Throughput::Elements((n * 24) as u64));
        g.bench_with_input(BenchmarkId::new("csv_24_items", n), &path, |b, path| {
            b.iter(|| {
                let src = CsvSource::open(path, &ReadOptions::default()).expect("open");
                let cols: Vec<ColumnRequest> = (1..25)
                    .map(|index| ColumnRequest {
                        index,
                        range: Some((1.0, 6.0)),
                    })
                    .collect();
                black_box(src.read(&cols, None).expect("read"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, intake);
criterion_main!(benches);
