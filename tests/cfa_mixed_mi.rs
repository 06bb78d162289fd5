//! Modification indices, standardised standard errors and construct validity of mixed models
//! (some items ordered, some continuous; WLSMV, DWLS, ULSMV; delta and theta) and of least
//! squares on continuous items (ULSMV, DWLS), against lavaan 0.6.14 and semTools 0.5.6 (R
//! 4.2.2). Expected values: `tests/fixtures/cfa_mixed_mi/expected.json`, written by
//! `generate.R` in that folder: `modindices(fit)` (mi, epc, sepc.all; the 20 largest are
//! compared), every row of `standardizedSolution(fit)` (est.std and se), `compRelSEM(fit)`
//! (NA for factors with ordered and continuous indicators), `AVE(fit)` and `htmt(model, data,
//! ordered = items)` (with `htmt2 = FALSE` and TRUE); for continuous items the CR and AVE of
//! trustscale's continuous formulas from lavaan's std.all.
//!
//! Tolerances: mi, epc and sepc.all 3e-4 relative (absolute below 1; the largest differences,
//! 1.9e-4, are in indices near 1 with DWLS, where lavaan prints three decimals that agree),
//! std_all_se 1e-5, CR/AVE 1e-5 (the estimates themselves agree to about 5e-6 relative),
//! HTMT 1e-6.

mod common;

use common::cfa::{check_mi_case, read_items, validity_kinds, MiCheck};
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, CfaOptions, CfaResult, Ordered};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_mixed_mi")
}

fn cases() -> Vec<Value> {
    let s = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&s)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn options(case: &Value) -> CfaOptions {
    let items: Vec<String> = case["ordered"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    CfaOptions {
        estimator: case["estimator"].as_str().unwrap().parse().unwrap(),
        ordered: if items.is_empty() {
            Ordered::None
        } else {
            Ordered::Items(items)
        },
        parameterization: case["parameterization"].as_str().unwrap().parse().unwrap(),
        modification_indices: true,
        validity: true,
        ..CfaOptions::default()
    }
}

fn fit(case: &Value) -> CfaResult {
    let d = read_items(&dir().join(case["data"].as_str().unwrap()));
    let text = std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap();
    let m = parse(&text, "model").unwrap();
    cfa(&d, &m, &options(case)).unwrap()
}

#[test]
fn mixed_and_continuous_indices_std_errors_and_validity_match_lavaan_and_semtools() {
    for case in cases() {
        let r = fit(&case);
        let continuous = case["ordered"].as_array().is_none_or(|a| a.is_empty());
        check_mi_case(
            &case,
            &r,
            &MiCheck {
                mi: 3e-4,
                se: 1e-5,
                validity: 1e-5,
                min_rows: 24,
                kinds: validity_kinds(continuous, true),
            },
        );
    }
}
