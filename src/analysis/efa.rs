//! `trustscale efa` as a library call: an exploratory factor analysis of the selected items,
//! with the items named and, for an instrument, each factor matched to the subscale it stands
//! for and the items flagged that load weakly or on another subscale's factor.
//!
//! ```no_run
//! use trustscale::analysis::efa::EfaRequest;
//! use trustscale::analysis::Request;
//! use trustscale::study::DataRequest;
//!
//! let req = EfaRequest {
//!     data: DataRequest::study_instrument("data/example-study/study.toml".as_ref(), "tblc"),
//!     ..EfaRequest::default()
//! };
//! let out = req.run()?;
//! for f in &out.item_flags {
//!     println!("{} loads most on F{}", f.item, f.primary_factor);
//! }
//! # Ok::<(), trustscale::Error>(())
//! ```

use super::parallel::parallel_analysis;
use super::{item_texts, ItemText, Outcome, Request};
use crate::correlation::{correlation_matrix, Cor};
use crate::error::{Error, Result, Warning};
use crate::factor::efa::{efa, EfaOptions, EfaResult, Extraction, RotationKind};
use crate::factor::parallel::ParallelOptions;
use crate::factor::subscales::{match_subscales, ItemFlag, SubscaleFactor};
use crate::study::DataRequest;
use serde::Serialize;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Default cut-off below which a loading counts as weak.
pub const DEFAULT_CUTOFF: f64 = 0.3;
/// Default seed of the random starts and of the parallel analysis.
pub const DEFAULT_SEED: u64 = 1;
/// Default iterations of the parallel analysis behind [`Factors::Auto`].
pub const DEFAULT_ITERATIONS: usize = 20;

/// How many factors to extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factors {
    /// This many.
    Count(usize),
    /// As many as parallel analysis suggests (at least one).
    Auto,
}

impl FromStr for Factors {
    type Err = Error;

    /// A number or `auto`, as `--factors` takes it.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Factors::Auto),
            _ => s.parse::<usize>().map(Factors::Count).map_err(|_| {
                Error::option(
                    "--factors",
                    format!("expected a number or auto, found \"{s}\""),
                )
            }),
        }
    }
}

impl fmt::Display for Factors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Factors::Count(k) => write!(f, "{k}"),
            Factors::Auto => f.write_str("auto"),
        }
    }
}

/// `trustscale efa`: the items and the model. `Default` is the command's defaults, which are
/// psych 2.2.9 `fa()`'s (minres extraction, oblimin rotation, Pearson correlations), with as
/// many factors as the instrument has subscales, a 0.30 cut-off for weak loadings, no random
/// starts and seed 1.
#[derive(Debug, Clone, PartialEq)]
pub struct EfaRequest {
    /// The items.
    pub data: DataRequest,
    /// Number of factors (`--factors`); `None`: the instrument's number of subscales (an error
    /// without an instrument, or with one `--scale`).
    pub factors: Option<Factors>,
    /// Extraction (`--extraction`).
    pub extraction: Extraction,
    /// Rotation (`--rotation`).
    pub rotation: RotationKind,
    /// Correlations (`--cor`).
    pub cor: Cor,
    /// Loadings below this (in absolute value) flag an item as weak (`--cutoff`).
    pub cutoff: f64,
    /// Random starts of GPA rotations; the best criterion is kept (`--random-starts`).
    pub random_starts: usize,
    /// Seed of the random starts and of the parallel analysis (`--seed`).
    pub seed: u64,
    /// Iterations of the parallel analysis behind [`Factors::Auto`] (`--iterations`).
    pub iterations: usize,
}

impl Default for EfaRequest {
    fn default() -> Self {
        EfaRequest {
            data: DataRequest::default(),
            factors: None,
            extraction: Extraction::default(),
            rotation: RotationKind::default(),
            cor: Cor::default(),
            cutoff: DEFAULT_CUTOFF,
            random_starts: 0,
            seed: DEFAULT_SEED,
            iterations: DEFAULT_ITERATIONS,
        }
    }
}

/// What `trustscale efa` produces; serialises to the contract's JSON: the factor analysis
/// (with item names and the correlations used), the cut-off, and with an instrument the
/// factor of each subscale and each item's flag.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EfaOutput {
    /// The factor analysis, items named.
    #[serde(flatten)]
    pub result: EfaResult,
    /// Loadings below this (in absolute value) count as weak.
    pub cutoff: f64,
    /// With an instrument, the factor each subscale was matched to (empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subscale_factors: Vec<SubscaleFactor>,
    /// With an instrument, each item's primary factor and flag (empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_flags: Vec<ItemFlag>,
    /// The number of factors, when parallel analysis chose it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factors_from_parallel: Option<usize>,
    /// The items' wording (the instrument's text for the form, else the data file's
    /// variable label), for the items that have one; absent when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_text: Vec<ItemText>,
    /// With an instrument, the name of each item's subscale (empty otherwise).
    #[serde(skip)]
    pub subscale_names: Vec<String>,
    /// Notes on the correlation matrix (pairwise or listwise deletion, smoothing), which come
    /// before the factor analysis's own warnings.
    #[serde(skip)]
    pub correlation_warnings: Vec<Warning>,
}

impl Request for EfaRequest {
    type Output = EfaOutput;

    fn args(&self) -> Vec<String> {
        let d = EfaRequest::default();
        let mut a = vec!["efa".to_string()];
        a.extend(self.data.args());
        let mut flag = |name: &str, v: String| {
            a.push(format!("--{name}"));
            a.push(v);
        };
        if let Some(f) = self.factors {
            flag("factors", f.to_string());
        }
        if self.extraction != d.extraction {
            flag("extraction", self.extraction.to_string());
        }
        if self.rotation != d.rotation {
            flag("rotation", self.rotation.to_string());
        }
        if self.cor != d.cor {
            flag("cor", self.cor.name().to_string());
        }
        if self.cutoff != d.cutoff {
            flag("cutoff", self.cutoff.to_string());
        }
        if self.random_starts != d.random_starts {
            flag("random-starts", self.random_starts.to_string());
        }
        if self.seed != d.seed {
            flag("seed", self.seed.to_string());
        }
        if self.iterations != d.iterations {
            flag("iterations", self.iterations.to_string());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<EfaOutput> {
        if self.factors.is_none() && (self.data.instrument.is_none() || self.data.scale.is_some()) {
            return Err(Error::option(
                "--factors",
                "give the number of factors (or auto)",
            ));
        }
        use crate::error::limits;
        limits::count("--random-starts", self.random_starts, 10_000)?;
        limits::positive("--iterations", self.iterations)?;
        limits::count("--iterations", self.iterations, limits::RESAMPLES)?;
        let loaded = self.data.load()?;
        let (data, subscale_of) = loaded.merged();
        data.require_complete_rows(3)?;
        data.require_variance()?;
        let m = correlation_matrix(&data, self.cor, self.data.listwise)?;
        let mut from_parallel = None;
        let nfactors = match (self.factors, &loaded.instrument) {
            (Some(Factors::Count(k)), _) => k,
            (Some(Factors::Auto), _) => {
                let opts = ParallelOptions {
                    iterations: self.iterations,
                    seed: self.seed,
                    resample: self.cor == Cor::Polychoric,
                    ..ParallelOptions::default()
                };
                let k = parallel_analysis(&data, self.cor, self.data.listwise, &opts)?
                    .suggested_factors
                    .max(1);
                from_parallel = Some(k);
                k
            }
            (None, Some(inst)) => inst.subscales.len(),
            (None, None) => {
                return Err(Error::option(
                    "--factors",
                    "give the number of factors (or auto)",
                ))
            }
        };
        let opts = EfaOptions {
            nfactors,
            extraction: self.extraction,
            rotation: self.rotation,
            random_starts: self.random_starts,
            seed: self.seed,
            ..EfaOptions::default()
        };
        let mut result = efa(&m.r, m.n, &opts)?;
        let text: Vec<Option<String>> = loaded.scales.iter().flat_map(|s| s.text.clone()).collect();
        let item_text = item_texts(&data.names, &text);
        result.items = data.names;
        result.cor = self.cor.name().to_string();
        let (subscale_factors, item_flags, subscale_names) = match &loaded.instrument {
            Some(inst) => {
                let (sf, flags) =
                    match_subscales(&result.loadings, &result.items, &subscale_of, self.cutoff);
                let names = subscale_of
                    .iter()
                    .map(|id| {
                        inst.subscale(id)
                            .map_or_else(|| id.clone(), |s| s.name.clone())
                    })
                    .collect();
                (sf, flags, names)
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        Ok(EfaOutput {
            result,
            cutoff: self.cutoff,
            subscale_factors,
            item_flags,
            factors_from_parallel: from_parallel,
            item_text,
            subscale_names,
            correlation_warnings: m.warnings,
        })
    }
}

impl Outcome for EfaOutput {
    fn warnings(&self) -> Vec<Warning> {
        let mut w = self.correlation_warnings.clone();
        w.extend(self.result.warnings.iter().cloned());
        w
    }
}
