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
//! Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 – an improved criterion for
//! assessing discriminant validity in structural equation modeling. *Industrial Management &
//! Data Systems*, 121(12), 2637–2650.
//!
//! # Peer
//! CR and AVE as the formulas above from lavaan 0.6.14 `std.all`; HTMT as semTools 0.5.6
//! `htmt(absolute = TRUE, htmt2 = FALSE)` and HTMT2 as its default `htmt2 = TRUE` (geometric
//! means; Roemer, Schuberth & Henseler 2021), checked against semTools on polychoric
//! correlations in `tests/cfa_ordered_mi.rs` and against a hand computation in
//! `tests/cfa_validity.rs`. With ordered items, [`crate::cfa::categorical::validity`] replaces
//! CR by Green & Yang's categorical omega and AVE by semTools' `AVE()` and computes the HTMT
//! from the polychoric correlations; `cr_kind`, `ave_kind` and `htmt_basis` name the variant.
//!
//! # Deviations
//! - semTools' `compRelSEM` divides by the model-implied variance of the sum score, which also
//!   counts residual covariances and cross-loadings; this CR is the classic formula above
//!   (identical for simple structure without residual covariances).
//! - Henseler et al. average signed correlations; we follow semTools and average absolute
//!   values, so that reverse-worded items do not cancel.
//! - Multi-group models: group 1 only.

use super::partable::ParTable;
use super::syntax::Op;
use super::{Fitted, Parameter};
use crate::cfa::estimate::SampleStats;
use nalgebra::DMatrix;
use serde::Serialize;

/// `cr_kind` of the continuous CR: $(\sum l)^2/((\sum l)^2 + \sum\theta)$ from `std.all`.
pub const CR_STD_LOADINGS: &str = "omega_std_loadings";
/// `cr_kind` with ordered items: Green & Yang's categorical omega (semTools `compRelSEM(fit)`,
/// `ord.scale = TRUE`).
pub const CR_CATEGORICAL_OMEGA: &str = "categorical_omega";
/// `ave_kind` of the continuous AVE: $\sum l^2/(\sum l^2 + \sum\theta)$ from `std.all`.
pub const AVE_STD_LOADINGS: &str = "std_loadings";
/// `ave_kind` with ordered items: semTools `AVE(fit)`, the common variance of the latent
/// responses over their total variance.
pub const AVE_LATENT_RESPONSES: &str = "latent_responses";
/// `htmt_basis` of continuous items: Pearson correlations.
pub const HTMT_PEARSON: &str = "pearson";
/// `htmt_basis` of ordered items: polychoric correlations (semTools `htmt(ordered = ...)`).
pub const HTMT_POLYCHORIC: &str = "polychoric";
/// `htmt_basis` of a mixed model: polychoric (two ordered items), polyserial (an ordered and a
/// continuous item) and Pearson (two continuous items) correlations, as `lavCor(ordered = ...)`
/// and semTools `htmt(ordered = ...)` compute them.
pub const HTMT_MIXED: &str = "polychoric_polyserial_pearson";

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
    /// HTMT2: the same ratio with geometric instead of arithmetic means of the absolute
    /// correlations (Roemer, Schuberth & Henseler 2021; semTools 0.5.6 `htmt()`'s default
    /// `htmt2 = TRUE`). Null when a factor has a single indicator or a correlation is 0.
    pub htmt2: Option<f64>,
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
    /// Which CR `factors[].cr` is: `omega_std_loadings` (continuous items, the formula of the
    /// module docs) or `categorical_omega` (ordered items: Green & Yang 2009, the reliability of
    /// the sum of the item codes, semTools `compRelSEM(fit)`).
    pub cr_kind: String,
    /// Which AVE `factors[].ave` is: `std_loadings` (continuous) or `latent_responses` (ordered
    /// items: semTools `AVE(fit)`).
    pub ave_kind: String,
    /// The correlations behind the HTMT: `pearson` (continuous items; the EM covariances under
    /// FIML), `polychoric` (ordered items) or `polychoric_polyserial_pearson` (ordered and
    /// continuous items together).
    pub htmt_basis: String,
}

/// Computes [`Validity`] (module docs); `params` are the fit's parameter rows.
pub(crate) fn validity(f: &Fitted, stats: &SampleStats, params: &[Parameter]) -> Validity {
    validity_from(&ValidityInput {
        pt: &f.pt,
        params,
        cov_all: &f.implied[0].cov_all,
        observed: &stats.groups[0].cov,
    })
}

/// What [`validity_from`] needs (group 1 of a fit).
pub(crate) struct ValidityInput<'a> {
    /// The parameter table.
    pub pt: &'a ParTable,
    /// The fit's parameter rows (`std_all`).
    pub params: &'a [Parameter],
    /// Model-implied covariance matrix of all variables (observed first, then latent).
    pub cov_all: &'a DMatrix<f64>,
    /// Covariance (or correlation) matrix of the observed variables that the HTMT uses.
    pub observed: &'a DMatrix<f64>,
}

/// [`Validity`] with the continuous formulas of the module docs.
pub(crate) fn validity_from(inp: &ValidityInput) -> Validity {
    let pt = inp.pt;
    let params = inp.params;
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
    let cov = inp.cov_all;
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
    let s = inp.observed;
    let r = |i: usize, j: usize| (s[(i, j)] / (s[(i, i)] * s[(j, j)]).sqrt()).abs();
    let ov_idx = |n: &String| pt.ov.iter().position(|v| v == n);
    // arithmetic (HTMT) and geometric (HTMT2) means of the absolute correlations
    let means = |pairs: &[(usize, usize)]| -> Option<(f64, f64)> {
        if pairs.is_empty() {
            return None;
        }
        let k = pairs.len() as f64;
        let arith = pairs.iter().map(|&(i, j)| r(i, j)).sum::<f64>() / k;
        let geo = (pairs.iter().map(|&(i, j)| r(i, j).ln()).sum::<f64>() / k).exp();
        Some((arith, geo))
    };
    let mono = |items: &[String]| -> Option<(f64, f64)> {
        let ix: Vec<usize> = items.iter().filter_map(ov_idx).collect();
        let pairs: Vec<(usize, usize)> = ix
            .iter()
            .enumerate()
            .flat_map(|(a, &i)| ix[a + 1..].iter().map(move |&j| (i, j)))
            .collect();
        means(&pairs)
    };
    let ratio = |between: f64, wa: f64, wb: f64| {
        let v = between / (wa * wb).sqrt();
        (wa > 0.0 && wb > 0.0 && v.is_finite()).then_some(v)
    };
    let mut htmt = Vec::new();
    for a in 0..factors.len() {
        for b in a + 1..factors.len() {
            let ia: Vec<usize> = factors[a].1.iter().filter_map(ov_idx).collect();
            let ib: Vec<usize> = factors[b].1.iter().filter_map(ov_idx).collect();
            let pairs: Vec<(usize, usize)> = ia
                .iter()
                .flat_map(|&i| ib.iter().map(move |&j| (i, j)))
                .collect();
            let (val, val2) = match (means(&pairs), mono(&factors[a].1), mono(&factors[b].1)) {
                (Some((h, h2)), Some((ma, ma2)), Some((mb, mb2))) => {
                    (ratio(h, ma, mb), ratio(h2, ma2, mb2))
                }
                _ => (None, None),
            };
            htmt.push(HtmtPair {
                factor1: factors[a].0.clone(),
                factor2: factors[b].0.clone(),
                htmt: val,
                above_cutoff: val.map(|v| v > cutoff),
                htmt2: val2,
            });
        }
    }
    Validity {
        factors: out,
        factor_names: factors.iter().map(|(n, _)| n.clone()).collect(),
        factor_correlations: corr,
        htmt,
        htmt_cutoff: cutoff,
        cr_kind: CR_STD_LOADINGS.into(),
        ave_kind: AVE_STD_LOADINGS.into(),
        htmt_basis: HTMT_PEARSON.into(),
    }
}
