//! Reliable change (Jacobson & Truax 1991).

use super::{finite, sd, Source, SourceData, UnitScores, Wave};
use crate::correlation::{covariance, Missing};
use crate::error::{Result, Warning, WarningCode};
use crate::reliability::alpha_of;
use serde::Serialize;
use std::collections::BTreeMap;

/// Reliable change of one scale of one source.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReliableChange {
    /// The reliability of a unit's score (see [`reliable_change`]).
    pub reliability: f64,
    /// `alpha` (self-ratings) or `icc2` (the reliability of a leader's or group's mean rating).
    pub reliability_method: String,
    /// SD (n - 1) of the baseline scores of every unit observed at the baseline.
    pub sd_baseline: f64,
    /// sqrt(2) sd_baseline sqrt(1 - reliability).
    pub se_diff: f64,
    /// Counts per arm.
    pub by_arm: Vec<ReliableArm>,
}

/// Units of one arm by reliable change.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReliableArm {
    /// Arm.
    pub arm: String,
    /// change / se_diff > 1.96.
    pub improved: usize,
    /// |change| / se_diff <= 1.96.
    pub unchanged: usize,
    /// change / se_diff < -1.96.
    pub deteriorated: usize,
}

/// Reliable change per unit with both waves, counted per arm.
///
/// # Formula
/// $RC = (y_{post} - y_{pre})/SE_{diff}$, $SE_{diff} = \sqrt2\\, s_{pre}\sqrt{1 - r_{xx}}$, with
/// $s_{pre}$ the SD of the baseline scores of all units observed at the baseline (both arms);
/// a unit improved when $RC > 1.96$, deteriorated when $RC < -1.96$ (Jacobson & Truax 1991;
/// higher scores are better, reverse keys applied). $r_{xx}$: for self-ratings, raw Cronbach's
/// alpha of the items over all baseline rows, pairwise covariances (psych::alpha); for members'
/// and collaborators' ratings, the reliability of the unit's mean rating, ICC(2) = (MSB - MSW)/MSB
/// of the one-way ANOVA of the baseline row scores by unit (Bliese 2000).
///
/// # Peer
/// R psych 2.2.9 `alpha(items)$total$raw_alpha`; multilevel 2.7 `ICC2(aov(score ~ unit))`.
pub fn reliable_change(
    data: &SourceData,
    units: &[UnitScores],
    arms: &[String],
    warnings: &mut Vec<Warning>,
) -> Result<Option<ReliableChange>> {
    let (rel, method) = match (data.source, &data.baseline_items) {
        (Source::SelfRating, Some(items)) => {
            let rel = covariance(items, Missing::Pairwise)
                .ok()
                .map(|m| alpha_of(&m.cov))
                .and_then(finite);
            (rel, "alpha")
        }
        _ => (icc2(data), "icc2"),
    };
    let Some(rel) = rel else {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("the baseline {method} is undefined (too few rows or no variance): reliable_change is null"),
        ));
        return Ok(None);
    };
    if rel <= 0.0 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("the baseline {method} is {rel:.3} (not positive): se_diff uses it as it is, and no change is reliable"),
        ));
    }
    let base: Vec<f64> = units.iter().filter_map(|u| u.baseline).collect();
    let Some(s) = finite(sd(&base)) else {
        warnings.push(Warning::new(
            WarningCode::Note,
            "fewer than 2 units at the baseline: reliable_change is null",
        ));
        return Ok(None);
    };
    let se_diff = 2f64.sqrt() * s * (1.0 - rel).sqrt();
    let by_arm = arms
        .iter()
        .enumerate()
        .map(|(a, arm)| {
            let mut r = ReliableArm {
                arm: arm.clone(),
                improved: 0,
                unchanged: 0,
                deteriorated: 0,
            };
            for u in units.iter().filter(|u| u.arm == a) {
                if let (Some(x), Some(y)) = (u.baseline, u.followup) {
                    let z = (y - x) / se_diff;
                    if z > 1.96 {
                        r.improved += 1;
                    } else if z < -1.96 {
                        r.deteriorated += 1;
                    } else {
                        r.unchanged += 1;
                    }
                }
            }
            r
        })
        .collect();
    Ok(Some(ReliableChange {
        reliability: rel,
        reliability_method: method.into(),
        sd_baseline: s,
        se_diff,
        by_arm,
    }))
}

/// ICC(2) of the one-way ANOVA of the baseline row scores by unit: (MSB - MSW) / MSB.
fn icc2(data: &SourceData) -> Option<f64> {
    let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in data.ratings.iter().filter(|r| r.wave == Wave::Baseline) {
        by.entry(r.unit.as_str()).or_default().push(r.score);
    }
    let g = by.len() as f64;
    let n: f64 = by.values().map(|v| v.len() as f64).sum();
    if g < 2.0 || n <= g {
        return None;
    }
    let grand = by.values().flatten().sum::<f64>() / n;
    let (mut ssb, mut ssw) = (0.0, 0.0);
    for v in by.values() {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        ssb += v.len() as f64 * (m - grand) * (m - grand);
        ssw += v.iter().map(|x| (x - m) * (x - m)).sum::<f64>();
    }
    let msb = ssb / (g - 1.0);
    let msw = ssw / (n - g);
    finite((msb - msw) / msb)
}
