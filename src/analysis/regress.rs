//! `trustscale regress` as a library call: [`RegressRequest`] → [`RegressOutput`].
//!
//! Two ways to name the variables:
//! - **a data file**: columns, column ranges `A1:A5` and subscale scores
//!   `INSTRUMENT:SUBSCALE` (every subscale with `INSTRUMENT:*`), scored per respondent;
//! - **a study** (`--study FILE` without a data file): every variable is an
//!   `INSTRUMENT:SUBSCALE` score read from the study dataset holding the instrument (through
//!   [`DataRequest`], observer rows where the dataset mixes forms); the predictors are averaged
//!   per group of their own dataset, and the outcome is analysed per group (group means) or, with
//!   `multilevel`, per member with a random intercept per group.
//!
//! The numerics are those of [`crate::regression::regress`].

use super::{Outcome, Request};
use crate::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
use crate::data::read::{closest_name, ColumnRequest};
use crate::data::{ItemData, ItemSpec, ReadOptions, Selection};
use crate::error::{Error, Location, Result, Warning, WarningCode};
use crate::instrument::score::{score, ScoreMethod, ScoreOptions};
use crate::instrument::{self, Instrument};
use crate::regression::{
    regress, AggregatedColumn, CvOptions, HcType, LabelColumn, RegressData, RegressOptions,
    RegressResult,
};
use crate::study::{DataRequest, Study};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// A `regress` run. [`Default`] is the command's defaults (R `lm` + `summary.lm`: classical
/// standard errors, 95% intervals, one fold assignment, seed 1, scores of subscales with at least
/// 80% of their items answered); `outcome` and `predictors` (or `blocks`) must be set.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressRequest {
    /// The data file and how to read it, or (without a file) the study whose datasets hold the
    /// instruments; items are named by `outcome` and `predictors`, not by the data request.
    pub data: DataRequest,
    /// The outcome: a column, or a subscale score `INSTRUMENT:SUBSCALE`.
    pub outcome: String,
    /// Predictors: columns, column ranges, `INSTRUMENT:SUBSCALE` scores, `INSTRUMENT:*`.
    pub predictors: Option<Vec<String>>,
    /// Hierarchical blocks instead of `predictors` (each block entered in turn).
    pub blocks: Option<Vec<Vec<String>>>,
    /// Robust standard errors (with `cluster`, the clustered variant).
    pub robust: Option<HcType>,
    /// Cluster-robust standard errors by this column.
    pub cluster: Option<String>,
    /// Average every column within this group column first.
    pub aggregate: Option<String>,
    /// Response options of the aggregated columns, for rwg.
    pub scale_points: Option<usize>,
    /// Random-intercept model by REML with groups in this column (with a study: the groups of
    /// the outcome's dataset, whatever the column is named here).
    pub multilevel: Option<String>,
    /// A predictor that also gets a random slope.
    pub random_slope: Option<String>,
    /// Dominance analysis.
    pub dominance: bool,
    /// Percentile bootstrap of the dominance weights with this many resamples.
    pub bootstrap: Option<usize>,
    /// K-fold cross-validated R².
    pub cv: Option<usize>,
    /// Fold assignments of the cross-validation (default 1).
    pub repeats: usize,
    /// Seed of the bootstrap and the fold assignment (`None`: 1, not printed).
    pub seed: Option<u64>,
    /// Confidence level of intervals (default 0.95).
    pub ci: f64,
    /// Share of a subscale's items that must be answered for a score (default 0.8).
    pub min_answered: f64,
}

impl Default for RegressRequest {
    fn default() -> Self {
        RegressRequest {
            data: DataRequest::default(),
            outcome: String::new(),
            predictors: None,
            blocks: None,
            robust: None,
            cluster: None,
            aggregate: None,
            scale_points: None,
            multilevel: None,
            random_slope: None,
            dominance: false,
            bootstrap: None,
            cv: None,
            repeats: 1,
            seed: None,
            ci: 0.95,
            min_answered: 0.8,
        }
    }
}

/// The result of a `regress` run: serialises exactly as [`RegressResult`] (the contract JSON);
/// it also keeps the interval level and the notes of the run for the tables and charts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RegressOutput {
    /// The regression.
    pub result: RegressResult,
    /// Confidence level of the intervals.
    #[serde(skip)]
    pub ci: f64,
    /// Notes of the run before the regression's own warnings (scores missing for too few
    /// answered items; with a study, how the levels were combined).
    #[serde(skip)]
    pub notes: Vec<Warning>,
}

impl Outcome for RegressOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.notes
            .iter()
            .chain(&self.result.warnings)
            .cloned()
            .collect()
    }
}

/// A comma-separated list of variables (`A,B`, `A1:A5`, `tblc:*`), blanks dropped.
pub fn parse_terms(spec: &str) -> Vec<String> {
    spec.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

/// Hierarchical blocks `"A,B;C,D"`: A and B, then C and D.
pub fn parse_blocks(spec: &str) -> Vec<Vec<String>> {
    spec.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_terms)
        .collect()
}

/// The `--robust` name of a covariance type.
fn hc_name(h: HcType) -> &'static str {
    match h {
        HcType::Hc0 => "hc0",
        HcType::Hc1 => "hc1",
        HcType::Hc2 => "hc2",
        HcType::Hc3 => "hc3",
    }
}

impl Request for RegressRequest {
    type Output = RegressOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["regress".to_string()];
        a.extend(self.data.args());
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag("outcome", Some(self.outcome.clone()));
        flag("predictors", self.predictors.as_ref().map(|p| p.join(",")));
        flag(
            "blocks",
            self.blocks.as_ref().map(|b| {
                b.iter()
                    .map(|block| block.join(","))
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        );
        flag("robust", self.robust.map(|h| hc_name(h).to_string()));
        flag("cluster", self.cluster.clone());
        flag("aggregate", self.aggregate.clone());
        flag("scale-points", self.scale_points.map(|v| v.to_string()));
        flag("multilevel", self.multilevel.clone());
        flag("random-slope", self.random_slope.clone());
        if self.dominance {
            a.push("--dominance".into());
        }
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag("bootstrap", self.bootstrap.map(|v| v.to_string()));
        flag("cv", self.cv.map(|v| v.to_string()));
        flag(
            "repeats",
            (self.repeats != 1).then(|| self.repeats.to_string()),
        );
        flag("seed", self.seed.map(|v| v.to_string()));
        flag("ci", (self.ci != 0.95).then(|| self.ci.to_string()));
        flag(
            "min-answered",
            (self.min_answered != 0.8).then(|| self.min_answered.to_string()),
        );
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<RegressOutput> {
        let score_opts = ScoreOptions {
            method: ScoreMethod::Mean,
            min_answered: self.min_answered,
        };
        score_opts.validate()?;
        if self.data.study.is_some() && self.data.data.is_none() {
            return self.run_study(&score_opts);
        }
        self.run_file(&score_opts)
    }
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

/// Resolves a list of columns, ranges and `INSTRUMENT:SUBSCALE` scores against a header.
fn resolve_terms(
    spec: &[String],
    header: &[String],
    at: &Location,
    insts: &mut HashMap<String, Instrument>,
    flag: &str,
) -> Result<Vec<Term>> {
    let mut out = Vec::new();
    for part in spec.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
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

impl RegressRequest {
    /// The options of [`regress`] for the resolved variables.
    fn options(
        &self,
        outcome: String,
        predictors: Vec<String>,
        blocks: Vec<usize>,
    ) -> RegressOptions {
        let seed = self.seed.unwrap_or(1);
        RegressOptions {
            outcome,
            predictors,
            blocks,
            robust: self.robust,
            cluster: self.cluster.clone(),
            aggregate: self.aggregate.clone(),
            scale_points: self.scale_points,
            multilevel: self.multilevel.clone(),
            random_slope: self.random_slope.clone(),
            dominance: self.dominance,
            bootstrap: self.bootstrap,
            cv: self.cv.map(|k| CvOptions {
                folds: k,
                repeats: self.repeats,
                seed,
            }),
            seed,
            ci: self.ci,
        }
    }

    /// Variables from a data file.
    fn run_file(&self, score_opts: &ScoreOptions) -> Result<RegressOutput> {
        let src = self.data.open()?;
        let header = src.names().to_vec();
        let at = self.data.at();
        let mut insts = HashMap::new();
        let outcome = resolve_terms(
            std::slice::from_ref(&self.outcome),
            &header,
            &at,
            &mut insts,
            "--outcome",
        )?;
        if outcome.len() != 1 {
            return Err(Error::option("--outcome", "name one outcome"));
        }
        let (predictors, blocks) = match (&self.predictors, &self.blocks) {
            (Some(p), None) => (
                resolve_terms(p, &header, &at, &mut insts, "--predictors")?,
                Vec::new(),
            ),
            (None, Some(b)) => {
                let mut all = Vec::new();
                let mut sizes = Vec::new();
                for block in b {
                    let t = resolve_terms(block, &header, &at, &mut insts, "--blocks")?;
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
        let label_names: Vec<String> = [&self.multilevel, &self.aggregate, &self.cluster]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let mut text_cols = Vec::new();
        for name in &label_names {
            text_cols.extend(
                ItemSpec(vec![name.clone()])
                    .resolve(&header, &at)?
                    .first()
                    .copied(),
            );
        }
        let (all, texts) = src.read_text(&reqs, &text_cols)?;
        if all.n() == 0 {
            return Err(Error::Empty {
                at,
                what: "a header and no data rows".into(),
            });
        }
        let mut notes = Vec::new();
        let n = all.n();
        let terms: Vec<&Term> = outcome.iter().chain(&predictors).collect();
        let mut columns: Vec<Vec<f64>> = Vec::with_capacity(terms.len());
        let place = |j: &usize| -> Result<usize> {
            pos.get(j)
                .copied()
                .ok_or_else(|| Error::option("--predictors", "a column was not read"))
        };
        for t in &terms {
            match &t.source {
                Source::Column(j) => {
                    let p = place(j)?;
                    columns.push(all.row_iter().map(|r| r[p]).collect());
                }
                Source::Subscale(sel) => {
                    let idx: Vec<usize> = sel.columns.iter().map(place).collect::<Result<_>>()?;
                    let mut items = all.columns(&idx);
                    sel.apply_reverse(&mut items);
                    let groups = vec![(t.name.clone(), (0..items.k()).collect::<Vec<_>>())];
                    let s = score(&items, &groups, score_opts)?;
                    if s.missing[0] > 0 {
                        notes.push(Warning::new(
                            WarningCode::Note,
                            format!(
                                "{}: {} of {n} respondents answered fewer than {:.0}% of the items: no score",
                                t.name,
                                s.missing[0],
                                100.0 * self.min_answered
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
            file: at.file.clone(),
            names: terms.iter().map(|t| t.name.clone()).collect(),
            values,
            rows: all.rows.clone(),
            ids: None,
        };
        let missing = ReadOptions {
            missing: self.data.read.missing.clone(),
            ..ReadOptions::default()
        };
        let labels = label_names
            .iter()
            .zip(texts)
            .map(|(name, v)| LabelColumn {
                name: name.clone(),
                values: v
                    .into_iter()
                    .map(|s| (!missing.is_missing(&s)).then(|| s.trim().to_string()))
                    .collect(),
            })
            .collect();
        let opts = self.options(
            outcome[0].name.clone(),
            predictors.iter().map(|t| t.name.clone()).collect(),
            blocks,
        );
        let result = regress(&RegressData { numeric, labels }, &opts)?;
        Ok(RegressOutput {
            result,
            ci: self.ci,
            notes,
        })
    }

    /// Variables from a study: predictors averaged per group from their own datasets, the
    /// outcome per member (multilevel) or per group (the group means are regressed).
    fn run_study(&self, score_opts: &ScoreOptions) -> Result<RegressOutput> {
        let Some(path) = self.data.study.as_deref() else {
            return Err(Error::option("--study", "no study file"));
        };
        let study = Study::load(path)?;
        let expand = |spec: &[String]| -> Result<Vec<String>> {
            let mut out = Vec::new();
            for part in spec.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
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
        let outcome = expand(std::slice::from_ref(&self.outcome))?;
        if outcome.len() != 1 {
            return Err(Error::option("--outcome", "name one outcome"));
        }
        let (predictors, blocks) = match (&self.predictors, &self.blocks) {
            (Some(p), None) => (expand(p)?, Vec::new()),
            (None, Some(b)) => {
                let mut all = Vec::new();
                let mut sizes = Vec::new();
                for block in b {
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
        let (y, ygroups) = study_scores(&study, path, &outcome[0], &self.data.read, score_opts)?;
        let mut means: Vec<HashMap<String, f64>> = Vec::new();
        let mut own_agreement = Vec::new();
        for p in &predictors {
            let (v, g) = study_scores(&study, path, p, &self.data.read, score_opts)?;
            own_agreement.push(group_agreement(p, &v, &g));
            means.push(group_means(&v, &g));
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
            file: Some(path.to_path_buf()),
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
        let multilevel = self.multilevel.is_some();
        let mut opts = self.options(outcome[0].clone(), predictors.clone(), blocks);
        opts.cluster = None;
        opts.aggregate = (!multilevel).then(|| group_name.clone());
        opts.multilevel = multilevel.then(|| group_name.clone());
        let mut result = regress(&RegressData { numeric, labels }, &opts)?;
        // the predictors' agreement comes from their own raters, not from the outcome's rows
        if let Some(agg) = result.ols.as_mut().and_then(|o| o.aggregation.as_mut()) {
            for col in agg.columns.iter_mut() {
                if let Some(Some(own)) = predictors
                    .iter()
                    .position(|p| *p == col.column)
                    .and_then(|i| own_agreement.get(i).cloned())
                {
                    *col = own;
                }
            }
        }
        let notes = vec![Warning::new(
            WarningCode::Note,
            format!(
                "predictors are group means of their own dataset's scores (observer rows where forms are mixed); the outcome is analysed {}",
                if multilevel { "per member with a random intercept per group" } else { "as group means" }
            ),
        )];
        Ok(RegressOutput {
            result,
            ci: self.ci,
            notes,
        })
    }
}

/// Scores of one `INSTRUMENT:SUBSCALE` per respondent of its study dataset (through
/// [`DataRequest`]: observer rows where the dataset mixes forms), with each row's group id.
fn study_scores(
    study: &Study,
    path: &Path,
    term: &str,
    read: &ReadOptions,
    score_opts: &ScoreOptions,
) -> Result<(Vec<f64>, Vec<String>)> {
    let Some((inst_id, sub)) = term.split_once(':') else {
        return Err(Error::option(
            "--study",
            format!("with --study, variables are INSTRUMENT:SUBSCALE scores, found \"{term}\""),
        ));
    };
    let inst = study.instrument(inst_id)?;
    let group = study.dataset_for_instrument(&inst)?.group.clone();
    let req = DataRequest {
        read: read.clone(),
        instrument: Some(inst_id.to_string()),
        scale: Some(sub.to_string()),
        study: Some(path.to_path_buf()),
        ..DataRequest::default()
    };
    let loaded = req.load_with(&[group])?;
    let Some(items) = loaded.scales.first() else {
        return Err(Error::option(
            "--study",
            format!("no subscale \"{sub}\" in {}", inst.id),
        ));
    };
    let groups = vec![(term.to_string(), (0..items.data.k()).collect::<Vec<_>>())];
    let sc = score(&items.data, &groups, score_opts)?;
    let vals = sc.values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let gids = loaded
        .texts
        .first()
        .map(|g| g.iter().map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    Ok((vals, gids))
}

/// The mean of each group's scores (scores that are missing left out).
fn group_means(values: &[f64], groups: &[String]) -> HashMap<String, f64> {
    let mut acc: HashMap<String, (f64, usize)> = HashMap::new();
    for (x, gid) in values.iter().zip(groups) {
        if !x.is_nan() {
            let e = acc.entry(gid.clone()).or_insert((0.0, 0));
            e.0 += x;
            e.1 += 1;
        }
    }
    acc.into_iter()
        .map(|(k, (s, n))| (k, s / n as f64))
        .collect()
}

/// ICC(1), ICC(2) and their F test of one score in its own dataset's groups (Bliese, 2000);
/// `None` where they cannot be computed.
pub fn group_agreement(name: &str, values: &[f64], groups: &[String]) -> Option<AggregatedColumn> {
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
    Some(AggregatedColumn {
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
