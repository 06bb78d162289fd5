//! `trustscale krippendorff`: Krippendorff's alpha (see [`trustscale::analysis::krippendorff`]).

use super::common::ReadArgs;
use super::Output;
use super::{print_output, Layout};
use trustscale::agreement::krippendorff::Level;
use trustscale::analysis::krippendorff::KrippendorffRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `krippendorff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Coder columns (rows are units).
    #[arg(long, value_delimiter = ',', required = true)]
    raters: Vec<String>,
    /// Level of measurement.
    #[arg(long, value_enum, default_value = "nominal")]
    level: LevelArg,
    /// Percentile bootstrap interval from N resamples of units.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Confidence level of the bootstrap interval.
    #[arg(long, default_value_t = 0.95, value_parser = super::common::finite_f64)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LevelArg {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Nominal => Level::Nominal,
            LevelArg::Ordinal => Level::Ordinal,
            LevelArg::Interval => Level::Interval,
            LevelArg::Ratio => Level::Ratio,
        }
    }
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<KrippendorffRequest> {
        Ok(KrippendorffRequest {
            data: self.read.request()?,
            raters: self.raters.clone(),
            level: self.level.into(),
            bootstrap: self.bootstrap,
            seed: self.seed,
            ci: self.ci,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    print_output(&out, a.json, Layout::Together)
}
