//! `trustscale evaluate`: pre/post and comparison-group evaluation of a program.

use super::{print_output, write_plot, Layout, Output};
use std::path::PathBuf;
use trustscale::analysis::evaluate::EvaluateRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study file; it needs an [evaluation] table and datasets with wave and condition columns.
    #[arg(long)]
    study: PathBuf,
    /// Only this instrument (its id or the study's entry for it).
    #[arg(long)]
    instrument: Option<String>,
    /// Draw the means per wave and arm with 95% intervals to FILE (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = EvaluateRequest {
        study: a.study,
        instrument: a.instrument,
    }
    .run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankBetween)
}
