//! `trustscale reliability`.

use super::common::DataArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::reliability::ReliabilityRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `reliability`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Confidence level of the alpha interval.
    #[arg(long, default_value_t = 0.95, value_parser = super::common::finite_f64)]
    ci: f64,
    /// Percentile bootstrap interval from N resamples instead of Feldt's.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    // an `Option`, so that a request knows it was given (the report passes it); the help shows
    // the default as clap shows it for a default value
    #[arg(
        long,
        help = "Group factors of omega's Schmid-Leiman solution [default: 3]"
    )]
    omega_factors: Option<usize>,
    /// Also ordinal reliability: ordinal alpha and omega from polychoric correlations, and the
    /// latent-response and categorical omegas of a one-factor WLSMV CFA (items with whole-number
    /// answers in at most 10 categories).
    #[arg(long)]
    ordinal: bool,
    /// Write a chart of item-total correlations and alpha if deleted (.svg or .png; with several
    /// subscales, one file per subscale named FILE-SUBSCALE.svg).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<ReliabilityRequest> {
        Ok(ReliabilityRequest {
            data: self.data.request()?,
            ci: self.ci,
            bootstrap: self.bootstrap,
            seed: self.seed,
            omega_factors: self.omega_factors,
            ordinal: self.ordinal,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankAfterEach)
}
