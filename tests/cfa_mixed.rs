//! Mixed ordered/continuous CFA and least squares on continuous data against lavaan 0.6.14
//! (R 4.2.2): HolzingerSwineford1939 with four items cut into three categories (WLSMV delta
//! and theta, ULSMV with a cross-loading), psych::bfi with three items continuous (WLSMV, ULS
//! theta), a sparse DWLS case (239 bfi rows), and ULS, DWLS, WLSMV and ULSMV on the
//! continuous HS items. Expected values: `tests/fixtures/cfa_mixed/expected.json`, written
//! by `generate.R` in that folder. Every parameter (est, se, std_all), the fit keys (chisq,
//! df, pvalue, cfi, tli, rmsea, rmsea_ci, srmr) and n are checked through the binary and
//! through the library.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, CfaOptions, Estimator, Ordered, Parameterization};
use trustscale::data::ItemData;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_mixed")
}

fn expected() -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    v.as_array().unwrap().clone()
}

fn read_csv(path: &Path) -> ItemData {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|x| x.trim_matches('"').to_string())
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

fn ordered_of(case: &Value) -> Vec<String> {
    case["ordered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Largest |difference| per kind, and the check against a tolerance (relative to
/// max(1, |lavaan|)).
#[derive(Default)]
struct Diffs(Vec<(String, f64)>);

impl Diffs {
    fn check(&mut self, kind: &str, label: &str, got: Option<f64>, want: &Value, tol: f64) {
        match want.as_f64() {
            None => assert!(got.is_none(), "{label}: lavaan NA, got {got:?}"),
            Some(w) => {
                let g = got.unwrap_or_else(|| panic!("{label}: got null, lavaan {w}"));
                let d = (g - w).abs();
                assert!(
                    d <= tol * w.abs().max(1.0),
                    "{label}: got {g}, lavaan {w} (tol {tol:.0e})"
                );
                match self.0.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, m)) => *m = m.max(d),
                    None => self.0.push((kind.to_string(), d)),
                }
            }
        }
    }
}

/// Compares one result (as JSON: the binary's output or the library's result serialised).
fn compare(case: &Value, got: &Value, how: &str, diffs: &mut Diffs) {
    let name = format!("{how} {}", case["name"].as_str().unwrap());
    assert_eq!(got["n"], case["n"], "{name}: n");
    let (fe, fg) = (&case["fit"], &got["fit"]);
    assert_eq!(fg["df"].as_f64(), fe["df"].as_f64(), "{name}: df");
    for (k, tol) in [
        ("chisq", 1e-5),
        ("pvalue", 1e-6),
        ("cfi", 1e-6),
        ("tli", 1e-6),
        ("rmsea", 1e-6),
        ("srmr", 1e-6),
    ] {
        diffs.check(k, &format!("{name}: fit.{k}"), fg[k].as_f64(), &fe[k], tol);
    }
    let ci = fg["rmsea_ci"].as_array();
    for i in 0..2 {
        diffs.check(
            "rmsea_ci",
            &format!("{name}: fit.rmsea_ci[{i}]"),
            ci.and_then(|c| c[i].as_f64()),
            &fe["rmsea_ci"][i],
            1e-6,
        );
    }
    let params = got["parameters"].as_array().unwrap();
    for p in case["parameters"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            p["lhs"].as_str().unwrap(),
            p["op"].as_str().unwrap(),
            p["rhs"].as_str().unwrap(),
        );
        let row = params
            .iter()
            .find(|q| {
                q["op"] == op
                    && ((q["lhs"] == lhs && q["rhs"] == rhs)
                        || (op == "~~" && q["lhs"] == rhs && q["rhs"] == lhs))
            })
            .unwrap_or_else(|| panic!("{name}: no row {lhs} {op} {rhs}"));
        let label = format!("{name}: {lhs} {op} {rhs}");
        diffs.check(
            "est",
            &format!("{label} est"),
            row["est"].as_f64(),
            &p["est"],
            1e-4,
        );
        let se = row["se"].as_f64().or(Some(0.0));
        diffs.check("se", &format!("{label} se"), se, &p["se"], 1e-4);
        diffs.check(
            "std_all",
            &format!("{label} std_all"),
            row["std_all"].as_f64(),
            &p["std_all"],
            1e-4,
        );
    }
}

#[test]
fn mixed_and_continuous_least_squares_match_lavaan_through_the_library() {
    let mut diffs = Diffs::default();
    for case in expected() {
        let data = read_csv(&dir().join(case["data"].as_str().unwrap()));
        let model = parse(
            &std::fs::read_to_string(dir().join(case["model"].as_str().unwrap())).unwrap(),
            "model",
        )
        .unwrap();
        let ordered = ordered_of(&case);
        let opts = CfaOptions {
            estimator: case["estimator"]
                .as_str()
                .unwrap()
                .parse::<Estimator>()
                .unwrap(),
            ordered: if ordered.is_empty() {
                Ordered::None
            } else {
                Ordered::Items(ordered)
            },
            parameterization: case["parameterization"]
                .as_str()
                .unwrap()
                .parse::<Parameterization>()
                .unwrap(),
            ..CfaOptions::default()
        };
        let res = cfa(&data, &model, &opts).unwrap();
        assert!(res.converged, "{}: not converged", case["name"]);
        let got = serde_json::to_value(&res).unwrap();
        compare(&case, &got, "library", &mut diffs);
    }
    eprintln!("largest |diff| vs lavaan (library): {:?}", diffs.0);
}

#[test]
fn mixed_and_continuous_least_squares_match_lavaan_through_the_binary() {
    let mut diffs = Diffs::default();
    for case in expected() {
        let ordered = ordered_of(&case).join(",");
        let mut args = vec![
            "cfa",
            case["data"].as_str().unwrap(),
            "--model",
            case["model"].as_str().unwrap(),
            "--estimator",
            case["estimator"].as_str().unwrap(),
            "--parameterization",
            case["parameterization"].as_str().unwrap(),
            "--json",
        ];
        if !ordered.is_empty() {
            args.extend(["--ordered", ordered.as_str()]);
        }
        let out = common::run_in(&dir(), &args);
        assert!(
            out.status.success(),
            "{}: {}",
            case["name"],
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        compare(&case, &got, "binary", &mut diffs);
    }
    eprintln!("largest |diff| vs lavaan (binary): {:?}", diffs.0);
}

#[test]
fn mixed_wlsmv_warns_that_robust_indices_are_undefined() {
    let out = common::run_in(
        &dir(),
        &[
            "cfa",
            "hs_mixed.csv",
            "--model",
            "hs.txt",
            "--ordered",
            "x1,x2,x4,x7",
            "--json",
        ],
    );
    assert!(out.status.success());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(got["fit"]["cfi"].is_null());
    assert!(got["fit"]["scaled"]["cfi"].as_f64().is_some());
    let warned = got["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["message"].as_str().unwrap().contains("not defined"));
    assert!(warned, "{}", got["warnings"]);
}
