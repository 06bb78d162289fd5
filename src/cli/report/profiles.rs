//! Leader and group profiles.

use super::{f, s, sub_name, Args, Plan, Runner};
use serde_json::{Map, Value};
use trustscale::plot::apa;
use trustscale::report::verdict::Level;
use trustscale::report::{ApaTable, Block, Section};

pub(super) fn profile_section(
    r: &mut Runner,
    plan: &Plan,
    a: &Args,
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
        let v = match r.run(
            &format!("profile {}", inst.id),
            &["profile", "--instrument", &inst.id],
        ) {
            Ok(v) => v,
            Err(e) => {
                blocks.push(Block::Warning(e));
                continue;
            }
        };
        blocks.push(r.last_command());
        let units = if leader { &v["leaders"] } else { &v["groups"] };
        let key = if leader { "leader" } else { "group" };
        let ids: Vec<String> = if leader && !a.leaders.is_empty() {
            a.leaders.clone()
        } else {
            units
                .as_array()
                .into_iter()
                .flatten()
                .take(3)
                .map(|u| s(&u[key]))
                .collect()
        };
        let mut rows = Vec::new();
        for sm in v["summary"].as_array().into_iter().flatten() {
            let name = sub_name(inst, &s(&sm["subscale"]));
            rows.push(if leader {
                vec![
                    name,
                    format!("{:.2}", f(&sm["observer_means"]["mean"])),
                    format!("{:.2}", f(&sm["observer_means"]["sd"])),
                    format!("{:.2}", f(&sm["self_scores"]["mean"])),
                    format!("{:+.2}", f(&sm["gaps"]["mean"])),
                    sm["self_other_r"]
                        .as_f64()
                        .map_or("–".into(), |x| apa(x, 2, true)),
                ]
            } else {
                vec![
                    name,
                    format!("{:.2}", f(&sm["group_means"]["mean"])),
                    format!("{:.2}", f(&sm["group_means"]["sd"])),
                    format!("{:.2}", f(&sm["group_means"]["min"])),
                    format!("{:.2}", f(&sm["group_means"]["max"])),
                ]
            });
        }
        if leader {
            let gaps: Vec<f64> = v["summary"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| f(&x["gaps"]["mean"]))
                .collect();
            let mean_gap = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
            let rs: Vec<f64> = v["summary"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["self_other_r"].as_f64())
                .collect();
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
                title: format!("{} profiles over {} leaders", inst.title, units.as_array().map_or(0, |u| u.len())),
                header: ["Subscale", "Collaborators M", "SD", "Self M", "Self − others", "Self-other r"]
                    .map(String::from)
                    .to_vec(),
                rows,
                note: Some("Collaborators M and SD: mean and SD over leaders of each leader's collaborator mean; self − others: mean gap.".into()),
            }));
            let strengths = units
                .as_array()
                .into_iter()
                .flatten()
                .filter(|u| ids.contains(&s(&u["leader"])))
                .map(|u| {
                    vec![
                        s(&u["leader"]),
                        u["observers"].to_string(),
                        u["strengths"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|x| sub_name(inst, &s(x)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        format!("{:+.2}", f(&u["mean_gap"])),
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
        } else {
            blocks.push(Block::Table(ApaTable {
                title: format!(
                    "{} profiles over {} groups",
                    inst.title,
                    units.as_array().map_or(0, |u| u.len())
                ),
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
        if !ids.is_empty() {
            let chart = r.chart(&format!("profile-{}", inst.id));
            let chart_s = chart.display().to_string();
            let flag = if leader { "--leader" } else { "--group" };
            let joined = ids.join(",");
            if r.run(
                &format!("profile charts {}", inst.id),
                &[
                    "profile",
                    "--instrument",
                    &inst.id,
                    flag,
                    &joined,
                    "--plot",
                    &chart_s,
                ],
            )
            .is_ok()
            {
                let mut figs = Vec::new();
                for id in &ids {
                    let path = if ids.len() > 1 {
                        crate::cli::common::plot_path(&chart, id)
                    } else {
                        chart.clone()
                    };
                    if let Some(svg) = r.svg_of(&path) {
                        figs.push((
                            svg,
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
        all.insert(inst.id.clone(), v);
    }
    results.insert("profiles".into(), Value::Object(all));
    Section {
        id: "profiles".into(),
        title: "Leader and group profiles".into(),
        blocks,
    }
}
