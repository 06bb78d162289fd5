//! `trustscale regress`.

use super::common::{to_json, ReadArgs};
use super::Output;
use std::collections::HashMap;
use trustscale::data::read::{closest_name, ColumnRequest};
use trustscale::data::{ItemData, ItemSpec, Selection};
use trustscale::instrument::score::{score, ScoreMethod, ScoreOptions};
use trustscale::instrument::{self, Instrument};
use trustscale::regression::{
    regress, CvOptions, HcType, LabelColumn, RegressData, RegressOptions, RegressResult,
};
use trustscale::render::{num, opt, Table};
use trustscale::{Error, Location, Result, Warning, WarningCode};

/// Arguments of `regress`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// The outcome: a column, or a subscale score `INSTRUMENT:SUBSCALE` (e.g. `group-trust:affective`).
    #[arg(long)]
    outcome: String,
    /// Predictors: columns, column ranges `A1:A5`, subscale scores `tblc:process-navigator`, or
    /// every subscale of an instrument `tblc:*`.
    #[arg(long)]
    predictors: Option<String>,
    /// Hierarchical blocks instead of --predictors: `"A,B;C,D"` enters A and B, then C and D.
    #[arg(long)]
    blocks: Option<String>,
    /// Robust standard errors (sandwich::vcovHC types; with --cluster, the clustered variant).
    #[arg(long, value_enum)]
    robust: Option<RobustArg>,
    /// Cluster-robust standard errors by this column (sandwich::vcovCL, CR1 unless --robust).
    #[arg(long)]
    cluster: Option<String>,
    /// Average every column within this group column first (one row per group).
    #[arg(long)]
    aggregate: Option<String>,
    /// Response options of the aggregated columns, for rwg (with --aggregate).
    #[arg(long)]
    scale_points: Option<usize>,
    /// Random-intercept model by REML with groups in this column (lme4::lmer).
    #[arg(long)]
    multilevel: Option<String>,
    /// A predictor that also gets a random slope (with --multilevel).
    #[arg(long)]
    random_slope: Option<String>,
    /// Dominance analysis (general, conditional and complete dominance).
    #[arg(long)]
    dominance: bool,
    /// Percentile bootstrap of the dominance weights with this many resamples.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// K-fold cross-validated R² (K = number of rows: leave-one-out).
    #[arg(long)]
    cv: Option<usize>,
    /// Repeat the cross-validation with this many fold assignments.
    #[arg(long, default_value_t = 1)]
    repeats: usize,
    /// Seed of the bootstrap and the fold assignment.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Confidence level of intervals.
    #[arg(long, default_value_t = 0.95)]
    ci: f64,
    /// Share of a subscale's items that must be answered for a subscale score.
    #[arg(long, default_value_t = 0.8)]
    min_answered: f64,
    /// A study file: variables are `INSTRUMENT:SUBSCALE` scores found in the study's datasets,
    /// predictors averaged per group from their dataset (observer rows where forms are mixed);
    /// the outcome is analysed per group (or per member with --multilevel).
    #[arg(long)]
    study: Option<std::path::PathBuf>,
    /// Write the charts: a forest plot of the coefficients to FILE (.svg or .png), predicted vs
    /// observed to FILE-predicted and, with --dominance, the weights to FILE-dominance.
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RobustArg {
    Hc0,
    Hc1,
    Hc2,
    Hc3,
}

/// A variable of the model: a column, or a subscale score.
enum Source {
    Column(usize),
    Subscale(Selection),
}

struct Term {
    name: String,
    source: Source,
}

/// Resolves a comma-separated list of columns, ranges and `INSTRUMENT:SUBSCALE` scores.
fn parse_terms(
    spec: &str,
    header: &[String],
    at: &Location,
    insts: &mut HashMap<String, Instrument>,
    flag: &str,
) -> Result<Vec<Term>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some(j) = header.iter().position(|h| h == part) {
            out.push(Term {
                name: part.to_string(),
                source: Source::Column(j),
            });
            continue;
        }
        let Some((a, b)) = part.split_once(':') else {
            return Err(Error::UnknownColumn {
                at: at.clone(),
                name: part.to_string(),
                did_you_mean: closest_name(part, header),
            });
        };
        let (a, b) = (a.trim(), b.trim());
        if header.iter().any(|h| h == a) && header.iter().any(|h| h == b) {
            for j in ItemSpec(vec![part.to_string()]).resolve(header, at)? {
                out.push(Term {
                    name: header[j].clone(),
                    source: Source::Column(j),
                });
            }
            continue;
        }
        if !insts.contains_key(a) {
            let inst = instrument::load(a).map_err(|e| {
                Error::option(
                    flag,
                    format!("\"{part}\" is neither a column, a column range nor INSTRUMENT:SUBSCALE ({e})"),
                )
            })?;
            insts.insert(a.to_string(), inst);
        }
        let Some(inst) = insts.get(a) else {
            continue;
        };
        let sub = if b == "*" { None } else { Some(b) };
        let sels = inst.selections(sub, header, at).map_err(|e| match e {
            Error::InvalidOption { msg, .. } => Error::option(flag, msg),
            other => Error::option(
                flag,
                format!("\"{part}\" needs the instrument's items: {other}"),
            ),
        })?;
        for (id, sel) in sels {
            out.push(Term {
                name: format!("{}:{id}", inst.id),
                source: Source::Subscale(sel),
            });
        }
    }
    if out.is_empty() {
        return Err(Error::option(flag, "name at least one variable"));
    }
    Ok(out)
}

/// Runs the command.
pub fn run(mut a: Args) -> Result<Output> {
    let score_opts = ScoreOptions {
        method: ScoreMethod::Mean,
        min_answered: a.min_answered,
    };
    score_opts.validate()?;
    if a.study.is_some() && a.read.data.is_none() {
        return run_study(&mut a, &score_opts);
    }
    let src = a.read.open()?;
    let header = src.names().to_vec();
    let at = a.read.at();
    let mut insts = HashMap::new();
    let outcome = parse_terms(&a.outcome, &header, &at, &mut insts, "--outcome")?;
    if outcome.len() != 1 {
        return Err(Error::option("--outcome", "name one outcome"));
    }
    let (predictors, blocks) = match (&a.predictors, &a.blocks) {
        (Some(p), None) => (
            parse_terms(p, &header, &at, &mut insts, "--predictors")?,
            Vec::new(),
        ),
        (None, Some(b)) => {
            let mut all = Vec::new();
            let mut sizes = Vec::new();
            for block in b.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let t = parse_terms(block, &header, &at, &mut insts, "--blocks")?;
                sizes.push(t.len());
                all.extend(t);
            }
            if sizes.is_empty() {
                return Err(Error::option(
                    "--blocks",
                    "expected blocks such as \"A,B;C\"",
                ));
            }
            (all, sizes)
        }
        (Some(_), Some(_)) => {
            return Err(Error::option(
                "--blocks",
                "give either --predictors or --blocks (the blocks are the predictors)",
            ))
        }
        (None, None) => {
            return Err(Error::option(
                "--predictors",
                "name the predictors (--predictors A,B) or blocks (--blocks \"A;B,C\")",
            ))
        }
    };
    // every numeric column once, with the instrument's range for items
    let mut reqs: Vec<ColumnRequest> = Vec::new();
    let mut pos: HashMap<usize, usize> = HashMap::new();
    let mut want = |index: usize, range: Option<(f64, f64)>| {
        if let Some(&p) = pos.get(&index) {
            if range.is_some() {
                reqs[p].range = range;
            }
        } else {
            pos.insert(index, reqs.len());
            reqs.push(ColumnRequest { index, range });
        }
    };
    for t in outcome.iter().chain(&predictors) {
        match &t.source {
            Source::Column(j) => want(*j, None),
            Source::Subscale(sel) => {
                for &c in &sel.columns {
                    want(c, sel.scale);
                }
            }
        }
    }
    let label_names: Vec<String> = [&a.multilevel, &a.aggregate, &a.cluster]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let mut text_cols = Vec::new();
    for name in &label_names {
        text_cols.push(ItemSpec(vec![name.clone()]).resolve(&header, &at)?[0]);
    }
    let (all, texts) = src.read_text(&reqs, &text_cols)?;
    if all.n() == 0 {
        return Err(Error::Empty {
            at,
            what: "a header and no data rows".into(),
        });
    }
    let mut warnings = Vec::new();
    let n = all.n();
    let terms: Vec<&Term> = outcome.iter().chain(&predictors).collect();
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(terms.len());
    for t in &terms {
        match &t.source {
            Source::Column(j) => {
                let p = pos[j];
                columns.push(all.row_iter().map(|r| r[p]).collect());
            }
            Source::Subscale(sel) => {
                let idx: Vec<usize> = sel.columns.iter().map(|c| pos[c]).collect();
                let mut items = all.columns(&idx);
                sel.apply_reverse(&mut items);
                let groups = vec![(t.name.clone(), (0..items.k()).collect::<Vec<_>>())];
                let s = score(&items, &groups, &score_opts)?;
                if s.missing[0] > 0 {
                    warnings.push(Warning::new(
                        WarningCode::Note,
                        format!(
                            "{}: {} of {n} respondents answered fewer than {:.0}% of the items: no score",
                            t.name,
                            s.missing[0],
                            100.0 * a.min_answered
                        ),
                    ));
                }
                columns.push(s.values.iter().map(|v| v.unwrap_or(f64::NAN)).collect());
            }
        }
    }
    let mut values = Vec::with_capacity(n * terms.len());
    for i in 0..n {
        values.extend(columns.iter().map(|c| c[i]));
    }
    let numeric = ItemData {
        file: a.read.at().file,
        names: terms.iter().map(|t| t.name.clone()).collect(),
        values,
        rows: all.rows.clone(),
        ids: None,
    };
    let labels = label_names
        .iter()
        .zip(texts)
        .map(|(name, v)| LabelColumn {
            name: name.clone(),
            values: v
                .into_iter()
                .map(|s| (!a.read.is_missing(&s)).then(|| s.trim().to_string()))
                .collect(),
        })
        .collect();
    let robust = a.robust.map(|r| match r {
        RobustArg::Hc0 => HcType::Hc0,
        RobustArg::Hc1 => HcType::Hc1,
        RobustArg::Hc2 => HcType::Hc2,
        RobustArg::Hc3 => HcType::Hc3,
    });
    let opts = RegressOptions {
        outcome: outcome[0].name.clone(),
        predictors: predictors.iter().map(|t| t.name.clone()).collect(),
        blocks,
        robust,
        cluster: a.cluster.clone(),
        aggregate: a.aggregate.clone(),
        scale_points: a.scale_points,
        multilevel: a.multilevel.clone(),
        random_slope: a.random_slope.clone(),
        dominance: a.dominance,
        bootstrap: a.bootstrap,
        cv: a.cv.map(|k| CvOptions {
            folds: k,
            repeats: a.repeats,
            seed: a.seed,
        }),
        seed: a.seed,
        ci: a.ci,
    };
    let r = regress(&RegressData { numeric, labels }, &opts)?;
    forest(&r, a.plot.as_deref(), a.ci)?;
    warnings.extend(r.warnings.iter().cloned());
    let stdout = if a.json {
        to_json(&r)?
    } else {
        tables(&r, a.ci)
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Output { stdout, warnings })
}

/// A p value for a table cell: `<.001` below .001.
fn pval(p: f64) -> String {
    if p < 0.001 {
        "<.001".into()
    } else {
        num(p, 3)
    }
}

/// A p value in running text: `p < .001` or `p = 0.042`.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < .001".into()
    } else {
        format!("p = {}", num(p, 3))
    }
}

fn tables(r: &RegressResult, level: f64) -> Vec<Table> {
    let mut out = Vec::new();
    let pct = (level * 100.0).round();
    if let Some(m) = &r.mixed {
        let mut summary = vec![
            format!(
                "n = {} in {} groups ({} rows dropped); REML criterion {}, logLik {}, AIC {}, BIC {}",
                m.n,
                m.n_groups,
                r.n_dropped,
                num(m.reml_criterion, 2),
                num(m.loglik_reml, 2),
                num(m.aic, 1),
                num(m.bic, 1)
            ),
            format!(
                "group variance {} (sd {}), residual variance {} (sd {}), ICC {}",
                num(m.var_group, 4),
                num(m.var_group.sqrt(), 4),
                num(m.var_residual, 4),
                num(m.var_residual.sqrt(), 4),
                opt(m.icc, 3)
            ),
        ];
        if let Some(s) = &m.random_slope {
            summary.push(format!(
                "random slope of {}: variance {} (sd {}), covariance with the intercept {}, correlation {}",
                s.term,
                num(s.var_slope, 4),
                num(s.var_slope.sqrt(), 4),
                num(s.cov_intercept_slope, 4),
                opt(s.cor_intercept_slope, 3)
            ));
        }
        out.push(Table {
            title: format!("Linear mixed model (REML) of {}", r.outcome),
            summary,
            columns: ["term", "estimate", "SE", "t"].map(String::from).to_vec(),
            rows: m
                .fixed
                .iter()
                .map(|f| vec![f.term.clone(), num(f.estimate, 4), num(f.se, 4), num(f.t, 2)])
                .collect(),
            notes: vec!["SE conditional on the REML variance estimates, as lme4 (no p values: the df are not defined)".into()],
        });
        return out;
    }
    let Some(o) = &r.ols else {
        return out;
    };
    let f = &o.fit;
    let mut summary = vec![
        format!(
            "n = {} ({} rows dropped for missing values)",
            f.n, r.n_dropped
        ),
        format!(
            "R² = {}, adjusted R² = {}, F({}, {}) = {}, {}",
            num(f.r2, 3),
            num(f.adj_r2, 3),
            f.df1,
            f.df2,
            num(f.f, 2),
            p_text(f.p)
        ),
        format!(
            "residual SE = {}; standard errors: {}{}",
            num(f.sigma, 4),
            f.se_type,
            f.n_clusters
                .map(|g| format!(" ({g} clusters)"))
                .unwrap_or_default()
        ),
    ];
    if let Some(w) = &f.robust_wald {
        summary.push(format!(
            "robust Wald F({}, {}) = {}, {}",
            w.df1,
            w.df2,
            num(w.f, 2),
            p_text(w.p)
        ));
    }
    if let Some(cv) = &o.cv {
        let how = if cv.method == "loo" {
            "leave-one-out".to_string()
        } else if cv.repeats > 1 {
            format!("{}-fold x {} repeats", cv.folds, cv.repeats)
        } else {
            format!("{}-fold", cv.folds)
        };
        summary.push(format!(
            "cross-validated R² ({how}) = {}{}, RMSE = {}",
            num(cv.cv_r2, 3),
            cv.cv_r2_sd
                .map(|s| format!(" (sd {})", num(s, 3)))
                .unwrap_or_default(),
            num(cv.rmse, 4)
        ));
    }
    out.push(Table {
        title: format!("Linear regression of {}", r.outcome),
        summary,
        columns: [
            "term".to_string(),
            "b".into(),
            "SE".into(),
            "t".into(),
            "p".into(),
            format!("{pct}% CI"),
            "beta".into(),
            "VIF".into(),
        ]
        .to_vec(),
        rows: f
            .coefficients
            .iter()
            .map(|c| {
                vec![
                    c.term.clone(),
                    num(c.estimate, 4),
                    num(c.se, 4),
                    num(c.t, 2),
                    pval(c.p),
                    format!("[{}, {}]", num(c.ci[0], 4), num(c.ci[1], 4)),
                    opt(c.std_beta, 3),
                    opt(c.vif, 2),
                ]
            })
            .collect(),
        notes: Vec::new(),
    });
    if let Some(b) = &o.blocks {
        out.push(Table {
            title: "Hierarchical steps".into(),
            summary: Vec::new(),
            columns: ["step", "added", "R²", "ΔR²", "F change", "df1", "df2", "p"]
                .map(String::from)
                .to_vec(),
            rows: b
                .iter()
                .map(|s| {
                    vec![
                        s.step.to_string(),
                        s.added.join(", "),
                        num(s.r2, 3),
                        num(s.delta_r2, 3),
                        num(s.f_change, 2),
                        s.df1.to_string(),
                        s.df2.to_string(),
                        pval(s.p),
                    ]
                })
                .collect(),
            notes: Vec::new(),
        });
    }
    if let Some(d) = &o.dominance {
        let boot = o.dominance_bootstrap.is_some();
        let mut columns: Vec<String> = ["term", "general", "share", "rank"]
            .map(String::from)
            .to_vec();
        if boot {
            columns.push(format!("{pct}% CI"));
        }
        columns.push("conditional (0, 1, ... others)".into());
        columns.push("completely dominates".into());
        let rows = d
            .iter()
            .map(|row| {
                let mut v = vec![
                    row.term.clone(),
                    num(row.general, 4),
                    num(row.standardized, 3),
                    row.rank.to_string(),
                ];
                if boot {
                    v.push(
                        row.general_ci
                            .map(|c| format!("[{}, {}]", num(c[0], 4), num(c[1], 4)))
                            .unwrap_or_else(|| "NA".into()),
                    );
                }
                v.push(
                    row.conditional
                        .iter()
                        .map(|c| num(*c, 4))
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                v.push(row.completely_dominates.join(", "));
                v
            })
            .collect();
        out.push(Table {
            title: "Dominance analysis".into(),
            summary: o
                .dominance_bootstrap
                .iter()
                .map(|b| {
                    format!(
                        "percentile bootstrap: {} resamples ({} usable), seed {}",
                        b.resamples, b.usable, b.seed
                    )
                })
                .collect(),
            columns,
            rows,
            notes: vec!["general weights sum to R²; share = general / R²".into()],
        });
    }
    if let Some(ag) = &o.aggregation {
        out.push(Table {
            title: format!("Aggregation to {}", ag.group),
            summary: vec![format!(
                "{} rows in {} groups (size {} to {}, mean {})",
                ag.n_rows,
                ag.n_groups,
                ag.min_group_size,
                ag.max_group_size,
                num(ag.mean_group_size, 1)
            )],
            columns: ["column", "ICC(1)", "ICC(2)", "F", "p", "mean rwg"]
                .map(String::from)
                .to_vec(),
            rows: ag
                .columns
                .iter()
                .map(|c| {
                    vec![
                        c.column.clone(),
                        num(c.icc1, 3),
                        num(c.icc2, 3),
                        num(c.f, 2),
                        pval(c.p),
                        opt(c.mean_rwg, 3),
                    ]
                })
                .collect(),
            notes: Vec::new(),
        });
    }
    out
}

/// Scores of one `INSTRUMENT:SUBSCALE` per respondent of its study dataset, with group ids.
fn study_scores(
    study: &trustscale::study::Study,
    term: &str,
    read: &ReadArgs,
    score_opts: &ScoreOptions,
) -> Result<(Vec<f64>, Vec<String>)> {
    let Some((inst_id, sub)) = term.split_once(':') else {
        return Err(Error::option(
            "--study",
            format!("with --study, variables are INSTRUMENT:SUBSCALE scores, found \"{term}\""),
        ));
    };
    let inst = study.instrument(inst_id)?;
    let ds = study.dataset_for_instrument(&inst)?;
    let mut r = read.clone();
    r.data = Some(study.path_of(ds));
    let src = r.open()?;
    let header = src.names().to_vec();
    let at = r.at();
    let sels = inst.selections(Some(sub), &header, &at)?;
    let Some((_, sel)) = sels.into_iter().next() else {
        return Err(Error::option(
            "--study",
            format!("no subscale \"{sub}\" in {}", inst.id),
        ));
    };
    let mut text = vec![ItemSpec(vec![ds.group.clone()]).resolve(&header, &at)?[0]];
    let form_col = ds
        .form
        .as_ref()
        .filter(|_| inst.forms.iter().any(|f| f.id == "observer"));
    if let Some(f) = form_col {
        text.push(ItemSpec(vec![f.clone()]).resolve(&header, &at)?[0]);
    }
    let (mut items, texts) = src.read_text(&sel.requests(), &text)?;
    sel.apply_reverse(&mut items);
    let groups = vec![(term.to_string(), (0..items.k()).collect::<Vec<_>>())];
    let sc = score(&items, &groups, score_opts)?;
    let mut vals = Vec::new();
    let mut gids = Vec::new();
    for (i, v) in sc.values.iter().enumerate() {
        if form_col.is_some() && texts[1][i] != "observer" {
            continue;
        }
        vals.push(v.unwrap_or(f64::NAN));
        gids.push(texts[0][i].trim().to_string());
    }
    Ok((vals, gids))
}

/// `regress --study`: predictors averaged per group from their own datasets, the outcome per
/// member (multilevel) or per group (default: the group means are regressed).
fn run_study(a: &mut Args, score_opts: &ScoreOptions) -> Result<Output> {
    let Some(path) = a.study.clone() else {
        return Err(Error::option("--study", "no study file"));
    };
    let study = trustscale::study::Study::load(&path)?;
    let expand = |spec: &str| -> Result<Vec<String>> {
        let mut out = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once(':') {
                Some((i, "*")) => {
                    let inst = study.instrument(i)?;
                    out.extend(
                        inst.subscales
                            .iter()
                            .map(|s| format!("{}:{}", inst.id, s.id)),
                    );
                }
                _ => out.push(part.to_string()),
            }
        }
        Ok(out)
    };
    let outcome = expand(&a.outcome)?;
    if outcome.len() != 1 {
        return Err(Error::option("--outcome", "name one outcome"));
    }
    let (predictors, blocks) = match (&a.predictors, &a.blocks) {
        (Some(p), None) => (expand(p)?, Vec::new()),
        (None, Some(b)) => {
            let mut all = Vec::new();
            let mut sizes = Vec::new();
            for block in b.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let t = expand(block)?;
                sizes.push(t.len());
                all.extend(t);
            }
            (all, sizes)
        }
        _ => {
            return Err(Error::option(
                "--predictors",
                "name the predictors or --blocks",
            ))
        }
    };
    let (y, ygroups) = study_scores(&study, &outcome[0], &a.read, score_opts)?;
    let mut means: Vec<HashMap<String, f64>> = Vec::new();
    let mut own_agreement = Vec::new();
    for p in &predictors {
        let (v, g) = study_scores(&study, p, &a.read, score_opts)?;
        own_agreement.push(group_agreement(p, &v, &g));
        let mut acc: HashMap<String, (f64, usize)> = HashMap::new();
        for (x, gid) in v.iter().zip(&g) {
            if !x.is_nan() {
                let e = acc.entry(gid.clone()).or_insert((0.0, 0));
                e.0 += x;
                e.1 += 1;
            }
        }
        means.push(
            acc.into_iter()
                .map(|(k, (s, n))| (k, s / n as f64))
                .collect(),
        );
    }
    let k = 1 + predictors.len();
    let mut values = Vec::with_capacity(y.len() * k);
    let mut groups = Vec::with_capacity(y.len());
    for (yi, g) in y.iter().zip(&ygroups) {
        values.push(*yi);
        for m in &means {
            values.push(m.get(g).copied().unwrap_or(f64::NAN));
        }
        groups.push(Some(g.clone()));
    }
    let mut names = vec![outcome[0].clone()];
    names.extend(predictors.iter().cloned());
    let n = y.len();
    let numeric = ItemData {
        file: Some(path.clone()),
        names,
        values,
        rows: (2..n as u64 + 2).collect(),
        ids: None,
    };
    let group_name = "group".to_string();
    let labels = vec![LabelColumn {
        name: group_name.clone(),
        values: groups,
    }];
    let multilevel = a.multilevel.is_some();
    let robust = a.robust.map(|r| match r {
        RobustArg::Hc0 => HcType::Hc0,
        RobustArg::Hc1 => HcType::Hc1,
        RobustArg::Hc2 => HcType::Hc2,
        RobustArg::Hc3 => HcType::Hc3,
    });
    let opts = RegressOptions {
        outcome: outcome[0].clone(),
        predictors: predictors.clone(),
        blocks,
        robust,
        cluster: None,
        aggregate: (!multilevel).then(|| group_name.clone()),
        scale_points: a.scale_points,
        multilevel: multilevel.then(|| group_name.clone()),
        random_slope: a.random_slope.clone(),
        dominance: a.dominance,
        bootstrap: a.bootstrap,
        cv: a.cv.map(|k| CvOptions {
            folds: k,
            repeats: a.repeats,
            seed: a.seed,
        }),
        seed: a.seed,
        ci: a.ci,
    };
    let mut r = regress(&RegressData { numeric, labels }, &opts)?;
    forest(&r, a.plot.as_deref(), a.ci)?;
    // the predictors' agreement comes from their own raters, not from the outcome's rows
    if let Some(agg) = r.ols.as_mut().and_then(|o| o.aggregation.as_mut()) {
        for col in agg.columns.iter_mut() {
            if let Some(Some(own)) = predictors
                .iter()
                .position(|p| *p == col.column)
                .map(|i| own_agreement[i].clone())
            {
                *col = own;
            }
        }
    }
    let mut warnings = vec![Warning::new(
        WarningCode::Note,
        format!(
            "predictors are group means of their own dataset's scores (observer rows where forms are mixed); the outcome is analysed {}",
            if multilevel { "per member with a random intercept per group" } else { "as group means" }
        ),
    )];
    warnings.extend(r.warnings.iter().cloned());
    let stdout = if a.json {
        to_json(&r)?
    } else {
        tables(&r, a.ci)
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Output { stdout, warnings })
}

/// ICC(1), ICC(2) and their F test of one score in its own dataset's groups.
fn group_agreement(
    name: &str,
    values: &[f64],
    groups: &[String],
) -> Option<trustscale::regression::AggregatedColumn> {
    use trustscale::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
    let (v, g): (Vec<f64>, Vec<String>) = values
        .iter()
        .zip(groups)
        .filter(|(x, _)| !x.is_nan())
        .map(|(x, g)| (*x, g.clone()))
        .unzip();
    let opts = RwgOptions {
        scale_points: 2,
        null: Null::Variance(1e300),
        cutoffs: AggregationCutoffs::default(),
        rgr: None,
        seed: 1,
    };
    let r = rwg(&v, 1, &g, &opts).ok()?;
    Some(trustscale::regression::AggregatedColumn {
        column: name.to_string(),
        icc1: r.icc1,
        icc2: r.icc2,
        f: r.anova.f,
        df1: r.anova.df1,
        df2: r.anova.df2,
        p: r.anova.p,
        mean_rwg: None,
        median_rwg: None,
    })
}

/// Writes the charts when `--plot FILE` is given: the coefficient forest plot to FILE (OLS
/// intervals, or Wald intervals of the fixed effects with `--multilevel`, as lme4's
/// `confint(method = "Wald")`), and for OLS fits predicted against observed to FILE-predicted and,
/// with `--dominance`, the dominance weights to FILE-dominance.
fn forest(r: &RegressResult, plot: Option<&std::path::Path>, level: f64) -> Result<()> {
    use trustscale::plot::{self, DominanceChart, DominanceModel, ForestChart, PredictedChart};
    let Some(path) = plot else {
        return Ok(());
    };
    let x_desc = format!("estimate with {:.0}% interval", level * 100.0);
    let title = format!("Predicting {}", r.outcome);
    if let Some(m) = &r.mixed {
        let z = trustscale::dist::normal_quantile(0.5 + level / 2.0).unwrap_or(f64::NAN);
        let terms = m
            .fixed
            .iter()
            .skip(1)
            .map(|f| {
                (
                    f.term.clone(),
                    f.estimate,
                    [f.estimate - z * f.se, f.estimate + z * f.se],
                )
            })
            .collect();
        return plot::write(
            path,
            &ForestChart {
                title: format!("{title} (multilevel)"),
                x_desc,
                terms,
            },
        );
    }
    let Some(o) = &r.ols else {
        return Ok(());
    };
    let terms = o
        .fit
        .coefficients
        .iter()
        .skip(1)
        .map(|c| (c.term.clone(), c.estimate, c.ci))
        .collect();
    plot::write(
        path,
        &ForestChart {
            title: title.clone(),
            x_desc,
            terms,
        },
    )?;
    let observed = o
        .fit
        .fitted
        .iter()
        .zip(&o.fit.residuals)
        .map(|(f, e)| f + e)
        .collect();
    plot::write(
        &super::common::plot_path(path, "predicted"),
        &PredictedChart {
            title: format!("{title}: predicted and observed"),
            outcome: r.outcome.clone(),
            fitted: o.fit.fitted.clone(),
            observed,
            r2: o.fit.r2,
        },
    )?;
    if let Some(d) = &o.dominance {
        plot::write(
            &super::common::plot_path(path, "dominance"),
            &DominanceChart {
                title: format!("{title}: dominance weights"),
                terms: d.iter().map(|row| row.term.clone()).collect(),
                models: vec![DominanceModel {
                    label: r.outcome.clone(),
                    weights: d.iter().map(|row| row.general).collect(),
                }],
            },
        )?;
    }
    Ok(())
}
