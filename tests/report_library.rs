//! The example study's report built through the library (`trustscale::report::build`), without
//! the binary: the same `results.json` and `report.html` as the copies kept in
//! `tests/fixtures/report/example/` (see `tests/report_snapshot.rs`), and the same charts as
//! the command writes.

use std::path::{Path, PathBuf};
use trustscale::report::{build, ReportOptions};
use trustscale::study::Study;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report/example")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn report_built_by_the_library_equals_the_commands_report() {
    // the study named relative to the project folder, as the fixture's command lines show it
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let study = Study::load(Path::new("data/example-study/study.toml")).unwrap();
    let opts = ReportOptions {
        out: PathBuf::from("OUT"),
        ..ReportOptions::default()
    };
    let report = build(&study, &opts).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.essential_failures().is_empty());
    let json = report.results_json().unwrap();
    assert!(json == fixture("results.json"), "results.json differs");
    assert!(
        report.html() == fixture("report.html"),
        "report.html differs"
    );
    // per instrument (5): reliability, parallel, efa, omega, rwg, two profiles and three CFA
    // fits (the estimator's, the sensitivity fit, by arena): 50; two regressions per outcome
    // (2 trust subscales, 6 risks): 16; a describe per dataset (2), study check, framework
    assert_eq!(report.commands.len(), 70);
    // typed results: every section's instruments, read without parsing JSON
    assert_eq!(report.document.sections.len(), 10);
    // every chart the report inlines is kept for charts/, under a distinct name
    let mut names: Vec<&str> = report.charts.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "chart names repeat");
    assert!(names.contains(&"reliability-tblc-network-organizer.svg"));
    assert!(names.contains(&"dominance.svg"));
    assert!(report.charts.iter().all(|(_, svg)| svg.contains("<svg")));
    // written, the files are the command's
    let t = tempfile::tempdir().unwrap();
    report.write(t.path()).unwrap();
    assert_eq!(
        std::fs::read_dir(t.path().join("charts")).unwrap().count(),
        n
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("results.json")).unwrap(),
        fixture("results.json")
    );
    // issue 14: a rerun into the same folder replaces the report's own files completely (a
    // chart an earlier run wrote, listed in the manifest, goes) and leaves other files alone
    let manifest = t.path().join(trustscale::report::MANIFEST);
    let mut listed = std::fs::read_to_string(&manifest).unwrap();
    assert_eq!(
        listed.lines().count(),
        n + 3,
        "header, charts, report.html, results.json"
    );
    listed.push_str("charts/stale-from-an-earlier-run.svg\n");
    std::fs::write(&manifest, listed).unwrap();
    std::fs::write(
        t.path().join("charts/stale-from-an-earlier-run.svg"),
        "<svg/>",
    )
    .unwrap();
    std::fs::write(t.path().join("notes.txt"), "the user's").unwrap();
    report.write(t.path()).unwrap();
    assert!(!t
        .path()
        .join("charts/stale-from-an-earlier-run.svg")
        .exists());
    assert_eq!(
        std::fs::read_dir(t.path().join("charts")).unwrap().count(),
        n
    );
    assert!(t.path().join("notes.txt").is_file());
    // a folder with other files and no manifest is refused unless forced
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.txt"), "the user's").unwrap();
    let e = report.write(other.path()).unwrap_err().to_string();
    assert!(e.contains("holds no earlier trustscale report"), "{e}");
    report.write_with(other.path(), true).unwrap();
    assert!(other.path().join("report.html").is_file());
}

#[test]
fn report_options_are_checked_before_anything_runs() {
    let study =
        Study::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/study.toml"))
            .unwrap();
    for opts in [
        ReportOptions {
            cv: 1,
            ..ReportOptions::default()
        },
        ReportOptions {
            estimator: "wls".into(),
            ..ReportOptions::default()
        },
        ReportOptions {
            null: "bimodal".into(),
            ..ReportOptions::default()
        },
    ] {
        let mut called = false;
        let e = trustscale::report::build_with_progress(&study, &opts, &mut |_| called = true);
        assert!(e.is_err());
        assert!(!called, "progress reported before the options were checked");
    }
}
