//! `trustscale instrument list|show|check|template`.

use super::common::to_json;
use super::Output;
use serde::Serialize;
use std::path::PathBuf;
use trustscale::instrument::{self, Instrument};
use trustscale::render::Table;
use trustscale::{Error, Result};

/// Instrument subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The shipped instruments.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// An instrument's forms, subscales and items.
    Show {
        /// Instrument id or file.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Show item wording for this form.
        #[arg(long)]
        form: Option<String>,
    },
    /// Checks an instrument file (duplicate ids, empty subscales, bad scale, unknown form).
    Check {
        /// The file.
        file: PathBuf,
    },
    /// Writes a blank CSV header for collecting data with a form.
    Template {
        /// Instrument id or file.
        id: String,
        /// The rater form.
        #[arg(long)]
        form: String,
        /// Add a second row with each item's wording (skip it with --skip-rows 1 when reading).
        #[arg(long)]
        with_text: bool,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Serialize)]
struct ShowItem<'a> {
    id: &'a str,
    reverse: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

#[derive(Serialize)]
struct ShowSubscale<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    trust: Option<&'a str>,
    risks: &'a [String],
    items: Vec<ShowItem<'a>>,
}

#[derive(Serialize)]
struct ShowScale {
    min: i64,
    max: i64,
    anchors: Vec<String>,
}

#[derive(Serialize)]
struct Show<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    source: &'a str,
    scale: ShowScale,
    forms: Vec<&'a str>,
    subscales: Vec<ShowSubscale<'a>>,
}

fn show<'a>(inst: &'a Instrument, form: Option<&'a str>) -> Show<'a> {
    Show {
        id: &inst.id,
        title: &inst.title,
        version: &inst.version,
        source: &inst.source,
        scale: ShowScale {
            min: inst.scale.min,
            max: inst.scale.max,
            anchors: inst.scale.anchors.clone(),
        },
        forms: inst.forms.iter().map(|f| f.id.as_str()).collect(),
        subscales: inst
            .subscales
            .iter()
            .map(|s| ShowSubscale {
                id: &s.id,
                name: &s.name,
                trust: s.trust.as_deref(),
                risks: &s.risks,
                items: inst
                    .items_of(&s.id)
                    .map(|i| ShowItem {
                        id: &i.id,
                        reverse: i.reverse,
                        text: form.and_then(|f| i.text.get(f)).map(String::as_str),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Runs the subcommand.
pub fn run(c: Command) -> Result<Output> {
    match c {
        Command::List { json } => {
            let insts: Vec<Instrument> = instrument::builtin_ids()
                .into_iter()
                .map(instrument::load)
                .collect::<Result<_>>()?;
            if json {
                #[derive(Serialize)]
                struct Row<'a> {
                    id: &'a str,
                    title: &'a str,
                    subscales: usize,
                    items: usize,
                    forms: Vec<&'a str>,
                }
                let rows: Vec<Row> = insts
                    .iter()
                    .map(|i| Row {
                        id: &i.id,
                        title: &i.title,
                        subscales: i.subscales.len(),
                        items: i.items.len(),
                        forms: i.forms.iter().map(|f| f.id.as_str()).collect(),
                    })
                    .collect();
                return Ok(Output::text(to_json(&rows)?));
            }
            let t = Table {
                title: "Instruments".into(),
                columns: ["id", "title", "subscales", "items", "forms", "scale"]
                    .map(String::from)
                    .to_vec(),
                rows: insts
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.clone(),
                            i.title.clone(),
                            i.subscales.len().to_string(),
                            i.items.len().to_string(),
                            i.forms
                                .iter()
                                .map(|f| f.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            format!("{}-{}", i.scale.min, i.scale.max),
                        ]
                    })
                    .collect(),
                ..Default::default()
            };
            Ok(Output::text(t.to_string()))
        }
        Command::Show { id, json, form } => {
            let inst = instrument::load(&id)?;
            if let Some(f) = &form {
                inst.require_form(f)?;
            }
            if json {
                return Ok(Output::text(to_json(&show(&inst, form.as_deref()))?));
            }
            let form = form
                .unwrap_or_else(|| inst.forms.first().map(|f| f.id.clone()).unwrap_or_default());
            let mut out = format!(
                "{} ({}, version {})\n  scale {} to {}: {}\n  forms: {}\n  source: {}\n\n",
                inst.title,
                inst.id,
                inst.version,
                inst.scale.min,
                inst.scale.max,
                inst.scale.anchors.join(" / "),
                inst.forms
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                inst.source
            );
            for s in &inst.subscales {
                let mut meta = Vec::new();
                if let Some(t) = &s.trust {
                    meta.push(format!("{t} trust"));
                }
                if !s.risks.is_empty() {
                    meta.push(format!("risks: {}", s.risks.join(", ")));
                }
                let t = Table {
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
                    columns: vec!["item".into(), "R".into(), format!("text ({form})")],
                    rows: inst
                        .items_of(&s.id)
                        .map(|i| {
                            vec![
                                i.id.clone(),
                                if i.reverse { "R".into() } else { String::new() },
                                i.text.get(&form).cloned().unwrap_or_default(),
                            ]
                        })
                        .collect(),
                    ..Default::default()
                };
                out.push_str(&t.to_string());
                out.push('\n');
            }
            Ok(Output::text(out))
        }
        Command::Check { file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
                path: file.clone(),
                source,
            })?;
            let inst = instrument::load_str(&text, &file)?;
            Ok(Output::text(format!(
                "{}: ok ({} forms, {} subscales, {} items, {} reverse keyed)\n",
                file.display(),
                inst.forms.len(),
                inst.subscales.len(),
                inst.items.len(),
                inst.items.iter().filter(|i| i.reverse).count()
            )))
        }
        Command::Template {
            id,
            form,
            with_text,
            out,
        } => {
            let inst = instrument::load(&id)?;
            let csv = instrument::template::template(&inst, &form, with_text)?;
            match out {
                Some(p) => {
                    std::fs::write(&p, &csv).map_err(|source| Error::Io {
                        path: p.clone(),
                        source,
                    })?;
                    Ok(Output::text(format!("wrote {}\n", p.display())))
                }
                None => Ok(Output::text(csv)),
            }
        }
    }
}
