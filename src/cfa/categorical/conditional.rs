//! Steps 1 and 2 of the two-step estimation with observed exogenous covariates (lavaan's
//! `conditional.x = TRUE`): ordinal probit regressions of every ordered item on the
//! covariates, the residual (conditional) polychoric correlations, and the asymptotic
//! covariance matrix $\Gamma$ of all of them from the casewise scores.
//!
//! # Formula
//! Item $j$ with categories $c = 0, \dots, K_j - 1$ and covariates $x_i$ of case $i$ follows
//! $y^*_{ij} = \beta_j^\top x_i + \varepsilon_{ij}$, $\varepsilon_{ij} \sim N(0, 1)$, and
//! $y_{ij} = c \iff \tau_{j,c-1} < y^*_{ij} \le \tau_{jc}$. With the bounds
//! $u_{ij} = \tau_{j,c} - \beta_j^\top x_i$ and $l_{ij} = \tau_{j,c-1} - \beta_j^\top x_i$
//! ($\pm\infty$ at the extreme categories), step 1 maximises
//! $\ell_j = \sum_i \log\{\Phi(u_{ij}) - \Phi(l_{ij})\}$ over $(\tau_j, \beta_j)$ by Newton's
//! method with the analytic Hessian ($\partial P/\partial\theta = \phi(u)\,\partial u -
//! \phi(l)\,\partial l$, $\partial^2 P = -u\phi(u)\,\partial u\,\partial u^\top +
//! l\phi(l)\,\partial l\,\partial l^\top$), starting from the marginal thresholds and
//! $\beta = 0$. Step 2 maximises, for each pair $(j, k)$ with the step-1 estimates fixed,
//! $$\ell_{jk}(\rho) = \sum_i \log P_i(\rho),\qquad
//!   P_i = \Phi_2(u_{ij}, u_{ik}) - \Phi_2(l_{ij}, u_{ik}) - \Phi_2(u_{ij}, l_{ik}) +
//!   \Phi_2(l_{ij}, l_{ik}),$$
//! with the score $\partial P_i/\partial\rho$ the same four terms in $\phi_2$, solved by
//! safeguarded secant steps inside a sign-changing bracket to $|\Delta\rho| < 10^{-12}$.
//!
//! $\Gamma$ (Muthén, 1984; Muthén & Satorra, 1995) is the sandwich
//! $\Gamma = n\,B^{-1}\bigl(\sum_i s_is_i^\top\bigr)B^{-\top}$ of the casewise scores
//! $s_i$ (the step-1 scores $\partial\log P_{ij}/\partial(\tau_j, \beta_j)$ and the step-2
//! scores $\partial\log P_i/\partial\rho_{jk}$), with the block-triangular
//! $B = \bigl(\begin{smallmatrix}A_{11} & 0\\ A_{21} & A_{22}\end{smallmatrix}\bigr)$:
//! $A_{11}$ the per-item blocks of $\sum_i s_is_i^\top$, $A_{21}$ the sums of each correlation
//! score times the bivariate scores $\partial\log P_i/\partial(\tau, \beta)$ of the two items,
//! $A_{22}$ the diagonal sums of squared correlation scores. The statistics are ordered as
//! lavaan's `WLS.obs`: the thresholds item by item, the slopes covariate by covariate
//! (column-major $p\times q$), then the correlations in [`super::Layout`] order.
//!
//! # Reference
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115–132.
//! Muthén, B., & Satorra, A. (1995). Technical aspects of Muthén's LISCOMP approach to
//! estimation of latent variable relations with a comprehensive measurement model.
//! *Psychometrika*, 60(4), 489–503.
//!
//! # Peer
//! lavaan 0.6.14 `lavInspect(fit, "sampstat")` (`res.th`, `res.slopes`, `res.cov`) and
//! `lavInspect(fit, "gamma")` of `cfa(..., ordered = ..., estimator = "WLSMV")` with
//! covariates (`tests/cfa_ordered_cov.rs`).
//!
//! # Deviations
//! lavaan maximises with `nlminb`; the Newton and secant iterations here converge further.
//! Continuous items with covariates are not handled here. The structured model on these
//! statistics (lavaan's `lav_model_implied` with `conditional.x`) is [`super::wls::Reduced`].

use super::stats::Ordinal;
use super::Layout;
use crate::dist::bvn::BvnAtRho;
use crate::dist::{normal_cdf, normal_pdf};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// The step-1 fit of one item.
#[derive(Debug, Clone)]
struct UvFit {
    /// Thresholds.
    tau: Vec<f64>,
    /// Slopes.
    beta: Vec<f64>,
    /// Per case: lower and upper bound ($\pm\infty$ at the extremes).
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// Step-1 and step-2 statistics with covariates.
#[derive(Debug, Clone)]
pub(crate) struct ConditionalStats {
    /// Thresholds, item by item.
    pub th: Vec<Vec<f64>>,
    /// Slopes ($p\times q$).
    pub slopes: DMatrix<f64>,
    /// Residual polychoric correlations.
    pub cor: DMatrix<f64>,
    /// $\Gamma$ (statistics in the order of the module docs).
    pub gamma: DMatrix<f64>,
}

fn bounds(tau: &[f64], c: usize) -> (f64, f64) {
    let lo = if c == 0 {
        f64::NEG_INFINITY
    } else {
        tau[c - 1]
    };
    let hi = if c == tau.len() {
        f64::INFINITY
    } else {
        tau[c]
    };
    (lo, hi)
}

fn pdf_or_zero(z: f64) -> f64 {
    if z.is_finite() {
        normal_pdf(z)
    } else {
        0.0
    }
}

/// Log-likelihood, gradient and Hessian of one item's ordinal probit regression.
fn uv_derivs(
    codes: &[u8],
    x: &DMatrix<f64>,
    theta: &[f64],
    nth: usize,
) -> (f64, DVector<f64>, DMatrix<f64>) {
    let q = x.ncols();
    let np = nth + q;
    let (tau, beta) = theta.split_at(nth);
    let mut ll = 0.0;
    let mut g = DVector::zeros(np);
    let mut h = DMatrix::zeros(np, np);
    let mut du = DVector::zeros(np);
    let mut dl = DVector::zeros(np);
    for (i, &c) in codes.iter().enumerate() {
        let c = c as usize;
        let eta: f64 = (0..q).map(|k| x[(i, k)] * beta[k]).sum();
        let (lo, hi) = bounds(tau, c);
        let (l, u) = (lo - eta, hi - eta);
        let p = normal_cdf(u) - normal_cdf(l);
        ll += p.ln();
        let (fu, fl) = (pdf_or_zero(u), pdf_or_zero(l));
        du.fill(0.0);
        dl.fill(0.0);
        if c < nth {
            du[c] = 1.0;
        }
        if c > 0 {
            dl[c - 1] = 1.0;
        }
        for k in 0..q {
            du[nth + k] = -x[(i, k)];
            dl[nth + k] = -x[(i, k)];
        }
        let dp = &du * fu - &dl * fl;
        let gi = &dp / p;
        g += &gi;
        let lu = if u.is_finite() { u * fu } else { 0.0 };
        let ll_ = if l.is_finite() { l * fl } else { 0.0 };
        h += (&du * du.transpose()) * (-lu / p) + (&dl * dl.transpose()) * (ll_ / p)
            - &gi * gi.transpose();
    }
    (ll, g, h)
}

/// Step 1 for one item (module docs).
fn uv_fit(codes: &[u8], counts: &[f64], x: &DMatrix<f64>, item: &str) -> Result<UvFit> {
    let nth = counts.len() - 1;
    let q = x.ncols();
    let mut theta = super::stats::thresholds(counts);
    theta.extend(std::iter::repeat_n(0.0, q));
    let (mut ll, mut g, mut h) = uv_derivs(codes, x, &theta, nth);
    let mut converged = false;
    for _ in 0..200 {
        let Some(step) = (-h.clone()).cholesky().map(|c| c.solve(&g)) else {
            break;
        };
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..30 {
            let cand: Vec<f64> = theta
                .iter()
                .zip(step.iter())
                .map(|(a, s)| a + t * s)
                .collect();
            let ordered = cand[..nth].windows(2).all(|w| w[0] < w[1]);
            if ordered {
                let d = uv_derivs(codes, x, &cand, nth);
                if d.0.is_finite() && d.0 >= ll - 1e-12 * ll.abs() {
                    next = Some((cand, d));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((cand, d)) = next else {
            break;
        };
        let small = step.amax() * t < 1e-12;
        theta = cand;
        (ll, g, h) = d;
        if small || g.amax() < 1e-10 * codes.len() as f64 {
            converged = true;
            break;
        }
    }
    if !converged || !ll.is_finite() {
        return Err(Error::Data {
            at: Default::default(),
            msg: format!("the probit regression of {item} on the covariates did not converge"),
        });
    }
    let (tau, beta) = theta.split_at(nth);
    let (mut lower, mut upper) = (Vec::with_capacity(codes.len()), Vec::new());
    for (i, &c) in codes.iter().enumerate() {
        let eta: f64 = (0..q).map(|k| x[(i, k)] * beta[k]).sum();
        let (lo, hi) = bounds(tau, c as usize);
        lower.push(lo - eta);
        upper.push(hi - eta);
    }
    Ok(UvFit {
        tau: tau.to_vec(),
        beta: beta.to_vec(),
        lower,
        upper,
    })
}

/// $\phi_2(h, k; \rho)$, zero when a bound is infinite.
fn bvn_pdf(h: f64, k: f64, rho: f64) -> f64 {
    if !(h.is_finite() && k.is_finite()) {
        return 0.0;
    }
    let q = (1.0 - rho) * (1.0 + rho);
    let quad = h * h - 2.0 * rho * h * k + k * k;
    (-quad / (2.0 * q)).exp() / (2.0 * std::f64::consts::PI * q.sqrt())
}

/// The cell probability of every case and its derivative in $\rho$.
fn pair_cells(a: &UvFit, b: &UvFit, rho: f64) -> (Vec<f64>, Vec<f64>) {
    let bvn = BvnAtRho::new(rho);
    let n = a.lower.len();
    let mut p = Vec::with_capacity(n);
    let mut d = Vec::with_capacity(n);
    for i in 0..n {
        let (la, ua, lb, ub) = (a.lower[i], a.upper[i], b.lower[i], b.upper[i]);
        p.push(bvn.cdf(ua, ub) - bvn.cdf(la, ub) - bvn.cdf(ua, lb) + bvn.cdf(la, lb));
        d.push(
            bvn_pdf(ua, ub, rho) - bvn_pdf(la, ub, rho) - bvn_pdf(ua, lb, rho)
                + bvn_pdf(la, lb, rho),
        );
    }
    (p, d)
}

fn pair_score(a: &UvFit, b: &UvFit, rho: f64) -> f64 {
    let (p, d) = pair_cells(a, b, rho);
    p.iter().zip(&d).map(|(p, d)| d / p).sum()
}

/// Step 2 for one pair: the residual correlation (module docs).
fn pair_fit(a: &UvFit, b: &UvFit) -> Option<f64> {
    // the widest bracket on which every case's probability is representable
    let mut end = 0.999_999;
    let (mut lo, mut hi, mut glo, mut ghi);
    loop {
        (lo, hi) = (-end, end);
        (glo, ghi) = (pair_score(a, b, lo), pair_score(a, b, hi));
        if (glo.is_finite() && ghi.is_finite()) || end < 0.9 {
            break;
        }
        end = 1.0 - (1.0 - end) * 10.0;
    }
    if !(glo > 0.0 && ghi < 0.0) {
        return None;
    }
    let mut rho = 0.0;
    let mut g = pair_score(a, b, rho);
    let mut prev: Option<(f64, f64)> = None;
    for _ in 0..200 {
        if g > 0.0 {
            lo = rho;
            glo = g;
        } else {
            hi = rho;
            ghi = g;
        }
        // secant through the last two points, else regula falsi on the bracket
        let mut next = match prev {
            Some((r0, g0)) if g != g0 => rho - g * (rho - r0) / (g - g0),
            _ => lo - glo * (hi - lo) / (ghi - glo),
        };
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        let done = (next - rho).abs() < 1e-12;
        prev = Some((rho, g));
        rho = next;
        g = pair_score(a, b, rho);
        if done || hi - lo < 1e-13 {
            return Some(rho);
        }
    }
    None
}

/// Steps 1 and 2 and $\Gamma$ of ordered items on covariates `x` ($n\times q$, the rows of
/// `ord`), with `layout` the layout of the ordered items (module docs).
///
/// # Errors
/// [`Error::Data`] when a probit regression or a residual correlation does not converge;
/// [`Error::NotPositiveDefinite`] when $A_{11}$ cannot be inverted.
pub(crate) fn conditional_stats(
    ord: &Ordinal,
    names: &[String],
    x: &DMatrix<f64>,
    layout: &Layout,
) -> Result<ConditionalStats> {
    let (n, p, q) = (ord.n, ord.p, x.ncols());
    let fits: Vec<UvFit> = (0..p)
        .map(|j| {
            let codes: Vec<u8> = (0..n).map(|i| ord.codes[i * p + j]).collect();
            uv_fit(&codes, &ord.counts[j], x, &names[j])
        })
        .collect::<Result<_>>()?;
    let nth = layout.nth_total;
    let nsl = p * q;
    let a11_size = nth + nsl;
    let npairs = layout.pairs.len();
    let m = a11_size + npairs;
    // parameter positions of item j: its thresholds, then its slopes
    let idx = |j: usize| -> Vec<usize> {
        let mut v: Vec<usize> = (0..layout.nth[j]).map(|k| layout.th_start[j] + k).collect();
        v.extend((0..q).map(|k| nth + k * p + j));
        v
    };
    let positions: Vec<Vec<usize>> = (0..p).map(idx).collect();
    // casewise scores: univariate first
    let mut sc = DMatrix::<f64>::zeros(n, m);
    for (j, f) in fits.iter().enumerate() {
        let nthj = f.tau.len();
        for i in 0..n {
            let c = ord.codes[i * p + j] as usize;
            let (l, u) = (f.lower[i], f.upper[i]);
            let pr = normal_cdf(u) - normal_cdf(l);
            let (fu, fl) = (pdf_or_zero(u), pdf_or_zero(l));
            if c < nthj {
                sc[(i, positions[j][c])] += fu / pr;
            }
            if c > 0 {
                sc[(i, positions[j][c - 1])] -= fl / pr;
            }
            for k in 0..q {
                sc[(i, positions[j][nthj + k])] = -x[(i, k)] * (fu - fl) / pr;
            }
        }
    }
    let mut cor = DMatrix::<f64>::identity(p, p);
    let mut a21 = DMatrix::<f64>::zeros(npairs, a11_size);
    let mut a22 = vec![0.0; npairs];
    for (r, &(a, b)) in layout.pairs.iter().enumerate() {
        let (fa, fb) = (&fits[a], &fits[b]);
        let rho = pair_fit(fa, fb).ok_or_else(|| Error::Data {
            at: Default::default(),
            msg: format!(
                "the residual polychoric correlation of {} and {} did not converge",
                names[a], names[b]
            ),
        })?;
        cor[(a, b)] = rho;
        cor[(b, a)] = rho;
        let (pc, dc) = pair_cells(fa, fb, rho);
        let s = ((1.0 - rho) * (1.0 + rho)).sqrt();
        for i in 0..n {
            let sr = dc[i] / pc[i];
            sc[(i, a11_size + r)] = sr;
            a22[r] += sr * sr;
            // bivariate scores in the parameters of each item of the pair
            for (me, other, ci) in [
                (fa, fb, ord.codes[i * p + a] as usize),
                (fb, fa, ord.codes[i * p + b] as usize),
            ] {
                let j = if std::ptr::eq(me, fa) { a } else { b };
                let (lo, hi) = (other.lower[i], other.upper[i]);
                let side = |z: f64| -> f64 {
                    if !z.is_finite() {
                        return 0.0;
                    }
                    normal_pdf(z)
                        * (normal_cdf((hi - rho * z) / s) - normal_cdf((lo - rho * z) / s))
                };
                let du = side(me.upper[i]) / pc[i];
                let dl = -side(me.lower[i]) / pc[i];
                let nthj = me.tau.len();
                if ci < nthj {
                    a21[(r, positions[j][ci])] += sr * du;
                }
                if ci > 0 {
                    a21[(r, positions[j][ci - 1])] += sr * dl;
                }
                for k in 0..q {
                    a21[(r, positions[j][nthj + k])] += sr * (-x[(i, k)]) * (du + dl);
                }
            }
        }
    }
    let inner = sc.transpose() * &sc;
    let mut a11 = DMatrix::<f64>::zeros(a11_size, a11_size);
    for pos in &positions {
        for &r in pos {
            for &c in pos {
                a11[(r, c)] = inner[(r, c)];
            }
        }
    }
    let a11_inv = a11
        .try_inverse()
        .ok_or_else(|| Error::NotPositiveDefinite {
            what: "the information of the probit regressions (A11)".into(),
            index: "the covariates may be collinear".into(),
        })?;
    let mut b_inv = DMatrix::<f64>::zeros(m, m);
    b_inv
        .view_mut((0, 0), (a11_size, a11_size))
        .copy_from(&a11_inv);
    let a22_inv =
        DMatrix::from_diagonal(&DVector::from_iterator(npairs, a22.iter().map(|v| 1.0 / v)));
    let lower = -(&a22_inv * &a21 * &a11_inv);
    b_inv
        .view_mut((a11_size, 0), (npairs, a11_size))
        .copy_from(&lower);
    b_inv
        .view_mut((a11_size, a11_size), (npairs, npairs))
        .copy_from(&a22_inv);
    let gamma = (&b_inv * inner * b_inv.transpose()) * n as f64;
    let th: Vec<Vec<f64>> = fits.iter().map(|f| f.tau.clone()).collect();
    let slopes = DMatrix::from_fn(p, q, |j, k| fits[j].beta[k]);
    Ok(ConditionalStats {
        th,
        slopes,
        cor,
        gamma,
    })
}

/// The statistics of [`conditional_stats`] for the columns `items` (ordered) and
/// `covariates` of `data`, on the rows where all of them are observed: the public entry point
/// for checking the steps against lavaan.
///
/// # Errors
/// [`Error::UnknownColumn`] for a name that is not a column; the errors of
/// [`Ordinal::new`] and [`conditional_stats`].
pub fn sample_stats(
    data: &crate::data::ItemData,
    items: &[String],
    covariates: &[String],
) -> Result<ConditionalSample> {
    let cols = crate::cfa::model_columns(data, items)?;
    let xcols = crate::cfa::model_columns(data, covariates)?;
    let rows: Vec<usize> = (0..data.n())
        .filter(|&r| {
            let row = data.row(r);
            cols.iter().chain(&xcols).all(|&c| row[c].is_finite())
        })
        .collect();
    let ord = Ordinal::new(data, &rows, &cols, items)?;
    let x = DMatrix::from_fn(rows.len(), xcols.len(), |i, k| data.row(rows[i])[xcols[k]]);
    let layout = Layout::new((0..items.len()).map(|j| ord.ncat(j) - 1).collect());
    let st = conditional_stats(&ord, items, &x, &layout)?;
    Ok(ConditionalSample {
        n: rows.len(),
        thresholds: st.th,
        slopes: st.slopes,
        cor: st.cor,
        gamma: st.gamma,
    })
}

/// Public view of [`ConditionalStats`].
#[derive(Debug, Clone)]
pub struct ConditionalSample {
    /// Rows used.
    pub n: usize,
    /// Thresholds, item by item (lavaan `res.th`).
    pub thresholds: Vec<Vec<f64>>,
    /// Slopes, items by covariates (lavaan `res.slopes`).
    pub slopes: DMatrix<f64>,
    /// Residual polychoric correlations (lavaan `res.cov`).
    pub cor: DMatrix<f64>,
    /// $\Gamma$ (lavaan `lavInspect(fit, "gamma")`), in the order of the module docs.
    pub gamma: DMatrix<f64>,
}
