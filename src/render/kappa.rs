//! The summary of a kappa: Cohen's for two raters, Fleiss' for more.

use super::{num, Report, Table};
use crate::agreement::kappa::Weights;
use crate::analysis::kappa::{CategoryLabel, KappaOutput};

/// The categories as the summary lists them: `1 (Strongly disagree), 2 (Disagree)` when the
/// file gives value labels, else the bare categories.
fn categories(cats: &[String], labels: &[CategoryLabel]) -> String {
    cats.iter()
        .map(|c| match labels.iter().find(|l| l.category == *c) {
            Some(l) => format!("{c} ({})", l.label),
            None => c.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

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
                            categories(&r.categories, &c.category_labels)
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
            KappaOutput::Fleiss(f) => Table {
                title: format!("Fleiss' kappa: {} raters", f.result.raters),
                summary: vec![
                    format!(
                        "n = {} subjects, {} categories: {}",
                        f.result.n,
                        f.result.categories.len(),
                        categories(&f.result.categories, &f.category_labels)
                    ),
                    format!(
                        "kappa = {}, z = {} (se under no agreement {}), p = {}",
                        num(f.result.kappa, 3),
                        num(f.result.z, 2),
                        num(f.result.se_null, 4),
                        num(f.result.p, 4)
                    ),
                ],
                ..Default::default()
            },
        };
        vec![t]
    }
}
