//! `trustscale kappa`.

use super::common::{to_json, ReadArgs};
use super::Output;
use trustscale::agreement::kappa::{cohen_kappa, fleiss_kappa, KappaOptions, Weights};
use trustscale::render::{num, Table};
use trustscale::{Error, Result};

/// Arguments of `kappa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Rater columns: two for Cohen's kappa, more for Fleiss' kappa.
    #[arg(long, value_delimiter = ',', required = true)]
    raters: Vec<String>,
    /// Weights of Cohen's kappa.
    #[arg(long, value_enum, default_value = "none")]
    weights: WeightArg,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum WeightArg {
    None,
    Linear,
    Quadratic,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let (cols, _) = a.read.read_text_columns(&a.raters, "--raters")?;
    if cols.len() < 2 {
        return Err(Error::option("--raters", "name at least two rater columns"));
    }
    if cols.len() == 2 {
        let weights = match a.weights {
            WeightArg::None => Weights::None,
            WeightArg::Linear => Weights::Linear,
            WeightArg::Quadratic => Weights::Quadratic,
        };
        let r = cohen_kappa(&cols[0], &cols[1], &KappaOptions { weights, ci: a.ci })?;
        let stdout = if a.json {
            to_json(&r)?
        } else {
            Table {
                title: format!(
                    "Cohen's kappa ({} weights): {} vs {}",
                    match weights {
                        Weights::None => "no",
                        Weights::Linear => "linear",
                        Weights::Quadratic => "quadratic",
                    },
                    a.raters[0],
                    a.raters[1]
                ),
                summary: vec![
                    format!(
                        "n = {} subjects, {} categories: {}",
                        r.n,
                        r.categories.len(),
                        r.categories.join(", ")
                    ),
                    format!(
                        "kappa = {} (se {}), {}% CI [{}, {}]",
                        num(r.kappa, 3),
                        num(r.se, 3),
                        (a.ci * 100.0).round(),
                        num(r.ci[0], 3),
                        num(r.ci[1], 3)
                    ),
                    format!(
                        "observed agreement {}, chance agreement {}",
                        num(r.observed, 3),
                        num(r.expected, 3)
                    ),
                ],
                ..Default::default()
            }
            .to_string()
        };
        return Ok(Output {
            stdout,
            warnings: r.warnings.clone(),
        });
    }
    if !matches!(a.weights, WeightArg::None) {
        return Err(Error::option(
            "--weights",
            "weights apply to Cohen's kappa for two raters only",
        ));
    }
    let n = cols[0].len();
    let table: Vec<Vec<Option<String>>> = (0..n)
        .map(|i| cols.iter().map(|c| c[i].clone()).collect())
        .collect();
    let r = fleiss_kappa(&table)?;
    let stdout = if a.json {
        to_json(&r)?
    } else {
        Table {
            title: format!("Fleiss' kappa: {} raters", r.raters),
            summary: vec![
                format!(
                    "n = {} subjects, {} categories: {}",
                    r.n,
                    r.categories.len(),
                    r.categories.join(", ")
                ),
                format!(
                    "kappa = {}, z = {} (se under no agreement {}), p = {}",
                    num(r.kappa, 3),
                    num(r.z, 2),
                    num(r.se_null, 4),
                    num(r.p, 4)
                ),
            ],
            ..Default::default()
        }
        .to_string()
    };
    Ok(Output {
        stdout,
        warnings: r.warnings.clone(),
    })
}
