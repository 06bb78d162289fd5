//! FIML stage 5: robust statistics with missing data: the Huber–White sandwich, the
//! Yuan–Bentler (Mplus) scaling of the test, and the FIML-corrected CFI, TLI and RMSEA.
//!
//! # Formula
//! With the observed information $A = -\nabla^2\ell(\hat\theta)$ and the casewise scores $s_i$,
//! $B = \sum_i s_is_i^\top = \sum_g\Delta_g^\top B^{(m)}_g\Delta_g$ ($B^{(m)}$ the score cross products
//! in the moments, [`super::casewise::score_crossproducts`]):
//! $$\widehat{\operatorname{Var}}(\hat\theta) = A^{-1}BA^{-1}.$$
//! The scaling factor of the test is $c = [\operatorname{tr}(A_1^{-1}B_1) - \operatorname{tr}(A^{-1}B)]/df$
//! with $A_1, B_1$ the observed information and score cross products of the saturated model at
//! the EM estimates, in $(\mu, \operatorname{vech}\Sigma)$, summed over groups
//! ($= (p^\*c_{h1} - qc_{h0})/df$). The baseline's factor uses the independence model, whose
//! trace is $\sum_j [1 + \tfrac12(m_{4j}/v_j^2 - 1)]$ over each variable's observed values.
//!
//! FIML-corrected indices (Zhang & Savalei 2023): with the EM moments $(\tilde\mu, \tilde\Sigma)$,
//! $T_3 = \sum_g n_gF_{ML}(\tilde\mu_g, \tilde\Sigma_g; \hat\mu_g, \hat\Sigma_g)$ (the complete-data
//! discrepancy with its mean term), per-row matrices (block-diagonal over groups, divided by
//! $N$) $W_m = A_1/N$, $J_m = B_1/N$, $W_c$ = the complete-data normal information at the EM
//! moments ($n_g\tilde\Sigma^{-1}$ and $n_gh_{ij}h_{kl}(\tilde W_{ik}\tilde W_{jl} + \tilde W_{il}\tilde W_{jk})$),
//! $D = \Delta$ and $U = W_m - W_mD(D^\top W_mD)^{-1}D^\top W_m$:
//! $$c_3 = \operatorname{tr}(UW_m^{-1}W_cW_m^{-1}UW_m^{-1}J_mW_m^{-1})/df\ \text{(V3, MLR)},\qquad
//!   c_6 = \operatorname{tr}(W_cW_m^{-1}UW_m^{-1})/df\ \text{(V6, ML)};$$
//! the baseline likewise with the FIML independence model ($D$ selecting means and variances).
//! Then $\mathrm{CFI} = 1 - \max(T_3 - c\\,df, 0)/\max(T_3 - c\\,df, T_{3b} - c_b\\,df_b, 0)$,
//! $\mathrm{TLI} = 1 - (T_3 - c\\,df)df_b/((T_{3b} - c_bdf_b)df)$,
//! $\mathrm{RMSEA} = \sqrt{G}\sqrt{\max(T_3 - c\\,df, 0)/(N\\,df)}$, and the interval as
//! [`crate::cfa::fit::rmsea_ci`] for $T_3/c$ with $c$.
//!
//! # Reference
//! Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
//! structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165–200.
//! Savalei, V., & Rosseel, Y. (2022). Computational options for standard errors and test
//! statistics with incomplete normal and nonnormal data in SEM. *Structural Equation Modeling*,
//! 29(2), 163–181.
//! Zhang, X., & Savalei, V. (2023). New computations for RMSEA and CFI following FIML and TS
//! estimation with missing data. *Psychological Methods*, 28(2), 263–283.
//!
//! # Peer
//! lavaan 0.6.14 `missing = "ml"`, `estimator = "MLR"`: `se = "robust.huber.white"`,
//! `test = "yuan.bentler.mplus"` (`scaling.factor.h1`, `scaling.factor.h0`), and
//! `fitMeasures()`'s `cfi.robust`, `tli.robust`, `rmsea.robust` (V3 with MLR, V6 with ML).
//!
//! # Deviations
//! lavaan forms $A_1$ by numerical differentiation; here it is analytic. Multi-group corrected
//! indices stack the groups' blocks with weights $n_g/N$ (not compared with lavaan).

use super::casewise::{self, vech_index};
use super::em::Saturated;
use super::patterns::GroupData;
use nalgebra::{DMatrix, DVector};

/// The saturated model's information pieces of one group: they depend on the data and the EM
/// moments only, so [`super::Prepared`] computes them once for every model fitted to the same
/// data (the invariance sequence).
#[derive(Debug, Clone)]
pub(crate) struct H1Info {
    /// Observed information $A_1$ (total).
    pub a: DMatrix<f64>,
    /// $A_1^{-1}$.
    pub a_inv: DMatrix<f64>,
    /// $A_1^{-1}B_1A_1^{-1}$, with the score cross products $B_1$ (total), which only the robust
    /// (MLR) statistics need.
    pub sandwich: Option<DMatrix<f64>>,
    /// $\operatorname{tr}(A_1^{-1}B_1)$, with $B_1$ (`None` when not finite).
    pub trace_ainv_b: Option<f64>,
    /// Complete-data normal information per row at the EM covariance matrix
    /// ([`complete_information`]).
    pub complete: DMatrix<f64>,
}

/// $A_1$, its inverse, the complete-data information and, when `scores`, $B_1$ and its
/// products, at the EM estimates; `None` when $A_1$ or $\tilde\Sigma$ is singular.
pub(crate) fn h1_info(g: &GroupData, s: &Saturated, scores: bool) -> Option<H1Info> {
    let a = -casewise::hessian(g, &s.mu, &s.sigma)?;
    let a_inv = crate::cfa::invert_spd(&a)?;
    let b = if scores {
        Some(casewise::score_crossproducts(g, &s.mu, &s.sigma)?)
    } else {
        None
    };
    let sandwich = b.as_ref().map(|b| &a_inv * b * &a_inv);
    let trace_ainv_b = b
        .as_ref()
        .map(|b| a_inv.component_mul(b).sum())
        .filter(|t| t.is_finite());
    Some(H1Info {
        complete: complete_information(&s.sigma)?,
        a,
        a_inv,
        sandwich,
        trace_ainv_b,
    })
}

/// $\operatorname{tr}(A^{-1}B)$; `None` when $A$ is singular.
pub(crate) fn trace_ainv_b(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Option<f64> {
    let ainv = crate::cfa::invert_spd(a)?;
    // tr(A^{-1}B) = sum of the elementwise product with B' (= B, symmetric)
    let t = ainv.component_mul(&b.transpose()).sum();
    t.is_finite().then_some(t)
}

/// Each variable's mean, variance and fourth central moment over its observed values
/// (centred scale), and the number of those values.
pub(crate) fn univariate(g: &GroupData) -> Vec<(f64, f64, f64, f64)> {
    let p = g.p;
    let mut s1 = vec![0.0; p];
    let mut cnt = vec![0.0; p];
    for pat in &g.patterns {
        let po = pat.obs.len();
        for i in 0..pat.n {
            for (a, &j) in pat.obs.iter().enumerate() {
                s1[j] += pat.rows[i * po + a];
                cnt[j] += 1.0;
            }
        }
    }
    let mean: Vec<f64> = s1.iter().zip(&cnt).map(|(s, c)| s / c).collect();
    let mut s2 = vec![0.0; p];
    let mut s4 = vec![0.0; p];
    for pat in &g.patterns {
        let po = pat.obs.len();
        for i in 0..pat.n {
            for (a, &j) in pat.obs.iter().enumerate() {
                let d = pat.rows[i * po + a] - mean[j];
                s2[j] += d * d;
                s4[j] += d * d * d * d;
            }
        }
    }
    (0..p)
        .map(|j| (mean[j], s2[j] / cnt[j], s4[j] / cnt[j], cnt[j]))
        .collect()
}

/// $\operatorname{tr}(A_0^{-1}B_0)$ of the independence model (module docs).
pub(crate) fn trace_baseline(g: &GroupData) -> f64 {
    univariate(g)
        .iter()
        .map(|&(_, v, m4, _)| 1.0 + 0.5 * (m4 / (v * v) - 1.0))
        .sum()
}

/// The complete-data ML discrepancy with its mean term, $F(\tilde\mu, \tilde\Sigma; \mu, \Sigma)$.
pub(crate) fn f_ml(mu_t: &[f64], s_t: &DMatrix<f64>, mu: &[f64], s: &DMatrix<f64>) -> Option<f64> {
    let p = mu.len() as f64;
    let ch = s.clone().cholesky()?;
    let cht = s_t.clone().cholesky()?;
    let ld = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    let ldt = 2.0 * cht.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    let si = ch.inverse();
    let d = DVector::from_fn(mu.len(), |i, _| mu_t[i] - mu[i]);
    let v = ld + (s_t * &si).trace() - ldt - p + (d.transpose() * &si * &d)[(0, 0)];
    v.is_finite().then_some(v)
}

/// Complete-data normal information per row at $\Sigma$ in $(\mu, \operatorname{vech}\Sigma)$.
pub(crate) fn complete_information(sigma: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = sigma.nrows();
    let w = sigma.clone().cholesky()?.inverse();
    let ps = casewise::nmoments(p);
    let mut out = DMatrix::<f64>::zeros(ps, ps);
    for i in 0..p {
        for j in 0..p {
            out[(i, j)] = w[(i, j)];
        }
    }
    let mut pairs = Vec::new();
    for j in 0..p {
        for i in j..p {
            pairs.push((i, j, vech_index(p, i, j), if i == j { 0.5 } else { 1.0 }));
        }
    }
    for &(i, j, u, hij) in &pairs {
        for &(k, l, v, hkl) in &pairs {
            out[(u, v)] = hij * hkl * (w[(i, k)] * w[(j, l)] + w[(i, l)] * w[(j, k)]);
        }
    }
    Some(out)
}

/// Which FIML correction (Zhang & Savalei 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// V3, for the robust (MLR) test.
    V3,
    /// V6, for ML.
    V6,
}

/// One model's corrected pieces: $T_3$ and $c$.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corrected {
    pub t3: f64,
    pub c: f64,
    pub t3_baseline: f64,
    pub c_baseline: f64,
}

/// One group's blocks of the per-row matrices of the correction (module docs): $W_m$, its
/// inverse, $W_c$, and (V3) $\Gamma = W_m^{-1}J_mW_m^{-1}$.
struct Blocks {
    wm: DMatrix<f64>,
    wmi: DMatrix<f64>,
    wc: DMatrix<f64>,
    gam: Option<DMatrix<f64>>,
}

/// $k(D)$ = the trace of the chosen version (module docs), group by group.
///
/// $W_m$, $W_c$ and $\Gamma$ are block-diagonal over groups and $D$ stacks the groups' rows
/// $D_g$, so with $E = \sum_g D_g^\top W_{m,g}D_g$ and $U = W_m - W_mDE^{-1}D^\top W_m$
/// (using $W_mW_m^{-1} = I$ and $W_mAW_m = W_c$ for $A = W_m^{-1}W_cW_m^{-1}$):
/// $$\operatorname{tr}(W_cW_m^{-1}UW_m^{-1}) = \sum_g\operatorname{tr}(W_{c,g}W_{m,g}^{-1}) -
///   \operatorname{tr}(E^{-1}M_1)\quad\text{(V6)},$$
/// $$\operatorname{tr}(UAU\Gamma) = \sum_g\operatorname{tr}(W_{c,g}\Gamma_g) -
///   2\operatorname{tr}(E^{-1}M) + \operatorname{tr}(E^{-1}M_1E^{-1}M_2)\quad\text{(V3)},$$
/// with $M_1 = \sum_g D_g^\top W_{c,g}D_g$, $M_2 = \sum_g D_g^\top W_{m,g}\Gamma_gW_{m,g}D_g$,
/// $M = \sum_g D_g^\top W_{c,g}\Gamma_gW_{m,g}D_g$: no matrix larger than one group's
/// $p^* \times p^*$ is formed.
fn k_of(d: &[DMatrix<f64>], blocks: &[Blocks], version: Version) -> Option<f64> {
    let q = d.first()?.ncols();
    let mut e = DMatrix::<f64>::zeros(q, q);
    let mut m1 = DMatrix::<f64>::zeros(q, q);
    let mut m2 = DMatrix::<f64>::zeros(q, q);
    let mut m = DMatrix::<f64>::zeros(q, q);
    let mut t0 = 0.0;
    for (dg, b) in d.iter().zip(blocks) {
        let wd = &b.wm * dg;
        let wcd = &b.wc * dg;
        e += dg.transpose() * &wd;
        m1 += dg.transpose() * &wcd;
        match version {
            Version::V6 => t0 += (&b.wc * &b.wmi).trace(),
            Version::V3 => {
                let gam = b.gam.as_ref()?;
                t0 += (&b.wc * gam).trace();
                let gwd = gam * &wd;
                m2 += wd.transpose() * &gwd;
                m += wcd.transpose() * &gwd;
            }
        }
    }
    let ei = crate::cfa::invert_spd(&e)?;
    let t = match version {
        Version::V6 => t0 - (&ei * &m1).trace(),
        Version::V3 => t0 - 2.0 * (&ei * &m).trace() + (&ei * &m1 * &ei * &m2).trace(),
    };
    t.is_finite().then_some(t)
}

/// Inputs of the correction for one group.
pub(crate) struct GroupPieces<'a> {
    pub data: &'a GroupData,
    pub h1: &'a Saturated,
    pub h1_info: &'a H1Info,
    /// $\Delta_g$ at the estimates.
    pub jacobian: &'a DMatrix<f64>,
    /// Model-implied means (centred) and covariances.
    pub mu: &'a [f64],
    pub sigma: &'a DMatrix<f64>,
}

/// $T_3$, $c$ and the baseline's $T_{3b}$, $c_b$ (module docs).
pub(crate) fn corrected(
    groups: &[GroupPieces],
    df: f64,
    df_baseline: f64,
    version: Version,
) -> Option<Corrected> {
    let ntotal: f64 = groups.iter().map(|g| g.data.n as f64).sum();
    let ngroups = groups.len();
    let mut t3 = 0.0;
    let mut t3b = 0.0;
    let mut blocks = Vec::with_capacity(ngroups);
    let mut d = Vec::with_capacity(ngroups);
    let mut db = Vec::with_capacity(ngroups);
    for (k, g) in groups.iter().enumerate() {
        let p = g.data.p;
        let ng = g.data.n as f64;
        t3 += ng * f_ml(&g.h1.mu, &g.h1.sigma, g.mu, g.sigma)?;
        let uni = univariate(g.data);
        let mb: Vec<f64> = uni.iter().map(|u| u.0).collect();
        let vb = DMatrix::from_diagonal(&DVector::from_iterator(p, uni.iter().map(|u| u.1)));
        t3b += ng * f_ml(&g.h1.mu, &g.h1.sigma, &mb, &vb)?;
        // W_m = A_1/N, so W_m^{-1} = N A_1^{-1} and Gamma = N A_1^{-1} B_1 A_1^{-1}
        // (V6 does not use the score cross products)
        let gam = match version {
            Version::V3 => Some(g.h1_info.sandwich.as_ref()? * ntotal),
            Version::V6 => None,
        };
        blocks.push(Blocks {
            wm: &g.h1_info.a / ntotal,
            wmi: &g.h1_info.a_inv * ntotal,
            wc: &g.h1_info.complete * (ng / ntotal),
            gam,
        });
        d.push(g.jacobian.clone());
        // the independence model: each group's own means and variances
        let mut dbg = DMatrix::<f64>::zeros(casewise::nmoments(p), 2 * p * ngroups);
        for j in 0..p {
            dbg[(j, 2 * p * k + j)] = 1.0;
            dbg[(vech_index(p, j, j), 2 * p * k + p + j)] = 1.0;
        }
        db.push(dbg);
    }
    let c = k_of(&d, &blocks, version)? / df;
    let cb = k_of(&db, &blocks, version)? / df_baseline;
    Some(Corrected {
        t3,
        c,
        t3_baseline: t3b,
        c_baseline: cb,
    })
}
