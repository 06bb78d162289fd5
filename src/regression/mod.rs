//! Regression: OLS with classical, robust and clustered standard errors, hierarchical blocks,
//! dominance analysis, cross-validation, aggregation to groups and random-intercept models.
//!
//! - [`qr`]: least squares by Householder QR (no $X'X$) with R's rank check: the design
//!   matrix, the fit, hat values.
//! - [`mod@ols`]: `summary.lm` statistics on that fit, standardised betas and VIF.
//! - [`robust`]: HC0–HC3 (`sandwich::vcovHC`) and clustered CR0–CR3 (`sandwich::vcovCL`).
//! - [`blocks`]: hierarchical regression, $\Delta R^2$ and F change from one QR.
//! - [`mod@dominance`]: general, conditional and complete dominance from all $2^p$ subset $R^2$
//!   (Cholesky updates of the correlation matrix), with a seeded parallel bootstrap.
//! - [`cv`]: k-fold (repeated) and leave-one-out (PRESS) cross-validated $R^2$.
//! - [`mixed`]: profiled REML for a random intercept (and slope), as lme4.
//! - [`regress`]: the whole `trustscale regress` analysis on named columns.
//!
//! # References
//! - Golub, G. H., & Van Loan, C. F. (2013). *Matrix computations* (4th ed.). Johns Hopkins.
//! - White, H. (1980). A heteroskedasticity-consistent covariance matrix estimator and a direct
//!   test for heteroskedasticity. *Econometrica, 48*, 817–838.
//! - MacKinnon, J. G., & White, H. (1985). *Journal of Econometrics, 29*, 305–325.
//! - Liang, K.-Y., & Zeger, S. L. (1986). *Biometrika, 73*, 13–22.
//! - Bell, R. M., & McCaffrey, D. F. (2002). *Survey Methodology, 28*, 169–181.
//! - Zeileis, A., Köll, S., & Graham, N. (2020). Various versatile variances: An object-oriented
//!   implementation of clustered covariances in R. *Journal of Statistical Software, 95*(1).
//! - Budescu, D. V. (1993). *Psychological Bulletin, 114*, 542–551; Azen, R., & Budescu, D. V.
//!   (2003). *Psychological Methods, 8*, 129–148.
//! - Allen, D. M. (1974). *Technometrics, 16*, 125–127.
//! - Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
//!   models using lme4. *Journal of Statistical Software, 67*(1).
//! - Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J.
//!   Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
//!   organizations* (pp. 349–381). Jossey-Bass.

pub mod blocks;
pub mod cv;
pub mod dominance;
pub mod mixed;
pub mod ols;
pub mod qr;
pub mod robust;

pub use blocks::{hierarchical, BlockStep};
pub use cv::{cross_validate, CvOptions, CvResult};
pub use dominance::{dominance, DominanceOptions, DominanceResult, DominanceRow};
pub use mixed::{lmm_reml, lmm_reml_nested, FixedEffect, MixedOptions, MixedResult};
pub use ols::{ols, Coefficient, OlsOptions, OlsResult};
pub use qr::{least_squares, Design, LinearFit};
pub use robust::{cr2_satterthwaite_df, vcov_cluster, vcov_hc, Covariance, HcType};

use crate::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
use crate::data::ItemData;
use crate::dist::f_sf;
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::HashMap;

/// A text column (group or cluster ids), row-aligned with the numeric data; `None` = missing.
#[derive(Debug, Clone)]
pub struct LabelColumn {
    /// Column name.
    pub name: String,
    /// One label per row.
    pub values: Vec<Option<String>>,
}

/// The data of a regression: numeric columns (outcome and predictors, by name, `NaN` =
/// missing) and label columns (groups, clusters), row-aligned.
#[derive(Debug, Clone)]
pub struct RegressData {
    /// Numeric columns.
    pub numeric: ItemData,
    /// Label columns.
    pub labels: Vec<LabelColumn>,
}

/// Options of [`regress`]. Defaults follow R `lm` + `summary.lm` (classical standard errors,
/// 95% intervals); every extra analysis is off.
#[derive(Debug, Clone)]
pub struct RegressOptions {
    /// Outcome column.
    pub outcome: String,
    /// Predictor columns, in order (with `blocks`, their concatenation).
    pub predictors: Vec<String>,
    /// Hierarchical blocks (sizes of consecutive runs of `predictors`); empty = none.
    pub blocks: Vec<usize>,
    /// Robust (HC) standard errors; with `cluster`, the clustered variant (default CR1).
    pub robust: Option<HcType>,
    /// Label column of the clusters for cluster-robust standard errors.
    pub cluster: Option<String>,
    /// Label column of the groups to average within before the regression.
    pub aggregate: Option<String>,
    /// Response options of the aggregated columns, for rwg (with `aggregate`).
    pub scale_points: Option<usize>,
    /// Label column of the groups of a random-intercept model (REML).
    pub multilevel: Option<String>,
    /// Predictor with a random slope (with `multilevel`).
    pub random_slope: Option<String>,
    /// Dominance analysis.
    pub dominance: bool,
    /// Bootstrap resamples of the dominance weights.
    pub bootstrap: Option<usize>,
    /// Cross-validation.
    pub cv: Option<CvOptions>,
    /// Seed of every random step (bootstrap, fold assignment).
    pub seed: u64,
    /// Confidence level of intervals.
    pub ci: f64,
}

impl Default for RegressOptions {
    fn default() -> Self {
        RegressOptions {
            outcome: String::new(),
            predictors: Vec::new(),
            blocks: Vec::new(),
            robust: None,
            cluster: None,
            aggregate: None,
            scale_points: None,
            multilevel: None,
            random_slope: None,
            dominance: false,
            bootstrap: None,
            cv: None,
            seed: 1,
            ci: 0.95,
        }
    }
}

impl RegressOptions {
    /// Rejects impossible or conflicting settings before any numerics run.
    pub fn validate(&self) -> Result<()> {
        if self.outcome.is_empty() {
            return Err(Error::option("--outcome", "name the outcome"));
        }
        if self.predictors.is_empty() {
            return Err(Error::option("--predictors", "name at least one predictor"));
        }
        if let Some(d) = self.predictors.iter().enumerate().find_map(|(i, p)| {
            (self.predictors[..i].contains(p) || *p == self.outcome).then_some(p)
        }) {
            return Err(Error::option(
                "--predictors",
                format!("\"{d}\" is named twice (or is the outcome)"),
            ));
        }
        if !self.blocks.is_empty() && self.blocks.iter().sum::<usize>() != self.predictors.len() {
            return Err(Error::option(
                "--blocks",
                "the blocks do not cover the predictors",
            ));
        }
        if !(self.ci > 0.0 && self.ci < 1.0) {
            return Err(Error::option("--ci", "expected a level between 0 and 1"));
        }
        use crate::error::limits;
        if let Some(b) = self.bootstrap {
            limits::positive("--bootstrap", b)?;
            limits::count("--bootstrap", b, limits::RESAMPLES)?;
        }
        if let Some(a) = self.scale_points {
            if a < 2 || a as u64 > limits::SCALE_POINTS {
                return Err(Error::option(
                    "--scale-points",
                    format!(
                        "expected 2 to {} response categories, found {a}",
                        limits::SCALE_POINTS
                    ),
                ));
            }
        }
        if self.bootstrap.is_some() && !self.dominance {
            return Err(Error::option(
                "--bootstrap",
                "the bootstrap is of the dominance weights: add --dominance",
            ));
        }
        if self.random_slope.is_some() && self.multilevel.is_none() {
            return Err(Error::option(
                "--random-slope",
                "a random slope needs --multilevel GROUP",
            ));
        }
        if let Some(s) = &self.random_slope {
            if !self.predictors.contains(s) {
                return Err(Error::option(
                    "--random-slope",
                    format!("\"{s}\" must also be one of the predictors"),
                ));
            }
        }
        if self.multilevel.is_some() {
            let other = [
                (self.robust.is_some(), "--robust"),
                (self.cluster.is_some(), "--cluster"),
                (self.aggregate.is_some(), "--aggregate"),
                (!self.blocks.is_empty(), "--blocks"),
                (self.dominance, "--dominance"),
                (self.cv.is_some(), "--cv"),
            ];
            if let Some((_, flag)) = other.iter().find(|(on, _)| *on) {
                return Err(Error::option(
                    *flag,
                    "not available with --multilevel (a mixed model is reported alone)",
                ));
            }
        }
        if self.aggregate.is_some() && self.cluster.is_some() {
            return Err(Error::option(
                "--cluster",
                "rows averaged within groups (--aggregate) are no longer clustered",
            ));
        }
        if self.scale_points.is_some() && self.aggregate.is_none() {
            return Err(Error::option(
                "--scale-points",
                "rwg of aggregated columns needs --aggregate GROUP",
            ));
        }
        if let Some(cv) = &self.cv {
            cv.validate()?;
        }
        if self.predictors.len() > dominance::MAX_PREDICTORS && self.dominance {
            return Err(Error::option(
                "--dominance",
                format!(
                    "dominance analysis evaluates all 2^p subsets and takes at most {} predictors, found {}",
                    dominance::MAX_PREDICTORS,
                    self.predictors.len()
                ),
            ));
        }
        Ok(())
    }
}

/// Agreement and reliability of one aggregated column (Bliese's ICC(1), ICC(2), rwg).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AggregatedColumn {
    /// Column.
    pub column: String,
    /// ICC(1) of the one-way ANOVA on the group.
    pub icc1: f64,
    /// ICC(2), the reliability of the group means.
    pub icc2: f64,
    /// The ANOVA's F.
    pub f: f64,
    /// Its df.
    pub df1: f64,
    /// Its df.
    pub df2: f64,
    /// Its upper-tail p.
    pub p: f64,
    /// Mean single-item rwg over groups of two or more (with `scale_points`).
    pub mean_rwg: Option<f64>,
    /// Median rwg (with `scale_points`).
    pub median_rwg: Option<f64>,
}

/// The `aggregation` section: what was averaged and how well it aggregates.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AggregationReport {
    /// The group column.
    pub group: String,
    /// Groups (rows of the regression).
    pub n_groups: usize,
    /// Individual rows averaged.
    pub n_rows: usize,
    /// Smallest group.
    pub min_group_size: usize,
    /// Mean group size.
    pub mean_group_size: f64,
    /// Largest group.
    pub max_group_size: usize,
    /// Per aggregated column (outcome first).
    pub columns: Vec<AggregatedColumn>,
}

/// The OLS part of a [`RegressResult`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OlsReport {
    /// Fit, tests and coefficients.
    #[serde(flatten)]
    pub fit: OlsResult,
    /// Hierarchical steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<BlockStep>>,
    /// Dominance weights, one row per predictor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominance: Option<Vec<DominanceRow>>,
    /// Complete dominance matrix (`[i][j]` = 1: i dominates j; 0: j dominates i; 0.5: neither).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominance_complete: Option<Vec<Vec<Option<f64>>>>,
    /// Dominance bootstrap settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominance_bootstrap: Option<dominance::DominanceBootstrap>,
    /// Cross-validated R² (mean over repeats).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv_r2: Option<f64>,
    /// Cross-validated RMSE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv_rmse: Option<f64>,
    /// Cross-validation details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv: Option<CvResult>,
    /// Aggregation report (with `aggregate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<AggregationReport>,
}

/// Result of [`regress`]; keys as in the CLI contract (OLS keys, or with `multilevel` the
/// mixed-model keys).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegressResult {
    /// The outcome.
    pub outcome: String,
    /// Rows dropped for a missing outcome, predictor or group label.
    pub n_dropped: usize,
    /// OLS results.
    #[serde(flatten)]
    pub ols: Option<OlsReport>,
    /// Mixed-model results.
    #[serde(flatten)]
    pub mixed: Option<MixedResult>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Integer codes of labels, numbered in R's factor-level order; and the levels.
fn encode(labels: &[&str]) -> (Vec<usize>, Vec<String>) {
    let mut levels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    sort_levels(&mut levels);
    levels.dedup();
    let index: HashMap<&str, usize> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let codes = labels
        .iter()
        .map(|l| index.get(l).copied().unwrap_or(0))
        .collect();
    (codes, levels)
}

/// Sorts labels as R sorts a factor's levels: numerically when all are numbers, else as text.
fn sort_levels(levels: &mut [String]) {
    if levels.iter().all(|l| l.trim().parse::<f64>().is_ok()) {
        levels.sort_by(|a, b| {
            let x: f64 = a.trim().parse().unwrap_or(0.0);
            let y: f64 = b.trim().parse().unwrap_or(0.0);
            x.total_cmp(&y)
        });
    } else {
        levels.sort();
    }
}

/// The whole `trustscale regress` analysis.
///
/// # Formula
/// Rows with a missing outcome, predictor or used label are dropped (listwise, as `lm`'s
/// `na.omit`). With `aggregate`, every column is replaced by its unweighted group means (one
/// row per group) after ICC(1)/ICC(2) (and rwg with `scale_points`) of each column are
/// reported. Then OLS ([`ols()`]) with classical, HC ([`vcov_hc`]) or clustered
/// ([`vcov_cluster`]) standard errors, hierarchical steps ([`hierarchical`]), dominance
/// ([`dominance()`]) and cross-validation ([`cross_validate`]); or, with `multilevel`, the REML
/// mixed model ([`lmm_reml`]).
///
/// # Reference
/// See the module references.
///
/// # Peer
/// R 4.2.2: `lm`, `summary.lm`, `confint`, `anova`; sandwich 3.0.2 `vcovHC`/`vcovCL` with
/// lmtest 0.9.40 `coeftest`; car 3.1.1 `vif`; `aggregate(FUN = mean)`; multilevel 2.7 `ICC1`,
/// `ICC2`, `rwg`; lme4 1.1.31 `lmer`. Reference cases 20–24.
///
/// # Deviations
/// With `aggregate`, rows with a missing cell are dropped before the group means are taken;
/// R's `aggregate(FUN = mean)` without `na.rm` would instead give that group an `NA` mean and
/// drop the whole group. Exact collinearity is an error instead of `NA` coefficients.
pub fn regress(data: &RegressData, opts: &RegressOptions) -> Result<RegressResult> {
    opts.validate()?;
    let d = &data.numeric;
    d.check_magnitude()?;
    let at = d.location();
    let col = |name: &str| -> Result<usize> {
        d.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownColumn {
                at: at.clone(),
                name: name.to_string(),
                did_you_mean: None,
            })
    };
    let label = |name: &str| -> Result<&LabelColumn> {
        data.labels
            .iter()
            .find(|l| l.name == name)
            .ok_or_else(|| Error::UnknownColumn {
                at: at.clone(),
                name: name.to_string(),
                did_you_mean: None,
            })
    };
    let yj = col(&opts.outcome)?;
    let xj: Vec<usize> = opts
        .predictors
        .iter()
        .map(|p| col(p))
        .collect::<Result<_>>()?;
    let group_name = opts
        .multilevel
        .as_deref()
        .or(opts.aggregate.as_deref())
        .or(opts.cluster.as_deref());
    let group_col = group_name.map(label).transpose()?;
    if let Some(g) = group_col {
        if g.values.len() != d.n() {
            return Err(Error::option(
                "--multilevel",
                "group labels do not match the rows",
            ));
        }
    }
    // listwise
    let mut keep = Vec::with_capacity(d.n());
    for (i, r) in d.row_iter().enumerate() {
        let ok = !r[yj].is_nan()
            && xj.iter().all(|&j| !r[j].is_nan())
            && group_col.is_none_or(|g| g.values[i].is_some());
        if ok {
            keep.push(i);
        }
    }
    let n_dropped = d.n() - keep.len();
    let mut warnings = Vec::new();
    if n_dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!(
                "{n_dropped} of {} rows with a missing outcome, predictor{} were dropped (as lm)",
                d.n(),
                if group_col.is_some() { " or group" } else { "" }
            ),
        ));
    }
    let p = xj.len();
    let mut y: Vec<f64> = keep.iter().map(|&i| d.values[i * d.k() + yj]).collect();
    let mut x = DMatrix::from_fn(keep.len(), p, |r, j| d.values[keep[r] * d.k() + xj[j]]);
    let labels: Option<Vec<&str>> = group_col.map(|g| {
        keep.iter()
            .map(|&i| g.values[i].as_deref().unwrap_or(""))
            .collect()
    });

    if let Some(gname) = &opts.multilevel {
        let (codes, _) = encode(labels.as_deref().unwrap_or(&[]));
        let slope = opts
            .random_slope
            .as_ref()
            .and_then(|s| opts.predictors.iter().position(|p| p == s));
        check_rows(&y, p, d)?;
        // the same collinearity check as OLS: lme4 would drop the column with a message, the
        // REML fit here would report standard errors in the millions
        {
            let mut terms = vec![qr::INTERCEPT.to_string()];
            terms.extend(opts.predictors.iter().cloned());
            least_squares(Design::new(&x, true), &y, &terms)?;
        }
        let mut m = lmm_reml(
            &x,
            &y,
            &codes,
            &opts.predictors,
            &MixedOptions {
                random_slope: slope,
            },
        )
        .map_err(|e| match e {
            Error::InvalidOption { flag, msg } if flag == "--multilevel" => {
                Error::option(flag, format!("{gname}: {msg}"))
            }
            other => other,
        })?;
        warnings.append(&mut m.warnings);
        warnings.extend(undefined_mixed(&m));
        return Ok(RegressResult {
            outcome: opts.outcome.clone(),
            n_dropped,
            ols: None,
            mixed: Some(m),
            warnings,
        });
    }

    let mut aggregation = None;
    if let (Some(gname), Some(lab)) = (&opts.aggregate, &labels) {
        let (codes, levels) = encode(lab);
        let g = levels.len();
        let mut sizes = vec![0usize; g];
        for &c in &codes {
            sizes[c] += 1;
        }
        let mut columns = Vec::with_capacity(p + 1);
        let names: Vec<&String> = std::iter::once(&opts.outcome)
            .chain(&opts.predictors)
            .collect();
        for (j, name) in names.iter().enumerate() {
            let v: Vec<f64> = if j == 0 {
                y.clone()
            } else {
                x.column(j - 1).iter().copied().collect()
            };
            columns.push(aggregated_column(
                name,
                &v,
                &codes,
                lab,
                g,
                opts.scale_points,
            )?);
        }
        // a column without variance within groups (or with one answer everywhere) has no F,
        // ICC or rwg: null in the JSON, said here
        for c in &columns {
            let undefined: Vec<&str> = [
                ("F", Some(c.f)),
                ("ICC(1)", Some(c.icc1)),
                ("ICC(2)", Some(c.icc2)),
                ("p", Some(c.p)),
                ("mean rwg", c.mean_rwg),
                ("median rwg", c.median_rwg),
            ]
            .iter()
            .filter(|(_, v)| v.is_some_and(|x| !x.is_finite()))
            .map(|(k, _)| *k)
            .collect();
            if !undefined.is_empty() {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    format!(
                        "{}: {} not defined for these data (no variance within or between groups); reported as null",
                        c.column,
                        undefined.join(", ")
                    ),
                ));
            }
        }
        let n_rows = y.len();
        let mut sy = vec![0.0; g];
        let mut sx = DMatrix::<f64>::zeros(g, p);
        for (i, &c) in codes.iter().enumerate() {
            sy[c] += y[i];
            for j in 0..p {
                sx[(c, j)] += x[(i, j)];
            }
        }
        for c in 0..g {
            let s = sizes[c] as f64;
            sy[c] /= s;
            for j in 0..p {
                sx[(c, j)] /= s;
            }
        }
        y = sy;
        x = sx;
        aggregation = Some(AggregationReport {
            group: gname.clone(),
            n_groups: g,
            n_rows,
            min_group_size: sizes.iter().copied().min().unwrap_or(0),
            mean_group_size: n_rows as f64 / g as f64,
            max_group_size: sizes.iter().copied().max().unwrap_or(0),
            columns,
        });
    }
    check_rows(&y, p, d)?;
    let covariance = match (&opts.cluster, &labels) {
        (Some(_), Some(lab)) => Covariance::Cluster {
            ids: encode(lab).0,
            kind: opts.robust.unwrap_or(HcType::Hc1),
        },
        _ => opts.robust.map_or(Covariance::Classical, Covariance::Hc),
    };
    let fit = ols(
        &x,
        &y,
        &opts.predictors,
        &OlsOptions {
            covariance,
            ci: opts.ci,
        },
    )?;
    let blocks = if opts.blocks.is_empty() {
        None
    } else {
        Some(hierarchical(&x, &y, &opts.predictors, &opts.blocks)?)
    };
    let (dom, dom_complete, dom_boot) = if opts.dominance {
        let mut r = dominance(
            &x,
            &y,
            &opts.predictors,
            &DominanceOptions {
                bootstrap: opts.bootstrap,
                seed: opts.seed,
                level: opts.ci,
            },
        )?;
        warnings.append(&mut r.warnings);
        (Some(r.rows), Some(r.complete), r.bootstrap)
    } else {
        (None, None, None)
    };
    let cv = match &opts.cv {
        None => None,
        Some(c) => {
            let design = Design::new(&x, true);
            let mut terms = vec![qr::INTERCEPT.to_string()];
            terms.extend(opts.predictors.iter().cloned());
            let r = cross_validate(design, &y, &terms, c)?;
            if c.folds == y.len() && c.repeats > 1 {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    "leave-one-out cross-validation has one fold assignment: --repeats ignored",
                ));
            }
            Some(r)
        }
    };
    warnings.extend(undefined_ols(&fit, blocks.as_deref()));
    Ok(RegressResult {
        outcome: opts.outcome.clone(),
        n_dropped,
        ols: Some(OlsReport {
            fit,
            blocks,
            dominance: dom,
            dominance_complete: dom_complete,
            dominance_bootstrap: dom_boot,
            cv_r2: cv.as_ref().map(|c| c.cv_r2),
            cv_rmse: cv.as_ref().map(|c| c.rmse),
            cv,
            aggregation,
        }),
        mixed: None,
        warnings,
    })
}

/// The names of the values that are not finite (printed as `null` in the JSON), each once, in
/// order of `values`.
fn non_finite<'a>(values: impl IntoIterator<Item = (&'a str, Option<f64>)>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for (name, v) in values {
        if v.is_some_and(|x| !x.is_finite()) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The warning that goes with `null`s in an OLS fit (and its hierarchical steps): which keys
/// and why. A residual sum of squares of 0 (the predictors reproduce the outcome exactly, as
/// with as many group means as coefficients plus one and an exact fit) leaves $\hat\sigma = 0$:
/// $t = b/0$, $F = \mathrm{MSS}/0$ and $\ell = -\tfrac n2\log 0$ do not exist.
fn undefined_ols(fit: &OlsResult, blocks: Option<&[BlockStep]>) -> Option<Warning> {
    let mut keys = non_finite([
        ("r2", Some(fit.r2)),
        ("adj_r2", Some(fit.adj_r2)),
        ("f", Some(fit.f)),
        ("p", Some(fit.p)),
        ("sigma", Some(fit.sigma)),
        ("loglik", Some(fit.loglik)),
        ("aic", Some(fit.aic)),
        ("bic", Some(fit.bic)),
        ("robust_wald.f", fit.robust_wald.as_ref().map(|w| w.f)),
        ("robust_wald.p", fit.robust_wald.as_ref().map(|w| w.p)),
    ]);
    let coef = non_finite(fit.coefficients.iter().flat_map(|c| {
        [
            ("estimate", Some(c.estimate)),
            ("se", Some(c.se)),
            ("t", Some(c.t)),
            ("p", Some(c.p)),
            ("ci", Some(c.ci[0])),
            ("ci", Some(c.ci[1])),
            ("std_beta", c.std_beta),
            ("vif", c.vif),
        ]
    }));
    let steps = non_finite(blocks.unwrap_or(&[]).iter().flat_map(|b| {
        [
            ("r2", Some(b.r2)),
            ("adj_r2", Some(b.adj_r2)),
            ("delta_r2", Some(b.delta_r2)),
            ("f_change", Some(b.f_change)),
            ("p", Some(b.p)),
        ]
    }));
    let coef = coef.iter().map(|k| format!("coefficients' {k}"));
    let steps = steps.iter().map(|k| format!("blocks' {k}"));
    let all: Vec<String> = keys
        .drain(..)
        .map(String::from)
        .chain(coef)
        .chain(steps)
        .collect();
    if all.is_empty() {
        return None;
    }
    let why = if fit.sigma == 0.0 {
        "the predictors reproduce the outcome exactly (residual sum of squares 0)"
    } else {
        "a division by zero or an overflow in these data"
    };
    Some(Warning::new(
        WarningCode::Note,
        format!(
            "{}: not defined, as {why}; reported as null",
            all.join(", ")
        ),
    ))
}

/// The warning that goes with `null`s in a mixed model's fit.
fn undefined_mixed(m: &MixedResult) -> Option<Warning> {
    let mut keys: Vec<String> = non_finite([
        ("var_group", Some(m.var_group)),
        ("var_residual", Some(m.var_residual)),
        ("icc", m.icc),
        ("loglik_reml", Some(m.loglik_reml)),
        ("reml_criterion", Some(m.reml_criterion)),
        ("aic", Some(m.aic)),
        ("bic", Some(m.bic)),
    ])
    .into_iter()
    .map(String::from)
    .collect();
    keys.extend(
        non_finite(m.theta.iter().map(|&t| ("theta", Some(t))))
            .into_iter()
            .map(String::from),
    );
    keys.extend(
        non_finite(m.fixed.iter().flat_map(|f| {
            [
                ("estimate", Some(f.estimate)),
                ("se", Some(f.se)),
                ("t", Some(f.t)),
            ]
        }))
        .into_iter()
        .map(|k| format!("fixed effects' {k}")),
    );
    if keys.is_empty() {
        return None;
    }
    let why = if m.var_residual == 0.0 {
        "the residual variance is 0 (the model reproduces the outcome exactly)"
    } else {
        "a division by zero or an overflow in these data"
    };
    Some(Warning::new(
        WarningCode::Note,
        format!(
            "{}: not defined, as {why}; reported as null",
            keys.join(", ")
        ),
    ))
}

/// Errors on too few rows or a constant outcome.
fn check_rows(y: &[f64], p: usize, d: &ItemData) -> Result<()> {
    if y.len() < p + 2 {
        return Err(Error::TooFewRows {
            at: d.location(),
            needed: p + 2,
            got: y.len(),
        });
    }
    if y.iter().all(|&v| v == y[0]) {
        return Err(Error::ZeroVariance {
            at: d.location(),
            value: y[0],
        });
    }
    Ok(())
}

/// ICC(1), ICC(2) (and rwg with `scale_points`) of one column in `g` groups.
fn aggregated_column(
    name: &str,
    v: &[f64],
    codes: &[usize],
    labels: &[&str],
    g: usize,
    scale_points: Option<usize>,
) -> Result<AggregatedColumn> {
    let n = v.len();
    if g < 2 || n <= g {
        return Err(Error::option(
            "--aggregate",
            format!("ICC(1) needs at least 2 groups and more rows than groups (found {g} groups, {n} rows)"),
        ));
    }
    let mut sum = vec![0.0; g];
    let mut cnt = vec![0.0; g];
    for (&x, &c) in v.iter().zip(codes) {
        sum[c] += x;
        cnt[c] += 1.0;
    }
    let gm: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
    let grand = ols::mean(v);
    let ssb: f64 = gm
        .iter()
        .zip(&cnt)
        .map(|(m, c)| c * (m - grand).powi(2))
        .sum();
    let ssw: f64 = v.iter().zip(codes).map(|(x, &c)| (x - gm[c]).powi(2)).sum();
    let df1 = (g - 1) as f64;
    let df2 = (n - g) as f64;
    let msb = ssb / df1;
    let msw = ssw / df2;
    let gsize = n as f64 / g as f64;
    let f = msb / msw;
    let mut out = AggregatedColumn {
        column: name.to_string(),
        icc1: (msb - msw) / (msb + (gsize - 1.0) * msw),
        icc2: (msb - msw) / msb,
        f,
        df1,
        df2,
        p: f_sf(f, df1, df2),
        mean_rwg: None,
        median_rwg: None,
    };
    if let Some(a) = scale_points {
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let r = rwg(
            v,
            1,
            &labels,
            &RwgOptions {
                scale_points: a,
                null: Null::Uniform,
                cutoffs: AggregationCutoffs::default(),
                rgr: None,
                seed: 1,
            },
        )?;
        out.mean_rwg = Some(r.mean_rwg_j);
        out.median_rwg = Some(r.median_rwg_j);
    }
    Ok(out)
}
