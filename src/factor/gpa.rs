//! Oblique rotation by the gradient projection algorithm (GPA), as `GPArotation::GPFoblq`.
//!
//! # Formula
//! For unrotated loadings $A$ ($p \times k$) and a criterion $Q(L)$, find $T$ ($k \times k$,
//! columns of unit length) minimising $Q(A\\,T^{-\top})$. The rotated pattern is
//! $L = A\\,T^{-\top}$, the factor correlations $\Phi = T^\top T$. Each iteration computes the
//! gradient $G = -(L^\top \nabla Q(L)\\, T^{-1})^\top$, projects it onto the tangent space of the
//! unit-column constraint, $G_p = G - T\\,\mathrm{diag}(\mathbf 1^\top (T \circ G))$, stops when
//! $\lVert G_p \rVert_F < \varepsilon$, and otherwise tries
//! $T_\alpha = \mathrm{normalise\ columns}(T - \alpha G_p)$ with $\alpha$ first doubled, then
//! halved up to ten times until $Q$ falls by more than $\tfrac12 \lVert G_p\rVert_F^2 \alpha$.
//!
//! # Reference
//! Jennrich, R. I. (2002). A simple general method for oblique rotation. *Psychometrika*, 67(1), 7–19.
//! Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
//! arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
//! 65(5), 676–696.
//!
//! # Peer
//! GPArotation 2022.10.2 `GPFoblq`, `oblimin`, `quartimin`, `geominQ`; the post-processing
//! (reflection and ordering) of psych 2.2.9 `fa`.

use crate::error::{Error, Warning, WarningCode};
use crate::factor::{column_sum_signs, order_decreasing};
use crate::numeric::rng;
use nalgebra::DMatrix;
use rand::Rng;
use serde::Serialize;

/// A rotation criterion $Q(L)$ and its gradient $\partial Q / \partial L$ (GPArotation's `vgQ.*`).
///
/// Implement this to add a criterion; [`gpa_oblique`] does the rest.
pub trait RotationCriterion {
    /// A name for messages ("oblimin (gamma = 0)").
    fn name(&self) -> String;
    /// $Q(L)$ and $\partial Q/\partial L$ (same shape as $L$).
    fn value_and_gradient(&self, l: &DMatrix<f64>) -> (f64, DMatrix<f64>);
}

/// The oblimin family (Jennrich & Sampson, 1966; Harman, 1976).
///
/// # Formula
/// $$Q(L) = \tfrac14 \sum_{i}\sum_{j \ne l} \Bigl(\lambda_{ij}^2 - \tfrac{\gamma}{p}\sum_{h}\lambda_{hj}^2\Bigr)\lambda_{il}^2
/// = \tfrac14 \bigl\langle L^2,\ (I - \tfrac{\gamma}{p}\mathbf 1\mathbf 1^\top)\\, L^2 (\mathbf 1\mathbf 1^\top - I) \bigr\rangle,$$
/// gradient $L \circ \bigl[(I - \tfrac{\gamma}{p}\mathbf 1\mathbf 1^\top) L^2 (\mathbf 1\mathbf 1^\top - I)\bigr]$.
/// $\gamma = 0$ is (direct) quartimin, $\gamma = 0.5$ biquartimin, $\gamma = 1$ covarimin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Oblimin {
    /// $\gamma$ (GPArotation `gam`, default 0).
    pub gamma: f64,
}

impl RotationCriterion for Oblimin {
    fn name(&self) -> String {
        format!("oblimin (gamma = {})", self.gamma)
    }

    fn value_and_gradient(&self, l: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
        let (p, k) = l.shape();
        let l2 = l.map(|x| x * x);
        let rows = DMatrix::from_fn(p, 1, |i, _| l2.row(i).sum());
        // X = L^2 (11' - I): each element is the row sum minus itself.
        let mut x = DMatrix::from_fn(p, k, |i, j| rows[(i, 0)] - l2[(i, j)]);
        if self.gamma != 0.0 {
            let c = self.gamma / p as f64;
            let colsum: Vec<f64> = (0..k).map(|j| x.column(j).sum()).collect();
            x = DMatrix::from_fn(p, k, |i, j| x[(i, j)] - c * colsum[j]);
        }
        let f = l2.component_mul(&x).sum() / 4.0;
        (f, l.component_mul(&x))
    }
}

/// The geomin criterion (Yates, 1987) as GPArotation's `vgQ.geomin`.
///
/// # Formula
/// $$Q(L) = \sum_i \Bigl(\prod_{j=1}^k (\lambda_{ij}^2 + \delta)\Bigr)^{1/k},\qquad
/// \frac{\partial Q}{\partial \lambda_{ij}} = \frac{2}{k}\\,\frac{\lambda_{ij}}{\lambda_{ij}^2 + \delta}\Bigl(\prod_{l}(\lambda_{il}^2 + \delta)\Bigr)^{1/k}.$$
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geomin {
    /// $\delta$ (GPArotation default 0.01).
    pub delta: f64,
}

impl RotationCriterion for Geomin {
    fn name(&self) -> String {
        format!("geomin (delta = {})", self.delta)
    }

    fn value_and_gradient(&self, l: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
        let (p, k) = l.shape();
        let l2 = l.map(|x| x * x + self.delta);
        let pro: Vec<f64> = (0..p)
            .map(|i| (l2.row(i).iter().map(|v| v.ln()).sum::<f64>() / k as f64).exp())
            .collect();
        let g = DMatrix::from_fn(p, k, |i, j| {
            (2.0 / k as f64) * l[(i, j)] / l2[(i, j)] * pro[i]
        });
        (pro.iter().sum(), g)
    }
}

/// Options for [`gpa_oblique`], [`oblimin`] and [`geomin`]. `Default` gives GPArotation
/// 2022.10.2's defaults as psych 2.2.9's `fa` calls them.
#[derive(Debug, Clone, PartialEq)]
pub struct GpaOptions {
    /// Oblimin $\gamma$ (used by [`oblimin`]; 0 = quartimin).
    pub gamma: f64,
    /// Geomin $\delta$ (used by [`geomin`]; 0.01).
    pub delta: f64,
    /// Kaiser normalisation: rotate $A$ with rows scaled to unit length (GPArotation
    /// `normalize = TRUE`). psych's `fa` and `schmid` call without it (`false`).
    pub normalize: bool,
    /// Stop when $\lVert G_p \rVert_F$ falls below this (GPArotation `eps = 1e-5`).
    pub eps: f64,
    /// Maximum iterations (GPArotation `maxit = 1000`).
    pub max_iter: usize,
    /// Starting $T$; `None` is the identity (GPArotation's default).
    pub start: Option<DMatrix<f64>>,
    /// Extra random orthogonal starts, besides `start`; the solution with the lowest criterion
    /// wins (ties keep the earlier start).
    pub random_starts: usize,
    /// Seed of the random starts (start $s$ uses ChaCha8 stream $s$).
    pub seed: u64,
    /// Apply psych `fa`'s post-processing: reflect factors so each loading column sums to a
    /// non-negative number, then order them by $\mathrm{diag}(\Phi L^\top L)$, decreasing.
    /// `false` returns GPArotation's raw result (as `psych::schmid` uses it).
    pub reorder: bool,
}

impl Default for GpaOptions {
    fn default() -> Self {
        GpaOptions {
            gamma: 0.0,
            delta: 0.01,
            normalize: false,
            eps: 1e-5,
            max_iter: 1000,
            start: None,
            random_starts: 0,
            seed: 0,
            reorder: true,
        }
    }
}

impl GpaOptions {
    /// Checks the options for $k$ factors; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self, k: usize) -> Result<(), Error> {
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(Error::option(
                "--rotate-eps",
                format!("expected a positive tolerance, found {}", self.eps),
            ));
        }
        if !self.gamma.is_finite() {
            return Err(Error::option("--gamma", "expected a finite gamma"));
        }
        if !(self.delta.is_finite() && self.delta > 0.0) {
            return Err(Error::option(
                "--delta",
                format!("expected a positive geomin delta, found {}", self.delta),
            ));
        }
        if let Some(t) = &self.start {
            if t.shape() != (k, k) || t.iter().any(|x| !x.is_finite()) {
                return Err(Error::option(
                    "--rotate-start",
                    format!(
                        "expected a finite {k} x {k} start matrix, found {} x {}",
                        t.nrows(),
                        t.ncols()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// An oblique rotation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Rotation {
    /// Rotated pattern loadings $L$ ($p \times k$).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub loadings: DMatrix<f64>,
    /// Factor correlations $\Phi = T^\top T$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub phi: DMatrix<f64>,
    /// Structure loadings $L\Phi$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub structure: DMatrix<f64>,
    /// $M$ with $L = A M$, i.e. $M = T^{-\top}$ (psych's `rot.mat`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub rotation_matrix: DMatrix<f64>,
    /// $T$ (GPArotation's `Th`): $L = A T^{-\top}$, $\Phi = T^\top T$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub th: DMatrix<f64>,
    /// Variance accounted for by each factor, $\mathrm{diag}(\Phi L^\top L)$ (psych's `SS loadings`).
    pub variance_explained: Vec<f64>,
    /// Criterion value $Q(L)$ at the solution.
    pub criterion: f64,
    /// The criterion's name.
    pub method: String,
    /// $\lVert G_p \rVert_F$ at the last check.
    pub gradient_norm: f64,
    /// Whether $\lVert G_p \rVert_F < \varepsilon$.
    pub converged: bool,
    /// Iterations (accepted steps) of the winning start.
    pub iterations: usize,
    /// Number of starts tried.
    pub starts: usize,
    /// Non-convergence and numerical trouble.
    pub warnings: Vec<Warning>,
}

struct Single {
    l: DMatrix<f64>,
    t: DMatrix<f64>,
    f: f64,
    s: f64,
    iterations: usize,
    converged: bool,
    singular: bool,
}

/// One run of GPArotation's `GPFoblq` loop from `t0` (step rule reproduced exactly).
fn gpf_oblique_run(
    a: &DMatrix<f64>,
    t0: &DMatrix<f64>,
    crit: &dyn RotationCriterion,
    eps: f64,
    max_iter: usize,
) -> Result<Single, Error> {
    let k = a.ncols();
    let mut t = t0.clone();
    let tinv = t.clone().try_inverse().ok_or_else(|| {
        Error::option("--rotate-start", "the starting rotation matrix is singular")
    })?;
    let mut l = a * tinv.transpose();
    let (mut f, gq) = crit.value_and_gradient(&l);
    let mut g = -(l.transpose() * gq * &tinv).transpose();
    let mut al = 1.0_f64;
    let mut s = f64::INFINITY;
    let mut iterations = 0;
    let mut singular = false;
    for _iter in 0..=max_iter {
        let tg: Vec<f64> = (0..k).map(|j| t.column(j).dot(&g.column(j))).collect();
        let gp = DMatrix::from_fn(k, k, |i, j| g[(i, j)] - t[(i, j)] * tg[j]);
        s = gp.norm();
        if s < eps {
            break;
        }
        al *= 2.0;
        let mut candidate = None;
        for _ in 0..=10 {
            let x = &t - &gp * al;
            let mut tt = x.clone();
            for j in 0..k {
                let n = x.column(j).norm();
                tt.column_mut(j).scale_mut(1.0 / n);
            }
            let step = match tt.clone().try_inverse() {
                Some(ttinv) => {
                    let lt = a * ttinv.transpose();
                    let (ft, gqt) = crit.value_and_gradient(&lt);
                    Some((tt, ttinv, lt, ft, gqt))
                }
                None => None,
            };
            let improved = matches!(&step, Some((_, _, _, ft, _)) if f - ft > 0.5 * s * s * al);
            candidate = step;
            if improved {
                break;
            }
            al /= 2.0;
        }
        let Some((tt, ttinv, lt, ft, gqt)) = candidate else {
            singular = true;
            break;
        };
        g = -(lt.transpose() * gqt * &ttinv).transpose();
        t = tt;
        l = lt;
        f = ft;
        iterations += 1;
    }
    Ok(Single {
        l,
        t,
        f,
        s,
        iterations,
        converged: s < eps,
        singular,
    })
}

/// A random orthogonal $k \times k$ matrix (QR of a standard normal matrix, reflected so that
/// $R$ has a positive diagonal), from ChaCha8 stream `stream` of `seed`.
fn random_orthogonal(k: usize, seed: u64, stream: u64) -> DMatrix<f64> {
    let mut rng = rng::stream(seed, stream);
    let mut normal = || {
        // Box–Muller; u1 in (0, 1].
        let u1: f64 = 1.0 - rng.gen::<f64>();
        let u2: f64 = rng.gen::<f64>();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let z = DMatrix::from_fn(k, k, |_, _| normal());
    let qr = z.qr();
    let mut q = qr.q();
    let r = qr.r();
    for j in 0..k {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    q
}

/// Oblique GPA rotation with any [`RotationCriterion`].
///
/// # Formula
/// See the [module documentation](self): minimise $Q(A T^{-\top})$ over $T$ with unit-length
/// columns; $L = A T^{-\top}$, $\Phi = T^\top T$. With `normalize`, rows of $A$ are first divided
/// by $w_i = \lVert a_i \rVert$ and $L$ multiplied back. With `reorder` (psych `fa`), factor $j$ is
/// reflected when $\sum_i l_{ij} < 0$ (and row/column $j$ of $\Phi$ with it), then factors are
/// ordered by $\mathrm{diag}(\Phi L^\top L)$, decreasing.
///
/// # Reference
/// Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
/// arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
/// 65(5), 676–696.
///
/// # Peer
/// GPArotation 2022.10.2 `GPFoblq(A, Tmat, normalize, eps, maxit, method)`: the same iteration,
/// step-size rule (α doubled each iteration, then halved at most 10 times; the last trial is
/// kept even without improvement) and stopping rule, so the result matches the peer's
/// (itself only converged to $\lVert G_p\rVert < \varepsilon$) to rounding. Reordering follows
/// psych 2.2.9 `fa`.
///
/// # Deviations
/// - Random starts use ChaCha8 (not R's RNG), so they reproduce across platforms but not R's
///   `Random.Start`.
/// - A zero row with `normalize` is left unscaled (R divides by zero).
/// - If every trial matrix of a step is singular the run stops with a warning (R errors and
///   psych falls back to Promax).
pub fn gpa_oblique(
    loadings: &DMatrix<f64>,
    criterion: &dyn RotationCriterion,
    opts: &GpaOptions,
) -> Result<Rotation, Error> {
    let (p, k) = loadings.shape();
    if k < 2 {
        return Err(Error::option(
            "--rotate",
            "rotation needs at least two factors (it does not make sense for one)",
        ));
    }
    if p == 0 || loadings.iter().any(|x| !x.is_finite()) {
        return Err(Error::option(
            "loadings",
            "expected finite loadings with at least one row",
        ));
    }
    opts.validate(k)?;
    let weights: Vec<f64> = (0..p)
        .map(|i| {
            let w = loadings.row(i).norm();
            if opts.normalize && w > 0.0 {
                w
            } else {
                1.0
            }
        })
        .collect();
    let a = DMatrix::from_fn(p, k, |i, j| loadings[(i, j)] / weights[i]);
    let first = opts
        .start
        .clone()
        .unwrap_or_else(|| DMatrix::identity(k, k));
    let mut best: Option<Single> = None;
    let mut warnings = Vec::new();
    let starts = 1 + opts.random_starts;
    for s in 0..starts {
        let t0 = if s == 0 {
            first.clone()
        } else {
            random_orthogonal(k, opts.seed, s as u64)
        };
        let run = gpf_oblique_run(&a, &t0, criterion, opts.eps, opts.max_iter)?;
        let better = match &best {
            None => true,
            Some(b) => run.f < b.f && !(run.f - b.f).is_nan(),
        };
        if better {
            best = Some(run);
        }
    }
    let Some(run) = best else {
        return Err(Error::option(
            "--rotate-starts",
            "no rotation start was run",
        ));
    };
    if run.singular {
        warnings.push(Warning::new(
            WarningCode::Singular,
            format!(
                "{}: every trial rotation matrix of a step was singular; stopped after {} iterations",
                criterion.name(),
                run.iterations
            ),
        ));
    }
    if !run.converged {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "{} rotation did not converge in {} iterations (gradient norm {:.3e}, tolerance {:.1e})",
                criterion.name(),
                run.iterations,
                run.s,
                opts.eps
            ),
        ));
    }
    let mut l = DMatrix::from_fn(p, k, |i, j| run.l[(i, j)] * weights[i]);
    let mut t = run.t;
    if opts.reorder {
        for (j, sign) in column_sum_signs(&l).into_iter().enumerate() {
            if sign < 0.0 {
                l.column_mut(j).neg_mut();
                t.column_mut(j).neg_mut();
            }
        }
        let phi = t.transpose() * &t;
        let ev = variance_explained(&l, &phi);
        let order = order_decreasing(&ev);
        l = DMatrix::from_fn(p, k, |i, j| l[(i, order[j])]);
        t = DMatrix::from_fn(k, k, |i, j| t[(i, order[j])]);
    }
    let phi = t.transpose() * &t;
    let rotation_matrix = t
        .clone()
        .try_inverse()
        .map(|m| m.transpose())
        .ok_or_else(|| Error::NotPositiveDefinite {
            what: "rotation matrix T".into(),
            index: "its columns are linearly dependent".into(),
        })?;
    let min_eigen = phi.clone().symmetric_eigenvalues().min();
    if min_eigen.is_nan() || min_eigen < 1e-8 {
        warnings.push(Warning::new(
            WarningCode::Singular,
            format!(
                "{}: the factor correlation matrix is (nearly) singular (smallest eigenvalue {min_eigen:.2e}); \
                 factors have collapsed onto each other",
                criterion.name()
            ),
        ));
    }
    let variance_explained = variance_explained(&l, &phi);
    let structure = &l * &phi;
    let (criterion_value, _) =
        criterion.value_and_gradient(&DMatrix::from_fn(p, k, |i, j| l[(i, j)] / weights[i]));
    Ok(Rotation {
        loadings: l,
        phi,
        structure,
        rotation_matrix,
        th: t,
        variance_explained,
        criterion: criterion_value,
        method: criterion.name(),
        gradient_norm: run.s,
        converged: run.converged,
        iterations: run.iterations,
        starts,
        warnings,
    })
}

/// $\mathrm{diag}(\Phi L^\top L)$.
fn variance_explained(l: &DMatrix<f64>, phi: &DMatrix<f64>) -> Vec<f64> {
    let m = phi * (l.transpose() * l);
    (0..l.ncols()).map(|j| m[(j, j)]).collect()
}

/// Oblimin rotation (quartimin when $\gamma = 0$), oblique GPA.
///
/// # Formula
/// GPA ([`gpa_oblique`]) with the [`Oblimin`] criterion
/// $Q(L) = \tfrac14 \langle L^2, (I - \tfrac{\gamma}{p}\mathbf 1\mathbf 1^\top) L^2 (\mathbf 1\mathbf 1^\top - I)\rangle$,
/// $\gamma$ = `opts.gamma`.
///
/// # Reference
/// Jennrich, R. I., & Sampson, P. F. (1966). Rotation for simple loadings. *Psychometrika*, 31(3), 313–323.
/// Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
/// arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
/// 65(5), 676–696.
///
/// # Peer
/// GPArotation 2022.10.2 `oblimin(A, gam = 0, normalize = FALSE, eps = 1e-5, maxit = 1000)`,
/// then psych 2.2.9 `fa`'s reflection and ordering (`reorder = true`), i.e.
/// `psych::fa(..., rotate = "oblimin")`'s `loadings` and `Phi`.
///
/// # Deviations
/// See [`gpa_oblique`].
pub fn oblimin(loadings: &DMatrix<f64>, opts: &GpaOptions) -> Result<Rotation, Error> {
    gpa_oblique(loadings, &Oblimin { gamma: opts.gamma }, opts)
}

/// Oblique geomin rotation.
///
/// # Formula
/// GPA ([`gpa_oblique`]) with the [`Geomin`] criterion
/// $Q(L) = \sum_i \bigl(\prod_j (\lambda_{ij}^2 + \delta)\bigr)^{1/k}$, $\delta$ = `opts.delta`.
///
/// # Reference
/// Yates, A. (1987). *Multivariate exploratory data analysis: A perspective on exploratory factor
/// analysis*. State University of New York Press.
/// Browne, M. W. (2001). An overview of analytic rotation in exploratory factor analysis.
/// *Multivariate Behavioral Research*, 36(1), 111–150.
///
/// # Peer
/// GPArotation 2022.10.2 `geominQ(A, delta = 0.01, normalize = FALSE, eps = 1e-5, maxit = 1000)`,
/// then psych 2.2.9 `fa`'s reflection and ordering (`reorder = true`).
///
/// # Deviations
/// Geomin has local minima; psych and GPArotation use one start. Use `random_starts`.
/// See also [`gpa_oblique`].
pub fn geomin(loadings: &DMatrix<f64>, opts: &GpaOptions) -> Result<Rotation, Error> {
    gpa_oblique(loadings, &Geomin { delta: opts.delta }, opts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::factor::communalities;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn sample_loadings() -> DMatrix<f64> {
        DMatrix::from_row_slice(
            8,
            3,
            &[
                0.62, 0.31, -0.12, 0.55, 0.40, 0.05, 0.60, 0.25, 0.20, 0.48, -0.35, 0.10, 0.52,
                -0.41, 0.02, 0.45, -0.30, -0.28, 0.50, 0.05, 0.45, 0.40, 0.10, 0.50,
            ],
        )
    }

    #[test]
    fn oblimin_gradient_matches_finite_differences() {
        let l = sample_loadings();
        for gamma in [0.0, 0.5] {
            let c = Oblimin { gamma };
            let (_, g) = c.value_and_gradient(&l);
            let h = 1e-6;
            for i in 0..l.nrows() {
                for j in 0..l.ncols() {
                    let mut lp = l.clone();
                    lp[(i, j)] += h;
                    let mut lm = l.clone();
                    lm[(i, j)] -= h;
                    let fd =
                        (c.value_and_gradient(&lp).0 - c.value_and_gradient(&lm).0) / (2.0 * h);
                    assert!(
                        (fd - g[(i, j)]).abs() < 1e-8,
                        "gamma {gamma} ({i},{j}): {fd} vs {}",
                        g[(i, j)]
                    );
                }
            }
        }
    }

    #[test]
    fn geomin_gradient_matches_finite_differences() {
        let l = sample_loadings();
        let c = Geomin { delta: 0.01 };
        let (_, g) = c.value_and_gradient(&l);
        let h = 1e-6;
        for i in 0..l.nrows() {
            for j in 0..l.ncols() {
                let mut lp = l.clone();
                lp[(i, j)] += h;
                let mut lm = l.clone();
                lm[(i, j)] -= h;
                let fd = (c.value_and_gradient(&lp).0 - c.value_and_gradient(&lm).0) / (2.0 * h);
                assert!((fd - g[(i, j)]).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn rotation_leaves_communalities_unchanged() {
        let a = sample_loadings();
        let h2: Vec<f64> = (0..a.nrows()).map(|i| a.row(i).norm_squared()).collect();
        for opts in [
            GpaOptions::default(),
            GpaOptions {
                normalize: true,
                ..GpaOptions::default()
            },
            GpaOptions {
                gamma: 0.3,
                reorder: false,
                ..GpaOptions::default()
            },
            GpaOptions {
                random_starts: 5,
                seed: 7,
                ..GpaOptions::default()
            },
        ] {
            for rot in [oblimin(&a, &opts).unwrap(), geomin(&a, &opts).unwrap()] {
                assert!(rot.converged, "{:?}", rot.warnings);
                let h2r = communalities(&rot.loadings, &rot.phi);
                for i in 0..a.nrows() {
                    assert!(
                        (h2r[i] - h2[i]).abs() < 1e-12,
                        "item {i}: {} vs {}",
                        h2r[i],
                        h2[i]
                    );
                }
                // L = A M and Phi has a unit diagonal
                assert!((&a * &rot.rotation_matrix - &rot.loadings).amax() < 1e-12);
                for j in 0..3 {
                    assert!((rot.phi[(j, j)] - 1.0).abs() < 1e-12);
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Property: an oblique rotation leaves the communalities diag(L Phi L') unchanged,
        /// and L Phi L' = A A' as a whole.
        #[test]
        fn rotation_preserves_common_part(
            p in 4usize..14,
            k in 2usize..5,
            seed in 0u64..1_000_000,
            gamma in proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..0.8],
            normalize in proptest::bool::ANY,
        ) {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let a = DMatrix::from_fn(p, k, |_, _| rng.gen_range(-0.9..0.9));
            let opts = GpaOptions { gamma, normalize, ..GpaOptions::default() };
            let common = &a * a.transpose();
            for rot in [oblimin(&a, &opts).unwrap(), geomin(&a, &opts).unwrap()] {
                // Oblimin with gamma > 0 can diverge towards a singular Phi (reported as
                // not converged); the identity then holds only to cond(T)^2 * rounding.
                if !rot.converged {
                    continue;
                }
                let smin = rot.th.clone().svd(false, false).singular_values.min();
                let tol = 1e-10 / (smin * smin);
                let back = &rot.loadings * &rot.phi * rot.loadings.transpose();
                proptest::prop_assert!((back - &common).amax() < tol);
                let h2 = communalities(&rot.loadings, &rot.phi);
                for i in 0..p {
                    proptest::prop_assert!((h2[i] - common[(i, i)]).abs() < tol);
                }
            }
        }
    }

    #[test]
    fn reorder_reflects_and_sorts() {
        let a = sample_loadings();
        let rot = oblimin(&a, &GpaOptions::default()).unwrap();
        for j in 0..3 {
            assert!(rot.loadings.column(j).sum() >= 0.0);
        }
        assert!(rot.variance_explained.windows(2).all(|w| w[0] >= w[1]));
        // Same solution as the raw one up to permutation and reflection: criterion equal.
        let raw = oblimin(
            &a,
            &GpaOptions {
                reorder: false,
                ..GpaOptions::default()
            },
        )
        .unwrap();
        assert!((raw.criterion - rot.criterion).abs() < 1e-14);
    }

    #[test]
    fn random_starts_are_deterministic_and_no_worse() {
        let a = sample_loadings();
        let one = oblimin(&a, &GpaOptions::default()).unwrap();
        let opts = GpaOptions {
            random_starts: 10,
            seed: 42,
            ..GpaOptions::default()
        };
        let many1 = oblimin(&a, &opts).unwrap();
        let many2 = oblimin(&a, &opts).unwrap();
        assert_eq!(many1.loadings, many2.loadings);
        assert!(many1.criterion <= one.criterion + 1e-12);
        assert_eq!(many1.starts, 11);
        let q = random_orthogonal(4, 3, 1);
        assert!((q.transpose() * &q - DMatrix::<f64>::identity(4, 4)).amax() < 1e-14);
    }

    /// Reference case 03 (psych 2.2.9, GPArotation 2022.10.2):
    /// `fa(x, nfactors = 5, fm = "minres", rotate = "oblimin")` on the 25 bfi items.
    #[test]
    fn oblimin_bfi25_matches_psych_reference_case_03() {
        use crate::factor::minres::{minres, MinresOptions};
        use crate::factor::testdata::{align, bfi25, json, matrix, max_diff, vector};
        let case = json("efa/03-efa-bfi25-minres-oblimin/case.json");
        let tight = json("efa/psych_tight/psych_tight.json");
        let r = bfi25();
        let ext = minres(&r, 5, &MinresOptions::default()).unwrap();
        assert!(ext.converged);
        let rot = oblimin(&ext.loadings, &GpaOptions::default()).unwrap();
        assert!(rot.converged);
        let want_l = matrix(&case["expected"]["loadings"]);
        let want_phi = matrix(&case["expected"]["factor_correlations"]);
        // psych's order and signs are the contract: alignment must be the identity.
        let (_, perm, signs) = align(&rot.loadings, &want_l);
        assert_eq!(perm, vec![0, 1, 2, 3, 4]);
        assert_eq!(signs, vec![1.0; 5]);
        let dl = max_diff(&rot.loadings, &want_l);
        let dphi = max_diff(&rot.phi, &want_phi);
        let h2 = vector(&case["expected"]["communalities"]);
        let dh2 = (&ext.communalities - &h2).amax();
        let dev = vector(&case["expected"]["variance_explained"]);
        let dve = rot
            .variance_explained
            .iter()
            .zip(dev.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // against psych run to a tight optimum
        let t = &tight["tight"]["efa25"];
        let tl = max_diff(&rot.loadings, &matrix(&t["oblimin_loadings"]));
        let tphi = max_diff(&rot.phi, &matrix(&t["oblimin_phi"]));
        let tu = max_diff(&ext.loadings, &matrix(&t["unrotated"]));
        let th2 = (&ext.communalities - vector(&t["communality"])).amax();
        let tev = (&ext.eigenvalues - vector(&t["e_values"])).amax();
        eprintln!(
            "case 03 vs psych: loadings {dl:.2e}, Phi {dphi:.2e}, h2 {dh2:.2e}, SS loadings {dve:.2e}; \
             vs tight psych: loadings {tl:.2e}, Phi {tphi:.2e}, unrotated {tu:.2e}, h2 {th2:.2e}, e.values {tev:.2e}"
        );
        // case tolerance is 1e-3 (loadings) / 2e-3 (Phi); psych's early stop explains ~2e-6.
        assert!(dl < 5e-6 && dphi < 5e-6 && dh2 < 5e-6 && dve < 1e-5);
        assert!(tl < 1e-8 && tphi < 1e-8 && tu < 1e-8 && th2 < 1e-9 && tev < 1e-12);
    }

    /// varimax (psych `fa(rotate = "varimax")`) and raw `GPArotation::geominQ` on the tight
    /// unrotated bfi solution, against psych/GPArotation (tight psych).
    #[test]
    fn varimax_and_geomin_bfi25_match_tight_psych() {
        use crate::factor::minres::{minres, MinresOptions};
        use crate::factor::testdata::{bfi25, json, matrix, max_diff};
        use crate::factor::varimax::{varimax, VarimaxOptions};
        let tight = json("efa/psych_tight/psych_tight.json");
        let t = &tight["tight"]["efa25"];
        let ext = minres(&bfi25(), 5, &MinresOptions::default()).unwrap();
        let v = varimax(&ext.loadings, &VarimaxOptions::default()).unwrap();
        let dv = max_diff(&v.loadings, &matrix(&t["varimax_loadings"]));
        let g = geomin(
            &ext.loadings,
            &GpaOptions {
                reorder: false,
                ..GpaOptions::default()
            },
        )
        .unwrap();
        let dg = max_diff(&g.loadings, &matrix(&t["geomin_raw_loadings"]));
        let dgp = max_diff(&g.phi, &matrix(&t["geomin_raw_phi"]));
        eprintln!(
            "bfi25 vs tight psych: varimax {dv:.2e}, geominQ loadings {dg:.2e}, Phi {dgp:.2e}"
        );
        assert!(dv < 1e-8 && dg < 1e-8 && dgp < 1e-8);
    }

    #[test]
    fn diverging_oblimin_is_reported_not_fatal() {
        // With gamma well above 0 and few items the oblimin criterion is unbounded below:
        // T drifts towards singularity. That must come back as warnings, not as an error.
        let mut rng = ChaCha8Rng::seed_from_u64(599892);
        let a = DMatrix::from_fn(6, 4, |_, _| rng.gen_range(-0.9..0.9));
        let rot = oblimin(
            &a,
            &GpaOptions {
                gamma: 0.69,
                ..GpaOptions::default()
            },
        )
        .unwrap();
        assert!(!rot.converged);
        assert!(rot
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::NotConverged));
        assert!(rot.warnings.iter().any(|w| w.code == WarningCode::Singular));
    }

    #[test]
    fn one_factor_is_an_error() {
        let a = DMatrix::from_element(4, 1, 0.5);
        assert!(matches!(
            oblimin(&a, &GpaOptions::default()),
            Err(Error::InvalidOption { .. })
        ));
    }

    #[test]
    fn non_convergence_is_a_warning() {
        let a = sample_loadings();
        let rot = oblimin(
            &a,
            &GpaOptions {
                max_iter: 1,
                ..GpaOptions::default()
            },
        )
        .unwrap();
        assert!(!rot.converged);
        assert!(rot
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::NotConverged));
    }
}
