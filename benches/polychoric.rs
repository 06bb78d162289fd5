//! Polychoric correlations of 24 simulated 6-point items (tblc, seed 42, as benches/common.rs):
//! the whole matrix (thresholds, all 276 pair tables, 276 Brent searches, smoothing check) at
//! n = 10^4, 10^5, 10^6, the same from CSV at n = 10^4, and the bivariate normal CDF alone.
//!
//! Peer, on the same CSV and machine (R 4.2.2, psych 2.2.9, its default 2 cores via mcmapply):
//! ```text
//! Rscript -e 'x <- read.csv("/tmp/trustscale-bench-10000x24.csv")[, -1];
//!             print(system.time(psych::polychoric(x)))'
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trustscale::correlation::{polychoric, PolychoricOptions};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::dist::bvn::bvn_cdf;

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

fn matrix(c: &mut Criterion) {
    let mut g = c.benchmark_group("polychoric_24_items");
    g.sample_size(10);
    let opts = PolychoricOptions::default();
    for n in [10_000usize, 100_000, 1_000_000] {
        let d = read(&common::survey_csv(n));
        g.throughput(Throughput::Elements((n * 24) as u64));
        g.bench_with_input(BenchmarkId::new("matrix", n), &d, |b, d| {
            b.iter(|| black_box(polychoric(d, &opts).expect("polychoric")))
        });
    }
    g.finish();
}

fn from_csv(c: &mut Criterion) {
    let mut g = c.benchmark_group("polychoric_from_csv");
    g.sample_size(10);
    let opts = PolychoricOptions::default();
    let n = 10_000usize;
    let path = common::survey_csv(n);
    g.throughput(Throughput::Elements((n * 24) as u64));
    g.bench_with_input(BenchmarkId::new("24_items", n), &path, |b, path| {
        b.iter(|| black_box(polychoric(&read(path), &opts).expect("polychoric")))
    });
    g.finish();
}

fn bvn(c: &mut Criterion) {
    let mut g = c.benchmark_group("bvn_cdf");
    for rho in [0.2, 0.5, 0.95] {
        g.bench_with_input(BenchmarkId::new("rho", rho), &rho, |b, &rho| {
            b.iter(|| black_box(bvn_cdf(black_box(0.3), black_box(-0.7), rho)))
        });
    }
    g.finish();
}

criterion_group!(benches, matrix, from_csv, bvn);
criterion_main!(benches);
