//! `trustscale framework`: tests the framework's claims on a study.

use super::{print_output, write_plot, Layout, Output};
use std::path::PathBuf;
use trustscale::analysis::framework::FrameworkRequest;
use trustscale::analysis::Request;
use trustscale::framework::FrameworkOptions;
use trustscale::Result;

/// Arguments of `framework`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study file (study.toml): the claims come from its instruments' `trust` and `risks`.
    #[arg(long)]
    study: PathBuf,
    /// Bootstrap resamples (groups for claims 1-2, leaders for claim 3).
    #[arg(long, default_value_t = FrameworkOptions::default().bootstrap)]
    bootstrap: usize,
    /// Seed of the bootstrap and of the latent profiles' random starts.
    #[arg(long, default_value_t = FrameworkOptions::default().seed)]
    seed: u64,
    /// Write the competency x outcome chart to FILE (.svg or .png), and with a risk
    /// instrument the competency x risk chart to FILE-risks.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let req = FrameworkRequest {
        study: a.study.clone(),
        options: FrameworkOptions {
            bootstrap: a.bootstrap,
            seed: a.seed,
            ..FrameworkOptions::default()
        },
    };
    let out = req.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankBetween)
}
