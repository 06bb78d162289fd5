//! The "Program evaluation" section, for funders: did the leaders in the program improve more
//! than the comparison leaders? It opens the report of a study with waves or arms (an
//! `[evaluation]` table), and its verdicts lead the summary.
//!
//! One sentence per competency and source from `evaluate` (Morris's d_ppc2 with its interval;
//! without a comparison arm, the change d_av within the program arm), the invariance caveat
//! when the scale's measurement changed between the waves, a table of the effects, and charts:
//! means per wave and arm, a forest plot of the effects, and each leader's change against the
//! reliable-change band.

use super::{cell, nan, p_cell, sub_name, Runner};
use crate::analysis::evaluate::{EvaluateOutput, EvaluateRequest, ScaleEvaluation};
use crate::evaluate::Source;
use crate::plot::{ForestChart, ReliableChangeChart, WavesChart};
use crate::render::format::apa;
use crate::report::verdict::Level;
use crate::report::{ApaTable, Block, Section};
use crate::study::Study;
use serde_json::{Map, Value};

/// The section's id (the summary finds its verdicts by it).
pub(super) const ID: &str = "program";

/// The section, or `None` when the study has no `[evaluation]` table.
pub(super) fn program_section(
    r: &mut Runner,
    study: &Study,
    results: &mut Map<String, Value>,
) -> Option<Section> {
    study.evaluation.as_ref()?;
    let req = EvaluateRequest {
        study: r.study_path.clone(),
        instrument: None,
    };
    let mut blocks = Vec::new();
    let out = match r.run("evaluate", &req, Some("evaluate"), None) {
        Ok(out) => out,
        Err(e) => {
            blocks.push(Block::Warning(format!(
                "The program evaluation could not be computed: {e}"
            )));
            return Some(Section {
                id: ID.into(),
                title: "Program evaluation".into(),
                blocks,
            });
        }
    };
    results.insert("evaluate".into(), r.json(&out));
    let d = &out.design;
    blocks.push(Block::Para(match &d.comparison {
        Some(c) => format!(
            "Did the program work? Each sentence compares the change from {} to {} of the leaders in the program arm (\"{}\") with that of the comparison arm (\"{c}\"), in standard deviations of the baseline scores (Morris's d, 2008): 0.2 is a small difference, 0.5 a medium one, 0.8 a large one. An interval that includes zero means these data cannot tell the program's effect from chance.",
            d.baseline, d.followup, d.program
        ),
        None => format!(
            "How did the program's leaders change from {} to {}? With no comparison arm, a change cannot be credited to the program alone: other events between the waves may explain it. Changes are in standard deviations (d_av; 0.2 small, 0.5 medium, 0.8 large).",
            d.baseline, d.followup
        ),
    }));
    let mut forest = Vec::new();
    let mut rows = Vec::new();
    let mut current = String::new();
    for s in &out.scales {
        let inst = study.instrument(&s.instrument).ok();
        let name = inst
            .as_ref()
            .map_or_else(|| s.scale.clone(), |i| sub_name(i, &s.scale));
        let heading = format!(
            "{name} ({})",
            inst.as_ref()
                .map_or(s.instrument.as_str(), |i| i.title.as_str())
        );
        if heading != current {
            blocks.push(Block::Heading(heading.clone()));
            current = heading;
        }
        let (level, text, est) = sentence(s, &name, &out);
        blocks.push(Block::Verdict(level, text));
        if let Some(c) = caveat(s, &name) {
            blocks.push(Block::Verdict(Level::Fair, c));
        }
        if let Some((e, ci)) = est {
            forest.push((format!("{name} ({})", who_short(s.result.source)), e, ci));
        }
        rows.push(table_row(s, &name, &out));
    }
    blocks.push(Block::Heading("The effects at a glance".into()));
    blocks.push(Block::Table(ApaTable {
        title: "Program effects per competency and source".into(),
        header: [
            "Scale",
            "Source",
            "n",
            "d",
            "95% CI",
            "p",
            "Invariance",
            "Improved (program)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: Some(match &d.comparison {
            Some(_) => "d: Morris's (2008) d_ppc2, the difference in change between the arms in baseline SDs; n: leaders (groups for members) with both waves; p: the ANCOVA of the follow-up on the baseline and the arm (self, members; with cohorts, CR2 errors by cohort and Bell–McCaffrey degrees of freedom) or the wave × arm interaction of a mixed model with leader and leader × wave random intercepts (collaborators). Invariance: the highest level of measurement invariance across the waves (configural, metric, scalar; Chen's 2007 cut-offs). Improved: the share of program leaders whose change exceeds the reliable-change band (Jacobson & Truax 1991).".into(),
            None => "d: d_av, the mean change in the average SD of the two waves (Cumming 2012); p: the paired t test. Invariance and Improved as in the study with a comparison arm.".into(),
        }),
    }));
    blocks.push(r.last_command());
    if !forest.is_empty() {
        let f = ForestChart {
            title: "Program effects (d with 95% CI)".into(),
            x_desc: "difference in change, baseline SDs".into(),
            terms: forest,
        };
        if let Some(svg) = r.figure("evaluate", "program-effects", &f) {
            blocks.push(Block::Figure {
                svg,
                caption: "Program effects per competency and source: each dot is the difference between the arms' change, in baseline standard deviations, with its 95% interval; to the right of the line the program leaders gained more.".into(),
            });
        }
    }
    let mut means = Vec::new();
    let mut bands = Vec::new();
    let arms = d.arms();
    for (i, s) in out.scales.iter().enumerate() {
        let label = format!("{} {} ({})", s.instrument, s.scale, s.result.source.name());
        let file = format!(
            "evaluate-{}-{}-{}",
            s.instrument,
            s.scale,
            s.result.source.name()
        );
        let w = WavesChart {
            means: s.result.waves.clone(),
            waves: [d.baseline.clone(), d.followup.clone()],
            title: label.clone(),
        };
        let name = if i == 0 {
            "evaluate".to_string()
        } else {
            file.clone()
        };
        if let Some(svg) = r.figure("evaluate", &name, &w) {
            means.push((svg, format!("{label}: mean per wave and arm, 95% CI.")));
        }
        if let Some(rc) = &s.result.reliable_change {
            let points = s
                .result
                .units
                .iter()
                .filter_map(|u| Some((u.arm, u.baseline?, u.followup? - u.baseline?)))
                .collect();
            let chart = ReliableChangeChart {
                title: label.clone(),
                se_diff: rc.se_diff,
                arms: arms.clone(),
                points,
            };
            if let Some(svg) = r.figure("evaluate", &format!("{file}-change"), &chart) {
                bands.push((
                    svg,
                    format!(
                        "{label}: each {}'s change against their baseline score; outside the shaded band (±1.96 SE of the difference, reliability {}) the change is reliable.",
                        s.result.unit,
                        apa(rc.reliability, 2, true)
                    ),
                ));
            }
        }
    }
    if !means.is_empty() {
        blocks.push(Block::Heading("Means per wave and arm".into()));
        blocks.push(Block::Gallery(means));
    }
    if !bands.is_empty() {
        blocks.push(Block::Heading("Each leader's change".into()));
        blocks.push(Block::Gallery(bands));
    }
    Some(Section {
        id: ID.into(),
        title: "Program evaluation".into(),
        blocks,
    })
}

/// Who rated, at the end of a sentence.
fn who(source: Source) -> &'static str {
    match source {
        Source::SelfRating => "as rated by the leaders themselves",
        Source::Collaborators => "as rated by their collaborators",
        Source::Members => "as rated by the groups' members",
    }
}

/// Who rated, in a label.
fn who_short(source: Source) -> &'static str {
    match source {
        Source::SelfRating => "self",
        Source::Collaborators => "collaborators",
        Source::Members => "members",
    }
}

/// A difference in SD: `0.35`, with two decimals and its sign dropped (the words carry it).
fn sd(x: f64) -> String {
    format!("{:.2}", x.abs())
}

/// The funder's sentence for one scale and source, its level, and the estimate with its
/// interval for the forest plot.
fn sentence(
    s: &ScaleEvaluation,
    name: &str,
    out: &EvaluateOutput,
) -> (Level, String, Option<(f64, [f64; 2])>) {
    let members = s.result.source == Source::Members;
    let (subject, others) = if members {
        (
            "Groups led by leaders in the program",
            "groups of comparison leaders",
        )
    } else {
        ("Leaders in the program", "comparison leaders")
    };
    let on = if members {
        format!("in {name}")
    } else {
        format!("on {name}")
    };
    let d = &out.design;
    if d.comparison.is_some() {
        let Some(e) = &s.result.effect else {
            return (
                Level::Info,
                format!(
                    "The program effect {on} {} could not be estimated (see the warnings).",
                    who(s.result.source)
                ),
                None,
            );
        };
        let (Some(dv), Some(ci)) = (e.d_ppc2, e.d_ppc2_ci) else {
            return (
                Level::Info,
                format!(
                    "The program effect {on} {} has no standardised size (see the warnings).",
                    who(s.result.source)
                ),
                None,
            );
        };
        let ci_words = format!("95% CI {} to {}", apa(ci[0], 2, true), apa(ci[1], 2, true));
        let verb = if members { "grew" } else { "improved" };
        let (level, text) = if ci[0] > 0.0 {
            (
                Level::Good,
                format!(
                    "{subject} {verb} {on} by {} SD more than {others}, {ci_words}, {}.",
                    sd(dv),
                    who(s.result.source)
                ),
            )
        } else if ci[1] < 0.0 {
            (
                Level::Poor,
                format!(
                    "{subject} fell behind {others} {on} by {} SD, {ci_words}, {}.",
                    sd(dv),
                    who(s.result.source)
                ),
            )
        } else {
            let dir = if sd(dv) == "0.00" {
                format!(", as much as {others},")
            } else if dv > 0.0 {
                format!(" more than {others},")
            } else {
                format!(" less than {others},")
            };
            (
                Level::Info,
                format!(
                    "{subject} changed {on} by {} SD{dir} {ci_words}, {}: the interval includes no difference, so these data cannot tell the program's effect from chance.",
                    sd(dv),
                    who(s.result.source)
                ),
            )
        };
        (level, text, Some((dv, ci)))
    } else {
        let Some(w) = s.result.within.first() else {
            return (
                Level::Info,
                format!("No change {on} could be computed."),
                None,
            );
        };
        match (w.d_av, w.d_av_ci) {
            (Some(dv), Some(ci)) => {
                let ci_words = format!("95% CI {} to {}", apa(ci[0], 2, true), apa(ci[1], 2, true));
                let dir = if dv >= 0.0 { "improved" } else { "declined" };
                let level = if ci[0] > 0.0 {
                    Level::Good
                } else if ci[1] < 0.0 {
                    Level::Poor
                } else {
                    Level::Info
                };
                (
                    level,
                    format!(
                        "{subject} {dir} {on} by {} SD from {} to {}, {ci_words}, {} (no comparison arm: the change is not the program's effect alone).",
                        sd(dv),
                        d.baseline,
                        d.followup,
                        who(s.result.source)
                    ),
                    Some((dv, ci)),
                )
            }
            _ => (
                Level::Info,
                format!("The change {on} has no standardised size (see the warnings)."),
                None,
            ),
        }
    }
}

/// The invariance caveat, when the measure changed between the waves.
fn caveat(s: &ScaleEvaluation, name: &str) -> Option<String> {
    let inv = s.invariance.as_ref()?;
    (inv.result.level != "scalar").then(|| {
        format!(
            "Caution: the {name} items may not measure the same way at both waves ({} ratings: measurement invariance holds only at the {} level), so part of this difference may reflect a changed measure rather than a changed competency.",
            who_short(s.result.source),
            inv.result.level
        )
    })
}

/// One row of the effects table.
fn table_row(s: &ScaleEvaluation, name: &str, out: &EvaluateOutput) -> Vec<String> {
    let (n, dv, ci, p) = if out.design.comparison.is_some() {
        let e = s.result.effect.as_ref();
        let n: usize = s.result.within.iter().map(|w| w.n_paired).sum();
        (
            n,
            e.and_then(|e| e.d_ppc2),
            e.and_then(|e| e.d_ppc2_ci),
            e.map(|e| e.test().3),
        )
    } else {
        let w = s.result.within.first();
        (
            w.map_or(0, |w| w.n_paired),
            w.and_then(|w| w.d_av),
            w.and_then(|w| w.d_av_ci),
            w.and_then(|w| w.p),
        )
    };
    let improved = s
        .result
        .reliable_change
        .as_ref()
        .and_then(|rc| rc.by_arm.first())
        .map(|a| {
            let total = a.improved + a.unchanged + a.deteriorated;
            if total == 0 {
                "–".to_string()
            } else {
                format!("{}%", (100.0 * a.improved as f64 / total as f64).round())
            }
        })
        .unwrap_or_else(|| "–".into());
    vec![
        name.to_string(),
        who_short(s.result.source).to_string(),
        n.to_string(),
        cell(nan(dv), 2, false),
        ci.map_or("–".into(), |c| {
            format!("[{}, {}]", cell(c[0], 2, false), cell(c[1], 2, false))
        }),
        p_cell(nan(p)),
        s.invariance
            .as_ref()
            .map_or("–".into(), |i| i.result.level.clone()),
        improved,
    ]
}

/// Puts the section's verdicts at the top of the summary, under their own heading, so the
/// summary leads with them.
pub(super) fn lead_summary(summary: &mut Section, program: &Section) {
    let verdicts: Vec<Block> = program
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Verdict(..)))
        .cloned()
        .collect();
    if verdicts.is_empty() {
        return;
    }
    let mut lead = vec![
        Block::Heading("Did the program work?".into()),
        Block::Para(
            "The program evaluation's verdicts, one per competency and source (details in the Program evaluation section):".into(),
        ),
    ];
    lead.extend(verdicts);
    lead.push(Block::Heading("Validation of the measures".into()));
    summary.blocks.splice(0..0, lead);
}
