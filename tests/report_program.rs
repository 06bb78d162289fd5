//! The report of the example program study (data/example-program) opens with the "Program
//! evaluation" section for funders: its sentences carry `evaluate`'s numbers (Morris's d_ppc2
//! and its interval, pinned against R in tests/evaluate.rs), the summary leads with its
//! verdicts, and its charts are written. The cross-sectional example's report is unchanged
//! (tests/report_snapshot.rs, tests/report_library.rs).

use std::path::{Path, PathBuf};
use trustscale::analysis::evaluate::EvaluateRequest;
use trustscale::analysis::Request;
use trustscale::render::format::apa;
use trustscale::report::{build, Block, ReportOptions};
use trustscale::study::Study;

#[test]
fn program_report_opens_with_the_funders_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("data/example-program/study.toml");
    let study = Study::load(&path).unwrap();
    let opts = ReportOptions {
        out: PathBuf::from("OUT"),
        iterations: 5,
        ..ReportOptions::default()
    };
    let report = build(&study, &opts).unwrap();
    let ev = EvaluateRequest {
        study: path.clone(),
        instrument: None,
    }
    .run()
    .unwrap();
    let secs = &report.document.sections;
    assert_eq!(secs[0].id, "summary");
    assert_eq!(secs[1].id, "program");
    assert_eq!(secs[1].title, "Program evaluation");
    // one sentence per competency and source, in evaluate's order
    let sentences: Vec<&String> = secs[1]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Verdict(_, t) if !t.starts_with("Caution") => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(sentences.len(), ev.scales.len());
    // 6 tblc + 3 abi subscales x (self, collaborators) + 2 group-trust subscales x members
    assert_eq!(ev.scales.len(), 20);
    for (s, text) in ev.scales.iter().zip(&sentences) {
        let e = s.result.effect.as_ref().unwrap();
        let (d, ci) = (e.d_ppc2.unwrap(), e.d_ppc2_ci.unwrap());
        let nums = format!("by {:.2} SD", d.abs());
        assert!(text.contains(&nums), "{text} lacks {nums}");
        let ci_words = format!("95% CI {} to {}", apa(ci[0], 2, true), apa(ci[1], 2, true));
        assert!(text.contains(&ci_words), "{text} lacks {ci_words}");
        let who = match s.result.source.name() {
            "self" => "the leaders themselves",
            "collaborators" => "their collaborators",
            _ => "the groups' members",
        };
        assert!(text.contains(who), "{text}");
        if ci[0] > 0.0 {
            assert!(text.contains("more than"), "{text}");
        }
        // the invariance caveat follows exactly the scales whose scalar step fails
        let inv = s.invariance.as_ref().expect("invariance fitted");
        let caveat = secs[1].blocks.iter().any(|b| {
            matches!(b, Block::Verdict(_, t) if t.starts_with("Caution")
                && t.contains(&format!("({} ratings", s.result.source.name())))
        });
        if inv.result.level != "scalar" {
            assert!(
                caveat,
                "{} {}: caveat missing",
                s.scale,
                s.result.source.name()
            );
        }
    }
    // the simulated program raised process navigation (δ = .5): collaborators see it
    let pn = ev
        .scales
        .iter()
        .position(|s| s.scale == "process-navigator" && s.result.source.name() == "collaborators")
        .unwrap();
    let e = ev.scales[pn].result.effect.as_ref().unwrap();
    assert!(e.d_ppc2_ci.unwrap()[0] > 0.0, "{:?}", e.d_ppc2_ci);
    assert!(sentences[pn].starts_with("Leaders in the program improved on Process Navigator by"));
    // the summary leads with the same sentences
    let lead = &secs[0].blocks;
    assert!(matches!(&lead[0], Block::Heading(h) if h == "Did the program work?"));
    for (i, text) in sentences.iter().enumerate() {
        assert!(
            lead.iter()
                .any(|b| matches!(b, Block::Verdict(_, t) if t == *text)),
            "summary lacks sentence {i}"
        );
    }
    // charts: the forest plot, a means chart and a reliable-change chart per scale and source
    let names: Vec<&str> = report.charts.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"program-effects.svg"));
    assert!(names.contains(&"evaluate.svg"));
    assert_eq!(
        names.iter().filter(|n| n.ends_with("-change.svg")).count(),
        20
    );
    let html = report.html();
    assert!(html.contains("<section id=\"program\">"));
}
