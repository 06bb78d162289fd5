//! `trustscale reliability --ordinal`: the shipped example data against R (psych 2.2.9,
//! lavaan 0.6.14, semTools 0.5.6; `tests/fixtures/ordinal/example-survey-tblc.json`, made by
//! `tests/fixtures/ordinal/make_fixtures.R`), and bad input (exit 2, one line naming the column).
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use std::path::Path;

fn expected() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ordinal/example-survey-tblc.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn example_ordinal() -> Value {
    common::json_out(&[
        "reliability",
        "data/example-survey.csv",
        "--instrument",
        "tblc",
        "--ordinal",
        "--json",
    ])
}

#[test]
fn reliability_ordinal_json_names_each_coefficient_and_matches_psych() {
    // R: x <- the subscale's items, reverse keyed as 7 - x; r <- psych::polychoric(x)$rho;
    // psych::alpha(r)$total$raw_alpha; l <- psych::fa(r, 1)$loadings; sum(l)^2/(sum(l)^2 + sum(1 - l^2))
    let v = example_ordinal();
    let want = expected();
    let scales = v["scales"].as_array().unwrap();
    let want_scales = want["scales"].as_array().unwrap();
    assert_eq!(scales.len(), 6);
    let mut worst = (0.0f64, 0.0f64);
    for (s, w) in scales.iter().zip(want_scales) {
        assert_eq!(s["scale"], w["scale"]);
        let o = &s["ordinal"];
        let a = o["alpha_ordinal"]["value"].as_f64().unwrap();
        let om = o["omega_ordinal"]["value"].as_f64().unwrap();
        let da = (a - w["alpha_ordinal"].as_f64().unwrap()).abs();
        let dom = (om - w["omega_ordinal"].as_f64().unwrap()).abs();
        worst = (worst.0.max(da), worst.1.max(dom));
        assert!(
            da < 1e-10,
            "{}: alpha_ordinal {a} off by {da:e}",
            s["scale"]
        );
        assert!(
            dom < 1e-6,
            "{}: omega_ordinal {om} off by {dom:e}",
            s["scale"]
        );
        // every coefficient says what it is
        for key in [
            "alpha_ordinal",
            "omega_ordinal",
            "omega_latent",
            "omega_categorical",
        ] {
            for field in ["scale", "basis", "reference", "peer"] {
                assert!(
                    o[key][field].as_str().is_some_and(|t| !t.is_empty()),
                    "{key}.{field}"
                );
            }
        }
        assert_eq!(o["alpha_ordinal"]["scale"], "latent responses");
        assert_eq!(o["omega_categorical"]["scale"], "observed item codes");
        assert_eq!(
            o["alpha_ordinal"]["reference"],
            "Zumbo, Gadermann & Zeisser (2007)"
        );
        assert_eq!(o["omega_categorical"]["reference"], "Green & Yang (2009)");
        assert_eq!(o["missing"], "pairwise");
        assert_eq!(o["categories"], serde_json::json!([6, 6, 6, 6, 6, 6]));
        // the contract's keys are still there
        assert!(s["alpha"].is_f64() && s["items"].is_array());
    }
    eprintln!(
        "max |alpha_ordinal - psych| = {:e}, max |omega_ordinal - psych| = {:e}",
        worst.0, worst.1
    );
}

#[test]
fn reliability_without_ordinal_has_no_ordinal_key() {
    let v = common::json_out(&[
        "reliability",
        "data/example-survey.csv",
        "--items",
        "NO1:NO5",
        "--json",
    ]);
    assert!(v.get("ordinal").is_none());
}

#[test]
fn reliability_ordinal_json_matches_semtools_categorical_omega() {
    // R: fit <- lavaan::cfa("f =~ x1 + ... + x6", x, ordered = TRUE, std.lv = TRUE);
    // semTools::compRelSEM(fit) and compRelSEM(fit, ord.scale = FALSE)
    let v = example_ordinal();
    let want = expected();
    for (s, w) in v["scales"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["scales"].as_array().unwrap())
    {
        for key in ["omega_categorical", "omega_latent"] {
            let got = s["ordinal"][key]["value"].as_f64().unwrap();
            let exp = w[key].as_f64().unwrap();
            assert!(
                (got - exp).abs() < 1e-6,
                "{}: {key} {got} vs {exp}",
                s["scale"]
            );
        }
        assert_eq!(s["ordinal"]["omega_categorical"]["n"], 400);
    }
}

fn fail_with(csv: &str) -> String {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("d.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "reliability",
            "d.csv",
            "--items",
            "a:c",
            "--ordinal",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    err.trim_end().to_string()
}

#[test]
fn ordinal_with_a_fractional_answer_names_row_and_column() {
    let e = fail_with("a,b,c\n1,2,3\n2,2,4\n3,4.5,4\n4,5,6\n");
    assert_eq!(
        e,
        "error: d.csv: row 4, column \"b\": expected a whole-number answer for --ordinal \
         (at most 10 ordered categories), found \"4.5\""
    );
}

#[test]
fn ordinal_with_more_than_ten_categories_names_the_column() {
    let e = fail_with("a,b,c\n1,2,3\n2,2,4\n3,4,4\n4,5,16\n");
    assert_eq!(
        e,
        "error: option --ordinal: column \"c\" of d.csv has answers from 3 to 16 (14 \
         categories); ordinal reliability needs whole-number answers in at most 10 ordered \
         categories"
    );
}
