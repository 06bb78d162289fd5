//! Omega of ordered-category items from a one-factor ordinal CFA: the reliability of the sum of
//! the observed item codes (Green & Yang's categorical omega), and omega on the scale of the
//! latent responses.
//!
//! Both are pure functions of the CFA's estimates ([`OrdinalFactor`]) and of the correlation
//! matrix of the latent responses that serves as the denominator: the sample polychoric
//! correlations of the fitted rows, as semTools uses by default (`obs.var = TRUE`), or the
//! model-implied ones (`obs.var = FALSE`). They do not fit anything; the caller fits the model
//! (`analysis::reliability` fits a one-factor WLSMV model per scale).
//!
//! # Formula
//! Item $i$ ($i = 1..k$) with codes $0..C_i$ is a cut-up latent response:
//! $x_i = \sum_{c=1}^{C_i} \mathbf 1[y^\*\_i > \tau_{ic}]$, $y^\*_i$ standard normal (delta
//! scale). The covariance of two items' codes is then
//! $$\operatorname{cov}(x_i, x_j) = \sum_{c=1}^{C_i}\sum_{c'=1}^{C_j}
//!   \bigl[\Phi_2(\tau_{ic}, \tau_{jc'}; \rho_{ij}) - \Phi(\tau_{ic})\Phi(\tau_{jc'})\bigr],$$
//! ($P(y^\*\_i > a, y^\*\_j > b) = \Phi_2(-a, -b; \rho) = \Phi_2(a, b; \rho) + 1 - \Phi(a) - \Phi(b)$
//! by symmetry), with $\rho_{ii} = 1$. Putting the true-score correlations
//! $\rho^T_{ij} = \lambda_i\lambda_j\psi$ (for $i = j$ too) in the numerator and the latent
//! responses' correlations $r_{ij}$ in the denominator,
//! $$\omega_{cat} = \frac{\sum_{i,j}\sum_{c,c'}\bigl[\Phi_2(\tau_{ic}, \tau_{jc'}; \lambda_i\lambda_j\psi)
//!     - \Phi(\tau_{ic})\Phi(\tau_{jc'})\bigr]}
//!   {\sum_{i,j}\sum_{c,c'}\bigl[\Phi_2(\tau_{ic}, \tau_{jc'}; r_{ij}) - \Phi(\tau_{ic})\Phi(\tau_{jc'})\bigr]}.$$
//! Under the theta parameterization the estimates are first put on the delta scale with
//! lavaan's scaling factors $s_i = 1/\sqrt{\operatorname{var}(y^\*\_i)}$:
//! $\lambda_i \to s_i\lambda_i$, $\tau_{ic} \to s_i\tau_{ic}$ (under delta, $s_i = 1$).
//!
//! The latent-response omega is the reliability of the unweighted sum of the $y^\*_i$ on the
//! scale the model was fitted in,
//! $$\omega_{y^\*} = \frac{\psi\\,(\sum_i \lambda_i)^2}{\sum_{i,j} r_{ij}/(s_i s_j)}.$$
//!
//! # Reference
//! - Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural
//!   equation modeling: An alternative to coefficient alpha. *Psychometrika, 74*(1), 155–167.
//! - Flora, D. B. (2020). Your coefficient alpha is probably wrong, but which coefficient omega
//!   is right? A tutorial on using R to obtain better reliability estimates. *Advances in
//!   Methods and Practices in Psychological Science, 3*(4), 484–501. (which omega is which)
//!
//! # Peer
//! semTools 0.5.6 `compRelSEM(fit)` (`ord.scale = TRUE`: [`categorical_omega`]) and
//! `compRelSEM(fit, ord.scale = FALSE)` ([`latent_response_omega`]) on a lavaan 0.6.14
//! `cfa("f =~ x1 + ... + xk", ordered = TRUE, std.lv = TRUE)` fit, delta or theta
//! parameterization; the denominator is `lavInspect(fit, "sampstat")$cov`, or
//! `lavInspect(fit, "fitted")$cov` for `obs.var = FALSE`. Fed lavaan's estimates, both agree
//! with semTools to 1e-12 (`tests/ordinal_reliability.rs`, psych::bfi agreeableness items with 6
//! and with 3 categories).
//!
//! # Deviations
//! None. The bivariate normal probabilities are Genz's algorithm ([`crate::dist::bvn`]), as
//! semTools' (through `mnormt::pmnorm`); a correlation of exactly 1 (the denominator's
//! diagonal) is exact in both.

use super::polychoric::{polychoric, PolychoricOptions};
use crate::data::ItemData;
use crate::dist::bvn::BvnAtRho;
use crate::dist::normal_cdf;
use crate::error::{Error, Result};
use nalgebra::DMatrix;

/// The estimates of a one-factor model with ordered indicators that the omegas need, in lavaan's
/// terms.
#[derive(Debug, Clone, PartialEq)]
pub struct OrdinalFactor {
    /// Loadings $\lambda_i$ (`=~` rows).
    pub loadings: Vec<f64>,
    /// Factor variance $\psi$ (1 when identified by `std.lv = TRUE`).
    pub factor_variance: f64,
    /// Per item, its thresholds $\tau_{i1} < \dots < \tau_{iC_i}$ (`|` rows `t1`, `t2`, ...).
    pub thresholds: Vec<Vec<f64>>,
    /// Scaling factors $s_i$ of the latent responses (lavaan's `delta` matrix, `~*~` rows):
    /// all 1 under the delta parameterization.
    pub scales: Vec<f64>,
}

impl OrdinalFactor {
    /// A delta-parameterized model (all scaling factors 1).
    pub fn delta(loadings: Vec<f64>, factor_variance: f64, thresholds: Vec<Vec<f64>>) -> Self {
        let scales = vec![1.0; loadings.len()];
        OrdinalFactor {
            loadings,
            factor_variance,
            thresholds,
            scales,
        }
    }

    /// Number of items.
    pub fn k(&self) -> usize {
        self.loadings.len()
    }

    /// Checks the estimates against a $k \times k$ denominator matrix.
    fn validate(&self, latent_cor: &DMatrix<f64>) -> Result<()> {
        let k = self.k();
        if k < 2 {
            return Err(Error::option(
                "--ordinal",
                format!("omega needs at least 2 items, found {k}"),
            ));
        }
        if self.thresholds.len() != k || self.scales.len() != k {
            return Err(Error::option(
                "--ordinal",
                format!(
                    "expected thresholds and scaling factors for {k} items, found {} and {}",
                    self.thresholds.len(),
                    self.scales.len()
                ),
            ));
        }
        if latent_cor.nrows() != k || latent_cor.ncols() != k {
            return Err(Error::option(
                "--ordinal",
                format!(
                    "expected a {k} x {k} latent correlation matrix, found {} x {}",
                    latent_cor.nrows(),
                    latent_cor.ncols()
                ),
            ));
        }
        let usable = self.loadings.iter().all(|l| l.is_finite())
            && self.factor_variance.is_finite()
            && self.factor_variance >= 0.0
            && self.scales.iter().all(|&s| s.is_finite() && s > 0.0)
            && latent_cor.iter().all(|r| r.is_finite())
            && (0..k).all(|i| latent_cor[(i, i)] > 0.0);
        if !usable {
            return Err(Error::option(
                "--ordinal",
                "the ordinal factor model has non-finite estimates, a negative factor variance, \
                 non-positive scaling factors or a non-finite latent correlation matrix",
            ));
        }
        if let Some(i) = (0..k).find(|&i| {
            let t = &self.thresholds[i];
            t.is_empty() || t.iter().any(|x| x.is_nan()) || t.windows(2).any(|w| w[0] > w[1])
        }) {
            return Err(Error::option(
                "--ordinal",
                format!(
                    "item {}: expected at least one threshold, in increasing order",
                    i + 1
                ),
            ));
        }
        Ok(())
    }

    /// The correlation matrix of the latent responses the model implies, on the delta scale:
    /// $s_i s_j \lambda_i\lambda_j\psi$ off the diagonal, 1 on it (semTools' denominator with
    /// `obs.var = FALSE`, lavaan's `lavInspect(fit, "fitted")$cov` under delta).
    pub fn implied_latent_cor(&self) -> DMatrix<f64> {
        let k = self.k();
        DMatrix::from_fn(k, k, |i, j| {
            if i == j {
                1.0
            } else {
                self.scales[i]
                    * self.loadings[i]
                    * self.scales[j]
                    * self.loadings[j]
                    * self.factor_variance
            }
        })
    }

    /// The thresholds on the delta scale, $s_i \tau_{ic}$.
    fn delta_thresholds(&self) -> Vec<Vec<f64>> {
        self.thresholds
            .iter()
            .zip(&self.scales)
            .map(|(t, &s)| t.iter().map(|&x| x * s).collect())
            .collect()
    }
}

/// Green & Yang's (2009) categorical omega: the reliability of the sum of the observed item
/// codes implied by a one-factor model of ordered items (semTools `compRelSEM(fit)`, whose
/// default is `ord.scale = TRUE`).
///
/// # Formula
/// $$\omega_{cat} = \frac{\sum_{i,j}\sum_{c,c'}\bigl[\Phi_2(\tau_{ic}, \tau_{jc'}; \lambda_i\lambda_j\psi)
///     - \Phi(\tau_{ic})\Phi(\tau_{jc'})\bigr]}
///   {\sum_{i,j}\sum_{c,c'}\bigl[\Phi_2(\tau_{ic}, \tau_{jc'}; r_{ij}) - \Phi(\tau_{ic})\Phi(\tau_{jc'})\bigr]}$$
/// with loadings and thresholds on the delta scale ($s_i\lambda_i$, $s_i\tau_{ic}$) and $r$ the
/// latent responses' correlation matrix `latent_cor` (rescaled to unit diagonal if it is not);
/// derivation in the module doc.
///
/// # Reference
/// Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation
/// modeling: An alternative to coefficient alpha. *Psychometrika, 74*(1), 155–167.
///
/// # Peer
/// semTools 0.5.6 `compRelSEM(fit, ord.scale = TRUE)` (its `omegaCat`), with `latent_cor` =
/// `lavInspect(fit, "sampstat")$cov` (`obs.var = TRUE`, the default) or
/// `lavInspect(fit, "fitted")$cov` (`obs.var = FALSE`); agreement 1e-12 when fed lavaan's
/// estimates (`tests/ordinal_reliability.rs`).
///
/// # Deviations
/// None.
///
/// # Errors
/// [`Error::InvalidOption`] (`--ordinal`) when the sizes disagree or an estimate is not finite.
///
/// ```
/// use nalgebra::DMatrix;
/// use trustscale::correlation::categorical_omega::{categorical_omega, OrdinalFactor};
/// // two binary items cut at 0, loadings 0.6 and 0.8, and latent correlation 0.48 = 0.6 * 0.8:
/// // true-score and observed covariances coincide off the diagonal
/// let m = OrdinalFactor::delta(vec![0.6, 0.8], 1.0, vec![vec![0.0], vec![0.0]]);
/// let r = DMatrix::from_row_slice(2, 2, &[1.0, 0.48, 0.48, 1.0]);
/// let w = categorical_omega(&m, &r).unwrap();
/// let q = |rho: f64| rho.asin() / (2.0 * std::f64::consts::PI); // Phi2(0,0;rho) - 1/4
/// let want = (q(0.36) + q(0.64) + 2.0 * q(0.48)) / (2.0 * 0.25 + 2.0 * q(0.48));
/// assert!((w - want).abs() < 1e-14);
/// ```
pub fn categorical_omega(model: &OrdinalFactor, latent_cor: &DMatrix<f64>) -> Result<f64> {
    model.validate(latent_cor)?;
    let k = model.k();
    let tau = model.delta_thresholds();
    let lambda: Vec<f64> = model
        .loadings
        .iter()
        .zip(&model.scales)
        .map(|(&l, &s)| l * s)
        .collect();
    let sum_phi: Vec<f64> = tau
        .iter()
        .map(|t| t.iter().map(|&x| normal_cdf(x)).sum())
        .collect();
    let mut true_cov = 0.0;
    let mut total_cov = 0.0;
    for i in 0..k {
        for j in 0..k {
            let margins = sum_phi[i] * sum_phi[j];
            let rho_true = lambda[i] * lambda[j] * model.factor_variance;
            let rho_total = latent_cor[(i, j)] / (latent_cor[(i, i)] * latent_cor[(j, j)]).sqrt();
            true_cov += sum_cdf(&tau[i], &tau[j], rho_true) - margins;
            total_cov += sum_cdf(&tau[i], &tau[j], rho_total) - margins;
        }
    }
    Ok(true_cov / total_cov)
}

/// $\sum_{c,c'} \Phi_2(a_c, b_{c'}; \rho)$.
fn sum_cdf(a: &[f64], b: &[f64], rho: f64) -> f64 {
    let bvn = BvnAtRho::new(rho.clamp(-1.0, 1.0));
    a.iter()
        .map(|&x| b.iter().map(|&y| bvn.cdf(x, y)).sum::<f64>())
        .sum()
}

/// Omega of the unweighted sum of the latent responses $y^\*_i$ implied by a one-factor model
/// of ordered items (semTools `compRelSEM(fit, ord.scale = FALSE)`).
///
/// # Formula
/// $$\omega_{y^\*} = \frac{\psi\\,(\sum_i \lambda_i)^2}{\sum_{i,j} r_{ij}/(s_i s_j)},$$
/// with $r$ = `latent_cor` and $s_i$ the scaling factors (1 under delta).
///
/// # Reference
/// Flora, D. B. (2020). Your coefficient alpha is probably wrong, but which coefficient omega is
/// right? *Advances in Methods and Practices in Psychological Science, 3*(4), 484–501.
///
/// # Peer
/// semTools 0.5.6 `compRelSEM(fit, ord.scale = FALSE)` with `latent_cor` =
/// `lavInspect(fit, "sampstat")$cov` (agreement 1e-12, `tests/ordinal_reliability.rs`).
///
/// # Deviations
/// None. Under the theta parameterization semTools' value (and this one) differs from the delta
/// one, since the sum of the $y^\*_i$ weights them by their theta-scale standard deviations.
///
/// # Errors
/// As [`categorical_omega`].
pub fn latent_response_omega(model: &OrdinalFactor, latent_cor: &DMatrix<f64>) -> Result<f64> {
    model.validate(latent_cor)?;
    let k = model.k();
    let sum_l: f64 = model.loadings.iter().sum();
    let mut total = 0.0;
    for i in 0..k {
        for j in 0..k {
            total += latent_cor[(i, j)] / (model.scales[i] * model.scales[j]);
        }
    }
    Ok(model.factor_variance * sum_l * sum_l / total)
}

/// The denominator semTools uses by default (`obs.var = TRUE`): the sample polychoric
/// correlations of the rows a listwise ordinal CFA fits, as lavaan computes them. Returns the
/// matrix and the number of complete rows.
///
/// # Formula
/// Two-step maximum likelihood (Olsson 1979): each item's thresholds from its margins, then each
/// pair's $\rho$ maximising its table's likelihood, here to $10^{-10}$ and without smoothing
/// (lavaan reports its sample statistics unsmoothed).
///
/// # Reference
/// Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
/// *Psychometrika, 44*(4), 443–460.
///
/// # Peer
/// lavaan 0.6.14 `lavInspect(fit, "sampstat")$cov` of a `cfa(..., ordered = TRUE)` fit with the
/// default listwise deletion: 1e-8 on the bfi cases (`tests/ordinal_reliability.rs`).
///
/// # Deviations
/// When the items do not share the same highest category, psych's rule (which
/// [`polychoric`] follows) re-estimates each pair's thresholds from its own table with a
/// continuity correction, where lavaan keeps each item's thresholds; the matrices then differ.
/// (psych's `polychoric`, behind ordinal alpha, also stops its search at R's `optimize`
/// tolerance and differs from this by up to about 2e-5.)
///
/// # Errors
/// As [`polychoric`].
pub fn sample_latent_cor(data: &ItemData) -> Result<(DMatrix<f64>, usize)> {
    let complete = data.listwise();
    let opts = PolychoricOptions {
        smooth: false,
        max_cat: 254,
        tol: 1e-10,
        ..PolychoricOptions::default()
    };
    let poly = polychoric(&complete, &opts)?;
    Ok((poly.rho, complete.n()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn categorical_omega_of_a_perfect_fit_reproduces_the_code_covariances() {
        // r = model-implied: the numerator differs from the denominator by the diagonal only,
        // var(x_i) - true var(x_i) summed, so omega < 1 and exactly 1 when loadings are 1
        let l = [0.7, 0.6, 0.5];
        let r = DMatrix::from_fn(3, 3, |i, j| if i == j { 1.0 } else { l[i] * l[j] });
        let th = vec![vec![-1.0, 0.0, 1.0]; 3];
        let m = OrdinalFactor::delta(l.to_vec(), 1.0, th.clone());
        let w = categorical_omega(&m, &r).unwrap();
        assert!(w > 0.0 && w < 1.0);
        let ones = OrdinalFactor::delta(vec![1.0; 3], 1.0, th);
        let r1 = DMatrix::from_element(3, 3, 1.0);
        assert!((categorical_omega(&ones, &r1).unwrap() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn theta_scales_are_the_same_model_as_delta() {
        // a theta-scale model is the delta model with lambda and tau divided by s
        let l = [0.7, 0.6, 0.5];
        let th = vec![vec![-1.0, 0.2], vec![-0.5, 0.8], vec![0.1, 1.3]];
        let r = DMatrix::from_row_slice(3, 3, &[1.0, 0.4, 0.3, 0.4, 1.0, 0.35, 0.3, 0.35, 1.0]);
        let delta = OrdinalFactor::delta(l.to_vec(), 1.0, th.clone());
        let s = [0.8, 0.5, 0.9];
        let theta = OrdinalFactor {
            loadings: (0..3).map(|i| l[i] / s[i]).collect(),
            factor_variance: 1.0,
            thresholds: (0..3)
                .map(|i| th[i].iter().map(|t| t / s[i]).collect())
                .collect(),
            scales: s.to_vec(),
        };
        let a = categorical_omega(&delta, &r).unwrap();
        let b = categorical_omega(&theta, &r).unwrap();
        assert!((a - b).abs() < 1e-14, "{a} {b}");
    }

    #[test]
    fn mismatched_sizes_are_an_option_error() {
        let m = OrdinalFactor::delta(vec![0.5, 0.5], 1.0, vec![vec![0.0]]);
        let r = DMatrix::identity(2, 2);
        assert!(matches!(
            categorical_omega(&m, &r),
            Err(Error::InvalidOption { .. })
        ));
    }
}
