//! Dimensionality: parallel analysis, EFA and the general factor (hierarchical omega).

use super::{cell, f, s, sub_name, Args, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::instrument::Instrument;
use trustscale::plot::apa;
use trustscale::report::verdict::{p_text, Level};
use trustscale::report::{verdict, ApaTable, Block, Section};

pub(super) fn dimensionality_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(
        "How many dimensions the items measure: Horn's parallel analysis (95th percentile of simulated eigenvalues), an exploratory factor analysis (minres, oblimin) with as many factors as the instrument has subscales, and McDonald's hierarchical omega of all items (Schmid–Leiman): does a general factor run through the subscales? Sampling adequacy after Kaiser (1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre. General factor: ωh ≥ .80 means essentially unidimensional (Rodriguez, Reise & Haviland, 2016).".into(),
    )];
    let mut par_all = Map::new();
    let mut efa_all = Map::new();
    let mut omega_all = Map::new();
    let iters = a.iterations.to_string();
    let seed = a.seed.to_string();
    for (inst, _) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let scree = r.chart(&format!("scree-{}", inst.id));
        let scree_s = scree.display().to_string();
        match r.run(
            &format!("parallel {}", inst.id),
            &[
                "parallel",
                "--instrument",
                &inst.id,
                "--iterations",
                &iters,
                "--seed",
                &seed,
                "--plot",
                &scree_s,
            ],
        ) {
            Ok(v) => {
                let k = v["suggested_factors"].as_u64().unwrap_or(0) as usize;
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
                        v["suggested_components"]
                    ),
                ));
                if let Some(svg) = r.svg_of(&scree) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Scree plot of the {} items with parallel-analysis references ({} simulated data sets).", inst.id, a.iterations),
                    });
                }
                par_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let heat = r.chart(&format!("efa-{}", inst.id));
        let heat_s = heat.display().to_string();
        match r.run(
            &format!("efa {}", inst.id),
            &["efa", "--instrument", &inst.id, "--plot", &heat_s],
        ) {
            Ok(v) => {
                let kmo = f(&v["kmo"]);
                let (level, word) = verdict::kmo(kmo);
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "Sampling adequacy KMO = {}: {word}; Bartlett's test χ²({}) = {:.1}, {}.",
                        apa(kmo, 2, true),
                        v["bartlett"]["df"],
                        f(&v["bartlett"]["chi2"]),
                        p_text(f(&v["bartlett"]["p"]))
                    ),
                ));
                let flagged: Vec<String> = v["item_flags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| !x["flag"].is_null())
                    .map(|x| format!("{} ({})", s(&x["item"]), s(&x["flag"])))
                    .collect();
                blocks.push(if flagged.is_empty() {
                    Block::Verdict(
                        Level::Good,
                        format!(
                            "Every item loads most on its own subscale's factor, at or above {}.",
                            apa(f(&v["cutoff"]), 2, true)
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
                let rows = v["subscale_factors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| {
                        vec![
                            sub_name(inst, &s(&x["subscale"])),
                            x["factor"].as_u64().map_or("–".into(), |k| format!("F{k}")),
                            apa(f(&x["mean_abs_loading"]), 2, true),
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
                        s(&v["extraction"]),
                        s(&v["rotation"]),
                        v["n"],
                        apa(f(&v["fit"]["rmsea"]), 3, true),
                        apa(f(&v["fit"]["tli"]), 3, false)
                    )),
                }));
                if let Some(svg) = r.svg_of(&heat) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: "Pattern loadings; items are grouped and coloured by their intended subscale, factors ordered by the subscale each stands for.".into(),
                    });
                }
                efa_all.insert(inst.id.clone(), v);
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
    let chart = r.chart(&format!("omega-{}", inst.id));
    let chart_s = chart.display().to_string();
    let v = match r.run(
        &format!("omega {}", inst.id),
        &[
            "omega",
            "--instrument",
            &inst.id,
            "--whole",
            "--plot",
            &chart_s,
        ],
    ) {
        Ok(v) => v,
        Err(e) => {
            blocks.push(Block::Warning(e));
            blocks.push(r.last_command());
            return;
        }
    };
    let oh = f(&v["omega_hierarchical"]);
    let (level, word) = verdict::general_factor(oh);
    blocks.push(Block::Verdict(
        level,
        format!(
            "General factor over the {} subscales: ωh = {}, ωt = {}, explained common variance {}: {word}.",
            inst.subscales.len(),
            apa(oh, 2, true),
            apa(f(&v["omega_total"]), 2, true),
            apa(f(&v["ecv"]), 2, true),
        ),
    ));
    let n_items = v["items"].as_array().map_or(0, Vec::len);
    // each group factor stands for the subscale most of its items come from
    let mut rows: Vec<(usize, Vec<String>)> = v["omega_group"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| s(&g["factor"]) != "g")
        .map(|g| {
            let its: Vec<String> = g["items"].as_array().into_iter().flatten().map(s).collect();
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
                    s(&g["factor"]),
                    its.len().to_string(),
                    cell(f(&g["total"]), 2, true),
                    cell(f(&g["general"]), 2, true),
                    cell(f(&g["group"]), 2, true),
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
            v["factors"]
        )),
    }));
    if let Some(svg) = r.svg_of(&chart) {
        blocks.push(Block::Figure {
            svg,
            caption: "Schmid–Leiman loadings: the general factor g, the group factors and the communalities h2; items grouped and coloured by their intended subscale.".into(),
        });
    }
    blocks.push(r.last_command());
    all.insert(inst.id.clone(), v);
}
