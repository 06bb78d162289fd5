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
    /// Two raters: write their agreement table as a heatmap of proportions (.svg or .png);
    /// the diagonal holds the agreements.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
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
        if let Some(path) = &a.plot {
            let c = &r.categories;
            let mut counts = vec![vec![0.0; c.len()]; c.len()];
            let mut pairs = 0.0f64;
            for (x, y) in cols[0].iter().zip(&cols[1]) {
                let (Some(x), Some(y)) = (x, y) else {
                    continue;
                };
                let i = c.iter().position(|k| k == x.trim());
                let j = c.iter().position(|k| k == y.trim());
                if let (Some(i), Some(j)) = (i, j) {
                    counts[i][j] += 1.0;
                    pairs += 1.0;
                }
            }
            trustscale::plot::write(
                path,
                &trustscale::plot::Heatmap {
                    title: format!(
                        "Agreement of {} and {}: kappa = {}",
                        a.raters[0],
                        a.raters[1],
                        trustscale::plot::apa(r.kappa, 2, true)
                    ),
                    rows: c.iter().map(|k| format!("{}: {k}", a.raters[0])).collect(),
                    groups: Vec::new(),
                    cols: c.clone(),
                    values: counts
                        .iter()
                        .map(|row| row.iter().map(|v| v / pairs.max(1.0)).collect())
                        .collect(),
                    x_desc: format!("{} (share of the {pairs} rated subjects)", a.raters[1]),
                    faint_below: 0.0,
                },
            )?;
        }
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
    if a.plot.is_some() {
        return Err(Error::option(
            "--plot",
            "the agreement chart is drawn for two raters (Cohen's kappa)",
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
