//! Goodness of fit of an exploratory factor model, as `psych::fa.stats` (called by `psych::fa`).
//!
//! # Formula
//! With $p$ items, $k$ factors, $n$ observations, the model $\hat R = L\Phi L^\top$ with unit
//! diagonal and the analysed $R$:
//! $$F = \mathrm{tr}(\hat R^{-1} R) - \ln\lvert \hat R^{-1} R\rvert - p,\qquad
//! \chi^2 = F\Bigl(n - 1 - \frac{2p + 5}{6} - \frac{2k}{3}\Bigr),\qquad
//! df = \frac{p(p-1)}{2} - pk + \frac{k(k-1)}{2},$$
//! $$\mathrm{RMSEA} = \sqrt{\max\Bigl(\frac{\chi^2}{df\\, n} - \frac{1}{n-1}, 0\Bigr)},\qquad
//! \mathrm{TLI} = \frac{M_0 - M_m}{M_0 - 1/\nu},\qquad \mathrm{BIC} = \chi^2 - df \ln n,$$
//! where $F_0 = \mathrm{tr} R - \ln\lvert R\rvert - p$, $M_0 = 2F_0/(p(p-1))$, $M_m = F/df$ and
//! $\nu = n - 1 - (2p+5)/6 - 2k/3$.
//!
//! # Reference
//! Bartlett, M. S. (1950). Tests of significance in factor analysis. *British Journal of
//! Psychology, Statistical Section*, 3(2), 77–85. (the multiplier)
//! Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
//! analysis. *Psychometrika*, 38(1), 1–10.
//! Steiger, J. H., & Lind, J. C. (1980). *Statistically based tests for the number of common
//! factors*. Paper presented at the annual meeting of the Psychometric Society, Iowa City.
//!
//! # Peer
//! psych 2.2.9 `fa.stats` (`factor.stats`): `STATISTIC`, `dof`, `PVAL`, `RMSEA[1]`, `TLI`, `BIC`,
//! `SABIC`, `objective`, `null.chisq`, `null.dof`, `chi`, `rms`, `crms`.

use crate::correlation::kmo::log_det;
use crate::dist::chi2_sf;
use crate::error::{Error, Warning, WarningCode};
use crate::numeric::eigen::eigen_desc;
use nalgebra::DMatrix;
use serde::Serialize;

/// Fit statistics of a factor solution (psych `fa`'s `STATISTIC`, `dof`, `RMSEA`, `TLI`, `BIC`, ...).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FitStatistics {
    /// Likelihood chi-square $\chi^2 = F \nu$ (psych `STATISTIC`), set to 0 when negative;
    /// `None` when $F$ does not exist.
    pub chi2: Option<f64>,
    /// Degrees of freedom $p(p-1)/2 - pk + k(k-1)/2$ (psych `dof`; negative when the model has
    /// more parameters than correlations).
    pub df: i64,
    /// Upper-tail p-value of `chi2` (psych `PVAL`); `None` unless `df > 0`.
    pub p: Option<f64>,
    /// RMSEA point estimate (psych `RMSEA[1]`); `None` unless `df > 0`.
    pub rmsea: Option<f64>,
    /// Tucker–Lewis index (psych `TLI`); `None` unless `df > 0`.
    pub tli: Option<f64>,
    /// $\chi^2 - df \ln n$ (psych `BIC`); `None` unless `df > 0`.
    pub bic: Option<f64>,
    /// Sample-size adjusted BIC $\chi^2 - df \ln((n+2)/24)$ (psych `SABIC`); `None` unless `df > 0`.
    pub sabic: Option<f64>,
    /// The discrepancy $F$ (psych `objective`).
    pub objective: Option<f64>,
    /// Chi-square of the independence model $F_0 (n - 1 - (2p+5)/6)$ (psych `null.chisq`).
    pub null_chi2: Option<f64>,
    /// Degrees of freedom of the independence model $p(p-1)/2$ (psych `null.dof`).
    pub null_df: usize,
    /// Empirical chi-square $n \sum_{i \ne j} (r_{ij} - \hat r_{ij})^2$ (psych `chi`).
    pub empirical_chi2: f64,
    /// Root mean square off-diagonal residual $\sqrt{\sum_{i\ne j} e_{ij}^2 / (p(p-1))}$ (psych `rms`).
    pub rms: f64,
    /// The same corrected for degrees of freedom, $\sqrt{\sum_{i\ne j} e_{ij}^2 / (2\\,df)}$ (psych `crms`).
    pub crms: Option<f64>,
    /// Smoothing and singular matrices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Degrees of freedom of a $k$-factor model for $p$ items, $p(p-1)/2 - pk + k(k-1)/2$ (psych `dof`).
pub fn degrees_of_freedom(p: usize, k: usize) -> i64 {
    let half = |m: usize| (m * m.saturating_sub(1) / 2) as i64;
    half(p) - (p * k) as i64 + half(k)
}

/// psych's `cor.smooth`: when the smallest eigenvalue is below machine epsilon, eigenvalues
/// below $10^{-12}$ become $10^{-10}$, all are rescaled to sum to $p$, and the rebuilt matrix is
/// rescaled to unit diagonal. Returns the matrix and whether it was smoothed.
pub(crate) fn cor_smooth(m: &DMatrix<f64>) -> Result<(DMatrix<f64>, bool), Error> {
    let (vals, vecs) = eigen_desc(m)?;
    if vals.min() >= f64::EPSILON {
        return Ok((m.clone(), false));
    }
    let p = m.nrows() as f64;
    let mut v = vals.map(|x| if x < 1e-12 { 1e-10 } else { x });
    let tot = v.sum();
    v *= p / tot;
    let s = &vecs * DMatrix::from_diagonal(&v) * vecs.transpose();
    let d: Vec<f64> = (0..m.nrows()).map(|i| s[(i, i)].sqrt()).collect();
    let out = DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| {
        if i == j {
            1.0
        } else {
            s[(i, j)] / (d[i] * d[j])
        }
    });
    Ok((out, true))
}

/// Fit statistics of a factor solution with pattern `loadings` and factor correlations `phi`
/// (`None`: orthogonal) for the correlation matrix `r` of `n_obs` observations.
///
/// # Formula
/// $$F = \mathrm{tr}(\hat R^{-1} R) - \ln\lvert \hat R^{-1} R\rvert - p,\qquad
/// \chi^2 = \max\Bigl(0,\ F\bigl(n - 1 - \tfrac{2p + 5}{6} - \tfrac{2k}{3}\bigr)\Bigr),$$
/// $\hat R = L\Phi L^\top$ with its diagonal replaced by $\mathrm{diag}(R)$; RMSEA, TLI, BIC as in
/// the [module documentation](self). Both $\hat R$ and $R$ are first passed through psych's
/// `cor.smooth` (a no-op for positive definite matrices).
///
/// # Reference
/// Bartlett, M. S. (1950). Tests of significance in factor analysis. *British Journal of
/// Psychology, Statistical Section*, 3(2), 77–85.
/// Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
/// analysis. *Psychometrika*, 38(1), 1–10.
///
/// # Peer
/// psych 2.2.9 `fa.stats(r, f, phi, n.obs)` as `fa` calls it: `STATISTIC`, `dof`, `PVAL`,
/// `RMSEA[1]`, `TLI`, `BIC`, `SABIC`, `objective`, `null.chisq`, `null.dof`, `chi`, `rms`, `crms`.
///
/// # Deviations
/// - $\ln\lvert\hat R^{-1} R\rvert$ is computed as $\ln\lvert R\rvert - \ln\lvert\hat R\rvert$
///   from Cholesky factors (psych: `log(det(solve(model, r)))`); equal to rounding.
/// - Where psych replaces an infinite $F$ (or $F_0$) by a sum of squared residuals (or
///   correlations) and prints a message, or uses the identity for a singular $\hat R$, we return
///   `None` for the statistics built on it, with a warning.
/// - psych computes TLI even when $df \le 0$ (dividing by $df$); we return `None` there, as
///   psych does for RMSEA and BIC.
/// - `empirical_chi2` and `rms` weight every residual by `n_obs` (psych, given raw data with
///   missing values, weights each by its pairwise count).
/// - psych also returns a confidence interval for the RMSEA (root-finding on the noncentral
///   chi-square); it is not computed here.
pub fn fit_statistics(
    r: &DMatrix<f64>,
    loadings: &DMatrix<f64>,
    phi: Option<&DMatrix<f64>>,
    n_obs: usize,
) -> Result<FitStatistics, Error> {
    let (p, k) = loadings.shape();
    if p < 2 || k == 0 {
        return Err(Error::option(
            "loadings",
            format!("expected at least 2 items and 1 factor, found {p} x {k} loadings"),
        ));
    }
    if r.shape() != (p, p) {
        return Err(Error::option(
            "loadings",
            format!(
                "expected loadings with one row per item ({}), found {p}",
                r.nrows()
            ),
        ));
    }
    if let Some(phi) = phi {
        if phi.shape() != (k, k) {
            return Err(Error::option(
                "phi",
                format!("expected a {k} x {k} factor correlation matrix"),
            ));
        }
    }
    let mut warnings = Vec::new();
    let n = n_obs as f64;
    let pf = p as f64;
    let kf = k as f64;
    let df = degrees_of_freedom(p, k);
    let null_df = p * (p - 1) / 2;
    let mut model = match phi {
        Some(phi) => loadings * phi * loadings.transpose(),
        None => loadings * loadings.transpose(),
    };
    // empirical statistics from the off-diagonal residuals (both triangles, as psych)
    let mut rstar_off = 0.0;
    for j in 0..p {
        for i in 0..p {
            if i != j {
                let e = r[(i, j)] - model[(i, j)];
                rstar_off += e * e;
            }
        }
    }
    let empirical_chi2 = rstar_off * n;
    let rms = (rstar_off / (pf * (pf - 1.0))).sqrt();
    let crms = (df > 0).then(|| (rstar_off / (2.0 * df as f64)).sqrt());
    model.set_diagonal(&r.diagonal());
    let (model, smoothed_model) = cor_smooth(&model)?;
    let (rs, smoothed_r) = cor_smooth(r)?;
    if smoothed_model {
        warnings.push(Warning::new(
            WarningCode::Smoothed,
            "fit: the model-implied correlation matrix was not positive definite and was smoothed \
             (psych cor.smooth)",
        ));
    }
    if smoothed_r {
        warnings.push(Warning::new(
            WarningCode::Smoothed,
            "fit: the correlation matrix was not positive definite and was smoothed for the fit \
             statistics (psych cor.smooth)",
        ));
    }
    let ld_r = log_det(&rs);
    let objective = match (ld_r, log_det(&model), model.clone().lu().solve(&rs)) {
        (Some(ldr), Some(ldm), Some(mir)) => {
            let f = mir.trace() - (ldr - ldm) - pf;
            f.is_finite().then_some(f)
        }
        _ => None,
    };
    if objective.is_none() {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "fit: the model-implied or the observed correlation matrix is singular, so the \
             likelihood chi-square and the indices built on it do not exist",
        ));
    }
    let nu = n - 1.0 - (2.0 * pf + 5.0) / 6.0 - 2.0 * kf / 3.0;
    let chi2 = objective.map(|f| (f * nu).max(0.0));
    let f0 = ld_r.map(|ld| rs.trace() - ld - pf);
    let null_chi2 = f0.map(|f0| f0 * (n - 1.0 - (2.0 * pf + 5.0) / 6.0));
    let positive = df > 0;
    let dff = df as f64;
    let p_value = chi2.filter(|_| positive).map(|c| chi2_sf(c, dff));
    let rmsea = chi2
        .filter(|_| positive)
        .map(|c| (c / (dff * n) - 1.0 / (n - 1.0)).max(0.0).sqrt());
    let tli = match (objective, f0) {
        (Some(fm), Some(f0)) if positive => {
            let mm = fm / dff;
            let m0 = f0 * 2.0 / (pf * (pf - 1.0));
            Some((m0 - mm) / (m0 - 1.0 / nu))
        }
        _ => None,
    };
    let bic = chi2.filter(|_| positive).map(|c| c - dff * n.ln());
    let sabic = chi2
        .filter(|_| positive)
        .map(|c| c - dff * ((n + 2.0) / 24.0).ln());
    Ok(FitStatistics {
        chi2,
        df,
        p: p_value,
        rmsea,
        tli,
        bic,
        sabic,
        objective,
        null_chi2,
        null_df,
        empirical_chi2,
        rms,
        crms,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn perfect_fit_has_zero_chi_square() {
        let l = DMatrix::from_row_slice(5, 1, &[0.8, 0.7, 0.6, 0.5, 0.75]);
        let mut r = &l * l.transpose();
        r.fill_diagonal(1.0);
        let f = fit_statistics(&r, &l, None, 200).unwrap();
        assert_eq!(f.df, 5);
        assert!(f.objective.unwrap().abs() < 1e-12);
        assert!(f.chi2.unwrap().abs() < 1e-9);
        assert_eq!(f.rmsea, Some(0.0));
        assert!(f.empirical_chi2 < 1e-20);
        assert!(f.warnings.is_empty());
        // identity model: F equals the null discrepancy
        let zero = DMatrix::zeros(5, 1);
        let g = fit_statistics(&r, &zero, None, 200).unwrap();
        let f0 = -log_det(&r).unwrap();
        assert!((g.objective.unwrap() - f0).abs() < 1e-12);
        assert!((g.null_chi2.unwrap() - f0 * (199.0 - 15.0 / 6.0)).abs() < 1e-9);
    }

    #[test]
    fn non_positive_df_gives_no_indices() {
        let l = DMatrix::from_row_slice(3, 1, &[0.8, 0.7, 0.6]);
        let mut r = &l * l.transpose();
        r.fill_diagonal(1.0);
        let f = fit_statistics(&r, &l, None, 100).unwrap();
        assert_eq!(f.df, 0);
        assert_eq!(degrees_of_freedom(25, 5), 185);
        assert_eq!(degrees_of_freedom(6, 4), -3);
        assert!(fit_statistics(&r, &DMatrix::zeros(3, 0), None, 100).is_err());
        assert!(f.rmsea.is_none() && f.tli.is_none() && f.bic.is_none() && f.p.is_none());
        assert!(f.chi2.is_some());
    }

    #[test]
    fn cor_smooth_makes_positive_definite() {
        let m = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
        let (s, done) = cor_smooth(&m).unwrap();
        assert!(done);
        assert!(s.clone().cholesky().is_some());
        for i in 0..3 {
            assert!((s[(i, i)] - 1.0).abs() < 1e-15);
        }
        let (same, done) = cor_smooth(&DMatrix::identity(3, 3)).unwrap();
        assert!(!done && same == DMatrix::identity(3, 3));
    }
}
