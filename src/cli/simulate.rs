//! `trustscale simulate`.

use super::Output;
use std::path::PathBuf;
use trustscale::instrument;
use trustscale::simulate::likert::to_csv;
use trustscale::simulate::{simulate_instrument, SimulateOptions};
use trustscale::{Error, Result};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instrument id or file (one factor per subscale).
    #[arg(long)]
    instrument: String,
    /// Respondents.
    #[arg(long, default_value_t = 400)]
    n: usize,
    /// Seed (the same seed gives the same file on every platform).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Standardised loading of every item.
    #[arg(long, default_value_t = 0.7)]
    loadings: f64,
    /// Correlation between subscale factors.
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    factor_cor: f64,
    /// Write the CSV here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let inst = instrument::load(&a.instrument)?;
    let opts = SimulateOptions {
        n: a.n,
        seed: a.seed,
        loadings: a.loadings,
        factor_cor: a.factor_cor,
    };
    let (data, _) = simulate_instrument(&inst, &opts)?;
    let csv = to_csv(&data);
    match a.out {
        Some(p) => {
            std::fs::write(&p, csv).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            Ok(Output::text(format!(
                "wrote {} responses to {} items of {} to {}\n",
                a.n,
                data.k(),
                inst.id,
                p.display()
            )))
        }
        None => Ok(Output::text(csv)),
    }
}
