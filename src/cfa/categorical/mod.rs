//! Ordered-categorical, mixed and least-squares CFA: lavaan's limited-information estimators
//! WLSMV, DWLS, ULSMV and ULS, in three steps (lavaan 0.6.14 semantics).
//!
//! | step | module | lavaan |
//! |---|---|---|
//! | thresholds, polychoric correlations, $\Gamma$ (every item ordered) | [`stats`] | `lav_samplestats` (`muthen1984`) |
//! | the same with continuous items: means, variances, polyserial and Pearson correlations | [`mixed`] | `muthen1984` |
//! | covariances and the ADF $\Gamma$ (every item continuous) | [`continuous`] | `lav_samplestats`, `lav_samplestats_Gamma` |
//! | the model for $y^*$, implied statistics, Gauss–Newton | [`wls`] | `lav_model_objective`, `computeDelta` |
//! | standard errors, tests, fit indices | [`inference`] | `lav_model_vcov`, `lav_test`, `lav_fit_measures` |
//! | several groups (ordered, mixed or continuous items): stacked problem, its tests and indices | [`groups`] | `cfa(group = )` |
//! | invariance for ordered, binary, mixed and continuous items (Wu & Estabrook, 2016) | [`invariance`] | semTools `measEq.syntax`, `lavTestLRT` |
//! | standardised solution and its standard errors | [`standardized`] | `standardizedSolution` |
//! | modification indices | [`mi`] | `modindices` |
//! | construct validity (categorical omega, AVE, polychoric HTMT) | [`validity`] | semTools `compRelSEM`, `AVE`, `htmt` |
//!
//! # Formula
//! An ordered item $y_j$ with categories $0, \dots, K_j - 1$ is a cut latent response:
//! $y_j = c \iff \tau_{j,c-1} < y^*_j \le \tau_{jc}$, and $y^*$ follows the factor model
//! (intercepts 0, latent means 0). A continuous item is its own $y^*$ with a free intercept
//! and a free residual variance. The statistics $s$ (`Layout`) are the thresholds of every
//! ordered item and $-\bar y_j$ of every continuous one, the variances of the continuous
//! items, then the covariances $(i, j)$, $i > j$, column by column (polychoric, polyserial
//! times $s_i$, or Pearson covariances). With continuous items only, lavaan fits no mean
//! structure and $s = \operatorname{vech}(S)$ with the unbiased $S$. Estimates minimise
//! $F = (s - \sigma(\theta))^\top W (s - \sigma(\theta))$ ([`wls`]); the test statistic is
//! $T = (n - 1)\hat F$ ([`inference`]).
//!
//! Parameter rows add the thresholds (`op` `"|"`, `rhs` `t1`, `t2`, ...) and, in a mixed
//! model, the intercepts of the continuous items (`op` `"~1"`). In the delta
//! parameterization (default) the residual variance of an ordered item is printed as
//! $1 -$ its explained variance (not free, se 0); in the theta parameterization it is
//! fixed to 1 (continuous items are not rescaled in either).
//!
//! # Fit keys
//! | estimator | `chisq`, `pvalue` | `cfi`, `tli`, `rmsea`, `rmsea_ci` |
//! |---|---|---|
//! | DWLS, ULS | `chisq`, `pvalue` (ULS: null) | `cfi`, `tli`, `rmsea`, `rmsea.ci.*` |
//! | WLSMV, ULSMV, every item ordered | `chisq.scaled`, `pvalue.scaled` | `.robust` (catML, Savalei 2021) |
//! | WLSMV, ULSMV, every item continuous | `chisq.scaled`, `pvalue.scaled` | `.robust` from the scaled-shifted test |
//! | WLSMV, ULSMV, mixed | `chisq.scaled`, `pvalue.scaled` | null: lavaan gives NA (catML needs every item ordered); warning |
//!
//! The scaled versions are always under `fit.scaled`, the unscaled ones under `fit.standard`.
//!
//! # Reference
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115–132.
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//! Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation coefficient.
//! *Psychometrika*, 47(3), 337–347.
//! Browne, M. W. (1984). Asymptotically distribution-free methods for the analysis of
//! covariance structures. *British Journal of Mathematical and Statistical Psychology*, 37(1),
//! 62–83.
//! Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
//! data. *Multivariate Behavioral Research*, 56(3), 390–407.
//!
//! # Peer
//! lavaan 0.6.14 `cfa(model, data, ordered = ..., estimator = "WLSMV" | "DWLS" | "ULSMV" |
//! "ULS", parameterization = "delta" | "theta", group = ...)`, with all, some or none of
//! the items ordered; reference cases 29 and 30, tests `cfa_ordered`, `cfa_mixed`,
//! `cfa_ordered_groups`, `cfa_mixed_groups`, `cfa_ordered_mi`, `cfa_mixed_mi` and `cfa_groups_mi`.
//!
//! # Deviations
//! - Several groups ([`groups`], [`invariance`]): every category of an ordered item must be
//!   observed in every group (lavaan stops too). lavaan 0.6.14 prints no robust CFI/TLI/RMSEA
//!   once thresholds are constrained, trustscale computes them (see [`groups`]); with ordered
//!   and continuous items together they are null, as in lavaan.
//! - The invariance sequence with binary items follows semTools' `measEq.syntax(ID.cat =
//!   "Wu.Estabrook.2016")`; its last step has fewer df than the one before, and the difference
//!   test compares the two the other way round, as `lavTestLRT()` does (see [`invariance`]).
//! - Modification indices ([`mi`]), `std_all_se` ([`standardized`]) and construct validity
//!   ([`validity`]) follow lavaan's `modindices()`, `standardizedSolution()` and semTools'
//!   `compRelSEM()`, `AVE()` and `htmt()` (all items ordered, mixed, or continuous by least
//!   squares; with several groups the indices and `std_all_se` of every group and the
//!   validity of group 1, [`groups`]); lavaan's `~*~` scaling rows are not listed. For continuous items only, CR and
//!   AVE are the continuous formulas of [`crate::cfa::validity`] (as under ML).
//! - Observed covariates (regressions on observed variables): with every indicator ordered
//!   and one group, lavaan's `conditional.x = TRUE` ([`conditional`] for the statistics,
//!   [`wls::Reduced`] for the model; `tests/cfa_ordered_cov.rs`). With continuous
//!   indicators or several groups they give an error; modification indices and construct
//!   validity are not computed for these models (a warning says so); the robust CFI, TLI and
//!   RMSEA are null, as lavaan gives NA.
//! - Rows with a missing answer on a model variable are dropped (lavaan's default
//!   `missing = "listwise"`).

pub mod conditional;
pub mod continuous;
pub mod groups;
pub mod inference;
pub mod invariance;
pub mod mi;
pub mod mixed;
pub mod stacked;
pub mod standardized;
pub mod stats;
pub mod validity;
pub mod wls;

use super::estimate::{GroupStats, SampleStats};
use super::model::Model;
use super::partable::{self, PartableOptions};
use super::syntax::{ModelSyntax, Op};
use super::{CfaOptions, CfaResult, Estimator, Ordered, Parameter, Parameterization};
use crate::data::read::closest_name;
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::{DMatrix, DVector};

/// Where each statistic sits in $s$, in lavaan's order (`lavInspect(fit, "wls.obs")`): the
/// threshold block (variable by variable: the thresholds of an ordered item at
/// `th_start[j]..th_start[j] + nth[j]`, the negative mean $-\bar y_j$ of a continuous one when
/// the model has a mean structure), then the variances of the continuous variables
/// (`var_idx`), then the covariance of pair `pairs[m]` at `cov_start + m`, pairs $(i, j)$ with
/// $i > j$ column by column of the lower triangle (correlations between ordered items,
/// polyserial correlation times the standard deviation between a continuous and an ordered
/// one, covariances between continuous ones).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub p: usize,
    pub nth: Vec<usize>,
    pub th_start: Vec<usize>,
    pub nth_total: usize,
    /// Continuous (true) or ordered (false), per variable.
    pub numeric: Vec<bool>,
    /// Position of each continuous variable's variance in $s$.
    pub var_idx: Vec<Option<usize>>,
    /// Start of the slope block (observed covariates, lavaan's `conditional.x`): the slope of
    /// variable $j$ on covariate $k$ at `slope_start + k * p + j`; empty without covariates.
    pub slope_start: usize,
    /// Number of observed covariates conditioned on.
    pub nx: usize,
    /// Start of the covariance block.
    pub cov_start: usize,
    pub pairs: Vec<(usize, usize)>,
}

impl Layout {
    /// Every variable ordered, with `nth[j]` thresholds.
    pub fn new(nth: Vec<usize>) -> Layout {
        let p = nth.len();
        Layout::mixed(nth, vec![false; p])
    }

    /// Ordered and continuous variables: `nth[j]` entries in the threshold block (1 for a
    /// continuous variable with a mean structure, 0 without).
    pub fn mixed(nth: Vec<usize>, numeric: Vec<bool>) -> Layout {
        let p = nth.len();
        let mut th_start = Vec::with_capacity(p);
        let mut acc = 0;
        for &k in &nth {
            th_start.push(acc);
            acc += k;
        }
        let mut var_idx = vec![None; p];
        let mut next = acc;
        for (j, &num) in numeric.iter().enumerate() {
            if num {
                var_idx[j] = Some(next);
                next += 1;
            }
        }
        let pairs = (0..p)
            .flat_map(|j| (j + 1..p).map(move |i| (i, j)))
            .collect();
        Layout {
            p,
            nth,
            th_start,
            nth_total: acc,
            numeric,
            var_idx,
            slope_start: next,
            nx: 0,
            cov_start: next,
            pairs,
        }
    }

    /// The same layout with a block of $p \times q$ slopes on `nx` observed covariates
    /// between the variances and the covariances (lavaan's `WLS.obs` with `conditional.x`).
    pub fn with_slopes(mut self, nx: usize) -> Layout {
        self.slope_start = self.cov_start;
        self.nx = nx;
        self.cov_start += self.p * nx;
        self
    }

    /// Position of the slope of variable `j` on covariate `k`.
    pub fn slope_idx(&self, j: usize, k: usize) -> usize {
        self.slope_start + k * self.p + j
    }

    /// Number of statistics.
    pub fn nstat(&self) -> usize {
        self.cov_start + self.pairs.len()
    }

    /// Whether some variable is ordered and some continuous.
    pub fn is_mixed(&self) -> bool {
        self.numeric.iter().any(|&b| b) && self.numeric.iter().any(|&b| !b)
    }

    /// Whether every variable is continuous.
    pub fn all_numeric(&self) -> bool {
        self.numeric.iter().all(|&b| b)
    }
}

/// The model's observed variables, from a table built without the threshold statements.
fn observed_variables(model: &ModelSyntax) -> Result<partable::ParTable> {
    let plain = ModelSyntax {
        statements: model
            .statements
            .iter()
            .filter(|s| s.op != Op::Threshold)
            .cloned()
            .collect(),
    };
    partable::build(&plain, &PartableOptions::default())
}

/// Fits `model` with ordered indicators (module docs).
///
/// # Errors
/// [`Error::InvalidOption`] for an `--ordered` item not in the model, more than ten
/// categories, observed covariates, an empty category in one group (with `--group`); [`Error::UnknownColumn`]; [`Error::Parse`] for a
/// non-integer answer; [`Error::ZeroVariance`] for an item with one category;
/// [`Error::TooFewRows`] when fewer than two complete rows remain or two items are never
/// answered together.
pub(crate) fn fit(
    data: &ItemData,
    groups: Option<&[String]>,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    let probe = observed_variables(model)?;
    let ov = probe.ov.clone();
    if let Ordered::Items(items) = &opts.ordered {
        for it in items {
            if !ov.contains(it) {
                return Err(Error::option(
                    "--ordered",
                    format!(
                        "\"{it}\" is not an observed variable of the model{}",
                        closest_name(it, &ov)
                            .map(|s| format!(" (did you mean \"{s}\"?)"))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }
    // observed covariates (lavaan's conditional.x): never ordered, conditioned on
    let ov_x = probe.ov_x.clone();
    if let Ordered::Items(items) = &opts.ordered {
        if let Some(x) = items.iter().find(|it| ov_x.contains(it)) {
            return Err(Error::option(
                "--ordered",
                format!(
                    "\"{x}\" is an exogenous covariate of the model (only on the right of ~): the ordered items are regressed on it, so it cannot be ordered itself; leave it out of --ordered (its codes enter the probit regressions as numbers, as in lavaan)"
                ),
            ));
        }
    }
    let numeric: Vec<bool> = ov
        .iter()
        .map(|v| ov_x.contains(v) || !opts.ordered.contains(v))
        .collect();
    let py = ov.len() - ov_x.len();
    if !ov_x.is_empty() {
        if groups.is_some() {
            return Err(Error::option(
                "--group",
                "ordered items regressed on observed covariates (lavaan's conditional.x) are fitted in one group only here; drop --group, or the regressions on observed variables",
            ));
        }
        if numeric[..py].iter().any(|&b| b) {
            return Err(Error::option(
                "--model",
                format!(
                    "regressions on observed covariates ({}) need every other observed variable ordered on the least-squares route (continuous indicators with covariates are not implemented here); add the continuous ones to --ordered only if they are ordinal, or fit by ML without --ordered",
                    ov_x.join(", ")
                ),
            ));
        }
    }
    if let Some(labels) = groups {
        return groups::fit(data, labels, model, &ov, &numeric, opts);
    }
    let cols = super::model_columns(data, &ov)?;
    let p = ov.len();
    // pairs never answered together
    let mut warnings = Vec::new();
    let has_missing = data.row_iter().any(|r| cols.iter().any(|&c| r[c].is_nan()));
    if has_missing {
        for j in 0..p {
            for i in j + 1..p {
                let joint = data
                    .row_iter()
                    .any(|r| !r[cols[i]].is_nan() && !r[cols[j]].is_nan());
                if !joint {
                    return Err(Error::TooFewRows {
                        at: data
                            .location()
                            .with_column(format!("{}\" and \"{}", ov[i], ov[j])),
                        needed: 1,
                        got: 0,
                    });
                }
            }
        }
    }
    let rows: Vec<usize> = (0..data.n())
        .filter(|&i| cols.iter().all(|&c| !data.row(i)[c].is_nan()))
        .collect();
    let dropped = data.n() - rows.len();
    if dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!("{dropped} rows with missing cells were dropped (listwise, lavaan's default)"),
        ));
    }
    if rows.len() < 2 {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 2,
            got: rows.len(),
        });
    }
    let n = rows.len();
    let (layout, st, cov_x) = if ov_x.is_empty() {
        let (l, s) = sample_statistics(data, &rows, &cols, &ov, &numeric)?;
        (l, s, None)
    } else {
        let (l, s, cx) = conditional_statistics(data, &rows, &cols, &ov, py)?;
        (l, s, Some(cx))
    };
    warnings.extend(st.warnings.iter().cloned());
    if crate::cfa::estimate::cholesky_at(&st.cor).is_err() {
        warnings.push(Warning::new(
            WarningCode::Heywood,
            "the sample (polychoric) covariance matrix is not positive definite; the least-squares estimates exist, but the robust fit indices (which need its log-determinant) may be null",
        ));
    }
    let theta = opts.parameterization == Parameterization::Theta;
    let pt = partable::build(
        model,
        &PartableOptions {
            // lavaan: a mean structure with ordered items, none for continuous data only
            meanstructure: !layout.all_numeric(),
            fixed_x: opts.fixed_x,
            ordered: ov
                .iter()
                .cloned()
                .zip(layout.nth.iter().copied())
                .zip(&numeric)
                .filter(|(_, num)| !**num)
                .map(|(o, _)| o)
                .collect(),
            ..PartableOptions::default()
        },
    )?;
    if pt.ov_x != ov_x {
        return Err(Error::option(
            "--model",
            "observed covariates (regressions on observed variables) with continuous items and a least-squares estimator are not implemented; fit by ML (without --ordered)",
        ));
    }
    let lsq = Model::new(&pt)?;
    let fixed: Vec<f64> = pt
        .rows
        .iter()
        .map(|r| match (&cov_x, r.exo) {
            (Some(cx), true) => cx.fixed_value(&pt.ov, r),
            _ => r.value.unwrap_or(0.0),
        })
        .collect();
    let weighted = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Dwls);
    let robust = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Ulsmv);
    let diag_gamma: Vec<f64> = st.gamma.diagonal().iter().copied().collect();
    if weighted {
        if let Some(k) = diag_gamma.iter().position(|g| !(*g > 0.0 && g.is_finite())) {
            return Err(Error::NotPositiveDefinite {
                what: "the asymptotic covariance matrix of the sample statistics".into(),
                index: format!(
                    "statistic {} (an item category with almost no answers?)",
                    k + 1
                ),
            });
        }
    }
    let w: Vec<f64> = if weighted {
        diag_gamma.iter().map(|g| 1.0 / g).collect()
    } else {
        vec![1.0; layout.nstat()]
    };
    let prob = wls::WlsProblem::new(&pt, &lsq, fixed.clone(), &layout, theta, &st.s, &w);
    let x0 = start_values(&pt, &prob, &st, cov_x.as_ref(), n);
    let Some(opt) = prob.optimise(x0, opts.tol, opts.max_iter) else {
        return Err(Error::NotPositiveDefinite {
            what: "the model-implied covariance matrix of the latent responses".into(),
            index: "at the starting values (check the fixed values in the model)".into(),
        });
    };
    if !opt.converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "the optimiser did not converge after {} iterations (largest gradient element {:.2e}); estimates are not trustworthy",
                opt.iterations, opt.gradient_max
            ),
        ));
    }
    let ev = &opt.eval;
    let d = prob.jacobian(ev);
    let resid: Vec<f64> = st.s.iter().zip(&ev.sigma).map(|(s, g)| s - g).collect();
    let c = implied_covariances(&layout, &ev.sigma);
    let robust_fit = if layout.nx > 0 {
        if robust {
            warnings.push(Warning::new(
                WarningCode::Note,
                "the robust CFI, TLI and RMSEA are not defined with observed covariates (lavaan 0.6.14 gives NA: Savalei's catML correction needs the unconditional polychoric matrix); cfi, tli and rmsea are null, their scaled versions are under fit.scaled",
            ));
        }
        inference::RobustFit::Undefined
    } else if layout.all_numeric() {
        inference::RobustFit::ScaledShifted
    } else if layout.is_mixed() {
        if robust {
            warnings.push(Warning::new(
                WarningCode::Note,
                "the robust CFI, TLI and RMSEA are not defined for a model with both ordered and continuous indicators (lavaan 0.6.14 gives NA: Savalei's catML correction needs every indicator ordered); cfi, tli and rmsea are null, their scaled versions are under fit.scaled",
            ));
        }
        inference::RobustFit::Undefined
    } else {
        inference::RobustFit::CatMl
    };
    let inf = inference::inference(&inference::Input {
        n,
        layout: &layout,
        d: &d,
        w: &w,
        gamma: &st.gamma,
        resid: &resid,
        s: &st.s,
        r: &st.cor,
        robust_fit,
        c: &c,
        npar: pt.nfree,
        robust,
        unweighted: !weighted,
        level: opts.ci_level,
    });
    if inf.vcov.is_none() {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "standard errors could not be computed: D'WD is singular (is the model identified?)",
        ));
    }
    // row values with the delta residual variances of ordered items: 1 - explained variance
    let mut values = ev.values.clone();
    if !theta {
        for (r, row) in pt.rows.iter().enumerate() {
            if row.op == Op::Covary && row.lhs == row.rhs && row.free == 0 {
                if let Some(j) = ov
                    .iter()
                    .position(|v| *v == row.lhs)
                    .filter(|&j| layout.numeric.get(j) == Some(&false))
                {
                    let explained = ev.cond_moments().0[(j, j)] - ev.values[r];
                    values[r] = 1.0 - explained;
                }
            }
        }
    }
    let final_imp = lsq.implied(&values, 1);
    let totals: Vec<f64> = final_imp
        .as_ref()
        .map(|i| i.cov_all.diagonal().iter().copied().collect())
        .unwrap_or_else(|| vec![f64::NAN; ov.len() + pt.lv.len()]);
    warnings.extend(heywood(&pt, &values, &ov));
    let std_se = inf
        .vcov
        .as_ref()
        .map(|v| standardized::std_all_se(&pt, &prob, &ev.x, v));
    // with observed covariates: no modification indices or construct validity (their
    // lavaan/semTools counterparts are not pinned for conditional.x)
    let conditional = layout.nx > 0;
    if conditional && (opts.modification_indices || opts.validity) {
        warnings.push(Warning::new(
            WarningCode::Note,
            "modification indices and construct validity are not computed for ordered items regressed on observed covariates (lavaan's conditional.x); fit the measurement model without the covariates for them",
        ));
    }
    let mi = (opts.modification_indices && !conditional).then(|| {
        mi::modification_indices(&mi::OrderedMiInput {
            pt: &pt,
            prob: &prob,
            x: &ev.x,
            n,
            values: &values,
            totals: &totals,
        })
    });
    let parameters: Vec<Parameter> = pt
        .rows
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, (r, &est))| {
            let (se, z, pv) = if r.free == 0 {
                (Some(0.0), None, None)
            } else {
                let se = inf
                    .vcov
                    .as_ref()
                    .map(|v| v[(r.free - 1, r.free - 1)])
                    .filter(|v| *v >= 0.0 && v.is_finite())
                    .map(f64::sqrt);
                let z = se.filter(|s| *s > 0.0).map(|s| est / s);
                let pv = z.map(|z| 2.0 * crate::dist::normal_cdf(-z.abs()));
                (se, z, pv)
            };
            Parameter {
                lhs: r.lhs.clone(),
                op: r.op,
                rhs: r.rhs.clone(),
                group: None,
                label: r.label.clone(),
                free: r.free > 0,
                est,
                se,
                z,
                p: pv,
                std_all: super::std_all(&pt, &values, &totals, 1, (&r.lhs, r.op, &r.rhs), est),
                std_all_se: std_se.as_ref().and_then(|s| s[i]),
            }
        })
        .collect();
    let validity = (opts.validity && !conditional).then(|| {
        if layout.all_numeric() {
            // continuous items: the formulas of the ML route on the unbiased covariances
            let nvar = pt.ov.len() + pt.lv.len();
            let nan = DMatrix::from_element(nvar, nvar, f64::NAN);
            crate::cfa::validity::validity_from(&crate::cfa::validity::ValidityInput {
                pt: &pt,
                params: &parameters,
                cov_all: final_imp.as_ref().map_or(&nan, |i| &i.cov_all),
                observed: &st.cor,
            })
        } else {
            validity::ordered_validity(&validity::OrderedValidityInput {
                pt: &pt,
                params: &parameters,
                values: &values,
                cov_all: final_imp.as_ref().map(|i| &i.cov_all),
                cor: &st.cor,
                numeric: &layout.numeric,
                theta,
            })
        }
    });
    if let Some(v) = &validity {
        let mixed: Vec<&str> = v
            .factors
            .iter()
            .filter(|f| {
                f.cr.is_none() && validity::mixes_indicators(&pt, &layout.numeric, &f.factor)
            })
            .map(|f| f.factor.as_str())
            .collect();
        if !mixed.is_empty() {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "no composite reliability for {} (ordered and continuous indicators together: semTools' compRelSEM() gives NA, the categorical omega needs every indicator ordered)",
                    mixed.join(", ")
                ),
            ));
        }
    }
    Ok(CfaResult {
        n,
        estimator: opts.estimator.as_str().to_string(),
        converged: opt.converged,
        iterations: opt.iterations,
        fit: inf.fit,
        parameters,
        groups: Vec::new(),
        validity,
        mi,
        warnings,
        partable: pt,
        missing: None,
    })
}

/// The sample statistics of the three cases: every variable ordered ([`stats`]), ordered and
/// continuous ([`mixed`]), every variable continuous ([`continuous`]).
fn sample_statistics(
    data: &ItemData,
    rows: &[usize],
    cols: &[usize],
    ov: &[String],
    numeric: &[bool],
) -> Result<(Layout, stats::OrderedStats)> {
    if numeric.iter().all(|&b| b) {
        return continuous::continuous_stats(data, rows, cols, ov, false);
    }
    if numeric.iter().any(|&b| b) {
        return mixed::mixed_stats(data, rows, cols, ov, numeric);
    }
    let ord = stats::Ordinal::new(data, rows, cols, ov)?;
    let layout = Layout::new((0..ov.len()).map(|j| ord.ncat(j) - 1).collect());
    let st = stats::ordered_stats(&ord, &layout, ov)?;
    Ok((layout, st))
}

/// The sample moments of the observed covariates: the values of their fixed rows (lavaan
/// `fixed.x`, with the unbiased covariances as lavaan uses them with `conditional.x`).
#[derive(Debug, Clone)]
pub(crate) struct CovX {
    /// Number of other observed variables (the covariates follow them in `ov`).
    pub py: usize,
    pub mean: DVector<f64>,
    pub cov: DMatrix<f64>,
}

impl CovX {
    /// The sample value of an exogenous row (`x ~~ x'` or `x ~1`).
    pub fn fixed_value(&self, ov: &[String], r: &partable::ParRow) -> f64 {
        let idx = |v: &str| ov.iter().position(|o| o == v).map(|i| i - self.py);
        match (r.op, idx(&r.lhs)) {
            (Op::Intercept, Some(i)) => self.mean[i],
            (Op::Covary, Some(i)) => idx(&r.rhs).map_or(0.0, |j| self.cov[(i, j)]),
            _ => r.value.unwrap_or(0.0),
        }
    }
}

/// The statistics with observed covariates ([`conditional`]): the thresholds and slopes of the
/// probit regressions of the `py` ordered items on the covariates after them in `ov`, the
/// residual polychoric correlations and $\Gamma$; with the moments of the covariates.
fn conditional_statistics(
    data: &ItemData,
    rows: &[usize],
    cols: &[usize],
    ov: &[String],
    py: usize,
) -> Result<(Layout, stats::OrderedStats, CovX)> {
    let ord = stats::Ordinal::new(data, rows, &cols[..py], &ov[..py])?;
    let q = cols.len() - py;
    let n = rows.len();
    let x = DMatrix::from_fn(n, q, |i, k| data.row(rows[i])[cols[py + k]]);
    let layout = Layout::new((0..py).map(|j| ord.ncat(j) - 1).collect()).with_slopes(q);
    let st = conditional::conditional_stats(&ord, &ov[..py], &x, &layout)?;
    let mut s: Vec<f64> = st.th.iter().flatten().copied().collect();
    for k in 0..q {
        s.extend((0..py).map(|j| st.slopes[(j, k)]));
    }
    s.extend(layout.pairs.iter().map(|&(i, j)| st.cor[(i, j)]));
    let mean = DVector::from_iterator(q, x.column_iter().map(|c| c.mean()));
    let mut cov = DMatrix::<f64>::zeros(q, q);
    for k in 0..q {
        for l in 0..=k {
            let v = (0..n)
                .map(|i| (x[(i, k)] - mean[k]) * (x[(i, l)] - mean[l]))
                .sum::<f64>()
                / (n as f64 - 1.0);
            cov[(k, l)] = v;
            cov[(l, k)] = v;
        }
    }
    Ok((
        layout,
        stats::OrderedStats {
            cor: st.cor,
            s,
            gamma: st.gamma,
            warnings: Vec::new(),
        },
        CovX { py, mean, cov },
    ))
}

/// The implied covariance matrix of $y^*$ and the continuous variables from $\sigma(\theta)$
/// (unit diagonal for ordered items).
fn implied_covariances(layout: &Layout, sigma: &[f64]) -> DMatrix<f64> {
    let mut c = DMatrix::<f64>::identity(layout.p, layout.p);
    for (j, v) in layout.var_idx.iter().enumerate() {
        if let Some(k) = v {
            c[(j, j)] = sigma[*k];
        }
    }
    for (m, &(i, j)) in layout.pairs.iter().enumerate() {
        c[(i, j)] = sigma[layout.cov_start + m];
        c[(j, i)] = c[(i, j)];
    }
    c
}

/// Negative residual variances of ordered items (delta) and negative latent variances.
fn heywood(pt: &partable::ParTable, values: &[f64], ov: &[String]) -> Vec<Warning> {
    let neg: Vec<String> = pt
        .rows
        .iter()
        .zip(values)
        .filter(|(r, v)| r.op == Op::Covary && r.lhs == r.rhs && **v < 0.0)
        .map(|(r, _)| r.lhs.clone())
        .collect();
    if neg.is_empty() {
        return Vec::new();
    }
    let (obs, lat): (Vec<String>, Vec<String>) = neg.into_iter().partition(|n| ov.contains(n));
    let mut out = Vec::new();
    if !obs.is_empty() {
        out.push(Warning::new(
            WarningCode::Heywood,
            format!(
                "negative residual variances of the latent responses of {} (Heywood case: explained variance above 1)",
                obs.join(", ")
            ),
        ));
    }
    if !lat.is_empty() {
        out.push(Warning::new(
            WarningCode::Heywood,
            format!("negative variances of latent variables {}", lat.join(", ")),
        ));
    }
    out
}

/// Starting values: the ML starting values of the factor model computed from the polychoric
/// matrix, and the sample thresholds (scaled by the implied standard deviation of $y^*$ in the
/// theta parameterization, so that the implied thresholds start at the sample ones).
fn start_values(
    pt: &partable::ParTable,
    prob: &wls::WlsProblem,
    st: &stats::OrderedStats,
    cov_x: Option<&CovX>,
    n: usize,
) -> Vec<f64> {
    let p = st.cor.nrows();
    // the means of continuous variables (the statistic is minus the mean), 0 for ordered items
    let layout = prob.layout;
    let mean = DVector::from_iterator(
        p,
        (0..p).map(|j| {
            if layout.numeric[j] && layout.nth[j] > 0 {
                -st.s[layout.th_start[j]]
            } else {
                0.0
            }
        }),
    );
    // with covariates: the joint moments of (y*, x) the sample reduced form implies,
    // R + B S_xx B', B S_xx, S_xx
    let (mean, cov) = match cov_x {
        None => (mean, st.cor.clone()),
        Some(cx) => {
            let q = cx.mean.len();
            let b = DMatrix::from_fn(p, q, |j, k| st.s[layout.slope_idx(j, k)]);
            let bs = &b * &cx.cov;
            let mut cov = DMatrix::<f64>::zeros(p + q, p + q);
            cov.view_mut((0, 0), (p, p))
                .copy_from(&(&st.cor + &bs * b.transpose()));
            cov.view_mut((0, p), (p, q)).copy_from(&bs);
            cov.view_mut((p, 0), (q, p)).copy_from(&bs.transpose());
            cov.view_mut((p, p), (q, q)).copy_from(&cx.cov);
            let mut m = DVector::zeros(p + q);
            m.rows_mut(p, q).copy_from(&cx.mean);
            (m, cov)
        }
    };
    let gs = GroupStats {
        label: String::new(),
        n,
        mean,
        cov,
        logdet: 0.0,
        data: None,
    };
    let stats = SampleStats {
        groups: vec![gs],
        ntotal: n,
    };
    let mut x = crate::cfa::estimate::start_values(pt, &stats, false);
    let sd: Vec<f64> = match prob.eval(&x) {
        Some(ev) if prob.theta => (0..p).map(|j| ev.cond_moments().0[(j, j)].sqrt()).collect(),
        _ => vec![1.0; p],
    };
    for &(r, j, idx) in &prob.th_rows {
        let f = pt.rows[r].free;
        if f > 0 {
            x[f - 1] = st.s[idx] * sd[j];
        }
    }
    x
}
