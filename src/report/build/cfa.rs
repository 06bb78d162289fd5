//! Confirmatory factor analysis, construct validity and invariance across arenas.

use super::{nan, p_cell, sub_name, Plan, Runner};
use crate::analysis::cfa::{CfaOutput, CfaRequest};
use crate::cfa::choice::{choose, EstimatorChoice};
use crate::cfa::{Estimator, MissingData, Ordered};
use crate::render::format::apa;
use crate::render::format::{ci_text, p_text};
use crate::report::verdict::Level;
use crate::report::{verdict, ApaTable, Block, Section};
use crate::study::DataRequest;
use serde_json::{Map, Value};

pub(super) fn cfa_section(
    r: &mut Runner,
    plan: &Plan,
    estimator: Option<Estimator>,
    results: &mut Map<String, Value>,
) -> Section {
    let how = match estimator {
        None => "the estimator chosen from each instrument's answers, with the other estimator's fit as a sensitivity check".to_string(),
        Some(e) => format!("{} for every instrument, as asked", e.as_str().to_uppercase()),
    };
    let mut blocks = vec![Block::Para(format!(
        "Confirmatory factor analysis of each instrument's intended structure (one factor per subscale; {}). Fit cut-offs: {}. Construct validity: composite reliability ≥ .70 and AVE ≥ .50 (convergent), √AVE above the factor's correlations (Fornell–Larcker) and HTMT below .85 (discriminant). Measurement invariance across arenas: a step holds when CFI drops by at most .010 and RMSEA rises by at most .015 (Chen, 2007).",
        how,
        verdict::FIT_CUTOFFS
    ))];
    let mut cfa_all = Map::new();
    let mut inv_all = Map::new();
    let mut choice_all = Map::new();
    let mut sens_all = Map::new();
    for (inst, ds) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = format!("cfa-{}", inst.id);
        let data = DataRequest::study_instrument(&r.study_path, &inst.id);
        let choice = data.load().ok().map(|l| choose(&l.merged().0));
        let fit_how = how_to_fit(estimator, choice.as_ref());
        blocks.push(Block::Para(fit_how.reason.clone()));
        if let Some(c) = &choice {
            if let Ok(v) = serde_json::to_value(c) {
                choice_all.insert(inst.id.clone(), v);
            }
        }
        let req = fit_how.request(&data, fit_how.estimator);
        let stage = format!("cfa {}", inst.id);
        match r.run(&stage, &req, Some(&chart), None) {
            Ok(out) => {
                let v = &out.result;
                let fit = &v.fit;
                let (level, word) =
                    verdict::fit(nan(fit.cfi), nan(fit.tli), nan(fit.rmsea), nan(fit.srmr));
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "χ²({}) = {:.1}, {}; CFI = {}, TLI = {}, RMSEA = {} {}, SRMR = {}: {word}.",
                        fit.df,
                        nan(fit.chisq),
                        p_text(nan(fit.pvalue)),
                        apa(nan(fit.cfi), 3, true),
                        apa(nan(fit.tli), 3, false),
                        apa(nan(fit.rmsea), 3, true),
                        ci_text(
                            nan(fit.rmsea_ci.map(|c| c[0])),
                            nan(fit.rmsea_ci.map(|c| c[1])),
                            3,
                            true
                        ),
                        apa(nan(fit.srmr), 3, true)
                    ),
                ));
                let alt_req = fit_how.request(&data, fit_how.alternative);
                match r.run(&format!("sensitivity {}", inst.id), &alt_req, None, None) {
                    Ok(alt) => {
                        blocks.push(Block::Para(sensitivity_line(
                            (&out, &fit_name(&req)),
                            (&alt, &fit_name(&alt_req)),
                        )));
                        sens_all.insert(inst.id.clone(), r.json(&alt));
                    }
                    Err(e) => blocks.push(Block::Warning(e)),
                }
                blocks.push(r.last_command());
                let mut rows = Vec::new();
                // factors short of the cut-offs, by the verdict's level: AVE only (fair), or CR
                let mut low_ave = Vec::new();
                let mut low_cr = Vec::new();
                let validity = v.validity.as_ref();
                for x in validity.map(|va| va.factors.as_slice()).unwrap_or_default() {
                    let (cr, ave) = (nan(x.cr), nan(x.ave));
                    let (level, word) = verdict::convergent(cr, ave);
                    let name = sub_name(inst, &x.factor);
                    match level {
                        Level::Fair => low_ave.push(format!("{name} ({})", apa(ave, 2, true))),
                        Level::Poor => low_cr.push(format!("{name} ({})", apa(cr, 2, true))),
                        _ => {}
                    }
                    rows.push(vec![
                        sub_name(inst, &x.factor),
                        apa(cr, 2, true),
                        apa(ave, 2, true),
                        apa(nan(x.sqrt_ave), 2, true),
                        apa(nan(x.max_factor_correlation), 2, true),
                        if x.fornell_larcker == Some(true) {
                            "yes"
                        } else {
                            "no"
                        }
                        .into(),
                        word.into(),
                    ]);
                }
                let htmt_bad: Vec<String> = validity
                    .map(|va| va.htmt.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .filter(|h| h.above_cutoff == Some(true))
                    .map(|h| {
                        format!(
                            "{}–{} ({})",
                            sub_name(inst, &h.factor1),
                            sub_name(inst, &h.factor2),
                            apa(nan(h.htmt), 2, true)
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
                for (suffix, svg) in r.charts(&stage, &chart, &out) {
                    let caption = match suffix.as_deref() {
                        None => "Standardised loadings with delta-method 95% intervals; grey lines at .50 and .70.",
                        Some(_) => "Factor correlations (standardised).",
                    };
                    blocks.push(Block::Figure {
                        svg,
                        caption: caption.into(),
                    });
                }
                cfa_all.insert(inst.id.clone(), r.json(&out));
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let Some(arena) = &ds.arena else {
            continue;
        };
        let req = CfaRequest {
            group: Some(arena.clone()),
            ..fit_how.request(&data, fit_how.estimator)
        };
        match r.run(&format!("invariance {}", inst.id), &req, None, None) {
            Ok(out) => {
                let inv = out.invariance.as_ref();
                let steps = inv.map(|i| i.steps.as_slice()).unwrap_or_default();
                let mut reached = String::from("none");
                let mut broken = false;
                let mut rows = Vec::new();
                for st in steps {
                    let model = st.model.clone();
                    let holds = st.holds;
                    broken |= holds == Some(false);
                    if !broken {
                        reached = model.clone();
                    }
                    rows.push(vec![
                        model,
                        format!("{:.1}", st.chisq),
                        st.df.to_string(),
                        apa(nan(st.cfi), 3, true),
                        apa(nan(st.rmsea), 3, true),
                        apa(nan(st.srmr), 3, true),
                        st.chisq_diff.map_or("–".into(), |x| format!("{x:.1}")),
                        st.df_diff.map_or("–".into(), |x| x.to_string()),
                        st.p_diff.map_or("–".into(), p_cell),
                        st.delta_cfi.map_or("–".into(), |x| apa(x, 3, true)),
                        st.delta_rmsea.map_or("–".into(), |x| apa(x, 3, true)),
                        match holds {
                            Some(true) => "holds".into(),
                            Some(false) => "does not hold".into(),
                            None => "–".into(),
                        },
                    ]);
                }
                let ngroups = inv.map_or(0, |i| i.groups.len());
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
                inv_all.insert(inst.id.clone(), r.json(&out));
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("cfa_estimator".into(), Value::Object(choice_all));
    results.insert("cfa".into(), Value::Object(cfa_all));
    results.insert("cfa_sensitivity".into(), Value::Object(sens_all));
    results.insert("invariance".into(), Value::Object(inv_all));
    Section {
        id: "cfa".into(),
        title: "Confirmatory factor analysis".into(),
        blocks,
    }
}

/// How one instrument is fitted: the estimator, the sensitivity check's estimator and the reason
/// in words. The rest follows from the estimator: a least-squares one fits the items as ordered
/// (rows with missing answers listwise), a likelihood one as continuous (FIML when answers are
/// missing).
struct HowToFit {
    estimator: Estimator,
    alternative: Estimator,
    reason: String,
    /// Whether any answer is missing (a likelihood fit then uses FIML).
    any_missing: bool,
}

impl HowToFit {
    /// The CFA request for `estimator` (ordered items with a least-squares one; FIML with a
    /// likelihood one when answers are missing).
    fn request(&self, data: &DataRequest, estimator: Estimator) -> CfaRequest {
        CfaRequest {
            data: data.clone(),
            estimator: Some(estimator),
            ordered: if estimator.is_least_squares() {
                Ordered::All
            } else {
                Ordered::None
            },
            missing_data: (!estimator.is_least_squares() && self.any_missing)
                .then_some(MissingData::Fiml),
            ..CfaRequest::default()
        }
    }
}

/// The estimator asked for, or chosen from the answers ([`choose`]).
fn how_to_fit(asked: Option<Estimator>, choice: Option<&EstimatorChoice>) -> HowToFit {
    let missing_any = choice.is_some_and(|c| c.missing_share > 0.0);
    match (asked, choice) {
        (None, Some(c)) => HowToFit {
            estimator: c.estimator,
            alternative: c.alternative,
            reason: format!("Estimator: {}", c.reason),
            any_missing: missing_any,
        },
        (asked, _) => {
            let e = asked.unwrap_or(Estimator::Mlr);
            let ordered = e.is_least_squares();
            let mut reason = format!(
                "Estimator: {}{}",
                e.as_str().to_uppercase(),
                if asked.is_some() {
                    " for every instrument, as asked (--estimator)."
                } else {
                    " (the answers could not be read to choose one)."
                }
            );
            if let Some(c) = choice.filter(|_| missing_any) {
                reason.push_str(&format!(
                    " {:.1}% of the answers are missing: {}.",
                    100.0 * c.missing_share,
                    if !ordered {
                        "full-information maximum likelihood uses every answer given"
                    } else {
                        "incomplete rows are left out (listwise)"
                    }
                ));
            }
            HowToFit {
                estimator: e,
                alternative: if ordered {
                    Estimator::Mlr
                } else {
                    Estimator::Wlsmv
                },
                reason,
                any_missing: missing_any,
            }
        }
    }
}

/// What a fit is called in words: `MLR with FIML`, `WLSMV`.
fn fit_name(req: &CfaRequest) -> String {
    let e = req.estimator.unwrap_or_default().as_str().to_uppercase();
    if req.missing_data == Some(MissingData::Fiml) {
        format!("{e} with FIML")
    } else {
        e
    }
}

/// One line comparing the key fit indices of the chosen fit with the sensitivity fit.
fn sensitivity_line(
    (main, main_name): (&CfaOutput, &str),
    (alt, alt_name): (&CfaOutput, &str),
) -> String {
    let idx = |o: &CfaOutput| {
        let f = &o.result.fit;
        format!(
            "CFI = {}, RMSEA = {}, SRMR = {}",
            apa(nan(f.cfi), 3, true),
            apa(nan(f.rmsea), 3, true),
            apa(nan(f.srmr), 3, true)
        )
    };
    let (cm, ca) = (nan(main.result.fit.cfi), nan(alt.result.fit.cfi));
    let agree = if cm.is_finite() && ca.is_finite() {
        let (vm, _) = verdict::fit(
            cm,
            nan(main.result.fit.tli),
            nan(main.result.fit.rmsea),
            nan(main.result.fit.srmr),
        );
        let (va, _) = verdict::fit(
            ca,
            nan(alt.result.fit.tli),
            nan(alt.result.fit.rmsea),
            nan(alt.result.fit.srmr),
        );
        if vm == va {
            "the verdict is the same"
        } else {
            "the verdict differs: read the fit with care"
        }
    } else {
        "the indices could not be compared"
    };
    format!(
        "Sensitivity check: {alt_name} gives {} ({main_name}: {}); {agree}.",
        idx(alt),
        idx(main)
    )
}
