//! The table of polychoric or tetrachoric correlations (`trustscale polychoric`).

use super::{num, Report, Table};
use crate::analysis::polychoric::PolychoricOutput;

impl Report for PolychoricOutput {
    /// The lower triangle of the correlations, the thresholds under it.
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let k = r.items.len();
        let mut columns = vec![String::new()];
        columns.extend(r.items.iter().cloned());
        let rows = r
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut row = vec![item.clone()];
                row.extend((0..k).map(|j| {
                    if j <= i {
                        num(r.rho.get((i, j)).copied().unwrap_or(f64::NAN), 2)
                    } else {
                        String::new()
                    }
                }));
                row
            })
            .collect();
        let mut notes = vec!["Thresholds:".to_string()];
        for (item, th) in r.items.iter().zip(&r.thresholds) {
            notes.push(format!(
                "  {item}: {}",
                th.iter().map(|x| num(*x, 2)).collect::<Vec<_>>().join(" ")
            ));
        }
        vec![Table {
            title: format!("{} correlations", self.kind()),
            summary: vec![format!(
                "n = {}, {} items{}",
                r.n,
                k,
                if r.smoothed {
                    ", smoothed to be positive definite"
                } else {
                    ""
                }
            )],
            columns,
            rows,
            notes,
        }]
    }
}
