//! FIML stage 4: the model's casewise log-likelihood as a function of its free parameters
//! $\theta$, its analytic gradient and observed information, and the optimiser.
//!
//! # Formula
//! The objective is $f(\theta) = -N^{-1}\sum_g \ell_g(\mu_g(\theta), \Sigma_g(\theta))$ (module
//! [`super::casewise`]). With the symmetric matrix gradient $G_g = \partial\ell_g/\partial\Sigma_g$, the
//! mean gradient $g_g = \partial\ell_g/\partial\mu_g$ and the model's derivatives
//! $\partial_k\Sigma = \sum_t(a_tb_t^\top + b_ta_t^\top)$ (module [`crate::cfa::model`]),
//! $$\frac{\partial\ell_g}{\partial\theta_k} = \sum_t 2a_t^\top G_gb_t + g_g^\top\partial_k\mu_g.$$
//! The observed information is $-\nabla^2\ell = -\sum_g\bigl(\Delta_g^\top H_g\Delta_g +
//! \sum_{m} (\partial\ell_g/\partial m)\\,\nabla^2 m(\theta)\bigr)$, with $H_g$ the Hessian in the moments
//! $m = (\mu, \operatorname{vech}\Sigma)$ and $\Delta_g = \partial m/\partial\theta^\top$; the second
//! term, the moments' curvature weighted by the moment gradient, is the central difference (step
//! $10^{-5}\max(1, |\theta_l|)$) of the analytic first term of the gradient with the moment
//! gradient held fixed: it costs model evaluations only, no pass over the data.
//!
//! The optimiser is BFGS with backtracking (Armijo, and every $\Sigma_{oo}$ positive definite),
//! started from the ML fit to the EM moments with that fit's expected information as the initial
//! Hessian, and finished by Newton steps with the exact observed information, until the largest
//! gradient element of $f$ is below `tol`. When the last Newton step moved no parameter by more
//! than $10^{-6}$ (relative), the information of the previous iterate is kept for the standard
//! errors instead of being formed again.
//!
//! # Reference
//! Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
//! G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced structural equation modeling*
//! (pp. 243–277). Erlbaum.
//! Nocedal, J., & Wright, S. J. (2006). *Numerical optimization* (2nd ed.). Springer (ch. 6).
//!
//! # Peer
//! lavaan 0.6.14 `estimator = "ML", missing = "ml"`: `nlminb` on the same objective;
//! `information = "observed"` (`lav_model_information_observed`, the Hessian by numerical
//! differentiation of the analytic gradient).
//!
//! # Deviations
//! lavaan differentiates the whole gradient numerically; here only the curvature term is
//! differenced, the data term is exact. Both agree to about $10^{-7}$ in the standard errors.

use super::casewise::{self, MomentGradient};
use super::patterns::GroupData;
use crate::cfa::model::{Implied, Model, ParamDeriv};
use nalgebra::{DMatrix, DVector};

/// The FIML problem: a laid-out model, the data by pattern, the fixed row values.
pub(crate) struct Objective<'a> {
    pub model: &'a Model,
    pub groups: &'a [GroupData],
    pub fixed: Vec<f64>,
}

/// The objective at one point, with its gradient.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    pub implied: Vec<Implied>,
    /// $f = -\ell/N$.
    pub f: f64,
    /// $\ell = \sum_g\ell_g$.
    pub loglik: f64,
    /// Per group: the moment gradient.
    pub moment_grads: Vec<MomentGradient>,
    /// $\nabla f$.
    pub grad: DVector<f64>,
}

/// $\sum_t 2a_t^\top Gb_t + g^\top\partial_k\mu$ for every parameter.
pub(crate) fn chain(ders: &[ParamDeriv], mg: &MomentGradient) -> DVector<f64> {
    DVector::from_iterator(
        ders.len(),
        ders.iter().map(|d| {
            let mut v = 0.0;
            for (a, b) in &d.terms {
                v += 2.0 * (a.transpose() * &mg.g_sigma * b)[(0, 0)];
            }
            if let Some(dm) = &d.dmu {
                v += mg.g_mu.dot(dm);
            }
            v
        }),
    )
}

/// $\Delta = \partial(\mu, \operatorname{vech}\Sigma)/\partial\theta^\top$ of one group ($p^\* \times q$).
pub(crate) fn jacobian(ders: &[ParamDeriv], p: usize) -> DMatrix<f64> {
    let mut j = DMatrix::<f64>::zeros(casewise::nmoments(p), ders.len());
    for (k, d) in ders.iter().enumerate() {
        if let Some(dm) = &d.dmu {
            for i in 0..p {
                j[(i, k)] += dm[i];
            }
        }
        for (a, b) in &d.terms {
            for c in 0..p {
                for r in c..p {
                    j[(casewise::vech_index(p, r, c), k)] += a[r] * b[c] + b[r] * a[c];
                }
            }
        }
    }
    j
}

/// Row values, implied moments and centred implied means of every group.
type Moments = (Vec<f64>, Vec<Implied>, Vec<Vec<f64>>);

impl<'a> Objective<'a> {
    fn ntotal(&self) -> f64 {
        self.groups.iter().map(|g| g.n as f64).sum()
    }

    /// The implied moments of every group, means centred as the group's data.
    fn moments(&self, x: &[f64]) -> Option<Moments> {
        let values = self.model.row_values(x, &self.fixed);
        let mut imps = Vec::with_capacity(self.groups.len());
        let mut mus = Vec::with_capacity(self.groups.len());
        for (gi, g) in self.groups.iter().enumerate() {
            let imp = self.model.implied(&values, gi + 1)?;
            if imp.sigma.iter().any(|v| !v.is_finite()) {
                return None;
            }
            mus.push(imp.mu.iter().zip(&g.center).map(|(m, c)| m - c).collect());
            imps.push(imp);
        }
        Some((values, imps, mus))
    }

    /// The model's derivatives in every group.
    pub fn derivatives(&self, implied: &[Implied]) -> Vec<Vec<ParamDeriv>> {
        implied
            .iter()
            .enumerate()
            .map(|(g, imp)| self.model.derivatives(imp, g + 1))
            .collect()
    }

    /// $f$ and $\nabla f$; `None` where some $\Sigma_{oo}$ is not positive definite.
    pub fn eval(&self, x: &[f64]) -> Option<Point> {
        let (values, implied, mus) = self.moments(x)?;
        let n = self.ntotal();
        let mut loglik = 0.0;
        let mut grad = DVector::<f64>::zeros(x.len());
        let mut mgs = Vec::with_capacity(self.groups.len());
        let ders = self.derivatives(&implied);
        for (gi, g) in self.groups.iter().enumerate() {
            let mg = casewise::gradient(g, &mus[gi], &implied[gi].sigma)?;
            loglik += mg.loglik;
            grad -= chain(&ders[gi], &mg) / n;
            mgs.push(mg);
        }
        Some(Point {
            x: x.to_vec(),
            values,
            implied,
            f: -loglik / n,
            loglik,
            moment_grads: mgs,
            grad,
        })
    }

    /// The Jacobians $\Delta_g$ at a point.
    pub fn jacobians(&self, pt: &Point) -> Vec<DMatrix<f64>> {
        self.derivatives(&pt.implied)
            .iter()
            .zip(self.groups)
            .map(|(d, g)| jacobian(d, g.p))
            .collect()
    }

    /// The observed information $-\nabla^2\ell$ (total, not per row) at a point (module docs).
    pub fn information(&self, pt: &Point) -> Option<DMatrix<f64>> {
        let q = pt.x.len();
        let mut info = DMatrix::<f64>::zeros(q, q);
        let jacs = self.jacobians(pt);
        for (gi, g) in self.groups.iter().enumerate() {
            let mu: Vec<f64> = pt.implied[gi]
                .mu
                .iter()
                .zip(&g.center)
                .map(|(m, c)| m - c)
                .collect();
            let h = casewise::hessian(g, &mu, &pt.implied[gi].sigma)?;
            let j = &jacs[gi];
            info -= j.transpose() * (h * j);
        }
        // curvature of the moments, weighted by the moment gradient
        for l in 0..q {
            let step = 1e-5 * pt.x[l].abs().max(1.0);
            let at = |s: f64| -> Option<DVector<f64>> {
                let mut x = pt.x.clone();
                x[l] += s;
                let values = self.model.row_values(&x, &self.fixed);
                let mut out = DVector::<f64>::zeros(q);
                for (gi, mg) in pt.moment_grads.iter().enumerate() {
                    let imp = self.model.implied(&values, gi + 1)?;
                    out += chain(&self.model.derivatives(&imp, gi + 1), mg);
                }
                Some(out)
            };
            let col = (at(step)? - at(-step)?) / (2.0 * step);
            for k in 0..q {
                info[(k, l)] -= col[k];
            }
        }
        let info = (&info + info.transpose()) * 0.5;
        info.iter().all(|v| v.is_finite()).then_some(info)
    }
}

/// What the optimiser reached.
#[derive(Debug, Clone)]
pub(crate) struct Optimum {
    pub point: Point,
    /// Observed information at `point` (total), when it could be formed.
    pub information: Option<DMatrix<f64>>,
    pub iterations: usize,
    pub converged: bool,
}

/// BFGS from `x0` with `h0` (an approximation of $\nabla^2 f$) as its start, then Newton steps
/// with the observed information (module docs).
pub(crate) fn optimise(
    obj: &Objective,
    x0: &[f64],
    h0: Option<&DMatrix<f64>>,
    tol: f64,
    max_iter: usize,
) -> Option<Optimum> {
    let q = x0.len();
    let mut pt = obj.eval(x0)?;
    let n = obj.ntotal();
    let mut hinv = h0
        .and_then(|h| h.clone().cholesky().map(|c| c.inverse()))
        .unwrap_or_else(|| DMatrix::identity(q, q));
    let mut iterations = 0;
    // BFGS until the gradient is small enough for Newton's method to finish quadratically
    let switch = (1e3 * tol).max(1e-7);
    while iterations < max_iter && pt.grad.amax() > switch {
        iterations += 1;
        let mut dir = -(&hinv * &pt.grad);
        let mut slope = pt.grad.dot(&dir);
        if slope.is_nan() || slope >= 0.0 {
            hinv = DMatrix::identity(q, q);
            dir = -pt.grad.clone();
            slope = pt.grad.dot(&dir);
        }
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..40 {
            let xt: Vec<f64> =
                pt.x.iter()
                    .zip(dir.iter())
                    .map(|(a, d)| a + t * d)
                    .collect();
            if let Some(p2) = obj.eval(&xt) {
                if p2.f <= pt.f + 1e-4 * t * slope {
                    next = Some(p2);
                    break;
                }
            }
            t *= 0.5;
        }
        let Some(p2) = next else { break };
        let s = DVector::from_iterator(q, p2.x.iter().zip(&pt.x).map(|(a, b)| a - b));
        let y = &p2.grad - &pt.grad;
        let sy = s.dot(&y);
        if sy > 1e-12 * s.norm() * y.norm() {
            let rho = 1.0 / sy;
            let hy = &hinv * &y;
            let yhy = y.dot(&hy);
            hinv += (&s * s.transpose()) * (rho * rho * yhy + rho)
                - (&hy * s.transpose() + &s * hy.transpose()) * rho;
        }
        pt = p2;
    }
    // Newton with the observed information
    let mut information = None;
    let mut converged = false;
    // the information of the previous iterate, and how far the last step went
    let mut last: Option<(DMatrix<f64>, f64)> = None;
    for _ in 0..20 {
        let info = match last.take() {
            // a step this small changes the information by less than 1e-6 relative
            Some((info, step)) if step <= 1e-6 && pt.grad.amax() <= tol => info,
            _ => obj.information(&pt)?,
        };
        let hess = &info / n; // Hessian of f
        if pt.grad.amax() <= tol {
            information = Some(info);
            converged = true;
            break;
        }
        iterations += 1;
        let dir = match hess.clone().cholesky() {
            Some(c) => -c.solve(&pt.grad),
            None => -(&hinv * &pt.grad),
        };
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..30 {
            let xt: Vec<f64> =
                pt.x.iter()
                    .zip(dir.iter())
                    .map(|(a, d)| a + t * d)
                    .collect();
            if let Some(p2) = obj.eval(&xt) {
                // near the optimum f changes below its rounding error: accept a smaller gradient
                if p2.f <= pt.f + 1e-4 * t * pt.grad.dot(&dir)
                    || (p2.f <= pt.f + 1e-12 * pt.f.abs() && p2.grad.amax() < pt.grad.amax())
                {
                    next = Some(p2);
                    break;
                }
            }
            t *= 0.5;
        }
        match next {
            Some(p2) => {
                let step =
                    p2.x.iter()
                        .zip(&pt.x)
                        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
                        .fold(0.0, f64::max);
                last = Some((info, step));
                pt = p2;
            }
            None => {
                information = Some(info);
                break;
            }
        }
    }
    if information.is_none() {
        information = obj.information(&pt);
    }
    Some(Optimum {
        converged: converged || pt.grad.amax() <= tol,
        point: pt,
        information,
        iterations,
    })
}
