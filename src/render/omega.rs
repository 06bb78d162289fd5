//! The tables of omega (`trustscale omega`).

use super::{num, opt, Report, Table};
use crate::analysis::omega::{OmegaOutput, ScaleOmega};
use crate::analysis::text_of;

impl ScaleOmega {
    /// The Schmid-Leiman loadings with omega's coefficients above and omega per group factor
    /// below; the items' wording last when there is any.
    pub fn table(&self) -> Table {
        let k = self.group_loadings.first().map_or(0, Vec::len);
        let mut columns = vec!["item".to_string(), "g".to_string()];
        columns.extend((1..=k).map(|j| format!("F{j}*")));
        columns.extend(["h2", "u2", "p2"].map(String::from));
        let worded = !self.item_text.is_empty();
        if worded {
            columns.push("text".into());
        }
        let at = |v: &[f64], i: usize| opt(v.get(i).copied(), 2);
        let rows = self
            .items
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut r = vec![
                    format!(
                        "{name}{}",
                        if self.flipped.contains(name) {
                            " (-)"
                        } else {
                            ""
                        }
                    ),
                    at(&self.general_loadings, i),
                ];
                if let Some(g) = self.group_loadings.get(i) {
                    r.extend(g.iter().map(|x| {
                        if x.abs() >= 0.2 {
                            num(*x, 2)
                        } else {
                            String::new()
                        }
                    }));
                }
                r.extend([at(&self.h2, i), at(&self.u2, i), at(&self.p2, i)]);
                if worded {
                    r.push(
                        text_of(&self.item_text, name)
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                r
            })
            .collect();
        let mut notes = vec!["Omega per factor (total / general / group):".to_string()];
        for g in &self.omega_group {
            notes.push(format!(
                "  {:>4}: {} / {} / {}  ({} items)",
                g.factor,
                opt(g.total, 2),
                opt(g.general, 2),
                opt(g.group, 2),
                g.items.len()
            ));
        }
        notes.push(
            "Group loadings below .20 are blank; (-) marks items reversed to load positively on g."
                .into(),
        );
        Table {
            title: format!(
                "Omega (Schmid-Leiman, {} group factors): {}",
                self.factors, self.scale
            ),
            summary: vec![
                format!("n = {}, k = {} items", self.n, self.items.len()),
                format!(
                    "omega total = {}, omega hierarchical = {}, omega_h/omega_t = {}, ECV = {}",
                    num(self.omega_total, 3),
                    num(self.omega_hierarchical, 3),
                    num(self.omega_limit, 3),
                    num(self.ecv, 3)
                ),
                format!(
                    "alpha = {}, lambda 6 = {}",
                    num(self.alpha, 3),
                    num(self.lambda6, 3)
                ),
            ],
            columns,
            rows,
            notes,
        }
    }
}

impl Report for OmegaOutput {
    /// One table per scale.
    fn tables(&self) -> Vec<Table> {
        self.scales.iter().map(ScaleOmega::table).collect()
    }
}
