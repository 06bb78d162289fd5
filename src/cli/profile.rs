//! `trustscale profile`: subscale profiles per leader (self against collaborators, strengths)
//! or per group, with optional profile charts.

use super::common::ReadArgs;
use super::Output;
use std::path::PathBuf;
use trustscale::analysis::profile::ProfileRequest;
use trustscale::analysis::{to_json, Outcome, Request};
use trustscale::plot::{write_charts, Charts};
use trustscale::render::Report;
use trustscale::Result;

/// Arguments of `profile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// A study file (study.toml): the dataset holding `--instrument` is read; a dataset with a
    /// target column gives leader profiles, one without gives group profiles.
    #[arg(long)]
    study: Option<PathBuf>,
    /// The instrument (`tblc`, `abi`, `group-trust`, `group-self-assessment`) or its file.
    #[arg(long)]
    instrument: String,
    /// Leaders (target ids) to show and draw, e.g. `G001-L,G002-L` (default: show all).
    #[arg(long, value_delimiter = ',')]
    leader: Vec<String>,
    /// Groups to show and draw, e.g. `G001,G002` (default: show all).
    #[arg(long, value_delimiter = ',')]
    group: Vec<String>,
    /// With a DATA file: the column naming the rated leader (gives leader profiles).
    #[arg(long, conflicts_with = "study")]
    target: Option<String>,
    /// With a DATA file and --target: the column naming each row's form (self/observer).
    #[arg(long, conflicts_with = "study")]
    form: Option<String>,
    /// With a DATA file: the column naming each row's group (gives group profiles).
    #[arg(long, conflicts_with = "study")]
    group_column: Option<String>,
    /// Share of a subscale's items that must be answered for a score (as `trustscale score`).
    #[arg(long, default_value_t = 0.8, value_parser = super::common::finite_f64)]
    min_answered: f64,
    /// Draw the profiles of the leaders named by --leader (or groups by --group) to FILE
    /// (.svg or .png); with several, to FILE-ID.svg for each.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> Result<ProfileRequest> {
        let mut data = self.read.request()?;
        data.study = self.study.clone();
        data.instrument = Some(self.instrument.clone());
        data.all_forms = true;
        Ok(ProfileRequest {
            data,
            leader: self.leader.clone(),
            group: self.group.clone(),
            target: self.target.clone(),
            form: self.form.clone(),
            group_column: self.group_column.clone(),
            min_answered: self.min_answered,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    let written = match &a.plot {
        Some(path) => write_charts(path, &out.charts()?)?,
        None => Vec::new(),
    };
    let stdout = if a.json {
        to_json(&out)?
    } else {
        let mut s = out
            .tables()
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        if !written.is_empty() {
            s.push('\n');
        }
        for p in &written {
            s.push_str(&format!("wrote {}\n", p.display()));
        }
        s
    };
    Ok(Output {
        stdout,
        warnings: out.warnings(),
    })
}
