//! CFA from CSV: a 6-factor, 24-item model (the first 4 items of each tblc subscale, simulated
//! with seed 42 as `trustscale simulate --instrument tblc --n N --seed 42`), ML and MLR, and the
//! 3-group invariance sequence (configural, metric, scalar; groups = row number mod 3), at
//! n = 10^4 and 10^5. Each iteration parses the CSV, computes the moments and fits.
//!
//! Peer, on the same CSV and machine: `benches/peers/cfa.R` (R 4.2.2, lavaan 0.6.14):
//! ```text
//! Rscript benches/peers/cfa.R /tmp/trustscale-bench-cfa-10000.csv
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use trustscale::cfa::invariance::{invariance, InvarianceOptions};
use trustscale::cfa::syntax::{parse, ModelSyntax};
use trustscale::cfa::{cfa, CfaOptions, Estimator};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::instrument;
use trustscale::simulate::likert::to_csv;
use trustscale::simulate::{simulate_instrument, SimulateOptions};

const SUBSCALES: [&str; 6] = ["NO", "SIB", "PN", "CC", "ES", "RC"];

fn model() -> ModelSyntax {
    let text: String = SUBSCALES
        .iter()
        .map(|s| format!("{s} =~ {s}1 + {s}2 + {s}3 + {s}4\n"))
        .collect();
    parse(&text, "bench model").expect("model")
}

/// All 36 tblc items plus a `group` column (g1, g2, g3 by row), written once to the temp dir.
fn csv(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("trustscale-bench-cfa-{n}.csv"));
    if path.is_file() {
        return path;
    }
    let inst = instrument::load("tblc").expect("tblc");
    let opts = SimulateOptions {
        n,
        seed: 42,
        ..Default::default()
    };
    let (data, _) = simulate_instrument(&inst, &opts).expect("simulate");
    let text = to_csv(&data);
    let mut out = String::with_capacity(text.len() + 4 * n);
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        if i == 0 {
            out.push_str(",group\n");
        } else {
            out.push_str(&format!(",g{}\n", (i - 1) % 3 + 1));
        }
    }
    std::fs::write(&path, out).expect("write bench csv");
    path
}

/// Reads the model's 24 items (and the group column) from the CSV.
fn read(path: &Path, with_group: bool) -> (ItemData, Vec<String>) {
    let src = CsvSource::open(path, &ReadOptions::default()).expect("open");
    let names = src.names().to_vec();
    let cols: Vec<ColumnRequest> = SUBSCALES
        .iter()
        .flat_map(|s| (1..=4).map(move |k| format!("{s}{k}")))
        .map(|item| ColumnRequest {
            index: names.iter().position(|h| *h == item).expect("item"),
            range: Some((1.0, 6.0)),
        })
        .collect();
    let text: Vec<usize> = if with_group {
        vec![names.iter().position(|h| h == "group").expect("group")]
    } else {
        Vec::new()
    };
    let (data, mut texts) = src.read_text(&cols, &text).expect("read");
    (data, texts.pop().unwrap_or_default())
}

fn cfa_from_csv(c: &mut Criterion) {
    let m = model();
    let mut g = c.benchmark_group("cfa_from_csv");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let path = csv(n);
        g.throughput(Throughput::Elements((n * 24) as u64));
        for (name, est) in [
            ("ml_6_factors_24_items", Estimator::Ml),
            ("mlr_6_factors_24_items", Estimator::Mlr),
        ] {
            g.bench_with_input(BenchmarkId::new(name, n), &path, |b, path| {
                b.iter(|| {
                    let (data, _) = read(path, false);
                    let opts = CfaOptions {
                        estimator: est,
                        ..CfaOptions::default()
                    };
                    black_box(cfa(&data, &m, &opts).expect("cfa"))
                })
            });
        }
        g.bench_with_input(
            BenchmarkId::new("invariance_3_groups_24_items", n),
            &path,
            |b, path| {
                b.iter(|| {
                    let (data, groups) = read(path, true);
                    black_box(
                        invariance(
                            &data,
                            &groups,
                            &m,
                            &CfaOptions::default(),
                            &InvarianceOptions::default(),
                        )
                        .expect("invariance"),
                    )
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, cfa_from_csv);
criterion_main!(benches);
