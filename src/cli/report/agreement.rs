//! Rater agreement and aggregation.

use super::{f, p_cell, scales_of, sub_name, Args, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::plot::apa;
use trustscale::report::verdict::Level;
use trustscale::report::{ApaTable, Block, Section};

pub(super) fn agreement_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Can ratings be aggregated? Leader instruments: do a leader's collaborators agree about them; group instruments: do a group's members agree about their group. Cut-offs: mean rwg(j) ≥ .70 ({} null; LeBreton & Senter, 2008), ICC(1) ≥ .05 with a significant F test, ICC(2) ≥ .70 (Bliese, 2000).",
        a.null
    ))];
    let mut all = Map::new();
    for (inst, ds) in &plan.instruments {
        let by = ds.target.clone().unwrap_or_else(|| ds.group.clone());
        let who = if ds.target.is_some() {
            "collaborators about their leader"
        } else {
            "members about their group"
        };
        blocks.push(Block::Heading(format!(
            "{} ({}): {who}",
            inst.title, inst.id
        )));
        let chart = r.chart(&format!("agreement-{}", inst.id));
        let chart_s = chart.display().to_string();
        match r.run(
            &format!("rwg {}", inst.id),
            &[
                "rwg",
                "--instrument",
                &inst.id,
                "--group",
                &by,
                "--null",
                &a.null,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let mut rows = Vec::new();
                for (id, sc) in scales_of(&v) {
                    let name = sub_name(inst, &id);
                    let ok = sc["aggregation"]["supported"].as_bool() == Some(true);
                    let mut reasons = Vec::new();
                    if f(&sc["mean_rwg_j"]) < 0.7 {
                        reasons.push("mean rwg(j) below .70");
                    }
                    if f(&sc["icc1"]) <= 0.05 {
                        reasons.push("ICC(1) not above .05");
                    }
                    if f(&sc["anova"]["p"]) >= 0.05 {
                        reasons.push("group effect not significant");
                    }
                    if f(&sc["icc2"]) < 0.7 {
                        reasons.push("ICC(2) below .70: group means are not reliable");
                    }
                    blocks.push(Block::Verdict(
                        if ok { Level::Good } else { Level::Poor },
                        format!(
                            "{name}: mean rwg(j) = {}, ICC(1) = {}, ICC(2) = {}: aggregation {}{}.",
                            apa(f(&sc["mean_rwg_j"]), 2, true),
                            apa(f(&sc["icc1"]), 2, true),
                            apa(f(&sc["icc2"]), 2, true),
                            if ok { "supported" } else { "not supported" },
                            if reasons.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", reasons.join("; "))
                            }
                        ),
                    ));
                    rows.push(vec![
                        name,
                        sc["n_groups"].to_string(),
                        sc["n"].to_string(),
                        apa(f(&sc["mean_rwg_j"]), 2, true),
                        apa(f(&sc["median_rwg_j"]), 2, true),
                        format!("{:.0}%", 100.0 * f(&sc["share_rwg_j_above"])),
                        apa(f(&sc["icc1"]), 2, true),
                        apa(f(&sc["icc2"]), 2, true),
                        format!("{:.2}", f(&sc["anova"]["f"])),
                        p_cell(f(&sc["anova"]["p"])),
                        if ok { "supported" } else { "not supported" }.into(),
                    ]);
                }
                blocks.push(Block::Table(ApaTable {
                    title: format!("Agreement and aggregation of {} by {by}", inst.title),
                    header: ["Subscale", "Groups", "n", "Mean rwg(j)", "Median", "≥ .70", "ICC(1)", "ICC(2)", "F", "p", "Aggregation"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!("rwg(j) against the {} null; ICC(1) and ICC(2) from the one-way ANOVA of subscale scores on the group; F tests the group effect.", a.null)),
                }));
                if let Some(svg) = r.svg_of(&chart) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Agreement of {who} on {}: each dot is a group's rwg(j); bars give ICC(1) and ICC(2) per subscale.", inst.id),
                    });
                }
                all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("agreement".into(), Value::Object(all));
    Section {
        id: "agreement".into(),
        title: "Rater agreement and aggregation".into(),
        blocks,
    }
}
