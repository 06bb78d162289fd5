//! FIML stage 3: the saturated (H1) model, free means and covariances, by the EM algorithm.
//!
//! # Formula
//! With the current $(\mu, \Sigma)$, each pattern's missing variables $m$ are predicted from its
//! observed ones $o$: $B = \Sigma_{mo}\Sigma_{oo}^{-1}$, $\hat y_m = \mu_m + B(y_o - \mu_o)$,
//! $C = \Sigma_{mm} - B\Sigma_{om}$ (E step). The completed sums, per pattern, are
//! $\sum y_o = n_P\bar y$, $\sum\hat y_m = n_Pc$ with $c = \mu_m + B(\bar y - \mu_o)$,
//! $\sum y_oy_o^\top = S_P + n_P\bar y\bar y^\top$, $\sum y_o\hat y_m^\top = n_P\bar yc^\top + S_PB^\top$,
//! $\sum\hat y_m\hat y_m^\top = n_Pcc^\top + BS_PB^\top + n_PC$, and the M step sets
//! $\mu = N^{-1}\sum y$, $\Sigma = N^{-1}\sum yy^\top - \mu\mu^\top$. Start: the observed means and
//! a diagonal matrix of the observed variances. Stop when no moment changes by more than
//! `tol` times the largest variance. The iterations are accelerated by SQUAREM (Varadhan &
//! Roland 2008): after two EM steps $r = \theta_1 - \theta_0$, $v = \theta_2 - 2\theta_1 + \theta_0$,
//! $\alpha = \min(-1, -\|r\|/\|v\|)$, then one EM step from $\theta_0 - 2\alpha r + \alpha^2v$ (from
//! $\theta_2$ if that point is not admissible). The H1 log-likelihood is the casewise one at the result.
//!
//! # Reference
//! Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
//! data via the EM algorithm. *Journal of the Royal Statistical Society B*, 39(1), 1–38.
//! Enders, C. K. (2010). *Applied missing data analysis*. Guilford Press (ch. 4).
//! Varadhan, R., & Roland, C. (2008). Simple and globally convergent methods for accelerating
//! the convergence of any EM algorithm. *Scandinavian Journal of Statistics*, 35(2), 335–353.
//!
//! # Peer
//! lavaan 0.6.14 `lav_mvnorm_missing_h1_estimate_moments` (EM, `unrestricted.logl`,
//! `lavInspect(fit, "sampstat.h1")`).
//!
//! # Deviations
//! lavaan stops at a change of $10^{-5}$; we run to $10^{-8}$ (relative to the largest variance), so the H1
//! log-likelihood is the maximum to rounding.

use super::casewise;
use super::patterns::{GroupData, Pattern};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// The saturated model of one group.
#[derive(Debug, Clone)]
pub(crate) struct Saturated {
    /// Means, centred as the group's data (add `GroupData::center` for the raw scale).
    pub mu: Vec<f64>,
    /// Covariance matrix.
    pub sigma: DMatrix<f64>,
    /// Casewise log-likelihood at $(\mu, \Sigma)$.
    pub loglik: f64,
    /// EM iterations.
    pub iterations: usize,
    /// Whether the change fell below the tolerance.
    pub converged: bool,
}

/// Each variable's variance over the rows that observe it (divisor: those rows).
pub(crate) fn observed_variances(g: &GroupData) -> Vec<f64> {
    let p = g.p;
    let mut ss = vec![0.0; p];
    let mut cnt = vec![0.0; p];
    for pat in &g.patterns {
        let po = pat.obs.len();
        for i in 0..pat.n {
            for (a, &j) in pat.obs.iter().enumerate() {
                let v = pat.rows[i * po + a];
                ss[j] += v * v;
                cnt[j] += 1.0;
            }
        }
    }
    // the data are centred at the observed means, so this is the biased variance
    ss.iter().zip(&cnt).map(|(s, c)| s / c).collect()
}

/// Completed-data sums $(\sum y, \sum yy^\top)$ of a chunk of patterns.
fn estep(
    chunk: &[Pattern],
    p: usize,
    mu: &DVector<f64>,
    sigma: &DMatrix<f64>,
) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let mut t1 = DVector::<f64>::zeros(p);
    let mut t2 = DMatrix::<f64>::zeros(p, p);
    for pat in chunk {
        let nf = pat.n as f64;
        let o = &pat.obs;
        let po = o.len();
        let ybar = DVector::from_column_slice(&pat.mean);
        let s = pat.cross.clone().unwrap_or_else(|| DMatrix::zeros(po, po));
        let m: Vec<usize> = (0..p).filter(|j| !o.contains(j)).collect();
        for a in 0..po {
            t1[o[a]] += nf * ybar[a];
            for b in 0..po {
                t2[(o[a], o[b])] += s[(a, b)] + nf * ybar[a] * ybar[b];
            }
        }
        if m.is_empty() {
            continue;
        }
        let pm = m.len();
        let som = DMatrix::from_fn(po, pm, |a, b| sigma[(o[a], m[b])]);
        let smm = DMatrix::from_fn(pm, pm, |a, b| sigma[(m[a], m[b])]);
        let (w, _) = casewise::inverse_sub(sigma, o)?;
        let bt = &w * &som; // B' (po x pm)
        let b = bt.transpose();
        let cmm = &smm - &b * &som;
        let mu_o = DVector::from_fn(po, |a, _| mu[o[a]]);
        let mu_m = DVector::from_fn(pm, |a, _| mu[m[a]]);
        let c = &mu_m + &b * (&ybar - &mu_o);
        let sbt = &s * &bt; // S B' (po x pm)
        let bsb = &b * &sbt; // B S B'
        for a in 0..pm {
            t1[m[a]] += nf * c[a];
            for d in 0..pm {
                t2[(m[a], m[d])] += nf * c[a] * c[d] + bsb[(a, d)] + nf * cmm[(a, d)];
            }
            for d in 0..po {
                let v = nf * ybar[d] * c[a] + sbt[(d, a)];
                t2[(o[d], m[a])] += v;
                t2[(m[a], o[d])] += v;
            }
        }
    }
    Some((t1, t2))
}

/// One EM step from $(\mu, \Sigma)$; `None` when some $\Sigma_{oo}$ is not positive definite.
fn em_step(
    g: &GroupData,
    mu: &DVector<f64>,
    sigma: &DMatrix<f64>,
) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let p = g.p;
    let n = g.n as f64;
    let parts: Vec<Option<(DVector<f64>, DMatrix<f64>)>> = g
        .patterns
        .par_chunks(32)
        .map(|c| estep(c, p, mu, sigma))
        .collect();
    let mut t1 = DVector::<f64>::zeros(p);
    let mut t2 = DMatrix::<f64>::zeros(p, p);
    for part in parts {
        let (a, b) = part?;
        t1 += a;
        t2 += b;
    }
    let mu1 = t1 / n;
    let s1 = t2 / n - &mu1 * mu1.transpose();
    let s1 = (&s1 + s1.transpose()) * 0.5;
    (mu1.iter().chain(s1.iter()).all(|v| v.is_finite())).then_some((mu1, s1))
}

/// The EM estimates of one group's saturated model (module docs); `None` when some
/// $\Sigma_{oo}$ stops being positive definite.
pub(crate) fn saturated(g: &GroupData, tol: f64, max_iter: usize) -> Option<Saturated> {
    let p = g.p;
    let var = observed_variances(g);
    let scale = var
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mu = DVector::<f64>::zeros(p);
    let sigma = DMatrix::from_diagonal(&DVector::from_vec(var));
    let mut converged = false;
    let mut iterations = 0;
    let change = |a: &(DVector<f64>, DMatrix<f64>), b: &(DVector<f64>, DMatrix<f64>)| {
        (&a.0 - &b.0).amax().max((&a.1 - &b.1).amax())
    };
    let mut cur = (mu, sigma);
    while iterations < max_iter {
        // SQUAREM: two EM steps, an extrapolation along them, and one EM step from there
        let s1 = em_step(g, &cur.0, &cur.1)?;
        iterations += 1;
        if change(&s1, &cur) <= tol * scale {
            cur = s1;
            converged = true;
            break;
        }
        let s2 = em_step(g, &s1.0, &s1.1)?;
        iterations += 1;
        if change(&s2, &s1) <= tol * scale {
            cur = s2;
            converged = true;
            break;
        }
        let (rm, rs) = (&s1.0 - &cur.0, &s1.1 - &cur.1);
        let (vm, vs) = (&s2.0 - &s1.0 - &rm, &s2.1 - &s1.1 - &rs);
        let rn = (rm.norm_squared() + rs.norm_squared()).sqrt();
        let vn = (vm.norm_squared() + vs.norm_squared()).sqrt();
        let alpha = if vn > 0.0 { (-rn / vn).min(-1.0) } else { -1.0 };
        let xm = &cur.0 - &rm * (2.0 * alpha) + &vm * (alpha * alpha);
        let xs = &cur.1 - &rs * (2.0 * alpha) + &vs * (alpha * alpha);
        iterations += 1;
        cur = match em_step(g, &xm, &xs) {
            Some(s3) if s3.1.clone().cholesky().is_some() => s3,
            _ => em_step(g, &s2.0, &s2.1)?,
        };
    }
    let (mu, sigma) = cur;
    let mu: Vec<f64> = mu.iter().copied().collect();
    let loglik = casewise::loglik(g, &mu, &sigma)?;
    Some(Saturated {
        mu,
        sigma,
        loglik,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_reaches_a_stationary_point_of_the_casewise_likelihood() {
        let nan = f64::NAN;
        let data = [
            [1.0, 2.0, 3.0],
            [2.0, nan, 5.0],
            [4.0, 1.0, nan],
            [3.0, nan, 4.0],
            [0.0, 3.0, 1.0],
            [1.5, 2.5, 2.0],
            [nan, 1.0, 2.5],
            [2.5, 2.0, 3.5],
            [3.5, 0.5, 4.5],
        ];
        let rows: Vec<&[f64]> = data.iter().map(|r| r.as_slice()).collect();
        let g = GroupData::new("", &rows, 3);
        let s = saturated(&g, 1e-13, 100_000).unwrap();
        assert!(s.converged);
        let mg = casewise::gradient(&g, &s.mu, &s.sigma).unwrap();
        assert!(mg.g_mu.amax() < 1e-8, "{}", mg.g_mu);
        assert!(mg.g_sigma.amax() < 1e-8, "{}", mg.g_sigma);
        assert!((mg.loglik - s.loglik).abs() < 1e-12);
    }
}
