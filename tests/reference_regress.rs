//! The regression reference cases (R lm + summary.lm, sandwich::vcovHC, aggregate + lm,
//! lme4::lmer, PRESS; versions in each case.json), run through the real binary; and the
//! command's error paths and instrument subscale scores.

mod common;

use nalgebra::{DMatrix, DVector};
use serde_json::Value;
use std::path::Path;

#[test]
fn regress_reference_cases_match_their_peers() {
    let cases = common::cases("regress");
    assert!(cases.len() >= 5, "regress fixtures missing");
    let mut failures = Vec::new();
    for c in &cases {
        let (f, n) = common::check_case(c);
        assert!(
            !f.is_empty() || n >= 10,
            "{}: only {n} values compared",
            c.display()
        );
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn fail_with(dir: &Path, csv: &str, args: &[&str]) -> String {
    std::fs::write(dir.join("d.csv"), csv).unwrap();
    let mut argv = vec!["regress", "d.csv"];
    argv.extend_from_slice(args);
    let out = common::run_in(dir, &argv);
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

const SMALL: &str =
    "y,a,b,c,g\n1,1,2,3,x\n2,2,1,3,x\n4,3,5,8,y\n3,4,2,6,y\n6,5,6,11,z\n5,6,3,9,z\n7,7,7,14,x\n";

#[test]
fn regress_collinear_predictors_are_named() {
    let t = tempfile::tempdir().unwrap();
    // c = a + b exactly
    let e = fail_with(
        t.path(),
        SMALL,
        &["--outcome", "y", "--predictors", "a,b,c"],
    );
    assert_eq!(
        e,
        "error: option --predictors: exact collinearity: \"c\" is a linear combination of \"a\", \"b\"; drop one of them"
    );
}

#[test]
fn regress_unknown_predictor_suggests_the_closest_column() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(t.path(), SMALL, &["--outcome", "y", "--predictors", "a,bb"]);
    assert_eq!(
        e,
        "error: d.csv: no column named \"bb\" (did you mean \"b\"?)"
    );
}

#[test]
fn regress_multilevel_rejects_robust_errors() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        SMALL,
        &[
            "--outcome",
            "y",
            "--predictors",
            "a",
            "--multilevel",
            "g",
            "--robust",
            "hc3",
        ],
    );
    assert_eq!(
        e,
        "error: option --robust: not available with --multilevel (a mixed model is reported alone)"
    );
}

#[test]
fn regress_subscale_without_its_items_names_the_missing_item() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        SMALL,
        &["--outcome", "y", "--predictors", "a,tblc:*"],
    );
    assert_eq!(
        e,
        "error: option --predictors: \"tblc:*\" needs the instrument's items: d.csv: no column named \"NO1\""
    );
}

#[test]
fn regress_dominance_beyond_15_predictors_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let mut csv = String::from("y");
    for j in 0..16 {
        csv.push_str(&format!(",x{j}"));
    }
    csv.push('\n');
    for i in 0..40 {
        csv.push_str(&format!("{}", (i * 7 % 13) as f64));
        for j in 0..16 {
            csv.push_str(&format!(",{}", ((i * (j + 3) + j * j) % 17) as f64));
        }
        csv.push('\n');
    }
    let preds: Vec<String> = (0..16).map(|j| format!("x{j}")).collect();
    let e = fail_with(
        t.path(),
        &csv,
        &[
            "--outcome",
            "y",
            "--predictors",
            &preds.join(","),
            "--dominance",
        ],
    );
    assert_eq!(e, "error: option --dominance: dominance analysis evaluates all 2^p subsets and takes at most 15 predictors, found 16");
}

#[test]
fn regress_missing_rows_are_dropped_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let csv = "y,a,b\n1,1,2\n2,,1\n4,3,5\nNA,4,2\n6,5,6\n5,6,3\n7,7,7\n3,2,2\n";
    std::fs::write(t.path().join("d.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "regress",
            "d.csv",
            "--outcome",
            "y",
            "--predictors",
            "a,b",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 6);
    assert_eq!(v["n_dropped"], 2);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end(),
        "warning: 2 of 8 rows with a missing outcome, predictor were dropped (as lm)"
    );
}

#[test]
fn regress_aggregate_reports_bliese_icc_of_each_column() {
    // case 14 (multilevel 2.7 ICC1/ICC2 of LEAD on GRP in bh1996) is the peer of the LEAD row
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/regress/22-regress-bh1996-aggregate");
    let out = common::run_in(
        &dir,
        &[
            "regress",
            "data.csv",
            "--outcome",
            "WBEING",
            "--predictors",
            "HRS,LEAD,COHES",
            "--aggregate",
            "GRP",
            "--scale-points",
            "5",
            "--json",
        ],
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ag = &v["aggregation"];
    assert_eq!(ag["n_groups"], 99);
    assert_eq!(ag["n_rows"], 7382);
    let lead = ag["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "LEAD")
        .unwrap();
    assert!((lead["icc1"].as_f64().unwrap() - 0.12702755003114).abs() < 1e-9);
    assert!((lead["icc2"].as_f64().unwrap() - 0.915612969348063).abs() < 1e-9);
    // single-item rwg of LEAD, mean over groups: multilevel::rwg (case 14's mean_rwg_j)
    let case14: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/agreement/14-rwg-bh1996-lead/case.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let want = case14["expected"]["mean_rwg_j"].as_f64().unwrap();
    assert!((lead["mean_rwg"].as_f64().unwrap() - want).abs() < 1e-9);
}

/// Subscale scores: reverse keys applied, mean of the answered items, missing below 80%.
#[test]
fn regress_on_instrument_subscale_scores() {
    use trustscale::numeric::rng::stream;
    let tblc = trustscale::instrument::load("tblc").unwrap();
    let gt = trustscale::instrument::load("group-trust").unwrap();
    let items: Vec<&trustscale::instrument::schema::Item> =
        tblc.items.iter().chain(&gt.items).collect();
    let n = 120;
    let mut rng = stream(11, 0);
    use rand::Rng;
    let mut cells: Vec<Vec<Option<f64>>> = Vec::new();
    for i in 0..n {
        let level: i64 = rng.gen_range(0..3u64) as i64;
        let row: Vec<Option<f64>> = items
            .iter()
            .map(|_| {
                let noise: i64 = rng.gen_range(0..4u64) as i64;
                Some(((1 + level + noise).clamp(1, 6)) as f64)
            })
            .collect();
        cells.push(row);
        let _ = i;
    }
    // row 0: 2 of the 6 network-organizer items blank (4/6 < 80%: no score, row dropped);
    // row 1: 1 blank (5/6 >= 80%: mean of 5)
    let no: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.subscale == "network-organizer")
        .map(|(j, _)| j)
        .take(2)
        .collect();
    cells[0][no[0]] = None;
    cells[0][no[1]] = None;
    cells[1][no[0]] = None;
    let mut csv = items
        .iter()
        .map(|it| it.id.clone())
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .map(|c| c.map(|v| format!("{v}")).unwrap_or_default())
            .collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("s.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "regress",
            "s.csv",
            "--outcome",
            "group-trust:affective",
            "--predictors",
            "tblc:*",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "group-trust:affective");
    assert_eq!(v["n"], n - 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tblc:network-organizer: 1 of 120 respondents answered fewer than 80% of the items: no score"), "{err}");
    // independent scoring and normal equations
    let score = |inst: &trustscale::instrument::Instrument, sub: &str, row: &[Option<f64>]| {
        let (lo, hi) = (inst.scale.min as f64, inst.scale.max as f64);
        let mut sum = 0.0;
        let mut answered = 0;
        let mut total = 0;
        for (j, it) in items.iter().enumerate() {
            let mine = it.subscale == sub && inst.items.iter().any(|x| x.id == it.id);
            if !mine {
                continue;
            }
            total += 1;
            if let Some(x) = row[j] {
                sum += if it.reverse { lo + hi - x } else { x };
                answered += 1;
            }
        }
        (answered as f64 / total as f64 >= 0.8).then(|| sum / answered as f64)
    };
    let subs: Vec<String> = tblc.subscales.iter().map(|s| s.id.clone()).collect();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for r in &cells {
        let y = score(&gt, "affective", r);
        let x: Vec<Option<f64>> = subs.iter().map(|s| score(&tblc, s, r)).collect();
        if let (Some(y), true) = (y, x.iter().all(Option::is_some)) {
            ys.push(y);
            xs.push(x.into_iter().flatten().collect::<Vec<f64>>());
        }
    }
    let k = subs.len() + 1;
    let xm = DMatrix::from_fn(ys.len(), k, |i, j| if j == 0 { 1.0 } else { xs[i][j - 1] });
    let b = (xm.transpose() * &xm)
        .lu()
        .solve(&(xm.transpose() * DVector::from_vec(ys)))
        .unwrap();
    let coefs = v["coefficients"].as_array().unwrap();
    assert_eq!(coefs.len(), k);
    for (j, c) in coefs.iter().enumerate() {
        if j > 0 {
            assert_eq!(c["term"], format!("tblc:{}", subs[j - 1]));
        }
        assert!(
            (c["estimate"].as_f64().unwrap() - b[j]).abs() < 1e-9,
            "{}: {} vs {}",
            c["term"],
            c["estimate"],
            b[j]
        );
    }
}

#[test]
fn regress_text_output_has_the_coefficient_table() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("d.csv"), SMALL).unwrap();
    let out = common::run_in(
        t.path(),
        &["regress", "d.csv", "--outcome", "y", "--predictors", "a,b"],
    );
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with("Linear regression of y\n  n = 7 (0 rows dropped for missing values)\n"),
        "{s}"
    );
    assert!(s.contains("(Intercept)"));
    assert!(s.contains("95% CI"));
}
