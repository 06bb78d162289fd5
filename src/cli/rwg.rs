//! `trustscale rwg`: within-group agreement and the aggregation verdict (see
//! [`trustscale::analysis::rwg`]).

use super::common::DataArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::agreement::rwg::Null;
use trustscale::analysis::rwg::RwgRequest;
use trustscale::analysis::Request;
use trustscale::Result;

/// Arguments of `rwg`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// The group id column (default with --study: the dataset's group column).
    #[arg(long)]
    group: Option<String>,
    /// Number of response options A (default: from the instrument or --scale-min/--scale-max).
    #[arg(long)]
    scale_points: Option<usize>,
    /// Null distribution: uniform, slight-skew, moderate-skew, heavy-skew, triangular.
    #[arg(long, default_value = "uniform")]
    null: String,
    /// A null variance to use instead of a named null.
    #[arg(long, value_parser = super::common::finite_f64)]
    null_variance: Option<f64>,
    /// Cut-off of mean rwg(j) for aggregation.
    #[arg(long, default_value_t = 0.70, value_parser = super::common::finite_f64)]
    min_rwg: f64,
    /// Cut-off of ICC(1).
    #[arg(long, default_value_t = 0.05, value_parser = super::common::finite_f64)]
    min_icc1: f64,
    /// Cut-off of ICC(2).
    #[arg(long, default_value_t = 0.70, value_parser = super::common::finite_f64)]
    min_icc2: f64,
    /// Random-group resampling with this many pseudo groups (Bliese's rgr.agree).
    #[arg(long)]
    rgr: Option<usize>,
    /// Seed of the resampling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a chart (.svg or .png): each group's rwg(j) with the cut-off, and ICC(1)/ICC(2)
    /// per scale.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<RwgRequest> {
        Ok(RwgRequest {
            data: self.data.request()?,
            group: self.group.clone(),
            scale_points: self.scale_points,
            null: Some(match self.null_variance {
                Some(v) => Null::Variance(v),
                None => self.null.parse()?,
            }),
            min_rwg: self.min_rwg,
            min_icc1: self.min_icc1,
            min_icc2: self.min_icc2,
            rgr: self.rgr,
            seed: self.seed,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankAfterEach)
}
