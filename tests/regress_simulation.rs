//! Recovery and property tests of the regression library on seeded simulated data.

use nalgebra::{DMatrix, DVector};
use trustscale::numeric::rng::{stream, Normal};
use trustscale::regression::cv::fold_assignment;
use trustscale::regression::{
    cross_validate, dominance, lmm_reml, ols, Covariance, CvOptions, Design, DominanceOptions,
    HcType, MixedOptions, OlsOptions,
};

/// n rows: x1 ~ N(0,1), x2 = 0.5 x1 + N(0,1), x3 ~ N(0,1); y = 1 + .5 x1 - .3 x2 + 0 x3 + N(0, 1).
fn simulate(n: usize, seed: u64, rep: u64) -> (DMatrix<f64>, Vec<f64>) {
    let mut rng = stream(seed, rep);
    let mut g = Normal::new();
    let mut x = DMatrix::<f64>::zeros(n, 3);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let x1 = g.draw(&mut rng);
        let x2 = 0.5 * x1 + g.draw(&mut rng);
        let x3 = g.draw(&mut rng);
        x[(i, 0)] = x1;
        x[(i, 1)] = x2;
        x[(i, 2)] = x3;
        y.push(1.0 + 0.5 * x1 - 0.3 * x2 + g.draw(&mut rng));
    }
    (x, y)
}

fn names() -> Vec<String> {
    ["x1", "x2", "x3"].iter().map(|s| s.to_string()).collect()
}

#[test]
fn ols_intervals_cover_the_true_coefficients() {
    let truth = [1.0, 0.5, -0.3, 0.0];
    let reps = 200;
    for cov in [Covariance::Classical, Covariance::Hc(HcType::Hc3)] {
        let mut hits = [0usize; 4];
        for r in 0..reps {
            let (x, y) = simulate(40, 2024, r);
            let fit = ols(
                &x,
                &y,
                &names(),
                &OlsOptions {
                    covariance: cov.clone(),
                    ci: 0.95,
                },
            )
            .unwrap();
            for (j, c) in fit.coefficients.iter().enumerate() {
                if c.ci[0] <= truth[j] && truth[j] <= c.ci[1] {
                    hits[j] += 1;
                }
            }
        }
        eprintln!("{cov:?}: coverage per coefficient {hits:?} of {reps}");
        for (j, h) in hits.iter().enumerate() {
            let rate = *h as f64 / reps as f64;
            assert!(
                (0.90..=0.99).contains(&rate),
                "{cov:?}: coefficient {j} covered in {rate} of {reps}"
            );
        }
    }
}

#[test]
fn reml_recovers_the_variance_components() {
    // 100 groups of 10, var_group 0.25, var_residual 1, y = 2 + 0.7 x + u_g + e
    let reps = 40;
    let (mut vg, mut ve, mut b1) = (0.0, 0.0, 0.0);
    for r in 0..reps {
        let mut rng = stream(99, r);
        let mut g = Normal::new();
        let (ng, m) = (100, 10);
        let mut x = DMatrix::<f64>::zeros(ng * m, 1);
        let mut y = Vec::new();
        let mut groups = Vec::new();
        for gi in 0..ng {
            let u = 0.5 * g.draw(&mut rng);
            for k in 0..m {
                let xv = g.draw(&mut rng);
                x[(gi * m + k, 0)] = xv;
                y.push(2.0 + 0.7 * xv + u + g.draw(&mut rng));
                groups.push(gi);
            }
        }
        let fit = lmm_reml(
            &x,
            &y,
            &groups,
            &["x".to_string()],
            &MixedOptions::default(),
        )
        .unwrap();
        vg += fit.var_group / reps as f64;
        ve += fit.var_residual / reps as f64;
        b1 += fit.fixed[1].estimate / reps as f64;
    }
    // sd of one var_group estimate ~ 0.05, of the mean of 40 ~ 0.008
    assert!((vg - 0.25).abs() < 0.03, "{vg}");
    assert!((ve - 1.0).abs() < 0.02, "{ve}");
    assert!((b1 - 0.7).abs() < 0.02, "{b1}");
}

#[test]
fn random_intercept_path_agrees_with_a_zero_variance_slope_fit_in_likelihood() {
    // the random-slope model nests the random-intercept model: its REML criterion is never worse
    let (x, y) = simulate(300, 5, 0);
    let groups: Vec<usize> = (0..300).map(|i| i % 20).collect();
    let ri = lmm_reml(&x, &y, &groups, &names(), &MixedOptions::default()).unwrap();
    let rs = lmm_reml(
        &x,
        &y,
        &groups,
        &names(),
        &MixedOptions {
            random_slope: Some(0),
        },
    )
    .unwrap();
    assert!(rs.reml_criterion <= ri.reml_criterion + 1e-8);
}

#[test]
fn kfold_cv_matches_independent_refits() {
    let (x, y) = simulate(57, 3, 0);
    let n = y.len();
    let design = DMatrix::from_fn(n, 4, |i, j| if j == 0 { 1.0 } else { x[(i, j - 1)] });
    let terms: Vec<String> = ["(Intercept)", "x1", "x2", "x3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let r = cross_validate(
        Design::new(&design, false),
        &y,
        &terms,
        &CvOptions {
            folds: 5,
            repeats: 3,
            seed: 8,
        },
    )
    .unwrap();
    let my = y.iter().sum::<f64>() / n as f64;
    let sst: f64 = y.iter().map(|v| (v - my) * (v - my)).sum();
    for rep in 0..3 {
        let fold = fold_assignment(n, 5, 8, rep);
        let mut sse = 0.0;
        for f in 0..5 {
            let train: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
            let xt = design.select_rows(&train);
            let yt = DVector::from_iterator(train.len(), train.iter().map(|&i| y[i]));
            // normal equations, independent of the QR under test
            let b = (xt.transpose() * &xt)
                .lu()
                .solve(&(xt.transpose() * yt))
                .unwrap();
            for i in (0..n).filter(|&i| fold[i] == f) {
                let e = y[i] - (design.row(i) * &b)[0];
                sse += e * e;
            }
        }
        let want = 1.0 - sse / sst;
        assert!(
            (r.cv_r2_repeats[rep as usize] - want).abs() < 1e-12,
            "{rep}"
        );
    }
    // leave-one-out by PRESS equals explicit refits
    let loo = cross_validate(
        Design::new(&x, true),
        &y,
        &terms,
        &CvOptions {
            folds: n,
            repeats: 1,
            seed: 1,
        },
    )
    .unwrap();
    let mut press = 0.0;
    for i in 0..n {
        let train: Vec<usize> = (0..n).filter(|&k| k != i).collect();
        let xt = design.select_rows(&train);
        let yt = DVector::from_iterator(n - 1, train.iter().map(|&k| y[k]));
        let b = (xt.transpose() * &xt)
            .lu()
            .solve(&(xt.transpose() * yt))
            .unwrap();
        let e = y[i] - (design.row(i) * &b)[0];
        press += e * e;
    }
    assert!((loo.cv_r2 - (1.0 - press / sst)).abs() < 1e-12);
    assert!(loo.seed.is_none());
}

#[test]
fn dominance_weights_sum_to_r2_and_follow_the_predictors() {
    let (x, y) = simulate(200, 17, 0);
    let d = dominance(&x, &y, &names(), &DominanceOptions::default()).unwrap();
    let s: f64 = d.rows.iter().map(|r| r.general).sum();
    assert!((s - d.r2).abs() < 1e-14);
    // reorder the predictors: same weights per name
    let perm = [2, 0, 1];
    let xp = DMatrix::from_fn(200, 3, |i, j| x[(i, perm[j])]);
    let np: Vec<String> = perm.iter().map(|&j| names()[j].clone()).collect();
    let dp = dominance(&xp, &y, &np, &DominanceOptions::default()).unwrap();
    for r in &dp.rows {
        let o = d.rows.iter().find(|o| o.term == r.term).unwrap();
        assert!((r.general - o.general).abs() < 1e-14);
        assert_eq!(r.completely_dominates.len(), o.completely_dominates.len());
    }
    // x3 has no effect: dominated completely by x1
    assert!(d.rows[0].completely_dominates.contains(&"x3".to_string()));
    assert_eq!(d.complete[0][2], Some(1.0));
    assert_eq!(d.complete[2][0], Some(0.0));
}

#[test]
fn dominance_bootstrap_does_not_depend_on_the_thread_count() {
    let (x, y) = simulate(300, 23, 0);
    let opts = DominanceOptions {
        bootstrap: Some(64),
        seed: 5,
        level: 0.9,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| dominance(&x, &y, &names(), &opts).unwrap())
    };
    let (a, b) = (run(1), run(3));
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        assert_eq!(ra.general_ci, rb.general_ci);
        assert_eq!(ra.general_se, rb.general_se);
        let ci = ra.general_ci.unwrap();
        assert!(
            ci[0] <= ra.general && ra.general <= ci[1],
            "{ci:?} {}",
            ra.general
        );
    }
}

#[test]
fn reml_at_the_boundary_is_ols_and_flagged_singular() {
    // every group has the same outcome and predictor means: no between-group variation, so the
    // REML criterion increases in theta from 0 (d/dtheta^2 = G n + n > 0) and theta-hat = 0
    let xs = [
        [1.0, 3.0, 2.0, 4.0],
        [2.0, 1.0, 4.0, 3.0],
        [4.0, 2.0, 3.0, 1.0],
        [3.0, 4.0, 1.0, 2.0],
        [1.0, 2.0, 3.0, 4.0],
    ];
    let ys = [
        [1.0, 2.0, 3.0, 4.0],
        [2.0, 1.0, 3.0, 4.0],
        [4.0, 3.0, 2.0, 1.0],
        [1.0, 4.0, 2.0, 3.0],
        [2.0, 1.0, 4.0, 3.0],
    ];
    let mut x = DMatrix::<f64>::zeros(20, 1);
    let mut y = Vec::new();
    let mut groups = Vec::new();
    for g in 0..5 {
        for k in 0..4 {
            x[(g * 4 + k, 0)] = xs[g][k];
            y.push(ys[g][k]);
            groups.push(g);
        }
    }
    let names = vec!["x".to_string()];
    let m = lmm_reml(&x, &y, &groups, &names, &MixedOptions::default()).unwrap();
    assert_eq!(m.theta, vec![0.0]);
    assert_eq!(m.var_group, 0.0);
    assert!(m.singular);
    assert_eq!(m.warnings.len(), 1);
    let o = ols(&x, &y, &names, &OlsOptions::default()).unwrap();
    for (f, c) in m.fixed.iter().zip(&o.coefficients) {
        assert!((f.estimate - c.estimate).abs() < 1e-12);
        assert!((f.se - c.se).abs() < 1e-12);
    }
    assert!((m.var_residual - o.sigma * o.sigma).abs() < 1e-12);
}
