//! The summary of Krippendorff's alpha.

use super::{num, Report, Table};
use crate::analysis::krippendorff::KrippendorffOutput;

impl Report for KrippendorffOutput {
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let mut summary = vec![
            format!(
                "{} units, {} coders, {} pairable values",
                r.n_units,
                self.coders.len(),
                r.n_pairable
            ),
            format!(
                "alpha = {} (observed disagreement {}, expected {})",
                num(r.alpha, 3),
                num(r.observed_disagreement, 4),
                num(r.expected_disagreement, 4)
            ),
        ];
        if let Some(ci) = r.ci {
            summary.push(format!(
                "{}% bootstrap interval [{}, {}] ({} resamples of units)",
                (self.ci * 100.0).round(),
                num(ci[0], 3),
                num(ci[1], 3),
                r.bootstrap.unwrap_or(0)
            ));
        }
        vec![Table {
            title: format!("Krippendorff's alpha ({} level)", r.level.as_str()),
            summary,
            ..Default::default()
        }]
    }
}
