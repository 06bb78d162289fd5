//! `trustscale report --study FILE --out DIR`: the whole validation pipeline a study supports,
//! written as `DIR/report.html` (self-contained), `DIR/results.json` and `DIR/charts/`.
//!
//! Each analysis runs through the same code path as its command (the command line is built,
//! parsed and run in-process with `--json` and `--plot`), so every number in the report equals
//! what the individual command prints, and the report lists those command lines.

use super::{Cli, Output};
use clap::Parser;
use serde_json::{json, Map, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use trustscale::instrument::{self, Instrument};
use trustscale::plot::apa;
use trustscale::report::verdict::{self, ci_text, p_text, Level};
use trustscale::report::{ApaTable, Block, Document, Section};
use trustscale::study::{Dataset, Study};
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
        let mut instruments = Vec::new();
        for ds in &study.datasets {
            for id in &ds.instruments {
                instruments.push((instrument::load(id)?, ds.clone()));
            }
        }
        let predictor = match study.predictors.first() {
            Some(id) => instruments
                .iter()
                .find(|(i, _)| i.id == *id)
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
                    study.outcomes.contains(&i.id)
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

fn overview(r: &mut Runner, study: &Study, results: &mut Map<String, Value>) -> Section {
    let mut blocks = Vec::new();
    if !study.description.is_empty() {
        blocks.push(Block::Para(study.description.clone()));
    }
    let path = study.file.display().to_string();
    match r.run("study check", &["study", "check", &path]) {
        Ok(v) => {
            let mut rows = Vec::new();
            for d in v.as_array().into_iter().flatten() {
                let forms = d["forms"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, n)| format!("{k} {n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let sizes = d["group_size"]
                    .as_array()
                    .map(|a| format!("{}–{}", a[0], a[1]))
                    .unwrap_or_default();
                rows.push(vec![
                    s(&d["name"]),
                    d["rows"].to_string(),
                    d["groups"].to_string(),
                    d["targets"].as_u64().map_or("–".into(), |t| t.to_string()),
                    sizes,
                    forms,
                    d["arenas"].as_object().map_or(0, |m| m.len()).to_string(),
                    d["instruments"]
                        .as_object()
                        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                    d["missing_cells"].to_string(),
                ]);
            }
            blocks.push(Block::Table(ApaTable {
                title: "Datasets of the study".into(),
                header: [
                    "Dataset",
                    "Rows",
                    "Groups",
                    "Rated leaders",
                    "Rows per group",
                    "Forms",
                    "Arenas",
                    "Instruments",
                    "Missing cells",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                note: Some(
                    "Psychometric analyses of instruments with a self and an observer form use the observer (collaborator) rows.".into(),
                ),
            }));
            results.insert("study".into(), v);
        }
        Err(e) => blocks.push(Block::Warning(e)),
    }
    blocks.push(r.last_command());
    Section {
        id: "study".into(),
        title: "Study and data".into(),
        blocks,
    }
}

fn reliability_section(r: &mut Runner, plan: &Plan, results: &mut Map<String, Value>) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Internal consistency of every subscale: Cronbach's alpha with Feldt's 95% interval and McDonald's omega total from a one-factor model of the subscale's items (each subscale is meant to measure one competency; whether a general factor runs through the subscales is asked under Dimensionality). Cut-offs: {}.",
        verdict::RELIABILITY_CUTOFFS
    ))];
    let mut all = Map::new();
    for (inst, _) in &plan.instruments {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = r.chart(&format!("reliability-{}", inst.id));
        let chart_s = chart.display().to_string();
        let v = r.run_expecting(
            &format!("reliability {}", inst.id),
            &[
                "reliability",
                "--instrument",
                &inst.id,
                "--omega-factors",
                "1",
                "--plot",
                &chart_s,
            ],
            Some("not meaningful with one factor"),
        );
        let cmd = r.commands.last().cloned().unwrap_or_default();
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        let scales = scales_of(&v);
        let mut rows = Vec::new();
        let mut figures = Vec::new();
        for (id, sc) in &scales {
            let alpha = f(&sc["alpha"]);
            let ci = &sc["alpha_ci"];
            let (level, word) = verdict::reliability(alpha);
            let name = sub_name(inst, id);
            blocks.push(Block::Verdict(
                level,
                format!(
                    "{name}: Cronbach's alpha = {} {}: {word}.",
                    apa(alpha, 2, true),
                    ci_text(f(&ci[0]), f(&ci[1]), 2, true)
                ),
            ));
            let weak: Vec<String> = sc["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|it| f(&it["r_drop"]) < 0.3 || f(&it["alpha_if_deleted"]) > alpha + 0.01)
                .map(|it| s(&it["item"]))
                .collect();
            if !weak.is_empty() {
                blocks.push(Block::Verdict(
                    Level::Fair,
                    format!(
                        "{name}: items {} have a corrected item-total r below .30 or raise alpha when deleted; review their wording.",
                        weak.join(", ")
                    ),
                ));
            }
            rows.push(vec![
                name.clone(),
                sc["k"].to_string(),
                sc["n"].to_string(),
                apa(alpha, 2, true),
                ci_text(f(&ci[0]), f(&ci[1]), 2, true),
                cell(f(&sc["omega_total"]), 2, true),
                apa(f(&sc["average_r"]), 2, true),
                word.to_string(),
            ]);
            let path = if scales.len() > 1 {
                super::common::plot_path(&chart, id)
            } else {
                chart.clone()
            };
            if let Some(svg) = r.svg_of(&path) {
                figures.push((
                    svg,
                    format!(
                        "Item analysis of {name}: corrected item-total correlations and alpha if the item is deleted; the line marks the scale's alpha."
                    ),
                ));
            }
        }
        blocks.push(Block::Table(ApaTable {
            title: format!("Reliability of the {} subscales", inst.title),
            header: ["Subscale", "k", "n", "α", "95% CI", "ω", "Mean r", "Verdict"]
                .map(String::from)
                .to_vec(),
            rows,
            note: Some("α = Cronbach's alpha with Feldt's interval; ω = McDonald's omega total of a one-factor model (minres, as R psych::omega with nfactors = 1); mean r = average inter-item correlation.".into()),
        }));
        blocks.push(Block::Gallery(figures));
        blocks.push(Block::Command(cmd));
        all.insert(inst.id.clone(), v);
    }
    results.insert("reliability".into(), Value::Object(all));
    Section {
        id: "reliability".into(),
        title: "Item analysis and reliability".into(),
        blocks,
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

fn dimensionality_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(
        "How many dimensions the items measure: Horn's parallel analysis (95th percentile of simulated eigenvalues), an exploratory factor analysis (minres, oblimin) with as many factors as the instrument has subscales, and McDonald's hierarchical omega of all items (Schmid–Leiman): does a general factor run through the subscales? Sampling adequacy after Kaiser (1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre. General factor: ωh ≥ .80 means essentially unidimensional (Rodriguez, Reise & Haviland, 2016).".into(),
    )];
    let mut par_all = Map::new();
    let mut efa_all = Map::new();
    let mut omega_all = Map::new();
    let iters = a.iterations.to_string();
    let seed = a.seed.to_string();
    for (inst, _) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let scree = r.chart(&format!("scree-{}", inst.id));
        let scree_s = scree.display().to_string();
        match r.run(
            &format!("parallel {}", inst.id),
            &[
                "parallel",
                "--instrument",
                &inst.id,
                "--iterations",
                &iters,
                "--seed",
                &seed,
                "--plot",
                &scree_s,
            ],
        ) {
            Ok(v) => {
                let k = v["suggested_factors"].as_u64().unwrap_or(0) as usize;
                let m = inst.subscales.len();
                let (level, word) = if k == m {
                    (Level::Good, "as the instrument intends")
                } else if k + 1 == m || k == m + 1 {
                    (Level::Fair, "close to the instrument's design")
                } else {
                    (Level::Poor, "unlike the instrument's design")
                };
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "Parallel analysis suggests {k} factors and {} components; the instrument has {m} subscales: {word}.",
                        v["suggested_components"]
                    ),
                ));
                if let Some(svg) = r.svg_of(&scree) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Scree plot of the {} items with parallel-analysis references ({} simulated data sets).", inst.id, a.iterations),
                    });
                }
                par_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let heat = r.chart(&format!("efa-{}", inst.id));
        let heat_s = heat.display().to_string();
        match r.run(
            &format!("efa {}", inst.id),
            &["efa", "--instrument", &inst.id, "--plot", &heat_s],
        ) {
            Ok(v) => {
                let kmo = f(&v["kmo"]);
                let (level, word) = verdict::kmo(kmo);
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "Sampling adequacy KMO = {}: {word}; Bartlett's test χ²({}) = {:.1}, {}.",
                        apa(kmo, 2, true),
                        v["bartlett"]["df"],
                        f(&v["bartlett"]["chi2"]),
                        p_text(f(&v["bartlett"]["p"]))
                    ),
                ));
                let flagged: Vec<String> = v["item_flags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| !x["flag"].is_null())
                    .map(|x| format!("{} ({})", s(&x["item"]), s(&x["flag"])))
                    .collect();
                blocks.push(if flagged.is_empty() {
                    Block::Verdict(
                        Level::Good,
                        format!(
                            "Every item loads most on its own subscale's factor, at or above {}.",
                            apa(f(&v["cutoff"]), 2, true)
                        ),
                    )
                } else {
                    Block::Verdict(
                        Level::Fair,
                        format!(
                            "Items that load on a foreign factor or weakly: {}.",
                            flagged.join(", ")
                        ),
                    )
                });
                let rows = v["subscale_factors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| {
                        vec![
                            sub_name(inst, &s(&x["subscale"])),
                            x["factor"].as_u64().map_or("–".into(), |k| format!("F{k}")),
                            apa(f(&x["mean_abs_loading"]), 2, true),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!("Factors found for the {} subscales", inst.title),
                    header: ["Subscale", "Factor", "Mean |loading|"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!(
                        "EFA: {} extraction, {} rotation, n = {}; RMSEA = {}, TLI = {}.",
                        s(&v["extraction"]),
                        s(&v["rotation"]),
                        v["n"],
                        apa(f(&v["fit"]["rmsea"]), 3, true),
                        apa(f(&v["fit"]["tli"]), 3, false)
                    )),
                }));
                if let Some(svg) = r.svg_of(&heat) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: "Pattern loadings; items are grouped and coloured by their intended subscale, factors ordered by the subscale each stands for.".into(),
                    });
                }
                efa_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        general_factor(r, inst, &mut blocks, &mut omega_all);
    }
    results.insert("parallel".into(), Value::Object(par_all));
    results.insert("efa".into(), Value::Object(efa_all));
    results.insert("omega".into(), Value::Object(omega_all));
    Section {
        id: "dimensionality".into(),
        title: "Dimensionality".into(),
        blocks,
    }
}

/// The bifactor view of an instrument (`omega --whole`): how strong a general factor runs
/// through its subscales (ωh, ECV), and how much reliable variance each subscale keeps beyond
/// it (ωhs).
fn general_factor(
    r: &mut Runner,
    inst: &Instrument,
    blocks: &mut Vec<Block>,
    all: &mut Map<String, Value>,
) {
    let chart = r.chart(&format!("omega-{}", inst.id));
    let chart_s = chart.display().to_string();
    let v = match r.run(
        &format!("omega {}", inst.id),
        &[
            "omega",
            "--instrument",
            &inst.id,
            "--whole",
            "--plot",
            &chart_s,
        ],
    ) {
        Ok(v) => v,
        Err(e) => {
            blocks.push(Block::Warning(e));
            blocks.push(r.last_command());
            return;
        }
    };
    let oh = f(&v["omega_hierarchical"]);
    let (level, word) = verdict::general_factor(oh);
    blocks.push(Block::Verdict(
        level,
        format!(
            "General factor over the {} subscales: ωh = {}, ωt = {}, explained common variance {}: {word}.",
            inst.subscales.len(),
            apa(oh, 2, true),
            apa(f(&v["omega_total"]), 2, true),
            apa(f(&v["ecv"]), 2, true),
        ),
    ));
    // each group factor stands for the subscale most of its items come from
    let items: Vec<String> = v["items"].as_array().into_iter().flatten().map(s).collect();
    let mut rows: Vec<(usize, Vec<String>)> = v["omega_group"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| s(&g["factor"]) != "g")
        .map(|g| {
            let its: Vec<String> = g["items"].as_array().into_iter().flatten().map(s).collect();
            let subscale = inst
                .subscales
                .iter()
                .enumerate()
                .max_by_key(|(_, sc)| {
                    inst.items_of(&sc.id)
                        .filter(|it| its.contains(&it.id))
                        .count()
                })
                .filter(|_| !its.is_empty());
            let order = subscale.map_or(usize::MAX, |(i, _)| i);
            let name = subscale.map_or_else(|| "–".to_string(), |(_, sc)| sc.name.clone());
            (
                order,
                vec![
                    name,
                    s(&g["factor"]),
                    its.len().to_string(),
                    cell(f(&g["total"]), 2, true),
                    cell(f(&g["general"]), 2, true),
                    cell(f(&g["group"]), 2, true),
                ],
            )
        })
        .collect();
    // in the instrument's order of subscales
    rows.sort_by_key(|(order, _)| *order);
    let rows = rows.into_iter().map(|(_, row)| row).collect();
    blocks.push(Block::Table(ApaTable {
        title: format!("Omega of the {} subscales under a general factor", inst.title),
        header: ["Subscale", "Factor", "Items", "ω", "ωh (general)", "ωhs (own factor)"]
            .map(String::from)
            .to_vec(),
        rows,
        note: Some(format!(
            "Schmid–Leiman solution of all {} items with {} group factors (minres, oblimin, as R psych::omega). ω = omega total of the subscale's items; ωh = the share of their score variance due to the general factor; ωhs = the share due to the subscale's own factor beyond the general one (Reise, Bonifay & Haviland, 2013).",
            items.len(),
            v["factors"]
        )),
    }));
    if let Some(svg) = r.svg_of(&chart) {
        blocks.push(Block::Figure {
            svg,
            caption: "Schmid–Leiman loadings: the general factor g, the group factors and the communalities h2; items grouped and coloured by their intended subscale.".into(),
        });
    }
    blocks.push(r.last_command());
    all.insert(inst.id.clone(), v);
}

fn cfa_section(r: &mut Runner, plan: &Plan, a: &Args, results: &mut Map<String, Value>) -> Section {
    let est = a.estimator.to_ascii_lowercase();
    let mut blocks = vec![Block::Para(format!(
        "Confirmatory factor analysis of each instrument's intended structure (one factor per subscale, {}). Fit cut-offs: {}. Construct validity: composite reliability ≥ .70 and AVE ≥ .50 (convergent), √AVE above the factor's correlations (Fornell–Larcker) and HTMT below .85 (discriminant). Measurement invariance across arenas: a step holds when CFI drops by at most .010 and RMSEA rises by at most .015 (Chen, 2007).",
        est.to_uppercase(),
        verdict::FIT_CUTOFFS
    ))];
    let mut cfa_all = Map::new();
    let mut inv_all = Map::new();
    for (inst, ds) in plan
        .instruments
        .iter()
        .filter(|(i, _)| i.subscales.len() > 1)
    {
        blocks.push(Block::Heading(format!("{} ({})", inst.title, inst.id)));
        let chart = r.chart(&format!("cfa-{}", inst.id));
        let chart_s = chart.display().to_string();
        match r.run(
            &format!("cfa {}", inst.id),
            &[
                "cfa",
                "--instrument",
                &inst.id,
                "--estimator",
                &est,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let fit = &v["fit"];
                let (level, word) = verdict::fit(
                    f(&fit["cfi"]),
                    f(&fit["tli"]),
                    f(&fit["rmsea"]),
                    f(&fit["srmr"]),
                );
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "χ²({}) = {:.1}, {}; CFI = {}, TLI = {}, RMSEA = {} {}, SRMR = {}: {word}.",
                        fit["df"],
                        f(&fit["chisq"]),
                        p_text(f(&fit["pvalue"])),
                        apa(f(&fit["cfi"]), 3, true),
                        apa(f(&fit["tli"]), 3, false),
                        apa(f(&fit["rmsea"]), 3, true),
                        ci_text(f(&fit["rmsea_ci"][0]), f(&fit["rmsea_ci"][1]), 3, true),
                        apa(f(&fit["srmr"]), 3, true)
                    ),
                ));
                let mut rows = Vec::new();
                // factors short of the cut-offs, by the verdict's level: AVE only (fair), or CR
                let mut low_ave = Vec::new();
                let mut low_cr = Vec::new();
                for x in v["validity"]["factors"].as_array().into_iter().flatten() {
                    let (cr, ave) = (f(&x["cr"]), f(&x["ave"]));
                    let (level, word) = verdict::convergent(cr, ave);
                    let name = sub_name(inst, &s(&x["factor"]));
                    match level {
                        Level::Fair => low_ave.push(format!("{name} ({})", apa(ave, 2, true))),
                        Level::Poor => low_cr.push(format!("{name} ({})", apa(cr, 2, true))),
                        _ => {}
                    }
                    rows.push(vec![
                        sub_name(inst, &s(&x["factor"])),
                        apa(cr, 2, true),
                        apa(ave, 2, true),
                        apa(f(&x["sqrt_ave"]), 2, true),
                        apa(f(&x["max_factor_correlation"]), 2, true),
                        if x["fornell_larcker"].as_bool() == Some(true) {
                            "yes"
                        } else {
                            "no"
                        }
                        .into(),
                        word.into(),
                    ]);
                }
                let htmt_bad: Vec<String> = v["validity"]["htmt"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|h| h["above_cutoff"].as_bool() == Some(true))
                    .map(|h| {
                        format!(
                            "{}–{} ({})",
                            sub_name(inst, &s(&h["factor1"])),
                            sub_name(inst, &s(&h["factor2"])),
                            apa(f(&h["htmt"]), 2, true)
                        )
                    })
                    .collect();
                if low_ave.is_empty() && low_cr.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Good,
                        "Every factor has composite reliability ≥ .70 and AVE ≥ .50.".into(),
                    ));
                }
                if !low_cr.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Poor,
                        format!(
                            "Composite reliability below .70 (CR in brackets): {}.",
                            low_cr.join(", ")
                        ),
                    ));
                }
                if !low_ave.is_empty() {
                    blocks.push(Block::Verdict(
                        Level::Fair,
                        format!(
                            "Reliable (CR ≥ .70), but the items share less than half their variance with their factor (AVE below .50, in brackets): {}.",
                            low_ave.join(", ")
                        ),
                    ));
                }
                blocks.push(if htmt_bad.is_empty() {
                    Block::Verdict(
                        Level::Good,
                        "Discriminant validity: every HTMT ratio is below .85.".into(),
                    )
                } else {
                    Block::Verdict(
                        Level::Poor,
                        format!("HTMT at or above .85: {}.", htmt_bad.join(", ")),
                    )
                });
                blocks.push(Block::Table(ApaTable {
                    title: format!("Construct validity of the {} factors", inst.title),
                    header: ["Factor", "CR", "AVE", "√AVE", "Max r", "Fornell–Larcker", "Verdict"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some("CR = composite reliability; AVE = average variance extracted; max r = the factor's largest correlation with another factor.".into()),
                }));
                for (path, caption) in [
                    (chart.clone(), "Standardised loadings with delta-method 95% intervals; grey lines at .50 and .70."),
                    (super::common::plot_path(&chart, "factors"), "Factor correlations (standardised)."),
                ] {
                    if let Some(svg) = r.svg_of(&path) {
                        blocks.push(Block::Figure { svg, caption: caption.into() });
                    }
                }
                cfa_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        let Some(arena) = &ds.arena else {
            continue;
        };
        match r.run(
            &format!("invariance {}", inst.id),
            &[
                "cfa",
                "--instrument",
                &inst.id,
                "--estimator",
                &est,
                "--group",
                arena,
            ],
        ) {
            Ok(v) => {
                let inv = &v["invariance"];
                let steps = inv["steps"].as_array().cloned().unwrap_or_default();
                let mut reached = String::from("none");
                let mut broken = false;
                let mut rows = Vec::new();
                for st in &steps {
                    let model = s(&st["model"]);
                    let holds = st["holds"].as_bool();
                    broken |= holds == Some(false);
                    if !broken {
                        reached = model.clone();
                    }
                    rows.push(vec![
                        model,
                        format!("{:.1}", f(&st["chisq"])),
                        st["df"].to_string(),
                        apa(f(&st["cfi"]), 3, true),
                        apa(f(&st["rmsea"]), 3, true),
                        apa(f(&st["srmr"]), 3, true),
                        st["chisq_diff"]
                            .as_f64()
                            .map_or("–".into(), |x| format!("{x:.1}")),
                        st["df_diff"].as_u64().map_or("–".into(), |x| x.to_string()),
                        st["p_diff"].as_f64().map_or("–".into(), p_cell),
                        st["delta_cfi"]
                            .as_f64()
                            .map_or("–".into(), |x| apa(x, 3, true)),
                        st["delta_rmsea"]
                            .as_f64()
                            .map_or("–".into(), |x| apa(x, 3, true)),
                        match holds {
                            Some(true) => "holds".into(),
                            Some(false) => "does not hold".into(),
                            None => "–".into(),
                        },
                    ]);
                }
                let ngroups = inv["groups"].as_array().map_or(0, |g| g.len());
                let (level, text) = match reached.as_str() {
                    "scalar" => (Level::Good, format!("Scalar invariance holds across the {ngroups} arenas: subscale means can be compared between arenas.")),
                    "metric" => (Level::Fair, format!("Metric invariance holds across the {ngroups} arenas (loadings equal), scalar invariance does not: compare relations, not means, between arenas.")),
                    "configural" => (Level::Fair, format!("Only configural invariance holds across the {ngroups} arenas: the same structure, but loadings differ.")),
                    _ => (Level::Poor, "The structure differs between arenas.".into()),
                };
                blocks.push(Block::Verdict(level, text));
                blocks.push(Block::Table(ApaTable {
                    title: format!("Measurement invariance of {} across arenas", inst.title),
                    header: ["Model", "χ²", "df", "CFI", "RMSEA", "SRMR", "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA", "Step"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some("Each step adds equality constraints to the previous one: metric (loadings), scalar (loadings and intercepts).".into()),
                }));
                inv_all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("cfa".into(), Value::Object(cfa_all));
    results.insert("invariance".into(), Value::Object(inv_all));
    Section {
        id: "cfa".into(),
        title: "Confirmatory factor analysis".into(),
        blocks,
    }
}

fn agreement_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "Can ratings be aggregated? Leader instruments: do a leader's collaborators agree about them; group instruments: do a group's members agree about their group. Cut-offs: mean rwg(j) ≥ .70 ({} null; LeBreton & Senter, 2008), ICC(1) ≥ .05 with a significant F test, ICC(2) ≥ .70 (Bliese, 2000).",
        a.null
    ))];
    let mut all = Map::new();
    for (inst, ds) in &plan.instruments {
        let by = ds.target.clone().unwrap_or_else(|| ds.group.clone());
        let who = if ds.target.is_some() {
            "collaborators about their leader"
        } else {
            "members about their group"
        };
        blocks.push(Block::Heading(format!(
            "{} ({}): {who}",
            inst.title, inst.id
        )));
        let chart = r.chart(&format!("agreement-{}", inst.id));
        let chart_s = chart.display().to_string();
        match r.run(
            &format!("rwg {}", inst.id),
            &[
                "rwg",
                "--instrument",
                &inst.id,
                "--group",
                &by,
                "--null",
                &a.null,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let mut rows = Vec::new();
                for (id, sc) in scales_of(&v) {
                    let name = sub_name(inst, &id);
                    let ok = sc["aggregation"]["supported"].as_bool() == Some(true);
                    let mut reasons = Vec::new();
                    if f(&sc["mean_rwg_j"]) < 0.7 {
                        reasons.push("mean rwg(j) below .70");
                    }
                    if f(&sc["icc1"]) <= 0.05 {
                        reasons.push("ICC(1) not above .05");
                    }
                    if f(&sc["anova"]["p"]) >= 0.05 {
                        reasons.push("group effect not significant");
                    }
                    if f(&sc["icc2"]) < 0.7 {
                        reasons.push("ICC(2) below .70: group means are not reliable");
                    }
                    blocks.push(Block::Verdict(
                        if ok { Level::Good } else { Level::Poor },
                        format!(
                            "{name}: mean rwg(j) = {}, ICC(1) = {}, ICC(2) = {}: aggregation {}{}.",
                            apa(f(&sc["mean_rwg_j"]), 2, true),
                            apa(f(&sc["icc1"]), 2, true),
                            apa(f(&sc["icc2"]), 2, true),
                            if ok { "supported" } else { "not supported" },
                            if reasons.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", reasons.join("; "))
                            }
                        ),
                    ));
                    rows.push(vec![
                        name,
                        sc["n_groups"].to_string(),
                        sc["n"].to_string(),
                        apa(f(&sc["mean_rwg_j"]), 2, true),
                        apa(f(&sc["median_rwg_j"]), 2, true),
                        format!("{:.0}%", 100.0 * f(&sc["share_rwg_j_above"])),
                        apa(f(&sc["icc1"]), 2, true),
                        apa(f(&sc["icc2"]), 2, true),
                        format!("{:.2}", f(&sc["anova"]["f"])),
                        p_cell(f(&sc["anova"]["p"])),
                        if ok { "supported" } else { "not supported" }.into(),
                    ]);
                }
                blocks.push(Block::Table(ApaTable {
                    title: format!("Agreement and aggregation of {} by {by}", inst.title),
                    header: ["Subscale", "Groups", "n", "Mean rwg(j)", "Median", "≥ .70", "ICC(1)", "ICC(2)", "F", "p", "Aggregation"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!("rwg(j) against the {} null; ICC(1) and ICC(2) from the one-way ANOVA of subscale scores on the group; F tests the group effect.", a.null)),
                }));
                if let Some(svg) = r.svg_of(&chart) {
                    blocks.push(Block::Figure {
                        svg,
                        caption: format!("Agreement of {who} on {}: each dot is a group's rwg(j); bars give ICC(1) and ICC(2) per subscale.", inst.id),
                    });
                }
                all.insert(inst.id.clone(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("agreement".into(), Value::Object(all));
    Section {
        id: "agreement".into(),
        title: "Rater agreement and aggregation".into(),
        blocks,
    }
}

fn prediction_section(
    r: &mut Runner,
    plan: &mut Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = Vec::new();
    let mut all = Map::new();
    let Some(pred) = plan.predictor.clone() else {
        blocks.push(Block::Para(
            "The study has no instrument rated about a leader, so there is nothing to predict from.".into(),
        ));
        results.insert("regression".into(), Value::Object(all));
        return Section {
            id: "prediction".into(),
            title: "Predictive validity".into(),
            blocks,
        };
    };
    blocks.push(Block::Para(format!(
        "Do the {} subscales, averaged over each leader's collaborators, predict group outcomes? For each outcome: OLS on group means with {}-fold cross-validated R² and dominance analysis (each competency's share of R²), and a multilevel model of members' ratings with a random intercept per group (REML). Effect sizes of R² after Cohen (1988): f² ≥ .02 small, ≥ .15 medium, ≥ .35 large.",
        pred.title, a.cv
    )));
    let preds = format!("{}:*", pred.id);
    let cv = a.cv.to_string();
    let seed = a.seed.to_string();
    let mut dominance = Vec::new();
    let outcomes = plan.outcomes.clone();
    for (outcome, group) in &outcomes {
        blocks.push(Block::Heading(format!("Outcome: {outcome}")));
        let stem = outcome.replace(':', "-");
        let chart = r.chart(&format!("regress-{stem}"));
        let chart_s = chart.display().to_string();
        let mut entry = Map::new();
        match r.run(
            &format!("regress {outcome}"),
            &[
                "regress",
                "--outcome",
                outcome,
                "--predictors",
                &preds,
                "--dominance",
                "--cv",
                &cv,
                "--seed",
                &seed,
                "--plot",
                &chart_s,
            ],
        ) {
            Ok(v) => {
                let r2 = f(&v["r2"]);
                let p = f(&v["p"]);
                let level = if p < 0.05 { Level::Good } else { Level::Poor };
                blocks.push(Block::Verdict(
                    level,
                    format!(
                        "The competencies explain R² = {} of {outcome} across {} groups (adjusted {}), F({}, {}) = {:.2}, {}: a {} effect{}; cross-validated R² = {}.",
                        apa(r2, 3, true),
                        v["n"],
                        apa(f(&v["adj_r2"]), 3, false),
                        v["df1"], v["df2"], f(&v["f"]), p_text(p),
                        verdict::r2_size(r2),
                        if p < 0.05 { "" } else { " that could be chance" },
                        apa(f(&v["cv_r2"]), 3, false)
                    ),
                ));
                let rows = v["coefficients"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        vec![
                            s(&c["term"]),
                            format!("{:.3}", f(&c["estimate"])),
                            format!("{:.3}", f(&c["se"])),
                            c["std_beta"]
                                .as_f64()
                                .map_or("–".into(), |b| apa(b, 2, true)),
                            format!("{:.2}", f(&c["t"])),
                            p_cell(f(&c["p"])),
                            ci_text(f(&c["ci"][0]), f(&c["ci"][1]), 2, false),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!(
                        "Regression of {outcome} on the {} subscales (group means)",
                        pred.id
                    ),
                    header: ["Term", "b", "SE", "β", "t", "p", "95% CI"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some(format!("n = {} groups; classical standard errors.", v["n"])),
                }));
                if let Some(d) = v["dominance"].as_array() {
                    let mut sorted: Vec<&Value> = d.iter().collect();
                    sorted.sort_by_key(|x| x["rank"].as_u64().unwrap_or(0));
                    if let Some(top) = sorted.first() {
                        blocks.push(Block::Verdict(
                            Level::Info,
                            format!(
                                "{} contributes most to R² ({} of {}, {:.0}% of the explained variance).",
                                s(&top["term"]),
                                apa(f(&top["general"]), 3, true),
                                apa(r2, 3, true),
                                100.0 * f(&top["standardized"])
                            ),
                        ));
                    }
                    blocks.push(Block::Table(ApaTable {
                        title: format!("General dominance weights for {outcome}"),
                        header: [
                            "Predictor",
                            "Weight",
                            "Share of R²",
                            "Rank",
                            "Completely dominates",
                        ]
                        .map(String::from)
                        .to_vec(),
                        rows: sorted
                            .iter()
                            .map(|x| {
                                vec![
                                    s(&x["term"]),
                                    apa(f(&x["general"]), 3, true),
                                    format!("{:.0}%", 100.0 * f(&x["standardized"])),
                                    x["rank"].to_string(),
                                    x["completely_dominates"]
                                        .as_array()
                                        .map(|a| a.iter().map(s).collect::<Vec<_>>().join(", "))
                                        .unwrap_or_default(),
                                ]
                            })
                            .collect(),
                        note: None,
                    }));
                    dominance.push(trustscale::plot::DominanceModel {
                        label: outcome.clone(),
                        weights: d.iter().map(|x| f(&x["general"])).collect(),
                    });
                }
                // one under the other: the forest plot needs the width for the term names
                for (path, caption) in [
                    (chart.clone(), "Coefficients with 95% intervals."),
                    (
                        super::common::plot_path(&chart, "predicted"),
                        "Predicted and observed group means.",
                    ),
                ] {
                    if let Some(svg) = r.svg_of(&path) {
                        blocks.push(Block::Figure {
                            svg,
                            caption: format!("{outcome}: {caption}"),
                        });
                    }
                }
                entry.insert("ols".into(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        match r.run(
            &format!("multilevel {outcome}"),
            &[
                "regress",
                "--outcome",
                outcome,
                "--predictors",
                &preds,
                "--multilevel",
                group,
            ],
        ) {
            Ok(v) => {
                let z = 1.959_963_984_540_054;
                let rows = v["fixed"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let (b, se) = (f(&c["estimate"]), f(&c["se"]));
                        vec![
                            s(&c["term"]),
                            format!("{b:.3}"),
                            format!("{se:.3}"),
                            format!("{:.2}", f(&c["t"])),
                            ci_text(b - z * se, b + z * se, 2, false),
                        ]
                    })
                    .collect();
                blocks.push(Block::Verdict(
                    Level::Info,
                    format!(
                        "Multilevel model of {} member ratings in {} groups: residual ICC = {} after the competencies (group variance {:.3}, residual variance {:.3}).",
                        v["n"], v["n_groups"],
                        apa(f(&v["icc"]), 2, true),
                        f(&v["var_group"]), f(&v["var_residual"])
                    ),
                ));
                blocks.push(Block::Table(ApaTable {
                    title: format!("Multilevel model of {outcome} (random intercept per group, REML)"),
                    header: ["Term", "b", "SE", "t", "95% Wald CI"].map(String::from).to_vec(),
                    rows,
                    note: Some("Predictors are group means of the collaborators' ratings; the outcome is each member's rating.".into()),
                }));
                entry.insert("multilevel".into(), v);
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
        all.insert(outcome.clone(), Value::Object(entry));
    }
    if !dominance.is_empty() {
        let chart = trustscale::plot::DominanceChart {
            title: "Dominance weights of the competencies".into(),
            terms: pred.subscales.iter().map(|s| s.name.clone()).collect(),
            models: dominance,
        };
        let path = r.chart("dominance");
        if trustscale::plot::write(&path, &chart).is_ok() {
            if let Ok(svg) = trustscale::plot::to_svg(&chart) {
                blocks.insert(
                    1,
                    Block::Figure {
                        svg,
                        caption: "Each bar is one outcome's R², split into the competencies' general dominance weights.".into(),
                    },
                );
            }
        }
    }
    results.insert("regression".into(), Value::Object(all));
    Section {
        id: "prediction".into(),
        title: "Predictive validity".into(),
        blocks,
    }
}

fn profile_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(
        "The strengths-based view of the framework: each leader's subscale scores as they see themselves and as their collaborators see them (mean ± 1 SD of the collaborators), with the leader's strengths (subscales rated at or above the leader's own average); for group instruments, each group's profile as its members rate it.".into(),
    )];
    let mut all = Map::new();
    for (inst, ds) in &plan.instruments {
        let leader = ds.target.is_some();
        blocks.push(Block::Heading(format!(
            "{} ({}): {} profiles",
            inst.title,
            inst.id,
            if leader { "leader" } else { "group" }
        )));
        let v = match r.run(
            &format!("profile {}", inst.id),
            &["profile", "--instrument", &inst.id],
        ) {
            Ok(v) => v,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        blocks.push(r.last_command());
        let units = if leader { &v["leaders"] } else { &v["groups"] };
        let key = if leader { "leader" } else { "group" };
        let ids: Vec<String> = if leader && !a.leaders.is_empty() {
            a.leaders.clone()
        } else {
            units
                .as_array()
                .into_iter()
                .flatten()
                .take(3)
                .map(|u| s(&u[key]))
                .collect()
        };
        let mut rows = Vec::new();
        for sm in v["summary"].as_array().into_iter().flatten() {
            let name = sub_name(inst, &s(&sm["subscale"]));
            rows.push(if leader {
                vec![
                    name,
                    format!("{:.2}", f(&sm["observer_means"]["mean"])),
                    format!("{:.2}", f(&sm["observer_means"]["sd"])),
                    format!("{:.2}", f(&sm["self_scores"]["mean"])),
                    format!("{:+.2}", f(&sm["gaps"]["mean"])),
                    sm["self_other_r"]
                        .as_f64()
                        .map_or("–".into(), |x| apa(x, 2, true)),
                ]
            } else {
                vec![
                    name,
                    format!("{:.2}", f(&sm["group_means"]["mean"])),
                    format!("{:.2}", f(&sm["group_means"]["sd"])),
                    format!("{:.2}", f(&sm["group_means"]["min"])),
                    format!("{:.2}", f(&sm["group_means"]["max"])),
                ]
            });
        }
        if leader {
            let gaps: Vec<f64> = v["summary"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| f(&x["gaps"]["mean"]))
                .collect();
            let mean_gap = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
            let rs: Vec<f64> = v["summary"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["self_other_r"].as_f64())
                .collect();
            let mean_r = rs.iter().sum::<f64>() / rs.len().max(1) as f64;
            blocks.push(Block::Verdict(
                Level::Info,
                format!(
                    "Leaders rate themselves {:.2} points {} than their collaborators do, on average over the subscales; self-other agreement r = {} (mean over subscales).",
                    mean_gap.abs(),
                    if mean_gap >= 0.0 { "higher" } else { "lower" },
                    apa(mean_r, 2, true)
                ),
            ));
            blocks.push(Block::Table(ApaTable {
                title: format!("{} profiles over {} leaders", inst.title, units.as_array().map_or(0, |u| u.len())),
                header: ["Subscale", "Collaborators M", "SD", "Self M", "Self − others", "Self-other r"]
                    .map(String::from)
                    .to_vec(),
                rows,
                note: Some("Collaborators M and SD: mean and SD over leaders of each leader's collaborator mean; self − others: mean gap.".into()),
            }));
            let strengths = units
                .as_array()
                .into_iter()
                .flatten()
                .filter(|u| ids.contains(&s(&u["leader"])))
                .map(|u| {
                    vec![
                        s(&u["leader"]),
                        u["observers"].to_string(),
                        u["strengths"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|x| sub_name(inst, &s(x)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        format!("{:+.2}", f(&u["mean_gap"])),
                    ]
                })
                .collect();
            blocks.push(Block::Table(ApaTable {
                title: format!("Strengths of example leaders on {}", inst.title),
                header: [
                    "Leader",
                    "Collaborators",
                    "Strengths (highest first)",
                    "Self − others",
                ]
                .map(String::from)
                .to_vec(),
                rows: strengths,
                note: None,
            }));
        } else {
            blocks.push(Block::Table(ApaTable {
                title: format!(
                    "{} profiles over {} groups",
                    inst.title,
                    units.as_array().map_or(0, |u| u.len())
                ),
                header: [
                    "Subscale",
                    "Mean of group means",
                    "SD",
                    "Lowest group",
                    "Highest group",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                note: None,
            }));
        }
        if !ids.is_empty() {
            let chart = r.chart(&format!("profile-{}", inst.id));
            let chart_s = chart.display().to_string();
            let flag = if leader { "--leader" } else { "--group" };
            let joined = ids.join(",");
            if r.run(
                &format!("profile charts {}", inst.id),
                &[
                    "profile",
                    "--instrument",
                    &inst.id,
                    flag,
                    &joined,
                    "--plot",
                    &chart_s,
                ],
            )
            .is_ok()
            {
                let mut figs = Vec::new();
                for id in &ids {
                    let path = if ids.len() > 1 {
                        super::common::plot_path(&chart, id)
                    } else {
                        chart.clone()
                    };
                    if let Some(svg) = r.svg_of(&path) {
                        figs.push((
                            svg,
                            if leader {
                                format!("Profile of leader {id}: self rating and collaborators' mean ± 1 SD per subscale.")
                            } else {
                                format!("Profile of group {id}: members' mean ± 1 SD per subscale.")
                            },
                        ));
                    }
                }
                // profiles of many subscales are wide: one to a row keeps their labels readable
                if inst.subscales.len() > 4 {
                    blocks.extend(
                        figs.into_iter()
                            .map(|(svg, caption)| Block::Figure { svg, caption }),
                    );
                } else {
                    blocks.push(Block::Gallery(figs));
                }
            }
            blocks.push(r.last_command());
        }
        all.insert(inst.id.clone(), v);
    }
    results.insert("profiles".into(), Value::Object(all));
    Section {
        id: "profiles".into(),
        title: "Leader and group profiles".into(),
        blocks,
    }
}

/// The verdicts at a glance: per section how many are good, fair and poor, and every fair or
/// poor one in full (what needs attention).
fn summary_section(sections: &[Section], failed: &[String]) -> Section {
    let mut rows = Vec::new();
    let mut attention = Vec::new();
    for sec in sections {
        let mut counts = [0usize; 3];
        // a verdict is named by its section and the heading it stands under
        let mut heading = String::new();
        for b in &sec.blocks {
            match b {
                Block::Heading(h) => heading = h.clone(),
                Block::Verdict(level, text) => {
                    let k = match level {
                        Level::Good => 0,
                        Level::Fair => 1,
                        Level::Poor => 2,
                        Level::Info => continue,
                    };
                    counts[k] += 1;
                    if k > 0 {
                        let place = if heading.is_empty() {
                            sec.title.clone()
                        } else {
                            format!("{}, {heading}", sec.title)
                        };
                        attention.push(Block::Verdict(*level, format!("{place}: {text}")));
                    }
                }
                _ => {}
            }
        }
        if counts.iter().sum::<usize>() > 0 {
            rows.push(vec![
                sec.title.clone(),
                counts[0].to_string(),
                counts[1].to_string(),
                counts[2].to_string(),
            ]);
        }
    }
    let mut blocks = vec![
        Block::Para("Each verdict below compares a statistic with a published cut-off, named in its section. Good: meets the usual standard; fair: usable with care; poor: below the usual standard.".into()),
        Block::Table(ApaTable {
            title: "Verdicts by section".into(),
            header: ["Section", "Good", "Fair", "Poor"].map(String::from).to_vec(),
            rows,
            note: None,
        }),
    ];
    attention.extend(
        failed
            .iter()
            .map(|f| Block::Verdict(Level::Poor, format!("Analysis failed: {f}"))),
    );
    if attention.is_empty() {
        blocks.push(Block::Verdict(
            Level::Good,
            "Every verdict meets its cut-off.".into(),
        ));
    } else {
        blocks.push(Block::Heading("What needs attention".into()));
        blocks.extend(attention);
    }
    Section {
        id: "summary".into(),
        title: "Summary".into(),
        blocks,
    }
}

fn warnings_section(r: &Runner) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "{} warnings were raised by the analyses (Heywood cases, listwise deletion, non-convergence, …). They do not stop the report but qualify the numbers they name.",
        r.warnings.len()
    ))];
    blocks.extend(r.warnings.iter().map(|w| Block::Warning(w.clone())));
    Section {
        id: "warnings".into(),
        title: "Warnings".into(),
        blocks,
    }
}
