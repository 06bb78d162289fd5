//! Plain-text tables of results.
//!
//! Every result implements [`Report`]; the CLI prints `table()` unless `--json` is given, and
//! the HTML report (later) renders the same [`Table`]s.

use std::fmt;

pub mod cfa;
pub mod describe;
pub mod efa;
pub mod evaluate;
pub mod format;
pub mod framework;
pub mod icc;
pub mod instrument;
pub mod kappa;
pub mod krippendorff;
pub mod omega;
pub mod parallel;
pub mod polychoric;
pub mod power;
pub mod profile;
pub mod regress;
pub mod reliability;
pub mod rwg;
pub mod study;
pub mod verdict;

/// A titled table with aligned columns and notes under it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Title line.
    pub title: String,
    /// Lines shown between the title and the table (key figures).
    pub summary: Vec<String>,
    /// Column headers.
    pub columns: Vec<String>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
    /// Notes under the table.
    pub notes: Vec<String>,
}

/// A result that renders as tables.
pub trait Report {
    /// The result as one or more tables.
    fn tables(&self) -> Vec<Table>;
}

/// Formats a number with `d` decimals; `NA` for a missing or non-finite value.
pub fn num(x: f64, d: usize) -> String {
    if x.is_finite() {
        let s = format!("{x:.d$}");
        if s.starts_with("-0.") && s[3..].chars().all(|c| c == '0') {
            s[1..].to_string()
        } else {
            s
        }
    } else {
        "NA".to_string()
    }
}

/// [`num`] for an optional value.
pub fn opt(x: Option<f64>, d: usize) -> String {
    x.map_or_else(|| "NA".to_string(), |v| num(v, d))
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.title.is_empty() {
            writeln!(f, "{}", self.title)?;
        }
        for s in &self.summary {
            writeln!(f, "  {s}")?;
        }
        if !self.columns.is_empty() {
            let ncol = self.columns.len();
            let mut w: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
            for r in &self.rows {
                for (j, c) in r.iter().enumerate().take(ncol) {
                    w[j] = w[j].max(c.chars().count());
                }
            }
            let line = |cells: &[String], f: &mut fmt::Formatter<'_>| -> fmt::Result {
                let mut s = String::from(" ");
                for (j, c) in cells.iter().enumerate().take(ncol) {
                    let pad = w[j] - c.chars().count();
                    if j == 0 {
                        s.push_str(&format!(" {c}{}", " ".repeat(pad)));
                    } else {
                        s.push_str(&format!("  {}{c}", " ".repeat(pad)));
                    }
                }
                writeln!(f, "{}", s.trim_end())
            };
            if !self.summary.is_empty() {
                writeln!(f)?;
            }
            line(&self.columns, f)?;
            let total: usize = w.iter().sum::<usize>() + 2 * ncol;
            writeln!(f, "  {}", "-".repeat(total.saturating_sub(1)))?;
            for r in &self.rows {
                line(r, f)?;
            }
        }
        for n in &self.notes {
            writeln!(f, "  {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = Table {
            title: "T".into(),
            columns: vec!["item".into(), "r".into()],
            rows: vec![
                vec!["A1".into(), "0.30".into()],
                vec!["Long".into(), "-0.5".into()],
            ],
            ..Default::default()
        };
        assert_eq!(
            t.to_string(),
            "T\n  item     r\n  -----------\n  A1    0.30\n  Long  -0.5\n"
        );
        assert_eq!(num(-0.0001, 2), "0.00");
        assert_eq!(num(f64::NAN, 2), "NA");
    }
}
