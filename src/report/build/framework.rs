//! "What the data say about the framework": the verdicts of `trustscale framework` on the
//! white paper's three claims (differential prediction of affective and cognitive trust,
//! competencies and risks, specialised leaders), its two charts (claimed links marked) and the
//! leader profile classes of the best latent profile model.

use super::{Plan, Runner};
use crate::analysis::framework::{FrameworkOutput, FrameworkRequest};
use crate::framework::{ClaimVerdict, FrameworkOptions, Verdict};
use crate::render::format::apa;
use crate::report::verdict::Level;
use crate::report::{ApaTable, Block, ReportOptions, Section};
use serde_json::{Map, Value};

/// The section id and title.
const ID: &str = "framework";
const TITLE: &str = "What the data say about the framework";

/// The colour of a verdict: supported good, not supported fair, contrary poor, untestable a
/// statement.
fn level(v: Verdict) -> Level {
    match v {
        Verdict::Supported => Level::Good,
        Verdict::NotSupported => Level::Fair,
        Verdict::Contrary => Level::Poor,
        Verdict::Untestable => Level::Info,
    }
}

pub(super) fn framework_section(
    r: &mut Runner,
    plan: &Plan,
    a: &ReportOptions,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = Vec::new();
    let section = |blocks| Section {
        id: ID.into(),
        title: TITLE.into(),
        blocks,
    };
    if plan.predictor.is_none() {
        blocks.push(Block::Para(
            "The study has no instrument rated about a leader, so the framework's claims about competencies cannot be tested.".into(),
        ));
        return section(blocks);
    }
    blocks.push(Block::Para(
        "The white paper behind the instruments makes three claims: some competencies mainly build affective trust and others cognitive trust (each competency's \"trust\" in the instrument file), each competency helps groups manage particular risks (its \"risks\"), and leaders specialise in different competencies. Each is tested at the level the data support: competencies are group means of the collaborators' ratings, outcomes group means of the members' ratings, and every difference has a 95% interval: for a competency's two correlations Zou's (2007) interval for dependent correlations, otherwise a bootstrap over whole groups (or leaders). A claim is supported when the interval lies on the claimed side of zero, not supported when it covers zero, contrary when it lies on the other side. In 1000 simulated studies of 120 groups with no difference, each test of the first two claims came out supported or contrary in 4% to 5.5% of them, and the specialisation test (one-sided) in 1.3% of 1000 sets of leaders with flat profiles.".into(),
    ));
    let req = FrameworkRequest {
        study: r.study_path.clone(),
        options: FrameworkOptions {
            seed: a.seed,
            ..FrameworkOptions::default()
        },
    };
    let out = match r.run("framework", &req, Some(ID), None) {
        Ok(out) => out,
        Err(e) => {
            blocks.push(Block::Warning(e));
            blocks.push(r.last_command());
            return section(blocks);
        }
    };
    verdict_blocks(&out, &mut blocks);
    for (suffix, svg) in r.charts("framework", ID, &out) {
        let caption = match suffix.as_deref() {
            None => "Competency x outcome: each competency's correlation with affective minus its correlation with cognitive trust, with Zou's (2007) interval for dependent correlations; filled markers carry the competency's claim (affective claimed above zero, cognitive below).",
            Some("risks") => "Competency x risk: partial correlations of each competency with members' concern about each risk (given the other competencies); filled markers are the links the competencies claim (expected below zero: less concern).",
            Some(_) => continue,
        };
        blocks.push(Block::Figure {
            svg,
            caption: caption.into(),
        });
    }
    profile_blocks(&out, &mut blocks);
    blocks.push(r.last_command());
    results.insert(ID.into(), r.json(&out));
    section(blocks)
}

/// One verdict sentence per claim, grouped under a heading per claim.
fn verdict_blocks(out: &FrameworkOutput, blocks: &mut Vec<Block>) {
    let mut last = None;
    for v in &out.verdicts {
        if last != Some(v.claim) {
            blocks.push(Block::Heading(format!(
                "Claim: {}",
                match v.claim {
                    crate::framework::Claim::Differential =>
                        "competencies differ in the kind of trust they build",
                    crate::framework::Claim::Risks =>
                        "each competency helps manage particular risks",
                    crate::framework::Claim::Specialisation =>
                        "leaders specialise in different competencies",
                }
            )));
            last = Some(v.claim);
        }
        blocks.push(Block::Verdict(level(v.verdict), sentence(v)));
    }
}

/// A verdict in words: the statement, the verdict, the estimate with its interval, the method
/// and n.
fn sentence(v: &ClaimVerdict) -> String {
    match (&v.reason, v.estimate, v.ci) {
        (Some(why), _, _) => format!("{}: cannot be tested here ({why}).", v.statement),
        (None, Some(e), Some(ci)) => format!(
            "{}: {} (estimate {} [{}, {}]; {}; n = {}).",
            v.statement,
            v.verdict.word(),
            apa(e, 2, false),
            apa(ci[0], 2, false),
            apa(ci[1], 2, false),
            v.method,
            v.n.unwrap_or(0)
        ),
        _ => format!("{}: {}.", v.statement, v.verdict.word()),
    }
}

/// The leader profile classes of the model with the lowest BIC: class sizes and each class's
/// mean on every competency, with the reliability of within-leader differences.
fn profile_blocks(out: &FrameworkOutput, blocks: &mut Vec<Block>) {
    let Some(s) = &out.specialisation else {
        return;
    };
    blocks.push(Block::Heading("Leader profile classes".into()));
    blocks.push(Block::Verdict(
        Level::Info,
        format!(
            "Within-leader differences between competencies have reliability {} across {} leaders ({} collaborators' ratings); {} of {} leaders ({:.0}%) have at least one reliable strength.",
            s.reliability.estimate.map_or("–".into(), |x| apa(x, 2, true)),
            s.n_leaders,
            s.n_ratings,
            s.strengths.leaders_with_strength,
            s.n_leaders,
            100.0 * s.strengths.share
        ),
    ));
    let p = &s.profiles;
    let (Some(best), Some(model)) = (p.best_fit(), p.best_model) else {
        return;
    };
    blocks.push(Block::Verdict(
        Level::Info,
        format!(
            "A latent profile analysis of the leaders' competency means (Gaussian mixtures, 1–{} classes, {} random starts each) finds {} class{} best by BIC (model {}{}).",
            p.models.iter().map(|m| m.fits.len()).max().unwrap_or(0),
            p.starts,
            best.classes,
            if best.classes == 1 { "" } else { "es" },
            model.name(),
            best.entropy
                .map_or(String::new(), |e| format!(", relative entropy {}", apa(e, 2, true)))
        ),
    ));
    let names: Vec<String> = s
        .subscales
        .iter()
        .map(|id| {
            out.competencies
                .iter()
                .find(|c| &c.id == id)
                .map_or_else(|| id.clone(), |c| c.name.clone())
        })
        .collect();
    let mut header = vec!["Class".to_string(), "Leaders".into(), "Share".into()];
    header.extend(names);
    let rows = best
        .means
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let mut row = vec![
                (k + 1).to_string(),
                best.sizes.get(k).map_or("–".into(), |n| n.to_string()),
                best.proportions
                    .get(k)
                    .map_or("–".into(), |x| apa(*x, 2, true)),
            ];
            row.extend(m.iter().map(|x| format!("{x:.2}")));
            row
        })
        .collect();
    blocks.push(Block::Table(ApaTable {
        title: format!("Leader profile classes ({} model, lowest BIC)", model.name()),
        header,
        rows,
        note: Some(
            "Class means of the collaborators' mean ratings per competency; leaders assigned to their most probable class.".into(),
        ),
    }));
}
