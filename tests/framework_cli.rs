//! `trustscale framework` from the command line: the example study, JSON keys, the chart, and
//! bad input (exit 2, one line).

mod common;

use std::path::Path;

#[test]
fn framework_on_the_example_study_prints_verdicts_and_writes_the_chart() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("claims.svg");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let study = root.join("data/example-study/study.toml");
    let out = common::run_in(
        root,
        &[
            "framework",
            "--study",
            study.to_str().unwrap(),
            "--bootstrap",
            "300",
            "--json",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["predictor"], "tblc");
    assert_eq!(v["n_groups"], 120);
    assert_eq!(v["risk_instrument"], "collective-risk");
    let verdicts = v["verdicts"].as_array().unwrap();
    // six competencies with a trust claim, two sets, the risk links, specialisation
    assert_eq!(verdicts.len(), 10);
    assert!(verdicts
        .iter()
        .any(|x| x["claim"] == "risks" && x["verdict"] == "supported"));
    assert_eq!(v["differential"]["bootstrap"]["resamples"], 300);
    assert_eq!(v["specialisation"]["profiles"]["models"][0]["model"], "VVI");
    let svg = std::fs::read_to_string(&plot).unwrap();
    let texts = common::svg_texts(&svg);
    assert!(texts.iter().any(|s| s.contains("Process Navigator")));
    // the risk instrument: the competency x risk chart beside it
    let risks = std::fs::read_to_string(t.path().join("claims-risks.svg")).unwrap();
    assert!(common::svg_texts(&risks)
        .iter()
        .any(|s| s.contains("process-navigator x psychological")));
    // the text tables
    let out = common::run_in(
        root,
        &[
            "framework",
            "--study",
            study.to_str().unwrap(),
            "--bootstrap",
            "200",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Framework claims"));
    assert!(text.contains("Claim 3: specialisation"));
}

#[test]
fn framework_bad_input_exits_2_with_one_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "framework",
            "--study",
            "data/example-study/study.toml",
            "--bootstrap",
            "10",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--bootstrap") && err.contains("at least 100"),
        "{err}"
    );
    let out = common::run_in(root, &["framework", "--study", "nope/study.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

/// `power --contrast` belongs to `--analysis differential`: with another analysis it is bad
/// input (exit 2, one line naming the flag), not silently dropped; with the differential
/// analysis the contrast must differ from the outcome.
#[test]
fn power_contrast_outside_the_differential_analysis_exits_2() {
    let t = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = root.join("data/example-study/model.toml");
    let out_file = t.path().join("p.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "power",
            "--model",
            model.to_str().unwrap(),
            "--groups",
            "20",
            "--raters",
            "3",
            "--replications",
            "2",
            "--out",
            out_file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        common::run_in(t.path(), &args)
    };
    let out = run(&[
        "--analysis",
        "aggregate",
        "--contrast",
        "group-trust:cognitive",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--contrast") && err.contains("--analysis aggregate"),
        "{err}"
    );
    let out = run(&[
        "--analysis",
        "differential",
        "--outcome",
        "group-trust:cognitive",
        "--contrast",
        "group-trust:cognitive",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--contrast"), "{err}");
    // named the other way round, the differences change sign
    let out = run(&[
        "--analysis",
        "differential",
        "--contrast",
        "group-trust:affective",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(v["settings"]["outcome"], "group-trust:cognitive");
    assert_eq!(v["settings"]["contrast"], "group-trust:affective");
}
