//! Iterated principal axis factoring, as `psych::fa(fm = "pa")`.
//!
//! # Formula
//! Start from communalities $h^{(0)}$ (squared multiple correlations). At step $t$ take the
//! eigen-pairs $(\lambda_k, v_k)$ of $R$ with $h^{(t)}$ on its diagonal, set
//! $\Lambda^{(t)} = [v_1 \dots v_m]\\,\mathrm{diag}(\lambda_1 \dots \lambda_m)^{1/2}$ and
//! $h^{(t+1)}\_i = \sum_k (\lambda^{(t)}\_{ik})^2$. Stop when
//! $\bigl\lvert \sum_i h^{(t+1)}\_i - \sum_i h^{(t)}\_i \bigr\rvert \le \varepsilon$ ($\varepsilon = 0.001$)
//! or after 50 eigendecompositions; the result is the last $\Lambda^{(t)}$.
//!
//! # Reference
//! Harman, H. H. (1976). *Modern factor analysis* (3rd ed.). University of Chicago Press.
//! (principal factor solution with iterated communalities, ch. 8)
//!
//! # Peer
//! psych 2.2.9 `fa(r, nfactors, fm = "pa", min.err = 0.001, max.iter = 50)` (internally `fac`).

use crate::error::{Error, Warning, WarningCode};
use crate::factor::minres::Extraction;
use crate::factor::{column_sum_signs, smc};
use crate::numeric::eigen::{as_correlation, eigen_desc};
use nalgebra::{DMatrix, DVector};

/// Options for [`pa`]. `Default` is psych 2.2.9's `fa(fm = "pa")`: `min.err = 0.001`,
/// `max.iter = 50`, SMC start.
#[derive(Debug, Clone, PartialEq)]
pub struct PaOptions {
    /// Stop when the total communality changes by no more than this (psych `min.err = 0.001`).
    pub min_err: f64,
    /// Maximum number of eigendecompositions (psych `max.iter = 50`).
    pub max_iter: usize,
    /// Starting communalities; `None` gives psych's squared multiple correlations (`SMC = TRUE`).
    pub start: Option<DVector<f64>>,
}

impl Default for PaOptions {
    fn default() -> Self {
        PaOptions {
            min_err: 0.001,
            max_iter: 50,
            start: None,
        }
    }
}

impl PaOptions {
    /// Checks the options for a $p$-item matrix; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self, p: usize) -> Result<(), Error> {
        if !(self.min_err.is_finite() && self.min_err >= 0.0) {
            return Err(Error::option(
                "--pa-min-err",
                format!("expected a non-negative tolerance, found {}", self.min_err),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::option(
                "--pa-max-iter",
                "expected at least one iteration",
            ));
        }
        if let Some(s) = &self.start {
            if s.len() != p || s.iter().any(|x| !x.is_finite()) {
                return Err(Error::option(
                    "--pa-start",
                    format!(
                        "expected {p} finite starting communalities, found {}",
                        s.len()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Sum of squared off-diagonal residuals $\sum_{i<j}(r_{ij} - (\Lambda\Lambda^\top)\_{ij})^2$.
pub(crate) fn off_diagonal_residual(r: &DMatrix<f64>, loadings: &DMatrix<f64>) -> f64 {
    let model = loadings * loadings.transpose();
    let p = r.nrows();
    let mut s = 0.0;
    for j in 0..p {
        for i in (j + 1)..p {
            let e = r[(i, j)] - model[(i, j)];
            s += e * e;
        }
    }
    s
}

/// Iterated principal axis factor extraction, unrotated.
///
/// # Formula
/// Iterate $\Lambda^{(t)} = V_m^{(t)} (D_m^{(t)})^{1/2}$, the $m$ leading eigen-pairs of
/// $R - \mathrm{diag}(R) + \mathrm{diag}(h^{(t)})$, and $h^{(t+1)} = \mathrm{diag}(\Lambda^{(t)}\Lambda^{(t)\top})$
/// from $h^{(0)} = \mathrm{SMC}$, $\mathrm{SMC}\_i = 1 - 1/(R^{-1})\_{ii}$, until
/// $\lvert \mathbf 1^\top h^{(t+1)} - \mathbf 1^\top h^{(t)} \rvert \le 0.001$ or 50 steps (module docs).
/// Columns of the last $\Lambda$ are reflected so that each sums to a non-negative number; then
/// $h^2_i = \sum_k \lambda_{ik}^2$ and $u^2_i = 1 - h^2_i$.
///
/// In the returned [`Extraction`], `psi` is $1 - h^2$, `objective` the off-diagonal residual
/// sum of squares $\sum_{i<j}(r_{ij} - \hat r_{ij})^2$, `gradient_norm` the last change in the
/// total communality, `iterations` the number of eigendecompositions and `converged` whether
/// that change fell to `min_err` before `max_iter`.
///
/// # Reference
/// Harman, H. H. (1976). *Modern factor analysis* (3rd ed.). University of Chicago Press.
///
/// # Peer
/// psych 2.2.9 `fa(r, nfactors, fm = "pa", rotate = "none")`: the same start, update and
/// stopping rule (`while (err > min.err)`, at most `max.iter` passes), so loadings and
/// communalities agree to rounding (bfi 25 items, 5 factors: 7 passes, as psych).
///
/// # Deviations
/// - psych takes the square root of a negative leading eigenvalue (giving `NaN` and stopping
///   with a warning); we use 0 for it and add a [`WarningCode::Heywood`] warning.
/// - psych never enters its loop when the starting total communality is already
///   $\le \varepsilon$ (and then fails); we always make at least one pass.
/// - psych's message on reaching `max.iter` is a [`WarningCode::NotConverged`] warning here.
pub fn pa(r: &DMatrix<f64>, nfactors: usize, opts: &PaOptions) -> Result<Extraction, Error> {
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
    let h0 = match &opts.start {
        Some(s) => s.clone(),
        None => smc(&r, &mut warnings)?,
    };
    let mut rmat = r.clone();
    rmat.set_diagonal(&h0);
    let mut comm: f64 = h0.sum();
    let mut iterations = 0;
    let mut negative = false;
    let (mut loadings, err) = loop {
        let (vals, vecs) = eigen_desc(&rmat)?;
        if vals.iter().take(nfactors).any(|&v| v < 0.0) {
            negative = true;
        }
        let l = DMatrix::from_fn(p, nfactors, |i, k| vecs[(i, k)] * vals[k].max(0.0).sqrt());
        let new = DVector::from_fn(p, |i, _| l.row(i).norm_squared());
        let comm1 = new.sum();
        rmat.set_diagonal(&new);
        let err = (comm - comm1).abs();
        comm = comm1;
        iterations += 1;
        if err <= opts.min_err || iterations >= opts.max_iter || !err.is_finite() {
            break (l, err);
        }
    };
    let converged = err <= opts.min_err;
    if !converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "principal axis: the total communality still changed by {err:.2e} after {iterations} \
                 iterations (tolerance {:.1e})",
                opts.min_err
            ),
        ));
    }
    if negative {
        warnings.push(Warning::new(
            WarningCode::Heywood,
            "principal axis: a leading eigenvalue of the reduced correlation matrix was negative \
             and was set to 0 (psych stops with NaN loadings here)",
        ));
    }
    for (j, s) in column_sum_signs(&loadings).into_iter().enumerate() {
        if s < 0.0 {
            loadings.column_mut(j).neg_mut();
        }
    }
    let communalities = DVector::from_fn(p, |i, _| loadings.row(i).norm_squared());
    let uniquenesses = communalities.map(|h| 1.0 - h);
    for i in 0..p {
        if communalities[i] >= 1.0 {
            warnings.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "item {}: communality {:.4} is 1 or more (ultra-Heywood case)",
                    i + 1,
                    communalities[i]
                ),
            ));
        }
    }
    let objective = off_diagonal_residual(&r, &loadings);
    let (eigenvalues, _) = eigen_desc(&r)?;
    Ok(Extraction {
        psi: uniquenesses.clone(),
        loadings,
        communalities,
        uniquenesses,
        eigenvalues,
        objective,
        gradient_norm: err,
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
    fn pa_population_one_factor_converges_to_truth() {
        let lam = [0.8, 0.7, 0.6, 0.5, 0.75];
        let r = DMatrix::from_fn(5, 5, |i, j| if i == j { 1.0 } else { lam[i] * lam[j] });
        let tight = PaOptions {
            min_err: 1e-14,
            max_iter: 10_000,
            ..PaOptions::default()
        };
        let e = pa(&r, 1, &tight).unwrap();
        assert!(e.converged);
        for (i, &l) in lam.iter().enumerate() {
            assert!(
                (e.loadings[(i, 0)] - l).abs() < 1e-6,
                "{}",
                e.loadings[(i, 0)]
            );
        }
    }

    #[test]
    fn pa_stops_by_psych_rule() {
        let lam = [0.8, 0.7, 0.6, 0.5, 0.75];
        let r = DMatrix::from_fn(5, 5, |i, j| if i == j { 1.0 } else { lam[i] * lam[j] });
        let e = pa(&r, 1, &PaOptions::default()).unwrap();
        assert!(e.converged && e.gradient_norm <= 0.001);
        assert!(e.iterations >= 2);
        // one more pass would change the total communality by less than the last change
        let capped = pa(
            &r,
            1,
            &PaOptions {
                max_iter: 1,
                ..PaOptions::default()
            },
        )
        .unwrap();
        assert_eq!(capped.iterations, 1);
        assert!(!capped.converged);
        assert!(capped
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::NotConverged));
    }

    #[test]
    fn pa_rejects_bad_options() {
        let r = DMatrix::<f64>::identity(4, 4);
        assert!(pa(&r, 4, &PaOptions::default()).is_err());
        let bad = PaOptions {
            max_iter: 0,
            ..PaOptions::default()
        };
        assert!(matches!(pa(&r, 1, &bad), Err(Error::InvalidOption { .. })));
    }
}
