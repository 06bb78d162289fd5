//! Numbers held in memory in the type they were made in: the columns of a pandas DataFrame or a
//! numpy array, shared with the library without a copy ([`MemoryNumbers`], the cells
//! [`Cells::Memory`](super::formats::Cells::Memory) of an in-memory [`Table`](super::Table)), and
//! the sufficient statistics of such columns computed column by column ([`column_sums`]).
//!
//! # Why
//! A DataFrame's numeric column is one contiguous array (`float64`, `int64`, `float32`, ...; a
//! pandas nullable column adds a mask of missing cells). Copying 10^6 × 24 answers into the
//! library's `f64` rows costs more time than the whole of Cronbach's alpha; reading them where they
//! are, in the order they lie (a column at a time), costs one pass over the memory.
//!
//! # Algorithm ([`column_sums`])
//! The exact sums of [`PairSums`] (counts, sums, cross-products of whole-number answers from −127
//! to 127, over complete rows and over each pair's rows) are computed for blocks of
//! [`BLOCK`] rows: each item's block of answers is converted to `f32` (reverse keys applied), a
//! column of ones is added, and the cross-product matrix $B^\top B$ of the block comes from one
//! matrix product (`ndarray`'s, `matrixmultiply`'s SIMD kernels): its item rows hold
//! $\sum x_i x_j$, its last column $\sum x_i$ and its corner the count of complete rows. Every
//! term and every partial sum is a whole number of magnitude at most
//! $1024 \cdot 127^2 < 2^{24}$, so the `f32` product is exact and the totals (in `i64`) do not
//! depend on the order of the additions: the result equals the CSV reader's row-by-row sums
//! ([`PairSums::add_row`]) bit for bit. A row with a missing answer is zeroed in the block and
//! added on its own by [`PairSums::add_row`] (pairwise sums). Blocks are summed on rayon's
//! threads and the pieces added in order.
//!
//! A value that is not a whole number from −127 to 127 (or is out of the scale's range, or
//! infinite) stops the pass: the caller then reads the data whole, which gives either the
//! general (non-integer) analysis or the error naming the row and column.

use super::read::SumsSpec;
use super::sums::PairSums;
use crate::error::{Error, Result};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ShapeBuilder};
use rayon::prelude::*;
use std::fmt;
use std::sync::Arc;

/// A column's numbers in their own type.
#[derive(Debug, Clone, Copy)]
pub enum NumberSlice<'a> {
    /// `float64` (`NaN` = missing).
    F64(&'a [f64]),
    /// `float32` (`NaN` = missing).
    F32(&'a [f32]),
    /// `int64`.
    I64(&'a [i64]),
    /// `int32`.
    I32(&'a [i32]),
    /// `int16`.
    I16(&'a [i16]),
    /// `int8`.
    I8(&'a [i8]),
    /// `uint64`.
    U64(&'a [u64]),
    /// `uint32`.
    U32(&'a [u32]),
    /// `uint16`.
    U16(&'a [u16]),
    /// `uint8` (and `bool` as 0/1).
    U8(&'a [u8]),
}

/// Calls `$body` with `$s` bound to the typed slice of a [`NumberSlice`].
macro_rules! typed {
    ($slice:expr, $s:ident => $body:expr) => {
        match $slice {
            NumberSlice::F64($s) => $body,
            NumberSlice::F32($s) => $body,
            NumberSlice::I64($s) => $body,
            NumberSlice::I32($s) => $body,
            NumberSlice::I16($s) => $body,
            NumberSlice::I8($s) => $body,
            NumberSlice::U64($s) => $body,
            NumberSlice::U32($s) => $body,
            NumberSlice::U16($s) => $body,
            NumberSlice::U8($s) => $body,
        }
    };
}

impl NumberSlice<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        typed!(self, s => s.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A column of numbers as it lies in memory: the values and, for a pandas nullable column, the
/// mask of missing cells (non-zero = missing; the value under it is ignored). `NaN` is missing
/// too.
#[derive(Debug, Clone, Copy)]
pub struct NumberView<'a> {
    /// The values.
    pub values: NumberSlice<'a>,
    /// One byte per value, non-zero where the value is missing.
    pub missing: Option<&'a [u8]>,
}

impl NumberView<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` as `f64`, `NaN` where missing (integers beyond 2^53 are rounded).
    pub fn get(&self, i: usize) -> f64 {
        if self.missing.is_some_and(|m| m[i] != 0) {
            return f64::NAN;
        }
        typed!(self.values, s => s[i].to_f64())
    }

    /// The values as `f64`, `NaN` where missing.
    pub fn to_f64(&self) -> Vec<f64> {
        let mut out: Vec<f64> = typed!(self.values, s => s.iter().map(|v| v.to_f64()).collect());
        if let Some(m) = self.missing {
            for (o, &m) in out.iter_mut().zip(m) {
                if m != 0 {
                    *o = f64::NAN;
                }
            }
        }
        out
    }
}

/// A source of a column's numbers kept where they are (a numpy array held by the Python
/// package; a `Vec` for Rust callers). [`NumberColumn::view`] must give the same values and
/// length on every call.
pub trait NumberColumn: Send + Sync {
    /// The numbers.
    fn view(&self) -> NumberView<'_>;
}

macro_rules! owned_column {
    ($($t:ty => $v:ident),*) => {$(
        impl NumberColumn for Vec<$t> {
            fn view(&self) -> NumberView<'_> {
                NumberView { values: NumberSlice::$v(self), missing: None }
            }
        }
        /// Values and a mask (non-zero = missing).
        impl NumberColumn for (Vec<$t>, Vec<u8>) {
            fn view(&self) -> NumberView<'_> {
                NumberView { values: NumberSlice::$v(&self.0), missing: Some(&self.1) }
            }
        }
    )*};
}

owned_column!(f64 => F64, f32 => F32, i64 => I64, i32 => I32, i16 => I16, i8 => I8,
    u64 => U64, u32 => U32, u16 => U16, u8 => U8);

/// A column's numbers shared without a copy (cheap to clone: the column is reference-counted).
#[derive(Clone)]
pub struct MemoryNumbers(Arc<dyn NumberColumn>);

impl MemoryNumbers {
    /// Shares a column. Errors when its mask does not have one byte per value.
    pub fn new(column: impl NumberColumn + 'static) -> Result<Self> {
        let v = column.view();
        if let Some(m) = v.missing {
            if m.len() != v.len() {
                return Err(Error::option(
                    "columns",
                    format!(
                        "a mask of {} cells for a column of {} values",
                        m.len(),
                        v.len()
                    ),
                ));
            }
        }
        Ok(MemoryNumbers(Arc::new(column)))
    }

    /// The numbers.
    pub fn view(&self) -> NumberView<'_> {
        self.0.view()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.view().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.view();
        let ty = typed!(v.values, s => std::any::type_name_of_val(s));
        write!(f, "MemoryNumbers({} x {ty}", v.len())?;
        if v.missing.is_some() {
            write!(f, " with a mask")?;
        }
        write!(f, ")")
    }
}

impl PartialEq for MemoryNumbers {
    /// Equal when the values as `f64` are (`NaN` equals nothing, as for `Vec<f64>`).
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.view(), other.view());
        a.len() == b.len() && (0..a.len()).all(|i| a.get(i) == b.get(i))
    }
}

/// A number type of a column.
pub trait Number: Copy + Send + Sync {
    /// As `f64` (`as`: integers beyond 2^53 rounded).
    fn to_f64(self) -> f64;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}

number!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);

/// Rows of a block: the `f32` product of a block is exact up to 1024 × 127² < 2^24.
pub const BLOCK: usize = 1024;

/// Rows summed by one task (a multiple of [`BLOCK`]).
const TASK: usize = 64 * BLOCK;

/// One requested column for [`column_sums`]: its numbers and the scale's allowed range.
#[derive(Debug, Clone, Copy)]
pub struct SumsColumn<'a> {
    /// The numbers.
    pub view: NumberView<'a>,
    /// Allowed answers (a value outside stops the pass).
    pub range: Option<(f64, f64)>,
}

/// The sufficient statistics ([`PairSums`]) of each scale of `scales` (items as positions in
/// `cols`, reverse keys as [`SumsSpec`]), computed column by column; see the module
/// documentation. `missing` are the numeric missing codes (`--missing=-99`). Every column must
/// have the same length.
///
/// `None` when a value is not a whole number from −127 to 127 after its missing codes and
/// reverse key, lies outside its column's range, or is infinite: read the data whole then
/// (the analysis of non-integer data, or the error naming the row and column).
pub fn column_sums(
    cols: &[SumsColumn<'_>],
    missing: &[f64],
    scales: &[SumsSpec],
) -> Option<Vec<PairSums>> {
    let n = cols.first().map_or(0, |c| c.view.len());
    if cols.iter().any(|c| c.view.len() != n) {
        return None;
    }
    let tasks = n.div_ceil(TASK);
    let parts: Vec<Option<Vec<PairSums>>> = (0..tasks)
        .into_par_iter()
        .map(|t| rows_sums(cols, missing, scales, t * TASK, ((t + 1) * TASK).min(n)))
        .collect();
    let mut total: Vec<PairSums> = scales
        .iter()
        .map(|s| PairSums::new(s.columns.len()))
        .collect();
    for part in parts {
        for (t, p) in total.iter_mut().zip(part?) {
            t.merge(&p);
        }
    }
    for t in &mut total {
        t.flush();
    }
    Some(total)
}

/// [`column_sums`] of rows `start..end`.
fn rows_sums(
    cols: &[SumsColumn<'_>],
    missing: &[f64],
    scales: &[SumsSpec],
    start: usize,
    end: usize,
) -> Option<Vec<PairSums>> {
    let mut out = Vec::with_capacity(scales.len());
    for spec in scales {
        let k = spec.columns.len();
        let mut sums = PairSums::new(k);
        // the block, column-major: k items and a column of ones
        let mut buf = vec![0f32; BLOCK * (k + 1)];
        let mut incomplete = vec![false; BLOCK];
        let mut prod = Array2::<f32>::zeros((k + 1, k + 1));
        let mut sum = vec![0i64; k];
        let mut cross = vec![0i64; k * k];
        let mut x = vec![0i16; k];
        let mut b = start;
        while b < end {
            let len = BLOCK.min(end - b);
            incomplete[..len].fill(false);
            for (q, (&p, &rev)) in spec.columns.iter().zip(&spec.reverse).enumerate() {
                let c = cols.get(p)?;
                let out = &mut buf[q * BLOCK..q * BLOCK + len];
                let ok = typed!(c.view.values, s => fill(
                    &s[b..b + len],
                    c.view.missing.map(|m| &m[b..b + len]),
                    missing,
                    c.range,
                    rev,
                    out,
                    &mut incomplete[..len],
                ));
                if !ok {
                    return None;
                }
            }
            let ones = &mut buf[k * BLOCK..k * BLOCK + len];
            for (o, &inc) in ones.iter_mut().zip(&incomplete[..len]) {
                *o = if inc { 0.0 } else { 1.0 };
            }
            // rows with a missing answer: pairwise sums on their own, then out of the block
            for r in (0..len).filter(|&r| incomplete[r]) {
                for (q, xq) in x.iter_mut().enumerate() {
                    let v = buf[q * BLOCK + r];
                    *xq = if v.is_nan() { PairSums::NA } else { v as i16 };
                    buf[q * BLOCK + r] = 0.0;
                }
                sums.add_row(&x);
            }
            let block = ArrayView2::from_shape((len, k + 1).strides((1, BLOCK)), &buf[..]).ok()?;
            general_mat_mul(1.0, &block.t(), &block, 0.0, &mut prod);
            for i in 0..k {
                sum[i] = prod[(i, k)] as i64;
                for j in i..k {
                    cross[i * k + j] = prod[(i, j)] as i64;
                }
            }
            sums.add_complete(prod[(k, k)] as u64, &sum, &cross);
            b += len;
        }
        out.push(sums);
    }
    Some(out)
}

/// Writes one item's block of answers to `out` as `f32` codes (reverse key `rev` = min + max
/// applied; `NaN` where missing, which also marks the row in `incomplete`). False when a value
/// is not usable as a code (see [`column_sums`]).
#[inline]
fn fill<T: Number>(
    src: &[T],
    mask: Option<&[u8]>,
    missing: &[f64],
    range: Option<(f64, f64)>,
    rev: Option<i16>,
    out: &mut [f32],
    incomplete: &mut [bool],
) -> bool {
    let (lo, hi) = range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
    let (rev, sign) = rev.map_or((0.0, 1.0), |r| (f64::from(r), -1.0));
    let mut ok = true;
    if mask.is_none() && missing.is_empty() {
        // the common case, branch-free and in f64 only (so that it vectorises): a whole number
        // from -127 to 127 in range, or NaN (which stays NaN through the reverse key)
        for ((o, inc), &x) in out.iter_mut().zip(incomplete.iter_mut()).zip(src) {
            let v = x.to_f64();
            let y = rev + sign * v;
            let nan = v.is_nan();
            ok &= nan | (whole(v) & (v >= lo) & (v <= hi) & (y.abs() <= 127.0));
            *o = y as f32;
            *inc |= nan;
        }
        return ok;
    }
    for (i, ((o, inc), &x)) in out
        .iter_mut()
        .zip(incomplete.iter_mut())
        .zip(src)
        .enumerate()
    {
        let v = x.to_f64();
        if v.is_nan() || mask.is_some_and(|m| m[i] != 0) || missing.contains(&v) {
            *o = f32::NAN;
            *inc = true;
            continue;
        }
        let y = rev + sign * v;
        ok &= whole(v) & (v >= lo) & (v <= hi) & (y.abs() <= 127.0);
        *o = y as f32;
    }
    ok
}

/// Whether `v` is a whole number from −127 to 127 ([`code_of`](super::sums::code_of)'s
/// codes, without their missing code): adding and subtracting $1.5 \cdot 2^{52}$ rounds a
/// number below $2^{51}$ in magnitude to the nearest whole number, in vector registers.
#[inline]
fn whole(v: f64) -> bool {
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    ((v + ROUND) - ROUND == v) & (v.abs() <= 127.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::sums::{code_of, MISSING};

    /// Row-by-row sums, as the CSV reader makes them.
    #[allow(clippy::needless_range_loop)]
    fn by_rows(cols: &[Vec<f64>], specs: &[SumsSpec]) -> Vec<PairSums> {
        let n = cols.first().map_or(0, Vec::len);
        specs
            .iter()
            .map(|spec| {
                let mut s = PairSums::new(spec.columns.len());
                for i in 0..n {
                    let x: Vec<i16> = spec
                        .columns
                        .iter()
                        .zip(&spec.reverse)
                        .map(|(&p, rev)| match code_of(cols[p][i]) {
                            Some(MISSING) => PairSums::NA,
                            Some(c) => rev.map_or(i16::from(c), |r| r - i16::from(c)),
                            None => panic!("not a code"),
                        })
                        .collect();
                    s.add_row(&x);
                }
                s.flush();
                s
            })
            .collect()
    }

    /// Answers 1..=7 with about `missing` in 1000 missing, from a fixed linear congruential stream.
    fn answers(n: usize, k: usize, missing: u64, seed: u64) -> Vec<Vec<f64>> {
        let mut z = seed;
        let mut next = || {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            z >> 33
        };
        (0..k)
            .map(|_| {
                (0..n)
                    .map(|_| {
                        let u = next();
                        if u % 1000 < missing {
                            f64::NAN
                        } else {
                            (1 + u % 7) as f64
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn f64_columns(cols: &[Vec<f64>]) -> Vec<SumsColumn<'_>> {
        cols.iter()
            .map(|c| SumsColumn {
                view: NumberView {
                    values: NumberSlice::F64(c),
                    missing: None,
                },
                range: Some((1.0, 7.0)),
            })
            .collect()
    }

    fn specs() -> Vec<SumsSpec> {
        vec![
            SumsSpec {
                columns: vec![0, 1, 2, 3, 4],
                reverse: vec![None; 5],
            },
            SumsSpec {
                columns: vec![4, 2, 0],
                reverse: vec![Some(8), None, Some(8)],
            },
            SumsSpec {
                columns: vec![1],
                reverse: vec![None],
            },
        ]
    }

    #[test]
    fn column_sums_equal_the_row_by_row_sums_exactly() {
        // around the block and task sizes, with and without missing answers
        for (n, missing) in [
            (0, 0),
            (1, 0),
            (5, 300),
            (1023, 0),
            (1024, 20),
            (1025, 20),
            (TASK + 7, 0),
            (2 * TASK + 1, 5),
        ] {
            let cols = answers(n, 5, missing, n as u64 + 1);
            let got = column_sums(&f64_columns(&cols), &[], &specs()).unwrap();
            assert_eq!(
                got,
                by_rows(&cols, &specs()),
                "n = {n}, missing {missing}/1000"
            );
        }
    }

    #[test]
    fn every_number_type_and_a_mask_give_the_same_sums() {
        let cols = answers(3000, 5, 30, 7);
        let want = column_sums(&f64_columns(&cols), &[], &specs()).unwrap();
        // the missing cells as a mask over whole numbers (0 under the mask, ignored)
        let masks: Vec<Vec<u8>> = cols
            .iter()
            .map(|c| c.iter().map(|v| u8::from(v.is_nan())).collect())
            .collect();
        let owned: Vec<MemoryNumbers> = cols
            .iter()
            .zip(&masks)
            .enumerate()
            .map(|(j, (c, m))| {
                let whole = c.iter().map(|v| if v.is_nan() { 0.0 } else { *v });
                match j {
                    0 => {
                        MemoryNumbers::new((whole.map(|v| v as i64).collect::<Vec<_>>(), m.clone()))
                    }
                    1 => MemoryNumbers::new(c.iter().map(|&v| v as f32).collect::<Vec<f32>>()),
                    2 => {
                        MemoryNumbers::new((whole.map(|v| v as u8).collect::<Vec<_>>(), m.clone()))
                    }
                    3 => {
                        MemoryNumbers::new((whole.map(|v| v as i16).collect::<Vec<_>>(), m.clone()))
                    }
                    _ => MemoryNumbers::new((whole.collect::<Vec<f64>>(), m.clone())),
                }
                .unwrap()
            })
            .collect();
        let views: Vec<SumsColumn<'_>> = owned
            .iter()
            .map(|m| SumsColumn {
                view: m.view(),
                range: Some((1.0, 7.0)),
            })
            .collect();
        assert_eq!(column_sums(&views, &[], &specs()).unwrap(), want);
        // and the views read back the numbers, NaN where masked
        for (m, c) in owned.iter().zip(&cols) {
            let back = m.view().to_f64();
            assert!(back
                .iter()
                .zip(c)
                .all(|(a, b)| a == b || (a.is_nan() && b.is_nan())));
        }
    }

    #[test]
    fn a_numeric_missing_code_is_a_missing_answer() {
        let mut cols = answers(500, 5, 0, 3);
        let mut with_code = cols.clone();
        for i in (0..500).step_by(7) {
            cols[2][i] = f64::NAN;
            with_code[2][i] = -99.0;
        }
        let want = column_sums(&f64_columns(&cols), &[], &specs()).unwrap();
        assert_eq!(
            column_sums(&f64_columns(&with_code), &[-99.0], &specs()).unwrap(),
            want
        );
    }

    #[test]
    fn values_that_are_not_codes_stop_the_pass() {
        for bad in [
            2.5,
            128.0,
            -128.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9.0,
            1e300,
        ] {
            let mut cols = answers(2000, 5, 10, 11);
            cols[3][1500] = bad;
            let mut c = f64_columns(&cols);
            if bad == 9.0 || bad == 128.0 {
                // 9 and 128 are whole: out of the scale's range; without a range 9 is a code
                assert!(column_sums(&c, &[], &specs()).is_none(), "{bad}");
                c[3].range = None;
                assert_eq!(column_sums(&c, &[], &specs()).is_some(), bad == 9.0);
                continue;
            }
            assert!(column_sums(&c, &[], &specs()).is_none(), "{bad}");
        }
        // a reverse key that leaves the codes' range
        let cols = answers(100, 5, 0, 5);
        let spec = [SumsSpec {
            columns: vec![0, 1],
            reverse: vec![Some(200), None],
        }];
        assert!(column_sums(&f64_columns(&cols), &[], &spec).is_none());
    }

    #[test]
    fn a_mask_of_the_wrong_length_is_refused() {
        assert!(MemoryNumbers::new((vec![1.0f64, 2.0], vec![0u8])).is_err());
        let m = MemoryNumbers::new(vec![1i32, 2, 3]).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m, MemoryNumbers::new(vec![1.0f64, 2.0, 3.0]).unwrap());
        assert!(format!("{m:?}").contains("3 x"));
    }
}
