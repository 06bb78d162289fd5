//! The scale and factor commands as library calls (`reliability`, `omega`, `efa`, `parallel`,
//! `polychoric`, `score`): each request built in Rust (no binary) gives the same JSON, text
//! tables, warnings and charts as the binary run with the request's own command line, and its
//! command line is the one the report prints.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::analysis::efa::{EfaRequest, Factors};
use trustscale::analysis::omega::OmegaRequest;
use trustscale::analysis::parallel::ParallelRequest;
use trustscale::analysis::polychoric::PolychoricRequest;
use trustscale::analysis::reliability::ReliabilityRequest;
use trustscale::analysis::score::ScoreRequest;
use trustscale::analysis::{shell_line, Outcome, Request};
use trustscale::correlation::Cor;
use trustscale::data::ItemData;
use trustscale::factor::efa::RotationKind;
use trustscale::instrument::score::ScoreMethod;
use trustscale::plot::Charts;
use trustscale::render::Report;
use trustscale::study::DataRequest;

const STUDY: &str = "data/example-study/study.toml";
const CSV: &str = "data/example-survey.csv";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The example study's `tblc` items.
fn study() -> DataRequest {
    DataRequest::study_instrument(Path::new(STUDY), "tblc")
}

/// Items of the example survey named by hand.
fn csv(items: &str) -> DataRequest {
    DataRequest {
        data: Some(PathBuf::from(CSV)),
        items: Some(items.to_string()),
        ..DataRequest::default()
    }
}

/// Runs the binary in the project folder with `argv` (which starts with `trustscale`);
/// returns stdout and stderr, expecting success.
fn binary(argv: &[String]) -> (String, String) {
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let out = common::run_in(root(), &args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{argv:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The command lines the example report lists (`tests/fixtures/report/example/results.json`).
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

/// The warnings as the binary prints them on stderr.
fn stderr_of(out: &impl Outcome) -> String {
    out.warnings().iter().map(|w| format!("{w}\n")).collect()
}

/// Every file in a folder, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Runs `req` in the library and checks it against the binary run with the request's own
/// command line: its command line with `--plot PLOT --json` is `line`; its JSON, its warnings,
/// its tables (each followed by a blank line when `spaced`, as `reliability` and `omega` print
/// them) and its charts are the binary's.
fn check<R>(req: &R, plot: &str, line: &str, spaced: bool)
where
    R: Request,
    R::Output: Report + Charts,
{
    assert_eq!(
        shell_line(&req.command_line(Some(Path::new(plot)), true)),
        line
    );
    let out = req.run().unwrap();

    let (json, stderr) = binary(&req.command_line(None, true));
    let expected: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_value(&out).unwrap(), expected, "{line}");
    assert_eq!(trustscale::analysis::to_json(&out).unwrap(), json, "{line}");
    assert_eq!(stderr_of(&out), stderr, "{line}");

    let (text, _) = binary(&req.command_line(None, false));
    let tables: String = out
        .tables()
        .iter()
        .map(|t| {
            if spaced {
                format!("{t}\n")
            } else {
                t.to_string()
            }
        })
        .collect();
    assert_eq!(tables, text, "{line}");

    let lib = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    let name = Path::new(plot).file_name().unwrap();
    trustscale::plot::write_charts(&lib.path().join(name), &out.charts().unwrap()).unwrap();
    binary(&req.command_line(Some(&bin.path().join(name)), false));
    let (a, b) = (files(lib.path()), files(bin.path()));
    assert!(!a.is_empty());
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "{line}"
    );
    assert!(a == b, "{line}: the charts differ");
}

/// `check` for a request the example report runs: its command line is in the report's list.
fn check_report<R>(req: &R, plot: &str, spaced: bool)
where
    R: Request,
    R::Output: Report + Charts,
{
    let line = shell_line(&req.command_line(Some(Path::new(plot)), true));
    assert!(
        report_commands().contains(&line),
        "the report does not list {line}"
    );
    check(req, plot, &line, spaced);
}

#[test]
fn reliability_of_a_study_instrument_as_the_report_runs_it() {
    let req = ReliabilityRequest {
        data: study(),
        omega_factors: Some(1),
        ordinal: true,
        ..ReliabilityRequest::default()
    };
    check_report(&req, "OUT/charts/reliability-tblc.svg", true);
    let out = req.run().unwrap();
    assert_eq!(out.scales.len(), 6);
    assert_eq!(
        out.scales[0].subscale_name.as_deref(),
        Some("Network Organizer")
    );
    // several subscales: each warning names its subscale
    assert!(out
        .warnings()
        .iter()
        .all(|w| out.scales.iter().any(|s| w.message.starts_with(&s.scale))));
}

#[test]
fn reliability_of_items_named_by_hand() {
    let req = ReliabilityRequest {
        data: csv("NO1:NO6"),
        ci: 0.9,
        bootstrap: Some(200),
        seed: 3,
        ..ReliabilityRequest::default()
    };
    check(
        &req,
        "r.svg",
        "trustscale reliability data/example-survey.csv --items NO1:NO6 --ci 0.9 --bootstrap 200 --seed 3 --plot r.svg --json",
        true,
    );
    // one scale: the bare result
    let v = serde_json::to_value(req.run().unwrap()).unwrap();
    assert!(v.get("alpha").is_some() && v.get("scales").is_none());
}

#[test]
fn parallel_of_a_study_instrument_as_the_report_runs_it() {
    let req = ParallelRequest {
        data: study(),
        iterations: Some(100),
        seed: Some(1),
        ..ParallelRequest::default()
    };
    check_report(&req, "OUT/charts/scree-tblc.svg", false);
}

#[test]
fn parallel_of_items_named_by_hand() {
    let req = ParallelRequest {
        data: csv("NO1:SIB6"),
        iterations: Some(30),
        seed: Some(5),
        resample: true,
        ..ParallelRequest::default()
    };
    check(
        &req,
        "p.svg",
        "trustscale parallel data/example-survey.csv --items NO1:SIB6 --iterations 30 --seed 5 --resample --plot p.svg --json",
        false,
    );
    // the defaults are not printed
    let plain = ParallelRequest {
        data: csv("NO1:NO6"),
        ..ParallelRequest::default()
    };
    assert_eq!(
        plain.args(),
        ["parallel", CSV, "--items", "NO1:NO6"].map(String::from)
    );
}

#[test]
fn efa_of_a_study_instrument_as_the_report_runs_it() {
    let req = EfaRequest {
        data: study(),
        ..EfaRequest::default()
    };
    check_report(&req, "OUT/charts/efa-tblc.svg", false);
    // a library caller gets the items, the subscale match and the flags
    let out = req.run().unwrap();
    assert_eq!(out.result.items.len(), 36);
    assert_eq!(out.result.items[0], "NO1");
    assert_eq!(out.subscale_factors.len(), 6);
    assert_eq!(out.item_flags.len(), 36);
    assert_eq!(out.cutoff, 0.3);
    assert_eq!(out.factors_from_parallel, None);
}

#[test]
fn efa_of_items_named_by_hand() {
    let req = EfaRequest {
        data: csv("NO1:SIB6"),
        factors: Some(Factors::Count(2)),
        rotation: RotationKind::Varimax,
        ..EfaRequest::default()
    };
    check(
        &req,
        "e.svg",
        "trustscale efa data/example-survey.csv --items NO1:SIB6 --factors 2 --rotation varimax --plot e.svg --json",
        false,
    );
    let out = req.run().unwrap();
    assert!(out.item_flags.is_empty() && out.subscale_factors.is_empty());
}

#[test]
fn efa_with_factors_from_parallel_analysis() {
    let req = EfaRequest {
        data: DataRequest {
            data: Some(PathBuf::from(CSV)),
            instrument: Some("tblc".into()),
            ..DataRequest::default()
        },
        factors: Some("auto".parse().unwrap()),
        iterations: 30,
        ..EfaRequest::default()
    };
    check(
        &req,
        "a.svg",
        "trustscale efa data/example-survey.csv --instrument tblc --factors auto --iterations 30 --plot a.svg --json",
        false,
    );
    assert_eq!(req.run().unwrap().factors_from_parallel, Some(6));
    let e = "x".parse::<Factors>().unwrap_err().to_string();
    assert_eq!(
        e,
        "option --factors: expected a number or auto, found \"x\""
    );
}

#[test]
fn omega_whole_instrument_as_the_report_runs_it() {
    let req = OmegaRequest {
        data: study(),
        whole: true,
        ..OmegaRequest::default()
    };
    check_report(&req, "OUT/charts/omega-tblc.svg", true);
    let out = req.run().unwrap();
    assert_eq!(out.scales.len(), 1);
    assert_eq!(out.scales[0].scale, "tblc");
    assert_eq!(out.scales[0].factors, 6);
    assert_eq!(out.scales[0].items.len(), 36);
}

#[test]
fn omega_per_subscale_and_of_items_named_by_hand() {
    let per_subscale = OmegaRequest {
        data: study(),
        factors: Some(2),
        ..OmegaRequest::default()
    };
    check(
        &per_subscale,
        "o.svg",
        "trustscale omega --instrument tblc --factors 2 --plot o.svg --study data/example-study/study.toml --json",
        true,
    );
    let by_hand = OmegaRequest {
        data: csv("NO1:SIB6"),
        factors: Some(2),
        cor: "polychoric".parse().unwrap(),
        ..OmegaRequest::default()
    };
    check(
        &by_hand,
        "o.svg",
        "trustscale omega data/example-survey.csv --items NO1:SIB6 --factors 2 --cor polychoric --plot o.svg --json",
        true,
    );
    assert_eq!(by_hand.cor, Cor::Polychoric);
    assert!("kendall".parse::<Cor>().is_err());
    // --whole needs an instrument, in the library too
    let bad = OmegaRequest {
        data: csv("NO1:NO6"),
        whole: true,
        ..OmegaRequest::default()
    };
    assert!(bad.run().unwrap_err().to_string().contains("--whole"));
}

#[test]
fn polychoric_of_a_study_instrument_and_of_items_named_by_hand() {
    let req = PolychoricRequest {
        data: study(),
        ..PolychoricRequest::default()
    };
    check(
        &req,
        "c.svg",
        "trustscale polychoric --instrument tblc --plot c.svg --study data/example-study/study.toml --json",
        false,
    );
    let req = PolychoricRequest {
        data: csv("NO1:NO6"),
        smooth: false,
        ..PolychoricRequest::default()
    };
    check(
        &req,
        "c.svg",
        "trustscale polychoric data/example-survey.csv --items NO1:NO6 --no-smooth --plot c.svg --json",
        false,
    );
}

#[test]
fn scores_are_the_csv_the_binary_writes() {
    for (req, line) in [
        (
            ScoreRequest {
                data: DataRequest {
                    id: Some("respondent_id".into()),
                    ..study()
                },
                ..ScoreRequest::default()
            },
            "trustscale score --instrument tblc --id respondent_id --study data/example-study/study.toml",
        ),
        (
            ScoreRequest {
                data: DataRequest {
                    data: Some(PathBuf::from(CSV)),
                    instrument: Some("tblc".into()),
                    ..DataRequest::default()
                },
                method: "sum".parse::<ScoreMethod>().unwrap(),
                min_answered: 0.5,
            },
            "trustscale score data/example-survey.csv --instrument tblc --method sum --min-answered 0.5",
        ),
    ] {
        let argv = req.command_line(None, false);
        assert_eq!(shell_line(&argv), line);
        let out = req.run().unwrap();
        let (csv, stderr) = binary(&argv);
        assert_eq!(out.to_csv(), csv, "{line}");
        assert_eq!(stderr_of(&out), stderr, "{line}");
        assert_eq!(out.scores.subscales.len(), 6);
    }
    let no_instrument = ScoreRequest {
        data: csv("NO1:NO6"),
        ..ScoreRequest::default()
    };
    assert!(no_instrument.run().is_err());
}

/// Eight items on two correlated factors (a1-a4, b1-b4), 1-5 responses, 300 rows, a few
/// missing answers: as an array and as the CSV text of the same numbers.
fn simulated() -> (ndarray::Array2<f64>, Vec<String>, String) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut normal = move || {
        let (u, v): (f64, f64) = (rng.gen(), rng.gen());
        (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let names: Vec<String> = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]
        .map(String::from)
        .to_vec();
    let n = 300;
    let mut x = ndarray::Array2::<f64>::zeros((n, names.len()));
    for i in 0..n {
        let f1 = normal();
        let f2 = 0.4 * f1 + 0.9 * normal();
        for j in 0..names.len() {
            let f = if j < 4 { f1 } else { f2 };
            let v = (3.0 + 0.9 * f + 0.7 * normal()).round().clamp(1.0, 5.0);
            x[(i, j)] = if i % 37 == 5 && j == i % 8 {
                f64::NAN
            } else {
                v
            };
        }
    }
    let text = common::csv_of(&names, x.view());
    (x, names, text)
}

#[test]
fn in_memory_data_give_the_json_of_the_same_numbers_in_a_file() {
    let (x, names, text) = simulated();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), text).unwrap();
    let run_csv = |args: &[&str]| -> (Value, String) {
        let out = common::run_in(dir.path(), args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{args:?}: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    };
    let data = ItemData::from_array(x.view(), &names).unwrap();

    // reliability of some columns, by name
    let rel = ReliabilityRequest {
        data: DataRequest {
            items: Some("a1:a4".into()),
            ..DataRequest::memory(data.clone())
        },
        ..ReliabilityRequest::default()
    };
    let out = rel.run().unwrap();
    let (expected, stderr) = run_csv(&["reliability", "d.csv", "--items", "a1:a4", "--json"]);
    assert_eq!(serde_json::to_value(&out).unwrap(), expected);
    assert_eq!(stderr_of(&out), stderr);
    assert!(out.scales[0].result.rows_with_missing > 0);

    // EFA of every column
    let efa = EfaRequest {
        data: DataRequest::memory(data),
        factors: Some(Factors::Count(2)),
        ..EfaRequest::default()
    };
    let out = efa.run().unwrap();
    let (expected, stderr) = run_csv(&[
        "efa",
        "d.csv",
        "--items",
        "a1:b4",
        "--factors",
        "2",
        "--json",
    ]);
    assert_eq!(serde_json::to_value(&out).unwrap(), expected);
    assert_eq!(stderr_of(&out), stderr);
    assert_eq!(out.result.items, names);
}
