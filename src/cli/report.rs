//! `trustscale report --study FILE --out DIR`: the whole validation report of a study
//! ([`trustscale::report::build`]), written as `DIR/report.html`, `DIR/results.json` and
//! `DIR/charts/`, with a progress bar on a terminal.

use super::Output;
use std::io::IsTerminal;
use std::path::PathBuf;
use trustscale::report::{build_with_progress, Progress, ReportOptions};
use trustscale::study::Study;
use trustscale::{Error, Result, Warning, WarningCode};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study file (study.toml).
    #[arg(long)]
    study: PathBuf,
    /// Output folder (created): report.html, results.json, charts/.
    #[arg(long)]
    out: PathBuf,
    /// Iterations of the parallel analysis.
    #[arg(long, default_value_t = 100)]
    iterations: usize,
    /// Folds of the cross-validated R².
    #[arg(long, default_value_t = 10)]
    cv: usize,
    /// Leaders whose profiles are drawn (default: the first three).
    #[arg(long, value_delimiter = ',')]
    leaders: Vec<String>,
    /// Seed of every resampling step.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// CFA estimator: auto (chosen per instrument from the answers: wlsmv for ordered
    /// categories when items use at most 4 categories or are strongly skewed, else mlr; fiml
    /// whenever answers are missing), or one of ml, mlr, wlsmv, dwls, ulsmv, uls for every
    /// instrument.
    #[arg(long, default_value = "auto")]
    estimator: String,
    /// Null distribution of rwg(j): uniform, slight-skew, moderate-skew, heavy-skew, triangular.
    #[arg(long, default_value = "uniform")]
    null: String,
    /// Write into a non-empty folder that holds no earlier report (its other files stay).
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let started = std::time::Instant::now();
    let opts = ReportOptions {
        out: a.out.clone(),
        iterations: a.iterations,
        cv: a.cv,
        leaders: a.leaders,
        seed: a.seed,
        estimator: a.estimator,
        null: a.null,
    };
    opts.validate()?;
    trustscale::report::check_out_dir(&a.out, a.force)?;
    let study = Study::load(&a.study)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut progress = |p: Progress| {
        if let Some(b) = &bar {
            match p {
                Progress::Start(n) => b.set_length(n as u64),
                Progress::Stage(s) => b.set_message(s),
                Progress::Done => b.inc(1),
            }
        }
    };
    let report = build_with_progress(&study, &opts, &mut progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    report.write_with(&a.out, a.force)?;
    let html = a.out.join("report.html");
    let essential = report.essential_failures();
    if !essential.is_empty() {
        return Err(Error::option(
            "--study",
            format!(
                "{} of the report's analyses could not be computed ({}); the rest of the report is in {}",
                essential.len(),
                essential.join("; "),
                html.display()
            ),
        ));
    }
    let mut out = Output::text(format!(
        "wrote {} ({} sections, {} analyses) and {} in {:.1} s\n",
        html.display(),
        report.document.sections.len(),
        report.commands.len(),
        a.out.join("results.json").display(),
        started.elapsed().as_secs_f64()
    ));
    if !report.warnings.is_empty() {
        out.warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} analysis warnings; see the report's last section",
                report.warnings.len()
            ),
        ));
    }
    Ok(out)
}
