//! Covariances and Pearson correlations, pairwise or listwise.
//!
//! # Formula
//! For items $i, j$ and the $n_{ij}$ rows where both are present,
//! $$c_{ij} = \frac{1}{n_{ij}-1}\Bigl(\sum d_i d_j - \frac{\sum d_i \sum d_j}{n_{ij}}\Bigr),
//! \qquad d_i = x_i - \bar x_i,$$
//! where $\bar x_i$ is item $i$'s mean over all its values: a fixed shift, so the sums stay small
//! and the formula keeps full precision while each pair still uses its own pairwise means
//! (as R's `cov(x, use = "pairwise")`). The diagonal is each item's variance over its own values.
//!
//! # Peer
//! R `stats::cov(x, use = "pairwise.complete.obs")` / `"complete.obs"`.
//!
//! # Algorithm
//! Rows are cut into fixed chunks processed in parallel; complete rows update a dense
//! cross-product triangle, incomplete rows update per-pair sums. Chunk results are added in chunk
//! order, so the result does not depend on the number of threads.

use crate::data::{ItemData, PairSums};
use crate::error::{Error, Location, Result};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

/// Missing-data policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Each statistic from the rows where its variables are present (R psych's default).
    #[default]
    Pairwise,
    /// Only rows complete on every selected item.
    Listwise,
}

/// Covariance matrix with the counts behind it.
#[derive(Debug, Clone)]
pub struct Moments {
    /// Item means over each item's own values.
    pub means: Vec<f64>,
    /// Non-missing count per item.
    pub counts: Vec<usize>,
    /// Covariance matrix (divisor $n_{ij} - 1$).
    pub cov: DMatrix<f64>,
    /// Pairwise counts $n_{ij}$.
    pub pair_n: DMatrix<f64>,
    /// Pairwise standard deviations: entry $(i, j)$ is the sd of item $i$ over the rows where
    /// $j$ is also present (R's `cor(use = "pairwise")` divides by these).
    pub pair_sd: DMatrix<f64>,
    /// Number of complete rows.
    pub n_complete: usize,
}

impl Moments {
    /// The correlation matrix scaled by the diagonal: $r_{ij} = c_{ij}/\sqrt{c_{ii}c_{jj}}$
    /// (R's `cov2cor`, which psych::alpha uses).
    pub fn cov2cor(&self) -> DMatrix<f64> {
        let k = self.cov.nrows();
        DMatrix::from_fn(k, k, |i, j| {
            if i == j {
                1.0
            } else {
                self.cov[(i, j)] / (self.cov[(i, i)] * self.cov[(j, j)]).sqrt()
            }
        })
    }

    /// The pairwise Pearson correlation matrix, each entry with its own pairwise sds
    /// (R's `cor(x, use = "pairwise")`).
    pub fn pairwise_cor(&self) -> DMatrix<f64> {
        let k = self.cov.nrows();
        DMatrix::from_fn(k, k, |i, j| {
            if i == j {
                1.0
            } else {
                self.cov[(i, j)] / (self.pair_sd[(i, j)] * self.pair_sd[(j, i)])
            }
        })
    }
}

const CHUNK: usize = 8192;

#[derive(Clone)]
struct Acc {
    k: usize,
    // complete rows
    nc: f64,
    cs: Vec<f64>,
    cxy: Vec<f64>, // k*k, upper triangle used
    // incomplete rows, per ordered pair (i, j) with i <= j
    pn: Vec<f64>,
    psx: Vec<f64>, // sum of d_i over rows where i and j present (index i*k+j, and j*k+i for d_j)
    psxx: Vec<f64>,
    pxy: Vec<f64>,
}

impl Acc {
    fn new(k: usize) -> Self {
        Acc {
            k,
            nc: 0.0,
            cs: vec![0.0; k],
            cxy: vec![0.0; k * k],
            pn: vec![0.0; k * k],
            psx: vec![0.0; k * k],
            psxx: vec![0.0; k * k],
            pxy: vec![0.0; k * k],
        }
    }

    fn add(&mut self, o: &Acc) {
        self.nc += o.nc;
        for (a, b) in self.cs.iter_mut().zip(&o.cs) {
            *a += b;
        }
        for (dst, src) in [
            (&mut self.cxy, &o.cxy),
            (&mut self.pn, &o.pn),
            (&mut self.psx, &o.psx),
            (&mut self.psxx, &o.psxx),
            (&mut self.pxy, &o.pxy),
        ] {
            for (a, b) in dst.iter_mut().zip(src.iter()) {
                *a += b;
            }
        }
    }

    #[inline]
    #[allow(clippy::needless_range_loop)]
    fn row(&mut self, x: &[f64], shift: &[f64], d: &mut [f64], w: f64) {
        let k = self.k;
        let mut complete = true;
        for j in 0..k {
            d[j] = x[j] - shift[j];
            complete &= !d[j].is_nan();
        }
        if complete {
            self.nc += w;
            for i in 0..k {
                let di = d[i] * w;
                self.cs[i] += di;
                let row = &mut self.cxy[i * k..(i + 1) * k];
                for (c, dj) in row[i..].iter_mut().zip(&d[i..]) {
                    *c += di * dj;
                }
            }
        } else {
            for i in 0..k {
                let di = d[i];
                if di.is_nan() {
                    continue;
                }
                for j in i..k {
                    let dj = d[j];
                    if dj.is_nan() {
                        continue;
                    }
                    self.pn[i * k + j] += w;
                    self.psx[i * k + j] += w * di;
                    self.psxx[i * k + j] += w * di * di;
                    self.pxy[i * k + j] += w * di * dj;
                    if i != j {
                        self.psx[j * k + i] += w * dj;
                        self.psxx[j * k + i] += w * dj * dj;
                    }
                }
            }
        }
    }
}

/// Item means over each item's non-missing values, and the counts.
fn means(data: &ItemData) -> (Vec<f64>, Vec<usize>) {
    let k = data.k();
    let parts: Vec<(Vec<f64>, Vec<usize>)> = data
        .values
        .par_chunks(CHUNK * k.max(1))
        .map(|chunk| {
            let mut s = vec![0.0; k];
            let mut c = vec![0usize; k];
            for r in chunk.chunks_exact(k.max(1)) {
                for j in 0..k {
                    if !r[j].is_nan() {
                        s[j] += r[j];
                        c[j] += 1;
                    }
                }
            }
            (s, c)
        })
        .collect();
    let mut s = vec![0.0; k];
    let mut c = vec![0usize; k];
    for (ps, pc) in parts {
        for j in 0..k {
            s[j] += ps[j];
            c[j] += pc[j];
        }
    }
    let m = s
        .iter()
        .zip(&c)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    (m, c)
}

/// The covariance matrix from exact sufficient statistics ([`PairSums`]), as [`covariance`]
/// computes it from the rows: each pair over its pairwise-complete rows, or every statistic over
/// the complete rows (`Missing::Listwise`). `names` and `at` place errors.
///
/// # Formula
/// $c_{ij} = (n_{ij}\sum x_i x_j - \sum x_i \sum x_j)/(n_{ij}(n_{ij}-1))$ with the numerator in
/// exact integers, so it agrees with [`covariance`] to rounding (about $10^{-15}$ relative).
///
/// Errors when a pair of items shares fewer than 2 rows.
pub fn covariance_from_sums(
    sums: &PairSums,
    missing: Missing,
    names: &[String],
    at: &Location,
) -> Result<Moments> {
    let k = sums.k();
    let listwise = missing == Missing::Listwise;
    let mut cov = DMatrix::zeros(k, k);
    let mut pair_n = DMatrix::zeros(k, k);
    let mut pair_sd = DMatrix::zeros(k, k);
    for i in 0..k {
        for j in i..k {
            let p = sums.pair(i, j, listwise);
            if p.n < 2 {
                return Err(Error::TooFewRows {
                    at: at
                        .clone()
                        .with_column(format!("{} and {}", names[i], names[j])),
                    needed: 2,
                    got: p.n as usize,
                });
            }
            let c = p.cov();
            cov[(i, j)] = c;
            cov[(j, i)] = c;
            pair_n[(i, j)] = p.n as f64;
            pair_n[(j, i)] = p.n as f64;
            pair_sd[(i, j)] = p.var_x().max(0.0).sqrt();
            pair_sd[(j, i)] = p.var_y().max(0.0).sqrt();
        }
    }
    let (means, counts) = (0..k)
        .map(|j| {
            let p = sums.pair(j, j, listwise);
            (p.sx as f64 / p.n as f64, p.n as usize)
        })
        .unzip();
    Ok(Moments {
        means,
        counts,
        cov,
        pair_n,
        pair_sd,
        n_complete: sums.complete as usize,
    })
}

/// Covariance matrix of the items under the given missing-data policy.
///
/// Errors when a pair of items shares fewer than 2 rows (no covariance exists).
pub fn covariance(data: &ItemData, missing: Missing) -> Result<Moments> {
    let owned;
    let data = match missing {
        Missing::Pairwise => data,
        Missing::Listwise => {
            owned = data.listwise();
            &owned
        }
    };
    covariance_weighted(data, None)
}

/// Covariance with optional integer-valued row weights (bootstrap resampling counts).
pub(crate) fn covariance_weighted(data: &ItemData, weights: Option<&[f64]>) -> Result<Moments> {
    let k = data.k();
    let (means, counts) = means(data);
    let n_chunks = data.n().div_ceil(CHUNK);
    let parts: Vec<Acc> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let mut acc = Acc::new(k);
            let mut d = vec![0.0; k];
            let lo = c * CHUNK;
            let hi = ((c + 1) * CHUNK).min(data.n());
            for i in lo..hi {
                let w = weights.map_or(1.0, |w| w[i]);
                if w != 0.0 {
                    acc.row(data.row(i), &means, &mut d, w);
                }
            }
            acc
        })
        .collect();
    let mut acc = Acc::new(k);
    for p in &parts {
        acc.add(p);
    }
    let mut cov = DMatrix::zeros(k, k);
    let mut pair_n = DMatrix::zeros(k, k);
    let mut pair_sd = DMatrix::zeros(k, k);
    for i in 0..k {
        for j in i..k {
            let n = acc.nc + acc.pn[i * k + j];
            let sx = acc.cs[i] + acc.psx[i * k + j];
            let sy = acc.cs[j]
                + if i == j {
                    acc.psx[i * k + j]
                } else {
                    acc.psx[j * k + i]
                };
            let sxy = acc.cxy[i * k + j] + acc.pxy[i * k + j];
            let sxx = acc.cxy[i * k + i] + acc.psxx[i * k + j];
            let syy = acc.cxy[j * k + j]
                + if i == j {
                    acc.psxx[i * k + j]
                } else {
                    acc.psxx[j * k + i]
                };
            if n < 2.0 {
                return Err(Error::TooFewRows {
                    at: data
                        .location()
                        .with_column(format!("{} and {}", data.names[i], data.names[j])),
                    needed: 2,
                    got: n as usize,
                });
            }
            let c = (sxy - sx * sy / n) / (n - 1.0);
            cov[(i, j)] = c;
            cov[(j, i)] = c;
            pair_n[(i, j)] = n;
            pair_n[(j, i)] = n;
            pair_sd[(i, j)] = ((sxx - sx * sx / n) / (n - 1.0)).max(0.0).sqrt();
            pair_sd[(j, i)] = ((syy - sy * sy / n) / (n - 1.0)).max(0.0).sqrt();
        }
    }
    let means = if weights.is_some() {
        // weighted item means (bootstrap): shift plus the mean deviation
        (0..k)
            .map(|j| means[j] + (acc.cs[j] + acc.psx[j * k + j]) / (acc.nc + acc.pn[j * k + j]))
            .collect()
    } else {
        means
    };
    Ok(Moments {
        means,
        counts,
        cov,
        pair_n,
        pair_sd,
        n_complete: acc.nc as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_pairwise_cov(x: &[Vec<f64>], i: usize, j: usize) -> f64 {
        let pairs: Vec<(f64, f64)> = x
            .iter()
            .filter(|r| !r[i].is_nan() && !r[j].is_nan())
            .map(|r| (r[i], r[j]))
            .collect();
        let n = pairs.len() as f64;
        let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
        let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / (n - 1.0)
    }

    #[test]
    fn pairwise_covariance_equals_definition() {
        let nan = f64::NAN;
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![2.0, nan, 5.0],
            vec![4.0, 1.0, nan],
            vec![5.0, 6.0, 2.0],
            vec![nan, 3.0, 3.0],
            vec![3.0, 3.0, 6.0],
        ];
        let d = ItemData::new(vec!["a".into(), "b".into(), "c".into()], rows.concat()).unwrap();
        let m = covariance(&d, Missing::Pairwise).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let want = naive_pairwise_cov(&rows, i, j);
                assert!((m.cov[(i, j)] - want).abs() < 1e-12, "{i},{j}");
            }
        }
        assert_eq!(m.n_complete, 3);
        assert_eq!(m.pair_n[(0, 1)], 4.0);
    }
}
