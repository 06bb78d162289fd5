//! Item selection and reverse keys.
//!
//! `--items A1,A2,A5` names columns; `--items A1:A5` is the inclusive range of columns from A1
//! to A5 in the file's column order; both may be mixed (`A1:A5,C2`). Reverse keying maps
//! $x \mapsto (\text{min} + \text{max}) - x$ before any statistic, with the scale's end points
//! given by `--scale-min/--scale-max` or by the instrument.

use super::read::{closest_name, ColumnRequest};
use crate::error::{Error, Location, Result};

/// An item list as written by the user: names and `FROM:TO` ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSpec(pub Vec<String>);

impl ItemSpec {
    /// Parses `A1,A2,B1:B5` (whitespace around names is ignored).
    pub fn parse(s: &str) -> Result<Self> {
        let parts: Vec<String> = s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return Err(Error::option("--items", "expected at least one item name"));
        }
        Ok(ItemSpec(parts))
    }

    /// Resolves the names and ranges to header positions, in the order given.
    pub fn resolve(&self, names: &[String], at: &Location) -> Result<Vec<usize>> {
        let find = |name: &str| -> Result<usize> {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::UnknownColumn {
                    at: at.clone(),
                    name: name.to_string(),
                    did_you_mean: closest_name(name, names),
                })
        };
        let mut out = Vec::new();
        for part in &self.0 {
            match part.split_once(':') {
                Some((a, b)) if names.iter().all(|n| n != part) => {
                    let (i, j) = (find(a.trim())?, find(b.trim())?);
                    if i > j {
                        return Err(Error::option(
                            "--items",
                            format!("range {part}: \"{a}\" comes after \"{b}\" in the file"),
                        ));
                    }
                    out.extend(i..=j);
                }
                _ => out.push(find(part)?),
            }
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = out.iter().copied().find(|c| !seen.insert(*c)) {
            return Err(Error::option(
                "--items",
                format!("item \"{}\" is selected twice", names[dup]),
            ));
        }
        Ok(out)
    }
}

/// A resolved selection: which columns, which are reverse keyed, the response range.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Header positions of the items, in analysis order.
    pub columns: Vec<usize>,
    /// Names of the items (same order).
    pub names: Vec<String>,
    /// Per item: reverse keyed?
    pub reverse: Vec<bool>,
    /// Response scale `(min, max)`, when known; values outside it are errors.
    pub scale: Option<(f64, f64)>,
}

impl Selection {
    /// The column requests for the reader.
    pub fn requests(&self) -> Vec<ColumnRequest> {
        self.columns
            .iter()
            .map(|&index| ColumnRequest {
                index,
                range: self.scale,
            })
            .collect()
    }

    /// Marks the named items as reverse keyed; each must be among the selected items.
    pub fn set_reverse(&mut self, reverse: &[String]) -> Result<()> {
        for r in reverse {
            let r = r.trim();
            match self.names.iter().position(|n| n == r) {
                Some(j) => self.reverse[j] = true,
                None => {
                    return Err(Error::option(
                        "--reverse",
                        format!("\"{r}\" is not one of the selected items"),
                    ))
                }
            }
        }
        if self.reverse.iter().any(|&r| r) && self.scale.is_none() {
            return Err(Error::option(
                "--reverse",
                "reverse keying needs the scale's end points: give --scale-min and --scale-max",
            ));
        }
        Ok(())
    }

    /// Applies the reverse keys to data read with this selection.
    pub fn apply_reverse(&self, data: &mut super::ItemData) {
        if let Some((lo, hi)) = self.scale {
            for (j, &r) in self.reverse.iter().enumerate() {
                if r {
                    data.reverse(j, lo, hi);
                }
            }
        }
    }
}
