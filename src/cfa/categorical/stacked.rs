//! The stacked least-squares problem of several groups: each group's statistics and weights
//! ([`Prepared`]), the model's implied statistics of all groups stacked in one vector
//! ([`MultiWls`]) and its Gauss–Newton optimiser. The formulas are in [`super::groups`]; this
//! file holds what both the multi-group fit and its modification indices
//! ([`super::mi::modification_indices_groups`]) evaluate.

use super::stats::OrderedStats;
use super::Layout;
use crate::cfa::model::{Implied, Mat, Model};
use crate::error::Warning;
use nalgebra::{DMatrix, DVector};

/// One group's statistics.
#[derive(Debug, Clone)]
pub(crate) struct GroupData {
    pub label: String,
    pub n: usize,
    pub st: OrderedStats,
    /// Diagonal weights $W_g$.
    pub w: Vec<f64>,
}

/// The statistics of every group, prepared once for one or several fits.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub ov: Vec<String>,
    pub layout: Layout,
    pub groups: Vec<GroupData>,
    pub ntotal: usize,
    /// DWLS/WLSMV weights (false: ULS/ULSMV).
    pub weighted: bool,
    pub warnings: Vec<Warning>,
}

impl Prepared {
    /// $f_g = n_g/N$.
    pub fn fg(&self, g: usize) -> f64 {
        self.groups[g].n as f64 / self.ntotal as f64
    }
}

/// The stacked least-squares problem of all groups (module docs).
pub(crate) struct MultiWls<'a> {
    pub model: &'a Model,
    pub fixed: Vec<f64>,
    pub layout: &'a Layout,
    pub theta: bool,
    pub ngroups: usize,
    /// Stacked statistics.
    pub s: Vec<f64>,
    /// Stacked objective weights $(n_g - 1)w_g/(N - G)$.
    pub w: Vec<f64>,
    /// Per group: threshold rows (row, item, statistic index within the group).
    pub th_rows: Vec<Vec<(usize, usize, usize)>>,
    /// Per group: scaling-factor rows (row, item).
    pub scale_rows: Vec<Vec<(usize, usize)>>,
}

/// The model at one parameter vector.
#[derive(Debug, Clone)]
pub(crate) struct MultiEval {
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    pub imp: Vec<Implied>,
    pub scale: Vec<Vec<f64>>,
    pub sigma: Vec<f64>,
    pub f: f64,
}

impl<'a> MultiWls<'a> {
    pub fn new(
        model: &'a Model,
        fixed: Vec<f64>,
        layout: &'a Layout,
        theta: bool,
        prep: &Prepared,
    ) -> MultiWls<'a> {
        let ng = prep.groups.len();
        let mut th_rows = vec![Vec::new(); ng];
        let mut scale_rows = vec![Vec::new(); ng];
        for (r, pos) in model.pos.iter().enumerate() {
            let g = model.group[r];
            if g == 0 || g > ng {
                continue;
            }
            match pos.mat {
                Mat::Th if pos.j >= 1 && pos.j <= layout.nth[pos.i] => {
                    th_rows[g - 1].push((r, pos.i, layout.th_start[pos.i] + pos.j - 1))
                }
                Mat::Scale => scale_rows[g - 1].push((r, pos.i)),
                _ => {}
            }
        }
        let denom = (prep.ntotal - ng) as f64;
        let mut s = Vec::with_capacity(ng * layout.nstat());
        let mut w = Vec::with_capacity(ng * layout.nstat());
        for gd in &prep.groups {
            s.extend_from_slice(&gd.st.s);
            let c = (gd.n as f64 - 1.0) / denom;
            w.extend(gd.w.iter().map(|v| c * v));
        }
        MultiWls {
            model,
            fixed,
            layout,
            theta,
            ngroups: ng,
            s,
            w,
            th_rows,
            scale_rows,
        }
    }

    /// Evaluates the implied statistics and $F$ (`None` if the model cannot be evaluated).
    pub fn eval(&self, x: &[f64]) -> Option<MultiEval> {
        let values = self.model.row_values(x, &self.fixed);
        let p = self.layout.p;
        let m = self.layout.nstat();
        let nt = self.layout.cov_start;
        let mut sigma = vec![0.0; self.ngroups * m];
        let mut imps = Vec::with_capacity(self.ngroups);
        let mut scales = Vec::with_capacity(self.ngroups);
        for g in 0..self.ngroups {
            let imp = self.model.implied(&values, g + 1)?;
            let mut scale: Vec<f64> = (0..p)
                .map(|j| {
                    if self.theta && !self.layout.numeric[j] {
                        1.0 / imp.sigma[(j, j)].sqrt()
                    } else {
                        1.0
                    }
                })
                .collect();
            if !self.theta {
                for &(r, j) in &self.scale_rows[g] {
                    scale[j] = values[r];
                }
            }
            if scale.iter().any(|d| !d.is_finite()) {
                return None;
            }
            let off = g * m;
            for &(r, j, idx) in &self.th_rows[g] {
                sigma[off + idx] = scale[j] * (values[r] - imp.mu[j]);
            }
            for j in (0..p).filter(|&j| self.layout.numeric[j]) {
                if self.layout.nth[j] > 0 {
                    sigma[off + self.layout.th_start[j]] = -imp.mu[j];
                }
                if let Some(v) = self.layout.var_idx[j] {
                    sigma[off + v] = imp.sigma[(j, j)];
                }
            }
            for (k, &(i, j)) in self.layout.pairs.iter().enumerate() {
                sigma[off + nt + k] = scale[i] * scale[j] * imp.sigma[(i, j)];
            }
            imps.push(imp);
            scales.push(scale);
        }
        let f = self
            .s
            .iter()
            .zip(&sigma)
            .zip(&self.w)
            .map(|((s, sg), w)| w * (s - sg) * (s - sg))
            .sum();
        Some(MultiEval {
            x: x.to_vec(),
            values,
            imp: imps,
            scale: scales,
            sigma,
            f,
        })
    }

    /// $D_g = \partial\sigma_g/\partial\theta^\top$ of each group.
    pub fn jacobians(&self, ev: &MultiEval) -> Vec<DMatrix<f64>> {
        (0..self.ngroups).map(|g| self.jacobian(ev, g)).collect()
    }

    fn jacobian(&self, ev: &MultiEval, g: usize) -> DMatrix<f64> {
        let p = self.layout.p;
        let nt = self.layout.cov_start;
        let q = self.model.nfree;
        let mut d = DMatrix::<f64>::zeros(self.layout.nstat(), q);
        let imp = &ev.imp[g];
        let ders = self.model.derivatives(imp, g + 1);
        let sig = &imp.sigma;
        let dl = &ev.scale[g];
        let mut dscale = vec![0.0; p];
        for (k, pd) in ders.iter().enumerate() {
            if pd.terms.is_empty() && pd.dmu.is_none() {
                continue;
            }
            let mut col = d.column_mut(k);
            let dsig = |i: usize, j: usize| -> f64 {
                pd.terms
                    .iter()
                    .map(|(a, b)| a[i] * b[j] + b[i] * a[j])
                    .sum()
            };
            if self.theta {
                for (j, ds) in dscale.iter_mut().enumerate() {
                    if !self.layout.numeric[j] {
                        *ds = -0.5 * dl[j].powi(3) * dsig(j, j);
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
            for (m, &(i, j)) in self.layout.pairs.iter().enumerate() {
                let mut v = dl[i] * dl[j] * dsig(i, j);
                if self.theta {
                    v += sig[(i, j)] * (dscale[i] * dl[j] + dl[i] * dscale[j]);
                }
                col[nt + m] = v;
            }
            for &(r, j, idx) in &self.th_rows[g] {
                let dmu = pd.dmu.as_ref().map_or(0.0, |m| m[j]);
                let mut v = -dl[j] * dmu;
                if self.theta {
                    v += (ev.values[r] - imp.mu[j]) * dscale[j];
                }
                col[idx] += v;
            }
        }
        for &(r, j, idx) in &self.th_rows[g] {
            let f = self.model.free[r];
            if f > 0 {
                d[(idx, f - 1)] += dl[j];
            }
        }
        if !self.theta {
            for &(r, j) in &self.scale_rows[g] {
                let f = self.model.free[r];
                if f == 0 {
                    continue;
                }
                for &(tr, tj, idx) in &self.th_rows[g] {
                    if tj == j {
                        d[(idx, f - 1)] += ev.values[tr] - imp.mu[j];
                    }
                }
                for (m, &(a, b)) in self.layout.pairs.iter().enumerate() {
                    if a == j {
                        d[(nt + m, f - 1)] += dl[b] * sig[(a, b)];
                    } else if b == j {
                        d[(nt + m, f - 1)] += dl[a] * sig[(a, b)];
                    }
                }
            }
        }
        d
    }

    fn stacked(&self, ev: &MultiEval) -> DMatrix<f64> {
        let m = self.layout.nstat();
        let q = self.model.nfree;
        let mut d = DMatrix::<f64>::zeros(self.ngroups * m, q);
        for (g, dg) in self.jacobians(ev).into_iter().enumerate() {
            d.view_mut((g * m, 0), (m, q)).copy_from(&dg);
        }
        d
    }

    /// $D^\top W r$ and $D^\top W D$ of the stacked problem.
    fn normal_equations(&self, ev: &MultiEval, d: &DMatrix<f64>) -> (DVector<f64>, DMatrix<f64>) {
        let wr = DVector::from_iterator(
            self.s.len(),
            self.s
                .iter()
                .zip(&ev.sigma)
                .zip(&self.w)
                .map(|((s, sg), w)| w * (s - sg)),
        );
        let mut wd = d.clone();
        for (i, w) in self.w.iter().enumerate() {
            wd.row_mut(i).scale_mut(*w);
        }
        (d.transpose() * wr, d.transpose() * wd)
    }

    fn half_gradient(&self, x: &[f64]) -> Option<DVector<f64>> {
        let ev = self.eval(x)?;
        let d = self.stacked(&ev);
        Some(self.normal_equations(&ev, &d).0)
    }

    fn newton_step(&self, ev: &MultiEval, g: &DVector<f64>) -> Option<DVector<f64>> {
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

    /// Gauss–Newton with step halving and Newton steps once it slows down, as
    /// [`super::wls::WlsProblem::optimise`].
    pub fn optimise(&self, x0: Vec<f64>, tol: f64, max_iter: usize) -> Option<MultiOptimum> {
        let mut ev = self.eval(&x0)?;
        let mut iterations = 0;
        let mut converged = false;
        let mut gmax;
        let mut prev_gmax = f64::INFINITY;
        loop {
            let d = self.stacked(&ev);
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
            let slow = iterations > 3 && gmax > 0.25 * prev_gmax;
            prev_gmax = gmax;
            let step = if slow {
                self.newton_step(&ev, &g)
                    .unwrap_or_else(|| solve_ridged(&a, &g))
            } else {
                solve_ridged(&a, &g)
            };
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
                    if e.f <= ev.f + noise {
                        let de = self.stacked(&e);
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
                converged = predicted.abs() < 1e3 * noise;
                break;
            };
            ev = e;
        }
        Some(MultiOptimum {
            eval: ev,
            iterations,
            converged,
            gradient_max: gmax,
        })
    }
}

/// Outcome of [`MultiWls::optimise`].
#[derive(Debug, Clone)]
pub(crate) struct MultiOptimum {
    pub eval: MultiEval,
    pub iterations: usize,
    pub converged: bool,
    pub gradient_max: f64,
}

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
