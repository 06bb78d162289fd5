//! `trustscale parallel` as a library call: Horn's parallel analysis of the selected items (how
//! many factors and components to retain).
//!
//! ```no_run
//! use trustscale::analysis::parallel::ParallelRequest;
//! use trustscale::analysis::Request;
//! use trustscale::study::DataRequest;
//!
//! let req = ParallelRequest {
//!     data: DataRequest::study_instrument("data/example-study/study.toml".as_ref(), "tblc"),
//!     iterations: Some(100),
//!     ..ParallelRequest::default()
//! };
//! let out = req.run()?;
//! println!("{} factors", out.result.suggested_factors);
//! # Ok::<(), trustscale::Error>(())
//! ```

use super::{Outcome, Request};
use crate::correlation::polychoric::{polychoric, PolychoricOptions};
use crate::correlation::{covariance, Cor, Missing};
use crate::data::ItemData;
use crate::error::{Result, Warning};
use crate::factor::parallel::{parallel, ParallelOptions, ParallelResult};
use crate::study::DataRequest;
use nalgebra::DMatrix;
use serde::Serialize;
use std::path::Path;

/// Default number of simulated data sets (psych 2.2.9 `fa.parallel(n.iter = 20)`).
pub const DEFAULT_ITERATIONS: usize = 20;
/// Default seed of the random plan.
pub const DEFAULT_SEED: u64 = 1;

/// `trustscale parallel`: the items to read and how to simulate the reference eigenvalues.
/// `Default` is the command's defaults: psych 2.2.9 `fa.parallel` (20 normal data sets,
/// Pearson correlations, 95th percentiles), seed 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParallelRequest {
    /// The items.
    pub data: DataRequest,
    /// Simulated data sets (`--iterations`; `None`: [`DEFAULT_ITERATIONS`]). Printed in
    /// [`Request::args`] whenever set, as the report passes it.
    pub iterations: Option<usize>,
    /// Seed (`--seed`; `None`: [`DEFAULT_SEED`]). Printed whenever set, as the report passes it.
    pub seed: Option<u64>,
    /// Correlations (`--cor`); polychoric correlations compare with resamples of the data.
    pub cor: Cor,
    /// Compare with resamples of the observed data instead of normal data (`--resample`).
    pub resample: bool,
}

/// What `trustscale parallel` produces: the parallel analysis (serialised as the contract's
/// JSON, exactly [`ParallelResult`]) with the item names and the correlations used.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ParallelOutput {
    /// The parallel analysis.
    pub result: ParallelResult,
    /// The items analysed, in order.
    #[serde(skip)]
    pub items: Vec<String>,
    /// The correlations used.
    #[serde(skip)]
    pub cor: Cor,
}

impl ParallelRequest {
    /// The options of the numerics.
    pub fn options(&self) -> ParallelOptions {
        ParallelOptions {
            iterations: self.iterations.unwrap_or(DEFAULT_ITERATIONS),
            seed: self.seed.unwrap_or(DEFAULT_SEED),
            resample: self.resample || self.cor == Cor::Polychoric,
            ..ParallelOptions::default()
        }
    }
}

impl Request for ParallelRequest {
    type Output = ParallelOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["parallel".to_string()];
        a.extend(self.data.args());
        if let Some(i) = self.iterations {
            a.extend(["--iterations".into(), i.to_string()]);
        }
        if let Some(s) = self.seed {
            a.extend(["--seed".into(), s.to_string()]);
        }
        if self.cor != Cor::default() {
            a.extend(["--cor".into(), self.cor.name().into()]);
        }
        if self.resample {
            a.push("--resample".into());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<ParallelOutput> {
        let opts = self.options();
        opts.validate()?;
        let (data, _) = self.data.load()?.merged();
        let result = parallel_analysis(&data, self.cor, self.data.listwise, &opts)?;
        Ok(ParallelOutput {
            result,
            items: data.names,
            cor: self.cor,
        })
    }
}

impl Outcome for ParallelOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.result.warnings.clone()
    }
}

/// Parallel analysis of item data with the given correlations: complete rows only with
/// `listwise`; at least 3 complete rows and items that vary. The step behind `trustscale
/// parallel` and `efa --factors auto`.
pub fn parallel_analysis(
    data: &ItemData,
    cor: Cor,
    listwise: bool,
    opts: &ParallelOptions,
) -> Result<ParallelResult> {
    let owned;
    let data = if listwise {
        owned = data.listwise();
        &owned
    } else {
        data
    };
    data.require_complete_rows(3)?;
    data.require_variance()?;
    opts.validate()?;
    parallel(data, &correlate(cor), opts)
}

/// The correlation function handed to [`parallel`]: pairwise Pearson, or psych's polychoric.
fn correlate(cor: Cor) -> impl Fn(&ItemData) -> Result<DMatrix<f64>> + Sync {
    move |d: &ItemData| match cor {
        Cor::Pearson => Ok(covariance(d, Missing::Pairwise)?.pairwise_cor()),
        Cor::Polychoric => Ok(polychoric(d, &PolychoricOptions::default())?.rho),
    }
}
