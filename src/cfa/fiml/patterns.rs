//! FIML stage 1: rows grouped by their missing-data pattern, with the statistics every later
//! stage sums over, and the coverage of each pair of variables.
//!
//! # Formula
//! A pattern $P$ is the set $o$ of observed variables shared by its $n_P$ rows. Rows are stored
//! centred at the variables' observed means $c$ (so that sums of squares keep their precision),
//! with the pattern's mean $\bar y_P$ and centred cross products
//! $S_P = \sum_{i \in P}(y_{io} - \bar y_P)(y_{io} - \bar y_P)^\top$; then for any $\mu$,
//! $\sum_{i\in P}(y_{io}-\mu_o)(y_{io}-\mu_o)^\top = S_P + n_P(\bar y_P-\mu_o)(\bar y_P-\mu_o)^\top$,
//! so the log-likelihood and its derivatives cost $O(p_o^3)$ per pattern, not per row.
//! Coverage of a pair $(j, k)$: the share of the rows used that observe both.
//!
//! # Reference
//! Enders, C. K. (2010). *Applied missing data analysis*. Guilford Press (ch. 4, patterns).
//!
//! # Peer
//! lavaan 0.6.14 `lavInspect(fit, "coverage")`, `lavInspect(fit, "patterns")`.
//!
//! # Deviations
//! Patterns are numbered in order of first appearance (lavaan sorts them by frequency); only
//! their number is reported.

use nalgebra::DMatrix;
use std::collections::HashMap;

/// The rows that share one set of observed variables.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    /// Observed variables (indices into the model's observed variables, increasing).
    pub obs: Vec<usize>,
    /// Rows.
    pub n: usize,
    /// The rows' observed values, centred, row-major ($n \times p_o$).
    pub rows: Vec<f64>,
    /// Mean of the centred rows ($p_o$).
    pub mean: Vec<f64>,
    /// $S_P$ about the pattern mean ($p_o \times p_o$); `None` for a single row (zero).
    pub cross: Option<DMatrix<f64>>,
}

/// One group's data by pattern.
#[derive(Debug, Clone)]
pub(crate) struct GroupData {
    /// The group's label (`""` for one group).
    pub label: String,
    /// Rows used (at least one observed variable).
    pub n: usize,
    /// Observed variables.
    pub p: usize,
    /// The centre subtracted from every value: each variable's mean over its observed values.
    pub center: Vec<f64>,
    /// Patterns, in order of first appearance.
    pub patterns: Vec<Pattern>,
    /// Rows observing both variables of each pair (counts, $p \times p$).
    pub pair_counts: DMatrix<f64>,
}

impl GroupData {
    /// Groups `rows` (each the model's $p$ observed variables, `NaN` = missing; at least one
    /// observed) by pattern.
    pub fn new(label: &str, rows: &[&[f64]], p: usize) -> GroupData {
        let n = rows.len();
        let mut sums = vec![0.0; p];
        let mut counts = vec![0usize; p];
        for r in rows {
            for j in 0..p {
                if !r[j].is_nan() {
                    sums[j] += r[j];
                    counts[j] += 1;
                }
            }
        }
        let center: Vec<f64> = (0..p)
            .map(|j| {
                if counts[j] > 0 {
                    sums[j] / counts[j] as f64
                } else {
                    0.0
                }
            })
            .collect();
        let mut index: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut pair_counts = DMatrix::<f64>::zeros(p, p);
        for r in rows {
            let key: Vec<bool> = r.iter().take(p).map(|v| !v.is_nan()).collect();
            let k = match index.get(&key) {
                Some(&k) => k,
                None => {
                    let obs: Vec<usize> = (0..p).filter(|&j| key[j]).collect();
                    patterns.push(Pattern {
                        mean: vec![0.0; obs.len()],
                        obs,
                        n: 0,
                        rows: Vec::new(),
                        cross: None,
                    });
                    index.insert(key, patterns.len() - 1);
                    patterns.len() - 1
                }
            };
            let pat = &mut patterns[k];
            pat.n += 1;
            for &j in &pat.obs {
                pat.rows.push(r[j] - center[j]);
            }
        }
        for pat in &mut patterns {
            let po = pat.obs.len();
            for a in 0..po {
                for b in 0..po {
                    pair_counts[(pat.obs[a], pat.obs[b])] += pat.n as f64;
                }
            }
            let nf = pat.n as f64;
            for i in 0..pat.n {
                for a in 0..po {
                    pat.mean[a] += pat.rows[i * po + a];
                }
            }
            for m in &mut pat.mean {
                *m /= nf;
            }
            if pat.n > 1 {
                let mut s = DMatrix::<f64>::zeros(po, po);
                let mut d = vec![0.0; po];
                for i in 0..pat.n {
                    for (a, da) in d.iter_mut().enumerate() {
                        *da = pat.rows[i * po + a] - pat.mean[a];
                    }
                    for b in 0..po {
                        for a in b..po {
                            s[(a, b)] += d[a] * d[b];
                        }
                    }
                }
                for b in 0..po {
                    for a in b + 1..po {
                        s[(b, a)] = s[(a, b)];
                    }
                }
                pat.cross = Some(s);
            }
        }
        GroupData {
            label: label.to_string(),
            n,
            p,
            center,
            patterns,
            pair_counts,
        }
    }

    /// Coverage: the share of the rows used that observe both variables of each pair.
    pub fn coverage(&self) -> DMatrix<f64> {
        let n = self.n.max(1) as f64;
        &self.pair_counts / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_reproduce_the_centred_moments() {
        let nan = f64::NAN;
        let data = [
            [1.0, 2.0, 3.0],
            [2.0, nan, 5.0],
            [4.0, 1.0, nan],
            [3.0, nan, 4.0],
            [0.0, 3.0, 1.0],
        ];
        let rows: Vec<&[f64]> = data.iter().map(|r| r.as_slice()).collect();
        let g = GroupData::new("", &rows, 3);
        assert_eq!(g.patterns.len(), 3);
        assert_eq!(g.n, 5);
        assert!((g.center[1] - 2.0).abs() < 1e-15);
        // pattern of rows 2 and 4: (x1, x3) = (2, 5), (3, 4), centre (2, 3.25)
        let p = &g.patterns[1];
        assert_eq!(p.obs, vec![0, 2]);
        assert!((p.mean[0] - 0.5).abs() < 1e-15 && (p.mean[1] - 1.25).abs() < 1e-15);
        let s = p.cross.as_ref().unwrap();
        assert!((s[(0, 1)] + 0.5).abs() < 1e-15, "{s}");
        let cov = g.coverage();
        assert!((cov[(0, 1)] - 0.6).abs() < 1e-15 && (cov[(0, 0)] - 1.0).abs() < 1e-15);
    }
}
