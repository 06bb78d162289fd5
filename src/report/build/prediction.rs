//! Predictive validity: regression on group means and the multilevel model.

use super::{nan, p_cell, Plan, Runner};
use crate::analysis::regress::RegressRequest;
use crate::plot::{DominanceChart, DominanceModel};
use crate::render::format::apa;
use crate::render::format::{ci_text, p_text};
use crate::report::verdict::Level;
use crate::report::{verdict, ApaTable, Block, ReportOptions, Section};
use crate::study::DataRequest;
use serde_json::{Map, Value};

pub(super) fn prediction_section(
    r: &mut Runner,
    plan: &Plan,
    a: &ReportOptions,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = Vec::new();
    let mut all = Map::new();
    let Some(pred) = plan.predictor.clone() else {
        blocks.push(Block::Para(
            "The study has no instrument rated about a leader, so there is nothing to predict from.".into(),
        ));
        results.insert("regression".into(), Value::Object(all));
        return Section {
            id: "prediction".into(),
            title: "Predictive validity".into(),
            blocks,
        };
    };
    blocks.push(Block::Para(format!(
        "Do the {} subscales, averaged over each leader's collaborators, predict group outcomes? For each outcome: OLS on group means with {}-fold cross-validated R² and dominance analysis (each competency's share of R²), and a multilevel model of members' ratings with a random intercept per group (REML). Effect sizes of R² after Cohen (1988): f² ≥ .02 small, ≥ .15 medium, ≥ .35 large.",
        pred.title, a.cv
    )));
    let preds = format!("{}:*", pred.id);
    let mut dominance = Vec::new();
    let outcomes = plan.outcomes.clone();
    for (outcome, group) in &outcomes {
        blocks.push(Block::Heading(format!("Outcome: {outcome}")));
        let stem = outcome.replace(':', "-");
        let chart = format!("regress-{stem}");
        let mut entry = Map::new();
        let req = RegressRequest {
            data: DataRequest {
                study: Some(r.study_path.clone()),
                ..DataRequest::default()
            },
            outcome: outcome.clone(),
            predictors: Some(vec![preds.clone()]),
            dominance: true,
            cv: Some(a.cv),
            seed: Some(a.seed),
            ..RegressRequest::default()
        };
        let stage = format!("regress {outcome}");
        let ran = r.run(&stage, &req, Some(&chart), None);
        match ran.as_ref().map(|out| (out, out.result.ols.as_ref())) {
            Ok((out, Some(ols))) => {
                let v = &ols.fit;
                let r2 = v.r2;
                let p = v.p;
                let level = if p < 0.05 { Level::Good } else { Level::Poor };
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "The competencies explain R² = {} of {outcome} across {} groups (adjusted {}), F({}, {}) = {:.2}, {}: a {} effect{}; cross-validated R² = {}.",
                        apa(r2, 3, true),
                        v.n,
                        apa(v.adj_r2, 3, false),
                        v.df1, v.df2, v.f, p_text(p),
                        verdict::r2_size(r2),
                        if p < 0.05 { "" } else { " that could be chance" },
                        apa(nan(ols.cv_r2), 3, false)
                    ),
                ));
                let rows = v
                    .coefficients
                    .iter()
                    .map(|c| {
                        vec![
                            c.term.clone(),
                            format!("{:.3}", c.estimate),
                            format!("{:.3}", c.se),
                            c.std_beta.map_or("–".into(), |b| apa(b, 2, true)),
                            format!("{:.2}", c.t),
                            p_cell(c.p),
                            ci_text(c.ci[0], c.ci[1], 2, false),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!(
                        "Regression of {outcome} on the {} subscales (group means)",
                        pred.id
                    ),
                    header: ["Term", "b", "SE", "β", "t", "p", "95% CI"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!("n = {} groups; classical standard errors.", v.n)),
                }));
                if let Some(d) = &ols.dominance {
                    let mut sorted: Vec<_> = d.iter().collect();
                    sorted.sort_by_key(|x| x.rank);
                    if let Some(top) = sorted.first() {
                        blocks.push(Block::Verdict(
                            Level::Info,
                            format!(
                                "{} contributes most to R² ({} of {}, {:.0}% of the explained variance).",
                                top.term,
                                apa(top.general, 3, true),
                                apa(r2, 3, true),
                                100.0 * top.standardized
                            ),
                        ));
                    }
                    blocks.push(Block::Table(ApaTable {
                        title: format!("General dominance weights for {outcome}"),
                        header: [
                            "Predictor",
                            "Weight",
                            "Share of R²",
                            "Rank",
                            "Completely dominates",
                        ]
                        .map(String::from)
                        .to_vec(),
                        rows: sorted
                            .iter()
                            .map(|x| {
                                vec![
                                    x.term.clone(),
                                    apa(x.general, 3, true),
                                    format!("{:.0}%", 100.0 * x.standardized),
                                    x.rank.to_string(),
                                    x.completely_dominates.join(", "),
                                ]
                            })
                            .collect(),
                        note: None,
                    }));
                    dominance.push(DominanceModel {
                        label: outcome.clone(),
                        weights: d.iter().map(|x| x.general).collect(),
                    });
                }
                // one under the other: the forest plot needs the width for the term names
                for (suffix, svg) in r.charts(&stage, &chart, out) {
                    let caption = match suffix.as_deref() {
                        None => "Coefficients with 95% intervals.",
                        Some("predicted") => "Predicted and observed group means.",
                        Some(_) => continue,
                    };
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("{outcome}: {caption}"),
                    });
                }
                entry.insert("ols".into(), r.json(out));
            }
            Ok((out, None)) => {
                entry.insert("ols".into(), r.json(out));
            }
            Err(e) => blocks.push(Block::Warning(e.clone())),
        }
        blocks.push(r.last_command());
        let req = RegressRequest {
            data: DataRequest {
                study: Some(r.study_path.clone()),
                ..DataRequest::default()
            },
            outcome: outcome.clone(),
            predictors: Some(vec![preds.clone()]),
            multilevel: Some(group.clone()),
            ..RegressRequest::default()
        };
        let ran = r.run(&format!("multilevel {outcome}"), &req, None, None);
        match ran.as_ref().map(|out| (out, out.result.mixed.as_ref())) {
            Ok((out, Some(v))) => {
                let z = 1.959_963_984_540_054;
                let rows = v
                    .fixed
                    .iter()
                    .map(|c| {
                        let (b, se) = (c.estimate, c.se);
                        vec![
                            c.term.clone(),
                            format!("{b:.3}"),
                            format!("{se:.3}"),
                            format!("{:.2}", c.t),
                            ci_text(b - z * se, b + z * se, 2, false),
                        ]
                    })
                    .collect();
                blocks.push(Block::Verdict(
                    Level::Info,
                    format!(
                        "Multilevel model of {} member ratings in {} groups: residual ICC = {} after the competencies (group variance {:.3}, residual variance {:.3}).",
                        v.n, v.n_groups,
                        apa(nan(v.icc), 2, true),
                        v.var_group, v.var_residual
                    ),
                ));
                blocks.push(Block::Table(ApaTable {
                    title: format!("Multilevel model of {outcome} (random intercept per group, REML)"),
                    header: ["Term", "b", "SE", "t", "95% Wald CI"].map(String::from).to_vec(),
                    rows,
                    note: Some("Predictors are group means of the collaborators' ratings; the outcome is each member's rating.".into()),
                }));
                entry.insert("multilevel".into(), r.json(out));
            }
            Ok((out, None)) => {
                entry.insert("multilevel".into(), r.json(out));
            }
            Err(e) => blocks.push(Block::Warning(e.clone())),
        }
        blocks.push(r.last_command());
        all.insert(outcome.clone(), Value::Object(entry));
    }
    if !dominance.is_empty() {
        let chart = DominanceChart {
            title: "Dominance weights of the competencies".into(),
            terms: pred.subscales.iter().map(|s| s.name.clone()).collect(),
            models: dominance,
        };
        if let Some(svg) = r.figure("dominance", "dominance", &chart) {
            blocks.insert(
                1,
                Block::Figure {
                    svg,
                    caption: "Each bar is one outcome's R², split into the competencies' general dominance weights.".into(),
                },
            );
        }
    }
    results.insert("regression".into(), Value::Object(all));
    Section {
        id: "prediction".into(),
        title: "Predictive validity".into(),
        blocks,
    }
}
