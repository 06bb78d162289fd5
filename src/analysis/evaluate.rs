//! `trustscale evaluate` as a library call: [`EvaluateRequest`] → [`EvaluateOutput`].
//!
//! The study's `[evaluation]` table names the waves and arms; every dataset with `wave` and
//! `condition` columns is read, and every instrument of it (or the one asked for) is scored per
//! row and subscale: a row's scale score is the mean of its **answered** items (reverse keys
//! applied, no minimum share answered). Each row then belongs to a source:
//!
//! - a dataset with a `target` column: rows of the `self` form are the leader's self-ratings
//!   (unit: the target); every other row is a collaborator's rating of the target (unit: the
//!   target). The form comes from the `form` column, else `form_value`, else a row whose
//!   respondent is its target is a self-rating;
//! - a dataset without a target: members' ratings of their group (unit: the group).
//!
//! Rows of waves other than the baseline and the follow-up are left out. The statistics are
//! [`crate::evaluate`]'s; the design is checked first as `study check` does
//! ([`crate::study::check`]: declared waves and arms, one arm and one cohort per unit).

use super::{Outcome, Request};
use crate::data::{CsvSource, ItemData, ReadOptions};
use crate::error::{Error, Location, Result, Warning};
use crate::evaluate::{
    evaluate_source, gap::self_other_gap, Design, Rating, SelfOtherGap, Source, SourceData,
    SourceEvaluation, Wave, WaveInvariance, WaveItems,
};
use crate::study::{check, Study};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// An `evaluate` run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluateRequest {
    /// The study file (it must have an `[evaluation]` table).
    pub study: PathBuf,
    /// Only this instrument (an id or an entry of a dataset's `instruments`).
    pub instrument: Option<String>,
}

/// One scale of one source.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScaleEvaluation {
    /// Instrument id.
    pub instrument: String,
    /// Subscale id.
    pub scale: String,
    /// The statistics (source, attrition, within, effect, reliable_change, warnings, ...).
    #[serde(flatten)]
    pub result: SourceEvaluation,
    /// Measurement invariance across the waves (configural, metric, scalar): a longitudinal
    /// CFA for the self-ratings, multi-group across waves for collaborators and members; null
    /// when it could not be fitted (a warning says why).
    pub invariance: Option<WaveInvariance>,
}

/// What `evaluate` prints.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EvaluateOutput {
    /// Waves and arms compared.
    pub design: Design,
    /// One entry per instrument, subscale and source (instrument order, then subscale, then
    /// self, collaborators, members).
    pub scales: Vec<ScaleEvaluation>,
    /// The self-other gap of every subscale with both self-ratings and collaborators' ratings.
    pub self_other_gap: Vec<SelfOtherGap>,
}

impl Outcome for EvaluateOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.scales
            .iter()
            .flat_map(|s| {
                s.result.warnings.iter().map(move |w| {
                    Warning::new(
                        w.code,
                        format!(
                            "{} {} ({}): {}",
                            s.instrument,
                            s.scale,
                            s.result.source.name(),
                            w.message
                        ),
                    )
                })
            })
            .collect()
    }
}

impl Request for EvaluateRequest {
    type Output = EvaluateOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["evaluate".to_string()];
        if let Some(i) = &self.instrument {
            a.push("--instrument".into());
            a.push(i.clone());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        Some(&self.study)
    }

    fn run(&self) -> Result<EvaluateOutput> {
        let study = Study::load(&self.study)?;
        let Some(ev) = study.evaluation.clone() else {
            return Err(Error::option(
                "--study",
                format!(
                    "{} has no [evaluation] table (waves, baseline, followup, program)",
                    self.study.display()
                ),
            ));
        };
        check(&study)?;
        let design = Design {
            baseline: ev.baseline().to_string(),
            followup: ev.followup().to_string(),
            program: ev.program.clone(),
            comparison: ev.comparison.clone(),
        };
        let wanted = match &self.instrument {
            Some(name) => Some(study.instrument(name)?),
            None => None,
        };
        let mut scales = Vec::new();
        let mut gaps = Vec::new();
        let mut found = false;
        for ds in study.datasets.iter().filter(|d| d.wave.is_some()) {
            for entry in &ds.instruments {
                let inst = study.load_instrument(entry)?;
                if let Some(w) = &wanted {
                    if w.id != inst.id {
                        continue;
                    }
                }
                found = true;
                let per_scale = read_sources(&study, ds, &inst, &design)?;
                for (scale, sources) in per_scale {
                    let mut done: Vec<SourceEvaluation> = Vec::new();
                    for data in &sources {
                        done.push(evaluate_source(&design, data)?);
                    }
                    let find = |s: Source| done.iter().find(|e| e.source == s);
                    if let (Some(a), Some(b)) =
                        (find(Source::SelfRating), find(Source::Collaborators))
                    {
                        gaps.push(self_other_gap(
                            &inst.id,
                            &scale,
                            &a.units,
                            &b.units,
                            &design.arms(),
                        ));
                    }
                    scales.extend(done.into_iter().map(|result| ScaleEvaluation {
                        instrument: inst.id.clone(),
                        scale: scale.clone(),
                        invariance: result.invariance.clone(),
                        result,
                    }));
                }
            }
        }
        if !found {
            return Err(Error::option(
                "--instrument",
                format!(
                    "no dataset of {} with a wave column holds {}",
                    self.study.display(),
                    self.instrument.as_deref().unwrap_or("an instrument")
                ),
            ));
        }
        Ok(EvaluateOutput {
            design,
            scales,
            self_other_gap: gaps,
        })
    }
}

/// A row's source, unit, wave, arm index and cohort.
type RowMeta = (Source, String, Wave, usize, Option<String>);

/// Reads one instrument of one dataset: per subscale, its sources' ratings.
#[allow(clippy::needless_range_loop)] // one index runs over several text columns
fn read_sources(
    study: &Study,
    ds: &crate::study::Dataset,
    inst: &crate::instrument::Instrument,
    design: &Design,
) -> Result<Vec<(String, Vec<SourceData>)>> {
    let path = study.path_of(ds);
    let at = Location::file(Some(path.clone()));
    let src = CsvSource::open(&path, &ReadOptions::default())?;
    let header = src.names().to_vec();
    let sels = inst.selections(None, &header, &at)?;
    let mut union: Vec<usize> = Vec::new();
    let mut reqs = Vec::new();
    for (_, sel) in &sels {
        for r in sel.requests() {
            if !union.contains(&r.index) {
                union.push(r.index);
                reqs.push(r);
            }
        }
    }
    let mut names = vec![ds.respondent.clone(), ds.group.clone()];
    let role = |c: &Option<String>, names: &mut Vec<String>| {
        c.as_ref().map(|c| {
            names.push(c.clone());
            names.len() - 1
        })
    };
    let target = role(&ds.target, &mut names);
    let form = role(&ds.form, &mut names);
    let wave = role(&ds.wave, &mut names);
    let cond = role(&ds.condition, &mut names);
    let cohort = role(&ds.cohort, &mut names);
    let text_cols = crate::data::ItemSpec(names.clone()).resolve(&header, &at)?;
    let (all, texts) = src.read_text(&reqs, &text_cols)?;
    let n = all.n();
    // each row's source, unit, wave and arm (None: a wave not compared)
    let arms = design.arms();
    let mut meta: Vec<Option<RowMeta>> = Vec::with_capacity(n);
    for i in 0..n {
        let w = wave.map(|c| texts[c][i].as_str()).unwrap_or_default();
        let w = if w == design.baseline {
            Wave::Baseline
        } else if w == design.followup {
            Wave::Followup
        } else {
            meta.push(None);
            continue;
        };
        let c = cond.map(|c| texts[c][i].as_str()).unwrap_or_default();
        let Some(arm) = arms.iter().position(|a| a == c) else {
            meta.push(None);
            continue;
        };
        let (source, unit) = match target {
            Some(t) => {
                let is_self = match (form, &ds.form_value) {
                    (Some(f), _) => texts[f][i] == "self",
                    (None, Some(v)) => v == "self",
                    (None, None) => texts[0][i] == texts[t][i],
                };
                let s = if is_self {
                    Source::SelfRating
                } else {
                    Source::Collaborators
                };
                (s, texts[t][i].clone())
            }
            None => (Source::Members, texts[1][i].clone()),
        };
        meta.push(Some((
            source,
            unit,
            w,
            arm,
            cohort.map(|c| texts[c][i].clone()),
        )));
    }
    let mut out = Vec::new();
    for (scale, sel) in &sels {
        let pos: Vec<usize> = sel
            .columns
            .iter()
            .filter_map(|c| union.iter().position(|u| u == c))
            .collect();
        let mut data = all.columns(&pos);
        sel.apply_reverse(&mut data);
        let k = data.k();
        let mut sources = Vec::new();
        for source in [Source::SelfRating, Source::Collaborators, Source::Members] {
            let mut ratings = Vec::new();
            let mut base_values = Vec::new();
            let mut base_rows = Vec::new();
            let mut all_values = Vec::new();
            let mut all_rows = Vec::new();
            let mut all_units = Vec::new();
            let mut all_waves = Vec::new();
            for (i, m) in meta.iter().enumerate() {
                let Some((s, unit, w, arm, cohort)) = m else {
                    continue;
                };
                if *s != source {
                    continue;
                }
                let row = data.row(i);
                let answered: Vec<f64> = row.iter().copied().filter(|v| !v.is_nan()).collect();
                if answered.is_empty() {
                    continue;
                }
                if *w == Wave::Baseline {
                    base_values.extend_from_slice(row);
                    base_rows.push(data.rows[i]);
                }
                all_values.extend_from_slice(row);
                all_rows.push(data.rows[i]);
                all_units.push(unit.clone());
                all_waves.push(*w);
                ratings.push(Rating {
                    unit: unit.clone(),
                    wave: *w,
                    arm: *arm,
                    cohort: cohort.clone(),
                    score: answered.iter().sum::<f64>() / answered.len() as f64,
                });
            }
            if ratings.is_empty() {
                continue;
            }
            let baseline_items = (source == Source::SelfRating && k >= 2).then(|| ItemData {
                file: data.file.clone(),
                names: data.names.clone(),
                values: base_values,
                rows: base_rows,
                ids: None,
            });
            let items = WaveItems {
                data: ItemData {
                    file: data.file.clone(),
                    names: data.names.clone(),
                    values: all_values,
                    rows: all_rows,
                    ids: None,
                },
                units: all_units,
                waves: all_waves,
            };
            sources.push(SourceData {
                source,
                ratings,
                baseline_items,
                clustered: ds.cohort.is_some(),
                items: Some(items),
            });
        }
        out.push((scale.clone(), sources));
    }
    Ok(out)
}
