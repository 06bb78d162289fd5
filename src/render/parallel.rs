//! The table of a parallel analysis (`trustscale parallel`).

use super::{num, Report, Table};
use crate::analysis::parallel::ParallelOutput;
use crate::factor::parallel::Reference;

impl Report for ParallelOutput {
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let rows = (0..r.observed_pc.len())
            .map(|i| {
                let cell = |v: &[f64]| v.get(i).map_or_else(|| "NA".into(), |x| num(*x, 3));
                vec![
                    (i + 1).to_string(),
                    cell(&r.observed_pc),
                    cell(&r.simulated_pc_p95),
                    cell(&r.observed_fa),
                    cell(&r.simulated_fa_p95),
                ]
            })
            .collect();
        vec![Table {
            title: "Parallel analysis (Horn, 1965)".into(),
            summary: vec![
                format!(
                    "n = {}, {} items, {} {} data sets ({} correlations), seed {}",
                    r.n,
                    r.observed_pc.len(),
                    r.iterations,
                    match r.reference {
                        Reference::Normal => "normal",
                        Reference::Resampled => "resampled",
                    },
                    self.cor.name(),
                    r.seed
                ),
                format!(
                    "suggested: {} factors, {} components",
                    r.suggested_factors, r.suggested_components
                ),
            ],
            columns: [
                "#",
                "PC observed",
                "PC simulated p95",
                "FA observed",
                "FA simulated p95",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec!["A factor (component) is retained while its observed eigenvalue exceeds the 95th percentile of the simulated ones.".into()],
        }]
    }
}
