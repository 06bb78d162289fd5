//! Varimax rotation (orthogonal), as R's `stats::varimax`.
//!
//! # Formula
//! Maximise $V(L) = \sum_j \bigl[\tfrac1p \sum_i \lambda_{ij}^4 - (\tfrac1p \sum_i \lambda_{ij}^2)^2\bigr]$
//! over orthogonal $T$, $L = A T$, by the SVD iteration
//! $B = A^\top\bigl(Z^{\circ 3} - Z\\,\mathrm{diag}(\mathbf 1^\top Z^{\circ 2})/p\bigr)$, $Z = AT$,
//! $B = UDV^\top$, $T \leftarrow UV^\top$, until $\sum D$ grows by less than a factor $1 + \varepsilon$.
//! With Kaiser normalisation the rows of $A$ are scaled to unit length first.
//!
//! # Reference
//! Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
//! *Psychometrika*, 23(3), 187–200.
//!
//! # Peer
//! R 4.2.2 `stats::varimax(x, normalize = TRUE, eps = 1e-5)`, with psych 2.2.9 `fa`'s
//! post-processing for orthogonal rotations.

use crate::error::{Error, Warning, WarningCode};
use crate::factor::{column_sum_signs, order_decreasing};
use nalgebra::{DMatrix, SVD};
use serde::Serialize;

/// Options for [`varimax`]; `Default` is `stats::varimax`'s defaults as psych's `fa` uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct VarimaxOptions {
    /// Kaiser normalisation (`normalize = TRUE`).
    pub normalize: bool,
    /// Relative convergence tolerance on $\sum D$ (`eps = 1e-5`).
    pub eps: f64,
    /// Maximum iterations (1000, fixed in `stats::varimax`).
    pub max_iter: usize,
    /// psych `fa`'s post-processing: reflect each factor so its loadings sum to a non-negative
    /// number, then order factors by their sum of squared loadings, decreasing.
    pub reorder: bool,
}

impl Default for VarimaxOptions {
    fn default() -> Self {
        VarimaxOptions {
            normalize: true,
            eps: 1e-5,
            max_iter: 1000,
            reorder: true,
        }
    }
}

/// An orthogonal rotation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OrthogonalRotation {
    /// Rotated loadings $L = A T$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub loadings: DMatrix<f64>,
    /// The orthogonal $T$ (after reordering, $L = A T$ still holds).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub rotation_matrix: DMatrix<f64>,
    /// Sum of squared loadings per factor.
    pub variance_explained: Vec<f64>,
    /// Varimax criterion $V$ of the (normalised) rotated loadings.
    pub criterion: f64,
    /// Whether the relative-increase rule stopped the iteration.
    pub converged: bool,
    /// Iterations used.
    pub iterations: usize,
    /// Non-convergence.
    pub warnings: Vec<Warning>,
}

fn varimax_criterion(z: &DMatrix<f64>) -> f64 {
    let p = z.nrows() as f64;
    (0..z.ncols())
        .map(|j| {
            let s2: f64 = z.column(j).iter().map(|v| v * v).sum::<f64>() / p;
            let s4: f64 = z.column(j).iter().map(|v| v.powi(4)).sum::<f64>() / p;
            s4 - s2 * s2
        })
        .sum()
}

/// Varimax rotation.
///
/// # Formula
/// See the [module documentation](self).
///
/// # Reference
/// Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
/// *Psychometrika*, 23(3), 187–200.
///
/// # Peer
/// R 4.2.2 `stats::varimax(x, normalize = TRUE, eps = 1e-5)`: the same iteration and stopping
/// rule, so the result matches (it is only converged to the relative rule) to rounding. With
/// `reorder`, psych 2.2.9 `fa(rotate = "varimax")`'s reflection and ordering.
///
/// # Deviations
/// - A zero row is left unscaled under Kaiser normalisation (R divides by zero).
/// - With one factor the loadings come back unchanged, as in `stats::varimax`.
pub fn varimax(
    loadings: &DMatrix<f64>,
    opts: &VarimaxOptions,
) -> Result<OrthogonalRotation, Error> {
    let (p, k) = loadings.shape();
    if p == 0 || loadings.iter().any(|x| !x.is_finite()) {
        return Err(Error::option(
            "loadings",
            "expected finite loadings with at least one row",
        ));
    }
    if !(opts.eps.is_finite() && opts.eps >= 0.0) {
        return Err(Error::option(
            "--rotate-eps",
            format!("expected a non-negative tolerance, found {}", opts.eps),
        ));
    }
    if k < 2 {
        return Ok(OrthogonalRotation {
            loadings: loadings.clone(),
            rotation_matrix: DMatrix::identity(k, k),
            variance_explained: (0..k).map(|j| loadings.column(j).norm_squared()).collect(),
            criterion: varimax_criterion(loadings),
            converged: true,
            iterations: 0,
            warnings: Vec::new(),
        });
    }
    let sc: Vec<f64> = (0..p)
        .map(|i| {
            let w = loadings.row(i).norm();
            if opts.normalize && w > 0.0 {
                w
            } else {
                1.0
            }
        })
        .collect();
    let x = DMatrix::from_fn(p, k, |i, j| loadings[(i, j)] / sc[i]);
    let mut tt = DMatrix::<f64>::identity(k, k);
    let mut d = 0.0_f64;
    let mut converged = false;
    let mut iterations = 0;
    for _ in 0..opts.max_iter {
        iterations += 1;
        let z = &x * &tt;
        let colsq: Vec<f64> = (0..k).map(|j| z.column(j).norm_squared()).collect();
        let inner = DMatrix::from_fn(p, k, |i, j| {
            z[(i, j)].powi(3) - z[(i, j)] * colsq[j] / p as f64
        });
        let b = x.transpose() * inner;
        let svd = SVD::try_new(b, true, true, f64::EPSILON, 10_000)
            .ok_or_else(|| Error::option("--rotate", "varimax: the SVD did not converge"))?;
        let (Some(u), Some(vt)) = (svd.u, svd.v_t) else {
            return Err(Error::option(
                "--rotate",
                "varimax: the SVD did not converge",
            ));
        };
        tt = u * vt;
        let dpast = d;
        d = svd.singular_values.sum();
        if d < dpast * (1.0 + opts.eps) {
            converged = true;
            break;
        }
    }
    let z = &x * &tt;
    let criterion = varimax_criterion(&z);
    let mut l = DMatrix::from_fn(p, k, |i, j| z[(i, j)] * sc[i]);
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!("varimax did not converge in {} iterations", opts.max_iter),
        ));
    }
    if opts.reorder {
        for (j, s) in column_sum_signs(&l).into_iter().enumerate() {
            if s < 0.0 {
                l.column_mut(j).neg_mut();
                tt.column_mut(j).neg_mut();
            }
        }
        let ss: Vec<f64> = (0..k).map(|j| l.column(j).norm_squared()).collect();
        let order = order_decreasing(&ss);
        l = DMatrix::from_fn(p, k, |i, j| l[(i, order[j])]);
        tt = DMatrix::from_fn(k, k, |i, j| tt[(i, order[j])]);
    }
    Ok(OrthogonalRotation {
        variance_explained: (0..k).map(|j| l.column(j).norm_squared()).collect(),
        loadings: l,
        rotation_matrix: tt,
        criterion,
        converged,
        iterations,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn varimax_keeps_communalities_and_is_orthogonal() {
        let a = DMatrix::from_row_slice(
            6,
            2,
            &[
                0.7, 0.3, 0.6, 0.35, 0.65, 0.25, 0.4, -0.5, 0.35, -0.55, 0.45, -0.45,
            ],
        );
        for normalize in [true, false] {
            let v = varimax(
                &a,
                &VarimaxOptions {
                    normalize,
                    ..VarimaxOptions::default()
                },
            )
            .unwrap();
            assert!(v.converged);
            let t = &v.rotation_matrix;
            assert!((t.transpose() * t - DMatrix::<f64>::identity(2, 2)).amax() < 1e-12);
            assert!((&a * t - &v.loadings).amax() < 1e-12);
            for i in 0..6 {
                assert!((a.row(i).norm_squared() - v.loadings.row(i).norm_squared()).abs() < 1e-12);
            }
            assert!(v.variance_explained[0] >= v.variance_explained[1]);
        }
    }
}
