//! `trustscale polychoric`.

use super::common::DataArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::polychoric::PolychoricRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `polychoric`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Tetrachoric correlations of dichotomous items (psych::tetrachoric).
    #[arg(long)]
    tetrachoric: bool,
    /// Do not smooth a matrix that is not positive definite.
    #[arg(long)]
    no_smooth: bool,
    /// Write a heatmap of the correlations (.svg or .png), items grouped by subscale.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<PolychoricRequest> {
        Ok(PolychoricRequest {
            data: self.data.request()?,
            tetrachoric: self.tetrachoric,
            smooth: !self.no_smooth,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::Together)
}
