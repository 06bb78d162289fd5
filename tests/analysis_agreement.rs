//! The agreement and CFA commands as library calls: each request, built in Rust and run without
//! the binary, gives the same JSON (as a `serde_json::Value`), the same text tables, the same
//! warnings and the same chart files as `trustscale` run on the command line the request prints;
//! and the report's command lines come out of the requests exactly as `results.json` has them.

mod common;

use ndarray::Array2;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::agreement::kappa::Weights;
use trustscale::agreement::krippendorff::Level;
use trustscale::agreement::rwg::Null;
use trustscale::analysis::cfa::{CfaRequest, ModelSource};
use trustscale::analysis::icc::IccRequest;
use trustscale::analysis::kappa::KappaRequest;
use trustscale::analysis::krippendorff::KrippendorffRequest;
use trustscale::analysis::rwg::RwgRequest;
use trustscale::analysis::{shell_line, Outcome, Request};
use trustscale::cfa::Estimator;
use trustscale::cfa::MissingData;
use trustscale::data::ItemData;
use trustscale::plot::{companion_path, to_svg, Charts};
use trustscale::render::{Report, Table};
use trustscale::study::DataRequest;

const STUDY: &str = "data/example-study/study.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// How the command prints its tables.
#[derive(Clone, Copy)]
enum Join {
    /// Tables separated by a blank line (`cfa`).
    Blank,
    /// Each table followed by a blank line (`rwg`).
    Each,
    /// One table (`icc`, `kappa`, `krippendorff`).
    One,
}

fn text_of(tables: &[Table], join: Join) -> String {
    let t: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
    match join {
        Join::Blank => t.join("\n"),
        Join::Each => t.iter().map(|t| format!("{t}\n")).collect(),
        Join::One => t.concat(),
    }
}

fn argv(words: &[String]) -> Vec<&str> {
    assert_eq!(words[0], "trustscale");
    words[1..].iter().map(String::as_str).collect()
}

/// Runs the request in the library and the binary on the request's own command line; the JSON,
/// the text tables and the warnings must be the same.
fn same_as_binary<R>(req: &R, join: Join) -> R::Output
where
    R: Request,
    R::Output: Report,
{
    let line = shell_line(&req.command_line(None, true));
    let out = req.run().unwrap_or_else(|e| panic!("{line}: {e}"));
    let json = common::json_out(&argv(&req.command_line(None, true)));
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json,
        "{line}: library JSON differs from the binary's"
    );
    let text = common::run_in(root(), &argv(&req.command_line(None, false)));
    assert!(text.status.success(), "{line}");
    assert_eq!(
        text_of(&out.tables(), join),
        String::from_utf8(text.stdout).unwrap(),
        "{line}: tables differ from the binary's text"
    );
    let warnings: String = out.warnings().iter().map(|w| format!("{w}\n")).collect();
    assert_eq!(
        warnings,
        String::from_utf8(text.stderr).unwrap(),
        "{line}: warnings differ from the binary's stderr"
    );
    out
}

/// The charts of an output are the files the binary writes with `--plot`, byte for byte, and no
/// others.
fn same_charts<R>(req: &R, out: &R::Output)
where
    R: Request,
    R::Output: Charts,
{
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("chart.svg");
    let words = req.command_line(Some(&base), false);
    let run = common::run_in(root(), &argv(&words));
    assert!(
        run.status.success(),
        "{}: {}",
        shell_line(&words),
        String::from_utf8_lossy(&run.stderr)
    );
    let charts = out.charts().unwrap();
    assert!(!charts.is_empty());
    for c in &charts {
        let path = match &c.suffix {
            None => base.clone(),
            Some(s) => companion_path(&base, s),
        };
        let file =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            file == to_svg(&c.chart).unwrap(),
            "{}: chart {} differs from the binary's",
            shell_line(&words),
            path.display()
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        charts.len(),
        "the binary wrote other charts"
    );
}

/// The report's command lines (`results.json` of the example report).
fn report_commands() -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/report/example/results.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// The request prints the command line the report shows for it.
fn as_in_report<R: Request>(req: &R, plot: Option<&str>) {
    let line = shell_line(&req.command_line(plot.map(Path::new), true));
    assert!(
        report_commands().contains(&line),
        "the report has no command line\n  {line}"
    );
}

fn file(path: &str) -> DataRequest {
    DataRequest {
        data: Some(PathBuf::from(path)),
        ..DataRequest::default()
    }
}

fn names(s: &str) -> Vec<String> {
    s.split(',').map(String::from).collect()
}

// ---------------------------------------------------------------- the example study

#[test]
fn cfa_of_the_example_study_as_the_report_runs_it() {
    for inst in ["tblc", "group-trust"] {
        let req = CfaRequest {
            data: DataRequest::study_instrument(Path::new(STUDY), inst),
            estimator: Some(Estimator::Mlr),
            // the example study has missing answers: the report fits by FIML
            missing_data: Some(MissingData::Fiml),
            ..CfaRequest::default()
        };
        as_in_report(&req, Some(&format!("OUT/charts/cfa-{inst}.svg")));
        let out = same_as_binary(&req, Join::Blank);
        assert!(out.invariance.is_none());
        assert!(out.result.validity.is_some());
        same_charts(&req, &out);

        let inv = CfaRequest {
            group: Some("arena".into()),
            ..req.clone()
        };
        as_in_report(&inv, None);
        let out = same_as_binary(&inv, Join::Blank);
        let steps = &out.invariance.as_ref().unwrap().steps;
        assert_eq!(steps.len(), 3, "configural, metric, scalar");
        same_charts(&inv, &out);
    }
}

#[test]
fn cfa_estimator_prints_whenever_it_is_set() {
    let mut req = CfaRequest {
        data: DataRequest::study_instrument(Path::new(STUDY), "tblc"),
        ..CfaRequest::default()
    };
    assert_eq!(
        shell_line(&req.command_line(None, true)),
        format!("trustscale cfa --instrument tblc --study {STUDY} --json")
    );
    req.estimator = Some("MLR".parse().unwrap());
    req.mi = true;
    req.mi_min = 3.84;
    req.delta_cfi = 0.02;
    assert_eq!(
        shell_line(&req.command_line(None, false)),
        format!(
            "trustscale cfa --instrument tblc --estimator mlr --mi --mi-min 3.84 --delta-cfi 0.02 --study {STUDY}"
        )
    );
    let err = "robust".parse::<Estimator>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "option --estimator: expected ml, mlr, wlsmv, dwls, ulsmv or uls, found \"robust\""
    );
    req.estimator = None;
    req.mi = false;
    req.mi_min = 0.0;
    req.delta_cfi = 0.01;
    req.ordered = "all".parse().unwrap();
    req.parameterization = Some("THETA".parse().unwrap());
    req.missing_data = None;
    assert_eq!(
        shell_line(&req.command_line(None, false)),
        format!("trustscale cfa --instrument tblc --ordered all --parameterization theta --study {STUDY}")
    );
    assert!(",a".parse::<trustscale::cfa::Ordered>().is_err());
}

#[test]
fn cfa_with_modification_indices_of_a_robust_fit() {
    let req = CfaRequest {
        data: DataRequest::study_instrument(Path::new(STUDY), "group-trust"),
        estimator: Some(Estimator::Mlr),
        mi: true,
        mi_min: 2.0,
        ..CfaRequest::default()
    };
    let out = same_as_binary(&req, Join::Blank);
    let mi = out.result.mi.as_ref().unwrap();
    assert!(mi.iter().all(|m| m.mi >= 2.0));
}

#[test]
fn cfa_prints_the_instruments_model() {
    let req = CfaRequest {
        data: DataRequest {
            instrument: Some("tblc".into()),
            ..DataRequest::default()
        },
        ..CfaRequest::default()
    };
    let model = req.model().unwrap();
    let run = common::run_in(root(), &["cfa", "--instrument", "tblc", "--print-model"]);
    assert!(run.status.success());
    assert_eq!(model.syntax, String::from_utf8(run.stdout).unwrap());
    assert!(model.syntax.contains("network_organizer =~ NO1 + NO2"));
}

#[test]
fn rwg_of_the_example_study_as_the_report_runs_it() {
    for (inst, group) in [("tblc", "leader_id"), ("group-trust", "group_id")] {
        let req = RwgRequest {
            data: DataRequest::study_instrument(Path::new(STUDY), inst),
            group: Some(group.into()),
            null: Some(Null::Uniform),
            ..RwgRequest::default()
        };
        as_in_report(&req, Some(&format!("OUT/charts/agreement-{inst}.svg")));
        let out = same_as_binary(&req, Join::Each);
        assert_eq!(out.instrument.as_deref(), Some(inst));
        same_charts(&req, &out);
    }
}

#[test]
fn rwg_takes_the_group_column_from_the_study() {
    let req = RwgRequest {
        data: DataRequest {
            scale: Some("network-organizer".into()),
            ..DataRequest::study_instrument(Path::new(STUDY), "tblc")
        },
        null: Some("triangular".parse().unwrap()),
        min_rwg: 0.8,
        rgr: Some(30),
        seed: 7,
        ..RwgRequest::default()
    };
    assert_eq!(
        shell_line(&req.command_line(None, true)),
        format!("trustscale rwg --instrument tblc --scale network-organizer --null triangular --min-rwg 0.8 --rgr 30 --seed 7 --study {STUDY} --json")
    );
    let out = same_as_binary(&req, Join::Each);
    assert!(out.single, "one subscale serialises as its result");
    assert!(out.scales[0].result.random_groups.is_some());
    same_charts(&req, &out);
}

// ---------------------------------------------------------------- reference cases

const AGREEMENT: &str = "tests/fixtures/agreement";

fn case(dir: &str, name: &str) -> String {
    format!("{dir}/{name}/data.csv")
}

#[test]
fn icc_of_wide_and_long_ratings() {
    let wide = IccRequest {
        data: file(&case(AGREEMENT, "12-icc-shrout-fleiss-wide")),
        raters: names("J1,J2,J3,J4"),
        ..IccRequest::default()
    };
    assert_eq!(
        shell_line(&wide.command_line(None, true)),
        "trustscale icc tests/fixtures/agreement/12-icc-shrout-fleiss-wide/data.csv --raters J1,J2,J3,J4 --json"
    );
    let out = same_as_binary(&wide, Join::One);
    assert_eq!((out.result.n_targets, out.result.n_raters), (6, 4));
    same_charts(&wide, &out);
    let narrow = IccRequest {
        ci: 0.9,
        ..wide.clone()
    };
    same_charts(&narrow, &same_as_binary(&narrow, Join::One));

    let long = IccRequest {
        data: file(&case(AGREEMENT, "13-icc-long-format")),
        target: Some("target".into()),
        rater: Some("rater".into()),
        value: Some("score".into()),
        ..IccRequest::default()
    };
    assert_eq!(
        shell_line(&long.command_line(None, true)),
        "trustscale icc tests/fixtures/agreement/13-icc-long-format/data.csv --target target --rater rater --value score --json"
    );
    let out = same_as_binary(&long, Join::One);
    same_charts(&long, &out);
}

#[test]
fn icc_wants_one_layout() {
    let both = IccRequest {
        data: file(&case(AGREEMENT, "12-icc-shrout-fleiss-wide")),
        raters: names("J1,J2"),
        target: Some("J3".into()),
        ..IccRequest::default()
    };
    let err = both.run().unwrap_err().to_string();
    assert!(err.contains("give either --raters"), "{err}");
}

#[test]
fn rwg_of_the_reference_cases() {
    let lead = RwgRequest {
        data: DataRequest {
            items: Some("LEAD".into()),
            ..file(&case(AGREEMENT, "14-rwg-bh1996-lead"))
        },
        group: Some("GRP".into()),
        scale_points: Some(5),
        ..RwgRequest::default()
    };
    assert_eq!(
        shell_line(&lead.command_line(None, true)),
        "trustscale rwg tests/fixtures/agreement/14-rwg-bh1996-lead/data.csv --items LEAD --group GRP --scale-points 5 --json"
    );
    let out = same_as_binary(&lead, Join::Each);
    assert!(out.single);
    same_charts(&lead, &out);

    let lq = RwgRequest {
        data: DataRequest {
            items: Some("LEAD01:LEAD11".into()),
            ..file(&case(AGREEMENT, "15-rwgj-lq2002-leadership"))
        },
        group: Some("COMPID".into()),
        scale_points: Some(5),
        ..RwgRequest::default()
    };
    let out = same_as_binary(&lq, Join::Each);
    assert_eq!(out.scales[0].result.k, 11);
}

#[test]
fn kappa_of_the_reference_cases() {
    for (name, weights) in [
        ("16-kappa-cohen-unweighted", Weights::None),
        ("17-kappa-cohen-linear", Weights::Linear),
        ("18-kappa-cohen-quadratic", Weights::Quadratic),
    ] {
        let req = KappaRequest {
            data: file(&case(AGREEMENT, name)),
            raters: names("R1,R2"),
            weights,
            ..KappaRequest::default()
        };
        let out = same_as_binary(&req, Join::One);
        same_charts(&req, &out);
    }
    let linear = KappaRequest {
        data: file(&case(AGREEMENT, "17-kappa-cohen-linear")),
        raters: names("R1,R2"),
        weights: "linear".parse().unwrap(),
        ci: 0.9,
    };
    assert_eq!(
        shell_line(&linear.command_line(None, true)),
        "trustscale kappa tests/fixtures/agreement/17-kappa-cohen-linear/data.csv --raters R1,R2 --weights linear --ci 0.9 --json"
    );
    same_as_binary(&linear, Join::One);

    let fleiss = KappaRequest {
        data: file(&case(AGREEMENT, "19-kappa-fleiss-diagnoses")),
        raters: names("rater1,rater2,rater3,rater4,rater5,rater6"),
        ..KappaRequest::default()
    };
    assert_eq!(
        shell_line(&fleiss.command_line(None, true)),
        "trustscale kappa tests/fixtures/agreement/19-kappa-fleiss-diagnoses/data.csv --raters rater1,rater2,rater3,rater4,rater5,rater6 --json"
    );
    let out = same_as_binary(&fleiss, Join::One);
    assert!(out.charts().is_err(), "Fleiss' kappa has no chart");
}

#[test]
fn krippendorff_of_the_reference_cases() {
    for (name, level) in [
        ("25-krippendorff-classic-nominal", Level::Nominal),
        ("26-krippendorff-classic-ordinal", Level::Ordinal),
        ("27-krippendorff-classic-interval", Level::Interval),
        ("28-krippendorff-classic-ratio", Level::Ratio),
    ] {
        let req = KrippendorffRequest {
            data: file(&case(AGREEMENT, name)),
            raters: names("A,B,C,D"),
            level,
            ..KrippendorffRequest::default()
        };
        same_as_binary(&req, Join::One);
    }
    let boot = KrippendorffRequest {
        data: file(&case(AGREEMENT, "27-krippendorff-classic-interval")),
        raters: names("A,B,C,D"),
        level: "interval".parse().unwrap(),
        bootstrap: Some(200),
        seed: 3,
        ci: 0.9,
    };
    assert_eq!(
        shell_line(&boot.command_line(None, true)),
        "trustscale krippendorff tests/fixtures/agreement/27-krippendorff-classic-interval/data.csv --raters A,B,C,D --level interval --bootstrap 200 --seed 3 --ci 0.9 --json"
    );
    let out = same_as_binary(&boot, Join::One);
    assert_eq!(out.result.bootstrap, Some(200));
}

#[test]
fn cfa_of_the_reference_cases() {
    for (name, estimator, mi) in [
        ("09-cfa-hs1939-ml", Estimator::Ml, false),
        ("10-cfa-hs1939-mlr", Estimator::Mlr, false),
        ("11-cfa-politicaldemocracy-sem-ml", Estimator::Ml, true),
    ] {
        let dir = format!("tests/fixtures/cfa/{name}");
        let req = CfaRequest {
            data: file(&format!("{dir}/data.csv")),
            model: Some(ModelSource::File(format!("{dir}/model.txt").into())),
            estimator: Some(estimator),
            mi,
            ..CfaRequest::default()
        };
        let out = same_as_binary(&req, Join::Blank);
        same_charts(&req, &out);
    }
    let hs = "tests/fixtures/cfa/hs1939-school";
    let groups = CfaRequest {
        data: file(&format!("{hs}/data.csv")),
        model: Some(ModelSource::File(format!("{hs}/model.txt").into())),
        group: Some("school".into()),
        delta_rmsea: 0.01,
        ..CfaRequest::default()
    };
    assert_eq!(
        shell_line(&groups.command_line(None, true)),
        "trustscale cfa tests/fixtures/cfa/hs1939-school/data.csv --model tests/fixtures/cfa/hs1939-school/model.txt --group school --delta-rmsea 0.01 --json"
    );
    let out = same_as_binary(&groups, Join::Blank);
    same_charts(&groups, &out);
}

// ---------------------------------------------------------------- in-memory data

#[test]
fn cfa_of_in_memory_data_equals_the_cli_on_the_same_numbers() {
    let dir = "tests/fixtures/cfa/09-cfa-hs1939-ml";
    let text = std::fs::read_to_string(root().join(dir).join("data.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut values: Vec<f64> = lines
        .flat_map(|l| l.split(',').map(|c| c.parse::<f64>().unwrap()))
        .collect();
    let k = header.len();
    let n = values.len() / k;
    // two missing cells, so the listwise warning is compared too
    values[2 * k + 1] = f64::NAN;
    values[10 * k + 6] = f64::NAN;
    let array = Array2::from_shape_vec((n, k), values).unwrap();
    let model = std::fs::read_to_string(root().join(dir).join("model.txt")).unwrap();

    let memory = CfaRequest {
        data: DataRequest::memory(ItemData::from_array(array.view(), &header).unwrap()),
        model: Some(ModelSource::Syntax(model)),
        mi: true,
        ..CfaRequest::default()
    };
    let out = memory.run().unwrap();
    assert_eq!(out.result.n, n - 2);
    assert_eq!(out.warnings().len(), 1, "{:?}", out.warnings());

    let t = tempfile::tempdir().unwrap();
    let csv = common::csv_of(&header, array.view());
    std::fs::write(t.path().join("data.csv"), csv).unwrap();
    std::fs::copy(
        root().join(dir).join("model.txt"),
        t.path().join("model.txt"),
    )
    .unwrap();
    let cli = common::run_in(
        t.path(),
        &["cfa", "data.csv", "--model", "model.txt", "--mi", "--json"],
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(serde_json::to_value(&out).unwrap(), cli);
}
