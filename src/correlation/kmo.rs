//! Sampling adequacy (Kaiser–Meyer–Olkin) and Bartlett's test of sphericity, as `psych::KMO`
//! and `psych::cortest.bartlett`.
//!
//! # Formula
//! With $R$ the $p \times p$ correlation matrix and $Q$ the anti-image correlations,
//! $q_{ij} = (R^{-1})\_{ij} / \sqrt{(R^{-1})\_{ii} (R^{-1})\_{jj}}$ (partial correlations up to sign),
//! $$\mathrm{MSA} = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2},
//! \qquad \mathrm{MSA}\_j = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2},$$
//! and Bartlett's statistic for $n$ observations
//! $$\chi^2 = -\Bigl(n - 1 - \frac{2p + 5}{6}\Bigr)\ln\lvert R\rvert, \qquad df = \frac{p(p-1)}{2}.$$
//!
//! # Reference
//! Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika*, 35(4), 401–415.
//! Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. *Educational and Psychological
//! Measurement*, 34(1), 111–117.
//! Bartlett, M. S. (1951). The effect of standardization on a χ² approximation in factor
//! analysis. *Biometrika*, 38(3/4), 337–344.
//!
//! # Peer
//! psych 2.2.9 `KMO(r)` (`MSA`, `MSAi`) and `cortest.bartlett(R, n)` (`chisq`, `df`, `p.value`).

use crate::dist::chi2_sf;
use crate::error::{Error, Warning, WarningCode};
use crate::numeric::eigen::as_correlation;
use nalgebra::DMatrix;
use serde::Serialize;

/// Kaiser–Meyer–Olkin measures of sampling adequacy.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KmoResult {
    /// Overall MSA (psych `MSA`); `None` where it does not exist (see [`kmo`]).
    pub kmo: Option<f64>,
    /// MSA of each item (psych `MSAi`); `None` where it does not exist.
    pub kmo_items: Vec<Option<f64>>,
    /// A singular correlation matrix, or a KMO that does not exist (see [`kmo`]).
    pub warnings: Vec<Warning>,
}

/// Bartlett's test that the population correlation matrix is the identity.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BartlettResult {
    /// The statistic $\chi^2$; `None` when $\lvert R \rvert \le 0$ (the logarithm does not exist).
    pub chi2: Option<f64>,
    /// Degrees of freedom $p(p-1)/2$.
    pub df: usize,
    /// Upper-tail p-value of $\chi^2$; `None` with `chi2`.
    pub p: Option<f64>,
    /// A matrix that is not positive definite.
    pub warnings: Vec<Warning>,
}

/// $\ln\lvert R\rvert$ from a Cholesky factor, or from LU when $R$ is not positive definite
/// (`None` when the determinant is not positive).
pub(crate) fn log_det(r: &DMatrix<f64>) -> Option<f64> {
    if let Some(ch) = r.clone().cholesky() {
        return Some(2.0 * ch.l().diagonal().iter().map(|d| d.ln()).sum::<f64>());
    }
    let det = r.clone().lu().determinant();
    (det > 0.0 && det.is_finite()).then(|| det.ln())
}

/// Largest absolute column sum.
fn norm1(m: &DMatrix<f64>) -> f64 {
    m.column_iter()
        .map(|c| c.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Inverse by Cholesky, falling back to LU when the matrix is not positive definite. `None` when
/// the matrix is computationally singular as R's `solve` judges it: reciprocal 1-norm condition
/// number below machine epsilon.
pub(crate) fn inverse(r: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let inv = match r.clone().cholesky() {
        Some(ch) => ch.inverse(),
        None => r.clone().lu().try_inverse()?,
    };
    let rcond = 1.0 / (norm1(r) * norm1(&inv));
    (rcond.is_finite() && rcond >= f64::EPSILON).then_some(inv)
}

/// Kaiser–Meyer–Olkin overall and per-item measures of sampling adequacy.
///
/// # Formula
/// $$\mathrm{MSA} = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2},\qquad
/// \mathrm{MSA}\_j = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2},$$
/// $q_{ij} = (R^{-1})\_{ij} / \sqrt{(R^{-1})\_{ii}(R^{-1})\_{jj}}$ (the sums for $\mathrm{MSA}\_j$
/// run over $i$ only).
///
/// # Reference
/// Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika*, 35(4), 401–415.
/// Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. *Educational and Psychological
/// Measurement*, 34(1), 111–117.
///
/// # Peer
/// psych 2.2.9 `KMO(r)`: `MSA` and `MSAi`, to rounding (bfi 25 items: 1e-15).
///
/// # Deviations
/// - A covariance matrix is rescaled to correlations first (psych would treat a non-correlation
///   matrix as raw data).
/// - When $R$ cannot be inverted psych prints a message and uses $R$ itself in place of
///   $R^{-1}$; we do the same and add a [`WarningCode::Singular`] warning.
/// - Where psych returns `NaN` we return `None` with a warning that names the reason: a matrix
///   that is not positive definite (a pairwise correlation matrix can be) has an inverse with a
///   non-positive diagonal, so $q_{ij}$ takes the square root of a negative number; items
///   that correlate neither directly nor partially give $0/0$.
pub fn kmo(r: &DMatrix<f64>) -> Result<KmoResult, Error> {
    let r = as_correlation(r, "correlation matrix")?;
    let p = r.nrows();
    if p < 2 {
        return Err(Error::option(
            "--items",
            "the KMO measure needs at least two items",
        ));
    }
    let mut warnings = Vec::new();
    let q = match inverse(&r) {
        Some(q) => q,
        None => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                "KMO: the correlation matrix cannot be inverted; as psych, the correlation matrix \
                 itself was used in place of its inverse, so the KMO values are not meaningful",
            ));
            r.clone()
        }
    };
    let d: Vec<f64> = (0..p).map(|i| q[(i, i)]).collect();
    let mut col_r2 = vec![0.0; p];
    let mut col_q2 = vec![0.0; p];
    for j in 0..p {
        for i in (0..p).filter(|&i| i != j) {
            let qij = q[(i, j)] / (d[i] * d[j]).sqrt();
            col_r2[j] += r[(i, j)] * r[(i, j)];
            col_q2[j] += qij * qij;
        }
    }
    let sum_r2: f64 = col_r2.iter().sum();
    let sum_q2: f64 = col_q2.iter().sum();
    // psych scales by 1/sqrt(diag(R^-1)): NaN as soon as one entry is not positive, even where
    // two negative entries would multiply to a positive number
    let defined = d.iter().all(|&x| x > 0.0);
    let finite = |x: f64| (defined && x.is_finite()).then_some(x);
    let kmo_items: Vec<Option<f64>> = col_r2
        .iter()
        .zip(&col_q2)
        .map(|(a, b)| finite(a / (a + b)))
        .collect();
    let overall = finite(sum_r2 / (sum_r2 + sum_q2));
    if overall.is_none() || kmo_items.iter().any(Option::is_none) {
        let why = if !defined {
            "the correlation matrix is not positive definite (as a pairwise one can be), so its \
             inverse has a diagonal entry of zero or less and the anti-image correlations do not \
             exist"
        } else {
            "the items correlate neither directly nor partially (0/0)"
        };
        warnings.push(Warning::new(
            WarningCode::Singular,
            format!("KMO is null: {why}"),
        ));
    }
    Ok(KmoResult {
        kmo: overall,
        kmo_items,
        warnings,
    })
}

/// Bartlett's test of sphericity for a correlation matrix from `n` observations.
///
/// # Formula
/// $$\chi^2 = -\Bigl(n - 1 - \frac{2p + 5}{6}\Bigr)\ln\lvert R\rvert,\qquad df = \frac{p(p-1)}{2},
/// \qquad p\text{-value} = P(\chi^2_{df} > \chi^2).$$
///
/// # Reference
/// Bartlett, M. S. (1951). The effect of standardization on a χ² approximation in factor
/// analysis. *Biometrika*, 38(3/4), 337–344.
///
/// # Peer
/// psych 2.2.9 `cortest.bartlett(R, n)`: `chisq`, `df`, `p.value` (bfi 25 items: 3e-11 on a
/// statistic of 18146).
///
/// # Deviations
/// - $\ln\lvert R\rvert$ comes from a Cholesky factor (psych: `log(det(R))` by LU); the same to
///   rounding.
/// - A covariance matrix is rescaled to correlations (psych sets the diagonal to 1).
/// - With $\lvert R\rvert \le 0$ psych returns `NaN`; we return `None` and a warning.
pub fn bartlett(r: &DMatrix<f64>, n: usize) -> Result<BartlettResult, Error> {
    let r = as_correlation(r, "correlation matrix")?;
    let p = r.nrows();
    let df = p * (p - 1) / 2;
    let mut warnings = Vec::new();
    let mult = n as f64 - 1.0 - (2.0 * p as f64 + 5.0) / 6.0;
    let chi2 = match log_det(&r) {
        Some(ld) => Some(-ld * mult),
        None => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                "Bartlett's test: the correlation matrix has a determinant of zero or less, so the \
                 statistic does not exist",
            ));
            None
        }
    };
    let p_value = chi2.map(|c| if df > 0 { chi2_sf(c, df as f64) } else { 1.0 });
    Ok(BartlettResult {
        chi2,
        df,
        p: p_value,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn kmo_three_variables_by_hand() {
        // R^{-1} of an equicorrelation matrix: a on the diagonal, b off it.
        let rho: f64 = 0.4;
        let r = DMatrix::from_fn(3, 3, |i, j| if i == j { 1.0 } else { rho });
        let a = (1.0 + rho) / ((1.0 - rho) * (1.0 + 2.0 * rho));
        let b = -rho / ((1.0 - rho) * (1.0 + 2.0 * rho));
        let q = b / a;
        let want = (2.0 * rho * rho) / (2.0 * rho * rho + 2.0 * q * q);
        let k = kmo(&r).unwrap();
        assert!((k.kmo.unwrap() - want).abs() < 1e-14);
        for v in &k.kmo_items {
            assert!((v.unwrap() - want).abs() < 1e-14);
        }
        assert!(k.warnings.is_empty());
    }

    #[test]
    fn bartlett_identity_is_zero_and_singular_is_none() {
        let b = bartlett(&DMatrix::identity(4, 4), 100).unwrap();
        assert_eq!(b.chi2, Some(0.0));
        assert_eq!(b.df, 6);
        assert!((b.p.unwrap() - 1.0).abs() < 1e-12);
        let r = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        let b = bartlett(&r, 100).unwrap();
        assert!(b.chi2.is_none() && b.p.is_none());
        assert_eq!(b.warnings.len(), 1);
    }

    #[test]
    fn bartlett_two_variables_by_hand() {
        // |R| = 1 - r^2 for two variables.
        let r = DMatrix::from_row_slice(2, 2, &[1.0, 0.3, 0.3, 1.0]);
        let b = bartlett(&r, 50).unwrap();
        let want = -(50.0 - 1.0 - 9.0 / 6.0) * (1.0f64 - 0.09).ln();
        assert!((b.chi2.unwrap() - want).abs() < 1e-12);
        assert!((b.p.unwrap() - chi2_sf(want, 1.0)).abs() < 1e-15);
    }

    #[test]
    fn kmo_singular_matrix_is_a_warning() {
        let r = DMatrix::from_row_slice(3, 3, &[1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0]);
        let k = kmo(&r).unwrap();
        assert!(k.warnings.iter().any(|w| w.code == WarningCode::Singular));
    }

    #[test]
    fn kmo_of_a_matrix_that_is_not_positive_definite_is_null_with_a_warning() {
        // r12 = .9, r13 = -.9, r23 = .9: |R| = -2.888, the inverse's diagonal is negative
        let r = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0]);
        let k = kmo(&r).unwrap();
        assert_eq!(k.kmo, None);
        assert!(k.kmo_items.iter().all(Option::is_none));
        assert!(k.warnings.iter().any(|w| w
            .message
            .starts_with("KMO is null: the correlation matrix is not positive definite")));
    }
}
