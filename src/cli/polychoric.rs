//! `trustscale polychoric`.

use super::common::{merge_scales, to_json, DataArgs};
use super::Output;
use trustscale::correlation::polychoric::{
    polychoric, tetrachoric, PolychoricOptions, TetrachoricOptions,
};
use trustscale::render::{num, Table};
use trustscale::Result;

/// Arguments of `polychoric`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Tetrachoric correlations of dichotomous items (psych::tetrachoric).
    #[arg(long)]
    tetrachoric: bool,
    /// Do not smooth a matrix that is not positive definite.
    #[arg(long)]
    no_smooth: bool,
    /// Write a heatmap of the correlations (.svg or .png), items grouped by subscale.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let (scales, inst) = a.data.load()?;
    let (data, subscale_of) = merge_scales(&scales);
    let data = if a.data.listwise {
        data.listwise()
    } else {
        data
    };
    data.require_variance()?;
    let r = if a.tetrachoric {
        let o = TetrachoricOptions {
            smooth: !a.no_smooth,
            ..TetrachoricOptions::default()
        };
        tetrachoric(&data, &o)?
    } else {
        let o = PolychoricOptions {
            smooth: !a.no_smooth,
            ..PolychoricOptions::default()
        };
        o.validate()?;
        polychoric(&data, &o)?
    };
    if let Some(path) = &a.plot {
        let k = r.items.len();
        trustscale::plot::write(
            path,
            &trustscale::plot::Heatmap {
                title: format!(
                    "{} correlations",
                    if a.tetrachoric {
                        "Tetrachoric"
                    } else {
                        "Polychoric"
                    }
                ),
                rows: r.items.clone(),
                groups: match &inst {
                    Some(i) => subscale_of
                        .iter()
                        .map(|s| i.subscale(s).map_or_else(|| s.clone(), |x| x.name.clone()))
                        .collect(),
                    None => Vec::new(),
                },
                cols: r.items.clone(),
                values: (0..k)
                    .map(|i| (0..k).map(|j| r.rho[(i, j)]).collect())
                    .collect(),
                x_desc: String::new(),
                faint_below: 0.0,
            },
        )?;
    }
    let stdout = if a.json {
        to_json(&r)?
    } else {
        let k = r.items.len();
        let mut columns = vec![String::new()];
        columns.extend(r.items.iter().cloned());
        let rows = (0..k)
            .map(|i| {
                let mut row = vec![r.items[i].clone()];
                row.extend((0..k).map(|j| {
                    if j <= i {
                        num(r.rho[(i, j)], 2)
                    } else {
                        String::new()
                    }
                }));
                row
            })
            .collect();
        let mut t = Table {
            title: format!(
                "{} correlations",
                if a.tetrachoric {
                    "Tetrachoric"
                } else {
                    "Polychoric"
                }
            ),
            summary: vec![format!(
                "n = {}, {} items{}",
                r.n,
                k,
                if r.smoothed {
                    ", smoothed to be positive definite"
                } else {
                    ""
                }
            )],
            columns,
            rows,
            notes: vec!["Thresholds:".into()],
        };
        for (item, th) in r.items.iter().zip(&r.thresholds) {
            t.notes.push(format!(
                "  {item}: {}",
                th.iter().map(|x| num(*x, 2)).collect::<Vec<_>>().join(" ")
            ));
        }
        t.to_string()
    };
    Ok(Output {
        stdout,
        warnings: r.warnings.clone(),
    })
}
