//! `trustscale cfa`: confirmatory factor analysis / SEM in lavaan's model syntax, construct
//! validity, modification indices and measurement invariance.

use super::common::{merge_scales, to_json, DataArgs};
use super::Output;
use serde::Serialize;
use std::path::PathBuf;
use trustscale::cfa::invariance::{invariance, InvarianceOptions, InvarianceResult};
use trustscale::cfa::{cfa, partable, syntax, CfaOptions, CfaResult, Estimator};
use trustscale::instrument::Instrument;
use trustscale::render::{num, opt, Table};
use trustscale::{Error, Result};

/// Arguments of `cfa`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The data file, `--instrument` (without --model: one factor per subscale; its reverse-keyed
    /// items are reversed before fitting), `--scale` (one subscale), `--form`, `--study`,
    /// reverse keys and missing codes. The items come from the model, not `--items`.
    #[command(flatten)]
    data: DataArgs,
    /// The model, in lavaan syntax (`F =~ a + b + c`, `a ~~ b`, `Y ~ F`, `1*a`, `#` comments).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Estimator: ml (expected-information standard errors) or mlr (robust, Yuan-Bentler test).
    #[arg(long, default_value = "ml")]
    estimator: String,
    /// Print the model built from --instrument (lavaan syntax) and stop.
    #[arg(long)]
    print_model: bool,
    /// Modification indices (largest first).
    #[arg(long)]
    mi: bool,
    /// With --mi, list only indices at least this large (JSON and table).
    #[arg(long, default_value_t = 0.0)]
    mi_min: f64,
    /// Measurement invariance across the groups of this column: configural, metric, scalar.
    #[arg(long)]
    group: Option<String>,
    /// Largest acceptable drop in CFI for an invariance step.
    #[arg(long, default_value_t = 0.01)]
    delta_cfi: f64,
    /// Largest acceptable rise in RMSEA for an invariance step.
    #[arg(long, default_value_t = 0.015)]
    delta_rmsea: f64,
    /// Write the standardised loadings with 95% intervals to FILE (.svg or .png) and the factor
    /// correlations to FILE-factors (first group with --group).
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

/// A lavaan-safe identifier for a subscale id (`network-organizer` -> `network_organizer`).
fn factor_name(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert_str(0, "f_");
    }
    s
}

/// The one-factor-per-subscale model of an instrument, in lavaan syntax.
pub fn instrument_model(inst: &Instrument, scale: Option<&str>) -> Result<String> {
    let subs: Vec<&trustscale::instrument::schema::Subscale> = match scale {
        Some(key) => vec![inst.subscale(key).ok_or_else(|| {
            Error::option(
                "--scale",
                format!(
                    "instrument {} has no subscale \"{key}\" (subscales: {})",
                    inst.id,
                    inst.subscales
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?],
        None => inst.subscales.iter().collect(),
    };
    let mut out = format!(
        "# {}: {} (version {}), one factor per subscale\n",
        inst.id, inst.title, inst.version
    );
    let rev: Vec<String> = subs
        .iter()
        .flat_map(|s| inst.items_of(&s.id))
        .filter(|i| i.reverse)
        .map(|i| i.id.clone())
        .collect();
    if !rev.is_empty() {
        out.push_str(&format!(
            "# reverse-keyed items, reversed before fitting: {}\n",
            rev.join(", ")
        ));
    }
    for s in subs {
        let items: Vec<String> = inst.items_of(&s.id).map(|i| i.id.clone()).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{} =~ {}\n",
            factor_name(&s.id),
            items.join(" + ")
        ));
    }
    Ok(out)
}

#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    result: &'a CfaResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    invariance: Option<&'a InvarianceResult>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let estimator = match a.estimator.to_ascii_lowercase().as_str() {
        "ml" => Estimator::Ml,
        "mlr" => Estimator::Mlr,
        other => {
            return Err(Error::option(
                "--estimator",
                format!("expected ml or mlr, found \"{other}\""),
            ))
        }
    };
    if a.data.items.is_some() {
        return Err(Error::option(
            "--items",
            "cfa takes its items from the model (--model) or the instrument (--instrument)",
        ));
    }
    let inst = a.data.instrument()?;
    let (text, name) = match (&a.model, &inst) {
        (Some(path), _) => (
            std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?,
            path.display().to_string(),
        ),
        (None, Some(inst)) => (
            instrument_model(inst, a.data.scale.as_deref())?,
            format!("instrument {}", inst.id),
        ),
        (None, None) => {
            return Err(Error::option(
                "--model",
                "give a model file (--model model.txt) or an instrument (--instrument tblc)",
            ))
        }
    };
    if a.print_model {
        return Ok(Output::text(text));
    }
    let model = syntax::parse(&text, &name)?;
    let ov = partable::build(&model, &partable::PartableOptions::default())?.ov;
    // the model's items; reverse keys: the instrument's for those items, plus any given by hand
    let mut args = a.data;
    if let Some(inst) = &inst {
        for it in inst
            .items
            .iter()
            .filter(|i| i.reverse && ov.contains(&i.id))
        {
            if !args.reverse.contains(&it.id) {
                args.reverse.push(it.id.clone());
            }
        }
    }
    args.items = Some(ov.join(","));
    let text_cols: Vec<String> = a.group.iter().cloned().collect();
    let (scales, _, texts) = args.load_with(&text_cols)?;
    let (items, _) = merge_scales(&scales);
    let opts = CfaOptions {
        estimator,
        modification_indices: a.mi,
        validity: true,
        ..CfaOptions::default()
    };
    let (result, inv) = match &a.group {
        None => (cfa(&items, &model, &opts)?, None),
        Some(_) => {
            let labels = texts.into_iter().next().unwrap_or_default();
            let cut = InvarianceOptions {
                delta_cfi: a.delta_cfi,
                delta_rmsea: a.delta_rmsea,
            };
            let mut inv = invariance(
                &items,
                &labels,
                &model,
                &CfaOptions {
                    modification_indices: false,
                    validity: false,
                    ..opts.clone()
                },
                &cut,
            )?;
            let mut conf = inv.models.first().cloned().ok_or_else(|| {
                Error::option("--group", "the configural model could not be fitted")
            })?;
            conf.warnings = inv.warnings.clone();
            inv.models.clear();
            (conf, Some(inv))
        }
    };
    let mut result = result;
    if let Some(mi) = &mut result.mi {
        mi.retain(|m| m.mi >= a.mi_min);
    }
    if let Some(path) = &a.plot {
        charts(&result, path, &name, inst.as_ref())?;
    }
    let warnings = result.warnings.clone();
    let view = View {
        result: &result,
        invariance: inv.as_ref(),
    };
    let stdout = if a.json {
        to_json(&view)?
    } else {
        tables(&view)
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Output { stdout, warnings })
}

/// `--plot`: standardised loadings with delta-method 95% intervals, and the factor correlations.
fn charts(
    r: &CfaResult,
    path: &std::path::Path,
    name: &str,
    inst: Option<&Instrument>,
) -> Result<()> {
    // an instrument's factors are shown by their subscale names
    let label = |factor: &str| -> String {
        inst.and_then(|i| i.subscales.iter().find(|s| factor_name(&s.id) == factor))
            .map_or_else(|| factor.to_string(), |s| s.name.clone())
    };
    use trustscale::cfa::syntax::Op;
    use trustscale::plot::{Heatmap, Loading, LoadingsChart};
    let first = |p: &&trustscale::cfa::Parameter| p.group.is_none_or(|g| g == 1);
    let z = trustscale::dist::normal_quantile(0.975).unwrap_or(1.959964);
    let loadings = r
        .parameters
        .iter()
        .filter(first)
        .filter(|p| p.op == Op::Measure)
        .filter_map(|p| {
            p.std_all.map(|est| Loading {
                item: p.rhs.clone(),
                factor: label(&p.lhs),
                est,
                ci: p.std_all_se.map(|se| [est - z * se, est + z * se]),
            })
        })
        .collect();
    let group = r
        .groups
        .first()
        .filter(|_| r.groups.len() > 1)
        .map_or(String::new(), |g| format!(", group {}", g.label));
    trustscale::plot::write(
        path,
        &LoadingsChart {
            title: format!("Standardised loadings ({name}{group})"),
            x_desc: "standardised loading with 95% interval".into(),
            loadings,
        },
    )?;
    let mut factors: Vec<String> = Vec::new();
    for p in r
        .parameters
        .iter()
        .filter(first)
        .filter(|p| p.op == Op::Measure)
    {
        if !factors.contains(&p.lhs) {
            factors.push(p.lhs.clone());
        }
    }
    if factors.len() < 2 {
        return Ok(());
    }
    let mut values = vec![vec![f64::NAN; factors.len()]; factors.len()];
    for (i, row) in values.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for p in r
        .parameters
        .iter()
        .filter(first)
        .filter(|p| p.op == Op::Covary)
    {
        let (Some(i), Some(j)) = (
            factors.iter().position(|f| *f == p.lhs),
            factors.iter().position(|f| *f == p.rhs),
        ) else {
            continue;
        };
        if i != j {
            let v = p.std_all.unwrap_or(f64::NAN);
            values[i][j] = v;
            values[j][i] = v;
        }
    }
    trustscale::plot::write(
        &super::common::plot_path(path, "factors"),
        &Heatmap {
            title: format!("Factor correlations ({name}{group})"),
            rows: factors
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{} {}", i + 1, label(f)))
                .collect(),
            groups: Vec::new(),
            cols: (1..=factors.len()).map(|i| i.to_string()).collect(),
            values,
            x_desc: "factor".into(),
            faint_below: 0.0,
        },
    )
}

fn tables(v: &View) -> Vec<Table> {
    let r = v.result;
    let f = &r.fit;
    let mut summary = vec![format!(
        "n = {}, estimator {}, {} after {} iterations, {} free parameters",
        r.n,
        r.estimator.to_uppercase(),
        if r.converged {
            "converged"
        } else {
            "NOT converged"
        },
        r.iterations,
        f.npar
    )];
    for g in &r.groups {
        summary.push(format!("group {} = {} (n = {})", g.group, g.label, g.n));
    }
    summary.push(format!(
        "chi2({}) = {}, p = {}{}",
        f.df,
        num(f.chisq, 3),
        opt(f.pvalue, 4),
        f.scaling_factor
            .map(|c| format!(" (Yuan-Bentler scaled, scaling factor {})", num(c, 3)))
            .unwrap_or_default()
    ));
    summary.push(format!(
        "{}CFI = {}, TLI = {}, RMSEA = {} [{}, {}]; SRMR = {}",
        if f.scaling_factor.is_some() {
            "robust "
        } else {
            ""
        },
        opt(f.cfi, 3),
        opt(f.tli, 3),
        opt(f.rmsea, 3),
        opt(f.rmsea_ci.map(|c| c[0]), 3),
        opt(f.rmsea_ci.map(|c| c[1]), 3),
        num(f.srmr, 3),
    ));
    summary.push(format!(
        "logLik = {}, AIC = {}, BIC = {}",
        num(f.loglik, 3),
        num(f.aic, 3),
        num(f.bic, 3)
    ));
    let multi = !r.groups.is_empty();
    let mut columns: Vec<String> = Vec::new();
    if multi {
        columns.push("group".into());
    }
    columns.extend(["lhs", "op", "rhs", "est", "se", "z", "p", "std.all"].map(String::from));
    let rows = r
        .parameters
        .iter()
        .map(|p| {
            let mut row = Vec::new();
            if let Some(g) = p.group {
                row.push(g.to_string());
            }
            row.extend([
                p.lhs.clone(),
                p.op.as_str().to_string(),
                p.rhs.clone(),
                num(p.est, 3),
                if p.free { opt(p.se, 3) } else { String::new() },
                if p.free { opt(p.z, 3) } else { String::new() },
                if p.free { opt(p.p, 3) } else { String::new() },
                opt(p.std_all, 3),
            ]);
            row
        })
        .collect();
    let mut out = vec![Table {
        title: "Confirmatory factor analysis".into(),
        summary,
        columns,
        rows,
        notes: vec!["Fixed parameters have no se, z or p.".into()],
    }];
    if let Some(val) = &r.validity {
        let rows = val
            .factors
            .iter()
            .map(|fv| {
                vec![
                    fv.factor.clone(),
                    fv.items.len().to_string(),
                    opt(fv.cr, 3),
                    opt(fv.ave, 3),
                    opt(fv.sqrt_ave, 3),
                    opt(fv.max_factor_correlation, 3),
                    fv.fornell_larcker
                        .map_or("NA".into(), |b| if b { "yes" } else { "no" }.to_string()),
                ]
            })
            .collect();
        let notes = val
            .htmt
            .iter()
            .map(|h| {
                format!(
                    "HTMT {}-{}: {}{}",
                    h.factor1,
                    h.factor2,
                    opt(h.htmt, 3),
                    if h.above_cutoff == Some(true) {
                        format!(" (above {})", num(val.htmt_cutoff, 2))
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        out.push(Table {
            title: "Construct validity".into(),
            summary: vec![],
            columns: [
                "factor",
                "items",
                "CR",
                "AVE",
                "sqrt(AVE)",
                "max |r|",
                "Fornell-Larcker",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes,
        });
    }
    if let Some(mi) = &r.mi {
        let rows = mi
            .iter()
            .take(20)
            .map(|m| {
                vec![
                    m.lhs.clone(),
                    m.op.as_str().to_string(),
                    m.rhs.clone(),
                    num(m.mi, 3),
                    num(m.epc, 3),
                    opt(m.sepc_all, 3),
                ]
            })
            .collect();
        out.push(Table {
            title: "Modification indices (largest 20)".into(),
            summary: vec![],
            columns: ["lhs", "op", "rhs", "mi", "epc", "sepc.all"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        });
    }
    if let Some(inv) = v.invariance {
        let rows = inv
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.model.clone(),
                    num(s.chisq, 2),
                    s.df.to_string(),
                    opt(s.cfi, 3),
                    opt(s.rmsea, 3),
                    s.chisq_diff.map_or(String::new(), |x| num(x, 2)),
                    s.df_diff.map_or(String::new(), |d| d.to_string()),
                    s.p_diff.map_or(String::new(), |x| num(x, 4)),
                    s.delta_cfi.map_or(String::new(), |x| num(x, 3)),
                    s.delta_rmsea.map_or(String::new(), |x| num(x, 3)),
                    s.holds.map_or(String::new(), |h| {
                        if h { "holds" } else { "fails" }.to_string()
                    }),
                ]
            })
            .collect();
        out.push(Table {
            title: format!("Measurement invariance: {} invariance supported", inv.level),
            summary: vec![],
            columns: ["model", "chi2", "df", "CFI", "RMSEA", "dchi2", "ddf", "p", "dCFI", "dRMSEA", "verdict"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![format!(
                "A step holds when CFI drops by at most {} and RMSEA rises by at most {} (Chen, 2007).",
                num(inv.delta_cfi_cutoff, 3),
                num(inv.delta_rmsea_cutoff, 3)
            )],
        });
    }
    out
}
