//! `trustscale power` and `trustscale power merge` as library calls.
//!
//! - [`PowerRequest`] → [`PowerOutput`]: the Monte Carlo power of a population model's design
//!   ([`crate::simulate::power::run_power`]), written to its output file (JSON, replaced
//!   atomically after every cell, so an interrupted run resumes) with a CSV summary beside it;
//!   one shard of the replications, or the rest of an interrupted run;
//! - [`PowerMergeRequest`] → [`PowerOutput`]: shard files combined into one run
//!   ([`crate::simulate::power::merge`]).
//!
//! The run's settings come from the flags, then the model's `[power]` table, then the defaults.

use super::{Outcome, Request};
use crate::error::{Error, Location, Result, Warning};
use crate::simulate::population::load_model;
use crate::simulate::power::{
    merge, run_power, summary_csv, Analysis, PowerRun, PowerSettings, Progress,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A `power` run. [`Default`]: every setting from the model (or 1000 replications, alpha .05,
/// the aggregate analysis, all groups of the design, its largest raters per group, effects as
/// in the model), 10 folds of the cross-validated R²; `model` and `out` must be set.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerRequest {
    /// The population model (model.toml).
    pub model: Option<PathBuf>,
    /// Replications per cell.
    pub replications: Option<usize>,
    /// Master seed (default: the model's).
    pub seed: Option<u64>,
    /// Numbers of groups to try.
    pub groups: Vec<usize>,
    /// Raters per group to try.
    pub raters: Vec<usize>,
    /// Multipliers of the model's effects.
    pub effect_scale: Vec<f64>,
    /// The analysis.
    pub analysis: Option<Analysis>,
    /// The outcome `instrument:subscale`.
    pub outcome: Option<String>,
    /// The program analysis's source: `self`, `collaborators` (default) or `members`.
    pub source: Option<String>,
    /// The `differential` analysis: the second outcome (default: with `--outcome` unset, the
    /// affective subscale is the outcome and the cognitive one its contrast).
    pub contrast: Option<String>,
    /// Predictors `instrument:subscale`.
    pub predictors: Vec<String>,
    /// Significance level.
    pub alpha: Option<f64>,
    /// Folds of the cross-validated R² (default 10).
    pub cv: usize,
    /// Run only shard `[I, N]` (replication r belongs to shard r mod N + 1).
    pub shard: Option<[usize; 2]>,
    /// Continue an interrupted run from `out`, skipping finished cells.
    pub resume: bool,
    /// The output file (JSON); a CSV summary is written beside it.
    pub out: Option<PathBuf>,
}

impl Default for PowerRequest {
    fn default() -> Self {
        PowerRequest {
            model: None,
            replications: None,
            seed: None,
            groups: Vec::new(),
            raters: Vec::new(),
            effect_scale: Vec::new(),
            analysis: None,
            outcome: None,
            source: None,
            contrast: None,
            predictors: Vec::new(),
            alpha: None,
            cv: 10,
            shard: None,
            resume: false,
            out: None,
        }
    }
}

/// `power merge FILES --out FILE`: shard outputs combined into one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PowerMergeRequest {
    /// Shard files.
    pub files: Vec<PathBuf>,
    /// The merged output file (JSON; a CSV summary is written beside it).
    pub out: PathBuf,
}

/// A power run and the file it was written to; serialises as the run (the output file's
/// content).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct PowerOutput {
    /// The run.
    pub run: PowerRun,
    /// The output file (JSON); the CSV summary is beside it ([`Path::with_extension`] `csv`).
    #[serde(skip)]
    pub out: PathBuf,
}

impl Outcome for PowerOutput {
    /// A note when the cross-validated R² of the aggregate or latent analysis could not be
    /// computed in some replications that otherwise ran (too few groups for the folds, or a
    /// group with leverage 1): their `cv_r2` is `null`. The other analyses compute no
    /// cross-validated R² (`null` by design).
    fn warnings(&self) -> Vec<Warning> {
        let run = &self.run;
        let mut out = Vec::new();
        // cells where every replication failed: their power and estimates are null
        let dead: Vec<usize> = run
            .summary
            .iter()
            .filter(|c| c.replications == 0 && c.failed > 0)
            .map(|c| c.spec.cell)
            .collect();
        if let Some(&first) = dead.first() {
            let why = run
                .records
                .iter()
                .find(|r| r.cell == first)
                .and_then(|r| r.error.clone())
                .unwrap_or_default();
            out.push(Warning::new(
                crate::error::WarningCode::Note,
                format!(
                    "summary: power, estimates, bias and coverage are null in {} of {} cells, \
                     as every replication failed ({why})",
                    dead.len(),
                    run.summary.len()
                ),
            ));
        }
        if !matches!(
            run.settings.analysis,
            Analysis::Aggregate | Analysis::Latent
        ) {
            return out;
        }
        let ran: Vec<_> = run.records.iter().filter(|r| r.error.is_none()).collect();
        let without = ran.iter().filter(|r| r.cv_r2.is_none()).count();
        if without == 0 {
            return out;
        }
        out.push(Warning::new(
            crate::error::WarningCode::Note,
            format!(
                "cv_r2 is null in {without} of {} replications: the {}-fold cross-validation \
                 could not be run on their groups (fewer groups than a fold needs, or a group \
                 with leverage 1)",
                ran.len(),
                run.settings.cv_folds
            ),
        ));
        out
    }
}

/// The name of an analysis, as `--analysis` takes it.
pub fn analysis_name(a: Analysis) -> &'static str {
    match a {
        Analysis::Aggregate => "aggregate",
        Analysis::Multilevel => "multilevel",
        Analysis::Latent => "latent",
        Analysis::Program => "program",
        Analysis::Differential => "differential",
    }
}

/// Parses `--shard I/N`.
pub fn parse_shard(s: &str) -> Result<[usize; 2]> {
    let bad = || Error::option("--shard", format!("expected I/N, found \"{s}\""));
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [i, n] => match (i.parse::<usize>(), n.parse::<usize>()) {
            (Ok(i), Ok(n)) => Ok([i, n]),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// Reads a power output file.
pub fn read_run(p: &Path) -> Result<PowerRun> {
    let text = crate::error::limits::read_text(p)?;
    serde_json::from_str(&text).map_err(|e| Error::Parse {
        at: Location::file(Some(p.to_path_buf())).with_row(e.line() as u64),
        expected: "a trustscale power output file".into(),
        found: e.to_string(),
    })
}

/// Writes a power output file (through a `.json.partial` file renamed into place, so the file
/// is whole at every moment) and its CSV summary beside it.
pub fn write_run(run: &PowerRun, out: &Path) -> Result<()> {
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

impl Request for PowerRequest {
    type Output = PowerOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["power".to_string()];
        let join = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag(
            "model",
            self.model.as_ref().map(|m| m.display().to_string()),
        );
        flag("replications", self.replications.map(|v| v.to_string()));
        flag("seed", self.seed.map(|v| v.to_string()));
        let list = |v: &[usize]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        flag("groups", join(&list(&self.groups)));
        flag("raters", join(&list(&self.raters)));
        flag(
            "effect-scale",
            join(
                &self
                    .effect_scale
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>(),
            ),
        );
        flag("analysis", self.analysis.map(|x| analysis_name(x).into()));
        flag("outcome", self.outcome.clone());
        flag("source", self.source.clone());
        flag("contrast", self.contrast.clone());
        flag("predictors", join(&self.predictors));
        flag("alpha", self.alpha.map(|v| v.to_string()));
        flag("cv", (self.cv != 10).then(|| self.cv.to_string()));
        flag("shard", self.shard.map(|[i, n]| format!("{i}/{n}")));
        if self.resume {
            a.push("--resume".into());
        }
        if let Some(o) = &self.out {
            a.push("--out".into());
            a.push(o.display().to_string());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<PowerOutput> {
        self.run_with(&|_| {})
    }
}

impl PowerRequest {
    /// [`Request::run`], reporting progress (replications done of the total) as it goes.
    pub fn run_with(&self, progress: &(dyn Fn(Progress) + Sync)) -> Result<PowerOutput> {
        let Some(model_path) = &self.model else {
            return Err(Error::option(
                "--model",
                "give the population model (--model model.toml)",
            ));
        };
        let Some(out) = &self.out else {
            return Err(Error::option(
                "--out",
                "give the output file (--out power.json)",
            ));
        };
        if self.cv < 2 {
            return Err(Error::option(
                "--cv",
                format!("expected at least 2 folds, found {}", self.cv),
            ));
        }
        let text = crate::error::limits::read_text(model_path)?;
        let model = load_model(&text, model_path)?;
        let c = model.compile()?;
        let spec = model.power.clone().unwrap_or_default();
        let outcome = self
            .outcome
            .clone()
            .or(spec.outcome.clone())
            .or_else(|| model.effects.keys().next().cloned())
            .ok_or_else(|| {
                Error::option("--outcome", "name the outcome (the model has no effects)")
            })?;
        let analysis = match (self.analysis, spec.analysis.as_deref(), &model.program) {
            (Some(a), _, _) => a,
            (None, Some(a), _) => Analysis::parse(a)?,
            (None, None, Some(_)) => Analysis::Program,
            (None, None, None) => Analysis::Aggregate,
        };
        let program = analysis == Analysis::Program;
        let source = if program {
            Some(
                self.source
                    .clone()
                    .unwrap_or_else(|| "collaborators".into()),
            )
        } else {
            self.source.clone()
        };
        let predictors = if !self.predictors.is_empty() {
            self.predictors.clone()
        } else if program && source.as_deref() == Some("members") {
            vec![outcome.clone()]
        } else if program {
            model
                .program
                .as_ref()
                .map(|p| p.effects.keys().cloned().collect())
                .unwrap_or_default()
        } else {
            model
                .effects
                .get(&outcome)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
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
        // the differential analysis: the outcome and its contrast are the affective and the
        // cognitive subscale of one group instrument (unless named), the predictors every
        // subscale of the first leader instrument (unless named)
        let (outcome, contrast, predictors) = if analysis == Analysis::Differential {
            let trust = c.group.iter().find_map(|(inst, _, _)| {
                let with = |k: &str| {
                    inst.subscales
                        .iter()
                        .find(|s| s.trust.as_deref() == Some(k))
                        .map(|s| format!("{}:{}", inst.id, s.id))
                };
                Some((with("affective")?, with("cognitive")?))
            });
            let (o, k) = match (&self.outcome, &self.contrast, trust) {
                (Some(o), Some(k), _) => (o.clone(), k.clone()),
                (None, None, Some((a, b))) => (a, b),
                (Some(o), None, Some((a, b))) => {
                    let k = if *o == b { a } else { b };
                    (o.clone(), k)
                }
                (None, Some(k), Some((a, b))) => {
                    let o = if *k == a { b } else { a };
                    (o, k.clone())
                }
                _ => {
                    return Err(Error::option(
                        "--contrast",
                        "name the two outcomes (--outcome A --contrast B): the model has no group instrument with an affective and a cognitive subscale",
                    ))
                }
            };
            let preds = if self.predictors.is_empty() {
                let (inst, _, _) = &c.leader[0];
                inst.subscales
                    .iter()
                    .map(|s| format!("{}:{}", inst.id, s.id))
                    .collect()
            } else {
                self.predictors.clone()
            };
            (o, Some(k), preds)
        } else if self.contrast.is_some() {
            return Err(Error::option(
                "--contrast",
                format!(
                    "only the differential analysis compares two outcomes (--analysis differential), found --analysis {}",
                    analysis_name(analysis)
                ),
            ));
        } else {
            (outcome, None, predictors)
        };
        let settings = PowerSettings {
            seed: self.seed.unwrap_or(model.seed),
            replications: self.replications.or(spec.replications).unwrap_or(1000),
            alpha: self.alpha.or(spec.alpha).unwrap_or(0.05),
            analysis,
            outcome,
            predictors,
            groups: pick(
                &self.groups,
                &spec.groups,
                vec![if program { total / 2 } else { total }],
            ),
            raters: pick(&self.raters, &spec.raters, vec![model.design.raters[1]]),
            effect_scale: if !self.effect_scale.is_empty() {
                self.effect_scale.clone()
            } else if !spec.effect_scale.is_empty() {
                spec.effect_scale.clone()
            } else {
                vec![1.0]
            },
            cv_folds: self.cv,
            source,
            contrast,
        };
        let previous = if self.resume && out.is_file() {
            Some(read_run(out)?)
        } else {
            None
        };
        let mut checkpoint = |run: &PowerRun| write_run(run, out);
        let run = run_power(
            &c,
            &settings,
            self.shard,
            previous,
            progress,
            &mut checkpoint,
        )?;
        write_run(&run, out)?;
        Ok(PowerOutput {
            run,
            out: out.clone(),
        })
    }
}

impl Request for PowerMergeRequest {
    type Output = PowerOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["power".to_string(), "merge".into()];
        a.extend(self.files.iter().map(|f| f.display().to_string()));
        a.push("--out".into());
        a.push(self.out.display().to_string());
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<PowerOutput> {
        let runs = self
            .files
            .iter()
            .map(|f| read_run(f))
            .collect::<Result<Vec<_>>>()?;
        let run = merge(runs)?;
        write_run(&run, &self.out)?;
        Ok(PowerOutput {
            run,
            out: self.out.clone(),
        })
    }
}
