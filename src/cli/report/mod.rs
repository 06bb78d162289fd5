//! `trustscale report --study FILE --out DIR`: the whole validation pipeline a study supports,
//! written as `DIR/report.html` (self-contained), `DIR/results.json` and `DIR/charts/`.
//!
//! Each analysis runs through the same code path as its command (the command line is built,
//! parsed and run in-process with `--json` and `--plot`), so every number in the report equals
//! what the individual command prints, and the report lists those command lines.
//!
//! This file holds the arguments, the in-process `Runner`, the `Plan` of what a study
//! supports and the small cell helpers; each section of the report has a file of its own
//! (`overview` also writes the summary and the warnings).

use super::{Cli, Output};
use clap::Parser;
use serde_json::{json, Map, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use trustscale::instrument::Instrument;
use trustscale::plot::apa;

use trustscale::report::{Block, Document};
use trustscale::study::{Dataset, Study};
use trustscale::{Error, Result, Warning, WarningCode};

mod agreement;
mod cfa;
mod dimensionality;
mod overview;
mod prediction;
mod profiles;
mod reliability;

use agreement::agreement_section;
use cfa::cfa_section;
use dimensionality::dimensionality_section;
use overview::{overview, summary_section, warnings_section};
use prediction::prediction_section;
use profiles::profile_section;
use reliability::reliability_section;

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
    /// CFA estimator: ml, or mlr (robust standard errors and test, for Likert data that are not
    /// normal).
    #[arg(long, default_value = "ml")]
    estimator: String,
    /// Null distribution of rwg(j): uniform, slight-skew, moderate-skew, heavy-skew, triangular.
    #[arg(long, default_value = "uniform")]
    null: String,
}

/// Runs commands in-process and keeps their JSON, command lines and warnings.
struct Runner {
    study: String,
    charts: PathBuf,
    commands: Vec<String>,
    warnings: Vec<String>,
    bar: Option<indicatif::ProgressBar>,
}

/// One analysis run: its JSON, or why it could not be run.
type Ran = std::result::Result<Value, String>;

impl Runner {
    /// Runs `trustscale ARGS --json` (plus `--study`), returning the parsed JSON.
    fn run(&mut self, stage: &str, args: &[&str]) -> Ran {
        self.run_expecting(stage, args, None)
    }

    /// [`Runner::run`] for a command whose options the report chose knowing they raise a note
    /// (`expected`, a part of its message): that note is left out of the report's warnings
    /// (the section says what it implies); every other warning is kept.
    fn run_expecting(&mut self, stage: &str, args: &[&str], expected: Option<&str>) -> Ran {
        if let Some(b) = &self.bar {
            b.set_message(stage.to_string());
        }
        let mut argv: Vec<String> = vec!["trustscale".into()];
        argv.extend(args.iter().map(|s| s.to_string()));
        if !args.contains(&"study") {
            argv.push("--study".into());
            argv.push(self.study.clone());
        }
        argv.push("--json".into());
        self.commands.push(shell_line(&argv));
        let out = Cli::try_parse_from(&argv)
            .map_err(|e| e.to_string())
            .and_then(|cli| super::run(cli).map_err(|e| e.to_string()));
        if let Some(b) = &self.bar {
            b.inc(1);
        }
        match out {
            Ok(Output { stdout, warnings }) => {
                self.warnings.extend(
                    warnings
                        .iter()
                        .filter(|w: &&Warning| {
                            !(w.code == WarningCode::Note
                                && expected.is_some_and(|e| w.message.contains(e)))
                        })
                        .map(|w: &Warning| format!("{stage}: {}", w.message)),
                );
                serde_json::from_str(&stdout).map_err(|e| format!("unreadable output: {e}"))
            }
            Err(e) => {
                self.warnings
                    .push(format!("{stage}: could not be computed: {e}"));
                Err(e)
            }
        }
    }

    /// The last command line, as a block under its results.
    fn last_command(&self) -> Block {
        Block::Command(self.commands.last().cloned().unwrap_or_default())
    }

    /// A chart path in DIR/charts.
    fn chart(&self, name: &str) -> PathBuf {
        self.charts.join(format!("{name}.svg"))
    }

    /// The SVG of a chart the command wrote, for inlining.
    fn svg_of(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// The report's own command line with every setting spelled out, defaults included, so that
/// a reader can rerun it as it was.
fn report_line(a: &Args) -> String {
    let mut argv: Vec<String> = [
        "trustscale",
        "report",
        "--study",
        &a.study.display().to_string(),
        "--out",
        &a.out.display().to_string(),
        "--estimator",
        &a.estimator,
        "--null",
        &a.null,
        "--iterations",
        &a.iterations.to_string(),
        "--cv",
        &a.cv.to_string(),
        "--seed",
        &a.seed.to_string(),
    ]
    .map(String::from)
    .to_vec();
    if !a.leaders.is_empty() {
        argv.push("--leaders".into());
        argv.push(a.leaders.join(","));
    }
    shell_line(&argv)
}

/// A command line as a user would type it (arguments with spaces or `*` quoted).
fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.chars()
                .any(|c| c.is_whitespace() || "*?$\"'&|;<>()".contains(c))
            {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A p value for a table cell: `< .001` or `.034`.
fn p_cell(p: f64) -> String {
    if p < 0.001 {
        "< .001".into()
    } else {
        cell(p, 3, true)
    }
}

/// A table cell: APA number, or a dash when there is none.
fn cell(x: f64, decimals: usize, bounded: bool) -> String {
    if x.is_finite() {
        apa(x, decimals, bounded)
    } else {
        "–".into()
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

/// A subscale's display name (also for the lavaan-safe factor names of `cfa --instrument`,
/// which spell `-` as `_`).
fn sub_name(inst: &Instrument, id: &str) -> String {
    inst.subscale(id)
        .or_else(|| inst.subscales.iter().find(|s| s.id.replace('-', "_") == id))
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let started = std::time::Instant::now();
    let study = Study::load(&a.study)?;
    if a.cv < 2 {
        return Err(Error::option("--cv", "use at least 2 folds"));
    }
    if !matches!(a.estimator.to_ascii_lowercase().as_str(), "ml" | "mlr") {
        return Err(Error::option(
            "--estimator",
            format!("expected ml or mlr, found \"{}\"", a.estimator),
        ));
    }
    trustscale::agreement::rwg::Null::parse(&a.null)?;
    let charts = a.out.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| Error::Io {
        path: charts.clone(),
        source,
    })?;
    let mut plan = Plan::new(&study)?;
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(plan.stages() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let mut r = Runner {
        study: a.study.display().to_string(),
        charts: charts.clone(),
        commands: Vec::new(),
        warnings: Vec::new(),
        bar,
    };
    let mut results = Map::new();
    let mut doc = Document {
        title: if study.title.is_empty() {
            "Validation report".into()
        } else {
            format!("Validation report: {}", study.title)
        },
        subtitle: vec![
            format!("Study file: {}", study.file.display()),
            format!("Written by: {}", report_line(&a)),
            "Every number below can be reproduced with the command shown under it.".into(),
        ],
        sections: Vec::new(),
    };
    doc.sections.push(overview(&mut r, &study, &mut results));
    doc.sections
        .push(reliability_section(&mut r, &plan, &mut results));
    doc.sections
        .push(dimensionality_section(&mut r, &plan, &a, &mut results));
    doc.sections
        .push(cfa_section(&mut r, &plan, &a, &mut results));
    doc.sections
        .push(agreement_section(&mut r, &plan, &a, &mut results));
    doc.sections
        .push(prediction_section(&mut r, &mut plan, &a, &mut results));
    doc.sections
        .push(profile_section(&mut r, &plan, &a, &mut results));
    doc.sections.push(warnings_section(&r));
    let failed: Vec<String> = r
        .warnings
        .iter()
        .filter(|w| w.contains(": could not be computed: "))
        .cloned()
        .collect();
    let summary = summary_section(&doc.sections, &failed);
    doc.sections.insert(0, summary);
    if let Some(b) = &r.bar {
        b.finish_and_clear();
    }
    results.insert("report_command".into(), json!(report_line(&a)));
    results.insert("commands".into(), json!(r.commands));
    results.insert("warnings".into(), json!(r.warnings));
    let html = doc.to_html();
    let write = |name: &str, text: &str| -> Result<()> {
        let p = a.out.join(name);
        std::fs::write(&p, text).map_err(|source| Error::Io { path: p, source })
    };
    write("report.html", &html)?;
    write(
        "results.json",
        &serde_json::to_string_pretty(&Value::Object(results))
            .map_err(|e| Error::option("--out", format!("could not write JSON: {e}")))?,
    )?;
    let mut out = Output::text(format!(
        "wrote {} ({} sections, {} analyses) and {} in {:.1} s\n",
        a.out.join("report.html").display(),
        doc.sections.len(),
        r.commands.len(),
        a.out.join("results.json").display(),
        started.elapsed().as_secs_f64()
    ));
    if !r.warnings.is_empty() {
        out.warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} analysis warnings; see the report's last section",
                r.warnings.len()
            ),
        ));
    }
    Ok(out)
}

/// What the study supports: its instruments with their datasets, the predictors and outcomes.
struct Plan {
    /// (instrument, dataset) in study order.
    instruments: Vec<(Instrument, Dataset)>,
    /// The instrument whose subscales predict (rated about a target, e.g. tblc).
    predictor: Option<Instrument>,
    /// Outcome subscales (`instrument:subscale`) with the dataset's group column.
    outcomes: Vec<(String, String)>,
}

impl Plan {
    fn new(study: &Study) -> Result<Plan> {
        let instruments: Vec<(Instrument, Dataset)> = study
            .instruments()?
            .into_iter()
            .map(|(i, d)| (i, d.clone()))
            .collect();
        let predictor = match study.predictors.first() {
            Some(first) => instruments
                .iter()
                .find(|(i, _)| study.lists(std::slice::from_ref(first), i))
                .map(|(i, _)| i.clone()),
            None => instruments
                .iter()
                .find(|(_, d)| d.target.is_some())
                .map(|(i, _)| i.clone()),
        };
        let outcomes = instruments
            .iter()
            .filter(|(i, d)| {
                if study.outcomes.is_empty() {
                    d.target.is_none()
                } else {
                    study.lists(&study.outcomes, i)
                }
            })
            .flat_map(|(i, d)| {
                i.subscales
                    .iter()
                    .map(|s| (format!("{}:{}", i.id, s.id), d.group.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(Plan {
            instruments,
            predictor,
            outcomes,
        })
    }

    /// Number of command runs, for the progress bar.
    fn stages(&self) -> usize {
        let multi = self
            .instruments
            .iter()
            .filter(|(i, _)| i.subscales.len() > 1)
            .count();
        let arenas = self
            .instruments
            .iter()
            .filter(|(i, d)| i.subscales.len() > 1 && d.arena.is_some())
            .count();
        let n = self.instruments.len();
        let reg = if self.predictor.is_some() {
            2 * self.outcomes.len()
        } else {
            0
        };
        1 + n + 4 * multi + arenas + n + reg + 2 * n
    }
}

/// `(subscale id, result)` pairs of a per-subscale JSON (or the single result).
fn scales_of(v: &Value) -> Vec<(String, Value)> {
    match v["scales"].as_array() {
        Some(a) => a
            .iter()
            .map(|s| (self::s(&s["scale"]), s.clone()))
            .collect(),
        None => vec![(String::new(), v.clone())],
    }
}
