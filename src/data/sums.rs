//! Compact answers and the sufficient statistics of small whole-number answers.
//!
//! Likert answers are small whole numbers. [`Answers`] stores them as one byte each (a code from
//! −127 to 127, [`MISSING`] for a missing answer): 8 times less than the `f64` of [`ItemData`],
//! converted to `f64` only where an algorithm needs it ([`Answers::to_item_data`]). Data with any
//! other value (continuous variables, fractions) stay in [`ItemData`].
//!
//! [`PairSums`] holds what covariances, correlations, alpha, lambda 6 and the item statistics
//! need (counts, sums, sums of squares and cross-products, over complete rows and over each
//! pair's rows), accumulated row by row while a file is parsed (`CsvSource::read_sums`), so
//! that those analyses never hold the rows: memory depends on the number of items, not of rows.
//!
//! # Algorithm
//! Sums are exact integers (`i64`; a cross-product of two codes is at most 127² = 16,129, so
//! 10^14 rows fit). Complete rows update a triangle of `i32` cross-products, flushed into the
//! `i64` totals every 65,536 rows (65,536 × 16,129 < 2^31); rows with a missing answer update
//! per-pair sums. Being exact, the sums do not depend on the order rows arrive in, so pieces of
//! a file parsed in parallel add up to the serial result exactly.

use super::matrix::ItemData;

/// The code of a missing answer.
pub const MISSING: i8 = i8::MIN;

/// The one-byte code of a value: `Some` for a whole number from −127 to 127, `Some(MISSING)`
/// for `NaN`, `None` for anything else (a fraction or a larger number).
#[inline]
pub fn code_of(v: f64) -> Option<i8> {
    if v.is_nan() {
        return Some(MISSING);
    }
    // `as` saturates; the round trip holds only for whole numbers (and no `trunc` call)
    let c = v as i8;
    (v.abs() <= 127.0 && f64::from(c) == v).then_some(c)
}

/// Item answers stored as one-byte codes, row-major, [`MISSING`] for a missing answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// Item names.
    pub names: Vec<String>,
    /// Row-major codes, `n * k`.
    pub codes: Vec<i8>,
    /// Spreadsheet row number of each row (as [`ItemData::rows`]).
    pub rows: Vec<u64>,
    /// The file the answers came from.
    pub file: Option<std::path::PathBuf>,
}

impl Answers {
    /// The answers of `data` as codes, or `None` when a value is not a whole number from −127
    /// to 127 (such data stay `f64`).
    pub fn from_item_data(data: &ItemData) -> Option<Answers> {
        let codes = data
            .values
            .iter()
            .map(|&v| code_of(v))
            .collect::<Option<Vec<i8>>>()?;
        Some(Answers {
            names: data.names.clone(),
            codes,
            rows: data.rows.clone(),
            file: data.file.clone(),
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

    /// The answers as `f64` ([`ItemData`], `NaN` = missing).
    pub fn to_item_data(&self) -> ItemData {
        ItemData {
            file: self.file.clone(),
            names: self.names.clone(),
            values: self
                .codes
                .iter()
                .map(|&c| if c == MISSING { f64::NAN } else { f64::from(c) })
                .collect(),
            rows: self.rows.clone(),
            ids: None,
        }
    }

    /// The sufficient statistics of all items.
    pub fn sums(&self) -> PairSums {
        let k = self.k();
        let mut s = PairSums::new(k);
        let mut x = vec![0i16; k];
        for r in self.codes.chunks_exact(k.max(1)) {
            for (xj, &c) in x.iter_mut().zip(r) {
                *xj = if c == MISSING {
                    PairSums::NA
                } else {
                    i16::from(c)
                };
            }
            s.add_row(&x);
        }
        s.flush();
        s
    }
}

/// Sums of one pair of items over the rows where both are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairMoments {
    /// Rows.
    pub n: i64,
    /// Sum of item i; of item j.
    pub sx: i64,
    /// Sum of item j.
    pub sy: i64,
    /// Sum of squares of item i.
    pub sxx: i64,
    /// Sum of squares of item j.
    pub syy: i64,
    /// Sum of cross-products.
    pub sxy: i64,
}

impl PairMoments {
    /// Sample covariance (divisor n − 1) from the exact sums:
    /// $(n\sum xy - \sum x \sum y)/(n(n-1))$, the numerator in 128-bit integers.
    pub fn cov(&self) -> f64 {
        co(self.n, self.sx, self.sy, self.sxy)
    }

    /// Sample variance of item i over these rows.
    pub fn var_x(&self) -> f64 {
        co(self.n, self.sx, self.sx, self.sxx)
    }

    /// Sample variance of item j over these rows.
    pub fn var_y(&self) -> f64 {
        co(self.n, self.sy, self.sy, self.syy)
    }
}

fn co(n: i64, sx: i64, sy: i64, sxy: i64) -> f64 {
    let num = i128::from(n) * i128::from(sxy) - i128::from(sx) * i128::from(sy);
    let n = n as f64;
    num as f64 / n / (n - 1.0)
}

/// Exact sufficient statistics of `k` items with small whole-number answers; see the module
/// documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSums {
    k: usize,
    /// Rows seen.
    pub rows: u64,
    /// Rows with every item present.
    pub complete: u64,
    c_sum: Vec<i64>,
    c_cross: Vec<i64>,
    p_n: Vec<i64>,
    p_sum: Vec<i64>,
    p_sq: Vec<i64>,
    p_cross: Vec<i64>,
    batch: Vec<i32>,
    batch_rows: u32,
}

impl PairSums {
    /// The marker of a missing answer in [`PairSums::add_row`].
    pub const NA: i16 = i16::MIN;
    const FLUSH: u32 = 1 << 16;

    /// Empty sums of `k` items.
    pub fn new(k: usize) -> Self {
        PairSums {
            k,
            rows: 0,
            complete: 0,
            c_sum: vec![0; k],
            c_cross: vec![0; k * k],
            p_n: vec![0; k * k],
            p_sum: vec![0; k * k],
            p_sq: vec![0; k * k],
            p_cross: vec![0; k * k],
            batch: vec![0; k * k],
            batch_rows: 0,
        }
    }

    /// Number of items.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Adds one row: `k` answers from −127 to 127, [`PairSums::NA`] where missing.
    #[inline]
    pub fn add_row(&mut self, x: &[i16]) {
        let k = self.k;
        debug_assert_eq!(x.len(), k);
        self.rows += 1;
        if !x.contains(&Self::NA) {
            self.complete += 1;
            for i in 0..k {
                let xi = x[i];
                self.c_sum[i] += i64::from(xi);
                let row = &mut self.batch[i * k + i..(i + 1) * k];
                for (b, &xj) in row.iter_mut().zip(&x[i..]) {
                    // |xi * xj| <= 127^2 fits i16
                    *b += i32::from(xi * xj);
                }
            }
            self.batch_rows += 1;
            if self.batch_rows == Self::FLUSH {
                self.flush();
            }
        } else {
            for i in 0..k {
                let xi = x[i];
                if xi == Self::NA {
                    continue;
                }
                let xi = i64::from(xi);
                for (j, &xj) in x.iter().enumerate().skip(i) {
                    if xj == Self::NA {
                        continue;
                    }
                    let xj = i64::from(xj);
                    self.p_n[i * k + j] += 1;
                    self.p_sum[i * k + j] += xi;
                    self.p_sq[i * k + j] += xi * xi;
                    self.p_cross[i * k + j] += xi * xj;
                    if i != j {
                        self.p_sum[j * k + i] += xj;
                        self.p_sq[j * k + i] += xj * xj;
                    }
                }
            }
        }
    }

    /// Adds `rows` complete rows by their totals: `sum[i]`, the sum of item i, and
    /// `cross[i * k + j]` for j ≥ i, the sum of the products of items i and j (the lower
    /// triangle is not read). The in-memory path computes them a block of rows at a time
    /// (`data::memory`).
    pub fn add_complete(&mut self, rows: u64, sum: &[i64], cross: &[i64]) {
        let k = self.k;
        debug_assert!(sum.len() == k && cross.len() == k * k);
        self.rows += rows;
        self.complete += rows;
        for i in 0..k {
            self.c_sum[i] += sum[i];
            for j in i..k {
                self.c_cross[i * k + j] += cross[i * k + j];
            }
        }
    }

    /// Moves the `i32` batch of complete-row cross-products into the totals.
    pub fn flush(&mut self) {
        for (t, b) in self.c_cross.iter_mut().zip(self.batch.iter_mut()) {
            *t += i64::from(*b);
            *b = 0;
        }
        self.batch_rows = 0;
    }

    /// Adds another piece's sums (of the same items).
    pub fn merge(&mut self, o: &PairSums) {
        debug_assert_eq!(self.k, o.k);
        self.rows += o.rows;
        self.complete += o.complete;
        for (dst, src) in [
            (&mut self.c_sum, &o.c_sum),
            (&mut self.c_cross, &o.c_cross),
            (&mut self.p_n, &o.p_n),
            (&mut self.p_sum, &o.p_sum),
            (&mut self.p_sq, &o.p_sq),
            (&mut self.p_cross, &o.p_cross),
        ] {
            for (a, b) in dst.iter_mut().zip(src) {
                *a += b;
            }
        }
        for (a, b) in self.c_cross.iter_mut().zip(&o.batch) {
            *a += i64::from(*b);
        }
    }

    /// Sums of items `i` and `j` over the rows where both are present, or over the complete
    /// rows only (`listwise`). `pair(i, i)` is item i over its own rows.
    pub fn pair(&self, i: usize, j: usize, listwise: bool) -> PairMoments {
        let k = self.k;
        let (a, b) = (i.min(j), i.max(j));
        let nc = self.complete as i64;
        let cx = self.c_cross[i * k + i] + i64::from(self.batch[i * k + i]);
        let cy = self.c_cross[j * k + j] + i64::from(self.batch[j * k + j]);
        let cxy = self.c_cross[a * k + b] + i64::from(self.batch[a * k + b]);
        let mut m = PairMoments {
            n: nc,
            sx: self.c_sum[i],
            sy: self.c_sum[j],
            sxx: cx,
            syy: cy,
            sxy: cxy,
        };
        if !listwise {
            m.n += self.p_n[a * k + b];
            m.sx += self.p_sum[i * k + j];
            m.sy += self.p_sum[j * k + i];
            m.sxx += self.p_sq[i * k + j];
            m.syy += self.p_sq[j * k + i];
            m.sxy += self.p_cross[a * k + b];
        }
        m
    }
}
