//! `trustscale icc`: intraclass correlations from wide or long ratings (see
//! [`trustscale::analysis::icc`]).

use super::common::ReadArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::icc::IccRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `icc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Wide data: one column per rater (rows are targets).
    #[arg(long, value_delimiter = ',')]
    raters: Vec<String>,
    /// Long data: the target id column.
    #[arg(long)]
    target: Option<String>,
    /// Long data: the rater id column.
    #[arg(long)]
    rater: Option<String>,
    /// Long data: the rating column.
    #[arg(long)]
    value: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_parser = super::common::finite_f64)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write the six ICCs with their intervals as a chart (.svg or .png).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<IccRequest> {
        Ok(IccRequest {
            data: self.read.request()?,
            raters: self.raters.clone(),
            target: self.target.clone(),
            rater: self.rater.clone(),
            value: self.value.clone(),
            ci: self.ci,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::Together)
}
