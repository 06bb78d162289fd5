//! `trustscale parallel`.

use super::common::{CorArg, DataArgs};
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::parallel::ParallelRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `parallel`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    // Options the report passes explicitly are `Option`s, so that a request knows they were
    // given; their help shows the default as clap shows it for a default value.
    #[arg(
        long,
        help = "Simulated data sets [default: 20]",
        long_help = "Simulated data sets\n\n[default: 20]"
    )]
    iterations: Option<usize>,
    #[arg(long, help = "Seed [default: 1]", long_help = "Seed\n\n[default: 1]")]
    seed: Option<u64>,
    /// Correlations: pearson or polychoric (polychoric compares with resamples of the data).
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Compare with resamples of the observed data instead of normal data.
    #[arg(long)]
    resample: bool,
    /// Write the scree plot with the parallel-analysis references (SVG).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<ParallelRequest> {
        Ok(ParallelRequest {
            data: self.data.request()?,
            iterations: self.iterations,
            seed: self.seed,
            cor: self.cor.into(),
            resample: self.resample,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::Together)
}
