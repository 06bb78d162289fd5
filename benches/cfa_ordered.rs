//! Ordered-categorical CFA from CSV: WLSMV (delta), 6 factors x 4 items, 5 categories,
//! n = 10^4 (simulated with a fixed seed: loadings .5 to .8, factor correlations .3, skewed
//! cuts). Each iteration parses the CSV, computes thresholds, polychoric correlations and
//! Gamma, and fits (issue 13 requires at least 20 times lavaan's speed).
//!
//! Re-measured (whole process from CSV: `trustscale cfa FILE --model M --ordered all --json`
//! against `benches/peers/cfa_ordered.R`, the same CSV, the 2-core machine shared with seven
//! other jobs, load average 13-24): trustscale median of 3 0.98 s elapsed (0.10-0.11 s user
//! CPU); lavaan 0.6.14 median of 3 46.7 s elapsed, one run of the whole Rscript process 4.56 s
//! user CPU (125 s elapsed). 48 times faster by elapsed time, 39 times by CPU time; both
//! programs give the scaled chi-square 291.357 on 237 df.
//!
//! Peer, on the same CSV and machine: `benches/peers/cfa_ordered.R` (R 4.2.2, lavaan 0.6.14):
//! ```text
//! Rscript benches/peers/cfa_ordered.R /tmp/trustscale-bench-cfa-ordered-10000.csv
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::{parse, ModelSyntax};
use trustscale::cfa::{cfa, CfaOptions, Estimator, Ordered};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ReadOptions};
use trustscale::numeric::rng::{stream, Normal};

const FACTORS: usize = 6;
const ITEMS: usize = 4;

fn model() -> ModelSyntax {
    let text: String = (1..=FACTORS)
        .map(|f| {
            let items: Vec<String> = (1..=ITEMS).map(|k| format!("y{f}_{k}")).collect();
            format!("f{f} =~ {}\n", items.join(" + "))
        })
        .collect();
    parse(&text, "bench model").expect("model")
}

/// Simulated 5-category answers, written once to the temp dir.
fn csv(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("trustscale-bench-cfa-ordered-{n}.csv"));
    if path.is_file() {
        return path;
    }
    let mut rng = stream(13, 0);
    let mut z = Normal::new();
    let loadings = [0.8, 0.7, 0.6, 0.5];
    let cuts = [-1.2, -0.3, 0.5, 1.3];
    let mut out = String::new();
    let header: Vec<String> = (1..=FACTORS)
        .flat_map(|f| (1..=ITEMS).map(move |k| format!("y{f}_{k}")))
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for _ in 0..n {
        // factors with correlation .3: a common part and a specific part
        let common = z.draw(&mut rng);
        let eta: Vec<f64> = (0..FACTORS)
            .map(|_| 0.3f64.sqrt() * common + 0.7f64.sqrt() * z.draw(&mut rng))
            .collect();
        let mut row = Vec::with_capacity(FACTORS * ITEMS);
        for e in &eta {
            for l in loadings {
                let y = l * e + (1.0 - l * l).sqrt() * z.draw(&mut rng);
                row.push((1 + cuts.iter().filter(|&&t| y > t).count()).to_string());
            }
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    std::fs::write(&path, out).expect("write bench csv");
    path
}

fn read(path: &Path) -> trustscale::data::ItemData {
    let src = CsvSource::open(path, &ReadOptions::default()).expect("open");
    let cols: Vec<ColumnRequest> = (0..src.names().len())
        .map(|index| ColumnRequest {
            index,
            range: Some((1.0, 5.0)),
        })
        .collect();
    src.read_text(&cols, &[]).expect("read").0
}

fn cfa_ordered_from_csv(c: &mut Criterion) {
    let m = model();
    let mut g = c.benchmark_group("cfa_ordered_from_csv");
    g.sample_size(20);
    let n = 10_000usize;
    let path = csv(n);
    g.throughput(Throughput::Elements((n * FACTORS * ITEMS) as u64));
    g.bench_with_input(
        BenchmarkId::new("wlsmv_6_factors_24_items_5_categories", n),
        &path,
        |b, path| {
            b.iter(|| {
                let data = read(path);
                let opts = CfaOptions {
                    estimator: Estimator::Wlsmv,
                    ordered: Ordered::All,
                    ..CfaOptions::default()
                };
                black_box(cfa(&data, &m, &opts).expect("cfa"))
            })
        },
    );
    g.finish();
}

criterion_group!(benches, cfa_ordered_from_csv);
criterion_main!(benches);
