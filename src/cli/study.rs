//! `trustscale study check`.

use super::Output;
use std::path::PathBuf;
use trustscale::analysis::study::StudyCheckRequest;
use trustscale::analysis::{to_json, Request};
use trustscale::render::Report;
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
            let out = StudyCheckRequest { file }.run()?;
            Ok(Output::text(if json {
                to_json(&out)?
            } else {
                out.tables().iter().map(|t| t.to_string()).collect()
            }))
        }
    }
}
