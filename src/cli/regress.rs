//! `trustscale regress`.

use super::common::ReadArgs;
use super::Output;
use super::{print_output, write_plot, Layout};
use trustscale::analysis::regress::{parse_blocks, parse_terms, RegressRequest};
use trustscale::analysis::Request;
use trustscale::regression::HcType;
use trustscale::Result;

/// Arguments of `regress`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// The outcome: a column, or a subscale score `INSTRUMENT:SUBSCALE` (e.g. `group-trust:affective`).
    #[arg(long)]
    outcome: String,
    /// Predictors: columns, column ranges `A1:A5`, subscale scores `tblc:process-navigator`, or
    /// every subscale of an instrument `tblc:*`.
    #[arg(long)]
    predictors: Option<String>,
    /// Hierarchical blocks instead of --predictors: `"A,B;C,D"` enters A and B, then C and D.
    #[arg(long)]
    blocks: Option<String>,
    /// Robust standard errors (sandwich::vcovHC types; with --cluster, the clustered variant).
    #[arg(long, value_enum)]
    robust: Option<RobustArg>,
    /// Cluster-robust standard errors by this column (sandwich::vcovCL, CR1 unless --robust).
    #[arg(long)]
    cluster: Option<String>,
    /// Average every column within this group column first (one row per group).
    #[arg(long)]
    aggregate: Option<String>,
    /// Response options of the aggregated columns, for rwg (with --aggregate).
    #[arg(long)]
    scale_points: Option<usize>,
    /// Random-intercept model by REML with groups in this column (lme4::lmer).
    #[arg(long)]
    multilevel: Option<String>,
    /// A predictor that also gets a random slope (with --multilevel).
    #[arg(long)]
    random_slope: Option<String>,
    /// Dominance analysis (general, conditional and complete dominance).
    #[arg(long)]
    dominance: bool,
    /// Percentile bootstrap of the dominance weights with this many resamples.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// K-fold cross-validated R² (K = number of rows: leave-one-out).
    #[arg(long)]
    cv: Option<usize>,
    /// Repeat the cross-validation with this many fold assignments.
    #[arg(long, default_value_t = 1)]
    repeats: usize,
    /// Seed of the bootstrap and the fold assignment [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Confidence level of intervals.
    #[arg(long, default_value_t = 0.95, value_parser = super::common::finite_f64)]
    ci: f64,
    /// Share of a subscale's items that must be answered for a subscale score.
    #[arg(long, default_value_t = 0.8, value_parser = super::common::finite_f64)]
    min_answered: f64,
    /// A study file: variables are `INSTRUMENT:SUBSCALE` scores found in the study's datasets,
    /// predictors averaged per group from their dataset (observer rows where forms are mixed);
    /// the outcome is analysed per group (or per member with --multilevel).
    #[arg(long)]
    study: Option<std::path::PathBuf>,
    /// Write the charts: a forest plot of the coefficients to FILE (.svg or .png), predicted vs
    /// observed to FILE-predicted and, with --dominance, the weights to FILE-dominance.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RobustArg {
    Hc0,
    Hc1,
    Hc2,
    Hc3,
}

impl From<RobustArg> for HcType {
    fn from(r: RobustArg) -> Self {
        match r {
            RobustArg::Hc0 => HcType::Hc0,
            RobustArg::Hc1 => HcType::Hc1,
            RobustArg::Hc2 => HcType::Hc2,
            RobustArg::Hc3 => HcType::Hc3,
        }
    }
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<RegressRequest> {
        let mut data = self.read.request()?;
        data.study = self.study.clone();
        Ok(RegressRequest {
            data,
            outcome: self.outcome.clone(),
            predictors: self.predictors.as_deref().map(parse_terms),
            blocks: self.blocks.as_deref().map(parse_blocks),
            robust: self.robust.map(HcType::from),
            cluster: self.cluster.clone(),
            aggregate: self.aggregate.clone(),
            scale_points: self.scale_points,
            multilevel: self.multilevel.clone(),
            random_slope: self.random_slope.clone(),
            dominance: self.dominance,
            bootstrap: self.bootstrap,
            cv: self.cv,
            repeats: self.repeats,
            seed: self.seed,
            ci: self.ci,
            min_answered: self.min_answered,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    write_plot(a.plot.as_deref(), &out)?;
    print_output(&out, a.json, Layout::BlankBetween)
}
