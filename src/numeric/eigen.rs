//! Eigenvalues of symmetric matrices, and checking a correlation matrix.
//!
//! The factor analyses, KMO, eigenvalue smoothing and parallel analysis all start from a
//! correlation matrix and its eigenvalues in R's order (decreasing); both helpers live here so
//! that `correlation` does not borrow them from `factor`.

use crate::error::Error;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Checks that `r` is a usable correlation (or covariance) matrix and returns it as a
/// correlation matrix (psych's `cov2cor`), symmetrised.
///
/// # Formula
/// $r^\*\_{ij} = \tfrac12(r_{ij} + r_{ji})/\sqrt{r_{ii}r_{jj}}$ off the diagonal, 1 on it.
///
/// # Errors
/// [`Error::InvalidOption`] naming `what`: not square, empty, non-finite entries, not
/// symmetric (relative tolerance 1e-8), or a non-positive diagonal element.
///
/// # Peer
/// R `stats::cov2cor`, which psych applies to a covariance matrix given in place of a
/// correlation matrix.
pub fn as_correlation(r: &DMatrix<f64>, what: &str) -> Result<DMatrix<f64>, Error> {
    // a flag names an option the user gave; anything else is a matrix computed from the data
    let err = |msg: String| {
        if what.starts_with("--") {
            Error::option(what, msg)
        } else {
            Error::data(format!("{what}: {msg}"))
        }
    };
    let p = r.nrows();
    if p == 0 || r.ncols() != p {
        return Err(err(format!(
            "expected a square correlation matrix, found {} x {}",
            r.nrows(),
            r.ncols()
        )));
    }
    if r.iter().any(|x| !x.is_finite()) {
        return Err(err(
            "it has missing or non-finite entries (two items without complete rows in common?)"
                .into(),
        ));
    }
    for i in 0..p {
        if r[(i, i)] <= 0.0 {
            return Err(err(format!(
                "diagonal element {} is {} (a variance must be positive)",
                i + 1,
                r[(i, i)]
            )));
        }
        for j in 0..i {
            let (a, b) = (r[(i, j)], r[(j, i)]);
            if (a - b).abs() > 1e-8 * (1.0 + a.abs().max(b.abs())) {
                return Err(err(format!(
                    "the matrix is not symmetric: element ({}, {}) is {a} but ({}, {}) is {b}",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1
                )));
            }
        }
    }
    let sd: Vec<f64> = (0..p).map(|i| r[(i, i)].sqrt()).collect();
    Ok(DMatrix::from_fn(p, p, |i, j| {
        if i == j {
            1.0
        } else {
            0.5 * (r[(i, j)] + r[(j, i)]) / (sd[i] * sd[j])
        }
    }))
}

/// Symmetric eigendecomposition with eigenvalues sorted in decreasing order (as R's `eigen`).
/// Returns `(values, vectors)`, vectors in columns.
///
/// # Formula
/// $M = V \Lambda V^\top$ with $\lambda_1 \ge \dots \ge \lambda_n$; ties keep nalgebra's order.
///
/// # Errors
/// [`Error::InvalidOption`] when the symmetric QR iteration does not converge within
/// $100\max(n, 10)^2$ sweeps.
pub fn eigen_desc(m: &DMatrix<f64>) -> Result<(DVector<f64>, DMatrix<f64>), Error> {
    let n = m.nrows();
    let eig = SymmetricEigen::try_new(m.clone(), f64::EPSILON, 100 * n.max(10) * n.max(10))
        .ok_or_else(|| {
            Error::option(
                "matrix",
                "the symmetric eigendecomposition did not converge",
            )
        })?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values = DVector::from_iterator(n, order.iter().map(|&k| eig.eigenvalues[k]));
    let vectors = DMatrix::from_fn(n, n, |i, j| eig.eigenvectors[(i, order[j])]);
    Ok((values, vectors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_correlation_rescales_covariance() {
        let s = DMatrix::from_row_slice(2, 2, &[4.0, 1.0, 1.0, 9.0]);
        let r = as_correlation(&s, "r").unwrap();
        assert!((r[(0, 1)] - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(r[(0, 0)], 1.0);
    }

    #[test]
    fn as_correlation_rejects_asymmetric_and_nan() {
        let s = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.4, 1.0]);
        assert!(as_correlation(&s, "r").is_err());
        let s = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
        assert!(as_correlation(&s, "r").is_err());
        let s = DMatrix::from_row_slice(2, 3, &[1.0; 6]);
        assert!(as_correlation(&s, "r").is_err());
    }

    #[test]
    fn eigen_desc_rebuilds_matrix() {
        let r = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.3, 0.5, 1.0, 0.2, 0.3, 0.2, 1.0]);
        let (v, e) = eigen_desc(&r).unwrap();
        assert!(v[0] >= v[1] && v[1] >= v[2]);
        let back = &e * DMatrix::from_diagonal(&v) * e.transpose();
        assert!((back - r).amax() < 1e-14);
    }
}
