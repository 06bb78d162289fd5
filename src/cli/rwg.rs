//! `trustscale rwg`.

use super::common::{to_json, DataArgs};
use super::Output;
use serde::Serialize;
use trustscale::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions, RwgResult};
use trustscale::render::{num, opt, Table};
use trustscale::{Error, Result, Warning, WarningCode};

/// Arguments of `rwg`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// The group id column (default with --study: the dataset's group column).
    #[arg(long)]
    group: Option<String>,
    /// Number of response options A (default: from the instrument or --scale-min/--scale-max).
    #[arg(long)]
    scale_points: Option<usize>,
    /// Null distribution: uniform, slight-skew, moderate-skew, heavy-skew, triangular.
    #[arg(long, default_value = "uniform")]
    null: String,
    /// A null variance to use instead of a named null.
    #[arg(long)]
    null_variance: Option<f64>,
    /// Cut-off of mean rwg(j) for aggregation.
    #[arg(long, default_value_t = 0.70)]
    min_rwg: f64,
    /// Cut-off of ICC(1).
    #[arg(long, default_value_t = 0.05)]
    min_icc1: f64,
    /// Cut-off of ICC(2).
    #[arg(long, default_value_t = 0.70)]
    min_icc2: f64,
    /// Random-group resampling with this many pseudo groups (Bliese's rgr.agree).
    #[arg(long)]
    rgr: Option<usize>,
    /// Seed of the resampling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a chart (.svg or .png): each group's rwg(j) with the cut-off, and ICC(1)/ICC(2)
    /// per scale.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Scaled<'a> {
    scale: &'a str,
    #[serde(flatten)]
    result: &'a RwgResult,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let null = match a.null_variance {
        Some(v) => Null::Variance(v),
        None => Null::parse(&a.null)?,
    };
    let group = match &a.group {
        Some(g) => g.clone(),
        None if a.data.study.is_some() => a.data.study_dataset()?.group,
        None => {
            return Err(Error::option(
                "--group",
                "name the group id column (--group team)",
            ))
        }
    };
    let (scales, inst, texts) = a.data.load_with(std::slice::from_ref(&group))?;
    let groups = texts.into_iter().next().unwrap_or_default();
    let points = match (a.scale_points, &inst, a.data.scale_min, a.data.scale_max) {
        (Some(p), _, _, _) => p,
        (None, Some(i), _, _) => (i.scale.max - i.scale.min + 1) as usize,
        (None, None, Some(lo), Some(hi)) if hi > lo && (hi - lo).fract() == 0.0 => (hi - lo) as usize + 1,
        _ => return Err(Error::option("--scale-points", "give the number of response options (--scale-points 5), an instrument, or --scale-min/--scale-max")),
    };
    let opts = RwgOptions {
        scale_points: points,
        null,
        cutoffs: AggregationCutoffs {
            rwg: a.min_rwg,
            icc1: a.min_icc1,
            icc2: a.min_icc2,
            alpha: 0.05,
        },
        rgr: a.rgr,
        seed: a.seed,
    };
    let mut results = Vec::new();
    let mut warnings = Vec::new();
    for s in &scales {
        // as multilevel (na.exclude): rows complete on the items and the group
        let k = s.data.k();
        let mut values = Vec::with_capacity(s.data.values.len());
        let mut g = Vec::with_capacity(s.data.n());
        let mut dropped = 0;
        for (i, row) in s.data.row_iter().enumerate() {
            if row.iter().any(|v| v.is_nan())
                || groups[i].trim().is_empty()
                || a.data.read.is_missing(&groups[i])
            {
                dropped += 1;
                continue;
            }
            values.extend_from_slice(row);
            g.push(groups[i].trim().to_string());
        }
        if dropped > 0 {
            warnings.push(Warning::new(
                WarningCode::Listwise,
                format!(
                    "{}: {dropped} rows with a missing item or group were dropped (as multilevel)",
                    s.name
                ),
            ));
        }
        let r = rwg(&values, k, &g, &opts)?;
        warnings.extend(
            r.warnings
                .iter()
                .map(|w| Warning::new(w.code, format!("{}: {}", s.name, w.message))),
        );
        results.push((s.name.clone(), r));
    }
    if let Some(path) = &a.plot {
        let name_of = |id: &str| {
            inst.as_ref()
                .and_then(|i| i.subscale(id))
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        };
        trustscale::plot::write(
            path,
            &trustscale::plot::AgreementChart {
                title: format!(
                    "Within-group agreement{}",
                    inst.as_ref()
                        .map_or(String::new(), |i| format!(": {}", i.title))
                ),
                scales: results
                    .iter()
                    .map(|(n, r)| trustscale::plot::AgreementScale {
                        name: name_of(n),
                        rwg_j: r.groups.iter().filter_map(|g| g.rwg_j).collect(),
                        icc1: r.icc1,
                        icc2: r.icc2,
                    })
                    .collect(),
                rwg_cutoff: a.min_rwg,
                icc2_cutoff: a.min_icc2,
            },
        )?;
    }
    let single = inst.is_none() || a.data.scale.is_some();
    let stdout = if a.json {
        if single {
            to_json(&results[0].1)?
        } else {
            to_json(&serde_json::json!({
                "instrument": inst.as_ref().map(|i| i.id.clone()),
                "scales": results.iter().map(|(n, r)| Scaled { scale: n, result: r }).collect::<Vec<_>>(),
            }))?
        }
    } else {
        let mut out = String::new();
        for (name, r) in &results {
            out.push_str(&table(name, r).to_string());
            out.push('\n');
        }
        out
    };
    Ok(Output { stdout, warnings })
}

fn table(name: &str, r: &RwgResult) -> Table {
    let mut summary = vec![
        format!(
            "{} respondents in {} groups, {} items, null variance {}",
            r.n,
            r.n_groups,
            r.k,
            num(r.null_variance, 3)
        ),
        format!(
            "rwg(j): mean {}, median {}, {}% of groups >= cut-off; AD mean {}",
            num(r.mean_rwg_j, 3),
            num(r.median_rwg_j, 3),
            (r.share_rwg_j_above * 100.0).round(),
            num(r.mean_ad, 3)
        ),
        format!(
            "ICC(1) = {}, F({}, {}) = {}, p = {}; ICC(2) = {}",
            num(r.icc1, 3),
            r.anova.df1,
            r.anova.df2,
            num(r.anova.f, 2),
            num(r.anova.p, 4),
            num(r.icc2, 3)
        ),
        format!(
            "aggregation {}:",
            if r.aggregation.supported {
                "supported"
            } else {
                "not supported"
            }
        ),
    ];
    summary.extend(r.aggregation.reasons.iter().map(|s| format!("  {s}")));
    if let Some(g) = &r.random_groups {
        summary.push(format!(
            "random groups ({}): mean variance {} vs {} in real groups, z = {}; pseudo-group rwg(j) mean {}, 95th percentile {}",
            g.n_random_groups,
            num(g.mean_random_variance, 3),
            num(g.mean_group_variance, 3),
            num(g.z, 2),
            num(g.mean_random_rwg_j, 3),
            num(g.random_rwg_j_p95, 3)
        ));
    }
    Table {
        title: format!("Within-group agreement: {name}"),
        summary,
        columns: ["group", "n", "mean", "rwg(j)", "AD (mean)", "AD (median)"]
            .map(String::from)
            .to_vec(),
        rows: r
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.group.clone(),
                    g.n.to_string(),
                    num(g.mean, 2),
                    opt(g.rwg_j, 3),
                    opt(g.ad_mean, 3),
                    opt(g.ad_median, 3),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}
