//! Stages 4–6: sample statistics, starting values, and maximum likelihood estimation by Fisher
//! scoring with a backtracking line search; the expected information matrix.
//!
//! # Formula
//! For groups $g$ with $n_g$ complete rows ($N = \sum_g n_g$), sample means $\bar y_g$ and
//! biased covariances $S_g$ (divisor $n_g$), the ML discrepancy is
//! $$F(\theta) = \sum_g \frac{n_g}{N}\Bigl[\log|\Sigma_g| + \operatorname{tr}(S_g\Sigma_g^{-1}) +
//!   (\bar y_g-\mu_g)^\top\Sigma_g^{-1}(\bar y_g-\mu_g) - \log|S_g| - p\Bigr]$$
//! (without a mean structure $\mu_g = \bar y_g$). Its gradient is
//! $$\frac{\partial F_g}{\partial\theta_k} = \operatorname{tr}\bigl(E_g\\,\partial_k\Sigma_g\bigr) -
//!   2 r_g^\top \partial_k\mu_g,\quad E_g = \Sigma_g^{-1}(\Sigma_g - S_g - d_g d_g^\top)\Sigma_g^{-1},
//!   \\; d_g = \bar y_g - \mu_g,\\; r_g = \Sigma_g^{-1}d_g,$$
//! (the residual $\Sigma_g - S_g$ is formed first, so the gradient keeps its relative accuracy
//! near the optimum), and the expected (unit) information is
//! $$\mathcal I = \sum_g \frac{n_g}{N}\Bigl[\tfrac12\operatorname{tr}(\Sigma_g^{-1}\partial_k\Sigma_g\Sigma_g^{-1}\partial_l\Sigma_g) +
//!   \partial_k\mu_g^\top\Sigma_g^{-1}\partial_l\mu_g\Bigr].$$
//!
//! Fisher scoring steps $\theta \leftarrow \theta - t\\,\mathcal I^{-1}\nabla F/2$, with $t$ halved
//! until the Armijo condition holds and every $\Sigma_g$ stays positive definite. Near the optimum,
//! when scoring slows down (misfitting models, where observed and expected information differ),
//! the method continues as BFGS started from the Fisher information. It stops when the largest
//! gradient element is below `tol` (default $10^{-9}$) or when the predicted decrease
//! $|\nabla F^\top\delta|$ is below the rounding error of $F$ itself.
//!
//! # Reference
//! Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor analysis.
//! *Psychometrika*, 34(2), 183–202.
//! Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance structure analysis
//! with specific comparisons using factor analysis. *Psychometrika*, 44(1), 99–113.
//!
//! # Peer
//! lavaan 0.6.14 `lav_model_objective()` (ML, `likelihood = "normal"`), `lav_model_gradient()`,
//! `lav_model_information_expected()`; lavaan optimises with `nlminb` (a quasi-Newton method)
//! from its own starting values and stops at a relative objective change of $10^{-10}$. Both
//! reach the same optimum; ours is tighter.
//!
//! # Deviations
//! - Starting values: loadings from triads of covariances ($\lambda_j^2\psi \approx s_{jk}s_{jl}/s_{kl}$),
//!   instead of lavaan's FABIN3; a different path to the same optimum.
//! - Missing data: rows with a missing cell are dropped (lavaan's default `missing = "listwise"`).

use super::model::{Implied, Model, ParamDeriv};
use super::partable::ParTable;
use super::syntax::Op;
use crate::error::{Error, Result};
use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

/// One group's sample statistics.
#[derive(Debug, Clone)]
pub struct GroupStats {
    /// The group's label (the value of the group column; `""` for one group).
    pub label: String,
    /// Complete rows.
    pub n: usize,
    /// Means.
    pub mean: DVector<f64>,
    /// Biased covariance matrix (divisor $n$), as lavaan.
    pub cov: DMatrix<f64>,
    /// $\log|S|$.
    pub logdet: f64,
    /// The raw rows ($n \times p$), kept for robust (MLR) statistics.
    pub data: Option<DMatrix<f64>>,
}

/// Sample statistics of every group.
#[derive(Debug, Clone)]
pub struct SampleStats {
    /// Per group.
    pub groups: Vec<GroupStats>,
    /// $N = \sum_g n_g$.
    pub ntotal: usize,
}

/// Cholesky factor that names the first failing pivot.
pub(crate) fn cholesky_at(m: &DMatrix<f64>) -> std::result::Result<Cholesky<f64, Dyn>, usize> {
    let n = m.nrows();
    let mut l = DMatrix::<f64>::zeros(n, n);
    for j in 0..n {
        let mut d = m[(j, j)];
        for k in 0..j {
            d -= l[(j, k)] * l[(j, k)];
        }
        // a pivot below 1e-10 of the diagonal: the column is (numerically) a linear combination
        // of the ones before it
        if d.partial_cmp(&(1e-10 * m[(j, j)].abs())) != Some(std::cmp::Ordering::Greater)
            || !d.is_finite()
        {
            return Err(j);
        }
        let dj = d.sqrt();
        l[(j, j)] = dj;
        for i in j + 1..n {
            let mut s = m[(i, j)];
            for k in 0..j {
                s -= l[(i, k)] * l[(j, k)];
            }
            l[(i, j)] = s / dj;
        }
    }
    Cholesky::new(m.clone()).ok_or(n.saturating_sub(1))
}

impl GroupStats {
    /// Moments of an $n \times p$ data matrix (complete rows), two-pass.
    ///
    /// # Errors
    /// [`Error::TooFewRows`] with fewer than 2 rows; [`Error::NotPositiveDefinite`] naming the
    /// variable where the covariance matrix stops being positive definite (a constant or
    /// linearly dependent column).
    pub fn from_rows(
        label: &str,
        data: DMatrix<f64>,
        names: &[String],
        keep: bool,
    ) -> Result<GroupStats> {
        let n = data.nrows();
        let p = data.ncols();
        if n < 2 {
            return Err(Error::TooFewRows {
                at: crate::Location::default(),
                needed: 2,
                got: n,
            });
        }
        let mean = DVector::from_fn(p, |j, _| {
            let c = data.column(j);
            let m0 = c.sum() / n as f64;
            // second pass refines the mean
            m0 + c.iter().map(|v| v - m0).sum::<f64>() / n as f64
        });
        let mut centered = data.clone();
        for j in 0..p {
            let mj = mean[j];
            for v in centered.column_mut(j).iter_mut() {
                *v -= mj;
            }
        }
        let cov = (centered.transpose() * &centered) / n as f64;
        Self::from_moments(label, n, mean, cov, names, keep.then_some(data))
    }

    /// Moments of the rows `rows` and columns `cols` of row-major item data, without copying
    /// the data: two passes (means, then centred cross products of the upper triangle) over
    /// fixed chunks of rows in parallel, added in chunk order (thread-count independent).
    ///
    /// # Formula
    /// With $d_i = y_i - \tilde y$ ($\tilde y$ the first-pass mean),
    /// $S = n^{-1}\bigl(\sum_i d_id_i^\top - n^{-1}(\sum_i d_i)(\sum_i d_i)^\top\bigr)$ and
    /// $\bar y = \tilde y + n^{-1}\sum_i d_i$ (the corrected two-pass algorithm).
    ///
    /// # Reference
    /// Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). Algorithms for computing the sample
    /// variance: Analysis and recommendations. *The American Statistician*, 37(3), 242–247.
    ///
    /// # Peer
    /// lavaan 0.6.14 sample statistics (`cov` rescaled by $(n-1)/n$).
    ///
    /// # Deviations
    /// None.
    ///
    /// # Errors
    /// As [`GroupStats::from_rows`].
    pub fn from_item_rows(
        label: &str,
        data: &crate::data::ItemData,
        rows: &[usize],
        cols: &[usize],
        names: &[String],
        keep: bool,
    ) -> Result<GroupStats> {
        use rayon::prelude::*;
        const CHUNK: usize = 4096;
        let n = rows.len();
        let p = cols.len();
        if n < 2 {
            return Err(Error::TooFewRows {
                at: data.location(),
                needed: 2,
                got: n,
            });
        }
        let sums: Vec<Vec<f64>> = rows
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut acc = vec![0.0; p];
                for &r in chunk {
                    let row = data.row(r);
                    for (a, &c) in acc.iter_mut().zip(cols) {
                        *a += row[c];
                    }
                }
                acc
            })
            .collect();
        let mut mean = DVector::zeros(p);
        for part in &sums {
            for j in 0..p {
                mean[j] += part[j];
            }
        }
        mean /= n as f64;
        let parts: Vec<(Vec<f64>, Vec<f64>)> = rows
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut cross = vec![0.0; p * p];
                let mut lin = vec![0.0; p];
                let mut d = vec![0.0; p];
                for &r in chunk {
                    let row = data.row(r);
                    for j in 0..p {
                        d[j] = row[cols[j]] - mean[j];
                        lin[j] += d[j];
                    }
                    for a in 0..p {
                        let da = d[a];
                        let line = &mut cross[a * p..(a + 1) * p];
                        for (c, db) in line[a..].iter_mut().zip(&d[a..]) {
                            *c += da * db;
                        }
                    }
                }
                (cross, lin)
            })
            .collect();
        let mut cross = vec![0.0; p * p];
        let mut lin = vec![0.0; p];
        for (c, l) in &parts {
            for (a, b) in cross.iter_mut().zip(c) {
                *a += b;
            }
            for (a, b) in lin.iter_mut().zip(l) {
                *a += b;
            }
        }
        // second-pass correction of the mean (the sum of deviations is ~0 up to rounding)
        let nf = n as f64;
        let cov = DMatrix::from_fn(p, p, |i, j| {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            (cross[a * p + b] - lin[a] * lin[b] / nf) / nf
        });
        for j in 0..p {
            mean[j] += lin[j] / nf;
        }
        let raw = keep.then(|| DMatrix::from_fn(n, p, |i, j| data.row(rows[i])[cols[j]]));
        Self::from_moments(label, n, mean, cov, names, raw)
    }

    fn from_moments(
        label: &str,
        n: usize,
        mean: DVector<f64>,
        cov: DMatrix<f64>,
        names: &[String],
        data: Option<DMatrix<f64>>,
    ) -> Result<GroupStats> {
        let cov = (&cov + cov.transpose()) * 0.5;
        let ch = cholesky_at(&cov).map_err(|j| Error::NotPositiveDefinite {
            what: if label.is_empty() {
                "the sample covariance matrix".to_string()
            } else {
                format!("the sample covariance matrix of group \"{label}\"")
            },
            index: format!(
                "item {} (constant, or a linear combination of the items before it)",
                names.get(j).cloned().unwrap_or_else(|| (j + 1).to_string())
            ),
        })?;
        let logdet = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
        Ok(GroupStats {
            label: label.to_string(),
            n,
            mean,
            cov,
            logdet,
            data,
        })
    }
}

/// One group's evaluated model.
#[derive(Debug, Clone)]
pub(crate) struct GroupEval {
    pub imp: Implied,
    pub sigma_inv: DMatrix<f64>,
    /// $\bar y - \mu$ (zero without a mean structure).
    pub d: DVector<f64>,
}

/// The model at one parameter vector.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    pub groups: Vec<GroupEval>,
    /// $F = \sum_g (n_g/N) F_g$.
    pub f: f64,
    /// Size of the terms summed into $F$: its rounding error is about $\epsilon$ times this.
    pub fscale: f64,
}

/// The estimation problem: a laid-out model, the data's moments and the fixed row values.
#[derive(Debug, Clone)]
pub(crate) struct Problem<'a> {
    pub model: &'a Model,
    pub stats: &'a SampleStats,
    /// Row values of fixed rows (exogenous moments filled from the sample); ignored for free rows.
    pub fixed: Vec<f64>,
}

impl<'a> Problem<'a> {
    pub fn new(pt: &ParTable, model: &'a Model, stats: &'a SampleStats) -> Problem<'a> {
        let fixed = pt
            .rows
            .iter()
            .map(|r| {
                if r.exo {
                    let gs = &stats.groups[r.group - 1];
                    let i = pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                    if r.op == Op::Intercept {
                        gs.mean[i]
                    } else {
                        let j = pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                        gs.cov[(i, j)]
                    }
                } else {
                    r.value.unwrap_or(0.0)
                }
            })
            .collect();
        Problem {
            model,
            stats,
            fixed,
        }
    }

    pub fn weight(&self, g: usize) -> f64 {
        self.stats.groups[g].n as f64 / self.stats.ntotal as f64
    }

    /// Evaluates $F$; `None` when some $\Sigma_g$ is not positive definite.
    pub fn eval(&self, x: &[f64]) -> Option<Eval> {
        let values = self.model.row_values(x, &self.fixed);
        let p = self.model.p as f64;
        let mut groups = Vec::with_capacity(self.stats.groups.len());
        let mut f = 0.0;
        let mut fscale = 0.0;
        for (gi, gs) in self.stats.groups.iter().enumerate() {
            let imp = self.model.implied(&values, gi + 1)?;
            if imp.sigma.iter().any(|v| !v.is_finite()) {
                return None;
            }
            let ch = Cholesky::new(imp.sigma.clone())?;
            let logdet = 2.0 * ch.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>();
            let sigma_inv = ch.inverse();
            let d = if self.model.meanstructure {
                &gs.mean - &imp.mu
            } else {
                DVector::zeros(self.model.p)
            };
            let tr = gs.cov.component_mul(&sigma_inv).sum();
            let quad = (d.transpose() * &sigma_inv * &d)[(0, 0)];
            let fg = logdet + tr + quad - gs.logdet - p;
            f += self.weight(gi) * fg;
            fscale +=
                self.weight(gi) * (logdet.abs() + tr.abs() + quad.abs() + gs.logdet.abs() + p);
            groups.push(GroupEval { imp, sigma_inv, d });
        }
        if !f.is_finite() {
            return None;
        }
        Some(Eval {
            x: x.to_vec(),
            values,
            groups,
            f,
            fscale,
        })
    }

    /// Derivatives of every group's moments.
    pub fn derivatives(&self, ev: &Eval) -> Vec<Vec<ParamDeriv>> {
        ev.groups
            .iter()
            .enumerate()
            .map(|(g, ge)| self.model.derivatives(&ge.imp, g + 1))
            .collect()
    }

    /// Gradient of $F$.
    pub fn gradient(&self, ev: &Eval, ders: &[Vec<ParamDeriv>]) -> DVector<f64> {
        let q = ders.first().map_or(self.model.nfree, |d| d.len());
        let mut grad = DVector::zeros(q);
        for (g, ge) in ev.groups.iter().enumerate() {
            let gs = &self.stats.groups[g];
            let w = self.weight(g);
            let si = &ge.sigma_inv;
            // E = Sigma^-1 (Sigma - S - dd') Sigma^-1, with the residual formed first so that the
            // gradient keeps its relative accuracy near the optimum
            let mut resid = &ge.imp.sigma - &gs.cov;
            if self.model.meanstructure {
                resid -= &ge.d * ge.d.transpose();
            }
            let e = si * resid * si;
            let r = si * &ge.d;
            for (k, pd) in ders[g].iter().enumerate() {
                let mut gk = 0.0;
                for (a, b) in &pd.terms {
                    gk += 2.0 * (a.transpose() * &e * b)[(0, 0)];
                }
                if let Some(dm) = &pd.dmu {
                    gk -= 2.0 * r.dot(dm);
                }
                grad[k] += w * gk;
            }
        }
        grad
    }

    /// Expected unit information (of $F/2$), summed over groups with weights $n_g/N$.
    pub fn information(&self, ev: &Eval, ders: &[Vec<ParamDeriv>]) -> DMatrix<f64> {
        let q = ders.first().map_or(self.model.nfree, |d| d.len());
        let mut info = DMatrix::zeros(q, q);
        for (g, ge) in ev.groups.iter().enumerate() {
            let w = self.weight(g);
            group_information(&ge.sigma_inv, &ders[g], w, &mut info);
        }
        info
    }
}

/// Adds $w$ times one group's expected information to `info` (rank-two terms and a Gram matrix).
pub(crate) fn group_information(
    sigma_inv: &DMatrix<f64>,
    ders: &[ParamDeriv],
    w: f64,
    info: &mut DMatrix<f64>,
) {
    let p = sigma_inv.nrows();
    // stack all term vectors
    let mut owner: Vec<usize> = Vec::new();
    let nterms: usize = ders.iter().map(|d| d.terms.len()).sum();
    let mut v = DMatrix::<f64>::zeros(p, 2 * nterms);
    let mut c = 0;
    for (k, d) in ders.iter().enumerate() {
        for (a, b) in &d.terms {
            v.set_column(2 * c, a);
            v.set_column(2 * c + 1, b);
            owner.push(k);
            c += 1;
        }
    }
    if nterms > 0 {
        let gram = v.transpose() * (sigma_inv * &v);
        for t in 0..nterms {
            for u in 0..nterms {
                let (k, l) = (owner[t], owner[u]);
                if l < k {
                    continue;
                }
                let (a, b, cc, dd) = (2 * t, 2 * t + 1, 2 * u, 2 * u + 1);
                let val = gram[(a, cc)] * gram[(b, dd)] + gram[(a, dd)] * gram[(b, cc)];
                info[(k, l)] += w * val;
                if k != l {
                    info[(l, k)] += w * val;
                }
            }
        }
    }
    let mus: Vec<(usize, DVector<f64>)> = ders
        .iter()
        .enumerate()
        .filter_map(|(k, d)| d.dmu.as_ref().map(|m| (k, sigma_inv * m)))
        .collect();
    for (k, sm) in &mus {
        for (l, _) in &mus {
            if l < k {
                continue;
            }
            let Some(ml) = ders[*l].dmu.as_ref() else {
                continue;
            };
            let val = sm.dot(ml);
            info[(*k, *l)] += w * val;
            if k != l {
                info[(*l, *k)] += w * val;
            }
        }
    }
}

/// Starting values: triads of covariances for loadings and factor variances, half the observed
/// variance for residual variances, 0 for regressions and residual covariances, sample means
/// for intercepts.
pub(crate) fn start_values(pt: &ParTable, stats: &SampleStats, simple: bool) -> Vec<f64> {
    let mut x = vec![f64::NAN; pt.nfree];
    let ov_idx = |n: &str| pt.ov.iter().position(|v| v == n);
    for (gi, gs) in stats.groups.iter().enumerate() {
        let g = gi + 1;
        let s = &gs.cov;
        let rows: Vec<&super::partable::ParRow> = pt.rows.iter().filter(|r| r.group == g).collect();
        // per factor: loadings and variance
        let mut lambda: Vec<(String, String, f64)> = Vec::new(); // (factor, indicator, start)
        let mut psi: Vec<(String, f64)> = Vec::new();
        for f in &pt.lv {
            let ind: Vec<(usize, &super::partable::ParRow)> = rows
                .iter()
                .filter(|r| r.op == Op::Measure && r.lhs == *f)
                .filter_map(|r| ov_idx(&r.rhs).map(|i| (i, *r)))
                .collect();
            if ind.is_empty() || simple {
                for r in rows.iter().filter(|r| r.op == Op::Measure && r.lhs == *f) {
                    lambda.push((f.clone(), r.rhs.clone(), r.value.unwrap_or(1.0)));
                }
                psi.push((f.clone(), 0.05));
                continue;
            }
            // communalities from triads
            let idx: Vec<usize> = ind.iter().map(|(i, _)| *i).collect();
            let comm = |j: usize| -> f64 {
                let others: Vec<usize> = idx.iter().copied().filter(|&k| k != j).collect();
                let mut acc = 0.0;
                let mut cnt = 0.0;
                for (a, &k) in others.iter().enumerate() {
                    for &l in &others[a + 1..] {
                        if s[(k, l)].abs() > 1e-12 * (s[(k, k)] * s[(l, l)]).sqrt() {
                            acc += (s[(j, k)] * s[(j, l)] / s[(k, l)]).abs();
                            cnt += 1.0;
                        }
                    }
                }
                let c = if cnt > 0.0 {
                    acc / cnt
                } else if others.len() == 1 {
                    s[(j, others[0])].abs()
                } else {
                    0.5 * s[(j, j)]
                };
                c.clamp(0.05 * s[(j, j)], 0.95 * s[(j, j)])
            };
            let (m_idx, m_row) = ind[0];
            let ref_load = m_row.value.unwrap_or(1.0);
            let fixed_var = rows
                .iter()
                .find(|r| r.op == Op::Covary && r.lhs == *f && r.rhs == *f && r.free == 0)
                .and_then(|r| r.value);
            let c_m = comm(m_idx);
            let psi_f = match (m_row.free, fixed_var) {
                (0, _) if ref_load != 0.0 => c_m / (ref_load * ref_load),
                (_, Some(v)) if v > 0.0 => v,
                _ => 1.0,
            };
            for (j, r) in &ind {
                let v = match r.value {
                    Some(v) => v,
                    None => {
                        let sign = if *j == m_idx || s[(*j, m_idx)] >= 0.0 {
                            1.0
                        } else {
                            -1.0
                        };
                        sign * (comm(*j) / psi_f).sqrt()
                    }
                };
                lambda.push((f.clone(), r.rhs.clone(), v));
            }
            for r in rows
                .iter()
                .filter(|r| r.op == Op::Measure && r.lhs == *f && ov_idx(&r.rhs).is_none())
            {
                lambda.push((f.clone(), r.rhs.clone(), r.value.unwrap_or(1.0)));
            }
            psi.push((f.clone(), psi_f));
        }
        let load = |f: &str, i: &str| {
            lambda
                .iter()
                .find(|(a, b, _)| a == f && b == i)
                .map(|t| t.2)
        };
        let psi_of = |f: &str| {
            psi.iter()
                .find(|(a, _)| a == f)
                .map(|t| t.1)
                .unwrap_or(0.05)
        };
        let n_loadings = |i: &str| {
            rows.iter()
                .filter(|r| r.op == Op::Measure && r.rhs == i)
                .count()
        };
        for r in &rows {
            if r.free == 0 || !x[r.free - 1].is_nan() {
                continue;
            }
            let v = match r.op {
                Op::Measure => load(&r.lhs, &r.rhs).unwrap_or(1.0),
                Op::Regress | Op::Threshold => 0.0,
                Op::Scale => 1.0,
                Op::Intercept => ov_idx(&r.lhs).map_or(0.0, |i| gs.mean[i]),
                Op::Covary => {
                    let (li, ri) = (ov_idx(&r.lhs), ov_idx(&r.rhs));
                    match (li, ri, r.lhs == r.rhs) {
                        (Some(i), Some(_), true) => {
                            // residual variance: what the factor leaves
                            let facs: Vec<&super::partable::ParRow> = rows
                                .iter()
                                .filter(|q| q.op == Op::Measure && q.rhs == r.lhs)
                                .copied()
                                .collect();
                            if facs.len() == 1 && !simple {
                                let l = load(&facs[0].lhs, &r.lhs).unwrap_or(1.0);
                                let c = l * l * psi_of(&facs[0].lhs);
                                (s[(i, i)] - c).clamp(0.05 * s[(i, i)], 0.95 * s[(i, i)])
                            } else if n_loadings(&r.lhs) == 0 {
                                s[(i, i)]
                            } else {
                                0.5 * s[(i, i)]
                            }
                        }
                        (None, None, true) => {
                            // latent (disturbance) variance
                            let is_indicator =
                                rows.iter().any(|q| q.op == Op::Measure && q.rhs == r.lhs);
                            if is_indicator {
                                0.5 * psi_of(&r.lhs)
                            } else {
                                psi_of(&r.lhs)
                            }
                        }
                        (None, None, false) if !simple => {
                            // latent covariance from cross covariances of indicators
                            let ia: Vec<(usize, f64)> = pt
                                .ov
                                .iter()
                                .enumerate()
                                .filter_map(|(i, n)| load(&r.lhs, n).map(|l| (i, l)))
                                .collect();
                            let ib: Vec<(usize, f64)> = pt
                                .ov
                                .iter()
                                .enumerate()
                                .filter_map(|(i, n)| load(&r.rhs, n).map(|l| (i, l)))
                                .collect();
                            let mut acc = 0.0;
                            let mut cnt = 0.0;
                            for (i, li) in &ia {
                                for (j, lj) in &ib {
                                    if i != j && li.abs() > 1e-8 && lj.abs() > 1e-8 {
                                        acc += s[(*i, *j)] / (li * lj);
                                        cnt += 1.0;
                                    }
                                }
                            }
                            let bound = 0.9 * (psi_of(&r.lhs) * psi_of(&r.rhs)).sqrt();
                            if cnt > 0.0 {
                                (acc / cnt).clamp(-bound, bound)
                            } else {
                                0.0
                            }
                        }
                        _ => 0.0,
                    }
                }
            };
            x[r.free - 1] = v;
        }
    }
    for v in &mut x {
        if !v.is_finite() {
            *v = 0.0;
        }
    }
    x
}

/// Outcome of the optimiser.
#[derive(Debug, Clone)]
pub(crate) struct Optimum {
    pub x: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    pub gradient_max: f64,
}

/// Solves $H\delta = r$ for a symmetric $H$, adding a ridge until $H$ factors.
fn solve_ridged(h: &DMatrix<f64>, rhs: &DVector<f64>) -> DVector<f64> {
    if let Some(ch) = Cholesky::new(h.clone()) {
        return ch.solve(rhs);
    }
    let scale = h.diagonal().amax().max(1e-12);
    let mut lam = 1e-8 * scale;
    for _ in 0..20 {
        let mut m = h.clone();
        for i in 0..m.nrows() {
            m[(i, i)] += lam;
        }
        if let Some(ch) = Cholesky::new(m) {
            return ch.solve(rhs);
        }
        lam *= 10.0;
    }
    rhs.clone()
}

/// Fisher scoring with Armijo backtracking (module docs). When scoring slows down (the largest
/// gradient element falls by less than a factor 5 in a full step near the optimum, where the
/// predicted decrease of $F$ is below $10^{-4}$; typical of misfitting models
/// where the observed and expected information differ), the method continues as BFGS with
/// the Fisher information at that point as its initial Hessian, which converges superlinearly;
/// a failed line search returns to scoring.
pub(crate) fn optimise(prob: &Problem, x0: Vec<f64>, tol: f64, max_iter: usize) -> Option<Optimum> {
    let mut ev = prob.eval(&x0)?;
    let mut iterations = 0;
    let mut ders = prob.derivatives(&ev);
    let mut grad = prob.gradient(&ev, &ders);
    let mut converged = false;
    // Hessian approximation of F/2 when in BFGS mode
    let mut bfgs: Option<DMatrix<f64>> = None;
    let mut seed_bfgs = false;
    while iterations < max_iter {
        if grad.amax() < tol {
            converged = true;
            break;
        }
        iterations += 1;
        if seed_bfgs {
            bfgs = Some(prob.information(&ev, &ders));
            seed_bfgs = false;
        }
        let rhs = -&grad * 0.5;
        let mut dir = match &bfgs {
            Some(h) => solve_ridged(h, &rhs),
            None => solve_ridged(&prob.information(&ev, &ders), &rhs),
        };
        let mut slope = grad.dot(&dir);
        if slope >= 0.0 || !slope.is_finite() {
            dir = -&grad;
            slope = grad.dot(&dir);
        }
        // the predicted decrease is below the rounding error of F: nothing left to gain
        let noise = 16.0 * f64::EPSILON * ev.fscale.max(1.0);
        if slope.abs() < 1e-3 * noise {
            converged = true;
            break;
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..50 {
            let xt: Vec<f64> =
                ev.x.iter()
                    .zip(dir.iter())
                    .map(|(a, d)| a + t * d)
                    .collect();
            if let Some(evt) = prob.eval(&xt) {
                let armijo = evt.f <= ev.f + 1e-4 * t * slope;
                let rounding = evt.f <= ev.f + noise;
                if armijo {
                    accepted = Some((evt, None));
                    break;
                }
                if rounding {
                    let dt = prob.derivatives(&evt);
                    let gt = prob.gradient(&evt, &dt);
                    if gt.amax() < grad.amax() {
                        accepted = Some((evt, Some((dt, gt))));
                        break;
                    }
                }
            }
            t *= 0.5;
        }
        let Some((evn, dg)) = accepted else {
            if bfgs.is_some() {
                bfgs = None; // back to scoring
                continue;
            }
            break;
        };
        let (dn, gn) = match dg {
            Some(x) => x,
            None => {
                let d = prob.derivatives(&evn);
                let g = prob.gradient(&evn, &d);
                (d, g)
            }
        };
        match &mut bfgs {
            Some(h) => {
                let sv = DVector::from_iterator(
                    evn.x.len(),
                    evn.x.iter().zip(&ev.x).map(|(a, b)| a - b),
                );
                let y = (&gn - &grad) * 0.5;
                let sy = sv.dot(&y);
                if sy > 1e-12 * sv.norm() * y.norm() {
                    let hs = &*h * &sv;
                    let shs = sv.dot(&hs);
                    if shs > 0.0 {
                        *h += &y * y.transpose() / sy - &hs * hs.transpose() / shs;
                    }
                }
            }
            None => {
                if t == 1.0 && gn.amax() > 0.2 * grad.amax() && slope.abs() < 1e-4 {
                    seed_bfgs = true;
                }
            }
        }
        ev = evn;
        ders = dn;
        grad = gn;
    }
    if !converged && grad.amax() < tol {
        converged = true;
    }
    Some(Optimum {
        gradient_max: grad.amax(),
        x: ev.x,
        iterations,
        converged,
    })
}
