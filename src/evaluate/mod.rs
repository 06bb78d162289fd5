//! Program evaluation: did a leadership program change what it set out to change?
//!
//! One scale of one source at two waves (baseline, follow-up) in one or two arms (program,
//! comparison). The input is a list of ratings, one scale score per row, each with its unit (the
//! rated leader, or the group for members' ratings), wave, arm and cohort. A unit's score at a
//! wave is the mean of its rows' scores (for collaborators: the mean of the collaborators who
//! rated the leader at that wave).
//!
//! - [`within`]: attrition per arm (with the baseline difference of completers and drop-outs),
//!   means per wave, and change within each arm (paired t, d_z, d_av, g_av with intervals).
//! - [`effect`]: the program effect: ANCOVA with HC3 or CR1 errors, or the wave x arm
//!   interaction of a REML random-intercept model; the difference in differences and Morris's
//!   d_ppc2 with its interval.
//! - [`reliable`]: reliable change (Jacobson & Truax 1991) with the reliability of the scale in
//!   these data.
//! - [`gap`]: the change in the gap between leaders' self-ratings and their collaborators'.
//!
//! - [`invariance`]: measurement invariance across the waves (longitudinal CFA for the
//!   self-ratings, multi-group across waves for the others).
//!
//! # References
//! - Algina, J., & Keselman, H. J. (2003). Approximate confidence intervals for effect sizes.
//!   *Educational and Psychological Measurement, 63*, 537–553.
//! - Cumming, G. (2012). *Understanding the new statistics*. Routledge. (d_av)
//! - Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
//!   defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
//!   Psychology, 59*, 12–19.
//! - Morris, S. B. (2008). Estimating effect sizes from pretest-posttest-control group designs.
//!   *Organizational Research Methods, 11*, 364–386.
//! - Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J.
//!   Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
//!   organizations* (pp. 349–381). Jossey-Bass. (ICC(2))
//! - Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation. In L. L.
//!   Harlow et al. (Eds.), *What if there were no significance tests?* (pp. 221–257). Erlbaum.

pub mod effect;
pub mod gap;
pub mod invariance;
pub mod reliable;
pub mod within;

pub use effect::Effect;
pub use gap::{GapArm, GapDifference, SelfOtherGap};
pub use invariance::{WaveInvariance, WaveItems};
pub use reliable::{ReliableArm, ReliableChange};
pub use within::{Attrition, WaveMean, Within};

use crate::data::ItemData;
use crate::dist::nct_cdf;
use crate::error::{Result, Warning};
use crate::numeric::optim::brent_root;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Who gave the ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The leader's self-ratings (unit: the leader).
    #[serde(rename = "self")]
    SelfRating,
    /// Collaborators' ratings of the leader (unit: the leader; different raters at each wave
    /// are allowed).
    Collaborators,
    /// Members' ratings of their group (unit: the group).
    Members,
}

impl Source {
    /// `self`, `collaborators` or `members`.
    pub fn name(&self) -> &'static str {
        match self {
            Source::SelfRating => "self",
            Source::Collaborators => "collaborators",
            Source::Members => "members",
        }
    }
}

/// The two waves compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wave {
    /// The baseline wave.
    Baseline,
    /// The follow-up wave.
    Followup,
}

/// One row's scale score.
#[derive(Debug, Clone)]
pub struct Rating {
    /// The unit: the rated leader (self, collaborators) or the group (members).
    pub unit: String,
    /// The wave.
    pub wave: Wave,
    /// Index of the arm in [`Design::arms`] (0 = program).
    pub arm: usize,
    /// Cohort (cluster), when the study names one.
    pub cohort: Option<String>,
    /// The row's scale score (mean of its answered items, reverse keys applied).
    pub score: f64,
}

/// The arms and waves compared.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Design {
    /// The baseline wave.
    pub baseline: String,
    /// The follow-up wave.
    pub followup: String,
    /// The program arm.
    pub program: String,
    /// The comparison arm, if any.
    pub comparison: Option<String>,
}

impl Design {
    /// Arm names, program first.
    pub fn arms(&self) -> Vec<String> {
        let mut a = vec![self.program.clone()];
        a.extend(self.comparison.iter().cloned());
        a
    }
}

/// One scale of one source, ready for evaluation.
#[derive(Debug, Clone)]
pub struct SourceData {
    /// The source.
    pub source: Source,
    /// One rating per data row with a score.
    pub ratings: Vec<Rating>,
    /// For self-ratings: the scale's items over the baseline rows (reverse keys applied), for
    /// Cronbach's alpha.
    pub baseline_items: Option<ItemData>,
    /// Whether the study names a cohort column for these data (then CR1 errors by cohort).
    pub clustered: bool,
    /// The scale's items of every rating, for measurement invariance across the waves (`None`:
    /// not checked, as in simulations).
    pub items: Option<WaveItems>,
}

/// A unit's scores at the two waves.
#[derive(Debug, Clone)]
pub struct UnitScores {
    /// Unit id.
    pub unit: String,
    /// Arm index.
    pub arm: usize,
    /// Cohort.
    pub cohort: Option<String>,
    /// Score at the baseline (mean of its rows).
    pub baseline: Option<f64>,
    /// Score at the follow-up.
    pub followup: Option<f64>,
}

/// Everything computed for one scale of one source.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SourceEvaluation {
    /// The source.
    pub source: Source,
    /// What a unit is: `leader` or `group`.
    pub unit: String,
    /// Units per arm at each wave.
    pub attrition: Vec<Attrition>,
    /// Means per arm and wave over every unit observed at that wave.
    pub waves: Vec<WaveMean>,
    /// Change within each arm (units with both waves).
    pub within: Vec<Within>,
    /// The program effect (with a comparison arm).
    pub effect: Option<Effect>,
    /// Reliable change per unit, counted per arm.
    pub reliable_change: Option<ReliableChange>,
    /// Warnings, one line each.
    #[serde(serialize_with = "messages")]
    #[schemars(with = "Vec<String>")]
    pub warnings: Vec<Warning>,
    /// Each unit's scores (for charts and the self-other gap).
    #[serde(skip)]
    pub units: Vec<UnitScores>,
    /// Measurement invariance across the waves (printed by the caller beside the scale).
    #[serde(skip)]
    pub invariance: Option<WaveInvariance>,
}

/// Serialises warnings as their messages (the contract's `warnings: [s]`).
pub fn messages<S: Serializer>(w: &[Warning], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(w.iter().map(|w| w.message.as_str()))
}

/// Evaluates one scale of one source.
pub fn evaluate_source(design: &Design, data: &SourceData) -> Result<SourceEvaluation> {
    let mut warnings = Vec::new();
    let units = unit_scores(&data.ratings);
    let arms = design.arms();
    let attrition = within::attrition(&units, &arms, &mut warnings);
    let waves = within::wave_means(&units, &arms);
    let within_rows = within::within(&units, &arms, &mut warnings);
    let effect = match design.comparison {
        Some(_) => effect::effect(data, &units, &within_rows, &mut warnings)?,
        None => None,
    };
    let reliable_change = reliable::reliable_change(data, &units, &arms, &mut warnings)?;
    let invariance = data
        .items
        .as_ref()
        .and_then(|items| invariance::wave_invariance(data.source, design, items, &mut warnings));
    Ok(SourceEvaluation {
        source: data.source,
        unit: match data.source {
            Source::Members => "group",
            _ => "leader",
        }
        .into(),
        attrition,
        waves,
        within: within_rows,
        effect,
        reliable_change,
        warnings,
        units,
        invariance,
    })
}

/// The program effect of one scale of one source alone: the same [`Effect`] as
/// [`evaluate_source`] gives (ANCOVA or mixed model, did, d_ppc2 and its interval), without the
/// attrition, the within-arm intervals, reliable change and invariance (for power simulations).
pub fn program_effect(design: &Design, data: &SourceData) -> Result<Option<Effect>> {
    let mut warnings = Vec::new();
    let units = unit_scores(&data.ratings);
    let rows = within::within_with(&units, &design.arms(), false, &mut warnings);
    effect::effect(data, &units, &rows, &mut warnings)
}

/// Each unit's mean score per wave, units in order of first appearance.
pub fn unit_scores(ratings: &[Rating]) -> Vec<UnitScores> {
    let mut order: Vec<String> = Vec::new();
    // arm, cohort, score sums and counts at (baseline, follow-up)
    type Acc = (usize, Option<String>, [f64; 2], [usize; 2]);
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for r in ratings {
        let e = acc.entry(r.unit.as_str()).or_insert_with(|| {
            order.push(r.unit.clone());
            (r.arm, r.cohort.clone(), [0.0; 2], [0; 2])
        });
        let w = usize::from(r.wave == Wave::Followup);
        e.2[w] += r.score;
        e.3[w] += 1;
    }
    order
        .iter()
        .map(|u| {
            let (arm, cohort, s, n) = &acc[u.as_str()];
            let at = |w: usize| (n[w] > 0).then(|| s[w] / n[w] as f64);
            UnitScores {
                unit: u.clone(),
                arm: *arm,
                cohort: cohort.clone(),
                baseline: at(0),
                followup: at(1),
            }
        })
        .collect()
}

/// Mean.
pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Standard deviation with divisor n - 1 (`NaN` below 2 values).
pub(crate) fn sd(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Pearson correlation (`NaN` when a variable is constant).
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// `Some(v)` when `v` is finite.
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The confidence interval of the noncentrality parameter of a t statistic.
///
/// # Formula
/// The limits $\lambda_L < \lambda_U$ solve $P(T'_{\nu,\lambda_L} \le t) = 1 - \alpha/2$ and
/// $P(T'_{\nu,\lambda_U} \le t) = \alpha/2$ (the noncentral t distribution function is
/// decreasing in $\lambda$); found by Brent's root finder on a bracket widened until it holds
/// the root (Steiger & Fouladi 1997).
///
/// # Peer
/// effectsize 0.8.3 `.get_ncp_t(t, df, conf.level)` (its Nelder–Mead stops at `abstol = 1e-9`
/// on the probabilities, so it agrees to about 1e-7).
pub fn ncp_interval(t: f64, df: f64, level: f64) -> Option<[f64; 2]> {
    if !t.is_finite() || df.is_nan() || df <= 0.0 {
        return None;
    }
    let alpha = 1.0 - level;
    let solve = |target: f64| {
        let f = |l: f64| nct_cdf(t, df, l) - target;
        let mut w = 2.0 + t.abs();
        for _ in 0..60 {
            let (a, b) = (t - w, t + w);
            if f(a).signum() != f(b).signum() {
                return brent_root(f, a, b);
            }
            w *= 2.0;
        }
        None
    };
    Some([solve(1.0 - alpha / 2.0)?, solve(alpha / 2.0)?])
}
