//! The report's frame: the study and its data (each dataset as read: [`super::data`]), the
//! summary of verdicts, and the warnings.

use super::{Plan, Runner};
use crate::analysis::study::StudyCheckRequest;
use crate::report::{ApaTable, Block, Section};
use crate::study::Study;
use serde_json::{Map, Value};

pub(super) fn overview(
    r: &mut Runner,
    study: &Study,
    plan: &Plan,
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
    blocks.extend(super::data::data_description(r, study, results));
    blocks.push(Block::Table(ApaTable {
        title: "Instruments of the study".into(),
        header: ["Instrument", "Title", "Dataset", "Subscales", "Items", "Source file"]
            .map(String::from)
            .to_vec(),
        rows: plan
            .instruments
            .iter()
            .map(|(inst, ds)| {
                vec![
                    inst.id.clone(),
                    inst.title.clone(),
                    ds.name.clone(),
                    inst.subscales.len().to_string(),
                    inst.items.len().to_string(),
                    inst.file.as_ref().map_or_else(
                        || "built into trustscale".to_string(),
                        |f| f.display().to_string(),
                    ),
                ]
            })
            .collect(),
        note: Some(format!(
            "Instrument files named in the study file are read relative to it ({}); an id names an instrument file in ./instruments/ or $TRUSTSCALE_INSTRUMENTS, else one built into trustscale.",
            study.dir.display()
        )),
    }));
    Section {
        id: "study".into(),
        title: "Study and data".into(),
        blocks,
    }
}
