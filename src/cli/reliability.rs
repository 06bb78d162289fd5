//! `trustscale reliability`.

use super::common::{to_json, DataArgs};
use super::Output;
use serde::Serialize;
use trustscale::correlation::Missing;
use trustscale::reliability::alpha::reliability_keyed;
use trustscale::reliability::{ReliabilityOptions, ReliabilityResult};
use trustscale::Result;

/// Arguments of `reliability`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Confidence level of the alpha interval.
    #[arg(long, default_value_t = 0.95)]
    ci: f64,
    /// Percentile bootstrap interval from N resamples instead of Feldt's.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Group factors of omega's Schmid-Leiman solution.
    #[arg(long, default_value_t = 3)]
    omega_factors: usize,
    /// Write a chart of item-total correlations and alpha if deleted (.svg or .png; with several
    /// subscales, one file per subscale named FILE-SUBSCALE.svg).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Scaled<'a> {
    scale: &'a str,
    #[serde(flatten)]
    result: &'a ReliabilityResult,
}

#[derive(Serialize)]
struct Scales<'a> {
    instrument: &'a str,
    scales: Vec<Scaled<'a>>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let opts = ReliabilityOptions {
        missing: if a.data.listwise {
            Missing::Listwise
        } else {
            Missing::Pairwise
        },
        ci: a.ci,
        bootstrap: a.bootstrap,
        seed: a.seed,
        omega_factors: a.omega_factors,
    };
    opts.validate()?;
    let (scales, inst) = a.data.load()?;
    let results: Vec<(String, ReliabilityResult)> = scales
        .iter()
        .map(|s| {
            reliability_keyed(&s.data, &s.reversed, &opts)
                .map_err(|e| with_scale(e, &s.name, inst.is_some()))
                .map(|r| (s.name.clone(), r))
        })
        .collect::<Result<_>>()?;
    if let Some(plot) = &a.plot {
        for (name, r) in &results {
            let title = match inst.as_ref().and_then(|i| i.subscale(name)) {
                Some(sub) => format!("Item analysis: {}", sub.name),
                None => "Item analysis".to_string(),
            };
            let path = if results.len() > 1 {
                super::common::plot_path(plot, name)
            } else {
                plot.clone()
            };
            trustscale::plot::write(
                &path,
                &trustscale::plot::ReliabilityChart { result: r, title },
            )?;
        }
    }
    let many = results.len() > 1;
    let warnings = results
        .iter()
        .flat_map(|(name, r)| {
            r.warnings.iter().map(move |w| {
                let mut w = w.clone();
                if many {
                    w.message = format!("{name}: {}", w.message);
                }
                w
            })
        })
        .collect();
    let single = inst.is_none() || a.data.scale.is_some();
    let stdout = if a.json {
        if single {
            to_json(&results[0].1)?
        } else {
            to_json(&Scales {
                instrument: inst.as_ref().map_or("", |i| i.id.as_str()),
                scales: results
                    .iter()
                    .map(|(n, r)| Scaled {
                        scale: n,
                        result: r,
                    })
                    .collect(),
            })?
        }
    } else {
        let mut s = String::new();
        for (name, r) in &results {
            let title = match inst.as_ref().and_then(|i| i.subscale(name)) {
                Some(sub) => format!("Reliability: {} ({})", sub.name, name),
                None => "Reliability".to_string(),
            };
            s.push_str(&r.table_titled(&title).to_string());
            s.push('\n');
        }
        s
    };
    Ok(Output { stdout, warnings })
}

fn with_scale(e: trustscale::Error, scale: &str, named: bool) -> trustscale::Error {
    match e {
        trustscale::Error::InvalidOption { flag, msg } if named => {
            trustscale::Error::InvalidOption {
                flag,
                msg: format!("subscale {scale}: {msg}"),
            }
        }
        other => other,
    }
}
