//! `trustscale polychoric`.

use super::common::{to_json, DataArgs};
use super::Output;
use trustscale::analysis::polychoric::PolychoricRequest;
use trustscale::analysis::{Outcome, Request};
use trustscale::plot::Charts;
use trustscale::render::Report;
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
    fn request(&self) -> Result<PolychoricRequest> {
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
    if let Some(path) = &a.plot {
        trustscale::plot::write_charts(path, &out.charts()?)?;
    }
    let stdout = if a.json {
        to_json(&out)?
    } else {
        out.tables().iter().map(ToString::to_string).collect()
    };
    Ok(Output {
        stdout,
        warnings: out.warnings(),
    })
}
