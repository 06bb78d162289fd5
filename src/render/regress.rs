//! Tables of `regress`: the linear regression (or mixed model), hierarchical steps, dominance
//! analysis and the aggregation to groups.

use super::format::{ci_plain, num, opt, p_plain, p_plain_cell};
use super::{Report, Table};
use crate::analysis::regress::RegressOutput;

impl Report for RegressOutput {
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let level = self.ci;
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
                p_plain(f.p)
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
                p_plain(w.p)
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
                        p_plain_cell(c.p),
                        ci_plain(c.ci[0], c.ci[1], 4),
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
                            p_plain_cell(s.p),
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
                                .map(|c| ci_plain(c[0], c[1], 4))
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
                            p_plain_cell(c.p),
                            opt(c.mean_rwg, 3),
                        ]
                    })
                    .collect(),
                notes: Vec::new(),
            });
        }
        out
    }
}
