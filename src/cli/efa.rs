//! `trustscale efa`.

use super::common::{correlation_matrix, merge_scales, to_json, CorArg, DataArgs};
use super::Output;
use serde::Serialize;
use std::str::FromStr;
use trustscale::factor::efa::{efa, EfaOptions, EfaResult, Extraction, RotationKind};
use trustscale::render::{num, opt, Table};
use trustscale::{Error, Result};

/// Arguments of `efa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Number of factors, or `auto` (parallel analysis). Default with an instrument: its number
    /// of subscales.
    #[arg(long)]
    factors: Option<String>,
    /// Extraction: minres, pa, ml.
    #[arg(long, default_value = "minres")]
    extraction: String,
    /// Rotation: none, varimax, promax, oblimin, quartimin, geomin.
    #[arg(long, default_value = "oblimin")]
    rotation: String,
    /// Correlations: pearson or polychoric.
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Loadings below this (in absolute value) flag an item as weak.
    #[arg(long, default_value_t = 0.3)]
    cutoff: f64,
    /// Random starts of GPA rotations (the best criterion is kept).
    #[arg(long, default_value_t = 0)]
    random_starts: usize,
    /// Seed of random starts and of parallel analysis.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Iterations of the parallel analysis behind `--factors auto`.
    #[arg(long, default_value_t = 20)]
    iterations: usize,
    /// Write a heatmap of the loadings (.svg or .png), items grouped by their subscale and the
    /// factors ordered by the subscale each stands for.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

/// Which factor stands for which subscale.
#[derive(Debug, Clone, Serialize)]
struct SubscaleFactor {
    subscale: String,
    /// 1-based factor, `null` when no factor was left for it.
    factor: Option<usize>,
    mean_abs_loading: Option<f64>,
}

/// One item's verdict.
#[derive(Debug, Clone, Serialize)]
struct ItemFlag {
    item: String,
    subscale: Option<String>,
    /// 1-based factor with the largest absolute loading.
    primary_factor: usize,
    primary_loading: f64,
    /// `"foreign"` (loads most on another subscale's factor), `"weak"` (below the cut-off) or null.
    flag: Option<String>,
}

#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    result: &'a EfaResult,
    cutoff: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subscale_factors: Vec<SubscaleFactor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item_flags: Vec<ItemFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    factors_from_parallel: Option<usize>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let extraction = Extraction::from_str(&a.extraction).map_err(|_| {
        Error::option(
            "--extraction",
            format!("expected minres, pa or ml, found \"{}\"", a.extraction),
        )
    })?;
    let rotation = RotationKind::from_str(&a.rotation).map_err(|_| {
        Error::option(
            "--rotation",
            format!(
                "expected none, varimax, promax, oblimin, quartimin or geomin, found \"{}\"",
                a.rotation
            ),
        )
    })?;
    let (scales, inst) = a.data.load()?;
    let (data, subscale_of) = merge_scales(&scales);
    data.require_complete_rows(3)?;
    data.require_variance()?;
    let (r, n, mut warnings) = correlation_matrix(&data, a.cor, a.data.listwise)?;
    let mut from_parallel = None;
    let nfactors = match a.factors.as_deref() {
        Some("auto") => {
            let k = super::parallel::suggested_factors(
                &data,
                a.cor,
                a.data.listwise,
                a.iterations,
                a.seed,
            )?
            .max(1);
            from_parallel = Some(k);
            k
        }
        Some(s) => s.parse::<usize>().map_err(|_| {
            Error::option(
                "--factors",
                format!("expected a number or auto, found \"{s}\""),
            )
        })?,
        None => match &inst {
            Some(i) if a.data.scale.is_none() => i.subscales.len(),
            _ => {
                return Err(Error::option(
                    "--factors",
                    "give the number of factors (or auto)",
                ))
            }
        },
    };
    let opts = EfaOptions {
        nfactors,
        extraction,
        rotation,
        random_starts: a.random_starts,
        seed: a.seed,
        ..EfaOptions::default()
    };
    let mut res = efa(&r, n, &opts)?;
    res.items = data.names.clone();
    res.cor = a.cor.name().to_string();
    warnings.extend(res.warnings.iter().cloned());
    let (subscale_factors, item_flags) = match inst {
        Some(_) => flags(&res, &subscale_of, a.cutoff),
        None => (Vec::new(), Vec::new()),
    };
    if let Some(path) = &a.plot {
        let names = |id: &str| -> String {
            inst.as_ref()
                .and_then(|i| i.subscale(id))
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        };
        trustscale::plot::write(
            path,
            &heatmap(&res, &subscale_of, &subscale_factors, inst.is_some(), names),
        )?;
    }
    let view = View {
        result: &res,
        cutoff: a.cutoff,
        subscale_factors,
        item_flags,
        factors_from_parallel: from_parallel,
    };
    let stdout = if a.json {
        to_json(&view)?
    } else {
        table(&view).to_string()
    };
    Ok(Output { stdout, warnings })
}

/// The loading heatmap: factors in the order of the subscales they stand for (so a clean
/// structure shows as blocks on the diagonal), unmatched factors last.
fn heatmap(
    res: &EfaResult,
    subscale_of: &[String],
    matched: &[SubscaleFactor],
    grouped: bool,
    name_of: impl Fn(&str) -> String,
) -> trustscale::plot::Heatmap {
    let k = res.loadings.ncols();
    let mut order: Vec<usize> = matched
        .iter()
        .filter_map(|m| m.factor.map(|f| f - 1))
        .filter(|&f| f < k)
        .collect();
    let rest: Vec<usize> = (0..k).filter(|f| !order.contains(f)).collect();
    order.extend(rest);
    let cols = order.iter().map(|f| format!("F{}", f + 1)).collect();
    let values = (0..res.loadings.nrows())
        .map(|i| order.iter().map(|&f| res.loadings[(i, f)]).collect())
        .collect();
    trustscale::plot::Heatmap {
        title: format!(
            "{} loadings ({}, {})",
            if grouped { "Factor" } else { "EFA" },
            res.extraction,
            res.rotation
        ),
        rows: res.items.clone(),
        groups: if grouped {
            subscale_of.iter().map(|s| name_of(s)).collect()
        } else {
            Vec::new()
        },
        cols,
        values,
        x_desc: "factor".into(),
        faint_below: 0.3,
    }
}

/// Assigns factors to subscales (greedy on the mean absolute loading of the subscale's items)
/// and flags items that load most on a foreign factor or below the cut-off.
fn flags(
    res: &EfaResult,
    subscale_of: &[String],
    cutoff: f64,
) -> (Vec<SubscaleFactor>, Vec<ItemFlag>) {
    let l = &res.loadings;
    let k = l.ncols();
    let mut subs: Vec<String> = Vec::new();
    for s in subscale_of {
        if !subs.contains(s) {
            subs.push(s.clone());
        }
    }
    let score = |s: &str, f: usize| {
        let rows: Vec<usize> = (0..l.nrows()).filter(|&i| subscale_of[i] == s).collect();
        rows.iter().map(|&i| l[(i, f)].abs()).sum::<f64>() / rows.len().max(1) as f64
    };
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (si, s) in subs.iter().enumerate() {
        for f in 0..k {
            pairs.push((score(s, f), si, f));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut factor_of: Vec<Option<(usize, f64)>> = vec![None; subs.len()];
    let mut used = vec![false; k];
    for (sc, si, f) in pairs {
        if factor_of[si].is_none() && !used[f] {
            factor_of[si] = Some((f, sc));
            used[f] = true;
        }
    }
    let sf = subs
        .iter()
        .zip(&factor_of)
        .map(|(s, fo)| SubscaleFactor {
            subscale: s.clone(),
            factor: fo.map(|x| x.0 + 1),
            mean_abs_loading: fo.map(|x| x.1),
        })
        .collect();
    let items = (0..l.nrows())
        .map(|i| {
            let (pf, pl) = (0..k)
                .map(|f| (f, l[(i, f)]))
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .unwrap_or((0, 0.0));
            let si = subs.iter().position(|s| *s == subscale_of[i]);
            let intended = si.and_then(|si| factor_of[si]).map(|x| x.0);
            let flag = if pl.abs() < cutoff {
                Some("weak".to_string())
            } else if intended.is_some_and(|f| f != pf) {
                Some("foreign".to_string())
            } else {
                None
            };
            ItemFlag {
                item: res.items[i].clone(),
                subscale: si.map(|_| subscale_of[i].clone()),
                primary_factor: pf + 1,
                primary_loading: pl,
                flag,
            }
        })
        .collect();
    (sf, items)
}

fn table(v: &View) -> Table {
    let r = v.result;
    let k = r.factors;
    let mut columns = vec!["item".to_string()];
    if !v.item_flags.is_empty() {
        columns.push("subscale".into());
    }
    columns.extend((1..=k).map(|j| format!("F{j}")));
    columns.extend(["h2", "u2"].map(String::from));
    if !v.item_flags.is_empty() {
        columns.push("flag".into());
    }
    let rows = (0..r.items.len())
        .map(|i| {
            let mut row = vec![r.items[i].clone()];
            if let Some(f) = v.item_flags.get(i) {
                row.push(f.subscale.clone().unwrap_or_default());
            }
            row.extend((0..k).map(|j| {
                let x = r.loadings[(i, j)];
                if x.abs() >= v.cutoff {
                    num(x, 2)
                } else {
                    format!("({})", num(x, 2))
                }
            }));
            row.push(num(r.communalities[i], 2));
            row.push(num(r.uniquenesses[i], 2));
            if let Some(f) = v.item_flags.get(i) {
                row.push(f.flag.clone().unwrap_or_default());
            }
            row
        })
        .collect();
    let mut summary = vec![
        format!(
            "n = {}, {} items, {} factors{}; {} extraction, {} rotation, {} correlations",
            r.n,
            r.items.len(),
            k,
            v.factors_from_parallel
                .map(|_| " (from parallel analysis)")
                .unwrap_or(""),
            r.extraction.as_str(),
            r.rotation.as_str(),
            r.cor
        ),
        format!(
            "KMO = {}; Bartlett chi2({}) = {}, p = {}",
            num(r.kmo, 2),
            r.bartlett.df,
            r.bartlett.chi2.map_or("NA".into(), |x| num(x, 1)),
            r.bartlett.p.map_or("NA".into(), |x| num(x, 4))
        ),
        format!(
            "fit: chi2({}) = {}, RMSEA = {}, TLI = {}, BIC = {}",
            r.fit.df,
            opt(r.fit.chi2, 2),
            r.fit.rmsea.map_or("NA".into(), |x| num(x, 3)),
            r.fit.tli.map_or("NA".into(), |x| num(x, 3)),
            r.fit.bic.map_or("NA".into(), |x| num(x, 1))
        ),
        format!(
            "SS loadings: {}",
            r.variance_explained
                .iter()
                .map(|x| num(*x, 2))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ];
    if r.rotation.is_oblique() && k > 1 {
        let mut s = String::from("factor correlations:");
        for i in 0..k {
            for j in 0..i {
                s.push_str(&format!(
                    " F{}-F{} {}",
                    j + 1,
                    i + 1,
                    num(r.factor_correlations[(i, j)], 2)
                ));
            }
        }
        summary.push(s);
    }
    for sf in &v.subscale_factors {
        summary.push(format!(
            "{} -> {}",
            sf.subscale,
            sf.factor.map_or("no factor left".to_string(), |f| format!(
                "F{f} (mean |loading| {})",
                num(sf.mean_abs_loading.unwrap_or(0.0), 2)
            ))
        ));
    }
    Table {
        title: "Exploratory factor analysis".into(),
        summary,
        columns,
        rows,
        notes: vec![format!("Loadings below {} in parentheses; flag: foreign = loads most on another subscale's factor, weak = no loading above the cut-off.", num(v.cutoff, 2))],
    }
}
