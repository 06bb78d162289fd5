//! Confirmatory factor analysis and structural equation models (lavaan's `cfa()`/`sem()`),
//! as a pipeline of named stages:
//!
//! | stage | module | lavaan |
//! |---|---|---|
//! | an instrument's intended model (one factor per subscale) → model syntax | [`instrument`] | |
//! | model syntax → flat statements | [`syntax`] | `lavParseModelString` |
//! | statements → parameter table | [`partable`] | `lavaanify` |
//! | parameter table → RAM matrices, implied moments, derivatives | [`model`] | `lav_model`, `computeDelta` |
//! | sample statistics, start values, ML estimation, expected information | [`estimate`] | `lav_samplestats`, `lav_start`, `lav_model_estimate`, `lav_model_information` |
//! | robust (MLR) standard errors and Yuan–Bentler test | [`robust`] | `lav_model_vcov` (`robust.huber.white`), `lav_test_yuan_bentler_mplus` |
//! | fit measures, standardised solution | [`fit`] | `lav_fit_measures`, `lav_standardize_all` |
//! | modification indices | [`mi`] | `modindices` |
//! | construct validity (CR, AVE, Fornell–Larcker, HTMT) | [`validity`] | semTools `compRelSEM`, `AVE`, `htmt` |
//! | measurement invariance (configural, metric, scalar) | [`invariance`] | `cfa(group.equal = ...)`, `lavTestLRT` |
//!
//! The entry points are [`cfa`] (one group), [`cfa_groups`] (several groups) and
//! [`invariance::invariance`]. Non-convergence, Heywood cases, non-positive-definite matrices and
//! unidentified models are reported as [`Warning`]s inside the result, never as errors.
//!
//! # Papers implemented
//! - Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
//!   analysis. *Psychometrika*, 34(2), 183–202.
//! - McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
//!   model for moment structures. *British Journal of Mathematical and Statistical Psychology*,
//!   37(2), 234–251.
//! - Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological
//!   Bulletin*, 107(2), 238–246.
//! - Steiger, J. H. (1990). Structural model evaluation and modification: An interval estimation
//!   approach. *Multivariate Behavioral Research*, 25(2), 173–180.
//! - Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
//!   structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165–200.
//! - Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of the sample
//!   performance of two nonnormality corrections for RMSEA. *Multivariate Behavioral Research*,
//!   47(6), 904–930.
//! - Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for
//!   nonnormality. *Multivariate Behavioral Research*, 49(5), 460–470.
//! - Savalei, V. (2018). On the computation of the RMSEA and CFI from the mean-and-variance
//!   corrected test statistic with nonnormal data in SEM. *Multivariate Behavioral Research*,
//!   53(3), 419–429.
//! - Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371–384.
//! - Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
//!   moment structure analysis. *Psychometrika*, 66(4), 507–514.
//! - Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
//!   unobservable variables and measurement error. *Journal of Marketing Research*, 18(1), 39–50.
//! - Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
//!   discriminant validity in variance-based structural equation modeling. *Journal of the
//!   Academy of Marketing Science*, 43(1), 115–135.
//! - Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
//!   invariance. *Structural Equation Modeling*, 14(3), 464–504.

pub mod categorical;
pub mod choice;
pub mod estimate;
pub mod fiml;
pub mod fit;
pub mod instrument;
pub mod invariance;
pub mod longitudinal;
pub mod mi;
pub mod model;
pub mod partable;
pub mod robust;
pub mod syntax;
pub mod validity;

use crate::data::read::closest_name;
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use estimate::{GroupStats, Problem, SampleStats};
use fit::{FitMeasures, StandardFit};
use model::Model;
use nalgebra::{DMatrix, DVector};
use partable::{GroupEqual, ParTable, PartableOptions};
use serde::Serialize;
use syntax::{ModelSyntax, Op};

/// Estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Maximum likelihood, expected-information standard errors (lavaan `estimator = "ML"`;
    /// observed information under FIML, as lavaan's `missing = "ml"`).
    #[default]
    Ml,
    /// ML estimates with Huber–White standard errors (observed information) and the
    /// Yuan–Bentler (Mplus variant) scaled test (lavaan `estimator = "MLR"`).
    Mlr,
    /// Diagonally weighted least squares with robust (sandwich) standard errors and the
    /// mean-and-variance adjusted (scaled-shifted) test (lavaan `estimator = "WLSMV"`, the
    /// default with ordered items).
    Wlsmv,
    /// Diagonally weighted least squares with standard errors from $(\Delta' W \Delta)^{-1}$ and
    /// the unscaled test (lavaan `estimator = "DWLS"`).
    Dwls,
    /// Unweighted least squares with robust standard errors and the scaled-shifted test (lavaan
    /// `estimator = "ULSMV"`).
    Ulsmv,
    /// Unweighted least squares, standard errors and test unscaled (lavaan `estimator = "ULS"`).
    Uls,
}

impl Estimator {
    /// The contract's name (`ml`, `mlr`, `wlsmv`, `dwls`, `ulsmv`, `uls`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Estimator::Ml => "ml",
            Estimator::Mlr => "mlr",
            Estimator::Wlsmv => "wlsmv",
            Estimator::Dwls => "dwls",
            Estimator::Ulsmv => "ulsmv",
            Estimator::Uls => "uls",
        }
    }

    /// Whether this is a (weighted) least-squares estimator of the limited-information family
    /// (WLSMV, DWLS, ULSMV, ULS), as opposed to a likelihood (ML, MLR).
    pub fn is_least_squares(&self) -> bool {
        !matches!(self, Estimator::Ml | Estimator::Mlr)
    }
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Estimator {
    type Err = Error;

    /// `ml`, `mlr`, `wlsmv`, `dwls`, `ulsmv` or `uls`, in any case (`--estimator MLR` is
    /// lavaan's spelling).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--estimator`) for anything else.
    fn from_str(s: &str) -> Result<Estimator> {
        match s.to_ascii_lowercase().as_str() {
            "ml" => Ok(Estimator::Ml),
            "mlr" => Ok(Estimator::Mlr),
            "wlsmv" => Ok(Estimator::Wlsmv),
            "dwls" => Ok(Estimator::Dwls),
            "ulsmv" => Ok(Estimator::Ulsmv),
            "uls" => Ok(Estimator::Uls),
            other => Err(Error::option(
                "--estimator",
                format!("expected ml, mlr, wlsmv, dwls, ulsmv or uls, found \"{other}\""),
            )),
        }
    }
}

/// How ordered indicators are scaled (lavaan `parameterization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Parameterization {
    /// The latent responses $y^*$ have unit total variance; residual variances of ordered
    /// items are not free ($1 - $ explained variance).
    #[default]
    Delta,
    /// The residual variances of ordered items are fixed to 1.
    Theta,
}

impl Parameterization {
    /// The contract's name (`delta`, `theta`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Parameterization::Delta => "delta",
            Parameterization::Theta => "theta",
        }
    }
}

impl std::fmt::Display for Parameterization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Parameterization {
    type Err = Error;

    /// `delta` or `theta`, in any case.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--parameterization`) for anything else.
    fn from_str(s: &str) -> Result<Parameterization> {
        match s.to_ascii_lowercase().as_str() {
            "delta" => Ok(Parameterization::Delta),
            "theta" => Ok(Parameterization::Theta),
            other => Err(Error::option(
                "--parameterization",
                format!("expected delta or theta, found \"{other}\""),
            )),
        }
    }
}

/// Which observed variables are ordered categorical (lavaan `ordered =`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ordered {
    /// None: every indicator is continuous.
    #[default]
    None,
    /// Every observed variable of the model.
    All,
    /// These observed variables.
    Items(Vec<String>),
}

impl Ordered {
    /// Whether no variable is ordered.
    pub fn is_none(&self) -> bool {
        match self {
            Ordered::None => true,
            Ordered::All => false,
            Ordered::Items(v) => v.is_empty(),
        }
    }

    /// Whether observed variable `name` is ordered.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            Ordered::None => false,
            Ordered::All => true,
            Ordered::Items(v) => v.iter().any(|x| x == name),
        }
    }
}

impl std::fmt::Display for Ordered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ordered::None => Ok(()),
            Ordered::All => f.write_str("all"),
            Ordered::Items(v) => f.write_str(&v.join(",")),
        }
    }
}

impl std::str::FromStr for Ordered {
    type Err = Error;

    /// `all`, or a comma-separated list of observed variables.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--ordered`) for an empty list or an empty name.
    fn from_str(s: &str) -> Result<Ordered> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Ordered::All);
        }
        let items: Vec<String> = t.split(',').map(|x| x.trim().to_string()).collect();
        if t.is_empty() || items.iter().any(String::is_empty) {
            return Err(Error::option(
                "--ordered",
                format!("expected all or a comma-separated list of items, found \"{s}\""),
            ));
        }
        Ok(Ordered::Items(items))
    }
}

/// What to do with missing answers (lavaan `missing =`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    /// Drop every row with a missing answer on a model variable (lavaan's default).
    #[default]
    Listwise,
    /// Full-information maximum likelihood: every row with at least one observed model
    /// variable contributes the likelihood of what it observed (lavaan `missing = "ml"`).
    Fiml,
}

impl MissingData {
    /// The contract's name (`listwise`, `fiml`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MissingData::Listwise => "listwise",
            MissingData::Fiml => "fiml",
        }
    }
}

impl std::fmt::Display for MissingData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MissingData {
    type Err = Error;

    /// `listwise` or `fiml` (also lavaan's `ml`), in any case.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--missing-data`) for anything else.
    fn from_str(s: &str) -> Result<MissingData> {
        match s.to_ascii_lowercase().as_str() {
            "listwise" => Ok(MissingData::Listwise),
            "fiml" | "ml" => Ok(MissingData::Fiml),
            other => Err(Error::option(
                "--missing-data",
                format!("expected listwise or fiml, found \"{other}\""),
            )),
        }
    }
}

/// Options of [`cfa`]; `Default` is lavaan 0.6.14's `cfa()` default (ML, no equalities).
#[derive(Debug, Clone, PartialEq)]
pub struct CfaOptions {
    /// The estimator; with ordered items a least-squares one (WLSMV by default, as lavaan).
    pub estimator: Estimator,
    /// Ordered-categorical indicators (lavaan `ordered =`).
    pub ordered: Ordered,
    /// Scaling of ordered indicators (delta or theta).
    pub parameterization: Parameterization,
    /// Missing answers: listwise deletion or FIML.
    pub missing: MissingData,
    /// Cross-group equalities (multi-group models only).
    pub group_equal: Vec<GroupEqual>,
    /// Compute modification indices.
    pub modification_indices: bool,
    /// Compute construct validity (CR, AVE, Fornell–Larcker, HTMT).
    pub validity: bool,
    /// Optimiser: stop when the largest gradient element of $F$ is below this.
    pub tol: f64,
    /// Optimiser: maximum Fisher scoring iterations.
    pub max_iter: usize,
    /// Confidence level of the RMSEA interval (lavaan: 0.90).
    pub ci_level: f64,
    /// Fix the moments of exogenous observed covariates at their sample values (lavaan `fixed.x = TRUE`).
    pub fixed_x: bool,
}

impl Default for CfaOptions {
    fn default() -> Self {
        CfaOptions {
            estimator: Estimator::Ml,
            ordered: Ordered::None,
            parameterization: Parameterization::Delta,
            missing: MissingData::Listwise,
            group_equal: Vec::new(),
            modification_indices: false,
            validity: false,
            tol: 1e-9,
            max_iter: 1000,
            ci_level: 0.90,
            fixed_x: true,
        }
    }
}

impl CfaOptions {
    /// Checks the options before any numerics run.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a non-positive tolerance, no iterations, a level outside
    /// (0, 1), an estimator that does not go with the data's treatment (ML/MLR with ordered items,
    /// FIML with a least-squares estimator).
    pub fn validate(&self) -> Result<()> {
        if !self.ordered.is_none() && !self.estimator.is_least_squares() {
            return Err(Error::option(
                "--estimator",
                format!(
                    "ordered items are fitted by wlsmv, dwls, ulsmv or uls (as lavaan), not {}",
                    self.estimator
                ),
            ));
        }
        if self.missing == MissingData::Fiml && self.estimator.is_least_squares() {
            return Err(Error::option(
                "--missing-data",
                format!(
                    "fiml is a likelihood method: use --estimator ml or mlr, not {} (with ordered items, rows with missing answers are dropped listwise, as lavaan does by default)",
                    self.estimator
                ),
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::option(
                "--tol",
                format!("expected a positive tolerance, found {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::option(
                "--max-iter",
                "expected at least one iteration",
            ));
        }
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::option(
                "--ci",
                format!("expected a level between 0 and 1, found {}", self.ci_level),
            ));
        }
        Ok(())
    }
}

/// One estimated parameter, named as lavaan's `parameterEstimates()`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Parameter {
    /// Left-hand side.
    pub lhs: String,
    /// Operator (`=~`, `~~`, `~`, `~1`).
    pub op: Op,
    /// Right-hand side (empty for intercepts).
    pub rhs: String,
    /// 1-based group (multi-group models only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<usize>,
    /// Label (equality constraint), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether the parameter was estimated (false: fixed).
    pub free: bool,
    /// Estimate (the fixed value for fixed parameters).
    pub est: f64,
    /// Standard error: 0 for fixed parameters (as lavaan), null when it could not be computed.
    pub se: Option<f64>,
    /// $z = \hat\theta/\mathrm{se}$ (null for fixed parameters).
    pub z: Option<f64>,
    /// Two-sided normal p value of $z$.
    pub p: Option<f64>,
    /// Completely standardised estimate (lavaan `std.all`).
    pub std_all: Option<f64>,
    /// Delta-method standard error of `std_all` (lavaan `standardizedSolution()`'s `se`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_all_se: Option<f64>,
}

/// A group's size (multi-group models).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupSummary {
    /// 1-based group number, as in `parameters[].group`.
    pub group: usize,
    /// The value of the group column.
    pub label: String,
    /// Complete rows.
    pub n: usize,
}

/// The result of a CFA.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CfaResult {
    /// Rows used (complete on the model's variables).
    pub n: usize,
    /// `ml` or `mlr`.
    pub estimator: String,
    /// Whether the optimiser met its criterion.
    pub converged: bool,
    /// Fisher scoring iterations.
    pub iterations: usize,
    /// Fit measures.
    pub fit: FitMeasures,
    /// Parameter estimates in parameter-table order.
    pub parameters: Vec<Parameter>,
    /// Groups (multi-group models only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSummary>,
    /// Construct validity, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<validity::Validity>,
    /// Modification indices (largest first), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mi: Option<Vec<mi::ModIndex>>,
    /// Missing answers under FIML: patterns, coverage, rows dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<fiml::MissingSummary>,
    /// Non-convergence, Heywood cases, non-positive-definite matrices, listwise deletion.
    pub warnings: Vec<Warning>,
    /// The parameter table.
    #[serde(skip)]
    pub partable: ParTable,
}

/// The fitted state shared by the later stages.
#[derive(Debug, Clone)]
pub(crate) struct Fitted {
    pub pt: ParTable,
    pub model: Model,
    pub fixed: Vec<f64>,
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    pub converged: bool,
    pub iterations: usize,
    /// Inverse expected information (None when singular).
    pub info_inv: Option<DMatrix<f64>>,
    /// $\hat F$.
    pub fmin: f64,
    pub implied: Vec<model::Implied>,
    pub sigma_inv: Vec<DMatrix<f64>>,
    pub warnings: Vec<Warning>,
}

/// Sample statistics of the model's observed variables: listwise complete rows, split by group.
///
/// Groups are numbered in order of first appearance in the data (as lavaan does); rows with an
/// empty group label count as missing.
///
/// # Formula
/// $\bar y_g = n_g^{-1}\sum_i y_i$, $S_g = n_g^{-1}\sum_i (y_i - \bar y_g)(y_i - \bar y_g)^\top$
/// (biased, as lavaan's `likelihood = "normal"`), see [`GroupStats::from_item_rows`].
///
/// # Reference
/// Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
/// Statistical Software*, 48(2), 1–36.
///
/// # Peer
/// lavaan 0.6.14 `lavInspect(fit, "sampstat")` with `missing = "listwise"`.
///
/// # Deviations
/// None.
///
/// # Errors
/// [`Error::UnknownColumn`] if a model variable is not in the data; [`Error::TooFewRows`] and
/// [`Error::NotPositiveDefinite`] from [`GroupStats::from_rows`].
pub fn sample_stats(
    data: &ItemData,
    ov: &[String],
    groups: Option<&[String]>,
    keep_raw: bool,
) -> Result<(SampleStats, Vec<Warning>)> {
    let cols = model_columns(data, ov)?;
    let mut labels: Vec<String> = Vec::new();
    let mut member: Vec<Option<usize>> = Vec::with_capacity(data.n());
    let mut dropped = 0usize;
    for (i, row) in data.row_iter().enumerate() {
        let complete = cols.iter().all(|&c| !row[c].is_nan());
        let g = match groups {
            None => Some(0),
            Some(gs) => {
                let l = gs.get(i).map(|s| s.trim()).unwrap_or("");
                if l.is_empty() || l == "NA" {
                    None
                } else {
                    Some(match labels.iter().position(|x| x == l) {
                        Some(k) => k,
                        None => {
                            labels.push(l.to_string());
                            labels.len() - 1
                        }
                    })
                }
            }
        };
        if complete && g.is_some() {
            member.push(g);
        } else {
            member.push(None);
            dropped += 1;
        }
    }
    let ng = if groups.is_some() { labels.len() } else { 1 };
    if groups.is_none() {
        labels.push(String::new());
    }
    let mut out = Vec::with_capacity(ng);
    for (g, label) in labels.iter().enumerate().take(ng) {
        let rows: Vec<usize> = (0..data.n()).filter(|&i| member[i] == Some(g)).collect();
        out.push(GroupStats::from_item_rows(
            label, data, &rows, &cols, ov, keep_raw,
        )?);
    }
    let mut warnings = Vec::new();
    if dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!(
                "{dropped} rows with missing cells{} were dropped (listwise, lavaan's default)",
                if groups.is_some() { " or no group" } else { "" }
            ),
        ));
    }
    let ntotal = out.iter().map(|g| g.n).sum();
    Ok((
        SampleStats {
            groups: out,
            ntotal,
        },
        warnings,
    ))
}

/// The data columns of the model's observed variables, in the model's order.
///
/// # Errors
/// [`Error::UnknownColumn`] (with the closest name) for a variable the data does not have.
pub(crate) fn model_columns<S: AsRef<str>>(data: &ItemData, ov: &[S]) -> Result<Vec<usize>> {
    ov.iter()
        .map(|name| {
            let name = name.as_ref();
            data.names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::UnknownColumn {
                    at: data.location(),
                    name: name.to_string(),
                    did_you_mean: closest_name(name, &data.names),
                })
        })
        .collect()
}

/// The groups of a multi-group fit, `(label, rows)` in group order; empty for one group.
pub(crate) fn group_summaries<'a>(
    groups: impl ExactSizeIterator<Item = (&'a str, usize)>,
) -> Vec<GroupSummary> {
    if groups.len() < 2 {
        return Vec::new();
    }
    groups
        .enumerate()
        .map(|(g, (label, n))| GroupSummary {
            group: g + 1,
            label: label.to_string(),
            n,
        })
        .collect()
}

/// Fits a parameter table to sample statistics (ML estimates, expected information).
pub(crate) fn fit_partable(pt: ParTable, stats: &SampleStats, opts: &CfaOptions) -> Result<Fitted> {
    let model = Model::new(&pt)?;
    let prob = Problem::new(&pt, &model, stats);
    let mut x0 = estimate::start_values(&pt, stats, false);
    if prob.eval(&x0).is_none() {
        x0 = estimate::start_values(&pt, stats, true);
    }
    let Some(opt) = estimate::optimise(&prob, x0, opts.tol, opts.max_iter) else {
        return Err(Error::NotPositiveDefinite {
            what: "the model-implied covariance matrix at the starting values".into(),
            index: "at the starting values; check the fixed values in the model".into(),
        });
    };
    let mut warnings = Vec::new();
    if !opt.converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "the optimiser did not converge after {} iterations (largest gradient element {:.2e}); estimates are not trustworthy",
                opt.iterations, opt.gradient_max
            ),
        ));
    }
    let Some(ev) = prob.eval(&opt.x) else {
        return Err(Error::NotPositiveDefinite {
            what: "the model-implied covariance matrix".into(),
            index: "at the final estimates".into(),
        });
    };
    let ders = prob.derivatives(&ev);
    let info = prob.information(&ev, &ders);
    let info_inv = invert_spd(&info);
    let fixed = prob.fixed.clone();
    Ok(Fitted {
        fixed,
        x: opt.x,
        values: ev.values.clone(),
        converged: opt.converged,
        iterations: opt.iterations,
        info_inv,
        fmin: ev.f,
        implied: ev.groups.iter().map(|g| g.imp.clone()).collect(),
        sigma_inv: ev.groups.iter().map(|g| g.sigma_inv.clone()).collect(),
        warnings,
        model,
        pt,
    })
}

/// Inverse of a symmetric positive definite matrix; `None` if it is singular or indefinite
/// (smallest eigenvalue below $10^{-12}$ of the largest).
pub(crate) fn invert_spd(m: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    if m.nrows() == 0 {
        return Some(m.clone());
    }
    // eigenvalues only: the vectors would cost as much again
    let values = m.clone().symmetric_eigenvalues();
    let max = values.amax();
    let min = values.min();
    if min.is_nan() || min <= 1e-12 * max {
        return None;
    }
    nalgebra::Cholesky::new(m.clone()).map(|c| c.inverse())
}

/// Total (model-implied) variances of every variable in group `g`.
fn total_variances(f: &Fitted, g: usize) -> Vec<f64> {
    f.implied[g].cov_all.diagonal().iter().copied().collect()
}

/// lavaan's `std.all` for one row.
pub(crate) fn std_all(
    pt: &ParTable,
    values: &[f64],
    var_total: &[f64],
    group: usize,
    (lhs, op, rhs): (&str, Op, &str),
    est: f64,
) -> Option<f64> {
    let sd = |n: &str| {
        pt.var_index(n)
            .and_then(|i| var_total.get(i).copied())
            .filter(|v| *v > f64::EPSILON)
            .map(f64::sqrt)
    };
    let own_var = |n: &str| {
        pt.rows
            .iter()
            .zip(values)
            .find(|(r, _)| r.group == group && r.op == Op::Covary && r.lhs == n && r.rhs == n)
            .map(|(_, v)| v.abs().sqrt())
    };
    let out = match op {
        Op::Measure => est * sd(lhs)? / sd(rhs)?,
        Op::Regress => est * sd(rhs)? / sd(lhs)?,
        Op::Covary if lhs == rhs => est / sd(lhs)?.powi(2),
        Op::Covary => est / (own_var(lhs)? * own_var(rhs)?),
        Op::Intercept | Op::Threshold => est / sd(lhs)?,
        Op::Scale => est,
    };
    out.is_finite().then_some(out)
}

/// Every row's `std_all` at the free parameters `x`.
fn std_all_at(f: &Fitted, x: &[f64]) -> Option<Vec<Option<f64>>> {
    let values = f.model.row_values(x, &f.fixed);
    let totals = (1..=f.pt.ngroups)
        .map(|g| {
            f.model
                .implied(&values, g)
                .map(|imp| imp.cov_all.diagonal().iter().copied().collect::<Vec<f64>>())
        })
        .collect::<Option<Vec<_>>>()?;
    Some(
        f.pt.rows
            .iter()
            .zip(&values)
            .map(|(r, &est)| {
                std_all(
                    &f.pt,
                    &values,
                    &totals[r.group - 1],
                    r.group,
                    (&r.lhs, r.op, &r.rhs),
                    est,
                )
            })
            .collect(),
    )
}

/// Delta-method standard errors of the completely standardised estimates:
/// $\mathrm{se}(s_r) = \sqrt{J_r V J_r^\top}$ with $J = \partial s/\partial\theta$ the Jacobian of the
/// standardisation at the estimates (central differences, step $10^{-6}\max(1, |\theta_j|)$)
/// and $V$ the covariance of the free parameters used for `se` (robust with MLR), as lavaan's
/// `standardizedSolution()` (which differentiates by complex step).
fn std_all_se(f: &Fitted, vcov: &DMatrix<f64>) -> Vec<Option<f64>> {
    let q = f.x.len();
    let rows = f.pt.rows.len();
    let mut jac = DMatrix::<f64>::from_element(rows, q, f64::NAN);
    for j in 0..q {
        let h = 1e-6 * f.x[j].abs().max(1.0);
        let mut up = f.x.clone();
        up[j] += h;
        let mut down = f.x.clone();
        down[j] -= h;
        let (Some(a), Some(b)) = (std_all_at(f, &up), std_all_at(f, &down)) else {
            continue;
        };
        for r in 0..rows {
            if let (Some(a), Some(b)) = (a[r], b[r]) {
                jac[(r, j)] = (a - b) / (2.0 * h);
            }
        }
    }
    (0..rows)
        .map(|r| {
            let row = jac.row(r);
            if row.iter().any(|v| !v.is_finite()) {
                return None;
            }
            let v = (row * vcov * row.transpose())[(0, 0)];
            (v.is_finite() && v >= 0.0).then(|| v.sqrt())
        })
        .collect()
}

/// Builds the parameter rows of a fit from a covariance matrix of the free parameters.
pub(crate) fn parameters(f: &Fitted, vcov: Option<&DMatrix<f64>>) -> Vec<Parameter> {
    let multi = f.pt.ngroups > 1;
    let totals: Vec<Vec<f64>> = (0..f.pt.ngroups).map(|g| total_variances(f, g)).collect();
    let std_se = vcov.map(|v| std_all_se(f, v));
    f.pt.rows
        .iter()
        .zip(&f.values)
        .enumerate()
        .map(|(i, (r, &est))| {
            let (se, z, p) = if r.free == 0 {
                (Some(0.0), None, None)
            } else {
                let se = vcov
                    .map(|v| v[(r.free - 1, r.free - 1)])
                    .filter(|v| *v >= 0.0 && v.is_finite())
                    .map(f64::sqrt);
                let z = se.filter(|s| *s > 0.0).map(|s| est / s);
                let p = z.map(|z| 2.0 * crate::dist::normal_cdf(-z.abs()));
                (se, z, p)
            };
            Parameter {
                lhs: r.lhs.clone(),
                op: r.op,
                rhs: r.rhs.clone(),
                group: multi.then_some(r.group),
                label: r.label.clone(),
                free: r.free > 0,
                est,
                se,
                z,
                p,
                std_all: std_all(
                    &f.pt,
                    &f.values,
                    &totals[r.group - 1],
                    r.group,
                    (&r.lhs, r.op, &r.rhs),
                    est,
                ),
                std_all_se: std_se.as_ref().and_then(|s| s[i]),
            }
        })
        .collect()
}

/// Heywood cases and non-positive-definite matrices at the estimates.
pub(crate) fn admissibility_warnings(f: &Fitted) -> Vec<Warning> {
    let mut out = Vec::new();
    let pt = &f.pt;
    let p = pt.p();
    let group_name = |g: usize| {
        if pt.ngroups > 1 {
            format!(" in group {g}")
        } else {
            String::new()
        }
    };
    for g in 1..=pt.ngroups {
        let neg_ov: Vec<String> = pt
            .rows
            .iter()
            .zip(&f.values)
            .filter(|(r, v)| {
                r.group == g
                    && r.op == Op::Covary
                    && r.lhs == r.rhs
                    && !pt.is_latent(&r.lhs)
                    && **v < 0.0
            })
            .map(|(r, v)| format!("{} ({:.4})", r.lhs, v))
            .collect();
        if !neg_ov.is_empty() {
            out.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "Heywood case{}: negative residual variance of {} (lavaan: some estimated ov variances are negative)",
                    group_name(g),
                    neg_ov.join(", ")
                ),
            ));
        }
        let neg_lv: Vec<String> = pt
            .rows
            .iter()
            .zip(&f.values)
            .filter(|(r, v)| {
                r.group == g
                    && r.op == Op::Covary
                    && r.lhs == r.rhs
                    && pt.is_latent(&r.lhs)
                    && **v < 0.0
            })
            .map(|(r, v)| format!("{} ({:.4})", r.lhs, v))
            .collect();
        if !neg_lv.is_empty() {
            out.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "Heywood case{}: negative latent variance of {} (lavaan: some estimated lv variances are negative)",
                    group_name(g),
                    neg_lv.join(", ")
                ),
            ));
        }
        let (_, s, _) = f.model.matrices(&f.values, g);
        let nl = pt.lv.len();
        if nl > 0 && neg_lv.is_empty() {
            let psi = s.view((p, p), (nl, nl)).into_owned();
            if estimate::cholesky_at(&psi).is_err() {
                out.push(Warning::new(
                    WarningCode::Heywood,
                    format!(
                        "the covariance matrix of the latent variables{} is not positive definite (a factor correlation beyond ±1?)",
                        group_name(g)
                    ),
                ));
            }
        }
        if neg_ov.is_empty() {
            let theta = s.view((0, 0), (p, p)).into_owned();
            let nonzero = (0..p).all(|i| theta[(i, i)] != 0.0);
            if nonzero && estimate::cholesky_at(&theta).is_err() {
                out.push(Warning::new(
                    WarningCode::Heywood,
                    format!(
                        "the residual covariance matrix of the observed variables (theta){} is not positive definite",
                        group_name(g)
                    ),
                ));
            }
        }
    }
    out
}

fn check_identified(f: &Fitted) -> Option<Warning> {
    if f.info_inv.is_none() {
        return Some(Warning::new(
            WarningCode::Singular,
            "standard errors could not be computed: the information matrix is singular (is the model identified?)",
        ));
    }
    None
}

/// Confirmatory factor analysis (or a structural equation model) of one group.
///
/// # Formula
/// ML estimates minimise $F(\theta)$ (see [`estimate`]); standard errors are
/// $\sqrt{\operatorname{diag}(\mathcal I^{-1}/N)}$ from the expected information (ML) or the
/// Huber–White sandwich (MLR, see [`robust`]); fit measures as [`fit`].
///
/// # Reference
/// Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor analysis.
/// *Psychometrika*, 34(2), 183–202.
///
/// # Peer
/// lavaan 0.6.14 `cfa(model, data, estimator = "ML" | "MLR")`, `parameterEstimates(standardized = TRUE)`,
/// `fitMeasures()`; reference cases 09, 10 and 11 agree to the printed digits.
///
/// # Deviations
/// See the stage modules; none in the compared values.
///
/// # Example
/// ```
/// use trustscale::cfa::{cfa, syntax::parse, CfaOptions};
/// use trustscale::data::ItemData;
/// // four indicators of one factor, loadings .8 .7 .6 .5 (population moments, n = 1000)
/// let l = [0.8, 0.7, 0.6, 0.5];
/// let mut values = Vec::new();
/// let mut state = 12345u64;
/// let mut unif = || { state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64 };
/// for _ in 0..1000 {
///     let mut z = || (-2.0 * unif().ln()).sqrt() * (2.0 * std::f64::consts::PI * unif()).cos();
///     let f = z();
///     for li in l { values.push(li * f + (1.0 - li * li as f64).sqrt() * z()); }
/// }
/// let data = ItemData::new(vec!["a".into(), "b".into(), "c".into(), "d".into()], values).unwrap();
/// let m = parse("f =~ a + b + c + d", "model").unwrap();
/// let res = cfa(&data, &m, &CfaOptions::default()).unwrap();
/// assert!(res.converged);
/// assert_eq!(res.fit.df, 2);
/// ```
pub fn cfa(data: &ItemData, model: &ModelSyntax, opts: &CfaOptions) -> Result<CfaResult> {
    run(data, None, model, opts)
}

/// Multi-group CFA: one model per group (lavaan's `cfa(..., group = )`), with the equalities of
/// `opts.group_equal`. A mean structure is added, as lavaan does with groups.
///
/// `groups` holds each data row's group label (rows with an empty label are dropped).
///
/// # Formula
/// $F = \sum_g (n_g/N) F_g$ with each group's ML discrepancy including its mean term (see
/// [`estimate`]); $\chi^2 = N\hat F$, RMSEA multiplied by $\sqrt{G}$, SRMR averaged with weights
/// $n_g/N$.
///
/// # Reference
/// Jöreskog, K. G. (1971). Simultaneous factor analysis in several populations. *Psychometrika*,
/// 36(4), 409–426.
///
/// # Peer
/// lavaan 0.6.14 `cfa(model, data, group = "g", group.equal = ...)`: fit, estimates, standard
/// errors (ML and MLR) agree to 1e-5 (`tests/cfa_lavaan.rs`).
///
/// # Deviations
/// Groups are numbered in order of first appearance in the data, as lavaan does.
///
/// # Errors
/// As [`cfa`], and [`Error::InvalidOption`] when `groups` does not have one label per row.
pub fn cfa_groups(
    data: &ItemData,
    groups: &[String],
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    if groups.len() != data.n() {
        return Err(Error::option(
            "--group",
            format!("expected {} group labels, found {}", data.n(), groups.len()),
        ));
    }
    run(data, Some(groups), model, opts)
}

fn run(
    data: &ItemData,
    groups: Option<&[String]>,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    opts.validate()?;
    if !opts.ordered.is_none() || opts.estimator.is_least_squares() {
        return categorical::fit(data, groups, model, opts);
    }
    if opts.missing == MissingData::Fiml {
        return fiml::fit(data, groups, model, opts);
    }
    let probe = partable::build(model, &PartableOptions::default())?;
    let (stats, mut warnings) =
        sample_stats(data, &probe.ov, groups, opts.estimator == Estimator::Mlr)?;
    fit_stats(model, &stats, opts, &mut warnings)
}

/// Fits a model to prepared sample statistics (shared by [`cfa`], [`cfa_groups`] and
/// [`invariance::invariance`]).
pub(crate) fn fit_stats(
    model: &ModelSyntax,
    stats: &SampleStats,
    opts: &CfaOptions,
    warnings: &mut Vec<Warning>,
) -> Result<CfaResult> {
    let ng = stats.groups.len();
    let pt = partable::build(
        model,
        &PartableOptions {
            ngroups: ng,
            // lavaan adds a mean structure with groups, or when the model has intercepts
            meanstructure: ng > 1 || model.statements.iter().any(|s| s.op == Op::Intercept),
            group_equal: if ng > 1 {
                opts.group_equal.clone()
            } else {
                Vec::new()
            },
            fixed_x: opts.fixed_x,
            ..PartableOptions::default()
        },
    )?;
    let f = fit_partable(pt, stats, opts)?;
    let mut warns = std::mem::take(warnings);
    warns.extend(f.warnings.iter().cloned());
    warns.extend(admissibility_warnings(&f));
    if let Some(w) = check_identified(&f) {
        warns.push(w);
    }
    let n = stats.ntotal as f64;
    // the least-squares estimators never reach here (see `run`, `categorical`)
    let (vcov, robust) = match opts.estimator {
        Estimator::Ml | Estimator::Wlsmv | Estimator::Dwls | Estimator::Ulsmv | Estimator::Uls => {
            (f.info_inv.as_ref().map(|i| i / n), None)
        }
        Estimator::Mlr => {
            let r = robust::robust(&f, stats)?;
            if r.vcov.is_none() && f.info_inv.is_some() {
                warns.push(Warning::new(
                    WarningCode::Singular,
                    "robust standard errors could not be computed: the observed information matrix is singular",
                ));
            }
            (r.vcov.clone(), Some(r))
        }
    };
    let fit = fit_measures(&f, stats, robust.as_ref(), opts.ci_level);
    let parameters = parameters(&f, vcov.as_ref());
    let mi = if opts.modification_indices {
        Some(mi::modification_indices(&f, stats)?)
    } else {
        None
    };
    let validity = if opts.validity {
        Some(validity::validity(&f, stats, &parameters))
    } else {
        None
    };
    let groups = group_summaries(stats.groups.iter().map(|s| (s.label.as_str(), s.n)));
    Ok(CfaResult {
        n: stats.ntotal,
        estimator: opts.estimator.as_str().to_string(),
        converged: f.converged,
        iterations: f.iterations,
        fit,
        parameters,
        groups,
        validity,
        mi,
        missing: None,
        warnings: warns,
        partable: f.pt,
    })
}

/// Independence-model $\chi^2$ and df (free variances; exogenous covariates keep their sample
/// moments; free means with a mean structure).
pub(crate) fn baseline(pt: &ParTable, stats: &SampleStats) -> (f64, i64) {
    let p = pt.p();
    let nx = pt.ov_x.len();
    let pn = p - nx;
    let mut chisq = 0.0;
    for gs in &stats.groups {
        let mut ld: f64 = (0..pn).map(|j| gs.cov[(j, j)].ln()).sum();
        if nx > 0 {
            let sxx = gs.cov.view((pn, pn), (nx, nx)).into_owned();
            if let Some(c) = nalgebra::Cholesky::new(sxx) {
                ld += 2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
            }
        }
        chisq += gs.n as f64 * (ld - gs.logdet);
    }
    let df = (pn * (pn - 1) / 2 + pn * nx) * stats.groups.len();
    (chisq, df as i64)
}

/// SRMR (Bentler), weighted over groups.
pub(crate) fn srmr(f: &Fitted, stats: &SampleStats) -> f64 {
    let p = f.pt.p();
    let mut total = 0.0;
    for (g, gs) in stats.groups.iter().enumerate() {
        let sig = &f.implied[g].sigma;
        let sd: Vec<f64> = (0..p).map(|i| gs.cov[(i, i)].sqrt()).collect();
        let mut acc = 0.0;
        let mut cnt = 0usize;
        for i in 0..p {
            for j in 0..=i {
                let r = (gs.cov[(i, j)] - sig[(i, j)]) / (sd[i] * sd[j]);
                acc += r * r;
                cnt += 1;
            }
        }
        if f.pt.meanstructure {
            for ((m, mu), s) in gs.mean.iter().zip(f.implied[g].mu.iter()).zip(&sd) {
                let r = (m - mu) / s;
                acc += r * r;
                cnt += 1;
            }
        }
        total += gs.n as f64 / stats.ntotal as f64 * (acc / cnt as f64).sqrt();
    }
    total
}

/// Log-likelihoods of the model and the saturated model (with fixed exogenous covariates,
/// conditional on them, as lavaan's `logl`).
pub(crate) fn logliks(f: &Fitted, stats: &SampleStats) -> (f64, f64) {
    let p = f.pt.p() as f64;
    let c = p * (2.0 * std::f64::consts::PI).ln();
    let mut l0 = 0.0;
    let mut l1 = 0.0;
    for (g, gs) in stats.groups.iter().enumerate() {
        let si = &f.sigma_inv[g];
        let imp = &f.implied[g];
        let logdet = nalgebra::Cholesky::new(imp.sigma.clone())
            .map(|ch| 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>())
            .unwrap_or(f64::NAN);
        let d: DVector<f64> = if f.pt.meanstructure {
            &gs.mean - &imp.mu
        } else {
            DVector::zeros(gs.mean.len())
        };
        let tr = gs.cov.component_mul(si).sum();
        let quad = (d.transpose() * si * &d)[(0, 0)];
        let n = gs.n as f64;
        l0 += -0.5 * n * (c + logdet + tr + quad);
        l1 += -0.5 * n * (c + gs.logdet + p);
        // fixed.x: lavaan reports the likelihood conditional on the exogenous covariates, i.e.
        // minus their own (saturated) marginal log-likelihood
        let nx = f.pt.ov_x.len();
        if nx > 0 {
            let pn = f.pt.p() - nx;
            let sxx = gs.cov.view((pn, pn), (nx, nx)).into_owned();
            if let Some(ch) = nalgebra::Cholesky::new(sxx) {
                let ld = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
                let lx =
                    -0.5 * n * (nx as f64 * (2.0 * std::f64::consts::PI).ln() + ld + nx as f64);
                l0 -= lx;
                l1 -= lx;
            }
        }
    }
    (l0, l1)
}

/// All fit measures (module [`fit`]); with a robust result, the MLR mapping of the reference
/// README (scaled test, robust indices).
pub(crate) fn fit_measures(
    f: &Fitted,
    stats: &SampleStats,
    robust: Option<&robust::Robust>,
    level: f64,
) -> FitMeasures {
    let n = stats.ntotal as f64;
    let groups = stats.groups.len();
    let chisq = n * f.fmin;
    let df = f.pt.df();
    let dff = df as f64;
    let (bchisq, bdf) = baseline(&f.pt, stats);
    let bdff = bdf as f64;
    let pval = |x: f64| (df > 0).then(|| crate::dist::chi2_sf(x, dff));
    let (loglik, loglik_h1) = logliks(f, stats);
    let npar = f.pt.nfree;
    let standard = StandardFit {
        chisq,
        pvalue: pval(chisq),
        baseline_chisq: bchisq,
        cfi: fit::cfi(chisq, dff, bchisq, bdff, 1.0, 1.0),
        tli: fit::tli(chisq, dff, bchisq, bdff, 1.0, 1.0),
        rmsea: fit::rmsea(chisq, dff, n, groups, 1.0),
        rmsea_ci: fit::rmsea_ci(chisq, dff, n, groups, 1.0, level),
    };
    let srmr = srmr(f, stats);
    let aic = -2.0 * loglik + 2.0 * npar as f64;
    let bic = -2.0 * loglik + npar as f64 * n.ln();
    match robust.and_then(|r| r.scaling.map(|c| (r, c))) {
        None => FitMeasures {
            chisq,
            df,
            pvalue: standard.pvalue,
            cfi: standard.cfi,
            tli: standard.tli,
            rmsea: standard.rmsea,
            rmsea_ci: standard.rmsea_ci,
            srmr,
            aic: Some(aic),
            bic: Some(bic),
            loglik: Some(loglik),
            npar,
            baseline_chisq: bchisq,
            baseline_df: bdf,
            loglik_h1: Some(loglik_h1),
            scaling_factor: None,
            baseline_scaling_factor: None,
            standard: None,
            shift: None,
            baseline_shift: None,
            scaled: None,
        },
        Some((r, c)) => {
            let cb = r.baseline_scaling.unwrap_or(f64::NAN);
            let scaled_chisq = chisq / c;
            let scaled_b = bchisq / cb;
            let trace = c * dff;
            let scaled = StandardFit {
                chisq: scaled_chisq,
                pvalue: pval(scaled_chisq),
                baseline_chisq: scaled_b,
                cfi: fit::cfi(scaled_chisq, dff, scaled_b, bdff, 1.0, 1.0),
                tli: fit::tli(scaled_chisq, dff, scaled_b, bdff, 1.0, 1.0),
                rmsea: fit::rmsea(chisq, trace, n, groups, 1.0),
                rmsea_ci: fit::rmsea_ci(chisq, trace, n, groups, 1.0, level),
            };
            FitMeasures {
                chisq: scaled_chisq,
                df,
                pvalue: pval(scaled_chisq),
                cfi: fit::cfi(chisq, dff, bchisq, bdff, c, cb),
                tli: fit::tli(chisq, dff, bchisq, bdff, c, cb),
                rmsea: fit::rmsea(chisq, dff, n, groups, c),
                rmsea_ci: fit::rmsea_ci(scaled_chisq, dff, n, groups, c, level),
                srmr,
                aic: Some(aic),
                bic: Some(bic),
                loglik: Some(loglik),
                npar,
                baseline_chisq: scaled_b,
                baseline_df: bdf,
                loglik_h1: Some(loglik_h1),
                scaling_factor: Some(c),
                baseline_scaling_factor: r.baseline_scaling,
                standard: Some(standard),
                shift: None,
                baseline_shift: None,
                scaled: Some(scaled),
            }
        }
    }
}
