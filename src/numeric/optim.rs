//! One-dimensional and derivative-free optimisation: Brent's minimiser, Brent's root finder and
//! Nelder–Mead.
//!
//! There is one Brent minimiser ([`brent_min`]) for the whole crate. Its callers differ only in
//! how it runs, which [`BrentOptions`] spells out: polychoric correlations reproduce R's
//! `optimize` step for step at R's default tolerance (psych's early stop included, non-finite
//! values replaced by the largest double), the REML profiles (ICC variance components, mixed
//! models) run the same iteration to a tight tolerance. The root finder ([`brent_root`]) inverts
//! the noncentral chi-square distribution for the RMSEA interval.
//!
//! # References
//! - Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall,
//!   ch. 4 (zero finding) and ch. 5 (minimisation).
//! - Nelder, J. A., & Mead, R. (1965). A simplex method for function minimization. *The Computer
//!   Journal*, 7(4), 308–313.

/// R's default `optimize` tolerance, `.Machine$double.eps^0.25` $= 2^{-13}$.
pub const R_OPTIMIZE_TOL: f64 = 1.220703125e-4;

/// How [`brent_min`] runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrentOptions {
    /// The tolerance `tol` of R's `optimize`: the search stops once $x$ is within
    /// $2(\sqrt{\varepsilon}\\,|x| + \mathrm{tol}/3)$ of the middle of the bracket.
    pub tol: f64,
    /// Iterations at most (one evaluation of `f` each, after the first).
    pub max_iter: usize,
    /// Replace a non-finite value of `f` by the largest double (`f64::MAX`), as R's
    /// `Brent_fmin` does; otherwise values are compared as they come.
    pub non_finite_as_max: bool,
}

impl BrentOptions {
    /// R's `optimize(f, interval, tol = tol)`, step for step: non-finite values become the
    /// largest double; the cap of 10 000 iterations only guards against NaN arithmetic (Brent's
    /// search always terminates).
    pub fn r_optimize(tol: f64) -> Self {
        BrentOptions {
            tol,
            max_iter: 10_000,
            non_finite_as_max: true,
        }
    }

    /// A tight search for smooth objectives (the REML profiles): at most 200 iterations, values
    /// used as they are.
    pub fn tight(tol: f64) -> Self {
        BrentOptions {
            tol,
            max_iter: 200,
            non_finite_as_max: false,
        }
    }
}

/// The result of [`brent_min`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrentMinimum {
    /// The minimiser found.
    pub x: f64,
    /// `f(x)` (after the replacement of a non-finite value, when asked for).
    pub fx: f64,
    /// Evaluations of `f`.
    pub evaluations: usize,
}

/// Minimum of `f` on `[a, b]` by Brent's (1973) golden-section search with parabolic steps.
///
/// # Formula
/// The search keeps the best point $x$, the second best $w$ and the previous $w$, $v$. A
/// parabola through $(v, w, x)$ proposes $u = x + p/q$; it is taken when it falls inside the
/// bracket and moves less than half the step before last, otherwise a golden-section step
/// $u = x + c\\,(b - x)$ or $x + c\\,(a - x)$ with $c = (3 - \sqrt5)/2$ is taken into the larger
/// part. No step is shorter than $\mathrm{tol}\_1 = \sqrt{\varepsilon}\\,|x| + \mathrm{tol}/3$.
/// The search stops when $|x - m| \le 2\\,\mathrm{tol}\_1 - (b - a)/2$, $m$ the middle of the
/// bracket, or after `opts.max_iter` iterations.
///
/// # Reference
/// Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall, ch. 5
/// (procedure `localmin`).
///
/// # Peer
/// R 4.2.2 `optimize()` (`Brent_fmin` in `src/library/stats/src/optimize.c`): with
/// [`BrentOptions::r_optimize`] the same points are evaluated in the same order, so the returned
/// minimiser agrees to the last bit (see the tests).
///
/// # Deviations
/// None.
///
/// ```
/// use trustscale::numeric::optim::{brent_min, BrentOptions};
/// let m = brent_min(|t| (t - 0.3) * (t - 0.3) + 1.0, 0.0, 2.0, &BrentOptions::tight(1e-12));
/// assert!((m.x - 0.3).abs() < 1e-7);
/// ```
pub fn brent_min(
    mut f: impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    opts: &BrentOptions,
) -> BrentMinimum {
    let mut evaluations = 0;
    let mut eval = |x: f64| {
        evaluations += 1;
        let v = f(x);
        if opts.non_finite_as_max && !v.is_finite() {
            f64::MAX
        } else {
            v
        }
    };
    // the squared inverse of the golden ratio
    let c = 0.5 * (3.0 - 5f64.sqrt());
    let eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (a, b);
    let mut v = a + c * (b - a);
    let mut w = v;
    let mut x = v;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    let mut fx = eval(x);
    let mut fv = fx;
    let mut fw = fx;
    let tol3 = opts.tol / 3.0;
    for _ in 0..opts.max_iter {
        let xm = 0.5 * (a + b);
        let tol1 = eps * x.abs() + tol3;
        let t2 = 2.0 * tol1;
        if (x - xm).abs() <= t2 - 0.5 * (b - a) {
            break;
        }
        let mut p = 0.0;
        let mut q = 0.0;
        let mut r = 0.0;
        if e.abs() > tol1 {
            // fit a parabola through x, w, v
            r = (x - w) * (fx - fv);
            q = (x - v) * (fx - fw);
            p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            r = e;
            e = d;
        }
        if p.abs() >= (0.5 * q * r).abs() || p <= q * (a - x) || p >= q * (b - x) {
            // golden-section step
            e = if x < xm { b - x } else { a - x };
            d = c * e;
        } else {
            // parabolic step, kept away from the ends
            d = p / q;
            let u = x + d;
            if u - a < t2 || b - u < t2 {
                d = if x < xm { tol1 } else { -tol1 };
            }
        }
        // never closer than tol1 to x
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = eval(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    BrentMinimum { x, fx, evaluations }
}

/// Root of a continuous function with a sign change on `[a, b]` by Brent's method, to machine
/// precision; `None` without a sign change.
///
/// # Formula
/// Keeps a bracket $[b, c]$ with $f(b)f(c) < 0$ and $|f(b)| \le |f(c)|$, and steps from $b$ by
/// inverse quadratic interpolation through $a, b, c$ (the secant when $a = c$), falling back to
/// bisection $m = (c - b)/2$ when the interpolated step leaves the bracket or shrinks too slowly.
/// Stops when $|m| \le 2\varepsilon|b| + 10^{-300}$ or $f(b) = 0$, or after 200 iterations.
///
/// # Reference
/// Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall, ch. 4
/// (procedure `zero`).
///
/// # Peer
/// R's `uniroot` runs the same method (`R_zeroin2`) but stops at its default tolerance
/// $\varepsilon^{1/4}$; here the bracket closes to machine precision.
///
/// ```
/// use trustscale::numeric::optim::brent_root;
/// let r = brent_root(|x| x * x - 2.0, 0.0, 2.0).unwrap();
/// assert!((r - 2f64.sqrt()).abs() < 1e-14);
/// assert!(brent_root(|x| x * x + 1.0, 0.0, 2.0).is_none());
/// ```
pub fn brent_root(mut f: impl FnMut(f64) -> f64, mut a: f64, mut b: f64) -> Option<f64> {
    let mut fa = f(a);
    let mut fb = f(b);
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if fa.signum() == fb.signum() {
        return None;
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 1e-300;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol * m.signum() };
        fb = f(b);
    }
    Some(b)
}

/// Nelder–Mead (coefficients 1, 2, 1/2, 1/2) from `x0` with initial steps of 0.25, restarted
/// from the best point until a restart no longer improves the value by more than `ftol`
/// (relative). Returns the minimiser, the number of evaluations and whether it converged.
///
/// # Algorithm
/// Reflection ($-1$), expansion ($-2$), outside and inside contraction ($\mp\tfrac12$) of the
/// worst vertex through the centroid of the others, else a shrink towards the best vertex by
/// $\tfrac12$. A pass ends when the spread of the values is below `ftol` (relative) and the
/// simplex is smaller than $10^{-9}$, or when `max_evals` evaluations are used; up to 20 restarts
/// from the best point follow. A step of 0.25 (or 25% of a coordinate larger than 0.25) builds
/// each new simplex.
///
/// # Reference
/// Nelder, J. A., & Mead, R. (1965). A simplex method for function minimization. *The Computer
/// Journal*, 7(4), 308–313.
pub fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    ftol: f64,
    max_evals: usize,
) -> (Vec<f64>, usize, bool) {
    let d = x0.len();
    let mut evals = 0usize;
    let mut best = x0.to_vec();
    let mut fbest = f(&best);
    evals += 1;
    let mut converged = false;
    for _restart in 0..20 {
        let mut pts: Vec<Vec<f64>> = vec![best.clone()];
        for i in 0..d {
            let mut p = best.clone();
            p[i] += if p[i].abs() > 0.25 {
                0.25 * p[i].abs()
            } else {
                0.25
            };
            pts.push(p);
        }
        let mut vals: Vec<f64> = pts.iter().map(|p| f(p)).collect();
        vals[0] = fbest;
        evals += d;
        let mut inner_ok = false;
        while evals < max_evals {
            let mut idx: Vec<usize> = (0..=d).collect();
            idx.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
            pts = idx.iter().map(|&i| pts[i].clone()).collect();
            vals = idx.iter().map(|&i| vals[i]).collect();
            let spread = (vals[d] - vals[0]).abs();
            let size = pts[1..]
                .iter()
                .map(|p| {
                    p.iter()
                        .zip(&pts[0])
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max)
                })
                .fold(0.0, f64::max);
            if spread <= ftol * (vals[0].abs() + 1e-30) && size < 1e-9 {
                inner_ok = true;
                break;
            }
            let centroid: Vec<f64> = (0..d)
                .map(|j| pts[..d].iter().map(|p| p[j]).sum::<f64>() / d as f64)
                .collect();
            let along = |t: f64| -> Vec<f64> {
                (0..d)
                    .map(|j| centroid[j] + t * (pts[d][j] - centroid[j]))
                    .collect()
            };
            let xr = along(-1.0);
            let fr = f(&xr);
            evals += 1;
            if fr < vals[0] {
                let xe = along(-2.0);
                let fe = f(&xe);
                evals += 1;
                if fe < fr {
                    pts[d] = xe;
                    vals[d] = fe;
                } else {
                    pts[d] = xr;
                    vals[d] = fr;
                }
            } else if fr < vals[d - 1] {
                pts[d] = xr;
                vals[d] = fr;
            } else {
                let xc = if fr < vals[d] {
                    along(-0.5)
                } else {
                    along(0.5)
                };
                let fc = f(&xc);
                evals += 1;
                if fc < vals[d].min(fr) {
                    pts[d] = xc;
                    vals[d] = fc;
                } else {
                    for i in 1..=d {
                        pts[i] = (0..d)
                            .map(|j| pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]))
                            .collect();
                        vals[i] = f(&pts[i]);
                    }
                    evals += d;
                }
            }
        }
        let i0 = (0..=d)
            .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
            .unwrap_or(0);
        let improved = fbest - vals[i0] > ftol * (fbest.abs() + 1e-30);
        if vals[i0] <= fbest {
            best = pts[i0].clone();
            fbest = vals[i0];
        }
        if !inner_ok {
            break;
        }
        if !improved {
            converged = true;
            break;
        }
    }
    (best, evals, converged)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_a_parabola_minimum() {
        let m = brent_min(
            |t| (t - 0.3) * (t - 0.3) + 1.0,
            0.0,
            2.0,
            &BrentOptions::tight(1e-12),
        );
        assert!((m.x - 0.3).abs() < 1e-7, "{}", m.x);
        assert!((m.fx - 1.0).abs() < 1e-14);
        assert!(m.evaluations > 1 && m.evaluations <= 201);
    }

    #[test]
    fn brent_min_follows_r_optimize() {
        // R 4.2.2: f <- function(x) (x - 0.3)^2 + 0.1 * x^4
        //   sprintf("%.17g", optimize(f, c(-1, 1))$minimum)
        //   sprintf("%.17g", optimize(function(x) abs(x - 0.123), c(-1, 1))$minimum)
        //   sprintf("%.17g", optimize(function(x) -cos(3 * x), c(-1, 1), tol = 1e-10)$minimum)
        let r = BrentOptions::r_optimize(R_OPTIMIZE_TOL);
        let m = brent_min(|x| (x - 0.3) * (x - 0.3) + 0.1 * x.powi(4), -1.0, 1.0, &r);
        assert_eq!(m.x, R_BRENT[0]);
        let m = brent_min(|x| (x - 0.123).abs(), -1.0, 1.0, &r);
        assert_eq!(m.x, R_BRENT[1]);
        let m = brent_min(
            |x| -(3.0 * x).cos(),
            -1.0,
            1.0,
            &BrentOptions::r_optimize(1e-10),
        );
        assert_eq!(m.x, R_BRENT[2]);
    }

    const R_BRENT: [f64; 3] = [
        0.29488965673097317,
        0.12301658688662366,
        -1.241584302989235e-10,
    ];

    #[test]
    fn brent_min_as_r_treats_non_finite_values_as_largest() {
        // -log(x) is NaN below 0: R's optimize reads it as the largest double and moves right
        let f = |x: f64| (x - 0.5) * (x - 0.5) - if x < 0.0 { f64::NAN } else { 0.0 };
        let m = brent_min(f, -1.0, 1.0, &BrentOptions::r_optimize(1e-10));
        assert!((m.x - 0.5).abs() < 1e-6, "{}", m.x);
        assert!(m.fx.is_finite());
    }

    #[test]
    fn brent_root_solves_to_machine_precision() {
        let r = brent_root(|x| x.exp() - 3.0, 0.0, 5.0).unwrap();
        assert!((r - 3f64.ln()).abs() <= 4.0 * f64::EPSILON, "{r}");
        assert_eq!(brent_root(|x| x - 1.0, 1.0, 3.0), Some(1.0));
        assert_eq!(brent_root(|x| x + 1.0, 0.0, 3.0), None);
    }

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let f = |v: &[f64]| (1.0 - v[0]).powi(2) + 100.0 * (v[1] - v[0] * v[0]).powi(2);
        let (x, _, ok) = nelder_mead(&f, &[-1.2, 1.0], 1e-15, 20_000);
        assert!(ok);
        assert!(
            (x[0] - 1.0).abs() < 1e-5 && (x[1] - 1.0).abs() < 1e-5,
            "{x:?}"
        );
    }
}
