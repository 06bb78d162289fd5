//! Item analysis and reliability per subscale.

use super::{cell, f, s, scales_of, sub_name, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::plot::apa;
use trustscale::report::verdict::{ci_text, Level};
use trustscale::report::{verdict, ApaTable, Block, Section};

pub(super) fn reliability_section(
    r: &mut Runner,
    plan: &Plan,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Internal consistency of every subscale: Cronbach's alpha with Feldt's 95% interval and McDonald's omega total from a one-factor model of the subscale's items (each subscale is meant to measure one competency; whether a general factor runs through the subscales is asked under Dimensionality). Cut-offs: {}.",
        verdict::RELIABILITY_CUTOFFS
    ))];
    let mut all = Map::new();
    for (inst, _) in &plan.instruments {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = r.chart(&format!("reliability-{}", inst.id));
        let chart_s = chart.display().to_string();
        let v = r.run_expecting(
            &format!("reliability {}", inst.id),
            &[
                "reliability",
                "--instrument",
                &inst.id,
                "--omega-factors",
                "1",
                "--plot",
                &chart_s,
            ],
            Some("not meaningful with one factor"),
        );
        let cmd = r.commands.last().cloned().unwrap_or_default();
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        let scales = scales_of(&v);
        let mut rows = Vec::new();
        let mut figures = Vec::new();
        for (id, sc) in &scales {
            let alpha = f(&sc["alpha"]);
            let ci = &sc["alpha_ci"];
            let (level, word) = verdict::reliability(alpha);
            let name = sub_name(inst, id);
            blocks.push(Block::Verdict(
                level,
                format!(
                    "{name}: Cronbach's alpha = {} {}: {word}.",
                    apa(alpha, 2, true),
                    ci_text(f(&ci[0]), f(&ci[1]), 2, true)
                ),
            ));
            let weak: Vec<String> = sc["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|it| f(&it["r_drop"]) < 0.3 || f(&it["alpha_if_deleted"]) > alpha + 0.01)
                .map(|it| s(&it["item"]))
                .collect();
            if !weak.is_empty() {
                blocks.push(Block::Verdict(
                    Level::Fair,
                    format!(
                        "{name}: items {} have a corrected item-total r below .30 or raise alpha when deleted; review their wording.",
                        weak.join(", ")
                    ),
                ));
            }
            rows.push(vec![
                name.clone(),
                sc["k"].to_string(),
                sc["n"].to_string(),
                apa(alpha, 2, true),
                ci_text(f(&ci[0]), f(&ci[1]), 2, true),
                cell(f(&sc["omega_total"]), 2, true),
                apa(f(&sc["average_r"]), 2, true),
                word.to_string(),
            ]);
            let path = if scales.len() > 1 {
                crate::cli::common::plot_path(&chart, id)
            } else {
                chart.clone()
            };
            if let Some(svg) = r.svg_of(&path) {
                figures.push((
                    svg,
                    format!(
                        "Item analysis of {name}: corrected item-total correlations and alpha if the item is deleted; the line marks the scale's alpha."
                    ),
                ));
            }
        }
        blocks.push(Block::Table(ApaTable {
            title: format!("Reliability of the {} subscales", inst.title),
            header: ["Subscale", "k", "n", "α", "95% CI", "ω", "Mean r", "Verdict"]
                .map(String::from)
                .to_vec(),
            rows,
            note: Some("α = Cronbach's alpha with Feldt's interval; ω = McDonald's omega total of a one-factor model (minres, as R psych::omega with nfactors = 1); mean r = average inter-item correlation.".into()),
        }));
        blocks.push(Block::Gallery(figures));
        blocks.push(Block::Command(cmd));
        all.insert(inst.id.clone(), v);
    }
    results.insert("reliability".into(), Value::Object(all));
    Section {
        id: "reliability".into(),
        title: "Item analysis and reliability".into(),
        blocks,
    }
}
