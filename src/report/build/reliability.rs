//! Item analysis and reliability per subscale.

use super::{cell, nan, sub_name, Plan, Runner};
use crate::analysis::reliability::ReliabilityRequest;
use crate::reliability::ordinal::check_ordinal;
use crate::render::format::apa;
use crate::render::format::ci_text;
use crate::report::verdict::Level;
use crate::report::{verdict, ApaTable, Block, Section};
use crate::study::DataRequest;
use serde_json::{Map, Value};

pub(super) fn reliability_section(
    r: &mut Runner,
    plan: &Plan,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Internal consistency of every subscale: Cronbach's alpha with Feldt's 95% interval and McDonald's omega total from a one-factor model of the subscale's items (each subscale is meant to measure one competency; whether a general factor runs through the subscales is asked under Dimensionality). Answers on a rating scale are ordered categories, so beside them stand ordinal alpha (alpha of the polychoric correlations, Zumbo, Gadermann & Zeisser, 2007), the reliability of the continuous responses behind the categories, and categorical omega (Green & Yang, 2009, from a one-factor WLSMV CFA), the reliability of the sum score people actually compute. Cut-offs: {}.",
        verdict::RELIABILITY_CUTOFFS
    ))];
    let mut all = Map::new();
    for (inst, _) in &plan.instruments {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = format!("reliability-{}", inst.id);
        let data = DataRequest::study_instrument(&r.study_path, &inst.id);
        // ordinal coefficients when every answer is a whole number in at most ten categories
        let ordinal = data
            .load()
            .is_ok_and(|l| check_ordinal(&l.merged().0).is_ok());
        let req = ReliabilityRequest {
            data,
            omega_factors: Some(1),
            ordinal,
            ..ReliabilityRequest::default()
        };
        let stage = format!("reliability {}", inst.id);
        let out = r.run(
            &stage,
            &req,
            Some(&chart),
            Some("not meaningful with one factor"),
        );
        let cmd = r.last_command();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        let charts = r.charts(&stage, &chart, &out);
        let mut rows = Vec::new();
        let mut figures = Vec::new();
        for sc in &out.scales {
            let id = &sc.scale;
            let sc = &sc.result;
            let alpha = sc.alpha;
            let ci = sc.alpha_ci;
            let (level, word) = verdict::reliability(alpha);
            let name = sub_name(inst, id);
            blocks.push(Block::Verdict(
                level,
                format!(
                    "{name}: Cronbach's alpha = {} {}: {word}.",
                    apa(alpha, 2, true),
                    ci_text(ci[0], ci[1], 2, true)
                ),
            ));
            let weak: Vec<String> = sc
                .items
                .iter()
                .filter(|it| it.r_drop < 0.3 || nan(it.alpha_if_deleted) > alpha + 0.01)
                .map(|it| match &it.text {
                    // the wording (the instrument's, else the data file's variable label)
                    Some(t) => format!("{} (\u{201c}{t}\u{201d})", it.item),
                    None => it.item.clone(),
                })
                .collect();
            if !weak.is_empty() {
                blocks.push(Block::Verdict(
                    Level::Fair,
                    format!(
                        "{name}: items {} have a corrected item-total r below .30 or raise alpha when deleted; review their wording.",
                        weak.join("; ")
                    ),
                ));
            }
            let (alpha_ord, omega_cat) = match &sc.ordinal {
                Some(o) => (
                    cell(o.alpha_ordinal.value.unwrap_or(f64::NAN), 2, true),
                    cell(o.omega_categorical.value.unwrap_or(f64::NAN), 2, true),
                ),
                None => ("–".to_string(), "–".to_string()),
            };
            rows.push(vec![
                name.clone(),
                sc.k.to_string(),
                sc.n.to_string(),
                apa(alpha, 2, true),
                ci_text(ci[0], ci[1], 2, true),
                cell(nan(sc.omega_total), 2, true),
                alpha_ord,
                omega_cat,
                apa(sc.average_r, 2, true),
                word.to_string(),
            ]);
            let mine = charts.iter().find(|(suffix, _)| match suffix {
                Some(s) => s == id,
                None => out.scales.len() == 1,
            });
            if let Some((_, svg)) = mine.cloned() {
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
            header: [
                "Subscale",
                "k",
                "n",
                "α",
                "95% CI",
                "ω",
                "Ordinal α",
                "Categorical ω",
                "Mean r",
                "Verdict",
            ]
                .map(String::from)
                .to_vec(),
            rows,
            note: Some("α = Cronbach's alpha with Feldt's interval; ω = McDonald's omega total of a one-factor model (minres, as R psych::omega with nfactors = 1); ordinal α = Cronbach's alpha of the polychoric correlations (the latent responses' reliability); categorical ω = Green & Yang's omega of the sum score from a one-factor WLSMV CFA (semTools compRelSEM); – when the answers are not ordered categories; mean r = average inter-item correlation.".into()),
        }));
        blocks.push(Block::Gallery(figures));
        blocks.push(cmd);
        all.insert(inst.id.clone(), r.json(&out));
    }
    results.insert("reliability".into(), Value::Object(all));
    Section {
        id: "reliability".into(),
        title: "Item analysis and reliability".into(),
        blocks,
    }
}
