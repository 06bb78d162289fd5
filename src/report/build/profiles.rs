//! Leader and group profiles.

use super::{nan, sub_name, Plan, Runner};
use crate::analysis::profile::ProfileRequest;
use crate::profile::Profiles;
use crate::render::format::apa;
use crate::report::verdict::Level;
use crate::report::{ApaTable, Block, ReportOptions, Section};
use serde_json::{Map, Value};

pub(super) fn profile_section(
    r: &mut Runner,
    plan: &Plan,
    a: &ReportOptions,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = vec![Block::Para(
        "The strengths-based view of the framework: each leader's subscale scores as they see themselves and as their collaborators see them (mean ± 1 SD of the collaborators), with the leader's strengths (subscales rated at or above the leader's own average); for group instruments, each group's profile as its members rate it.".into(),
    )];
    let mut all = Map::new();
    for (inst, ds) in &plan.instruments {
        let leader = ds.target.is_some();
        blocks.push(Block::Heading(format!(
            "{} ({}): {} profiles",
            inst.title,
            inst.id,
            if leader { "leader" } else { "group" }
        )));
        let req = ProfileRequest::new(&r.study_path, &inst.id);
        let out = match r.run(&format!("profile {}", inst.id), &req, None, None) {
            Ok(out) => out,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        blocks.push(r.last_command());
        let ids: Vec<String> = match &out.result.profiles {
            Profiles::Leader { .. } if !a.leaders.is_empty() => a.leaders.clone(),
            Profiles::Leader { leaders, .. } => {
                leaders.iter().take(3).map(|u| u.leader.clone()).collect()
            }
            Profiles::Group { groups, .. } => {
                groups.iter().take(3).map(|u| u.group.clone()).collect()
            }
        };
        match &out.result.profiles {
            Profiles::Leader { leaders, summary } => {
                let rows = summary
                    .iter()
                    .map(|sm| {
                        vec![
                            sub_name(inst, &sm.subscale),
                            format!("{:.2}", nan(sm.observer_means.mean)),
                            format!("{:.2}", nan(sm.observer_means.sd)),
                            format!("{:.2}", nan(sm.self_scores.mean)),
                            format!("{:+.2}", nan(sm.gaps.mean)),
                            sm.self_other_r.map_or("–".into(), |x| apa(x, 2, true)),
                        ]
                    })
                    .collect();
                let gaps: Vec<f64> = summary.iter().map(|x| nan(x.gaps.mean)).collect();
                let mean_gap = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
                let rs: Vec<f64> = summary.iter().filter_map(|x| x.self_other_r).collect();
                let mean_r = rs.iter().sum::<f64>() / rs.len().max(1) as f64;
                blocks.push(Block::Verdict(
                    Level::Info,
                    format!(
                        "Leaders rate themselves {:.2} points {} than their collaborators do, on average over the subscales; self-other agreement r = {} (mean over subscales).",
                        mean_gap.abs(),
                        if mean_gap >= 0.0 { "higher" } else { "lower" },
                        apa(mean_r, 2, true)
                    ),
                ));
                blocks.push(Block::Table(ApaTable {
                    title: format!("{} profiles over {} leaders", inst.title, leaders.len()),
                    header: ["Subscale", "Collaborators M", "SD", "Self M", "Self − others", "Self-other r"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    note: Some("Collaborators M and SD: mean and SD over leaders of each leader's collaborator mean; self − others: mean gap.".into()),
                }));
                let strengths = leaders
                    .iter()
                    .filter(|u| ids.contains(&u.leader))
                    .map(|u| {
                        vec![
                            u.leader.clone(),
                            u.observers.to_string(),
                            u.strengths
                                .iter()
                                .map(|x| sub_name(inst, x))
                                .collect::<Vec<_>>()
                                .join(", "),
                            format!("{:+.2}", nan(u.mean_gap)),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!("Strengths of example leaders on {}", inst.title),
                    header: [
                        "Leader",
                        "Collaborators",
                        "Strengths (highest first)",
                        "Self − others",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows: strengths,
                    note: None,
                }));
            }
            Profiles::Group { groups, summary } => {
                let rows = summary
                    .iter()
                    .map(|sm| {
                        vec![
                            sub_name(inst, &sm.subscale),
                            format!("{:.2}", nan(sm.group_means.mean)),
                            format!("{:.2}", nan(sm.group_means.sd)),
                            format!("{:.2}", nan(sm.group_means.min)),
                            format!("{:.2}", nan(sm.group_means.max)),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(ApaTable {
                    title: format!("{} profiles over {} groups", inst.title, groups.len()),
                    header: [
                        "Subscale",
                        "Mean of group means",
                        "SD",
                        "Lowest group",
                        "Highest group",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows,
                    note: None,
                }));
            }
        }
        if !ids.is_empty() {
            let chart = format!("profile-{}", inst.id);
            let mut req = ProfileRequest::new(&r.study_path, &inst.id);
            if leader {
                req.leader = ids.clone();
            } else {
                req.group = ids.clone();
            }
            let stage = format!("profile charts {}", inst.id);
            if let Ok(shown) = r.run(&stage, &req, Some(&chart), None) {
                let drawn = r.charts(&stage, &chart, &shown);
                let mut figs = Vec::new();
                for id in &ids {
                    let mine = drawn.iter().find(|(suffix, _)| match suffix {
                        Some(s) => s == id,
                        None => ids.len() == 1,
                    });
                    if let Some((_, svg)) = mine {
                        figs.push((
                            svg.clone(),
                            if leader {
                                format!("Profile of leader {id}: self rating and collaborators' mean ± 1 SD per subscale; shaded: the leader's strengths (subscales the collaborators rate at or above their own average for the leader).")
                            } else {
                                format!("Profile of group {id}: members' mean ± 1 SD per subscale.")
                            },
                        ));
                    }
                }
                // profiles of many subscales are wide: one to a row keeps their labels readable
                if inst.subscales.len() > 4 {
                    blocks.extend(
                        figs.into_iter()
                            .map(|(svg, caption)| Block::Figure { svg, caption }),
                    );
                } else {
                    blocks.push(Block::Gallery(figs));
                }
            }
            blocks.push(r.last_command());
        }
        all.insert(inst.id.clone(), r.json(&out));
    }
    results.insert("profiles".into(), Value::Object(all));
    Section {
        id: "profiles".into(),
        title: "Leader and group profiles".into(),
        blocks,
    }
}
