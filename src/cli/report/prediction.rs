//! Predictive validity: regression on group means and the multilevel model.

use super::{f, p_cell, s, Args, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::plot::apa;
use trustscale::report::verdict::{ci_text, p_text, Level};
use trustscale::report::{verdict, ApaTable, Block, Section};

pub(super) fn prediction_section(
    r: &mut Runner,
    plan: &mut Plan,
    a: &Args,
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
    let cv = a.cv.to_string();
    let seed = a.seed.to_string();
    let mut dominance = Vec::new();
    let outcomes = plan.outcomes.clone();
    for (outcome, group) in &outcomes {
        blocks.push(Block::Heading(format!("Outcome: {outcome}")));
        let stem = outcome.replace(':', "-");
        let chart = r.chart(&format!("regress-{stem}"));
        let chart_s = chart.display().to_string();
        let mut entry = Map::new();
        match r.run(
            &format!("regress {outcome}"),
            &[
                "regress",
                "--outcome",
                outcome,
                "--predictors",
                &preds,
                "--dominance",
                "--cv",
                &cv,
                "--seed",
                &seed,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let r2 = f(&v["r2"]);
                let p = f(&v["p"]);
                let level = if p < 0.05 { Level::Good } else { Level::Poor };
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "The competencies explain R² = {} of {outcome} across {} groups (adjusted {}), F({}, {}) = {:.2}, {}: a {} effect{}; cross-validated R² = {}.",
                        apa(r2, 3, true),
                        v["n"],
                        apa(f(&v["adj_r2"]), 3, false),
                        v["df1"], v["df2"], f(&v["f"]), p_text(p),
                        verdict::r2_size(r2),
                        if p < 0.05 { "" } else { " that could be chance" },
                        apa(f(&v["cv_r2"]), 3, false)
                    ),
                ));
                let rows = v["coefficients"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        vec![
                            s(&c["term"]),
                            format!("{:.3}", f(&c["estimate"])),
                            format!("{:.3}", f(&c["se"])),
                            c["std_beta"]
                                .as_f64()
                                .map_or("–".into(), |b| apa(b, 2, true)),
                            format!("{:.2}", f(&c["t"])),
                            p_cell(f(&c["p"])),
                            ci_text(f(&c["ci"][0]), f(&c["ci"][1]), 2, false),
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
                    note: Some(format!("n = {} groups; classical standard errors.", v["n"])),
                }));
                if let Some(d) = v["dominance"].as_array() {
                    let mut sorted: Vec<&Value> = d.iter().collect();
                    sorted.sort_by_key(|x| x["rank"].as_u64().unwrap_or(0));
                    if let Some(top) = sorted.first() {
                        blocks.push(Block::Verdict(
                            Level::Info,
                            format!(
                                "{} contributes most to R² ({} of {}, {:.0}% of the explained variance).",
                                s(&top["term"]),
                                apa(f(&top["general"]), 3, true),
                                apa(r2, 3, true),
                                100.0 * f(&top["standardized"])
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
                                    s(&x["term"]),
                                    apa(f(&x["general"]), 3, true),
                                    format!("{:.0}%", 100.0 * f(&x["standardized"])),
                                    x["rank"].to_string(),
                                    x["completely_dominates"]
                                        .as_array()
                                        .map(|a| a.iter().map(s).collect::<Vec<_>>().join(", "))
                                        .unwrap_or_default(),
                                ]
                            })
                            .collect(),
                        note: None,
                    }));
                    dominance.push(trustscale::plot::DominanceModel {
                        label: outcome.clone(),
                        weights: d.iter().map(|x| f(&x["general"])).collect(),
                    });
                }
                // one under the other: the forest plot needs the width for the term names
                for (path, caption) in [
                    (chart.clone(), "Coefficients with 95% intervals."),
                    (
                        crate::cli::common::plot_path(&chart, "predicted"),
                        "Predicted and observed group means.",
                    ),
                ] {
                    if let Some(svg) = r.svg_of(&path) {
                        blocks.push(Block::Figure {
                            svg,
                            caption: format!("{outcome}: {caption}"),
                        });
                    }
                }
                entry.insert("ols".into(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        match r.run(
            &format!("multilevel {outcome}"),
            &[
                "regress",
                "--outcome",
                outcome,
                "--predictors",
                &preds,
                "--multilevel",
                group,
            ],
        ) {
            Ok(v) => {
                let z = 1.959_963_984_540_054;
                let rows = v["fixed"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let (b, se) = (f(&c["estimate"]), f(&c["se"]));
                        vec![
                            s(&c["term"]),
                            format!("{b:.3}"),
                            format!("{se:.3}"),
                            format!("{:.2}", f(&c["t"])),
                            ci_text(b - z * se, b + z * se, 2, false),
                        ]
                    })
                    .collect();
                blocks.push(Block::Verdict(
                    Level::Info,
                    format!(
                        "Multilevel model of {} member ratings in {} groups: residual ICC = {} after the competencies (group variance {:.3}, residual variance {:.3}).",
                        v["n"], v["n_groups"],
                        apa(f(&v["icc"]), 2, true),
                        f(&v["var_group"]), f(&v["var_residual"])
                    ),
                ));
                blocks.push(Block::Table(ApaTable {
                    title: format!("Multilevel model of {outcome} (random intercept per group, REML)"),
                    header: ["Term", "b", "SE", "t", "95% Wald CI"].map(String::from).to_vec(),
                    rows,
                    note: Some("Predictors are group means of the collaborators' ratings; the outcome is each member's rating.".into()),
                }));
                entry.insert("multilevel".into(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        all.insert(outcome.clone(), Value::Object(entry));
    }
    if !dominance.is_empty() {
        let chart = trustscale::plot::DominanceChart {
            title: "Dominance weights of the competencies".into(),
            terms: pred.subscales.iter().map(|s| s.name.clone()).collect(),
            models: dominance,
        };
        let path = r.chart("dominance");
        if trustscale::plot::write(&path, &chart).is_ok() {
            if let Ok(svg) = trustscale::plot::to_svg(&chart) {
                blocks.insert(
                    1,
                    Block::Figure {
                        svg,
                        caption: "Each bar is one outcome's R², split into the competencies' general dominance weights.".into(),
                    },
                );
            }
        }
    }
    results.insert("regression".into(), Value::Object(all));
    Section {
        id: "prediction".into(),
        title: "Predictive validity".into(),
        blocks,
    }
}
