//! Tables of `instrument list|show|check`.

use super::{Report, Table};
use crate::analysis::instrument::{InstrumentCheck, InstrumentList, InstrumentShow};

impl Report for InstrumentList {
    fn tables(&self) -> Vec<Table> {
        vec![Table {
            title: "Instruments".into(),
            columns: ["id", "title", "subscales", "items", "forms", "scale"]
                .map(String::from)
                .to_vec(),
            rows: self
                .instruments
                .iter()
                .map(|i| {
                    vec![
                        i.id.clone(),
                        i.title.clone(),
                        i.subscales.to_string(),
                        i.items.to_string(),
                        i.forms.join(", "),
                        format!("{}-{}", i.scale[0], i.scale[1]),
                    ]
                })
                .collect(),
            ..Default::default()
        }]
    }
}

/// The heading (title, scale, forms, source), then one table per subscale with its items and
/// their wording in [`InstrumentShow::table_form`].
impl Report for InstrumentShow {
    fn tables(&self) -> Vec<Table> {
        let mut out = vec![Table {
            title: format!("{} ({}, version {})", self.title, self.id, self.version),
            summary: vec![
                format!(
                    "scale {} to {}: {}",
                    self.scale.min,
                    self.scale.max,
                    self.scale.anchors.join(" / ")
                ),
                format!("forms: {}", self.forms.join(", ")),
                format!("source: {}", self.source),
            ],
            ..Default::default()
        }];
        for s in &self.subscales {
            let mut meta = Vec::new();
            if let Some(t) = &s.trust {
                meta.push(format!("{t} trust"));
            }
            if !s.risks.is_empty() {
                meta.push(format!("risks: {}", s.risks.join(", ")));
            }
            out.push(Table {
                title: format!(
                    "{} ({}){}",
                    s.name,
                    s.id,
                    if meta.is_empty() {
                        String::new()
                    } else {
                        format!(" - {}", meta.join("; "))
                    }
                ),
                columns: vec![
                    "item".into(),
                    "R".into(),
                    format!("text ({})", self.table_form),
                ],
                rows: s
                    .items
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.clone(),
                            if i.reverse { "R".into() } else { String::new() },
                            i.table_text.clone(),
                        ]
                    })
                    .collect(),
                ..Default::default()
            });
        }
        out
    }
}

impl Report for InstrumentCheck {
    fn tables(&self) -> Vec<Table> {
        vec![Table {
            title: format!(
                "{}: ok ({} forms, {} subscales, {} items, {} reverse keyed)",
                self.file.display(),
                self.forms,
                self.subscales,
                self.items,
                self.reverse_keyed
            ),
            ..Default::default()
        }]
    }
}
