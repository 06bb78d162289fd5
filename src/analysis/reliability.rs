//! `trustscale reliability` as a library call: Cronbach's alpha with its interval, lambda 6,
//! omega and the item analysis, for each subscale of an instrument or for items named by hand.
//!
//! ```no_run
//! use trustscale::analysis::reliability::ReliabilityRequest;
//! use trustscale::analysis::Request;
//! use trustscale::study::DataRequest;
//!
//! let req = ReliabilityRequest {
//!     data: DataRequest::study_instrument("data/example-study/study.toml".as_ref(), "tblc"),
//!     omega_factors: Some(1),
//!     ..ReliabilityRequest::default()
//! };
//! for s in &req.run()?.scales {
//!     println!("{}: alpha = {:.3}", s.scale, s.result.alpha);
//! }
//! # Ok::<(), trustscale::Error>(())
//! ```

use super::{Outcome, Request};
use crate::cfa::syntax::parse;
use crate::cfa::{cfa, CfaOptions, Estimator, Ordered, Parameterization};
use crate::correlation::Missing;
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::reliability::alpha::{reliability_from_sums, reliability_keyed};
use crate::reliability::categorical_omega::{
    categorical_omega, latent_response_omega, sample_latent_cor, OrdinalFactor,
};
use crate::reliability::ordinal::{Coefficient, OrdinalReliability};
use crate::reliability::{ReliabilityOptions, ReliabilityResult};
use crate::study::{DataRequest, LoadedSums};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::path::Path;

/// `trustscale reliability`: the items and the options. `Default` is the command's defaults,
/// R psych 2.2.9 `alpha()`'s and `omega()`'s: pairwise covariances (listwise with
/// [`DataRequest::listwise`]), Feldt's 95% interval, omega with 3 group factors.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityRequest {
    /// The items: an instrument's subscales (each analysed on its own), one `--scale`, or items
    /// named by hand.
    pub data: DataRequest,
    /// Confidence level of the alpha interval (`--ci`).
    pub ci: f64,
    /// A percentile bootstrap interval from this many resamples instead of Feldt's
    /// (`--bootstrap`).
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap (`--seed`).
    pub seed: u64,
    /// Group factors of omega's Schmid-Leiman solution (`--omega-factors`; `None`: 3). Printed
    /// in [`Request::args`] whenever set, as the report passes it.
    pub omega_factors: Option<usize>,
    /// Ordinal alpha and omega from polychoric correlations, and the omegas of a one-factor
    /// WLSMV CFA of the ordered items, per scale (`--ordinal`; JSON key `ordinal`).
    pub ordinal: bool,
}

impl Default for ReliabilityRequest {
    fn default() -> Self {
        let o = ReliabilityOptions::default();
        ReliabilityRequest {
            data: DataRequest::default(),
            ci: o.ci,
            bootstrap: o.bootstrap,
            seed: o.seed,
            omega_factors: None,
            ordinal: false,
        }
    }
}

/// One scale's reliability.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScaleReliability {
    /// The subscale id, or `items` for items named by hand.
    pub scale: String,
    /// The subscale's name in the instrument (`None` for items named by hand).
    #[serde(skip)]
    pub subscale_name: Option<String>,
    /// Its reliability.
    #[serde(flatten)]
    pub result: ReliabilityResult,
}

/// What `trustscale reliability` produces. Serialises as the contract has it: for items named
/// by hand or one `--scale`, the bare [`ReliabilityResult`] of that scale ([`Self::single`]);
/// else `{"instrument": ID, "scales": [{"scale": ID, ...result}, ...]}`.
#[derive(Debug, Clone)]
pub struct ReliabilityOutput {
    /// The instrument's id, if the items came from one.
    pub instrument: Option<String>,
    /// One entry per scale analysed, in the instrument's order.
    pub scales: Vec<ScaleReliability>,
    /// Whether one scale was asked for (items named by hand, or one `--scale`): the output then
    /// serialises as that scale's bare result.
    pub single: bool,
}

impl Serialize for ReliabilityOutput {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match (self.single, self.scales.first()) {
            (true, Some(one)) => one.result.serialize(s),
            _ => {
                let mut m = s.serialize_struct("ReliabilityOutput", 2)?;
                m.serialize_field("instrument", self.instrument.as_deref().unwrap_or(""))?;
                m.serialize_field("scales", &self.scales)?;
                m.end()
            }
        }
    }
}

impl ReliabilityRequest {
    /// The options of the numerics.
    pub fn options(&self) -> ReliabilityOptions {
        ReliabilityOptions {
            missing: if self.data.listwise {
                Missing::Listwise
            } else {
                Missing::Pairwise
            },
            ci: self.ci,
            bootstrap: self.bootstrap,
            seed: self.seed,
            omega_factors: self
                .omega_factors
                .unwrap_or(ReliabilityOptions::default().omega_factors),
            ordinal: self.ordinal,
        }
    }
}

impl ReliabilityRequest {
    /// The output from streamed sums ([`DataRequest::load_sums`]).
    fn run_sums(&self, loaded: LoadedSums, opts: &ReliabilityOptions) -> Result<ReliabilityOutput> {
        let inst = loaded.instrument.as_ref();
        let scales = loaded
            .scales
            .iter()
            .map(|s| {
                let mut result =
                    reliability_from_sums(&s.names, &s.reversed, &s.sums, &loaded.at, opts)
                        .map_err(|e| with_scale(e, &s.name, inst.is_some()))?;
                for (item, text) in result.items.iter_mut().zip(&s.text) {
                    item.text = text.clone();
                }
                Ok(ScaleReliability {
                    scale: s.name.clone(),
                    subscale_name: inst
                        .and_then(|i| i.subscale(&s.name))
                        .map(|x| x.name.clone()),
                    result,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ReliabilityOutput {
            instrument: inst.map(|i| i.id.clone()),
            scales,
            single: inst.is_none() || self.data.scale.is_some(),
        })
    }
}

impl Request for ReliabilityRequest {
    type Output = ReliabilityOutput;

    fn args(&self) -> Vec<String> {
        let d = ReliabilityRequest::default();
        let mut a = vec!["reliability".to_string()];
        a.extend(self.data.args());
        if self.ci != d.ci {
            a.extend(["--ci".into(), self.ci.to_string()]);
        }
        if let Some(b) = self.bootstrap {
            a.extend(["--bootstrap".into(), b.to_string()]);
        }
        if self.seed != d.seed {
            a.extend(["--seed".into(), self.seed.to_string()]);
        }
        if let Some(k) = self.omega_factors {
            a.extend(["--omega-factors".into(), k.to_string()]);
        }
        if self.ordinal {
            a.push("--ordinal".into());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<ReliabilityOutput> {
        let opts = self.options();
        opts.validate()?;
        // alpha, lambda 6, omega, the item statistics and Feldt's interval need only sums: read
        // them in one streaming pass when the data allow (the bootstrap and --ordinal need rows)
        if opts.bootstrap.is_none() && !opts.ordinal {
            if let Some(streamed) = self.data.load_sums()? {
                return self.run_sums(streamed, &opts);
            }
        }
        let loaded = self.data.load()?;
        let inst = loaded.instrument.as_ref();
        let scales = loaded
            .scales
            .iter()
            .map(|s| {
                let mut result = reliability_keyed(&s.data, &s.reversed, &opts)
                    .map_err(|e| with_scale(e, &s.name, inst.is_some()))?;
                if let Some(ord) = result.ordinal.as_mut() {
                    cfa_omegas(&s.data, ord, &mut result.warnings);
                }
                for (item, text) in result.items.iter_mut().zip(&s.text) {
                    item.text = text.clone();
                }
                Ok(ScaleReliability {
                    scale: s.name.clone(),
                    subscale_name: inst
                        .and_then(|i| i.subscale(&s.name))
                        .map(|x| x.name.clone()),
                    result,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ReliabilityOutput {
            instrument: inst.map(|i| i.id.clone()),
            scales,
            single: inst.is_none() || self.data.scale.is_some(),
        })
    }
}

impl Outcome for ReliabilityOutput {
    /// Each scale's warnings in order, prefixed `SUBSCALE: ` when there are several scales.
    fn warnings(&self) -> Vec<Warning> {
        let many = self.scales.len() > 1;
        self.scales
            .iter()
            .flat_map(|s| {
                s.result.warnings.iter().map(move |w| {
                    let mut w = w.clone();
                    if many {
                        w.message = format!("{}: {}", s.scale, w.message);
                    }
                    w
                })
            })
            .collect()
    }
}

/// An option error of one subscale, naming it when the items came from an instrument.
fn with_scale(e: Error, scale: &str, named: bool) -> Error {
    match e {
        Error::InvalidOption { flag, msg } if named => Error::InvalidOption {
            flag,
            msg: format!("subscale {scale}: {msg}"),
        },
        other => other,
    }
}

/// Fills `omega_latent` and `omega_categorical` from a one-factor WLSMV CFA of the scale's
/// ordered items; when the fit fails, they stay `null` and a warning says why.
fn cfa_omegas(data: &ItemData, ord: &mut OrdinalReliability, warnings: &mut Vec<Warning>) {
    let fitted = ordinal_factor(data).and_then(|(model, n, fit_warnings)| {
        let (r, _) = sample_latent_cor(data)?;
        let latent = latent_response_omega(&model, &r)?;
        let cat = categorical_omega(&model, &r)?;
        Ok((latent, cat, n, fit_warnings))
    });
    match fitted {
        Ok((latent, cat, n, fit_warnings)) => {
            ord.omega_latent = Coefficient::omega_latent(Some(latent), n);
            ord.omega_categorical = Coefficient::omega_categorical(Some(cat), n);
            warnings.extend(
                fit_warnings.into_iter().map(|w| {
                    Warning::new(w.code, format!("ordinal: one-factor CFA: {}", w.message))
                }),
            );
        }
        Err(e) => warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "ordinal: omega_latent and omega_categorical are null: the one-factor ordered \
                 CFA behind them failed ({e})"
            ),
        )),
    }
}

/// Fits the one-factor model semTools' examples fit, `F =~ x1 + ... + xk` with every item
/// ordered, WLSMV, delta parameterization and the factor variance fixed to 1 (lavaan
/// `cfa(model, ordered = TRUE, std.lv = TRUE)`), and returns its estimates, the rows it used
/// (listwise) and its warnings.
///
/// # Errors
/// The CFA's errors, and [`Error::InvalidOption`] (`--ordinal`) when a loading, the factor
/// variance or an item's thresholds are missing from its parameters.
pub fn ordinal_factor(data: &ItemData) -> Result<(OrdinalFactor, usize, Vec<Warning>)> {
    // a factor name that is no item's
    let mut factor = String::from("F");
    while data.names.contains(&factor) {
        factor.push('_');
    }
    let text = format!(
        "{factor} =~ NA*{}\n{factor} ~~ 1*{factor}\n",
        data.names.join(" + ")
    );
    let model = parse(&text, "ordinal reliability model")?;
    let opts = CfaOptions {
        estimator: Estimator::Wlsmv,
        ordered: Ordered::All,
        parameterization: Parameterization::Delta,
        ..CfaOptions::default()
    };
    let fit = cfa(data, &model, &opts)?;
    let missing = |what: String| {
        Error::option(
            "--ordinal",
            format!("the one-factor ordered CFA gave no {what}"),
        )
    };
    let est = |lhs: &str, op: &str, rhs: &str| {
        fit.parameters
            .iter()
            .find(|p| p.lhs == lhs && p.op.as_str() == op && p.rhs == rhs)
            .map(|p| p.est)
    };
    let mut loadings = Vec::with_capacity(data.k());
    let mut thresholds = Vec::with_capacity(data.k());
    for item in &data.names {
        loadings
            .push(est(&factor, "=~", item).ok_or_else(|| missing(format!("loading of {item}")))?);
        // threshold rows `item | t1`, `item | t2`, ... in the order of their number
        let mut t: Vec<(usize, f64)> = fit
            .parameters
            .iter()
            .filter(|p| p.lhs == *item && p.op.as_str() == "|")
            .filter_map(|p| Some((p.rhs.strip_prefix('t')?.parse().ok()?, p.est)))
            .collect();
        if t.is_empty() {
            return Err(missing(format!("thresholds of {item}")));
        }
        t.sort_by_key(|&(i, _)| i);
        thresholds.push(t.into_iter().map(|(_, x)| x).collect());
    }
    let psi = est(&factor, "~~", &factor).ok_or_else(|| missing("factor variance".into()))?;
    Ok((
        OrdinalFactor::delta(loadings, psi, thresholds),
        fit.n,
        fit.warnings,
    ))
}
