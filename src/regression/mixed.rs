//! Linear mixed models by profiled REML: a random intercept (and optionally a random slope, or
//! a nested random intercept per level of a 0/1 predictor) per group, as
//! `lme4::lmer(y ~ x + (1 | g))`, `lmer(y ~ x + (1 + x1 | g))` and
//! `lmer(y ~ x + (1 | g) + (1 | g:x1))`.

use super::ols::mean;
use super::qr::INTERCEPT;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::numeric::optim::{brent_min, nelder_mead, BrentOptions};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options of [`lmm_reml`]; defaults as lme4 1.1.31 `lmer(REML = TRUE)`: random intercept only.
#[derive(Debug, Clone, Default)]
pub struct MixedOptions {
    /// Predictor column (0-based, in `x`) that also gets a random slope, correlated with the
    /// random intercept.
    pub random_slope: Option<usize>,
}

/// Which random effects a fit has.
struct Structure {
    random_slope: Option<usize>,
    nested: Option<usize>,
}

/// REML fit of `(1 | g) + (1 | g:x)`: a random intercept per group and one per group and
/// level of the 0/1 predictor column `nested` of `x` (independent of the group's), e.g. a
/// leader × wave effect when the column is the follow-up indicator; lme4's
/// `lmer(y ~ x + (1 | g) + (1 | g:x_j), REML = TRUE)`. See [`lmm_reml`] for the criterion and
/// the result's keys.
pub fn lmm_reml_nested(
    x: &DMatrix<f64>,
    y: &[f64],
    groups: &[usize],
    names: &[String],
    nested: usize,
) -> Result<MixedResult> {
    fit(
        x,
        y,
        groups,
        names,
        &Structure {
            random_slope: None,
            nested: Some(nested),
        },
    )
}

/// One fixed effect.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FixedEffect {
    /// Term (`(Intercept)` for the intercept).
    pub term: String,
    /// Estimate (GLS at the REML variance components).
    pub estimate: f64,
    /// Standard error from $\hat\sigma^2(X'V^{-1}X)^{-1}$, as lme4's `vcov`.
    pub se: f64,
    /// `estimate / se`.
    pub t: f64,
}

/// The random slope's variance components.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RandomSlope {
    /// The predictor with the random slope.
    pub term: String,
    /// Variance of the slopes.
    pub var_slope: f64,
    /// Covariance of intercepts and slopes.
    pub cov_intercept_slope: f64,
    /// Their correlation (`null` when a variance is 0).
    pub cor_intercept_slope: Option<f64>,
}

/// Result of [`lmm_reml`]; keys as in the CLI contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MixedResult {
    /// Rows used.
    pub n: usize,
    /// Groups.
    pub n_groups: usize,
    /// Fixed effects, intercept first.
    pub fixed: Vec<FixedEffect>,
    /// Variance of the random intercepts.
    pub var_group: f64,
    /// Residual variance.
    pub var_residual: f64,
    /// `var_group / (var_group + var_residual)` (random-intercept models; `null` with a random slope).
    pub icc: Option<f64>,
    /// REML log-likelihood with all constants (lme4's `logLik(m, REML = TRUE)`).
    pub loglik_reml: f64,
    /// lme4's "REML criterion at convergence", $-2\ell_R$.
    pub reml_criterion: f64,
    /// $-2\ell_R + 2d$, $d$ = fixed effects + variance parameters + 1 (lme4's `AIC`).
    pub aic: f64,
    /// $-2\ell_R + d\log n$.
    pub bic: f64,
    /// lme4's relative covariance factor parameters: $\sigma_g/\sigma$, or
    /// $(\Lambda_{11}, \Lambda_{21}, \Lambda_{22})$ with a random slope.
    pub theta: Vec<f64>,
    /// The random slope, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random_slope: Option<RandomSlope>,
    /// Whether the optimiser met its convergence criterion.
    pub converged: bool,
    /// Objective evaluations.
    pub evaluations: usize,
    /// A variance component at its boundary 0 (lme4's `isSingular`).
    pub singular: bool,
    /// Warnings (left out of the JSON when empty: [`super::regress`] moves them into its own).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Sufficient statistics of the augmented matrix $A = [1, X - \bar X, y - \bar y]$.
struct Stats {
    n: usize,
    /// columns of A: q = p + 1 fixed effects, then y
    q: usize,
    /// group sizes
    ng: Vec<f64>,
    /// random intercept: within-group scatter of A, (q+1)^2
    within: DMatrix<f64>,
    /// random intercept: group means of A, row-major G x (q+1)
    means: Vec<f64>,
    /// random slope: A'A
    ata: DMatrix<f64>,
    /// random slope: per group Z_g'Z_g (2x2) and Z_g'A_g (2 x (q+1))
    ztz: Vec<[f64; 3]>,
    zta: Vec<f64>,
}

/// REML fit of a linear mixed model with a random intercept per group (and optionally one
/// random slope), predictors `x` (`n x p`, no intercept column), `groups[i]` the 0-based group
/// of row i.
///
/// # Formula
/// $y = X\beta + Zb + e$, $b_g \sim N(0, \sigma^2\Lambda\Lambda')$, $e \sim N(0, \sigma^2 I)$.
/// lme4's profiled REML criterion over $\theta$ (the entries of $\Lambda$):
/// $$-2\ell_R(\theta) = \log|I + \Lambda'Z'Z\Lambda| + \log|X'WX| + (n-k)\Bigl(1 + \log\frac{2\pi\\, r^2(\theta)}{n-k}\Bigr),$$
/// $W = (I + Z\Lambda\Lambda'Z')^{-1}$, $r^2 = y'Wy - y'WX(X'WX)^{-1}X'Wy$, $\hat\sigma^2 = r^2/(n-k)$.
/// $W$ is block diagonal by group. Random intercept ($\Lambda = \theta$): with group sizes $n_g$,
/// group means $m_g$ and the within-group scatter $S_w$ of $A = [X, y]$,
/// $$A'WA = S_w + \sum_g \frac{n_g}{1 + n_g\theta^2}\\, m_g m_g', \qquad
///   \log|I + \theta^2 Z'Z| = \sum_g \log(1 + n_g\theta^2),$$
/// so after one $O(nk^2)$ pass each evaluation costs $O(Gk^2)$; $\theta$ is found by a grid on
/// $[0, 10^4]$ and Brent's (1973) minimiser around the best grid point, with $\theta = 0$ checked
/// explicitly. Random slope ($Z_g = [1, x_g]$, $\Lambda$ 2×2 lower triangular): by Woodbury,
/// $A'WA = A'A - \sum_g B_g'T_g^{-1}B_g$ with $T_g = I + \Lambda'Z_g'Z_g\Lambda$,
/// $B_g = \Lambda'Z_g'A_g$, and $\log|I + \Lambda'Z'Z\Lambda| = \sum_g\log|T_g|$; $\theta$ by
/// Nelder–Mead from lme4's start $(1, 0, 1)$, restarted until it no longer improves. Then
/// $\hat\beta = (X'WX)^{-1}X'Wy$ and $\widehat{\mathrm{Var}}(\hat\beta) = \hat\sigma^2(X'WX)^{-1}$,
/// from the Cholesky factor of $A'WA$; the predictors are centred first (the criterion is
/// invariant to that, and the intercept is transformed back).
/// Nested random intercepts `(1 | g) + (1 | g:x)` for a 0/1 predictor $x$ ([`lmm_reml_nested`])
/// are the random-slope
/// model with $\Lambda$ restricted to two parameters (see `nested_factor`), found by
/// Nelder–Mead from lme4's start $(1, 1)$; then `theta` is lme4's $(\sigma_{gx}/\sigma,
/// \sigma_g/\sigma)$, `var_group` is $\sigma^2_g$, $\sigma^2_{gx}$ = `theta[0]`² ·
/// `var_residual`, and `icc` is `null`.
///
/// # Reference
/// Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models
/// using lme4. *Journal of Statistical Software, 67*(1), eqs. 41–43. Brent, R. P. (1973).
/// *Algorithms for minimization without derivatives*, ch. 5. Nelder, J. A., & Mead, R. (1965).
/// *Computer Journal, 7*, 308–313.
///
/// # Peer
/// R lme4 1.1.31: `lmer(y ~ x1 + ... + (1 | g), REML = TRUE)`: `fixef`, `sqrt(diag(vcov))`,
/// `VarCorr`, `logLik(m, REML = TRUE)`, `AIC`, `BIC`; with `(1 + x1 | g)` for the random slope
/// and `(1 | g) + (1 | g:x1)` for the nested intercepts (`tests/fixtures/mixed_nested/`).
///
/// # Deviations
/// None by design; the optimum is located more tightly than lme4's default optimiser does
/// (differences of order 1e-7 in the variances).
pub fn lmm_reml(
    x: &DMatrix<f64>,
    y: &[f64],
    groups: &[usize],
    names: &[String],
    opts: &MixedOptions,
) -> Result<MixedResult> {
    fit(
        x,
        y,
        groups,
        names,
        &Structure {
            random_slope: opts.random_slope,
            nested: None,
        },
    )
}

/// [`lmm_reml`] and [`lmm_reml_nested`].
fn fit(
    x: &DMatrix<f64>,
    y: &[f64],
    groups: &[usize],
    names: &[String],
    opts: &Structure,
) -> Result<MixedResult> {
    let n = x.nrows();
    let p = x.ncols();
    let q = p + 1;
    if y.len() != n || groups.len() != n || names.len() != p {
        return Err(Error::option(
            "--multilevel",
            "data, groups and names differ in length",
        ));
    }
    if opts.random_slope.is_some() && opts.nested.is_some() {
        return Err(Error::option(
            "--random-slope",
            "a random slope and a nested random intercept cannot be combined",
        ));
    }
    if let Some(j) = opts.nested {
        if j >= p || (0..n).any(|i| x[(i, j)] != 0.0 && x[(i, j)] != 1.0) {
            return Err(Error::option(
                "--multilevel",
                "the nested random intercept needs one of the predictors coded 0/1",
            ));
        }
    }
    if let Some(s) = opts.random_slope {
        if s >= p {
            return Err(Error::option(
                "--random-slope",
                "the random slope must be one of the predictors",
            ));
        }
    }
    let g = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut ng = vec![0.0; g];
    for &gi in groups {
        ng[gi] += 1.0;
    }
    let n_groups = ng.iter().filter(|&&c| c > 0.0).count();
    if n_groups < 2 {
        return Err(Error::option(
            "--multilevel",
            format!("a random intercept needs at least 2 groups, found {n_groups}"),
        ));
    }
    if n_groups >= n {
        return Err(Error::option(
            "--multilevel",
            format!("the number of groups ({n_groups}) must be below the number of rows ({n}), as lme4 requires"),
        ));
    }
    if (opts.random_slope.is_some() || opts.nested.is_some()) && n <= 2 * n_groups {
        return Err(Error::option(
            "--random-slope",
            format!("{n} rows are too few for {} random effects (lme4 needs more rows than random effects)", 2 * n_groups),
        ));
    }
    if n <= q {
        return Err(Error::TooFewRows {
            at: crate::Location::default(),
            needed: q + 1,
            got: n,
        });
    }
    // centre predictors and outcome (the criterion is invariant; beta_0 is transformed back)
    let mu: Vec<f64> = (0..p)
        .map(|j| mean(&x.column(j).iter().copied().collect::<Vec<_>>()))
        .collect();
    let mu_y = mean(y);
    let w = q + 1;
    let row_a = |i: usize, out: &mut [f64]| {
        out[0] = 1.0;
        for j in 0..p {
            out[j + 1] = x[(i, j)] - mu[j];
        }
        out[q] = y[i] - mu_y;
    };
    let mut a = vec![0.0; w];
    let stats = match opts.random_slope.or(opts.nested) {
        None => {
            let mut means = vec![0.0; g * w];
            for (i, &gi) in groups.iter().enumerate() {
                row_a(i, &mut a);
                for (m, v) in means[gi * w..(gi + 1) * w].iter_mut().zip(&a) {
                    *m += v;
                }
            }
            for (gi, &c) in ng.iter().enumerate() {
                if c > 0.0 {
                    means[gi * w..(gi + 1) * w].iter_mut().for_each(|m| *m /= c);
                }
            }
            let mut within = DMatrix::<f64>::zeros(w, w);
            for (i, &gi) in groups.iter().enumerate() {
                row_a(i, &mut a);
                for (v, m) in a.iter_mut().zip(&means[gi * w..(gi + 1) * w]) {
                    *v -= m;
                }
                for r in 1..w {
                    for c in 1..=r {
                        within[(r, c)] += a[r] * a[c];
                    }
                }
            }
            Stats {
                n,
                q,
                ng,
                within,
                means,
                ata: DMatrix::zeros(0, 0),
                ztz: Vec::new(),
                zta: Vec::new(),
            }
        }
        Some(s) => {
            let mut ata = DMatrix::<f64>::zeros(w, w);
            let mut ztz = vec![[0.0; 3]; g];
            let mut zta = vec![0.0; g * 2 * w];
            for i in 0..n {
                row_a(i, &mut a);
                let gi = groups[i];
                let xs = x[(i, s)];
                for r in 0..w {
                    for c in 0..=r {
                        ata[(r, c)] += a[r] * a[c];
                    }
                }
                let z = &mut ztz[gi];
                z[0] += 1.0;
                z[1] += xs;
                z[2] += xs * xs;
                let za = &mut zta[gi * 2 * w..(gi + 1) * 2 * w];
                for c in 0..w {
                    za[c] += a[c];
                    za[w + c] += xs * a[c];
                }
            }
            Stats {
                n,
                q,
                ng,
                within: DMatrix::zeros(0, 0),
                means: Vec::new(),
                ata,
                ztz,
                zta,
            }
        }
    };
    let mut warnings = Vec::new();
    let (theta, evaluations, converged) = match (opts.random_slope, opts.nested) {
        (None, None) => {
            let (t, ev) = optimise_intercept(&stats)?;
            (vec![t], ev, true)
        }
        (None, Some(_)) => {
            let f = |t: &[f64]| {
                stats
                    .criterion(&nested_factor(t[0], t[1]))
                    .map_or(f64::INFINITY, |c| c.dev)
            };
            let (t, ev, conv) = nelder_mead(&f, &[1.0, 1.0], 1e-13, 20_000);
            (vec![t[0].abs(), t[1].abs()], ev, conv)
        }
        (Some(_), _) => {
            let f = |t: &[f64]| stats.criterion(t).map_or(f64::INFINITY, |c| c.dev);
            let (mut t, ev, conv) = nelder_mead(&f, &[1.0, 0.0, 1.0], 1e-13, 20_000);
            if t[0] < 0.0 {
                t[0] = -t[0];
                t[1] = -t[1];
            }
            t[2] = t[2].abs();
            (t, ev, conv)
        }
    };
    if !converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!("the REML optimiser stopped after {evaluations} evaluations without meeting its tolerance"),
        ));
    }
    let lambda = match opts.nested {
        Some(_) => nested_factor(theta[0], theta[1]).to_vec(),
        None => theta.clone(),
    };
    let crit = stats
        .criterion(&lambda)
        .ok_or_else(|| Error::NotPositiveDefinite {
            what: "X'V^-1X of the mixed model".into(),
            index: "fixed effects".into(),
        })?;
    let s2 = crit.s2;
    // back to the original predictors: beta_0 = b_0 - mu'b_slopes + mu_y, Var via T = [1, -mu'; 0, I]
    let mut beta = crit.beta.clone();
    beta[0] += mu_y - (0..p).map(|j| mu[j] * crit.beta[j + 1]).sum::<f64>();
    let mut tm = DMatrix::<f64>::identity(q, q);
    for j in 0..p {
        tm[(0, j + 1)] = -mu[j];
    }
    let vc = &tm * (&crit.cov_unscaled * s2) * tm.transpose();
    let mut terms = vec![INTERCEPT.to_string()];
    terms.extend(names.iter().cloned());
    let fixed = (0..q)
        .map(|j| {
            let se = vc[(j, j)].max(0.0).sqrt();
            FixedEffect {
                term: terms[j].clone(),
                estimate: beta[j],
                se,
                t: beta[j] / se,
            }
        })
        .collect();
    let loglik = -0.5 * crit.dev;
    let npar = (q + theta.len() + 1) as f64;
    let (var_group, random_slope, singular) = match (opts.random_slope, opts.nested) {
        (None, None) => {
            let vg = theta[0] * theta[0] * s2;
            (vg, None, theta[0] < 1e-4)
        }
        (None, Some(_)) => (
            theta[1] * theta[1] * s2,
            None,
            theta[0] < 1e-4 || theta[1] < 1e-4,
        ),
        (Some(s), _) => {
            let (l11, l21, l22) = (theta[0], theta[1], theta[2]);
            let v0 = l11 * l11 * s2;
            let v1 = (l21 * l21 + l22 * l22) * s2;
            let c01 = l11 * l21 * s2;
            let cor = (v0 > 0.0 && v1 > 0.0).then(|| c01 / (v0 * v1).sqrt());
            (
                v0,
                Some(RandomSlope {
                    term: names[s].clone(),
                    var_slope: v1,
                    cov_intercept_slope: c01,
                    cor_intercept_slope: cor,
                }),
                l11 < 1e-4 || l22 < 1e-4,
            )
        }
    };
    if singular {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "boundary (singular) fit: a random-effect variance is estimated at or near 0 (lme4's isSingular)",
        ));
    }
    Ok(MixedResult {
        n,
        n_groups,
        fixed,
        var_group,
        var_residual: s2,
        icc: (random_slope.is_none() && opts.nested.is_none())
            .then(|| var_group / (var_group + s2)),
        loglik_reml: loglik,
        reml_criterion: crit.dev,
        aic: crit.dev + 2.0 * npar,
        bic: crit.dev + (n as f64).ln() * npar,
        theta,
        random_slope,
        converged,
        evaluations,
        singular,
        warnings,
    })
}

/// The nested model `(1 | g) + (1 | g:x)` (x = 0/1) as the random-slope model on $Z_g = [1, x]$:
/// with $\theta = (\theta_{gx}, \theta_g)$ (lme4's order: the term with more levels first) the
/// group's effects at $x = 0$ and $x = 1$ are $u_g + u_{g0}$ and $u_g + u_{g1}$, so the
/// intercept and slope $(b_0, b_1) = (u_g + u_{g0}, u_{g1} - u_{g0})$ have relative covariance
/// $\begin{pmatrix}\theta_g^2 + \theta_{gx}^2 & -\theta_{gx}^2\\ -\theta_{gx}^2 & 2\theta_{gx}^2\end{pmatrix}$,
/// returned as its lower Cholesky factor $(\Lambda_{11}, \Lambda_{21}, \Lambda_{22})$.
fn nested_factor(t_gx: f64, t_g: f64) -> [f64; 3] {
    let v0 = t_g * t_g + t_gx * t_gx;
    if v0 <= 0.0 {
        return [0.0; 3];
    }
    let l11 = v0.sqrt();
    let l21 = -t_gx * t_gx / l11;
    let l22 = (2.0 * t_gx * t_gx - l21 * l21).max(0.0).sqrt();
    [l11, l21, l22]
}

/// The profiled criterion and the GLS solution at one theta.
struct Criterion {
    dev: f64,
    s2: f64,
    beta: Vec<f64>,
    cov_unscaled: DMatrix<f64>,
}

impl Stats {
    /// $A'WA$ and $\log|I + \Lambda'Z'Z\Lambda|$ at theta.
    fn weighted(&self, theta: &[f64]) -> Option<(DMatrix<f64>, f64)> {
        let w = self.q + 1;
        if theta.len() == 1 {
            let t2 = theta[0] * theta[0];
            let mut m = self.within.clone();
            // the intercept column has no within-group scatter
            let mut logdet = 0.0;
            for (gi, &c) in self.ng.iter().enumerate() {
                if c == 0.0 {
                    continue;
                }
                let d = 1.0 + c * t2;
                logdet += d.ln();
                let wg = c / d;
                let mg = &self.means[gi * w..(gi + 1) * w];
                for r in 0..w {
                    let a = wg * mg[r];
                    for cc in 0..=r {
                        m[(r, cc)] += a * mg[cc];
                    }
                }
            }
            Some((m, logdet))
        } else {
            let (l11, l21, l22) = (theta[0], theta[1], theta[2]);
            let mut m = self.ata.clone();
            let mut logdet = 0.0;
            for (gi, z) in self.ztz.iter().enumerate() {
                if z[0] == 0.0 {
                    continue;
                }
                // T = I + L' Z'Z L, L = [l11 0; l21 l22]
                let (s00, s01, s11) = (z[0], z[1], z[2]);
                // Z'Z L
                let a00 = s00 * l11 + s01 * l21;
                let a01 = s01 * l22;
                let a10 = s01 * l11 + s11 * l21;
                let a11 = s11 * l22;
                // L' (Z'Z L)
                let t00 = 1.0 + l11 * a00 + l21 * a10;
                let t01 = l11 * a01 + l21 * a11;
                let t11 = 1.0 + l22 * a11;
                let det = t00 * t11 - t01 * t01;
                if !(det > 0.0 && t00 > 0.0) {
                    return None;
                }
                logdet += det.ln();
                let za = &self.zta[gi * 2 * w..(gi + 1) * 2 * w];
                // B = L' Z'A: rows b0 = l11 za0 + l21 za1, b1 = l22 za1
                // subtract B' T^-1 B
                let (i00, i01, i11) = (t11 / det, -t01 / det, t00 / det);
                for r in 0..w {
                    let b0r = l11 * za[r] + l21 * za[w + r];
                    let b1r = l22 * za[w + r];
                    let u0 = i00 * b0r + i01 * b1r;
                    let u1 = i01 * b0r + i11 * b1r;
                    for c in 0..=r {
                        let b0c = l11 * za[c] + l21 * za[w + c];
                        let b1c = l22 * za[w + c];
                        m[(r, c)] -= u0 * b0c + u1 * b1c;
                    }
                }
            }
            Some((m, logdet))
        }
    }

    fn criterion(&self, theta: &[f64]) -> Option<Criterion> {
        let q = self.q;
        let w = q + 1;
        let (mut m, logdet) = self.weighted(theta)?;
        for r in 0..w {
            for c in 0..r {
                m[(c, r)] = m[(r, c)];
            }
        }
        let ch = m.cholesky()?;
        let l = ch.l();
        let lxx: f64 = (0..q).map(|i| 2.0 * l[(i, i)].ln()).sum();
        let r2 = l[(q, q)] * l[(q, q)];
        let df = (self.n - q) as f64;
        let dev = logdet + lxx + df * (1.0 + (2.0 * std::f64::consts::PI * r2 / df).ln());
        if !dev.is_finite() {
            return None;
        }
        // beta = L11^-T l21, (X'WX)^-1 = L11^-T L11^-1
        let l11 = l.view((0, 0), (q, q)).clone_owned();
        let l21 = DVector::from_iterator(q, (0..q).map(|j| l[(q, j)]));
        let l11t = l11.transpose();
        let beta = l11t.solve_upper_triangular(&l21)?;
        let linv = l11.solve_lower_triangular(&DMatrix::identity(q, q))?;
        Some(Criterion {
            dev,
            s2: r2 / df,
            beta: beta.iter().copied().collect(),
            cov_unscaled: linv.transpose() * linv,
        })
    }
}

/// Random intercept: grid on [0, 1e4] in quarter decades, then Brent around the best point;
/// returns theta and the number of evaluations.
fn optimise_intercept(st: &Stats) -> Result<(f64, usize)> {
    let f = |t: f64| st.criterion(&[t]).map_or(f64::INFINITY, |c| c.dev);
    let mut grid = vec![0.0];
    grid.extend((0..=32).map(|i| 10f64.powf(-4.0 + 0.25 * i as f64)));
    let vals: Vec<f64> = grid.iter().map(|&t| f(t)).collect();
    let mut evals = grid.len();
    let best = (0..grid.len())
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    if !vals[best].is_finite() {
        return Err(Error::NotPositiveDefinite {
            what: "X'V^-1X of the mixed model".into(),
            index: "fixed effects".into(),
        });
    }
    if best == grid.len() - 1 {
        return Err(Error::option(
            "--multilevel",
            "the group variance is over 10^8 times the residual variance: the outcome is (nearly) constant within groups",
        ));
    }
    let lo = if best == 0 { 0.0 } else { grid[best - 1] };
    let hi = grid[best + 1];
    let m = brent_min(&f, lo, hi, &BrentOptions::tight(1e-12));
    let (t, ft, ev) = (m.x, m.fx, m.evaluations);
    evals += ev;
    // the boundary
    if vals[0] <= ft {
        return Ok((0.0, evals));
    }
    Ok((t, evals))
}
