//! Ordered-categorical CFA: lavaan's limited-information estimators WLSMV, DWLS, ULSMV and
//! ULS, in three steps (lavaan 0.6.14 semantics).
//!
//! | step | module | lavaan |
//! |---|---|---|
//! | thresholds, polychoric correlations, $\Gamma$ | [`stats`] | `lav_samplestats` (`muthen1984`) |
//! | the model for $y^*$, implied statistics, Gauss–Newton | [`wls`] | `lav_model_objective`, `computeDelta` |
//! | standard errors, tests, fit indices | [`inference`] | `lav_model_vcov`, `lav_test`, `lav_fit_measures` |
//! | standardised solution and its standard errors | [`standardized`] | `standardizedSolution` |
//! | modification indices | [`mi`] | `modindices` |
//! | construct validity (categorical omega, AVE, polychoric HTMT) | [`validity`] | semTools `compRelSEM`, `AVE`, `htmt` |
//!
//! # Formula
//! An ordered item $y_j$ with categories $0, \dots, K_j - 1$ is a cut latent response:
//! $y_j = c \iff \tau_{j,c-1} < y^*_j \le \tau_{jc}$, and $y^*$ follows the factor model
//! (intercepts 0, latent means 0). The statistics $s$ are the thresholds of every item
//! followed by the polychoric correlations $(i, j)$, $i > j$, column by column. Estimates
//! minimise $F = (s - \sigma(\theta))^\top W (s - \sigma(\theta))$ ([`wls`]); the test
//! statistic is $T = (n - 1)\hat F$ ([`inference`]).
//!
//! Parameter rows add the thresholds (`op` `"|"`, `rhs` `t1`, `t2`, ...). In the delta
//! parameterization (default) the residual variance of an ordered item is printed as
//! $1 -$ its explained variance (not free, se 0); in the theta parameterization it is
//! fixed to 1.
//!
//! # Reference
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115–132.
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//! Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
//! data. *Multivariate Behavioral Research*, 56(3), 390–407.
//!
//! # Peer
//! lavaan 0.6.14 `cfa(model, data, ordered = ..., estimator = "WLSMV" | "DWLS" | "ULSMV" |
//! "ULS", parameterization = "delta" | "theta")`; reference cases 29 and 30.
//!
//! # Deviations
//! - Every observed variable of the model must be ordered: mixed models (continuous
//!   indicators next to ordered ones, polyserial correlations) and least-squares estimation
//!   of continuous data are not implemented and give an error.
//! - One group only: `--group` with ordered items gives an error.
//! - Modification indices ([`mi`]), `std_all_se` ([`standardized`]) and construct validity
//!   ([`validity`]) follow lavaan's `modindices()`, `standardizedSolution()` and semTools'
//!   `compRelSEM()`, `AVE()` and `htmt()`; lavaan's `~*~` scaling rows are not listed.
//! - Rows with a missing answer on a model variable are dropped (lavaan's default
//!   `missing = "listwise"`).

pub mod inference;
pub mod mi;
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

/// Where each statistic sits in $s$: the thresholds of item $j$ at
/// `th_start[j]..th_start[j] + nth[j]`, then the correlation of pair `pairs[m]` at
/// `nth_total + m`, pairs $(i, j)$ with $i > j$ in lavaan's order (column by column of the
/// lower triangle).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub p: usize,
    pub nth: Vec<usize>,
    pub th_start: Vec<usize>,
    pub nth_total: usize,
    pub pairs: Vec<(usize, usize)>,
}

impl Layout {
    pub fn new(nth: Vec<usize>) -> Layout {
        let p = nth.len();
        let mut th_start = Vec::with_capacity(p);
        let mut acc = 0;
        for &k in &nth {
            th_start.push(acc);
            acc += k;
        }
        let pairs = (0..p)
            .flat_map(|j| (j + 1..p).map(move |i| (i, j)))
            .collect();
        Layout {
            p,
            nth,
            th_start,
            nth_total: acc,
            pairs,
        }
    }

    /// Number of statistics.
    pub fn nstat(&self) -> usize {
        self.nth_total + self.pairs.len()
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
/// [`Error::InvalidOption`] for `--group`, a continuous model variable, an `--ordered` item not
/// in the model, more than ten categories; [`Error::UnknownColumn`]; [`Error::Parse`] for a
/// non-integer answer; [`Error::ZeroVariance`] for an item with one category;
/// [`Error::TooFewRows`] when fewer than two complete rows remain or two items are never
/// answered together.
pub(crate) fn fit(
    data: &ItemData,
    groups: Option<&[String]>,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    if groups.is_some() {
        return Err(Error::option(
            "--group",
            "multi-group models with ordered items are not implemented yet",
        ));
    }
    if opts.ordered.is_none() {
        return Err(Error::option(
            "--estimator",
            format!(
                "{} without --ordered (least squares on continuous items) is not implemented yet: use ml or mlr, or name the ordered items with --ordered",
                opts.estimator
            ),
        ));
    }
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
    let continuous: Vec<&String> = ov.iter().filter(|v| !opts.ordered.contains(v)).collect();
    if !continuous.is_empty() {
        return Err(Error::option(
            "--ordered",
            format!(
                "mixed models (continuous {} next to ordered items) are not implemented yet: list every observed variable of the model in --ordered (or use all)",
                continuous.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
            ),
        ));
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
    let ord = stats::Ordinal::new(data, &rows, &cols, &ov)?;
    let n = ord.n;
    let layout = Layout::new((0..p).map(|j| ord.ncat(j) - 1).collect());
    let st = stats::ordered_stats(&ord, &layout, &ov)?;
    warnings.extend(st.warnings.iter().cloned());
    if crate::cfa::estimate::cholesky_at(&st.cor).is_err() {
        warnings.push(Warning::new(
            WarningCode::Heywood,
            "the polychoric correlation matrix is not positive definite; the least-squares estimates exist, but the robust fit indices (which need its log-determinant) may be null",
        ));
    }
    let theta = opts.parameterization == Parameterization::Theta;
    let pt = partable::build(
        model,
        &PartableOptions {
            meanstructure: true,
            fixed_x: opts.fixed_x,
            ordered: ov.iter().cloned().zip(layout.nth.iter().copied()).collect(),
            ..PartableOptions::default()
        },
    )?;
    if !pt.ov_x.is_empty() {
        return Err(Error::option(
            "--model",
            "observed covariates (regressions on observed variables) with ordered items are not implemented yet",
        ));
    }
    let lsq = Model::new(&pt)?;
    let fixed: Vec<f64> = pt.rows.iter().map(|r| r.value.unwrap_or(0.0)).collect();
    let weighted = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Dwls);
    let robust = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Ulsmv);
    let diag_gamma: Vec<f64> = st.gamma.diagonal().iter().copied().collect();
    if weighted {
        if let Some(k) = diag_gamma.iter().position(|g| !(*g > 0.0 && g.is_finite())) {
            return Err(Error::NotPositiveDefinite {
                what:
                    "the asymptotic covariance matrix of the thresholds and polychoric correlations"
                        .into(),
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
    let x0 = start_values(&pt, &prob, &st, n);
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
    let mut c = DMatrix::<f64>::identity(p, p);
    for (m, &(i, j)) in layout.pairs.iter().enumerate() {
        c[(i, j)] = ev.sigma[layout.nth_total + m];
        c[(j, i)] = c[(i, j)];
    }
    let inf = inference::inference(&inference::Input {
        n,
        layout: &layout,
        d: &d,
        w: &w,
        gamma: &st.gamma,
        resid: &resid,
        r: &st.cor,
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
                if let Some(j) = ov.iter().position(|v| *v == row.lhs) {
                    let explained = ev.imp.sigma[(j, j)] - ev.values[r];
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
    let mi = opts.modification_indices.then(|| {
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
    let validity = opts.validity.then(|| {
        validity::ordered_validity(&validity::OrderedValidityInput {
            pt: &pt,
            params: &parameters,
            values: &values,
            cov_all: final_imp.as_ref().map(|i| &i.cov_all),
            cor: &st.cor,
            theta,
        })
    });
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
    n: usize,
) -> Vec<f64> {
    let p = st.cor.nrows();
    let gs = GroupStats {
        label: String::new(),
        n,
        mean: DVector::zeros(p),
        cov: st.cor.clone(),
        logdet: 0.0,
        data: None,
    };
    let stats = SampleStats {
        groups: vec![gs],
        ntotal: n,
    };
    let mut x = crate::cfa::estimate::start_values(pt, &stats, false);
    let sd: Vec<f64> = match prob.eval(&x) {
        Some(ev) if prob.theta => (0..p).map(|j| ev.imp.sigma[(j, j)].sqrt()).collect(),
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
