//! Steps 1 and 2 of the two-step estimation: thresholds, polychoric correlations and their
//! asymptotic covariance matrix (NACOV, $\Gamma$), in one pass over the cases.
//!
//! # Formula
//! Item $j$ has categories $c = 0, \dots, K_j - 1$ (its observed values, sorted) with
//! proportions $p_{jc}$. Its thresholds are
//! $$\tau_{jk} = \Phi^{-1}\Bigl(\sum_{c \le k} p_{jc}\Bigr),\quad k = 0, \dots, K_j - 2 .$$
//! The polychoric correlation of items $i, j$ maximises, with the thresholds held fixed,
//! $$\ell(\rho) = \sum_{a,b} n_{ab}\log P_{ab}(\rho),\quad
//!   P_{ab} = \Phi_2(\tau_{i,a}, \tau_{j,b}) - \Phi_2(\tau_{i,a-1}, \tau_{j,b}) - \Phi_2(\tau_{i,a}, \tau_{j,b-1}) + \Phi_2(\tau_{i,a-1}, \tau_{j,b-1})$$
//! ($\tau_{\cdot,-1} = -\infty$, $\tau_{\cdot,K-1} = \infty$), solved by Newton's method on
//! $\ell'(\rho) = \sum n_{ab} P'_{ab}/P_{ab}$ with $\partial\Phi_2/\partial\rho = \phi_2$ and
//! $$\frac{\partial\phi_2(h,k;\rho)}{\partial\rho} = \phi_2\Bigl[\frac{\rho + hk}{1-\rho^2} - \frac{\rho(h^2 - 2\rho hk + k^2)}{(1-\rho^2)^2}\Bigr],$$
//! to $|\Delta\rho| < 10^{-13}$. A $2\times2$ table with one empty cell gets 0.5 added to that
//! cell and its diagonal partner and taken from the other two (margins kept, lavaan's
//! `zero.add = c(0.5, 0)`, `zero.keep.margins = TRUE`); larger tables are used as they are.
//!
//! $\Gamma$ (Muthén, 1984): every case $i$ has the score vector $s_i$ of the estimating
//! equations, the threshold scores $\partial\log p_{j c_{ij}}/\partial\tau_{jk}$
//! ($\phi(\tau_{jk})/p_{jk}$ in category $k$, $-\phi(\tau_{jk})/p_{j,k+1}$ in category $k+1$)
//! and the correlation scores $P'_{ab}/P_{ab}$ of its cell $(a, b)$ in each pair. With
//! $$B = \begin{pmatrix} A_{11} & 0 \\\\ A_{21} & A_{22}\end{pmatrix},$$
//! $A_{11}$ the block-diagonal per-item sums of threshold-score cross products, $A_{21}$ the
//! sums of each correlation score times the bivariate threshold scores
//! $\partial\log P_{ab}/\partial\tau$ of its pair, and $A_{22}$ the diagonal sums of squared
//! correlation scores,
//! $$\Gamma = n\\,B^{-1}\Bigl(\sum_i s_i s_i^\top\Bigr)B^{-\top}.$$
//! Everything but $\sum_i s_is_i^\top$ is a sum over the cells of one- and two-way tables. The
//! cross products are accumulated in one parallel pass: fixed blocks of cases (independent of
//! the thread count, so results do not depend on it) fill a small score panel that is
//! multiplied into the block's sum (a matrix product), and the block sums are added in order.
//!
//! # Reference
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115–132.
//! Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
//! *Psychometrika*, 44(4), 443–460.
//!
//! # Peer
//! lavaan 0.6.14 `lavInspect(fit, "sampstat")` (thresholds, polychoric matrix) and
//! `lavInspect(fit, "gamma")`; reference cases 29 and 30.
//!
//! # Deviations
//! lavaan maximises $\ell(\rho)$ with `nlminb`; Newton's method here converges further (the
//! correlations agree to about $10^{-8}$).

use super::Layout;
use crate::dist::bvn::BvnAtRho;
use crate::dist::{normal_cdf, normal_pdf, normal_quantile};
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::DMatrix;
use rayon::prelude::*;

/// The most categories an ordered item may have (lavaan's limit is larger, but beyond ten
/// categories an item is better treated as continuous).
pub(crate) const MAX_CATEGORIES: usize = 10;

/// Ordered responses coded $0, \dots, K_j-1$, row-major ($n \times p$).
#[derive(Debug, Clone)]
pub(crate) struct Ordinal {
    pub n: usize,
    pub p: usize,
    pub codes: Vec<u8>,
    /// Category counts of each item.
    pub counts: Vec<Vec<f64>>,
}

impl Ordinal {
    /// Codes the columns `cols` of the rows `rows`.
    ///
    /// # Errors
    /// [`Error::Parse`] for a non-integer answer (naming row and column);
    /// [`Error::InvalidOption`] (`--ordered`) for more than [`MAX_CATEGORIES`] categories;
    /// [`Error::ZeroVariance`] for a single observed category.
    pub fn new(
        data: &crate::data::ItemData,
        rows: &[usize],
        cols: &[usize],
        names: &[String],
    ) -> Result<Ordinal> {
        let n = rows.len();
        let p = cols.len();
        let mut codes = vec![0u8; n * p];
        let mut counts = Vec::with_capacity(p);
        for (j, &c) in cols.iter().enumerate() {
            let at = || data.location().with_column(&names[j]);
            let mut levels: Vec<f64> = Vec::new();
            for &r in rows {
                let v = data.row(r)[c];
                if v.fract() != 0.0 || !v.is_finite() {
                    return Err(Error::Parse {
                        at: at().with_row(data.rows.get(r).copied().unwrap_or(r as u64 + 2)),
                        expected: "a whole-number answer (an ordered item)".into(),
                        found: format!("{v}"),
                    });
                }
                if let Err(pos) = levels.binary_search_by(|x| x.total_cmp(&v)) {
                    levels.insert(pos, v);
                    if levels.len() > MAX_CATEGORIES {
                        return Err(Error::option(
                            "--ordered",
                            format!(
                                "item \"{}\" has more than {MAX_CATEGORIES} categories (values {}): treat it as continuous (leave it out of --ordered)",
                                names[j],
                                levels.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            }
            if levels.len() < 2 {
                return Err(Error::ZeroVariance {
                    at: at(),
                    value: levels.first().copied().unwrap_or(f64::NAN),
                });
            }
            let mut cnt = vec![0.0; levels.len()];
            for (i, &r) in rows.iter().enumerate() {
                let v = data.row(r)[c];
                let k = levels.partition_point(|x| *x < v);
                codes[i * p + j] = k as u8;
                cnt[k] += 1.0;
            }
            counts.push(cnt);
        }
        Ok(Ordinal {
            n,
            p,
            codes,
            counts,
        })
    }

    /// Number of categories of item `j`.
    pub fn ncat(&self, j: usize) -> usize {
        self.counts[j].len()
    }
}

/// Thresholds of one item from its category counts (module docs).
pub(crate) fn thresholds(counts: &[f64]) -> Vec<f64> {
    let n: f64 = counts.iter().sum();
    let mut cum = 0.0;
    counts[..counts.len() - 1]
        .iter()
        .map(|c| {
            cum += c;
            normal_quantile(cum / n).unwrap_or(f64::NAN)
        })
        .collect()
}

/// `[-inf, t..., inf]`.
fn extended(t: &[f64]) -> Vec<f64> {
    let mut e = Vec::with_capacity(t.len() + 2);
    e.push(f64::NEG_INFINITY);
    e.extend_from_slice(t);
    e.push(f64::INFINITY);
    e
}

/// One pair's polychoric fit and the pieces of $\Gamma$ that come from its table.
#[derive(Debug, Clone)]
pub(crate) struct PairFit {
    pub rho: f64,
    /// Correlation score $P'_{ab}/P_{ab}$ of each cell (row-major $K_i \times K_j$).
    pub score: Vec<f64>,
    /// $A_{22}$ entry: $\sum n_{ab}(P'_{ab}/P_{ab})^2$.
    pub a22: f64,
    /// $A_{21}$ entries for the thresholds of the first and second item.
    pub a21_i: Vec<f64>,
    pub a21_j: Vec<f64>,
    /// The two-way table (row-major $K_i \times K_j$).
    pub table: Vec<f64>,
    /// Empty cells in the table.
    pub empty: usize,
    pub converged: bool,
}

/// Cell probabilities and their first and second derivatives in $\rho$ (row-major).
fn cells(ti: &[f64], tj: &[f64], rho: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (ki, kj) = (ti.len() - 1, tj.len() - 1);
    let bvn = BvnAtRho::new(rho);
    let q = (1.0 - rho) * (1.0 + rho);
    let w = kj + 1;
    let mut f = vec![0.0; (ki + 1) * w];
    let mut d = vec![0.0; (ki + 1) * w];
    let mut d2 = vec![0.0; (ki + 1) * w];
    for a in 0..=ki {
        for b in 0..=kj {
            let (h, k) = (ti[a], tj[b]);
            f[a * w + b] = bvn.cdf(h, k);
            if h.is_finite() && k.is_finite() {
                let quad = h * h - 2.0 * rho * h * k + k * k;
                let pdf = (-quad / (2.0 * q)).exp() / (2.0 * std::f64::consts::PI * q.sqrt());
                d[a * w + b] = pdf;
                d2[a * w + b] = pdf * ((rho + h * k) / q - rho * quad / (q * q));
            }
        }
    }
    let rect = |g: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; ki * kj];
        for a in 0..ki {
            for b in 0..kj {
                out[a * kj + b] =
                    g[(a + 1) * w + b + 1] - g[a * w + b + 1] - g[(a + 1) * w + b] + g[a * w + b];
            }
        }
        out
    };
    (rect(&f), rect(&d), rect(&d2))
}

/// Polychoric correlation of one pair with fixed thresholds, and its table's share of
/// $\Gamma$ (module docs).
pub(crate) fn fit_pair(ti: &[f64], tj: &[f64], table: &[f64]) -> PairFit {
    let (ki, kj) = (ti.len() + 1, tj.len() + 1);
    let ei = extended(ti);
    let ej = extended(tj);
    let empty = table.iter().filter(|&&v| v == 0.0).count();
    let mut freq = table.to_vec();
    if ki == 2 && kj == 2 && empty == 1 {
        // lavaan's zero.add = 0.5 with the margins kept
        let z = 0.5;
        let diag = freq[0] == 0.0 || freq[3] == 0.0;
        let s = if diag { z } else { -z };
        freq[0] += s;
        freq[3] += s;
        freq[1] -= s;
        freq[2] -= s;
    }
    let loglik_d = |rho: f64| {
        let (p, d, d2) = cells(&ei, &ej, rho);
        let mut g = 0.0;
        let mut h = 0.0;
        let mut info = 0.0;
        for c in 0..p.len() {
            if freq[c] > 0.0 {
                let r = d[c] / p[c];
                g += freq[c] * r;
                h += freq[c] * (d2[c] / p[c] - r * r);
            }
            if p[c] > 0.0 {
                info += d[c] * d[c] / p[c];
            }
        }
        (g, h, info * freq.iter().sum::<f64>())
    };
    // Newton's method inside a bracket [lo, hi] where the score changes sign
    let (mut lo, mut hi) = (-0.999_999, 0.999_999);
    let mut rho = 0.0;
    let mut converged = false;
    for _ in 0..200 {
        let (g, h, info) = loglik_d(rho);
        if !g.is_finite() {
            break;
        }
        if g > 0.0 {
            lo = rho;
        } else {
            hi = rho;
        }
        let step = if h < 0.0 && h.is_finite() {
            -g / h
        } else {
            g / info
        };
        let mut next = rho + step;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        let done = (next - rho).abs() < 1e-13;
        rho = next;
        if done || hi - lo < 1e-14 {
            converged = true;
            break;
        }
    }
    // the table's pieces of Gamma at the estimate (observed frequencies, no zero.add)
    let (p, d, _) = cells(&ei, &ej, rho);
    let score: Vec<f64> = p
        .iter()
        .zip(&d)
        .map(|(&pc, &dc)| if pc > 0.0 { dc / pc } else { 0.0 })
        .collect();
    let a22: f64 = table.iter().zip(&score).map(|(n, s)| n * s * s).sum();
    let s = ((1.0 - rho) * (1.0 + rho)).sqrt();
    // d P_ab / d tau_ik = ([a == k] - [a == k + 1]) phi(tau_ik) (Phi((t_j,b - rho tau)/s) - Phi((t_j,b-1 - rho tau)/s))
    let a21 =
        |tx: &[f64], ty: &[f64], kx: usize, ky: usize, cell: &dyn Fn(usize, usize) -> usize| {
            let ey = extended(ty);
            (0..kx - 1)
                .map(|k| {
                    let h = tx[k];
                    let ph = normal_pdf(h);
                    let mut acc = 0.0;
                    for b in 0..ky {
                        let g = ph
                            * (normal_cdf((ey[b + 1] - rho * h) / s)
                                - normal_cdf((ey[b] - rho * h) / s));
                        for (a, sign) in [(k, 1.0), (k + 1, -1.0)] {
                            let c = cell(a, b);
                            if table[c] > 0.0 && p[c] > 0.0 {
                                acc += table[c] * score[c] * sign * g / p[c];
                            }
                        }
                    }
                    acc
                })
                .collect::<Vec<f64>>()
        };
    let a21_i = a21(ti, tj, ki, kj, &|a, b| a * kj + b);
    let a21_j = a21(tj, ti, kj, ki, &|a, b| b * kj + a);
    PairFit {
        rho,
        score,
        a22,
        a21_i,
        a21_j,
        table: table.to_vec(),
        empty,
        converged,
    }
}

/// The step-1 and step-2 statistics of one group.
#[derive(Debug, Clone)]
pub(crate) struct OrderedStats {
    /// Polychoric correlation matrix.
    pub cor: DMatrix<f64>,
    /// The statistics vector $s$ (thresholds, then correlations in [`Layout`] order).
    pub s: Vec<f64>,
    /// $\Gamma$ ($n$ times the asymptotic covariance matrix of $s$).
    pub gamma: DMatrix<f64>,
    pub warnings: Vec<Warning>,
}

/// Cases per panel of the cross-product pass.
const PANEL: usize = 128;
/// Columns per block of the correlation scores in the panel products.
const COL_BLOCK: usize = 96;
/// Fixed number of blocks the cases are split into (independent of the thread count).
const BLOCKS: usize = 16;

/// Thresholds, polychoric correlations and $\Gamma$ of ordered data (module docs).
///
/// # Errors
/// [`Error::InvalidOption`] (`--ordered`) when a $2\times2$ table has two empty cells (the
/// correlation is $\pm1$ and its scores are undefined).
pub(crate) fn ordered_stats(
    ord: &Ordinal,
    layout: &Layout,
    names: &[String],
) -> Result<OrderedStats> {
    let (n, p) = (ord.n, ord.p);
    let tau: Vec<Vec<f64>> = ord.counts.iter().map(|c| thresholds(c)).collect();
    let mut warnings = Vec::new();
    // two-way tables and the pair fits, in parallel over pairs
    let fits: Vec<PairFit> = layout
        .pairs
        .par_iter()
        .map(|&(i, j)| {
            let kj = ord.ncat(j);
            let mut table = vec![0.0; ord.ncat(i) * kj];
            for row in ord.codes.chunks_exact(p) {
                table[row[i] as usize * kj + row[j] as usize] += 1.0;
            }
            (i, j, table)
        })
        .map(|(i, j, table)| {
            let two_empty = ord.ncat(i) == 2 && ord.ncat(j) == 2 && table.iter().filter(|v| **v == 0.0).count() >= 2;
            if two_empty {
                return Err(Error::option(
                    "--ordered",
                    format!(
                        "items \"{}\" and \"{}\": two empty cells in their 2x2 table, so their tetrachoric correlation is ±1",
                        names[i], names[j]
                    ),
                ));
            }
            Ok(fit_pair(&tau[i], &tau[j], &table))
        })
        .collect::<Result<_>>()?;
    let mut cor = DMatrix::identity(p, p);
    let mut empty_pairs = Vec::new();
    for (m, &(i, j)) in layout.pairs.iter().enumerate() {
        let f = &fits[m];
        cor[(i, j)] = f.rho;
        cor[(j, i)] = f.rho;
        if f.empty > 0 {
            empty_pairs.push(format!("{} x {}", names[i], names[j]));
        }
        if !f.converged {
            warnings.push(Warning::new(
                WarningCode::NotConverged,
                format!(
                    "the polychoric correlation of \"{}\" and \"{}\" did not converge",
                    names[i], names[j]
                ),
            ));
        }
    }
    if !empty_pairs.is_empty() {
        let shown: Vec<String> = empty_pairs.iter().take(5).cloned().collect();
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} bivariate tables have empty cells ({}{}); their polychoric correlations rest on sparse data",
                empty_pairs.len(),
                shown.join(", "),
                if empty_pairs.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    // threshold scores: tsc[j][c * nth + k]
    let tsc: Vec<Vec<f64>> = (0..p)
        .map(|j| {
            let k = ord.ncat(j);
            let nth = k - 1;
            let probs: Vec<f64> = ord.counts[j].iter().map(|c| c / n as f64).collect();
            let mut t = vec![0.0; k * nth];
            for (kk, &tk) in tau[j].iter().enumerate() {
                let ph = normal_pdf(tk);
                t[kk * nth + kk] = ph / probs[kk];
                t[(kk + 1) * nth + kk] = -ph / probs[kk + 1];
            }
            t
        })
        .collect();
    let nt = layout.nth_total;
    let m = layout.nstat();
    let inner = score_cross_products(ord, layout, &tsc, &fits);
    // B^-1 (module docs), row by row: (column, value)
    let mut binv: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m];
    let mut a11_inv: Vec<DMatrix<f64>> = Vec::with_capacity(p);
    for j in 0..p {
        let k = ord.ncat(j);
        let nth = k - 1;
        let mut a = DMatrix::<f64>::zeros(nth, nth);
        for c in 0..k {
            let row = &tsc[j][c * nth..(c + 1) * nth];
            for x in 0..nth {
                for y in 0..nth {
                    a[(x, y)] += ord.counts[j][c] * row[x] * row[y];
                }
            }
        }
        let inv = a.try_inverse().ok_or_else(|| {
            Error::option(
                "--ordered",
                format!(
                    "item \"{}\": its threshold information is singular",
                    names[j]
                ),
            )
        })?;
        let o = layout.th_start[j];
        for x in 0..nth {
            binv[o + x] = (0..nth).map(|y| (o + y, inv[(x, y)])).collect();
        }
        a11_inv.push(inv);
    }
    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
        let f = &fits[mm];
        let r = nt + mm;
        let d = 1.0 / f.a22;
        let mut row = Vec::with_capacity(f.a21_i.len() + f.a21_j.len() + 1);
        for (item, a21) in [(i, &f.a21_i), (j, &f.a21_j)] {
            let o = layout.th_start[item];
            let inv = &a11_inv[item];
            for c in 0..a21.len() {
                let v: f64 = (0..a21.len()).map(|k| a21[k] * inv[(k, c)]).sum();
                row.push((o + c, -d * v));
            }
        }
        row.push((r, d));
        binv[r] = row;
    }
    // Gamma = n B^-1 X B^-T with the sparse rows of B^-1: Y = B^-1 X column by column, then
    // Gamma[:, r] = sum over row r of B^-1 of v Y[:, c]
    let mut y = DMatrix::<f64>::zeros(m, m);
    for col in 0..m {
        let x = inner.column(col);
        let mut out = y.column_mut(col);
        for (r, row) in binv.iter().enumerate() {
            out[r] = row.iter().map(|&(c, v)| v * x[c]).sum();
        }
    }
    let mut gamma = DMatrix::<f64>::zeros(m, m);
    for (r, row) in binv.iter().enumerate() {
        let mut out = gamma.column_mut(r);
        for &(c, v) in row {
            out.axpy(v * n as f64, &y.column(c), 1.0);
        }
    }
    let gamma = (&gamma + gamma.transpose()) * 0.5;
    let mut s = Vec::with_capacity(m);
    for t in &tau {
        s.extend_from_slice(t);
    }
    s.extend(fits.iter().map(|f| f.rho));
    Ok(OrderedStats {
        cor,
        s,
        gamma,
        warnings,
    })
}

/// $\sum_i s_is_i^\top$ in one parallel pass (module docs): the correlation-score block by
/// panel products (lower block triangle only), the threshold-by-correlation block from the
/// sums of correlation scores per item category, and the threshold block from the one- and
/// two-way tables.
fn score_cross_products(
    ord: &Ordinal,
    layout: &Layout,
    tsc: &[Vec<f64>],
    fits: &[PairFit],
) -> DMatrix<f64> {
    let (n, p) = (ord.n, ord.p);
    let np = layout.pairs.len();
    let nt = layout.nth_total;
    let m = layout.nstat();
    let ncat: Vec<usize> = (0..p).map(|j| ord.ncat(j)).collect();
    let mut cat_start = Vec::with_capacity(p);
    let mut ncell = 0;
    for &k in &ncat {
        cat_start.push(ncell);
        ncell += k;
    }
    // column blocks of the correlation scores (lower block triangle of the product)
    let nblocks = np.div_ceil(COL_BLOCK).max(1);
    let bounds: Vec<(usize, usize)> = (0..nblocks)
        .map(|b| {
            let lo = b * np / nblocks;
            (lo, (b + 1) * np / nblocks - lo)
        })
        .collect();
    let per_block = n.div_ceil(BLOCKS).max(1);
    let parts: Vec<(DMatrix<f64>, Vec<f64>)> = ord
        .codes
        .par_chunks(per_block * p)
        .map(|block| {
            let mut cc = DMatrix::<f64>::zeros(np, np);
            let mut vsum = vec![0.0; ncell * np];
            let mut panel = DMatrix::<f64>::zeros(np, PANEL);
            for cases in block.chunks(PANEL * p) {
                let nc = cases.len() / p;
                if nc < PANEL {
                    panel.fill(0.0);
                }
                let data = panel.as_mut_slice();
                for (c, row) in cases.chunks_exact(p).enumerate() {
                    let col = &mut data[c * np..(c + 1) * np];
                    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
                        col[mm] = fits[mm].score[row[i] as usize * ncat[j] + row[j] as usize];
                    }
                    for j in 0..p {
                        let o = (cat_start[j] + row[j] as usize) * np;
                        for (v, x) in vsum[o..o + np].iter_mut().zip(col.iter()) {
                            *v += x;
                        }
                    }
                }
                for (bi, &(oi, si)) in bounds.iter().enumerate() {
                    let left = panel.rows(oi, si);
                    for &(oj, sj) in &bounds[..=bi] {
                        let right = panel.rows(oj, sj).transpose();
                        cc.view_mut((oi, oj), (si, sj))
                            .gemm(1.0, &left, &right, 1.0);
                    }
                }
            }
            (cc, vsum)
        })
        .collect();
    let mut cc = DMatrix::<f64>::zeros(np, np);
    let mut vsum = vec![0.0; ncell * np];
    for (c, v) in &parts {
        cc += c;
        for (a, b) in vsum.iter_mut().zip(v) {
            *a += b;
        }
    }
    let mut inner = DMatrix::<f64>::zeros(m, m);
    // correlation block (only the lower block triangle was accumulated)
    for (bi, &(oi, si)) in bounds.iter().enumerate() {
        for &(oj, sj) in &bounds[..=bi] {
            for x in oi..oi + si {
                for z in oj..oj + sj {
                    let v = cc[(x, z)];
                    inner[(nt + x, nt + z)] = v;
                    inner[(nt + z, nt + x)] = v;
                }
            }
        }
    }
    // thresholds x correlations
    for j in 0..p {
        let nth = ncat[j] - 1;
        for k in 0..nth {
            let r = layout.th_start[j] + k;
            for a in 0..ncat[j] {
                let t = tsc[j][a * nth + k];
                if t == 0.0 {
                    continue;
                }
                let o = (cat_start[j] + a) * np;
                for mm in 0..np {
                    inner[(r, nt + mm)] += t * vsum[o + mm];
                }
            }
            for mm in 0..np {
                inner[(nt + mm, r)] = inner[(r, nt + mm)];
            }
        }
    }
    // thresholds x thresholds: one item from its counts, two from their table
    for j in 0..p {
        let nth = ncat[j] - 1;
        let o = layout.th_start[j];
        for a in 0..ncat[j] {
            let t = &tsc[j][a * nth..(a + 1) * nth];
            for x in 0..nth {
                for z in 0..nth {
                    inner[(o + x, o + z)] += ord.counts[j][a] * t[x] * t[z];
                }
            }
        }
    }
    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
        let (ni, nj) = (ncat[i] - 1, ncat[j] - 1);
        let (oi, oj) = (layout.th_start[i], layout.th_start[j]);
        let table = &fits[mm].table;
        for a in 0..ncat[i] {
            for b in 0..ncat[j] {
                let f = table[a * ncat[j] + b];
                if f == 0.0 {
                    continue;
                }
                let ti = &tsc[i][a * ni..(a + 1) * ni];
                let tj = &tsc[j][b * nj..(b + 1) * nj];
                for x in 0..ni {
                    for z in 0..nj {
                        inner[(oi + x, oj + z)] += f * ti[x] * tj[z];
                    }
                }
            }
        }
        for x in 0..ni {
            for z in 0..nj {
                inner[(oj + z, oi + x)] = inner[(oi + x, oj + z)];
            }
        }
    }
    inner
}
