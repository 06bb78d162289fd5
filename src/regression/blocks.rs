//! Hierarchical (blockwise) regression: R² change and its F test at each step.

use super::qr::{least_squares, Design, INTERCEPT};
use crate::dist::f_sf;
use crate::error::{Error, Result};
use nalgebra::DMatrix;
use serde::Serialize;

/// One step of a hierarchical regression.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BlockStep {
    /// Step number (1-based).
    pub step: usize,
    /// Predictors entered at this step.
    pub added: Vec<String>,
    /// $R^2$ of the model with blocks $1..s$.
    pub r2: f64,
    /// Its adjusted $R^2$.
    pub adj_r2: f64,
    /// $\Delta R^2 = R^2_s - R^2_{s-1}$ ($R^2_0 = 0$).
    pub delta_r2: f64,
    /// $F$ of the change.
    pub f_change: f64,
    /// Predictors added.
    pub df1: usize,
    /// $n - p_s - 1$, the residual df of step $s$.
    pub df2: usize,
    /// Upper-tail p of $F(df_1, df_2)$.
    pub p: f64,
}

/// Hierarchical regression of `y` on the predictor columns of `x` entered in blocks of the
/// given sizes (the columns of `x` in block order).
///
/// # Formula
/// One Householder QR of $[1, X]$ serves every step: the first $m$ columns of $Q'[1, X]$ are the
/// QR of the first $m$ columns, so with effects $(Q'y)\_j$,
/// $\mathrm{RSS}\_m = \mathrm{RSS} + \sum_{j > m}(Q'y)\_j^2$ and the sum of squares a block adds is
/// the sum of its effects squared (no difference of two RSS is taken):
/// $$F_s = \frac{(\mathrm{RSS}\_{s-1} - \mathrm{RSS}\_s)/q_s}{\mathrm{RSS}\_s/(n - p_s - 1)},\qquad
///   \Delta R^2_s = \frac{\mathrm{RSS}\_{s-1} - \mathrm{RSS}\_s}{\mathrm{TSS}}.$$
///
/// # Reference
/// Cohen, J., Cohen, P., West, S. G., & Aiken, L. S. (2003). *Applied multiple
/// regression/correlation analysis for the behavioral sciences* (3rd ed.), §5.5.
///
/// # Peer
/// R 4.2.2 `anova(m1, m2)` of nested `lm` fits (its F and p), and `summary(m)$r.squared` per step.
pub fn hierarchical(
    x: &DMatrix<f64>,
    y: &[f64],
    names: &[String],
    sizes: &[usize],
) -> Result<Vec<BlockStep>> {
    let p: usize = sizes.iter().sum();
    if p != x.ncols() || sizes.contains(&0) {
        return Err(Error::option(
            "--blocks",
            "every block needs at least one predictor",
        ));
    }
    let n = x.nrows();
    let mut terms = vec![INTERCEPT.to_string()];
    terms.extend(names.iter().cloned());
    let fit = least_squares(Design::new(x, true), y, &terms)?;
    let e2 = &fit.effects2;
    // RSS after the first m columns (m counts the intercept)
    let rss_after = |m: usize| fit.rss + e2[m..].iter().sum::<f64>();
    let tss = rss_after(1);
    let mut steps = Vec::with_capacity(sizes.len());
    let mut m = 1;
    for (s, &q) in sizes.iter().enumerate() {
        let added_ss: f64 = e2[m..m + q].iter().sum();
        let start = m - 1;
        m += q;
        let rss = rss_after(m);
        let df2 = n - m;
        let r2 = 1.0 - rss / tss;
        let f = (added_ss / q as f64) / (rss / df2 as f64);
        steps.push(BlockStep {
            step: s + 1,
            added: names[start..start + q].to_vec(),
            r2,
            adj_r2: 1.0 - (1.0 - r2) * (n as f64 - 1.0) / df2 as f64,
            delta_r2: added_ss / tss,
            f_change: f,
            df1: q,
            df2,
            p: f_sf(f, q as f64, df2 as f64),
        });
    }
    Ok(steps)
}
