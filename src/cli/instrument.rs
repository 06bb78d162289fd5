//! `trustscale instrument list|show|check|template`.

use super::Output;
use std::path::PathBuf;
use trustscale::analysis::instrument::{
    InstrumentCheckRequest, InstrumentListRequest, InstrumentShowRequest,
    InstrumentTemplateRequest, TemplateFormat,
};
use trustscale::analysis::{to_json, Request};
use trustscale::render::Report;
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
    /// Writes a blank data-collection file for a form: a CSV header, or an SPSS .sav or Excel
    /// .xlsx file with the items' wording and the scale's anchors as labels.
    Template {
        /// Instrument id or file.
        id: String,
        /// The rater form.
        #[arg(long)]
        form: String,
        /// Add a second row with each item's wording (skip it with --skip-rows 1 when reading).
        #[arg(long)]
        with_text: bool,
        /// File format: csv, sav (SPSS) or xlsx (Excel); sav and xlsx need --out.
        #[arg(long, value_enum, default_value = "csv")]
        format: FormatArg,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `--format` of `instrument template`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// CSV header.
    Csv,
    /// SPSS system file.
    Sav,
    /// Excel workbook.
    Xlsx,
}

/// Each table followed by a blank line (`show`), or the tables joined (`list`, `check`).
fn text(r: &impl Report) -> String {
    r.tables().iter().map(|t| t.to_string()).collect()
}

/// Runs the subcommand.
pub fn run(c: Command) -> Result<Output> {
    match c {
        Command::List { json } => {
            let out = InstrumentListRequest.run()?;
            Ok(Output::text(if json { to_json(&out)? } else { text(&out) }))
        }
        Command::Show { id, json, form } => {
            let out = InstrumentShowRequest { id, form }.run()?;
            if json {
                return Ok(Output::text(to_json(&out)?));
            }
            Ok(Output::text(
                out.tables().iter().map(|t| format!("{t}\n")).collect(),
            ))
        }
        Command::Check { file } => Ok(Output::text(text(&InstrumentCheckRequest { file }.run()?))),
        Command::Template {
            id,
            form,
            with_text,
            format,
            out,
        } => {
            let format = match format {
                FormatArg::Csv => TemplateFormat::Csv,
                FormatArg::Sav => TemplateFormat::Sav,
                FormatArg::Xlsx => TemplateFormat::Xlsx,
            };
            if format != TemplateFormat::Csv && out.is_none() {
                return Err(Error::option(
                    "--out",
                    "give the file to write (a .sav or .xlsx is not printed)",
                ));
            }
            let t = InstrumentTemplateRequest {
                id,
                form,
                with_text,
                format,
            }
            .run()?;
            let bytes = if format == TemplateFormat::Csv {
                t.csv.as_bytes()
            } else {
                &t.bytes[..]
            };
            match out {
                Some(p) => {
                    std::fs::write(&p, bytes).map_err(|source| Error::Io {
                        path: p.clone(),
                        source,
                    })?;
                    Ok(Output::text(format!("wrote {}\n", p.display())))
                }
                None => Ok(Output::text(t.csv)),
            }
        }
    }
}
