//! The table of intraclass correlations.

use super::{num, Report, Table};
use crate::analysis::icc::IccOutput;

impl Report for IccOutput {
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        vec![Table {
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
            notes: vec![format!(
                "{}% confidence intervals.",
                (self.ci * 100.0).round()
            )],
        }]
    }
}
