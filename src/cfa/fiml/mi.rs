//! FIML stage 6: modification indices of a `--missing-data fiml` fit (ML or MLR), from the
//! casewise likelihood and the expected information of the incomplete data.
//!
//! # Formula
//! The model is extended by the candidate rows of lavaan's full parameter table that it does
//! not have ([`crate::cfa::mi::candidates`], in every group) and by its fixed rows (lavaan's
//! `all.free`: marker loadings, latent means, the covariates' moments), at their current values. With $\Delta_g$ the
//! Jacobian of the moments $m_g = (\mu_g, \operatorname{vech}\Sigma_g)$ of the extended model
//! ([`super::objective::jacobian`]), the expected information of the incomplete data is the sum
//! over missing-data patterns $P$ (observed variables $o$, $n_P$ rows) of the complete-data
//! information of what they observe,
//! $$\mathcal I = \frac1N\sum_g \Delta_g^\top\Bigl[\sum_{P} n_P\\, E_o^\top
//!   \begin{pmatrix}\Sigma_{oo}^{-1} & 0\\\\ 0 & \tfrac12 D^\top(\Sigma_{oo}^{-1}\otimes\Sigma_{oo}^{-1})D\end{pmatrix}
//!   E_o\Bigr]\Delta_g$$
//! ($E_o$ picks the observed means and covariances, $D$ the duplication matrix), at the
//! model-implied moments. With the gradient of $F = -\ell/N$, $g = -N^{-1}\partial\ell/\partial\theta$,
//! partitioned into the model's parameters (1) and the added ones (2),
//! $$V = \mathcal I_{22} - \mathcal I_{21}\mathcal I_{11}^{-1}\mathcal I_{12},\qquad
//!   \mathrm{MI} = N g_2^2/V,\qquad \mathrm{EPC} = -g_2/V,$$
//! and `sepc_all` standardises the EPC as `std.all` does. Indices with $V < \epsilon^{1/3}$ are
//! dropped (lavaan: `NA`, removed).
//!
//! # Reference
//! Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371–384.
//! Savalei, V. (2010). Expected versus observed information in SEM with incomplete normal and
//! nonnormal data. *Psychological Methods*, 15(4), 352–367.
//!
//! # Peer
//! lavaan 0.6.14 `modindices(fit)` of `cfa(..., missing = "ml", estimator = "ML" | "MLR")`:
//! `modindices()` asks for `information = "expected"` whatever the fit used for its standard
//! errors (observed information), and lavaan's expected information with `missing = "ml"` is
//! the structured one above (`lav_mvnorm_missing_information_expected` at the implied
//! moments). The same indices for ML and MLR (only the standard errors differ).
//! `tests/cfa_ordered_mi.rs` compares `mi`, `epc` and `sepc.all`.
//!
//! With fixed exogenous covariates (`fixed.x`), their own rows are freed too and the
//! information of the moments among the covariates alone (their means and covariances) is set
//! to zero, as lavaan does (`x.idx`): the covariates' own rows and regressions of a covariate on
//! a factor it predicts then have $V = 0$ and are dropped.
//!
//! # Deviations
//! None in the compared values (one and two groups).

use super::casewise::{self, vech_index};
use super::objective::{chain, jacobian};
use super::patterns::GroupData;
use super::robust::complete_information;
use crate::cfa::mi::{candidates, in_table, ModIndex};
use crate::cfa::model::{position, Implied, Model};
use crate::cfa::partable::{ParRow, ParTable};
use crate::cfa::syntax::Op;
use nalgebra::{DMatrix, DVector};

/// What the indices need from the fit.
pub(crate) struct FimlMiInput<'a> {
    pub pt: &'a ParTable,
    pub groups: &'a [GroupData],
    /// Values of fixed rows.
    pub fixed: &'a [f64],
    /// Free parameters at the estimates.
    pub x: &'a [f64],
    /// Row values at the estimates.
    pub values: &'a [f64],
    /// Implied moments of every group at the estimates.
    pub implied: &'a [Implied],
}

/// The expected information of one group's incomplete data in its moments (total over rows).
fn expected_information(g: &GroupData, sigma: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = g.p;
    let mut out = DMatrix::<f64>::zeros(casewise::nmoments(p), casewise::nmoments(p));
    for pat in &g.patterns {
        let o = &pat.obs;
        let po = o.len();
        let sub = DMatrix::from_fn(po, po, |a, b| sigma[(o[a], o[b])]);
        let local = complete_information(&sub)?;
        // local moment index (means, then vech column by column, the order of
        // `complete_information`) -> global
        let mut map = Vec::with_capacity(casewise::nmoments(po));
        map.extend(o.iter().copied());
        for j in 0..po {
            for i in j..po {
                map.push(vech_index(p, o[i], o[j]));
            }
        }
        let nrows = pat.n as f64;
        for (a, &ga) in map.iter().enumerate() {
            for (b, &gb) in map.iter().enumerate() {
                out[(ga, gb)] += nrows * local[(a, b)];
            }
        }
    }
    Some(out)
}

/// Modification indices, largest first (module docs); empty when the information of the
/// model's own parameters is singular (the fit already warns about its standard errors).
pub(crate) fn modification_indices(inp: &FimlMiInput) -> Vec<ModIndex> {
    let pt = inp.pt;
    let q = pt.nfree;
    let mut ext = pt.clone();
    let mut fixed = inp.fixed.to_vec();
    let mut x_ext = inp.x.to_vec();
    let mut extras: Vec<usize> = Vec::new();
    let cands = candidates(pt);
    for g in 1..=pt.ngroups {
        for (l, op, r) in &cands {
            if in_table(pt, g, l, *op, r) || position(pt, l, *op, r).is_none() {
                continue;
            }
            x_ext.push(0.0);
            fixed.push(0.0);
            ext.rows.push(ParRow {
                id: ext.rows.len() + 1,
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
            extras.push(ext.rows.len() - 1);
        }
    }
    for (r, row) in pt.rows.iter().enumerate() {
        if row.free == 0 {
            x_ext.push(inp.fixed[r]);
            ext.rows[r].free = x_ext.len();
            extras.push(r);
        }
    }
    if extras.is_empty() {
        return Vec::new();
    }
    ext.nfree = x_ext.len();
    let Ok(model) = Model::new(&ext) else {
        return Vec::new();
    };
    let values = model.row_values(&x_ext, &fixed);
    let qe = x_ext.len();
    let ntotal: f64 = inp.groups.iter().map(|g| g.n as f64).sum();
    // moments of the fixed exogenous covariates alone carry no information (lavaan's x.idx)
    let xi: Vec<usize> = pt
        .ov_x
        .iter()
        .filter_map(|x| pt.ov.iter().position(|v| v == x))
        .collect();
    let p = pt.p();
    let mut x_moments: Vec<usize> = xi.clone();
    for &a in &xi {
        for &b in &xi {
            if a >= b {
                x_moments.push(vech_index(p, a, b));
            }
        }
    }
    let mut info = DMatrix::<f64>::zeros(qe, qe);
    let mut dl = DVector::<f64>::zeros(qe);
    for (gi, g) in inp.groups.iter().enumerate() {
        let Some(imp) = model.implied(&values, gi + 1) else {
            return Vec::new();
        };
        let ders = model.derivatives(&imp, gi + 1);
        let mu: Vec<f64> = imp.mu.iter().zip(&g.center).map(|(m, c)| m - c).collect();
        let (Some(mg), Some(a)) = (
            casewise::gradient(g, &mu, &imp.sigma),
            expected_information(g, &imp.sigma),
        ) else {
            return Vec::new();
        };
        let mut a = a;
        for &k in &x_moments {
            a.row_mut(k).fill(0.0);
            a.column_mut(k).fill(0.0);
        }
        dl += chain(&ders, &mg);
        let j = jacobian(&ders, g.p);
        info += j.transpose() * (a * &j);
    }
    info /= ntotal;
    let grad = -dl / ntotal;
    let i11 = info.view((0, 0), (q, q)).into_owned();
    let Some(i11_inv) = crate::cfa::invert_spd(&i11) else {
        return Vec::new();
    };
    let ne = qe - q;
    let i12 = info.view((0, q), (q, ne)).into_owned();
    let tmp = &i11_inv * &i12;
    let totals: Vec<Vec<f64>> = inp
        .implied
        .iter()
        .map(|imp| imp.cov_all.diagonal().iter().copied().collect())
        .collect();
    let thresh = f64::EPSILON.powf(1.0 / 3.0);
    let mut out = Vec::new();
    for (e, &r) in extras.iter().enumerate() {
        let v = info[(q + e, q + e)] - i12.column(e).dot(&tmp.column(e));
        if v.is_nan() || v < thresh {
            continue;
        }
        let g = grad[q + e];
        let mi = ntotal * g * g / v;
        let epc = -g / v;
        let row = &ext.rows[r];
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
                &totals[row.group - 1],
                row.group,
                (&row.lhs, row.op, &row.rhs),
                base.abs(),
            )
            .map(|s| s * epc.signum())
        };
        out.push(ModIndex {
            lhs: row.lhs.clone(),
            op: row.op,
            rhs: row.rhs.clone(),
            group: (pt.ngroups > 1).then_some(row.group),
            mi,
            epc,
            sepc_all,
        });
    }
    out.sort_by(|a, b| b.mi.total_cmp(&a.mi));
    out
}
