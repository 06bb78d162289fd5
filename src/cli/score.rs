//! `trustscale score`.

use super::common::DataArgs;
use super::Output;
use trustscale::instrument::score::{score, ScoreMethod, ScoreOptions};
use trustscale::{Error, Result, Warning, WarningCode};

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Mean of the answered items, or their (prorated) sum.
    #[arg(long, value_enum, default_value = "mean")]
    method: Method,
    /// Share of a subscale's items that must be answered for a score.
    #[arg(long, default_value_t = 0.8)]
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

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    if a.data.instrument.is_none() {
        return Err(Error::option(
            "--instrument",
            "scoring needs an instrument (--instrument tblc)",
        ));
    }
    let opts = ScoreOptions {
        method: match a.method {
            Method::Mean => ScoreMethod::Mean,
            Method::Sum => ScoreMethod::Sum,
        },
        min_answered: a.min_answered,
    };
    opts.validate()?;
    let (scales, _) = a.data.load()?;
    // one data set with every scale's columns side by side
    let mut names = Vec::new();
    let mut groups = Vec::new();
    for s in &scales {
        let start = names.len();
        names.extend(s.data.names.iter().cloned());
        groups.push((
            s.name.clone(),
            (start..start + s.data.k()).collect::<Vec<_>>(),
        ));
    }
    let n = scales.first().map_or(0, |s| s.data.n());
    let mut values = Vec::with_capacity(n * names.len());
    for i in 0..n {
        for s in &scales {
            values.extend_from_slice(s.data.row(i));
        }
    }
    let mut all = trustscale::data::ItemData::new(names, values)?;
    if let Some(first) = scales.first() {
        all.rows = first.data.rows.clone();
        all.ids = first.data.ids.clone();
    }
    let scores = score(&all, &groups, &opts)?;
    let csv = scores.to_csv(a.data.id.as_deref().unwrap_or("row"));
    let warnings = scores
        .subscales
        .iter()
        .zip(&scores.missing)
        .filter(|(_, &m)| m > 0)
        .map(|(s, m)| {
            Warning::new(
                WarningCode::Note,
                format!("{s}: {m} of {n} respondents answered too few items for a score"),
            )
        })
        .collect();
    match a.out {
        Some(path) => {
            std::fs::write(&path, csv).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            Ok(Output {
                stdout: format!(
                    "wrote {} scores for {} respondents to {}\n",
                    scores.subscales.len(),
                    n,
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
