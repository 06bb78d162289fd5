//! Krippendorff's alpha for any number of coders, missing values and four levels of measurement.

use crate::error::{Error, Result};
use crate::numeric::quantile::quantile_sorted;
use crate::numeric::rng::stream;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Level of measurement (the difference function $\delta^2$).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// $\delta^2_{ck} = [c \ne k]$.
    Nominal,
    /// $\delta^2_{ck} = \bigl(\sum_{g=c}^{k} n_g - (n_c + n_k)/2\bigr)^2$ over ranks.
    Ordinal,
    /// $\delta^2_{ck} = (c-k)^2$.
    Interval,
    /// $\delta^2_{ck} = \bigl((c-k)/(c+k)\bigr)^2$.
    Ratio,
}

impl Level {
    /// The name `--level` takes (`nominal`, `ordinal`, `interval`, `ratio`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = Error;

    /// `nominal`, `ordinal`, `interval` or `ratio`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--level`) for anything else.
    fn from_str(s: &str) -> Result<Level> {
        match s {
            "nominal" => Ok(Level::Nominal),
            "ordinal" => Ok(Level::Ordinal),
            "interval" => Ok(Level::Interval),
            "ratio" => Ok(Level::Ratio),
            other => Err(Error::option(
                "--level",
                format!("expected nominal, ordinal, interval or ratio, found \"{other}\""),
            )),
        }
    }
}

/// Result of [`krippendorff`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KrippendorffResult {
    /// Krippendorff's alpha $1 - D_o/D_e$.
    pub alpha: f64,
    /// Units (rows) in the data, including those with fewer than two values.
    pub n_units: usize,
    /// Values in units with at least two values ($n_{\cdot\cdot}$).
    pub n_pairable: usize,
    /// Level of measurement.
    pub level: Level,
    /// Observed disagreement $D_o$.
    pub observed_disagreement: f64,
    /// Expected disagreement $D_e$.
    pub expected_disagreement: f64,
    /// Percentile bootstrap interval over resampled units, when asked.
    pub ci: Option<[f64; 2]>,
    /// Bootstrap resamples.
    pub bootstrap: Option<usize>,
}

/// Values of the coincidence matrix over the sorted distinct values.
struct Coincidence {
    values: Vec<f64>,
    /// o[c][k], dense.
    o: Vec<f64>,
    /// Marginals n_c.
    n_c: Vec<f64>,
}

fn coincidence(units: &[Vec<f64>], weights: Option<&[f64]>) -> Coincidence {
    let mut values: Vec<f64> = units
        .iter()
        .filter(|u| u.len() >= 2)
        .flatten()
        .copied()
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let v = values.len();
    let index: HashMap<u64, usize> = values
        .iter()
        .enumerate()
        .map(|(i, x)| (x.to_bits(), i))
        .collect();
    let mut o = vec![0.0; v * v];
    for (u, unit) in units.iter().enumerate() {
        let m = unit.len();
        let w = weights.map_or(1.0, |w| w[u]);
        if m < 2 || w == 0.0 {
            continue;
        }
        let f = w / (m as f64 - 1.0);
        for (a, x) in unit.iter().enumerate() {
            let c = index[&x.to_bits()];
            for (b, y) in unit.iter().enumerate() {
                if a != b {
                    o[c * v + index[&y.to_bits()]] += f;
                }
            }
        }
    }
    let n_c = (0..v).map(|c| (0..v).map(|k| o[c * v + k]).sum()).collect();
    Coincidence { values, o, n_c }
}

/// Observed and expected disagreement of a coincidence matrix.
fn disagreement(co: &Coincidence, level: Level) -> (f64, f64) {
    let v = co.values.len();
    let n: f64 = co.n_c.iter().sum();
    // cumulative marginals for the ordinal metric
    let mut cum = vec![0.0; v + 1];
    for c in 0..v {
        cum[c + 1] = cum[c] + co.n_c[c];
    }
    let delta = |c: usize, k: usize| -> f64 {
        let (x, y) = (co.values[c], co.values[k]);
        match level {
            Level::Nominal => f64::from(u8::from(c != k)),
            Level::Interval => (x - y) * (x - y),
            Level::Ratio => {
                let s = x + y;
                if s == 0.0 {
                    0.0
                } else {
                    ((x - y) / s).powi(2)
                }
            }
            Level::Ordinal => {
                let (lo, hi) = if c <= k { (c, k) } else { (k, c) };
                let d = cum[hi + 1] - cum[lo] - (co.n_c[lo] + co.n_c[hi]) / 2.0;
                d * d
            }
        }
    };
    let mut d_o = 0.0;
    let mut d_e = 0.0;
    for c in 0..v {
        for k in 0..v {
            if c == k {
                continue;
            }
            let d = delta(c, k);
            d_o += co.o[c * v + k] * d;
            d_e += co.n_c[c] * co.n_c[k] * d;
        }
    }
    (d_o / n, d_e / (n * (n - 1.0)))
}

/// Krippendorff's alpha of units (one `Vec` of the values each unit received).
///
/// # Formula
/// Coincidences $o_{ck} = \sum_u \frac{1}{m_u - 1}\\#\\{(i,j): i\ne j, v_{ui}=c, v_{uj}=k\\}$ over
/// units with $m_u \ge 2$ values, marginals $n_c = \sum_k o_{ck}$, $n = \sum_c n_c$:
/// $$\alpha = 1 - \frac{D_o}{D_e},\quad D_o = \frac1n\sum_{c,k} o_{ck}\\,\delta^2_{ck},\quad
///   D_e = \frac{1}{n(n-1)}\sum_{c,k} n_c n_k\\,\delta^2_{ck}.$$
/// At the interval level the sums reduce to $D_o = \frac1n\sum_u \frac{2 m_u}{m_u-1}\sum_i (v_{ui}-\bar v_u)^2$
/// and $D_e = \frac{2}{n-1}\sum (v - \bar v)^2$ over all pairable values: $O(N)$ without a matrix.
///
/// # Reference
/// Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability*. Annenberg School for
/// Communication, University of Pennsylvania. Hayes, A. F., & Krippendorff, K. (2007).
/// *Communication Methods and Measures, 1*, 77–89.
///
/// # Peer
/// Python `krippendorff` 0.9 (`alpha(reliability_data, level_of_measurement)`); the published
/// values of the 2011 example (.743, .815, .849, .797) are tests.
///
/// # Deviations
/// The bootstrap resamples units (with replacement), not Hayes & Krippendorff's resampling of
/// pairable values; it gives a percentile interval of alpha.
pub fn krippendorff(units: &[Vec<f64>], level: Level) -> Result<KrippendorffResult> {
    let (alpha, d_o, d_e, n_pairable) = alpha_of(units, level, None)?;
    Ok(KrippendorffResult {
        alpha,
        n_units: units.len(),
        n_pairable,
        level,
        observed_disagreement: d_o,
        expected_disagreement: d_e,
        ci: None,
        bootstrap: None,
    })
}

fn alpha_of(
    units: &[Vec<f64>],
    level: Level,
    weights: Option<&[f64]>,
) -> Result<(f64, f64, f64, usize)> {
    let w = |u: usize| weights.map_or(1.0, |w| w[u]);
    let n_pairable_w: f64 = units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.len() >= 2)
        .map(|(i, u)| w(i) * u.len() as f64)
        .sum();
    let n_pairable = units.iter().filter(|u| u.len() >= 2).map(Vec::len).sum();
    if n_pairable_w < 2.0 {
        return Err(Error::option(
            "--raters",
            "Krippendorff's alpha needs at least one unit with two values",
        ));
    }
    let (d_o, d_e) = if level == Level::Interval {
        let n = n_pairable_w;
        let mut within = 0.0;
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        let shift = units.iter().find(|u| u.len() >= 2).map_or(0.0, |u| u[0]);
        for (i, u) in units.iter().enumerate() {
            let m = u.len();
            if m < 2 || w(i) == 0.0 {
                continue;
            }
            let mean = u.iter().sum::<f64>() / m as f64;
            let ss: f64 = u.iter().map(|x| (x - mean) * (x - mean)).sum();
            within += w(i) * 2.0 * m as f64 / (m as f64 - 1.0) * ss;
            for x in u {
                s1 += w(i) * (x - shift);
                s2 += w(i) * (x - shift) * (x - shift);
            }
        }
        let total_ss = s2 - s1 * s1 / n;
        (within / n, 2.0 * total_ss / (n - 1.0))
    } else {
        disagreement(&coincidence(units, weights), level)
    };
    if d_e == 0.0 {
        return Err(Error::option(
            "--raters",
            "every pairable value is the same: Krippendorff's alpha does not exist",
        ));
    }
    Ok((1.0 - d_o / d_e, d_o, d_e, n_pairable))
}

/// [`krippendorff`] with a percentile bootstrap interval over `resamples` resamples of units
/// (resample `b` from ChaCha8 stream `b` of `seed`; identical whatever the thread count).
pub fn krippendorff_bootstrap(
    units: &[Vec<f64>],
    level: Level,
    resamples: usize,
    seed: u64,
    level_ci: f64,
) -> Result<KrippendorffResult> {
    crate::error::limits::positive("--bootstrap", resamples)?;
    crate::error::limits::count("--bootstrap", resamples, crate::error::limits::RESAMPLES)?;
    let mut r = krippendorff(units, level)?;
    let n = units.len();
    let mut alphas: Vec<f64> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(seed, b as u64);
            let mut w = vec![0.0; n];
            for _ in 0..n {
                w[rng.gen_range(0..n as u64) as usize] += 1.0;
            }
            alpha_of(units, level, Some(&w))
                .map(|a| a.0)
                .unwrap_or(f64::NAN)
        })
        .collect::<Vec<f64>>()
        .into_iter()
        .filter(|a| a.is_finite())
        .collect();
    alphas.sort_by(f64::total_cmp);
    r.ci = Some([
        quantile_sorted(&alphas, (1.0 - level_ci) / 2.0),
        quantile_sorted(&alphas, (1.0 + level_ci) / 2.0),
    ]);
    r.bootstrap = Some(resamples);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff (2011), the 4 coders x 12 units example (coders A-D as rows there).
    fn example() -> Vec<Vec<f64>> {
        let nan = f64::NAN;
        let a = [1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 4.0, 1.0, 2.0, nan, nan, nan];
        let b = [1.0, 2.0, 3.0, 3.0, 2.0, 2.0, 4.0, 1.0, 2.0, 5.0, nan, 3.0];
        let c = [nan, 3.0, 3.0, 3.0, 2.0, 3.0, 4.0, 2.0, 2.0, 5.0, 1.0, nan];
        let d = [1.0, 2.0, 3.0, 3.0, 2.0, 4.0, 4.0, 1.0, 2.0, 5.0, 1.0, nan];
        (0..12)
            .map(|u| {
                [a[u], b[u], c[u], d[u]]
                    .into_iter()
                    .filter(|x| !x.is_nan())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn published_values_of_the_2011_example() {
        let u = example();
        let r = |l| krippendorff(&u, l).unwrap().alpha;
        assert!((r(Level::Nominal) - 0.743).abs() < 5e-4);
        assert!((r(Level::Ordinal) - 0.815).abs() < 5e-4);
        assert!((r(Level::Interval) - 0.849).abs() < 5e-4);
        assert!((r(Level::Ratio) - 0.797).abs() < 5e-4);
        assert_eq!(krippendorff(&u, Level::Nominal).unwrap().n_pairable, 40);
    }

    #[test]
    fn interval_shortcut_equals_the_coincidence_matrix() {
        let u = example();
        let fast = alpha_of(&u, Level::Interval, None).unwrap();
        let (d_o, d_e) = disagreement(&coincidence(&u, None), Level::Interval);
        assert!((fast.1 - d_o).abs() < 1e-12 && (fast.2 - d_e).abs() < 1e-12);
    }
}
