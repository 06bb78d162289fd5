//! Dominance analysis: general, conditional and complete dominance from all-subsets R².

use super::ols::mean;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::numeric::quantile::quantile_sorted;
use crate::numeric::rng::stream;
use nalgebra::DMatrix;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;

/// Largest number of predictors for which all $2^p$ subsets are evaluated.
pub const MAX_PREDICTORS: usize = 15;

/// Options of [`dominance`]; the defaults give the point estimates only.
#[derive(Debug, Clone)]
pub struct DominanceOptions {
    /// Percentile bootstrap of the general weights with this many resamples of the rows.
    pub bootstrap: Option<usize>,
    /// Seed of the resampling (resample $b$ uses ChaCha8 stream $b$ of this seed).
    pub seed: u64,
    /// Level of the bootstrap intervals.
    pub level: f64,
}

impl Default for DominanceOptions {
    fn default() -> Self {
        DominanceOptions {
            bootstrap: None,
            seed: 1,
            level: 0.95,
        }
    }
}

impl DominanceOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        if self.bootstrap == Some(0) {
            return Err(Error::option("--bootstrap", "expected at least 1 resample"));
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(Error::option("--ci", "expected a level between 0 and 1"));
        }
        Ok(())
    }
}

/// One predictor's dominance statistics.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DominanceRow {
    /// Predictor.
    pub term: String,
    /// General dominance weight (they sum to $R^2$).
    pub general: f64,
    /// `general / r2`.
    pub standardized: f64,
    /// Rank of the general weight (1 = largest).
    pub rank: usize,
    /// Conditional dominance: the mean $R^2$ gain over subsets of $0, 1, \dots, p-1$ other predictors.
    pub conditional: Vec<f64>,
    /// Predictors this one completely dominates.
    pub completely_dominates: Vec<String>,
    /// Percentile bootstrap interval of `general` (with `--bootstrap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub general_ci: Option<[f64; 2]>,
    /// Bootstrap standard error of `general`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub general_se: Option<f64>,
}

/// Bootstrap settings echoed in the result.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DominanceBootstrap {
    /// Resamples asked for.
    pub resamples: usize,
    /// Resamples with a usable (positive definite) correlation matrix.
    pub usable: usize,
    /// Seed.
    pub seed: u64,
    /// Interval level.
    pub level: f64,
}

/// Result of [`dominance`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DominanceResult {
    /// Rows used.
    pub n: usize,
    /// $R^2$ of the full model.
    pub r2: f64,
    /// One row per predictor, in input order.
    pub rows: Vec<DominanceRow>,
    /// Complete dominance, `[i][j]`: 1 if predictor i completely dominates j, 0 if j dominates
    /// i, 0.5 if neither; `null` on the diagonal.
    pub complete: Vec<Vec<Option<f64>>>,
    /// Bootstrap settings, when asked.
    pub bootstrap: Option<DominanceBootstrap>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// $R^2$ of every subset of predictors from the correlation matrix of $(y, x_1, \dots, x_p)$,
/// indexed by bit mask (bit $j$ = predictor $j$); entry 0 is 0.
///
/// # Formula
/// $R^2_S = r_{yS}'R_{SS}^{-1}r_{yS} = \lVert z_S\rVert^2$ with $R_{SS} = L_SL_S'$ and
/// $z_S = L_S^{-1}r_{yS}$. Subsets are visited depth first, each adding one predictor $j$ to its
/// parent: $l = L_S^{-1}r_{Sj}$, $d = \sqrt{1 - l'l}$, $z_j = (r_{yj} - l'z_S)/d$ and
/// $R^2_{S\cup j} = R^2_S + z_j^2$ (a Cholesky row update), so a subset costs $O(|S|^2)$ and no
/// regression is refitted on the rows.
pub fn all_subsets_r2(corr: &DMatrix<f64>) -> Result<Vec<f64>> {
    let p = corr.nrows().saturating_sub(1);
    if p == 0 || p > MAX_PREDICTORS {
        return Err(Error::option(
            "--dominance",
            format!("dominance analysis takes 1 to {MAX_PREDICTORS} predictors (2^p subsets), found {p}"),
        ));
    }
    let mut out = vec![0.0; 1 << p];
    let mut st = Stack {
        c: corr,
        p,
        rows: Vec::with_capacity(p),
        diag: Vec::with_capacity(p),
        z: Vec::with_capacity(p),
        idx: Vec::with_capacity(p),
    };
    st.extend(0, 0.0, 0, &mut out)?;
    Ok(out)
}

struct Stack<'a> {
    c: &'a DMatrix<f64>,
    p: usize,
    /// Strictly-lower rows of L.
    rows: Vec<Vec<f64>>,
    diag: Vec<f64>,
    z: Vec<f64>,
    idx: Vec<usize>,
}

impl Stack<'_> {
    fn extend(&mut self, mask: usize, r2: f64, start: usize, out: &mut [f64]) -> Result<()> {
        for j in start..self.p {
            let s = self.idx.len();
            let mut l = vec![0.0; s];
            for a in 0..s {
                let mut v = self.c[(self.idx[a] + 1, j + 1)];
                for (b, lb) in l.iter().enumerate().take(a) {
                    v -= self.rows[a][b] * lb;
                }
                l[a] = v / self.diag[a];
            }
            let d2 = 1.0 - l.iter().map(|v| v * v).sum::<f64>();
            if d2.is_nan() || d2 <= 0.0 {
                return Err(Error::NotPositiveDefinite {
                    what: "correlation matrix of the predictors".into(),
                    index: format!("at predictor {}", j + 1),
                });
            }
            let d = d2.sqrt();
            let zj =
                (self.c[(0, j + 1)] - l.iter().zip(&self.z).map(|(a, b)| a * b).sum::<f64>()) / d;
            let m = mask | (1 << j);
            let r = r2 + zj * zj;
            out[m] = r;
            self.rows.push(l);
            self.diag.push(d);
            self.z.push(zj);
            self.idx.push(j);
            self.extend(m, r, j + 1, out)?;
            self.rows.pop();
            self.diag.pop();
            self.z.pop();
            self.idx.pop();
        }
        Ok(())
    }
}

/// General and conditional dominance from all-subsets $R^2$ (`r2[mask]`, $p$ predictors).
///
/// # Formula
/// $C^{(k)}\_i = \binom{p-1}{k}^{-1}\sum_{S \subseteq P\setminus\\{i\\},\\,|S| = k}(R^2_{S\cup i} - R^2_S)$
/// and the general weight $G_i = \frac1p\sum_{k=0}^{p-1}C^{(k)}\_i$; $\sum_i G_i = R^2_P$.
pub fn general_conditional(r2: &[f64], p: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut sums = vec![vec![0.0; p]; p];
    for (i, s) in sums.iter_mut().enumerate() {
        let bi = 1usize << i;
        for m in 0..(1usize << p) {
            if m & bi == 0 {
                s[m.count_ones() as usize] += r2[m | bi] - r2[m];
            }
        }
    }
    let cond: Vec<Vec<f64>> = sums
        .iter()
        .map(|s| {
            s.iter()
                .enumerate()
                .map(|(k, v)| v / binomial(p - 1, k))
                .collect()
        })
        .collect();
    let general = cond
        .iter()
        .map(|c| c.iter().sum::<f64>() / p as f64)
        .collect();
    (general, cond)
}

/// Complete dominance: `[i][j]` = 1 if $R^2_{S\cup i} > R^2_{S\cup j}$ for every subset $S$ of
/// the other predictors, 0 if the reverse holds for every $S$, 0.5 otherwise.
#[allow(clippy::needless_range_loop)] // i and j index both the bit masks and the matrix
pub fn complete_dominance(r2: &[f64], p: usize) -> Vec<Vec<Option<f64>>> {
    let mut out = vec![vec![None; p]; p];
    for i in 0..p {
        for j in (i + 1)..p {
            let (bi, bj) = (1usize << i, 1usize << j);
            let (mut i_wins, mut j_wins) = (true, true);
            for m in 0..(1usize << p) {
                if m & (bi | bj) != 0 {
                    continue;
                }
                let (a, b) = (r2[m | bi], r2[m | bj]);
                i_wins &= a > b;
                j_wins &= b > a;
                if !i_wins && !j_wins {
                    break;
                }
            }
            let v = if i_wins {
                1.0
            } else if j_wins {
                0.0
            } else {
                0.5
            };
            out[i][j] = Some(v);
            out[j][i] = Some(1.0 - v);
        }
    }
    out
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Correlation matrix of the columns of `z` (`n x m`), two-pass.
pub fn correlation(z: &DMatrix<f64>) -> DMatrix<f64> {
    let n = z.nrows();
    let m = z.ncols();
    let mut c = z.clone();
    for j in 0..m {
        let col: Vec<f64> = z.column(j).iter().copied().collect();
        let mu = mean(&col);
        c.column_mut(j).iter_mut().for_each(|v| *v -= mu);
    }
    let s = c.transpose() * &c / (n as f64 - 1.0);
    cov_to_cor(&s)
}

fn cov_to_cor(s: &DMatrix<f64>) -> DMatrix<f64> {
    let m = s.nrows();
    let d: Vec<f64> = (0..m).map(|j| s[(j, j)].sqrt()).collect();
    DMatrix::from_fn(m, m, |a, b| {
        if a == b {
            1.0
        } else {
            s[(a, b)] / (d[a] * d[b])
        }
    })
}

/// Dominance analysis of `y` on the predictor columns of `x` (`n x p`, $p \le 15$).
///
/// # Formula
/// All $2^p$ subset $R^2$ by [`all_subsets_r2`], general and conditional dominance by
/// [`general_conditional`], complete dominance by [`complete_dominance`]. The bootstrap
/// resamples the rows: resample $b$ draws $n$ row counts $w_i$ from ChaCha8 stream $b$ of the
/// seed, forms the weighted correlation matrix of $(y, x)$ in $O(np^2)$ and repeats the subset
/// analysis; the interval is the type-7 percentile interval of the general weights. Resamples
/// run in parallel into an indexed vector, so results do not depend on the thread count.
///
/// # Reference
/// Budescu, D. V. (1993). Dominance analysis. *Psychological Bulletin, 114*, 542–551.
/// Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing predictors
/// in multiple regression. *Psychological Methods, 8*, 129–148.
///
/// # Peer
/// The general weights match an all-subsets loop over R `lm` (reference case 20) and
/// R domir/dominanceanalysis's general dominance; conditional dominance is dominanceanalysis's
/// "conditional dominance" table (mean gain by number of other predictors). The bootstrap
/// matches dominanceanalysis's `bootAverageDominanceAnalysis` in method, not in its random numbers.
///
/// # Deviations
/// Complete dominance requires strictly larger gains in every subset (ties are "neither").
///
/// # Example
/// ```
/// use nalgebra::DMatrix;
/// use trustscale::regression::{dominance, DominanceOptions};
/// let x = DMatrix::from_row_slice(6, 2, &[1.0, 2.0, 2.0, 1.0, 3.0, 4.0, 4.0, 3.0, 5.0, 6.0, 6.0, 4.0]);
/// let y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
/// let names = ["a".to_string(), "b".to_string()];
/// let d = dominance(&x, &y, &names, &DominanceOptions::default()).unwrap();
/// let total: f64 = d.rows.iter().map(|r| r.general).sum();
/// assert!((total - d.r2).abs() < 1e-14); // general weights decompose R²
/// ```
pub fn dominance(
    x: &DMatrix<f64>,
    y: &[f64],
    names: &[String],
    opts: &DominanceOptions,
) -> Result<DominanceResult> {
    opts.validate()?;
    let n = x.nrows();
    let p = x.ncols();
    if p == 0 || p > MAX_PREDICTORS {
        return Err(Error::option(
            "--dominance",
            format!("dominance analysis takes 1 to {MAX_PREDICTORS} predictors (2^p subsets), found {p}"),
        ));
    }
    let z = DMatrix::from_fn(n, p + 1, |i, j| if j == 0 { y[i] } else { x[(i, j - 1)] });
    let r2 = all_subsets_r2(&correlation(&z))?;
    let full = r2[(1 << p) - 1];
    let (general, cond) = general_conditional(&r2, p);
    let complete = complete_dominance(&r2, p);
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| general[b].total_cmp(&general[a]));
    let mut rank = vec![0; p];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    let mut rows: Vec<DominanceRow> = (0..p)
        .map(|i| DominanceRow {
            term: names[i].clone(),
            general: general[i],
            standardized: general[i] / full,
            rank: rank[i],
            conditional: cond[i].clone(),
            completely_dominates: (0..p)
                .filter(|&j| complete[i][j] == Some(1.0))
                .map(|j| names[j].clone())
                .collect(),
            general_ci: None,
            general_se: None,
        })
        .collect();
    let mut warnings = Vec::new();
    let bootstrap = match opts.bootstrap {
        None => None,
        Some(b) => {
            let boot = bootstrap_general(&z, b, opts.seed);
            let usable: Vec<&Vec<f64>> = boot.iter().flatten().collect();
            if usable.len() < b {
                warnings.push(Warning::new(
                    WarningCode::Singular,
                    format!(
                        "{} of {b} bootstrap resamples had a singular correlation matrix and were left out",
                        b - usable.len()
                    ),
                ));
            }
            for (i, row) in rows.iter_mut().enumerate() {
                let mut v: Vec<f64> = usable.iter().map(|g| g[i]).collect();
                v.sort_by(f64::total_cmp);
                if v.len() >= 2 {
                    row.general_ci = Some([
                        quantile_sorted(&v, (1.0 - opts.level) / 2.0),
                        quantile_sorted(&v, (1.0 + opts.level) / 2.0),
                    ]);
                    let m = mean(&v);
                    row.general_se = Some(
                        (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0))
                            .sqrt(),
                    );
                }
            }
            Some(DominanceBootstrap {
                resamples: b,
                usable: usable.len(),
                seed: opts.seed,
                level: opts.level,
            })
        }
    };
    Ok(DominanceResult {
        n,
        r2: full,
        rows,
        complete,
        bootstrap,
        warnings,
    })
}

/// General weights of each resample (`None` where its correlation matrix is singular).
fn bootstrap_general(z: &DMatrix<f64>, resamples: usize, seed: u64) -> Vec<Option<Vec<f64>>> {
    let n = z.nrows();
    let m = z.ncols();
    let p = m - 1;
    // rows centred at the full-sample means, row-major for the weighted sums
    let means: Vec<f64> = (0..m)
        .map(|j| mean(&z.column(j).iter().copied().collect::<Vec<_>>()))
        .collect();
    let mut rows = Vec::with_capacity(n * m);
    for i in 0..n {
        for j in 0..m {
            rows.push(z[(i, j)] - means[j]);
        }
    }
    let tri = m * (m + 1) / 2;
    (0..resamples)
        .into_par_iter()
        .map_init(
            || (vec![0u32; n], vec![0.0; m], vec![0.0; tri]),
            |(w, s1, s2), b| {
                let mut rng = stream(seed, b as u64);
                w.iter_mut().for_each(|c| *c = 0);
                for _ in 0..n {
                    let i = rng.gen_range(0..n as u64) as usize;
                    w[i] += 1;
                }
                s1.iter_mut().for_each(|v| *v = 0.0);
                s2.iter_mut().for_each(|v| *v = 0.0);
                for (&c, r) in w.iter().zip(rows.chunks_exact(m)) {
                    if c == 0 {
                        continue;
                    }
                    let c = c as f64;
                    let mut t = 0;
                    for a in 0..m {
                        let ca = c * r[a];
                        s1[a] += ca;
                        for &rb in &r[..=a] {
                            s2[t] += ca * rb;
                            t += 1;
                        }
                    }
                }
                let nf = n as f64;
                let mut cov = DMatrix::<f64>::zeros(m, m);
                let mut t = 0;
                for a in 0..m {
                    for b in 0..=a {
                        let v = (s2[t] - s1[a] * s1[b] / nf) / (nf - 1.0);
                        cov[(a, b)] = v;
                        cov[(b, a)] = v;
                        t += 1;
                    }
                }
                if (0..m).any(|j| cov[(j, j)] <= 0.0 || !cov[(j, j)].is_finite()) {
                    return None;
                }
                let r2 = all_subsets_r2(&cov_to_cor(&cov)).ok()?;
                Some(general_conditional(&r2, p).0)
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn subset_r2_from_cholesky_updates_matches_direct_solves() {
        // a 4-variable correlation matrix (y, x1, x2, x3)
        let c = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.5, 0.3, 0.2, 0.5, 1.0, 0.4, 0.1, 0.3, 0.4, 1.0, 0.3, 0.2, 0.1, 0.3, 1.0,
            ],
        );
        let r2 = all_subsets_r2(&c).unwrap();
        for m in 1..8usize {
            let idx: Vec<usize> = (0..3).filter(|j| m & (1 << j) != 0).collect();
            let rss = DMatrix::from_fn(idx.len(), idx.len(), |a, b| c[(idx[a] + 1, idx[b] + 1)]);
            let ry =
                nalgebra::DVector::from_iterator(idx.len(), idx.iter().map(|&j| c[(0, j + 1)]));
            let direct = ry.dot(&rss.lu().solve(&ry).unwrap());
            assert!((r2[m] - direct).abs() < 1e-14, "{m}: {} {direct}", r2[m]);
        }
        let (g, _) = general_conditional(&r2, 3);
        assert!((g.iter().sum::<f64>() - r2[7]).abs() < 1e-15);
    }
}
