//! Feldt's confidence interval for coefficient alpha.

use crate::dist::f_quantile;

/// Feldt (1965) interval for alpha.
///
/// # Formula
/// With $\mathrm{df}\_1 = n-1$, $\mathrm{df}\_2 = (n-1)(k-1)$ and $p = 1 - \text{level}$:
/// $$\Bigl[\\,1 - (1-\alpha)\\,F^{-1}\_{1-p/2}(\mathrm{df}\_1,\mathrm{df}\_2),\\;
///        1 - (1-\alpha)\\,F^{-1}\_{p/2}(\mathrm{df}\_1,\mathrm{df}\_2)\\,\Bigr]$$
///
/// # Reference
/// Feldt, L. S. (1965). *Psychometrika, 30*, 357–370; Feldt, Woodruff & Salih (1987),
/// *Applied Psychological Measurement, 11*, 93–103.
///
/// # Peer
/// R psych::alpha.ci (2.2.9), with `n.obs` = the number of data rows.
///
/// # Deviations
/// None. Returns `None` when n < 2 or k < 2.
pub fn feldt_ci(alpha: f64, n: usize, k: usize, level: f64) -> Option<[f64; 2]> {
    if n < 2 || k < 2 || !(0.0 < level && level < 1.0) {
        return None;
    }
    let df1 = (n - 1) as f64;
    let df2 = df1 * (k - 1) as f64;
    let p = 1.0 - level;
    let hi_q = f_quantile(1.0 - p / 2.0, df1, df2)?;
    let lo_q = f_quantile(p / 2.0, df1, df2)?;
    Some([1.0 - (1.0 - alpha) * hi_q, 1.0 - (1.0 - alpha) * lo_q])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feldt_matches_psych_case01() {
        // psych::alpha.ci(0.703018446057304, n.obs = 2800, n.var = 5), psych 2.2.9
        let ci = feldt_ci(0.703018446057304, 2800, 5, 0.95).unwrap();
        assert!((ci[0] - 0.685264325886398).abs() < 1e-9);
        assert!((ci[1] - 0.720063389899432).abs() < 1e-9);
    }
}
