//! Regression: OLS + HC3 on 10^5 rows x 6 predictors (in memory, and from its CSV file as
//! `trustscale regress --robust hc3` runs it); REML random intercept on 10^5 rows in
//! 2,000 groups; dominance analysis of 6 predictors with 1,000 bootstrap resamples at n = 10^4.
//!
//! The simulated inputs are also written once to CSV files in the temp dir
//! (`trustscale-bench-regress-{ols,reml,dominance}.csv`) so that `benches/peers/regress.R`
//! times R on the same numbers.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nalgebra::DMatrix;
use std::hint::black_box;
use std::path::PathBuf;
use trustscale::analysis::regress::RegressRequest;
use trustscale::analysis::Request;
use trustscale::numeric::rng::{stream, Normal};
use trustscale::regression::{
    dominance, lmm_reml, ols, Covariance, DominanceOptions, HcType, MixedOptions, OlsOptions,
};
use trustscale::study::DataRequest;

const P: usize = 6;

/// n rows of 6 correlated predictors (x_j = 0.4 f + N(0,1), f a common factor), a group id
/// (`groups` groups of equal size) with a N(0, 0.3^2) random intercept, and
/// y = 1 + sum_j b_j x_j + u_g + N(0,1), b = (.3, -.2, .1, 0, .25, .05).
fn simulate(n: usize, groups: usize, seed: u64) -> (DMatrix<f64>, Vec<f64>, Vec<usize>) {
    let b = [0.3, -0.2, 0.1, 0.0, 0.25, 0.05];
    let mut rng = stream(seed, 0);
    let mut g = Normal::new();
    let u: Vec<f64> = (0..groups).map(|_| 0.3 * g.draw(&mut rng)).collect();
    let mut x = DMatrix::<f64>::zeros(n, P);
    let mut y = Vec::with_capacity(n);
    let mut grp = Vec::with_capacity(n);
    let size = n.div_ceil(groups);
    for i in 0..n {
        let f = g.draw(&mut rng);
        let mut yi = 1.0;
        for j in 0..P {
            let v = 0.4 * f + g.draw(&mut rng);
            x[(i, j)] = v;
            yi += b[j] * v;
        }
        let gi = i / size;
        yi += u[gi] + g.draw(&mut rng);
        y.push(yi);
        grp.push(gi);
    }
    (x, y, grp)
}

fn write_csv(name: &str, x: &DMatrix<f64>, y: &[f64], grp: &[usize]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("trustscale-bench-regress-{name}.csv"));
    if path.is_file() {
        return path;
    }
    let mut s = String::from("y,x1,x2,x3,x4,x5,x6,g\n");
    for i in 0..y.len() {
        s.push_str(&format!("{}", y[i]));
        for j in 0..P {
            s.push_str(&format!(",{}", x[(i, j)]));
        }
        s.push_str(&format!(",{}\n", grp[i]));
    }
    std::fs::write(&path, s).expect("write bench csv");
    path
}

fn names() -> Vec<String> {
    (1..=P).map(|j| format!("x{j}")).collect()
}

fn regress(c: &mut Criterion) {
    let mut group = c.benchmark_group("regress");
    group.sample_size(10);

    let n = 100_000;
    let (x, y, grp) = simulate(n, 2000, 1);
    let opts = OlsOptions {
        covariance: Covariance::Hc(HcType::Hc3),
        ci: 0.95,
    };
    group.throughput(Throughput::Elements((n * P) as u64));
    group.bench_function("ols_hc3_1e5_x_6", |b| {
        b.iter(|| black_box(ols(&x, &y, &names(), &opts).expect("ols")))
    });

    let ols_csv = write_csv("ols", &x, &y, &grp);
    let req = RegressRequest {
        data: DataRequest {
            data: Some(ols_csv),
            ..DataRequest::default()
        },
        outcome: "y".into(),
        predictors: Some(names()),
        robust: Some(HcType::Hc3),
        ..RegressRequest::default()
    };
    group.bench_function("ols_hc3_from_csv_1e5_x_6", |b| {
        b.iter(|| black_box(req.run().expect("regress")))
    });

    let (x, y, grp) = simulate(n, 2000, 2);
    write_csv("reml", &x, &y, &grp);
    group.bench_function("reml_random_intercept_1e5_rows_2000_groups", |b| {
        b.iter(|| {
            black_box(lmm_reml(&x, &y, &grp, &names(), &MixedOptions::default()).expect("reml"))
        })
    });

    let n = 10_000;
    let (x, y, grp) = simulate(n, 100, 3);
    write_csv("dominance", &x, &y, &grp);
    let dopts = DominanceOptions {
        bootstrap: Some(1000),
        seed: 1,
        level: 0.95,
    };
    group.throughput(Throughput::Elements((n * P * 1000) as u64));
    group.bench_function("dominance_6_predictors_1000_bootstrap_1e4", |b| {
        b.iter(|| black_box(dominance(&x, &y, &names(), &dopts).expect("dominance")))
    });
    group.finish();
}

criterion_group!(benches, regress);
criterion_main!(benches);
