//! Confirmatory factor analysis, construct validity and invariance across arenas.

use super::{f, p_cell, s, sub_name, Args, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::plot::apa;
use trustscale::report::verdict::{ci_text, p_text, Level};
use trustscale::report::{verdict, ApaTable, Block, Section};

pub(super) fn cfa_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let est = a.estimator.to_ascii_lowercase();
    let mut blocks = vec![Block::Para(format!(
        "Confirmatory factor analysis of each instrument's intended structure (one factor per subscale, {}). Fit cut-offs: {}. Construct validity: composite reliability ≥ .70 and AVE ≥ .50 (convergent), √AVE above the factor's correlations (Fornell–Larcker) and HTMT below .85 (discriminant). Measurement invariance across arenas: a step holds when CFI drops by at most .010 and RMSEA rises by at most .015 (Chen, 2007).",
        est.to_uppercase(),
        verdict::FIT_CUTOFFS
    ))];
    let mut cfa_all = Map::new();
    let mut inv_all = Map::new();
    for (inst, ds) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = r.chart(&format!("cfa-{}", inst.id));
        let chart_s = chart.display().to_string();
        match r.run(
            &format!("cfa {}", inst.id),
            &[
                "cfa",
                "--instrument",
                &inst.id,
                "--estimator",
                &est,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let fit = &v["fit"];
                let (level, word) = verdict::fit(
                    f(&fit["cfi"]),
                    f(&fit["tli"]),
                    f(&fit["rmsea"]),
                    f(&fit["srmr"]),
                );
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "χ²({}) = {:.1}, {}; CFI = {}, TLI = {}, RMSEA = {} {}, SRMR = {}: {word}.",
                        fit["df"],
                        f(&fit["chisq"]),
                        p_text(f(&fit["pvalue"])),
                        apa(f(&fit["cfi"]), 3, true),
                        apa(f(&fit["tli"]), 3, false),
                        apa(f(&fit["rmsea"]), 3, true),
                        ci_text(f(&fit["rmsea_ci"][0]), f(&fit["rmsea_ci"][1]), 3, true),
                        apa(f(&fit["srmr"]), 3, true)
                    ),
                ));
                let mut rows = Vec::new();
                // factors short of the cut-offs, by the verdict's level: AVE only (fair), or CR
                let mut low_ave = Vec::new();
                let mut low_cr = Vec::new();
                for x in v["validity"]["factors"].as_array().into_iter().flatten() {
                    let (cr, ave) = (f(&x["cr"]), f(&x["ave"]));
                    let (level, word) = verdict::convergent(cr, ave);
                    let name = sub_name(inst, &s(&x["factor"]));
                    match level {
                        Level::Fair => low_ave.push(format!("{name} ({})", apa(ave, 2, true))),
                        Level::Poor => low_cr.push(format!("{name} ({})", apa(cr, 2, true))),
                        _ => {}
                    }
                    rows.push(vec![
                        sub_name(inst, &s(&x["factor"])),
                        apa(cr, 2, true),
                        apa(ave, 2, true),
                        apa(f(&x["sqrt_ave"]), 2, true),
                        apa(f(&x["max_factor_correlation"]), 2, true),
                        if x["fornell_larcker"].as_bool() == Some(true) {
                            "yes"
                        } else {
                            "no"
                        }
                        .into(),
                        word.into(),
                    ]);
                }
                let htmt_bad: Vec<String> = v["validity"]["htmt"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|h| h["above_cutoff"].as_bool() == Some(true))
                    .map(|h| {
                        format!(
                            "{}–{} ({})",
                            sub_name(inst, &s(&h["factor1"])),
                            sub_name(inst, &s(&h["factor2"])),
                            apa(f(&h["htmt"]), 2, true)
                        )
                    })
                    .collect();
                if low_ave.is_empty() && low_cr.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Good,
                        "Every factor has composite reliability ≥ .70 and AVE ≥ .50.".into(),
                    ));
                }
                if !low_cr.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Poor,
                        format!(
                            "Composite reliability below .70 (CR in brackets): {}.",
                            low_cr.join(", ")
                        ),
                    ));
                }
                if !low_ave.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Fair,
                        format!(
                            "Reliable (CR ≥ .70), but the items share less than half their variance with their factor (AVE below .50, in brackets): {}.",
                            low_ave.join(", ")
                        ),
                    ));
                }
                blocks.push(if htmt_bad.is_empty() {
                    Block::Verdict(
                        Level::Good,
                        "Discriminant validity: every HTMT ratio is below .85.".into(),
                    )
                } else {
                    Block::Verdict(
                        Level::Poor,
                        format!("HTMT at or above .85: {}.", htmt_bad.join(", ")),
                    )
                });
                blocks.push(Block::Table(ApaTable {
                    title: format!("Construct validity of the {} factors", inst.title),
                    header: ["Factor", "CR", "AVE", "√AVE", "Max r", "Fornell–Larcker", "Verdict"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some("CR = composite reliability; AVE = average variance extracted; max r = the factor's largest correlation with another factor.".into()),
                }));
                for (path, caption) in [
                    (chart.clone(), "Standardised loadings with delta-method 95% intervals; grey lines at .50 and .70."),
                    (crate::cli::common::plot_path(&chart, "factors"), "Factor correlations (standardised)."),
                ] {
                    if let Some(svg) = r.svg_of(&path) {
                        blocks.push(Block::Figure { svg, caption: caption.into() });
                    }
                }
                cfa_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let Some(arena) = &ds.arena else {
            continue;
        };
        match r.run(
            &format!("invariance {}", inst.id),
            &[
                "cfa",
                "--instrument",
                &inst.id,
                "--estimator",
                &est,
                "--group",
                arena,
            ],
        ) {
            Ok(v) => {
                let inv = &v["invariance"];
                let steps = inv["steps"].as_array().cloned().unwrap_or_default();
                let mut reached = String::from("none");
                let mut broken = false;
                let mut rows = Vec::new();
                for st in &steps {
                    let model = s(&st["model"]);
                    let holds = st["holds"].as_bool();
                    broken |= holds == Some(false);
                    if !broken {
                        reached = model.clone();
                    }
                    rows.push(vec![
                        model,
                        format!("{:.1}", f(&st["chisq"])),
                        st["df"].to_string(),
                        apa(f(&st["cfi"]), 3, true),
                        apa(f(&st["rmsea"]), 3, true),
                        apa(f(&st["srmr"]), 3, true),
                        st["chisq_diff"]
                            .as_f64()
                            .map_or("–".into(), |x| format!("{x:.1}")),
                        st["df_diff"].as_u64().map_or("–".into(), |x| x.to_string()),
                        st["p_diff"].as_f64().map_or("–".into(), p_cell),
                        st["delta_cfi"]
                            .as_f64()
                            .map_or("–".into(), |x| apa(x, 3, true)),
                        st["delta_rmsea"]
                            .as_f64()
                            .map_or("–".into(), |x| apa(x, 3, true)),
                        match holds {
                            Some(true) => "holds".into(),
                            Some(false) => "does not hold".into(),
                            None => "–".into(),
                        },
                    ]);
                }
                let ngroups = inv["groups"].as_array().map_or(0, |g| g.len());
                let (level, text) = match reached.as_str() {
                    "scalar" => (Level::Good, format!("Scalar invariance holds across the {ngroups} arenas: subscale means can be compared between arenas.")),
                    "metric" => (Level::Fair, format!("Metric invariance holds across the {ngroups} arenas (loadings equal), scalar invariance does not: compare relations, not means, between arenas.")),
                    "configural" => (Level::Fair, format!("Only configural invariance holds across the {ngroups} arenas: the same structure, but loadings differ.")),
                    _ => (Level::Poor, "The structure differs between arenas.".into()),
                };
                blocks.push(Block::Verdict(level, text));
                blocks.push(Block::Table(ApaTable {
                    title: format!("Measurement invariance of {} across arenas", inst.title),
                    header: ["Model", "χ²", "df", "CFI", "RMSEA", "SRMR", "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA", "Step"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some("Each step adds equality constraints to the previous one: metric (loadings), scalar (loadings and intercepts).".into()),
                }));
                inv_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("cfa".into(), Value::Object(cfa_all));
    results.insert("invariance".into(), Value::Object(inv_all));
    Section {
        id: "cfa".into(),
        title: "Confirmatory factor analysis".into(),
        blocks,
    }
}
