//! [`ItemData`]: named item columns of `f64` with missing cells as `NaN`.

use crate::error::{Error, Location, Result};
use nalgebra::DMatrix;
use ndarray::ArrayView2;
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

    /// Item data from an in-memory array (rows = respondents, columns = items), as numpy and
    /// pandas hold it: `NaN` marks a missing answer. Rows are numbered from 1 in errors.
    ///
    /// Errors when the names do not match the columns one to one (count, empty or repeated
    /// names), when there are no rows, or when a value is infinite.
    ///
    /// ```
    /// use ndarray::array;
    /// use trustscale::data::ItemData;
    /// let a = array![[1.0, 2.0], [3.0, f64::NAN]];
    /// let d = ItemData::from_array(a.view(), &["A1", "A2"]).unwrap();
    /// assert_eq!((d.n(), d.k()), (2, 2));
    /// assert!(d.row(1)[1].is_nan());
    /// ```
    pub fn from_array<S: AsRef<str>>(values: ArrayView2<'_, f64>, names: &[S]) -> Result<Self> {
        let (n, k) = values.dim();
        if names.len() != k {
            return Err(Error::option(
                "names",
                format!("{} names for {k} columns", names.len()),
            ));
        }
        let names: Vec<String> = names.iter().map(|s| s.as_ref().to_string()).collect();
        for (j, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(Error::option(
                    "names",
                    format!("column {} has an empty name", j + 1),
                ));
            }
            if names[..j].contains(name) {
                return Err(Error::option(
                    "names",
                    format!("column name \"{name}\" appears twice"),
                ));
            }
        }
        if n == 0 || k == 0 {
            return Err(Error::Empty {
                at: Location::default(),
                what: format!("an array of {n} rows and {k} columns"),
            });
        }
        let mut flat = Vec::with_capacity(n * k);
        for (i, row) in values.outer_iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v.is_infinite() {
                    return Err(Error::Parse {
                        at: Location::default()
                            .with_row(i as u64 + 1)
                            .with_column(&names[j]),
                        expected: "a number or NaN (missing)".into(),
                        found: v.to_string(),
                    });
                }
                flat.push(v);
            }
        }
        Ok(ItemData {
            file: None,
            names,
            values: flat,
            rows: (1..=n as u64).collect(),
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

    /// The rows where `keep` is true (rows past the end of `keep` are dropped).
    pub fn filter_rows(&self, keep: &[bool]) -> ItemData {
        let mut values = Vec::new();
        let mut rows = Vec::new();
        let mut ids = self.ids.as_ref().map(|_| Vec::new());
        for (i, r) in self.row_iter().enumerate() {
            if keep.get(i).copied().unwrap_or(false) {
                values.extend_from_slice(r);
                rows.push(self.rows[i]);
                if let (Some(out), Some(src)) = (ids.as_mut(), self.ids.as_ref()) {
                    out.push(src[i].clone());
                }
            }
        }
        ItemData {
            file: self.file.clone(),
            names: self.names.clone(),
            values,
            rows,
            ids,
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

    /// Errors on the first value too large to compute with (magnitude above
    /// [`limits::VALUE_MAGNITUDE`](crate::error::limits::VALUE_MAGNITUDE), whose square
    /// overflows double precision in any sum of squares), naming its row and column; and on the
    /// first column whose values differ but whose variance is below $10^{-100}$ (their squared
    /// deviations underflow to zero, so every correlation would be 0/0).
    ///
    /// # Algorithm
    /// One row-major pass gathers each column's count, minimum and maximum (missing cells
    /// count for nothing). A column whose largest magnitude is too large is then searched for its
    /// first such row. The variance test needs the mean and the sum of squared deviations only
    /// when it could fail: the values differ and $(\max - \min)^2 / (2 n)$, a lower bound of
    /// their variance, is below $10^{-90}$ (a column of answers never gets there); they are then
    /// computed as before, in row order, so the error and its figure are unchanged.
    pub fn check_magnitude(&self) -> Result<()> {
        use crate::error::limits::VALUE_MAGNITUDE;
        let k = self.k();
        let n = self.n();
        let mut cnt = vec![0u64; k];
        let mut lo = vec![f64::INFINITY; k];
        let mut hi = vec![f64::NEG_INFINITY; k];
        for r in self.row_iter() {
            for (((&v, c), l), h) in r.iter().zip(&mut cnt).zip(&mut lo).zip(&mut hi) {
                *c += u64::from(!v.is_nan());
                // `min`/`max` ignore NaN: missing cells leave the bounds alone
                *l = l.min(v);
                *h = h.max(v);
            }
        }
        for j in 0..k {
            if lo[j].abs().max(hi[j].abs()) > VALUE_MAGNITUDE && cnt[j] > 0 {
                let (i, v) = (0..n)
                    .map(|i| (i, self.values[i * k + j]))
                    .find(|(_, v)| v.abs() > VALUE_MAGNITUDE)
                    .unwrap_or((0, hi[j]));
                return Err(Error::Data {
                    at: self
                        .location()
                        .with_row(self.rows.get(i).copied().unwrap_or(i as u64 + 2))
                        .with_column(&self.names[j]),
                    msg: format!("expected a number below 1e100 in magnitude, found {v:e} (sums of squares of it overflow)"),
                });
            }
            let c = cnt[j];
            if c < 2 || lo[j] == hi[j] {
                continue;
            }
            let spread = hi[j] - lo[j];
            if spread * spread / (2.0 * c as f64) >= 1e-90 {
                continue;
            }
            let mut sum = 0.0;
            for i in 0..n {
                let v = self.values[i * k + j];
                if !v.is_nan() {
                    sum += v;
                }
            }
            let mean = sum / c as f64;
            let mut ss = 0.0;
            for i in 0..n {
                let v = self.values[i * k + j];
                if !v.is_nan() {
                    ss += (v - mean) * (v - mean);
                }
            }
            if ss / (c as f64) < 1e-100 {
                return Err(Error::Data {
                    at: self.location().with_column(&self.names[j]),
                    msg: if ss == 0.0 {
                        "the values vary too little to compute with (their squared differences underflow to 0); rescale the column".to_string()
                    } else {
                        format!("the values vary too little to compute with (variance {:.1e}, below 1e-100); rescale the column", ss / c as f64)
                    },
                });
            }
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
