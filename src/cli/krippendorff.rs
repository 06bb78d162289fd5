//! `trustscale krippendorff`.

use super::common::{to_json, ReadArgs};
use super::Output;
use trustscale::agreement::krippendorff::{krippendorff, krippendorff_bootstrap, Level};
use trustscale::render::{num, Table};
use trustscale::{Error, Result};

/// Arguments of `krippendorff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Coder columns (rows are units).
    #[arg(long, value_delimiter = ',', required = true)]
    raters: Vec<String>,
    /// Level of measurement.
    #[arg(long, value_enum, default_value = "nominal")]
    level: LevelArg,
    /// Percentile bootstrap interval from N resamples of units.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Confidence level of the bootstrap interval.
    #[arg(long, default_value_t = 0.95)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LevelArg {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let level = match a.level {
        LevelArg::Nominal => Level::Nominal,
        LevelArg::Ordinal => Level::Ordinal,
        LevelArg::Interval => Level::Interval,
        LevelArg::Ratio => Level::Ratio,
    };
    let (cols, rows) = a.read.read_text_columns(&a.raters, "--raters")?;
    let n = rows.len();
    // values as numbers; nominal data may be text labels, coded by their sorted order
    let all_numeric = cols
        .iter()
        .flatten()
        .flatten()
        .all(|v| v.trim().parse::<f64>().is_ok());
    let labels = if all_numeric {
        Vec::new()
    } else {
        if level != Level::Nominal {
            let (c, i) = cols
                .iter()
                .enumerate()
                .find_map(|(c, col)| {
                    col.iter()
                        .position(|v| v.as_ref().is_some_and(|v| v.trim().parse::<f64>().is_err()))
                        .map(|i| (c, i))
                })
                .unwrap_or((0, 0));
            return Err(Error::Parse {
                at: a.read.at().with_row(rows[i]).with_column(&a.raters[c]),
                expected: "a number (ordinal, interval and ratio levels need numeric codes)".into(),
                found: cols[c][i].clone().unwrap_or_default(),
            });
        }
        trustscale::agreement::kappa::sort_categories(
            cols.iter().flatten().flatten().cloned().collect(),
        )
    };
    let units: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            cols.iter()
                .filter_map(|c| c[i].as_ref())
                .map(|v| match labels.iter().position(|l| l == v) {
                    Some(p) => p as f64,
                    None => v.trim().parse::<f64>().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .collect();
    if level == Level::Ratio && units.iter().flatten().any(|v| *v < 0.0) {
        return Err(Error::option(
            "--level",
            "ratio level needs non-negative values",
        ));
    }
    let r = match a.bootstrap {
        Some(b) => krippendorff_bootstrap(&units, level, b, a.seed, a.ci)?,
        None => krippendorff(&units, level)?,
    };
    let stdout = if a.json {
        to_json(&r)?
    } else {
        let mut summary = vec![
            format!(
                "{} units, {} coders, {} pairable values",
                r.n_units,
                a.raters.len(),
                r.n_pairable
            ),
            format!(
                "alpha = {} (observed disagreement {}, expected {})",
                num(r.alpha, 3),
                num(r.observed_disagreement, 4),
                num(r.expected_disagreement, 4)
            ),
        ];
        if let Some(ci) = r.ci {
            summary.push(format!(
                "{}% bootstrap interval [{}, {}] ({} resamples of units)",
                (a.ci * 100.0).round(),
                num(ci[0], 3),
                num(ci[1], 3),
                r.bootstrap.unwrap_or(0)
            ));
        }
        Table {
            title: format!("Krippendorff's alpha ({:?} level)", level)
                .to_lowercase()
                .replace("krippendorff's", "Krippendorff's"),
            summary,
            ..Default::default()
        }
        .to_string()
    };
    Ok(Output::text(stdout))
}
