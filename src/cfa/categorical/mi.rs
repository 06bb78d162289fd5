//! Modification indices of an ordered-item fit (WLSMV, DWLS, ULSMV, ULS): the score test of
//! each parameter lavaan would add, with its expected parameter change.
//!
//! # Formula
//! The model is extended by every candidate row of lavaan's full parameter table that is not
//! yet free ([`crate::cfa::mi::candidates`]: cross-loadings, residual covariances of the
//! indicators, factor (co)variances, regressions among variables already in regressions,
//! intercepts), and by every fixed row of the model (lavaan's `all.free`: marker loadings, the
//! residual variances of ordered items, intercepts and latent means), each at its current
//! value. With $D = \partial\sigma/\partial\theta^\top$ of the extended model at the estimates
//! ([`super::wls`]), the weights $W$ of the fit ($\operatorname{diag}(\Gamma)^{-1}$ for
//! DWLS/WLSMV, $I$ for ULS/ULSMV) and the residuals $r = s - \sigma(\hat\theta)$:
//! $$\mathcal I = D^\top W D,\qquad g = -\tfrac{N-1}{N} D^\top W r,$$
//! partitioned into the model's parameters (1) and the added ones (2),
//! $$V = \mathcal I_{22} - \mathcal I_{21}\mathcal I_{11}^{-1}\mathcal I_{12},\qquad
//!   \mathrm{MI} = N g_2^2/V,\qquad \mathrm{EPC} = -g_2/V,$$
//! with $N$ the number of cases. `sepc_all` standardises $|\mathrm{EPC}|$ as `std.all` does
//! (residual covariances by the residual standard deviations of the latent responses, which in
//! the delta parameterization are $\sqrt{1 - R^2}$) and keeps the sign of the EPC. Indices with
//! $V < \epsilon^{1/3}$ (parameters the model cannot identify: a threshold shift, an intercept,
//! a delta residual variance) are dropped, as lavaan drops its `NA`s.
//!
//! # Reference
//! Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371–384.
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//!
//! # Peer
//! lavaan 0.6.14 `modindices(fit)` of a `cfa(..., ordered = ..., estimator = "WLSMV" | "DWLS" |
//! "ULSMV" | "ULS")` fit: lavaan's `information = "expected"` is $\sum_g (n_g/N) D_g^\top
//! W_g D_g$ with `WLS.VD`, its score the gradient $-\sum_g ((n_g - 1)/N) D_g^\top W_g r_g$
//! (`lav_model_gradient`'s group weights for the least-squares estimators; no sign change). `tests/cfa_ordered_mi.rs` compares `mi`, `epc` and `sepc.all`.
//!
//! # Deviations
//! None in the compared values.

use super::stacked::{MultiWls, Prepared};
use super::wls::WlsProblem;
use crate::cfa::mi::{candidates, in_table, ModIndex};
use crate::cfa::model::{position, Model};
use crate::cfa::partable::{ParRow, ParTable};
use crate::cfa::syntax::Op;
use nalgebra::{DMatrix, DVector};

/// What the indices need from the fit.
pub(crate) struct OrderedMiInput<'a> {
    pub pt: &'a ParTable,
    pub prob: &'a WlsProblem<'a>,
    /// Free parameters at the estimates.
    pub x: &'a [f64],
    /// Cases.
    pub n: usize,
    /// Row values as reported (delta residual variances as $1 - R^2$).
    pub values: &'a [f64],
    /// Total variances of every variable.
    pub totals: &'a [f64],
}

/// The parameter table extended for the score tests: every candidate row not in the model (in
/// each of `ngroups` groups) added at 0, then the model's fixed rows (not thresholds, not
/// exogenous) freed at their values. `extras` are the rows tested, in `table`'s numbering.
struct Extended {
    table: ParTable,
    fixed: Vec<f64>,
    x: Vec<f64>,
    extras: Vec<usize>,
}

/// [`Extended`] for `pt` at the free values `x` (`fixed`: the model's fixed row values);
/// `None` when nothing is left to test.
fn extend(pt: &ParTable, fixed: &[f64], x: &[f64], ngroups: usize) -> Option<Extended> {
    let mut table = pt.clone();
    let mut fixed_ext = fixed.to_vec();
    let mut x_ext = x.to_vec();
    let mut extras = Vec::new();
    let cands = candidates(pt);
    for g in 1..=ngroups {
        for (l, op, r) in &cands {
            if in_table(pt, g, l, *op, r) || position(pt, l, *op, r).is_none() {
                continue;
            }
            x_ext.push(0.0);
            fixed_ext.push(0.0);
            table.rows.push(ParRow {
                id: table.rows.len() + 1,
                lhs: l.clone(),
                op: *op,
                rhs: r.clone(),
                user: false,
                group: g,
                free: x_ext.len(),
                value: None,
                label: None,
                exo: false,
            });
            extras.push(table.rows.len() - 1);
        }
    }
    for (r, row) in pt.rows.iter().enumerate() {
        if row.free == 0 && !row.exo && row.op != Op::Threshold {
            x_ext.push(fixed[r]);
            table.rows[r].free = x_ext.len();
            extras.push(r);
        }
    }
    if extras.is_empty() {
        return None;
    }
    table.nfree = x_ext.len();
    Some(Extended {
        table,
        fixed: fixed_ext,
        x: x_ext,
        extras,
    })
}

/// $D^\top W M$ for the columns of `m`.
fn weighted_cross(d: &DMatrix<f64>, w: &[f64], m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut wm = m.clone();
    for (i, wi) in w.iter().enumerate() {
        wm.row_mut(i).scale_mut(*wi);
    }
    d.transpose() * wm
}

/// Modification indices, largest first (module docs); empty when $\mathcal I_{11}$ is singular
/// (the fit already warns that it has no standard errors).
pub(crate) fn modification_indices(inp: &OrderedMiInput) -> Vec<ModIndex> {
    let pt = inp.pt;
    let prob = inp.prob;
    let q = pt.nfree;
    // the extended table: candidates not in the model, then the model's fixed rows freed
    let Some(Extended {
        table: ext,
        fixed,
        x: x_ext,
        extras,
    }) = extend(pt, &prob.fixed, inp.x, 1)
    else {
        return Vec::new();
    };
    let Ok(model) = Model::new(&ext) else {
        return Vec::new();
    };
    let prob_ext = WlsProblem::new(&ext, &model, fixed, prob.layout, prob.theta, prob.s, prob.w);
    let Some(ev) = prob_ext.eval(&x_ext) else {
        return Vec::new();
    };
    let d = prob_ext.jacobian(&ev);
    let ne = extras.len();
    let d1 = d.columns(0, q).into_owned();
    let d2 = d.columns(q, ne).into_owned();
    let Some(i11_inv) = crate::cfa::invert_spd(&weighted_cross(&d1, prob.w, &d1)) else {
        return Vec::new();
    };
    let i12 = weighted_cross(&d1, prob.w, &d2);
    let wr = DVector::from_iterator(
        prob.s.len(),
        prob.s
            .iter()
            .zip(&ev.sigma)
            .zip(prob.w)
            .map(|((s, sg), w)| w * (s - sg)),
    );
    // lavaan weights the least-squares gradient by (n - 1)/N, the information by n/N
    let n = inp.n as f64;
    let grad = -(d2.transpose() * wr) * ((n - 1.0) / n);
    let tmp = &i11_inv * &i12;
    let thresh = f64::EPSILON.powf(1.0 / 3.0);
    let mut out = Vec::new();
    for (e, &r) in extras.iter().enumerate() {
        let col = d2.column(e);
        let i22: f64 = col.iter().zip(prob.w).map(|(c, w)| c * c * w).sum::<f64>();
        let v = i22 - i12.column(e).dot(&tmp.column(e));
        if v.is_nan() || v < thresh {
            continue;
        }
        let g = grad[e];
        let mi = n * g * g / v;
        let epc = -g / v;
        let row = &ext.rows[r];
        // lavaan's cov.std: a variance is standardised from its estimate, not its EPC
        let is_var = row.op == Op::Covary && row.lhs == row.rhs;
        let base = if is_var {
            inp.values.get(r).copied().unwrap_or(epc)
        } else {
            epc
        };
        let sepc_all = if is_var && base.abs() < f64::EPSILON.sqrt() {
            Some(0.0)
        } else {
            crate::cfa::std_all(
                pt,
                inp.values,
                inp.totals,
                1,
                (&row.lhs, row.op, &row.rhs),
                base.abs(),
            )
            .map(|s| s * epc.signum())
        };
        out.push(ModIndex {
            lhs: row.lhs.clone(),
            op: row.op,
            rhs: row.rhs.clone(),
            group: None,
            mi,
            epc,
            sepc_all,
        });
    }
    out.sort_by(|a, b| b.mi.total_cmp(&a.mi));
    out
}

/// What the indices of a multi-group fit need.
pub(crate) struct GroupsMiInput<'a> {
    pub pt: &'a ParTable,
    pub prob: &'a MultiWls<'a>,
    pub prep: &'a Prepared,
    /// Free parameters at the estimates.
    pub x: &'a [f64],
    /// Row values as reported ([`super::groups::reported_values`]).
    pub values: &'a [f64],
    /// Total variances of every variable, per group.
    pub totals: &'a [Vec<f64>],
}

/// Modification indices of a multi-group least-squares fit, largest first: the formulas of the
/// module docs with the candidates of every group and the information and score summed over
/// the groups, $\mathcal I = \sum_g (n_g/N) D_g^\top W_g D_g$ and
/// $g = -\sum_g ((n_g - 1)/N) D_g^\top W_g r_g$ (lavaan's group weights). Empty when
/// $\mathcal I_{11}$ is singular.
pub(crate) fn modification_indices_groups(inp: &GroupsMiInput) -> Vec<ModIndex> {
    let pt = inp.pt;
    let prob = inp.prob;
    let prep = inp.prep;
    let q = pt.nfree;
    let ng = prep.groups.len();
    let Some(Extended {
        table: ext,
        fixed,
        x: x_ext,
        extras,
    }) = extend(pt, &prob.fixed, inp.x, ng)
    else {
        return Vec::new();
    };
    let Ok(model) = Model::new(&ext) else {
        return Vec::new();
    };
    let prob_ext = MultiWls::new(&model, fixed, prob.layout, prob.theta, prep);
    let Some(ev) = prob_ext.eval(&x_ext) else {
        return Vec::new();
    };
    let ds = prob_ext.jacobians(&ev);
    let ne = extras.len();
    let ntot = prep.ntotal as f64;
    let m = prob.layout.nstat();
    let mut info = DMatrix::<f64>::zeros(q + ne, q + ne);
    let mut grad = DVector::<f64>::zeros(q + ne);
    for (g, d) in ds.iter().enumerate() {
        let gd = &prep.groups[g];
        let ngf = gd.n as f64;
        info += weighted_cross(d, &gd.w, d) * (ngf / ntot);
        let wr = DVector::from_iterator(
            m,
            gd.st
                .s
                .iter()
                .zip(&ev.sigma[g * m..(g + 1) * m])
                .zip(&gd.w)
                .map(|((s, sg), w)| w * (s - sg)),
        );
        grad -= (d.transpose() * wr) * ((ngf - 1.0) / ntot);
    }
    let Some(i11_inv) = crate::cfa::invert_spd(&info.view((0, 0), (q, q)).into_owned()) else {
        return Vec::new();
    };
    let i12 = info.view((0, q), (q, ne)).into_owned();
    let tmp = &i11_inv * &i12;
    let thresh = f64::EPSILON.powf(1.0 / 3.0);
    let mut out = Vec::new();
    for (e, &r) in extras.iter().enumerate() {
        let v = info[(q + e, q + e)] - i12.column(e).dot(&tmp.column(e));
        if v.is_nan() || v < thresh {
            continue;
        }
        let gr = grad[q + e];
        let mi = ntot * gr * gr / v;
        let epc = -gr / v;
        let row = &ext.rows[r];
        let g = row.group;
        let is_var = row.op == Op::Covary && row.lhs == row.rhs;
        let base = if is_var {
            inp.values.get(r).copied().unwrap_or(epc)
        } else {
            epc
        };
        let sepc_all = if is_var && base.abs() < f64::EPSILON.sqrt() {
            Some(0.0)
        } else {
            crate::cfa::std_all(
                pt,
                inp.values,
                &inp.totals[g - 1],
                g,
                (&row.lhs, row.op, &row.rhs),
                base.abs(),
            )
            .map(|s| s * epc.signum())
        };
        out.push(ModIndex {
            lhs: row.lhs.clone(),
            op: row.op,
            rhs: row.rhs.clone(),
            group: (ng > 1).then_some(g),
            mi,
            epc,
            sepc_all,
        });
    }
    out.sort_by(|a, b| b.mi.total_cmp(&a.mi));
    out
}
