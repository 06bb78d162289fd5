//! Intraclass correlations of Shrout & Fleiss (1979), as R psych::ICC names them.

use crate::dist::{f_quantile, f_sf};
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options of [`icc`]; defaults as psych::ICC (2.2.9): 95% intervals.
#[derive(Debug, Clone)]
pub struct IccOptions {
    /// Confidence level of the intervals.
    pub ci: f64,
}

impl Default for IccOptions {
    fn default() -> Self {
        IccOptions { ci: 0.95 }
    }
}

/// One ICC form.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IccRow {
    /// `ICC1`, `ICC2`, `ICC3`, `ICC1k`, `ICC2k`, `ICC3k`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Shrout & Fleiss's description.
    pub description: String,
    /// The coefficient.
    pub icc: f64,
    /// F statistic.
    pub f: f64,
    /// Numerator df.
    pub df1: f64,
    /// Denominator df.
    pub df2: f64,
    /// Upper-tail p of F.
    pub p: f64,
    /// Confidence interval.
    pub ci: [f64; 2],
}

/// Mean squares of the two-way layout.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeanSquares {
    /// Between targets.
    pub msb: f64,
    /// Within targets.
    pub msw: f64,
    /// Between raters (judges).
    pub msj: f64,
    /// Residual.
    pub mse: f64,
}

/// Variance components of the crossed random-effects model (REML), when data are incomplete.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VarianceComponents {
    /// Targets.
    pub target: f64,
    /// Raters.
    pub rater: f64,
    /// Residual.
    pub residual: f64,
    /// REML log-likelihood.
    pub loglik_reml: f64,
}

impl IccOptions {
    /// Rejects unusable options before any data are read.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--ci`) for a level outside (0, 1).
    pub fn validate(&self) -> Result<()> {
        if !(self.ci > 0.0 && self.ci < 1.0) {
            return Err(Error::option("--ci", "expected a level between 0 and 1"));
        }
        Ok(())
    }
}

/// Result of [`icc`]; keys as in the CLI contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IccResult {
    /// Targets (rows of the wide layout).
    pub n_targets: usize,
    /// Raters (columns).
    pub n_raters: usize,
    /// Ratings present.
    pub n_ratings: usize,
    /// `"anova"` (complete data) or `"reml"` (missing ratings).
    pub method: String,
    /// The six forms.
    pub icc: Vec<IccRow>,
    /// The mean squares used.
    pub mean_squares: MeanSquares,
    /// REML variance components (missing ratings only).
    pub variance_components: Option<VarianceComponents>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// ICCs of a targets-by-raters table (row-major, `NaN` = missing rating).
///
/// # Formula
/// From the two-way mean squares (targets $MSB$, raters $MSJ$, residual $MSE$, within targets
/// $MSW$), $n$ targets and $k$ raters:
/// $$ICC1 = \frac{MSB-MSW}{MSB+(k-1)MSW},\quad ICC2 = \frac{MSB-MSE}{MSB+(k-1)MSE+k(MSJ-MSE)/n},\quad
///   ICC3 = \frac{MSB-MSE}{MSB+(k-1)MSE}$$
/// and the average-measure forms $\frac{MSB-MSW}{MSB}$, $\frac{MSB-MSE}{MSB+(MSJ-MSE)/n}$,
/// $\frac{MSB-MSE}{MSB}$. F tests $MSB/MSW$ on $(n-1, n(k-1))$ and $MSB/MSE$ on
/// $(n-1, (n-1)(k-1))$; intervals of Shrout & Fleiss (1979), with the Satterthwaite-type df of
/// ICC2 (McGraw & Wong, 1996).
///
/// Complete data: exact ANOVA. Missing ratings: the variance components of
/// $y_{ij} = \mu + a_i + b_j + e_{ij}$ (crossed random targets and raters) by REML, turned into
/// mean squares as psych does with lme4: $MSB = k\sigma^2_a + \sigma^2_e$,
/// $MSJ = n\sigma^2_b + \sigma^2_e$, $MSW = \sigma^2_e + \sigma^2_b$, $MSE = \sigma^2_e$; no target
/// is dropped.
///
/// # Reference
/// Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
/// reliability. *Psychological Bulletin, 86*, 420–428. McGraw, K. O., & Wong, S. P. (1996).
/// *Psychological Methods, 1*, 30–46.
///
/// # Peer
/// R psych::ICC (2.2.9): `lmer = FALSE` for complete data (the reference cases), `lmer = TRUE`
/// (lme4 REML) for missing ratings.
///
/// # Deviations
/// None known. With complete data psych's default `lmer = TRUE` rebuilds MSW from the variance
/// components ($\sigma^2_e + \sigma^2_b$), which is not the ANOVA MSW; we use the exact ANOVA there.
pub fn icc(values: &[f64], n: usize, k: usize, opts: &IccOptions) -> Result<IccResult> {
    opts.validate()?;
    if n < 2 || k < 2 || values.len() != n * k {
        return Err(Error::option(
            "--raters",
            format!("ICC needs at least 2 targets and 2 raters (found {n} x {k})"),
        ));
    }
    let n_ratings = values.iter().filter(|v| !v.is_nan()).count();
    let mut warnings = Vec::new();
    let complete = n_ratings == n * k;
    let (ms, vc, method) = if complete {
        (anova(values, n, k), None, "anova")
    } else {
        for i in 0..n {
            if values[i * k..(i + 1) * k].iter().all(|v| v.is_nan()) {
                return Err(Error::option(
                    "--raters",
                    format!("target {} has no ratings", i + 1),
                ));
            }
        }
        let vc = reml_crossed(values, n, k)?;
        warnings.push(Warning::new(
            WarningCode::Pairwise,
            format!("{} of {} ratings are missing: mean squares rebuilt from REML variance components (psych::ICC with lmer)", n * k - n_ratings, n * k),
        ));
        let ms = MeanSquares {
            msb: k as f64 * vc.target + vc.residual,
            msj: n as f64 * vc.rater + vc.residual,
            msw: vc.residual + vc.rater,
            mse: vc.residual,
        };
        (ms, Some(vc), "reml")
    };
    let rows = forms(&ms, n as f64, k as f64, 1.0 - opts.ci);
    if rows.iter().any(|r| !r.icc.is_finite()) {
        warnings.push(Warning::new(
            WarningCode::Note,
            "the ratings do not vary between targets or within them (zero mean squares): the ICCs without a value, their F tests and intervals are undefined (null)",
        ));
    }
    Ok(IccResult {
        n_targets: n,
        n_raters: k,
        n_ratings,
        method: method.into(),
        icc: rows,
        mean_squares: ms,
        variance_components: vc,
        warnings,
    })
}

fn anova(x: &[f64], n: usize, k: usize) -> MeanSquares {
    let nf = n as f64;
    let kf = k as f64;
    let grand = x.iter().sum::<f64>() / (nf * kf);
    let row: Vec<f64> = (0..n)
        .map(|i| x[i * k..(i + 1) * k].iter().sum::<f64>() / kf)
        .collect();
    let col: Vec<f64> = (0..k)
        .map(|j| (0..n).map(|i| x[i * k + j]).sum::<f64>() / nf)
        .collect();
    let ssb: f64 = row.iter().map(|m| (m - grand).powi(2)).sum::<f64>() * kf;
    let ssj: f64 = col.iter().map(|m| (m - grand).powi(2)).sum::<f64>() * nf;
    let ssw: f64 = (0..n)
        .map(|i| {
            x[i * k..(i + 1) * k]
                .iter()
                .map(|v| (v - row[i]).powi(2))
                .sum::<f64>()
        })
        .sum();
    let sse = ssw - ssj;
    MeanSquares {
        msb: ssb / (nf - 1.0),
        msw: ssw / (nf * (kf - 1.0)),
        msj: ssj / (kf - 1.0),
        mse: sse / ((nf - 1.0) * (kf - 1.0)),
    }
}

fn forms(ms: &MeanSquares, n: f64, k: f64, alpha: f64) -> Vec<IccRow> {
    let MeanSquares { msb, msw, msj, mse } = *ms;
    let icc1 = (msb - msw) / (msb + (k - 1.0) * msw);
    let icc2 = (msb - mse) / (msb + (k - 1.0) * mse + k * (msj - mse) / n);
    let icc3 = (msb - mse) / (msb + (k - 1.0) * mse);
    let icc1k = (msb - msw) / msb;
    let icc2k = (msb - mse) / (msb + (msj - mse) / n);
    let icc3k = (msb - mse) / msb;
    let f11 = msb / msw;
    let (d11n, d11d) = (n - 1.0, n * (k - 1.0));
    let f21 = msb / mse;
    let (d21n, d21d) = (n - 1.0, (n - 1.0) * (k - 1.0));
    let q = |p: f64, a: f64, b: f64| f_quantile(p, a, b).unwrap_or(f64::NAN);
    let up = 1.0 - alpha / 2.0;
    let f1l = f11 / q(up, d11n, d11d);
    let f1u = f11 * q(up, d11d, d11n);
    let f3l = f21 / q(up, d21n, d21d);
    let f3u = f21 * q(up, d21d, d21n);
    // ICC2: Satterthwaite-type df (McGraw & Wong 1996, as psych)
    let fj = msj / mse;
    let vn =
        (k - 1.0) * (n - 1.0) * (k * icc2 * fj + n * (1.0 + (k - 1.0) * icc2) - k * icc2).powi(2);
    let vd = (n - 1.0) * k * k * icc2 * icc2 * fj * fj
        + (n * (1.0 + (k - 1.0) * icc2) - k * icc2).powi(2);
    let v = vn / vd;
    let f2u = q(up, n - 1.0, v);
    let f2l = q(up, v, n - 1.0);
    let l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb);
    let u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb);
    let p11 = f_sf(f11, d11n, d11d);
    let p21 = f_sf(f21, d21n, d21d);
    let row = |kind: &str,
               description: &str,
               icc: f64,
               f: f64,
               df1: f64,
               df2: f64,
               p: f64,
               ci: [f64; 2]| IccRow {
        kind: kind.into(),
        description: description.into(),
        icc,
        f,
        df1,
        df2,
        p,
        ci,
    };
    vec![
        row(
            "ICC1",
            "single raters, absolute (one-way random)",
            icc1,
            f11,
            d11n,
            d11d,
            p11,
            [(f1l - 1.0) / (f1l + k - 1.0), (f1u - 1.0) / (f1u + k - 1.0)],
        ),
        row(
            "ICC2",
            "single random raters (two-way random, absolute agreement)",
            icc2,
            f21,
            d21n,
            d21d,
            p21,
            [l2, u2],
        ),
        row(
            "ICC3",
            "single fixed raters (two-way mixed, consistency)",
            icc3,
            f21,
            d21n,
            d21d,
            p21,
            [(f3l - 1.0) / (f3l + k - 1.0), (f3u - 1.0) / (f3u + k - 1.0)],
        ),
        row(
            "ICC1k",
            "average of k raters, absolute (one-way random)",
            icc1k,
            f11,
            d11n,
            d11d,
            p11,
            [1.0 - 1.0 / f1l, 1.0 - 1.0 / f1u],
        ),
        row(
            "ICC2k",
            "average of k random raters",
            icc2k,
            f21,
            d21n,
            d21d,
            p21,
            [
                l2 * k / (1.0 + l2 * (k - 1.0)),
                u2 * k / (1.0 + u2 * (k - 1.0)),
            ],
        ),
        row(
            "ICC3k",
            "average of k fixed raters",
            icc3k,
            f21,
            d21n,
            d21d,
            p21,
            [1.0 - 1.0 / f3l, 1.0 - 1.0 / f3u],
        ),
    ]
}

/// REML fit of $y_{ij} = \mu + a_i + b_j + e_{ij}$ with crossed random targets ($a$) and
/// raters ($b$), from the observed cells of an $n \times k$ table.
///
/// # Algorithm
/// Profiled REML over the relative standard deviations $\theta = (\sigma_a/\sigma_e,
/// \sigma_b/\sigma_e) \ge 0$ (lme4's parameterisation):
/// $$-2\ell_R(\theta) = (N-1)\bigl(1 + \log 2\pi\hat\sigma^2_e\bigr) + \log|D_\theta| + \log|C_\theta|,$$
/// with $C_\theta$ Henderson's mixed-model matrix, $D_\theta = \mathrm{diag}(\theta_a^2 I_n,
/// \theta_b^2 I_k)$ and $\hat\sigma^2_e = (y'y - \hat\beta'X'y - \hat u'Z'y)/(N-1)$. The target
/// block of $C$ is diagonal and is eliminated first, leaving a $(1+k)$ system, so one
/// evaluation costs $O(N + nk^2 + k^3)$. Nelder–Mead on $\theta$ (the objective is even in
/// each $\theta$, so the bound at 0 is handled by symmetry), then the variances.
///
/// # Reference
/// Harville, D. A. (1977). *JASA, 72*, 320–338. Bates, D., Mächler, M., Bolker, B., & Walker, S.
/// (2015). Fitting linear mixed-effects models using lme4. *Journal of Statistical Software, 67*(1).
pub fn reml_crossed(values: &[f64], n: usize, k: usize) -> Result<VarianceComponents> {
    let obs: Vec<(usize, usize, f64)> = (0..n)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .filter_map(|(i, j)| {
            let v = values[i * k + j];
            (!v.is_nan()).then_some((i, j, v))
        })
        .collect();
    let big_n = obs.len();
    if big_n < 3 {
        return Err(Error::option(
            "--raters",
            "too few ratings for variance components",
        ));
    }
    let f = |th: &[f64]| crossed_objective(&obs, n, k, th[0].abs(), th[1].abs()).0;
    let (theta, _, _) = crate::numeric::optim::nelder_mead(&f, &[1.0, 0.5], 1e-12, 20_000);
    let theta: Vec<f64> = theta.iter().map(|t| t.abs()).collect();
    let (dev, s2) = crossed_objective(&obs, n, k, theta[0].abs(), theta[1].abs());
    Ok(VarianceComponents {
        target: theta[0] * theta[0] * s2,
        rater: theta[1] * theta[1] * s2,
        residual: s2,
        loglik_reml: -0.5 * dev,
    })
}

/// $-2\ell_R$ and $\hat\sigma^2_e$ at relative sds `ta`, `tb`.
fn crossed_objective(
    obs: &[(usize, usize, f64)],
    n: usize,
    k: usize,
    ta: f64,
    tb: f64,
) -> (f64, f64) {
    let big_n = obs.len() as f64;
    let (va, vb) = (ta * ta, tb * tb);
    // counts and sums
    let mut ni = vec![0.0; n];
    let mut yi = vec![0.0; n];
    let mut mj = vec![0.0; k];
    let mut yj = vec![0.0; k];
    let mut nab = DMatrix::<f64>::zeros(n, k);
    let mut yy = 0.0;
    let mut ysum = 0.0;
    for &(i, j, y) in obs {
        ni[i] += 1.0;
        yi[i] += y;
        mj[j] += 1.0;
        yj[j] += y;
        nab[(i, j)] += 1.0;
        yy += y * y;
        ysum += y;
    }
    // rest = [mu, b_1..b_k]
    let m = 1 + k;
    let mut s = DMatrix::<f64>::zeros(m, m);
    let mut r = DVector::<f64>::zeros(m);
    s[(0, 0)] = big_n;
    r[0] = ysum;
    for j in 0..k {
        s[(0, j + 1)] = mj[j];
        s[(j + 1, 0)] = mj[j];
        s[(j + 1, j + 1)] = mj[j] + if vb > 0.0 { 1.0 / vb } else { 0.0 };
        r[j + 1] = yj[j];
    }
    let mut logdet = 0.0;
    let mut da = vec![0.0; n];
    if va > 0.0 {
        for i in 0..n {
            let d = ni[i] + 1.0 / va;
            da[i] = d;
            logdet += d.ln();
            // subtract C_ra D^-1 C_ar and the rhs part
            let mut col = DVector::<f64>::zeros(m);
            col[0] = ni[i];
            for j in 0..k {
                col[j + 1] = nab[(i, j)];
            }
            for p in 0..m {
                if col[p] == 0.0 {
                    continue;
                }
                for q in 0..m {
                    s[(p, q)] -= col[p] * col[q] / d;
                }
                r[p] -= col[p] * yi[i] / d;
            }
        }
    }
    // without random raters, their block is not in the model: keep only mu
    let keep: Vec<usize> = if vb > 0.0 { (0..m).collect() } else { vec![0] };
    let sk = s.select_rows(&keep).select_columns(&keep);
    let rk = DVector::from_iterator(keep.len(), keep.iter().map(|&p| r[p]));
    let Some(ch) = sk.clone().cholesky() else {
        return (f64::INFINITY, f64::NAN);
    };
    let sol = ch.solve(&rk);
    logdet += 2.0 * ch.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    // y'H^-1 y (times sigma^2) = y'y - [mu, a, b]'rhs; with the target block eliminated this is
    // y'y - sol'rhs_reduced - sum_i y_i.^2 / d_i
    let mut quad = yy - sol.dot(&rk);
    if va > 0.0 {
        quad -= (0..n).map(|i| yi[i] * yi[i] / da[i]).sum::<f64>();
    }
    let mut logd = 0.0;
    if va > 0.0 {
        logd += n as f64 * va.ln();
    }
    if vb > 0.0 {
        logd += k as f64 * vb.ln();
    }
    let df = big_n - 1.0;
    let s2 = quad / df;
    let dev = df * (1.0 + (2.0 * std::f64::consts::PI * s2).ln()) + logd + logdet;
    (dev, s2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
    const SF: [f64; 24] = [
        9.0, 2.0, 5.0, 8.0, 6.0, 1.0, 3.0, 2.0, 8.0, 4.0, 6.0, 8.0, 7.0, 1.0, 2.0, 6.0, 10.0, 5.0,
        6.0, 9.0, 6.0, 2.0, 4.0, 7.0,
    ];

    #[test]
    fn shrout_fleiss_published_values() {
        // published (p. 426): .17 .29 .71 .44 .62 .91
        let r = icc(&SF, 6, 4, &IccOptions::default()).unwrap();
        let want = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91];
        for (row, w) in r.icc.iter().zip(want) {
            assert!((row.icc - w).abs() < 0.005, "{} {}", row.kind, row.icc);
        }
    }

    #[test]
    fn reml_on_complete_data_gives_the_anova_components() {
        let ms = anova(&SF, 6, 4);
        let vc = reml_crossed(&SF, 6, 4).unwrap();
        // balanced data: REML = ANOVA estimators when positive
        assert!(
            (vc.residual - ms.mse).abs() < 1e-6 * ms.mse,
            "{} {}",
            vc.residual,
            ms.mse
        );
        assert!((vc.target - (ms.msb - ms.mse) / 4.0).abs() < 1e-6);
        assert!((vc.rater - (ms.msj - ms.mse) / 6.0).abs() < 1e-6);
    }

    #[test]
    fn missing_ratings_match_psych_with_lme4() {
        // R 4.2.2, psych 2.2.9 ICC(x) (lmer = TRUE, lme4 1.1.31) on the Shrout & Fleiss table
        // with x[2,3], x[5,1], x[6,4] removed: variance components 2.81070857953046 (targets),
        // 5.06747301557354 (raters), 1.07362951355091 (residual); logLik -41.1885962111757 (REML)
        let mut x = SF;
        x[4 + 2] = f64::NAN;
        x[4 * 4] = f64::NAN;
        x[5 * 4 + 3] = f64::NAN;
        let r = icc(&x, 6, 4, &IccOptions::default()).unwrap();
        let vc = r.variance_components.clone().unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 2e-6 * b.abs().max(1.0);
        assert!(close(vc.target, 2.81070857953046), "{}", vc.target);
        assert!(close(vc.rater, 5.06747301557354), "{}", vc.rater);
        assert!(close(vc.residual, 1.07362951355091), "{}", vc.residual);
        assert!(
            (vc.loglik_reml + 41.1885962111757).abs() < 1e-7,
            "{}",
            vc.loglik_reml
        );
        let want = [
            0.200891581735123,
            0.313982114391687,
            0.723600395273724,
            0.501390771486526,
            0.646736951296666,
            0.912829727085303,
        ];
        for (row, w) in r.icc.iter().zip(want) {
            assert!(
                (row.icc - w).abs() < 2e-6,
                "{} {} vs {w}",
                row.kind,
                row.icc
            );
        }
        assert_eq!(r.method, "reml");
    }
}
