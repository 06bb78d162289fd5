//! Table of `study check`: one row per dataset.

use super::{Report, Table};
use crate::analysis::study::StudyCheckOutput;

impl Report for StudyCheckOutput {
    fn tables(&self) -> Vec<Table> {
        let mut out = vec![self.datasets_table()];
        for r in &self.datasets {
            if let Some(d) = &r.design {
                out.push(Table {
                    title: format!("{}: program-evaluation design (unit: {})", r.name, d.unit),
                    summary: d
                        .retention
                        .iter()
                        .map(|x| {
                            format!(
                                "{}: {} {}s at baseline, {} at follow-up, {} at both (retained {})",
                                x.arm,
                                x.n_baseline,
                                d.unit,
                                x.n_followup,
                                x.n_both,
                                super::opt(x.retained, 2)
                            )
                        })
                        .chain(d.cohorts.map(|c| format!("{c} cohorts")))
                        .collect(),
                    columns: ["arm", "wave", "rows", "leaders", "raters", "groups"]
                        .map(String::from)
                        .to_vec(),
                    rows: d
                        .cells
                        .iter()
                        .map(|c| {
                            vec![
                                c.arm.clone(),
                                c.wave.clone(),
                                c.rows.to_string(),
                                c.leaders.map_or_else(|| "-".into(), |n| n.to_string()),
                                c.raters.to_string(),
                                c.groups.to_string(),
                            ]
                        })
                        .collect(),
                    ..Default::default()
                });
            }
        }
        out
    }
}

impl StudyCheckOutput {
    fn datasets_table(&self) -> Table {
        Table {
            title: format!(
                "{}: ok{}",
                self.file.display(),
                if self.title.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.title)
                }
            ),
            columns: [
                "dataset",
                "rows",
                "groups",
                "group size",
                "forms",
                "arenas",
                "instruments",
                "missing cells",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .datasets
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.rows.to_string(),
                        r.groups.to_string(),
                        format!("{}-{}", r.group_size[0], r.group_size[1]),
                        r.forms
                            .iter()
                            .map(|(f, n)| format!("{f} {n}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        r.arenas.len().to_string(),
                        r.instruments
                            .iter()
                            .map(|(i, n)| format!("{i} ({n})"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        r.missing_cells.to_string(),
                    ]
                })
                .collect(),
            ..Default::default()
        }
    }
}
