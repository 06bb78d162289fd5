//! The change in the gap between leaders' self-ratings and their collaborators' ratings.

use super::{finite, mean, sd, UnitScores};
use crate::dist::{t_quantile, t_two_sided_p};
use serde::Serialize;
use std::collections::BTreeMap;

/// The self-other gap of one scale.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SelfOtherGap {
    /// Instrument id.
    pub instrument: String,
    /// Subscale id.
    pub scale: String,
    /// Per arm: the gap at each wave and its change.
    pub by_arm: Vec<GapArm>,
    /// Program minus comparison change in the gap (with a comparison arm).
    pub difference: Option<GapDifference>,
}

/// The gap in one arm, over the leaders with a self-rating and collaborators' ratings at both
/// waves; gap = self - collaborators' mean.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GapArm {
    /// Arm.
    pub arm: String,
    /// Leaders with both sources at both waves.
    pub n: usize,
    /// Mean gap at the baseline.
    pub gap_baseline: Option<f64>,
    /// Mean gap at the follow-up.
    pub gap_followup: Option<f64>,
    /// Mean change of the gap (follow-up - baseline).
    pub mean_change: Option<f64>,
    /// SD of the change.
    pub sd_change: Option<f64>,
    /// Paired t of the change.
    pub t: Option<f64>,
    /// n - 1.
    pub df: Option<f64>,
    /// Two-sided p.
    pub p: Option<f64>,
    /// Mean absolute gap at the baseline.
    pub abs_gap_baseline: Option<f64>,
    /// Mean absolute gap at the follow-up.
    pub abs_gap_followup: Option<f64>,
    /// Mean change of the absolute gap (negative: self-ratings moved toward the collaborators').
    pub abs_change: Option<f64>,
}

/// Program minus comparison mean change of the gap.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GapDifference {
    /// `two-sample t (pooled SD)`.
    pub method: String,
    /// Difference of the arms' mean changes of the gap.
    pub estimate: f64,
    /// Its standard error, s_p sqrt(1/n_P + 1/n_C).
    pub se: f64,
    /// 95% interval on n_P + n_C - 2 df.
    pub ci: [f64; 2],
    /// estimate / se.
    pub t: f64,
    /// n_P + n_C - 2.
    pub df: f64,
    /// Two-sided p.
    pub p: f64,
    /// The same for the change of the absolute gap.
    pub abs_estimate: f64,
}

/// The self-other gap per arm and its difference between the arms.
///
/// # Formula
/// Per leader $g_w = \mathrm{self}_w - \overline{\mathrm{collaborators}}_w$; change $c = g_{post} -
/// g_{pre}$; per arm the paired t of $c$; between arms the pooled two-sample t of $c$.
///
/// # Peer
/// R `t.test(g_post, g_pre, paired = TRUE)`; `t.test(c_P, c_C, var.equal = TRUE)`.
pub fn self_other_gap(
    instrument: &str,
    scale: &str,
    selves: &[UnitScores],
    others: &[UnitScores],
    arms: &[String],
) -> SelfOtherGap {
    let other: BTreeMap<&str, &UnitScores> = others.iter().map(|u| (u.unit.as_str(), u)).collect();
    let mut changes: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    let by_arm = arms
        .iter()
        .enumerate()
        .map(|(a, arm)| {
            let gaps: Vec<(f64, f64)> = selves
                .iter()
                .filter(|u| u.arm == a)
                .filter_map(|s| {
                    let o = other.get(s.unit.as_str())?;
                    Some((s.baseline? - o.baseline?, s.followup? - o.followup?))
                })
                .collect();
            let n = gaps.len();
            let nf = n as f64;
            let c: Vec<f64> = gaps.iter().map(|g| g.1 - g.0).collect();
            let ca: Vec<f64> = gaps.iter().map(|g| g.1.abs() - g.0.abs()).collect();
            let some = |v: f64| (n > 0).then_some(v).and_then(finite);
            let mc = some(mean(&c));
            let sc = finite(sd(&c));
            let t = mc
                .zip(sc)
                .filter(|(_, s)| *s > 0.0)
                .map(|(m, s)| m / (s / nf.sqrt()));
            let df = (n >= 2).then_some(nf - 1.0);
            changes.push((c.clone(), ca.clone()));
            GapArm {
                arm: arm.clone(),
                n,
                gap_baseline: some(gaps.iter().map(|g| g.0).sum::<f64>() / nf),
                gap_followup: some(gaps.iter().map(|g| g.1).sum::<f64>() / nf),
                mean_change: mc,
                sd_change: sc,
                t,
                df,
                p: t.zip(df).map(|(t, df)| t_two_sided_p(t, df)),
                abs_gap_baseline: some(gaps.iter().map(|g| g.0.abs()).sum::<f64>() / nf),
                abs_gap_followup: some(gaps.iter().map(|g| g.1.abs()).sum::<f64>() / nf),
                abs_change: some(mean(&ca)),
            }
        })
        .collect();
    let difference = match changes.as_slice() {
        [(p, pa), (c, ca)] if p.len() >= 2 && c.len() >= 2 => {
            let (n1, n2) = (p.len() as f64, c.len() as f64);
            let df = n1 + n2 - 2.0;
            let sp = (((n1 - 1.0) * sd(p).powi(2) + (n2 - 1.0) * sd(c).powi(2)) / df).sqrt();
            let se = sp * (1.0 / n1 + 1.0 / n2).sqrt();
            let est = mean(p) - mean(c);
            let t = est / se;
            let q = t_quantile(0.975, df).unwrap_or(f64::NAN);
            t.is_finite().then(|| GapDifference {
                method: "two-sample t (pooled SD)".into(),
                estimate: est,
                se,
                ci: [est - q * se, est + q * se],
                t,
                df,
                p: t_two_sided_p(t, df),
                abs_estimate: mean(pa) - mean(ca),
            })
        }
        _ => None,
    };
    SelfOtherGap {
        instrument: instrument.into(),
        scale: scale.into(),
        by_arm,
        difference,
    }
}
