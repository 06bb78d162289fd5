//! Percentile bootstrap interval for coefficient alpha.
//!
//! # Algorithm
//! Resample $b$ draws $n$ rows with replacement as multinomial counts $w_r$ from its own
//! ChaCha8 stream (`seed`, stream $b$), so the result depends on (seed, b) only, never on the
//! number of threads. With complete data alpha needs only weighted first and second moments
//! of each item and of the total score:
//! $$\alpha_b = \frac{k}{k-1}\Bigl(1 - \frac{\sum_i s^2_{i,w}}{s^2_{T,w}}\Bigr),$$
//! which is $O(nk)$ per resample with no copied rows and no covariance matrix. With missing
//! cells (pairwise policy) each resample's pairwise covariance matrix is accumulated with the
//! same weights ($O(nk^2)$). The interval is the type-7 quantiles (R's default `quantile`) of
//! the resampled alphas at $(1-\text{level})/2$ and $(1+\text{level})/2$.
//!
//! # Reference
//! Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall, ch. 13.
//!
//! # Peer
//! R psych::alpha(n.iter = N) reports the same percentile interval of resampled raw alphas;
//! its random numbers differ, so only the method, not the digits, is comparable.

use super::alpha_of;
use crate::correlation::pearson::covariance_weighted;
use crate::data::ItemData;
use crate::error::{Error, Result};
use crate::numeric::quantile::quantile_sorted;
use crate::numeric::rng::stream;
use rand::Rng;
use rayon::prelude::*;

/// The multinomial resampling counts of resample `b`.
fn counts(n: usize, seed: u64, b: u64, out: &mut [f64]) {
    let mut rng = stream(seed, b);
    out.iter_mut().for_each(|w| *w = 0.0);
    for _ in 0..n {
        let i = rng.gen_range(0..n as u64) as usize;
        out[i] += 1.0;
    }
}

/// The resampled alphas, in resample order.
pub fn alpha_bootstrap(data: &ItemData, resamples: usize, seed: u64) -> Result<Vec<f64>> {
    let n = data.n();
    let k = data.k();
    if n < 3 {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 3,
            got: n,
        });
    }
    let complete = data.values.iter().all(|v| !v.is_nan());
    if complete {
        // per row: x_1..x_k, x_1^2..x_k^2, T, T^2, centred at the item means for accuracy
        let width = 2 * k + 2;
        let mut means = vec![0.0; k];
        for r in data.row_iter() {
            for (m, x) in means.iter_mut().zip(r) {
                *m += x;
            }
        }
        means.iter_mut().for_each(|m| *m /= n as f64);
        let mut rows = Vec::with_capacity(n * width);
        for r in data.row_iter() {
            let mut t = 0.0;
            for (x, m) in r.iter().zip(&means) {
                rows.push(x - m);
                t += x - m;
            }
            for (x, m) in r.iter().zip(&means) {
                rows.push((x - m) * (x - m));
            }
            rows.push(t);
            rows.push(t * t);
        }
        let kf = k as f64;
        let alphas = (0..resamples)
            .into_par_iter()
            .map_init(
                || (vec![0.0; n], vec![0.0; width]),
                |(w, acc), b| {
                    counts(n, seed, b as u64, w);
                    acc.iter_mut().for_each(|a| *a = 0.0);
                    for (wr, row) in w.iter().zip(rows.chunks_exact(width)) {
                        if *wr != 0.0 {
                            for (a, x) in acc.iter_mut().zip(row) {
                                *a += wr * x;
                            }
                        }
                    }
                    let nf = n as f64;
                    let var = |s1: f64, s2: f64| (s2 - s1 * s1 / nf) / (nf - 1.0);
                    let sum_item_var: f64 = (0..k).map(|i| var(acc[i], acc[k + i])).sum();
                    let total_var = var(acc[2 * k], acc[2 * k + 1]);
                    kf / (kf - 1.0) * (1.0 - sum_item_var / total_var)
                },
            )
            .collect();
        Ok(alphas)
    } else {
        (0..resamples)
            .into_par_iter()
            .map_init(
                || vec![0.0; n],
                |w, b| {
                    counts(n, seed, b as u64, w);
                    covariance_weighted(data, Some(w)).map(|m| alpha_of(&m.cov))
                },
            )
            .collect()
    }
}

/// Percentile bootstrap interval of alpha at the given level.
pub fn alpha_bootstrap_ci(
    data: &ItemData,
    resamples: usize,
    seed: u64,
    level: f64,
) -> Result<[f64; 2]> {
    let mut a: Vec<f64> = alpha_bootstrap(data, resamples, seed)?
        .into_iter()
        .filter(|x| x.is_finite())
        .collect();
    a.sort_by(f64::total_cmp);
    Ok([
        quantile_sorted(&a, (1.0 - level) / 2.0),
        quantile_sorted(&a, (1.0 + level) / 2.0),
    ])
}
