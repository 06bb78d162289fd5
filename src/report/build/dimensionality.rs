//! Dimensionality: parallel analysis, EFA and the general factor (hierarchical omega).

use super::{cell, nan, sub_name, Plan, Runner};
use crate::analysis::efa::EfaRequest;
use crate::analysis::omega::OmegaRequest;
use crate::analysis::parallel::ParallelRequest;
use crate::instrument::Instrument;
use crate::render::format::apa;
use crate::render::format::p_text;
use crate::report::verdict::Level;
use crate::report::{verdict, ApaTable, Block, ReportOptions, Section};
use crate::study::DataRequest;
use serde_json::{Map, Value};

pub(super) fn dimensionality_section(
    r: &mut Runner,
    plan: &Plan,
    a: &ReportOptions,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(
        "How many dimensions the items measure: Horn's parallel analysis (95th percentile of simulated eigenvalues), an exploratory factor analysis (minres, oblimin) with as many factors as the instrument has subscales, and McDonald's hierarchical omega of all items (Schmid–Leiman): does a general factor run through the subscales? Sampling adequacy after Kaiser (1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre. General factor: ωh ≥ .80 means essentially unidimensional (Rodriguez, Reise & Haviland, 2016).".into(),
    )];
    let mut par_all = Map::new();
    let mut efa_all = Map::new();
    let mut omega_all = Map::new();
    for (inst, _) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let scree = format!("scree-{}", inst.id);
        let req = ParallelRequest {
            data: DataRequest::study_instrument(&r.study_path, &inst.id),
            iterations: Some(a.iterations),
            seed: Some(a.seed),
            ..ParallelRequest::default()
        };
        let stage = format!("parallel {}", inst.id);
        match r.run(&stage, &req, Some(&scree), None) {
            Ok(out) => {
                let k = out.result.suggested_factors;
                let m = inst.subscales.len();
                let (level, word) = if k == m {
                    (Level::Good, "as the instrument intends")
                } else if k + 1 == m || k == m + 1 {
                    (Level::Fair, "close to the instrument's design")
                } else {
                    (Level::Poor, "unlike the instrument's design")
                };
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "Parallel analysis suggests {k} factors and {} components; the instrument has {m} subscales: {word}.",
                        out.result.suggested_components
                    ),
                ));
                if let Some((_, svg)) = r.charts(&stage, &scree, &out).into_iter().next() {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Scree plot of the {} items with parallel-analysis references ({} simulated data sets).", inst.id, a.iterations),
                    });
                }
                par_all.insert(inst.id.clone(), r.json(&out));
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let heat = format!("efa-{}", inst.id);
        let req = EfaRequest {
            data: DataRequest::study_instrument(&r.study_path, &inst.id),
            ..EfaRequest::default()
        };
        let stage = format!("efa {}", inst.id);
        match r.run(&stage, &req, Some(&heat), None) {
            Ok(out) => {
                let v = &out.result;
                let kmo = nan(v.kmo);
                let (level, word) = verdict::kmo(kmo);
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "Sampling adequacy KMO = {}: {word}; Bartlett's test χ²({}) = {:.1}, {}.",
                        apa(kmo, 2, true),
                        v.bartlett.df,
                        nan(v.bartlett.chi2),
                        p_text(nan(v.bartlett.p))
                    ),
                ));
                let flagged: Vec<String> = out
                    .item_flags
                    .iter()
                    .filter_map(|x| x.flag.map(|fl| format!("{} ({})", x.item, fl.as_str())))
                    .collect();
                blocks.push(if flagged.is_empty() {
                    Block::Verdict(
                        Level::Good,
                        format!(
                            "Every item loads most on its own subscale's factor, at or above {}.",
                            apa(out.cutoff, 2, true)
                        ),
                    )
                } else {
                    Block::Verdict(
                        Level::Fair,
                        format!(
                            "Items that load on a foreign factor or weakly: {}.",
                            flagged.join(", ")
                        ),
                    )
                });
                let rows = out
                    .subscale_factors
                    .iter()
                    .map(|x| {
                        vec![
                            sub_name(inst, &x.subscale),
                            x.factor.map_or("–".into(), |k| format!("F{k}")),
                            apa(nan(x.mean_abs_loading), 2, true),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!("Factors found for the {} subscales", inst.title),
                    header: ["Subscale", "Factor", "Mean |loading|"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!(
                        "EFA: {} extraction, {} rotation, n = {}; RMSEA = {}, TLI = {}.",
                        v.extraction.as_str(),
                        v.rotation.as_str(),
                        v.n,
                        apa(nan(v.fit.rmsea), 3, true),
                        apa(nan(v.fit.tli), 3, false)
                    )),
                }));
                if let Some((_, svg)) = r.charts(&stage, &heat, &out).into_iter().next() {
                    blocks.push(Block::Figure {
                        svg,
                        caption: "Pattern loadings; items are grouped and coloured by their intended subscale, factors ordered by the subscale each stands for.".into(),
                    });
                }
                efa_all.insert(inst.id.clone(), r.json(&out));
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        general_factor(r, inst, &mut blocks, &mut omega_all);
    }
    results.insert("parallel".into(), Value::Object(par_all));
    results.insert("efa".into(), Value::Object(efa_all));
    results.insert("omega".into(), Value::Object(omega_all));
    Section {
        id: "dimensionality".into(),
        title: "Dimensionality".into(),
        blocks,
    }
}

/// The bifactor view of an instrument (`omega --whole`): how strong a general factor runs
/// through its subscales (ωh, ECV), and how much reliable variance each subscale keeps beyond
/// it (ωhs).
fn general_factor(
    r: &mut Runner,
    inst: &Instrument,
    blocks: &mut Vec<Block>,
    all: &mut Map<String, Value>,
) {
    let chart = format!("omega-{}", inst.id);
    let req = OmegaRequest {
        data: DataRequest::study_instrument(&r.study_path, &inst.id),
        whole: true,
        ..OmegaRequest::default()
    };
    let stage = format!("omega {}", inst.id);
    let out = match r.run(&stage, &req, Some(&chart), None) {
        Ok(out) => out,
        Err(e) => {
            blocks.push(Block::Warning(e));
            blocks.push(r.last_command());
            return;
        }
    };
    let Some(v) = out.scales.first() else {
        blocks.push(r.last_command());
        return;
    };
    let oh = v.omega_hierarchical;
    let (level, word) = verdict::general_factor(oh);
    blocks.push(Block::Verdict(
        level,
        format!(
            "General factor over the {} subscales: ωh = {}, ωt = {}, explained common variance {}: {word}.",
            inst.subscales.len(),
            apa(oh, 2, true),
            apa(v.omega_total, 2, true),
            apa(v.ecv, 2, true),
        ),
    ));
    let n_items = v.items.len();
    // each group factor stands for the subscale most of its items come from
    let mut rows: Vec<(usize, Vec<String>)> = v
        .omega_group
        .iter()
        .filter(|g| g.factor != "g")
        .map(|g| {
            let its = &g.items;
            let subscale = inst
                .subscales
                .iter()
                .enumerate()
                .max_by_key(|(_, sc)| {
                    inst.items_of(&sc.id)
                        .filter(|it| its.contains(&it.id))
                        .count()
                })
                .filter(|_| !its.is_empty());
            let order = subscale.map_or(usize::MAX, |(i, _)| i);
            let name = subscale.map_or_else(|| "–".to_string(), |(_, sc)| sc.name.clone());
            (
                order,
                vec![
                    name,
                    g.factor.clone(),
                    its.len().to_string(),
                    cell(nan(g.total), 2, true),
                    cell(nan(g.general), 2, true),
                    cell(nan(g.group), 2, true),
                ],
            )
        })
        .collect();
    // in the instrument's order of subscales
    rows.sort_by_key(|(order, _)| *order);
    let rows = rows.into_iter().map(|(_, row)| row).collect();
    blocks.push(Block::Table(ApaTable {
        title: format!("Omega of the {} subscales under a general factor", inst.title),
        header: ["Subscale", "Factor", "Items", "ω", "ωh (general)", "ωhs (own factor)"]
            .map(String::from)
            .to_vec(),
        rows,
        note: Some(format!(
            "Schmid–Leiman solution of all {} items with {} group factors (minres, oblimin, as R psych::omega). ω = omega total of the subscale's items; ωh = the share of their score variance due to the general factor; ωhs = the share due to the subscale's own factor beyond the general one (Reise, Bonifay & Haviland, 2013).",
            n_items,
            v.factors
        )),
    }));
    if let Some((_, svg)) = r.charts(&stage, &chart, &out).into_iter().next() {
        blocks.push(Block::Figure {
            svg,
            caption: "Schmid–Leiman loadings: the general factor g, the group factors and the communalities h2; items grouped and coloured by their intended subscale.".into(),
        });
    }
    blocks.push(r.last_command());
    all.insert(inst.id.clone(), r.json(&out));
}
