//! Table of `study check`: one row per dataset.

use super::{Report, Table};
use crate::analysis::study::StudyCheckOutput;

impl Report for StudyCheckOutput {
    fn tables(&self) -> Vec<Table> {
        vec![Table {
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
        }]
    }
}
