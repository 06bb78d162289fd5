//! Least squares by Householder QR (no $X'X$ is formed), with R's rank check: the design
//! matrix, the fit, and the hat values that the robust covariances need.
//!
//! # Reference
//! Golub, G. H., & Van Loan, C. F. (2013). *Matrix computations* (4th ed.), §5.2 and §5.4.

use crate::error::{Error, Result};
use nalgebra::DMatrix;
use std::borrow::Cow;

/// The term name R gives the intercept.
pub const INTERCEPT: &str = "(Intercept)";

/// Relative tolerance of the rank check, as `lm` (`qr(x, tol = 1e-07)`, LINPACK `dqrdc2`).
pub const RANK_TOL: f64 = 1e-7;

/// Rows per block when a sandwich or the hat values are accumulated (fits in L2 cache).
pub(crate) const BLOCK_ROWS: usize = 4096;

/// A design matrix $X$: the columns of `x`, after a column of ones when `intercept` is set
/// (the ones are never stored).
#[derive(Debug, Clone, Copy)]
pub struct Design<'a> {
    /// The non-constant columns.
    pub x: &'a DMatrix<f64>,
    /// Whether $X$ starts with a column of ones.
    pub intercept: bool,
}

impl<'a> Design<'a> {
    /// $X = [1, x]$ (`intercept`) or $X = x$.
    pub fn new(x: &'a DMatrix<f64>, intercept: bool) -> Self {
        Design { x, intercept }
    }

    /// Rows $n$.
    pub fn nrows(&self) -> usize {
        self.x.nrows()
    }

    /// Columns $k$.
    pub fn ncols(&self) -> usize {
        self.x.ncols() + usize::from(self.intercept)
    }

    /// Column `j` of $X$.
    pub fn column(&self, j: usize) -> Cow<'a, [f64]> {
        let n = self.nrows();
        let all: &'a [f64] = self.x.as_slice();
        match (self.intercept, j) {
            (true, 0) => Cow::Owned(vec![1.0; n]),
            (true, j) => Cow::Borrowed(&all[(j - 1) * n..j * n]),
            (false, j) => Cow::Borrowed(&all[j * n..(j + 1) * n]),
        }
    }

    /// Entry $(i, j)$ of $X$.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match (self.intercept, j) {
            (true, 0) => 1.0,
            (true, j) => self.x[(i, j - 1)],
            (false, j) => self.x[(i, j)],
        }
    }

    /// Rows `start..start + len` as an owned matrix.
    pub fn rows(&self, start: usize, len: usize) -> DMatrix<f64> {
        let k = self.ncols();
        let off = usize::from(self.intercept);
        let mut m = DMatrix::<f64>::from_element(len, k, 1.0);
        m.columns_mut(off, k - off)
            .copy_from(&self.x.rows(start, len));
        m
    }

    /// The listed rows as an owned matrix.
    pub fn select(&self, rows: &[usize]) -> DMatrix<f64> {
        DMatrix::from_fn(rows.len(), self.ncols(), |a, j| self.get(rows[a], j))
    }
}

/// A least-squares fit $y = X\beta + e$ from the Householder QR $X = QR$ (no $X'X$ is formed).
#[derive(Debug, Clone)]
pub struct LinearFit {
    /// Term names, one per column of $X$.
    pub terms: Vec<String>,
    /// Rows.
    pub n: usize,
    /// $\hat\beta = R^{-1}(Q'y)\_{1..k}$.
    pub coefficients: Vec<f64>,
    /// $e = y - X\hat\beta$.
    pub residuals: Vec<f64>,
    /// $\sum e_i^2 = \lVert (Q'y)\_{k+1..n}\rVert^2$.
    pub rss: f64,
    /// $(Q'y)\_j^2$ for $j = 1..k$: the sequential (type I) sums of squares of the columns.
    pub effects2: Vec<f64>,
    /// The $k \times k$ upper-triangular factor $R$.
    pub r: DMatrix<f64>,
    /// $R^{-1}$ (upper triangular).
    pub r_inv: DMatrix<f64>,
}

impl LinearFit {
    /// Number of coefficients $k$.
    pub fn k(&self) -> usize {
        self.coefficients.len()
    }

    /// Residual degrees of freedom $n - k$.
    pub fn df_residual(&self) -> usize {
        self.n.saturating_sub(self.k())
    }

    /// $\hat\sigma^2 = \mathrm{RSS}/(n-k)$.
    pub fn sigma2(&self) -> f64 {
        self.rss / self.df_residual() as f64
    }

    /// $(X'X)^{-1} = R^{-1}R^{-T}$ (R's `cov.unscaled`).
    pub fn cov_unscaled(&self) -> DMatrix<f64> {
        &self.r_inv * self.r_inv.transpose()
    }

    /// Rows `start..start + len` of the orthonormal factor $U = XR^{-1}$ (equal to the thin
    /// $Q$ up to column signs: $U'U = I$, and the hat values are $h_i = \lVert u_i\rVert^2$).
    pub fn orthonormal_rows(&self, x: Design<'_>, start: usize, len: usize) -> DMatrix<f64> {
        x.rows(start, len) * &self.r_inv
    }

    /// Hat values (leverages) $h_i = x_i'(X'X)^{-1}x_i$.
    pub fn hat_values(&self, x: Design<'_>) -> Vec<f64> {
        let n = x.nrows();
        let mut h = vec![0.0; n];
        let mut start = 0;
        while start < n {
            let len = BLOCK_ROWS.min(n - start);
            let u = self.orthonormal_rows(x, start, len);
            let hb = &mut h[start..start + len];
            for c in u.column_iter() {
                for (hi, v) in hb.iter_mut().zip(c.iter()) {
                    *hi += v * v;
                }
            }
            start += len;
        }
        h
    }

    /// The prediction $x'\hat\beta$ for one row of predictors (in term order).
    pub fn predict(&self, row: &[f64]) -> f64 {
        row.iter().zip(&self.coefficients).map(|(x, b)| x * b).sum()
    }
}

/// Least squares by Householder QR, refusing a rank-deficient design.
///
/// # Formula
/// Householder reflections $H_k = I - \tau_k v_k v_k'$ reduce $X$ to $Q'X = \binom{R}{0}$; then
/// $\hat\beta = R^{-1}(Q'y)\_{1..k}$ and $\mathrm{RSS} = \lVert(Q'y)\_{k+1..n}\rVert^2$.
/// Columns are processed left to right (left-looking); before column $j$ becomes a pivot, its
/// norm below the rows already reduced is compared with its original norm, and a ratio below
/// $10^{-7}$ means column $j$ is (numerically) a linear combination of the columns before it.
///
/// # Reference
/// Golub, G. H., & Van Loan, C. F. (2013). *Matrix computations* (4th ed.), §5.2 and §5.4.
///
/// # Peer
/// R `lm.fit` / LINPACK `dqrdc2` with `tol = 1e-07`, which flags the same columns (R then
/// pivots them to the end and reports `NA` coefficients).
///
/// # Deviations
/// A rank-deficient design is an error here ([`Error::InvalidOption`] naming the collinear
/// columns and the columns they are a combination of) where R silently drops the column.
pub fn least_squares(x: Design<'_>, y: &[f64], terms: &[String]) -> Result<LinearFit> {
    let n = x.nrows();
    let k = x.ncols();
    if y.len() != n || terms.len() != k {
        return Err(Error::option(
            "--predictors",
            format!(
                "design of {n} x {k} with {} outcomes and {} names",
                y.len(),
                terms.len()
            ),
        ));
    }
    if n < k + 1 {
        return Err(Error::TooFewRows {
            at: crate::Location::default(),
            needed: k + 1,
            got: n,
        });
    }
    // reduced columns (R above the diagonal, v below), tau per pivot
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(k);
    let mut tau: Vec<f64> = Vec::with_capacity(k);
    let mut bad: Vec<(usize, Vec<f64>)> = Vec::new();
    for j in 0..k {
        let mut c: Vec<f64> = x.column(j).into_owned();
        let orig = norm(&c);
        for (r, (v, &t)) in cols.iter().zip(&tau).enumerate() {
            apply_reflector(v, t, r, &mut c);
        }
        let r = cols.len();
        let rest = norm(&c[r..]);
        if orig == 0.0 || rest < RANK_TOL * orig {
            // c[..r] = R11 * combination: solve for the combination of the pivots so far
            let comb = back_substitute(&cols, &c[..r]);
            bad.push((j, comb));
            continue;
        }
        let t = make_reflector(&mut c, r);
        cols.push(c);
        tau.push(t);
    }
    if !bad.is_empty() {
        let kept: Vec<usize> = (0..k)
            .filter(|j| !bad.iter().any(|(b, _)| b == j))
            .collect();
        let msgs: Vec<String> = bad
            .iter()
            .map(|(j, comb)| {
                let scale = comb.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let with: Vec<String> = kept
                    .iter()
                    .zip(comb)
                    .filter(|(_, c)| c.abs() > 1e-6 * scale.max(1e-300))
                    .map(|(&i, _)| format!("\"{}\"", terms[i]))
                    .collect();
                let zero = x.column(*j).iter().all(|&v| v == 0.0);
                if with.is_empty() && zero {
                    format!("\"{}\" is zero in every row", terms[*j])
                } else if with.is_empty() {
                    format!(
                        "\"{}\" is numerically zero next to the other predictors (rescale it)",
                        terms[*j]
                    )
                } else if with.len() == 1 && with[0] == format!("\"{INTERCEPT}\"") {
                    format!(
                        "\"{}\" is constant (collinear with the intercept)",
                        terms[*j]
                    )
                } else {
                    format!(
                        "\"{}\" is a linear combination of {}",
                        terms[*j],
                        with.join(", ")
                    )
                }
            })
            .collect();
        return Err(Error::option(
            "--predictors",
            format!("exact collinearity: {}; drop one of them", msgs.join("; ")),
        ));
    }
    let mut qty = y.to_vec();
    for (r, (v, &t)) in cols.iter().zip(&tau).enumerate() {
        apply_reflector(v, t, r, &mut qty);
    }
    let mut rm = DMatrix::<f64>::zeros(k, k);
    for (j, c) in cols.iter().enumerate() {
        for i in 0..=j {
            rm[(i, j)] = c[i];
        }
    }
    let coefficients = back_substitute(&cols, &qty[..k]);
    let rss = sum_sq(&qty[k..]);
    let effects2 = qty[..k].iter().map(|v| v * v).collect();
    let r_inv = upper_inverse(&rm);
    let mut residuals = y.to_vec();
    for (j, b) in coefficients.iter().enumerate() {
        if x.intercept && j == 0 {
            residuals.iter_mut().for_each(|e| *e -= b);
            continue;
        }
        for (e, xv) in residuals.iter_mut().zip(x.column(j).iter()) {
            *e -= b * xv;
        }
    }
    Ok(LinearFit {
        terms: terms.to_vec(),
        n,
        coefficients,
        residuals,
        rss,
        effects2,
        r: rm,
        r_inv,
    })
}

fn norm(v: &[f64]) -> f64 {
    let s = dot(v, v);
    if s.is_finite() && s > 1e-280 {
        return s.sqrt();
    }
    // rescale against overflow / underflow
    let m = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    let inv = 1.0 / m;
    m * v.iter().map(|x| (x * inv) * (x * inv)).sum::<f64>().sqrt()
}

fn sum_sq(v: &[f64]) -> f64 {
    let s = norm(v);
    s * s
}

/// Dot product with four independent accumulators (vectorises; also a shorter summation tree).
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let mut acc = [0.0f64; 4];
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Turns `c[r..]` into a Householder vector with implicit `v[r] = 1` (stored below), putting
/// the new diagonal of R in `c[r]`; returns tau.
fn make_reflector(c: &mut [f64], r: usize) -> f64 {
    let alpha = c[r];
    let xnorm = norm(&c[r + 1..]);
    if xnorm == 0.0 {
        return 0.0;
    }
    let beta = -alpha.signum() * alpha.hypot(xnorm);
    let t = (beta - alpha) / beta;
    let s = 1.0 / (alpha - beta);
    for v in &mut c[r + 1..] {
        *v *= s;
    }
    c[r] = beta;
    t
}

/// Applies $H = I - \tau v v'$ (pivot row `r`, $v_r = 1$, rest stored in `v[r+1..]`) to `c`.
fn apply_reflector(v: &[f64], t: f64, r: usize, c: &mut [f64]) {
    if t == 0.0 {
        return;
    }
    let w = c[r] + dot(&v[r + 1..], &c[r + 1..]);
    let tw = t * w;
    c[r] -= tw;
    for (ci, vi) in c[r + 1..].iter_mut().zip(&v[r + 1..]) {
        *ci -= tw * vi;
    }
}

/// Solves $Rb = z$ with R stored in the upper parts of the reduced columns.
fn back_substitute(cols: &[Vec<f64>], z: &[f64]) -> Vec<f64> {
    let k = z.len();
    let mut b = z.to_vec();
    for i in (0..k).rev() {
        let mut s = b[i];
        for (j, bj) in b.iter().enumerate().take(k).skip(i + 1) {
            s -= cols[j][i] * bj;
        }
        b[i] = s / cols[i][i];
    }
    b
}

/// Inverse of an upper-triangular matrix by back substitution.
pub(crate) fn upper_inverse(r: &DMatrix<f64>) -> DMatrix<f64> {
    let k = r.nrows();
    let mut inv = DMatrix::<f64>::zeros(k, k);
    for c in 0..k {
        inv[(c, c)] = 1.0 / r[(c, c)];
        for i in (0..c).rev() {
            let s: f64 = (i + 1..=c).map(|j| r[(i, j)] * inv[(j, c)]).sum();
            inv[(i, c)] = -s / r[(i, i)];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn qr_rebuilds_the_design() {
        // backward error of R'R = X'X (tolerance c n eps)
        let n = 50;
        let x = DMatrix::from_fn(n, 4, |i, j| {
            ((i * 7 + j * 13) % 11) as f64 + 0.1 * (i * j) as f64
        });
        let y: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
        let fit = least_squares(Design::new(&x, false), &y, &names(&["a", "b", "c", "d"])).unwrap();
        let xtx = x.transpose() * &x;
        let rtr = fit.r.transpose() * &fit.r;
        let err = (&xtx - &rtr).abs().max() / xtx.abs().max();
        assert!(err < 10.0 * n as f64 * f64::EPSILON, "{err}");
        // U = X R^-1 is orthonormal
        let u = fit.orthonormal_rows(Design::new(&x, false), 0, n);
        let e = (u.transpose() * &u - DMatrix::<f64>::identity(4, 4))
            .abs()
            .max();
        assert!(e < 1e-12, "{e}");
    }
}
