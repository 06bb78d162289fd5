//! [`build`]: the whole validation pipeline a study supports, as one library call.
//!
//! Each analysis is the same [`Request`] its command runs, so every number in the report
//! equals what the command prints, and the report shows the command line under each result.
//! The typed outputs are read directly (a renamed field is a compile error, never a blank
//! cell); `results.json` holds their contract JSON; charts stay in memory until
//! [`Report::write`].
//!
//! Sections, in order: summary of verdicts, program evaluation (a study with an `[evaluation]`
//! table), study and data, item analysis and reliability,
//! dimensionality, CFA with construct validity and invariance, agreement and aggregation,
//! predictive validity, what the data say about the framework, profiles, warnings. Which analyses each section needs, and when a
//! failed analysis makes the whole report fail, is in `docs/report.md`.

mod agreement;
mod cfa;
mod data;
mod dimensionality;
mod framework;
mod overview;
mod plan;
mod prediction;
mod profiles;
mod program;
mod reliability;
mod summary;

pub use plan::Plan;

use crate::agreement::rwg::Null;
use crate::analysis::{shell_line, Outcome, Request};
use crate::cfa::Estimator;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::instrument::Instrument;
use crate::plot::{to_svg, Charts, Figure};
pub(crate) use crate::render::format::{cell, p_cell};
use crate::report::{Block, Document};
use crate::study::Study;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What the report runs and with which settings; `Default` is `trustscale report`'s defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The folder the report will be written to: the command lines under each result name
    /// their charts in `OUT/charts/`.
    pub out: PathBuf,
    /// Iterations of the parallel analysis.
    pub iterations: usize,
    /// Folds of the cross-validated R².
    pub cv: usize,
    /// Leaders whose profiles are drawn (default: the first three).
    pub leaders: Vec<String>,
    /// Seed of every resampling step.
    pub seed: u64,
    /// CFA estimator: `auto` (chosen per instrument from the answers, see
    /// [`crate::cfa::choice`]) or an estimator name (`ml`, `mlr`, `wlsmv`, `dwls`, `ulsmv`,
    /// `uls`) for every instrument.
    pub estimator: String,
    /// Null distribution of rwg(j).
    pub null: String,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            out: PathBuf::from("report"),
            iterations: 100,
            cv: 10,
            leaders: Vec::new(),
            seed: 1,
            estimator: "auto".into(),
            null: "uniform".into(),
        }
    }
}

impl ReportOptions {
    /// Checks the settings before anything runs.
    pub fn validate(&self) -> Result<()> {
        if self.cv < 2 {
            return Err(Error::option("--cv", "use at least 2 folds"));
        }
        if self.iterations == 0 {
            return Err(Error::option(
                "--iterations",
                "expected at least 1 iteration, found 0",
            ));
        }
        use crate::error::limits;
        limits::count("--iterations", self.iterations, limits::RESAMPLES)?;
        limits::count("--cv", self.cv, 1_000)?;
        if !self.estimator.eq_ignore_ascii_case("auto") {
            Estimator::from_str(&self.estimator).map_err(|_| {
                Error::option(
                    "--estimator",
                    format!(
                        "expected auto, ml, mlr, wlsmv, dwls, ulsmv or uls, found \"{}\"",
                        self.estimator
                    ),
                )
            })?;
        }
        crate::agreement::rwg::Null::parse(&self.null)?;
        Ok(())
    }

    /// The report's own command line with every setting spelled out, defaults included, so
    /// that a reader can rerun it as it was.
    pub fn command_line(&self, study: &Path) -> Vec<String> {
        let mut argv: Vec<String> = [
            "trustscale",
            "report",
            "--study",
            &study.display().to_string(),
            "--out",
            &self.out.display().to_string(),
            "--estimator",
            &self.estimator,
            "--null",
            &self.null,
            "--iterations",
            &self.iterations.to_string(),
            "--cv",
            &self.cv.to_string(),
            "--seed",
            &self.seed.to_string(),
        ]
        .map(String::from)
        .to_vec();
        if !self.leaders.is_empty() {
            argv.push("--leaders".into());
            argv.push(self.leaders.join(","));
        }
        argv
    }
}

/// Where the pipeline is, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The number of analyses the study supports (before the first runs).
    Start(usize),
    /// An analysis is about to run (`reliability tblc`).
    Stage(String),
    /// An analysis has finished.
    Done,
}

/// A built report, in memory.
#[derive(Debug, Clone)]
pub struct Report {
    /// The document (rendered by [`Report::html`]).
    pub document: Document,
    /// `results.json`: every analysis's contract JSON by section and instrument, the command
    /// lines, the report's own command line and the warnings.
    pub results: Map<String, Value>,
    /// The charts, as (file name under `charts/`, SVG).
    pub charts: Vec<(String, String)>,
    /// The command lines of the analyses, in the order they ran.
    pub commands: Vec<String>,
    /// Every warning, as `stage: message`.
    pub warnings: Vec<String>,
    /// The analyses that could not be computed (`stage: could not be computed: why`).
    pub failed: Vec<String>,
}

/// Analyses whose failure leaves every section of the report standing: each adds to a section
/// whose main analysis ran (invariance to the CFA, the general factor to dimensionality, the
/// multilevel model to the regression on group means, the drawn profiles to the profile
/// tables). The stage names they run under start with these words.
pub const SUPPLEMENTARY: [&str; 5] = [
    "invariance ",
    "sensitivity ",
    "omega ",
    "multilevel ",
    "profile charts ",
];

impl Report {
    /// The analyses that could not be computed and whose section therefore does not stand
    /// (every failure but the [`SUPPLEMENTARY`] ones); the binary exits with status 2 when
    /// there is one, after writing the report.
    pub fn essential_failures(&self) -> Vec<String> {
        self.failed
            .iter()
            .filter(|f| !SUPPLEMENTARY.iter().any(|s| f.starts_with(s)))
            .cloned()
            .collect()
    }

    /// The self-contained HTML page.
    pub fn html(&self) -> String {
        self.document.to_html()
    }

    /// `results.json` as pretty-printed JSON.
    pub fn results_json(&self) -> Result<String> {
        serde_json::to_string_pretty(&Value::Object(self.results.clone()))
            .map_err(|e| Error::option("--out", format!("could not write JSON: {e}")))
    }

    /// Writes `DIR/report.html`, `DIR/results.json` and `DIR/charts/` (folders created), and
    /// the manifest [`MANIFEST`] listing them.
    ///
    /// `DIR` must be new, empty, or hold an earlier report (its manifest): the files that
    /// report wrote are removed first, so no stale chart stays behind. A folder holding
    /// anything else is refused (see [`Report::write_with`] to write there anyway).
    pub fn write(&self, dir: &Path) -> Result<()> {
        self.write_with(dir, false)
    }

    /// [`Report::write`]; with `force`, also into a non-empty folder that holds no earlier
    /// report (its files are left alone, same-named ones overwritten).
    pub fn write_with(&self, dir: &Path, force: bool) -> Result<()> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let manifest = dir.join(MANIFEST);
        check_out_dir(dir, force)?;
        if dir.exists() && manifest.is_file() {
            // an earlier report: remove exactly the files it wrote
            let text = std::fs::read_to_string(&manifest).map_err(io(&manifest))?;
            for line in text.lines().skip(1) {
                let rel = Path::new(line);
                let safe = !line.is_empty()
                    && rel
                        .components()
                        .all(|c| matches!(c, std::path::Component::Normal(_)));
                let p = dir.join(rel);
                if safe && p.is_file() {
                    std::fs::remove_file(&p).map_err(io(&p))?;
                }
            }
            let charts = dir.join("charts");
            if charts.is_dir()
                && std::fs::read_dir(&charts)
                    .map_err(io(&charts))?
                    .next()
                    .is_none()
            {
                std::fs::remove_dir(&charts).map_err(io(&charts))?;
            }
        }
        let charts = dir.join("charts");
        std::fs::create_dir_all(&charts).map_err(io(&charts))?;
        let write = |p: PathBuf, text: &str| -> Result<()> {
            std::fs::write(&p, text).map_err(|source| Error::Io { path: p, source })
        };
        let mut listed = vec![MANIFEST_HEADER.to_string()];
        for (name, svg) in &self.charts {
            write(charts.join(name), svg)?;
            listed.push(format!("charts/{name}"));
        }
        write(dir.join("report.html"), &self.html())?;
        write(dir.join("results.json"), &self.results_json()?)?;
        listed.push("report.html".into());
        listed.push("results.json".into());
        write(manifest, &(listed.join("\n") + "\n"))
    }
}

/// The file in a report folder listing what the report wrote (one relative path a line after
/// a header line), so that a rerun removes exactly those files.
pub const MANIFEST: &str = ".trustscale-report";

/// Checks that a report may be written into `dir`: new, empty, holding an earlier report (its
/// [`MANIFEST`]), or `force`. Run before the (long) build, and again by [`Report::write_with`].
pub fn check_out_dir(dir: &Path, force: bool) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(Error::option(
            "--out",
            format!("{} exists and is not a folder", dir.display()),
        ));
    }
    if force || dir.join(MANIFEST).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if entries.next().is_some() {
        return Err(Error::option(
            "--out",
            format!(
                "{} is not empty and holds no earlier trustscale report; choose a new folder, empty it, or add --force to write into it",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// The manifest's first line.
const MANIFEST_HEADER: &str =
    "# files written by trustscale report (removed when a report is written here again)";

/// Builds the validation report of a study: every analysis the study supports, in memory.
///
/// Fails only when the options are invalid or the study's instruments cannot be loaded; an
/// analysis that cannot be computed is named in the report (and in [`Report::failed`]) and the
/// other sections are still built.
pub fn build(study: &Study, opts: &ReportOptions) -> Result<Report> {
    build_with_progress(study, opts, &mut |_| {})
}

/// [`build`], telling `progress` where it is (for a progress bar).
pub fn build_with_progress(
    study: &Study,
    opts: &ReportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report> {
    opts.validate()?;
    let estimator = if opts.estimator.eq_ignore_ascii_case("auto") {
        None
    } else {
        Some(Estimator::from_str(&opts.estimator)?)
    };
    let null = Null::parse(&opts.null)?;
    // every data file must be there, as `study check` requires
    for d in &study.datasets {
        crate::error::limits::regular_file(&study.path_of(d))?;
    }
    let plan = Plan::new(study)?;
    // the analyses, and a `describe` of each dataset
    progress(Progress::Start(plan.stages() + study.datasets.len()));
    let mut r = Runner {
        study_path: study.file.clone(),
        charts_dir: opts.out.join("charts"),
        commands: Vec::new(),
        warnings: Vec::new(),
        failed: Vec::new(),
        charts: Vec::new(),
        progress,
    };
    let report_line = shell_line(&opts.command_line(&study.file));
    let mut results = Map::new();
    let mut doc = Document {
        title: if study.title.is_empty() {
            "Validation report".into()
        } else {
            format!("Validation report: {}", study.title)
        },
        subtitle: vec![
            format!("Study file: {}", study.file.display()),
            format!("Written by: {report_line}"),
            "Every number below can be reproduced with the command shown under it.".into(),
        ],
        sections: Vec::new(),
    };
    // a study with waves or arms opens with the program evaluation (for funders)
    let program = program::program_section(&mut r, study, &mut results);
    doc.sections.extend(program.clone());
    doc.sections
        .push(overview::overview(&mut r, study, &plan, &mut results));
    doc.sections.push(reliability::reliability_section(
        &mut r,
        &plan,
        &mut results,
    ));
    doc.sections.push(dimensionality::dimensionality_section(
        &mut r,
        &plan,
        opts,
        &mut results,
    ));
    doc.sections
        .push(cfa::cfa_section(&mut r, &plan, estimator, &mut results));
    doc.sections.push(agreement::agreement_section(
        &mut r,
        &plan,
        opts,
        null,
        &mut results,
    ));
    doc.sections.push(prediction::prediction_section(
        &mut r,
        &plan,
        opts,
        &mut results,
    ));
    doc.sections.push(framework::framework_section(
        &mut r,
        &plan,
        opts,
        &mut results,
    ));
    doc.sections
        .push(profiles::profile_section(&mut r, &plan, opts, &mut results));
    doc.sections.push(summary::warnings_section(&r.warnings));
    let mut summary = summary::summary_section(&doc.sections, &r.failed);
    if let Some(p) = &program {
        program::lead_summary(&mut summary, p);
    }
    doc.sections.insert(0, summary);
    results.insert("report_command".into(), Value::String(report_line));
    results.insert(
        "commands".into(),
        Value::Array(r.commands.iter().cloned().map(Value::String).collect()),
    );
    results.insert(
        "warnings".into(),
        Value::Array(r.warnings.iter().cloned().map(Value::String).collect()),
    );
    Ok(Report {
        document: doc,
        results,
        charts: r.charts,
        commands: r.commands,
        warnings: r.warnings,
        failed: r.failed,
    })
}

/// A value that may not exist, as a number (`NaN` when it does not): the cell formatters
/// print a dash for it.
pub(crate) fn nan(x: impl Into<Maybe>) -> f64 {
    x.into().0
}

/// A number or none, for [`nan`].
pub(crate) struct Maybe(f64);

impl From<f64> for Maybe {
    fn from(x: f64) -> Self {
        Maybe(x)
    }
}

impl From<Option<f64>> for Maybe {
    fn from(x: Option<f64>) -> Self {
        Maybe(x.unwrap_or(f64::NAN))
    }
}

/// A subscale's display name (also for the lavaan-safe factor names of an instrument's CFA
/// model, which spell `-` as `_`).
pub(crate) fn sub_name(inst: &Instrument, id: &str) -> String {
    inst.subscale(id)
        .or_else(|| inst.subscales.iter().find(|s| s.id.replace('-', "_") == id))
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

/// Runs the analyses of one report and keeps their command lines, warnings and charts.
pub(crate) struct Runner<'a> {
    /// The study file, as the user named it (the requests read it; the command lines show it).
    pub(crate) study_path: PathBuf,
    /// Where the charts will be (for the command lines).
    charts_dir: PathBuf,
    commands: Vec<String>,
    warnings: Vec<String>,
    failed: Vec<String>,
    charts: Vec<(String, String)>,
    progress: &'a mut dyn FnMut(Progress),
}

/// One analysis run: its output, or why it could not be run.
pub(crate) type Ran<T> = std::result::Result<T, String>;

impl Runner<'_> {
    /// Runs a request whose chart (if any) is `chart` (a file name under `charts/` without
    /// `.svg`), recording its command line and warnings; `expected` is part of a note the
    /// report's options are known to raise (left out of the warnings: the section says what
    /// it implies).
    pub(crate) fn run<R: Request>(
        &mut self,
        stage: &str,
        req: &R,
        chart: Option<&str>,
        expected: Option<&str>,
    ) -> Ran<R::Output> {
        (self.progress)(Progress::Stage(stage.to_string()));
        let plot = chart.map(|c| self.chart_path(c));
        self.commands
            .push(shell_line(&req.command_line(plot.as_deref(), true)));
        let out = req.run();
        (self.progress)(Progress::Done);
        match out {
            Ok(out) => {
                self.warnings.extend(
                    out.warnings()
                        .iter()
                        .filter(|w: &&Warning| {
                            !(w.code == WarningCode::Note
                                && expected.is_some_and(|e| w.message.contains(e)))
                        })
                        .map(|w| format!("{stage}: {}", w.message)),
                );
                Ok(out)
            }
            Err(e) => {
                let e = e.to_string();
                let line = format!("{stage}: could not be computed: {e}");
                self.warnings.push(line.clone());
                self.failed.push(line);
                Err(e)
            }
        }
    }

    /// The charts of an output, drawn as SVG and kept as `charts/NAME.svg` (and
    /// `NAME-SUFFIX.svg` for companions); returns (suffix, SVG) in order. A chart that cannot
    /// be drawn is left out with a warning.
    pub(crate) fn charts(
        &mut self,
        stage: &str,
        name: &str,
        out: &impl Charts,
    ) -> Vec<(Option<String>, String)> {
        let charts = match out.charts() {
            Ok(c) => c,
            Err(e) => {
                self.warnings.push(format!("{stage}: {e}"));
                return Vec::new();
            }
        };
        let mut drawn = Vec::new();
        for c in charts {
            match to_svg(&c.chart) {
                Ok(svg) => {
                    let file = match &c.suffix {
                        None => format!("{name}.svg"),
                        Some(s) => format!("{name}-{s}.svg"),
                    };
                    self.charts.push((file, svg.clone()));
                    drawn.push((c.suffix, svg));
                }
                Err(e) => self.warnings.push(format!("{stage}: {e}")),
            }
        }
        drawn
    }

    /// A chart the report draws itself, kept as `charts/NAME.svg`; its SVG.
    pub(crate) fn figure(&mut self, stage: &str, name: &str, f: &impl Figure) -> Option<String> {
        match to_svg(f) {
            Ok(svg) => {
                self.charts.push((format!("{name}.svg"), svg.clone()));
                Some(svg)
            }
            Err(e) => {
                self.warnings.push(format!("{stage}: {e}"));
                None
            }
        }
    }

    /// An output's contract JSON, for `results.json`.
    pub(crate) fn json(&mut self, out: &impl serde::Serialize) -> Value {
        serde_json::to_value(out).unwrap_or(Value::Null)
    }

    /// The last command line, as a block under its results.
    pub(crate) fn last_command(&self) -> Block {
        Block::Command(self.commands.last().cloned().unwrap_or_default())
    }

    fn chart_path(&self, name: &str) -> PathBuf {
        self.charts_dir.join(format!("{name}.svg"))
    }
}
