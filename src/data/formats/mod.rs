//! Labelled data files: SPSS system files (`.sav`, `.zsav`), Stata `.dta` (117–119) and Excel
//! workbooks (`.xlsx`, with the cargo feature `xlsx`).
//!
//! Each reader decodes a whole file into a [`Table`]: named columns of numbers or text, with what
//! the format declares about them (variable labels, value labels, user-missing codes, the
//! measurement level). [`Table::read_text`] then selects columns exactly as the CSV reader does
//! ([`super::read::CsvSource::read_text`]), so every command treats the formats alike:
//!
//! - rows are numbered as a spreadsheet shows them (the header is row 1, the first case row 2;
//!   in a workbook, the sheet's own row numbers);
//! - system-missing values, Stata's missing values (`.`, `.a`–`.z`) and declared user-missing
//!   values (SPSS discrete codes and ranges) are missing (`NaN`), as are the codes of
//!   [`ReadOptions::missing`](super::ReadOptions::missing);
//! - a text column asked for as numbers is parsed cell by cell as a CSV cell is, and a cell that is
//!   not a number is an error naming the file, the row and the column;
//! - a numeric column asked for as text (ids, groups, forms) gives the number as a CSV writer
//!   would print it (`12`, `34.5`), missing as the empty string.
//!
//! References: GNU PSPP, *System File Format* and *SPSS/PC+ / .zsav* appendix of the PSPP
//! developers' guide; StataCorp, *dta file format* (releases 117, 118, 119); ECMA-376 (Office Open
//! XML) through the `calamine` crate.

pub mod dta;
pub mod sav;
pub mod sav_write;
#[cfg(feature = "xlsx")]
pub mod xlsx;
#[cfg(feature = "xlsx")]
pub mod xlsx_write;

use super::matrix::ItemData;
use super::memory::{column_sums, MemoryNumbers, SumsColumn};
use super::read::{ColumnRequest, ReadOptions, StreamedSums, SumsSpec};
use crate::error::{Error, Location, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The file formats the data readers know, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-, semicolon- or tab-separated text.
    Csv,
    /// SPSS system file (uncompressed or bytecode-compressed).
    Sav,
    /// SPSS system file with zlib-compressed data.
    Zsav,
    /// Stata dataset, releases 117 (Stata 13), 118 (14–18) and 119 (15–18, many variables).
    Dta,
    /// Excel workbook (Office Open XML).
    Xlsx,
}

impl Format {
    /// The format a file name's extension names (case-insensitive); any other extension is CSV.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("sav") => Format::Sav,
            Some("zsav") => Format::Zsav,
            Some("dta") => Format::Dta,
            Some("xlsx") | Some("xlsm") => Format::Xlsx,
            _ => Format::Csv,
        }
    }

    /// The name shown in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Sav => "SPSS system file",
            Format::Zsav => "SPSS compressed system file",
            Format::Dta => "Stata dataset",
            Format::Xlsx => "Excel workbook",
        }
    }
}

/// A value a label or missing code is attached to: a number, or text for string variables.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Value {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

/// A value label: `1` = "Strongly disagree".
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ValueLabel {
    /// The value.
    pub value: Value,
    /// Its label.
    pub label: String,
}

/// A declared user-missing code.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MissingCode {
    /// One value (`-99`, or a text code of a string variable).
    Value {
        /// The value.
        value: Value,
    },
    /// Every number from `low` to `high` (SPSS `LOWEST THRU x` and `x THRU HIGHEST` have
    /// infinite ends, shown as `null`).
    Range {
        /// Lowest missing number (`null` = no lower end).
        low: Option<f64>,
        /// Highest missing number (`null` = no upper end).
        high: Option<f64>,
    },
}

impl MissingCode {
    /// Whether a number is this code.
    pub fn matches(&self, v: f64) -> bool {
        match self {
            MissingCode::Value {
                value: Value::Number(x),
            } => *x == v,
            MissingCode::Value { .. } => false,
            MissingCode::Range { low, high } => {
                low.is_none_or(|l| v >= l) && high.is_none_or(|h| v <= h)
            }
        }
    }
}

/// A column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// Numbers, `NaN` = missing (system-missing, Stata missing or a declared missing code).
    Numbers(Vec<f64>),
    /// Text, the empty string = missing (blank, or a declared missing code).
    Text(Vec<String>),
    /// Numbers shared where they lie, in their own type (a numpy array, a pandas column held by
    /// the Python package): `NaN` or the column's mask = missing; an infinite value is an error
    /// when read.
    Memory(MemoryNumbers),
}

impl Cells {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Cells::Numbers(v) => v.len(),
            Cells::Text(v) => v.len(),
            Cells::Memory(v) => v.len(),
        }
    }

    /// The numbers of a numeric column as `f64` (`NaN` = missing); `None` for text.
    pub fn numbers(&self) -> Option<std::borrow::Cow<'_, [f64]>> {
        match self {
            Cells::Numbers(v) => Some(std::borrow::Cow::Borrowed(v)),
            Cells::Memory(m) => Some(std::borrow::Cow::Owned(m.view().to_f64())),
            Cells::Text(_) => None,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One column of a [`Table`] with what the file declares about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Variable name (SPSS long name).
    pub name: String,
    /// Variable label (the item's wording), if any.
    pub label: Option<String>,
    /// The cells.
    pub cells: Cells,
    /// Value labels, in the file's order.
    pub value_labels: Vec<ValueLabel>,
    /// Declared user-missing codes (SPSS); empty for Stata and Excel.
    pub missing: Vec<MissingCode>,
    /// Cells that held a declared missing code (now missing).
    pub declared_missing: usize,
    /// Measurement level as declared (`nominal`, `ordinal`, `scale`), SPSS only.
    pub measure: Option<String>,
}

impl Column {
    /// A column with cells only.
    pub fn new(name: impl Into<String>, cells: Cells) -> Column {
        Column {
            name: name.into(),
            label: None,
            cells,
            value_labels: Vec::new(),
            missing: Vec::new(),
            declared_missing: 0,
            measure: None,
        }
    }

    /// The smallest and largest labelled number, when the column has numeric value labels.
    pub fn labelled_range(&self) -> Option<(f64, f64)> {
        let mut out: Option<(f64, f64)> = None;
        for l in &self.value_labels {
            if let Value::Number(v) = l.value {
                if self.missing.iter().any(|m| m.matches(v)) {
                    continue; // "Refused" = -99 is not an answer
                }
                out = Some(match out {
                    None => (v, v),
                    Some((lo, hi)) => (lo.min(v), hi.max(v)),
                });
            }
        }
        out
    }
}

/// A decoded data file: columns of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file it came from.
    pub file: Option<PathBuf>,
    /// Its format.
    pub format: Format,
    /// Format version (`$FL2`, `$FL3`, `117`, the sheet name of a workbook).
    pub version: String,
    /// The file label (SPSS, Stata), if any.
    pub label: Option<String>,
    /// Columns.
    pub columns: Vec<Column>,
    /// Spreadsheet row number of each row (header = row 1).
    pub rows: Vec<u64>,
}

/// Prints a number as a CSV writer would: integers without a decimal point, others in the
/// shortest form that reads back to the same number; `NaN` as the empty string.
pub fn number_text(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Table {
    /// Opens a labelled data file by its extension (`.sav`, `.zsav`, `.dta`, `.xlsx`).
    /// `opts.sheet` names a workbook's sheet (default: the first).
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<Table> {
        let format = Format::of(path);
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Table::from_bytes(&bytes, format, Some(path), opts)
    }

    /// Decodes a file's bytes in a given format (tests and fuzzing).
    pub fn from_bytes(
        bytes: &[u8],
        format: Format,
        file: Option<&Path>,
        opts: &ReadOptions,
    ) -> Result<Table> {
        let at = Location::file(file.map(Path::to_path_buf));
        let table = match format {
            Format::Sav | Format::Zsav => sav::read(bytes, &at)?,
            Format::Dta => dta::read(bytes, &at)?,
            Format::Xlsx => read_xlsx(bytes, &at, opts.sheet.as_deref())?,
            Format::Csv => {
                return Err(Error::option(
                    "DATA",
                    "CSV files are read by the CSV reader, not as a labelled table",
                ))
            }
        };
        if opts.sheet.is_some() && format != Format::Xlsx {
            return Err(Error::option(
                "--sheet",
                format!("{at} is not a workbook (--sheet is for .xlsx files)"),
            ));
        }
        Ok(table)
    }

    /// The column names.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    fn at(&self) -> Location {
        Location::file(self.file.clone())
    }

    /// Reads the requested columns as numbers and `text_columns` as text, as
    /// [`super::read::CsvSource::read_text`] does for a CSV file (same errors, same row numbers).
    pub fn read_text(
        &self,
        cols: &[ColumnRequest],
        text_columns: &[usize],
        opts: &ReadOptions,
    ) -> Result<(ItemData, Vec<Vec<String>>)> {
        let width = self.columns.len();
        if let Some(c) = cols.iter().find(|c| c.index >= width) {
            return Err(Error::option(
                "--items",
                format!(
                    "column {} is beyond the file's {width} columns",
                    c.index + 1
                ),
            ));
        }
        if text_columns.iter().any(|&j| j >= width) {
            return Err(Error::option("--id", "a text column is beyond the header"));
        }
        let n = self.n();
        let k = cols.len();
        let missing_num: Vec<f64> = opts
            .missing
            .iter()
            .filter_map(|m| m.trim().parse::<f64>().ok())
            .collect();
        let mut values = vec![f64::NAN; n * k];
        for (s, c) in cols.iter().enumerate() {
            let col = &self.columns[c.index];
            let numbers = col.cells.numbers();
            if let (Cells::Memory(_), Some(x)) = (&col.cells, &numbers) {
                // no data file holds an infinity: an error, as a file's unreadable cell
                if let Some(i) = x.iter().position(|v| v.is_infinite()) {
                    return Err(Error::Parse {
                        at: self.at().with_row(self.rows[i]).with_column(&col.name),
                        expected: "a number or NaN (missing)".into(),
                        found: x[i].to_string(),
                    });
                }
            }
            for i in 0..n {
                let v = match (&numbers, &col.cells) {
                    (Some(x), _) => {
                        let v = x[i];
                        if missing_num.contains(&v) {
                            f64::NAN
                        } else {
                            v
                        }
                    }
                    (None, Cells::Text(t)) => self.parse_text(&t[i], i, col, c, opts)?,
                    (None, _) => f64::NAN,
                };
                if let (Some((lo, hi)), false) = (c.range, v.is_nan()) {
                    if v < lo || v > hi {
                        return Err(Error::OutOfRange {
                            at: self.at().with_row(self.rows[i]).with_column(&col.name),
                            value: v,
                            min: lo,
                            max: hi,
                        });
                    }
                }
                values[i * k + s] = v;
            }
        }
        let texts = text_columns
            .iter()
            .map(|&j| match &self.columns[j].cells {
                Cells::Numbers(x) => x.iter().map(|&v| number_text(v)).collect(),
                Cells::Memory(m) => m.view().to_f64().into_iter().map(number_text).collect(),
                Cells::Text(t) => t.iter().map(|s| s.trim().to_string()).collect(),
            })
            .collect();
        let data = ItemData {
            file: self.file.clone(),
            names: cols
                .iter()
                .map(|c| self.columns[c.index].name.clone())
                .collect(),
            values,
            rows: self.rows.clone(),
            ids: None,
        };
        Ok((data, texts))
    }

    /// The sufficient statistics of each scale of `scales` ([`PairSums`](super::PairSums),
    /// reverse keys applied), read column by column where the numbers lie
    /// ([`column_sums`]): the result [`super::read::CsvSource::read_sums`] gives for the same
    /// data as a CSV file, exactly (a text column parsed cell by cell as a CSV cell). `Ok(None)`
    /// when a requested cell is not a number or is not a whole number from −127 to 127 in its
    /// range: read the rows with
    /// [`Table::read_text`] then (which also gives any error, naming row and column).
    pub fn read_sums(
        &self,
        cols: &[ColumnRequest],
        scales: &[SumsSpec],
        opts: &ReadOptions,
    ) -> Result<Option<StreamedSums>> {
        let missing_num: Vec<f64> = opts
            .missing
            .iter()
            .filter_map(|m| m.trim().parse::<f64>().ok())
            .collect();
        // a text column is parsed as the CSV reader parses a cell (a cell that is not a number
        // leaves the error to read_text)
        let mut parsed: Vec<Option<Vec<f64>>> = Vec::with_capacity(cols.len());
        for c in cols {
            parsed.push(match self.columns.get(c.index).map(|c| &c.cells) {
                Some(Cells::Text(t)) => {
                    let numbers: Option<Vec<f64>> = t
                        .iter()
                        .map(|cell| {
                            if opts.is_missing(cell) {
                                Some(f64::NAN)
                            } else {
                                cell.trim().parse::<f64>().ok().filter(|v| v.is_finite())
                            }
                        })
                        .collect();
                    match numbers {
                        Some(v) => Some(v),
                        None => return Ok(None),
                    }
                }
                _ => None,
            });
        }
        let mut views = Vec::with_capacity(cols.len());
        for (c, parsed) in cols.iter().zip(&parsed) {
            let Some(col) = self.columns.get(c.index) else {
                return Ok(None);
            };
            let view = match (&col.cells, parsed) {
                (_, Some(x)) | (Cells::Numbers(x), None) => super::NumberView {
                    values: super::NumberSlice::F64(x),
                    missing: None,
                },
                (Cells::Memory(m), None) => m.view(),
                (Cells::Text(_), None) => return Ok(None),
            };
            views.push(SumsColumn {
                view,
                range: c.range,
            });
        }
        if views.is_empty() {
            return Ok(None);
        }
        let Some(scales) = column_sums(&views, &missing_num, scales) else {
            return Ok(None);
        };
        Ok(Some(StreamedSums {
            rows: self.n() as u64,
            scales,
        }))
    }

    /// A text cell asked for as a number: as a CSV cell (empty, `NA`, `.` and the missing codes
    /// are missing).
    fn parse_text(
        &self,
        cell: &str,
        i: usize,
        col: &Column,
        c: &ColumnRequest,
        opts: &ReadOptions,
    ) -> Result<f64> {
        if opts.is_missing(cell) {
            return Ok(f64::NAN);
        }
        match cell.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => {
                let expected = match c.range {
                    Some((lo, hi)) => format!("a number from {lo} to {hi} or a missing code"),
                    None => "a number or a missing code (empty, NA, .)".to_string(),
                };
                Err(Error::Parse {
                    at: self.at().with_row(self.rows[i]).with_column(&col.name),
                    expected: format!("{expected} (\"{}\" is a text column)", col.name),
                    found: cell.chars().take(40).collect(),
                })
            }
        }
    }
}

#[cfg(feature = "xlsx")]
fn read_xlsx(bytes: &[u8], at: &Location, sheet: Option<&str>) -> Result<Table> {
    xlsx::read(bytes, at, sheet)
}

#[cfg(not(feature = "xlsx"))]
fn read_xlsx(_bytes: &[u8], at: &Location, _sheet: Option<&str>) -> Result<Table> {
    Err(Error::Format {
        at: at.clone(),
        msg: "this build of trustscale reads no Excel workbooks (cargo feature `xlsx`); \
              save the sheet as CSV"
            .into(),
    })
}

/// A bounded reader over a byte slice: every read past the end is an error naming the file, what
/// was being read and the byte offset, never a panic.
pub(crate) struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
    /// Big-endian numbers.
    pub big_endian: bool,
    at: &'a Location,
    what: &'static str,
}

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8], at: &'a Location, what: &'static str) -> Self {
        Bytes {
            data,
            pos: 0,
            big_endian: false,
            at,
            what,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.data.len() {
            return Err(self.truncated(pos - self.data.len()));
        }
        self.pos = pos;
        Ok(())
    }

    /// The error for a file that ends `short` bytes too early.
    pub(crate) fn truncated(&self, short: usize) -> Error {
        Error::Format {
            at: self.at.clone(),
            msg: format!(
                "{} is truncated or damaged: {} more bytes expected after byte {} of {}",
                self.what,
                short,
                self.pos,
                self.data.len()
            ),
        }
    }

    /// An error about the content at the current position.
    pub(crate) fn corrupt(&self, what: impl std::fmt::Display) -> Error {
        Error::Format {
            at: self.at.clone(),
            msg: format!("{} is damaged at byte {}: {what}", self.what, self.pos),
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        match self.pos.checked_add(n).filter(|&e| e <= self.data.len()) {
            Some(end) => {
                let s = &self.data[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(self.truncated(n - (self.data.len() - self.pos))),
        }
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        let a = self.array::<2>()?;
        Ok(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let a = self.array::<4>()?;
        Ok(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    pub(crate) fn i32(&mut self) -> Result<i32> {
        Ok(self.u32()? as i32)
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        let a = self.array::<8>()?;
        Ok(if self.big_endian {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        })
    }

    pub(crate) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// Expects literal bytes (a Stata tag).
    pub(crate) fn expect(&mut self, lit: &[u8]) -> Result<()> {
        let start = self.pos;
        let got = self.take(lit.len())?;
        if got != lit {
            self.pos = start;
            return Err(self.corrupt(format!(
                "expected {}, found {}",
                String::from_utf8_lossy(lit),
                String::from_utf8_lossy(got)
            )));
        }
        Ok(())
    }
}

/// Decodes text in a legacy single-byte code page: UTF-8 when it is valid, else Windows-1252
/// (Latin-1 with the printable characters of 0x80–0x9F), which is what SPSS and Stata 13 wrote
/// on Western systems.
pub(crate) fn decode_text(b: &[u8], utf8: bool) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    if utf8 {
        return String::from_utf8_lossy(b).into_owned();
    }
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    b.iter()
        .map(|&c| match c {
            0x80..=0x9f => HIGH[(c - 0x80) as usize],
            _ => c as char,
        })
        .collect()
}

/// Text of a fixed-width, NUL- or space-padded field.
pub(crate) fn field_text(b: &[u8], utf8: bool) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    decode_text(&b[..end], utf8).trim_end().to_string()
}
