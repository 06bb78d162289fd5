//! `cfa`: confirmatory factor analysis / SEM of a model in lavaan syntax (or an instrument's
//! one-factor-per-subscale model), with construct validity, modification indices and, across the
//! groups of a column, measurement invariance.

use super::{Outcome, Request};
use crate::cfa::instrument::{factor_labels, instrument_model};
use crate::cfa::invariance::{invariance, InvarianceOptions, InvarianceResult};
use crate::cfa::{
    cfa, cfa_groups, partable, syntax, CfaOptions, CfaResult, Estimator, MissingData, Ordered,
    Parameterization,
};
use crate::error::{Error, Result, Warning};
use crate::instrument::Instrument;
use crate::study::DataRequest;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where the model comes from (without one, the instrument's model: one factor per subscale).
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// A file in lavaan syntax (`--model FILE`).
    File(PathBuf),
    /// Model syntax held in memory; it has no command-line form, so [`Request::args`] leaves it
    /// out (as it leaves out in-memory data).
    Syntax(String),
}

/// A CFA request: the data (`--instrument`, `--scale`, `--form`, `--study`, reverse keys; the
/// items come from the model) and the options of `trustscale cfa`.
///
/// `Default` is the CLI's default, which is lavaan 0.6.14's `cfa()` default: ML, modification
/// indices off, Chen's (2007) invariance cut-offs ΔCFI ≤ .010 and ΔRMSEA ≤ .015.
#[derive(Debug, Clone, PartialEq)]
pub struct CfaRequest {
    /// The data; `items` must be unset (the items are the model's observed variables).
    pub data: DataRequest,
    /// The model; `None` takes the instrument's model ([`instrument_model`]).
    pub model: Option<ModelSource>,
    /// The estimator; `None` is ML, or WLSMV with ordered items (`--estimator` is printed
    /// whenever it is set, as the report passes it).
    pub estimator: Option<Estimator>,
    /// Ordered-categorical indicators (`--ordered all|ITEM,...`).
    pub ordered: Ordered,
    /// Scaling of ordered indicators; `None` is delta.
    pub parameterization: Option<Parameterization>,
    /// Missing answers; `None` is listwise deletion.
    pub missing_data: Option<MissingData>,
    /// Compute modification indices (largest first).
    pub mi: bool,
    /// Keep only modification indices at least this large.
    pub mi_min: f64,
    /// Measurement invariance across the groups of this column (configural, metric, scalar).
    pub group: Option<String>,
    /// Largest acceptable drop in CFI for an invariance step.
    pub delta_cfi: f64,
    /// Largest acceptable rise in RMSEA for an invariance step.
    pub delta_rmsea: f64,
}

impl Default for CfaRequest {
    fn default() -> Self {
        let cut = InvarianceOptions::default();
        CfaRequest {
            data: DataRequest::default(),
            model: None,
            estimator: None,
            ordered: Ordered::None,
            parameterization: None,
            missing_data: None,
            mi: false,
            mi_min: 0.0,
            group: None,
            delta_cfi: cut.delta_cfi,
            delta_rmsea: cut.delta_rmsea,
        }
    }
}

/// The model a request fits, as text.
#[derive(Debug, Clone)]
pub struct CfaModel {
    /// lavaan syntax (what `--print-model` prints).
    pub syntax: String,
    /// What messages and chart titles call it: the model file, or `instrument ID`.
    pub name: String,
    /// The instrument named by the request, if any.
    pub instrument: Option<Instrument>,
}

/// What `trustscale cfa` produces: the fit (of the configural model with a group column), and
/// the invariance sequence with a group column.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CfaOutput {
    /// The fitted model; with `group`, the configural model carrying the warnings of all three
    /// invariance fits.
    #[serde(flatten)]
    pub result: CfaResult,
    /// Measurement invariance, with `group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invariance: Option<InvarianceResult>,
    /// The observed items' wording (the instrument's text for the form, else the data
    /// file's variable label), for the items that have one; absent when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_text: Vec<super::ItemText>,
    /// What chart titles call the model: the model file, or `instrument ID`.
    #[serde(skip)]
    pub model_name: String,
    /// Display names of factors, `(factor, subscale name)`, when an instrument was named.
    #[serde(skip)]
    pub factor_labels: Vec<(String, String)>,
}

impl CfaOutput {
    /// A factor's display name: its subscale's name for an instrument's factor, else the factor.
    pub fn factor_label(&self, factor: &str) -> String {
        self.factor_labels
            .iter()
            .find(|(f, _)| f == factor)
            .map_or_else(|| factor.to_string(), |(_, name)| name.clone())
    }
}

impl Outcome for CfaOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.result.warnings.clone()
    }
}

impl CfaRequest {
    /// The model to fit: the model file's text, or the instrument's model (of `--scale` only,
    /// when given).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when items are named by hand or neither a model nor an
    /// instrument is given; [`Error::Io`] when the model file cannot be read; instrument errors.
    pub fn model(&self) -> Result<CfaModel> {
        if self.data.items.is_some() {
            return Err(Error::option(
                "--items",
                "cfa takes its items from the model (--model) or the instrument (--instrument)",
            ));
        }
        let instrument = self.data.instrument()?;
        let (syntax, name) =
            match (&self.model, &instrument) {
                (Some(ModelSource::File(path)), _) => (
                    crate::error::limits::read_text(path)?,
                    path.display().to_string(),
                ),
                (Some(ModelSource::Syntax(text)), _) => (text.clone(), "model".to_string()),
                (None, Some(inst)) => (
                    instrument_model(inst, self.data.scale.as_deref())?,
                    format!("instrument {}", inst.id),
                ),
                (None, None) => return Err(Error::option(
                    "--model",
                    "give a model file (--model model.txt) or an instrument (--instrument tblc)",
                )),
            };
        Ok(CfaModel {
            syntax,
            name,
            instrument,
        })
    }

    /// The invariance cut-offs.
    fn cutoffs(&self) -> InvarianceOptions {
        InvarianceOptions {
            delta_cfi: self.delta_cfi,
            delta_rmsea: self.delta_rmsea,
        }
    }
}

/// Refuses a model with more free parameters than sample moments (negative degrees of
/// freedom): it cannot be identified, and a fit would print a chi-square on negative df.
///
/// # Formula
/// $df = p(p+1)/2 - q$ for $p$ observed variables and $q$ free parameters (lavaan's count,
/// [`partable::ParTable::df`]); the same sign holds for ordered items, FIML and several groups.
fn check_identified(pt: &partable::ParTable, model: &str) -> Result<()> {
    let df = pt.df();
    if df < 0 {
        return Err(Error::option(
            "--model",
            format!(
                "{model}: {} free parameters but only {} sample moments from {} observed variables (df = {df}); the model is not identified: add indicators or fix parameters",
                pt.nfree,
                pt.ndat(),
                pt.p()
            ),
        ));
    }
    Ok(())
}

impl Request for CfaRequest {
    type Output = CfaOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["cfa".to_string()];
        a.extend(self.data.args());
        if let Some(ModelSource::File(p)) = &self.model {
            a.extend(["--model".into(), p.display().to_string()]);
        }
        if let Some(e) = self.estimator {
            a.extend(["--estimator".into(), e.to_string()]);
        }
        if !self.ordered.is_none() {
            a.extend(["--ordered".into(), self.ordered.to_string()]);
        }
        if let Some(p) = self.parameterization {
            a.extend(["--parameterization".into(), p.to_string()]);
        }
        if let Some(m) = self.missing_data {
            a.extend(["--missing-data".into(), m.to_string()]);
        }
        if self.mi {
            a.push("--mi".into());
        }
        if self.mi_min != 0.0 {
            a.extend(["--mi-min".into(), self.mi_min.to_string()]);
        }
        if let Some(g) = &self.group {
            a.extend(["--group".into(), g.clone()]);
        }
        let cut = InvarianceOptions::default();
        if self.delta_cfi != cut.delta_cfi {
            a.extend(["--delta-cfi".into(), self.delta_cfi.to_string()]);
        }
        if self.delta_rmsea != cut.delta_rmsea {
            a.extend(["--delta-rmsea".into(), self.delta_rmsea.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<CfaOutput> {
        let cut = self.cutoffs();
        if self.group.is_some() {
            cut.validate()?;
        }
        let opts = CfaOptions {
            estimator: self.estimator.unwrap_or(if self.ordered.is_none() {
                Estimator::Ml
            } else {
                Estimator::Wlsmv
            }),
            ordered: self.ordered.clone(),
            parameterization: self.parameterization.unwrap_or_default(),
            missing: self.missing_data.unwrap_or_default(),
            modification_indices: self.mi,
            validity: true,
            ..CfaOptions::default()
        };
        opts.validate()?;
        let m = self.model()?;
        let model = syntax::parse(&m.syntax, &m.name)?;
        let pt = partable::build(&model, &partable::PartableOptions::default())?;
        check_identified(&pt, &m.name)?;
        // a factor named like a data column would be read as the column by a reader of the model
        if self.data.memory.is_none() {
            if let Ok(src) = self.data.open() {
                if let Some(lv) = pt.lv.iter().find(|lv| src.names().contains(lv)) {
                    return Err(Error::option(
                        "--model",
                        format!(
                            "{}: factor \"{lv}\" has the name of a column of {}; rename the factor",
                            m.name,
                            self.data.at()
                        ),
                    ));
                }
            }
        }
        let ov = pt.ov;
        // the model's items; reverse keys: the instrument's for those items, plus any by hand
        let mut data = self.data.clone();
        if let Some(inst) = &m.instrument {
            for it in inst
                .items
                .iter()
                .filter(|i| i.reverse && ov.contains(&i.id))
            {
                if !data.reverse.contains(&it.id) {
                    data.reverse.push(it.id.clone());
                }
            }
        }
        data.items = Some(ov.join(","));
        let text_cols: Vec<String> = self.group.iter().cloned().collect();
        let loaded = data.load_with(&text_cols)?;
        let (items, _) = loaded.merged();
        let text: Vec<Option<String>> = loaded.scales.iter().flat_map(|s| s.text.clone()).collect();
        let item_text = super::item_texts(&items.names, &text);
        let (mut result, inv) = match &self.group {
            None => (cfa(&items, &model, &opts)?, None),
            Some(_) => {
                let labels: Vec<String> = loaded.texts.into_iter().next().unwrap_or_default();
                let mut inv = invariance(
                    &items,
                    &labels,
                    &model,
                    &CfaOptions {
                        modification_indices: false,
                        validity: false,
                        ..opts.clone()
                    },
                    &cut,
                )?;
                let mut conf = if opts.ordered.is_none() {
                    inv.models.first().cloned().ok_or_else(|| {
                        Error::option("--group", "the configural model could not be fitted")
                    })?
                } else {
                    // ordered items: lavaan's own identification (markers, thresholds free per
                    // group); the sequence's configural model is the same fit standardised. Its
                    // modification indices, std_all_se and validity (group 1) as for one group
                    cfa_groups(&items, &labels, &model, &opts)?
                };
                conf.warnings = inv.warnings.clone();
                inv.models.clear();
                (conf, Some(inv))
            }
        };
        if let Some(mi) = &mut result.mi {
            mi.retain(|x| x.mi >= self.mi_min);
        }
        Ok(CfaOutput {
            result,
            invariance: inv,
            item_text,
            model_name: m.name,
            factor_labels: m.instrument.as_ref().map(factor_labels).unwrap_or_default(),
        })
    }
}
