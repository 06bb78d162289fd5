//! `trustscale study check`.

use super::common::to_json;
use super::Output;
use std::path::PathBuf;
use trustscale::render::Table;
use trustscale::study::{check, Study};
use trustscale::Result;

/// Study subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validates a study file against its data.
    Check {
        /// The study file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the subcommand.
pub fn run(c: Command) -> Result<Output> {
    match c {
        Command::Check { file, json } => {
            let study = Study::load(&file)?;
            let reports = check(&study)?;
            if json {
                return Ok(Output::text(to_json(&reports)?));
            }
            let t = Table {
                title: format!(
                    "{}: ok{}",
                    file.display(),
                    if study.title.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", study.title)
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
                rows: reports
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
            };
            Ok(Output::text(t.to_string()))
        }
    }
}
