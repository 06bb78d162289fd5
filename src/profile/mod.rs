//! Score profiles: every subscale of an instrument side by side, per leader or per group.
//!
//! Two kinds of data give two kinds of profile.
//!
//! - **Leader profiles** (data with a target column, e.g. `leader-ratings` with `tblc`, `abi`):
//!   each leader's self rating against the ratings of their collaborators (observer form), the
//!   gap between the two, and the leader's *strengths*, read the strengths-based way of the
//!   white paper (Lyons, 2026): the competencies the collaborators rate at or above the leader's
//!   own average, rather than against a norm group. Across leaders: the mean profile and the
//!   self-other agreement per subscale.
//! - **Group profiles** (data without a target, e.g. `member-ratings` with `group-trust`, or a
//!   group's `group-self-assessment`): the members' scores per group and subscale.
//!
//! Subscale scores are those of `trustscale score` ([`crate::instrument::score`]): the mean of
//! the answered items, reverse keys applied as $x \mapsto (\min + \max) - x$, missing when fewer
//! than `min_answered` of the subscale's items were answered.
//!
//! # Formulas
//! For leader $\ell$ and subscale $s$, with self-form scores $x^{\text{self}}\_{\ell s r}$ and
//! observer-form scores $x_{\ell s r}$ of the $n_{\ell s}$ collaborators who have a score:
//! $$\text{self}\_{\ell s} = \frac{1}{m_{\ell s}}\sum_r x^{\text{self}}\_{\ell s r},\qquad
//!   \bar x_{\ell s} = \frac{1}{n_{\ell s}}\sum_r x_{\ell s r},\qquad
//!   \text{sd}\_{\ell s} = \sqrt{\frac{\sum_r (x_{\ell s r} - \bar x_{\ell s})^2}{n_{\ell s} - 1}},$$
//! $$\text{gap}\_{\ell s} = \text{self}\_{\ell s} - \bar x_{\ell s},\qquad
//!   A_\ell = \frac{1}{|S_\ell|}\sum_{s \in S_\ell} \bar x_{\ell s},\qquad
//!   \text{strengths}\_\ell = \\{ s : \bar x_{\ell s} \ge A_\ell \\}$$
//! ranked by $\bar x_{\ell s}$, where $S_\ell$ are the subscales with an observer mean. The
//! self-other agreement of subscale $s$ is Pearson's $r$ between $\text{self}\_{\ell s}$ and
//! $\bar x_{\ell s}$ over the leaders who have both (at least 3).
//!
//! Group profiles use the same $\bar x$, sd, min and max over the members of each group.
//!
//! # Reference
//! Lyons, S. (2026). *Building trust for collective action: A framework for capacity building*
//! [White paper]. Teachers College, Columbia University.
//!
//! Fleenor, J. W., Smither, J. W., Atwater, L. E., Braddy, P. W., & Sturm, R. E. (2010). Self–other
//! rating agreement in leadership: A review. *The Leadership Quarterly*, 21(6), 1005–1034.
//!
//! # Peer
//! Per-group descriptives match R `psych::describeBy(scores, group)` (`n`, `mean`, `sd` with
//! $n-1$, `min`, `max`) on the `psych::scoreItems(impute = "none")` means.
//!
//! # Deviations
//! None. Strengths are ties-inclusive: a subscale whose mean equals the leader's average (to
//! $10^{-12}$ relative) counts as a strength.

use crate::data::read::closest_name;
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::instrument::score::{score, ScoreMethod, ScoreOptions};
use crate::instrument::Instrument;
use serde::Serialize;
use std::collections::HashMap;

/// The form a leader rating was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The leader rated themself (`self` form).
    SelfRating,
    /// A collaborator rated the leader (`observer` form).
    Observer,
}

impl Role {
    /// Parses the form names of the leader instruments: `self` or `observer`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "self" => Some(Role::SelfRating),
            "observer" => Some(Role::Observer),
            _ => None,
        }
    }
}

/// Who each data row belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Units<'a> {
    /// Ratings of leaders: the rated leader's id and the form of each row.
    Leaders {
        /// Leader (target) id per row.
        leader: &'a [String],
        /// Form per row.
        role: &'a [Role],
    },
    /// Members' ratings of their group: the group id of each row.
    Groups {
        /// Group id per row.
        group: &'a [String],
    },
}

/// Options of [`profile`].
#[derive(Debug, Clone)]
pub struct ProfileOptions {
    /// Share of a subscale's items that must be answered for a score (as `trustscale score`).
    pub min_answered: f64,
}

impl Default for ProfileOptions {
    /// 0.8, the default of `trustscale score`.
    fn default() -> Self {
        ProfileOptions { min_answered: 0.8 }
    }
}

impl ProfileOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        self.score_options().validate()
    }

    fn score_options(&self) -> ScoreOptions {
        ScoreOptions {
            method: ScoreMethod::Mean,
            min_answered: self.min_answered,
        }
    }
}

/// A subscale of the instrument.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SubscaleRef {
    /// Id (`process-navigator`).
    pub id: String,
    /// Name (`Process Navigator`).
    pub name: String,
}

/// Descriptive statistics of a set of scores.
///
/// # Formula
/// $\bar x = \frac1n\sum x_i$ (compensated summation),
/// $\text{sd} = \sqrt{\sum (x_i - \bar x)^2 / (n-1)}$ (two-pass; `None` when $n < 2$).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Descriptives {
    /// Number of scores.
    pub n: usize,
    /// Mean (`None` when $n = 0$).
    pub mean: Option<f64>,
    /// Standard deviation with $n - 1$ (`None` when $n < 2$).
    pub sd: Option<f64>,
    /// Smallest score.
    pub min: Option<f64>,
    /// Largest score.
    pub max: Option<f64>,
}

impl Descriptives {
    /// The descriptives of `x` (every value finite).
    pub fn of(x: &[f64]) -> Descriptives {
        let n = x.len();
        let mean = mean(x);
        let sd = match (mean, n) {
            (Some(m), n) if n >= 2 => {
                let ss = sum(x.iter().map(|v| (v - m) * (v - m)));
                Some((ss / (n - 1) as f64).sqrt())
            }
            _ => None,
        };
        Descriptives {
            n,
            mean,
            sd,
            min: x.iter().copied().reduce(f64::min),
            max: x.iter().copied().reduce(f64::max),
        }
    }
}

/// Neumaier's compensated sum.
fn sum(x: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for v in x {
        let t = s + v;
        c += if s.abs() >= v.abs() {
            (s - t) + v
        } else {
            (v - t) + s
        };
        s = t;
    }
    s + c
}

fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| sum(x.iter().copied()) / x.len() as f64)
}

/// Pearson's correlation of paired values; `None` with fewer than 3 pairs or no variance.
///
/// # Formula
/// $r = \frac{\sum (x_i-\bar x)(y_i-\bar y)}{\sqrt{\sum (x_i-\bar x)^2 \sum (y_i-\bar y)^2}}$
fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 3 {
        return None;
    }
    let mx = mean(&pairs.iter().map(|p| p.0).collect::<Vec<_>>())?;
    let my = mean(&pairs.iter().map(|p| p.1).collect::<Vec<_>>())?;
    let sxy = sum(pairs.iter().map(|(x, y)| (x - mx) * (y - my)));
    let sxx = sum(pairs.iter().map(|(x, _)| (x - mx) * (x - mx)));
    let syy = sum(pairs.iter().map(|(_, y)| (y - my) * (y - my)));
    let d = (sxx * syy).sqrt();
    (d > 0.0).then(|| (sxy / d).clamp(-1.0, 1.0))
}

/// One subscale of one leader's profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeaderSubscale {
    /// Subscale id.
    pub subscale: String,
    /// Mean of the leader's self-form scores (`None`: no self score).
    pub self_score: Option<f64>,
    /// Self-form ratings with a score on this subscale.
    pub self_n: usize,
    /// The collaborators' (observer-form) scores.
    pub observers: Descriptives,
    /// `self_score` minus the collaborators' mean.
    pub gap: Option<f64>,
}

/// One leader's profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeaderProfile {
    /// Leader (target) id.
    pub leader: String,
    /// Self-form rows.
    pub self_ratings: usize,
    /// Observer-form rows (collaborators).
    pub observers: usize,
    /// Per subscale, in the instrument's order.
    pub subscales: Vec<LeaderSubscale>,
    /// Mean of the collaborators' means over the subscales that have one ($A_\ell$).
    pub observer_average: Option<f64>,
    /// Subscale ids whose collaborators' mean is at or above `observer_average`, highest first.
    pub strengths: Vec<String>,
    /// Mean of the subscales' self − collaborator gaps.
    pub mean_gap: Option<f64>,
}

/// One subscale across leaders.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeaderSummary {
    /// Subscale id.
    pub subscale: String,
    /// The leaders' collaborator means.
    pub observer_means: Descriptives,
    /// The leaders' self scores.
    pub self_scores: Descriptives,
    /// The leaders' self − collaborator gaps.
    pub gaps: Descriptives,
    /// Self-other agreement: Pearson's r between self scores and collaborator means.
    pub self_other_r: Option<f64>,
}

/// One subscale of one group's profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupSubscale {
    /// Subscale id.
    pub subscale: String,
    /// The members' scores.
    #[serde(flatten)]
    pub scores: Descriptives,
}

/// One group's profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupProfile {
    /// Group id.
    pub group: String,
    /// Rows (members) of the group.
    pub members: usize,
    /// Per subscale, in the instrument's order.
    pub subscales: Vec<GroupSubscale>,
}

/// One subscale across groups.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupSummary {
    /// Subscale id.
    pub subscale: String,
    /// The groups' means.
    pub group_means: Descriptives,
    /// Every member's score, pooled over groups.
    pub members: Descriptives,
}

/// The profiles, by kind of data (`kind` in JSON).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Profiles {
    /// Leaders rated by themselves and their collaborators.
    Leader {
        /// Per leader, in order of first appearance in the data.
        leaders: Vec<LeaderProfile>,
        /// Per subscale, across all leaders.
        summary: Vec<LeaderSummary>,
    },
    /// Groups rated by their members.
    Group {
        /// Per group, in order of first appearance in the data.
        groups: Vec<GroupProfile>,
        /// Per subscale, across all groups.
        summary: Vec<GroupSummary>,
    },
}

/// Result of [`profile`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProfileResult {
    /// Instrument id.
    pub instrument: String,
    /// Instrument title.
    pub title: String,
    /// The response scale `[min, max]`.
    pub scale: [f64; 2],
    /// The instrument's subscales, in order.
    pub subscales: Vec<SubscaleRef>,
    /// The profiles (`kind`, then `leaders` or `groups`, and `summary`).
    #[serde(flatten)]
    pub profiles: Profiles,
    /// Data rows used.
    pub n: usize,
    /// Notes: scores missing for too few answered items, leaders without self or observer ratings.
    pub warnings: Vec<Warning>,
}

/// Column positions of each subscale's items in `data`, found by item id.
fn subscale_columns(inst: &Instrument, data: &ItemData) -> Result<Vec<(String, Vec<usize>)>> {
    inst.subscales
        .iter()
        .map(|s| {
            let cols = inst
                .items_of(&s.id)
                .map(|it| {
                    data.names.iter().position(|n| *n == it.id).ok_or_else(|| {
                        Error::UnknownColumn {
                            at: data.location(),
                            name: it.id.clone(),
                            did_you_mean: closest_name(&it.id, &data.names),
                        }
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((s.id.clone(), cols))
        })
        .collect()
}

/// Unit ids in order of first appearance, and each row's unit index.
fn index_units(ids: &[String]) -> (Vec<String>, Vec<usize>) {
    let mut order = Vec::new();
    let mut pos: HashMap<&str, usize> = HashMap::new();
    let idx = ids
        .iter()
        .map(|id| {
            *pos.entry(id.as_str()).or_insert_with(|| {
                order.push(id.clone());
                order.len() - 1
            })
        })
        .collect();
    (order, idx)
}

fn list_some(ids: &[String]) -> String {
    let mut s = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        s.push_str(&format!(", ... ({} in all)", ids.len()));
    }
    s
}

/// Profiles of an instrument's subscale scores per leader or per group.
///
/// `data` holds the instrument's items as columns named by item id, reverse keys applied (as
/// [`crate::study::DataRequest::load`] gives them); `units` says whose each row is. See the [module docs](self) for the
/// formulas.
pub fn profile(
    inst: &Instrument,
    data: &ItemData,
    units: &Units,
    opts: &ProfileOptions,
) -> Result<ProfileResult> {
    opts.validate()?;
    let n = data.n();
    if n == 0 {
        return Err(Error::Empty {
            at: data.location(),
            what: "a header and no data rows".into(),
        });
    }
    let rows_given = match units {
        Units::Leaders { leader, role } => {
            if leader.len() != role.len() {
                return Err(Error::option(
                    "--form",
                    format!("{} leader ids but {} forms", leader.len(), role.len()),
                ));
            }
            leader.len()
        }
        Units::Groups { group } => group.len(),
    };
    if rows_given != n {
        return Err(Error::option(
            "--target",
            format!("{rows_given} unit ids for {n} data rows"),
        ));
    }
    // the scores of `trustscale score`
    let groups = subscale_columns(inst, data)?;
    let (lo, hi) = (inst.scale.min as f64, inst.scale.max as f64);
    let scores = score(data, &groups, &opts.score_options())?;
    let s = groups.len();
    let value = |row: usize, sub: usize| scores.values.get(row * s + sub).copied().flatten();
    let mut warnings: Vec<Warning> = inst
        .subscales
        .iter()
        .zip(&scores.missing)
        .filter(|(_, &m)| m > 0)
        .map(|(sub, m)| {
            Warning::new(
                WarningCode::Note,
                format!(
                    "{}: {m} of {n} ratings answered too few items for a score",
                    sub.name
                ),
            )
        })
        .collect();
    let profiles = match units {
        Units::Leaders { leader, role } => {
            leader_profiles(leader, role, s, &value, &groups, &mut warnings)
        }
        Units::Groups { group } => group_profiles(group, s, &value, &groups),
    };
    Ok(ProfileResult {
        instrument: inst.id.clone(),
        title: inst.title.clone(),
        scale: [lo, hi],
        subscales: inst
            .subscales
            .iter()
            .map(|s| SubscaleRef {
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .collect(),
        profiles,
        n,
        warnings,
    })
}

fn leader_profiles(
    leader: &[String],
    role: &[Role],
    s: usize,
    value: &dyn Fn(usize, usize) -> Option<f64>,
    groups: &[(String, Vec<usize>)],
    warnings: &mut Vec<Warning>,
) -> Profiles {
    let (ids, idx) = index_units(leader);
    let mut leaders = Vec::with_capacity(ids.len());
    for (u, id) in ids.iter().enumerate() {
        let rows: Vec<usize> = (0..idx.len()).filter(|&i| idx[i] == u).collect();
        let self_rows: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| role[i] == Role::SelfRating)
            .collect();
        let obs_rows: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| role[i] == Role::Observer)
            .collect();
        let subscales: Vec<LeaderSubscale> = groups
            .iter()
            .enumerate()
            .map(|(k, (sub, _))| {
                let selfs: Vec<f64> = self_rows.iter().filter_map(|&i| value(i, k)).collect();
                let obs: Vec<f64> = obs_rows.iter().filter_map(|&i| value(i, k)).collect();
                let self_score = mean(&selfs);
                let observers = Descriptives::of(&obs);
                let gap = self_score.zip(observers.mean).map(|(a, b)| a - b);
                LeaderSubscale {
                    subscale: sub.clone(),
                    self_score,
                    self_n: selfs.len(),
                    observers,
                    gap,
                }
            })
            .collect();
        let means: Vec<f64> = subscales.iter().filter_map(|x| x.observers.mean).collect();
        let observer_average = mean(&means);
        let mut strengths: Vec<(&str, f64)> = match observer_average {
            Some(avg) => subscales
                .iter()
                .filter_map(|x| x.observers.mean.map(|m| (x.subscale.as_str(), m)))
                .filter(|(_, m)| *m >= avg - 1e-12 * avg.abs().max(1.0))
                .collect(),
            None => Vec::new(),
        };
        // highest first; means equal to 1e-9 (the same score reached by different sums) keep
        // the instrument's order
        strengths.sort_by(|a, b| (b.1 * 1e9).round().total_cmp(&(a.1 * 1e9).round()));
        let gaps: Vec<f64> = subscales.iter().filter_map(|x| x.gap).collect();
        leaders.push(LeaderProfile {
            leader: id.clone(),
            self_ratings: self_rows.len(),
            observers: obs_rows.len(),
            mean_gap: mean(&gaps),
            observer_average,
            strengths: strengths
                .into_iter()
                .map(|(id, _)| id.to_string())
                .collect(),
            subscales,
        });
    }
    let no_self: Vec<String> = leaders
        .iter()
        .filter(|l| l.self_ratings == 0)
        .map(|l| l.leader.clone())
        .collect();
    if !no_self.is_empty() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} leaders have no self rating (no self score or gap): {}",
                no_self.len(),
                list_some(&no_self)
            ),
        ));
    }
    let no_obs: Vec<String> = leaders
        .iter()
        .filter(|l| l.observers == 0)
        .map(|l| l.leader.clone())
        .collect();
    if !no_obs.is_empty() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} leaders have no collaborator ratings: {}",
                no_obs.len(),
                list_some(&no_obs)
            ),
        ));
    }
    let several: Vec<String> = leaders
        .iter()
        .filter(|l| l.self_ratings > 1)
        .map(|l| l.leader.clone())
        .collect();
    if !several.is_empty() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} leaders have more than one self rating (their self score is the mean): {}",
                several.len(),
                list_some(&several)
            ),
        ));
    }
    let summary = (0..s)
        .map(|k| {
            let at = |l: &LeaderProfile| l.subscales.get(k).cloned();
            let per: Vec<LeaderSubscale> = leaders.iter().filter_map(at).collect();
            let obs: Vec<f64> = per.iter().filter_map(|x| x.observers.mean).collect();
            let selfs: Vec<f64> = per.iter().filter_map(|x| x.self_score).collect();
            let gaps: Vec<f64> = per.iter().filter_map(|x| x.gap).collect();
            let pairs: Vec<(f64, f64)> = per
                .iter()
                .filter_map(|x| x.self_score.zip(x.observers.mean))
                .collect();
            LeaderSummary {
                subscale: groups.get(k).map(|g| g.0.clone()).unwrap_or_default(),
                observer_means: Descriptives::of(&obs),
                self_scores: Descriptives::of(&selfs),
                gaps: Descriptives::of(&gaps),
                self_other_r: pearson(&pairs),
            }
        })
        .collect::<Vec<LeaderSummary>>();
    if let Some(w) = undefined_summary(&summary) {
        warnings.push(w);
    }
    Profiles::Leader { leaders, summary }
}

/// The note that goes with `null`s in the summary over leaders: which statistics and why (a
/// mean needs one leader with the score, a standard deviation two, self-other agreement three
/// leaders with both a self score and collaborator scores that vary).
fn undefined_summary(summary: &[LeaderSummary]) -> Option<Warning> {
    let undefined = |d: &Descriptives| d.mean.is_none() || d.sd.is_none();
    let mut keys = Vec::new();
    for (key, hit) in [
        (
            "observer_means",
            summary.iter().any(|x| undefined(&x.observer_means)),
        ),
        (
            "self_scores",
            summary.iter().any(|x| undefined(&x.self_scores)),
        ),
        ("gaps", summary.iter().any(|x| undefined(&x.gaps))),
        (
            "self_other_r",
            summary.iter().any(|x| x.self_other_r.is_none()),
        ),
    ] {
        if hit {
            keys.push(key);
        }
    }
    (!keys.is_empty()).then(|| {
        Warning::new(
            WarningCode::Note,
            format!(
                "summary over leaders: {} null for some subscales: too few leaders have the \
                 scores (a mean needs 1, a standard deviation 2, self_other_r 3 leaders with a \
                 self score and collaborator scores, varying)",
                keys.join(", ")
            ),
        )
    })
}

fn group_profiles(
    group: &[String],
    s: usize,
    value: &dyn Fn(usize, usize) -> Option<f64>,
    subs: &[(String, Vec<usize>)],
) -> Profiles {
    let (ids, idx) = index_units(group);
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (i, &u) in idx.iter().enumerate() {
        if let Some(r) = rows_of.get_mut(u) {
            r.push(i);
        }
    }
    let groups: Vec<GroupProfile> = ids
        .iter()
        .zip(&rows_of)
        .map(|(id, rows)| GroupProfile {
            group: id.clone(),
            members: rows.len(),
            subscales: subs
                .iter()
                .enumerate()
                .map(|(k, (sub, _))| {
                    let x: Vec<f64> = rows.iter().filter_map(|&i| value(i, k)).collect();
                    GroupSubscale {
                        subscale: sub.clone(),
                        scores: Descriptives::of(&x),
                    }
                })
                .collect(),
        })
        .collect();
    let summary = (0..s)
        .map(|k| {
            let means: Vec<f64> = groups
                .iter()
                .filter_map(|g| g.subscales.get(k).and_then(|x| x.scores.mean))
                .collect();
            let all: Vec<f64> = (0..idx.len()).filter_map(|i| value(i, k)).collect();
            GroupSummary {
                subscale: subs.get(k).map(|g| g.0.clone()).unwrap_or_default(),
                group_means: Descriptives::of(&means),
                members: Descriptives::of(&all),
            }
        })
        .collect();
    Profiles::Group { groups, summary }
}

impl ProfileResult {
    /// `"leader"` or `"group"`.
    pub fn kind(&self) -> &'static str {
        match self.profiles {
            Profiles::Leader { .. } => "leader",
            Profiles::Group { .. } => "group",
        }
    }

    /// The ids of the leaders or groups, in order.
    pub fn unit_ids(&self) -> Vec<&str> {
        match &self.profiles {
            Profiles::Leader { leaders, .. } => leaders.iter().map(|l| l.leader.as_str()).collect(),
            Profiles::Group { groups, .. } => groups.iter().map(|g| g.group.as_str()).collect(),
        }
    }

    /// Keeps only the named leaders or groups, in the order named (the summary stays over all).
    /// Returns the first id that is not among them as the error.
    pub fn retain_units(&mut self, ids: &[String]) -> std::result::Result<(), String> {
        if let Some(bad) = ids
            .iter()
            .find(|id| !self.unit_ids().contains(&id.as_str()))
        {
            return Err(bad.clone());
        }
        match &mut self.profiles {
            Profiles::Leader { leaders, .. } => {
                *leaders = ids
                    .iter()
                    .filter_map(|id| leaders.iter().find(|l| l.leader == *id).cloned())
                    .collect();
            }
            Profiles::Group { groups, .. } => {
                *groups = ids
                    .iter()
                    .filter_map(|id| groups.iter().find(|g| g.group == *id).cloned())
                    .collect();
            }
        }
        Ok(())
    }

    /// The name of a subscale (its id when the instrument does not have it).
    pub fn name_of(&self, id: &str) -> String {
        self.subscales
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptives_of_small_sample() {
        let d = Descriptives::of(&[2.0, 4.0, 9.0]);
        assert_eq!(d.n, 3);
        assert_eq!(d.mean, Some(5.0));
        // deviations -3, -1, 4: squares 9 + 1 + 16 = 26, / 2 = 13
        assert!((d.sd.unwrap() - 13f64.sqrt()).abs() < 1e-15);
        assert_eq!((d.min, d.max), (Some(2.0), Some(9.0)));
        let one = Descriptives::of(&[3.0]);
        assert_eq!((one.mean, one.sd), (Some(3.0), None));
        assert_eq!(Descriptives::of(&[]).mean, None);
    }

    #[test]
    fn pearson_needs_three_pairs_and_variance() {
        assert_eq!(pearson(&[(1.0, 2.0), (2.0, 3.0)]), None);
        assert_eq!(pearson(&[(1.0, 2.0), (1.0, 3.0), (1.0, 5.0)]), None);
        let r = pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.5)]).unwrap();
        // x dev -1,0,1; y mean 4.1667, dev -2.1667,-0.1667,2.3333: sxy 4.5, sxx 2, syy 10.1667
        assert!((r - 4.5 / (2.0f64 * 10.166_666_666_666_666).sqrt()).abs() < 1e-12);
    }
}
