//! Tests of two dependent, overlapping correlations $r_{12}$ and $r_{13}$ (variable 1 shared,
//! $r_{23}$ the correlation of the other two), measured on the same $n$ units: does a competency
//! (1) correlate more with affective (2) than with cognitive trust (3)?
//!
//! # References
//! - Williams, E. J. (1959). The comparison of regression variables. *Journal of the Royal
//!   Statistical Society, Series B, 21*, 396–399.
//! - Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix.
//!   *Psychological Bulletin, 87*, 245–251 (eq. 7, Williams' $T_2$, the test he recommends).
//! - Meng, X.-L., Rosenthal, R., & Rubin, D. B. (1992). Comparing correlated correlation
//!   coefficients. *Psychological Bulletin, 111*, 172–175.

use crate::dist::{normal_cdf, t_two_sided_p};
use serde::Serialize;

/// The two tests of $H_0: \rho_{12} = \rho_{13}$.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DependentTest {
    /// $r_{12} - r_{13}$.
    pub diff: f64,
    /// Williams' $t$ ($T_2$ of Steiger, 1980).
    pub t: f64,
    /// Its degrees of freedom, $n - 3$.
    pub df: f64,
    /// Two-sided p of `t`.
    pub p: f64,
    /// Meng, Rosenthal & Rubin's $z$.
    pub z: f64,
    /// Two-sided p of `z`.
    pub p_z: f64,
}

/// Williams' $t$ and Meng–Rosenthal–Rubin's $z$ for $r_{12}$ against $r_{13}$; `None` for
/// $n < 5$ or a correlation outside $(-1, 1)$.
///
/// # Formula
/// With $|R| = 1 - r_{12}^2 - r_{13}^2 - r_{23}^2 + 2r_{12}r_{13}r_{23}$ and
/// $\bar r = (r_{12} + r_{13})/2$,
/// $$t = (r_{12} - r_{13})\sqrt{\frac{(n-1)(1+r_{23})}{2\frac{n-1}{n-3}|R| + \bar r^2(1-r_{23})^3}}$$
/// on $n - 3$ df (Williams, 1959; Steiger, 1980, eq. 7). With Fisher's $z_{1j} =
/// \operatorname{atanh} r_{1j}$, $\overline{r^2} = (r_{12}^2 + r_{13}^2)/2$,
/// $f = \min\bigl(1, \frac{1 - r_{23}}{2(1 - \overline{r^2})}\bigr)$ and
/// $h = \frac{1 - f\overline{r^2}}{1 - \overline{r^2}}$,
/// $$z = (z_{12} - z_{13})\sqrt{\frac{n-3}{2(1-r_{23})h}}$$
/// (Meng, Rosenthal & Rubin, 1992, eq. 1).
///
/// # Peer
/// `t` and its p equal R psych 2.2.9 `r.test(n, r12, r13, r23)` (`$t`, `$p`); `z` follows
/// the paper (checked against a transcription in tests/fixtures/framework/dependent.R).
///
/// # Example
/// ```
/// use trustscale::framework::dependent::dependent_correlations;
/// // psych::r.test(n = 100, r12 = .5, r13 = .3, r23 = .4)$t = 2.06499364923501
/// let t = dependent_correlations(100, 0.5, 0.3, 0.4).unwrap();
/// assert!((t.t - 2.06499364923501).abs() < 1e-12);
/// ```
pub fn dependent_correlations(n: usize, r12: f64, r13: f64, r23: f64) -> Option<DependentTest> {
    let ok = |r: f64| r.is_finite() && r.abs() < 1.0;
    if n < 5 || !ok(r12) || !ok(r13) || !ok(r23) {
        return None;
    }
    let nf = n as f64;
    let det = 1.0 - r12 * r12 - r23 * r23 - r13 * r13 + 2.0 * r12 * r23 * r13;
    let av = (r12 + r13) / 2.0;
    let cube = (1.0 - r23).powi(3);
    let diff = r12 - r13;
    let t = diff
        * ((nf - 1.0) * (1.0 + r23) / (2.0 * (nf - 1.0) / (nf - 3.0) * det + av * av * cube))
            .sqrt();
    let df = nf - 3.0;
    let rsq = (r12 * r12 + r13 * r13) / 2.0;
    let f = ((1.0 - r23) / (2.0 * (1.0 - rsq))).min(1.0);
    let h = (1.0 - f * rsq) / (1.0 - rsq);
    let z = (r12.atanh() - r13.atanh()) * ((nf - 3.0) / (2.0 * (1.0 - r23) * h)).sqrt();
    Some(DependentTest {
        diff,
        t,
        df,
        p: t_two_sided_p(t, df),
        z,
        p_z: 2.0 * normal_cdf(-z.abs()),
    })
}

/// Zou's (2007) confidence interval for $\rho_{12} - \rho_{13}$, two dependent overlapping
/// correlations on the same $n$ units (variable 1 shared, $r_{23}$ the correlation of the
/// other two), at level `level`; `None` for $n < 5$ or a correlation outside $(-1, 1)$.
///
/// # Formula
/// Each correlation gets its Fisher interval, $[l_j, u_j] = \tanh(\operatorname{atanh} r_{1j}
/// \mp z_{1-\alpha/2}/\sqrt{n-3})$, and the two are combined by the method of variance
/// estimates recovery (MOVER) with the correlation of the two estimates (Dunn & Clark, 1969;
/// Zou, 2007, eq. 13)
/// $$c = \frac{(r_{23} - \tfrac12 r_{12}r_{13})(1 - r_{12}^2 - r_{13}^2 - r_{23}^2) + r_{23}^3}{(1 - r_{12}^2)(1 - r_{13}^2)},$$
/// $$L = r_{12} - r_{13} - \sqrt{(r_{12} - l_2)^2 + (u_3 - r_{13})^2 - 2c(r_{12} - l_2)(u_3 - r_{13})},$$
/// $$U = r_{12} - r_{13} + \sqrt{(u_2 - r_{12})^2 + (r_{13} - l_3)^2 - 2c(u_2 - r_{12})(r_{13} - l_3)}.$$
/// The bounds inherit the asymmetry of the Fisher intervals, so they stay inside $[-2, 2]$ and
/// follow the skew of a difference of correlations far from zero.
///
/// # References
/// - Zou, G. Y. (2007). Toward using confidence intervals to compare correlations.
///   *Psychological Methods, 12*, 399–413.
/// - Dunn, O. J., & Clark, V. (1969). Correlation coefficients measured on the same
///   individuals. *Journal of the American Statistical Association, 64*, 366–377.
///
/// # Peer
/// The transcription in R of tests/fixtures/framework/zou.R (cocor's `zou2007` for
/// `cocor.dep.groups.overlap` computes the same formula; cocor does not install on this R).
pub fn zou_interval(n: usize, r12: f64, r13: f64, r23: f64, level: f64) -> Option<[f64; 2]> {
    let ok = |r: f64| r.is_finite() && r.abs() < 1.0;
    if !(n >= 5 && ok(r12) && ok(r13) && ok(r23) && level > 0.0 && level < 1.0) {
        return None;
    }
    let q = crate::dist::normal_quantile(0.5 + level / 2.0)?;
    let half = q / (n as f64 - 3.0).sqrt();
    let fisher = |r: f64| [(r.atanh() - half).tanh(), (r.atanh() + half).tanh()];
    let ([l2, u2], [l3, u3]) = (fisher(r12), fisher(r13));
    let c = ((r23 - 0.5 * r12 * r13) * (1.0 - r12 * r12 - r13 * r13 - r23 * r23) + r23 * r23 * r23)
        / ((1.0 - r12 * r12) * (1.0 - r13 * r13));
    let d = r12 - r13;
    let lo = d
        - ((r12 - l2).powi(2) + (u3 - r13).powi(2) - 2.0 * c * (r12 - l2) * (u3 - r13))
            .max(0.0)
            .sqrt();
    let hi = d
        + ((u2 - r12).powi(2) + (r13 - l3).powi(2) - 2.0 * c * (u2 - r12) * (r13 - l3))
            .max(0.0)
            .sqrt();
    Some([lo, hi])
}
