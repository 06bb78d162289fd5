//! Modification indices, standardised standard errors and construct validity for ordered items
//! (WLSMV, DWLS, ULSMV; delta and theta) and for FIML fits (ML, MLR, with a fixed covariate,
//! two groups), against lavaan 0.6.14 and semTools 0.5.6 (R 4.2.2). Expected values:
//! `tests/fixtures/cfa_ordered_mi/expected.json`, written by `generate.R` in that folder:
//! `modindices(fit)` (mi, epc, sepc.all; the 20 largest are compared), every row of
//! `standardizedSolution(fit)` (est.std and se), `compRelSEM(fit)`, `AVE(fit)` and
//! `htmt(model, data, ordered = items)` (with `htmt2 = FALSE` and TRUE).
//!
//! Measured agreement (largest differences): mi 1.6e-5 relative; epc and sepc.all 2.7e-5
//! relative in the two-group FIML fit, 3.7e-6 otherwise; std_all_se 7.5e-7 (2e-6 with two
//! groups); CR/AVE/HTMT 4e-7; all limited by the estimates themselves (std.all 1.6e-6), at
//! which the optimisers of the two programs stop at slightly different points. Tolerances: mi, epc and sepc.all 1e-4 relative
//! (absolute below 1 for epc and sepc.all), std_all_se 1e-5, CR/AVE/HTMT 1e-6.

mod common;

use common::cfa::{check_mi_case, f, read_items, validity_kinds, MiCheck};
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, cfa_groups, CfaOptions, CfaResult, MissingData, Ordered};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_ordered_mi")
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
    let fiml = case["missing"] == "fiml";
    CfaOptions {
        estimator: case["estimator"].as_str().unwrap().parse().unwrap(),
        ordered: if fiml { Ordered::None } else { Ordered::All },
        parameterization: case["parameterization"]
            .as_str()
            .map(|p| p.parse().unwrap())
            .unwrap_or_default(),
        missing: if fiml {
            MissingData::Fiml
        } else {
            MissingData::Listwise
        },
        modification_indices: true,
        validity: true,
        ..CfaOptions::default()
    }
}

fn fit(case: &Value) -> CfaResult {
    let path = dir().join(case["data"].as_str().unwrap());
    let d = read_items(&path);
    let text = std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap();
    let m = parse(&text, "model").unwrap();
    match case["group"].as_str() {
        None => cfa(&d, &m, &options(case)).unwrap(),
        Some(col) => {
            let s = std::fs::read_to_string(&path).unwrap();
            let mut lines = s.lines();
            let k = lines
                .next()
                .unwrap()
                .split(',')
                .position(|c| c == col)
                .unwrap();
            let labels: Vec<String> = lines
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').nth(k).unwrap().to_string())
                .collect();
            cfa_groups(&d, &labels, &m, &options(case)).unwrap()
        }
    }
}

#[test]
fn ordered_and_fiml_indices_std_errors_and_validity_match_lavaan_and_semtools() {
    for case in cases() {
        let r = fit(&case);
        check_mi_case(
            &case,
            &r,
            &MiCheck {
                mi: 1e-4,
                se: 1e-5,
                validity: 1e-6,
                min_rows: 29,
                kinds: validity_kinds(false, false),
            },
        );
    }
}

#[test]
fn the_binary_reports_the_same_indices() {
    for name in ["hs3-wlsmv", "hs-fiml-mlr"] {
        let case = cases().into_iter().find(|c| c["name"] == name).unwrap();
        let mut args: Vec<String> = vec![
            "cfa".into(),
            case["data"].as_str().unwrap().into(),
            "--model".into(),
            case["model"].as_str().unwrap().into(),
            "--estimator".into(),
            case["estimator"].as_str().unwrap().into(),
            "--mi".into(),
            "--json".into(),
        ];
        if case["missing"] == "fiml" {
            args.extend(["--missing-data".into(), "fiml".into()]);
        } else {
            args.extend(["--ordered".into(), "all".into()]);
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustscale"))
            .args(&args)
            .current_dir(dir())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mi = j["mi"].as_array().unwrap();
        assert_eq!(mi.len(), case["mi"].as_array().unwrap().len(), "{name}");
        for (got, want) in mi.iter().zip(case["mi"].as_array().unwrap()).take(5) {
            assert_eq!(got["op"], want["op"], "{name}");
            let wmi = f(&want["mi"]);
            assert!(
                (f(&got["mi"]) - wmi).abs() <= 1e-4 * wmi,
                "{name}: {got} vs {want}"
            );
            assert!(
                (f(&got["epc"]) - f(&want["epc"])).abs() <= 1e-5,
                "{name}: {got} vs {want}"
            );
        }
        let params = j["parameters"].as_array().unwrap();
        assert!(params
            .iter()
            .filter(|p| p["op"] == "=~")
            .all(|p| p["std_all_se"].as_f64().is_some_and(|s| s > 0.0)));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("not computed"), "{name}: {stderr}");
    }
}
