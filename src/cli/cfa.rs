//! `trustscale cfa`: confirmatory factor analysis / SEM in lavaan's model syntax, construct
//! validity, modification indices and measurement invariance (see [`trustscale::analysis::cfa`]).

use super::common::DataArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use std::path::PathBuf;
use trustscale::analysis::cfa::{CfaRequest, ModelSource};
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `cfa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The data file, `--instrument` (without --model: one factor per subscale; its reverse-keyed
    /// items are reversed before fitting), `--scale` (one subscale), `--form`, `--study`,
    /// reverse keys and missing codes. The items come from the model, not `--items`.
    #[command(flatten)]
    data: DataArgs,
    /// The model, in lavaan syntax (`F =~ a + b + c`, `a ~~ b`, `Y ~ F`, `1*a`, `#` comments).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Estimator: ml (expected-information standard errors; observed with --missing-data fiml),
    /// mlr (robust, Yuan-Bentler test), or with ordered items wlsmv (the default then), dwls,
    /// ulsmv, uls. Default: ml, or wlsmv with --ordered.
    #[arg(long)]
    estimator: Option<String>,
    /// Ordered-categorical items: all, or a comma-separated list (thresholds and polychoric
    /// correlations, least-squares estimation as lavaan's ordered =).
    #[arg(long)]
    ordered: Option<String>,
    /// With --ordered: delta (latent responses with unit variance; the default) or theta
    /// (residual variances of ordered items fixed to 1).
    #[arg(long)]
    parameterization: Option<String>,
    /// Missing answers: listwise (drop incomplete rows; the default) or fiml (full-information
    /// maximum likelihood, every answer used; lavaan's missing = "ml").
    #[arg(long)]
    missing_data: Option<String>,
    /// Print the model built from --instrument (lavaan syntax) and stop.
    #[arg(long)]
    print_model: bool,
    /// Modification indices (largest first).
    #[arg(long)]
    mi: bool,
    /// With --mi, list only indices at least this large (JSON and table).
    #[arg(long, default_value_t = 0.0, value_parser = super::common::finite_f64)]
    mi_min: f64,
    /// Measurement invariance across the groups of this column: configural, metric, scalar.
    #[arg(long)]
    group: Option<String>,
    /// Largest acceptable drop in CFI for an invariance step.
    #[arg(long, default_value_t = 0.01, value_parser = super::common::finite_f64)]
    delta_cfi: f64,
    /// Largest acceptable rise in RMSEA for an invariance step.
    #[arg(long, default_value_t = 0.015, value_parser = super::common::finite_f64)]
    delta_rmsea: f64,
    /// Write the standardised loadings with 95% intervals to FILE (.svg or .png) and the factor
    /// correlations to FILE-factors (first group with --group).
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<CfaRequest> {
        Ok(CfaRequest {
            data: self.data.request()?,
            model: self.model.clone().map(ModelSource::File),
            estimator: self.estimator.as_deref().map(str::parse).transpose()?,
            ordered: self
                .ordered
                .as_deref()
                .map(str::parse)
                .transpose()?
                .unwrap_or_default(),
            parameterization: self
                .parameterization
                .as_deref()
                .map(str::parse)
                .transpose()?,
            missing_data: self.missing_data.as_deref().map(str::parse).transpose()?,
            mi: self.mi,
            mi_min: self.mi_min,
            group: self.group.clone(),
            delta_cfi: self.delta_cfi,
            delta_rmsea: self.delta_rmsea,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let req = a.request()?;
    if a.print_model {
        return Ok(Output::text(req.model()?.syntax));
    }
    let out = req.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankBetween)
}
