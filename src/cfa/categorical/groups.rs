//! Multi-group CFA on the least-squares route: ordered items, mixed models (ordered and
//! continuous items) and continuous items only. Sample statistics and $\Gamma$ per group, one
//! stacked least-squares problem, robust standard errors, the scaled-shifted test and the fit
//! indices of all groups together (lavaan 0.6.14 semantics).
//!
//! # Formula
//! Group $g$ ($n_g$ rows, $N = \sum_g n_g$, $G$ groups, $f_g = n_g/N$) has its own statistics
//! $s_g$ in the order of [`super::Layout`] (thresholds and negative means, variances of the
//! continuous items, then correlations and covariances: [`super::stats`], [`super::mixed`];
//! with continuous items only [`super::continuous`] with a mean structure, the unbiased
//! covariances and the ADF $\Gamma$, as lavaan fits a mean structure with several groups),
//! $\Gamma_g$ and weights $W_g$
//! ($\operatorname{diag}(\Gamma_g)^{-1}$ for DWLS/WLSMV, $I$ for ULS/ULSMV). An item's
//! categories are those observed in the whole sample, and every category must be observed in
//! every group. The model for the latent responses of group $g$ has its own RAM matrices, and
//! its implied statistics are
//! $$\sigma_{g,\tau_{jk}} = \Delta_{gj}(\tau_{gjk} - \mu^*_{gj}),\qquad
//!   \sigma_{g,ij} = \Delta_{gi}\Delta_{gj}\Sigma^*_{g,ij},$$
//! with $\Delta_{gj}$ the scaling factor `item ~*~ item` (delta parameterization) or
//! $(\Sigma^*_{g,jj})^{-1/2}$ (theta parameterization). The estimates minimise
//! $$F = \sum_g (n_g - 1)(s_g - \sigma_g)^\top W_g (s_g - \sigma_g)$$
//! (lavaan weights group $g$'s $\tfrac12\frac{n_g-1}{n_g}F_g$ by $f_g$), by the Gauss–Newton
//! iterations of [`super::wls`] on the stacked statistics. The test statistic is
//! $T = \hat F$, on $df = G\cdot m - q$ ($m$ statistics per group, $q$ free parameters).
//!
//! With $A = \sum_g f_g D_g^\top W_g D_g$ (the expected information) and
//! $B = \sum_g f_g D_g^\top W_g\Gamma_g W_g D_g$, the robust covariance matrix is
//! $A^{-1}BA^{-1}/(N - G)$ (plain DWLS/ULS: $A^{-1}/(N - G)$). The scaled-shifted statistic uses
//! $U = V - VDA^{-1}D^\top V$ with $V = \operatorname{bdiag}(f_gW_g)$,
//! $\Gamma = \operatorname{bdiag}(\Gamma_g/f_g)$: $a = \sqrt{df/\operatorname{tr}((U\Gamma)^2)}$,
//! $b = df - a\operatorname{tr}(U\Gamma)$, $T_{ss} = aT + b$. The baseline model (free
//! thresholds, zero correlations in every group) has $T_b = \sum_g (n_g-1)\sum w_{g,ij}r_{g,ij}^2$
//! on $G\,p(p-1)/2$ df, scaled and shifted with $\sum_g\operatorname{tr}(W_{g,r}\Gamma_{g,r})$ and
//! $\sum_g\operatorname{tr}((W_{g,r}\Gamma_{g,r})^2)$. RMSEA uses $N - G$ and the factor
//! $\sqrt G$; SRMR is $\sum_g f_g\,\mathrm{SRMR}_g$ with each group's SRMR as in
//! [`super::inference`] (continuous items only: lavaan's `srmr_bentler` with the residuals of
//! the means over the standard deviations, $p(p+1)/2 + p$ elements). A continuous item's
//! implied statistics are $-\mu_{gj}$ and $\Sigma_{g,jj}$ with scale 1 in both
//! parameterizations. With WLSMV/ULSMV and continuous items only, the robust CFI, TLI and
//! RMSEA use $c = a^{-1}(df - b)/df$ as for one group ([`super::inference`]); with ordered and
//! continuous items together they are null (lavaan: NA).
//!
//! The robust CFI, TLI and RMSEA (Savalei, 2021) add the groups' normal-theory discrepancies,
//! $T_3 = \sum_g n_g(\log|C_g| + \operatorname{tr}(R_gC_g^{-1}) - \log|R_g| - p)$, on
//! $df_3 = G\,p(p-1)/2 - q_3$ ($q_3$: the rank of the stacked Jacobian of the correlations,
//! which is the number of free parameters other than thresholds and intercepts in
//! configural models, and discounts scaling factors a correlation structure cannot separate
//! from the loadings),
//! with $c = \operatorname{tr}(M^\top \tilde V M\tilde\Gamma)/df_3$ over the stacked correlation
//! blocks, $M = I - D_rA^{-1}D_r^\top\tilde W_r$, $\tilde V = \operatorname{bdiag}(f_gV_g)$,
//! $\tilde W_r = \operatorname{bdiag}(f_gW_{g,r})$, $\tilde\Gamma = \operatorname{bdiag}(\Gamma_{g,r}/f_g)$;
//! the baseline $T_{3,b} = -\sum_g n_g\log|R_g|$ with $c_b = \sum_g\operatorname{tr}(\Gamma_{g,r})/f_g$
//! over $G\,p(p-1)/2$.
//!
//! Modification indices ([`super::mi::modification_indices_groups`]), the delta-method
//! standard errors of `std_all` (every group's rows, [`super::standardized`]'s formula on the
//! stacked problem) and construct validity of group 1 ([`super::validity`], as the ML route
//! reports it for several groups) are computed as for one group.
//!
//! # Reference
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//! Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
//! data. *Multivariate Behavioral Research*, 56(3), 390–407.
//!
//! # Peer
//! lavaan 0.6.14 `cfa(model, data, group = "g", ordered = ..., estimator = ...,
//! parameterization = ...)` and `fitMeasures()`; `tests/cfa_ordered_groups.rs` and
//! `tests/cfa_mixed_groups.rs` (mixed and continuous items); `modindices()`,
//! `standardizedSolution()` and semTools' `compRelSEM()`, `AVE()`, `htmt()` in
//! `tests/cfa_groups_mi.rs`.
//!
//! # Deviations
//! - lavaan 0.6.14 prints no robust CFI, TLI and RMSEA once thresholds are constrained
//!   across groups (its catML refit drops the threshold rows but keeps their equality
//!   constraints and fails); they are computed here from the formulas above, which give
//!   lavaan's values whenever lavaan prints them.
//! - A category of an item that is empty in one group is an error (lavaan stops too).

use super::stacked::{GroupData, MultiEval, MultiWls, Prepared};
use super::stats::{self, Ordinal};
use super::Layout;
use crate::cfa::estimate::{GroupStats, SampleStats};
use crate::cfa::fit::{self, FitMeasures, StandardFit};
use crate::cfa::model::Model;
use crate::cfa::partable::{self, ParTable, PartableOptions};
use crate::cfa::syntax::{ModelSyntax, Op};
use crate::cfa::{CfaOptions, CfaResult, Estimator, Parameter, Parameterization};
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::{DMatrix, DVector};

/// Splits the complete rows by group, codes the items on the categories of the whole sample
/// and computes each group's statistics.
///
/// # Errors
/// [`Error::InvalidOption`] (`--group`) for a label list of the wrong length, a group with
/// fewer than two complete rows, or a category of an item with no answers in one group (naming
/// item, group and category); the errors of [`Ordinal::new`] and [`stats::ordered_stats`].
pub(crate) fn prepare(
    data: &ItemData,
    labels: &[String],
    ov: &[String],
    numeric: &[bool],
    estimator: Estimator,
) -> Result<Prepared> {
    if labels.len() != data.n() {
        return Err(Error::option(
            "--group",
            format!("expected {} group labels, found {}", data.n(), labels.len()),
        ));
    }
    let cols = crate::cfa::model_columns(data, ov)?;
    let p = ov.len();
    let mut names: Vec<String> = Vec::new();
    let mut member: Vec<usize> = Vec::new();
    let mut rows: Vec<usize> = Vec::new();
    for (i, row) in data.row_iter().enumerate() {
        let l = labels[i].trim();
        if l.is_empty() || l == "NA" || cols.iter().any(|&c| row[c].is_nan()) {
            continue;
        }
        let g = match names.iter().position(|x| x == l) {
            Some(k) => k,
            None => {
                names.push(l.to_string());
                names.len() - 1
            }
        };
        member.push(g);
        rows.push(i);
    }
    let mut warnings = Vec::new();
    let dropped = data.n() - rows.len();
    if dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!(
                "{dropped} rows with missing cells or no group were dropped (listwise, lavaan's default)"
            ),
        ));
    }
    if rows.len() < 2 {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 2,
            got: rows.len(),
        });
    }
    // the ordered items, coded on the categories of the whole sample
    let ord_idx: Vec<usize> = (0..p).filter(|&j| !numeric[j]).collect();
    let ord_cols: Vec<usize> = ord_idx.iter().map(|&j| cols[j]).collect();
    let ord_names: Vec<String> = ord_idx.iter().map(|&j| ov[j].clone()).collect();
    let po = ord_idx.len();
    let all = Ordinal::new(data, &rows, &ord_cols, &ord_names)?;
    let all_ordered = po == p;
    let weighted = matches!(estimator, Estimator::Wlsmv | Estimator::Dwls);
    let mut groups = Vec::with_capacity(names.len());
    let mut layout: Option<Layout> = None;
    for (g, label) in names.iter().enumerate() {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| member[i] == g).collect();
        if idx.len() < 2 {
            return Err(Error::option(
                "--group",
                format!(
                    "group \"{label}\" has {} complete row{}; every group needs at least 2",
                    idx.len(),
                    if idx.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        let mut codes = Vec::with_capacity(idx.len() * po);
        let mut counts: Vec<Vec<f64>> = (0..po).map(|j| vec![0.0; all.ncat(j)]).collect();
        for &i in &idx {
            let row = &all.codes[i * po..(i + 1) * po];
            codes.extend_from_slice(row);
            for (j, &c) in row.iter().enumerate() {
                counts[j][c as usize] += 1.0;
            }
        }
        for (j, cnt) in counts.iter().enumerate() {
            if let Some(k) = cnt.iter().position(|c| *c == 0.0) {
                // the answer that category stands for, from any row coded k
                let value = (0..rows.len())
                    .find(|&i| all.codes[i * po + j] as usize == k)
                    .map(|i| data.row(rows[i])[ord_cols[j]])
                    .unwrap_or(f64::NAN);
                return Err(Error::option(
                    "--group",
                    format!(
                        "item \"{}\" has no answers in category {value} in group \"{label}\" (every category of an ordered item must be observed in every group, as lavaan requires): merge sparse categories or leave the group out",
                        ord_names[j]
                    ),
                ));
            }
        }
        let (lay, st) = if all_ordered {
            let ord = Ordinal {
                n: idx.len(),
                p,
                codes,
                counts,
            };
            let lay = Layout::new((0..p).map(|j| all.ncat(j) - 1).collect());
            let st = stats::ordered_stats(&ord, &lay, ov)?;
            (lay, st)
        } else {
            // with continuous items: every category is observed in the group (checked above),
            // so the group's own coding is the whole sample's
            let grows: Vec<usize> = idx.iter().map(|&i| rows[i]).collect();
            if numeric.iter().all(|&b| b) {
                super::continuous::continuous_stats(data, &grows, &cols, ov, true)?
            } else {
                super::mixed::mixed_stats(data, &grows, &cols, ov, numeric)?
            }
        };
        for wn in &st.warnings {
            warnings.push(Warning::new(
                wn.code,
                format!("group \"{label}\": {}", wn.message),
            ));
        }
        if crate::cfa::estimate::cholesky_at(&st.cor).is_err() {
            warnings.push(Warning::new(
                WarningCode::Heywood,
                format!("group \"{label}\": the sample (polychoric) covariance matrix is not positive definite; the robust fit indices may be null"),
            ));
        }
        let dg: Vec<f64> = st.gamma.diagonal().iter().copied().collect();
        let w = if weighted {
            if let Some(k) = dg.iter().position(|g| !(*g > 0.0 && g.is_finite())) {
                return Err(Error::NotPositiveDefinite {
                    what: format!(
                        "the asymptotic covariance matrix of the sample statistics of group \"{label}\""
                    ),
                    index: format!(
                        "statistic {} (an item category with almost no answers?)",
                        k + 1
                    ),
                });
            }
            dg.iter().map(|g| 1.0 / g).collect()
        } else {
            vec![1.0; lay.nstat()]
        };
        layout.get_or_insert(lay);
        groups.push(GroupData {
            label: label.clone(),
            n: idx.len(),
            st,
            w,
        });
    }
    let layout = layout.ok_or_else(|| Error::TooFewRows {
        at: data.location(),
        needed: 2,
        got: 0,
    })?;
    Ok(Prepared {
        ov: ov.to_vec(),
        layout,
        groups,
        ntotal: rows.len(),
        weighted,
        warnings,
    })
}

/// A fitted multi-group model with what the difference tests need.
#[derive(Debug, Clone)]
pub(crate) struct MultiFit {
    pub result: CfaResult,
    /// $D_g$ at the estimates.
    pub d: Vec<DMatrix<f64>>,
    /// $A = \sum_g f_g D_g^\top W_g D_g$.
    pub info: DMatrix<f64>,
    /// $B = \sum_g f_g D_g^\top W_g\Gamma_g W_g D_g$.
    pub meat: DMatrix<f64>,
    /// The unscaled test statistic $T$.
    pub chisq_standard: f64,
}

/// The multi-group fit of `--group` with lavaan's default identification.
///
/// # Errors
/// As [`prepare`] and [`fit_partable`].
pub(crate) fn fit(
    data: &ItemData,
    labels: &[String],
    model: &ModelSyntax,
    ov: &[String],
    numeric: &[bool],
    opts: &CfaOptions,
) -> Result<CfaResult> {
    let prep = prepare(data, labels, ov, numeric, opts.estimator)?;
    let pt = partable::build(
        model,
        &partable_options(&prep, opts, opts.group_equal.clone()),
    )?;
    let mut r = fit_partable(&prep, pt, opts)?.result;
    let mut w = prep.warnings.clone();
    w.append(&mut r.warnings);
    r.warnings = w;
    Ok(r)
}

/// lavaan's table options for a multi-group model with ordered items.
pub(crate) fn partable_options(
    prep: &Prepared,
    opts: &CfaOptions,
    group_equal: Vec<partable::GroupEqual>,
) -> PartableOptions {
    PartableOptions {
        ngroups: prep.groups.len(),
        meanstructure: true,
        group_equal,
        fixed_x: opts.fixed_x,
        ordered: prep
            .ov
            .iter()
            .cloned()
            .zip(prep.layout.nth.iter().copied())
            .zip(&prep.layout.numeric)
            .filter(|(_, num)| !**num)
            .map(|(o, _)| o)
            .collect(),
        scale_factors: true,
        theta: opts.parameterization == Parameterization::Theta,
    }
}

/// Fits a parameter table to prepared statistics (module docs).
///
/// # Errors
/// [`Error::InvalidOption`] for observed covariates; [`Error::NotPositiveDefinite`] when the
/// model cannot be evaluated at the starting values.
pub(crate) fn fit_partable(prep: &Prepared, pt: ParTable, opts: &CfaOptions) -> Result<MultiFit> {
    if !pt.ov_x.is_empty() {
        return Err(Error::option(
            "--model",
            "observed covariates (regressions on observed variables) with ordered items or a least-squares estimator are not implemented yet",
        ));
    }
    let theta = opts.parameterization == Parameterization::Theta;
    let robust = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Ulsmv);
    let lsq = Model::new(&pt)?;
    let fixed: Vec<f64> = pt.rows.iter().map(|r| r.value.unwrap_or(0.0)).collect();
    let layout = &prep.layout;
    let prob = MultiWls::new(&lsq, fixed, layout, theta, prep);
    let x0 = start_values(&pt, &prob, prep);
    let Some(opt) = prob.optimise(x0, opts.tol, opts.max_iter) else {
        return Err(Error::NotPositiveDefinite {
            what: "the model-implied covariance matrix of the latent responses".into(),
            index: "at the starting values (check the fixed values in the model)".into(),
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
    let ev = &opt.eval;
    let d = prob.jacobians(ev);
    let m = layout.nstat();
    let implied_cor: Vec<DMatrix<f64>> = (0..prep.groups.len())
        .map(|g| super::implied_covariances(layout, &ev.sigma[g * m..(g + 1) * m]))
        .collect();
    // the parameters the correlations identify: the rank of their stacked Jacobian (with
    // configural models, the free parameters other than thresholds and intercepts)
    let q3 = {
        let np = layout.pairs.len();
        let mut dr = DMatrix::<f64>::zeros(prep.groups.len() * np, pt.nfree);
        for (g, dg) in d.iter().enumerate() {
            dr.view_mut((g * np, 0), (np, pt.nfree))
                .copy_from(&dg.rows(layout.cov_start, np));
        }
        let sv = dr.singular_values();
        let top = sv.iter().fold(0.0_f64, |a, b| a.max(*b));
        sv.iter().filter(|v| **v > 1e-8 * top).count()
    };
    let inf = inference(&Input {
        prep,
        d: &d,
        sigma: &ev.sigma,
        c: &implied_cor,
        npar: pt.nfree,
        q3,
        robust,
        level: opts.ci_level,
    });
    if inf.vcov.is_none() {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "standard errors could not be computed: D'WD is singular (is the model identified?)",
        ));
    }
    let ng = prep.groups.len();
    let (values, totals) = reported_values(&pt, &prob, &prep.ov, ev);
    warnings.extend(super::heywood(&pt, &values, &prep.ov));
    let std_se = inf
        .vcov
        .as_ref()
        .map(|v| std_all_se(&pt, &prob, &prep.ov, &ev.x, v));
    let mi = opts.modification_indices.then(|| {
        super::mi::modification_indices_groups(&super::mi::GroupsMiInput {
            pt: &pt,
            prob: &prob,
            prep,
            x: &ev.x,
            values: &values,
            totals: &totals,
        })
    });
    if mi.as_ref().is_some_and(Vec::is_empty) {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "modification indices could not be computed: the information of the model with the candidate parameters added is singular",
        ));
    }
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
                group: (ng > 1).then_some(r.group),
                label: r.label.clone(),
                free: r.free > 0,
                est,
                se,
                z,
                p: pv,
                std_all: crate::cfa::std_all(
                    &pt,
                    &values,
                    &totals[r.group - 1],
                    r.group,
                    (&r.lhs, r.op, &r.rhs),
                    est,
                ),
                std_all_se: std_se.as_ref().and_then(|s| s[i]),
            }
        })
        .collect();
    let validity = opts
        .validity
        .then(|| group1_validity(&pt, prep, &parameters, &values, theta));
    if let Some(v) = &validity {
        let mixed: Vec<&str> = v
            .factors
            .iter()
            .filter(|f| {
                f.cr.is_none() && super::validity::mixes_indicators(&pt, &layout.numeric, &f.factor)
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
    let result = CfaResult {
        n: prep.ntotal,
        estimator: opts.estimator.as_str().to_string(),
        converged: opt.converged,
        iterations: opt.iterations,
        fit: inf.fit,
        parameters,
        groups: crate::cfa::group_summaries(prep.groups.iter().map(|g| (g.label.as_str(), g.n))),
        validity,
        mi,
        warnings,
        partable: pt,
        missing: None,
    };
    Ok(MultiFit {
        result,
        d,
        info: inf.info,
        meat: inf.meat,
        chisq_standard: inf.chisq_standard,
    })
}

/// Row values as reported at one evaluation: in the theta parameterization the scaling factors
/// the model implies; in the delta parameterization the residual variances of ordered items as
/// $1/\Delta_{gj}^2 - $ their explained variance. With them, the total variances of every
/// variable, per group.
pub(crate) fn reported_values(
    pt: &ParTable,
    prob: &MultiWls,
    ov: &[String],
    ev: &MultiEval,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut values = ev.values.clone();
    for (r, row) in pt.rows.iter().enumerate() {
        let g = row.group - 1;
        if g >= prob.ngroups {
            continue;
        }
        if prob.theta {
            if row.op == Op::Scale {
                if let Some(j) = ov.iter().position(|v| *v == row.lhs) {
                    values[r] = ev.scale[g][j];
                }
            }
        } else if row.op == Op::Covary && row.lhs == row.rhs && row.free == 0 {
            if let Some(j) = ov
                .iter()
                .position(|v| *v == row.lhs)
                .filter(|&j| !prob.layout.numeric[j])
            {
                let explained = ev.imp[g].sigma[(j, j)] - ev.values[r];
                values[r] = 1.0 / ev.scale[g][j].powi(2) - explained;
            }
        }
    }
    let nvar = prob.layout.p + pt.lv.len();
    let totals = (1..=prob.ngroups)
        .map(|g| {
            prob.model
                .implied(&values, g)
                .map(|i| i.cov_all.diagonal().iter().copied().collect())
                .unwrap_or_else(|| vec![f64::NAN; nvar])
        })
        .collect();
    (values, totals)
}

/// Every row's `std_all` (in its own group) at the free parameters `x`.
fn std_all_at(
    pt: &ParTable,
    prob: &MultiWls,
    ov: &[String],
    x: &[f64],
) -> Option<Vec<Option<f64>>> {
    let ev = prob.eval(x)?;
    let (values, totals) = reported_values(pt, prob, ov, &ev);
    Some(
        pt.rows
            .iter()
            .zip(&values)
            .map(|(r, &est)| {
                crate::cfa::std_all(
                    pt,
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

/// Delta-method standard errors of every row's `std_all`, $\sqrt{J_rVJ_r^\top}$ with
/// $J = \partial s/\partial\theta^\top$ by central differences (step
/// $10^{-6}\max(1, |\theta_j|)$) and $V$ the covariance matrix behind `se`, as
/// [`super::standardized`] does for one group (lavaan 0.6.14 `standardizedSolution()`).
fn std_all_se(
    pt: &ParTable,
    prob: &MultiWls,
    ov: &[String],
    x: &[f64],
    vcov: &DMatrix<f64>,
) -> Vec<Option<f64>> {
    let q = x.len();
    let rows = pt.rows.len();
    let mut jac = DMatrix::<f64>::from_element(rows, q, f64::NAN);
    for j in 0..q {
        let h = 1e-6 * x[j].abs().max(1.0);
        let mut up = x.to_vec();
        up[j] += h;
        let mut down = x.to_vec();
        down[j] -= h;
        let (Some(a), Some(b)) = (
            std_all_at(pt, prob, ov, &up),
            std_all_at(pt, prob, ov, &down),
        ) else {
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

/// Construct validity of group 1 (as the ML route reports it for several groups): the
/// continuous formulas of [`crate::cfa::validity`] on group 1's covariances when every item is
/// continuous, otherwise [`super::validity::ordered_validity`] on group 1's polychoric (and
/// polyserial, Pearson) correlations.
fn group1_validity(
    pt: &ParTable,
    prep: &Prepared,
    params: &[Parameter],
    values: &[f64],
    theta: bool,
) -> crate::cfa::validity::Validity {
    let model = Model::new(pt).ok();
    let imp = model.as_ref().and_then(|m| m.implied(values, 1));
    let cor = &prep.groups[0].st.cor;
    if prep.layout.all_numeric() {
        let nvar = pt.ov.len() + pt.lv.len();
        let nan = DMatrix::from_element(nvar, nvar, f64::NAN);
        crate::cfa::validity::validity_from(&crate::cfa::validity::ValidityInput {
            pt,
            params,
            cov_all: imp.as_ref().map_or(&nan, |i| &i.cov_all),
            observed: cor,
        })
    } else {
        super::validity::ordered_validity(&super::validity::OrderedValidityInput {
            pt,
            params,
            values,
            cov_all: imp.as_ref().map(|i| &i.cov_all),
            cor,
            numeric: &prep.layout.numeric,
            theta,
        })
    }
}

/// Starting values: the ML starting values of the factor model from each group's polychoric
/// matrix, and the sample thresholds (scaled by the implied standard deviation in the theta
/// parameterization).
fn start_values(pt: &ParTable, prob: &MultiWls, prep: &Prepared) -> Vec<f64> {
    let p = prep.layout.p;
    let stats = SampleStats {
        groups: prep
            .groups
            .iter()
            .map(|g| GroupStats {
                label: g.label.clone(),
                n: g.n,
                // the means of continuous variables (the statistic is minus the mean)
                mean: DVector::from_iterator(
                    p,
                    (0..p).map(|j| {
                        let lay = &prep.layout;
                        if lay.numeric[j] && lay.nth[j] > 0 {
                            -g.st.s[lay.th_start[j]]
                        } else {
                            0.0
                        }
                    }),
                ),
                cov: g.st.cor.clone(),
                logdet: 0.0,
                data: None,
            })
            .collect(),
        ntotal: prep.ntotal,
    };
    let mut x = crate::cfa::estimate::start_values(pt, &stats, false);
    for v in x.iter_mut() {
        if !v.is_finite() {
            *v = 0.0;
        }
    }
    let ev = prob.eval(&x);
    for (g, rows) in prob.th_rows.iter().enumerate() {
        for &(r, j, idx) in rows {
            let f = pt.rows[r].free;
            if f == 0 {
                continue;
            }
            let sd = match &ev {
                Some(e) if prob.theta => e.imp[g].sigma[(j, j)].sqrt(),
                _ => 1.0,
            };
            // thresholds shared across groups start at the first group's values
            if pt.rows[..r]
                .iter()
                .any(|q| q.free == f && q.op == Op::Threshold)
            {
                continue;
            }
            x[f - 1] = prep.groups[g].st.s[idx] * sd;
        }
    }
    x
}

/// What the statistics of a multi-group fit need.
struct Input<'a> {
    prep: &'a Prepared,
    d: &'a [DMatrix<f64>],
    /// Stacked implied statistics.
    sigma: &'a [f64],
    /// Implied correlation matrices.
    c: &'a [DMatrix<f64>],
    npar: usize,
    /// Parameters the correlations identify (module docs).
    q3: usize,
    robust: bool,
    level: f64,
}

struct Inference {
    vcov: Option<DMatrix<f64>>,
    info: DMatrix<f64>,
    meat: DMatrix<f64>,
    chisq_standard: f64,
    fit: FitMeasures,
}

fn logdet(m: &DMatrix<f64>) -> f64 {
    m.clone()
        .cholesky()
        .map(|c| 2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>())
        .unwrap_or(f64::NAN)
}

fn scale_rows(d: &DMatrix<f64>, w: &[f64]) -> DMatrix<f64> {
    let mut wd = d.clone();
    for (i, w) in w.iter().enumerate() {
        wd.row_mut(i).scale_mut(*w);
    }
    wd
}

/// Standard errors, tests and fit indices of a multi-group fit (module docs).
fn inference(inp: &Input) -> Inference {
    let prep = inp.prep;
    let lay = &prep.layout;
    let ng = prep.groups.len();
    let n = prep.ntotal as f64;
    let nmg = n - ng as f64;
    let m = lay.nstat();
    let nt = lay.cov_start;
    let np = lay.pairs.len();
    let q = inp.npar;
    let mut a = DMatrix::<f64>::zeros(q, q);
    let mut b = DMatrix::<f64>::zeros(q, q);
    let mut m2 = DMatrix::<f64>::zeros(q, q);
    let (mut t, mut tb) = (0.0, 0.0);
    let (mut tr_wg, mut tr_wgwg, mut tr_b, mut tr_b2) = (0.0, 0.0, 0.0, 0.0);
    let mut srmr = 0.0;
    let mut gwd: Vec<DMatrix<f64>> = Vec::with_capacity(ng);
    for (g, gd) in prep.groups.iter().enumerate() {
        let fg = prep.fg(g);
        let n1 = gd.n as f64 - 1.0;
        let d = &inp.d[g];
        let w = &gd.w;
        let gamma = &gd.st.gamma;
        let wd = scale_rows(d, w);
        a += d.transpose() * &wd * fg;
        let g1 = gamma * &wd;
        b += wd.transpose() * &g1 * fg;
        m2 += g1.transpose() * scale_rows(&g1, w) * fg;
        let resid: f64 = (0..m)
            .map(|i| {
                let r = gd.st.s[i] - inp.sigma[g * m + i];
                w[i] * r * r
            })
            .sum();
        t += n1 * resid;
        tb += n1
            * lay
                .pairs
                .iter()
                .enumerate()
                .map(|(k, &(i, j))| w[nt + k] * gd.st.cor[(i, j)].powi(2))
                .sum::<f64>();
        for j in 0..m {
            tr_wg += w[j] * gamma[(j, j)];
            for i in 0..m {
                tr_wgwg += w[i] * w[j] * gamma[(i, j)].powi(2);
            }
        }
        for k in 0..np {
            tr_b += w[nt + k] * gamma[(nt + k, nt + k)];
            for l in 0..np {
                tr_b2 += w[nt + k] * w[nt + l] * gamma[(nt + k, nt + l)].powi(2);
            }
        }
        let pf = lay.p as f64;
        let r = &gd.st.cor;
        let sd: Vec<f64> = (0..lay.p).map(|j| r[(j, j)].sqrt()).collect();
        let ss: f64 = lay
            .pairs
            .iter()
            .map(|&(i, j)| ((r[(i, j)] - inp.c[g][(i, j)]) / (sd[i] * sd[j])).powi(2))
            .chain(
                (0..lay.p)
                    .filter(|&j| lay.numeric[j])
                    .map(|j| ((r[(j, j)] - inp.c[g][(j, j)]) / r[(j, j)]).powi(2)),
            )
            .sum();
        // continuous items only: lavaan's srmr_bentler with the means (residuals of the
        // means over the standard deviations, p more elements); with ordered items without
        let (ss, count) = if lay.all_numeric() {
            let sm: f64 = (0..lay.p)
                .map(|j| {
                    let k = lay.th_start[j];
                    ((gd.st.s[k] - inp.sigma[g * m + k]) / sd[j]).powi(2)
                })
                .sum();
            (ss + sm, pf * (pf + 1.0) / 2.0 + pf)
        } else {
            (ss, pf * (pf + 1.0) / 2.0)
        };
        srmr += fg * (ss / count).sqrt();
        gwd.push(g1);
    }
    let a_inv = crate::cfa::invert_spd(&a);
    let df = (ng * m) as f64 - q as f64;
    let dfb = (ng * np) as f64;
    let pvalue = prep.weighted;
    let standard = |t: f64, tb: f64, pv: bool| StandardFit {
        chisq: t,
        pvalue: (pv && df > 0.0).then(|| crate::dist::chi2_sf(t, df)),
        baseline_chisq: tb,
        cfi: fit::cfi(t, df, tb, dfb, 1.0, 1.0),
        tli: fit::tli(t, df, tb, dfb, 1.0, 1.0),
        rmsea: fit::rmsea(t, df, nmg, ng, 1.0),
        rmsea_ci: fit::rmsea_ci(t, df, nmg, ng, 1.0, inp.level),
    };
    let std = standard(t, tb, pvalue);
    let vcov = a_inv.as_ref().map(|ai| {
        if inp.robust {
            ai * &b * ai / nmg
        } else {
            ai / nmg
        }
    });
    let dfi = df as i64;
    let Some(ai) = a_inv.filter(|_| inp.robust) else {
        return Inference {
            vcov,
            info: a,
            meat: b,
            chisq_standard: t,
            fit: FitMeasures {
                chisq: t,
                df: dfi,
                pvalue: std.pvalue,
                cfi: std.cfi,
                tli: std.tli,
                rmsea: std.rmsea,
                rmsea_ci: std.rmsea_ci,
                srmr,
                aic: None,
                bic: None,
                loglik: None,
                npar: q,
                baseline_chisq: tb,
                baseline_df: dfb as i64,
                loglik_h1: None,
                scaling_factor: None,
                baseline_scaling_factor: None,
                shift: None,
                baseline_shift: None,
                standard: None,
                scaled: None,
            },
        };
    };
    // scaled-shifted: the traces of U Gamma with the f_g-weighted sums B (= M1) and M2
    let am1 = &ai * &b;
    let tr_ug = tr_wg - am1.trace();
    let tr_ug2 = tr_wgwg - 2.0 * (&ai * &m2).trace() + am1.component_mul(&am1.transpose()).sum();
    let sa = (df / tr_ug2).sqrt();
    let sb = df - sa * tr_ug;
    let t_ss = sa * t + sb;
    let sab = (dfb / tr_b2).sqrt();
    let sbb = dfb - sab * tr_b;
    let tb_ss = sab * tb + sbb;
    let scaled = standard(t_ss, tb_ss, true);
    let (cfi, tli, rmsea, rmsea_ci) = if lay.all_numeric() {
        // lavaan: c = a (df - b)/df with the printed scaling factor a = 1/sa (as one group)
        let ch = (df - sb) / (sa * df);
        let chb = (dfb - sbb) / (sab * dfb);
        (
            fit::cfi(t, df, tb, dfb, ch, chb),
            fit::tli(t, df, tb, dfb, ch, chb),
            fit::rmsea(t, df, nmg, ng, ch),
            if df > 0.0 {
                fit::rmsea_ci(t_ss, df, nmg, ng, 1.0 / sa, inp.level)
            } else {
                None
            },
        )
    } else if lay.is_mixed() {
        // lavaan 0.6.14 gives NA: catML needs every indicator ordered
        (None, None, None, None)
    } else {
        robust_indices(inp, &ai)
    };
    Inference {
        vcov,
        info: a,
        meat: b,
        chisq_standard: t,
        fit: FitMeasures {
            chisq: t_ss,
            df: dfi,
            pvalue: scaled.pvalue,
            cfi,
            tli,
            rmsea,
            rmsea_ci,
            srmr,
            aic: None,
            bic: None,
            loglik: None,
            npar: q,
            baseline_chisq: tb_ss,
            baseline_df: dfb as i64,
            loglik_h1: None,
            scaling_factor: Some(1.0 / sa),
            baseline_scaling_factor: Some(1.0 / sab),
            shift: Some(sb),
            baseline_shift: Some(sbb),
            standard: Some(std),
            scaled: Some(scaled),
        },
    }
}

type Indices = (Option<f64>, Option<f64>, Option<f64>, Option<[f64; 2]>);

/// Savalei's (2021) robust CFI, TLI and RMSEA over all groups (module docs).
fn robust_indices(inp: &Input, ai: &DMatrix<f64>) -> Indices {
    let prep = inp.prep;
    let lay = &prep.layout;
    let ng = prep.groups.len();
    let nt = lay.cov_start;
    let np = lay.pairs.len();
    let p = lay.p;
    let nmg = prep.ntotal as f64 - ng as f64;
    let df3 = (ng * np) as f64 - inp.q3 as f64;
    let dfb = (ng * np) as f64;
    let (mut t3, mut t3b, mut kbs) = (0.0, 0.0, 0.0);
    let mut vs: Vec<(DMatrix<f64>, DMatrix<f64>, DMatrix<f64>)> = Vec::with_capacity(ng);
    let q = ai.nrows();
    let mut s = DMatrix::<f64>::zeros(q, q);
    let mut ks = 0.0;
    for (g, gd) in prep.groups.iter().enumerate() {
        let fg = prep.fg(g);
        let ng_ = gd.n as f64;
        let Some(ci) = inp.c[g].clone().try_inverse() else {
            return (None, None, None, None);
        };
        let r = &gd.st.cor;
        let ld_r = logdet(r);
        t3 += ng_ * (logdet(&inp.c[g]) + (r * &ci).trace() - ld_r - p as f64);
        t3b += -ng_ * ld_r;
        let dr = inp.d[g].rows(nt, np).into_owned();
        let z = scale_rows(&dr, &gd.w[nt..]);
        let gr = gd.st.gamma.view((nt, nt), (np, np)).into_owned();
        kbs += gr.trace() / fg;
        let mut v = DMatrix::<f64>::zeros(np, np);
        for (y, &(k, l)) in lay.pairs.iter().enumerate() {
            for (x, &(i, j)) in lay.pairs.iter().enumerate() {
                v[(x, y)] = ci[(i, k)] * ci[(j, l)] + ci[(i, l)] * ci[(j, k)];
            }
        }
        let e = &dr * ai;
        let kk = &gr * &z;
        s += z.transpose() * &kk * fg;
        let ve = &v * &e;
        ks += v.component_mul(&gr).sum() - 2.0 * fg * ve.component_mul(&kk).sum();
        vs.push((ve, e, v));
    }
    for (g, (ve, e, _)) in vs.iter().enumerate() {
        let es = e * &s;
        ks += prep.fg(g) * ve.component_mul(&es).sum();
    }
    if !(t3.is_finite() && t3b.is_finite()) || df3 <= 0.0 {
        return (None, None, None, None);
    }
    let c3 = ks / df3;
    let c3b = kbs / dfb;
    (
        fit::cfi(t3, df3, t3b, dfb, c3, c3b),
        fit::tli(t3, df3, t3b, dfb, c3, c3b),
        fit::rmsea(t3, df3, nmg, ng, c3),
        fit::rmsea_ci(t3 / c3, df3, nmg, ng, c3, inp.level),
    )
}
