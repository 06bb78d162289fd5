//! Streaming CSV reader for survey exports.
//!
//! One pass over the file, reusing one record buffer, parsing only the requested columns. Rows
//! are numbered as a spreadsheet shows them: the header is row 1, so the first data row of a
//! plain CSV is row 2 (and row 4 of a Qualtrics export).

use super::matrix::ItemData;
use super::sums::{code_of, PairSums};
use crate::error::{Error, Location, Result};
use rayon::prelude::*;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How to read a data file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Field delimiter; detected from the header line when `None` (`,`, `;` or tab).
    pub delimiter: Option<u8>,
    /// Rows to skip after the header. `None` = detect a Qualtrics export (skip 2 if its third row
    /// holds `ImportId`), otherwise skip none.
    pub skip_rows: Option<usize>,
    /// Extra missing-value codes beyond empty, `NA` and `.` (matched as text, and numerically
    /// when they are numbers: `-99` also matches `-99.0`).
    pub missing: Vec<String>,
    /// The sheet of an Excel workbook to read (default: the first); other formats refuse it.
    pub sheet: Option<String>,
}

impl ReadOptions {
    /// Whether a text cell is missing: empty, `NA`, `.` or one of the [`ReadOptions::missing`]
    /// codes (matched as text, and numerically when both are numbers).
    pub fn is_missing(&self, cell: &str) -> bool {
        let t = cell.trim();
        t.is_empty()
            || t == "NA"
            || t == "."
            || self.missing.iter().any(|m| m.trim() == t)
            || t.parse::<f64>().is_ok_and(|v| {
                self.missing
                    .iter()
                    .any(|m| m.trim().parse::<f64>() == Ok(v))
            })
    }

    /// The delimiter named on a command line: `,` (`comma`), `;` (`semicolon`) or `tab`.
    pub fn parse_delimiter(name: &str) -> Result<u8> {
        match name {
            "," | "comma" => Ok(b','),
            ";" | "semicolon" => Ok(b';'),
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            other => Err(Error::option(
                "--delimiter",
                format!("expected , ; or tab, found \"{other}\""),
            )),
        }
    }
}

/// One column to read.
#[derive(Debug, Clone)]
pub struct ColumnRequest {
    /// Index in the header.
    pub index: usize,
    /// Allowed response range, checked while reading.
    pub range: Option<(f64, f64)>,
}

/// An opened CSV file whose header has been read, positioned at its first data row.
pub struct CsvSource {
    file: Option<PathBuf>,
    names: Vec<String>,
    /// The rest of the input, from the first data row on.
    body: Box<dyn Read + Send>,
    /// Its length in bytes, when known (to size the output once).
    body_len: Option<u64>,
    /// Spreadsheet row number of the first data row.
    first_row: u64,
    missing_text: Vec<Vec<u8>>,
    missing_num: Vec<f64>,
    /// Whether the rows after the header were detected as a Qualtrics export and skipped.
    pub qualtrics: bool,
    /// The delimiter in use.
    pub delimiter: u8,
}

/// What the rows before the data hold.
struct Preamble {
    names: Vec<String>,
    delimiter: u8,
    /// Byte offset of the first data row.
    offset: u64,
    /// Data records skipped after the header.
    skipped: u64,
    qualtrics: bool,
}

/// Result of parsing the start of the input: done, or more bytes are needed.
enum PreambleParse {
    Done(Preamble),
    NeedMore,
}

fn io_err(file: &Option<PathBuf>, source: std::io::Error) -> Error {
    Error::Io {
        path: file.clone().unwrap_or_else(|| PathBuf::from("input")),
        source,
    }
}

/// Picks the delimiter that occurs most often (outside quotes) in the first line.
fn detect_delimiter(first_line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in first_line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            b'\n' if !in_quotes => break,
            _ => {}
        }
    }
    let cand = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    cand[best]
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// Parses a cell. `Ok(None)` = missing, `Err(())` = not a number.
#[inline]
fn parse_cell(
    raw: &[u8],
    missing_text: &[Vec<u8>],
    missing_num: &[f64],
) -> std::result::Result<Option<f64>, ()> {
    // fast path: one or two ASCII digits, the usual Likert response
    match raw {
        [d] if d.is_ascii_digit() => return check_num(f64::from(d - b'0'), missing_num),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            return check_num(f64::from((a - b'0') * 10 + (b - b'0')), missing_num)
        }
        _ => {}
    }
    if let Some(v) = plain_decimal(raw) {
        return check_num(v, missing_num);
    }
    let t = trim(raw);
    if t.is_empty() || t == b"NA" || t == b"." {
        return Ok(None);
    }
    if missing_text.iter().any(|m| m.as_slice() == t) {
        return Ok(None);
    }
    let s = std::str::from_utf8(t).map_err(|_| ())?;
    let v: f64 = s.parse().map_err(|_| ())?;
    if !v.is_finite() {
        return Err(());
    }
    check_num(v, missing_num)
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal (`-12.345`: an optional minus, digits, optionally a point and more digits;
/// at most 15 digits, no exponent, no spaces) as the `f64` that `str::parse` gives, or `None`
/// for anything else (which then takes the general route).
///
/// # Algorithm
/// The digits form an integer m < 10^15 < 2^53 and the point divides by 10^f, f ≤ 15: both are
/// exact `f64`s, so the one IEEE division m / 10^f is the correctly rounded value of the
/// decimal, which is what `str::parse` returns (Clinger 1990, the fast path of every correct
/// decimal reader).
///
/// # Reference
/// Clinger, W. D. (1990). How to read floating point numbers accurately. *PLDI '90*, 92–101.
#[inline(always)]
fn plain_decimal(raw: &[u8]) -> Option<f64> {
    let (neg, body) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    if body.is_empty() || body.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut digits = 0usize;
    let mut point: Option<usize> = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' if point.is_none() && i > 0 && i + 1 < body.len() => point = Some(digits),
            _ => return None,
        }
    }
    if digits > 15 {
        return None;
    }
    let frac = point.map_or(0, |p| digits - p);
    let v = m as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

#[inline]
fn check_num(v: f64, missing_num: &[f64]) -> std::result::Result<Option<f64>, ()> {
    if missing_num.contains(&v) {
        Ok(None)
    } else {
        Ok(Some(v))
    }
}

fn shown(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).chars().take(40).collect()
}

/// Parses the header and the rows that may have to be skipped from the first `prefix` bytes.
/// `complete` says the prefix is the whole input.
fn parse_preamble(
    prefix: &[u8],
    complete: bool,
    opts: &ReadOptions,
    loc: &Location,
) -> Result<PreambleParse> {
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(prefix));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(prefix);
    // a record is trustworthy only if it ended before the prefix did (or the input ended)
    let whole = |reader: &csv::Reader<&[u8]>| {
        complete || (reader.position().byte() as usize) < prefix.len()
    };
    let mut header = csv::ByteRecord::new();
    if !read_record(&mut reader, &mut header, loc, 1)? {
        if complete {
            return Err(Error::Empty {
                at: loc.clone(),
                what: "an empty file".into(),
            });
        }
        return Ok(PreambleParse::NeedMore);
    }
    if !whole(&reader) {
        return Ok(PreambleParse::NeedMore);
    }
    let header_end = reader.position().byte();
    let mut names: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
        .collect();
    if let Some(first) = names.first_mut() {
        if let Some(stripped) = first.strip_prefix('\u{feff}') {
            *first = stripped.trim().to_string();
        }
    }
    if names.iter().all(String::is_empty) {
        return Err(Error::Empty {
            at: loc.clone().with_row(1),
            what: "an empty header row".into(),
        });
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(&i) = seen.get(name.as_str()) {
            return Err(Error::Data {
                at: loc.clone().with_row(1).with_column(name.clone()),
                msg: format!(
                    "the header names this column twice (columns {} and {}); give each column its own name",
                    i + 1,
                    j + 1
                ),
            });
        }
        seen.insert(name, j);
    }
    let wanted = opts.skip_rows.unwrap_or(2);
    crate::error::limits::count("--skip-rows", wanted, crate::error::limits::SKIP_ROWS)?;
    // only the Qualtrics detection (skip_rows = None) looks at the skipped records
    let mut ends = Vec::with_capacity(wanted.min(16));
    let mut rec = csv::ByteRecord::new();
    for i in 0..wanted {
        if !read_record(&mut reader, &mut rec, loc, 2 + i as u64)? {
            break;
        }
        if !whole(&reader) {
            return Ok(PreambleParse::NeedMore);
        }
        let kept = if opts.skip_rows.is_none() {
            rec.clone()
        } else {
            csv::ByteRecord::new()
        };
        ends.push((reader.position().byte(), kept));
    }
    let (offset, skipped, qualtrics) = match opts.skip_rows {
        Some(_) => (
            ends.last().map_or(header_end, |e| e.0),
            ends.len() as u64,
            false,
        ),
        None => {
            let is_q = ends.len() == 2
                && ends[1].1.iter().any(|f| {
                    let t = trim(f);
                    t.starts_with(b"{") && t.windows(8).any(|w| w == b"ImportId")
                });
            if is_q {
                (ends[1].0, 2, true)
            } else {
                (header_end, 0, false)
            }
        }
    };
    Ok(PreambleParse::Done(Preamble {
        names,
        delimiter,
        offset,
        skipped,
        qualtrics,
    }))
}

impl CsvSource {
    /// Opens a file and reads its header (and detects a Qualtrics export); the data rows are
    /// streamed later by [`CsvSource::read`].
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<Self> {
        let file = Some(path.to_path_buf());
        let open = || {
            File::open(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let loc = Location::file(file.clone());
        crate::error::limits::regular_file(path)?;
        let mut f = open()?;
        let mut prefix = Vec::new();
        let mut want = 1 << 16;
        let pre = loop {
            let have = prefix.len();
            (&mut f)
                .take((want - have) as u64)
                .read_to_end(&mut prefix)
                .map_err(|e| io_err(&file, e))?;
            let complete = prefix.len() < want;
            match parse_preamble(&prefix, complete, opts, &loc)? {
                PreambleParse::Done(p) => break p,
                PreambleParse::NeedMore => want *= 4,
            }
        };
        let mut body = open()?;
        let len = body.metadata().map(|m| m.len()).ok();
        body.seek(SeekFrom::Start(pre.offset))
            .map_err(|e| io_err(&file, e))?;
        let body_len = len.map(|l| l.saturating_sub(pre.offset));
        Ok(Self::assemble(file, pre, Box::new(body), body_len, opts))
    }

    /// Reads the header from bytes in memory (tests, standard input).
    pub fn from_bytes(bytes: Vec<u8>, file: Option<&Path>, opts: &ReadOptions) -> Result<Self> {
        let file = file.map(Path::to_path_buf);
        let loc = Location::file(file.clone());
        let pre = match parse_preamble(&bytes, true, opts, &loc)? {
            PreambleParse::Done(p) => p,
            PreambleParse::NeedMore => {
                return Err(Error::Empty {
                    at: loc,
                    what: "an incomplete header".into(),
                })
            }
        };
        let body_len = Some((bytes.len() as u64).saturating_sub(pre.offset));
        let mut body = std::io::Cursor::new(bytes);
        body.set_position(pre.offset);
        Ok(Self::assemble(file, pre, Box::new(body), body_len, opts))
    }

    /// Reads everything from a reader, then as [`CsvSource::from_bytes`].
    pub fn from_reader(mut r: impl Read, file: Option<&Path>, opts: &ReadOptions) -> Result<Self> {
        let mut bytes = Vec::new();
        let f = file.map(Path::to_path_buf);
        r.read_to_end(&mut bytes).map_err(|e| io_err(&f, e))?;
        Self::from_bytes(bytes, file, opts)
    }

    fn assemble(
        file: Option<PathBuf>,
        pre: Preamble,
        body: Box<dyn Read + Send>,
        body_len: Option<u64>,
        opts: &ReadOptions,
    ) -> Self {
        CsvSource {
            file,
            names: pre.names,
            body,
            body_len,
            first_row: 2 + pre.skipped,
            missing_text: opts
                .missing
                .iter()
                .map(|m| m.trim().as_bytes().to_vec())
                .collect(),
            missing_num: opts
                .missing
                .iter()
                .filter_map(|m| m.trim().parse::<f64>().ok())
                .collect(),
            qualtrics: pre.qualtrics,
            delimiter: pre.delimiter,
        }
    }

    /// The header's column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The file name, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Streams the data rows, parsing the requested columns into [`ItemData`].
    ///
    /// `id_column` is read as text (respondent ids). Errors name file, row and column: a cell
    /// that is not a number or missing code, a response outside the requested range, a row with
    /// a different number of fields than the header.
    ///
    /// # Algorithm
    /// The input is read in blocks of about 8 MiB cut at the last line break. A block without
    /// any `"` holds one record per line, so its lines are split into pieces parsed in parallel
    /// and joined in order (rows are numbered after the join). From the first block that
    /// contains a quote on, the rest of the input goes through the `csv` crate's full parser,
    /// which handles quoted delimiters and line breaks.
    pub fn read(self, cols: &[ColumnRequest], id_column: Option<usize>) -> Result<ItemData> {
        let text: Vec<usize> = id_column.into_iter().collect();
        let (mut data, mut texts) = self.read_text(cols, &text)?;
        data.ids = texts.pop();
        Ok(data)
    }

    /// As [`CsvSource::read`], also reading `text_columns` as text (ids, group labels, category
    /// codes): returns the numeric data and one `Vec<String>` per text column, row-aligned
    /// with the data.
    pub fn read_text(
        mut self,
        cols: &[ColumnRequest],
        text_columns: &[usize],
    ) -> Result<(ItemData, Vec<Vec<String>>)> {
        let width = self.names.len();
        if let Some(c) = cols.iter().find(|c| c.index >= width) {
            return Err(Error::option(
                "--items",
                format!(
                    "column {} is beyond the header's {width} columns",
                    c.index + 1
                ),
            ));
        }
        if text_columns.iter().any(|&j| j >= width) {
            return Err(Error::option("--id", "a text column is beyond the header"));
        }
        let ctx = Ctx {
            names: &self.names,
            cols,
            text_columns,
            width,
            delimiter: self.delimiter,
            missing_text: &self.missing_text,
            missing_num: &self.missing_num,
        };
        let loc = Location::file(self.file.clone());
        let mut out = Chunk::default();
        let mut next_row = self.first_row;
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + (1 << 16));
        let mut sized = false;
        loop {
            let have = buf.len();
            (&mut self.body)
                .take((BLOCK - have.min(BLOCK / 2)) as u64)
                .read_to_end(&mut buf)
                .map_err(|e| io_err(&self.file, e))?;
            let eof = buf.len() == have;
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    None => continue, // a line longer than the block: read more
                }
            };
            if cut == 0 {
                break;
            }
            if buf[..cut].contains(&b'"') {
                let rest = std::io::Cursor::new(std::mem::take(&mut buf)).chain(self.body);
                ctx.read_csv(rest, &loc, next_row, &mut out)?;
                break;
            }
            if !sized {
                // size the output once, from the first block's bytes per line
                let lines = memchr::memchr_iter(b'\n', &buf[..cut]).count().max(1);
                if let Some(total) = self.body_len {
                    let per_row = cut as f64 / lines as f64;
                    let rows = (total as f64 / per_row * 1.02) as usize + 16;
                    out.values.reserve(rows * cols.len());
                    out.rows.reserve(rows);
                }
                sized = true;
            }
            ctx.read_plain(&buf[..cut], &loc, &mut next_row, &mut out)?;
            buf.drain(..cut);
            if eof {
                break;
            }
        }
        let names = cols.iter().map(|c| self.names[c.index].clone()).collect();
        let data = ItemData {
            file: self.file,
            names,
            values: out.values,
            rows: out.rows,
            ids: None,
        };
        data.check_magnitude()?;
        let nt = text_columns.len();
        let mut texts: Vec<Vec<String>> = (0..nt).map(|_| Vec::with_capacity(data.n())).collect();
        for (i, t) in out.ids.into_iter().enumerate() {
            texts[i % nt.max(1)].push(t);
        }
        Ok((data, texts))
    }
}

/// One scale of [`CsvSource::read_sums`]: its items as positions in the requested columns, and
/// for each a reverse key (`Some(min + max)`: the answer x counts as min + max − x).
#[derive(Debug, Clone)]
pub struct SumsSpec {
    /// Positions of the scale's items in the requested columns.
    pub columns: Vec<usize>,
    /// Reverse keys, one per item.
    pub reverse: Vec<Option<i16>>,
}

/// What [`CsvSource::read_sums`] accumulated: the data rows read and each scale's sums.
#[derive(Debug, Clone)]
pub struct StreamedSums {
    /// Data rows read.
    pub rows: u64,
    /// One per [`SumsSpec`], in order.
    pub scales: Vec<PairSums>,
}

/// What a piece of the input added to the sums.
struct SumsChunk {
    sums: Vec<PairSums>,
    rows: u64,
    records: u64,
    error: Option<(u64, Error)>,
    not_codes: bool,
}

impl SumsChunk {
    fn new(scales: &[SumsSpec]) -> Self {
        SumsChunk {
            sums: scales
                .iter()
                .map(|s| PairSums::new(s.columns.len()))
                .collect(),
            rows: 0,
            records: 0,
            error: None,
            not_codes: false,
        }
    }
}

impl CsvSource {
    /// Streams the data rows once, accumulating each scale's sufficient statistics
    /// ([`PairSums`]) instead of keeping the rows: memory depends on the number of items only.
    ///
    /// Returns `Ok(None)` as soon as a requested cell holds a value that is not a whole number
    /// from −127 to 127 (read such data with [`CsvSource::read`]). Errors are those of
    /// [`CsvSource::read`], naming the same file, row and column.
    ///
    /// # Algorithm
    /// As [`CsvSource::read`]: blocks of about 8 MiB cut at a line break; a block without `"` is
    /// split into pieces at line breaks, parsed in parallel, each into its own sums, and the
    /// pieces are added in order (exact integer sums, so the result equals a serial parse);
    /// from the first block with a quote on, the `csv` crate parses the rest serially.
    pub fn read_sums(
        mut self,
        cols: &[ColumnRequest],
        scales: &[SumsSpec],
    ) -> Result<Option<StreamedSums>> {
        let width = self.names.len();
        if let Some(c) = cols.iter().find(|c| c.index >= width) {
            return Err(Error::option(
                "--items",
                format!(
                    "column {} is beyond the header's {width} columns",
                    c.index + 1
                ),
            ));
        }
        let ctx = Ctx {
            names: &self.names,
            cols,
            text_columns: &[],
            width,
            delimiter: self.delimiter,
            missing_text: &self.missing_text,
            missing_num: &self.missing_num,
        };
        let loc = Location::file(self.file.clone());
        let mut total = SumsChunk::new(scales);
        let mut next_row = self.first_row;
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + (1 << 16));
        // add one piece's sums in order; Ok(false) = not codes
        let add = |part: SumsChunk, next_row: &mut u64, total: &mut SumsChunk| {
            if let Some((rel, e)) = part.error {
                return Err(place(e, &loc, *next_row + rel));
            }
            if part.not_codes {
                return Ok(false);
            }
            for (t, p) in total.sums.iter_mut().zip(&part.sums) {
                t.merge(p);
            }
            total.rows += part.rows;
            *next_row += part.records;
            Ok(true)
        };
        loop {
            let have = buf.len();
            (&mut self.body)
                .take((BLOCK - have.min(BLOCK / 2)) as u64)
                .read_to_end(&mut buf)
                .map_err(|e| io_err(&self.file, e))?;
            let eof = buf.len() == have;
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    None => continue, // a line longer than the block: read more
                }
            };
            if cut == 0 {
                break;
            }
            if buf[..cut].contains(&b'"') {
                let rest = std::io::Cursor::new(std::mem::take(&mut buf)).chain(self.body);
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(self.delimiter)
                    .has_headers(false)
                    .flexible(true)
                    .buffer_capacity(1 << 16)
                    .from_reader(rest);
                let mut rec = csv::ByteRecord::new();
                let mut codes = vec![PairSums::NA; cols.len()];
                let mut x = Vec::with_capacity(cols.len());
                let mut part = SumsChunk::new(scales);
                let mut row = next_row;
                while read_record(&mut reader, &mut rec, &loc, row)? {
                    let fields: Vec<&[u8]> = rec.iter().collect();
                    if !ctx.record_sums(
                        &fields,
                        row - next_row,
                        &mut part,
                        scales,
                        &mut codes,
                        &mut x,
                    ) {
                        break;
                    }
                    row += 1;
                }
                part.records = row - next_row;
                if !add(part, &mut next_row, &mut total)? {
                    return Ok(None);
                }
                break;
            }
            let pieces = split_lines(&buf[..cut], rayon::current_num_threads() * 4);
            let parts: Vec<SumsChunk> = pieces
                .par_iter()
                .map(|p| ctx.sums_piece(p, scales))
                .collect();
            for part in parts {
                if !add(part, &mut next_row, &mut total)? {
                    return Ok(None);
                }
            }
            buf.drain(..cut);
            if eof {
                break;
            }
        }
        for s in &mut total.sums {
            s.flush();
        }
        Ok(Some(StreamedSums {
            rows: total.rows,
            scales: total.sums,
        }))
    }
}

const BLOCK: usize = 8 << 20;

/// What a piece of the input produced.
#[derive(Default)]
struct Chunk {
    values: Vec<f64>,
    rows: Vec<u64>,
    /// Text cells of the text columns, row after row.
    ids: Vec<String>,
    /// Records seen (for numbering), including skipped blank-field records.
    records: u64,
    /// The first error: (record index within the piece, error without its row).
    error: Option<(u64, Error)>,
}

/// Everything the per-record parser needs.
struct Ctx<'a> {
    names: &'a [String],
    cols: &'a [ColumnRequest],
    text_columns: &'a [usize],
    width: usize,
    delimiter: u8,
    missing_text: &'a [Vec<u8>],
    missing_num: &'a [f64],
}

impl Ctx<'_> {
    /// Parses one record's fields into `row_vals` (the requested columns, `NaN` = missing).
    /// `Ok(false)`: a line of only delimiters and whitespace, not a row. The error has no row.
    fn parse_row(
        &self,
        fields: &[&[u8]],
        row_vals: &mut [f64],
    ) -> std::result::Result<bool, Error> {
        if fields.len() != self.width {
            if fields.iter().all(|f| trim(f).is_empty()) {
                return Ok(false); // a line of only delimiters/whitespace is not a row
            }
            return Err(Error::Ragged {
                at: Location::default(),
                expected: self.width,
                found: fields.len(),
            });
        }
        // without numeric missing codes, a plain number is never missing: skip the general route
        let plain = self.missing_num.is_empty();
        for (s, c) in self.cols.iter().enumerate() {
            let f = fields[c.index];
            let cell = match f {
                [d] if plain && d.is_ascii_digit() => Ok(Some(f64::from(d - b'0'))),
                _ if plain => match plain_decimal(f) {
                    Some(v) => Ok(Some(v)),
                    None => parse_cell(f, self.missing_text, self.missing_num),
                },
                _ => parse_cell(f, self.missing_text, self.missing_num),
            };
            match cell {
                Ok(None) => row_vals[s] = f64::NAN,
                Ok(Some(v)) => {
                    if let Some((lo, hi)) = c.range {
                        if v < lo || v > hi {
                            return Err(Error::OutOfRange {
                                at: Location::default().with_column(&self.names[c.index]),
                                value: v,
                                min: lo,
                                max: hi,
                            });
                        }
                    }
                    row_vals[s] = v;
                }
                Err(()) => {
                    let expected = match c.range {
                        Some((lo, hi)) => format!("a number from {lo} to {hi} or a missing code"),
                        None => "a number or a missing code (empty, NA, .)".to_string(),
                    };
                    return Err(Error::Parse {
                        at: Location::default().with_column(&self.names[c.index]),
                        expected,
                        found: shown(f),
                    });
                }
            }
        }
        Ok(true)
    }

    /// Parses one record's fields into `out`; `rel` is its record index within the piece, used
    /// only to place errors. Returns false on error.
    fn record(&self, fields: &[&[u8]], rel: u64, out: &mut Chunk, row_vals: &mut [f64]) -> bool {
        match self.parse_row(fields, row_vals) {
            Ok(false) => true,
            Ok(true) => {
                out.values.extend_from_slice(row_vals);
                out.rows.push(rel);
                for &j in self.text_columns {
                    out.ids
                        .push(String::from_utf8_lossy(trim(fields[j])).into_owned());
                }
                true
            }
            Err(e) => {
                out.error = Some((rel, e));
                false
            }
        }
    }

    /// Parses one record's requested cells as answer codes into `codes` (`PairSums::NA` where
    /// missing), as [`Ctx::parse_row`] with the same errors; a one-digit cell (the usual Likert
    /// answer) is coded without going through `f64`. `Ok(None)`: a value that is not a whole
    /// number from −127 to 127.
    fn parse_codes(
        &self,
        fields: &[&[u8]],
        codes: &mut [i16],
    ) -> std::result::Result<Option<bool>, Error> {
        if fields.len() != self.width {
            if fields.iter().all(|f| trim(f).is_empty()) {
                return Ok(Some(false));
            }
            return Err(Error::Ragged {
                at: Location::default(),
                expected: self.width,
                found: fields.len(),
            });
        }
        let digits_plain = self.missing_num.is_empty();
        for (s, c) in self.cols.iter().enumerate() {
            let f = fields[c.index];
            if let ([d], true) = (f, digits_plain) {
                if d.is_ascii_digit() {
                    let v = i16::from(d - b'0');
                    if let Some((lo, hi)) = c.range {
                        let x = f64::from(v);
                        if x < lo || x > hi {
                            return Err(self.out_of_range(c, x, lo, hi));
                        }
                    }
                    codes[s] = v;
                    continue;
                }
            }
            codes[s] = match parse_cell(f, self.missing_text, self.missing_num) {
                Ok(None) => PairSums::NA,
                Ok(Some(v)) => {
                    if let Some((lo, hi)) = c.range {
                        if v < lo || v > hi {
                            return Err(self.out_of_range(c, v, lo, hi));
                        }
                    }
                    match code_of(v) {
                        Some(code) => i16::from(code),
                        None => return Ok(None),
                    }
                }
                Err(()) => return Err(self.not_a_number(c, f)),
            };
        }
        Ok(Some(true))
    }

    fn out_of_range(&self, c: &ColumnRequest, value: f64, min: f64, max: f64) -> Error {
        Error::OutOfRange {
            at: Location::default().with_column(&self.names[c.index]),
            value,
            min,
            max,
        }
    }

    fn not_a_number(&self, c: &ColumnRequest, f: &[u8]) -> Error {
        let expected = match c.range {
            Some((lo, hi)) => format!("a number from {lo} to {hi} or a missing code"),
            None => "a number or a missing code (empty, NA, .)".to_string(),
        };
        Error::Parse {
            at: Location::default().with_column(&self.names[c.index]),
            expected,
            found: shown(f),
        }
    }

    /// Parses one record into the sums of each scale; returns false on error or on a value that
    /// is not a small whole number (`out.not_codes`).
    fn record_sums(
        &self,
        fields: &[&[u8]],
        rel: u64,
        out: &mut SumsChunk,
        scales: &[SumsSpec],
        codes: &mut [i16],
        x: &mut Vec<i16>,
    ) -> bool {
        match self.parse_codes(fields, codes) {
            Ok(Some(false)) => true,
            Ok(Some(true)) => {
                out.rows += 1;
                for (spec, sums) in scales.iter().zip(out.sums.iter_mut()) {
                    x.clear();
                    for (&c, rev) in spec.columns.iter().zip(&spec.reverse) {
                        let code = codes[c];
                        x.push(match rev {
                            _ if code == PairSums::NA => PairSums::NA,
                            None => code,
                            Some(r) => {
                                let v = r - code;
                                if v.abs() > 127 {
                                    out.not_codes = true;
                                    return false;
                                }
                                v
                            }
                        });
                    }
                    sums.add_row(x);
                }
                true
            }
            Ok(None) => {
                out.not_codes = true;
                false
            }
            Err(e) => {
                out.error = Some((rel, e));
                false
            }
        }
    }

    /// Calls `f` with the fields of each non-empty line of a quote-free piece, until it returns
    /// false; returns the number of records seen.
    fn each_line(&self, piece: &[u8], mut f: impl FnMut(&[&[u8]], u64) -> bool) -> u64 {
        let delim = self.delimiter;
        let mut records = 0u64;
        let mut fields: Vec<&[u8]> = Vec::with_capacity(self.width + 1);
        for line in memchr::memchr_iter(b'\n', piece)
            .chain(std::iter::once(piece.len()))
            .scan(0usize, |start, end| {
                let line = piece.get(*start..end).unwrap_or(&[]);
                *start = end + 1;
                Some(line)
            })
        {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue; // as the csv crate, empty lines are not records
            }
            let rel = records;
            records += 1;
            fields.clear();
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == delim {
                    fields.push(&line[start..i]);
                    start = i + 1;
                }
            }
            fields.push(&line[start..]);
            if !f(&fields, rel) {
                break;
            }
        }
        records
    }

    /// Parses a quote-free piece into per-scale sums.
    fn sums_piece(&self, piece: &[u8], scales: &[SumsSpec]) -> SumsChunk {
        let mut out = SumsChunk::new(scales);
        let mut codes = vec![PairSums::NA; self.cols.len()];
        let mut x = Vec::with_capacity(self.cols.len());
        let records = self.each_line(piece, |fields, rel| {
            self.record_sums(fields, rel, &mut out, scales, &mut codes, &mut x)
        });
        out.records = records;
        out
    }

    /// Parses a piece of quote-free lines (one record per non-empty line) straight into `dst`,
    /// its slots of the output (room for one row per line); returns the rows, ids, record count
    /// and first error (`values` stays empty: the numbers are in `dst`, row after row).
    fn plain_piece(&self, piece: &[u8], dst: &mut [f64]) -> Chunk {
        let nc = self.cols.len();
        let mut out = Chunk::default();
        out.rows.reserve(dst.len() / nc.max(1));
        let mut filled = 0usize;
        let records = self.each_line(piece, |fields, rel| {
            let slot = &mut dst[filled * nc..(filled + 1) * nc];
            match self.parse_row(fields, slot) {
                Ok(false) => true,
                Ok(true) => {
                    filled += 1;
                    out.rows.push(rel);
                    for &j in self.text_columns {
                        out.ids
                            .push(String::from_utf8_lossy(trim(fields[j])).into_owned());
                    }
                    true
                }
                Err(e) => {
                    out.error = Some((rel, e));
                    false
                }
            }
        });
        out.records = records;
        out
    }

    /// Parses a block of quote-free lines in parallel pieces, each writing its rows straight
    /// into its own stretch of `out.values` (sized from the pieces' line counts), then closes
    /// the gaps left by blank lines, so the rows stay in file order.
    fn read_plain(
        &self,
        block: &[u8],
        loc: &Location,
        next_row: &mut u64,
        out: &mut Chunk,
    ) -> Result<()> {
        let nc = self.cols.len();
        let pieces = split_lines(block, rayon::current_num_threads() * 4);
        // an upper bound on each piece's records: its lines
        let lines: Vec<usize> = pieces
            .par_iter()
            .map(|p| memchr::memchr_iter(b'\n', p).count() + usize::from(!p.ends_with(b"\n")))
            .collect();
        let base = out.values.len();
        out.values
            .resize(base + lines.iter().sum::<usize>() * nc, f64::NAN);
        let mut slots: Vec<&mut [f64]> = Vec::with_capacity(pieces.len());
        let mut rest = &mut out.values[base..];
        for &l in &lines {
            let (head, tail) = rest.split_at_mut(l * nc);
            slots.push(head);
            rest = tail;
        }
        let parts: Vec<Chunk> = pieces
            .par_iter()
            .zip(slots)
            .map(|(p, dst)| self.plain_piece(p, dst))
            .collect();
        let mut end = base;
        let mut start = base;
        for (part, &l) in parts.into_iter().zip(&lines) {
            let row0 = *next_row;
            if let Some((rel, e)) = part.error {
                return Err(place(e, loc, row0 + rel));
            }
            let len = part.rows.len() * nc;
            if start != end {
                out.values.copy_within(start..start + len, end);
            }
            end += len;
            start += l * nc;
            out.rows.extend(part.rows.iter().map(|r| row0 + r));
            out.ids.extend(part.ids);
            *next_row += part.records;
        }
        out.values.truncate(end);
        Ok(())
    }

    /// Parses the rest of the input with the full CSV parser.
    fn read_csv(
        &self,
        rest: impl Read,
        loc: &Location,
        first_row: u64,
        out: &mut Chunk,
    ) -> Result<()> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(rest);
        let mut rec = csv::ByteRecord::new();
        let mut row = first_row;
        let mut row_vals = vec![f64::NAN; self.cols.len()];
        let mut part = Chunk::default();
        while read_record(&mut reader, &mut rec, loc, row)? {
            let fields: Vec<&[u8]> = rec.iter().collect();
            if !self.record(&fields, row, &mut part, &mut row_vals) {
                if let Some((r, e)) = part.error.take() {
                    return Err(place(e, loc, r));
                }
            }
            row += 1;
        }
        out.values.extend_from_slice(&part.values);
        out.rows.extend(part.rows);
        out.ids.extend(part.ids);
        Ok(())
    }
}

/// Puts file and row into an error made without them.
fn place(e: Error, loc: &Location, row: u64) -> Error {
    let at = |col: Option<String>| Location {
        file: loc.file.clone(),
        row: Some(row),
        column: col,
    };
    match e {
        Error::OutOfRange {
            at: a,
            value,
            min,
            max,
        } => Error::OutOfRange {
            at: at(a.column),
            value,
            min,
            max,
        },
        Error::Parse {
            at: a,
            expected,
            found,
        } => Error::Parse {
            at: at(a.column),
            expected,
            found,
        },
        Error::Ragged {
            expected, found, ..
        } => Error::Ragged {
            at: at(None),
            expected,
            found,
        },
        other => other,
    }
}

/// Splits a block into about `parts` pieces at line breaks.
fn split_lines(block: &[u8], parts: usize) -> Vec<&[u8]> {
    let parts = parts.max(1);
    let target = block.len() / parts + 1;
    let mut out = Vec::with_capacity(parts + 1);
    let mut start = 0;
    while start < block.len() {
        let mut end = (start + target).min(block.len());
        if end < block.len() {
            end = match block[end..].iter().position(|&b| b == b'\n') {
                Some(p) => end + p + 1,
                None => block.len(),
            };
        }
        out.push(&block[start..end]);
        start = end;
    }
    out
}

/// Reads one record; `Ok(false)` at the end of the input.
fn read_record<R: Read>(
    reader: &mut csv::Reader<R>,
    rec: &mut csv::ByteRecord,
    loc: &Location,
    row: u64,
) -> Result<bool> {
    reader.read_byte_record(rec).map_err(|e| {
        let what = match e.kind() {
            csv::ErrorKind::Io(io) => format!("readable data ({io})"),
            _ => "well-formed CSV".to_string(),
        };
        Error::Parse {
            at: loc.clone().with_row(row),
            expected: what,
            found: e.to_string(),
        }
    })
}

/// Finds the closest name (for "did you mean"): case-insensitive equality, then the smallest
/// edit distance if it is at most a third of the name's length (and at least 1).
pub fn closest_name(name: &str, names: &[String]) -> Option<String> {
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        return Some(n.clone());
    }
    let mut best: Option<(usize, &String)> = None;
    for n in names {
        let d = edit_distance(&name.to_lowercase(), &n.to_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, n));
        }
    }
    let limit = (name.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, n)| n.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str, opts: &ReadOptions) -> Result<ItemData> {
        let src = CsvSource::from_bytes(s.as_bytes().to_vec(), Some(Path::new("t.csv")), opts)?;
        let cols: Vec<ColumnRequest> = (0..src.names().len())
            .map(|index| ColumnRequest { index, range: None })
            .collect();
        src.read(&cols, None)
    }

    #[test]
    fn semicolon_delimiter_detected_and_bom_stripped() {
        let d = read_str("\u{feff}a;b\n1;2\n3;NA\n", &ReadOptions::default()).unwrap();
        assert_eq!(d.names, vec!["a", "b"]);
        assert_eq!(d.values[..3], [1.0, 2.0, 3.0]);
        assert!(d.values[3].is_nan());
        assert_eq!(d.rows, vec![2, 3]);
    }

    #[test]
    fn qualtrics_header_rows_skipped() {
        let s = "Q1,Q2\n\"How much, really?\",Other\n\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2\"\"}\"\n4,5\n";
        let d = read_str(s, &ReadOptions::default()).unwrap();
        assert_eq!(d.values, vec![4.0, 5.0]);
        assert_eq!(d.rows, vec![4]);
    }

    #[test]
    fn ragged_row_names_row() {
        let e = read_str("a,b\n1,2\n3\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: row 3: expected 2 fields as in the header, found 1"
        );
    }

    #[test]
    fn missing_codes_text_and_numeric() {
        let opts = ReadOptions {
            missing: vec!["-99".into()],
            ..Default::default()
        };
        let d = read_str("a\n-99\n-99.0\n5\n", &opts).unwrap();
        assert!(d.values[0].is_nan() && d.values[1].is_nan());
        assert_eq!(d.values[2], 5.0);
    }

    #[test]
    fn non_numeric_cell_names_row_and_column() {
        let e = read_str("a,b\n1,2\n3,seven\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: row 3, column \"b\": expected a number or a missing code (empty, NA, .), found \"seven\""
        );
    }

    #[test]
    fn plain_decimals_parse_as_str_parse_does() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "-0.000000",
            "7",
            "12",
            "0.1",
            "-0.1",
            "1.000001",
            "123456.789012",
            "999999999999999",
            "0.00000000000001",
            "-3.141592653589",
            "00012.50",
            "2.675",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // a deterministic spread of six-decimal values, as a statistics export writes them
        let mut x: u64 = 12345;
        for _ in 0..20000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let int = (x >> 40) % 100000;
            let frac = (x >> 8) % 1000000;
            let sign = if x & 1 == 1 { "-" } else { "" };
            cases.push(format!("{sign}{int}.{frac:06}"));
        }
        for c in &cases {
            let want: f64 = c.parse().unwrap();
            let got = plain_decimal(c.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
        }
        for bad in [
            "",
            "-",
            ".5",
            "5.",
            "1.2.3",
            "1e5",
            " 1",
            "+1",
            "1234567890123456",
            "--1",
            "1,5",
        ] {
            assert_eq!(plain_decimal(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn closest_name_suggests() {
        let names = vec!["A1".to_string(), "B12".to_string(), "Trust".to_string()];
        assert_eq!(closest_name("a1", &names).as_deref(), Some("A1"));
        assert_eq!(closest_name("Trst", &names).as_deref(), Some("Trust"));
        assert_eq!(closest_name("zzzzzz", &names), None);
    }
}
