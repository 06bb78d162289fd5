//! Modification indices, standardised standard errors and construct validity of multi-group
//! least-squares fits (two groups; continuous items with ULSMV and DWLS, mixed ordered and
//! continuous items with WLSMV in the delta and theta parameterizations, every item ordered
//! with WLSMV, a mixed model with ULSMV), against lavaan 0.6.14 and semTools 0.5.6 (R 4.2.2).
//! Expected values: `tests/fixtures/cfa_groups_mi/expected.json`, written by `generate.R` in
//! that folder: `modindices(fit)` (mi, epc, sepc.all per group; the 20 largest are compared),
//! every row of `standardizedSolution(fit)` (est.std and se, both groups), and the validity of
//! group 1: `compRelSEM(fit)` and `AVE(fit)` (row 1), `htmt(model, data of group 1, ordered =
//! items)`; for continuous items trustscale's continuous CR/AVE formulas from group 1's
//! std.all.
//!
//! Tolerances: mi, epc and sepc.all 5e-4 relative (absolute below 1; the largest difference,
//! 3.1e-4, is the sepc.all of -4.43 of a residual covariance of two ordered items with small
//! residual variances, where the optimisers' stopping points are amplified), std_all_se 1e-5,
//! CR/AVE 1e-5, HTMT 1e-6, HTMT2 (geometric means, see `tests/common/cfa.rs`) 5e-6.

mod common;

use common::cfa::{check_mi_case, read_grouped, validity_kinds, MiCheck};
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa_groups, CfaOptions, CfaResult, Ordered};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_groups_mi")
}

fn cases() -> Vec<Value> {
    let s = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&s)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn ordered(case: &Value) -> Vec<String> {
    case["ordered"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn fit(case: &Value) -> CfaResult {
    let (d, labels) = read_grouped(
        &dir().join(case["data"].as_str().unwrap()),
        case["group"].as_str().unwrap(),
    );
    let text = std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap();
    let m = parse(&text, "model").unwrap();
    let items = ordered(case);
    let opts = CfaOptions {
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
    };
    cfa_groups(&d, &labels, &m, &opts).unwrap()
}

#[test]
fn multi_group_least_squares_indices_std_errors_and_validity_match_lavaan_and_semtools() {
    for case in cases() {
        let r = fit(&case);
        assert_eq!(r.groups.len(), 2);
        assert_eq!(
            r.groups[0].label,
            case["group1"].to_string().trim_matches('"'),
            "group 1"
        );
        let items = ordered(&case);
        let nitems = r.partable.ov.len();
        let tol = MiCheck {
            mi: 5e-4,
            se: 1e-5,
            validity: 1e-5,
            min_rows: 60,
            kinds: validity_kinds(items.is_empty(), items.len() < nitems),
        };
        if case["name"] == "hsmix-groups-wlsmv-theta" {
            // open (issue 13): with two groups in the theta parameterization the extended
            // model's information has zero rows for four free parameters (one per ordered
            // item), so no index is computed; the result says so instead of an empty list
            // passing for "no misfit"
            assert!(r.mi.as_ref().unwrap().is_empty());
            assert!(r.warnings.iter().any(|w| w
                .message
                .starts_with("modification indices could not be computed")));
            continue;
        }
        check_mi_case(&case, &r, &tol);
        // every index of a multi-group fit names its group
        assert!(r.mi.as_ref().unwrap().iter().all(|m| m.group.is_some()));
    }
}

#[test]
fn the_binary_reports_multi_group_indices() {
    let case = cases()
        .into_iter()
        .find(|c| c["name"] == "hsmix-groups-wlsmv")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustscale"))
        .args([
            "cfa",
            case["data"].as_str().unwrap(),
            "--model",
            case["model"].as_str().unwrap(),
            "--group",
            "school",
            "--ordered",
            "x1,x2,x4,x7",
            "--estimator",
            "wlsmv",
            "--mi",
            "--json",
        ])
        .current_dir(dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mi = j["mi"].as_array().unwrap();
    let want = case["mi"].as_array().unwrap();
    assert_eq!(mi.len(), want.len());
    for (got, w) in mi.iter().zip(want).take(5) {
        assert_eq!(got["op"], w["op"]);
        assert_eq!(got["group"], w["group"]);
        let wmi = w["mi"].as_f64().unwrap();
        assert!(
            (got["mi"].as_f64().unwrap() - wmi).abs() <= 3e-4 * wmi,
            "{got} vs {w}"
        );
    }
    assert!(j["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["op"] == "=~")
        .all(|p| p["std_all_se"].as_f64().is_some_and(|s| s > 0.0)));
    assert!(!stderr.contains("not computed"), "{stderr}");
}
