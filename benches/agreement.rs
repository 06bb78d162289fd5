//! Agreement: ICC on 2,000 targets x 10 raters, rwg(j) + ICC(1)/ICC(2) on 2,000 groups,
//! Krippendorff's interval alpha on 10^5 units x 10 coders, in memory and as `trustscale
//! krippendorff` runs it from a CSV file (read, code, alpha; the whole-process figures beside the
//! peer's are in docs/performance.md).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use trustscale::agreement::icc::{icc, IccOptions};
use trustscale::agreement::krippendorff::{krippendorff, Level};
use trustscale::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
use trustscale::analysis::krippendorff::KrippendorffRequest;
use trustscale::analysis::Request;
use trustscale::numeric::rng::{stream, Normal};
use trustscale::study::DataRequest;

/// Ratings: target effect + rater effect + noise, rounded to a 1..7 scale.
fn ratings(n: usize, k: usize, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, 0);
    let mut g = Normal::new();
    let rater: Vec<f64> = (0..k).map(|_| 0.3 * g.draw(&mut rng)).collect();
    let mut v = Vec::with_capacity(n * k);
    for _ in 0..n {
        let t = g.draw(&mut rng);
        for r in &rater {
            v.push(
                (4.0 + t + r + 0.8 * g.draw(&mut rng))
                    .round()
                    .clamp(1.0, 7.0),
            );
        }
    }
    v
}

fn agreement(c: &mut Criterion) {
    let mut g = c.benchmark_group("agreement");
    g.sample_size(20);
    let x = ratings(2000, 10, 1);
    g.bench_function("icc_2000_targets_x_10_raters", |b| {
        b.iter(|| black_box(icc(&x, 2000, 10, &IccOptions::default()).expect("icc")))
    });
    // 2000 groups of 8 members, 6 items
    let (groups, members, k) = (2000, 8, 6);
    let items = ratings(groups * members, k, 2);
    let ids: Vec<String> = (0..groups * members)
        .map(|i| (i / members).to_string())
        .collect();
    let opts = RwgOptions {
        scale_points: 7,
        null: Null::Uniform,
        cutoffs: AggregationCutoffs::default(),
        rgr: None,
        seed: 1,
    };
    g.bench_function("rwg_j_icc1_icc2_2000_groups", |b| {
        b.iter(|| black_box(rwg(&items, k, &ids, &opts).expect("rwg")))
    });
    let units: Vec<Vec<f64>> = ratings(100_000, 10, 3)
        .chunks_exact(10)
        .map(|c| c.to_vec())
        .collect();
    g.bench_function("krippendorff_interval_1e5_units_x_10", |b| {
        b.iter(|| black_box(krippendorff(&units, Level::Interval).expect("alpha")))
    });
    // the same ratings as a CSV file (unit id, 10 coder columns), through the request
    let path = std::env::temp_dir().join("trustscale-bench-krippendorff-1e5x10.csv");
    let mut csv = String::from("unit,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10\n");
    for (i, u) in units.iter().enumerate() {
        csv.push_str(&format!("u{i}"));
        for v in u {
            csv.push_str(&format!(",{v}"));
        }
        csv.push('\n');
    }
    std::fs::write(&path, csv).expect("write bench csv");
    let req = KrippendorffRequest {
        data: DataRequest {
            data: Some(path),
            ..DataRequest::default()
        },
        raters: vec!["c1:c10".into()],
        level: Level::Interval,
        ..KrippendorffRequest::default()
    };
    g.bench_function("krippendorff_interval_from_csv_1e5_units_x_10", |b| {
        b.iter(|| black_box(req.run().expect("alpha")))
    });
    g.finish();
}

criterion_group!(benches, agreement);
criterion_main!(benches);
