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

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::mi::ModIndex;
use trustscale::cfa::syntax::{parse, Op};
use trustscale::cfa::{cfa, CfaOptions, CfaResult, Ordered};
use trustscale::data::ItemData;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_mixed_mi")
}

fn read_csv(path: &Path) -> ItemData {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
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
    let d = read_csv(&dir().join(case["data"].as_str().unwrap()));
    let text = std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap();
    let m = parse(&text, "model").unwrap();
    cfa(&d, &m, &options(case)).unwrap()
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
            (got.mi - wmi).abs() <= 3e-4 * wmi.max(1.0),
            "{label}: mi {} lavaan {wmi}",
            got.mi
        );
        assert!(
            (got.epc - f(&w["epc"])).abs() <= 3e-4 * f(&w["epc"]).abs().max(1.0),
            "{label}: epc {} lavaan {}",
            got.epc,
            w["epc"]
        );
        let s = got.sepc_all.unwrap();
        assert!(
            (s - f(&w["sepc_all"])).abs() <= 3e-4 * f(&w["sepc_all"]).abs().max(1.0),
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
    assert!(compared >= 24, "{name}: {compared} rows compared");
    // construct validity (ordered cases)
    if let Some(v) = case["validity"].as_object().filter(|v| !v.is_empty()) {
        let val = r.validity.as_ref().unwrap();
        let continuous = case["ordered"].as_array().is_none_or(|a| a.is_empty());
        let kinds = if continuous {
            ["omega_std_loadings", "std_loadings", "pearson"]
        } else {
            [
                "categorical_omega",
                "latent_responses",
                "polychoric_polyserial_pearson",
            ]
        };
        assert_eq!(
            [
                val.cr_kind.as_str(),
                val.ave_kind.as_str(),
                val.htmt_basis.as_str()
            ],
            kinds,
            "{name}"
        );
        let factors: Vec<&str> = match &v["factors"] {
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => panic!("factors"),
        };
        let as_vec = |x: &Value| -> Vec<Option<f64>> {
            match x {
                Value::Array(a) => a.iter().map(Value::as_f64).collect(),
                x => vec![x.as_f64()],
            }
        };
        let (cr, ave) = (as_vec(&v["cr"]), as_vec(&v["ave"]));
        for (k, fname) in factors.iter().enumerate() {
            let fv = val.factors.iter().find(|x| x.factor == *fname).unwrap();
            match cr[k] {
                // semTools: NA for a factor with ordered and continuous indicators
                None => assert!(fv.cr.is_none(), "{name} {fname}: CR {:?}", fv.cr),
                Some(w) => {
                    let c = fv.cr.unwrap_or_else(|| panic!("{name} {fname}: CR null"));
                    assert!((c - w).abs() < 1e-5, "{name} {fname}: CR {c} semTools {w}");
                }
            }
            let (a, w) = (fv.ave.unwrap(), ave[k].unwrap());
            assert!((a - w).abs() < 1e-5, "{name} {fname}: AVE {a} semTools {w}");
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
    let mixed_cr = case["validity"]["cr"]
        .as_array()
        .is_some_and(|a| a.iter().any(Value::is_null));
    assert_eq!(
        notes.iter().any(|m| m.contains("no composite reliability")),
        mixed_cr,
        "{name}: {notes:?}"
    );
    assert!(
        !notes.iter().any(|m| m.contains("not computed")),
        "{name}: {notes:?}"
    );
}

#[test]
fn mixed_and_continuous_indices_std_errors_and_validity_match_lavaan_and_semtools() {
    for case in cases() {
        let r = fit(&case);
        check_case(&case, &r);
    }
}
