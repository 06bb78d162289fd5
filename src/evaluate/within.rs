//! Attrition, means per wave and change within each arm.

use super::{finite, mean, ncp_interval, pearson, sd, UnitScores};
use crate::dist::{t_quantile, t_two_sided_p};
use crate::error::{Warning, WarningCode};
use serde::Serialize;

/// Units of one arm at each wave, and how the drop-outs differed at the baseline.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Attrition {
    /// Arm.
    pub arm: String,
    /// Units with a score at the baseline.
    pub n_baseline: usize,
    /// Units with a score at the follow-up (including units seen only then).
    pub n_followup: usize,
    /// Units with both waves / `n_baseline` (`null` without baseline units).
    pub retained: Option<f64>,
    /// Units with a baseline score and no follow-up.
    pub n_dropouts: usize,
    /// Baseline difference of completers and drop-outs as Cohen's d with the pooled SD:
    /// (mean completers - mean drop-outs) / SD_pooled (`null` with fewer than 2 of either).
    pub dropout_d: Option<f64>,
    /// Its confidence interval (noncentral t; [`dropout_d`](Attrition::dropout_d)).
    pub dropout_d_ci: Option<[f64; 2]>,
}

/// Mean and SD of the units of one arm observed at one wave.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaveMean {
    /// Arm.
    pub arm: String,
    /// `baseline` or `followup`.
    pub wave: String,
    /// Units observed.
    pub n: usize,
    /// Mean of their scores.
    pub mean: Option<f64>,
    /// SD (n - 1).
    pub sd: Option<f64>,
    /// 95% t interval of the mean, mean -/+ qt(.975, n - 1) sd / sqrt(n).
    pub ci: Option<[f64; 2]>,
}

/// Change within one arm, over the units with both waves.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Within {
    /// Arm.
    pub arm: String,
    /// `paired t`.
    pub method: String,
    /// Units with both waves.
    pub n_paired: usize,
    /// Mean at the baseline.
    pub mean_baseline: Option<f64>,
    /// SD at the baseline (n - 1).
    pub sd_baseline: Option<f64>,
    /// Mean at the follow-up.
    pub mean_followup: Option<f64>,
    /// SD at the follow-up.
    pub sd_followup: Option<f64>,
    /// Mean of follow-up - baseline.
    pub mean_change: Option<f64>,
    /// SD of the change.
    pub sd_change: Option<f64>,
    /// 95% t interval of the mean change.
    pub mean_change_ci: Option<[f64; 2]>,
    /// Paired t = mean_change / (sd_change / sqrt(n)).
    pub t: Option<f64>,
    /// n - 1.
    pub df: Option<f64>,
    /// Two-sided p of t.
    pub p: Option<f64>,
    /// Pearson r of baseline and follow-up.
    pub r_test_retest: Option<f64>,
    /// mean_change / sd_change.
    pub d_z: Option<f64>,
    /// 95% interval of d_z: the noncentrality interval of t over sqrt(n) (effectsize's paired
    /// `cohens_d`).
    pub d_z_ci: Option<[f64; 2]>,
    /// mean_change / ((sd_baseline + sd_followup) / 2) (Cumming 2012).
    pub d_av: Option<f64>,
    /// 95% interval of d_av (noncentral t, Algina & Keselman 2003; see [`within`]).
    pub d_av_ci: Option<[f64; 2]>,
    /// d_av (1 - 3 / (4 (n - 1) - 1)).
    pub g_av: Option<f64>,
    /// d_av_ci times the same correction.
    pub g_av_ci: Option<[f64; 2]>,
    /// `noncentral t` (the method of every effect-size interval of the row).
    pub ci_method: String,
}

/// Attrition per arm.
///
/// # Formula
/// `retained` = units with both waves / units at the baseline. The drop-outs' baseline
/// difference: $d = (\bar x_c - \bar x_d)/s_p$, $s_p^2 = ((n_c-1)s_c^2 + (n_d-1)s_d^2)/(n_c+n_d-2)$;
/// its interval is the noncentrality interval of the pooled two-sample $t$ on $n_c + n_d - 2$
/// df times $\sqrt{1/n_c + 1/n_d}$.
///
/// # Peer
/// effectsize 0.8.3 `cohens_d(completers, dropouts)` (pooled SD, "ncp" interval).
pub fn attrition(
    units: &[UnitScores],
    arms: &[String],
    warnings: &mut Vec<Warning>,
) -> Vec<Attrition> {
    arms.iter()
        .enumerate()
        .map(|(a, arm)| {
            let mine: Vec<&UnitScores> = units.iter().filter(|u| u.arm == a).collect();
            let n_baseline = mine.iter().filter(|u| u.baseline.is_some()).count();
            let n_followup = mine.iter().filter(|u| u.followup.is_some()).count();
            let comp: Vec<f64> = mine
                .iter()
                .filter(|u| u.followup.is_some())
                .filter_map(|u| u.baseline)
                .collect();
            let drop: Vec<f64> = mine
                .iter()
                .filter(|u| u.followup.is_none())
                .filter_map(|u| u.baseline)
                .collect();
            let (d, ci) = two_sample_d(&comp, &drop);
            if n_baseline > 0 && !drop.is_empty() && d.is_none() {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    format!(
                        "arm {arm}: the completers' and drop-outs' baseline difference needs at least 2 of each (found {} and {}): dropout_d is null",
                        comp.len(),
                        drop.len()
                    ),
                ));
            }
            Attrition {
                arm: arm.clone(),
                n_baseline,
                n_followup,
                retained: (n_baseline > 0).then(|| comp.len() as f64 / n_baseline as f64),
                n_dropouts: drop.len(),
                dropout_d: d,
                dropout_d_ci: ci,
            }
        })
        .collect()
}

/// Cohen's d of two independent samples with the pooled SD and its noncentral-t interval.
fn two_sample_d(x: &[f64], y: &[f64]) -> (Option<f64>, Option<[f64; 2]>) {
    let (n1, n2) = (x.len(), y.len());
    if n1 < 2 || n2 < 2 {
        return (None, None);
    }
    let df = (n1 + n2 - 2) as f64;
    let sp = (((n1 - 1) as f64 * sd(x).powi(2) + (n2 - 1) as f64 * sd(y).powi(2)) / df).sqrt();
    let diff = mean(x) - mean(y);
    let hn = (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt();
    let d = finite(diff / sp);
    let ci = d
        .and_then(|_| ncp_interval(diff / (sp * hn), df, 0.95))
        .map(|[l, u]| [l * hn, u * hn]);
    (d, ci)
}

/// Means per arm at the baseline and at the follow-up over every unit observed then.
pub fn wave_means(units: &[UnitScores], arms: &[String]) -> Vec<WaveMean> {
    let mut out = Vec::new();
    for (a, arm) in arms.iter().enumerate() {
        for (wave, get) in [
            (
                "baseline",
                (|u: &UnitScores| u.baseline) as fn(&UnitScores) -> Option<f64>,
            ),
            ("followup", |u: &UnitScores| u.followup),
        ] {
            let x: Vec<f64> = units
                .iter()
                .filter(|u| u.arm == a)
                .filter_map(get)
                .collect();
            let n = x.len();
            let m = (n > 0).then(|| mean(&x));
            let s = finite(sd(&x));
            let ci = match (m, s) {
                (Some(m), Some(s)) => t_quantile(0.975, (n - 1) as f64)
                    .map(|q| [m - q * s / (n as f64).sqrt(), m + q * s / (n as f64).sqrt()]),
                _ => None,
            };
            out.push(WaveMean {
                arm: arm.clone(),
                wave: wave.into(),
                n,
                mean: m,
                sd: s,
                ci,
            });
        }
    }
    out
}

/// Change within each arm over the units with both waves.
///
/// # Formula
/// With change $c_i = y_i - x_i$ (follow-up - baseline), $n$ pairs:
/// $t = \bar c/(s_c/\sqrt n)$ on $n-1$ df; $d_z = \bar c/s_c$;
/// $d_{av} = \bar c/((s_x + s_y)/2)$ (Cumming 2012); $g_{av} = d_{av}(1 - 3/(4(n-1)-1))$.
/// Intervals by the noncentral t: with $[\lambda_L, \lambda_U]$ the 95% noncentrality interval of
/// the observed $t$ ([`super::ncp_interval`]), $d_z \in [\lambda_L, \lambda_U]/\sqrt n$, and,
/// taking the standardiser as fixed as Algina & Keselman (2003) do for the dependent-samples
/// effect size, $d_{av} \in [\lambda_L, \lambda_U]\cdot s_c/(\sqrt n\\, (s_x+s_y)/2)$; the $g_{av}$
/// limits are those of $d_{av}$ times the same correction.
///
/// # Peer
/// R `t.test(y, x, paired = TRUE)`, `cor(x, y)`; effectsize 0.8.3
/// `cohens_d(y, x, paired = TRUE)` (= $d_z$ and its interval; its `hedges_g` uses the exact
/// gamma correction, not the contract's approximation).
pub fn within(units: &[UnitScores], arms: &[String], warnings: &mut Vec<Warning>) -> Vec<Within> {
    within_with(units, arms, true, warnings)
}

/// [`within`]; without `intervals` the noncentral-t intervals (`d_z_ci`, `d_av_ci`, `g_av_ci`)
/// are left `null`, which saves their root finding when only the change statistics are needed
/// (the program effect of a power simulation).
pub fn within_with(
    units: &[UnitScores],
    arms: &[String],
    intervals: bool,
    warnings: &mut Vec<Warning>,
) -> Vec<Within> {
    arms.iter()
        .enumerate()
        .map(|(a, arm)| {
            let pairs: Vec<(f64, f64)> = units
                .iter()
                .filter(|u| u.arm == a)
                .filter_map(|u| Some((u.baseline?, u.followup?)))
                .collect();
            let n = pairs.len();
            let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let c: Vec<f64> = pairs.iter().map(|p| p.1 - p.0).collect();
            let nonempty = |v: f64| (n > 0).then_some(v).and_then(finite);
            let (sx, sy, sc) = (finite(sd(&x)), finite(sd(&y)), finite(sd(&c)));
            let mc = nonempty(mean(&c));
            let nf = n as f64;
            let df = (n >= 2).then_some(nf - 1.0);
            let t = match (mc, sc) {
                (Some(m), Some(s)) if s > 0.0 => Some(m / (s / nf.sqrt())),
                _ => None,
            };
            if n < 2 {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    format!("arm {arm}: {n} units with both waves; change statistics need at least 2 (null)"),
                ));
            } else if t.is_none() {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    format!("arm {arm}: every unit changed by the same amount; t, d_z and their intervals are undefined (null)"),
                ));
            }
            let ncp = match (t, df) {
                (Some(t), Some(df)) if intervals => ncp_interval(t, df, 0.95),
                _ => None,
            };
            let s_av = match (sx, sy) {
                (Some(a), Some(b)) if a + b > 0.0 => Some((a + b) / 2.0),
                _ => None,
            };
            let d_av = mc.zip(s_av).map(|(m, s)| m / s);
            let j = (n >= 3).then(|| 1.0 - 3.0 / (4.0 * (nf - 1.0) - 1.0));
            let d_av_ci = match (ncp, sc, s_av) {
                (Some([l, u]), Some(s), Some(av)) => {
                    let k = s / (nf.sqrt() * av);
                    Some([l * k, u * k])
                }
                _ => None,
            };
            let tq = df.and_then(|df| t_quantile(0.975, df));
            Within {
                arm: arm.clone(),
                method: "paired t".into(),
                n_paired: n,
                mean_baseline: nonempty(mean(&x)),
                sd_baseline: sx,
                mean_followup: nonempty(mean(&y)),
                sd_followup: sy,
                mean_change: mc,
                sd_change: sc,
                mean_change_ci: match (mc, sc, tq) {
                    (Some(m), Some(s), Some(q)) => {
                        Some([m - q * s / nf.sqrt(), m + q * s / nf.sqrt()])
                    }
                    _ => None,
                },
                t,
                df,
                p: t.zip(df).map(|(t, df)| t_two_sided_p(t, df)),
                r_test_retest: (n >= 3).then(|| pearson(&x, &y)).and_then(finite),
                d_z: t.and(mc.zip(sc).map(|(m, s)| m / s)),
                d_z_ci: ncp.map(|[l, u]| [l / nf.sqrt(), u / nf.sqrt()]),
                d_av,
                d_av_ci,
                g_av: d_av.zip(j).map(|(d, j)| d * j),
                g_av_ci: d_av_ci.zip(j).map(|([l, u], j)| [l * j, u * j]),
                ci_method: "noncentral t".into(),
            }
        })
        .collect()
}
