//! `trustscale power` and `trustscale power merge`.

use super::Output;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use trustscale::analysis::power::{parse_shard, PowerMergeRequest, PowerOutput, PowerRequest};
use trustscale::analysis::Request;
use trustscale::plot::{check_plot_file, write_charts, Charts};
use trustscale::simulate::power::{Analysis, Progress};
use trustscale::Result;

/// Arguments of `power`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    merge: Option<MergeCommand>,
    /// The population model (model.toml); its [power] table gives the defaults below.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Replications per cell.
    #[arg(long)]
    replications: Option<usize>,
    /// Master seed (default: the model's).
    #[arg(long)]
    seed: Option<u64>,
    /// Numbers of groups to try, e.g. 40,80,120 (program analysis: leaders per arm).
    #[arg(long, value_delimiter = ',')]
    groups: Vec<usize>,
    /// Raters per group to try, e.g. 4,8 (program analysis: raters per leader).
    #[arg(long, value_delimiter = ',')]
    raters: Vec<usize>,
    /// Multipliers of the model's effects, e.g. 0.5,1.
    #[arg(long, value_delimiter = ',', value_parser = super::common::finite_f64)]
    effect_scale: Vec<f64>,
    /// The analysis: aggregate, multilevel, latent, program (the default for a model with a
    /// [program] table) or differential (a competency's association with affective minus
    /// cognitive trust).
    #[arg(long)]
    analysis: Option<String>,
    /// The program analysis's ratings: self, collaborators (default) or members.
    #[arg(long)]
    source: Option<String>,
    /// The outcome `instrument:subscale` (default: the model's, or the first with effects).
    #[arg(long)]
    outcome: Option<String>,
    /// With --analysis differential: the second outcome (default: affective trust is the
    /// outcome, cognitive trust its contrast).
    #[arg(long)]
    contrast: Option<String>,
    /// Predictors `instrument:subscale,...` (default: those with effects on the outcome).
    #[arg(long, value_delimiter = ',')]
    predictors: Vec<String>,
    /// Significance level.
    #[arg(long, value_parser = super::common::finite_f64)]
    alpha: Option<f64>,
    /// Folds of the cross-validated R².
    #[arg(long, default_value_t = 10)]
    cv: usize,
    /// Run only shard I of N (replication r belongs to shard r mod N + 1).
    #[arg(long)]
    shard: Option<String>,
    /// Continue an interrupted run from --out, skipping finished cells.
    #[arg(long)]
    resume: bool,
    /// The output file (JSON); a CSV summary is written beside it.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Draw the power curves to FILE (.svg or .png): one chart per predictor and effect scale,
    /// as FILE-PREDICTOR-effect-X.svg when the run has several.
    #[arg(long)]
    plot: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum MergeCommand {
    /// Combines shard outputs into one run.
    Merge {
        /// Shard files.
        files: Vec<PathBuf>,
        /// The merged output file.
        #[arg(long)]
        out: PathBuf,
        /// Draw the merged run's power curves to FILE (.svg or .png).
        #[arg(long)]
        plot: Option<PathBuf>,
    },
}

impl Args {
    /// The library request these flags ask for (`power`, not `power merge`).
    pub fn request(&self) -> Result<PowerRequest> {
        Ok(PowerRequest {
            model: self.model.clone(),
            replications: self.replications,
            seed: self.seed,
            groups: self.groups.clone(),
            raters: self.raters.clone(),
            effect_scale: self.effect_scale.clone(),
            analysis: self.analysis.as_deref().map(Analysis::parse).transpose()?,
            outcome: self.outcome.clone(),
            source: self.source.clone(),
            contrast: self.contrast.clone(),
            predictors: self.predictors.clone(),
            alpha: self.alpha,
            cv: self.cv,
            shard: self.shard.as_deref().map(parse_shard).transpose()?,
            resume: self.resume,
            out: self.out.clone(),
        })
    }
}

/// The run's text, then a line per chart written with `--plot`.
fn printed(out: &PowerOutput, plot: Option<&Path>) -> Result<Output> {
    let mut text = out.text();
    if let Some(plot) = plot {
        for path in write_charts(plot, &out.charts()?)? {
            text.push_str(&format!("wrote {}\n", path.display()));
        }
    }
    Ok(Output::text(text))
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    if let Some(MergeCommand::Merge { plot: Some(p), .. }) = &a.merge {
        check_plot_file(p)?;
    }
    if let Some(p) = &a.plot {
        // before a long run, not after it
        check_plot_file(p)?;
    }
    if let Some(MergeCommand::Merge { files, out, plot }) = a.merge {
        let merged = PowerMergeRequest { files, out }.run()?;
        return printed(&merged, plot.as_deref());
    }
    let req = a.request()?;
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} replications ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let progress = |p: Progress| {
        if let Some(b) = &bar {
            b.set_length(p.total as u64);
            b.set_position(p.done as u64);
        }
    };
    let out = req.run_with(&progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    printed(&out, a.plot.as_deref())
}
