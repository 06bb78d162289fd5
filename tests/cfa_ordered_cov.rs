//! Ordered indicators with observed exogenous covariates (lavaan's `conditional.x = TRUE`):
//! the step-1 probit regressions (thresholds and slopes), the step-2 residual polychoric
//! correlations and their asymptotic covariance matrix $\Gamma$, against lavaan 0.6.14
//! (R 4.2.2). Expected values: `tests/fixtures/cfa_ordered_cov/expected.json`, written by
//! `generate.R` in that folder (simulated data, n = 600, five 4-category items, x1 normal,
//! x2 binary): `lavInspect(fit, "sampstat")` (`res.th`, `res.slopes`, `res.cov`) and
//! `diag(lavInspect(fit, "gamma"))` of `cfa(mimic, ordered = y1-y5, estimator = "WLSMV")`.
//!
//! Tolerances: thresholds, slopes and correlations 1e-6 (lavaan's nlminb stops earlier than
//! the Newton iterations here), Gamma's diagonal 1e-5 relative.

mod common;

use common::cfa::read_items;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::categorical::conditional::sample_stats;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_ordered_cov")
}

fn num(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn probit_slopes_residual_polychorics_and_gamma_match_lavaan() {
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let case = &e["mimic"];
    let d = read_items(&dir().join("cov.csv"));
    let items: Vec<String> = (1..=5).map(|j| format!("y{j}")).collect();
    let xs: Vec<String> = vec!["x1".into(), "x2".into()];
    let st = sample_stats(&d, &items, &xs).unwrap();
    assert_eq!(st.n as u64, case["n"].as_u64().unwrap());
    let th: Vec<f64> = st.thresholds.iter().flatten().copied().collect();
    let want_th = num(&case["res_th"]);
    assert_eq!(th.len(), want_th.len());
    let mut max = 0.0_f64;
    for (g, w) in th.iter().zip(&want_th) {
        assert!((g - w).abs() < 1e-6, "threshold {g} lavaan {w}");
        max = max.max((g - w).abs());
    }
    for (j, row) in case["res_slopes"].as_array().unwrap().iter().enumerate() {
        for (k, w) in num(row).iter().enumerate() {
            let g = st.slopes[(j, k)];
            assert!(
                (g - w).abs() < 1e-6,
                "slope y{} x{}: {g} lavaan {w}",
                j + 1,
                k + 1
            );
            max = max.max((g - w).abs());
        }
    }
    for (j, row) in case["res_cov"].as_array().unwrap().iter().enumerate() {
        for (k, w) in num(row).iter().enumerate() {
            let g = st.cor[(j, k)];
            assert!(
                (g - w).abs() < 1e-6,
                "cor y{} y{}: {g} lavaan {w}",
                j + 1,
                k + 1
            );
            max = max.max((g - w).abs());
        }
    }
    let gd = num(&case["gamma_diag"]);
    assert_eq!(st.gamma.nrows(), gd.len());
    let mut maxg = 0.0_f64;
    for (i, w) in gd.iter().enumerate() {
        let g = st.gamma[(i, i)];
        let rel = (g - w).abs() / w.abs();
        assert!(rel < 1e-5, "gamma[{i},{i}] {g} lavaan {w}");
        maxg = maxg.max(rel);
    }
    eprintln!("max abs diff of the statistics {max:.2e}, of Gamma's diagonal {maxg:.2e} relative");
}
