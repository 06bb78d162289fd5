//! Stage 3, the matrix representation: the parameter table as reticular action model (RAM)
//! matrices, the model-implied moments and their derivatives.
//!
//! # Formula
//! With the variables $v = (y, \eta)$ (observed, then latent), the paths $A$ (loadings
//! $A_{y\eta} = \lambda$ and regressions $A_{\text{lhs},\text{rhs}} = \beta$), the symmetric
//! (residual) covariances $S$ and the intercepts $m$,
//! $$T = (I - A)^{-1}, \quad G = F T, \quad \Sigma = G S G^\top, \quad \mu = G m,$$
//! where $F = [I_p \\; 0]$ selects the observed variables. This is lavaan's LISREL form
//! $\Sigma = \Lambda (I-B)^{-1}\Psi (I-B)^{-\top}\Lambda^\top + \Theta$ written for all variables at
//! once, so that observed variables in regressions need no phantom latents.
//!
//! The derivative of $\Sigma$ with respect to one matrix element is a symmetric rank-two matrix
//! $ab^\top + ba^\top$ (with $M = T S G^\top$):
//! - path $A_{ij}$: $a = G_{\cdot i}$, $b = M_{j\cdot}^\top$, and $\partial\mu = G_{\cdot i}(Tm)\_j$;
//! - covariance $S_{ij}$, $i \ne j$: $a = G_{\cdot i}$, $b = G_{\cdot j}$; variance $S_{ii}$: $a = G_{\cdot i}$, $b = \tfrac12 G_{\cdot i}$;
//! - intercept $m_i$: $\partial\mu = G_{\cdot i}$.
//!
//! # Reference
//! McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
//! model for moment structures. *British Journal of Mathematical and Statistical Psychology*,
//! 37(2), 234–251.
//!
//! # Peer
//! lavaan 0.6.14 `lav_model_implied()` (`computeSigmaHat`, `computeMuHat`) and
//! `computeDelta()`: same moments and derivatives (lavaan uses the LISREL matrices).
//!
//! # Deviations
//! None in the results; the representation differs (RAM instead of LISREL).

use super::partable::ParTable;
use super::syntax::Op;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// Which RAM matrix a parameter lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mat {
    /// Directed paths (loadings, regressions): `A[target, source]`.
    A,
    /// Symmetric (residual) covariances.
    S,
    /// Intercepts and latent means.
    M,
    /// Thresholds of ordered items: not part of the RAM matrices (the categorical stage
    /// compares them with the sample thresholds directly).
    Th,
    /// Scaling factors of ordered items (`~*~`): not part of the RAM matrices either.
    Scale,
}

/// Where one parameter-table row sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub mat: Mat,
    pub i: usize,
    pub j: usize,
}

/// Where a row sits, from its lhs/op/rhs.
pub(crate) fn position(pt: &ParTable, lhs: &str, op: Op, rhs: &str) -> Option<Pos> {
    let l = pt.var_index(lhs)?;
    match op {
        Op::Measure => Some(Pos {
            mat: Mat::A,
            i: pt.var_index(rhs)?,
            j: l,
        }),
        Op::Regress => Some(Pos {
            mat: Mat::A,
            i: l,
            j: pt.var_index(rhs)?,
        }),
        Op::Covary => Some(Pos {
            mat: Mat::S,
            i: l,
            j: pt.var_index(rhs)?,
        }),
        Op::Intercept => Some(Pos {
            mat: Mat::M,
            i: l,
            j: 0,
        }),
        Op::Threshold => Some(Pos {
            mat: Mat::Th,
            i: l,
            j: super::syntax::threshold_number(rhs)?,
        }),
        Op::Scale => Some(Pos {
            mat: Mat::Scale,
            i: l,
            j: 0,
        }),
    }
}

/// The RAM layout of a parameter table.
#[derive(Debug, Clone)]
pub struct Model {
    /// Observed variables.
    pub p: usize,
    /// All variables (observed + latent).
    pub nvar: usize,
    /// Groups.
    pub ngroups: usize,
    /// Free parameters.
    pub nfree: usize,
    /// Mean structure.
    pub meanstructure: bool,
    pub(crate) pos: Vec<Pos>,
    pub(crate) group: Vec<usize>,
    pub(crate) free: Vec<usize>,
}

/// Model-implied moments of one group.
#[derive(Debug, Clone)]
pub struct Implied {
    /// $\Sigma$ ($p \times p$).
    pub sigma: DMatrix<f64>,
    /// $\mu$ ($p$).
    pub mu: DVector<f64>,
    /// Total covariance matrix of all variables, $T S T^\top$.
    pub cov_all: DMatrix<f64>,
    /// $G = F T$ ($p \times$ nvar).
    pub(crate) g: DMatrix<f64>,
    /// $M = T S G^\top$ (nvar $\times p$).
    pub(crate) m: DMatrix<f64>,
    /// $T m$ (nvar).
    pub(crate) tm: DVector<f64>,
}

/// The derivative of one group's moments with respect to one free parameter:
/// $\partial\Sigma = \sum_t (a_t b_t^\top + b_t a_t^\top)$ and $\partial\mu$.
#[derive(Debug, Clone, Default)]
pub struct ParamDeriv {
    /// Rank-two terms $(a_t, b_t)$.
    pub terms: Vec<(DVector<f64>, DVector<f64>)>,
    /// $\partial\mu$, if the parameter moves the means.
    pub dmu: Option<DVector<f64>>,
}

impl Model {
    /// Lays out a parameter table.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if a row names an unknown variable (cannot happen for tables
    /// from [`super::partable::build`]).
    pub fn new(pt: &ParTable) -> Result<Model> {
        let mut pos = Vec::with_capacity(pt.rows.len());
        for r in &pt.rows {
            let p = position(pt, &r.lhs, r.op, &r.rhs).ok_or_else(|| {
                Error::option(
                    "--model",
                    format!(
                        "unknown variable in \"{} {} {}\"",
                        r.lhs,
                        r.op.as_str(),
                        r.rhs
                    ),
                )
            })?;
            pos.push(p);
        }
        Ok(Model {
            p: pt.ov.len(),
            nvar: pt.ov.len() + pt.lv.len(),
            ngroups: pt.ngroups,
            nfree: pt.nfree,
            meanstructure: pt.meanstructure,
            pos,
            group: pt.rows.iter().map(|r| r.group).collect(),
            free: pt.rows.iter().map(|r| r.free).collect(),
        })
    }

    /// Every row's value: free rows from `x`, the others from `fixed`.
    pub fn row_values(&self, x: &[f64], fixed: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .zip(fixed)
            .map(|(&f, &v)| if f > 0 { x[f - 1] } else { v })
            .collect()
    }

    /// The RAM matrices $(A, S, m)$ of group `g` (1-based) from the row values.
    pub fn matrices(&self, values: &[f64], g: usize) -> (DMatrix<f64>, DMatrix<f64>, DVector<f64>) {
        let n = self.nvar;
        let mut a = DMatrix::zeros(n, n);
        let mut s = DMatrix::zeros(n, n);
        let mut m = DVector::zeros(n);
        for (r, pos) in self.pos.iter().enumerate() {
            if self.group[r] != g {
                continue;
            }
            let v = values[r];
            match pos.mat {
                Mat::A => a[(pos.i, pos.j)] = v,
                Mat::S => {
                    s[(pos.i, pos.j)] = v;
                    s[(pos.j, pos.i)] = v;
                }
                Mat::M => m[pos.i] = v,
                Mat::Th | Mat::Scale => {}
            }
        }
        (a, s, m)
    }

    /// Implied moments of group `g`; `None` when $I - A$ is singular (a non-recursive loop with
    /// unit gain).
    pub fn implied(&self, values: &[f64], g: usize) -> Option<Implied> {
        let (a, s, m) = self.matrices(values, g);
        let n = self.nvar;
        let ia = DMatrix::<f64>::identity(n, n) - a;
        let t = ia.try_inverse()?;
        let g_mat = t.rows(0, self.p).into_owned();
        let sg = &s * g_mat.transpose();
        let sigma = &g_mat * &sg;
        let sigma = (&sigma + sigma.transpose()) * 0.5;
        let mu = &g_mat * &m;
        let m_mat = &t * &sg;
        let cov_all = &t * &s * t.transpose();
        let tm = &t * &m;
        Some(Implied {
            sigma,
            mu,
            cov_all,
            g: g_mat,
            m: m_mat,
            tm,
        })
    }

    /// Derivatives of group `g`'s moments with respect to each free parameter.
    pub fn derivatives(&self, imp: &Implied, g: usize) -> Vec<ParamDeriv> {
        let mut out = vec![ParamDeriv::default(); self.nfree];
        for (r, pos) in self.pos.iter().enumerate() {
            if self.group[r] != g || self.free[r] == 0 {
                continue;
            }
            let d = &mut out[self.free[r] - 1];
            self.add_deriv(imp, *pos, d);
        }
        out
    }

    /// Adds the derivative with respect to one matrix element to `d`.
    pub(crate) fn add_deriv(&self, imp: &Implied, pos: Pos, d: &mut ParamDeriv) {
        let gi = imp.g.column(pos.i).into_owned();
        let mut add_mu = |v: DVector<f64>| match &mut d.dmu {
            Some(x) => *x += v,
            None => d.dmu = Some(v),
        };
        match pos.mat {
            Mat::A => {
                let b = imp.m.row(pos.j).transpose();
                if self.meanstructure {
                    add_mu(&gi * imp.tm[pos.j]);
                }
                d.terms.push((gi, b));
            }
            Mat::S => {
                if pos.i == pos.j {
                    let b = &gi * 0.5;
                    d.terms.push((gi, b));
                } else {
                    let b = imp.g.column(pos.j).into_owned();
                    d.terms.push((gi, b));
                }
            }
            Mat::M => add_mu(gi),
            Mat::Th | Mat::Scale => {}
        }
    }
}

/// $\partial\Sigma$ of a derivative as a dense matrix (tests and diagnostics).
pub fn dsigma_dense(d: &ParamDeriv, p: usize) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(p, p);
    for (a, b) in &d.terms {
        out += a * b.transpose() + b * a.transpose();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfa::partable::{build, PartableOptions};
    use crate::cfa::syntax::parse;

    #[test]
    fn derivatives_match_finite_differences() {
        let m = parse(
            "f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\ng ~ f + z\nx1 ~~ x4\nx2 ~ 1",
            "m",
        )
        .unwrap();
        let pt = build(
            &m,
            &PartableOptions {
                meanstructure: true,
                ..PartableOptions::default()
            },
        )
        .unwrap();
        let model = Model::new(&pt).unwrap();
        let fixed: Vec<f64> = pt
            .rows
            .iter()
            .map(|r| r.value.unwrap_or(if r.lhs == r.rhs { 1.3 } else { 0.2 }))
            .collect();
        let x: Vec<f64> = (0..model.nfree).map(|k| 0.3 + 0.05 * k as f64).collect();
        let vals = model.row_values(&x, &fixed);
        let imp = model.implied(&vals, 1).unwrap();
        let der = model.derivatives(&imp, 1);
        for k in 0..model.nfree {
            let h = 1e-6;
            let mut xp = x.clone();
            xp[k] += h;
            let mut xm = x.clone();
            xm[k] -= h;
            let ip = model.implied(&model.row_values(&xp, &fixed), 1).unwrap();
            let im = model.implied(&model.row_values(&xm, &fixed), 1).unwrap();
            let num = (&ip.sigma - &im.sigma) / (2.0 * h);
            let ana = dsigma_dense(&der[k], model.p);
            assert!(
                (&num - &ana).amax() < 1e-7,
                "param {k}: {}",
                (&num - &ana).amax()
            );
            let nmu = (&ip.mu - &im.mu) / (2.0 * h);
            let amu = der[k]
                .dmu
                .clone()
                .unwrap_or_else(|| DVector::zeros(model.p));
            assert!((&nmu - &amu).amax() < 1e-7, "mu param {k}");
        }
    }
}
