//! FIML stage 2: the casewise (observed-data) normal log-likelihood of one group as a function
//! of its moments $(\mu, \Sigma)$, with its gradient, its Hessian and the cross products of the
//! casewise scores, all in the moment parametrisation $m = (\mu, \operatorname{vech}\Sigma)$.
//!
//! # Formula
//! Row $i$ observes the variables $o_i$; with $d_i = y_{io} - \mu_o$, $W = \Sigma_{oo}^{-1}$ and
//! $z_i = W d_i$,
//! $$\ell = \sum_i -\tfrac12\bigl[p_{o}\log 2\pi + \log|\Sigma_{oo}| + d_i^\top W d_i\bigr].$$
//! Summed over a pattern $P$ ($C = \sum_{i\in P} d_id_i^\top$, $\zeta = \sum_{i\in P} z_i = n_PW\bar d$,
//! $Z = \sum_{i \in P} z_iz_i^\top = WCW$), the derivatives are
//! $$\frac{\partial\ell}{\partial\mu_o} = \zeta,\qquad
//!   \frac{\partial\ell}{\partial\Sigma_{oo}} = -\tfrac12(n_PW - Z)\ \text{(symmetric matrix gradient)},$$
//! and the second derivatives, for $E_{ab} = h_{ab}(e_ae_b^\top + e_be_a^\top)$, $h_{ab} = \tfrac12$
//! on the diagonal and 1 off it, and $R = \tfrac{n_P}{2}W - Z$:
//! $$\frac{\partial^2\ell}{\partial\mu_c\partial\mu_d} = -n_PW_{cd},\qquad
//!   \frac{\partial^2\ell}{\partial\mu_c\partial\sigma_{ab}} = -h_{ab}(W_{ca}\zeta_b + W_{cb}\zeta_a),$$
//! $$\frac{\partial^2\ell}{\partial\sigma_{ab}\partial\sigma_{cd}} =
//!   h_{ab}h_{cd}\bigl(W_{ac}R_{bd} + R_{ac}W_{bd} + W_{ad}R_{bc} + R_{ad}W_{bc}\bigr)$$
//! (from $\tfrac12\operatorname{tr}(WE_{cd}WE_{ab}) - z^\top E_{ab}WE_{cd}z$ summed over the rows).
//! The casewise score of row $i$ is $z_i$ for the means and $-h_{ab}(W - z_iz_i^\top)_{ab}$ for
//! $\sigma_{ab}$. The cost is $O(p_o^3)$ per pattern for $\ell$ and its gradient, $O(p_o^4)$ per
//! pattern for the Hessian, and $O(p^{\*2})$ per row for the score cross products.
//!
//! # Reference
//! Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
//! G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced structural equation modeling*
//! (pp. 243–277). Erlbaum.
//! Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
//! structure analysis with nonnormal missing data. *Sociological Methodology*, 30, 165–200.
//!
//! # Peer
//! lavaan 0.6.14 `lav_mvnorm_missing_loglik_samplestats`, `lav_mvnorm_missing_dlogl_dmu`,
//! `lav_mvnorm_missing_dlogl_dvechSigma`, `lav_mvnorm_missing_information_observed_samplestats`,
//! `lav_mvnorm_missing_scores_mu_vech_sigma`.
//!
//! # Deviations
//! None: the same quantities, summed by pattern with centred sufficient statistics.

use super::patterns::{GroupData, Pattern};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Patterns per parallel chunk (chunks are summed in order: thread-count independent).
const CHUNK: usize = 32;

/// Size of the moment vector $(\mu, \operatorname{vech}\Sigma)$: $p + p(p+1)/2$.
pub(crate) fn nmoments(p: usize) -> usize {
    p + p * (p + 1) / 2
}

/// Index of $\sigma_{ij}$ ($i \ge j$) in the moment vector: means first, then the lower
/// triangle column by column (lavaan's vech order).
pub(crate) fn vech_index(p: usize, i: usize, j: usize) -> usize {
    let (i, j) = if i >= j { (i, j) } else { (j, i) };
    p + j * p - j * j.saturating_sub(1) / 2 + (i - j)
}

/// One pattern evaluated at $(\mu, \Sigma)$.
struct PatternEval {
    /// $W = \Sigma_{oo}^{-1}$.
    w: DMatrix<f64>,
    /// $\log|\Sigma_{oo}|$.
    logdet: f64,
    /// $\bar d = \bar y_P - \mu_o$.
    e: DVector<f64>,
}

/// The inverse and log-determinant of the symmetric positive definite submatrix
/// $\Sigma_{oo}$, by Cholesky $LL^\top$, $L^{-1}$ and $W = L^{-\top}L^{-1}$ on one flat buffer;
/// `None` when a pivot is not positive.
pub(crate) fn inverse_sub(sigma: &DMatrix<f64>, obs: &[usize]) -> Option<(DMatrix<f64>, f64)> {
    let n = obs.len();
    // L row-major (row i = l[i*n..]), so that the inner products run over contiguous prefixes
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            l[i * n + j] = sigma[(obs[i], obs[j])];
        }
    }
    let mut logdet = 0.0;
    for i in 0..n {
        let (done, rest) = l.split_at_mut(i * n);
        let row_i = &mut rest[..n];
        for j in 0..i {
            let row_j = &done[j * n..j * n + j + 1];
            let s: f64 = row_i[..j].iter().zip(&row_j[..j]).map(|(x, y)| x * y).sum();
            row_i[j] = (row_i[j] - s) / row_j[j];
        }
        let d = row_i[i] - row_i[..i].iter().map(|x| x * x).sum::<f64>();
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let dii = d.sqrt();
        logdet += 2.0 * dii.ln();
        row_i[i] = dii;
    }
    // L^-1 column-major (column j = li[j*n..]): Li_ij = -(sum_{k=j}^{i-1} L_ik Li_kj) / L_ii
    let mut li = vec![0.0; n * n];
    for j in 0..n {
        let col = &mut li[j * n..(j + 1) * n];
        col[j] = 1.0 / l[j * n + j];
        for i in j + 1..n {
            let row_i = &l[i * n..i * n + i];
            let s: f64 = row_i[j..i].iter().zip(&col[j..i]).map(|(x, y)| x * y).sum();
            col[i] = -s / l[i * n + i];
        }
    }
    // W = L^-T L^-1: W_ab = sum_{k >= max(a, b)} Li_ka Li_kb
    let mut w = DMatrix::<f64>::zeros(n, n);
    for b in 0..n {
        for a in b..n {
            let ca = &li[a * n + a..(a + 1) * n];
            let cb = &li[b * n + a..(b + 1) * n];
            let s: f64 = ca.iter().zip(cb).map(|(x, y)| x * y).sum();
            w[(a, b)] = s;
            w[(b, a)] = s;
        }
    }
    logdet.is_finite().then_some((w, logdet))
}

fn eval_pattern(pat: &Pattern, mu: &[f64], sigma: &DMatrix<f64>) -> Option<PatternEval> {
    let po = pat.obs.len();
    let (w, logdet) = inverse_sub(sigma, &pat.obs)?;
    let e = DVector::from_fn(po, |a, _| pat.mean[a] - mu[pat.obs[a]]);
    Some(PatternEval { w, logdet, e })
}

/// $Z = W C W$ with $C = S_P + n_P\bar d\bar d^\top$, and $\zeta = n_PW\bar d$.
fn z_and_zeta(pat: &Pattern, pe: &PatternEval) -> (DMatrix<f64>, DVector<f64>) {
    let nf = pat.n as f64;
    let we = &pe.w * &pe.e;
    let mut z = &we * we.transpose() * nf;
    if let Some(s) = &pat.cross {
        z += &pe.w * s * &pe.w;
    }
    (z, we * nf)
}

/// Sums `f(chunk)` over fixed chunks of patterns, in order; `None` if any chunk fails.
fn sum_chunks<T, F, A>(g: &GroupData, f: F, add: A) -> Option<T>
where
    T: Send,
    F: Fn(&[Pattern]) -> Option<T> + Sync,
    A: Fn(&mut T, T),
{
    let parts: Vec<Option<T>> = g.patterns.par_chunks(CHUNK).map(&f).collect();
    let mut it = parts.into_iter();
    let mut acc = it.next()??;
    for part in it {
        add(&mut acc, part?);
    }
    Some(acc)
}

/// The log-likelihood and its gradient of one group at centred means `mu` and `sigma`.
#[derive(Debug, Clone)]
pub(crate) struct MomentGradient {
    /// $\ell$.
    pub loglik: f64,
    /// $\partial\ell/\partial\mu$ ($p$).
    pub g_mu: DVector<f64>,
    /// $\partial\ell/\partial\Sigma$ as a symmetric matrix: $d\ell = \operatorname{tr}(G\\,d\Sigma)$.
    pub g_sigma: DMatrix<f64>,
}

/// $\ell$ alone; `None` when some $\Sigma_{oo}$ is not positive definite.
pub(crate) fn loglik(g: &GroupData, mu: &[f64], sigma: &DMatrix<f64>) -> Option<f64> {
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    let out = sum_chunks(
        g,
        |chunk| {
            let mut acc = 0.0;
            for pat in chunk {
                let pe = eval_pattern(pat, mu, sigma)?;
                let nf = pat.n as f64;
                let we = &pe.w * &pe.e;
                let mut quad = nf * pe.e.dot(&we);
                if let Some(s) = &pat.cross {
                    quad += pe.w.component_mul(s).sum();
                }
                acc += -0.5 * (nf * (pat.obs.len() as f64 * ln2pi + pe.logdet) + quad);
            }
            Some(acc)
        },
        |a, b| *a += b,
    )?;
    out.is_finite().then_some(out)
}

/// $\ell$ and its gradient (module docs).
pub(crate) fn gradient(g: &GroupData, mu: &[f64], sigma: &DMatrix<f64>) -> Option<MomentGradient> {
    let p = g.p;
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    let out = sum_chunks(
        g,
        |chunk| {
            let mut acc = MomentGradient {
                loglik: 0.0,
                g_mu: DVector::zeros(p),
                g_sigma: DMatrix::zeros(p, p),
            };
            for pat in chunk {
                let pe = eval_pattern(pat, mu, sigma)?;
                let nf = pat.n as f64;
                let (z, zeta) = z_and_zeta(pat, &pe);
                let quad =
                    pe.w.component_mul(&{
                        let mut c = &pe.e * pe.e.transpose() * nf;
                        if let Some(s) = &pat.cross {
                            c += s;
                        }
                        c
                    })
                    .sum();
                acc.loglik += -0.5 * (nf * (pat.obs.len() as f64 * ln2pi + pe.logdet) + quad);
                for (a, &ga) in pat.obs.iter().enumerate() {
                    acc.g_mu[ga] += zeta[a];
                    for (b, &gb) in pat.obs.iter().enumerate() {
                        acc.g_sigma[(ga, gb)] += -0.5 * (nf * pe.w[(a, b)] - z[(a, b)]);
                    }
                }
            }
            Some(acc)
        },
        |a, b| {
            a.loglik += b.loglik;
            a.g_mu += b.g_mu;
            a.g_sigma += b.g_sigma;
        },
    )?;
    out.loglik.is_finite().then_some(out)
}

/// The local moment indices of a pattern: its means, then its pairs $(a \ge b)$ column by
/// column, each with its global index and $h$.
/// A pair of a pattern: local indices $(a, b)$, global moment index, $h_{ab}$.
type Pair = (usize, usize, usize, f64);

fn local_moments(p: usize, obs: &[usize]) -> (Vec<usize>, Vec<Pair>) {
    let means: Vec<usize> = obs.to_vec();
    let mut pairs = Vec::with_capacity(obs.len() * (obs.len() + 1) / 2);
    for b in 0..obs.len() {
        for a in b..obs.len() {
            let h = if a == b { 0.5 } else { 1.0 };
            pairs.push((a, b, vech_index(p, obs[a], obs[b]), h));
        }
    }
    (means, pairs)
}

/// The Hessian of $\ell$ in $(\mu, \operatorname{vech}\Sigma)$ (module docs), $p^\* \times p^\*$.
pub(crate) fn hessian(g: &GroupData, mu: &[f64], sigma: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = g.p;
    let pstar = nmoments(p);
    let mut h = sum_chunks(
        g,
        |chunk| {
            let mut acc = DMatrix::<f64>::zeros(pstar, pstar);
            for pat in chunk {
                let pe = eval_pattern(pat, mu, sigma)?;
                let nf = pat.n as f64;
                let (z, zeta) = z_and_zeta(pat, &pe);
                let w = &pe.w;
                let r = w * (0.5 * nf) - &z;
                let (means, pairs) = local_moments(p, &pat.obs);
                // mean x mean
                for (c, &gc) in means.iter().enumerate() {
                    for (d, &gd) in means.iter().enumerate().skip(c) {
                        acc[(gc, gd)] -= nf * w[(c, d)];
                    }
                }
                // mean x sigma (means come first: gc < every pair index)
                for (c, &gc) in means.iter().enumerate() {
                    for &(a, b, gab, hab) in &pairs {
                        acc[(gc, gab)] -= hab * (w[(c, a)] * zeta[b] + w[(c, b)] * zeta[a]);
                    }
                }
                // sigma x sigma (local order = global order: upper triangle); flat column-major
                // slices: row a of the symmetric W is its column a
                let po = pat.obs.len();
                let (ws, rs) = (w.as_slice(), r.as_slice());
                let accs = acc.as_mut_slice();
                for (u, &(a, b, gab, hab)) in pairs.iter().enumerate() {
                    let (wa, wb) = (&ws[a * po..(a + 1) * po], &ws[b * po..(b + 1) * po]);
                    let (ra, rb) = (&rs[a * po..(a + 1) * po], &rs[b * po..(b + 1) * po]);
                    for &(c, d, gcd, hcd) in &pairs[u..] {
                        let v = wa[c] * rb[d] + ra[c] * wb[d] + wa[d] * rb[c] + ra[d] * wb[c];
                        accs[gab + gcd * pstar] += hab * hcd * v;
                    }
                }
            }
            Some(acc)
        },
        |a, b| *a += b,
    )?;
    for i in 0..pstar {
        for j in 0..i {
            h[(i, j)] = h[(j, i)];
        }
    }
    h.iter().all(|v| v.is_finite()).then_some(h)
}

/// $B = \sum_i s_is_i^\top$ of the casewise scores $s_i$ in $(\mu, \operatorname{vech}\Sigma)$.
pub(crate) fn score_crossproducts(
    g: &GroupData,
    mu: &[f64],
    sigma: &DMatrix<f64>,
) -> Option<DMatrix<f64>> {
    let p = g.p;
    let pstar = nmoments(p);
    let b = sum_chunks(
        g,
        |chunk| {
            let nrows: usize = chunk.iter().map(|pt| pt.n).sum();
            let mut sc = DMatrix::<f64>::zeros(nrows, pstar);
            let mut r0 = 0;
            for pat in chunk {
                let pe = eval_pattern(pat, mu, sigma)?;
                let po = pat.obs.len();
                let (means, pairs) = local_moments(p, &pat.obs);
                for i in 0..pat.n {
                    let d = DVector::from_fn(po, |a, _| pat.rows[i * po + a] - mu[pat.obs[a]]);
                    let z = &pe.w * d;
                    for (a, &ga) in means.iter().enumerate() {
                        sc[(r0 + i, ga)] = z[a];
                    }
                    for &(a, bb, gab, hab) in &pairs {
                        sc[(r0 + i, gab)] = -hab * (pe.w[(a, bb)] - z[a] * z[bb]);
                    }
                }
                r0 += pat.n;
            }
            Some(sc.transpose() * &sc)
        },
        |a, b| *a += b,
    )?;
    b.iter().all(|v| v.is_finite()).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (GroupData, Vec<f64>, DMatrix<f64>) {
        let nan = f64::NAN;
        let data = [
            [1.0, 2.0, 3.0],
            [2.0, nan, 5.0],
            [4.0, 1.0, nan],
            [3.0, nan, 4.0],
            [0.0, 3.0, 1.0],
            [1.5, 2.5, 2.0],
            [nan, 1.0, 2.5],
        ];
        let rows: Vec<&[f64]> = data.iter().map(|r| r.as_slice()).collect();
        let g = GroupData::new("", &rows, 3);
        let mu = vec![0.1, -0.2, 0.3];
        let sigma = DMatrix::from_row_slice(3, 3, &[2.0, 0.5, 0.3, 0.5, 1.5, 0.2, 0.3, 0.2, 1.8]);
        (g, mu, sigma)
    }

    fn moments_of(x: &[f64], p: usize) -> (Vec<f64>, DMatrix<f64>) {
        let mu = x[..p].to_vec();
        let mut s = DMatrix::zeros(p, p);
        for j in 0..p {
            for i in j..p {
                let v = x[vech_index(p, i, j)];
                s[(i, j)] = v;
                s[(j, i)] = v;
            }
        }
        (mu, s)
    }

    fn grad_vec(g: &GroupData, x: &[f64]) -> DVector<f64> {
        let p = g.p;
        let (mu, s) = moments_of(x, p);
        let mg = gradient(g, &mu, &s).unwrap();
        let mut out = DVector::zeros(nmoments(p));
        for j in 0..p {
            out[j] = mg.g_mu[j];
            for i in j..p {
                let f = if i == j { 1.0 } else { 2.0 };
                out[vech_index(p, i, j)] = f * mg.g_sigma[(i, j)];
            }
        }
        out
    }

    #[test]
    fn vech_index_is_lavaans_order() {
        let p = 4;
        let mut k = p;
        for j in 0..p {
            for i in j..p {
                assert_eq!(vech_index(p, i, j), k);
                assert_eq!(vech_index(p, j, i), k);
                k += 1;
            }
        }
        assert_eq!(k, nmoments(p));
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let (g, mu, sigma) = toy();
        let p = 3;
        let mut x = mu.clone();
        x.resize(nmoments(p), 0.0);
        for j in 0..p {
            for i in j..p {
                x[vech_index(p, i, j)] = sigma[(i, j)];
            }
        }
        let gv = grad_vec(&g, &x);
        let hess = hessian(&g, &mu, &sigma).unwrap();
        let h = 1e-6;
        for k in 0..x.len() {
            let mut xp = x.clone();
            xp[k] += h;
            let mut xm = x.clone();
            xm[k] -= h;
            let (a, sa) = moments_of(&xp, p);
            let (b, sb) = moments_of(&xm, p);
            let num = (loglik(&g, &a, &sa).unwrap() - loglik(&g, &b, &sb).unwrap()) / (2.0 * h);
            assert!((num - gv[k]).abs() < 1e-7, "grad {k}: {num} vs {}", gv[k]);
            let col = (grad_vec(&g, &xp) - grad_vec(&g, &xm)) / (2.0 * h);
            for l in 0..x.len() {
                assert!(
                    (col[l] - hess[(l, k)]).abs() < 1e-6,
                    "hess ({l},{k}): {} vs {}",
                    col[l],
                    hess[(l, k)]
                );
            }
        }
        // the score cross products: their sum over rows is the gradient
        let b = score_crossproducts(&g, &mu, &sigma).unwrap();
        assert!(b.iter().all(|v| v.is_finite()));
        assert!((&b - b.transpose()).amax() < 1e-12);
    }
}
