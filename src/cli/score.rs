//! `trustscale score`.

use super::common::DataArgs;
use super::Output;
use trustscale::analysis::score::ScoreRequest;
use trustscale::analysis::{Outcome, Request};
use trustscale::instrument::score::ScoreMethod;
use trustscale::{Error, Result};

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Mean of the answered items, or their (prorated) sum.
    #[arg(long, value_enum, default_value = "mean")]
    method: Method,
    /// Share of a subscale's items that must be answered for a score.
    #[arg(long, default_value_t = 0.8, value_parser = super::common::finite_f64)]
    min_answered: f64,
    /// Write the CSV here instead of stdout.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Method {
    Mean,
    Sum,
}

impl Args {
    /// The library request.
    pub fn request(&self) -> Result<ScoreRequest> {
        Ok(ScoreRequest {
            data: self.data.request()?,
            method: match self.method {
                Method::Mean => ScoreMethod::Mean,
                Method::Sum => ScoreMethod::Sum,
            },
            min_answered: self.min_answered,
        })
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = a.request()?.run()?;
    let csv = out.to_csv();
    let warnings = out.warnings();
    match a.out {
        Some(path) => {
            std::fs::write(&path, csv).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            Ok(Output {
                stdout: format!(
                    "wrote {} scores for {} respondents to {}\n",
                    out.scores.subscales.len(),
                    out.respondents,
                    path.display()
                ),
                warnings,
            })
        }
        None => Ok(Output {
            stdout: csv,
            warnings,
        }),
    }
}
