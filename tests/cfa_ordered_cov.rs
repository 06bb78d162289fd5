//! Ordered indicators with observed exogenous covariates (lavaan's `conditional.x = TRUE`),
//! against lavaan 0.6.14 (R 4.2.2). Expected values:
//! `tests/fixtures/cfa_ordered_cov/expected.json`, written by `generate.R` in that folder.
//!
//! 1. The step-1 probit regressions (thresholds and slopes), the step-2 residual polychoric
//!    correlations and their asymptotic covariance matrix $\Gamma$ (simulated data, n = 600,
//!    five 4-category items, x1 normal, x2 binary): `lavInspect(fit, "sampstat")` (`res.th`,
//!    `res.slopes`, `res.cov`) and `diag(lavInspect(fit, "gamma"))`. Tolerances: thresholds,
//!    slopes and correlations 1e-6 (lavaan's nlminb stops earlier than the Newton iterations
//!    here), Gamma's diagonal 1e-5 relative.
//! 2. The fitted models (`parameterEstimates(fit, standardized = TRUE)`: est, se, std.all;
//!    `fitMeasures(fit)`) of six cases: the simulated MIMIC model with and without a direct
//!    effect (WLSMV), Holzinger-Swineford cut at the terciles with sex and age (WLSMV delta,
//!    ULSMV theta), psych::bfi A and C items with gender and age and a direct effect (WLSMV,
//!    DWLS). Tolerances: estimates, se and std_all 2e-5 relative beyond 1 (lavaan stops
//!    nlminb at a relative change of 1e-10 in F), test statistics 1e-5, indices 1e-6.

mod common;

use common::cfa::read_items;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::categorical::conditional::sample_stats;
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, CfaOptions, CfaResult, Estimator, Ordered, Parameterization};

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

fn opt_f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Checks `got` against lavaan's `want` (null: expected None), relative beyond 1.
fn close(label: &str, got: Option<f64>, want: &Value, tol: f64, max: &mut f64) {
    match opt_f(want) {
        None => assert!(got.is_none(), "{label}: lavaan gives NA, got {got:?}"),
        Some(w) => {
            let g = got.unwrap_or_else(|| panic!("{label}: got null, lavaan {w}"));
            let d = (g - w).abs() / w.abs().max(1.0);
            assert!(d <= tol, "{label}: got {g}, lavaan {w} (tol {tol:.0e})");
            *max = max.max(d);
        }
    }
}

fn fit_case(case: &Value) -> CfaResult {
    let d = read_items(&dir().join(case["data"].as_str().unwrap()));
    let text = std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap();
    let m = parse(&text, "model").unwrap();
    let estimator = match case["estimator"].as_str().unwrap() {
        "WLSMV" => Estimator::Wlsmv,
        "ULSMV" => Estimator::Ulsmv,
        "DWLS" => Estimator::Dwls,
        "ULS" => Estimator::Uls,
        e => panic!("{e}"),
    };
    let parameterization = match case["parameterization"].as_str().unwrap() {
        "theta" => Parameterization::Theta,
        _ => Parameterization::Delta,
    };
    let opts = CfaOptions {
        estimator,
        ordered: Ordered::All,
        parameterization,
        ..CfaOptions::default()
    };
    cfa(&d, &m, &opts).unwrap()
}

#[test]
fn models_with_covariates_match_lavaan_estimates_se_std_all_tests_and_indices() {
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    for (name, case) in e.as_object().unwrap() {
        let r = fit_case(case);
        assert!(r.converged, "{name}: not converged");
        assert_eq!(r.n as u64, case["n"].as_u64().unwrap(), "{name}: n");
        let (mut me, mut ms, mut mz) = (0.0_f64, 0.0_f64, 0.0_f64);
        let rows = case["parameters"].as_array().unwrap();
        let mut matched = 0;
        for w in rows {
            let (lhs, op, rhs) = (
                w["lhs"].as_str().unwrap(),
                w["op"].as_str().unwrap(),
                w["rhs"].as_str().unwrap(),
            );
            if op == "~*~" {
                continue; // lavaan's scaling rows are not listed (module docs)
            }
            let got = r
                .parameters
                .iter()
                .find(|p| p.lhs == lhs && p.op.as_str() == op && p.rhs == rhs)
                .unwrap_or_else(|| panic!("{name}: no row {lhs} {op} {rhs}"));
            matched += 1;
            let lab = format!("{name}: {lhs} {op} {rhs}");
            close(
                &format!("{lab} est"),
                Some(got.est),
                &w["est"],
                2e-5,
                &mut me,
            );
            close(&format!("{lab} se"), got.se, &w["se"], 2e-5, &mut ms);
            close(
                &format!("{lab} std_all"),
                got.std_all,
                &w["std_all"],
                2e-5,
                &mut mz,
            );
        }
        assert_eq!(matched, r.parameters.len(), "{name}: number of rows");
        let f = &r.fit;
        let fe = &case["fit"];
        assert_eq!(f.df as u64, fe["df"].as_u64().unwrap(), "{name}: df");
        assert_eq!(f.npar as u64, fe["npar"].as_u64().unwrap(), "{name}: npar");
        assert_eq!(
            f.baseline_df as u64,
            fe["baseline_df"].as_u64().unwrap(),
            "{name}: baseline df"
        );
        let robust = f.standard.is_some();
        let std = f
            .standard
            .clone()
            .unwrap_or(trustscale::cfa::fit::StandardFit {
                chisq: f.chisq,
                pvalue: f.pvalue,
                baseline_chisq: f.baseline_chisq,
                cfi: f.cfi,
                tli: f.tli,
                rmsea: f.rmsea,
                rmsea_ci: f.rmsea_ci,
            });
        let (mut mt, mut mi) = (0.0_f64, 0.0_f64);
        let l = |k: &str| format!("{name}: {k}");
        close(&l("chisq"), Some(std.chisq), &fe["chisq"], 1e-5, &mut mt);
        close(&l("pvalue"), std.pvalue, &fe["pvalue"], 1e-6, &mut mi);
        close(
            &l("baseline.chisq"),
            Some(std.baseline_chisq),
            &fe["baseline_chisq"],
            1e-5,
            &mut mt,
        );
        close(&l("cfi"), std.cfi, &fe["cfi"], 1e-6, &mut mi);
        close(&l("tli"), std.tli, &fe["tli"], 1e-6, &mut mi);
        close(&l("rmsea"), std.rmsea, &fe["rmsea"], 1e-6, &mut mi);
        close(
            &l("rmsea.ci.lower"),
            std.rmsea_ci.map(|c| c[0]),
            &fe["rmsea_ci_lower"],
            1e-6,
            &mut mi,
        );
        close(
            &l("rmsea.ci.upper"),
            std.rmsea_ci.map(|c| c[1]),
            &fe["rmsea_ci_upper"],
            1e-6,
            &mut mi,
        );
        close(&l("srmr"), Some(f.srmr), &fe["srmr"], 1e-6, &mut mi);
        if robust {
            close(
                &l("chisq.scaled"),
                Some(f.chisq),
                &fe["chisq_scaled"],
                1e-5,
                &mut mt,
            );
            close(
                &l("pvalue.scaled"),
                f.pvalue,
                &fe["pvalue_scaled"],
                1e-6,
                &mut mi,
            );
            close(
                &l("scaling"),
                f.scaling_factor,
                &fe["chisq_scaling_factor"],
                1e-5,
                &mut mt,
            );
            close(&l("shift"), f.shift, &fe["shift"], 1e-5, &mut mt);
            close(
                &l("baseline.chisq.scaled"),
                Some(f.baseline_chisq),
                &fe["baseline_chisq_scaled"],
                1e-5,
                &mut mt,
            );
            let s = f.scaled.as_ref().unwrap();
            close(&l("cfi.scaled"), s.cfi, &fe["cfi_scaled"], 1e-6, &mut mi);
            close(&l("tli.scaled"), s.tli, &fe["tli_scaled"], 1e-6, &mut mi);
            close(
                &l("rmsea.scaled"),
                s.rmsea,
                &fe["rmsea_scaled"],
                1e-6,
                &mut mi,
            );
            close(
                &l("rmsea.ci.lower.scaled"),
                s.rmsea_ci.map(|c| c[0]),
                &fe["rmsea_ci_lower_scaled"],
                1e-6,
                &mut mi,
            );
            close(
                &l("rmsea.ci.upper.scaled"),
                s.rmsea_ci.map(|c| c[1]),
                &fe["rmsea_ci_upper_scaled"],
                1e-6,
                &mut mi,
            );
            // lavaan 0.6.14 gives no robust CFI/TLI/RMSEA with conditional.x
            close(&l("cfi.robust"), f.cfi, &fe["cfi_robust"], 1e-6, &mut mi);
            close(&l("tli.robust"), f.tli, &fe["tli_robust"], 1e-6, &mut mi);
            close(
                &l("rmsea.robust"),
                f.rmsea,
                &fe["rmsea_robust"],
                1e-6,
                &mut mi,
            );
        }
        eprintln!(
            "{name}: max relative diff est {me:.1e}, se {ms:.1e}, std_all {mz:.1e}, tests {mt:.1e}, indices {mi:.1e}"
        );
    }
}
