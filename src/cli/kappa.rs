//! `trustscale kappa`: Cohen's (weighted) kappa for two raters, Fleiss' kappa for more (see
//! [`trustscale::analysis::kappa`]).

use super::common::ReadArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::agreement::kappa::Weights;
use trustscale::analysis::kappa::KappaRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `kappa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Rater columns: two for Cohen's kappa, more for Fleiss' kappa.
    #[arg(long, value_delimiter = ',', required = true)]
    raters: Vec<String>,
    /// Weights of Cohen's kappa.
    #[arg(long, value_enum, default_value = "none")]
    weights: WeightArg,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, value_parser = super::common::finite_f64)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Two raters: write their agreement table as a heatmap of proportions (.svg or .png);
    /// the diagonal holds the agreements.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum WeightArg {
    None,
    Linear,
    Quadratic,
}

impl From<WeightArg> for Weights {
    fn from(w: WeightArg) -> Weights {
        match w {
            WeightArg::None => Weights::None,
            WeightArg::Linear => Weights::Linear,
            WeightArg::Quadratic => Weights::Quadratic,
        }
    }
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<KappaRequest> {
        Ok(KappaRequest {
            data: self.read.request()?,
            raters: self.raters.clone(),
            weights: self.weights.into(),
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
