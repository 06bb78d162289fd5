//! The table of an exploratory factor analysis (`trustscale efa`).

use super::{num, opt, Report, Table};
use crate::analysis::efa::EfaOutput;
use crate::analysis::text_of;

impl Report for EfaOutput {
    /// One table: the fit and the sampling adequacy above, the loadings (below the cut-off in
    /// parentheses), communalities and, with an instrument, each item's subscale and flag; the
    /// items' wording last when there is any.
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let k = r.factors;
        let flagged = !self.item_flags.is_empty();
        let mut columns = vec!["item".to_string()];
        if flagged {
            columns.push("subscale".into());
        }
        columns.extend((1..=k).map(|j| format!("F{j}")));
        columns.extend(["h2", "u2"].map(String::from));
        if flagged {
            columns.push("flag".into());
        }
        let worded = !self.item_text.is_empty();
        if worded {
            columns.push("text".into());
        }
        let rows = r
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut row = vec![item.clone()];
                if let Some(f) = self.item_flags.get(i) {
                    row.push(f.subscale.clone().unwrap_or_default());
                }
                row.extend((0..k).map(|j| {
                    let x = r.loadings.get((i, j)).copied().unwrap_or(f64::NAN);
                    if x.abs() >= self.cutoff {
                        num(x, 2)
                    } else {
                        format!("({})", num(x, 2))
                    }
                }));
                row.push(opt(r.communalities.get(i).copied(), 2));
                row.push(opt(r.uniquenesses.get(i).copied(), 2));
                if let Some(f) = self.item_flags.get(i) {
                    row.push(f.flag.map(|f| f.as_str().to_string()).unwrap_or_default());
                }
                if worded {
                    row.push(
                        text_of(&self.item_text, item)
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                row
            })
            .collect();
        let mut summary = vec![
            format!(
                "n = {}, {} items, {} factors{}; {} extraction, {} rotation, {} correlations",
                r.n,
                r.items.len(),
                k,
                self.factors_from_parallel
                    .map(|_| " (from parallel analysis)")
                    .unwrap_or(""),
                r.extraction.as_str(),
                r.rotation.as_str(),
                r.cor
            ),
            format!(
                "KMO = {}; Bartlett chi2({}) = {}, p = {}",
                opt(r.kmo, 2),
                r.bartlett.df,
                opt(r.bartlett.chi2, 1),
                opt(r.bartlett.p, 4)
            ),
            format!(
                "fit: chi2({}) = {}, RMSEA = {}, TLI = {}, BIC = {}",
                r.fit.df,
                opt(r.fit.chi2, 2),
                opt(r.fit.rmsea, 3),
                opt(r.fit.tli, 3),
                opt(r.fit.bic, 1)
            ),
            format!(
                "SS loadings: {}",
                r.variance_explained
                    .iter()
                    .map(|x| num(*x, 2))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ];
        if r.rotation.is_oblique() && k > 1 {
            let mut s = String::from("factor correlations:");
            for i in 0..k {
                for j in 0..i {
                    let phi = r.factor_correlations.get((i, j)).copied();
                    s.push_str(&format!(" F{}-F{} {}", j + 1, i + 1, opt(phi, 2)));
                }
            }
            summary.push(s);
        }
        for sf in &self.subscale_factors {
            summary.push(format!(
                "{} -> {}",
                sf.subscale,
                sf.factor.map_or("no factor left".to_string(), |f| format!(
                    "F{f} (mean |loading| {})",
                    num(sf.mean_abs_loading.unwrap_or(0.0), 2)
                ))
            ));
        }
        vec![Table {
            title: "Exploratory factor analysis".into(),
            summary,
            columns,
            rows,
            notes: vec![format!("Loadings below {} in parentheses; flag: foreign = loads most on another subscale's factor, weak = no loading above the cut-off.", num(self.cutoff, 2))],
        }]
    }
}
