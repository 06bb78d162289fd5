//! Monte Carlo power of a multi-level trust-building study.
//!
//! For every cell of a design grid (groups × raters per group × effect scale), `R` studies are
//! simulated from a [`Compiled`] population model and analysed as the study will be:
//!
//! - `aggregate`: each group's observer ratings of the leader are scored (subscale means, reverse
//!   keys applied) and averaged per group, as are the members' ratings of the outcome; the group
//!   means of the outcome are regressed (OLS) on those of the predictors;
//! - `multilevel`: the members' outcome scores are regressed on the group-mean predictors with a
//!   random intercept per group (REML); tests use $t$ on $G - p - 1$ df;
//! - `latent`: the true group outcome on the true leader traits (no measurement), the ceiling of
//!   any design and the check against closed-form power;
//! - `differential`: the framework's claim 1 (`trustscale framework`): per predictor, the
//!   difference $r_{x,a} - r_{x,c}$ between its correlations with two outcomes of the same
//!   groups (the outcome and its `contrast`, e.g. affective and cognitive trust), group means as
//!   in `aggregate`, tested with Williams' $t$ for dependent overlapping correlations
//!   ([`dependent_correlations`], $n - 3$ df). The true difference is
//!   $\rho(c_j, t_a) - \rho(c_j, t_c)$ with $\rho(c_j, t_o) = (\Sigma B')_{jo}/\sqrt{\Sigma_{jj}}$
//!   ($\Sigma$ the traits' covariance, types included; every $t$ has unit variance), so it
//!   scales with the effect scale; the estimate, on group means of ratings, is attenuated by
//!   measurement error, and the bias shows by how much. The standard error recorded is the one
//!   the test implies, $(r_{x,a} - r_{x,c})/t$, and the coverage is that of the matching
//!   Wald interval.
//!
//! Per cell and predictor: power (share of replications with $p < \alpha$), mean standardised
//! estimate $\hat\beta$, bias against the true standardised effect, coverage of the 95%
//! interval, and the mean cross-validated $R^2$ and the share of replications where the outcome's
//! aggregation was supported (rwg(j), ICC(1), ICC(2)).
//!
//! # Determinism and scale-out
//! Replication $r$ of cell $c$ draws its study seed from ChaCha8 stream $(c \ll 32) | r$ of the
//! master seed, so every record depends on (seed, c, r) only. Records are kept per replication and
//! summaries are computed from them in (cell, replication) order, so a run split into shards
//! (`r mod N = I - 1`) and merged gives the same records and summaries, bit for bit, as one run;
//! and a run interrupted after some cells resumes without repeating them.

use super::population::{Compiled, Needed};
use super::program_power::{analyse_program, parse_source, Scorer, NORMAL_DF};
use crate::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
use crate::dist::{t_quantile, t_two_sided_p};
use crate::error::{Error, Result};
use crate::evaluate::Source;
use crate::framework::dependent::dependent_correlations;
use crate::numeric::rng::stream;
use crate::regression::cv::{cross_validate, CvOptions};
use crate::regression::mixed::{lmm_reml, MixedOptions};
use crate::regression::ols::{ols, OlsOptions};
use crate::regression::qr::Design;
use nalgebra::DMatrix;
use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The analysis run on each simulated study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Analysis {
    /// Group means, then OLS.
    Aggregate,
    /// Random-intercept model of member scores on group-mean predictors.
    Multilevel,
    /// True scores (no measurement error).
    Latent,
    /// A program design (the model's `[program]` table): the program effect as `evaluate`
    /// estimates it, over leaders per arm × raters per leader (see [`super::program_power`]).
    Program,
    /// Difference of each predictor's correlations with the outcome and its contrast (group
    /// means; Williams' t).
    Differential,
}

impl Analysis {
    /// Parses `aggregate|multilevel|latent`.
    pub fn parse(s: &str) -> Result<Analysis> {
        match s {
            "aggregate" => Ok(Analysis::Aggregate),
            "multilevel" => Ok(Analysis::Multilevel),
            "latent" => Ok(Analysis::Latent),
            "program" => Ok(Analysis::Program),
            "differential" => Ok(Analysis::Differential),
            other => Err(Error::option(
                "--analysis",
                format!(
                    "expected aggregate, multilevel, latent, program or differential, found \"{other}\""
                ),
            )),
        }
    }
}

/// Settings of a power run (everything that determines its records).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PowerSettings {
    /// Master seed.
    pub seed: u64,
    /// Replications per cell.
    pub replications: usize,
    /// Significance level.
    pub alpha: f64,
    /// The analysis.
    pub analysis: Analysis,
    /// Outcome latent `instrument:subscale`.
    pub outcome: String,
    /// Predictor latents.
    pub predictors: Vec<String>,
    /// Total groups per cell.
    pub groups: Vec<usize>,
    /// Raters per group per cell.
    pub raters: Vec<usize>,
    /// Effect multipliers per cell.
    pub effect_scale: Vec<f64>,
    /// Folds of the cross-validated R² (at most the number of groups).
    pub cv_folds: usize,
    /// The program analysis's source: `self`, `collaborators` or `members` (absent for the
    /// other analyses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The `differential` analysis: the second outcome latent, whose correlations with the
    /// predictors are subtracted from the outcome's (e.g. `group-trust:cognitive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<String>,
}

/// One cell of the grid (with the program analysis, `groups` is leaders per arm and `raters`
/// raters per leader).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CellSpec {
    /// Index in the grid.
    pub cell: usize,
    /// Total groups.
    pub groups: usize,
    /// Raters per group.
    pub raters: usize,
    /// Effect multiplier.
    pub effect_scale: f64,
}

/// One replication's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Record {
    /// Cell.
    pub cell: usize,
    /// Replication.
    pub rep: usize,
    /// Standardised estimate per predictor.
    pub estimate: Vec<f64>,
    /// Its standard error.
    pub se: Vec<f64>,
    /// Two-sided p value per predictor.
    pub p: Vec<f64>,
    /// Residual df of the tests.
    pub df: f64,
    /// Cross-validated R² (aggregate and latent analyses).
    pub cv_r2: Option<f64>,
    /// Whether aggregation of the outcome was supported.
    pub aggregation_supported: Option<bool>,
    /// Why the analysis failed, if it did (such replications are not counted).
    pub error: Option<String>,
}

/// Summary of one predictor in one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EffectSummary {
    /// Predictor.
    pub term: String,
    /// True standardised effect (latent, times the cell's effect scale).
    pub true_beta: f64,
    /// Share of replications with p < alpha.
    pub power: f64,
    /// Monte Carlo standard error of the power.
    pub power_se: f64,
    /// Mean standardised estimate.
    pub mean_estimate: f64,
    /// Mean estimate minus the true effect.
    pub bias: f64,
    /// Share of 95% intervals containing the true effect.
    pub coverage: f64,
}

/// Summary of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CellSummary {
    /// The cell.
    #[serde(flatten)]
    pub spec: CellSpec,
    /// Successful replications.
    pub replications: usize,
    /// Failed replications (not counted).
    pub failed: usize,
    /// Per predictor.
    pub effects: Vec<EffectSummary>,
    /// Mean cross-validated R².
    pub mean_cv_r2: Option<f64>,
    /// Share of replications where aggregation was supported.
    pub aggregation_supported: Option<f64>,
}

/// A power run: settings, grid, records and summaries. This is the output file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PowerRun {
    /// The population model's title.
    pub model: String,
    /// Settings.
    pub settings: PowerSettings,
    /// The shard `[I, N]` these records are (absent when complete).
    pub shard: Option<[usize; 2]>,
    /// The grid.
    pub cells: Vec<CellSpec>,
    /// True standardised effects of the predictors on the outcome (effect scale 1).
    pub true_effects: Vec<f64>,
    /// Summaries per cell (of the records present).
    pub summary: Vec<CellSummary>,
    /// Records, in (cell, replication) order.
    pub records: Vec<Record>,
}

/// Scoring of one latent: item positions, reverse keys and the scale's end points.
struct ScoreMap {
    items: Vec<usize>,
    reverse: Vec<bool>,
    sum_ends: f64,
}

fn score_maps(c: &Compiled, group: bool) -> Vec<ScoreMap> {
    let insts = if group { &c.group } else { &c.leader };
    let mut out = Vec::new();
    let mut base = 0;
    for (inst, lm, _) in insts {
        for s in &inst.subscales {
            let mut items = Vec::new();
            let mut reverse = Vec::new();
            for (j, it) in inst.items.iter().enumerate() {
                if it.subscale == s.id {
                    items.push(base + j);
                    reverse.push(it.reverse);
                }
            }
            out.push(ScoreMap {
                items,
                reverse,
                sum_ends: (inst.scale.min + inst.scale.max) as f64,
            });
        }
        base += lm.items.len();
    }
    out
}

/// A row's subscale score (mean of its items, reverse keys applied).
fn score(row: &[f64], m: &ScoreMap) -> f64 {
    m.items
        .iter()
        .zip(&m.reverse)
        .map(|(&j, &r)| if r { m.sum_ends - row[j] } else { row[j] })
        .sum::<f64>()
        / m.items.len() as f64
}

/// Splits a total number of groups over arenas in the design's proportions (largest remainder).
pub fn split_groups(total: usize, proportions: &[usize]) -> Vec<usize> {
    let sum: usize = proportions.iter().sum::<usize>().max(1);
    let exact: Vec<f64> = proportions
        .iter()
        .map(|&p| total as f64 * p as f64 / sum as f64)
        .collect();
    let mut out: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut rest = total - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for &i in order.iter().cycle().take(exact.len() * 2) {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

/// Pearson's correlation of two equally long vectors (two-pass).
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

struct Plan<'a> {
    c: &'a Compiled,
    s: &'a PowerSettings,
    pred_idx: Vec<usize>,
    out_idx: usize,
    contrast_idx: Option<usize>,
    leader_maps: Vec<ScoreMap>,
    group_maps: Vec<ScoreMap>,
    outcome_points: usize,
    /// The answers the analysis reads.
    needed: Needed,
}

impl Plan<'_> {
    fn replicate(&self, cell: &CellSpec, rep: usize) -> Record {
        let mut rng = stream(self.s.seed, ((cell.cell as u64) << 32) | rep as u64);
        let seed = rng.next_u64();
        let base = Record {
            cell: cell.cell,
            rep,
            estimate: Vec::new(),
            se: Vec::new(),
            p: Vec::new(),
            df: f64::NAN,
            cv_r2: None,
            aggregation_supported: None,
            error: None,
        };
        match self.analyse(cell, seed, rng.next_u64()) {
            Ok(r) => Record {
                cell: cell.cell,
                rep,
                ..r
            },
            Err(e) => Record {
                error: Some(e.to_string()),
                ..base
            },
        }
    }

    fn analyse(&self, cell: &CellSpec, seed: u64, cv_seed: u64) -> Result<Record> {
        let c = self.c;
        if self.s.analysis == Analysis::Program {
            let source = parse_source(self.s.source.as_deref().unwrap_or("collaborators"))?;
            let maps = if source == Source::Members {
                &self.group_maps
            } else {
                &self.leader_maps
            };
            let fns: Vec<_> = self
                .pred_idx
                .iter()
                .map(|&k| {
                    let m = &maps[k];
                    move |row: &[f64]| score(row, m)
                })
                .collect();
            let terms: Vec<Scorer<'_>> = fns.iter().map(|f| f as Scorer<'_>).collect();
            let fits = analyse_program(
                c,
                source,
                &terms,
                [cell.groups, cell.raters],
                cell.effect_scale,
                seed,
            )?;
            return Ok(Record {
                cell: cell.cell,
                rep: 0,
                estimate: fits.iter().map(|f| f[0]).collect(),
                se: fits.iter().map(|f| f[1]).collect(),
                p: fits.iter().map(|f| f[2]).collect(),
                df: NORMAL_DF,
                cv_r2: None,
                aggregation_supported: None,
                error: None,
            });
        }
        let (b, resid) = c.scaled(cell.effect_scale)?;
        let gpa = split_groups(cell.groups, &c.model.design.groups_per_arena);
        let g_total: usize = gpa.iter().sum();
        let p = self.pred_idx.len();
        let (nl, ng) = (c.leader_items(), c.group_items());
        let out_map = &self.group_maps[self.out_idx];
        let mut x = DMatrix::<f64>::zeros(g_total, p);
        let mut y = vec![0.0; g_total];
        let mut y2 = vec![0.0; g_total];
        let mut member_y = Vec::new();
        let mut member_g = Vec::new();
        let mut items_for_rwg = Vec::new();
        let mut rwg_groups = Vec::new();
        for g in 0..g_total {
            if self.s.analysis == Analysis::Latent {
                let (lead, grp) = c.group_truth(seed, g, &b, &resid);
                for (j, &k) in self.pred_idx.iter().enumerate() {
                    x[(g, j)] = lead[k];
                }
                y[g] = grp[self.out_idx];
                continue;
            }
            let d = c.group_data_needed(
                seed,
                g,
                [cell.raters, cell.raters],
                &b,
                &resid,
                Some(&self.needed),
            );
            {
                {
                    let m = d.raters as f64;
                    for (j, &k) in self.pred_idx.iter().enumerate() {
                        x[(g, j)] = (0..d.raters)
                            .map(|r| {
                                score(&d.observers[r * nl..(r + 1) * nl], &self.leader_maps[k])
                            })
                            .sum::<f64>()
                            / m;
                    }
                    let scores: Vec<f64> = (0..d.raters)
                        .map(|r| score(&d.members[r * ng..(r + 1) * ng], out_map))
                        .collect();
                    y[g] = scores.iter().sum::<f64>() / m;
                    if let Some(k) = self.contrast_idx {
                        y2[g] = (0..d.raters)
                            .map(|r| score(&d.members[r * ng..(r + 1) * ng], &self.group_maps[k]))
                            .sum::<f64>()
                            / m;
                    }
                    for (r, sc) in scores.iter().enumerate() {
                        member_y.push(*sc);
                        member_g.push(g);
                        let row = &d.members[r * ng..(r + 1) * ng];
                        items_for_rwg.extend(out_map.items.iter().zip(&out_map.reverse).map(
                            |(&j, &rv)| {
                                if rv {
                                    out_map.sum_ends - row[j]
                                } else {
                                    row[j]
                                }
                            },
                        ));
                        rwg_groups.push(g.to_string());
                    }
                }
            }
        }
        let names: Vec<String> = self
            .pred_idx
            .iter()
            .map(|&k| c.leader_latents[k].clone())
            .collect();
        let sdy = sd(&y);
        let mut rec = Record {
            cell: 0,
            rep: 0,
            estimate: Vec::new(),
            se: Vec::new(),
            p: Vec::new(),
            df: 0.0,
            cv_r2: None,
            aggregation_supported: None,
            error: None,
        };
        match self.s.analysis {
            Analysis::Differential => {
                let n = g_total;
                let r23 = pearson(&y, &y2);
                rec.df = n as f64 - 3.0;
                for j in 0..p {
                    let xj: Vec<f64> = x.column(j).iter().copied().collect();
                    let (ra, rc) = (pearson(&xj, &y), pearson(&xj, &y2));
                    let t = dependent_correlations(n, ra, rc, r23).ok_or_else(|| {
                        Error::option(
                            "--analysis differential",
                            "a correlation is undefined (a constant group mean)",
                        )
                    })?;
                    rec.estimate.push(ra - rc);
                    rec.se.push(if t.t != 0.0 {
                        (ra - rc) / t.t
                    } else {
                        f64::NAN
                    });
                    rec.p.push(t.p);
                }
            }
            Analysis::Aggregate | Analysis::Latent => {
                let fit = ols(&x, &y, &names, &OlsOptions::default())?;
                rec.df = fit.df2 as f64;
                for (j, coef) in fit.coefficients.iter().skip(1).enumerate() {
                    let sx = sd(&x.column(j).iter().copied().collect::<Vec<_>>());
                    rec.estimate.push(coef.estimate * sx / sdy);
                    rec.se.push(coef.se * sx / sdy);
                    rec.p.push(coef.p);
                }
                let folds = self.s.cv_folds.min(g_total);
                let mut terms = vec!["(Intercept)".to_string()];
                terms.extend(names.iter().cloned());
                let design = Design {
                    x: &x,
                    intercept: true,
                };
                rec.cv_r2 = cross_validate(
                    design,
                    &y,
                    &terms,
                    &CvOptions {
                        folds,
                        repeats: 1,
                        seed: cv_seed,
                    },
                )
                .ok()
                .map(|c| c.cv_r2);
            }
            // analysed by `analyse_program` above
            Analysis::Program => {
                return Err(Error::option(
                    "--analysis",
                    "not a cross-sectional analysis",
                ))
            }
            Analysis::Multilevel => {
                let mut xm = DMatrix::<f64>::zeros(member_y.len(), p);
                for (i, &g) in member_g.iter().enumerate() {
                    for j in 0..p {
                        xm[(i, j)] = x[(g, j)];
                    }
                }
                let fit = lmm_reml(&xm, &member_y, &member_g, &names, &MixedOptions::default())?;
                let df = (g_total - p - 1) as f64;
                rec.df = df;
                for (j, fe) in fit.fixed.iter().skip(1).enumerate() {
                    let sx = sd(&x.column(j).iter().copied().collect::<Vec<_>>());
                    rec.estimate.push(fe.estimate * sx / sdy);
                    rec.se.push(fe.se * sx / sdy);
                    rec.p.push(t_two_sided_p(fe.t, df));
                }
            }
        }
        if self.s.analysis != Analysis::Latent {
            let opts = RwgOptions {
                scale_points: self.outcome_points,
                null: Null::Uniform,
                cutoffs: AggregationCutoffs::default(),
                rgr: None,
                seed: 1,
            };
            rec.aggregation_supported =
                rwg(&items_for_rwg, out_map.items.len(), &rwg_groups, &opts)
                    .ok()
                    .map(|r| r.aggregation.supported);
        }
        Ok(rec)
    }
}

/// Progress of a run: replications done and total.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Done.
    pub done: usize,
    /// Total.
    pub total: usize,
}

impl PowerSettings {
    /// The grid's cells, groups slowest, then raters, then effect scale.
    pub fn cells(&self) -> Vec<CellSpec> {
        let mut cells = Vec::new();
        for &groups in &self.groups {
            for &raters in &self.raters {
                for &effect_scale in &self.effect_scale {
                    cells.push(CellSpec {
                        cell: cells.len(),
                        groups,
                        raters,
                        effect_scale,
                    });
                }
            }
        }
        cells
    }

    /// Rejects unusable settings.
    pub fn validate(&self, c: &Compiled) -> Result<()> {
        if self.replications == 0 {
            return Err(Error::option("--replications", "expected at least 1"));
        }
        use crate::error::limits;
        limits::count("--replications", self.replications, limits::RESAMPLES)?;
        for &g in &self.groups {
            limits::count("--groups", g, limits::DESIGN_UNITS)?;
        }
        for &r in &self.raters {
            limits::count("--raters", r, limits::DESIGN_UNITS)?;
        }
        // one replication holds every rater's answers to every item at once
        let items = c
            .leader
            .iter()
            .chain(&c.group)
            .map(|(_, lm, _)| lm.items.len())
            .sum::<usize>()
            .max(1) as u128;
        for &g in &self.groups {
            for &r in &self.raters {
                limits::memory(
                    &format!("--groups {g} with --raters {r}: respondents"),
                    (g as u128) * (r as u128 + 1),
                    items * 8 * 4,
                )?;
            }
        }
        if let Some(e) = self.effect_scale.iter().find(|e| !e.is_finite()) {
            return Err(Error::option(
                "--effect-scale",
                format!("expected finite numbers, found {e}"),
            ));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::option("--alpha", "expected a level between 0 and 1"));
        }
        if self.groups.is_empty() || self.raters.is_empty() || self.effect_scale.is_empty() {
            return Err(Error::option(
                "--groups",
                "the grid needs groups, raters and effect scales",
            ));
        }
        if self.analysis == Analysis::Program {
            return self.validate_program(c);
        }
        if self.source.is_some() {
            return Err(Error::option(
                "--source",
                "a source is chosen only with --analysis program",
            ));
        }
        if let Some(g) = self.groups.iter().find(|&&g| g < self.predictors.len() + 3) {
            return Err(Error::option(
                "--groups",
                format!(
                    "{g} groups are too few for {} predictors",
                    self.predictors.len()
                ),
            ));
        }
        if self.raters.contains(&0)
            || (self.analysis != Analysis::Latent && self.raters.contains(&1))
        {
            return Err(Error::option(
                "--raters",
                "expected at least 2 raters per group",
            ));
        }
        if !c.group_latents.contains(&self.outcome) {
            return Err(Error::option(
                "--outcome",
                format!(
                    "\"{}\" is not a group latent ({})",
                    self.outcome,
                    c.group_latents.join(", ")
                ),
            ));
        }
        match (&self.contrast, self.analysis) {
            (Some(k), Analysis::Differential)
                if c.group_latents.contains(k) && *k != self.outcome => {}
            (k, Analysis::Differential) => {
                return Err(Error::option(
                    "--contrast",
                    format!(
                    "the differential analysis needs a second outcome other than {} ({}), found {}",
                    self.outcome,
                    c.group_latents.join(", "),
                    k.as_deref().unwrap_or("none")
                ),
                ))
            }
            _ => {}
        }
        for p in &self.predictors {
            if !c.leader_latents.contains(p) {
                return Err(Error::option(
                    "--predictors",
                    format!(
                        "\"{p}\" is not a leader latent ({})",
                        c.leader_latents.join(", ")
                    ),
                ));
            }
        }
        if self.predictors.is_empty() {
            return Err(Error::option("--predictors", "no predictors"));
        }
        Ok(())
    }
}

impl PowerSettings {
    /// Checks the settings of the program analysis: a `[program]` table with cohorts in both
    /// arms, at least 4 leaders per arm and 2 raters per leader, terms that are leader latents
    /// (self, collaborators) or the one group latent (members).
    fn validate_program(&self, c: &Compiled) -> Result<()> {
        let Some(p) = &c.program else {
            return Err(Error::option(
                "--analysis",
                "the program analysis needs a [program] table in the model",
            ));
        };
        if p.program_cohorts == 0 || p.program_cohorts >= p.spec.cohorts {
            return Err(Error::option(
                "--analysis",
                "the program analysis needs cohorts in both arms",
            ));
        }
        if let Some(g) = self.groups.iter().find(|&&g| g < 4) {
            return Err(Error::option(
                "--groups",
                format!("expected at least 4 leaders per arm, found {g}"),
            ));
        }
        if let Some(r) = self.raters.iter().find(|&&r| r < 2) {
            return Err(Error::option(
                "--raters",
                format!("expected at least 2 raters per leader, found {r}"),
            ));
        }
        let source = parse_source(self.source.as_deref().unwrap_or("collaborators"))?;
        let latents = if source == Source::Members {
            &c.group_latents
        } else {
            &c.leader_latents
        };
        if self.predictors.is_empty() {
            return Err(Error::option(
                "--predictors",
                "no terms (the model's [program.effects] names none)",
            ));
        }
        for t in &self.predictors {
            if !latents.contains(t) {
                return Err(Error::option(
                    "--predictors",
                    format!("\"{t}\" is not one of {}", latents.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// Runs (or resumes) a power analysis: the replications of `shard` (`[I, N]`, 1-based) of every
/// cell not already complete in `previous`, calling `checkpoint` after each cell.
pub fn run_power(
    c: &Compiled,
    s: &PowerSettings,
    shard: Option<[usize; 2]>,
    previous: Option<PowerRun>,
    progress: &(dyn Fn(Progress) + Sync),
    checkpoint: &mut dyn FnMut(&PowerRun) -> Result<()>,
) -> Result<PowerRun> {
    s.validate(c)?;
    if let Some([i, n]) = shard {
        if n == 0 || i == 0 || i > n {
            return Err(Error::option(
                "--shard",
                format!("expected I/N with 1 <= I <= N, found {i}/{n}"),
            ));
        }
    }
    let cells = s.cells();
    let out_idx = c
        .group_latents
        .iter()
        .position(|g| *g == s.outcome)
        .unwrap_or(0);
    let members = s.analysis == Analysis::Program && s.source.as_deref() == Some("members");
    let term_latents = if members {
        &c.group_latents
    } else {
        &c.leader_latents
    };
    let pred_idx: Vec<usize> = s
        .predictors
        .iter()
        .filter_map(|p| term_latents.iter().position(|l| l == p))
        .collect();
    let outcome_inst = &c.group[c
        .group
        .iter()
        .position(|(i, _, _)| s.outcome.starts_with(&format!("{}:", i.id)))
        .unwrap_or(0)]
    .0;
    let contrast_idx = s
        .contrast
        .as_ref()
        .filter(|_| s.analysis == Analysis::Differential)
        .and_then(|k| c.group_latents.iter().position(|g| g == k));
    let leader_maps = score_maps(c, false);
    let group_maps = score_maps(c, true);
    // only the predictors' and the outcome's items are read: the rest are not computed
    let mut needed = Needed {
        leader_self: false,
        leader: vec![false; c.leader_items()],
        group: vec![false; c.group_items()],
    };
    for &k in &pred_idx {
        for &j in &leader_maps[k].items {
            needed.leader[j] = true;
        }
    }
    for &j in &group_maps[out_idx].items {
        needed.group[j] = true;
    }
    // the differential analysis also reads its contrast outcome
    if let Some(ci) = contrast_idx {
        for &j in &group_maps[ci].items {
            needed.group[j] = true;
        }
    }
    let plan = Plan {
        c,
        s,
        pred_idx: pred_idx.clone(),
        out_idx,
        contrast_idx,
        leader_maps,
        group_maps,
        outcome_points: (outcome_inst.scale.max - outcome_inst.scale.min + 1) as usize,
        needed,
    };
    let mine = |r: usize| shard.is_none_or(|[i, n]| r % n == i - 1);
    // replications r with r % n == i - 1, counted without walking them
    let per_cell = match shard {
        None => s.replications,
        Some([i, n]) if i >= 1 && n >= 1 && i - 1 < s.replications => {
            (s.replications - (i - 1)).div_ceil(n)
        }
        Some(_) => 0,
    };
    let mut run = match previous {
        Some(p) => {
            if p.settings != *s || p.shard != shard {
                return Err(Error::option("--resume", "the output file was made with other settings (model, grid, seed, replications or shard)"));
            }
            p
        }
        None => PowerRun {
            model: c.model.title.clone(),
            settings: s.clone(),
            shard,
            cells: cells.clone(),
            true_effects: match (&c.program, s.analysis) {
                (Some(p), Analysis::Program) => {
                    let truth = super::population::true_program_effects(p, c, &c.b);
                    s.predictors
                        .iter()
                        .map(|t| {
                            truth
                                .iter()
                                .find(|(n, _)| n == t)
                                .map(|(_, v)| *v)
                                .unwrap_or(0.0)
                        })
                        .collect()
                }
                _ => match contrast_idx {
                    Some(ci) => pred_idx
                        .iter()
                        .map(|&k| c.true_correlation(k, out_idx) - c.true_correlation(k, ci))
                        .collect(),
                    None => pred_idx.iter().map(|&k| c.b[(out_idx, k)]).collect(),
                },
            },
            summary: Vec::new(),
            records: Vec::new(),
        },
    };
    let total = cells.len() * per_cell;
    let done_before =
        |run: &PowerRun, cell: usize| run.records.iter().filter(|r| r.cell == cell).count();
    let mut done: usize = cells.iter().map(|cs| done_before(&run, cs.cell)).sum();
    for cs in &cells {
        if done_before(&run, cs.cell) == per_cell {
            continue;
        }
        run.records.retain(|r| r.cell != cs.cell);
        let counter = std::sync::atomic::AtomicUsize::new(0);
        let recs: Vec<Record> = (0..s.replications)
            .into_par_iter()
            .filter(|&r| mine(r))
            .map(|r| {
                let rec = plan.replicate(cs, r);
                let k = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if k % 16 == 0 {
                    progress(Progress {
                        done: done + k,
                        total,
                    });
                }
                rec
            })
            .collect();
        done += recs.len();
        run.records.extend(recs);
        run.records.sort_by_key(|r| (r.cell, r.rep));
        run.summary = summarize(&run);
        progress(Progress { done, total });
        checkpoint(&run)?;
    }
    run.summary = summarize(&run);
    Ok(run)
}

/// Summaries of a run's records, cell by cell, in replication order.
pub fn summarize(run: &PowerRun) -> Vec<CellSummary> {
    let s = &run.settings;
    run.cells
        .iter()
        .map(|cs| {
            let recs: Vec<&Record> = run.records.iter().filter(|r| r.cell == cs.cell).collect();
            let ok: Vec<&&Record> = recs.iter().filter(|r| r.error.is_none()).collect();
            let n = ok.len() as f64;
            let effects = s
                .predictors
                .iter()
                .enumerate()
                .map(|(j, term)| {
                    let truth = run.true_effects.get(j).copied().unwrap_or(0.0) * cs.effect_scale;
                    let sig = ok
                        .iter()
                        .filter(|r| r.p.get(j).is_some_and(|p| *p < s.alpha))
                        .count() as f64;
                    let mean = ok.iter().map(|r| r.estimate[j]).sum::<f64>() / n;
                    // the df repeat from record to record: one quantile per distinct df
                    let mut last: Option<(u64, f64)> = None;
                    let covered = ok
                        .iter()
                        .filter(|r| {
                            let t = match last {
                                Some((df, t)) if df == r.df.to_bits() => t,
                                _ => {
                                    let t = t_quantile(0.975, r.df).unwrap_or(1.96);
                                    last = Some((r.df.to_bits(), t));
                                    t
                                }
                            };
                            (r.estimate[j] - truth).abs() <= t * r.se[j]
                        })
                        .count() as f64;
                    let power = sig / n;
                    EffectSummary {
                        term: term.clone(),
                        true_beta: truth,
                        power,
                        power_se: (power * (1.0 - power) / n).sqrt(),
                        mean_estimate: mean,
                        bias: mean - truth,
                        coverage: covered / n,
                    }
                })
                .collect();
            let cv: Vec<f64> = ok.iter().filter_map(|r| r.cv_r2).collect();
            let agg: Vec<bool> = ok.iter().filter_map(|r| r.aggregation_supported).collect();
            CellSummary {
                spec: cs.clone(),
                replications: ok.len(),
                failed: recs.len() - ok.len(),
                effects,
                mean_cv_r2: (!cv.is_empty()).then(|| cv.iter().sum::<f64>() / cv.len() as f64),
                aggregation_supported: (!agg.is_empty())
                    .then(|| agg.iter().filter(|&&a| a).count() as f64 / agg.len() as f64),
            }
        })
        .collect()
}

/// Merges shards of one run; the result equals the unsharded run when all shards are present.
pub fn merge(runs: Vec<PowerRun>) -> Result<PowerRun> {
    let mut it = runs.into_iter();
    let Some(mut first) = it.next() else {
        return Err(Error::option("merge", "no files to merge"));
    };
    let mut shards: Vec<[usize; 2]> = first.shard.into_iter().collect();
    for r in it {
        if r.settings != first.settings || r.cells != first.cells {
            return Err(Error::option(
                "merge",
                "the files come from different runs (settings or grid differ)",
            ));
        }
        shards.extend(r.shard);
        first.records.extend(r.records);
    }
    first.records.sort_by_key(|r| (r.cell, r.rep));
    let before = first.records.len();
    first.records.dedup_by_key(|r| (r.cell, r.rep));
    if first.records.len() != before {
        return Err(Error::option(
            "merge",
            "a replication appears in two files (the same shard twice?)",
        ));
    }
    let complete = first.records.len() == first.cells.len() * first.settings.replications;
    first.shard = if complete {
        None
    } else {
        shards.sort();
        shards.first().copied()
    };
    first.summary = summarize(&first);
    Ok(first)
}

/// The summary as CSV: one row per cell and predictor.
pub fn summary_csv(run: &PowerRun) -> String {
    let mut out = String::from("groups,raters,effect_scale,term,true_beta,power,power_se,mean_estimate,bias,coverage,mean_cv_r2,aggregation_supported,replications\n");
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
    for c in &run.summary {
        for e in &c.effects {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                c.spec.groups,
                c.spec.raters,
                c.spec.effect_scale,
                e.term,
                e.true_beta,
                e.power,
                e.power_se,
                e.mean_estimate,
                e.bias,
                e.coverage,
                opt(c.mean_cv_r2),
                opt(c.aggregation_supported),
                c.replications
            ));
        }
    }
    out
}

/// Plain sentences: "120 groups with 6 raters each give 0.82 power for an effect of 0.25 (...)".
pub fn plain_summary(run: &PowerRun) -> Vec<String> {
    run.summary
        .iter()
        .flat_map(|c| {
            // every replication failed (e.g. effects that explain more than all of the
            // outcome's variance): no power to speak of
            if c.replications == 0 {
                return vec![format!(
                    "{} {} with {} raters each (effect scale {}): all {} replications failed, so power is undefined (null).",
                    c.spec.groups,
                    if run.settings.analysis == Analysis::Program {
                        "leaders per arm"
                    } else {
                        "groups"
                    },
                    c.spec.raters,
                    c.spec.effect_scale,
                    c.failed
                )];
            }
            c.effects.iter().map(move |e| {
                if run.settings.analysis == Analysis::Program {
                    return format!(
                        "{} leaders per arm with {} raters each give {:.2} power for the program effect on {} as rated by {} (true effect {:.2} SD, mean d_ppc2 {:.2}, coverage {:.2}).",
                        c.spec.groups,
                        c.spec.raters,
                        e.power,
                        e.term,
                        match run.settings.source.as_deref().unwrap_or("collaborators") {
                            "self" => "the leaders themselves",
                            "members" => "the group's members",
                            _ => "their collaborators",
                        },
                        e.true_beta,
                        e.mean_estimate,
                        e.coverage
                    );
                }
                format!(
                    "{} groups with {} raters each give {:.2} power for {} (true effect {:.2}, mean estimate {:.2}, coverage {:.2}).",
                    c.spec.groups, c.spec.raters, e.power, e.term, e.true_beta, e.mean_estimate, e.coverage
                )
            }).collect()
        })
        .collect()
}
