//! Longitudinal measurement invariance: the same people answer the same items at several waves.
//!
//! The data are wide, one row per person, the items of every wave side by side. One factor per
//! wave is measured by that wave's items; each item's residuals are correlated across waves (the
//! same person answers the same item again).
//!
//! # Formula
//! With factor variances identified by fixing them (`ID.fac = "std.lv"`) and a mean structure:
//! - **configural**: loadings $\lambda_{it}$ and intercepts $\nu_{it}$ free at every wave $t$;
//!   every factor variance 1 and mean 0; factor covariances and the residual covariances
//!   $\theta_{i,tt'}$ of item $i$ between waves $t \ne t'$ free;
//! - **metric**: $\lambda_{it} = \lambda_i$ at every wave; the factor variances of waves
//!   $2, 3, \ldots$ free;
//! - **scalar**: also $\nu_{it} = \nu_i$; the factor means of waves $2, 3, \ldots$ free.
//!
//! The three models are nested; each step is compared with the one before by
//! $\Delta\chi^2$ on $\Delta df$ and by Chen's (2007) $\Delta$CFI and $\Delta$RMSEA cut-offs,
//! exactly as across groups ([`super::invariance`]).
//!
//! # Reference
//! Widaman, K. F., Ferrer, E., & Conger, R. D. (2010). Factorial invariance within
//! longitudinal structural equation models: Measuring the same construct across time.
//! *Child Development Perspectives*, 4(1), 10–18.
//!
//! # Peer
//! lavaan 0.6.14 with `semTools::measEq.syntax(configural.model, data, ID.fac = "std.lv",
//! longFacNames = list(F = c("F1", "F2")), long.equal = c("loadings", "intercepts"),
//! return.fit = TRUE)` and `lavTestLRT()` (`tests/fixtures/evaluate/invariance/generate.R`).
//!
//! # Deviations
//! None in the fitted models: ML, listwise deletion (lavaan's default).

use super::invariance::{difference, finish, judge, step, InvarianceOptions, InvarianceResult};
use super::syntax::{parse, ModelSyntax};
use super::{fit_stats, sample_stats, CfaOptions, Estimator, GroupSummary};
use crate::data::ItemData;
use crate::error::{Error, Result, Warning};

/// The name of item `item` at wave number `t` (0-based) in the wide data.
pub fn wide_name(item: &str, t: usize) -> String {
    format!("{item}__w{}", t + 1)
}

/// The factor of wave number `t` (0-based).
fn factor(t: usize) -> String {
    format!("Fwave{}", t + 1)
}

/// The model of one step (`configural`, `metric` or `scalar`) in lavaan syntax.
///
/// Items are named with [`wide_name`]; labels `l<i>` tie loadings and `n<i>` intercepts across
/// waves.
pub fn step_syntax(items: &[String], waves: usize, step: &str) -> String {
    let metric = step != "configural";
    let scalar = step == "scalar";
    let mut s = String::new();
    for t in 0..waves {
        let terms: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let label = if metric {
                    format!("l{}*", i + 1)
                } else {
                    String::new()
                };
                format!("NA*{label}{}", wide_name(it, t))
            })
            .collect();
        s.push_str(&format!("{} =~ {}\n", factor(t), terms.join(" + ")));
    }
    for (i, it) in items.iter().enumerate() {
        for t in 0..waves {
            let label = if scalar {
                format!("n{}*", i + 1)
            } else {
                String::new()
            };
            s.push_str(&format!("{} ~ {label}1\n", wide_name(it, t)));
        }
        for t in 0..waves {
            for u in t + 1..waves {
                s.push_str(&format!("{} ~~ {}\n", wide_name(it, t), wide_name(it, u)));
            }
        }
    }
    for t in 0..waves {
        let first = t == 0;
        let var = if first || !metric { "1*" } else { "NA*" };
        let mean = if first || !scalar { "0*" } else { "NA*" };
        s.push_str(&format!("{f} ~~ {var}{f}\n{f} ~ {mean}1\n", f = factor(t)));
        for u in t + 1..waves {
            s.push_str(&format!("{} ~~ {}\n", factor(t), factor(u)));
        }
    }
    s
}

/// Fits the configural, metric and scalar longitudinal models and judges each step.
///
/// `data` holds one row per person and the columns [`wide_name`]`(item, t)` for every item and
/// wave; `waves` names the waves (their order is `t`). The result's `groups` lists the waves,
/// each with the complete rows used.
///
/// # Formula
/// See the module docs.
///
/// # Errors
/// [`Error::InvalidOption`] with fewer than two waves or items, an ordered or least-squares
/// estimator, or FIML (listwise ML or MLR only); as [`super::cfa`] otherwise.
pub fn longitudinal_invariance(
    data: &ItemData,
    items: &[String],
    waves: &[String],
    opts: &CfaOptions,
    cut: &InvarianceOptions,
) -> Result<InvarianceResult> {
    opts.validate()?;
    cut.validate()?;
    if waves.len() < 2 || items.len() < 2 {
        return Err(Error::option(
            "waves",
            format!(
                "longitudinal invariance needs at least two waves and two items, found {} and {}",
                waves.len(),
                items.len()
            ),
        ));
    }
    if !opts.ordered.is_none()
        || opts.estimator.is_least_squares()
        || opts.missing != super::MissingData::Listwise
    {
        return Err(Error::option(
            "--estimator",
            "longitudinal invariance is fitted by ML or MLR with listwise deletion",
        ));
    }
    let models: Vec<(&str, ModelSyntax)> = ["configural", "metric", "scalar"]
        .into_iter()
        .map(|name| {
            parse(&step_syntax(items, waves.len(), name), "longitudinal model").map(|m| (name, m))
        })
        .collect::<Result<_>>()?;
    let probe = super::partable::build(&models[0].1, &Default::default())?;
    let (stats, warnings) = sample_stats(data, &probe.ov, None, opts.estimator == Estimator::Mlr)?;
    let n = stats.groups.first().map(|g| g.n).unwrap_or(0);
    let mut warnings = warnings;
    let mut fitted = Vec::new();
    let mut steps = Vec::new();
    for (name, model) in &models {
        let o = CfaOptions {
            group_equal: Vec::new(),
            modification_indices: false,
            validity: false,
            ..opts.clone()
        };
        let r = fit_stats(model, &stats, &o, &mut Vec::new())?;
        for wn in &r.warnings {
            warnings.push(Warning::new(
                wn.code,
                format!("{name} model: {}", wn.message),
            ));
        }
        let mut s = step(name, &r);
        if let Some(prev) = fitted.last() {
            let (d, ddf, pd) = difference(prev, &r);
            s.chisq_diff = d;
            s.df_diff = ddf;
            s.p_diff = pd;
            judge(&mut s, prev, &r, cut);
        }
        steps.push(s);
        fitted.push(r);
    }
    let groups = waves
        .iter()
        .enumerate()
        .map(|(g, w)| GroupSummary {
            group: g + 1,
            label: w.clone(),
            n,
        })
        .collect();
    let test = if opts.estimator == Estimator::Mlr {
        "satorra.bentler.2001"
    } else {
        "chisq difference"
    };
    Ok(finish(groups, steps, fitted, warnings, test.into(), cut))
}
