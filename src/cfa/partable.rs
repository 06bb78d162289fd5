//! Stage 2, the parameter table: one row per model parameter (lhs, op, rhs, group, free index,
//! fixed value, label), the core type of the CFA engine, built from the flat statements with
//! lavaan's defaults for `cfa()`/`sem()`.
//!
//! # Defaults (lavaan 0.6.14 `lavaanify()` with `cfa()`/`sem()` settings)
//! - `auto.fix.first`: the first indicator of each factor has its loading fixed to 1 (the marker),
//!   unless the model gives it a value or frees it with `NA*`.
//! - `auto.var`: residual variances of observed variables and (residual) variances of latent
//!   variables are free.
//! - `auto.cov.lv.x`: covariances among exogenous latent variables (not regressed on anything and
//!   not indicators of another factor) are free.
//! - `auto.cov.y`: covariances among pure outcomes (variables on the left of `~` and never on
//!   the right) are free; nothing links exogenous variables with endogenous disturbances.
//! - `fixed.x`: observed covariates (only on the right of `~`, never indicators) have their
//!   variances, covariances (and means) fixed at the sample values and are not counted as free.
//! - With a mean structure (multiple groups): intercepts of observed variables are free and latent
//!   means are fixed to 0; with equal intercepts across groups (`group.equal = "intercepts"`)
//!   the latent means of groups 2, 3, ... are freed, as lavaan does.
//! - Rows sharing a label share one free parameter (an equality constraint); so do the loadings
//!   (intercepts) of the groups under `group.equal`.
//! - Ordered items (`ordered`): free thresholds `item | t1`, `item | t2`, ... listed after the
//!   user's rows, intercepts fixed to 0, residual variances not free (see
//!   [`PartableOptions::ordered`]).
//!
//! # Reference
//! Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
//! Statistical Software*, 48(2), 1–36.
//!
//! # Peer
//! lavaan 0.6.14 `parTable(cfa(...))`: same rows, same free/fixed status (checked on the
//! reference cases and on models with observed regressions, see `tests/cfa_partable.rs`).
//!
//! # Deviations
//! Equality constraints are imposed by giving constrained rows one free parameter (lavaan
//! 0.6.14 uses the same reduced parametrisation for simple equalities), so point estimates,
//! standard errors and degrees of freedom are the same.

use super::syntax::{ModelSyntax, Op, Statement};
use crate::error::{Error, Result};
use serde::Serialize;

/// A cross-group equality lavaan's `group.equal` can impose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupEqual {
    /// Factor loadings equal across groups (metric invariance).
    Loadings,
    /// Intercepts of observed variables equal across groups (scalar invariance).
    Intercepts,
    /// Thresholds of ordered items equal across groups (lavaan's `"thresholds"`); lavaan then
    /// frees the scaling factors (delta) or residual variances (theta) of the ordered items and
    /// the latent means in groups 2, 3, ...
    Thresholds,
}

/// How to build the table (lavaan's `cfa()` defaults in [`Default`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PartableOptions {
    /// Number of groups (1 = single group).
    pub ngroups: usize,
    /// Add intercepts and latent means (lavaan: on with more than one group).
    pub meanstructure: bool,
    /// Equalities across groups.
    pub group_equal: Vec<GroupEqual>,
    /// Fix the moments of exogenous observed covariates at their sample values (lavaan `fixed.x`).
    pub fixed_x: bool,
    /// Ordered-categorical observed variables and their numbers of thresholds (categories
    /// minus one): each gets threshold rows `t1`, `t2`, ... (free), a fixed intercept 0 and a
    /// fixed residual variance (1 in the theta parameterization; in the delta
    /// parameterization $1 -$ the explained variance, filled in after the fit).
    pub ordered: Vec<(String, usize)>,
    /// Add the scaling factors `item ~*~ item` of the ordered items (lavaan's delta
    /// parameterization with several groups), fixed to 1 unless thresholds are equal across
    /// groups (then free in groups 2, 3, ...).
    pub scale_factors: bool,
    /// The theta parameterization: the scaling factors are implied by the model (fixed rows,
    /// filled in after the fit), and equal thresholds free the residual variances of the
    /// ordered items in groups 2, 3, ... instead.
    pub theta: bool,
}

impl Default for PartableOptions {
    fn default() -> Self {
        PartableOptions {
            ngroups: 1,
            meanstructure: false,
            group_equal: Vec::new(),
            fixed_x: true,
            ordered: Vec::new(),
            scale_factors: false,
            theta: false,
        }
    }
}

impl PartableOptions {
    /// The number of thresholds of `name` if it is ordered.
    pub fn thresholds_of(&self, name: &str) -> Option<usize> {
        self.ordered
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
    }
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParRow {
    /// 1-based row id.
    pub id: usize,
    /// Left-hand side.
    pub lhs: String,
    /// Operator.
    pub op: Op,
    /// Right-hand side (empty for intercepts).
    pub rhs: String,
    /// Written by the user (true) or added by a default.
    pub user: bool,
    /// 1-based group.
    pub group: usize,
    /// 0 = fixed, otherwise the 1-based index of the free parameter.
    pub free: usize,
    /// The fixed value (fixed rows); `None` for free rows and for exogenous moments, which take
    /// their sample values.
    pub value: Option<f64>,
    /// The label, if any.
    pub label: Option<String>,
    /// An exogenous-covariate moment fixed at its sample value (`fixed.x`).
    pub exo: bool,
}

/// The parameter table and the variable sets behind it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParTable {
    /// The rows, group by group.
    pub rows: Vec<ParRow>,
    /// Observed variables, in model order (indicators first, exogenous covariates last).
    pub ov: Vec<String>,
    /// Latent variables, in order of definition.
    pub lv: Vec<String>,
    /// Observed exogenous covariates whose moments are fixed (`fixed.x`).
    pub ov_x: Vec<String>,
    /// Number of groups.
    pub ngroups: usize,
    /// Whether the model has intercepts and latent means.
    pub meanstructure: bool,
    /// Number of free parameters (after equality constraints).
    pub nfree: usize,
}

impl ParTable {
    /// Number of observed variables.
    pub fn p(&self) -> usize {
        self.ov.len()
    }

    /// Index of a variable in the combined order (observed, then latent).
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.ov.iter().position(|v| v == name).or_else(|| {
            self.lv
                .iter()
                .position(|v| v == name)
                .map(|i| i + self.ov.len())
        })
    }

    /// Whether a name is a latent variable.
    pub fn is_latent(&self, name: &str) -> bool {
        self.lv.iter().any(|v| v == name)
    }

    /// The indicators (observed or latent) of a factor, in order.
    pub fn indicators(&self, factor: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rows {
            if r.group == 1 && r.op == Op::Measure && r.lhs == factor && !out.contains(&r.rhs) {
                out.push(r.rhs.clone());
            }
        }
        out
    }

    /// Number of sample moments that carry information per group, as lavaan counts them:
    /// $p(p+1)/2$ (+ $p$ with a mean structure), minus the moments of fixed exogenous covariates.
    pub fn ndat(&self) -> usize {
        let p = self.p();
        let nx = self.ov_x.len();
        let mut per = p * (p + 1) / 2 - nx * (nx + 1) / 2;
        if self.meanstructure {
            per += p - nx;
        }
        per * self.ngroups
    }

    /// Degrees of freedom: moments minus free parameters.
    pub fn df(&self) -> i64 {
        self.ndat() as i64 - self.nfree as i64
    }
}

fn same_key(a_lhs: &str, a_op: Op, a_rhs: &str, b: &Statement) -> bool {
    a_op == b.op
        && ((a_lhs == b.lhs && a_rhs == b.rhs)
            || (a_op == Op::Covary && a_lhs == b.rhs && a_rhs == b.lhs))
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Builds the parameter table with lavaan's defaults.
///
/// # Example
/// ```
/// use trustscale::cfa::{syntax::parse, partable::{build, PartableOptions}};
/// let m = parse("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", "m").unwrap();
/// let pt = build(&m, &PartableOptions::default()).unwrap();
/// assert_eq!(pt.nfree, 4 + 6 + 3); // 4 loadings, 6 residual variances, 2 variances + 1 covariance
/// assert_eq!(pt.df(), 8);
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] (flag `--model`) for a repeated parameter, a factor measured by
/// itself, or an unusable group count.
pub fn build(model: &ModelSyntax, opts: &PartableOptions) -> Result<ParTable> {
    if opts.ngroups == 0 {
        return Err(Error::option("--group", "expected at least one group"));
    }
    let st = &model.statements;
    let err = |s: &Statement, msg: String| {
        Error::option(
            "--model",
            format!("line {}, column {}: {msg}", s.line, s.col),
        )
    };
    // repeated parameters
    for (i, s) in st.iter().enumerate() {
        if st[..i].iter().any(|t| same_key(&s.lhs, s.op, &s.rhs, t)) {
            return Err(err(
                s,
                format!(
                    "\"{} {} {}\" is specified twice",
                    s.lhs,
                    s.op.as_str(),
                    s.rhs
                ),
            ));
        }
        if s.op == Op::Threshold {
            let k = super::syntax::threshold_number(&s.rhs).unwrap_or(0);
            match opts.thresholds_of(&s.lhs) {
                None => {
                    return Err(err(
                        s,
                        format!(
                            "\"{} | {}\": thresholds belong to ordered items, and \"{}\" is not ordered (see --ordered)",
                            s.lhs, s.rhs, s.lhs
                        ),
                    ))
                }
                Some(nth) if k > nth => {
                    return Err(err(
                        s,
                        format!(
                            "\"{} | {}\": item \"{}\" has {} categories, so only t1 to t{nth}",
                            s.lhs,
                            s.rhs,
                            s.lhs,
                            nth + 1
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        if s.op == Op::Measure && s.lhs == s.rhs {
            return Err(err(
                s,
                format!("factor \"{}\" cannot measure itself", s.lhs),
            ));
        }
    }
    // variable sets
    let mut lv: Vec<String> = Vec::new();
    for s in st.iter().filter(|s| s.op == Op::Measure) {
        push_unique(&mut lv, &s.lhs);
    }
    let is_lv = |n: &str| lv.iter().any(|v| v == n);
    let mut ov: Vec<String> = Vec::new();
    for s in st.iter().filter(|s| s.op == Op::Measure) {
        if !is_lv(&s.rhs) {
            push_unique(&mut ov, &s.rhs);
        }
    }
    let indicators: Vec<String> = ov.clone();
    for s in st {
        // the right-hand side of `x | t1` names a threshold, not a variable
        let rhs = if s.op == Op::Threshold { "" } else { &s.rhs };
        for n in [s.lhs.as_str(), rhs] {
            if !n.is_empty() && !is_lv(n) {
                push_unique(&mut ov, n);
            }
        }
    }
    let eqs_y: Vec<String> = st
        .iter()
        .filter(|s| s.op == Op::Regress)
        .map(|s| s.lhs.clone())
        .collect();
    let eqs_x: Vec<String> = st
        .iter()
        .filter(|s| s.op == Op::Regress)
        .map(|s| s.rhs.clone())
        .collect();
    let in_list = |l: &[String], n: &str| l.iter().any(|v| v == n);
    let mut ov_x: Vec<String> = Vec::new();
    if opts.fixed_x {
        for v in &ov {
            let user_mentions = st.iter().any(|s| {
                (s.op == Op::Covary || s.op == Op::Intercept) && (s.lhs == *v || s.rhs == *v)
            });
            if in_list(&eqs_x, v)
                && !in_list(&eqs_y, v)
                && !in_list(&indicators, v)
                && !user_mentions
            {
                ov_x.push(v.clone());
            }
        }
    }
    // exogenous covariates last
    let mut ordered: Vec<String> = ov.iter().filter(|v| !in_list(&ov_x, v)).cloned().collect();
    ordered.extend(ov_x.iter().cloned());
    let ov = ordered;
    let lv_ind: Vec<String> = st
        .iter()
        .filter(|s| s.op == Op::Measure && is_lv(&s.rhs))
        .map(|s| s.rhs.clone())
        .collect();
    let lv_x: Vec<String> = lv
        .iter()
        .filter(|v| !in_list(&eqs_y, v) && !in_list(&lv_ind, v))
        .cloned()
        .collect();
    // pure outcomes: left of `~`, never right of `~`, not an indicator
    let mut ys: Vec<String> = Vec::new();
    for v in &eqs_y {
        if !in_list(&eqs_x, v) && !in_list(&indicators, v) && !in_list(&lv_ind, v) {
            push_unique(&mut ys, v);
        }
    }

    let mut rows: Vec<ParRow> = Vec::new();
    let mut firsts: Vec<String> = Vec::new(); // factors whose first indicator was seen
    let has_user = |lhs: &str, op: Op, rhs: &str| st.iter().any(|s| same_key(lhs, op, rhs, s));
    // equal thresholds free the scales (delta) or residual variances (theta) of ordered items
    // and the latent means in groups 2, 3, ... (lavaan 0.6.14 with ordered items)
    let eq_thresholds = opts.ngroups > 1
        && !opts.ordered.is_empty()
        && opts.group_equal.contains(&GroupEqual::Thresholds);
    for g in 1..=opts.ngroups {
        firsts.clear();
        let start = rows.len();
        let push = |rows: &mut Vec<ParRow>,
                    lhs: &str,
                    op: Op,
                    rhs: &str,
                    user: bool,
                    value: Option<f64>,
                    label: Option<String>,
                    exo: bool| {
            rows.push(ParRow {
                id: rows.len() + 1,
                lhs: lhs.to_string(),
                op,
                rhs: rhs.to_string(),
                user,
                group: g,
                free: usize::from(value.is_none() && !exo),
                value,
                label,
                exo,
            });
        };
        for s in st {
            let mut value = s.fixed;
            if s.op == Op::Measure && !in_list(&firsts, &s.lhs) {
                firsts.push(s.lhs.clone());
                if s.fixed.is_none() && !s.free {
                    value = Some(1.0);
                }
            }
            push(
                &mut rows,
                &s.lhs,
                s.op,
                &s.rhs,
                true,
                value,
                s.label.clone(),
                false,
            );
        }
        // thresholds of ordered items (lavaan lists them after the user's rows)
        for v in &ov {
            if let Some(nth) = opts.thresholds_of(v) {
                for k in 1..=nth {
                    let t = format!("t{k}");
                    if !has_user(v, Op::Threshold, &t) {
                        push(&mut rows, v, Op::Threshold, &t, false, None, None, false);
                    }
                }
            }
        }
        for v in ov.iter().filter(|v| !in_list(&ov_x, v)) {
            if !has_user(v, Op::Covary, v) {
                // ordered items: the residual variance is not free (module docs)
                let free_theta = g > 1 && eq_thresholds && opts.theta;
                let value = opts.thresholds_of(v).filter(|_| !free_theta).map(|_| 1.0);
                push(&mut rows, v, Op::Covary, v, false, value, None, false);
            }
        }
        for v in &lv {
            if !has_user(v, Op::Covary, v) {
                push(&mut rows, v, Op::Covary, v, false, None, None, false);
            }
        }
        for (i, a) in lv_x.iter().enumerate() {
            for b in &lv_x[i + 1..] {
                if !has_user(a, Op::Covary, b) {
                    push(&mut rows, a, Op::Covary, b, false, None, None, false);
                }
            }
        }
        for (i, a) in ys.iter().enumerate() {
            for b in &ys[i + 1..] {
                if !has_user(a, Op::Covary, b) {
                    push(&mut rows, a, Op::Covary, b, false, None, None, false);
                }
            }
        }
        for (i, a) in ov_x.iter().enumerate() {
            for b in &ov_x[i..] {
                push(&mut rows, a, Op::Covary, b, false, None, None, true);
            }
        }
        if opts.scale_factors {
            for v in ov.iter().filter(|v| opts.thresholds_of(v).is_some()) {
                if !has_user(v, Op::Scale, v) {
                    let value = (g == 1 || !eq_thresholds || opts.theta).then_some(1.0);
                    push(&mut rows, v, Op::Scale, v, false, value, None, false);
                }
            }
        }
        if opts.meanstructure {
            for v in &ov {
                if has_user(v, Op::Intercept, "") {
                    continue;
                }
                let exo = in_list(&ov_x, v);
                // ordered items: intercept 0 (their thresholds carry the location)
                let value = opts.thresholds_of(v).map(|_| 0.0);
                push(&mut rows, v, Op::Intercept, "", false, value, None, exo);
            }
            let free_means =
                g > 1 && (opts.group_equal.contains(&GroupEqual::Intercepts) || eq_thresholds);
            for v in &lv {
                if has_user(v, Op::Intercept, "") {
                    continue;
                }
                let value = if free_means { None } else { Some(0.0) };
                push(&mut rows, v, Op::Intercept, "", false, value, None, false);
            }
        }
        debug_assert!(rows[start..].iter().all(|r| r.group == g));
    }
    // free indices: shared by labels and by group.equal
    let mut nfree = 0usize;
    let mut labels: Vec<(String, usize)> = Vec::new();
    let n_rows = rows.len();
    for r in 0..n_rows {
        if rows[r].free == 0 {
            continue;
        }
        let mut shared = None;
        if let Some(l) = &rows[r].label {
            shared = labels.iter().find(|(k, _)| k == l).map(|(_, i)| *i);
        }
        if shared.is_none() && rows[r].group > 1 {
            let eq_load =
                rows[r].op == Op::Measure && opts.group_equal.contains(&GroupEqual::Loadings);
            // lavaan 0.6.14 counts the means of continuous items in a model with ordered
            // items among the "thresholds": group.equal = "thresholds" holds them equal too
            let eq_int = rows[r].op == Op::Intercept
                && !lv.contains(&rows[r].lhs)
                && (opts.group_equal.contains(&GroupEqual::Intercepts)
                    || (eq_thresholds && opts.thresholds_of(&rows[r].lhs).is_none()));
            let eq_th =
                rows[r].op == Op::Threshold && opts.group_equal.contains(&GroupEqual::Thresholds);
            if eq_load || eq_int || eq_th {
                shared = rows[..r]
                    .iter()
                    .find(|q| {
                        q.group == 1
                            && q.op == rows[r].op
                            && q.lhs == rows[r].lhs
                            && q.rhs == rows[r].rhs
                    })
                    .filter(|q| q.free > 0)
                    .map(|q| q.free);
            }
        }
        let idx = match shared {
            Some(i) => i,
            None => {
                nfree += 1;
                nfree
            }
        };
        rows[r].free = idx;
        if let Some(l) = &rows[r].label {
            if !labels.iter().any(|(k, _)| k == l) {
                labels.push((l.clone(), idx));
            }
        }
    }
    Ok(ParTable {
        rows,
        ov,
        lv,
        ov_x,
        ngroups: opts.ngroups,
        meanstructure: opts.meanstructure,
        nfree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfa::syntax::parse;

    fn keys(pt: &ParTable) -> Vec<String> {
        pt.rows
            .iter()
            .map(|r| format!("{}{}{}:{}", r.lhs, r.op.as_str(), r.rhs, r.free))
            .collect()
    }

    #[test]
    fn political_democracy_table_matches_lavaan() {
        // lavaan 0.6.14 parTable(sem(model)): 34 rows, 31 free, no ind60 ~~ dem60 covariance
        let m = parse(
            "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\ndem60 ~ ind60\ndem65 ~ ind60 + dem60\ny1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8",
            "m",
        )
        .unwrap();
        let pt = build(&m, &PartableOptions::default()).unwrap();
        assert_eq!(pt.rows.len(), 34);
        assert_eq!(pt.nfree, 31);
        assert_eq!(pt.df(), 35);
        let k = keys(&pt);
        assert_eq!(k[0], "ind60=~x1:0");
        assert_eq!(k[1], "ind60=~x2:1");
        assert_eq!(k[33], "dem65~~dem65:31");
    }

    #[test]
    fn observed_regressions_follow_fixed_x_and_cov_y() {
        // lavaan: B ~~ y5 added; x1, x2 moments fixed (exo); df 33, npar 19
        let m = parse(
            "A =~ y1+y2+y3\nB =~ y6+y7+y8\nB ~ A\ny4 ~ x1\ny5 ~ x2 + y4",
            "m",
        )
        .unwrap();
        let pt = build(&m, &PartableOptions::default()).unwrap();
        assert_eq!(pt.nfree, 19);
        assert_eq!(pt.df(), 33);
        assert_eq!(pt.ov_x, vec!["x1".to_string(), "x2".to_string()]);
        let k = keys(&pt);
        assert!(k.contains(&"B~~y5:19".to_string()), "{k:?}");
        assert!(k.contains(&"x1~~x2:0".to_string()));
    }

    #[test]
    fn ordered_items_get_thresholds_fixed_intercepts_and_variances() {
        // lavaan 0.6.14 parTable(cfa("f =~ x1 + x2 + x3", ordered = TRUE)) with 3, 3, 2
        // categories: x1|t1 x1|t2 x2|t1 x2|t2 x3|t1 after the loadings; residual variances and
        // intercepts of the items fixed
        let m = parse("f =~ x1 + x2 + x3\nx2 | a*t2", "m").unwrap();
        let pt = build(
            &m,
            &PartableOptions {
                meanstructure: true,
                ordered: vec![("x1".into(), 2), ("x2".into(), 2), ("x3".into(), 1)],
                ..PartableOptions::default()
            },
        )
        .unwrap();
        let k = keys(&pt);
        assert_eq!(
            &k[..8],
            &[
                "f=~x1:0", "f=~x2:1", "f=~x3:2", "x2|t2:3", "x1|t1:4", "x1|t2:5", "x2|t1:6",
                "x3|t1:7"
            ]
        );
        assert!(k.contains(&"x1~~x1:0".to_string()) && k.contains(&"x1~1:0".to_string()));
        assert_eq!(pt.nfree, 2 + 5 + 1);
        let bad = parse("f =~ x1 + x2 + x3\nx3 | t2", "m").unwrap();
        let opts = PartableOptions {
            ordered: vec![("x1".into(), 2), ("x2".into(), 2), ("x3".into(), 1)],
            ..PartableOptions::default()
        };
        let e = build(&bad, &opts).unwrap_err().to_string();
        assert!(e.contains("only t1 to t1"), "{e}");
    }

    #[test]
    fn labels_and_group_equal_share_parameters() {
        let m = parse("f =~ x1 + a*x2 + a*x3", "m").unwrap();
        let pt = build(&m, &PartableOptions::default()).unwrap();
        assert_eq!(pt.rows[1].free, pt.rows[2].free);
        assert_eq!(pt.nfree, 1 + 3 + 1);
        let m = parse("f =~ x1 + x2 + x3", "m").unwrap();
        let opts = |eq: Vec<GroupEqual>| PartableOptions {
            ngroups: 2,
            meanstructure: true,
            group_equal: eq,
            fixed_x: true,
            ..PartableOptions::default()
        };
        let conf = build(&m, &opts(vec![])).unwrap();
        let metric = build(&m, &opts(vec![GroupEqual::Loadings])).unwrap();
        let scalar = build(
            &m,
            &opts(vec![GroupEqual::Loadings, GroupEqual::Intercepts]),
        )
        .unwrap();
        assert_eq!(conf.df(), 0);
        assert_eq!(metric.df(), 2);
        assert_eq!(scalar.df(), 4);
    }
}
