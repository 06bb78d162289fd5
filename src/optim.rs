//! Derivative-free minimisers shared by the REML fits (ICC variance components, mixed models).
//!
//! polychoric keeps its own Brent search on purpose: it reproduces R's `optimize` step for step
//! (psych's early stop included), which these tightly converging versions do not.

/// Brent's (1973) minimiser on [a, b] (golden section with parabolic steps), as R's `optimize`.
/// Returns the minimiser, its value and the number of evaluations.
pub(crate) fn brent_min(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> (f64, f64, usize) {
    let c = 0.5 * (3.0 - 5f64.sqrt());
    let eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (a, b);
    let mut v = a + c * (b - a);
    let mut w = v;
    let mut x = v;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    let mut fx = f(x);
    let mut evals = 1;
    let mut fv = fx;
    let mut fw = fx;
    let tol3 = tol / 3.0;
    for _ in 0..200 {
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
            e = if x < xm { b - x } else { a - x };
            d = c * e;
        } else {
            d = p / q;
            let u = x + d;
            if u - a < t2 || b - u < t2 {
                d = if x < xm { tol1 } else { -tol1 };
            }
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = f(u);
        evals += 1;
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
    (x, fx, evals)
}

/// Nelder–Mead (coefficients 1, 2, 1/2, 1/2) from `x0` with initial steps of 0.25, restarted
/// from the best point until a restart no longer improves the value by more than `ftol`
/// (relative). Returns the minimiser, the number of evaluations and whether it converged.
pub(crate) fn nelder_mead(
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
mod tests {
    use super::*;

    #[test]
    fn brent_finds_a_parabola_minimum() {
        let (x, fx, _) = brent_min(&|t| (t - 0.3) * (t - 0.3) + 1.0, 0.0, 2.0, 1e-12);
        assert!((x - 0.3).abs() < 1e-7, "{x}");
        assert!((fx - 1.0).abs() < 1e-14);
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
