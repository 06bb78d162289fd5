//! The summary of a kappa: Cohen's for two raters, Fleiss' for more.

use super::{num, Report, Table};
use crate::agreement::kappa::Weights;
use crate::analysis::kappa::KappaOutput;

impl Report for KappaOutput {
    fn tables(&self) -> Vec<Table> {
        let t = match self {
            KappaOutput::Cohen(c) => {
                let r = &c.result;
                Table {
                    title: format!(
                        "Cohen's kappa ({} weights): {} vs {}",
                        match r.weights {
                            Weights::None => "no",
                            Weights::Linear => "linear",
                            Weights::Quadratic => "quadratic",
                        },
                        c.raters[0],
                        c.raters[1]
                    ),
                    summary: vec![
                        format!(
                            "n = {} subjects, {} categories: {}",
                            r.n,
                            r.categories.len(),
                            r.categories.join(", ")
                        ),
                        format!(
                            "kappa = {} (se {}), {}% CI [{}, {}]",
                            num(r.kappa, 3),
                            num(r.se, 3),
                            (c.ci * 100.0).round(),
                            num(r.ci[0], 3),
                            num(r.ci[1], 3)
                        ),
                        format!(
                            "observed agreement {}, chance agreement {}",
                            num(r.observed, 3),
                            num(r.expected, 3)
                        ),
                    ],
                    ..Default::default()
                }
            }
            KappaOutput::Fleiss(r) => Table {
                title: format!("Fleiss' kappa: {} raters", r.raters),
                summary: vec![
                    format!(
                        "n = {} subjects, {} categories: {}",
                        r.n,
                        r.categories.len(),
                        r.categories.join(", ")
                    ),
                    format!(
                        "kappa = {}, z = {} (se under no agreement {}), p = {}",
                        num(r.kappa, 3),
                        num(r.z, 2),
                        num(r.se_null, 4),
                        num(r.p, 4)
                    ),
                ],
                ..Default::default()
            },
        };
        vec![t]
    }
}
