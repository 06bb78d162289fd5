//! `trustscale power` and `trustscale power merge`.

use super::common::plot_path;
use super::Output;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use trustscale::plot::{apa, PowerCurve, PowerCurves};
use trustscale::simulate::population::load_model;
use trustscale::simulate::power::{
    merge, plain_summary, run_power, summary_csv, Analysis, PowerRun, PowerSettings, Progress,
};
use trustscale::{Error, Result};

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
    /// Numbers of groups to try, e.g. 40,80,120.
    #[arg(long, value_delimiter = ',')]
    groups: Vec<usize>,
    /// Raters per group to try, e.g. 4,8.
    #[arg(long, value_delimiter = ',')]
    raters: Vec<usize>,
    /// Multipliers of the model's effects, e.g. 0.5,1.
    #[arg(long, value_delimiter = ',')]
    effect_scale: Vec<f64>,
    /// The analysis: aggregate, multilevel or latent.
    #[arg(long)]
    analysis: Option<String>,
    /// The outcome `instrument:subscale` (default: the model's, or the first with effects).
    #[arg(long)]
    outcome: Option<String>,
    /// Predictors `instrument:subscale,...` (default: those with effects on the outcome).
    #[arg(long, value_delimiter = ',')]
    predictors: Vec<String>,
    /// Significance level.
    #[arg(long)]
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

fn read_run(p: &Path) -> Result<PowerRun> {
    let text = std::fs::read_to_string(p).map_err(|source| Error::Io {
        path: p.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Parse {
        at: trustscale::Location::file(Some(p.to_path_buf())).with_row(e.line() as u64),
        expected: "a trustscale power output file".into(),
        found: e.to_string(),
    })
}

fn write_run(run: &PowerRun, out: &Path) -> Result<()> {
    let json = serde_json::to_string(run).map_err(|e| Error::option("--out", e.to_string()))?;
    let tmp = out.with_extension("json.partial");
    std::fs::write(&tmp, json).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, out).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let csv = out.with_extension("csv");
    std::fs::write(&csv, summary_csv(run)).map_err(|source| Error::Io { path: csv, source })
}

fn report(run: &PowerRun, out: &Path) -> String {
    let mut s = format!(
        "wrote {} and {}\n",
        out.display(),
        out.with_extension("csv").display()
    );
    if let Some([i, n]) = run.shard {
        s.push_str(&format!(
            "shard {i}/{n}: merge all shards with `trustscale power merge`\n"
        ));
    }
    for line in plain_summary(run) {
        s.push_str(&line);
        s.push('\n');
    }
    s
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
        let runs = files
            .iter()
            .map(|f| read_run(f))
            .collect::<Result<Vec<_>>>()?;
        let merged = merge(runs)?;
        write_run(&merged, &out)?;
        let mut text = report(&merged, &out);
        if let Some(plot) = &plot {
            text.push_str(&write_charts(&merged, plot)?);
        }
        return Ok(Output::text(text));
    }
    let Some(model_path) = &a.model else {
        return Err(Error::option(
            "--model",
            "give the population model (--model model.toml)",
        ));
    };
    let Some(out) = &a.out else {
        return Err(Error::option(
            "--out",
            "give the output file (--out power.json)",
        ));
    };
    let text = std::fs::read_to_string(model_path).map_err(|source| Error::Io {
        path: model_path.clone(),
        source,
    })?;
    let model = load_model(&text, model_path)?;
    let c = model.compile()?;
    let spec = model.power.clone().unwrap_or_default();
    let outcome = a
        .outcome
        .clone()
        .or(spec.outcome.clone())
        .or_else(|| model.effects.keys().next().cloned())
        .ok_or_else(|| Error::option("--outcome", "name the outcome (the model has no effects)"))?;
    let predictors = if a.predictors.is_empty() {
        model
            .effects
            .get(&outcome)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    } else {
        a.predictors.clone()
    };
    let pick = |flag: &Vec<usize>, spec: &Vec<usize>, default: Vec<usize>| {
        if !flag.is_empty() {
            flag.clone()
        } else if !spec.is_empty() {
            spec.clone()
        } else {
            default
        }
    };
    let total: usize = model.design.groups_per_arena.iter().sum();
    let settings = PowerSettings {
        seed: a.seed.unwrap_or(model.seed),
        replications: a.replications.or(spec.replications).unwrap_or(1000),
        alpha: a.alpha.or(spec.alpha).unwrap_or(0.05),
        analysis: Analysis::parse(
            a.analysis
                .as_deref()
                .or(spec.analysis.as_deref())
                .unwrap_or("aggregate"),
        )?,
        outcome,
        predictors,
        groups: pick(&a.groups, &spec.groups, vec![total]),
        raters: pick(&a.raters, &spec.raters, vec![model.design.raters[1]]),
        effect_scale: if !a.effect_scale.is_empty() {
            a.effect_scale.clone()
        } else if !spec.effect_scale.is_empty() {
            spec.effect_scale.clone()
        } else {
            vec![1.0]
        },
        cv_folds: a.cv,
    };
    let shard = match &a.shard {
        None => None,
        Some(s) => {
            let parts: Vec<&str> = s.split('/').collect();
            match parts.as_slice() {
                [i, n] => match (i.parse::<usize>(), n.parse::<usize>()) {
                    (Ok(i), Ok(n)) => Some([i, n]),
                    _ => {
                        return Err(Error::option(
                            "--shard",
                            format!("expected I/N, found \"{s}\""),
                        ))
                    }
                },
                _ => {
                    return Err(Error::option(
                        "--shard",
                        format!("expected I/N, found \"{s}\""),
                    ))
                }
            }
        }
    };
    let previous = if a.resume && out.is_file() {
        Some(read_run(out)?)
    } else {
        None
    };
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
    let mut checkpoint = |run: &PowerRun| write_run(run, out);
    let run = run_power(&c, &settings, shard, previous, &progress, &mut checkpoint)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    write_run(&run, out)?;
    let mut text = report(&run, out);
    if let Some(plot) = &a.plot {
        text.push_str(&write_charts(&run, plot)?);
    }
    Ok(Output::text(text))
}

/// Rejects a `--plot` file that is neither `.svg` nor `.png`.
fn check_plot_file(p: &Path) -> Result<()> {
    match p.extension().and_then(|e| e.to_str()) {
        Some("svg") | Some("png") => Ok(()),
        _ => Err(Error::option(
            "--plot",
            format!("{}: charts are written as .svg or .png files", p.display()),
        )),
    }
}

/// Formats an effect scale for a file name and a title: `0.5`, `1`.
fn scale_label(x: f64) -> String {
    format!("{x}")
}

/// The power curves of a run, with the suffix of each chart's file name (empty: the `--plot`
/// file itself).
///
/// One chart per predictor and effect scale (each predictor's test in the run's analysis has its
/// own power): x = total number of groups, one curve per raters-per-group value. A point is the
/// share $\hat p$ of the cell's $R$ successful replications with $p < \alpha$, with the Monte
/// Carlo (Wald) 95% interval
/// $$\hat p \pm 1.96\sqrt{\hat p(1-\hat p)/R}$$
/// clipped to [0, 1]. Cells without a successful replication are left out. The suffix names the
/// predictor (`tblc-process-navigator`) when the run has several, and the effect scale
/// (`effect-0.5`) when it has several.
fn power_charts(run: &PowerRun) -> Vec<(String, PowerCurves)> {
    let s = &run.settings;
    let safe = |t: &str| -> String {
        t.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let mut raters = s.raters.clone();
    raters.sort_unstable();
    raters.dedup();
    let mut charts = Vec::new();
    for (j, term) in s.predictors.iter().enumerate() {
        for &scale in &s.effect_scale {
            let curves: Vec<PowerCurve> = raters
                .iter()
                .map(|&k| {
                    let mut points: Vec<(f64, f64, Option<[f64; 2]>)> = run
                        .summary
                        .iter()
                        .filter(|c| {
                            c.spec.raters == k
                                && c.spec.effect_scale.to_bits() == scale.to_bits()
                                && c.replications > 0
                        })
                        .filter_map(|c| {
                            let p = c.effects.get(j)?.power;
                            let h = 1.96 * (p * (1.0 - p) / c.replications as f64).sqrt();
                            Some((
                                c.spec.groups as f64,
                                p,
                                Some([(p - h).max(0.0), (p + h).min(1.0)]),
                            ))
                        })
                        .collect();
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    PowerCurve {
                        label: format!("{k} raters per group"),
                        points,
                    }
                })
                .collect();
            let beta = run.true_effects.get(j).map(|b| b * scale);
            let analysis = match s.analysis {
                Analysis::Aggregate => "aggregate",
                Analysis::Multilevel => "multilevel",
                Analysis::Latent => "latent",
            };
            let mut title = format!("Power ({analysis}): {term} → {}", s.outcome);
            if let Some(b) = beta {
                title.push_str(&format!(", β = {}", apa(b, 2, true)));
            }
            if s.effect_scale.len() > 1 {
                title.push_str(&format!(" (effects × {})", scale_label(scale)));
            }
            if let Some([i, n]) = run.shard {
                title.push_str(&format!(" [shard {i}/{n}]"));
            }
            let mut suffix = Vec::new();
            if s.predictors.len() > 1 {
                suffix.push(safe(term));
            }
            if s.effect_scale.len() > 1 {
                suffix.push(format!("effect-{}", scale_label(scale)));
            }
            charts.push((
                suffix.join("-"),
                PowerCurves {
                    title,
                    curves,
                    target: 0.8,
                },
            ));
        }
    }
    charts
}

/// Writes the charts of [`power_charts`] beside `plot`; the lines to report.
fn write_charts(run: &PowerRun, plot: &Path) -> Result<String> {
    let mut text = String::new();
    for (suffix, chart) in power_charts(run) {
        let path = if suffix.is_empty() {
            plot.to_path_buf()
        } else {
            plot_path(plot, &suffix)
        };
        trustscale::plot::write(&path, &chart)?;
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    Ok(text)
}
