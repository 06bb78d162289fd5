//! Maximum likelihood factor extraction, as `psych::fa(fm = "ml")` (and `stats::factanal`).
//!
//! # Formula
//! For a correlation matrix $R$ ($p \times p$), $m$ factors and uniquenesses
//! $\psi \in [0.005, 1]^p$, let $e_1 \ge \dots \ge e_p$ and $V$ be the eigen-pairs of
//! $\Psi^{-1/2} R\\, \Psi^{-1/2}$, $\Psi = \mathrm{diag}(\psi)$. The ML discrepancy concentrated over
//! the loadings is
//! $$F(\psi) = \sum_{k > m} \bigl(e_k - \ln e_k - 1\bigr),$$
//! minimised at $\hat\Lambda = \Psi^{1/2} V_m\\, \mathrm{diag}\bigl(\max(e_k - 1, 0)\bigr)^{1/2}\_{k \le m}$,
//! with gradient
//! $\partial F/\partial \psi_i = \bigl(\hat\Lambda\hat\Lambda^\top + \Psi - R\bigr)\_{ii} / \psi_i^2$.
//!
//! # Reference
//! Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
//! *Psychometrika*, 32(4), 443–482.
//! Lawley, D. N., & Maxwell, A. E. (1971). *Factor analysis as a statistical method* (2nd ed.).
//! Butterworths.
//!
//! # Peer
//! psych 2.2.9 `fa(r, nfactors, fm = "ml")` (internally `fac`: `FAfn`, `FAgr`, `FAout`, the same
//! functions as R's `factanal`).

use crate::error::{Error, Warning, WarningCode};
use crate::factor::minres::{projected_bfgs, Extraction};
use crate::factor::{column_sum_signs, smc};
use crate::numeric::eigen::{as_correlation, eigen_desc};
use nalgebra::{DMatrix, DVector};

/// Options for [`ml`]. `Default` gives psych 2.2.9's start and bounds with a much tighter
/// stopping rule (see [`ml`], # Deviations).
#[derive(Debug, Clone, PartialEq)]
pub struct MlOptions {
    /// Lower bound on each uniqueness (psych: `lower = 0.005`).
    pub lower: f64,
    /// Upper bound on each uniqueness (psych: `upper = max(smc, 1)`, i.e. 1 for a correlation matrix).
    pub upper: f64,
    /// Stop when the projected gradient's largest absolute element is below this.
    pub tol: f64,
    /// Maximum number of quasi-Newton iterations.
    pub max_iter: usize,
    /// Starting uniquenesses; `None` gives psych's start $1 - \mathrm{SMC}$.
    pub start: Option<DVector<f64>>,
}

impl Default for MlOptions {
    fn default() -> Self {
        MlOptions {
            lower: 0.005,
            upper: 1.0,
            tol: 1e-10,
            max_iter: 500,
            start: None,
        }
    }
}

impl MlOptions {
    /// Checks the options for a $p$-item matrix; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self, p: usize) -> Result<(), Error> {
        if !(self.lower.is_finite() && self.lower > 0.0 && self.lower < 1.0) {
            return Err(Error::option(
                "--ml-lower",
                format!(
                    "expected a lower bound in (0, 1) (ML divides by the uniquenesses), found {}",
                    self.lower
                ),
            ));
        }
        if !(self.upper.is_finite() && self.upper > self.lower) {
            return Err(Error::option(
                "--ml-upper",
                format!(
                    "expected an upper bound above the lower bound {}, found {}",
                    self.lower, self.upper
                ),
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::option(
                "--ml-tol",
                format!("expected a positive tolerance, found {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::option(
                "--ml-max-iter",
                "expected at least one iteration",
            ));
        }
        if let Some(s) = &self.start {
            if s.len() != p || s.iter().any(|x| !x.is_finite()) {
                return Err(Error::option(
                    "--ml-start",
                    format!(
                        "expected {p} finite starting uniquenesses, found {}",
                        s.len()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Loadings $\Psi^{1/2} V_m \mathrm{diag}(\max(e_k - 1, 0))^{1/2}$ from the eigen-pairs of
/// $\Psi^{-1/2} R \Psi^{-1/2}$ (psych's `FAout`), and those eigenvalues.
fn loadings_at(
    r: &DMatrix<f64>,
    psi: &DVector<f64>,
    nf: usize,
) -> Result<(DMatrix<f64>, DVector<f64>), Error> {
    let p = r.nrows();
    let sc: Vec<f64> = psi.iter().map(|v| 1.0 / v.sqrt()).collect();
    let s = DMatrix::from_fn(p, p, |i, j| r[(i, j)] * sc[i] * sc[j]);
    let (vals, vecs) = eigen_desc(&s)?;
    let l = DMatrix::from_fn(p, nf, |i, k| {
        psi[i].sqrt() * vecs[(i, k)] * (vals[k] - 1.0).max(0.0).sqrt()
    });
    Ok((l, vals))
}

/// Value and gradient of the concentrated ML discrepancy $F(\psi)$ (module docs); $+\infty$
/// when a trailing eigenvalue is not positive.
fn criterion(
    r: &DMatrix<f64>,
    psi: &DVector<f64>,
    nf: usize,
) -> Result<(f64, DVector<f64>), Error> {
    let (l, vals) = loadings_at(r, psi, nf)?;
    let f: f64 = vals
        .iter()
        .skip(nf)
        .map(|&e| {
            if e > 0.0 {
                e - e.ln() - 1.0
            } else {
                f64::INFINITY
            }
        })
        .sum();
    let g = DVector::from_fn(r.nrows(), |i, _| {
        (l.row(i).norm_squared() + psi[i] - r[(i, i)]) / (psi[i] * psi[i])
    });
    Ok((f, g))
}

/// Maximum likelihood factor extraction, unrotated.
///
/// # Formula
/// $$\hat\psi = \arg\min_{0.005 \le \psi_i \le 1} \sum_{k > m} (e_k - \ln e_k - 1),\qquad
/// \hat\Lambda = \hat\Psi^{1/2} V_m\\, \mathrm{diag}(\max(e_k - 1, 0))^{1/2},$$
/// with $(e_k, V)$ the eigen-pairs of $\hat\Psi^{-1/2} R \hat\Psi^{-1/2}$ (module docs), start
/// $\psi^{(0)} = 1 - \mathrm{SMC}$. Columns of $\hat\Lambda$ are reflected so that each sums to a
/// non-negative number; $h^2_i = \sum_k \hat\lambda_{ik}^2$, $u^2_i = 1 - h^2_i$.
///
/// In the returned [`Extraction`], `objective` is $F(\hat\psi)$ (psych's `res$value`, the
/// `objective` of `factanal`) and `gradient_norm` the projected gradient of $F$.
///
/// # Reference
/// Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
/// *Psychometrika*, 32(4), 443–482.
///
/// # Peer
/// psych 2.2.9 `fa(r, nfactors, fm = "ml", rotate = "none")`: loadings, `communality`,
/// `uniquenesses`, `e.values`; the same criterion, gradient, start and bounds.
///
/// # Deviations
/// - psych (like `factanal`) minimises with `optim(method = "L-BFGS-B")` at its default
///   stopping rule (`factr = 1e7`), which stops short of the optimum (bfi 25 items, 5 factors:
///   loadings off by a few 1e-6). We use the projected BFGS method of
///   [`minres`](crate::factor::minres::minres) until the projected gradient is below `tol`
///   (1e-10), i.e. the optimum psych is aiming at.
/// - A trailing eigenvalue $\le 0$ (a correlation matrix that is not positive definite) makes
///   $F = +\infty$ (psych: `NaN`); such trial points are rejected by the line search.
/// - psych warns only when a communality exceeds 1; we also warn (Heywood) when a uniqueness
///   sits on its lower bound.
pub fn ml(r: &DMatrix<f64>, nfactors: usize, opts: &MlOptions) -> Result<Extraction, Error> {
    let r = as_correlation(r, "correlation matrix")?;
    let p = r.nrows();
    if nfactors == 0 || nfactors >= p {
        return Err(Error::option(
            "--factors",
            format!(
                "expected between 1 and {} factors for {p} items, found {nfactors}",
                p.saturating_sub(1)
            ),
        ));
    }
    opts.validate(p)?;
    let mut warnings = Vec::new();
    let start = match &opts.start {
        Some(s) => s.map(|v| v.clamp(opts.lower, opts.upper)),
        None => smc(&r, &mut warnings)?.map(|s| (1.0 - s).clamp(opts.lower, opts.upper)),
    };
    let (f0, _) = criterion(&r, &start, nfactors)?;
    if !f0.is_finite() {
        return Err(Error::NotPositiveDefinite {
            what: "correlation matrix (maximum likelihood needs it)".into(),
            index: "its smallest eigenvalue is not positive".into(),
        });
    }
    let out = projected_bfgs(
        |psi| criterion(&r, psi, nfactors),
        &start,
        opts.lower,
        opts.upper,
        opts.tol,
        opts.max_iter,
    )?;
    let (objective, _) = criterion(&r, &out.x, nfactors)?;
    let (mut loadings, _) = loadings_at(&r, &out.x, nfactors)?;
    for (j, s) in column_sum_signs(&loadings).into_iter().enumerate() {
        if s < 0.0 {
            loadings.column_mut(j).neg_mut();
        }
    }
    let communalities = DVector::from_fn(p, |i, _| loadings.row(i).norm_squared());
    let uniquenesses = communalities.map(|h| 1.0 - h);
    if !out.converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "maximum likelihood did not converge in {} iterations (projected gradient {:.3e}, \
                 tolerance {:.1e})",
                out.iterations, out.gradient_norm, opts.tol
            ),
        ));
    }
    warnings.extend(super::heywood_warnings(&communalities, &out.x, opts.lower));
    let (eigenvalues, _) = eigen_desc(&r)?;
    Ok(Extraction {
        loadings,
        communalities,
        uniquenesses,
        psi: out.x,
        eigenvalues,
        objective,
        gradient_norm: out.gradient_norm,
        converged: out.converged,
        iterations: out.iterations,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn two_factor_population() -> (DMatrix<f64>, DVector<f64>) {
        let l = DMatrix::from_row_slice(
            6,
            2,
            &[0.8, 0.0, 0.7, 0.1, 0.6, 0.0, 0.0, 0.7, 0.1, 0.6, 0.0, 0.5],
        );
        let phi = DMatrix::from_row_slice(2, 2, &[1.0, 0.3, 0.3, 1.0]);
        let mut r = &l * &phi * l.transpose();
        let h2 = r.diagonal();
        r.fill_diagonal(1.0);
        (r, h2)
    }

    #[test]
    fn ml_gradient_matches_finite_differences() {
        let (r, _) = two_factor_population();
        let mut noisy = r.clone();
        noisy[(0, 3)] += 0.05;
        noisy[(3, 0)] += 0.05;
        let psi = DVector::from_row_slice(&[0.4, 0.5, 0.6, 0.55, 0.6, 0.7]);
        let (_, g) = criterion(&noisy, &psi, 1).unwrap();
        let h = 1e-6;
        for i in 0..6 {
            let mut a = psi.clone();
            a[i] += h;
            let mut b = psi.clone();
            b[i] -= h;
            let fd = (criterion(&noisy, &a, 1).unwrap().0 - criterion(&noisy, &b, 1).unwrap().0)
                / (2.0 * h);
            assert!((fd - g[i]).abs() < 1e-7, "{i}: {fd} vs {}", g[i]);
        }
    }

    #[test]
    fn ml_population_recovers_communalities() {
        let (r, h2) = two_factor_population();
        let e = ml(&r, 2, &MlOptions::default()).unwrap();
        assert!(e.converged, "{:?}", e.warnings);
        for i in 0..6 {
            assert!((e.communalities[i] - h2[i]).abs() < 1e-8);
        }
        assert!(e.objective.abs() < 1e-14);
    }

    #[test]
    fn ml_rejects_bad_options() {
        let (r, _) = two_factor_population();
        let bad = MlOptions {
            lower: 0.0,
            ..MlOptions::default()
        };
        assert!(matches!(ml(&r, 1, &bad), Err(Error::InvalidOption { .. })));
        assert!(ml(&r, 6, &MlOptions::default()).is_err());
    }
}
