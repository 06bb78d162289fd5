//! `trustscale icc`.

use super::common::{to_json, ReadArgs};
use super::Output;
use std::collections::HashMap;
use trustscale::agreement::icc::{icc, IccOptions};
use trustscale::data::read::ColumnRequest;
use trustscale::data::ItemSpec;
use trustscale::render::{num, Table};
use trustscale::{Error, Result};

/// Arguments of `icc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Wide data: one column per rater (rows are targets).
    #[arg(long, value_delimiter = ',')]
    raters: Vec<String>,
    /// Long data: the target id column.
    #[arg(long)]
    target: Option<String>,
    /// Long data: the rater id column.
    #[arg(long)]
    rater: Option<String>,
    /// Long data: the rating column.
    #[arg(long)]
    value: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    ci: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write the six ICCs with their intervals as a chart (.svg or .png).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let src = a.read.open()?;
    let header = src.names().to_vec();
    let at = a.read.at();
    let (values, n, k) = match (&a.target, &a.rater, &a.value, a.raters.is_empty()) {
        (None, None, None, false) => {
            let cols = ItemSpec(a.raters.clone()).resolve(&header, &at)?;
            let reqs: Vec<ColumnRequest> = cols.iter().map(|&index| ColumnRequest { index, range: None }).collect();
            let d = src.read(&reqs, None)?;
            let (n, k) = (d.n(), d.k());
            (d.values, n, k)
        }
        (Some(t), Some(r), Some(v), true) => {
            let tv = ItemSpec(vec![t.clone(), r.clone(), v.clone()]).resolve(&header, &at)?;
            let (d, texts) = src.read_text(&[ColumnRequest { index: tv[2], range: None }], &tv[..2])?;
            long_to_wide(&d.values, &texts[0], &texts[1], &d.rows, &a, &at)?
        }
        _ => {
            return Err(Error::option(
                "--raters",
                "give either --raters R1,R2,... (wide data) or all of --target, --rater and --value (long data)",
            ))
        }
    };
    let r = icc(&values, n, k, &IccOptions { ci: a.ci })?;
    if let Some(path) = &a.plot {
        trustscale::plot::write(
            path,
            &trustscale::plot::ForestChart {
                title: format!(
                    "Intraclass correlations ({} targets, {} raters)",
                    r.n_targets, r.n_raters
                ),
                x_desc: format!("ICC with {:.0}% interval", a.ci * 100.0),
                terms: r
                    .icc
                    .iter()
                    .map(|row| (row.kind.clone(), row.icc, row.ci))
                    .collect(),
            },
        )?;
    }
    let stdout = if a.json {
        to_json(&r)?
    } else {
        let t = Table {
            title: "Intraclass correlations (Shrout & Fleiss, 1979)".into(),
            summary: vec![format!(
                "{} targets x {} raters, {} ratings ({})",
                r.n_targets,
                r.n_raters,
                r.n_ratings,
                if r.method == "anova" {
                    "two-way ANOVA"
                } else {
                    "REML variance components"
                }
            )],
            columns: ["type", "ICC", "F", "df1", "df2", "p", "CI", "meaning"]
                .map(String::from)
                .to_vec(),
            rows: r
                .icc
                .iter()
                .map(|x| {
                    vec![
                        x.kind.clone(),
                        num(x.icc, 3),
                        num(x.f, 2),
                        num(x.df1, 0),
                        num(x.df2, if x.df2.fract() == 0.0 { 0 } else { 1 }),
                        num(x.p, 4),
                        format!("[{}, {}]", num(x.ci[0], 2), num(x.ci[1], 2)),
                        x.description.clone(),
                    ]
                })
                .collect(),
            notes: vec![format!("{}% confidence intervals.", (a.ci * 100.0).round())],
        };
        t.to_string()
    };
    Ok(Output {
        stdout,
        warnings: r.warnings.clone(),
    })
}

/// Reshapes long ratings into a targets-by-raters table (targets and raters in first-seen order).
fn long_to_wide(
    values: &[f64],
    targets: &[String],
    raters: &[String],
    rows: &[u64],
    a: &Args,
    at: &trustscale::Location,
) -> Result<(Vec<f64>, usize, usize)> {
    let mut t_index: HashMap<&str, usize> = HashMap::new();
    let mut r_index: HashMap<&str, usize> = HashMap::new();
    for (t, r) in targets.iter().zip(raters) {
        let nt = t_index.len();
        t_index.entry(t.as_str()).or_insert(nt);
        let nr = r_index.len();
        r_index.entry(r.as_str()).or_insert(nr);
    }
    let (n, k) = (t_index.len(), r_index.len());
    let mut wide = vec![f64::NAN; n * k];
    for (i, ((t, r), v)) in targets.iter().zip(raters).zip(values).enumerate() {
        if t.is_empty() || r.is_empty() {
            return Err(Error::Parse {
                at: at.clone().with_row(rows[i]).with_column(if t.is_empty() {
                    a.target.clone().unwrap_or_default()
                } else {
                    a.rater.clone().unwrap_or_default()
                }),
                expected: "a target and a rater id".into(),
                found: String::new(),
            });
        }
        let cell = &mut wide[t_index[t.as_str()] * k + r_index[r.as_str()]];
        if !cell.is_nan() && !v.is_nan() {
            return Err(Error::Parse {
                at: at.clone().with_row(rows[i]).with_column(a.value.clone().unwrap_or_default()),
                expected: format!("one rating per target and rater, but target \"{t}\" already has a rating from \"{r}\""),
                found: v.to_string(),
            });
        }
        if !v.is_nan() {
            *cell = *v;
        }
    }
    Ok((wide, n, k))
}
