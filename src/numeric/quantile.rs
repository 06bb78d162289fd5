//! Sample quantiles (R's type 7) and the median.
//!
//! # Formula
//! For $N$ sorted values $x_{(1)} \le \dots \le x_{(N)}$ and probability $p$, type 7 takes
//! $h = (N-1)p + 1$ and interpolates linearly between the neighbouring order statistics:
//! $$Q(p) = x_{(\lfloor h\rfloor)} + (h - \lfloor h\rfloor)\bigl(x_{(\lfloor h\rfloor + 1)} - x_{(\lfloor h\rfloor)}\bigr).$$
//!
//! Two implementations of the same definition live here on purpose, because they round
//! differently in the last bit and results are kept bit for bit:
//! - [`quantile_sorted`] evaluates the formula above as written (bootstrap intervals, medians,
//!   box plots);
//! - [`quantile_type7`] follows the order of operations of R's `quantile.default`,
//!   $(1-\gamma)\\,x_{(l)} + \gamma\\,x_{(l+1)}$, so that parallel analysis reproduces psych's
//!   reference eigenvalues digit for digit.
//!
//! # Reference
//! Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
//! Statistician*, 50(4), 361–365.
//!
//! # Peer
//! R 4.2.2 `quantile(x, p)` (`type = 7`, the default).

/// Type-7 sample quantile of values already sorted in increasing order; `NaN` when empty.
///
/// # Formula
/// $Q(p) = x_{(l)} + (h - l)(x_{(l+1)} - x_{(l)})$ with $h = (N-1)p$ and $l = \lfloor h\rfloor$
/// (0-based order statistics).
///
/// ```
/// use trustscale::numeric::quantile::quantile_sorted;
/// // R: quantile(1:4, 0.025) = 1.075
/// assert!((quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.025) - 1.075).abs() < 1e-15);
/// ```
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// R's type-7 sample quantile (`quantile(x, q)`): with $h = 1 + (N-1)q$, $l = \lfloor h\rfloor$,
/// $(1 - (h - l))\\,x_{(l)} + (h - l)\\,x_{(l+1)}$, in R's order of operations. Sorts `v`;
/// `NaN` when empty.
///
/// # Peer
/// R 4.2.2 `quantile.default(x, q, type = 7)`, including its rule that equal neighbours are
/// returned without interpolation.
pub fn quantile_type7(v: &mut [f64], q: f64) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let index = 1.0 + (n - 1) as f64 * q;
    let lo = index.floor();
    let hi = index.ceil();
    let (l, u) = ((lo as usize).clamp(1, n), (hi as usize).clamp(1, n));
    let qs = v[l - 1];
    if index > lo && v[u - 1] != qs {
        let h = index - lo;
        (1.0 - h) * qs + h * v[u - 1]
    } else {
        qs
    }
}

/// The median ([`quantile_sorted`] at 0.5). Sorts `x`; `NaN` when empty.
pub fn median(x: &mut [f64]) -> f64 {
    x.sort_by(f64::total_cmp);
    quantile_sorted(x, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantile() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        // R: quantile(1:4, 0.025) = 1.075
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-15);
    }

    #[test]
    fn quantile_type7_matches_r() {
        // R: quantile(c(3, 1, 4, 1, 5, 9, 2, 6), c(0, .25, .5, .95, 1))
        //    0% 25% 50% 95% 100% = 1.00 1.75 3.50 7.95 9.00
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        for (q, want) in [
            (0.0, 1.0),
            (0.25, 1.75),
            (0.5, 3.5),
            (0.95, 7.95),
            (1.0, 9.0),
        ] {
            let mut v = x.to_vec();
            let got = quantile_type7(&mut v, q);
            assert!((got - want).abs() < 1e-12, "q {q}: {got} vs {want}");
        }
        assert_eq!(quantile_type7(&mut [2.5], 0.95), 2.5);
        assert!(quantile_type7(&mut [], 0.5).is_nan());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
