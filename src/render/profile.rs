//! Tables of `profile`: leader profiles (self against collaborators, strengths, across leaders)
//! or group profiles (per group, across groups).

use super::format::{num, opt};
use super::{Report, Table};
use crate::analysis::profile::ProfileOutput;
use crate::profile::{Descriptives, ProfileResult, Profiles};

impl Report for ProfileResult {
    fn tables(&self) -> Vec<Table> {
        let [lo, hi] = self.scale;
        let metric = format!(
            "scores are subscale means of the answered items ({} to {}, reverse keys applied)",
            num(lo, 0),
            num(hi, 0)
        );
        match &self.profiles {
            Profiles::Leader { leaders, summary } => {
                let mut rows = Vec::new();
                for l in leaders {
                    for x in &l.subscales {
                        let o = &x.observers;
                        let [mean, sd, min, max] = spread(o);
                        rows.push(vec![
                            l.leader.clone(),
                            self.name_of(&x.subscale),
                            opt(x.self_score, 2),
                            o.n.to_string(),
                            mean,
                            sd,
                            min,
                            max,
                            opt(x.gap, 2),
                        ]);
                    }
                }
                let profiles = Table {
                    title: format!("Leader profiles: {} ({})", self.title, self.instrument),
                    summary: vec![
                        format!("{} leaders shown, {} ratings read", leaders.len(), self.n),
                        metric,
                    ],
                    columns: [
                        "leader",
                        "subscale",
                        "self",
                        "n",
                        "mean",
                        "sd",
                        "min",
                        "max",
                        "gap",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows,
                    notes: vec![
                        "n, mean, sd, min, max: collaborators' (observer) ratings; gap = self - collaborators' mean".into(),
                    ],
                };
                let strengths = Table {
                    title: "Strengths: subscales collaborators rate at or above the leader's own average".into(),
                    columns: ["leader", "collaborators", "average", "strengths", "mean gap"]
                        .map(String::from)
                        .to_vec(),
                    rows: leaders
                        .iter()
                        .map(|l| {
                            vec![
                                l.leader.clone(),
                                l.observers.to_string(),
                                opt(l.observer_average, 2),
                                l.strengths
                                    .iter()
                                    .map(|s| self.name_of(s))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                opt(l.mean_gap, 2),
                            ]
                        })
                        .collect(),
                    ..Default::default()
                };
                let across = Table {
                    title: "Across all leaders".into(),
                    columns: [
                        "subscale",
                        "leaders",
                        "collaborators",
                        "self",
                        "gap",
                        "r self-other",
                        "pairs",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows: summary
                        .iter()
                        .map(|x| {
                            vec![
                                self.name_of(&x.subscale),
                                x.observer_means.n.to_string(),
                                opt(x.observer_means.mean, 2),
                                opt(x.self_scores.mean, 2),
                                opt(x.gaps.mean, 2),
                                opt(x.self_other_r, 2),
                                x.gaps.n.to_string(),
                            ]
                        })
                        .collect(),
                    notes: vec![
                        "collaborators, self, gap: means over leaders of each leader's value; r: Pearson correlation of self scores with collaborators' means".into(),
                    ],
                    ..Default::default()
                };
                vec![profiles, strengths, across]
            }
            Profiles::Group { groups, summary } => {
                let mut rows = Vec::new();
                for g in groups {
                    for x in &g.subscales {
                        let d = &x.scores;
                        let [mean, sd, min, max] = spread(d);
                        rows.push(vec![
                            g.group.clone(),
                            self.name_of(&x.subscale),
                            d.n.to_string(),
                            mean,
                            sd,
                            min,
                            max,
                        ]);
                    }
                }
                let profiles = Table {
                    title: format!("Group profiles: {} ({})", self.title, self.instrument),
                    summary: vec![
                        format!("{} groups shown, {} ratings read", groups.len(), self.n),
                        metric,
                    ],
                    columns: ["group", "subscale", "n", "mean", "sd", "min", "max"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    ..Default::default()
                };
                let across = Table {
                    title: "Across all groups".into(),
                    columns: [
                        "subscale",
                        "groups",
                        "mean",
                        "sd",
                        "min",
                        "max",
                        "members",
                        "member mean",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows: summary
                        .iter()
                        .map(|x| {
                            let d = &x.group_means;
                            let [mean, sd, min, max] = spread(d);
                            vec![
                                self.name_of(&x.subscale),
                                d.n.to_string(),
                                mean,
                                sd,
                                min,
                                max,
                                x.members.n.to_string(),
                                opt(x.members.mean, 2),
                            ]
                        })
                        .collect(),
                    notes: vec![
                        "mean, sd, min, max: of the groups' means; member mean: all members pooled"
                            .into(),
                    ],
                    ..Default::default()
                };
                vec![profiles, across]
            }
        }
    }
}

impl Report for ProfileOutput {
    fn tables(&self) -> Vec<Table> {
        self.result.tables()
    }
}

/// Mean, sd, min and max of a distribution, as table cells.
fn spread(d: &Descriptives) -> [String; 4] {
    [d.mean, d.sd, d.min, d.max].map(|x| opt(x, 2))
}
