//! Measurement invariance across waves in `evaluate`, pinned against lavaan 0.6.14 + semTools
//! `measEq.syntax()` on the shipped example program study
//! (tests/fixtures/evaluate/invariance/generate.R): the longitudinal CFA of the leaders'
//! self-ratings (`ID.fac = "std.lv"`, `longFacNames`, `long.equal`) and the multi-group CFA across
//! waves of collaborators' and members' ratings (`group = "wave"`, `group.equal`), each step's
//! fit and its `lavTestLRT()` difference test.

use serde_json::Value;
use std::path::Path;
use trustscale::analysis::evaluate::EvaluateRequest;
use trustscale::analysis::Request;

#[test]
fn invariance_steps_match_lavaan_and_semtools() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/evaluate/invariance/expected.json"))
            .unwrap(),
    )
    .unwrap();
    let out = EvaluateRequest {
        study: root.join("data/example-program/study.toml"),
        instrument: None,
    }
    .run()
    .unwrap();
    let act = serde_json::to_value(&out).unwrap();
    let mut compared = 0;
    let mut fails = Vec::new();
    for case in expected.as_array().unwrap() {
        let s = act["scales"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["instrument"] == case["instrument"]
                    && s["scale"] == case["scale"]
                    && s["source"] == case["source"]
            })
            .unwrap_or_else(|| panic!("no scale for {case}"));
        let inv = &s["invariance"];
        let at = format!(
            "{} {} {}",
            case["instrument"], case["scale"], case["source"]
        );
        assert_eq!(inv["design"], case["design"], "{at}");
        assert_eq!(inv["n"], case["n"], "{at}");
        for (e, a) in case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .zip(inv["steps"].as_array().unwrap())
        {
            assert_eq!(e["model"], a["model"], "{at}");
            for (k, v) in e.as_object().unwrap() {
                let Some(x) = v.as_f64() else { continue };
                let y = a[k].as_f64().unwrap_or(f64::NAN);
                // chi-squares, AIC and BIC to 1e-5 relative; indices and p to 1e-6
                let tol = match k.as_str() {
                    "chisq" | "aic" | "bic" | "chisq_diff" => 1e-5 * x.abs().max(1.0),
                    _ => 1e-6,
                };
                compared += 1;
                if (x - y).abs() > tol || y.is_nan() {
                    fails.push(format!(
                        "{at} {} {k}: lavaan {x}, trustscale {y}",
                        e["model"]
                    ));
                }
            }
        }
        // a step that fails Chen's cut-offs is a warning that the means may not be comparable
        let fails_a_step = inv["steps"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .any(|st| st["holds"] != Value::Bool(true));
        let warned = s["warnings"].as_array().unwrap().iter().any(|w| {
            w.as_str()
                .unwrap()
                .contains("may reflect a changed measure")
        });
        assert_eq!(fails_a_step, warned, "{at}: warning and steps disagree");
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
    assert!(compared >= 200, "only {compared} values compared");
}
