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

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::mi::ModIndex;
use trustscale::cfa::syntax::{parse, Op};
use trustscale::cfa::{cfa, cfa_groups, CfaOptions, CfaResult, MissingData, Ordered};
use trustscale::data::ItemData;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_ordered_mi")
}

fn read_csv(path: &Path) -> ItemData {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let names: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let values: Vec<f64> = lines
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| {
            l.split(',')
                .map(|c| c.trim().parse::<f64>().unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        })
        .collect();
    ItemData::new(names, values).unwrap()
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
    let d = read_csv(&path);
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

/// The same parameter (and group) up to the order of a covariance's two sides.
fn same(lhs: &str, op: &str, rhs: &str, group: usize, m: &ModIndex) -> bool {
    op == m.op.as_str()
        && m.group.unwrap_or(1) == group
        && ((m.lhs == lhs && m.rhs == rhs) || (m.op == Op::Covary && m.lhs == rhs && m.rhs == lhs))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn group(w: &Value) -> usize {
    w["group"].as_u64().unwrap_or(1) as usize
}

fn check_case(case: &Value, r: &CfaResult) {
    let name = case["name"].as_str().unwrap();
    // modification indices: the same set, the 20 largest compared
    let mi = r.mi.as_ref().unwrap();
    let want = case["mi"].as_array().unwrap();
    assert_eq!(mi.len(), want.len(), "{name}: number of indices");
    for w in want.iter().take(20) {
        let (l, op, rh) = (
            w["lhs"].as_str().unwrap(),
            w["op"].as_str().unwrap(),
            w["rhs"].as_str().unwrap(),
        );
        let got = mi
            .iter()
            .find(|m| same(l, op, rh, group(w), m))
            .unwrap_or_else(|| panic!("{name}: no index for {l} {op} {rh}"));
        let label = format!("{name}: {l} {op} {rh}");
        let wmi = f(&w["mi"]);
        assert!(
            (got.mi - wmi).abs() <= 1e-4 * wmi.max(1.0),
            "{label}: mi {} lavaan {wmi}",
            got.mi
        );
        assert!(
            (got.epc - f(&w["epc"])).abs() <= 1e-4 * f(&w["epc"]).abs().max(1.0),
            "{label}: epc {} lavaan {}",
            got.epc,
            w["epc"]
        );
        let s = got.sepc_all.unwrap();
        assert!(
            (s - f(&w["sepc_all"])).abs() <= 1e-4 * f(&w["sepc_all"]).abs().max(1.0),
            "{label}: sepc_all {s} lavaan {}",
            w["sepc_all"]
        );
    }
    // every standardised row lavaan has and we have
    let mut compared = 0;
    for w in case["standardized"].as_array().unwrap() {
        let (l, op, rh) = (
            w["lhs"].as_str().unwrap(),
            w["op"].as_str().unwrap(),
            w["rhs"].as_str().unwrap(),
        );
        let Some(p) = r.parameters.iter().find(|p| {
            p.op.as_str() == op && p.lhs == l && p.rhs == rh && p.group.unwrap_or(1) == group(w)
        }) else {
            assert_eq!(op, "~*~", "{name}: no row {l} {op} {rh}");
            continue;
        };
        let label = format!("{name}: {l} {op} {rh}");
        let se = p
            .std_all_se
            .unwrap_or_else(|| panic!("{label}: std_all_se is null"));
        assert!(
            (se - f(&w["std_all_se"])).abs() <= 1e-5,
            "{label}: std_all_se {se} lavaan {}",
            w["std_all_se"]
        );
        compared += 1;
    }
    assert!(compared >= 29, "{name}: {compared} rows compared");
    // construct validity (ordered cases)
    if let Some(v) = case["validity"].as_object().filter(|v| !v.is_empty()) {
        let val = r.validity.as_ref().unwrap();
        assert_eq!(val.cr_kind, "categorical_omega");
        assert_eq!(val.ave_kind, "latent_responses");
        assert_eq!(val.htmt_basis, "polychoric");
        let factors: Vec<&str> = match &v["factors"] {
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => panic!("factors"),
        };
        let as_vec = |x: &Value| -> Vec<f64> {
            match x {
                Value::Array(a) => a.iter().map(f).collect(),
                x => vec![f(x)],
            }
        };
        let (cr, ave) = (as_vec(&v["cr"]), as_vec(&v["ave"]));
        for (k, fname) in factors.iter().enumerate() {
            let fv = val.factors.iter().find(|x| x.factor == *fname).unwrap();
            let (c, a) = (fv.cr.unwrap(), fv.ave.unwrap());
            assert!(
                (c - cr[k]).abs() < 1e-6,
                "{name} {fname}: CR {c} semTools {}",
                cr[k]
            );
            assert!(
                (a - ave[k]).abs() < 1e-6,
                "{name} {fname}: AVE {a} semTools {}",
                ave[k]
            );
        }
        for h in v["htmt"].as_array().unwrap() {
            let (a, b) = (
                h["factor1"].as_str().unwrap(),
                h["factor2"].as_str().unwrap(),
            );
            let got = val
                .htmt
                .iter()
                .find(|x| (x.factor1 == a && x.factor2 == b) || (x.factor1 == b && x.factor2 == a))
                .unwrap();
            let (g1, g2) = (got.htmt.unwrap(), got.htmt2.unwrap());
            assert!(
                (g1 - f(&h["htmt"])).abs() < 1e-6,
                "{name} {a}-{b}: HTMT {g1} semTools {}",
                h["htmt"]
            );
            assert!(
                (g2 - f(&h["htmt2"])).abs() < 1e-6,
                "{name} {a}-{b}: HTMT2 {g2} semTools {}",
                h["htmt2"]
            );
        }
    }
    let notes: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        !notes.iter().any(|m| m.contains("not computed")),
        "{name}: {notes:?}"
    );
}

#[test]
fn ordered_and_fiml_indices_std_errors_and_validity_match_lavaan_and_semtools() {
    for case in cases() {
        let r = fit(&case);
        check_case(&case, &r);
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
