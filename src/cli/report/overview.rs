//! The report's frame: the study and its data, the summary of verdicts, and the warnings.

use super::{s, Runner};
use serde_json::{Map, Value};
use trustscale::report::verdict::Level;
use trustscale::report::{ApaTable, Block, Section};
use trustscale::study::Study;

pub(super) fn overview(r: &mut Runner, study: &Study, results: &mut Map<String, Value>) -> Section {
    let mut blocks = Vec::new();
    if !study.description.is_empty() {
        blocks.push(Block::Para(study.description.clone()));
    }
    let path = study.file.display().to_string();
    match r.run("study check", &["study", "check", &path]) {
        Ok(v) => {
            let mut rows = Vec::new();
            for d in v.as_array().into_iter().flatten() {
                let forms = d["forms"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, n)| format!("{k} {n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let sizes = d["group_size"]
                    .as_array()
                    .map(|a| format!("{}–{}", a[0], a[1]))
                    .unwrap_or_default();
                rows.push(vec![
                    s(&d["name"]),
                    d["rows"].to_string(),
                    d["groups"].to_string(),
                    d["targets"].as_u64().map_or("–".into(), |t| t.to_string()),
                    sizes,
                    forms,
                    d["arenas"].as_object().map_or(0, |m| m.len()).to_string(),
                    d["instruments"]
                        .as_object()
                        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                    d["missing_cells"].to_string(),
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
            results.insert("study".into(), v);
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

/// The verdicts at a glance: per section how many are good, fair and poor, and every fair or
/// poor one in full (what needs attention).
pub(super) fn summary_section(sections: &[Section], failed: &[String]) -> Section {
    let mut rows = Vec::new();
    let mut attention = Vec::new();
    for sec in sections {
        let mut counts = [0usize; 3];
        // a verdict is named by its section and the heading it stands under
        let mut heading = String::new();
        for b in &sec.blocks {
            match b {
                Block::Heading(h) => heading = h.clone(),
                Block::Verdict(level, text) => {
                    let k = match level {
                        Level::Good => 0,
                        Level::Fair => 1,
                        Level::Poor => 2,
                        Level::Info => continue,
                    };
                    counts[k] += 1;
                    if k > 0 {
                        let place = if heading.is_empty() {
                            sec.title.clone()
                        } else {
                            format!("{}, {heading}", sec.title)
                        };
                        attention.push(Block::Verdict(*level, format!("{place}: {text}")));
                    }
                }
                _ => {}
            }
        }
        if counts.iter().sum::<usize>() > 0 {
            rows.push(vec![
                sec.title.clone(),
                counts[0].to_string(),
                counts[1].to_string(),
                counts[2].to_string(),
            ]);
        }
    }
    let mut blocks = vec![
        Block::Para("Each verdict below compares a statistic with a published cut-off, named in its section. Good: meets the usual standard; fair: usable with care; poor: below the usual standard.".into()),
        Block::Table(ApaTable {
            title: "Verdicts by section".into(),
            header: ["Section", "Good", "Fair", "Poor"].map(String::from).to_vec(),
            rows,
            note: None,
        }),
    ];
    attention.extend(
        failed
            .iter()
            .map(|f| Block::Verdict(Level::Poor, format!("Analysis failed: {f}"))),
    );
    if attention.is_empty() {
        blocks.push(Block::Verdict(
            Level::Good,
            "Every verdict meets its cut-off.".into(),
        ));
    } else {
        blocks.push(Block::Heading("What needs attention".into()));
        blocks.extend(attention);
    }
    Section {
        id: "summary".into(),
        title: "Summary".into(),
        blocks,
    }
}

pub(super) fn warnings_section(r: &Runner) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "{} warnings were raised by the analyses (Heywood cases, listwise deletion, non-convergence, …). They do not stop the report but qualify the numbers they name.",
        r.warnings.len()
    ))];
    blocks.extend(r.warnings.iter().map(|w| Block::Warning(w.clone())));
    Section {
        id: "warnings".into(),
        title: "Warnings".into(),
        blocks,
    }
}
