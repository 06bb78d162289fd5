//! Construct validity from a fitted CFA: composite reliability, average variance extracted,
//! the Fornell–Larcker criterion and the heterotrait–monotrait ratio (HTMT).
//!
//! # Formula
//! For factor $f$ with observed indicators $i \in I_f$, standardised loadings $l_i$ (`std.all`)
//! and standardised residual variances $\theta_i = \hat\theta_{ii}/\hat\sigma_{ii}$:
//! $$\mathrm{CR}\_f = \frac{(\sum_i l_i)^2}{(\sum_i l_i)^2 + \sum_i\theta_i},\qquad
//!   \mathrm{AVE}\_f = \frac{\sum_i l_i^2}{\sum_i l_i^2 + \sum_i\theta_i}.$$
//! Fornell–Larcker holds for $f$ when $\sqrt{\mathrm{AVE}\_f} > \max_{g\ne f}|\hat\rho_{fg}|$, with
//! $\hat\rho$ the model-implied factor correlations. For factors $f, g$ and the observed
//! correlations $r$ (from the sample covariance matrix of group 1),
//! $$\mathrm{HTMT}\_{fg} = \frac{\overline{|r_{ij}|}\_{i\in I_f, j\in I_g}}
//!   {\sqrt{\overline{|r_{ii'}|}\_{i<i'\in I_f}\\;\overline{|r_{jj'}|}\_{j<j'\in I_g}}}.$$
//!
//! # Reference
//! Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
//! unobservable variables and measurement error. *Journal of Marketing Research*, 18(1), 39–50.
//! Raykov, T. (1997). Estimation of composite reliability for congeneric measures. *Applied
//! Psychological Measurement*, 21(2), 173–184.
//! Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
//! discriminant validity in variance-based structural equation modeling. *Journal of the
//! Academy of Marketing Science*, 43(1), 115–135.
//!
//! # Peer
//! CR and AVE as the formulas above from lavaan 0.6.14 `std.all`; HTMT as semTools 0.5-6
//! `htmt(absolute = TRUE)` (semTools is not installed here, so the HTMT is checked against a
//! hand computation in `tests/cfa_validity.rs`).
//!
//! # Deviations
//! - semTools' `compRelSEM` divides by the model-implied variance of the sum score, which also
//!   counts residual covariances and cross-loadings; this CR is the classic formula above
//!   (identical for simple structure without residual covariances).
//! - Henseler et al. average signed correlations; we follow semTools and average absolute
//!   values, so that reverse-worded items do not cancel.
//! - Multi-group models: group 1 only.

use super::syntax::Op;
use super::{Fitted, Parameter};
use crate::cfa::estimate::SampleStats;
use serde::Serialize;

/// Validity of one factor.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FactorValidity {
    /// The factor.
    pub factor: String,
    /// Its observed indicators.
    pub items: Vec<String>,
    /// Composite reliability (omega from standardised loadings).
    pub cr: Option<f64>,
    /// Average variance extracted.
    pub ave: Option<f64>,
    /// $\sqrt{\mathrm{AVE}}$.
    pub sqrt_ave: Option<f64>,
    /// Largest absolute correlation with another factor.
    pub max_factor_correlation: Option<f64>,
    /// Whether $\sqrt{\mathrm{AVE}}$ exceeds every correlation with another factor.
    pub fornell_larcker: Option<bool>,
}

/// HTMT of one pair of factors.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HtmtPair {
    /// First factor.
    pub factor1: String,
    /// Second factor.
    pub factor2: String,
    /// The ratio (null when a factor has a single indicator).
    pub htmt: Option<f64>,
    /// Above the cut-off (default 0.85, Henseler et al. 2015's conservative value).
    pub above_cutoff: Option<bool>,
}

/// Construct validity of every first-order factor.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Validity {
    /// Per factor.
    pub factors: Vec<FactorValidity>,
    /// Factor names of the correlation matrix.
    pub factor_names: Vec<String>,
    /// Model-implied factor correlations.
    pub factor_correlations: Vec<Vec<f64>>,
    /// HTMT for every pair of factors.
    pub htmt: Vec<HtmtPair>,
    /// HTMT cut-off used for `above_cutoff`.
    pub htmt_cutoff: f64,
}

/// Computes [`Validity`] (module docs); `params` are the fit's parameter rows.
pub(crate) fn validity(f: &Fitted, stats: &SampleStats, params: &[Parameter]) -> Validity {
    let pt = &f.pt;
    let cutoff = 0.85;
    let factors: Vec<(String, Vec<String>)> = pt
        .lv
        .iter()
        .map(|lv| {
            let items: Vec<String> = pt
                .indicators(lv)
                .into_iter()
                .filter(|i| !pt.is_latent(i))
                .collect();
            (lv.clone(), items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    let first = |lhs: &str, op: Op, rhs: &str| {
        params
            .iter()
            .find(|p| p.group.unwrap_or(1) == 1 && p.op == op && p.lhs == lhs && p.rhs == rhs)
            .and_then(|p| p.std_all)
    };
    // implied factor correlations (group 1)
    let cov = &f.implied[0].cov_all;
    let idx: Vec<usize> = factors
        .iter()
        .filter_map(|(n, _)| pt.var_index(n))
        .collect();
    let k = idx.len();
    let corr: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    let (i, j) = (idx[a], idx[b]);
                    cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt()
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (a, (name, items)) in factors.iter().enumerate() {
        let ls: Option<Vec<f64>> = items.iter().map(|i| first(name, Op::Measure, i)).collect();
        let th: Option<Vec<f64>> = items.iter().map(|i| first(i, Op::Covary, i)).collect();
        let (cr, ave) = match (ls, th) {
            (Some(ls), Some(th)) => {
                let s: f64 = ls.iter().sum();
                let s2: f64 = ls.iter().map(|l| l * l).sum();
                let t: f64 = th.iter().sum();
                (Some(s * s / (s * s + t)), Some(s2 / (s2 + t)))
            }
            _ => (None, None),
        };
        let max_r = (0..k)
            .filter(|&b| b != a)
            .map(|b| corr[a][b].abs())
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        let sqrt_ave = ave.filter(|v| *v >= 0.0).map(f64::sqrt);
        out.push(FactorValidity {
            factor: name.clone(),
            items: items.clone(),
            cr,
            ave,
            sqrt_ave,
            max_factor_correlation: max_r,
            fornell_larcker: match (sqrt_ave, max_r) {
                (Some(s), Some(m)) => Some(s > m),
                _ => None,
            },
        });
    }
    // HTMT from the observed correlations of group 1
    let s = &stats.groups[0].cov;
    let r = |i: usize, j: usize| (s[(i, j)] / (s[(i, i)] * s[(j, j)]).sqrt()).abs();
    let ov_idx = |n: &String| pt.ov.iter().position(|v| v == n);
    let mono = |items: &[String]| -> Option<f64> {
        let ix: Vec<usize> = items.iter().filter_map(ov_idx).collect();
        let mut acc = 0.0;
        let mut cnt = 0.0;
        for (a, &i) in ix.iter().enumerate() {
            for &j in &ix[a + 1..] {
                acc += r(i, j);
                cnt += 1.0;
            }
        }
        (cnt > 0.0).then(|| acc / cnt)
    };
    let mut htmt = Vec::new();
    for a in 0..factors.len() {
        for b in a + 1..factors.len() {
            let ia: Vec<usize> = factors[a].1.iter().filter_map(ov_idx).collect();
            let ib: Vec<usize> = factors[b].1.iter().filter_map(ov_idx).collect();
            let mut acc = 0.0;
            let mut cnt = 0.0;
            for &i in &ia {
                for &j in &ib {
                    acc += r(i, j);
                    cnt += 1.0;
                }
            }
            let val = match (mono(&factors[a].1), mono(&factors[b].1)) {
                (Some(ma), Some(mb)) if cnt > 0.0 && ma > 0.0 && mb > 0.0 => {
                    Some(acc / cnt / (ma * mb).sqrt())
                }
                _ => None,
            };
            htmt.push(HtmtPair {
                factor1: factors[a].0.clone(),
                factor2: factors[b].0.clone(),
                htmt: val,
                above_cutoff: val.map(|v| v > cutoff),
            });
        }
    }
    Validity {
        factors: out,
        factor_names: factors.iter().map(|(n, _)| n.clone()).collect(),
        factor_correlations: corr,
        htmt,
        htmt_cutoff: cutoff,
    }
}
