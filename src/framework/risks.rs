//! Claim 2, competencies and risks: each competency helps groups manage the risk types its
//! metadata name (`risks`), so its association with the members' concern about those risks
//! should be stronger than with the other risks.
//!
//! # Formula
//! On $n$ complete groups, competency $j$ (group mean of the collaborators' ratings) and risk
//! $k$ (group mean of the members' concern): the partial correlation of $x_j$ and $y_k$ given
//! the other competencies, from $P = R^{-1}$ with $R$ the correlation matrix of
//! $(x_1, \dots, x_p, y_k)$:
//! $$r_{jk\cdot} = \frac{-P_{j,y}}{\sqrt{P_{jj}P_{yy}}}.$$
//! A competency that *helps manage* a risk lowers concern about it, so a link's strength is
//! $s_{jk} = -\operatorname{atanh}(r_{jk\cdot})$ (Fisher's $z$ with the sign turned: positive
//! when more of the competency goes with less concern). With $L$ the claimed links (a
//! competency's `risks` share a type with the risk subscale's `risks`) and $U$ the others,
//! $$D = \frac{1}{|L|}\sum_{(j,k)\in L} s_{jk} - \frac{1}{|U|}\sum_{(j,k)\in U} s_{jk}.$$
//! Every partial correlation and $D$ get percentile bootstrap intervals over groups
//! ([`super::bootstrap`]); the claim is *supported* when the interval of $D$ lies above zero,
//! *contrary* when it lies below.
//!
//! # Peer
//! Partial correlations as R `ppcor::pcor` / `-cov2cor(solve(cor(cbind(x, y))))`, pinned with
//! base R in tests/fixtures/framework/generate.R; intervals as R `quantile` on the same
//! resample indices.

use super::bootstrap::{percentile_intervals, usable, ResamplePlan};
use super::{
    correlation_of_rows, too_few, BootstrapInfo, Claim, ClaimVerdict, Competency, Estimate,
    FrameworkOptions,
};
use crate::error::{Error, Result};
use nalgebra::DMatrix;
use serde::Serialize;

/// A risk subscale (of the risk instrument) and the risk types it measures.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RiskScale {
    /// Subscale id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Risk types it measures (its `risks`).
    pub risks: Vec<String>,
}

/// One competency x risk association.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RiskLink {
    /// Competency (subscale id).
    pub competency: String,
    /// Risk (subscale id of the risk instrument).
    pub risk: String,
    /// Whether the competency's metadata claim this link.
    pub claimed: bool,
    /// Partial correlation given the other competencies, with its interval.
    pub partial_r: Estimate,
}

/// Result of [`risk_links`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RiskResult {
    /// Complete groups used.
    pub n: usize,
    /// Competencies (subscale ids), rows of the matrix.
    pub competencies: Vec<String>,
    /// Risks (subscale ids), columns of the matrix.
    pub risks: Vec<String>,
    /// Every competency x risk link, competency by competency.
    pub links: Vec<RiskLink>,
    /// Claimed links.
    pub n_claimed: usize,
    /// Links not claimed.
    pub n_unclaimed: usize,
    /// Mean strength (negated Fisher z of the partial correlation) of the claimed links.
    pub strength_claimed: Estimate,
    /// Mean strength of the other links.
    pub strength_unclaimed: Estimate,
    /// `strength_claimed - strength_unclaimed`.
    pub diff: Estimate,
    /// The bootstrap.
    pub bootstrap: BootstrapInfo,
    /// The verdict.
    pub verdicts: Vec<ClaimVerdict>,
}

/// Partial correlations of every competency with every risk (see the module docs), from the
/// correlation matrix of `(x_1..x_p, y_1..y_K)`: `[j * K + k]`.
fn partials(c: &DMatrix<f64>, p: usize, k: usize) -> Option<Vec<f64>> {
    let mut out = vec![0.0; p * k];
    for r in 0..k {
        let mut idx: Vec<usize> = (0..p).collect();
        idx.push(p + r);
        let sub = c.select_rows(&idx).select_columns(&idx);
        let inv = sub.cholesky()?.inverse();
        for j in 0..p {
            out[j * k + r] = -inv[(j, p)] / (inv[(j, j)] * inv[(p, p)]).sqrt();
        }
    }
    Some(out)
}

/// The statistics of one correlation matrix: the $pK$ partial correlations, then the mean
/// strength of claimed and of unclaimed links and their difference.
fn statistics(c: &DMatrix<f64>, p: usize, k: usize, claimed: &[bool]) -> Option<Vec<f64>> {
    let mut v = partials(c, p, k)?;
    let (mut sl, mut nl, mut su, mut nu) = (0.0, 0usize, 0.0, 0usize);
    for (r, &cl) in v.iter().zip(claimed) {
        let s = -r.atanh();
        if cl {
            sl += s;
            nl += 1;
        } else {
            su += s;
            nu += 1;
        }
    }
    let (ml, mu) = (sl / nl as f64, su / nu as f64);
    v.extend([ml, mu, ml - mu]);
    Some(v)
}

/// Claim 2 on `n` complete groups: `x` (`n x p`, the competencies' group means) and `y`
/// (`n x K`, the risk subscales' group means).
///
/// # Errors
/// [`Error::TooFewRows`] with fewer than `max(min_units, p + 3)` groups;
/// [`Error::InvalidOption`] when no link, or every link, is claimed (nothing to compare);
/// [`Error::NotPositiveDefinite`] for a singular correlation matrix.
pub fn risk_links(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    competencies: &[Competency],
    scales: &[RiskScale],
    opts: &FrameworkOptions,
) -> Result<RiskResult> {
    let plan = ResamplePlan::new(x.nrows(), opts.bootstrap, opts.seed);
    risk_links_with_plan(x, y, competencies, scales, opts, &plan)
}

/// [`risk_links`] with given resamples (for checking the intervals against a peer).
pub fn risk_links_with_plan(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    competencies: &[Competency],
    scales: &[RiskScale],
    opts: &FrameworkOptions,
    plan: &ResamplePlan,
) -> Result<RiskResult> {
    opts.validate()?;
    let (n, p, k) = (x.nrows(), x.ncols(), y.ncols());
    if p == 0 || k == 0 || p != competencies.len() || k != scales.len() || y.nrows() != n {
        return Err(Error::option(
            "--study",
            "the competencies and the risks must have one value per group",
        ));
    }
    let needed = opts.min_units.max(p + 3);
    if n < needed {
        return Err(too_few(needed, n));
    }
    let claimed: Vec<bool> = competencies
        .iter()
        .flat_map(|c| {
            scales
                .iter()
                .map(|s| s.risks.iter().any(|r| c.risks.contains(r)))
                .collect::<Vec<_>>()
        })
        .collect();
    let n_claimed = claimed.iter().filter(|c| **c).count();
    if n_claimed == 0 || n_claimed == claimed.len() {
        return Err(Error::option(
            "--study",
            if n_claimed == 0 {
                "no competency claims a risk type that the risk instrument measures"
            } else {
                "every competency x risk link is claimed: there are no other links to compare with"
            },
        ));
    }
    let mut data = DMatrix::<f64>::zeros(n, p + k);
    data.columns_mut(0, p).copy_from(x);
    data.columns_mut(p, k).copy_from(y);
    let singular = || Error::NotPositiveDefinite {
        what: "the correlation matrix of the competencies and a risk".into(),
        index: "group means".into(),
    };
    let c = correlation_of_rows(&data, None).ok_or_else(singular)?;
    let full = statistics(&c, p, k, &claimed).ok_or_else(singular)?;
    if plan.indices.iter().flatten().any(|&i| i >= n) {
        return Err(Error::option(
            "--bootstrap",
            "a resample names a group that is not there",
        ));
    }
    let boot = plan.run(|idx| statistics(&correlation_of_rows(&data, Some(idx))?, p, k, &claimed));
    let cis = percentile_intervals(&boot, full.len(), opts.ci);
    let est = |i: usize| Estimate::new(full[i], cis[i]);
    let mut links = Vec::with_capacity(p * k);
    for (j, comp) in competencies.iter().enumerate() {
        for (r, scale) in scales.iter().enumerate() {
            links.push(RiskLink {
                competency: comp.id.clone(),
                risk: scale.id.clone(),
                claimed: claimed[j * k + r],
                partial_r: est(j * k + r),
            });
        }
    }
    let diff = est(p * k + 2);
    let verdict = ClaimVerdict {
        claim: Claim::Risks,
        subject: "links".into(),
        statement: "Each competency helps groups manage particular risks".into(),
        verdict: diff.verdict(1.0),
        estimate: diff.estimate,
        ci: diff.ci,
        method: format!(
            "mean negated Fisher z of the partial correlations (each competency given the others), claimed ({n_claimed}) minus unclaimed ({}) links (positive: the claimed risks go with less concern), {}% percentile bootstrap over groups ({} resamples)",
            claimed.len() - n_claimed,
            (100.0 * opts.ci).round(),
            plan.indices.len()
        ),
        n: Some(n),
        reason: None,
    };
    Ok(RiskResult {
        n,
        competencies: competencies.iter().map(|c| c.id.clone()).collect(),
        risks: scales.iter().map(|s| s.id.clone()).collect(),
        links,
        n_claimed,
        n_unclaimed: claimed.len() - n_claimed,
        strength_claimed: est(p * k),
        strength_unclaimed: est(p * k + 1),
        diff,
        bootstrap: BootstrapInfo {
            resamples: plan.indices.len(),
            usable: usable(&boot),
            seed: opts.seed,
            ci: opts.ci,
            unit: "groups",
        },
        verdicts: vec![verdict],
    })
}
