//! `regress` and `profile` as library calls on the example study: the typed outputs serialise to
//! exactly the binary's `--json`, render exactly its text tables, draw exactly its chart files,
//! and the requests print the command lines the report shows.

mod common;

use common::{json_out, run_in};
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::analysis::profile::ProfileRequest;
use trustscale::analysis::regress::RegressRequest;
use trustscale::analysis::{shell_line, Request};
use trustscale::plot::{companion_path, to_svg, Charts};
use trustscale::render::Report;
use trustscale::study::DataRequest;

const STUDY: &str = "data/example-study/study.toml";

fn study() -> PathBuf {
    PathBuf::from(STUDY)
}

/// The report's command lines (`commands` of the example report's results.json).
fn report_commands() -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/example/results.json"),
    )
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// The binary's text output for `args`.
fn text_out(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The tables as the CLI prints them.
fn rendered(r: &impl Report) -> String {
    r.tables()
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs a request in the library and the binary; the JSON and the text must be the same.
fn same_as_binary<R: Request>(req: &R) -> R::Output
where
    R::Output: Report,
{
    let out = req.run().unwrap();
    let argv = req.command_line(None, true);
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json_out(&args),
        "{args:?}"
    );
    let text_argv = req.command_line(None, false);
    assert_eq!(rendered(&out), text_out(&text_argv[1..]), "{text_argv:?}");
    out
}

/// The charts drawn in the library are the files the binary writes with `--plot`.
fn same_charts<R: Request>(req: &R, out: &R::Output, name: &str)
where
    R::Output: Charts,
{
    let dir = std::env::temp_dir().join(format!("trustscale-analysis-regress-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join(format!("{name}.svg"));
    let argv = req.command_line(Some(&base), false);
    let _ = text_out(&argv[1..]);
    let charts = out.charts().unwrap();
    assert!(!charts.is_empty());
    for c in &charts {
        let path = match &c.suffix {
            None => base.clone(),
            Some(s) => companion_path(&base, s),
        };
        let file =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(to_svg(&c.chart).unwrap() == file, "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn ols(outcome: &str) -> RegressRequest {
    RegressRequest {
        data: DataRequest {
            study: Some(study()),
            ..DataRequest::default()
        },
        outcome: outcome.into(),
        predictors: Some(vec!["tblc:*".into()]),
        dominance: true,
        cv: Some(10),
        seed: Some(1),
        ..RegressRequest::default()
    }
}

fn multilevel(outcome: &str) -> RegressRequest {
    RegressRequest {
        data: DataRequest {
            study: Some(study()),
            ..DataRequest::default()
        },
        outcome: outcome.into(),
        predictors: Some(vec!["tblc:*".into()]),
        multilevel: Some("group_id".into()),
        ..RegressRequest::default()
    }
}

#[test]
fn regress_requests_match_the_binary_and_the_report() {
    let commands = report_commands();
    let line = |req: &RegressRequest, plot: Option<&str>| {
        shell_line(&req.command_line(plot.map(Path::new), true))
    };
    let aff = ols("group-trust:affective");
    assert!(commands.contains(&line(
        &aff,
        Some("OUT/charts/regress-group-trust-affective.svg")
    )));
    assert_eq!(
        line(&aff, Some("OUT/charts/regress-group-trust-affective.svg")),
        "trustscale regress --outcome group-trust:affective --predictors 'tblc:*' --dominance --cv 10 --seed 1 --plot OUT/charts/regress-group-trust-affective.svg --study data/example-study/study.toml --json"
    );
    let ml = multilevel("group-trust:affective");
    assert!(commands.contains(&line(&ml, None)));
    assert!(commands.contains(&line(
        &ols("group-trust:cognitive"),
        Some("OUT/charts/regress-group-trust-cognitive.svg")
    )));
    assert!(commands.contains(&line(&multilevel("group-trust:cognitive"), None)));

    let out = same_as_binary(&aff);
    let ols_part = out.result.ols.as_ref().unwrap();
    assert!(ols_part.dominance.is_some() && ols_part.cv.is_some());
    assert!(ols_part.aggregation.is_some());
    same_charts(&aff, &out, "ols");

    let out = same_as_binary(&ml);
    assert!(out.result.mixed.is_some() && out.result.ols.is_none());
    same_charts(&ml, &out, "multilevel");
}

#[test]
fn regress_from_a_data_file_matches_the_binary() {
    let req = RegressRequest {
        data: DataRequest {
            data: Some("data/example-study/leader-ratings.csv".into()),
            ..DataRequest::default()
        },
        outcome: "abi:ability".into(),
        blocks: Some(vec![
            vec!["tblc:network-organizer".into()],
            vec!["NO1".into(), "SIB1:SIB2".into()],
        ]),
        robust: Some(trustscale::regression::HcType::Hc3),
        cluster: Some("group_id".into()),
        ..RegressRequest::default()
    };
    assert_eq!(
        shell_line(&req.command_line(None, false)),
        "trustscale regress data/example-study/leader-ratings.csv --outcome abi:ability --blocks 'tblc:network-organizer;NO1,SIB1:SIB2' --robust hc3 --cluster group_id"
    );
    let out = same_as_binary(&req);
    assert_eq!(
        out.result
            .ols
            .as_ref()
            .unwrap()
            .blocks
            .as_ref()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn profile_requests_match_the_binary_and_the_report() {
    let commands = report_commands();
    for inst in ["tblc", "group-trust"] {
        let req = ProfileRequest::new(&study(), inst);
        let cmd = shell_line(&req.command_line(None, true));
        assert!(commands.contains(&cmd), "{cmd}");
        let out = same_as_binary(&req);
        assert_eq!(out.result.instrument, inst);
    }
    let leaders = ProfileRequest {
        leader: vec!["G001-L".into(), "G002-L".into(), "G003-L".into()],
        ..ProfileRequest::new(&study(), "tblc")
    };
    let cmd =
        shell_line(&leaders.command_line(Some(Path::new("OUT/charts/profile-tblc.svg")), true));
    assert_eq!(
        cmd,
        "trustscale profile --instrument tblc --leader G001-L,G002-L,G003-L --plot OUT/charts/profile-tblc.svg --study data/example-study/study.toml --json"
    );
    assert!(commands.contains(&cmd));
    let out = same_as_binary(&leaders);
    assert_eq!(out.shown.len(), 3);
    same_charts(&leaders, &out, "profile");

    let groups = ProfileRequest {
        group: vec!["G002".into()],
        ..ProfileRequest::new(&study(), "group-self-assessment")
    };
    let out = same_as_binary(&groups);
    same_charts(&groups, &out, "groups");
}

#[test]
fn profile_from_a_data_file_matches_the_binary() {
    let req = ProfileRequest {
        data: DataRequest {
            data: Some("data/example-study/leader-ratings.csv".into()),
            instrument: Some("abi".into()),
            all_forms: true,
            ..DataRequest::default()
        },
        target: Some("leader_id".into()),
        form: Some("form".into()),
        min_answered: 0.5,
        ..ProfileRequest::default()
    };
    assert_eq!(
        shell_line(&req.command_line(None, false)),
        "trustscale profile data/example-study/leader-ratings.csv --instrument abi --target leader_id --form form --min-answered 0.5"
    );
    same_as_binary(&req);
}

#[test]
fn study_check_and_instrument_requests_match_the_binary() {
    use trustscale::analysis::instrument::{InstrumentListRequest, InstrumentShowRequest};
    use trustscale::analysis::study::StudyCheckRequest;
    let check = StudyCheckRequest { file: study() };
    let cmd = shell_line(&check.command_line(None, true));
    assert_eq!(
        cmd,
        "trustscale study check data/example-study/study.toml --json"
    );
    assert!(report_commands().contains(&cmd));
    let out = same_as_binary(&check);
    assert_eq!(out.datasets.len(), 2);
    same_as_binary(&InstrumentListRequest);
    let show = InstrumentShowRequest {
        id: "abi".into(),
        form: Some("self".into()),
    };
    assert_eq!(
        shell_line(&show.command_line(None, true)),
        "trustscale instrument show abi --form self --json"
    );
    let out = show.run().unwrap();
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json_out(&["instrument", "show", "abi", "--form", "self", "--json"])
    );
}
