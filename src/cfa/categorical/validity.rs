//! Construct validity of an ordered-item fit: composite reliability as Green & Yang's
//! categorical omega, AVE of the latent responses, Fornell–Larcker, and the HTMT of the
//! polychoric correlations.
//!
//! # Formula
//! For factor $f$ with indicators $I_f$ (every item with a non-zero loading on $f$), raw
//! loadings $\lambda_{if}$, thresholds $\tau_{ic}$, the model-implied factor variance
//! $\phi_{ff}$, the sample polychoric correlations $r$ and the scaling factors
//! $s_i = 1/\sqrt{\operatorname{var}(y^*_i)}$ (1 in the delta parameterization):
//! - CR: the categorical omega of the sum of the item codes of $I_f$
//!   ([`crate::correlation::categorical_omega::categorical_omega`], numerator
//!   $\lambda_{if}\lambda_{jf}\phi_{ff}$, denominator $r$);
//! - AVE: $\phi_{ff}\sum_{i\in I_f}\lambda_{if}^2 / \sum_{i\in I_f}\operatorname{var}(y^*_i)$
//!   with the variances $1/s_i^2$ (1 under delta); null when an indicator of $f$ loads on
//!   another factor too;
//! - Fornell–Larcker and the factor correlations as for continuous items;
//! - HTMT: the formula of [`crate::cfa::validity`] on the polychoric correlations.
//!
//! Factors with a single indicator get no CR or AVE (semTools' `dropSingle`).
//!
//! # Reference
//! Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation
//! modeling: An alternative to coefficient alpha. *Psychometrika*, 74(1), 155–167.
//! Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
//! unobservable variables and measurement error. *Journal of Marketing Research*, 18(1), 39–50.
//! Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
//! discriminant validity in variance-based structural equation modeling. *Journal of the
//! Academy of Marketing Science*, 43(1), 115–135.
//!
//! # Peer
//! semTools 0.5.6 on a lavaan 0.6.14 ordered fit: `compRelSEM(fit)` (defaults `ord.scale =
//! TRUE`, `obs.var = TRUE`), `AVE(fit)`, `htmt(model, data, ordered = items)`
//! (`tests/cfa_ordered_mi.rs`, one- and multi-factor models, delta and theta).
//!
//! # Deviations
//! None in the compared values. The CR sums the item codes as stored: with reverse-keyed items
//! it is the reliability of that (cancelling) sum, as semTools computes it.

use crate::cfa::partable::ParTable;
use crate::cfa::syntax::Op;
use crate::cfa::validity::{
    validity_from, Validity, ValidityInput, AVE_LATENT_RESPONSES, CR_CATEGORICAL_OMEGA, HTMT_MIXED,
    HTMT_POLYCHORIC,
};
use crate::cfa::Parameter;
use crate::correlation::categorical_omega::{categorical_omega, OrdinalFactor};
use nalgebra::DMatrix;

/// What [`ordered_validity`] needs from the fit.
pub(crate) struct OrderedValidityInput<'a> {
    pub pt: &'a ParTable,
    pub params: &'a [Parameter],
    /// Row values as reported.
    pub values: &'a [f64],
    /// Model-implied covariance matrix of all variables (None if it could not be formed).
    pub cov_all: Option<&'a DMatrix<f64>>,
    /// Sample polychoric correlations, in the order of `pt.ov`.
    pub cor: &'a DMatrix<f64>,
    /// Continuous (true) or ordered (false), per observed variable (order of `pt.ov`).
    pub numeric: &'a [bool],
    /// Theta parameterization.
    pub theta: bool,
}

/// Whether `factor` has both ordered and continuous indicators.
pub(crate) fn mixes_indicators(pt: &ParTable, numeric: &[bool], factor: &str) -> bool {
    let kinds: Vec<bool> = pt
        .indicators(factor)
        .iter()
        .filter_map(|i| pt.ov.iter().position(|o| o == i))
        .map(|j| numeric.get(j).copied().unwrap_or(false))
        .collect();
    kinds.iter().any(|&b| b) && kinds.iter().any(|&b| !b)
}

/// Construct validity with ordered items (module docs).
pub(crate) fn ordered_validity(inp: &OrderedValidityInput) -> Validity {
    let pt = inp.pt;
    let nvar = pt.ov.len() + pt.lv.len();
    let nan = DMatrix::from_element(nvar, nvar, f64::NAN);
    let cov = inp.cov_all.unwrap_or(&nan);
    let mut v = validity_from(&ValidityInput {
        pt,
        params: inp.params,
        cov_all: cov,
        observed: inp.cor,
    });
    v.cr_kind = CR_CATEGORICAL_OMEGA.into();
    v.ave_kind = AVE_LATENT_RESPONSES.into();
    v.htmt_basis = if inp.numeric.iter().any(|&b| b) {
        HTMT_MIXED.into()
    } else {
        HTMT_POLYCHORIC.into()
    };
    let is_numeric = |j: usize| inp.numeric.get(j).copied().unwrap_or(false);
    let value = |lhs: &str, op: Op, rhs: &str| {
        pt.rows
            .iter()
            .zip(inp.values)
            .find(|(r, _)| r.group == 1 && r.op == op && r.lhs == lhs && r.rhs == rhs)
            .map(|(_, v)| *v)
    };
    let loads_elsewhere = |item: &str, factor: &str| {
        pt.rows.iter().zip(inp.values).any(|(r, v)| {
            r.group == 1
                && r.op == Op::Measure
                && r.rhs == item
                && r.lhs != factor
                && (v * 1e5).round() != 0.0
        })
    };
    for fv in &mut v.factors {
        let k = fv.items.len();
        let fi = pt.var_index(&fv.factor);
        let phi = fi.map_or(f64::NAN, |i| cov[(i, i)]);
        let idx: Vec<Option<usize>> = fv
            .items
            .iter()
            .map(|n| pt.ov.iter().position(|o| o == n))
            .collect();
        let loadings: Option<Vec<f64>> = fv
            .items
            .iter()
            .map(|i| value(&fv.factor, Op::Measure, i))
            .collect();
        let (Some(loadings), Some(idx)) = (loadings, idx.into_iter().collect::<Option<Vec<_>>>())
        else {
            fv.cr = None;
            fv.ave = None;
            continue;
        };
        if k < 2 || loadings.iter().all(|l| *l == 0.0) {
            fv.cr = None;
            fv.ave = None;
        } else {
            // continuous items: their sample variance (semTools' obs.var = TRUE)
            let var_y: Vec<f64> = idx
                .iter()
                .map(|&j| {
                    if is_numeric(j) {
                        inp.cor[(j, j)]
                    } else if inp.theta {
                        cov[(j, j)]
                    } else {
                        1.0
                    }
                })
                .collect();
            let thresholds: Vec<Vec<f64>> = fv
                .items
                .iter()
                .map(|item| {
                    pt.rows
                        .iter()
                        .zip(inp.values)
                        .filter(|(r, _)| r.group == 1 && r.op == Op::Threshold && r.lhs == *item)
                        .map(|(_, v)| *v)
                        .collect()
                })
                .collect();
            let model = OrdinalFactor {
                loadings: loadings.clone(),
                factor_variance: phi,
                thresholds,
                scales: var_y.iter().map(|v| 1.0 / v.sqrt()).collect(),
            };
            let r = DMatrix::from_fn(k, k, |a, b| inp.cor[(idx[a], idx[b])]);
            let n_numeric = idx.iter().filter(|&&j| is_numeric(j)).count();
            fv.cr = if n_numeric == 0 {
                categorical_omega(&model, &r).ok()
            } else if n_numeric == k {
                // continuous indicators only: omega over the sample variance of their sum
                let sum_l: f64 = loadings.iter().sum();
                let total = r.sum();
                Some(sum_l * sum_l * phi / total).filter(|v| v.is_finite())
            } else {
                // semTools' compRelSEM() gives NA (the note is added by the caller)
                None
            };
            let cross = fv.items.iter().any(|i| loads_elsewhere(i, &fv.factor));
            let common: f64 = phi * loadings.iter().map(|l| l * l).sum::<f64>();
            let total: f64 = var_y.iter().sum();
            let ave = common / total;
            fv.ave = (!cross && ave.is_finite()).then_some(ave);
        }
        fv.sqrt_ave = fv.ave.filter(|a| *a >= 0.0).map(f64::sqrt);
        fv.fornell_larcker = match (fv.sqrt_ave, fv.max_factor_correlation) {
            (Some(s), Some(m)) => Some(s > m),
            _ => None,
        };
    }
    v
}
