//! The report's frame: the study and its data, the summary of verdicts, and the warnings.

use super::{Plan, Runner};
use crate::analysis::study::StudyCheckRequest;
use crate::report::{ApaTable, Block, Section};
use crate::study::Study;
use serde_json::{Map, Value};

pub(super) fn overview(
    r: &mut Runner,
    study: &Study,
    _plan: &Plan,
    results: &mut Map<String, Value>,
) -> Section {
    let mut blocks = Vec::new();
    if !study.description.is_empty() {
        blocks.push(Block::Para(study.description.clone()));
    }
    let req = StudyCheckRequest {
        file: study.file.clone(),
    };
    match r.run("study check", &req, None, None) {
        Ok(out) => {
            let mut rows = Vec::new();
            for d in &out.datasets {
                let forms = d
                    .forms
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sizes = format!("{}–{}", d.group_size[0], d.group_size[1]);
                rows.push(vec![
                    d.name.clone(),
                    d.rows.to_string(),
                    d.groups.to_string(),
                    d.targets.map_or("–".into(), |t| t.to_string()),
                    sizes,
                    forms,
                    d.arenas.len().to_string(),
                    d.instruments.keys().cloned().collect::<Vec<_>>().join(", "),
                    d.missing_cells.to_string(),
                ]);
            }
            blocks.push(Block::Table(ApaTable {
                title: "Datasets of the study".into(),
                header: [
                    "Dataset",
                    "Rows",
                    "Groups",
                    "Rated leaders",
                    "Rows per group",
                    "Forms",
                    "Arenas",
                    "Instruments",
                    "Missing cells",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                note: Some(
                    "Psychometric analyses of instruments with a self and an observer form use the observer (collaborator) rows.".into(),
                ),
            }));
            results.insert("study".into(), r.json(&out));
        }
        Err(e) => blocks.push(Block::Warning(e)),
    }
    blocks.push(r.last_command());
    Section {
        id: "study".into(),
        title: "Study and data".into(),
        blocks,
    }
}
