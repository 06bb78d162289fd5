//! [`ItemData`]: named item columns of `f64` with missing cells as `NaN`.

use crate::error::{Error, Location, Result};
use nalgebra::DMatrix;
use std::path::PathBuf;

/// Item responses: `n` rows (respondents) by `k` named columns (items), row-major, with missing
/// cells stored as `NaN`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemData {
    /// The file the data came from (for error messages).
    pub file: Option<PathBuf>,
    /// Item (column) names.
    pub names: Vec<String>,
    /// Row-major values, `n * k`, `NaN` = missing.
    pub values: Vec<f64>,
    /// Spreadsheet row number (1-based, header = 1) of each data row.
    pub rows: Vec<u64>,
    /// Respondent ids, when an id column was read.
    pub ids: Option<Vec<String>>,
}

impl ItemData {
    /// Builds item data from row-major values (tests and simulations).
    pub fn new(names: Vec<String>, values: Vec<f64>) -> Result<Self> {
        let k = names.len();
        if k == 0 || values.len() % k != 0 {
            return Err(Error::option(
                "items",
                format!("{} values do not fill rows of {} items", values.len(), k),
            ));
        }
        let n = values.len() / k;
        Ok(ItemData {
            file: None,
            names,
            values,
            rows: (0..n as u64).map(|i| i + 2).collect(),
            ids: None,
        })
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    /// Number of items.
    pub fn k(&self) -> usize {
        self.names.len()
    }

    /// One row.
    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.k();
        &self.values[i * k..(i + 1) * k]
    }

    /// Iterator over rows.
    pub fn row_iter(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.k().max(1))
    }

    /// A location naming this data's file (and optionally a column).
    pub fn location(&self) -> Location {
        Location::file(self.file.clone())
    }

    /// Number of rows with at least one missing cell.
    pub fn rows_with_missing(&self) -> usize {
        self.row_iter()
            .filter(|r| r.iter().any(|v| v.is_nan()))
            .count()
    }

    /// Number of complete rows.
    pub fn complete_rows(&self) -> usize {
        self.n() - self.rows_with_missing()
    }

    /// Keeps only the complete rows (listwise deletion).
    pub fn listwise(&self) -> ItemData {
        let k = self.k();
        let mut values = Vec::with_capacity(self.values.len());
        let mut rows = Vec::new();
        let mut ids = self.ids.as_ref().map(|_| Vec::new());
        for (i, r) in self.row_iter().enumerate() {
            if r.iter().all(|v| !v.is_nan()) {
                values.extend_from_slice(r);
                rows.push(self.rows[i]);
                if let (Some(out), Some(src)) = (ids.as_mut(), self.ids.as_ref()) {
                    out.push(src[i].clone());
                }
            }
        }
        debug_assert_eq!(values.len(), rows.len() * k);
        ItemData {
            file: self.file.clone(),
            names: self.names.clone(),
            values,
            rows,
            ids,
        }
    }

    /// A subset of the columns, in the given order.
    pub fn columns(&self, idx: &[usize]) -> ItemData {
        let k = self.k();
        let mut values = Vec::with_capacity(self.n() * idx.len());
        for r in self.values.chunks_exact(k.max(1)) {
            values.extend(idx.iter().map(|&j| r[j]));
        }
        ItemData {
            file: self.file.clone(),
            names: idx.iter().map(|&j| self.names[j].clone()).collect(),
            values,
            rows: self.rows.clone(),
            ids: self.ids.clone(),
        }
    }

    /// Reverse-keys column `j`: $x \mapsto (\min + \max) - x$.
    pub fn reverse(&mut self, j: usize, min: f64, max: f64) {
        let k = self.k();
        for r in self.values.chunks_exact_mut(k.max(1)) {
            r[j] = min + max - r[j];
        }
    }

    /// Checks every value lies in `[min, max]`; names row and column of the first that does not.
    pub fn check_range(&self, min: f64, max: f64) -> Result<()> {
        for (i, r) in self.row_iter().enumerate() {
            for (j, &v) in r.iter().enumerate() {
                if !v.is_nan() && (v < min || v > max) {
                    return Err(Error::OutOfRange {
                        at: self
                            .location()
                            .with_row(self.rows[i])
                            .with_column(&self.names[j]),
                        value: v,
                        min,
                        max,
                    });
                }
            }
        }
        Ok(())
    }

    /// Errors unless there are at least `needed` complete rows.
    pub fn require_complete_rows(&self, needed: usize) -> Result<()> {
        let got = self.complete_rows();
        if got < needed {
            return Err(Error::TooFewRows {
                at: self.location(),
                needed,
                got,
            });
        }
        Ok(())
    }

    /// Errors on the first item whose non-missing values are all equal (or that has none).
    pub fn require_variance(&self) -> Result<()> {
        let k = self.k();
        for j in 0..k {
            let mut first: Option<f64> = None;
            let mut varies = false;
            for r in self.row_iter() {
                let v = r[j];
                if v.is_nan() {
                    continue;
                }
                match first {
                    None => first = Some(v),
                    Some(f) if f != v => {
                        varies = true;
                        break;
                    }
                    _ => {}
                }
            }
            if !varies {
                let at = self.location().with_column(&self.names[j]);
                return match first {
                    Some(value) => Err(Error::ZeroVariance { at, value }),
                    None => Err(Error::TooFewRows {
                        at,
                        needed: 3,
                        got: 0,
                    }),
                };
            }
        }
        Ok(())
    }

    /// The complete rows as an `n x k` nalgebra matrix.
    pub fn to_matrix_listwise(&self) -> DMatrix<f64> {
        let lw = self.listwise();
        DMatrix::from_row_slice(lw.n(), lw.k(), &lw.values)
    }
}
