//! k-fold and leave-one-out cross-validated R² of an OLS model.

use super::ols::mean;
use super::qr::{least_squares, Design};
use crate::error::{Error, Result};
use crate::numeric::rng::stream;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;

/// Options of [`cross_validate`].
#[derive(Debug, Clone)]
pub struct CvOptions {
    /// Number of folds $K$ ($2 \le K \le n$; $K = n$ is leave-one-out).
    pub folds: usize,
    /// Repetitions with different fold assignments (ignored for leave-one-out).
    pub repeats: usize,
    /// Seed of the fold assignment (repeat $r$ uses ChaCha8 stream $r$ of this seed).
    pub seed: u64,
}

impl Default for CvOptions {
    fn default() -> Self {
        CvOptions {
            folds: 10,
            repeats: 1,
            seed: 1,
        }
    }
}

impl CvOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        if self.folds < 2 {
            return Err(Error::option("--cv", "expected at least 2 folds"));
        }
        if self.repeats == 0 {
            return Err(Error::option("--repeats", "expected at least 1 repeat"));
        }
        crate::error::limits::count("--repeats", self.repeats, crate::error::limits::RESAMPLES)?;
        Ok(())
    }
}

/// Result of [`cross_validate`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CvResult {
    /// Folds.
    pub folds: usize,
    /// Repeats run (1 for leave-one-out).
    pub repeats: usize,
    /// `loo` (leave-one-out through the hat values) or `k-fold`.
    pub method: String,
    /// Seed of the fold assignment; `null` for leave-one-out, which does not depend on it.
    pub seed: Option<u64>,
    /// Mean over repeats of $1 - \sum(y_i - \hat y_{(-i)})^2/\sum(y_i - \bar y)^2$.
    pub cv_r2: f64,
    /// Standard deviation of the repeats' cv R² (`null` with one repeat).
    pub cv_r2_sd: Option<f64>,
    /// Mean over repeats of the out-of-fold root mean squared error.
    pub rmse: f64,
    /// The cv R² of each repeat.
    pub cv_r2_repeats: Vec<f64>,
}

/// Fold of each row for repeat `r`: a seeded Fisher–Yates permutation, then position $t$ of
/// the permutation goes to fold $t \bmod K$ (fold sizes differ by at most one).
pub fn fold_assignment(n: usize, folds: usize, seed: u64, repeat: u64) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut rng = stream(seed, repeat);
    for i in (1..n).rev() {
        let j = rng.gen_range(0..=i as u64) as usize;
        perm.swap(i, j);
    }
    let mut fold = vec![0; n];
    for (t, &i) in perm.iter().enumerate() {
        fold[i] = t % folds;
    }
    fold
}

/// Cross-validated $R^2$ and RMSE of the OLS fit of `y` on the design `x`.
///
/// # Formula
/// Out-of-fold predictions $\hat y_{(-i)}$ pooled over all folds, against the overall mean:
/// $$R^2_{cv} = 1 - \frac{\sum_i (y_i - \hat y_{(-i)})^2}{\sum_i (y_i - \bar y)^2},\qquad
///   \mathrm{RMSE}\_{cv} = \sqrt{\tfrac1n\textstyle\sum_i (y_i - \hat y_{(-i)})^2}.$$
/// For $K = n$ (leave-one-out) the PRESS identity $y_i - \hat y_{(-i)} = e_i/(1-h_i)$ gives
/// them from one fit; otherwise each fold is refitted by QR on the other rows.
///
/// # Reference
/// Allen, D. M. (1974). The relationship between variable selection and data augmentation and a
/// method for prediction. *Technometrics, 16*, 125–127. Hastie, T., Tibshirani, R., & Friedman,
/// J. (2009). *The elements of statistical learning* (2nd ed.), §7.10.
///
/// # Peer
/// Leave-one-out: R `1 - sum((residuals(fit)/(1 - hatvalues(fit)))^2)/sum((y - mean(y))^2)`
/// (reference case 24), equal to explicit refits. k-fold: caret-style pooled out-of-fold R²
/// (not the mean of per-fold R²); fold assignments use our own seeded permutation.
pub fn cross_validate(
    x: Design<'_>,
    y: &[f64],
    terms: &[String],
    opts: &CvOptions,
) -> Result<CvResult> {
    opts.validate()?;
    let n = x.nrows();
    let k = x.ncols();
    if opts.folds > n {
        return Err(Error::option(
            "--cv",
            format!(
                "{} folds for {n} rows: use at most n (leave-one-out)",
                opts.folds
            ),
        ));
    }
    let my = mean(y);
    let sst: f64 = y.iter().map(|v| (v - my) * (v - my)).sum();
    if opts.folds == n {
        let fit = least_squares(x, y, terms)?;
        let h = fit.hat_values(x);
        let mut press = 0.0;
        for (i, (e, h)) in fit.residuals.iter().zip(&h).enumerate() {
            if 1.0 - h <= 1e-10 {
                return Err(Error::option(
                    "--cv",
                    format!(
                        "data row {} has leverage 1: its leave-one-out prediction is undefined",
                        i + 1
                    ),
                ));
            }
            let d = e / (1.0 - h);
            press += d * d;
        }
        let r2 = 1.0 - press / sst;
        return Ok(CvResult {
            folds: n,
            repeats: 1,
            method: "loo".into(),
            seed: None,
            cv_r2: r2,
            cv_r2_sd: None,
            rmse: (press / n as f64).sqrt(),
            cv_r2_repeats: vec![r2],
        });
    }
    let smallest_train = n - n.div_ceil(opts.folds);
    if smallest_train < k + 1 {
        return Err(Error::option(
            "--cv",
            format!(
                "{} folds leave {smallest_train} training rows for {k} coefficients",
                opts.folds
            ),
        ));
    }
    let per: Vec<Result<f64>> = (0..opts.repeats)
        .into_par_iter()
        .map(|r| {
            let fold = fold_assignment(n, opts.folds, opts.seed, r as u64);
            let mut sse = 0.0;
            for f in 0..opts.folds {
                let train: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
                let xt = x.select(&train);
                let yt: Vec<f64> = train.iter().map(|&i| y[i]).collect();
                let fit = least_squares(Design::new(&xt, false), &yt, terms).map_err(|e| {
                    Error::option("--cv", format!("fold {} of repeat {}: {e}", f + 1, r + 1))
                })?;
                for i in (0..n).filter(|&i| fold[i] == f) {
                    let pred: f64 = (0..k).map(|j| x.get(i, j) * fit.coefficients[j]).sum();
                    sse += (y[i] - pred) * (y[i] - pred);
                }
            }
            Ok(sse)
        })
        .collect();
    let sse: Vec<f64> = per.into_iter().collect::<Result<_>>()?;
    let r2s: Vec<f64> = sse.iter().map(|s| 1.0 - s / sst).collect();
    let rmses: Vec<f64> = sse.iter().map(|s| (s / n as f64).sqrt()).collect();
    let m = mean(&r2s);
    let sd = (r2s.len() > 1).then(|| {
        (r2s.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (r2s.len() as f64 - 1.0)).sqrt()
    });
    Ok(CvResult {
        folds: opts.folds,
        repeats: opts.repeats,
        method: "k-fold".into(),
        seed: Some(opts.seed),
        cv_r2: m,
        cv_r2_sd: sd,
        rmse: mean(&rmses),
        cv_r2_repeats: r2s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let f = fold_assignment(23, 5, 7, 0);
        let mut sizes = [0; 5];
        for &v in &f {
            sizes[v] += 1;
        }
        assert!(sizes.iter().all(|&s| s == 4 || s == 5), "{sizes:?}");
        assert_eq!(f, fold_assignment(23, 5, 7, 0));
        assert_ne!(f, fold_assignment(23, 5, 7, 1));
    }
}
