//! `trustscale omega`.

use super::common::{correlation_matrix, merge_scales, to_json, CorArg, DataArgs, ScaleData};
use super::Output;
use serde::Serialize;
use trustscale::reliability::omega::{omega, OmegaOptions};
use trustscale::render::{num, Table};
use trustscale::{Error, Result};

/// Arguments of `omega`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Group factors of the Schmid-Leiman solution (default: 3, or with `--whole` one per
    /// subscale of the instrument).
    #[arg(long)]
    factors: Option<usize>,
    /// Analyse all of the instrument's items as one set: a general factor over the subscales
    /// and (by default) one group factor per subscale, the bifactor view of whether a total
    /// score or the subscale scores carry the information.
    #[arg(long, requires = "instrument")]
    whole: bool,
    /// Correlations: pearson or polychoric.
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Write a heatmap of the Schmid-Leiman loadings (general, group factors, h2) as .svg or
    /// .png; with several subscales, one file per subscale named FILE-SUBSCALE.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Group {
    factor: String,
    items: Vec<String>,
    total: Option<f64>,
    general: Option<f64>,
    group: Option<f64>,
}

#[derive(Serialize)]
struct View<'a> {
    scale: &'a str,
    n: usize,
    items: &'a [String],
    factors: usize,
    omega_total: f64,
    omega_hierarchical: f64,
    omega_limit: f64,
    alpha: f64,
    lambda6: f64,
    ecv: f64,
    general_loadings: Vec<f64>,
    group_loadings: Vec<Vec<f64>>,
    h2: Vec<f64>,
    u2: Vec<f64>,
    p2: Vec<f64>,
    flipped: Vec<&'a str>,
    omega_group: Vec<Group>,
    converged: bool,
    warnings: &'a [trustscale::Warning],
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let (scales, inst) = a.data.load()?;
    // with --whole: one set of every item, each item's subscale kept for the chart
    let (scales, subscale_of) = match (&inst, a.whole) {
        (Some(inst), true) => {
            let (data, ids) = merge_scales(&scales);
            let subscale_of = ids
                .iter()
                .map(|id| {
                    inst.subscale(id)
                        .map_or_else(|| id.clone(), |s| s.name.clone())
                })
                .collect();
            let reversed = scales.iter().flat_map(|s| s.reversed.clone()).collect();
            let whole = ScaleData {
                name: inst.id.clone(),
                data,
                reversed,
            };
            (vec![whole], subscale_of)
        }
        _ => (scales, Vec::new()),
    };
    let factors = match (a.factors, &inst, a.whole) {
        (Some(k), _, _) => k,
        (None, Some(inst), true) => inst.subscales.len(),
        _ => 3,
    };
    if factors == 0 {
        return Err(Error::option(
            "--factors",
            "expected at least 1 group factor",
        ));
    }
    let mut out = String::new();
    let mut views = Vec::new();
    let mut warnings = Vec::new();
    let results: Vec<_> = scales
        .iter()
        .map(|s| {
            s.data.require_complete_rows(3)?;
            s.data.require_variance()?;
            let (r, n, w) = correlation_matrix(&s.data, a.cor, a.data.listwise)?;
            let mut o = omega(&r, factors, &OmegaOptions::default())?;
            o.warnings.splice(0..0, w);
            Ok((s, n, o))
        })
        .collect::<Result<_>>()?;
    for (s, n, o) in &results {
        let names = &s.data.names;
        let k = o.group_loadings.ncols();
        if let Some(plot) = &a.plot {
            let path = if results.len() > 1 {
                super::common::plot_path(plot, &s.name)
            } else {
                plot.clone()
            };
            let mut cols = vec!["g".to_string()];
            cols.extend((1..=k).map(|j| format!("F{j}*")));
            cols.push("h2".into());
            trustscale::plot::write(
                &path,
                &trustscale::plot::Heatmap {
                    title: format!(
                        "Schmid-Leiman loadings{}: omega h = {}, omega t = {}",
                        if results.len() > 1 {
                            format!(" ({})", s.name)
                        } else {
                            String::new()
                        },
                        trustscale::plot::apa(o.omega_hierarchical, 2, true),
                        trustscale::plot::apa(o.omega_total, 2, true)
                    ),
                    rows: names.clone(),
                    groups: subscale_of.clone(),
                    cols,
                    values: (0..names.len())
                        .map(|i| {
                            std::iter::once(o.general_loadings[i])
                                .chain((0..k).map(|j| o.group_loadings[(i, j)]))
                                .chain(std::iter::once(o.h2[i]))
                                .collect()
                        })
                        .collect(),
                    x_desc: "factor".into(),
                    faint_below: 0.2,
                },
            )?;
        }
        let view = View {
            scale: &s.name,
            n: *n,
            items: names,
            factors,
            omega_total: o.omega_total,
            omega_hierarchical: o.omega_hierarchical,
            omega_limit: o.omega_limit,
            alpha: o.alpha,
            lambda6: o.lambda6,
            ecv: o.ecv,
            general_loadings: o.general_loadings.iter().copied().collect(),
            group_loadings: (0..names.len())
                .map(|i| (0..k).map(|j| o.group_loadings[(i, j)]).collect())
                .collect(),
            h2: o.h2.iter().copied().collect(),
            u2: o.u2.iter().copied().collect(),
            p2: o.p2.iter().copied().collect(),
            flipped: names
                .iter()
                .zip(&o.key)
                .filter(|(_, &k)| k < 0.0)
                .map(|(n, _)| n.as_str())
                .collect(),
            omega_group: o
                .omega_group
                .iter()
                .map(|g| Group {
                    factor: g.factor.clone(),
                    items: g
                        .items
                        .iter()
                        .filter_map(|&i| names.get(i).cloned())
                        .collect(),
                    total: g.total,
                    general: g.general,
                    group: g.group,
                })
                .collect(),
            converged: o.converged,
            warnings: &o.warnings,
        };
        warnings.extend(o.warnings.iter().cloned());
        if !a.json {
            out.push_str(&table(&view).to_string());
            out.push('\n');
        }
        views.push(view);
    }
    if a.json {
        out = if views.len() == 1 {
            to_json(&views[0])?
        } else {
            to_json(&serde_json::json!({ "scales": views }))?
        };
    }
    Ok(Output {
        stdout: out,
        warnings,
    })
}

fn table(v: &View) -> Table {
    let k = v.group_loadings.first().map_or(0, Vec::len);
    let mut columns = vec!["item".to_string(), "g".to_string()];
    columns.extend((1..=k).map(|j| format!("F{j}*")));
    columns.extend(["h2", "u2", "p2"].map(String::from));
    let rows = v
        .items
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut r = vec![
                format!(
                    "{name}{}",
                    if v.flipped.contains(&name.as_str()) {
                        " (-)"
                    } else {
                        ""
                    }
                ),
                num(v.general_loadings[i], 2),
            ];
            r.extend(v.group_loadings[i].iter().map(|x| {
                if x.abs() >= 0.2 {
                    num(*x, 2)
                } else {
                    String::new()
                }
            }));
            r.extend([num(v.h2[i], 2), num(v.u2[i], 2), num(v.p2[i], 2)]);
            r
        })
        .collect();
    let mut notes = vec!["Omega per factor (total / general / group):".to_string()];
    for g in &v.omega_group {
        notes.push(format!(
            "  {:>4}: {} / {} / {}  ({} items)",
            g.factor,
            g.total.map_or("NA".into(), |x| num(x, 2)),
            g.general.map_or("NA".into(), |x| num(x, 2)),
            g.group.map_or("NA".into(), |x| num(x, 2)),
            g.items.len()
        ));
    }
    notes.push(
        "Group loadings below .20 are blank; (-) marks items reversed to load positively on g."
            .into(),
    );
    Table {
        title: format!(
            "Omega (Schmid-Leiman, {} group factors): {}",
            v.factors, v.scale
        ),
        summary: vec![
            format!("n = {}, k = {} items", v.n, v.items.len()),
            format!(
                "omega total = {}, omega hierarchical = {}, omega_h/omega_t = {}, ECV = {}",
                num(v.omega_total, 3),
                num(v.omega_hierarchical, 3),
                num(v.omega_limit, 3),
                num(v.ecv, 3)
            ),
            format!(
                "alpha = {}, lambda 6 = {}",
                num(v.alpha, 3),
                num(v.lambda6, 3)
            ),
        ],
        columns,
        rows,
        notes,
    }
}
