//! `trustscale framework` as a library call: [`FrameworkRequest`] → [`FrameworkOutput`].
//!
//! Reads a study and finds, from the instruments' metadata, what each claim needs:
//! - the **competencies**: the subscales of the predictor instrument (the study's first
//!   `predictors` entry, else the first instrument of a dataset with a target column, as the
//!   report's prediction section), with their `trust` and `risks` claims;
//! - the **trust outcomes**: the first instrument of a dataset without a target with exactly
//!   one subscale `trust = "affective"`, one `trust = "cognitive"` and none `"both"`
//!   (group-trust);
//! - the **risks**: the first instrument of a dataset without a target whose every subscale
//!   names exactly one risk type in `risks`, each a different one, and no `trust`
//!   (collective-risk).
//!
//! Scores are those of `trustscale score` (mean of the answered items, reverse keys applied, at
//! least 80% answered). The competencies are averaged over each group's collaborators
//! (observer rows), the outcomes over the group's members, and each claim is tested on the
//! groups complete for it; claim 3 uses the collaborators' scores per leader (target). The
//! numerics are those of [`crate::framework`]. A claim the data cannot test is named in
//! `verdicts` as untestable, with the reason.

use super::{Outcome, Request};
use crate::error::{Error, Result, Warning, WarningCode};
use crate::framework::risks::RiskScale;
use crate::framework::{
    differential, risk_links, specialisation, Claim, ClaimVerdict, Competency, DifferentialResult,
    FrameworkOptions, LeaderRatings, RiskResult, SpecialisationResult, TrustClaim,
};
use crate::instrument::score::{score, ScoreMethod, ScoreOptions};
use crate::instrument::Instrument;
use crate::study::{DataRequest, Dataset, Study};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A `framework` run. [`Default`]: the options of [`FrameworkOptions::default`] (2000
/// bootstrap resamples, seed 1, 95% intervals, latent profiles VVI and EEE with 1–6 classes);
/// `study` must be set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrameworkRequest {
    /// The study file.
    pub study: PathBuf,
    /// The options.
    pub options: FrameworkOptions,
}

impl FrameworkRequest {
    /// The default run on a study.
    pub fn new(study: &Path) -> FrameworkRequest {
        FrameworkRequest {
            study: study.to_path_buf(),
            options: FrameworkOptions::default(),
        }
    }
}

/// What `framework` found: the claims' verdicts first, then each claim's numbers (`null`
/// where the claim could not be tested).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FrameworkOutput {
    /// The study's title.
    pub study: String,
    /// The instrument whose subscales are the competencies.
    pub predictor: String,
    /// The competencies with their claims.
    pub competencies: Vec<Competency>,
    /// The affective and cognitive trust outcomes (`INSTRUMENT:SUBSCALE`), if found.
    pub trust_outcomes: Option<[String; 2]>,
    /// The risk instrument, if found.
    pub risk_instrument: Option<String>,
    /// Groups with a competency score.
    pub n_groups: usize,
    /// Every claim's verdict, in claim order.
    pub verdicts: Vec<ClaimVerdict>,
    /// Claim 1.
    pub differential: Option<DifferentialResult>,
    /// Claim 2.
    pub risks: Option<RiskResult>,
    /// Claim 3.
    pub specialisation: Option<SpecialisationResult>,
    /// Notes and warnings.
    pub warnings: Vec<crate::error::Warning>,
}

impl Outcome for FrameworkOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.warnings.clone()
    }
}

impl Request for FrameworkRequest {
    type Output = FrameworkOutput;

    fn args(&self) -> Vec<String> {
        let d = FrameworkOptions::default();
        let mut a = vec!["framework".to_string()];
        if self.options.bootstrap != d.bootstrap {
            a.extend(["--bootstrap".into(), self.options.bootstrap.to_string()]);
        }
        if self.options.seed != d.seed {
            a.extend(["--seed".into(), self.options.seed.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        Some(&self.study)
    }

    fn run(&self) -> Result<FrameworkOutput> {
        self.options.validate()?;
        let study = Study::load(&self.study)?;
        let insts: Vec<(Instrument, Dataset)> = study
            .instruments()?
            .into_iter()
            .map(|(i, d)| (i, d.clone()))
            .collect();
        let predictor = match study.predictors.first() {
            Some(first) => insts
                .iter()
                .find(|(i, _)| study.lists(std::slice::from_ref(first), i)),
            None => insts.iter().find(|(_, d)| d.target.is_some()),
        };
        let Some((pred, pred_ds)) = predictor else {
            return Err(Error::option(
                "--study",
                format!(
                    "{}: no instrument is rated about a leader (a dataset with a target column), so there are no competencies to test",
                    self.study.display()
                ),
            ));
        };
        let competencies: Vec<Competency> = pred
            .subscales
            .iter()
            .map(|s| Competency {
                id: s.id.clone(),
                name: s.name.clone(),
                trust: s.trust.as_deref().and_then(TrustClaim::parse),
                risks: s.risks.clone(),
            })
            .collect();
        let outcome_insts: Vec<&(Instrument, Dataset)> = insts
            .iter()
            .filter(|(i, d)| d.target.is_none() && i.id != pred.id)
            .collect();
        let trust = outcome_insts.iter().find_map(|(i, d)| {
            let with = |k: &str| {
                i.subscales
                    .iter()
                    .filter(|s| s.trust.as_deref() == Some(k))
                    .map(|s| s.id.clone())
                    .collect::<Vec<_>>()
            };
            let (a, c) = (with("affective"), with("cognitive"));
            (a.len() == 1 && c.len() == 1 && with("both").is_empty())
                .then(|| (i, d, a[0].clone(), c[0].clone()))
        });
        let risk = outcome_insts.iter().find(|(i, _)| is_risk_instrument(i));
        let mut warnings = Vec::new();
        let score_opts = ScoreOptions {
            method: ScoreMethod::Mean,
            min_answered: 0.8,
        };
        // the competencies: per row, with group and leader
        let target = pred_ds.target.clone().unwrap_or_default();
        let pred_rows = scores(
            &self.study,
            pred,
            &pred_ds.group,
            Some(&target),
            &score_opts,
        )?;
        let x_means = group_means(&pred_rows);
        let n_groups = x_means.len();
        let opts = &self.options;
        let mut verdicts = Vec::new();
        let too_few = |e: &Error| match e {
            Error::TooFewRows { needed, got, .. } => {
                format!("only {got} complete groups or leaders, at least {needed} needed")
            }
            other => other.to_string(),
        };
        // claim 1
        let claimed1 = competencies.iter().any(|c| {
            matches!(
                c.trust,
                Some(TrustClaim::Affective) | Some(TrustClaim::Cognitive)
            )
        });
        let mut differential_result = None;
        let trust_outcomes = trust
            .as_ref()
            .map(|(i, _, a, c)| [format!("{}:{a}", i.id), format!("{}:{c}", i.id)]);
        let untestable1 = |reason: String| {
            ClaimVerdict::untestable(
                Claim::Differential,
                "trust",
                "Competencies differ in the kind of trust (affective or cognitive) they build",
                reason,
            )
        };
        match (&trust, claimed1) {
            (_, false) => verdicts.push(untestable1(format!(
                "no subscale of {} claims affective or cognitive trust (trust = \"affective\" or \"cognitive\")",
                pred.id
            ))),
            (None, true) => verdicts.push(untestable1(
                "the study has no members' instrument with an affective and a cognitive trust subscale (trust = \"affective\" and \"cognitive\", e.g. group-trust)".into(),
            )),
            (Some((inst, ds, a, c)), true) => {
                let rows = scores(&self.study, inst, &ds.group, None, &score_opts)?;
                let means = group_means(&rows);
                let ia = rows.subscales.iter().position(|s| s == a).unwrap_or(0);
                let ic = rows.subscales.iter().position(|s| s == c).unwrap_or(0);
                let (ids, x, y) = complete(&x_means, &means, &[ia, ic]);
                note_dropped(&mut warnings, "differential prediction", n_groups, ids.len());
                let ya: Vec<f64> = (0..ids.len()).map(|i| y[(i, 0)]).collect();
                let yc: Vec<f64> = (0..ids.len()).map(|i| y[(i, 1)]).collect();
                match differential(&x, &ya, &yc, &competencies, opts) {
                    Ok(r) => {
                        verdicts.extend(r.verdicts.iter().cloned());
                        differential_result = Some(r);
                    }
                    Err(e) => verdicts.push(untestable1(too_few(&e))),
                }
            }
        }
        // claim 2
        let mut risk_result = None;
        let untestable2 = |reason: String| {
            ClaimVerdict::untestable(
                Claim::Risks,
                "links",
                "Each competency helps groups manage particular risks",
                reason,
            )
        };
        match risk {
            None => verdicts.push(untestable2(
                "the study has no risk instrument (a members' instrument whose subscales name their risks, e.g. collective-risk)".into(),
            )),
            Some((inst, ds)) => {
                let rows = scores(&self.study, inst, &ds.group, None, &score_opts)?;
                let means = group_means(&rows);
                let all: Vec<usize> = (0..rows.subscales.len()).collect();
                let (ids, x, y) = complete(&x_means, &means, &all);
                note_dropped(&mut warnings, "competencies and risks", n_groups, ids.len());
                let scales: Vec<RiskScale> = inst
                    .subscales
                    .iter()
                    .map(|s| RiskScale {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        risks: s.risks.clone(),
                    })
                    .collect();
                match risk_links(&x, &y, &competencies, &scales, opts) {
                    Ok(r) => {
                        verdicts.extend(r.verdicts.iter().cloned());
                        risk_result = Some(r);
                    }
                    Err(e) => verdicts.push(untestable2(too_few(&e))),
                }
            }
        }
        // claim 3
        let mut spec_result = None;
        let untestable3 = |reason: String| {
            ClaimVerdict::untestable(
                Claim::Specialisation,
                "profiles",
                "Leaders specialise in different competencies",
                reason,
            )
        };
        if pred_ds.target.is_none() {
            verdicts.push(untestable3(format!(
                "the dataset of {} has no target (leader) column",
                pred.id
            )));
        } else {
            let ratings = leader_ratings(&pred_rows);
            let dropped =
                pred_rows.values.len() - ratings.ratings.iter().map(|m| m.nrows()).sum::<usize>();
            if dropped > 0 {
                warnings.push(Warning::new(
                    WarningCode::Listwise,
                    format!(
                        "specialisation: {dropped} collaborators' ratings without a score on every {} subscale left out",
                        pred.id
                    ),
                ));
            }
            match specialisation(&ratings, opts) {
                Ok(r) => {
                    verdicts.extend(r.verdicts.iter().cloned());
                    warnings.extend(r.profiles.warnings.iter().cloned());
                    spec_result = Some(r);
                }
                Err(e) => verdicts.push(untestable3(too_few(&e))),
            }
        }
        Ok(FrameworkOutput {
            study: study.title.clone(),
            predictor: pred.id.clone(),
            competencies,
            trust_outcomes,
            risk_instrument: risk.map(|(i, _)| i.id.clone()),
            n_groups,
            verdicts,
            differential: differential_result,
            risks: risk_result,
            specialisation: spec_result,
            warnings,
        })
    }
}

/// A risk instrument: every subscale measures one risk type, each a different one, and none
/// claims a kind of trust (collective-risk; not group-self-assessment, whose subscales are
/// competencies that name the risks they help manage).
fn is_risk_instrument(inst: &Instrument) -> bool {
    let mut types: Vec<&String> = inst.subscales.iter().flat_map(|s| &s.risks).collect();
    let n = types.len();
    types.sort();
    types.dedup();
    !inst.subscales.is_empty()
        && inst
            .subscales
            .iter()
            .all(|s| s.risks.len() == 1 && s.trust.is_none())
        && types.len() == n
}

/// Subscale scores per row of an instrument's dataset, with each row's group and leader.
struct RowScores {
    subscales: Vec<String>,
    /// Per row: a score per subscale (`NaN` = missing).
    values: Vec<Vec<f64>>,
    groups: Vec<String>,
    leaders: Vec<String>,
}

fn scores(
    study: &Path,
    inst: &Instrument,
    group: &str,
    target: Option<&str>,
    opts: &ScoreOptions,
) -> Result<RowScores> {
    let mut text = vec![group.to_string()];
    if let Some(t) = target {
        text.push(t.to_string());
    }
    let loaded = DataRequest::study_instrument(study, &inst.id).load_with(&text)?;
    let n = loaded.scales.first().map_or(0, |s| s.data.n());
    let mut values = vec![Vec::with_capacity(loaded.scales.len()); n];
    let mut subscales = Vec::new();
    for sc in &loaded.scales {
        let groups = vec![(sc.name.clone(), (0..sc.data.k()).collect::<Vec<_>>())];
        let s = score(&sc.data, &groups, opts)?;
        for (row, v) in values.iter_mut().zip(&s.values) {
            row.push(v.unwrap_or(f64::NAN));
        }
        subscales.push(sc.name.clone());
    }
    let col = |i: usize| -> Vec<String> {
        loaded
            .texts
            .get(i)
            .map(|c| c.iter().map(|s| s.trim().to_string()).collect())
            .unwrap_or_else(|| vec![String::new(); n])
    };
    Ok(RowScores {
        subscales,
        values,
        groups: col(0),
        leaders: if target.is_some() {
            col(1)
        } else {
            vec![String::new(); n]
        },
    })
}

/// Per group (sorted by id), the mean of each subscale's scores over the rows that have one
/// (`NaN` where none has).
fn group_means(rows: &RowScores) -> BTreeMap<String, Vec<f64>> {
    let k = rows.subscales.len();
    let mut acc: BTreeMap<String, (Vec<f64>, Vec<usize>)> = BTreeMap::new();
    for (v, g) in rows.values.iter().zip(&rows.groups) {
        if g.is_empty() {
            continue;
        }
        let e = acc
            .entry(g.clone())
            .or_insert_with(|| (vec![0.0; k], vec![0; k]));
        for (j, x) in v.iter().enumerate().take(k) {
            if x.is_finite() {
                e.0[j] += x;
                e.1[j] += 1;
            }
        }
    }
    acc.into_iter()
        .map(|(g, (s, c))| {
            let m = s
                .iter()
                .zip(&c)
                .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
                .collect();
            (g, m)
        })
        .collect()
}

/// The groups complete on every competency and on the outcome columns `cols`: ids, the
/// competencies (`n x p`) and the outcomes (`n x cols`).
fn complete(
    x: &BTreeMap<String, Vec<f64>>,
    y: &BTreeMap<String, Vec<f64>>,
    cols: &[usize],
) -> (Vec<String>, DMatrix<f64>, DMatrix<f64>) {
    let mut ids = Vec::new();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for (g, xv) in x {
        let Some(yv) = y.get(g) else { continue };
        let yv: Vec<f64> = cols.iter().map(|&j| yv[j]).collect();
        if xv.iter().chain(&yv).all(|v| v.is_finite()) {
            ids.push(g.clone());
            xs.extend_from_slice(xv);
            ys.extend(yv);
        }
    }
    let n = ids.len();
    let p = x.values().next().map_or(0, Vec::len);
    (
        ids,
        DMatrix::from_row_slice(n, p, &xs),
        DMatrix::from_row_slice(n, cols.len(), &ys),
    )
}

fn note_dropped(warnings: &mut Vec<Warning>, what: &str, all: usize, used: usize) {
    if used < all {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!(
                "{what}: {} of {all} groups without every competency and outcome score left out",
                all - used
            ),
        ));
    }
}

/// The collaborators' ratings per leader (sorted by id), rows with every subscale score.
fn leader_ratings(rows: &RowScores) -> LeaderRatings {
    let mut by: BTreeMap<String, Vec<&Vec<f64>>> = BTreeMap::new();
    for (v, l) in rows.values.iter().zip(&rows.leaders) {
        if l.is_empty() || !v.iter().all(|x| x.is_finite()) {
            continue;
        }
        by.entry(l.clone()).or_default().push(v);
    }
    let k = rows.subscales.len();
    let (leaders, ratings) = by
        .into_iter()
        .map(|(l, rs)| {
            let flat: Vec<f64> = rs.iter().flat_map(|r| r.iter().copied()).collect();
            (l, DMatrix::from_row_slice(rs.len(), k, &flat))
        })
        .unzip();
    LeaderRatings {
        leaders,
        subscales: rows.subscales.clone(),
        ratings,
    }
}
