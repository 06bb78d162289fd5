//! Full-information maximum likelihood (FIML) for missing answers: lavaan's `missing = "ml"`,
//! with the estimators ML and MLR, in named stages:
//!
//! | stage | module | lavaan |
//! |---|---|---|
//! | rows by missing-data pattern, coverage | [`patterns`] | `lav_data_missing_patterns`, `lavInspect(, "coverage")` |
//! | casewise log-likelihood in the moments, its derivatives and score cross products | [`casewise`] | `lav_mvnorm_missing_*` |
//! | saturated model (H1) by EM | [`em`] | `lav_mvnorm_missing_h1_estimate_moments` |
//! | the model's objective, gradient, observed information and optimiser | [`objective`] | `lav_model_objective`, `lav_model_hessian` |
//! | sandwich, Yuan–Bentler scaling, FIML-corrected CFI/TLI/RMSEA | [`robust`] | `lav_test_yuan_bentler_mplus`, `lav_fit_cfi_lavobject` |
//! | modification indices from the expected information of the incomplete data | [`mi`] | `modindices` |
//!
//! # Formula
//! Every row with at least one observed model variable contributes the normal density of what
//! it observed, $\ell_i = -\tfrac12[p_{o}\log 2\pi + \log|\Sigma_{oo}(\theta)| + d_i^\top\Sigma_{oo}(\theta)^{-1}d_i]$,
//! $d_i = y_{io} - \mu_o(\theta)$; the mean structure is always part of the model (free item
//! intercepts, latent means 0). Then, with $\ell_0 = \ell(\hat\theta)$, $\ell_1$ the saturated
//! model's maximum (EM), $\ell_b$ the independence model's (each variable's observed mean and
//! biased variance), $q$ free parameters and $N$ rows:
//! $$\chi^2 = 2(\ell_1 - \ell_0),\quad \chi^2_b = 2(\ell_1 - \ell_b),\quad
//!   df = \sum_g\bigl[p(p+1)/2 + p\bigr] - q,\quad df_b = \sum_g p(p-1)/2,$$
//! $\mathrm{AIC} = -2\ell_0 + 2q$, $\mathrm{BIC} = -2\ell_0 + q\log N$; CFI, TLI and RMSEA from
//! $\chi^2$ as with complete data ([`crate::cfa::fit`]); SRMR with the mean residuals against the
//! EM moments. Standard errors: $\sqrt{\operatorname{diag}A^{-1}}$ with the observed information
//! $A = -\nabla^2\ell$ (ML), or the sandwich $A^{-1}BA^{-1}$ (MLR, [`robust`]).
//!
//! # Reference
//! Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
//! G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced structural equation modeling*
//! (pp. 243–277). Erlbaum.
//! Enders, C. K. (2010). *Applied missing data analysis*. Guilford Press.
//! Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
//! structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165–200.
//! Savalei, V., & Rosseel, Y. (2022). Computational options for standard errors and test
//! statistics with incomplete normal and nonnormal data in SEM. *Structural Equation Modeling*,
//! 29(2), 163–181.
//! Zhang, X., & Savalei, V. (2023). New computations for RMSEA and CFI following FIML and TS
//! estimation with missing data. *Psychological Methods*, 28(2), 263–283.
//!
//! # Peer
//! lavaan 0.6.14 `cfa(model, data, missing = "ml", estimator = "ML" | "MLR")`: reference cases
//! 31 and 32 (`tests/fixtures/cfa/`), and a multi-group and a MAR-simulated fixture
//! (`tests/fixtures/cfa/fiml-*`, R scripts beside them).
//!
//! # Deviations
//! - Modification indices ([`mi`]) use the expected information of the incomplete data, as
//!   lavaan's `modindices()` does by default (the standard errors use the observed one).
//! - With fixed exogenous covariates (`fixed.x`), rows missing a covariate are dropped (as
//!   lavaan does, with a warning); the log-likelihoods are conditional on the covariates.

pub mod casewise;
pub mod em;
pub mod mi;
pub mod objective;
pub mod patterns;
pub mod robust;

use super::estimate::{self, GroupStats, Problem, SampleStats};
use super::fit::{self, FitMeasures, StandardFit};
use super::model::Model;
use super::partable::{self, ParTable, PartableOptions};
use super::syntax::ModelSyntax;
use super::{CfaOptions, CfaResult, Estimator, Fitted};
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use em::Saturated;
use nalgebra::{DMatrix, DVector};
use patterns::GroupData;
use serde::Serialize;

/// EM: relative tolerance on the moments, and the iteration limit.
const EM_TOL: f64 = 1e-8;
const EM_MAX_ITER: usize = 10_000;

/// Coverage of one group: the share of its rows observing each pair of variables.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupCoverage {
    /// 1-based group number (multi-group models).
    pub group: usize,
    /// The value of the group column.
    pub label: String,
    /// Rows used.
    pub n: usize,
    /// Missing-data patterns in the group.
    pub patterns: usize,
    /// Coverage matrix, rows and columns in the order of `variables` of [`MissingSummary`].
    pub coverage: Vec<Vec<f64>>,
}

/// lavaan's FIML-corrected indices (Zhang & Savalei 2023) that it prints as `.robust` with
/// `missing = "ml"` and `estimator = "ML"` (version V6); with MLR they are the reported
/// `cfi`/`tli`/`rmsea` (version V3).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CorrectedFit {
    /// `V3` (MLR) or `V6` (ML).
    pub version: String,
    /// $T_3 = N F_{ML}$ of the EM moments against the model.
    pub t3: f64,
    /// Its correction factor $c$.
    pub c: f64,
    /// CFI.
    pub cfi: Option<f64>,
    /// TLI.
    pub tli: Option<f64>,
    /// RMSEA.
    pub rmsea: Option<f64>,
    /// RMSEA interval.
    pub rmsea_ci: Option<[f64; 2]>,
}

/// What FIML saw of the missing answers (the `missing` key of the result).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MissingSummary {
    /// `fiml`.
    pub method: String,
    /// Rows dropped: no model variable observed (and, with several groups, no group label;
    /// with fixed covariates, a covariate missing).
    pub rows_dropped: usize,
    /// Missing-data patterns (summed over groups).
    pub patterns: usize,
    /// The model's observed variables (the order of the coverage matrices).
    pub variables: Vec<String>,
    /// Coverage over all rows used: the share observing each pair of variables.
    pub coverage: Vec<Vec<f64>>,
    /// Per group (multi-group models only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupCoverage>,
    /// EM iterations of the saturated model (largest over groups).
    pub em_iterations: usize,
    /// With ML: lavaan's `.robust` (FIML-corrected, V6) CFI/TLI/RMSEA, for reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_fit: Option<CorrectedFit>,
}

/// The data prepared once for FIML (shared by the three invariance models).
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub ov: Vec<String>,
    pub groups: Vec<GroupData>,
    pub h1: Vec<Saturated>,
    /// The EM moments as sample statistics (raw scale): start values, SRMR, validity.
    pub em_stats: SampleStats,
    pub rows_dropped: usize,
    pub warnings: Vec<Warning>,
    /// The saturated model's information per group, without (`[0]`) and with (`[1]`) the score
    /// cross products, computed on first use ([`Prepared::h1_info`]).
    h1_info: [std::sync::OnceLock<Option<Vec<robust::H1Info>>>; 2],
}

impl Prepared {
    /// The saturated model's information per group (with the score cross products when
    /// `scores`), computed once and shared by every model fitted to these data; `None` when
    /// it is singular.
    pub(crate) fn h1_info(&self, scores: bool) -> Option<&[robust::H1Info]> {
        self.h1_info[usize::from(scores)]
            .get_or_init(|| {
                self.groups
                    .iter()
                    .zip(&self.h1)
                    .map(|(g, s)| robust::h1_info(g, s, scores))
                    .collect()
            })
            .as_deref()
    }
}

fn matrix_rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

/// Splits the data by group and pattern, checks it and fits the saturated model by EM.
pub(crate) fn prepare(
    data: &ItemData,
    groups: Option<&[String]>,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<Prepared> {
    let probe = partable::build(
        model,
        &PartableOptions {
            fixed_x: opts.fixed_x,
            ..PartableOptions::default()
        },
    )?;
    let ov = probe.ov.clone();
    let p = ov.len();
    let cols = super::model_columns(data, &ov)?;
    let xcols: Vec<usize> = probe
        .ov_x
        .iter()
        .filter_map(|x| ov.iter().position(|v| v == x))
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let mut member: Vec<Vec<Vec<f64>>> = Vec::new();
    let (mut empty, mut nolabel, mut nox) = (0usize, 0usize, 0usize);
    for (i, row) in data.row_iter().enumerate() {
        let vals: Vec<f64> = cols.iter().map(|&c| row[c]).collect();
        if vals.iter().all(|v| v.is_nan()) {
            empty += 1;
            continue;
        }
        if xcols.iter().any(|&j| vals[j].is_nan()) {
            nox += 1;
            continue;
        }
        let g = match groups {
            None => 0,
            Some(gs) => {
                let l = gs.get(i).map(|s| s.trim()).unwrap_or("");
                if l.is_empty() || l == "NA" {
                    nolabel += 1;
                    continue;
                }
                match labels.iter().position(|x| x == l) {
                    Some(k) => k,
                    None => {
                        labels.push(l.to_string());
                        member.push(Vec::new());
                        labels.len() - 1
                    }
                }
            }
        };
        if groups.is_none() && member.is_empty() {
            labels.push(String::new());
            member.push(Vec::new());
        }
        member[g].push(vals);
    }
    let mut warnings = Vec::new();
    if empty > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!("{empty} rows with no answer on any model variable were dropped (lavaan: some cases are empty and will be ignored)"),
        ));
    }
    if nox > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!("{nox} rows missing an exogenous covariate were dropped (fixed.x, as lavaan)"),
        ));
    }
    if nolabel > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!("{nolabel} rows without a group label were dropped"),
        ));
    }
    if member.is_empty() {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 2,
            got: 0,
        });
    }
    let mut gdata = Vec::with_capacity(member.len());
    for (label, rows) in labels.iter().zip(&member) {
        let in_group = if groups.is_some() {
            format!(" in group \"{label}\"")
        } else {
            String::new()
        };
        let refs: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
        let g = GroupData::new(label, &refs, p);
        for (j, name) in ov.iter().enumerate() {
            let cnt = g.pair_counts[(j, j)];
            if cnt == 0.0 {
                return Err(Error::option(
                    "--missing-data",
                    format!(
                        "variable \"{name}\" is missing in every row{in_group}: FIML needs answers to estimate its mean and variance"
                    ),
                ));
            }
        }
        let var = em::observed_variances(&g);
        for (j, v) in var.iter().enumerate() {
            if v.is_nan() || *v <= 1e-12 * (1.0 + g.center[j].abs()).powi(2) {
                return Err(Error::ZeroVariance {
                    at: data.location().with_column(ov[j].clone()),
                    value: g.center[j],
                });
            }
        }
        let mut never: Vec<String> = Vec::new();
        for j in 0..p {
            for k in 0..j {
                if g.pair_counts[(j, k)] == 0.0 {
                    never.push(format!("{}–{}", ov[k], ov[j]));
                }
            }
        }
        if !never.is_empty() {
            let shown: Vec<String> = never.iter().take(10).cloned().collect();
            warnings.push(Warning::new(
                WarningCode::Pairwise,
                format!(
                    "no row{in_group} observes both variables of {} pair(s): {}{}; their covariance in the saturated model is not identified, so the chi-square and its indices rest on the model alone (lavaan: some pairwise combinations have 0% coverage)",
                    never.len(),
                    shown.join(", "),
                    if never.len() > shown.len() { ", ..." } else { "" }
                ),
            ));
        }
        gdata.push(g);
    }
    let mut h1 = Vec::with_capacity(gdata.len());
    let mut stats = Vec::with_capacity(gdata.len());
    for g in &gdata {
        let s =
            em::saturated(g, EM_TOL, EM_MAX_ITER).ok_or_else(|| Error::NotPositiveDefinite {
                what: format!(
                    "the saturated (EM) covariance matrix{}",
                    if groups.is_some() {
                        format!(" of group \"{}\"", g.label)
                    } else {
                        String::new()
                    }
                ),
                index: "an EM step (linearly dependent items?)".into(),
            })?;
        if !s.converged {
            warnings.push(Warning::new(
                WarningCode::NotConverged,
                format!(
                    "the EM algorithm for the saturated model did not converge in {} iterations; the chi-square is approximate",
                    s.iterations
                ),
            ));
        }
        let mean = DVector::from_iterator(p, s.mu.iter().zip(&g.center).map(|(m, c)| m + c));
        let cov = s.sigma.clone();
        let logdet = cov
            .clone()
            .cholesky()
            .map(|c| 2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>())
            .unwrap_or(f64::NAN);
        stats.push(GroupStats {
            label: g.label.clone(),
            n: g.n,
            mean,
            cov,
            logdet,
            data: None,
        });
        h1.push(s);
    }
    let ntotal = gdata.iter().map(|g| g.n).sum();
    Ok(Prepared {
        ov,
        groups: gdata,
        h1,
        em_stats: SampleStats {
            groups: stats,
            ntotal,
        },
        rows_dropped: empty + nox + nolabel,
        warnings,
        h1_info: Default::default(),
    })
}

/// Fits `model` by FIML (module docs).
pub(crate) fn fit(
    data: &ItemData,
    groups: Option<&[String]>,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    let prep = prepare(data, groups, model, opts)?;
    fit_prepared(&prep, model, opts)
}

/// Log-likelihood of fixed exogenous covariates under their own saturated model (subtracted
/// from $\ell_0$ and $\ell_1$: lavaan's likelihood conditional on them).
fn loglik_x(pt: &ParTable, prep: &Prepared) -> f64 {
    let nx = pt.ov_x.len();
    if nx == 0 {
        return 0.0;
    }
    let p = pt.p();
    let pn = p - nx;
    prep.em_stats
        .groups
        .iter()
        .map(|gs| {
            let sxx = gs.cov.view((pn, pn), (nx, nx)).into_owned();
            sxx.cholesky().map_or(0.0, |ch| {
                let ld = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
                -0.5 * gs.n as f64
                    * (nx as f64 * (2.0 * std::f64::consts::PI).ln() + ld + nx as f64)
            })
        })
        .sum()
}

/// Fits a model to prepared data (shared by [`fit`] and the invariance sequence).
pub(crate) fn fit_prepared(
    prep: &Prepared,
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<CfaResult> {
    let ng = prep.groups.len();
    let pt = partable::build(
        model,
        &PartableOptions {
            ngroups: ng,
            ordered: Vec::new(),
            meanstructure: true,
            group_equal: if ng > 1 {
                opts.group_equal.clone()
            } else {
                Vec::new()
            },
            fixed_x: opts.fixed_x,
            scale_factors: false,
            theta: false,
        },
    )?;
    if pt.ov != prep.ov {
        return Err(Error::option(
            "--model",
            "the model's observed variables changed between preparation and fit",
        ));
    }
    let mut warnings = prep.warnings.clone();
    let m = Model::new(&pt)?;
    let stats = &prep.em_stats;
    let fixed = Problem::new(&pt, &m, stats).fixed;
    // start: the complete-data ML fit to the EM moments
    let start = super::fit_partable(pt.clone(), stats, opts).ok();
    let (x0, h0) = match &start {
        Some(s) => (s.x.clone(), s.info_inv.as_ref().and_then(super::invert_spd)),
        None => (estimate::start_values(&pt, stats, false), None),
    };
    let obj = objective::Objective {
        model: &m,
        groups: &prep.groups,
        fixed: fixed.clone(),
    };
    let x0 = if obj.eval(&x0).is_some() {
        x0
    } else {
        estimate::start_values(&pt, stats, true)
    };
    let opt =
        objective::optimise(&obj, &x0, h0.as_ref(), opts.tol, opts.max_iter).ok_or_else(|| {
            Error::NotPositiveDefinite {
                what: "the model-implied covariance matrix at the starting values".into(),
                index: "at the starting values; check the fixed values in the model".into(),
            }
        })?;
    let pnt = &opt.point;
    if !opt.converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "the optimiser did not converge after {} iterations (largest gradient element {:.2e}); estimates are not trustworthy",
                opt.iterations,
                pnt.grad.amax()
            ),
        ));
    }
    let ntotal = stats.ntotal as f64;
    let info_total = opt.information.clone();
    let info_inv_total = info_total.as_ref().and_then(super::invert_spd);
    let sigma_inv: Vec<DMatrix<f64>> = pnt
        .implied
        .iter()
        .map(|imp| {
            imp.sigma
                .clone()
                .cholesky()
                .map(|c| c.inverse())
                .unwrap_or_else(|| {
                    DMatrix::from_element(imp.sigma.nrows(), imp.sigma.ncols(), f64::NAN)
                })
        })
        .collect();
    let lx = loglik_x(&pt, prep);
    let l0 = pnt.loglik - lx;
    let l1: f64 = prep.h1.iter().map(|s| s.loglik).sum::<f64>() - lx;
    let chisq = 2.0 * (l1 - l0);
    let fitted = Fitted {
        model: m.clone(),
        fixed,
        x: pnt.x.clone(),
        values: pnt.values.clone(),
        converged: opt.converged,
        iterations: opt.iterations,
        // unit observed information, inverted
        info_inv: info_inv_total.as_ref().map(|i| i * ntotal),
        fmin: chisq / (2.0 * ntotal),
        implied: pnt.implied.clone(),
        sigma_inv,
        warnings: Vec::new(),
        pt: pt.clone(),
    };
    warnings.extend(super::admissibility_warnings(&fitted));
    if info_inv_total.is_none() {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "standard errors could not be computed: the observed information matrix is singular (is the model identified?)",
        ));
    }
    // robust pieces
    let df = pt.df();
    let dff = df as f64;
    let p = pt.p();
    let nx = pt.ov_x.len();
    let pn = p - nx;
    // independence: variances (and means) free; covariates keep their own moments
    let bdf = ((pn * (pn - 1) / 2 + pn * nx) * ng) as i64;
    let bdff = bdf as f64;
    let jacs = obj.jacobians(pnt);
    let mus: Vec<Vec<f64>> = prep
        .groups
        .iter()
        .zip(&pnt.implied)
        .map(|(g, imp)| imp.mu.iter().zip(&g.center).map(|(m, c)| m - c).collect())
        .collect();
    let h1_info = prep.h1_info(opts.estimator == Estimator::Mlr);
    if opts.estimator == Estimator::Mlr && (h1_info.is_none() || nx > 0) {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "the saturated model's information could not be formed: no scaled test or corrected indices",
        ));
    }
    let h1_info = h1_info.filter(|_| nx == 0);
    let corrected = |version: robust::Version| -> Option<robust::Corrected> {
        let h1i = h1_info?;
        let pieces: Vec<robust::GroupPieces> = (0..ng)
            .map(|g| robust::GroupPieces {
                data: &prep.groups[g],
                h1: &prep.h1[g],
                h1_info: &h1i[g],
                jacobian: &jacs[g],
                mu: &mus[g],
                sigma: &pnt.implied[g].sigma,
            })
            .collect();
        robust::corrected(&pieces, dff, bdff, version).filter(|c| c.c > 0.0 && c.c_baseline > 0.0)
    };
    // baseline: each variable's observed mean and variance
    let lb: f64 = prep
        .groups
        .iter()
        .map(|g| {
            robust::univariate(g)
                .iter()
                .take(pn)
                .map(|&(_, v, _, cnt)| -0.5 * cnt * ((2.0 * std::f64::consts::PI * v).ln() + 1.0))
                .sum::<f64>()
        })
        .sum();
    // the baseline keeps the covariates' saturated moments: their likelihood cancels
    let lb_x: f64 = if nx > 0 {
        prep.groups
            .iter()
            .zip(&prep.h1)
            .map(|(g, s)| {
                let sxx = s.sigma.view((pn, pn), (nx, nx)).into_owned();
                sxx.cholesky().map_or(0.0, |ch| {
                    let ld = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
                    -0.5 * g.n as f64
                        * (nx as f64 * (2.0 * std::f64::consts::PI).ln() + ld + nx as f64)
                })
            })
            .sum::<f64>()
            - lx
    } else {
        0.0
    };
    let bchisq = 2.0 * (l1 - (lb + lb_x));
    let level = opts.ci_level;
    let pval = |x: f64| (df > 0).then(|| crate::dist::chi2_sf(x, dff));
    let standard = StandardFit {
        chisq,
        pvalue: pval(chisq),
        baseline_chisq: bchisq,
        cfi: fit::cfi(chisq, dff, bchisq, bdff, 1.0, 1.0),
        tli: fit::tli(chisq, dff, bchisq, bdff, 1.0, 1.0),
        rmsea: fit::rmsea(chisq, dff, ntotal, ng, 1.0),
        rmsea_ci: fit::rmsea_ci(chisq, dff, ntotal, ng, 1.0, level),
    };
    let srmr = super::srmr(&fitted, stats);
    let npar = pt.nfree;
    let aic = -2.0 * l0 + 2.0 * npar as f64;
    let bic = -2.0 * l0 + npar as f64 * ntotal.ln();
    let corrected_fit = |c: &robust::Corrected, version: &str| CorrectedFit {
        version: version.to_string(),
        t3: c.t3,
        c: c.c,
        cfi: fit::cfi(c.t3, dff, c.t3_baseline, bdff, c.c, c.c_baseline),
        tli: fit::tli(c.t3, dff, c.t3_baseline, bdff, c.c, c.c_baseline),
        rmsea: fit::rmsea(c.t3, dff, ntotal, ng, c.c),
        rmsea_ci: fit::rmsea_ci(c.t3 / c.c, dff, ntotal, ng, c.c, level),
    };
    let (vcov, fitm, ml_corrected) = match opts.estimator {
        Estimator::Mlr => {
            let b: Option<DMatrix<f64>> = prep
                .groups
                .iter()
                .zip(&mus)
                .zip(&pnt.implied)
                .zip(&jacs)
                .map(|(((g, mu), imp), j)| {
                    casewise::score_crossproducts(g, mu, &imp.sigma)
                        .map(|bm| j.transpose() * bm * j)
                })
                .sum();
            let vcov = match (&info_inv_total, &b) {
                (Some(ai), Some(b)) => Some(ai * b * ai),
                _ => None,
            };
            if vcov.is_none() && info_inv_total.is_some() {
                warnings.push(Warning::new(
                    WarningCode::Singular,
                    "robust standard errors could not be computed (casewise scores)",
                ));
            }
            let tr_h0 = match (&info_total, &b) {
                (Some(a), Some(b)) => robust::trace_ainv_b(a, b),
                _ => None,
            };
            let tr_h1: Option<f64> = h1_info.and_then(|hs| hs.iter().map(|h| h.trace_ainv_b).sum());
            let tr_b: f64 = prep.groups.iter().map(robust::trace_baseline).sum();
            let c = match (tr_h1, tr_h0) {
                (Some(h1), Some(h0)) if df > 0 => Some((h1 - h0) / dff),
                _ => None,
            }
            .filter(|c| *c > 0.0 && c.is_finite());
            let cb = tr_h1
                .filter(|_| bdf > 0)
                .map(|h1| (h1 - tr_b) / bdff)
                .filter(|c| *c > 0.0 && c.is_finite());
            let corr = corrected(robust::Version::V3);
            let fm = match (c, cb) {
                (Some(c), Some(cb)) => {
                    let scaled_chisq = chisq / c;
                    let scaled_b = bchisq / cb;
                    let scaled = StandardFit {
                        chisq: scaled_chisq,
                        pvalue: pval(scaled_chisq),
                        baseline_chisq: scaled_b,
                        cfi: fit::cfi(scaled_chisq, dff, scaled_b, bdff, 1.0, 1.0),
                        tli: fit::tli(scaled_chisq, dff, scaled_b, bdff, 1.0, 1.0),
                        // lavaan's `.scaled` RMSEA: the unscaled statistic on c df
                        rmsea: fit::rmsea(chisq, c * dff, ntotal, ng, 1.0),
                        rmsea_ci: fit::rmsea_ci(chisq, c * dff, ntotal, ng, 1.0, level),
                    };
                    let cf = corr.as_ref().map(|k| corrected_fit(k, "V3"));
                    if cf.is_none() {
                        warnings.push(Warning::new(
                            WarningCode::Singular,
                            "the FIML-corrected robust CFI/TLI/RMSEA could not be computed",
                        ));
                    }
                    FitMeasures {
                        shift: None,
                        baseline_shift: None,
                        chisq: scaled_chisq,
                        df,
                        pvalue: pval(scaled_chisq),
                        cfi: cf.as_ref().and_then(|f| f.cfi),
                        tli: cf.as_ref().and_then(|f| f.tli),
                        rmsea: cf.as_ref().and_then(|f| f.rmsea),
                        rmsea_ci: cf.as_ref().and_then(|f| f.rmsea_ci),
                        srmr,
                        aic: Some(aic),
                        bic: Some(bic),
                        loglik: Some(l0),
                        npar,
                        baseline_chisq: scaled_b,
                        baseline_df: bdf,
                        loglik_h1: Some(l1),
                        scaling_factor: Some(c),
                        baseline_scaling_factor: Some(cb),
                        standard: Some(standard.clone()),
                        scaled: Some(scaled),
                    }
                }
                _ => {
                    if df > 0 {
                        warnings.push(Warning::new(
                            WarningCode::Singular,
                            "the Yuan–Bentler scaling factor could not be computed: the test is unscaled",
                        ));
                    }
                    plain_measures(&standard, df, srmr, aic, bic, l0, l1, npar, bdf)
                }
            };
            (vcov, fm, None)
        }
        _ => {
            let corr = corrected(robust::Version::V6).map(|k| corrected_fit(&k, "V6"));
            (
                info_inv_total.clone(),
                plain_measures(&standard, df, srmr, aic, bic, l0, l1, npar, bdf),
                corr,
            )
        }
    };
    let parameters = super::parameters(&fitted, vcov.as_ref());
    let mi = opts.modification_indices.then(|| {
        mi::modification_indices(&mi::FimlMiInput {
            pt: &pt,
            groups: &prep.groups,
            fixed: &fitted.fixed,
            x: &pnt.x,
            values: &pnt.values,
            implied: &pnt.implied,
        })
    });
    let validity = opts
        .validity
        .then(|| super::validity::validity(&fitted, stats, &parameters));
    let total_cov = {
        let mut counts = DMatrix::<f64>::zeros(p, p);
        for g in &prep.groups {
            counts += &g.pair_counts;
        }
        matrix_rows(&(counts / ntotal))
    };
    let group_cov = if ng > 1 {
        prep.groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupCoverage {
                group: i + 1,
                label: g.label.clone(),
                n: g.n,
                patterns: g.patterns.len(),
                coverage: matrix_rows(&g.coverage()),
            })
            .collect()
    } else {
        Vec::new()
    };
    let missing = MissingSummary {
        method: "fiml".into(),
        rows_dropped: prep.rows_dropped,
        patterns: prep.groups.iter().map(|g| g.patterns.len()).sum(),
        variables: prep.ov.clone(),
        coverage: total_cov,
        groups: group_cov,
        em_iterations: prep.h1.iter().map(|s| s.iterations).max().unwrap_or(0),
        corrected_fit: ml_corrected,
    };
    let groups = super::group_summaries(prep.groups.iter().map(|s| (s.label.as_str(), s.n)));
    Ok(CfaResult {
        n: stats.ntotal,
        estimator: opts.estimator.as_str().to_string(),
        converged: opt.converged,
        iterations: opt.iterations,
        fit: fitm,
        parameters,
        groups,
        validity,
        mi,
        missing: Some(missing),
        warnings,
        partable: pt,
    })
}

#[allow(clippy::too_many_arguments)]
fn plain_measures(
    standard: &StandardFit,
    df: i64,
    srmr: f64,
    aic: f64,
    bic: f64,
    l0: f64,
    l1: f64,
    npar: usize,
    bdf: i64,
) -> FitMeasures {
    FitMeasures {
        shift: None,
        baseline_shift: None,
        chisq: standard.chisq,
        df,
        pvalue: standard.pvalue,
        cfi: standard.cfi,
        tli: standard.tli,
        rmsea: standard.rmsea,
        rmsea_ci: standard.rmsea_ci,
        srmr,
        aic: Some(aic),
        bic: Some(bic),
        loglik: Some(l0),
        npar,
        baseline_chisq: standard.baseline_chisq,
        baseline_df: bdf,
        loglik_h1: Some(l1),
        scaling_factor: None,
        baseline_scaling_factor: None,
        standard: None,
        scaled: None,
    }
}
