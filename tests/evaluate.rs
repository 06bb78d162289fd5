//! `trustscale evaluate` and the program-evaluation design of `study check`: reference case 33
//! (tests/fixtures/evaluate/33-*), a simulated program study with all three sources and a
//! cohort column pinned against R (tests/fixtures/evaluate/program/generate.R: t.test,
//! effectsize::cohens_d, lm + sandwich::vcovCL(type = "HC1") / vcovHC(type = "HC3") +
//! lmtest::coeftest/coefci, lme4::lmer + confint(method = "Wald"), psych::alpha,
//! multilevel::ICC2, Morris's (2008) d_ppc2 and its variance, Jacobson & Truax's reliable
//! change), and bad designs (exit 2, one line).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/evaluate")
        .join(rel)
}

#[test]
fn evaluate_reference_case_33_matches_r() {
    let cases = common::cases("evaluate");
    assert_eq!(cases.len(), 1, "case 33 missing");
    let (f, n) = common::check_case(&cases[0]);
    assert!(f.is_empty(), "{}", f.join("\n"));
    assert!(n >= 100, "only {n} values compared");
}

/// Compares every value of `expected` (R's) with `actual` at the same path; numbers within
/// `tol(path)`.
fn compare(
    e: &Value,
    a: &Value,
    path: &str,
    tol: &dyn Fn(&str) -> f64,
    out: &mut Vec<String>,
    n: &mut usize,
) {
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, v) in eo {
                match ao.get(k) {
                    Some(av) => compare(v, av, &format!("{path}.{k}"), tol, out, n),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
            for (i, (x, y)) in ea.iter().zip(aa).enumerate() {
                compare(x, y, &format!("{path}[{i}]"), tol, out, n);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            *n += 1;
            if (x - y).abs() > tol(path) {
                out.push(format!("{path}: R {x}, trustscale {y}"));
            }
        }
        _ if e == a => {}
        _ => out.push(format!("{path}: R {e}, trustscale {a}")),
    }
}

fn check_program(study: &str, expected: &str) {
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(expected)).unwrap()).unwrap();
    let study = fixture(study);
    let act = common::json_out(&["evaluate", "--study", study.to_str().unwrap(), "--json"]);
    let key = |s: &Value| {
        format!(
            "{}/{}/{}",
            s["instrument"].as_str().unwrap(),
            s["scale"].as_str().unwrap(),
            s["source"].as_str().unwrap()
        )
    };
    let scales = act["scales"].as_array().unwrap();
    assert_eq!(
        scales.len(),
        5,
        "2 scales x (self, collaborators) + members"
    );
    // the mixed model's optimum is located to about 1e-9 by both lme4 and trustscale
    let tol = |p: &str| {
        if p.contains("collaborators.effect") {
            1e-7
        } else {
            1e-9
        }
    };
    let mut fails = Vec::new();
    let mut n = 0;
    for s in exp["scales"].as_array().unwrap() {
        let k = key(s);
        let a = scales
            .iter()
            .find(|a| key(a) == k)
            .unwrap_or_else(|| panic!("{k} missing"));
        compare(s, a, &k, &tol, &mut fails, &mut n);
    }
    compare(
        &exp["self_other_gap"],
        &act["self_other_gap"],
        "self_other_gap",
        &tol,
        &mut fails,
        &mut n,
    );
    assert!(fails.is_empty(), "{}", fails.join("\n"));
    assert!(n > 400, "only {n} values compared");
}

#[test]
fn program_study_with_cohorts_matches_r() {
    check_program("program/study.toml", "program/expected.json");
}

#[test]
fn program_study_without_cohorts_uses_hc3_and_matches_r() {
    check_program("program/study-hc3.toml", "program/expected-hc3.json");
}

#[test]
fn evaluate_keeps_the_contract_keys() {
    let study = fixture("program/study.toml");
    let act = common::json_out(&["evaluate", "--study", study.to_str().unwrap(), "--json"]);
    for s in act["scales"].as_array().unwrap() {
        // pinned against lavaan + semTools in tests/evaluate_invariance.rs
        assert!(s.get("invariance").is_some(), "invariance missing");
        for k in [
            "attrition",
            "within",
            "effect",
            "reliable_change",
            "warnings",
        ] {
            assert!(s.get(k).is_some(), "{k} missing");
        }
        let w = &s["within"][0];
        assert!(w["d_av_ci"][0].as_f64().unwrap() < w["d_av"].as_f64().unwrap());
        let e = &s["effect"];
        let method = if s["source"] == "collaborators" {
            "mixed"
        } else {
            "ancova"
        };
        assert_eq!(e["method"], method);
        assert!(e["d_ppc2_ci"][1].as_f64().unwrap() > e["d_ppc2"].as_f64().unwrap());
    }
    // --instrument keeps one instrument
    let one = common::json_out(&[
        "evaluate",
        "--study",
        study.to_str().unwrap(),
        "--instrument",
        "group-climate",
        "--json",
    ]);
    assert_eq!(one["scales"].as_array().unwrap().len(), 1);
    assert_eq!(one["scales"][0]["source"], "members");
    assert!(one["self_other_gap"].as_array().unwrap().is_empty());
}

#[test]
fn evaluate_text_and_plot() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("means.svg");
    let study = fixture("program/study.toml");
    let out = common::run_in(
        t.path(),
        &[
            "evaluate",
            "--study",
            study.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("program-skills planning (collaborators)"),
        "{text}"
    );
    assert!(text.contains("Self-other gap"), "{text}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("<svg") && svg.contains("comparison"));
    assert!(t
        .path()
        .join("means-group-climate-climate-members.svg")
        .is_file());
}

/// A copy of case 33 in a temporary folder with the study file and data edited.
fn broken(
    edit_study: &dyn Fn(&str) -> String,
    edit_data: &dyn Fn(&str) -> String,
) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let src = fixture("33-evaluate-self-two-arms");
    let study = std::fs::read_to_string(src.join("study.toml")).unwrap();
    let data = std::fs::read_to_string(src.join("data.csv")).unwrap();
    std::fs::write(t.path().join("study.toml"), edit_study(&study)).unwrap();
    std::fs::write(t.path().join("data.csv"), edit_data(&data)).unwrap();
    std::fs::copy(
        src.join("program-skills.toml"),
        t.path().join("program-skills.toml"),
    )
    .unwrap();
    t
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = common::run_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    err.trim_end().to_string()
}

fn both_fail(dir: &Path) -> String {
    let a = fails(dir, &["study", "check", "study.toml"]);
    let b = fails(dir, &["evaluate", "--study", "study.toml"]);
    assert_eq!(a, b, "study check and evaluate give the same message");
    a
}

#[test]
fn a_leader_in_two_arms_is_an_error() {
    // L01 is in the program at pre; move its post row to the comparison arm
    let t = broken(&str::to_string, &|d: &str| {
        d.lines()
            .map(|l| {
                if l.starts_with("L02,") && l.contains(",post,") {
                    l.replace(",program,", ",comparison,")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    let e = both_fail(t.path());
    assert!(
        e.contains("column \"condition\"")
            && e.contains("one arm per leader (leader L02 is in arm program"),
        "{e}"
    );
}

#[test]
fn an_undeclared_wave_is_an_error() {
    let t = broken(&str::to_string, &|d: &str| d.replacen(",post,", ",mid,", 1));
    let e = both_fail(t.path());
    assert!(
        e.contains("column \"wave\"")
            && e.contains("a wave declared in [evaluation] (pre, post)")
            && e.contains("mid"),
        "{e}"
    );
}

#[test]
fn an_undeclared_arm_is_an_error() {
    let t = broken(&str::to_string, &|d: &str| {
        d.replacen(",comparison,", ",control,", 1)
    });
    let e = both_fail(t.path());
    assert!(
        e.contains("an arm declared in [evaluation] (program, comparison)")
            && e.contains("control"),
        "{e}"
    );
}

#[test]
fn a_followup_without_a_baseline_is_an_error() {
    let t = broken(
        &|s: &str| s.replace("baseline = \"pre\"\n", ""),
        &str::to_string,
    );
    let e = both_fail(t.path());
    assert!(e.contains("followup = \"post\" has no baseline"), "{e}");
}

#[test]
fn a_baseline_that_is_no_wave_is_an_error() {
    let t = broken(
        &|s: &str| s.replace("baseline = \"pre\"", "baseline = \"before\""),
        &str::to_string,
    );
    let e = both_fail(t.path());
    assert!(
        e.contains("baseline = \"before\" is not one of the waves (pre, post)"),
        "{e}"
    );
}

#[test]
fn an_unknown_role_column_is_named() {
    let t = broken(
        &|s: &str| s.replace("condition = \"condition\"", "condition = \"arm\""),
        &str::to_string,
    );
    let e = both_fail(t.path());
    assert!(e.contains("no column named \"arm\""), "{e}");
}

#[test]
fn wave_columns_without_an_evaluation_table_are_an_error() {
    let t = broken(
        &|s: &str| s[..s.find("[evaluation]").unwrap()].to_string(),
        &str::to_string,
    );
    let e = both_fail(t.path());
    assert!(e.contains("no [evaluation] table"), "{e}");
}

#[test]
fn studies_without_waves_still_check_and_evaluate_says_why_not() {
    let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/study.toml");
    let out = common::run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["study", "check", study.to_str().unwrap(), "--json"],
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v[0].get("design").is_none());
    let e = fails(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["evaluate", "--study", study.to_str().unwrap()],
    );
    assert!(e.contains("has no [evaluation] table"), "{e}");
}

#[test]
fn study_check_prints_the_design() {
    let study = fixture("program/study.toml");
    let out = common::json_out(&["study", "check", study.to_str().unwrap(), "--json"]);
    let d = &out[0]["design"];
    assert_eq!(d["unit"], "leader");
    assert_eq!(d["cohorts"], 6);
    let r = &d["retention"][0];
    assert_eq!(
        (r["n_baseline"].as_u64(), r["n_both"].as_u64()),
        (Some(12), Some(10))
    );
    // program, pre: 12 leaders, their 49 collaborators (generate.R's draws)
    assert_eq!(d["cells"][0]["leaders"], 12);
    assert_eq!(d["cells"][0]["raters"], 49);
    assert_eq!(out[1]["design"]["unit"], "group");
}
