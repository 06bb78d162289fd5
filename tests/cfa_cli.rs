//! `trustscale cfa` through the real binary: the JSON keys of the contract, errors that name
//! the line and column of a model, warnings on stderr (Heywood case), the instrument-built model.

mod common;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// n rows of three variables with population correlations r12 = r13 = .8, r23 = .5: the
/// one-factor solution needs a loading above 1 for x1 (lambda1^2 = .8 * .8 / .5 = 1.28).
fn heywood_csv(n: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    // Cholesky factor of the correlation matrix
    let l = [[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.8, -0.14 / 0.6, 0.0]];
    let l22 = (1.0f64 - 0.64 - (0.14f64 / 0.6).powi(2)).sqrt();
    let mut s = String::from("x1,x2,x3\n");
    for _ in 0..n {
        let z = [normal(&mut rng), normal(&mut rng), normal(&mut rng)];
        let x1 = l[0][0] * z[0];
        let x2 = l[1][0] * z[0] + l[1][1] * z[1];
        let x3 = l[2][0] * z[0] + l[2][1] * z[1] + l22 * z[2];
        s.push_str(&format!("{x1},{x2},{x3}\n"));
    }
    s
}

#[test]
fn cfa_json_has_the_contract_keys() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa/09-cfa-hs1939-ml");
    let out = common::run_in(
        &dir,
        &["cfa", "data.csv", "--model", "model.txt", "--mi", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "n",
        "estimator",
        "converged",
        "iterations",
        "fit",
        "parameters",
        "warnings",
        "validity",
        "mi",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    for k in [
        "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "aic", "bic", "loglik",
    ] {
        assert!(v["fit"].get(k).is_some(), "missing fit.{k}");
    }
    for p in v["parameters"].as_array().unwrap() {
        for k in ["lhs", "op", "rhs", "est", "se", "z", "p", "std_all"] {
            assert!(p.get(k).is_some(), "missing parameters[].{k}");
        }
    }
    assert_eq!(v["fit"]["rmsea_ci"].as_array().unwrap().len(), 2);
    assert_eq!(v["mi"][0]["lhs"], "visual");
    assert_eq!(v["mi"][0]["rhs"], "x9");
    assert_eq!(v["validity"]["factors"].as_array().unwrap().len(), 3);
}

#[test]
fn cfa_model_syntax_error_names_line_and_column() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "d.csv",
        "x1,x2,x3,x4\n1,2,3,4\n2,3,4,5\n3,1,2,2\n",
    );
    write(t.path(), "model.txt", "f =~ x1 + x2\ng =~ x3 * + x4\n");
    let out = common::run_in(t.path(), &["cfa", "d.csv", "--model", "model.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim_end(),
        "error: option --model: model.txt: line 2, column 11: expected a variable name, found \"+\""
    );
}

#[test]
fn cfa_unknown_variable_is_an_error_with_a_suggestion() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "d.csv", "x1,x2,x3\n1,2,3\n2,3,4\n3,1,2\n4,4,1\n");
    write(t.path(), "m.txt", "f =~ x1 + x2 + x33\n");
    let out = common::run_in(t.path(), &["cfa", "d.csv", "--model", "m.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: d.csv: no column named \"x33\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn cfa_collinear_items_name_the_item() {
    let t = tempfile::tempdir().unwrap();
    let mut s = String::from("a,b,c\n");
    for i in 0..20 {
        let a = (i * 7 % 5) as f64;
        let b = (i * 3 % 4) as f64;
        s.push_str(&format!("{a},{b},{}\n", a + b));
    }
    write(t.path(), "d.csv", &s);
    write(t.path(), "m.txt", "f =~ a + b + c\n");
    let out = common::run_in(t.path(), &["cfa", "d.csv", "--model", "m.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not positive definite") && err.contains("item c"),
        "{err}"
    );
}

#[test]
fn cfa_heywood_case_is_a_warning_on_stderr_and_in_json() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "d.csv", &heywood_csv(2000));
    write(t.path(), "m.txt", "f =~ x1 + x2 + x3\n");
    let out = common::run_in(t.path(), &["cfa", "d.csv", "--model", "m.txt", "--json"]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: Heywood case: negative residual variance of x1"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"][0]["code"], "heywood");
    let theta = v["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["lhs"] == "x1" && p["op"] == "~~")
        .unwrap();
    // population value 1 - 1.28 = -0.28
    assert!(
        (theta["est"].as_f64().unwrap() + 0.28).abs() < 0.08,
        "{theta}"
    );
}

#[test]
fn cfa_instrument_model_prints_and_fits_with_reverse_keys() {
    let t = tempfile::tempdir().unwrap();
    let out = common::run_in(t.path(), &["cfa", "--instrument", "tblc", "--print-model"]);
    assert!(out.status.success());
    let model = String::from_utf8(out.stdout).unwrap();
    assert!(model.starts_with("# tblc"));
    assert_eq!(model.lines().filter(|l| l.contains("=~")).count(), 6);
    assert!(model.contains("network_organizer =~ NO1 + NO2 + NO3 + NO4 + NO5 + NO6"));
    let sim = common::run_in(
        t.path(),
        &[
            "simulate",
            "--instrument",
            "tblc",
            "--n",
            "800",
            "--seed",
            "4",
            "--out",
            "s.csv",
        ],
    );
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    let out = common::run_in(
        t.path(),
        &["cfa", "s.csv", "--instrument", "tblc", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["converged"], true);
    // reverse-keyed items (NO6, ...) are reversed before fitting, so every loading is positive
    for p in v["parameters"].as_array().unwrap() {
        if p["op"] == "=~" {
            assert!(p["est"].as_f64().unwrap() > 0.0, "{p}");
        }
    }
}

#[test]
fn cfa_group_runs_the_invariance_sequence() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa/hs1939-school");
    let out = common::run_in(
        &dir,
        &[
            "cfa",
            "data.csv",
            "--model",
            "model.txt",
            "--group",
            "school",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = v["invariance"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(v["invariance"]["level"], "metric");
    assert_eq!(v["groups"][1]["label"], "Grant-White");
    assert_eq!(v["fit"]["df"], 48);
    let txt = common::run_in(
        &dir,
        &[
            "cfa",
            "data.csv",
            "--model",
            "model.txt",
            "--group",
            "school",
        ],
    );
    let txt = String::from_utf8(txt.stdout).unwrap();
    assert!(
        txt.contains("Measurement invariance: metric invariance supported"),
        "{txt}"
    );
}

/// Delta-method standard errors of `std_all` against lavaan's `standardizedSolution()`
/// (fixtures written by `tests/fixtures/cfa/hs1939-school/generate_std.R`).
#[test]
fn standardized_standard_errors_match_lavaan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hs = "tests/fixtures/cfa/hs1939-school";
    let pd = "tests/fixtures/cfa/11-cfa-politicaldemocracy-sem-ml";
    for (data, model, est, expected) in [
        (
            format!("{hs}/data.csv"),
            format!("{hs}/model.txt"),
            "ml",
            "std_se_ml.csv",
        ),
        (
            format!("{hs}/data.csv"),
            format!("{hs}/model.txt"),
            "mlr",
            "std_se_mlr.csv",
        ),
        (
            format!("{pd}/data.csv"),
            format!("{pd}/model.txt"),
            "ml",
            "std_se_pd.csv",
        ),
    ] {
        let out = common::run_in(
            root,
            &[
                "cfa",
                &data,
                "--model",
                &model,
                "--estimator",
                est,
                "--json",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let params = j["parameters"].as_array().unwrap();
        let text = std::fs::read_to_string(root.join(hs).join(expected)).unwrap();
        let mut checked = 0;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').map(|c| c.trim_matches('"')).collect();
            let (lhs, op, rhs) = (f[0], f[1], f[2]);
            let Ok(want) = f[4].parse::<f64>() else {
                continue;
            };
            let p = params
                .iter()
                .find(|p| p["lhs"] == lhs && p["op"] == op && p["rhs"] == rhs)
                .unwrap_or_else(|| panic!("{expected}: no row {lhs} {op} {rhs}"));
            let got = p["std_all_se"].as_f64().unwrap_or(f64::NAN);
            // lavaan's estimates themselves agree to ~1e-6 (its optimiser stops early)
            assert!(
                (got - want).abs() < 2e-6,
                "{expected}: {lhs} {op} {rhs}: se {got} vs lavaan {want}"
            );
            checked += 1;
        }
        assert!(checked >= 20, "{expected}: only {checked} rows");
    }
}
