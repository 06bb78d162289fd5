//! `trustscale omega` as a library call: McDonald's omega from a Schmid-Leiman solution, per
//! subscale, for items named by hand, or (`whole`) for all of an instrument's items at once
//! with one group factor per subscale: the bifactor view of whether a total score or the
//! subscale scores carry the information.
//!
//! ```no_run
//! use trustscale::analysis::omega::OmegaRequest;
//! use trustscale::analysis::Request;
//! use trustscale::study::DataRequest;
//!
//! let req = OmegaRequest {
//!     data: DataRequest::study_instrument("data/example-study/study.toml".as_ref(), "tblc"),
//!     whole: true,
//!     ..OmegaRequest::default()
//! };
//! let out = req.run()?;
//! let g = &out.scales[0];
//! println!("omega_h = {:.2}, ECV = {:.2}", g.omega_hierarchical, g.ecv);
//! # Ok::<(), trustscale::Error>(())
//! ```

use super::{item_texts, ItemText, Outcome, Request};
use crate::correlation::{correlation_matrix, Cor};
use crate::error::{Error, Result, Warning};
use crate::reliability::omega::{omega, OmegaOptions, OmegaResult};
use crate::study::{DataRequest, ScaleData};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::path::Path;

/// Default number of group factors without `whole` (psych 2.2.9 `omega(nfactors = 3)`).
pub const DEFAULT_FACTORS: usize = 3;

/// `trustscale omega`: the items and the model. `Default` is the command's defaults, psych
/// 2.2.9 `omega()`'s (3 group factors, minres, oblimin, Pearson correlations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OmegaRequest {
    /// The items: each subscale of an instrument on its own, one `--scale`, or items named by
    /// hand.
    pub data: DataRequest,
    /// Group factors (`--factors`); `None`: [`DEFAULT_FACTORS`], or with `whole` one per
    /// subscale of the instrument.
    pub factors: Option<usize>,
    /// All of the instrument's items as one set (`--whole`; needs an instrument).
    pub whole: bool,
    /// Correlations (`--cor`).
    pub cor: Cor,
}

/// A group factor's omegas with the names of its items.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OmegaGroupItems {
    /// `g` for the whole test, else `F1*`, `F2*`, ...
    pub factor: String,
    /// The items assigned to the factor.
    pub items: Vec<String>,
    /// Omega total of those items.
    pub total: Option<f64>,
    /// The share of their score variance due to the general factor.
    pub general: Option<f64>,
    /// The share due to the group factor.
    pub group: Option<f64>,
}

/// One scale's omega, items named: the contract's JSON of `trustscale omega`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScaleOmega {
    /// The subscale id, `items` for items named by hand, or the instrument id with `whole`.
    pub scale: String,
    /// Rows the correlations rest on.
    pub n: usize,
    /// The items, in order.
    pub items: Vec<String>,
    /// Group factors of the Schmid-Leiman solution.
    pub factors: usize,
    /// $\omega_t$.
    pub omega_total: f64,
    /// $\omega_h$.
    pub omega_hierarchical: f64,
    /// $\omega_h / \omega_t$.
    pub omega_limit: f64,
    /// Cronbach's alpha of the (flipped) items.
    pub alpha: f64,
    /// Guttman's lambda 6.
    pub lambda6: f64,
    /// Explained common variance of the general factor.
    pub ecv: f64,
    /// General factor loadings, one per item.
    pub general_loadings: Vec<f64>,
    /// Group factor loadings, one row per item.
    pub group_loadings: Vec<Vec<f64>>,
    /// Communalities.
    pub h2: Vec<f64>,
    /// Uniquenesses.
    pub u2: Vec<f64>,
    /// $g^2 / h^2$.
    pub p2: Vec<f64>,
    /// Items reversed to load positively on the general factor.
    pub flipped: Vec<String>,
    /// psych's `omega.group` table, items named.
    pub omega_group: Vec<OmegaGroupItems>,
    /// Whether every iterative step converged.
    pub converged: bool,
    /// Notes on the correlations, then the Schmid-Leiman solution's warnings.
    pub warnings: Vec<Warning>,
    /// The items' wording (the instrument's text for the form, else the data file's
    /// variable label), for the items that have one; absent when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_text: Vec<ItemText>,
    /// With `whole`, the name of each item's subscale (empty otherwise).
    #[serde(skip)]
    pub subscale_names: Vec<String>,
}

/// What `trustscale omega` produces. Serialises as the contract has it: one scale as its bare
/// [`ScaleOmega`], several as `{"scales": [...]}` with each scale's keys in alphabetical order.
#[derive(Debug, Clone)]
pub struct OmegaOutput {
    /// One entry per scale analysed.
    pub scales: Vec<ScaleOmega>,
}

impl Serialize for OmegaOutput {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.scales[..] {
            [one] => one.serialize(s),
            many => {
                // the contract writes each scale's keys in alphabetical order here (the order
                // of a serde_json map), unlike the bare single scale
                let sorted = many
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(serde::ser::Error::custom)?;
                let mut m = s.serialize_struct("OmegaOutput", 1)?;
                m.serialize_field("scales", &sorted)?;
                m.end()
            }
        }
    }
}

impl ScaleOmega {
    /// Names the parts of an omega result of `items`.
    fn new(
        scale: &str,
        n: usize,
        items: &[String],
        factors: usize,
        o: OmegaResult,
        text: &[Option<String>],
        subscale_names: Vec<String>,
    ) -> ScaleOmega {
        let k = o.group_loadings.ncols();
        ScaleOmega {
            scale: scale.to_string(),
            n,
            items: items.to_vec(),
            factors,
            omega_total: o.omega_total,
            omega_hierarchical: o.omega_hierarchical,
            omega_limit: o.omega_limit,
            alpha: o.alpha,
            lambda6: o.lambda6,
            ecv: o.ecv,
            general_loadings: o.general_loadings.iter().copied().collect(),
            group_loadings: (0..o.group_loadings.nrows())
                .map(|i| (0..k).map(|j| o.group_loadings[(i, j)]).collect())
                .collect(),
            h2: o.h2.iter().copied().collect(),
            u2: o.u2.iter().copied().collect(),
            p2: o.p2.iter().copied().collect(),
            flipped: items
                .iter()
                .zip(&o.key)
                .filter(|(_, &k)| k < 0.0)
                .map(|(n, _)| n.clone())
                .collect(),
            omega_group: o
                .omega_group
                .into_iter()
                .map(|g| OmegaGroupItems {
                    factor: g.factor,
                    items: g
                        .items
                        .iter()
                        .filter_map(|&i| items.get(i).cloned())
                        .collect(),
                    total: g.total,
                    general: g.general,
                    group: g.group,
                })
                .collect(),
            converged: o.converged,
            warnings: o.warnings,
            item_text: item_texts(items, text),
            subscale_names,
        }
    }
}

impl Request for OmegaRequest {
    type Output = OmegaOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["omega".to_string()];
        a.extend(self.data.args());
        if let Some(k) = self.factors {
            a.extend(["--factors".into(), k.to_string()]);
        }
        if self.whole {
            a.push("--whole".into());
        }
        if self.cor != Cor::default() {
            a.extend(["--cor".into(), self.cor.name().into()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<OmegaOutput> {
        if self.whole && self.data.instrument.is_none() {
            return Err(Error::option(
                "--whole",
                "name the instrument whose items to analyse as one set (--instrument ID)",
            ));
        }
        if self.factors == Some(0) {
            return Err(zero_factors());
        }
        let loaded = self.data.load()?;
        // with `whole`: one set of every item, each item's subscale kept for the chart
        let (scales, subscale_names) = match (&loaded.instrument, self.whole) {
            (Some(inst), true) => {
                let (data, ids) = loaded.merged();
                let names = ids
                    .iter()
                    .map(|id| {
                        inst.subscale(id)
                            .map_or_else(|| id.clone(), |s| s.name.clone())
                    })
                    .collect();
                let reversed = loaded
                    .scales
                    .iter()
                    .flat_map(|s| s.reversed.clone())
                    .collect();
                let text = loaded.scales.iter().flat_map(|s| s.text.clone()).collect();
                let whole = ScaleData {
                    name: inst.id.clone(),
                    data,
                    reversed,
                    text,
                };
                (vec![whole], names)
            }
            _ => (loaded.scales, Vec::new()),
        };
        let factors = match (self.factors, &loaded.instrument, self.whole) {
            (Some(k), _, _) => k,
            (None, Some(inst), true) => inst.subscales.len(),
            _ => DEFAULT_FACTORS,
        };
        if factors == 0 {
            return Err(zero_factors());
        }
        let scales = scales
            .iter()
            .map(|s| {
                s.data.require_complete_rows(3)?;
                s.data.require_variance()?;
                let m = correlation_matrix(&s.data, self.cor, self.data.listwise)?;
                let mut o = omega(&m.r, factors, &OmegaOptions::default())?;
                o.warnings.splice(0..0, m.warnings);
                Ok(ScaleOmega::new(
                    &s.name,
                    m.n,
                    &s.data.names,
                    factors,
                    o,
                    &s.text,
                    subscale_names.clone(),
                ))
            })
            .collect::<Result<_>>()?;
        Ok(OmegaOutput { scales })
    }
}

fn zero_factors() -> Error {
    Error::option("--factors", "expected at least 1 group factor")
}

impl Outcome for OmegaOutput {
    /// Every scale's warnings in order (each scale's correlation notes first).
    fn warnings(&self) -> Vec<Warning> {
        self.scales
            .iter()
            .flat_map(|s| s.warnings.iter().cloned())
            .collect()
    }
}
