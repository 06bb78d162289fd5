//! The bootstrap over whole units (groups or leaders): seeded resample plans and percentile
//! intervals of any vector of statistics.
//!
//! # Algorithm
//! Resample $b = 0, \dots, B-1$ draws $n$ unit indices $\lfloor n u \rfloor$ (with $u$ uniform
//! on (0, 1) from 53 random bits, never a `usize` drawn directly) from ChaCha8 stream $b$ of
//! the seed ([`crate::numeric::rng::stream`]). Each resample's statistics are computed in
//! parallel into an indexed vector, so results depend on (seed, $B$) only, not on the thread
//! count. A statistic's interval is the type-7 percentile interval
//! $[Q(\alpha/2), Q(1-\alpha/2)]$ of its finite resample values; a resample on which the
//! statistic is undefined (a singular correlation matrix) is left out, and the number used is
//! reported.
//!
//! # Reference
//! Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall,
//! ch. 13 (percentile intervals).
//!
//! # Peer
//! Given the same resample indices, the intervals equal R `quantile(t, c(.025, .975))` (type 7)
//! of the statistics computed on `data[idx, ]` (tests/fixtures/framework/bootstrap.R).

use crate::numeric::quantile::quantile_sorted;
use crate::numeric::rng::{stream, uniform_open};
use rayon::prelude::*;

/// The resamples of a bootstrap: `indices[b]` are the units of resample `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResamplePlan {
    /// Unit indices (0-based) of each resample.
    pub indices: Vec<Vec<usize>>,
}

impl ResamplePlan {
    /// `b` resamples of `n` units from `seed` (see the module docs).
    pub fn new(n: usize, b: usize, seed: u64) -> ResamplePlan {
        let indices = (0..b)
            .map(|r| {
                let mut rng = stream(seed, r as u64);
                (0..n)
                    .map(|_| ((uniform_open(&mut rng) * n as f64) as usize).min(n - 1))
                    .collect()
            })
            .collect();
        ResamplePlan { indices }
    }

    /// Statistics of every resample: `stat(indices)` returns the vector of statistics, or
    /// `None` where they cannot be computed. Runs in parallel, results in resample order.
    pub fn run<F>(&self, stat: F) -> Vec<Option<Vec<f64>>>
    where
        F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
    {
        self.indices.par_iter().map(|idx| stat(idx)).collect()
    }
}

/// Percentile intervals of `k` statistics over resamples (`None` resamples and non-finite
/// values left out); an interval is `None` with fewer than 20 usable values.
///
/// # Formula
/// $[Q_7(\tfrac{1-c}{2}), Q_7(\tfrac{1+c}{2})]$ of the sorted finite values.
pub fn percentile_intervals(
    values: &[Option<Vec<f64>>],
    k: usize,
    ci: f64,
) -> Vec<Option<[f64; 2]>> {
    let lo = (1.0 - ci) / 2.0;
    (0..k)
        .map(|j| {
            let mut v: Vec<f64> = values
                .iter()
                .filter_map(|r| r.as_ref().and_then(|r| r.get(j)).copied())
                .filter(|x| x.is_finite())
                .collect();
            if v.len() < 20 {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some([quantile_sorted(&v, lo), quantile_sorted(&v, 1.0 - lo)])
        })
        .collect()
}

/// Number of resamples whose statistics could all be computed.
pub fn usable(values: &[Option<Vec<f64>>]) -> usize {
    values.iter().filter(|v| v.is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_depend_on_the_seed_only_and_stay_in_range() {
        let a = ResamplePlan::new(7, 50, 3);
        let b = ResamplePlan::new(7, 50, 3);
        let c = ResamplePlan::new(7, 50, 4);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.indices.iter().flatten().all(|&i| i < 7));
        // every unit is drawn somewhere
        for u in 0..7 {
            assert!(a.indices.iter().flatten().any(|&i| i == u));
        }
    }

    #[test]
    fn percentile_interval_is_type7() {
        // R: quantile(1:100, c(.025, .975)) = 3.475, 97.525
        let vals: Vec<Option<Vec<f64>>> = (1..=100).map(|i| Some(vec![i as f64])).collect();
        let ci = percentile_intervals(&vals, 1, 0.95)[0].unwrap();
        assert!((ci[0] - 3.475).abs() < 1e-12 && (ci[1] - 97.525).abs() < 1e-12);
    }
}
