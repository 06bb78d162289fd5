//! Sample statistics of least-squares estimation with continuous indicators only (no
//! `--ordered`): the covariances and their asymptotic distribution-free (ADF) covariance
//! matrix.
//!
//! # Formula
//! The statistics are the variances and covariances $s = \operatorname{vech}(S)$ with the
//! unbiased $S = \frac{1}{n-1}\sum_i (y_i - \bar y)(y_i - \bar y)^\top$ (lavaan's choice for
//! the least-squares estimators; no mean structure). With
//! $d_i = \operatorname{vech}\bigl((y_i - \bar y)(y_i - \bar y)^\top\bigr)$ and
//! $\bar d = \frac1n\sum_i d_i$,
//! $$\Gamma = \frac1n\sum_i (d_i - \bar d)(d_i - \bar d)^\top$$
//! (Browne, 1984), accumulated in one parallel pass over fixed blocks of cases. The order of
//! the statistics (variances first, then the covariances in `Layout` order) differs
//! from lavaan's `vech` order; every quantity computed from them is invariant to the order.
//!
//! With a mean structure (several groups: lavaan then fits one, as with `meanstructure =
//! TRUE`) the statistics start with the negative means $-\bar y_j$ and $\Gamma$ is the
//! covariance matrix of $(-(y_i - \bar y), d_i)$ with the same $1/n$ (lavaan's
//! `lav_samplestats_Gamma(meanstructure = TRUE)` up to the sign of the mean block, whose
//! statistics here are $-\bar y$ as in [`super::Layout`]).
//!
//! # Reference
//! Browne, M. W. (1984). Asymptotically distribution-free methods for the analysis of
//! covariance structures. *British Journal of Mathematical and Statistical Psychology*, 37(1),
//! 62–83.
//!
//! # Peer
//! lavaan 0.6.14 `lavInspect(fit, "sampstat")` and `lavInspect(fit, "gamma")` of
//! `cfa(..., estimator = "ULS" | "DWLS" | "WLSMV" | "ULSMV")` with numeric data; tests `cfa_mixed`.
//!
//! # Deviations
//! None.

use super::stats::OrderedStats;
use super::Layout;
use crate::data::ItemData;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Cases per panel of the cross-product pass.
const PANEL: usize = 64;
/// Fixed number of blocks the cases are split into (independent of the thread count).
const BLOCKS: usize = 16;

/// Covariances (and, with `meanstructure`, the negative means) and their ADF $\Gamma$
/// (module docs).
///
/// # Errors
/// [`Error::ZeroVariance`] for a variable with one value.
pub(crate) fn continuous_stats(
    data: &ItemData,
    rows: &[usize],
    cols: &[usize],
    names: &[String],
    meanstructure: bool,
) -> Result<(Layout, OrderedStats)> {
    let n = rows.len();
    let nf = n as f64;
    let p = cols.len();
    let layout = Layout::mixed(vec![usize::from(meanstructure); p], vec![true; p]);
    let m = layout.nstat();
    // offset of the variances and covariances in s (after the means)
    let o = layout.nth_total;
    let mean: Vec<f64> = cols
        .iter()
        .map(|&c| rows.iter().map(|&r| data.row(r)[c]).sum::<f64>() / nf)
        .collect();
    // centred cases, row-major n x p
    let mut x = Vec::with_capacity(n * p);
    for &r in rows {
        let row = data.row(r);
        x.extend(cols.iter().zip(&mean).map(|(&c, mu)| row[c] - mu));
    }
    let pairs = &layout.pairs;
    let fill = |case: &[f64], d: &mut [f64]| {
        if meanstructure {
            for j in 0..p {
                d[j] = -case[j];
            }
        }
        for j in 0..p {
            d[o + j] = case[j] * case[j];
        }
        for (k, &(i, j)) in pairs.iter().enumerate() {
            d[o + p + k] = case[i] * case[j];
        }
    };
    let per_block = n.div_ceil(BLOCKS).max(1);
    let parts: Vec<(DMatrix<f64>, DVector<f64>)> = x
        .par_chunks(per_block * p)
        .map(|block| {
            let mut cp = DMatrix::<f64>::zeros(m, m);
            let mut sum = DVector::<f64>::zeros(m);
            let mut panel = DMatrix::<f64>::zeros(m, PANEL);
            for cases in block.chunks(PANEL * p) {
                panel.fill(0.0);
                for (k, case) in cases.chunks_exact(p).enumerate() {
                    let col = &mut panel.as_mut_slice()[k * m..(k + 1) * m];
                    fill(case, col);
                }
                cp.gemm(1.0, &panel, &panel.transpose(), 1.0);
                for k in 0..cases.len() / p {
                    sum += panel.column(k);
                }
            }
            (cp, sum)
        })
        .collect();
    let mut cp = DMatrix::<f64>::zeros(m, m);
    let mut sum = DVector::<f64>::zeros(m);
    for (c, s) in &parts {
        cp += c;
        sum += s;
    }
    let dbar = &sum / nf;
    let gamma = (&cp / nf) - &dbar * dbar.transpose();
    let gamma = (&gamma + gamma.transpose()) * 0.5;
    let mut cov = DMatrix::<f64>::zeros(p, p);
    let scale = nf / (nf - 1.0);
    for j in 0..p {
        cov[(j, j)] = dbar[o + j] * scale;
        if cov[(j, j)].is_nan() || cov[(j, j)] <= 0.0 {
            return Err(Error::ZeroVariance {
                at: data.location().with_column(&names[j]),
                value: mean[j],
            });
        }
    }
    for (k, &(i, j)) in pairs.iter().enumerate() {
        cov[(i, j)] = dbar[o + p + k] * scale;
        cov[(j, i)] = cov[(i, j)];
    }
    let s: Vec<f64> = (0..o)
        .map(|j| -mean[j])
        .chain((0..p).map(|j| cov[(j, j)]))
        .chain(pairs.iter().map(|&(i, j)| cov[(i, j)]))
        .collect();
    Ok((
        layout,
        OrderedStats {
            cor: cov,
            s,
            gamma,
            warnings: Vec::new(),
        },
    ))
}
