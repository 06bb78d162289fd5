//! `trustscale efa`.

use super::common::{CorArg, DataArgs};
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::efa::{EfaRequest, DEFAULT_CUTOFF, DEFAULT_ITERATIONS, DEFAULT_SEED};
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `efa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Number of factors, or `auto` (parallel analysis). Default with an instrument: its number
    /// of subscales.
    #[arg(long)]
    factors: Option<String>,
    /// Extraction: minres, pa, ml.
    #[arg(long, default_value = "minres")]
    extraction: String,
    /// Rotation: none, varimax, promax, oblimin, quartimin, geomin.
    #[arg(long, default_value = "oblimin")]
    rotation: String,
    /// Correlations: pearson or polychoric.
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Loadings below this (in absolute value) flag an item as weak.
    #[arg(long, default_value_t = DEFAULT_CUTOFF, value_parser = super::common::finite_f64)]
    cutoff: f64,
    /// Random starts of GPA rotations (the best criterion is kept).
    #[arg(long, default_value_t = 0)]
    random_starts: usize,
    /// Seed of random starts and of parallel analysis.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Iterations of the parallel analysis behind `--factors auto`.
    #[arg(long, default_value_t = DEFAULT_ITERATIONS)]
    iterations: usize,
    /// Write a heatmap of the loadings (.svg or .png), items grouped by their subscale and the
    /// factors ordered by the subscale each stands for.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<EfaRequest> {
        Ok(EfaRequest {
            extraction: self.extraction.parse()?,
            rotation: self.rotation.parse()?,
            data: self.data.request()?,
            factors: self.factors.as_deref().map(str::parse).transpose()?,
            cor: self.cor.into(),
            cutoff: self.cutoff,
            random_starts: self.random_starts,
            seed: self.seed,
            iterations: self.iterations,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::Together)
}
