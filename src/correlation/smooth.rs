//! Smoothing a correlation matrix that is not positive definite (psych's `cor.smooth`).
//!
//! # Formula
//! With the eigendecomposition $R = V \Lambda V^\top$, eigenvalues below
//! $\varepsilon_{\text{eig}} = 10^{-12}$ are raised to $100\\,\varepsilon_{\text{eig}}$, all
//! eigenvalues are rescaled to sum to $p$, $\tilde\lambda_i = p\\,\lambda_i / \sum_j \lambda_j$,
//! and the rebuilt matrix $S = V \tilde\Lambda V^\top$ is rescaled to unit diagonal:
//! $$\tilde R_{ij} = S_{ij} / \sqrt{S_{ii} S_{jj}} .$$
//!
//! # Reference
//! Wothke, W. (1993). Nonpositive definite matrices in structural modeling. In K. A. Bollen &
//! J. S. Long (Eds.), *Testing structural equation models* (pp. 256–293). Sage. (eigenvalue
//! smoothing)
//!
//! # Peer
//! R psych::cor.smooth (2.2.9) with its default `eig.tol = 10^-12`.
//!
//! # Deviations
//! psych replaces a matrix that is not a correlation matrix by the Pearson correlations of it
//! (treating it as raw data); here that is an error.

use crate::error::{Error, Result};
use nalgebra::DMatrix;

/// psych's default eigenvalue tolerance.
pub const EIG_TOL: f64 = 1e-12;

/// Smooths a correlation matrix that is not positive definite, as psych::cor.smooth.
///
/// Returns the (possibly) smoothed matrix and whether smoothing happened. Smoothing happens,
/// as in psych, when the smallest eigenvalue is below machine epsilon ($2.2 \times 10^{-16}$);
/// otherwise the input is returned unchanged.
///
/// # Formula
/// $$\lambda_i \leftarrow \begin{cases}100\\,\varepsilon_{\text{eig}} & \lambda_i < \varepsilon_{\text{eig}}\\\\
///   \lambda_i & \text{otherwise}\end{cases},\qquad
///   \tilde\lambda_i = \frac{p\\,\lambda_i}{\sum_j\lambda_j},\qquad
///   S = V\tilde\Lambda V^\top,\qquad \tilde R_{ij} = \frac{S_{ij}}{\sqrt{S_{ii}S_{jj}}}$$
/// with $\varepsilon_{\text{eig}} = 10^{-12}$.
///
/// # Reference
/// Wothke (1993); Revelle, W. (2022). *psych: Procedures for psychological, psychometric, and
/// personality research* (R package 2.2.9), `cor.smooth`.
///
/// # Peer
/// R psych::cor.smooth (2.2.9), test `cor_smooth_matches_psych`.
///
/// # Deviations
/// Errors on input that is not a correlation matrix (square, finite, symmetric to 1e-8, unit
/// diagonal, entries in [-1, 1]); psych would instead correlate the matrix's columns.
///
/// ```
/// use nalgebra::DMatrix;
/// use trustscale::correlation::cor_smooth;
/// // not positive definite: r12 = r13 = .9, r23 = -.9
/// let r = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
/// let (s, smoothed) = cor_smooth(&r).unwrap();
/// assert!(smoothed);
/// assert!(nalgebra::SymmetricEigen::new(s).eigenvalues.min() > 0.0);
/// ```
pub fn cor_smooth(r: &DMatrix<f64>) -> Result<(DMatrix<f64>, bool)> {
    cor_smooth_tol(r, EIG_TOL)
}

/// [`cor_smooth`] with psych's `eig.tol` given.
///
/// # Formula
/// As [`cor_smooth`], with $\varepsilon_{\text{eig}}$ = `eig_tol`.
///
/// # Reference
/// Wothke (1993).
///
/// # Peer
/// R psych::cor.smooth(x, eig.tol) (2.2.9).
///
/// # Deviations
/// As [`cor_smooth`].
pub fn cor_smooth_tol(r: &DMatrix<f64>, eig_tol: f64) -> Result<(DMatrix<f64>, bool)> {
    check_correlation(r)?;
    if !(eig_tol.is_finite() && eig_tol >= 0.0) {
        return Err(Error::option(
            "eig-tol",
            format!("expected a non-negative number, found {eig_tol}"),
        ));
    }
    let p = r.nrows();
    let sym = DMatrix::from_fn(p, p, |i, j| 0.5 * (r[(i, j)] + r[(j, i)]));
    let (values, vectors) = crate::numeric::eigen::eigen_desc(&sym)?;
    if values.min() >= f64::EPSILON {
        return Ok((r.clone(), false));
    }
    let mut lambda: Vec<f64> = values
        .iter()
        .map(|&v| if v < eig_tol { 100.0 * eig_tol } else { v })
        .collect();
    let tot: f64 = lambda.iter().sum();
    for l in &mut lambda {
        *l = *l * p as f64 / tot;
    }
    let mut s = DMatrix::zeros(p, p);
    for i in 0..p {
        for j in 0..p {
            let mut acc = 0.0;
            for (m, l) in lambda.iter().enumerate() {
                acc += vectors[(i, m)] * l * vectors[(j, m)];
            }
            s[(i, j)] = acc;
        }
    }
    let is: Vec<f64> = (0..p).map(|i| (1.0 / s[(i, i)]).sqrt()).collect();
    let out = DMatrix::from_fn(p, p, |i, j| {
        if i == j {
            1.0
        } else {
            is[i] * s[(i, j)] * is[j]
        }
    });
    Ok((out, true))
}

fn check_correlation(r: &DMatrix<f64>) -> Result<()> {
    let p = r.nrows();
    let bad = |msg: String| Err(Error::data(format!("correlation matrix: {msg}")));
    if p == 0 || r.ncols() != p {
        return bad(format!(
            "expected a square correlation matrix, found {} x {}",
            r.nrows(),
            r.ncols()
        ));
    }
    if r.iter().any(|v| !v.is_finite()) {
        return bad("expected finite entries, found a missing or infinite one".into());
    }
    for i in 0..p {
        if (r[(i, i)] - 1.0).abs() > 1e-8 {
            return bad(format!(
                "expected a unit diagonal, found {} at position {}",
                r[(i, i)],
                i + 1
            ));
        }
        for j in 0..i {
            let (a, b) = (r[(i, j)], r[(j, i)]);
            if (a - b).abs() > 1e-8 {
                return bad(format!(
                    "expected a symmetric matrix, found {a} at ({}, {}) but {b} at ({}, {})",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1
                ));
            }
            if a.abs() > 1.0 {
                return bad(format!(
                    "expected correlations in [-1, 1], found {a} at ({}, {})",
                    i + 1,
                    j + 1
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn cor_smooth_leaves_positive_definite_matrix_alone() {
        let r = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.3, 0.5, 1.0, 0.2, 0.3, 0.2, 1.0]);
        let (s, smoothed) = cor_smooth(&r).unwrap();
        assert!(!smoothed);
        assert_eq!(s, r);
    }

    #[test]
    fn cor_smooth_matches_psych() {
        // R 4.2.2, psych 2.2.9:
        //   r <- matrix(c(1,.9,.9,.2, .9,1,-.9,.3, .9,-.9,1,.1, .2,.3,.1,1), 4)
        //   cat(sprintf("%.17g", t(psych::cor.smooth(r))), sep = ", ")
        let r = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.9, 0.9, 0.2, 0.9, 1.0, -0.9, 0.3, 0.9, -0.9, 1.0, 0.1, 0.2, 0.3, 0.1, 1.0,
            ],
        );
        let want = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0,
                0.49886056291440206,
                0.50150608054163315,
                0.20447131338093255,
                0.49886056291440212,
                1.0,
                -0.49485924885334009,
                0.23820831309955348,
                0.50150608054163315,
                -0.49485924885333998,
                1.0,
                0.061607630836698173,
                0.20447131338093261,
                0.23820831309955354,
                0.061607630836698173,
                1.0,
            ],
        );
        let (s, smoothed) = cor_smooth(&r).unwrap();
        assert!(smoothed);
        for i in 0..4 {
            for j in 0..4 {
                assert!(
                    (s[(i, j)] - want[(i, j)]).abs() < 1e-12,
                    "({i},{j}) {} vs psych {}",
                    s[(i, j)],
                    want[(i, j)]
                );
            }
        }
    }

    #[test]
    fn cor_smooth_rejects_non_correlation_input() {
        let r = DMatrix::from_row_slice(2, 2, &[2.0, 0.5, 0.5, 1.0]);
        assert!(cor_smooth(&r).is_err());
        let r = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.4, 1.0]);
        assert!(cor_smooth(&r).is_err());
        let r = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
        assert!(cor_smooth(&r).is_err());
        let r = DMatrix::<f64>::zeros(2, 3);
        assert!(cor_smooth(&r).is_err());
    }
}
