//! `trustscale omega`.

use super::common::{CorArg, DataArgs};
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::omega::OmegaRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `omega`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Group factors of the Schmid-Leiman solution (default: 3, or with `--whole` one per
    /// subscale of the instrument).
    #[arg(long)]
    factors: Option<usize>,
    /// Analyse all of the instrument's items as one set: a general factor over the subscales
    /// and (by default) one group factor per subscale, the bifactor view of whether a total
    /// score or the subscale scores carry the information.
    #[arg(long, requires = "instrument")]
    whole: bool,
    /// Correlations: pearson or polychoric.
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Write a heatmap of the Schmid-Leiman loadings (general, group factors, h2) as .svg or
    /// .png; with several subscales, one file per subscale named FILE-SUBSCALE.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<OmegaRequest> {
        Ok(OmegaRequest {
            data: self.data.request()?,
            factors: self.factors,
            whole: self.whole,
            cor: self.cor.into(),
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankAfterEach)
}
