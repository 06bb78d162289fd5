//! Within-group agreement (rwg, rwg(j), AD) and Bliese's ICC(1)/ICC(2) for aggregation.

use crate::dist::f_sf;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::numeric::quantile::{median, quantile_sorted};
use crate::numeric::rng::stream;
use rand::Rng;
use serde::Serialize;

/// The null (no agreement) response distribution whose variance $\sigma^2_E$ rwg compares with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Null {
    /// Uniform over the $A$ points: $\sigma^2_E = (A^2-1)/12$.
    Uniform,
    /// Slightly skewed (5-point: .05 .15 .20 .35 .25, variance 1.34).
    SlightSkew,
    /// Moderately skewed (5-point: 0 .10 .15 .40 .35, variance 0.90).
    ModerateSkew,
    /// Heavily skewed (5-point: 0 0 .10 .40 .50, variance 0.44).
    HeavySkew,
    /// Triangular (5-point: .11 .22 .34 .22 .11, variance 1.32).
    Triangular,
    /// A variance given by the user.
    Variance(f64),
}

impl Null {
    /// Parses `uniform|slight-skew|moderate-skew|heavy-skew|triangular`.
    pub fn parse(s: &str) -> Result<Null> {
        Ok(match s {
            "uniform" => Null::Uniform,
            "slight-skew" => Null::SlightSkew,
            "moderate-skew" => Null::ModerateSkew,
            "heavy-skew" => Null::HeavySkew,
            "triangular" => Null::Triangular,
            other => {
                return Err(Error::option(
                    "--null",
                    format!("expected uniform, slight-skew, moderate-skew, heavy-skew or triangular, found \"{other}\""),
                ))
            }
        })
    }

    /// The name `--null` takes (`uniform`, `slight-skew`, ...); `None` for a variance given by
    /// the user (`--null-variance`).
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Null::Uniform => "uniform",
            Null::SlightSkew => "slight-skew",
            Null::ModerateSkew => "moderate-skew",
            Null::HeavySkew => "heavy-skew",
            Null::Triangular => "triangular",
            Null::Variance(_) => return None,
        })
    }

    /// The null variance for an `a`-point scale.
    ///
    /// # Formula
    /// The variance $\sum_c p_c c^2 - (\sum_c p_c c)^2$ of the null's category proportions. The
    /// skewed and triangular nulls are the proportions tabulated for 5-point scales by James,
    /// Demaree & Wolf (1984) and LeBreton & Senter (2008); for other scales the triangular null is
    /// the discrete triangle $p_c \propto \min(c, A+1-c)$ and the skewed nulls need the published
    /// variance for that scale, given with `--null-variance`.
    pub fn variance(&self, a: usize) -> Result<f64> {
        let var_of = |p: &[f64]| {
            let m: f64 = p.iter().enumerate().map(|(i, p)| p * (i + 1) as f64).sum();
            let m2: f64 = p
                .iter()
                .enumerate()
                .map(|(i, p)| p * ((i + 1) as f64).powi(2))
                .sum();
            m2 - m * m
        };
        if a < 2 {
            return Err(Error::option(
                "--scale-points",
                "expected at least 2 response options",
            ));
        }
        let five = a == 5;
        let need_five = |name: &str| {
            Error::option(
                "--null",
                format!("the {name} null is tabulated for 5-point scales only; give its variance for a {a}-point scale with --null-variance"),
            )
        };
        Ok(match self {
            Null::Uniform => ((a * a) as f64 - 1.0) / 12.0,
            Null::SlightSkew if five => var_of(&[0.05, 0.15, 0.20, 0.35, 0.25]),
            Null::ModerateSkew if five => var_of(&[0.0, 0.10, 0.15, 0.40, 0.35]),
            Null::HeavySkew if five => var_of(&[0.0, 0.0, 0.10, 0.40, 0.50]),
            Null::Triangular if five => var_of(&[0.11, 0.22, 0.34, 0.22, 0.11]),
            Null::Triangular => {
                let w: Vec<f64> = (1..=a).map(|c| c.min(a + 1 - c) as f64).collect();
                let t: f64 = w.iter().sum();
                var_of(&w.iter().map(|x| x / t).collect::<Vec<_>>())
            }
            Null::SlightSkew => return Err(need_five("slight-skew")),
            Null::ModerateSkew => return Err(need_five("moderate-skew")),
            Null::HeavySkew => return Err(need_five("heavy-skew")),
            Null::Variance(v) if *v > 0.0 => *v,
            Null::Variance(_) => {
                return Err(Error::option(
                    "--null-variance",
                    "expected a positive variance",
                ))
            }
        })
    }
}

impl std::str::FromStr for Null {
    type Err = Error;

    /// As [`Null::parse`].
    fn from_str(s: &str) -> Result<Null> {
        Null::parse(s)
    }
}

/// Cut-offs of the aggregation verdict.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AggregationCutoffs {
    /// Minimum mean rwg(j) (customary .70).
    pub rwg: f64,
    /// Minimum ICC(1) (customary .05), also required to be significant.
    pub icc1: f64,
    /// Minimum ICC(2) (customary .70).
    pub icc2: f64,
    /// Significance level of ICC(1)'s F test.
    pub alpha: f64,
}

impl Default for AggregationCutoffs {
    fn default() -> Self {
        AggregationCutoffs {
            rwg: 0.70,
            icc1: 0.05,
            icc2: 0.70,
            alpha: 0.05,
        }
    }
}

/// Options of [`rwg`].
#[derive(Debug, Clone)]
pub struct RwgOptions {
    /// Number of response options $A$.
    pub scale_points: usize,
    /// Null distribution.
    pub null: Null,
    /// Cut-offs of the aggregation verdict.
    pub cutoffs: AggregationCutoffs,
    /// Random-group resampling: number of pseudo groups to form (multilevel's `nrangrps`).
    pub rgr: Option<usize>,
    /// Seed of the resampling.
    pub seed: u64,
}

/// One group's agreement.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupAgreement {
    /// Group id (as text).
    pub group: String,
    /// Members with complete responses.
    pub n: usize,
    /// rwg(j) (rwg for one item); `null` for a one-member group.
    pub rwg_j: Option<f64>,
    /// Average deviation about the group mean, averaged over items.
    pub ad_mean: Option<f64>,
    /// Average deviation about the group median, averaged over items.
    pub ad_median: Option<f64>,
    /// Group mean of the scale (item mean).
    pub mean: f64,
}

/// F test of the one-way ANOVA behind ICC(1).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnovaF {
    /// F = MSB/MSW.
    pub f: f64,
    /// Between-groups df.
    pub df1: f64,
    /// Within-groups df.
    pub df2: f64,
    /// Upper-tail p.
    pub p: f64,
}

/// The aggregation verdict.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Aggregation {
    /// Whether every criterion is met.
    pub supported: bool,
    /// One line per criterion, met or not.
    pub reasons: Vec<String>,
}

/// Random-group resampling (Bliese's rgr.agree) of the within-group variance.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RandomGroups {
    /// Pseudo groups formed.
    pub n_random_groups: usize,
    /// Mean within-group variance of the real groups.
    pub mean_group_variance: f64,
    /// Mean within-group variance of the pseudo groups.
    pub mean_random_variance: f64,
    /// Their standard deviation.
    pub sd_random_variance: f64,
    /// $z = (\bar v_{group} - \bar v_{random})/(s_{random}/\sqrt{G})$ (negative = real groups agree more).
    pub z: f64,
    /// Mean rwg(j) of the pseudo groups.
    pub mean_random_rwg_j: f64,
    /// 95th percentile of the pseudo groups' rwg(j).
    pub random_rwg_j_p95: f64,
}

/// Result of [`rwg`]; keys as in the CLI contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RwgResult {
    /// Groups with at least one complete respondent.
    pub n_groups: usize,
    /// Respondents used (complete on the items and the group).
    pub n: usize,
    /// Items.
    pub k: usize,
    /// ICC(1) of the one-way ANOVA of the item mean on the group (Bliese).
    pub icc1: f64,
    /// ICC(2), the reliability of group means.
    pub icc2: f64,
    /// F test of the ANOVA.
    pub anova: AnovaF,
    /// Null variance used.
    pub null_variance: f64,
    /// Per group.
    pub groups: Vec<GroupAgreement>,
    /// Mean rwg(j) over groups with two or more members.
    pub mean_rwg_j: f64,
    /// Median rwg(j).
    pub median_rwg_j: f64,
    /// Share of groups with rwg(j) at or above the cut-off.
    pub share_rwg_j_above: f64,
    /// Mean AD (about the mean).
    pub mean_ad: f64,
    /// The aggregation verdict.
    pub aggregation: Aggregation,
    /// Random-group resampling, when asked.
    pub random_groups: Option<RandomGroups>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

fn var(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)
}

/// rwg(j) from the mean item variance $S$ of a group.
///
/// # Formula
/// $$r_{wg(J)} = \frac{J(1 - S/\sigma^2_E)}{J(1 - S/\sigma^2_E) + S/\sigma^2_E}$$
/// with $S$ capped at $\sigma^2_E$ (so more disagreement than the null gives 0, as R multilevel
/// does); for $J = 1$ this is $r_{wg} = 1 - s^2/\sigma^2_E$.
pub fn rwg_j_of(s: f64, j: usize, null_var: f64) -> f64 {
    let s = s.min(null_var);
    let jf = j as f64;
    let a = jf * (1.0 - s / null_var);
    a / (a + s / null_var)
}

/// Checks answers against `points` response categories given as a count (`--scale-points A`):
/// answers (or scale means, as R multilevel takes them) lie in `1..=A`, or in `0..=A-1` when a
/// 0 occurs. The first answer outside is an error naming its row and column.
pub fn check_codes(data: &crate::data::ItemData, points: usize) -> Result<()> {
    let zero_based = data.values.contains(&0.0);
    let lo = if zero_based { 0.0 } else { 1.0 };
    data.check_range(lo, lo + points as f64 - 1.0)
}

/// Within-group agreement of `k` items (row-major `values`, `n x k`, complete rows) in groups.
///
/// # Formula
/// Per group: $S$ = mean over items of the item variances (divisor $n_g - 1$), rwg(j) by
/// [`rwg_j_of`]; $AD_M = \frac1J\sum_j \frac1{n_g}\sum_i |x_{ij} - \bar x_j|$ (and about the
/// median). Over groups, from the one-way ANOVA of each respondent's item mean on the group,
/// $$ICC(1) = \frac{MSB - MSW}{MSB + (N/G - 1)MSW},\qquad ICC(2) = \frac{MSB - MSW}{MSB}.$$
///
/// # Reference
/// James, L. R., Demaree, R. G., & Wolf, G. (1984). *Journal of Applied Psychology, 69*, 85–98.
/// Burke, M. J., Finkelstein, L. M., & Dusig, M. S. (1999). *Organizational Research Methods, 2*,
/// 49–68. Bliese, P. D. (2000). In Klein & Kozlowski (Eds.), *Multilevel theory, research, and
/// methods in organizations* (pp. 349–381). LeBreton, J. M., & Senter, J. L. (2008).
/// *Organizational Research Methods, 11*, 815–852.
///
/// # Peer
/// R multilevel 2.7: `rwg`, `rwg.j`, `ad.m(type = "mean")`, `ICC1`, `ICC2` (of `aov`),
/// `rgr.agree`. Like multilevel, rows with a missing item or group are dropped first, a
/// one-member group has no rwg(j) or AD, and a mean item variance above the null variance is
/// capped at it (rwg(j) = 0).
pub fn rwg(values: &[f64], k: usize, groups: &[String], opts: &RwgOptions) -> Result<RwgResult> {
    let null_var = opts.null.variance(opts.scale_points)?;
    let n = groups.len();
    if k == 0 || values.len() != n * k {
        return Err(Error::option("--items", "expected at least one item"));
    }
    // group rows, keeping first-appearance order, sorted as R's split() sorts factor levels
    let mut labels: Vec<String> = groups.to_vec();
    sort_labels(&mut labels);
    labels.dedup();
    let index: std::collections::HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); labels.len()];
    for (i, g) in groups.iter().enumerate() {
        members[index[g.as_str()]].push(i);
    }
    let mut warnings = Vec::new();
    let row_mean: Vec<f64> = values
        .chunks_exact(k)
        .map(|r| r.iter().sum::<f64>() / k as f64)
        .collect();
    let mut out = Vec::with_capacity(labels.len());
    for (g, rows) in members.iter().enumerate() {
        let ng = rows.len();
        let mean = rows.iter().map(|&i| row_mean[i]).sum::<f64>() / ng as f64;
        if ng < 2 {
            out.push(GroupAgreement {
                group: labels[g].clone(),
                n: ng,
                rwg_j: None,
                ad_mean: None,
                ad_median: None,
                mean,
            });
            continue;
        }
        let mut s = 0.0;
        let mut ad_m = 0.0;
        let mut ad_md = 0.0;
        let mut col = vec![0.0; ng];
        for j in 0..k {
            for (c, &i) in col.iter_mut().zip(rows) {
                *c = values[i * k + j];
            }
            s += var(&col);
            let m = col.iter().sum::<f64>() / ng as f64;
            ad_m += col.iter().map(|x| (x - m).abs()).sum::<f64>() / ng as f64;
            let md = median(&mut col.clone());
            ad_md += col.iter().map(|x| (x - md).abs()).sum::<f64>() / ng as f64;
        }
        let s = s / k as f64;
        out.push(GroupAgreement {
            group: labels[g].clone(),
            n: ng,
            rwg_j: Some(rwg_j_of(s, k, null_var)),
            ad_mean: Some(ad_m / k as f64),
            ad_median: Some(ad_md / k as f64),
            mean,
        });
    }
    let singles = out.iter().filter(|g| g.n < 2).count();
    if singles > 0 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("{singles} groups have a single member: no rwg(j) or AD for them"),
        ));
    }
    // one-way ANOVA of the item mean on the group
    let gcount = labels.len();
    if gcount < 2 || n <= gcount {
        return Err(Error::option("--group", format!("ICC(1) needs at least 2 groups and more respondents than groups (found {gcount} groups, {n} respondents)")));
    }
    let grand = row_mean.iter().sum::<f64>() / n as f64;
    let ssb: f64 = out
        .iter()
        .map(|g| g.n as f64 * (g.mean - grand).powi(2))
        .sum();
    let ssw: f64 = members
        .iter()
        .zip(&out)
        .map(|(rows, g)| {
            rows.iter()
                .map(|&i| (row_mean[i] - g.mean).powi(2))
                .sum::<f64>()
        })
        .sum();
    let df1 = (gcount - 1) as f64;
    let df2 = (n - gcount) as f64;
    let msb = ssb / df1;
    let msw = ssw / df2;
    let gsize = n as f64 / gcount as f64;
    let icc1 = (msb - msw) / (msb + (gsize - 1.0) * msw);
    let icc2 = (msb - msw) / msb;
    let f = msb / msw;
    if !icc1.is_finite() || !f.is_finite() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("the group means do not vary, or no respondent differs from their group's mean (between-group mean square {msb}, within {msw}): ICC(1), ICC(2) and the F test are undefined (null)"),
        ));
    } else if !icc2.is_finite() {
        // MSB = 0 < MSW: ICC(2) = (MSB - MSW) / MSB is -MSW / 0
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("the group means are all equal (between-group mean square 0, within {msw}): ICC(2) is undefined (null)"),
        ));
    }
    let anova = AnovaF {
        f,
        df1,
        df2,
        p: f_sf(f, df1, df2),
    };
    let mut rw: Vec<f64> = out.iter().filter_map(|g| g.rwg_j).collect();
    let mean_rwg_j = rw.iter().sum::<f64>() / rw.len().max(1) as f64;
    let median_rwg_j = median(&mut rw);
    let share =
        rw.iter().filter(|&&r| r >= opts.cutoffs.rwg).count() as f64 / rw.len().max(1) as f64;
    let ads: Vec<f64> = out.iter().filter_map(|g| g.ad_mean).collect();
    let mean_ad = ads.iter().sum::<f64>() / ads.len().max(1) as f64;
    let c = &opts.cutoffs;
    let checks = [
        (
            mean_rwg_j >= c.rwg,
            format!(
                "mean rwg(j) = {mean_rwg_j:.3} {} {:.2}",
                if mean_rwg_j >= c.rwg { ">=" } else { "<" },
                c.rwg
            ),
        ),
        (
            icc1 > c.icc1,
            if icc1.is_nan() {
                "ICC(1) is undefined for these data".to_string()
            } else {
                format!(
                    "ICC(1) = {icc1:.3} {} {:.2}",
                    if icc1 > c.icc1 { ">" } else { "<=" },
                    c.icc1
                )
            },
        ),
        (
            anova.p < c.alpha,
            if anova.p.is_nan() {
                format!("the ICC(1) F test F({df1}, {df2}) is undefined for these data")
            } else {
                format!(
                    "ICC(1) F({df1}, {df2}) = {f:.2}, p = {:.3} {} {}",
                    anova.p,
                    if anova.p < c.alpha { "<" } else { ">=" },
                    c.alpha
                )
            },
        ),
        (
            icc2 >= c.icc2,
            if icc2.is_nan() {
                "ICC(2) is undefined for these data".to_string()
            } else {
                format!(
                    "ICC(2) = {icc2:.3} {} {:.2}",
                    if icc2 >= c.icc2 { ">=" } else { "<" },
                    c.icc2
                )
            },
        ),
    ];
    let aggregation = Aggregation {
        supported: checks.iter().all(|(ok, _)| *ok),
        reasons: checks
            .iter()
            .map(|(ok, s)| format!("{} {s}", if *ok { "met:" } else { "not met:" }))
            .collect(),
    };
    let random_groups = match opts.rgr {
        None => None,
        Some(r) => {
            // a group with one member has no within-group variance: left out, as a warning says
            let kept: Vec<Vec<usize>> = members.iter().filter(|m| m.len() >= 2).cloned().collect();
            let left_out = members.len() - kept.len();
            if left_out > 0 {
                warnings.push(Warning::new(
                    WarningCode::Listwise,
                    format!(
                        "random-group resampling: {left_out} group(s) with fewer than two members (after rows with missing answers were dropped) left out"
                    ),
                ));
            }
            Some(random_groups(values, k, &kept, r, opts.seed, null_var)?)
        }
    };
    Ok(RwgResult {
        n_groups: gcount,
        n,
        k,
        icc1,
        icc2,
        anova,
        null_variance: null_var,
        groups: out,
        mean_rwg_j,
        median_rwg_j,
        share_rwg_j_above: share,
        mean_ad,
        aggregation,
        random_groups,
        warnings,
    })
}

/// Sorts group labels as R sorts a factor's levels from numbers or text: numerically when all
/// labels are numbers, else as text.
fn sort_labels(labels: &mut [String]) {
    if labels.iter().all(|l| l.trim().parse::<f64>().is_ok()) {
        labels.sort_by(|a, b| {
            let x: f64 = a.trim().parse().unwrap_or(0.0);
            let y: f64 = b.trim().parse().unwrap_or(0.0);
            x.total_cmp(&y)
        });
    } else {
        labels.sort();
    }
}

/// Bliese's random-group resampling: pseudo groups of the real sizes drawn by permuting all
/// respondents; the variance of the item mean within real versus pseudo groups.
fn random_groups(
    values: &[f64],
    k: usize,
    members: &[Vec<usize>],
    nrangrps: usize,
    seed: u64,
    null_var: f64,
) -> Result<RandomGroups> {
    if members.len() < 2 || members.iter().any(|m| m.len() < 2) {
        return Err(Error::option(
            "--rgr",
            "random-group resampling needs at least two groups with at least two members each",
        ));
    }
    let g = members.len();
    let reps = ((nrangrps as f64 / g as f64).round() as usize).max(1);
    let n: usize = members.iter().map(Vec::len).sum();
    let rows: Vec<usize> = members.iter().flatten().copied().collect();
    let score: Vec<f64> = (0..values.len() / k)
        .map(|i| values[i * k..(i + 1) * k].iter().sum::<f64>() / k as f64)
        .collect();
    let group_var: Vec<f64> = members
        .iter()
        .map(|m| var(&m.iter().map(|&i| score[i]).collect::<Vec<_>>()))
        .collect();
    let mut rvars = Vec::with_capacity(reps * g);
    let mut rrwg = Vec::with_capacity(reps * g);
    for r in 0..reps {
        let mut rng = stream(seed, r as u64);
        let mut perm = rows.clone();
        for i in (1..n).rev() {
            let j = rng.gen_range(0..=i as u64) as usize;
            perm.swap(i, j);
        }
        let mut at = 0;
        for m in members {
            let pseudo = &perm[at..at + m.len()];
            at += m.len();
            rvars.push(var(&pseudo.iter().map(|&i| score[i]).collect::<Vec<_>>()));
            let s = (0..k)
                .map(|j| {
                    var(&pseudo
                        .iter()
                        .map(|&i| values[i * k + j])
                        .collect::<Vec<_>>())
                })
                .sum::<f64>()
                / k as f64;
            rrwg.push(rwg_j_of(s, k, null_var));
        }
    }
    let mean_group_variance = group_var.iter().sum::<f64>() / g as f64;
    let mean_random_variance = rvars.iter().sum::<f64>() / rvars.len() as f64;
    let sd_random_variance = var(&rvars).sqrt();
    rrwg.sort_by(f64::total_cmp);
    Ok(RandomGroups {
        n_random_groups: rvars.len(),
        mean_group_variance,
        mean_random_variance,
        sd_random_variance,
        z: (mean_group_variance - mean_random_variance) / (sd_random_variance / (g as f64).sqrt()),
        mean_random_rwg_j: rrwg.iter().sum::<f64>() / rrwg.len() as f64,
        random_rwg_j_p95: quantile_sorted(&rrwg, 0.95),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_variances_match_the_published_table() {
        // LeBreton & Senter (2008), 5-point scale: 2.00, 1.34, 0.90, 0.44, 1.32
        let v = |n: Null| n.variance(5).unwrap();
        assert!((v(Null::Uniform) - 2.0).abs() < 1e-12);
        assert!((v(Null::SlightSkew) - 1.34).abs() < 1e-12);
        assert!((v(Null::ModerateSkew) - 0.90).abs() < 1e-12);
        assert!((v(Null::HeavySkew) - 0.44).abs() < 1e-12);
        assert!((v(Null::Triangular) - 1.32).abs() < 1e-12);
        assert!(Null::HeavySkew.variance(7).is_err());
        assert!((Null::Uniform.variance(7).unwrap() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rwg_j_caps_at_the_null() {
        assert_eq!(rwg_j_of(3.0, 4, 2.0), 0.0);
        assert!((rwg_j_of(0.0, 4, 2.0) - 1.0).abs() < 1e-15);
        // one item: 1 - s2/null
        assert!((rwg_j_of(0.5, 1, 2.0) - 0.75).abs() < 1e-15);
    }
}
