//! Tables of reliability results.

use super::{num, opt, Report, Table};
use crate::analysis::reliability::ReliabilityOutput;
use crate::reliability::ReliabilityResult;

impl ReliabilityResult {
    /// The table, titled with the scale's name.
    pub fn table_titled(&self, title: &str) -> Table {
        let pct = (self.ci_level * 100.0).round();
        let mut summary = vec![
            format!(
                "n = {} ({} complete, missing: {}), k = {} items",
                self.n,
                self.n_complete,
                match self.missing {
                    crate::correlation::Missing::Pairwise => "pairwise",
                    crate::correlation::Missing::Listwise => "listwise",
                },
                self.k
            ),
            format!(
                "alpha = {} [{}, {}] ({pct}% {}): {}",
                num(self.alpha, 3),
                num(self.alpha_ci[0], 3),
                num(self.alpha_ci[1], 3),
                self.ci_method,
                super::verdict::reliability(self.alpha).1
            ),
            format!(
                "standardised alpha = {}, lambda 6 = {}, average r = {}, S/N = {}",
                num(self.alpha_std, 3),
                num(self.lambda6, 3),
                num(self.average_r, 3),
                num(self.signal_noise, 2)
            ),
            format!(
                "omega total = {}, omega hierarchical = {}",
                opt(self.omega_total, 3),
                opt(self.omega_hierarchical, 3)
            ),
        ];
        if let Some(o) = &self.ordinal {
            summary.push(format!(
                "ordinal (polychoric correlations, missing: {}{}):",
                match o.missing {
                    crate::correlation::Missing::Pairwise => "pairwise",
                    crate::correlation::Missing::Listwise => "listwise",
                },
                if o.smoothed { ", smoothed" } else { "" }
            ));
            // the JSON's `basis` in short; the full text is in the JSON
            for (name, basis, c) in [
                ("ordinal alpha", "polychoric matrix", &o.alpha_ordinal),
                (
                    "ordinal omega",
                    "one-factor minres of the polychoric matrix",
                    &o.omega_ordinal,
                ),
                (
                    "latent-response omega",
                    "one-factor WLSMV CFA",
                    &o.omega_latent,
                ),
                (
                    "categorical omega",
                    "one-factor WLSMV CFA",
                    &o.omega_categorical,
                ),
            ] {
                summary.push(format!(
                    "  {name} = {}: of the sum of the {}; {basis}; {}",
                    opt(c.value, 3),
                    c.scale,
                    c.reference
                ));
            }
        }
        // the items' wording (instrument text, else the file's variable labels) as a last
        // column when there is any
        let worded = self.items.iter().any(|it| it.text.is_some());
        let rows = self
            .items
            .iter()
            .map(|it| {
                let mut row = vec![
                    format!("{}{}", it.item, if it.reversed { " (R)" } else { "" }),
                    it.n.to_string(),
                    num(it.mean, 2),
                    num(it.sd, 2),
                    num(it.r_drop, 3),
                    opt(it.alpha_if_deleted, 3),
                ];
                if worded {
                    row.push(it.text.clone().unwrap_or_default());
                }
                row
            })
            .collect();
        let mut columns: Vec<String> = ["item", "n", "mean", "sd", "r_drop", "alpha if deleted"]
            .map(String::from)
            .to_vec();
        if worded {
            columns.push("text".into());
        }
        Table {
            title: title.to_string(),
            summary,
            columns,
            rows,
            notes: Vec::new(),
        }
    }
}

impl Report for ReliabilityResult {
    fn tables(&self) -> Vec<Table> {
        vec![self.table_titled("Reliability")]
    }
}

impl Report for ReliabilityOutput {
    /// One table per scale, titled with the subscale's name and id.
    fn tables(&self) -> Vec<Table> {
        self.scales
            .iter()
            .map(|s| {
                let title = match &s.subscale_name {
                    Some(name) => format!("Reliability: {name} ({})", s.scale),
                    None => "Reliability".to_string(),
                };
                s.result.table_titled(&title)
            })
            .collect()
    }
}
