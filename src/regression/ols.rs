//! Ordinary least squares with R's `summary.lm` statistics: coefficients with classical, robust
//! or clustered standard errors, $R^2$, the overall F test, standardised betas and VIF.
//!
//! The fit itself (design matrix, Householder QR, rank check) is [`super::qr`]; its types are
//! re-exported here.

pub use super::qr::{least_squares, Design, LinearFit, INTERCEPT, RANK_TOL};
use super::robust::{vcov_cluster, vcov_hc, Covariance};
use crate::dist::{f_sf, t_quantile, t_two_sided_p};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options of [`ols`]; defaults as R `summary.lm` / `confint` (classical covariance, 95%).
#[derive(Debug, Clone)]
pub struct OlsOptions {
    /// Covariance of the estimates.
    pub covariance: Covariance,
    /// Confidence level of the coefficient intervals.
    pub ci: f64,
}

impl Default for OlsOptions {
    fn default() -> Self {
        OlsOptions {
            covariance: Covariance::Classical,
            ci: 0.95,
        }
    }
}

impl OlsOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        if !(self.ci > 0.0 && self.ci < 1.0) {
            return Err(Error::option("--ci", "expected a level between 0 and 1"));
        }
        Ok(())
    }
}

/// One coefficient row (R's `coef(summary(fit))`, plus standardised beta and VIF).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Coefficient {
    /// Term (`(Intercept)` for the intercept).
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error (classical or robust, see `se_type`).
    pub se: f64,
    /// $t = b/se$.
    pub t: f64,
    /// Two-sided p from $t(n-k)$.
    pub p: f64,
    /// Confidence interval $b \pm t_{1-\alpha/2}(n-k)\\,se$.
    pub ci: [f64; 2],
    /// $b\\,s_x/s_y$; `null` for the intercept.
    pub std_beta: Option<f64>,
    /// Variance inflation factor $1/(1-R^2_j)$; `null` for the intercept.
    pub vif: Option<f64>,
}

/// A Wald F test of all slopes under a robust covariance.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaldTest {
    /// $F = b_s'V_s^{-1}b_s/q$.
    pub f: f64,
    /// $q$, the number of slopes.
    pub df1: usize,
    /// Residual df $n-k$.
    pub df2: usize,
    /// Upper-tail p of $F(q, n-k)$.
    pub p: f64,
}

/// Result of [`ols`]: R's `summary.lm` of a model with an intercept.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OlsResult {
    /// Rows used.
    pub n: usize,
    /// $R^2 = \mathrm{MSS}/(\mathrm{MSS}+\mathrm{RSS})$.
    pub r2: f64,
    /// $1 - (1-R^2)(n-1)/(n-k)$.
    pub adj_r2: f64,
    /// Overall F test of the slopes (classical, as `summary.lm`).
    pub f: f64,
    /// Its numerator df (number of predictors).
    pub df1: usize,
    /// Its denominator df $n-k$.
    pub df2: usize,
    /// Its upper-tail p.
    pub p: f64,
    /// Residual standard error $\hat\sigma$.
    pub sigma: f64,
    /// Log-likelihood of the normal model (R's `logLik.lm`).
    pub loglik: f64,
    /// $-2\ell + 2(k+1)$.
    pub aic: f64,
    /// $-2\ell + \log(n)(k+1)$.
    pub bic: f64,
    /// `classical`, `HC0`..`HC3`, or `CR0`..`CR3` (clustered).
    pub se_type: String,
    /// Number of clusters, with clustered standard errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_clusters: Option<usize>,
    /// The Wald F test of the slopes under the robust covariance (robust and clustered only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust_wald: Option<WaldTest>,
    /// Coefficients, intercept first.
    pub coefficients: Vec<Coefficient>,
    /// The covariance matrix of the estimates used for `se`.
    #[serde(skip)]
    pub vcov: DMatrix<f64>,
    /// Fitted values $\hat y_i$, in row order (for plots; not in the JSON).
    #[serde(skip)]
    pub fitted: Vec<f64>,
    /// Residuals $y_i - \hat y_i$.
    #[serde(skip)]
    pub residuals: Vec<f64>,
}

/// OLS of `y` on an intercept and the predictor columns of `x` (`n x p`, no intercept column).
///
/// # Formula
/// With $k = p + 1$ coefficients, $\mathrm{RSS} = \sum e_i^2$, $\mathrm{MSS} = \sum(\hat y_i - \bar{\hat y})^2$:
/// $$R^2 = \frac{\mathrm{MSS}}{\mathrm{MSS}+\mathrm{RSS}},\quad
///   F = \frac{\mathrm{MSS}/p}{\mathrm{RSS}/(n-k)},\quad
///   \widehat{\mathrm{Var}}(\hat\beta) = \hat\sigma^2 R^{-1}R^{-T}$$
/// (or a sandwich, see [`super::robust`]), $t_j = b_j/se_j$ on $n-k$ df,
/// $\beta^\*\_j = b_j s_{x_j}/s_y$ and $\mathrm{VIF}\_j = [(X'X)^{-1}]\_{jj}\sum_i(x_{ij}-\bar x_j)^2
/// = 1/(1-R^2_j)$, $R^2_j$ from regressing $x_j$ on the other predictors.
///
/// # Reference
/// Fox, J. (2016). *Applied regression analysis and generalized linear models* (3rd ed.). Sage,
/// ch. 5–6 and 13 (VIF).
///
/// # Peer
/// R 4.2.2 `summary(lm(y ~ x1 + ... + xp))`, `confint`, `logLik`, `AIC`, `BIC`; VIF as car::vif
/// (3.1.1) for one-df terms. With a robust covariance: `lmtest::coeftest(fit, vcov = V)` (t on
/// $n-k$ df) and `lmtest::waldtest(fit, vcov = V, test = "F")` for `robust_wald`.
///
/// # Deviations
/// Exact collinearity is an error (R reports `NA` coefficients).
///
/// # Example
/// ```
/// use nalgebra::DMatrix;
/// use trustscale::regression::{ols, OlsOptions};
/// // y = 1 + 2x exactly, plus residuals (+1, -1, -1, +1) that are orthogonal to (1, x)
/// let x = DMatrix::from_column_slice(4, 1, &[0.0, 1.0, 2.0, 3.0]);
/// let y = [2.0, 2.0, 4.0, 8.0];
/// let r = ols(&x, &y, &["x".to_string()], &OlsOptions::default()).unwrap();
/// assert!((r.coefficients[0].estimate - 1.0).abs() < 1e-12);
/// assert!((r.coefficients[1].estimate - 2.0).abs() < 1e-12);
/// assert_eq!(r.coefficients[0].term, "(Intercept)");
/// assert!((r.r2 - 20.0 / 24.0).abs() < 1e-12); // MSS = 20, RSS = 4
/// ```
pub fn ols(x: &DMatrix<f64>, y: &[f64], names: &[String], opts: &OlsOptions) -> Result<OlsResult> {
    opts.validate()?;
    let n = x.nrows();
    let p = x.ncols();
    let design = Design::new(x, true);
    let mut terms = vec![INTERCEPT.to_string()];
    terms.extend(names.iter().cloned());
    let k = p + 1;
    if n < k + 1 {
        return Err(Error::TooFewRows {
            at: crate::Location::default(),
            needed: k + 1,
            got: n,
        });
    }
    let fit = least_squares(design, y, &terms)?;
    let df2 = fit.df_residual();
    let sigma2 = fit.sigma2();
    let fitted: Vec<f64> = y.iter().zip(&fit.residuals).map(|(y, e)| y - e).collect();
    let mss = ss_about(&fitted, mean(&fitted));
    let rss = fit.rss;
    let r2 = mss / (mss + rss);
    let adj_r2 = 1.0 - (1.0 - r2) * (n as f64 - 1.0) / df2 as f64;
    let f = (mss / p as f64) / (rss / df2 as f64);
    let unscaled = fit.cov_unscaled();
    let (vcov, se_type, n_clusters) = match &opts.covariance {
        Covariance::Classical => (&unscaled * sigma2, "classical".to_string(), None),
        Covariance::Hc(kind) => (vcov_hc(&fit, design, *kind)?, kind.name().to_string(), None),
        Covariance::Cluster { ids, kind } => {
            let (v, g) = vcov_cluster(&fit, design, ids, *kind)?;
            (v, kind.cluster_name().to_string(), Some(g))
        }
    };
    let sy = sd(y);
    let tq = t_quantile(0.5 + opts.ci / 2.0, df2 as f64).unwrap_or(f64::NAN);
    let coefficients = (0..k)
        .map(|j| {
            let b = fit.coefficients[j];
            let se = vcov[(j, j)].max(0.0).sqrt();
            let t = b / se;
            let (std_beta, vif) = if j == 0 {
                (None, None)
            } else {
                let col = x.column(j - 1);
                let col = col.as_slice();
                let ss = ss_about(col, mean(col));
                let sx = (ss / (n as f64 - 1.0)).sqrt();
                (Some(b * sx / sy), Some(unscaled[(j, j)] * ss))
            };
            Coefficient {
                term: terms[j].clone(),
                estimate: b,
                se,
                t,
                p: t_two_sided_p(t, df2 as f64),
                ci: [b - tq * se, b + tq * se],
                std_beta,
                vif,
            }
        })
        .collect();
    let robust_wald = match opts.covariance {
        Covariance::Classical => None,
        _ => wald_slopes(&fit.coefficients, &vcov, df2),
    };
    let nf = n as f64;
    let loglik = -0.5 * nf * ((2.0 * std::f64::consts::PI).ln() + (rss / nf).ln() + 1.0);
    let npar = (k + 1) as f64;
    Ok(OlsResult {
        n,
        r2,
        adj_r2,
        f,
        df1: p,
        df2,
        p: f_sf(f, p as f64, df2 as f64),
        sigma: sigma2.sqrt(),
        loglik,
        aic: -2.0 * loglik + 2.0 * npar,
        bic: -2.0 * loglik + nf.ln() * npar,
        se_type,
        n_clusters,
        robust_wald,
        coefficients,
        vcov,
        fitted,
        residuals: fit.residuals,
    })
}

/// Wald F of the slopes (all coefficients but the first).
fn wald_slopes(b: &[f64], v: &DMatrix<f64>, df2: usize) -> Option<WaldTest> {
    let k = b.len();
    if k < 2 {
        return None;
    }
    let q = k - 1;
    let vs = v.view((1, 1), (q, q)).clone_owned();
    let bs = DVector::from_iterator(q, b[1..].iter().copied());
    let ch = vs.cholesky()?;
    let f = bs.dot(&ch.solve(&bs)) / q as f64;
    Some(WaldTest {
        f,
        df1: q,
        df2,
        p: f_sf(f, q as f64, df2 as f64),
    })
}

/// Sum with four independent accumulators.
pub(crate) fn sum(v: &[f64]) -> f64 {
    let c = v.chunks_exact(4);
    let r = c.remainder();
    let mut acc = [0.0f64; 4];
    for x in c {
        acc[0] += x[0];
        acc[1] += x[1];
        acc[2] += x[2];
        acc[3] += x[3];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + r.iter().sum::<f64>()
}

/// Sum of squared deviations from `m`, four accumulators.
pub(crate) fn ss_about(v: &[f64], m: f64) -> f64 {
    let c = v.chunks_exact(4);
    let r = c.remainder();
    let mut acc = [0.0f64; 4];
    for x in c {
        for (a, xv) in acc.iter_mut().zip(x) {
            *a += (xv - m) * (xv - m);
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + r.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
}

/// Mean by a two-pass (corrected) sum.
pub(crate) fn mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = sum(x) / n;
    let c = x.chunks_exact(4);
    let r = c.remainder();
    let mut acc = [0.0f64; 4];
    for v in c {
        for (a, xv) in acc.iter_mut().zip(v) {
            *a += xv - m;
        }
    }
    m + ((acc[0] + acc[1]) + (acc[2] + acc[3]) + r.iter().map(|v| v - m).sum::<f64>()) / n
}

/// Sample standard deviation (divisor $n-1$), two-pass.
pub(crate) fn sd(x: &[f64]) -> f64 {
    (ss_about(x, mean(x)) / (x.len() as f64 - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn collinear_columns_are_named() {
        let n = 20;
        let x = DMatrix::from_fn(n, 3, |i, j| match j {
            0 => i as f64,
            1 => ((i * i) % 7) as f64,
            _ => 2.0 * i as f64 - ((i * i) % 7) as f64,
        });
        let y: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let e = ols(&x, &y, &names(&["a", "b", "c"]), &OlsOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "option --predictors: exact collinearity: \"c\" is a linear combination of \"a\", \"b\"; drop one of them"
        );
        let x = DMatrix::from_fn(n, 2, |i, j| if j == 0 { i as f64 } else { 3.0 });
        let e = ols(&x, &y, &names(&["a", "k"]), &OlsOptions::default()).unwrap_err();
        assert!(e.to_string().contains("\"k\" is constant"), "{e}");
    }
}
