//! Step 3 of the two-step estimation: the structured model for the latent responses $y^*$,
//! its implied thresholds and correlations, their derivatives, and the (diagonally) weighted
//! least-squares fit by Gauss–Newton.
//!
//! # Formula
//! The RAM matrices (see [`crate::cfa::model`]) give the covariance matrix $\Sigma^*$ and means
//! $\mu^*$ of $y^*$. With the scale $\Delta_j = 1$ (delta parameterization, where
//! $\operatorname{Var}(y^*_j) = 1$ and the residual variance is $1 -$ the explained variance) or
//! $\Delta_j = (\Sigma^*_{jj})^{-1/2}$ (theta parameterization, residual variances fixed to 1),
//! the model-implied statistics are
//! $$\sigma_{\tau_{jk}}(\theta) = \Delta_j(\tau_{jk} - \mu^*_j),\qquad
//!   \sigma_{ij}(\theta) = \Delta_i\Delta_j\Sigma^*_{ij}\quad(i > j).$$
//! A continuous variable $j$ contributes $-\mu^*_j$ (with a mean structure) and
//! $\Sigma^*_{jj}$, with $\Delta_j = 1$ in both parameterizations.
//! Their Jacobian $D = \partial\sigma/\partial\theta^\top$ follows by the chain rule from the
//! rank-two derivatives of $\Sigma^*$, with
//! $\partial\Delta_j = -\tfrac12\Delta_j^3\\,\partial\Sigma^*_{jj}$ in the theta
//! parameterization. The estimates minimise
//! $$F(\theta) = (s - \sigma(\theta))^\top W (s - \sigma(\theta)),$$
//! $W = \operatorname{diag}(\Gamma)^{-1}$ (DWLS, WLSMV) or $I$ (ULS, ULSMV), by Gauss–Newton
//! steps $\delta = (D^\top W D)^{-1} D^\top W (s - \sigma)$, halved until $F$ decreases, until
//! the largest element of the gradient $-2D^\top W(s-\sigma)$ is below the tolerance. With
//! large residuals Gauss–Newton converges only linearly; when an iteration reduces the
//! gradient by less than a factor 4, Newton steps take over, with the Hessian of $F$ from
//! central differences of the analytic gradient.
//!
//! # Reference
//! Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). *Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes*. Unpublished technical report.
//!
//! # Peer
//! lavaan 0.6.14 `lav_model_objective()` (DWLS/ULS) and `computeDelta()` with ordered
//! indicators; reference cases 29 (delta) and 30 (theta).
//!
//! # Deviations
//! lavaan minimises with `nlminb` and stops at a relative change of $10^{-10}$ in $F$; the
//! Gauss–Newton iterations here stop at a gradient below $10^{-9}$, so the estimates agree to
//! about $10^{-6}$.

use super::Layout;
use crate::cfa::model::{Implied, Mat, Model, ParamDeriv};
use nalgebra::{DMatrix, DVector};

/// The weighted least-squares problem of one group.
#[derive(Debug, Clone)]
pub(crate) struct WlsProblem<'a> {
    pub model: &'a Model,
    /// Values of fixed rows (free rows ignored).
    pub fixed: Vec<f64>,
    pub layout: &'a Layout,
    /// Theta (true) or delta parameterization.
    pub theta: bool,
    /// Sample statistics.
    pub s: &'a [f64],
    /// Diagonal weights.
    pub w: &'a [f64],
    /// Threshold rows: (row, observed variable, statistic index).
    pub th_rows: Vec<(usize, usize, usize)>,
}

/// The model at one parameter vector.
#[derive(Debug, Clone)]
pub(crate) struct WlsEval {
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    pub imp: Implied,
    /// The moments conditional on the observed covariates (with covariates only).
    pub red: Option<Reduced>,
    /// $\Delta_j$ per observed variable.
    pub scale: Vec<f64>,
    /// Implied statistics $\sigma(\theta)$.
    pub sigma: Vec<f64>,
    /// $F$.
    pub f: f64,
}

/// The moments of $y^*$ conditional on the observed covariates $x$ (lavaan's
/// `conditional.x`), from the joint moments of $(y^*, x)$ with $\Sigma_{xx}$ and $\mu_x$
/// fixed at their sample values: with $\Pi = \Sigma_{yx}\Sigma_{xx}^{-1}$,
/// $$\Sigma_{y\mid x} = \Sigma_{yy} - \Pi\Sigma_{xy},\qquad \mu_{y\mid x} = \mu_y - \Pi\mu_x.$$
/// With $P = [I,\; -\Pi]$, $\Sigma_{y\mid x} = P\Sigma P^\top$, and since $\Sigma_{xx}$ does
/// not move, $\partial\Sigma_{y\mid x} = P\,\partial\Sigma\,P^\top$: each rank-two term
/// $ab^\top + ba^\top$ of $\partial\Sigma$ becomes $(Pa)(Pb)^\top + (Pb)(Pa)^\top$, and
/// $\partial\Pi = (P\,\partial\Sigma)_{\cdot x}\Sigma_{xx}^{-1}$,
/// $\partial\mu_{y\mid x} = P\,\partial\mu - \partial\Pi\,\mu_x$. The model for $y^*$ given $x$
/// is lavaan's reduced form $\Pi = \Lambda(I - B)^{-1}\Gamma$ (plus direct effects),
/// $\Sigma_{y\mid x} = \Lambda(I-B)^{-1}\Psi(I-B)^{-\top}\Lambda^\top + \Theta$.
#[derive(Debug, Clone)]
pub(crate) struct Reduced {
    /// $\Sigma_{y\mid x}$ ($p\times p$).
    pub sigma: DMatrix<f64>,
    /// $\mu_{y\mid x}$.
    pub mu: DVector<f64>,
    /// $\Pi$ ($p\times q$).
    pub pi: DMatrix<f64>,
    sxx_inv: DMatrix<f64>,
    mu_x: DVector<f64>,
}

impl Reduced {
    /// From the joint moments of the $p$ responses and the $q$ covariates after them;
    /// `None` when $\Sigma_{xx}$ is singular.
    fn new(imp: &Implied, p: usize, q: usize) -> Option<Reduced> {
        let sxx = imp.sigma.view((p, p), (q, q)).into_owned();
        let sxx_inv = sxx.try_inverse()?;
        let syx = imp.sigma.view((0, p), (p, q));
        let pi = syx * &sxx_inv;
        let sigma = imp.sigma.view((0, 0), (p, p)) - &pi * syx.transpose();
        let sigma = (&sigma + sigma.transpose()) * 0.5;
        let mu_x = imp.mu.rows(p, q).into_owned();
        let mu = imp.mu.rows(0, p) - &pi * &mu_x;
        Some(Reduced {
            sigma,
            mu,
            pi,
            sxx_inv,
            mu_x,
        })
    }

    /// $Pa$ for a joint vector $a$.
    fn apply(&self, a: &DVector<f64>) -> DVector<f64> {
        let p = self.pi.nrows();
        let q = self.pi.ncols();
        a.rows(0, p) - &self.pi * a.rows(p, q)
    }

    /// Rewrites the joint derivative `pd` into the derivative of the conditional moments and
    /// returns $\partial\Pi$ (`None` when it is zero).
    fn project(&self, pd: &mut ParamDeriv) -> Option<DMatrix<f64>> {
        let p = self.pi.nrows();
        let q = self.pi.ncols();
        let mut dpi: Option<DMatrix<f64>> = None;
        let mut terms = Vec::with_capacity(pd.terms.len());
        for (a, b) in &pd.terms {
            let (pa, pb) = (self.apply(a), self.apply(b));
            let ax = a.rows(p, q).transpose() * &self.sxx_inv;
            let bx = b.rows(p, q).transpose() * &self.sxx_inv;
            if ax.amax() > 0.0 || bx.amax() > 0.0 {
                let d = &pa * bx + &pb * ax;
                dpi = Some(match dpi {
                    Some(m) => m + d,
                    None => d,
                });
            }
            terms.push((pa, pb));
        }
        pd.terms = terms;
        pd.dmu = pd.dmu.as_ref().map(|m| {
            let mut v = self.apply(m);
            if let Some(dpi) = &dpi {
                v -= dpi * &self.mu_x;
            }
            v
        });
        if pd.dmu.is_none() {
            if let Some(dpi) = &dpi {
                pd.dmu = Some(-(dpi * &self.mu_x));
            }
        }
        dpi
    }
}

impl WlsEval {
    /// The covariance matrix and means of $y^*$ the statistics describe: conditional on the
    /// covariates when there are any, else the implied moments.
    pub fn cond_moments(&self) -> (&DMatrix<f64>, &DVector<f64>) {
        match &self.red {
            Some(r) => (&r.sigma, &r.mu),
            None => (&self.imp.sigma, &self.imp.mu),
        }
    }
}

/// Outcome of [`WlsProblem::optimise`].
#[derive(Debug, Clone)]
pub(crate) struct WlsOptimum {
    pub eval: WlsEval,
    pub iterations: usize,
    pub converged: bool,
    pub gradient_max: f64,
}

impl<'a> WlsProblem<'a> {
    pub fn new(
        pt: &crate::cfa::partable::ParTable,
        model: &'a Model,
        fixed: Vec<f64>,
        layout: &'a Layout,
        theta: bool,
        s: &'a [f64],
        w: &'a [f64],
    ) -> WlsProblem<'a> {
        let th_rows = model
            .pos
            .iter()
            .enumerate()
            .filter(|(r, pos)| pos.mat == Mat::Th && pt.rows[*r].group == 1)
            .filter_map(|(r, pos)| {
                let j = pos.i;
                (pos.j >= 1 && pos.j <= layout.nth[j])
                    .then(|| (r, j, layout.th_start[j] + pos.j - 1))
            })
            .collect();
        WlsProblem {
            model,
            fixed,
            layout,
            theta,
            s,
            w,
            th_rows,
        }
    }

    /// Evaluates the implied statistics and $F$; `None` if the model cannot be evaluated (a
    /// singular $I - A$, or a non-positive implied variance in the theta parameterization).
    pub fn eval(&self, x: &[f64]) -> Option<WlsEval> {
        let values = self.model.row_values(x, &self.fixed);
        let imp = self.model.implied(&values, 1)?;
        let p = self.layout.p;
        let red = if self.layout.nx > 0 {
            Some(Reduced::new(&imp, p, self.layout.nx)?)
        } else {
            None
        };
        let (cs, cm) = match &red {
            Some(r) => (&r.sigma, &r.mu),
            None => (&imp.sigma, &imp.mu),
        };
        let scale: Vec<f64> = (0..p)
            .map(|j| {
                if self.theta && !self.layout.numeric[j] {
                    1.0 / cs[(j, j)].sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        if scale.iter().any(|d| !d.is_finite()) {
            return None;
        }
        let mut sigma = vec![0.0; self.layout.nstat()];
        for &(r, j, idx) in &self.th_rows {
            sigma[idx] = scale[j] * (values[r] - cm[j]);
        }
        for j in 0..p {
            if self.layout.numeric[j] {
                if self.layout.nth[j] > 0 {
                    sigma[self.layout.th_start[j]] = -cm[j];
                }
                if let Some(v) = self.layout.var_idx[j] {
                    sigma[v] = cs[(j, j)];
                }
            }
        }
        if let Some(r) = &red {
            for k in 0..self.layout.nx {
                for (j, sc) in scale.iter().enumerate() {
                    sigma[self.layout.slope_idx(j, k)] = sc * r.pi[(j, k)];
                }
            }
        }
        let nt = self.layout.cov_start;
        for (m, &(i, j)) in self.layout.pairs.iter().enumerate() {
            sigma[nt + m] = scale[i] * scale[j] * cs[(i, j)];
        }
        let f = self
            .s
            .iter()
            .zip(&sigma)
            .zip(self.w)
            .map(|((s, sg), w)| w * (s - sg) * (s - sg))
            .sum();
        Some(WlsEval {
            x: x.to_vec(),
            values,
            imp,
            red,
            scale,
            sigma,
            f,
        })
    }

    /// $D = \partial\sigma/\partial\theta^\top$ (statistics $\times$ free parameters).
    pub fn jacobian(&self, ev: &WlsEval) -> DMatrix<f64> {
        let p = self.layout.p;
        let nt = self.layout.cov_start;
        let q = self.model.nfree;
        let mut d = DMatrix::<f64>::zeros(self.layout.nstat(), q);
        let mut ders = self.model.derivatives(&ev.imp, 1);
        let dpis: Vec<Option<DMatrix<f64>>> = match &ev.red {
            Some(red) => ders.iter_mut().map(|pd| red.project(pd)).collect(),
            None => vec![None; ders.len()],
        };
        let (sig, mu) = ev.cond_moments();
        let dl = &ev.scale;
        let nx = self.layout.nx;
        // the thresholds of each item, to pair with the derivatives of the scale
        let mut dsig_diag = vec![0.0; p];
        let mut dscale = vec![0.0; p];
        for (k, pd) in ders.iter().enumerate() {
            let mut col = d.column_mut(k);
            let dpi = dpis[k].as_ref();
            if pd.terms.is_empty() && pd.dmu.is_none() && dpi.is_none() {
                continue;
            }
            let dsig = |i: usize, j: usize| -> f64 {
                pd.terms
                    .iter()
                    .map(|(a, b)| a[i] * b[j] + b[i] * a[j])
                    .sum()
            };
            if self.theta {
                for j in (0..p).filter(|&j| !self.layout.numeric[j]) {
                    dsig_diag[j] = dsig(j, j);
                    dscale[j] = -0.5 * dl[j].powi(3) * dsig_diag[j];
                }
            }
            for (m, &(i, j)) in self.layout.pairs.iter().enumerate() {
                let mut v = dl[i] * dl[j] * dsig(i, j);
                if self.theta {
                    v += sig[(i, j)] * (dscale[i] * dl[j] + dl[i] * dscale[j]);
                }
                col[nt + m] = v;
            }
            if let Some(red) = &ev.red {
                for k in 0..nx {
                    for j in 0..p {
                        let mut v = dpi.map_or(0.0, |dpi| dl[j] * dpi[(j, k)]);
                        if self.theta && !self.layout.numeric[j] {
                            v += dscale[j] * red.pi[(j, k)];
                        }
                        col[self.layout.slope_idx(j, k)] = v;
                    }
                }
            }
            for j in (0..p).filter(|&j| self.layout.numeric[j]) {
                if self.layout.nth[j] > 0 {
                    col[self.layout.th_start[j]] = -pd.dmu.as_ref().map_or(0.0, |m| m[j]);
                }
                if let Some(v) = self.layout.var_idx[j] {
                    col[v] = dsig(j, j);
                }
            }
            for &(r, j, idx) in &self.th_rows {
                let dmu = pd.dmu.as_ref().map_or(0.0, |m| m[j]);
                let mut v = -dl[j] * dmu;
                if self.theta {
                    v += (ev.values[r] - mu[j]) * dscale[j];
                }
                col[idx] += v;
            }
        }
        for &(r, j, idx) in &self.th_rows {
            let f = self.model.free[r];
            if f > 0 {
                d[(idx, f - 1)] += dl[j];
            }
        }
        d
    }

    /// $D^\top W r$ and $D^\top W D$ at an evaluation.
    fn normal_equations(&self, ev: &WlsEval, d: &DMatrix<f64>) -> (DVector<f64>, DMatrix<f64>) {
        let wr = DVector::from_iterator(
            self.s.len(),
            self.s
                .iter()
                .zip(&ev.sigma)
                .zip(self.w)
                .map(|((s, sg), w)| w * (s - sg)),
        );
        let mut wd = d.clone();
        for (i, w) in self.w.iter().enumerate() {
            wd.row_mut(i).scale_mut(*w);
        }
        (d.transpose() * wr, d.transpose() * wd)
    }

    /// $-\tfrac12\nabla F = D^\top W(s - \sigma)$ at `x`.
    fn half_gradient(&self, x: &[f64]) -> Option<DVector<f64>> {
        let ev = self.eval(x)?;
        let d = self.jacobian(&ev);
        Some(self.normal_equations(&ev, &d).0)
    }

    /// The Newton step $H^{-1}g$ with $g = D^\top W(s-\sigma)$ and $H = -\partial g/\partial\theta^\top$
    /// by central differences; `None` if $H$ is not positive definite.
    fn newton_step(&self, ev: &WlsEval, g: &DVector<f64>) -> Option<DVector<f64>> {
        let q = ev.x.len();
        let mut h = DMatrix::<f64>::zeros(q, q);
        for k in 0..q {
            let step = 1e-6 * ev.x[k].abs().max(1.0);
            let mut up = ev.x.clone();
            up[k] += step;
            let mut down = ev.x.clone();
            down[k] -= step;
            let gu = self.half_gradient(&up)?;
            let gd = self.half_gradient(&down)?;
            h.set_column(k, &(-(gu - gd) / (2.0 * step)));
        }
        let h = (&h + h.transpose()) * 0.5;
        h.cholesky().map(|c| c.solve(g))
    }

    /// Gauss–Newton with step halving (module docs).
    pub fn optimise(&self, x0: Vec<f64>, tol: f64, max_iter: usize) -> Option<WlsOptimum> {
        let mut ev = self.eval(&x0)?;
        let mut iterations = 0;
        let mut converged = false;
        let mut gmax;
        let mut prev_gmax = f64::INFINITY;
        loop {
            let d = self.jacobian(&ev);
            let (g, a) = self.normal_equations(&ev, &d);
            gmax = 2.0 * g.amax();
            if gmax < tol {
                converged = true;
                break;
            }
            if iterations >= max_iter {
                break;
            }
            iterations += 1;
            // Gauss-Newton converges linearly when the residuals are large; once it slows
            // down, Newton steps with the Hessian from differences of the analytic gradient
            let slow = iterations > 3 && gmax > 0.25 * prev_gmax;
            prev_gmax = gmax;
            let step = if slow {
                self.newton_step(&ev, &g)
                    .unwrap_or_else(|| solve_ridged(&a, &g))
            } else {
                solve_ridged(&a, &g)
            };
            // the decrease of F the step predicts; below the rounding error of F itself there
            // is nothing left to gain
            let predicted = g.dot(&step);
            let noise = 64.0 * f64::EPSILON * ev.f.max(f64::MIN_POSITIVE);
            if predicted.abs() < noise {
                converged = true;
                break;
            }
            let mut t = 1.0;
            let mut next = None;
            for _ in 0..40 {
                let xt: Vec<f64> =
                    ev.x.iter()
                        .zip(step.iter())
                        .map(|(x, s)| x + t * s)
                        .collect();
                if let Some(e) = self.eval(&xt) {
                    if e.f <= ev.f - 1e-4 * t * predicted {
                        next = Some(e);
                        break;
                    }
                    // within rounding of F: accept if the gradient falls
                    if e.f <= ev.f + noise {
                        let de = self.jacobian(&e);
                        let ge = 2.0 * self.normal_equations(&e, &de).0.amax();
                        if ge < gmax {
                            next = Some(e);
                            break;
                        }
                    }
                }
                t *= 0.5;
            }
            let Some(e) = next else {
                // no decrease along the step: at the optimum up to the rounding of F
                converged = predicted.abs() < 1e3 * noise;
                break;
            };
            ev = e;
        }
        Some(WlsOptimum {
            eval: ev,
            iterations,
            converged,
            gradient_max: gmax,
        })
    }
}

/// Solves $Ax = b$ for a symmetric positive semi-definite $A$, adding a ridge until it factors.
fn solve_ridged(a: &DMatrix<f64>, b: &DVector<f64>) -> DVector<f64> {
    if let Some(ch) = a.clone().cholesky() {
        return ch.solve(b);
    }
    let scale = a.diagonal().amax().max(1e-12);
    let mut lam = 1e-10 * scale;
    for _ in 0..25 {
        let mut m = a.clone();
        for i in 0..m.nrows() {
            m[(i, i)] += lam;
        }
        if let Some(ch) = m.cholesky() {
            return ch.solve(b);
        }
        lam *= 10.0;
    }
    b.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfa::partable::{build, PartableOptions};
    use crate::cfa::syntax::parse;

    /// The Jacobian with observed covariates (the slopes block and the conditional moments)
    /// against central differences of the implied statistics, in both parameterizations.
    #[test]
    fn conditional_jacobian_matches_finite_differences() {
        let m = parse("f =~ y1 + y2 + y3\nf ~ x1 + x2\ny2 ~ x1", "m").unwrap();
        for theta in [false, true] {
            let pt = build(
                &m,
                &PartableOptions {
                    meanstructure: true,
                    ordered: (1..=3).map(|j| (format!("y{j}"), 2)).collect(),
                    theta,
                    ..PartableOptions::default()
                },
            )
            .unwrap();
            assert_eq!(pt.ov_x.len(), 2);
            let model = Model::new(&pt).unwrap();
            let fixed: Vec<f64> = pt
                .rows
                .iter()
                .map(|r| match (r.exo, r.op, r.lhs == r.rhs) {
                    (true, crate::cfa::syntax::Op::Intercept, _) => 0.4,
                    (true, _, true) => 1.3,
                    (true, _, false) => 0.2,
                    _ => r.value.unwrap_or(0.0),
                })
                .collect();
            let layout = Layout::new(vec![2, 2, 2]).with_slopes(2);
            let s = vec![0.1; layout.nstat()];
            let w = vec![1.0; layout.nstat()];
            let prob = WlsProblem::new(&pt, &model, fixed, &layout, theta, &s, &w);
            let x: Vec<f64> = (0..model.nfree)
                .map(|k| 0.3 + 0.07 * k as f64 * if k % 2 == 0 { 1.0 } else { -1.0 })
                .collect();
            let ev = prob.eval(&x).unwrap();
            let d = prob.jacobian(&ev);
            for k in 0..model.nfree {
                let h = 1e-6;
                let mut up = x.clone();
                up[k] += h;
                let mut down = x.clone();
                down[k] -= h;
                let (a, b) = (prob.eval(&up).unwrap(), prob.eval(&down).unwrap());
                for i in 0..layout.nstat() {
                    let num = (a.sigma[i] - b.sigma[i]) / (2.0 * h);
                    assert!(
                        (num - d[(i, k)]).abs() < 1e-7,
                        "theta {theta}, statistic {i}, parameter {k}: {num} vs {}",
                        d[(i, k)]
                    );
                }
            }
        }
    }
}
