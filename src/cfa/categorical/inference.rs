//! Standard errors, test statistics and fit indices of the least-squares estimators.
//!
//! # Formula
//! With $n$ cases, the Jacobian $D$, the weight $W$, $\Gamma$ and $A = D^\top W D$:
//! - standard errors: robust (WLSMV, ULSMV) $\sqrt{\operatorname{diag}(A^{-1}D^\top W\Gamma W D A^{-1})/(n-1)}$,
//!   plain (DWLS, ULS) $\sqrt{\operatorname{diag}(A^{-1})/(n-1)}$;
//! - the test statistic $T = (n-1)\hat F$ on $df$ = statistics $-$ free parameters; with
//!   $U = W - WDA^{-1}D^\top W$, the scaled-shifted statistic $T_{ss} = aT + b$,
//!   $a = \sqrt{df/\operatorname{tr}((U\Gamma)^2)}$, $b = df - a\operatorname{tr}(U\Gamma)$
//!   (the scaling factor printed is $1/a$, the shift $b$);
//! - the baseline model has free thresholds and zero correlations: $T_b = (n-1)\sum w_{ij}r_{ij}^2$
//!   on $df_b = p(p-1)/2$, scaled and shifted with $U_b = W_r$ (the correlation block);
//! - CFI, TLI and RMSEA from $T$ (DWLS, ULS) as in [`crate::cfa::fit`], with $n - 1$ in the RMSEA;
//! - the robust CFI, TLI and RMSEA of WLSMV and ULSMV (Savalei, 2021, "catML"): the
//!   normal-theory discrepancy between the polychoric matrix $R$ and the implied correlations
//!   $C$, $T_3 = n(\log|C| + \operatorname{tr}(RC^{-1}) - \log|R| - p)$, with
//!   $c = \operatorname{tr}(M^\top V M\Gamma_r)/df$, $M = I - D_r A^{-1}D_r^\top W_r$,
//!   $V_{(ij),(kl)} = c^{ik}c^{jl} + c^{il}c^{jk}$; the baseline $T_{3,b} = -n\log|R|$,
//!   $c_b = \operatorname{tr}(\Gamma_r)/df_b$; then
//!   $\mathrm{CFI} = 1 - \max(T_3 - c\,df, 0)/\max(T_3 - c\,df, T_{3,b} - c_b df_b, 0)$,
//!   $\mathrm{TLI} = 1 - (T_3 - c\,df)df_b/((T_{3,b} - c_b df_b)df)$,
//!   $\mathrm{RMSEA} = \sqrt{\max(T_3 - c\,df, 0)/((n-1)df)}$ and its interval from $T_3/c$;
//! - with continuous items only, the robust CFI, TLI and RMSEA of WLSMV and ULSMV use the
//!   unscaled $T$, $T_b$ with $c = a^{-1}(df - b)/df$ and $c_b = a_b^{-1}(df_b - b_b)/df_b$
//!   in the same formulas, and the RMSEA interval from $T_{ss}$ with $c = a^{-1}$ (lavaan's
//!   `lav_fit_cfi_lavobject`, `lav_fit_rmsea_lavobject`); with DWLS $c_b$ is 1 up to
//!   rounding, and the corrected formula is used as lavaan does; with ordered and continuous
//!   items they are undefined (lavaan: NA);
//! - SRMR: the root mean square of the residuals of the covariances divided by the sample
//!   standard deviations, $(s_{ij} - \sigma_{ij})/\sqrt{s_{ii}s_{jj}}$, over the $p(p+1)/2$
//!   elements of the lower triangle with its diagonal (zero for ordered items); thresholds
//!   and means are left out (lavaan's `srmr_bentler_nomean`). With $q$ observed covariates
//!   (lavaan's `conditional.x`) the residuals are those of the residual correlations, and
//!   the denominator is $p(p-1)/2 + p + q$ (lavaan's `lav_residuals_summary` counts the
//!   covariates among the variables but sums no residual of the slopes).
//!
//! # Reference
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//! Asparouhov, T., & Muthén, B. (2010). *Simple second order chi-square correction*.
//! Technical appendix, Mplus.
//! Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
//! data. *Multivariate Behavioral Research*, 56(3), 390–407.
//!
//! # Peer
//! lavaan 0.6.14 `fitMeasures()`: `chisq`, `chisq.scaled`, `chisq.scaling.factor`,
//! `shift.parameter`, `cfi`/`tli`/`rmsea` (`.scaled`, `.robust`), `srmr`; reference cases 29 and 30.
//!
//! # Deviations
//! lavaan prints no p value for the ULS statistic (it is not chi-square distributed): null here too.

use super::Layout;
use crate::cfa::fit::{self, FitMeasures, StandardFit};
use nalgebra::DMatrix;

/// What the statistics need.
pub(crate) struct Input<'a> {
    pub n: usize,
    pub layout: &'a Layout,
    pub d: &'a DMatrix<f64>,
    pub w: &'a [f64],
    pub gamma: &'a DMatrix<f64>,
    /// $s - \sigma(\hat\theta)$.
    pub resid: &'a [f64],
    /// The sample statistics $s$.
    pub s: &'a [f64],
    /// Sample and implied covariance matrices of $y^*$ and the continuous variables
    /// (correlations between ordered items).
    pub r: &'a DMatrix<f64>,
    pub c: &'a DMatrix<f64>,
    /// Which robust CFI, TLI and RMSEA lavaan defines for these data.
    pub robust_fit: RobustFit,
    pub npar: usize,
    /// WLSMV/ULSMV (robust se, scaled-shifted test).
    pub robust: bool,
    /// ULS/ULSMV (no p value for the unscaled statistic).
    pub unweighted: bool,
    pub level: f64,
}

/// The robust CFI, TLI and RMSEA lavaan's `fitMeasures` gives with WLSMV and ULSMV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RobustFit {
    /// Every indicator ordered: Savalei's (2021) catML indices.
    CatMl,
    /// Every indicator continuous: the indices from the scaled-shifted test, with
    /// $\hat c = a^{-1}(df - b)/df$ (Brosseau-Liard, Savalei & Li, 2012; Savalei, 2018).
    ScaledShifted,
    /// Ordered and continuous indicators: lavaan 0.6.14 gives none (NA).
    Undefined,
}

/// Standard errors and fit.
pub(crate) struct Inference {
    /// Covariance matrix of the free parameters (None when $A$ is singular).
    pub vcov: Option<DMatrix<f64>>,
    pub fit: FitMeasures,
}

fn standard(t: f64, df: f64, tb: f64, dfb: f64, n1: f64, level: f64, pvalue: bool) -> StandardFit {
    StandardFit {
        chisq: t,
        pvalue: (pvalue && df > 0.0).then(|| crate::dist::chi2_sf(t, df)),
        baseline_chisq: tb,
        cfi: fit::cfi(t, df, tb, dfb, 1.0, 1.0),
        tli: fit::tli(t, df, tb, dfb, 1.0, 1.0),
        rmsea: fit::rmsea(t, df, n1, 1, 1.0),
        rmsea_ci: fit::rmsea_ci(t, df, n1, 1, 1.0, level),
    }
}

/// Log-determinant of a symmetric positive definite matrix (NaN otherwise).
fn logdet(m: &DMatrix<f64>) -> f64 {
    m.clone()
        .cholesky()
        .map(|c| 2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>())
        .unwrap_or(f64::NAN)
}

/// Standard errors, tests and indices (module docs).
pub(crate) fn inference(inp: &Input) -> Inference {
    let n = inp.n as f64;
    let n1 = n - 1.0;
    let m = inp.layout.nstat();
    let nt = inp.layout.cov_start;
    let np = inp.layout.pairs.len();
    let d = inp.d;
    let mut wd = d.clone();
    for (i, w) in inp.w.iter().enumerate() {
        wd.row_mut(i).scale_mut(*w);
    }
    let a = d.transpose() * &wd;
    let a_inv = crate::cfa::invert_spd(&a);
    let f: f64 = inp.resid.iter().zip(inp.w).map(|(r, w)| w * r * r).sum();
    let t = n1 * f;
    let df = (m as i64 - inp.npar as i64) as f64;
    // baseline: zero correlations, thresholds reproduced
    let tb = n1
        * inp
            .layout
            .pairs
            .iter()
            .enumerate()
            .map(|(k, _)| inp.w[nt + k] * inp.s[nt + k] * inp.s[nt + k])
            .sum::<f64>();
    let dfb = np as f64;
    let pvalue = !inp.unweighted;
    let std = standard(t, df, tb, dfb, n1, inp.level, pvalue);
    let srmr = {
        let p = inp.layout.p as f64;
        let sd: Vec<f64> = (0..inp.layout.p).map(|j| inp.r[(j, j)].sqrt()).collect();
        let ss: f64 = inp
            .layout
            .pairs
            .iter()
            .map(|&(i, j)| ((inp.r[(i, j)] - inp.c[(i, j)]) / (sd[i] * sd[j])).powi(2))
            .chain(
                (0..inp.layout.p)
                    .filter(|&j| inp.layout.numeric[j])
                    .map(|j| ((inp.r[(j, j)] - inp.c[(j, j)]) / inp.r[(j, j)]).powi(2)),
            )
            .sum();
        // lavaan counts the observed covariates among the variables (pstar = the off-diagonal
        // residual correlations + every observed variable), their residuals are not summed
        (ss / (p * (p + 1.0) / 2.0 + inp.layout.nx as f64)).sqrt()
    };
    // Gamma W D and (WD)' Gamma (WD): the sandwich and the traces of U Gamma need only these
    let g1 = inp.gamma * &wd;
    let m1 = wd.transpose() * &g1;
    let vcov = a_inv.as_ref().map(|ai| {
        if inp.robust {
            ai * &m1 * ai / n1
        } else {
            ai / n1
        }
    });
    let npar = inp.npar;
    let dfi = df as i64;
    let Some(ai) = a_inv.filter(|_| inp.robust) else {
        return Inference {
            vcov,
            fit: FitMeasures {
                chisq: t,
                df: dfi,
                pvalue: std.pvalue,
                cfi: std.cfi,
                tli: std.tli,
                rmsea: std.rmsea,
                rmsea_ci: std.rmsea_ci,
                srmr,
                aic: None,
                bic: None,
                loglik: None,
                npar,
                baseline_chisq: tb,
                baseline_df: np as i64,
                loglik_h1: None,
                scaling_factor: None,
                baseline_scaling_factor: None,
                shift: None,
                baseline_shift: None,
                standard: None,
                scaled: None,
            },
        };
    };
    // scaled-shifted test, U = W - W D A^-1 D' W, without forming U:
    // tr(U G) = tr(W G) - tr(A^-1 M1), tr((U G)^2) = tr(W G W G) - 2 tr(A^-1 M2) + tr((A^-1 M1)^2)
    // with M1 = (WD)' G (WD), M2 = (G W D)' W (G W D)
    let mut wg1 = g1.clone();
    for (i, w) in inp.w.iter().enumerate() {
        wg1.row_mut(i).scale_mut(*w);
    }
    let m2 = g1.transpose() * &wg1;
    let am1 = &ai * &m1;
    let mut tr_wg = 0.0;
    let mut tr_wgwg = 0.0;
    for j in 0..m {
        tr_wg += inp.w[j] * inp.gamma[(j, j)];
        for i in 0..m {
            let g = inp.gamma[(i, j)];
            tr_wgwg += inp.w[i] * inp.w[j] * g * g;
        }
    }
    let tr_ug = tr_wg - am1.trace();
    let tr_ug2 = tr_wgwg - 2.0 * (&ai * &m2).trace() + am1.component_mul(&am1.transpose()).sum();
    let sa = (df / tr_ug2).sqrt();
    let sb = df - sa * tr_ug;
    let t_ss = sa * t + sb;
    // baseline
    let (mut tr_b, mut tr_b2) = (0.0, 0.0);
    for k in 0..np {
        tr_b += inp.w[nt + k] * inp.gamma[(nt + k, nt + k)];
        for l in 0..np {
            tr_b2 += inp.w[nt + k]
                * inp.gamma[(nt + k, nt + l)]
                * inp.w[nt + l]
                * inp.gamma[(nt + l, nt + k)];
        }
    }
    let sab = (dfb / tr_b2).sqrt();
    let sbb = dfb - sab * tr_b;
    let tb_ss = sab * tb + sbb;
    let scaled = standard(t_ss, df, tb_ss, dfb, n1, inp.level, true);
    // robust indices (Savalei 2021, catML)
    let p = inp.layout.p;
    let catml = match inp.robust_fit {
        RobustFit::CatMl => inp.c.clone().try_inverse(),
        RobustFit::Undefined => None,
        RobustFit::ScaledShifted => {
            // lavaan: c = a (df - b) / df with the printed scaling factor a = 1/sa
            let ch = (df - sb) / (sa * df);
            let chb = (dfb - sbb) / (sab * dfb);
            // with DWLS, c_b = tr(W_b Gamma_b)/df_b is 1 in exact arithmetic; lavaan's test
            // `c != 1` sees its rounding error and uses the corrected formula, as here
            let (c1, cb) = (ch, chb);
            let ci = if df > 0.0 {
                fit::rmsea_ci(t_ss, df, n1, 1, 1.0 / sa, inp.level)
            } else {
                None
            };
            return Inference {
                vcov,
                fit: scaled_fit(
                    t_ss,
                    dfi,
                    &scaled,
                    std,
                    Robust {
                        cfi: fit::cfi(t, df, tb, dfb, c1, cb),
                        tli: fit::tli(t, df, tb, dfb, c1, cb),
                        rmsea: fit::rmsea(t, df, n1, 1, ch),
                        rmsea_ci: ci,
                    },
                    srmr,
                    npar,
                    (tb_ss, np as i64),
                    (sa, sb, sab, sbb),
                ),
            };
        }
    };
    let (cfi, tli, rmsea, rmsea_ci) = match catml {
        Some(ci) => {
            let ld_r = logdet(inp.r);
            let t3 = n * (logdet(inp.c) + (inp.r * &ci).trace() - ld_r - p as f64);
            let t3b = -n * ld_r;
            // c = tr(V M G_r M')/df with M = I - E Z', E = D_r A^-1, Z = W_r D_r:
            // tr(V G_r) - 2 tr(V E K') + tr(V E (Z'K) E'), K = G_r Z
            let dr = d.rows(nt, np).into_owned();
            let mut z = dr.clone();
            for k in 0..np {
                z.row_mut(k).scale_mut(inp.w[nt + k]);
            }
            let gr = inp.gamma.view((nt, nt), (np, np)).into_owned();
            let mut v = DMatrix::<f64>::zeros(np, np);
            for (y, &(k, l)) in inp.layout.pairs.iter().enumerate() {
                for (x, &(i, j)) in inp.layout.pairs.iter().enumerate() {
                    v[(x, y)] = ci[(i, k)] * ci[(j, l)] + ci[(i, l)] * ci[(j, k)];
                }
            }
            let e = &dr * &ai;
            let kk = &gr * &z;
            let ve = &v * &e;
            let es = &e * (z.transpose() * &kk);
            let c3 = (v.component_mul(&gr).sum() - 2.0 * ve.component_mul(&kk).sum()
                + ve.component_mul(&es).sum())
                / df;
            let c3b = gr.trace() / dfb;
            (
                fit::cfi(t3, df, t3b, dfb, c3, c3b),
                fit::tli(t3, df, t3b, dfb, c3, c3b),
                fit::rmsea(t3, df, n1, 1, c3),
                fit::rmsea_ci(t3 / c3, df, n1, 1, c3, inp.level),
            )
        }
        None => (None, None, None, None),
    };
    Inference {
        vcov,
        fit: scaled_fit(
            t_ss,
            dfi,
            &scaled,
            std,
            Robust {
                cfi,
                tli,
                rmsea,
                rmsea_ci,
            },
            srmr,
            npar,
            (tb_ss, np as i64),
            (sa, sb, sab, sbb),
        ),
    }
}

/// The robust CFI, TLI, RMSEA and its interval.
struct Robust {
    cfi: Option<f64>,
    tli: Option<f64>,
    rmsea: Option<f64>,
    rmsea_ci: Option<[f64; 2]>,
}

/// The fit of WLSMV and ULSMV: the scaled-shifted test and the robust indices.
#[allow(clippy::too_many_arguments)]
fn scaled_fit(
    t_ss: f64,
    df: i64,
    scaled: &StandardFit,
    std: StandardFit,
    robust: Robust,
    srmr: f64,
    npar: usize,
    (tb_ss, dfb): (f64, i64),
    (sa, sb, sab, sbb): (f64, f64, f64, f64),
) -> FitMeasures {
    FitMeasures {
        chisq: t_ss,
        df,
        pvalue: scaled.pvalue,
        cfi: robust.cfi,
        tli: robust.tli,
        rmsea: robust.rmsea,
        rmsea_ci: robust.rmsea_ci,
        srmr,
        aic: None,
        bic: None,
        loglik: None,
        npar,
        baseline_chisq: tb_ss,
        baseline_df: dfb,
        loglik_h1: None,
        scaling_factor: Some(1.0 / sa),
        baseline_scaling_factor: Some(1.0 / sab),
        shift: Some(sb),
        baseline_shift: Some(sbb),
        standard: Some(std),
        scaled: Some(scaled.clone()),
    }
}
