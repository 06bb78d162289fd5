//! `trustscale simulate`.

use super::Output;
use std::path::PathBuf;
use trustscale::analysis::simulate::{SimulateOutput, SimulateRequest};
use trustscale::analysis::Request;
use trustscale::{Error, Result};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instrument id or file (one factor per subscale).
    #[arg(long, conflicts_with = "model")]
    instrument: Option<String>,
    /// A population model (model.toml): writes a whole study (data files, study.toml, truth) to --out.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Respondents.
    #[arg(long, default_value_t = 400)]
    n: usize,
    /// Seed (the same seed gives the same file on every platform; default 1, or the model's).
    #[arg(long)]
    seed: Option<u64>,
    /// Standardised loading of every item.
    #[arg(long, default_value_t = 0.7, value_parser = super::common::finite_f64)]
    loadings: f64,
    /// Correlation between subscale factors.
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true, value_parser = super::common::finite_f64)]
    factor_cor: f64,
    /// Write the CSV here instead of stdout (with --model: the output folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

impl Args {
    /// The library request these flags ask for.
    pub fn request(&self) -> SimulateRequest {
        SimulateRequest {
            instrument: self.instrument.clone(),
            model: self.model.clone(),
            n: self.n,
            seed: self.seed,
            loadings: self.loadings,
            factor_cor: self.factor_cor,
            out: self.out.clone(),
        }
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    match a.request().run()? {
        SimulateOutput::Study(s) => Ok(Output::text(format!(
            "wrote a study of {} groups ({} leader-rating rows, {} member-rating rows) to {}\n",
            s.groups,
            s.leader_rows,
            s.member_rows,
            s.dir.display()
        ))),
        SimulateOutput::Responses(r) => match &a.out {
            Some(p) => {
                std::fs::write(p, &r.csv).map_err(|source| Error::Io {
                    path: p.clone(),
                    source,
                })?;
                Ok(Output::text(format!(
                    "wrote {} responses to {} items of {} to {}\n",
                    r.n,
                    r.items,
                    r.instrument,
                    p.display()
                )))
            }
            None => Ok(Output::text(r.csv)),
        },
    }
}
