//! Table of `describe`: one row per column of the data file.

use super::{Report, Table};
use crate::analysis::describe::DescribeOutput;
use crate::data::formats::number_text;

impl Report for DescribeOutput {
    fn tables(&self) -> Vec<Table> {
        let d = &self.description;
        let mut summary = vec![format!(
            "{} ({}), {} rows, {} columns",
            d.format.describe(),
            d.version,
            d.rows,
            d.columns.len()
        )];
        if let Some(l) = &d.label {
            summary.push(format!("label: {l}"));
        }
        let mut notes = Vec::new();
        for c in &d.columns {
            if !c.value_labels.is_empty() {
                notes.push(format!("{}: {}", c.name, c.value_labels_line()));
            }
        }
        vec![Table {
            title: d.file.clone(),
            summary,
            columns: [
                "column",
                "type",
                "answers",
                "missing",
                "range",
                "missing codes",
                "label",
            ]
            .map(String::from)
            .to_vec(),
            rows: d
                .columns
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.kind.clone(),
                        c.answers.to_string(),
                        if c.declared_missing > 0 {
                            format!("{} ({} coded)", c.missing, c.declared_missing)
                        } else {
                            c.missing.to_string()
                        },
                        match (c.min, c.max) {
                            (Some(lo), Some(hi)) => {
                                format!("{} to {}", number_text(lo), number_text(hi))
                            }
                            _ => String::new(),
                        },
                        c.missing_codes_line(),
                        c.label.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
            notes,
        }]
    }
}
