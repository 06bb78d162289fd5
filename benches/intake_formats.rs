//! Intake from an SPSS system file against the same data as CSV: n x 24 items (plus the id
//! column) into ItemData, whole read from the disk cache. The target (issue 19): a .sav read
//! takes at most twice the CSV read.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use trustscale::data::formats::sav_write;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{DataSource, ReadOptions};

mod common;

/// The CSV's columns as a .sav (bytecode-compressed as SPSS saves, or not), through
/// [`DataSource::columns`] as tests/formats.rs writes its .sav files.
fn sav_of(csv: &Path, compress: bool) -> PathBuf {
    let path = csv.with_extension(if compress { "byte.sav" } else { "sav" });
    if path.is_file() {
        return path;
    }
    let opts = ReadOptions::default();
    let columns = DataSource::open(csv, &opts)
        .and_then(|src| src.columns(&opts))
        .expect("read the CSV");
    let bytes = sav_write::write_with(&columns, "bench", compress).expect("write");
    std::fs::write(&path, bytes).expect("write bench sav");
    path
}

fn intake_formats(c: &mut Criterion) {
    let mut g = c.benchmark_group("intake_formats");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let csv = common::survey_csv(n);
        let files = [
            ("csv", csv.clone()),
            ("sav", sav_of(&csv, false)),
            ("sav_bytecode", sav_of(&csv, true)),
        ];
        g.throughput(Throughput::Elements((n * 24) as u64));
        for (name, path) in files {
            g.bench_with_input(BenchmarkId::new(name, n), &path, |b, path| {
                b.iter(|| {
                    let src = DataSource::open(path, &ReadOptions::default()).expect("open");
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
    }
    g.finish();
}

criterion_group!(benches, intake_formats);
criterion_main!(benches);
