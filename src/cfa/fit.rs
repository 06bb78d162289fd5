//! Stage 8, fit measures: the likelihood-ratio test against the saturated model, the
//! independence baseline, CFI, TLI, RMSEA with its confidence interval, SRMR, the log-likelihood,
//! AIC and BIC; and the completely standardised solution (`std.all`).
//!
//! # Formula
//! With $N$ total rows, $G$ groups, the minimum $\hat F$ of the ML discrepancy and the
//! baseline's $\chi^2_b$ on $df_b$ (independence model: free variances, and free means with a
//! mean structure):
//! $$\chi^2 = N\hat F,\quad \mathrm{CFI} = 1 - \frac{\max(\chi^2 - df, 0)}{\max(\chi^2 - df,\ \chi^2_b - df_b,\ 0)},\quad
//!   \mathrm{TLI} = 1 - \frac{(\chi^2 - df)\\,df_b}{(\chi^2_b - df_b)\\,df},$$
//! $$\mathrm{RMSEA} = \sqrt{G}\sqrt{\max\Bigl(\frac{\chi^2}{N\\,df} - \frac{c}{N},\\,0\Bigr)},$$
//! with $c = 1$ (standard) or the scaling factor (robust, Brosseau-Liard, Savalei & Li 2012).
//! The 90% interval inverts the noncentral $\chi^2$ distribution function: the bounds are
//! $\sqrt{G}\sqrt{c\lambda/(N\\,df)}$ where $P(\chi^2_{df}(\lambda) \le \chi^2) = 0.95$ (lower) and
//! $0.05$ (upper), or 0 when no such $\lambda \ge 0$ exists.
//! SRMR (Bentler's) is the root mean square of the residual covariances standardised by the
//! observed standard deviations, $(s_{ij} - \hat\sigma_{ij})/\sqrt{s_{ii}s_{jj}}$ over $i \le j$
//! (and the mean residuals $(\bar y_i - \hat\mu_i)/\sqrt{s_{ii}}$ with a mean structure),
//! averaged over groups with weights $n_g/N$.
//! $\log L = -\tfrac12\sum_g n_g\bigl[p\log 2\pi + \log|\hat\Sigma_g| + \operatorname{tr}(S_g\hat\Sigma_g^{-1}) + \hat d_g^\top\hat\Sigma_g^{-1}\hat d_g\bigr]$,
//! $\mathrm{AIC} = -2\log L + 2q$, $\mathrm{BIC} = -2\log L + q\log N$ ($q$ free parameters).
//!
//! # Reference
//! Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological Bulletin*,
//! 107(2), 238–246.
//! Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
//! analysis. *Psychometrika*, 38(1), 1–10.
//! Steiger, J. H. (1990). Structural model evaluation and modification: An interval estimation
//! approach. *Multivariate Behavioral Research*, 25(2), 173–180.
//! Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A. Bollen &
//! J. S. Long (Eds.), *Testing structural equation models* (pp. 136–162). Sage.
//! Johnson, N. L., Kotz, S., & Balakrishnan, N. (1995). *Continuous univariate distributions*
//! (Vol. 2, 2nd ed.), ch. 29 (noncentral $\chi^2$ as a Poisson mixture).
//!
//! # Peer
//! lavaan 0.6.14 `fitMeasures()`: `chisq`, `df`, `pvalue`, `cfi`, `tli`, `rmsea`,
//! `rmsea.ci.lower/upper`, `srmr` (= `srmr_bentler`), `logl`, `aic`, `bic`
//! (`lav_fit_cfi`, `lav_fit_tli`, `lav_fit_rmsea`, `lav_fit_rmsea_ci`, `lav_fit_srmr_lavobject`).
//! lavaan uses $N$, not $N - 1$ (`likelihood = "normal"`).
//!
//! # Deviations
//! lavaan finds the RMSEA bounds with `uniroot` at its default tolerance ($1.2\times10^{-4}$ on
//! $\lambda$, i.e. about $10^{-7}$ on the bound); we solve to machine precision.

use crate::numeric::optim::brent_root;
use serde::Serialize;
use statrs::function::gamma::{checked_gamma_lr, ln_gamma};

/// $P(a, x)$, NaN where statrs would panic.
fn gamma_lr(a: f64, x: f64) -> f64 {
    checked_gamma_lr(a, x).unwrap_or(f64::NAN)
}

/// The fit measures of one model (contract keys first).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FitMeasures {
    /// Test statistic (ML: $N\hat F$; MLR: the Yuan–Bentler scaled statistic).
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: i64,
    /// Upper-tail p value of `chisq` (null when df = 0).
    pub pvalue: Option<f64>,
    /// Comparative fit index (MLR: robust).
    pub cfi: Option<f64>,
    /// Tucker–Lewis index (MLR: robust).
    pub tli: Option<f64>,
    /// RMSEA (MLR: robust).
    pub rmsea: Option<f64>,
    /// 90% interval of the RMSEA.
    pub rmsea_ci: Option<[f64; 2]>,
    /// Standardised root mean square residual (Bentler).
    pub srmr: f64,
    /// Akaike information criterion (null for least-squares estimators: no likelihood).
    pub aic: Option<f64>,
    /// Bayesian information criterion (null for least-squares estimators).
    pub bic: Option<f64>,
    /// Log-likelihood of the model (null for least-squares estimators).
    pub loglik: Option<f64>,
    /// Free parameters.
    pub npar: usize,
    /// Independence (baseline) model $\chi^2$ (MLR: scaled).
    pub baseline_chisq: f64,
    /// Baseline degrees of freedom.
    pub baseline_df: i64,
    /// Log-likelihood of the saturated model (null for least-squares estimators).
    pub loglik_h1: Option<f64>,
    /// MLR: Yuan–Bentler (Mplus) scaling factor $c$ of the model; WLSMV/ULSMV: the scaling
    /// factor $c = 1/a$ of the scaled-shifted statistic (lavaan `chisq.scaling.factor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_factor: Option<f64>,
    /// MLR: scaling factor of the baseline model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_scaling_factor: Option<f64>,
    /// WLSMV/ULSMV: the shift $b$ of the scaled-shifted statistic $T_{ss} = T/c + b$ (lavaan
    /// `shift.parameter`; `scaling_factor` is its $c$).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<f64>,
    /// WLSMV/ULSMV: the shift of the baseline model's scaled-shifted statistic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_shift: Option<f64>,
    /// MLR: the unscaled (ML) test and indices; WLSMV/ULSMV: the unscaled $T = (n-1)\hat F$
    /// and its indices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard: Option<StandardFit>,
    /// MLR, WLSMV, ULSMV: lavaan's `.scaled` indices (scaled statistics in the plain formulas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaled: Option<StandardFit>,
}

/// A test and the indices computed from it (used for the ML values under MLR, and for lavaan's
/// `.scaled` variants).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StandardFit {
    /// Test statistic.
    pub chisq: f64,
    /// Its p value.
    pub pvalue: Option<f64>,
    /// Baseline statistic.
    pub baseline_chisq: f64,
    /// CFI.
    pub cfi: Option<f64>,
    /// TLI.
    pub tli: Option<f64>,
    /// RMSEA.
    pub rmsea: Option<f64>,
    /// RMSEA interval.
    pub rmsea_ci: Option<[f64; 2]>,
}

/// Noncentral chi-square distribution function.
///
/// # Formula
/// $$P(X \le x) = \sum_{j\ge0} e^{-\lambda/2}\frac{(\lambda/2)^j}{j!}\\,P\Bigl(\frac{k}{2}+j, \frac{x}{2}\Bigr)$$
/// (Poisson mixture of central chi-squares, $P$ the regularised lower incomplete gamma
/// function), summed outwards from the Poisson mode until the remaining weight is below
/// $10^{-17}$ of the sum.
///
/// # Reference
/// Johnson, N. L., Kotz, S., & Balakrishnan, N. (1995). *Continuous univariate distributions*
/// (Vol. 2, 2nd ed.), eq. 29.2.
///
/// # Peer
/// R `pchisq(x, df, ncp)` (R 4.2.2): agrees to about 1e-13 for moderate noncentrality and
/// 1.5e-12 at $\lambda = 2900$, where statrs's regularised incomplete gamma function (relative
/// error about 2e-13 at $a \approx 1500$) limits the sum; R is within 1.3e-13 of a 40-digit
/// evaluation there (`tests` below).
///
/// # Deviations
/// None.
///
/// ```
/// use trustscale::cfa::fit::noncentral_chi2_cdf;
/// // R 4.2.2: pchisq(30, 24, ncp = 5) = 0.584_181_261_178_080_6
/// let p = noncentral_chi2_cdf(30.0, 24.0, 5.0);
/// assert!((p - 0.584_181_261_178_080_6).abs() < 1e-13, "{p}");
/// ```
pub fn noncentral_chi2_cdf(x: f64, df: f64, ncp: f64) -> f64 {
    if x.is_nan() || ncp.is_nan() || ncp == f64::INFINITY || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 || !x.is_finite() {
        return if x == f64::INFINITY { 1.0 } else { 0.0 };
    }
    if ncp <= 0.0 {
        return crate::dist::chi2_cdf(x, df);
    }
    let lam = ncp / 2.0;
    let y = x / 2.0;
    let a = df / 2.0;
    let k0 = lam.floor();
    let logw0 = -lam + k0 * lam.ln() - ln_gamma(k0 + 1.0);
    let w0 = logw0.exp();
    let mut sum = 0.0;
    // upwards from the mode
    let mut w = w0;
    let mut k = k0;
    let mut steps = 0u32;
    loop {
        let term = w * gamma_lr(a + k, y);
        sum += term;
        if (term <= 1e-17 * sum || w <= 1e-300) && k > k0 + 2.0 {
            break;
        }
        w *= lam / (k + 1.0);
        k += 1.0;
        steps += 1;
        if k > k0 + 1e7 || steps > 10_000_000 || term.is_nan() {
            break;
        }
    }
    // downwards
    let mut k = k0 - 1.0;
    let mut w = if k0 > 0.0 { w0 * k0 / lam } else { 0.0 };
    while k >= 0.0 && w > 0.0 {
        sum += w * gamma_lr(a + k, y);
        if w <= 1e-17 * sum {
            break;
        }
        w *= k / lam;
        k -= 1.0;
        if k0 - k > 1e7 {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

/// RMSEA point estimate (lavaan's `lav_fit_rmsea`).
///
/// # Formula
/// $\sqrt{G}\sqrt{\max(\chi^2/(N\\,df) - c/N, 0)}$; 0 when $df = 0$. $c = 1$ gives the standard
/// RMSEA, the Yuan–Bentler scaling factor the robust one.
///
/// # Reference
/// Steiger, J. H. (1990). Structural model evaluation and modification: An interval estimation
/// approach. *Multivariate Behavioral Research*, 25(2), 173–180. Robust: Brosseau-Liard, P. E.,
/// Savalei, V., & Li, L. (2012). *Multivariate Behavioral Research*, 47(6), 904–930.
///
/// # Peer
/// lavaan 0.6.14 `lav_fit_rmsea` (`rmsea`, `rmsea.robust`); it divides by $N$, not $N - 1$.
///
/// # Deviations
/// None.
pub fn rmsea(x2: f64, df: f64, n: f64, groups: usize, c: f64) -> Option<f64> {
    if !x2.is_finite() || !df.is_finite() {
        return None;
    }
    if df <= 0.0 {
        return Some(0.0);
    }
    Some(((x2 / n) / df - c / n).max(0.0).sqrt() * (groups as f64).sqrt())
}

/// RMSEA confidence interval (lavaan's `lav_fit_rmsea_ci`), by inverting the noncentral
/// chi-square distribution function in its noncentrality.
///
/// # Formula
/// Lower bound from $\lambda_L$ with $P(\chi^2_{df}(\lambda_L) \le x) = (1+\text{level})/2$,
/// upper from $\lambda_U$ with $P(\chi^2_{df}(\lambda_U) \le x) = (1-\text{level})/2$ (searched in
/// $[0, \max(N, 4x)]$), each mapped to $\sqrt{G}\sqrt{c\lambda/(N\\,df)}$, and 0 when the
/// probability at $\lambda = 0$ is already below the target. For the robust interval, $x$ is the
/// scaled statistic and $c$ the scaling factor (Savalei, 2018).
///
/// # Reference
/// Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A. Bollen &
/// J. S. Long (Eds.), *Testing structural equation models* (pp. 136–162). Sage.
/// Savalei, V. (2018). On the computation of the RMSEA and CFI from the mean-and-variance
/// corrected test statistic with nonnormal data in SEM. *Multivariate Behavioral Research*,
/// 53(3), 419–429.
///
/// # Peer
/// lavaan 0.6.14 `lav_fit_rmsea_ci` (`rmsea.ci.lower/upper`, `.robust`).
///
/// # Deviations
/// lavaan's `uniroot` stops at a tolerance of $1.2\times10^{-4}$ on $\lambda$; Brent's method
/// here runs to machine precision (bounds differ by about $10^{-8}$).
pub fn rmsea_ci(x2: f64, df: f64, n: f64, groups: usize, c: f64, level: f64) -> Option<[f64; 2]> {
    if !x2.is_finite() || !df.is_finite() || !n.is_finite() {
        return None;
    }
    let upper_p = 1.0 - (1.0 - level) / 2.0;
    let lower_p = (1.0 - level) / 2.0;
    let cdf = |lam: f64| noncentral_chi2_cdf(x2, df, lam);
    let scale = |lam: f64| (c * lam / (n * df)).sqrt() * (groups as f64).sqrt();
    let lo = if df < 1.0 || cdf(0.0) - upper_p < 0.0 {
        0.0
    } else {
        scale(brent_root(|l| cdf(l) - upper_p, 0.0, x2)?)
    };
    let n_rmsea = n.max(4.0 * x2);
    let hi = if df < 1.0 || cdf(n_rmsea) - lower_p > 0.0 || cdf(0.0) - lower_p < 0.0 {
        0.0
    } else {
        scale(brent_root(|l| cdf(l) - lower_p, 0.0, n_rmsea)?)
    };
    Some([lo, hi])
}

/// CFI (lavaan's `lav_fit_cfi`); with scaling factors $c, c_b \ne 1$ the robust version of
/// Brosseau-Liard & Savalei (2014): $\chi^2 - c\\,df$ in place of $\chi^2 - df$.
///
/// # Formula
/// $1 - \max(\chi^2 - c\\,df, 0)/\max(\chi^2 - c\\,df, \chi^2_b - c_b\\,df_b, 0)$ (1 when both are 0).
///
/// # Reference
/// Bentler, P. M. (1990). Comparative fit indexes in structural models. *Psychological Bulletin*,
/// 107(2), 238–246. Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit
/// indices for nonnormality. *Multivariate Behavioral Research*, 49(5), 460–470.
///
/// # Peer
/// lavaan 0.6.14 `lav_fit_cfi` (`cfi`, `cfi.robust`).
///
/// # Deviations
/// None.
pub fn cfi(x2: f64, df: f64, x2b: f64, dfb: f64, c: f64, cb: f64) -> Option<f64> {
    if [x2, df, x2b, dfb, c, cb].iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (t1, t2) = (
        (x2 - c * df).max(0.0),
        (x2 - c * df).max(x2b - cb * dfb).max(0.0),
    );
    if t1.abs() < 1.5e-8 && t2.abs() < 1.5e-8 {
        return Some(1.0);
    }
    Some(1.0 - t1 / t2)
}

/// TLI (lavaan's `lav_fit_tli`), robust with $c, c_b$ as [`cfi`].
///
/// # Formula
/// $1 - \dfrac{(\chi^2 - c\\,df)\\,df_b}{(\chi^2_b - c_b\\,df_b)\\,df}$ (1 when $df = 0$).
///
/// # Reference
/// Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
/// analysis. *Psychometrika*, 38(1), 1–10.
///
/// # Peer
/// lavaan 0.6.14 `lav_fit_tli` (`tli`, `tli.robust`).
///
/// # Deviations
/// None.
pub fn tli(x2: f64, df: f64, x2b: f64, dfb: f64, c: f64, cb: f64) -> Option<f64> {
    if [x2, df, x2b, dfb, c, cb].iter().any(|v| !v.is_finite()) {
        return None;
    }
    let t1 = (x2 - c * df) * dfb;
    let t2 = (x2b - cb * dfb) * df;
    if df > 0.0 && t2.abs() > 0.0 {
        Some(1.0 - t1 / t2)
    } else {
        Some(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noncentral_chi2_matches_r() {
        // R 4.2.2: pchisq(x, df, ncp)
        let cases = [
            (30.0, 24.0, 5.0, 0.584_181_261_178_080_6),
            (85.3055217699727, 24.0, 36.0, 0.956_087_930_294_240_1),
            (10.0, 3.0, 0.5, 0.965_520_267_938_54),
            (500.0, 300.0, 150.0, 0.922_178_728_622_215_6),
            (1.0, 10.0, 2000.0, 0.0),
            (3000.0, 24.0, 2900.0, 0.760_791_711_525_569_8),
            (0.5, 2.5, 0.01, 0.135_510_158_116_651_3),
        ];
        for (x, k, l, want) in cases {
            let got = noncentral_chi2_cdf(x, k, l);
            let tol = if l > 1000.0 { 3e-12 } else { 1e-12 };
            assert!(
                (got - want).abs() < tol,
                "pchisq({x},{k},{l}) = {got}, R {want}"
            );
        }
    }

    #[test]
    fn rmsea_ci_matches_lavaan_hs1939() {
        // case 09: chisq 85.3055217699727, df 24, N 301
        let ci = rmsea_ci(85.3055217699727, 24.0, 301.0, 1, 1.0, 0.9).unwrap();
        assert!((ci[0] - 0.0714184904399382).abs() < 1e-6, "{ci:?}");
        assert!((ci[1] - 0.113678016811963).abs() < 1e-6, "{ci:?}");
        let r = rmsea(85.3055217699727, 24.0, 301.0, 1, 1.0).unwrap();
        assert!((r - 0.0921214845101686).abs() < 1e-12);
    }
}
