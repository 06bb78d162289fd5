//! Rater agreement and aggregation.

use super::{p_cell, sub_name, Plan, Runner};
use crate::agreement::rwg::Null;
use crate::analysis::rwg::RwgRequest;
use crate::render::format::apa;
use crate::report::verdict::Level;
use crate::report::{ApaTable, Block, ReportOptions, Section};
use crate::study::DataRequest;
use serde_json::{Map, Value};

pub(super) fn agreement_section(
    r: &mut Runner,
    plan: &Plan,
    o: &ReportOptions,
    null: Null,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Can ratings be aggregated? Leader instruments: do a leader's collaborators agree about them; group instruments: do a group's members agree about their group. Cut-offs: mean rwg(j) ≥ .70 ({} null; LeBreton & Senter, 2008), ICC(1) ≥ .05 with a significant F test, ICC(2) ≥ .70 (Bliese, 2000).",
        o.null
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
        let chart = format!("agreement-{}", inst.id);
        let req = RwgRequest {
            data: DataRequest::study_instrument(&r.study_path, &inst.id),
            group: Some(by.clone()),
            null: Some(null),
            ..RwgRequest::default()
        };
        let stage = format!("rwg {}", inst.id);
        match r.run(&stage, &req, Some(&chart), None) {
            Ok(out) => {
                let mut rows = Vec::new();
                for sc in &out.scales {
                    let name = sub_name(inst, &sc.scale);
                    let res = &sc.result;
                    let ok = res.aggregation.supported;
                    let mut reasons = Vec::new();
                    if res.mean_rwg_j < 0.7 {
                        reasons.push("mean rwg(j) below .70");
                    }
                    if res.icc1 <= 0.05 {
                        reasons.push("ICC(1) not above .05");
                    }
                    if res.anova.p >= 0.05 {
                        reasons.push("group effect not significant");
                    }
                    if res.icc2 < 0.7 {
                        reasons.push("ICC(2) below .70: group means are not reliable");
                    }
                    blocks.push(Block::Verdict(
                        if ok { Level::Good } else { Level::Poor },
                        format!(
                            "{name}: mean rwg(j) = {}, ICC(1) = {}, ICC(2) = {}: aggregation {}{}.",
                            apa(res.mean_rwg_j, 2, true),
                            apa(res.icc1, 2, true),
                            apa(res.icc2, 2, true),
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
                        res.n_groups.to_string(),
                        res.n.to_string(),
                        apa(res.mean_rwg_j, 2, true),
                        apa(res.median_rwg_j, 2, true),
                        format!("{:.0}%", 100.0 * res.share_rwg_j_above),
                        apa(res.icc1, 2, true),
                        apa(res.icc2, 2, true),
                        format!("{:.2}", res.anova.f),
                        p_cell(res.anova.p),
                        if ok { "supported" } else { "not supported" }.into(),
                    ]);
                }
                blocks.push(Block::Table(ApaTable {
                    title: format!("Agreement and aggregation of {} by {by}", inst.title),
                    header: ["Subscale", "Groups", "n", "Mean rwg(j)", "Median", "≥ .70", "ICC(1)", "ICC(2)", "F", "p", "Aggregation"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!("rwg(j) against the {} null; ICC(1) and ICC(2) from the one-way ANOVA of subscale scores on the group; F tests the group effect.", o.null)),
                }));
                if let Some((_, svg)) = r.charts(&stage, &chart, &out).into_iter().next() {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Agreement of {who} on {}: each dot is a group's rwg(j); bars give ICC(1) and ICC(2) per subscale.", inst.id),
                    });
                }
                all.insert(inst.id.clone(), r.json(&out));
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
