//! Claim 3, specialisation: do leaders' competency profiles differ beyond the noise of their
//! collaborators' ratings ("different leaders specialized in different competencies")?
//!
//! # Formula
//! Leader $i$ ($N$ leaders with at least two collaborators rating every subscale) has $n_i$
//! collaborators' scores $x_{irs}$ on $S$ subscales. A rater's general leniency and a leader's
//! general level are not a profile, so the analysis is of the leader x subscale interaction
//! of a raters-within-leaders x subscales design (generalizability theory, Brennan 2001):
//! - the leader's profile $m_{is} = \frac{1}{n_i}\sum_r x_{irs}$, centred twice,
//!   $e_{is} = m_{is} - \bar m_{i\cdot} - \bar m_{\cdot s} + \bar m_{\cdot\cdot}$ (around the
//!   leader's own level and the average profile), and the observed profile variance
//!   $V = \sum_{is} e_{is}^2 / ((N-1)(S-1))$;
//! - the rater noise, the pooled rater x subscale interaction within leaders,
//!   $\hat\sigma^2 = \sum_i\sum_{rs}(x_{irs} - \bar x_{ir\cdot} - m_{is} + \bar m_{i\cdot})^2 /
//!   \sum_i (n_i-1)(S-1)$, which enters a leader's profile as $\hat\sigma^2/n_i$;
//! - the **reliability of within-leader differences**, the share of the profile variance that
//!   is not rater noise, $\rho = 1 - \hat\sigma^2 h / V$ with $h = \frac1N\sum_i 1/n_i$.
//!   With equal $n$ this is $1 - MS_{\text{rater x subscale : leader}} / MS_{\text{leader x subscale}}$,
//!   the ICC(2) form for profiles, and $F = V / (\hat\sigma^2 h)$ on $(N-1)(S-1)$ and
//!   $\sum_i(n_i-1)(S-1)$ df tests $\rho = 0$ (approximate with unequal $n_i$).
//! - A **reliable strength** of leader $i$ is a subscale $s$ with
//!   $d_{is} = m_{is} - \bar m_{i\cdot} > 0$ and
//!   $t_{is} = d_{is}/\sqrt{\hat\sigma^2 (S-1)/(S n_i)}$ above the one-sided
//!   $t_{1-\alpha/S}$ quantile on the error df (Bonferroni over the leader's subscales, so a
//!   leader with a flat true profile has at most an $\alpha$ chance of one). The share of
//!   leaders with at least one is reported against that $\alpha$.
//! - **Latent profiles**: Gaussian mixtures on the leaders' subscale means $m_{i\cdot}$
//!   ([`super::mixture`]).
//!
//! The interval of $\rho$ is a percentile bootstrap over leaders (each drawn with all their
//! raters). The claim is *supported* when its lower bound exceeds zero and *not supported*
//! otherwise; it has no contrary direction (leaders who are all generalists look like noise).
//!
//! # Peer
//! With equal numbers of raters, $MS$ and $\rho$ equal R `anova(lm(score ~ rater + subscale +
//! leader:subscale))` (tests/fixtures/framework/generate.R); with unequal numbers, the same
//! formulas transcribed in R.

use super::bootstrap::{percentile_intervals, usable, ResamplePlan};
use super::mixture::{latent_profiles, LatentProfiles};
use super::{too_few, BootstrapInfo, Claim, ClaimVerdict, Estimate, FrameworkOptions, Verdict};
use crate::dist::{f_sf, t_quantile};
use crate::error::{Error, Result};
use nalgebra::DMatrix;
use serde::Serialize;

/// The collaborators' ratings of each leader: one matrix per leader, raters x subscales, every
/// cell a subscale score (raters with a missing score left out before).
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderRatings {
    /// Leader ids.
    pub leaders: Vec<String>,
    /// Subscale ids, the columns of every matrix.
    pub subscales: Vec<String>,
    /// Ratings per leader.
    pub ratings: Vec<DMatrix<f64>>,
}

/// How many leaders have a reliable strength in one subscale.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SubscaleStrengths {
    /// Subscale id.
    pub subscale: String,
    /// Leaders with a reliable strength in it.
    pub leaders: usize,
}

/// One leader's profile and reliable strengths.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeaderStrengths {
    /// Leader id.
    pub leader: String,
    /// Collaborators rating every subscale.
    pub raters: usize,
    /// Mean of the collaborators' scores per subscale.
    pub means: Vec<f64>,
    /// Subscales reliably above the leader's own mean.
    pub strengths: Vec<String>,
    /// The leader's latent profile class (1-based, of the model with the lowest BIC).
    pub class: Option<usize>,
}

/// The strengths part of [`SpecialisationResult`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StrengthSummary {
    /// Level of the one-sided test (before the Bonferroni division by the subscales).
    pub alpha: f64,
    /// The critical t.
    pub critical_t: f64,
    /// Leaders with at least one reliable strength.
    pub leaders_with_strength: usize,
    /// Their share of the leaders.
    pub share: f64,
    /// Per subscale.
    pub per_subscale: Vec<SubscaleStrengths>,
}

/// Result of [`specialisation`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SpecialisationResult {
    /// Leaders used (at least two collaborators with every subscale score).
    pub n_leaders: usize,
    /// Collaborators' ratings used.
    pub n_ratings: usize,
    /// Subscale ids.
    pub subscales: Vec<String>,
    /// Observed profile variance $V$ (leader x subscale, per leader mean).
    pub profile_variance: f64,
    /// Rater noise $\hat\sigma^2$ (pooled rater x subscale within leaders).
    pub error_variance: f64,
    /// Mean of $1/n_i$.
    pub mean_inverse_raters: f64,
    /// Reliability of within-leader differences, with its bootstrap interval over leaders.
    pub reliability: Estimate,
    /// F of the leader x subscale interaction against rater noise.
    pub f: f64,
    /// Its numerator df.
    pub df1: f64,
    /// Its denominator df.
    pub df2: f64,
    /// Its p.
    pub p: f64,
    /// Reliable strengths.
    pub strengths: StrengthSummary,
    /// Per leader.
    pub leaders: Vec<LeaderStrengths>,
    /// Latent profile analysis of the leaders' subscale means.
    pub profiles: LatentProfiles,
    /// The bootstrap.
    pub bootstrap: BootstrapInfo,
    /// The verdict.
    pub verdicts: Vec<ClaimVerdict>,
}

/// The variance decomposition of a set of leaders: $(V, \hat\sigma^2, h, df_1, df_2)$.
struct Decomposition {
    v: f64,
    sigma2: f64,
    h: f64,
    df1: f64,
    df2: f64,
}

fn decompose(ratings: &[&DMatrix<f64>], s: usize) -> Option<Decomposition> {
    let n = ratings.len();
    if n < 2 || s < 2 {
        return None;
    }
    let sf = s as f64;
    let means: Vec<Vec<f64>> = ratings
        .iter()
        .map(|m| {
            (0..s)
                .map(|c| m.column(c).iter().sum::<f64>() / m.nrows() as f64)
                .collect()
        })
        .collect();
    let level: Vec<f64> = means.iter().map(|m| m.iter().sum::<f64>() / sf).collect();
    // the average profile of the leaders' centred means
    let avg: Vec<f64> = (0..s)
        .map(|c| means.iter().zip(&level).map(|(m, l)| m[c] - l).sum::<f64>() / n as f64)
        .collect();
    let mut ss_profile = 0.0;
    for (m, l) in means.iter().zip(&level) {
        for c in 0..s {
            let e = m[c] - l - avg[c];
            ss_profile += e * e;
        }
    }
    let (mut ss_err, mut df2, mut h) = (0.0, 0.0, 0.0);
    for (i, m) in ratings.iter().enumerate() {
        let ni = m.nrows();
        h += 1.0 / ni as f64;
        df2 += ((ni - 1) * (s - 1)) as f64;
        for r in 0..ni {
            let rm = m.row(r).iter().sum::<f64>() / sf;
            for c in 0..s {
                let e = m[(r, c)] - rm - means[i][c] + level[i];
                ss_err += e * e;
            }
        }
    }
    let df1 = ((n - 1) * (s - 1)) as f64;
    if df2 <= 0.0 {
        return None;
    }
    Some(Decomposition {
        v: ss_profile / df1,
        sigma2: ss_err / df2,
        h: h / n as f64,
        df1,
        df2,
    })
}

impl Decomposition {
    fn reliability(&self) -> f64 {
        if self.v > 0.0 {
            1.0 - self.sigma2 * self.h / self.v
        } else {
            f64::NAN
        }
    }
}

/// Claim 3 on the collaborators' ratings of each leader (see the module docs); leaders with
/// fewer than two raters are left out.
///
/// # Errors
/// [`Error::TooFewRows`] with fewer than `min_units` leaders; [`Error::InvalidOption`] with
/// fewer than two subscales.
pub fn specialisation(
    data: &LeaderRatings,
    opts: &FrameworkOptions,
) -> Result<SpecialisationResult> {
    specialisation_with_plan(data, opts, None)
}

/// [`specialisation`] with given resamples of the leaders kept (those with at least two
/// raters, in order), for checking the interval against a peer; `None`: the seeded plan.
pub fn specialisation_with_plan(
    data: &LeaderRatings,
    opts: &FrameworkOptions,
    plan: Option<&ResamplePlan>,
) -> Result<SpecialisationResult> {
    opts.validate()?;
    let s = data.subscales.len();
    if s < 2 {
        return Err(Error::option(
            "--study",
            "specialisation needs an instrument with at least two subscales",
        ));
    }
    if data.ratings.iter().any(|m| m.ncols() != s) || data.ratings.len() != data.leaders.len() {
        return Err(Error::option(
            "--study",
            "every leader needs one score per subscale and rater",
        ));
    }
    let keep: Vec<usize> = (0..data.ratings.len())
        .filter(|&i| data.ratings[i].nrows() >= 2)
        .collect();
    let n = keep.len();
    if n < opts.min_units.max(3) {
        return Err(too_few(opts.min_units.max(3), n));
    }
    let mats: Vec<&DMatrix<f64>> = keep.iter().map(|&i| &data.ratings[i]).collect();
    let d = decompose(&mats, s).ok_or_else(|| too_few(3, n))?;
    let rel = d.reliability();
    let own;
    let plan = match plan {
        Some(p) => p,
        None => {
            own = ResamplePlan::new(n, opts.bootstrap, opts.seed);
            &own
        }
    };
    if plan.indices.iter().flatten().any(|&i| i >= n) {
        return Err(Error::option(
            "--bootstrap",
            "a resample names a leader that is not there",
        ));
    }
    let boot = plan.run(|idx| {
        let sub: Vec<&DMatrix<f64>> = idx.iter().map(|&i| mats[i]).collect();
        let r = decompose(&sub, s)?.reliability();
        r.is_finite().then(|| vec![r])
    });
    let ci = percentile_intervals(&boot, 1, opts.ci)[0];
    let reliability = Estimate::new(rel, ci);
    let f = d.v / (d.sigma2 * d.h);
    let p = if f.is_finite() {
        f_sf(f, d.df1, d.df2)
    } else {
        f64::NAN
    };
    // strengths
    let sf = s as f64;
    let crit = t_quantile(1.0 - opts.strength_alpha / sf, d.df2).unwrap_or(f64::NAN);
    let mut leaders = Vec::with_capacity(n);
    let mut per = vec![0usize; s];
    let mut means_all = DMatrix::<f64>::zeros(n, s);
    for (row, (&i, m)) in keep.iter().zip(&mats).enumerate() {
        let ni = m.nrows();
        let means: Vec<f64> = (0..s)
            .map(|c| m.column(c).iter().sum::<f64>() / ni as f64)
            .collect();
        let level = means.iter().sum::<f64>() / sf;
        let se = (d.sigma2 * (sf - 1.0) / (sf * ni as f64)).sqrt();
        let mut strengths = Vec::new();
        for c in 0..s {
            means_all[(row, c)] = means[c];
            let t = (means[c] - level) / se;
            if t > crit {
                strengths.push(data.subscales[c].clone());
                per[c] += 1;
            }
        }
        leaders.push(LeaderStrengths {
            leader: data.leaders[i].clone(),
            raters: ni,
            means,
            strengths,
            class: None,
        });
    }
    let with = leaders.iter().filter(|l| !l.strengths.is_empty()).count();
    let profiles = latent_profiles(&means_all, &data.subscales, opts)?;
    if let Some(best) = profiles.best_fit() {
        for (l, c) in leaders.iter_mut().zip(&best.classification) {
            l.class = Some(*c);
        }
    }
    let mut verdict = reliability.verdict(1.0);
    if verdict == Verdict::Contrary {
        verdict = Verdict::NotSupported;
    }
    let verdicts = vec![ClaimVerdict {
        claim: Claim::Specialisation,
        subject: "profiles".into(),
        statement: "Leaders specialise: their competency profiles differ beyond the noise of their collaborators' ratings".into(),
        verdict,
        estimate: reliability.estimate,
        ci: reliability.ci,
        method: format!(
            "reliability of within-leader subscale differences (leader x subscale variance not due to rater noise), {}% percentile bootstrap over leaders ({} resamples)",
            (100.0 * opts.ci).round(),
            plan.indices.len()
        ),
        n: Some(n),
        reason: None,
    }];
    Ok(SpecialisationResult {
        n_leaders: n,
        n_ratings: mats.iter().map(|m| m.nrows()).sum(),
        subscales: data.subscales.clone(),
        profile_variance: d.v,
        error_variance: d.sigma2,
        mean_inverse_raters: d.h,
        reliability,
        f,
        df1: d.df1,
        df2: d.df2,
        p,
        strengths: StrengthSummary {
            alpha: opts.strength_alpha,
            critical_t: crit,
            leaders_with_strength: with,
            share: with as f64 / n as f64,
            per_subscale: data
                .subscales
                .iter()
                .zip(per)
                .map(|(s, k)| SubscaleStrengths {
                    subscale: s.clone(),
                    leaders: k,
                })
                .collect(),
        },
        leaders,
        profiles,
        bootstrap: BootstrapInfo {
            resamples: plan.indices.len(),
            usable: usable(&boot),
            seed: opts.seed,
            ci: opts.ci,
            unit: "leaders",
        },
        verdicts,
    })
}
