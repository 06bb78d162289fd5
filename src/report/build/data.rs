//! The "Study and data" section's account of each dataset as read: `trustscale describe` of its
//! file (columns, types, variable labels, value labels, declared missing codes, answers and the
//! response range per column), one table per dataset.

use super::Runner;
use crate::analysis::describe::DescribeRequest;
use crate::data::describe::Description;
use crate::data::formats::number_text;
use crate::data::ReadOptions;
use crate::report::{ApaTable, Block};
use crate::study::{DataRequest, Study};
use serde_json::{Map, Value};

/// One table per dataset of the study, with the `describe` command under it; the descriptions go
/// into `results.json` as `data` (by dataset name).
pub(super) fn data_description(
    r: &mut Runner,
    study: &Study,
    results: &mut Map<String, Value>,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut all = Map::new();
    for ds in &study.datasets {
        let req = DescribeRequest {
            data: DataRequest {
                data: Some(study.path_of(ds)),
                read: ReadOptions {
                    sheet: ds.sheet.clone(),
                    ..ReadOptions::default()
                },
                ..DataRequest::default()
            },
        };
        match r.run(&format!("describe {}", ds.name), &req, None, None) {
            Ok(out) => {
                blocks.push(Block::Table(table(&ds.name, &out.description)));
                all.insert(ds.name.clone(), r.json(&out));
            }
            Err(e) => blocks.push(Block::Warning(e)),
        }
        blocks.push(r.last_command());
    }
    results.insert("data".into(), Value::Object(all));
    blocks
}

/// The table of one dataset: a row per column; the value labels (the response scales' anchors)
/// in the note, each distinct set once with the columns that carry it.
fn table(name: &str, d: &Description) -> ApaTable {
    let rows = d
        .columns
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.kind.clone(),
                c.label.clone().unwrap_or_default(),
                c.answers.to_string(),
                if c.declared_missing > 0 {
                    format!("{} ({} coded)", c.missing, c.declared_missing)
                } else {
                    c.missing.to_string()
                },
                match (c.min, c.max) {
                    (Some(lo), Some(hi)) => format!("{}–{}", number_text(lo), number_text(hi)),
                    _ => "–".into(),
                },
                c.missing_codes_line(),
            ]
        })
        .collect();
    // distinct value-label sets, in the order of their first column
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    for c in d.columns.iter().filter(|c| !c.value_labels.is_empty()) {
        let line = c.value_labels_line();
        match sets.iter_mut().find(|(l, _)| *l == line) {
            Some((_, cols)) => cols.push(c.name.clone()),
            None => sets.push((line, vec![c.name.clone()])),
        }
    }
    let mut note = format!(
        "{} ({}){}, {} rows. Answers = cells holding a value; missing = empty, system-missing or a declared missing code (coded: how many held a declared code); range = smallest and largest answer.",
        d.format.describe(),
        d.version,
        d.label
            .as_ref()
            .map_or_else(String::new, |l| format!(", labelled \"{l}\"")),
        d.rows
    );
    if sets.is_empty() {
        note.push_str(" The file carries no value labels.");
    } else {
        note.push_str(" Value labels: ");
        let parts: Vec<String> = sets
            .iter()
            .map(|(line, cols)| format!("{}: {line}", cols.join(", ")))
            .collect();
        note.push_str(&parts.join("; "));
        note.push('.');
    }
    ApaTable {
        title: format!("Data of {name} as read ({})", d.file),
        header: [
            "Column",
            "Type",
            "Label",
            "Answers",
            "Missing",
            "Range",
            "Missing codes",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: Some(note),
    }
}
