//! The program effect's adjusted tests (`effect.adjusted`), pinned against R on the data of
//! tests/fixtures/evaluate_adjusted/ (generate.R writes the CSVs and expected.json):
//! the cohort-clustered ANCOVA with CR2 errors and Bell–McCaffrey degrees of freedom
//! (clubSandwich 0.5.8 `coef_test(test = "Satterthwaite")`, `conf_int`), beside the contract's
//! CR1 (sandwich 3.0.2 `vcovCL(type = "HC1")` + lmtest), and the collaborators' mixed model
//! with a leader × wave random intercept (lme4 1.1.31 `lmer(score ~ followup * program +
//! (1 | leader) + (1 | leader:followup))`), beside the contract's random intercept only.

use nalgebra::DMatrix;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::evaluate::{evaluate_source, Design, Rating, Source, SourceData, Wave};
use trustscale::regression::{cr2_satterthwaite_df, lmm_reml_nested};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evaluate_adjusted")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap()).unwrap()
}

/// Rows of a fixture CSV: leader, cohort, arm, wave, score.
fn ratings(file: &str) -> Vec<Rating> {
    let text = std::fs::read_to_string(dir().join(file)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Rating {
                unit: f[0].into(),
                cohort: Some(f[1].into()),
                arm: usize::from(f[2] != "program"),
                wave: if f[3] == "pre" {
                    Wave::Baseline
                } else {
                    Wave::Followup
                },
                score: f[4].parse().unwrap(),
            }
        })
        .collect()
}

fn design() -> Design {
    Design {
        baseline: "pre".into(),
        followup: "post".into(),
        program: "program".into(),
        comparison: Some("comparison".into()),
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(what: &str, got: f64, want: &Value, tol: f64) {
    let want = num(want);
    assert!(
        (got - want).abs() <= tol,
        "{what}: R {want}, trustscale {got} (tol {tol})"
    );
}

#[test]
fn clustered_ancova_gives_cr1_and_cr2_with_bell_mccaffrey_df_as_sandwich_and_clubsandwich() {
    let e = expected();
    let a = &e["ancova"];
    let data = SourceData {
        source: Source::SelfRating,
        ratings: ratings("self.csv"),
        baseline_items: None,
        clustered: true,
        items: None,
    };
    let r = evaluate_source(&design(), &data).unwrap();
    let eff = r.effect.unwrap();
    assert_eq!(eff.n as u64, a["n"].as_u64().unwrap());
    // the contract's keys: CR1 on n - 3 df
    assert_eq!(eff.se_type, "CR1");
    close("estimate", eff.estimate, &a["estimate"], 1e-10);
    close("CR1 se", eff.se, &a["cr1"]["se"], 1e-10);
    close("CR1 p", eff.p, &a["cr1"]["p"], 1e-9);
    close("CR1 ci lo", eff.ci[0], &a["cr1"]["ci"][0], 1e-9);
    close("CR1 ci hi", eff.ci[1], &a["cr1"]["ci"][1], 1e-9);
    // the adjusted test: CR2, Satterthwaite df
    let adj = eff.adjusted.as_ref().unwrap();
    assert_eq!(adj.se_type, "CR2");
    assert_eq!(adj.n_clusters, 8);
    close("CR2 estimate", adj.estimate, &a["estimate"], 1e-10);
    close("CR2 se", adj.se, &a["cr2"]["se"], 1e-10);
    close("CR2 df", adj.df.unwrap(), &a["cr2"]["df"], 1e-8);
    close("CR2 p", adj.p, &a["cr2"]["p"], 1e-8);
    close("CR2 ci lo", adj.ci[0], &a["cr2"]["ci"][0], 1e-8);
    close("CR2 ci hi", adj.ci[1], &a["cr2"]["ci"][1], 1e-8);
    assert_eq!(eff.test().3, adj.p);
}

#[test]
fn unclustered_ancova_has_no_adjusted_test() {
    let data = SourceData {
        source: Source::SelfRating,
        ratings: ratings("self.csv"),
        baseline_items: None,
        clustered: false,
        items: None,
    };
    let eff = evaluate_source(&design(), &data).unwrap().effect.unwrap();
    assert_eq!(eff.se_type, "HC3");
    assert!(eff.adjusted.is_none());
    assert_eq!(eff.test().3, eff.p);
}

#[test]
fn satterthwaite_df_of_a_cluster_level_coefficient_is_below_the_clusters() {
    // 6 clusters of 3 rows, a cluster-level dummy: the df is at most G - 1 and positive;
    // an intercept-only design with balanced clusters gives exactly G - 1.
    let x = DMatrix::from_fn(18, 1, |_, _| 1.0);
    let ids: Vec<usize> = (0..18).map(|i| i / 3).collect();
    let df = cr2_satterthwaite_df(&x, &ids, 0).unwrap();
    assert!((df - 5.0).abs() < 1e-10, "{df}");
    let x = DMatrix::from_fn(18, 2, |i, j| {
        if j == 0 {
            1.0
        } else {
            f64::from(u8::from(i < 9))
        }
    });
    let df = cr2_satterthwaite_df(&x, &ids, 1).unwrap();
    assert!(df > 0.0 && df <= 5.0 + 1e-10, "{df}");
    assert!(cr2_satterthwaite_df(&x, &ids, 2).is_err());
}

#[test]
fn collaborators_mixed_models_match_lme4_with_and_without_the_leader_by_wave_intercept() {
    let e = expected();
    let m = &e["mixed"];
    let rows = ratings("collaborators.csv");
    let data = SourceData {
        source: Source::Collaborators,
        ratings: rows.clone(),
        baseline_items: None,
        clustered: true,
        items: None,
    };
    let eff = evaluate_source(&design(), &data).unwrap().effect.unwrap();
    assert_eq!(eff.method, "mixed");
    assert_eq!(eff.n as u64, m["n"].as_u64().unwrap());
    // lme4's optimiser stops near 1e-7 of the variances' optimum
    close(
        "random intercept estimate",
        eff.estimate,
        &m["intercept"]["estimate"],
        1e-6,
    );
    close("random intercept se", eff.se, &m["intercept"]["se"], 1e-6);
    let adj = eff.adjusted.as_ref().unwrap();
    let nested = &m["nested"];
    assert_eq!(adj.n_clusters as u64, m["n_leaders"].as_u64().unwrap());
    close("nested estimate", adj.estimate, &nested["estimate"], 1e-6);
    close("nested se", adj.se, &nested["se"], 1e-6);
    close(
        "var leader",
        adj.var_leader.unwrap(),
        &nested["var_leader"],
        1e-6,
    );
    close(
        "var leader x wave",
        adj.var_leader_wave.unwrap(),
        &nested["var_leader_wave"],
        1e-6,
    );
    close(
        "var residual",
        adj.var_residual.unwrap(),
        &nested["var_residual"],
        1e-6,
    );
    assert!(adj.df.is_none());
    // the engine itself: every fixed effect, theta (lme4's order), the criterion and AIC
    let mut index = std::collections::BTreeMap::new();
    let groups: Vec<usize> = rows
        .iter()
        .map(|r| {
            let next = index.len();
            *index.entry(r.unit.clone()).or_insert(next)
        })
        .collect();
    let x = DMatrix::from_fn(rows.len(), 3, |i, j| {
        let f = f64::from(u8::from(rows[i].wave == Wave::Followup));
        let p = f64::from(u8::from(rows[i].arm == 0));
        [f, p, f * p][j]
    });
    let y: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let names = ["followup", "program", "followup:program"].map(String::from);
    let fit = lmm_reml_nested(&x, &y, &groups, &names, 0).unwrap();
    for j in 0..4 {
        close("fixef", fit.fixed[j].estimate, &nested["fixef"][j], 1e-6);
        close("se", fit.fixed[j].se, &nested["se_all"][j], 1e-6);
    }
    close("theta[0]", fit.theta[0], &nested["theta"][0], 1e-5);
    close("theta[1]", fit.theta[1], &nested["theta"][1], 1e-5);
    close(
        "REML criterion",
        fit.reml_criterion,
        &nested["reml_criterion"],
        1e-7,
    );
    close("AIC", fit.aic, &nested["aic"], 1e-7);
    assert!(fit.icc.is_none() && fit.random_slope.is_none());
    // a predictor that is not 0/1 cannot carry the nested intercept
    let mut x2 = x.clone();
    x2[(0, 0)] = 0.5;
    assert!(lmm_reml_nested(&x2, &y, &groups, &names, 0).is_err());
}
