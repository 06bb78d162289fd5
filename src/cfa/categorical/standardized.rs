//! The completely standardised solution of an ordered-item fit and its delta-method standard
//! errors.
//!
//! # Formula
//! At the free parameters $\theta$, the row values are the model's, except that in the delta
//! parameterization the residual variance of an ordered item is $1 -$ its explained variance
//! $\Sigma^*_{jj}(\theta) - \theta_{jj}$ (as lavaan prints it). `std_all` then divides by the
//! model-implied standard deviations of the latent responses and factors
//! ([`crate::cfa::std_all`]): $\lambda\,\mathrm{sd}(f)/\mathrm{sd}(y^*)$ for loadings,
//! $\tau/\mathrm{sd}(y^*)$ for thresholds, residual covariances by the residual standard
//! deviations. Its standard error is the delta method,
//! $$\mathrm{se}(s_r) = \sqrt{J_r V J_r^\top},\qquad J = \partial s/\partial\theta^\top,$$
//! with $V$ the covariance matrix of the free parameters behind `se` (the robust sandwich of
//! WLSMV and ULSMV, $(D^\top W D)^{-1}/(n-1)$ for DWLS and ULS) and $J$ by central differences
//! (step $10^{-6}\max(1, |\theta_j|)$).
//!
//! # Reference
//! Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
//! Statistical Software*, 48(2), 1–36.
//!
//! # Peer
//! lavaan 0.6.14 `standardizedSolution(fit)` (`est.std`, `se`) of a `cfa(..., ordered = ...)`
//! fit, which differentiates `lav_standardize_all` numerically as well
//! (`tests/cfa_ordered_mi.rs`).
//!
//! # Deviations
//! None in the compared values. lavaan also lists the scaling rows `~*~` (std.all 1, se 0),
//! which this table does not have.

use super::wls::WlsProblem;
use crate::cfa::partable::ParTable;
use crate::cfa::syntax::Op;
use nalgebra::DMatrix;

/// Row values (delta: residual variances of ordered items as $1 -$ explained variance) and the
/// total variances of every variable, at the free parameters `x`.
pub(crate) fn ordered_values(
    pt: &ParTable,
    prob: &WlsProblem,
    x: &[f64],
) -> Option<(Vec<f64>, Vec<f64>)> {
    let ev = prob.eval(x)?;
    let mut values = ev.values.clone();
    if !prob.theta {
        for (r, row) in pt.rows.iter().enumerate() {
            if row.op == Op::Covary && row.lhs == row.rhs && row.free == 0 {
                if let Some(j) = pt
                    .ov
                    .iter()
                    .position(|v| *v == row.lhs)
                    .filter(|&j| prob.layout.numeric.get(j) == Some(&false))
                {
                    let explained = ev.cond_moments().0[(j, j)] - ev.values[r];
                    values[r] = 1.0 - explained;
                }
            }
        }
    }
    let imp = prob.model.implied(&values, 1)?;
    let totals = imp.cov_all.diagonal().iter().copied().collect();
    Some((values, totals))
}

/// Every row's `std_all` at the free parameters `x`.
fn std_all_at(pt: &ParTable, prob: &WlsProblem, x: &[f64]) -> Option<Vec<Option<f64>>> {
    let (values, totals) = ordered_values(pt, prob, x)?;
    Some(
        pt.rows
            .iter()
            .zip(&values)
            .map(|(r, &est)| {
                crate::cfa::std_all(pt, &values, &totals, 1, (&r.lhs, r.op, &r.rhs), est)
            })
            .collect(),
    )
}

/// Delta-method standard errors of every row's `std_all` (module docs); `None` for a row whose
/// standardised value or derivative cannot be computed.
pub(crate) fn std_all_se(
    pt: &ParTable,
    prob: &WlsProblem,
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
        let (Some(a), Some(b)) = (std_all_at(pt, prob, &up), std_all_at(pt, prob, &down)) else {
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
