//! Writes an uncompressed SPSS system file (`$FL2`, little-endian, UTF-8): the blank
//! data-collection files of `instrument template --format sav`, and test data.
//!
//! The layout is the one [`super::sav`] reads (PSPP, *System File Format*): the 176-byte header,
//! one variable record per variable (plus continuation records for each further 8-byte slot of a
//! string), value labels (records 3 and 4), the machine integer and float records (7.3, 7.4),
//! measurement levels (7.11), long variable names (7.13), the character encoding (7.20), the
//! dictionary end (999) and the cases, 8 bytes per slot. Short names are `V1`, `V2`, ... and the
//! real names travel in the long-name record, so any name up to 64 bytes survives. A string wider
//! than 255 bytes (up to 32,767) is a very long string, written as SPSS and haven (ReadStat) write
//! one: `⌈w/252⌉` segments, of width 255 but the last (`w − 252·(segments − 1)`), each holding
//! 255 bytes of the text and the last the rest, each segment a variable record of its own, and the string's full width in the very-long-string
//! record (7.14, `SHORT=00600` NUL tab per string). Variable labels are cut at 255 bytes.

use super::{Cells, Column, MissingCode, Value};
use crate::error::{Error, Result};

const SYSMIS: f64 = -f64::MAX;
/// `LOWEST` of a missing range: the float just above system-missing.
const LOWEST: f64 = f64::from_bits(0xffef_ffff_ffff_fffe);

/// The widest string SPSS stores.
const MAX_WIDTH: usize = 32_767;

/// A column's width in the file: 0 for numbers, else the longest text in bytes (at least 1, at
/// most 32,767).
fn width(c: &Column) -> usize {
    match &c.cells {
        Cells::Numbers(_) | Cells::Memory(_) => 0,
        Cells::Text(t) => t
            .iter()
            .map(|s| s.len())
            .max()
            .unwrap_or(0)
            .clamp(1, MAX_WIDTH),
    }
}

/// The widths of the variable records a column takes: one (`0` for a number, the width of a
/// string up to 255 bytes), or for a very long string of width `w`, `⌈w/252⌉` segments of width
/// 255 but the last, which holds the remaining `w − 252·(segments − 1)` bytes.
fn segments(w: usize) -> Vec<usize> {
    if w <= 255 {
        return vec![w];
    }
    let n = w.div_ceil(252);
    let mut v = vec![255; n];
    v[n - 1] = w - 252 * (n - 1);
    v
}

/// Bytes of the text a segment holds: 255 from each but the last, which holds the rest (PSPP's
/// `sfm_segment_used_bytes`; haven writes and reads the same).
fn segment_bytes(text: &[u8], seg: usize, n_segments: usize) -> &[u8] {
    if n_segments == 1 {
        return text;
    }
    let start = (255 * seg).min(text.len());
    &text[start..(start + 255).min(text.len())]
}

fn pad(out: &mut Vec<u8>, s: &[u8], n: usize, fill: u8) {
    let s = &s[..s.len().min(n)];
    out.extend_from_slice(s);
    out.extend(std::iter::repeat_n(fill, n - s.len()));
}

fn i32s(out: &mut Vec<u8>, v: &[i32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

/// Cuts text to at most `n` bytes at a character boundary.
fn cut(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The bytes of an uncompressed system file holding `columns` (all of one length), with their
/// labels, value labels, numeric missing codes (up to three values, or a range and a value) and
/// measurement levels.
pub fn write(columns: &[Column], file_label: &str) -> Result<Vec<u8>> {
    write_with(columns, file_label, false)
}

/// As [`write`], bytecode-compressed when `compress` (as SPSS saves by default): whole numbers
/// from −99 to 151 take one code byte (`value + 100`), system-missing code 255, eight spaces
/// code 254, anything else code 253 and its eight bytes after the block of codes.
pub fn write_with(columns: &[Column], file_label: &str, compress: bool) -> Result<Vec<u8>> {
    let n = columns.first().map_or(0, |c| c.cells.len());
    if let Some(c) = columns.iter().find(|c| c.cells.len() != n) {
        return Err(Error::option(
            "columns",
            format!("column \"{}\" has {} cells, not {n}", c.name, c.cells.len()),
        ));
    }
    if let Some(c) = columns
        .iter()
        .find(|c| c.name.is_empty() || c.name.len() > 64)
    {
        return Err(Error::option(
            "columns",
            format!("\"{}\": SPSS names have 1 to 64 bytes", c.name),
        ));
    }
    let widths: Vec<usize> = columns.iter().map(width).collect();
    let segs: Vec<Vec<usize>> = widths.iter().map(|&w| segments(w)).collect();
    let seg_slots = |w: usize| w.div_ceil(8).max(1);
    let case_size: usize = segs.iter().flatten().map(|&w| seg_slots(w)).sum();
    // the short name of each column's first variable record: V1, V2, ... counting the records
    // (a very long string's segments take a name each)
    let mut short = Vec::with_capacity(columns.len());
    let mut records = 0usize;
    for s in &segs {
        short.push(format!("V{}", records + 1));
        records += s.len();
    }
    let mut out = Vec::new();
    // header
    out.extend_from_slice(b"$FL2");
    pad(&mut out, b"@(#) SPSS DATA FILE trustscale", 60, b' ');
    i32s(
        &mut out,
        &[2, case_size as i32, i32::from(compress), 0, n as i32],
    );
    out.extend_from_slice(&100.0f64.to_le_bytes());
    pad(&mut out, b"01 Jan 26", 9, b' ');
    pad(&mut out, b"00:00:00", 8, b' ');
    pad(&mut out, file_label.as_bytes(), 64, b' ');
    out.extend_from_slice(&[0, 0, 0]);
    // variables
    let mut slot_of = Vec::with_capacity(columns.len());
    let mut slot = 1i32;
    let mut record = 0usize;
    for (j, c) in columns.iter().enumerate() {
        slot_of.push(slot);
        let w = widths[j];
        let label = c.label.as_deref().map(|l| cut(l, 255));
        let numeric_missing: Vec<&MissingCode> = if w == 0 {
            c.missing.iter().collect()
        } else {
            Vec::new()
        };
        let (n_missing, missing_vals) = missing_record(&numeric_missing);
        let fmt = if w == 0 {
            // F8.2 for numbers, F8.0 when every value is whole
            let whole = c
                .cells
                .numbers()
                .is_none_or(|v| v.iter().all(|x| x.is_nan() || x.fract() == 0.0));
            (5 << 16) | (8 << 8) | if whole { 0 } else { 2 }
        } else {
            (1 << 16) | ((w as i32) << 8)
        };
        for (s, &sw) in segs[j].iter().enumerate() {
            record += 1;
            slot += seg_slots(sw) as i32;
            // the label and missing codes go with the first segment only
            let label = label.filter(|_| s == 0);
            let fmt = if w == 0 {
                fmt
            } else {
                (1 << 16) | ((sw as i32) << 8)
            };
            i32s(
                &mut out,
                &[
                    2,
                    sw as i32,
                    i32::from(label.is_some()),
                    if s == 0 { n_missing } else { 0 },
                    fmt,
                    fmt,
                ],
            );
            pad(&mut out, format!("V{record}").as_bytes(), 8, b' ');
            if let Some(l) = label {
                i32s(&mut out, &[l.len() as i32]);
                out.extend_from_slice(l.as_bytes());
                out.extend(std::iter::repeat_n(0u8, (4 - l.len() % 4) % 4));
            }
            if s == 0 {
                for v in &missing_vals {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            for _ in 1..seg_slots(sw) {
                i32s(&mut out, &[2, -1, 0, 0, 0, 0]);
                pad(&mut out, b"", 8, b' ');
            }
        }
    }
    // value labels of numeric variables
    for (j, c) in columns.iter().enumerate() {
        let labels: Vec<(f64, &str)> = c
            .value_labels
            .iter()
            .filter_map(|l| match l.value {
                Value::Number(v) if widths[j] == 0 => Some((v, cut(&l.label, 120))),
                _ => None,
            })
            .collect();
        if labels.is_empty() {
            continue;
        }
        i32s(&mut out, &[3, labels.len() as i32]);
        for (v, l) in labels {
            out.extend_from_slice(&v.to_le_bytes());
            out.push(l.len() as u8);
            out.extend_from_slice(l.as_bytes());
            out.extend(std::iter::repeat_n(b' ', (8 - (l.len() + 1) % 8) % 8));
        }
        i32s(&mut out, &[4, 1, slot_of[j]]);
    }
    // machine integer info: version 1.0.0, machine 0, IEEE floats, compression 1, little-endian
    // (2), UTF-8 (65001)
    i32s(&mut out, &[7, 3, 4, 8, 1, 0, 0, -1, 1, 1, 2, 65001]);
    // machine float info: sysmis, highest, lowest
    i32s(&mut out, &[7, 4, 8, 3]);
    for v in [SYSMIS, f64::MAX, LOWEST] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    // measurement levels, display widths, alignment (right for numbers, left for strings): one
    // triple per variable record, a very long string's segments included
    i32s(&mut out, &[7, 11, 4, 3 * records as i32]);
    for (j, c) in columns.iter().enumerate() {
        let measure = match c.measure.as_deref() {
            Some("nominal") => 1,
            Some("ordinal") => 2,
            Some("scale") => 3,
            _ if widths[j] > 0 => 1,
            _ => 0,
        };
        for _ in &segs[j] {
            i32s(&mut out, &[measure, 8, if widths[j] > 0 { 0 } else { 1 }]);
        }
    }
    // long variable names
    let long: Vec<String> = columns
        .iter()
        .zip(&short)
        .map(|(c, s)| format!("{s}={}", c.name))
        .collect();
    let long = long.join("\t");
    i32s(&mut out, &[7, 13, 1, long.len() as i32]);
    out.extend_from_slice(long.as_bytes());
    // very long strings: the first segment's short name and the full width
    let very_long: String = widths
        .iter()
        .zip(&short)
        .filter(|(&w, _)| w > 255)
        .map(|(w, s)| format!("{s}={w:05}\0\t"))
        .collect();
    if !very_long.is_empty() {
        i32s(&mut out, &[7, 14, 1, very_long.len() as i32]);
        out.extend_from_slice(very_long.as_bytes());
    }
    // character encoding
    i32s(&mut out, &[7, 20, 1, 5]);
    out.extend_from_slice(b"UTF-8");
    i32s(&mut out, &[999, 0]);
    // cases
    let mut slot = Vec::with_capacity(case_size * 8);
    let mut codes = Bytecode::default();
    let numbers: Vec<_> = columns.iter().map(|c| c.cells.numbers()).collect();
    for i in 0..n {
        for (j, c) in columns.iter().enumerate() {
            slot.clear();
            match (&numbers[j], &c.cells) {
                (Some(v), _) => {
                    let x = if v[i].is_nan() { SYSMIS } else { v[i] };
                    if compress {
                        codes.number(&mut out, x);
                    } else {
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                }
                (None, Cells::Text(t)) => {
                    let text = cut(&t[i], widths[j]).as_bytes();
                    let n_seg = segs[j].len();
                    for (s, &sw) in segs[j].iter().enumerate() {
                        pad(
                            &mut slot,
                            segment_bytes(text, s, n_seg),
                            seg_slots(sw) * 8,
                            b' ',
                        );
                    }
                    if compress {
                        for chunk in slot.chunks(8) {
                            codes.raw(&mut out, chunk);
                        }
                    } else {
                        out.extend_from_slice(&slot);
                    }
                }
                (None, _) => {} // numbers() is None for text only
            }
        }
    }
    if compress {
        codes.finish(&mut out);
    }
    Ok(out)
}

/// The missing-value count code and values of a numeric variable: up to three values, or one
/// range (−2), or one range and one value (−3).
fn missing_record(codes: &[&MissingCode]) -> (i32, Vec<f64>) {
    let mut values = Vec::new();
    let mut range = None;
    for c in codes {
        match c {
            MissingCode::Value {
                value: Value::Number(v),
            } => values.push(*v),
            MissingCode::Range { low, high } if range.is_none() => {
                range = Some((low.unwrap_or(LOWEST), high.unwrap_or(f64::MAX)))
            }
            _ => {}
        }
    }
    match range {
        Some((lo, hi)) => {
            let mut v = vec![lo, hi];
            let n = if let Some(&x) = values.first() {
                v.push(x);
                -3
            } else {
                -2
            };
            (n, v)
        }
        None => {
            values.truncate(3);
            (values.len() as i32, values)
        }
    }
}

/// The bytecode compressor: codes are gathered eight at a time, each block followed by the raw
/// slots its 253 codes stand for.
#[derive(Default)]
struct Bytecode {
    codes: Vec<u8>,
    raw: Vec<u8>,
}

impl Bytecode {
    fn push(&mut self, out: &mut Vec<u8>, code: u8, raw: Option<&[u8]>) {
        self.codes.push(code);
        if let Some(r) = raw {
            self.raw.extend_from_slice(r);
        }
        if self.codes.len() == 8 {
            out.extend_from_slice(&self.codes);
            out.extend_from_slice(&self.raw);
            self.codes.clear();
            self.raw.clear();
        }
    }

    fn number(&mut self, out: &mut Vec<u8>, x: f64) {
        if x == SYSMIS {
            self.push(out, 255, None);
        } else if x.fract() == 0.0 && (-99.0..=151.0).contains(&x) {
            self.push(out, (x + 100.0) as u8, None);
        } else {
            self.push(out, 253, Some(&x.to_le_bytes()));
        }
    }

    fn raw(&mut self, out: &mut Vec<u8>, chunk: &[u8]) {
        if chunk == b"        " {
            self.push(out, 254, None);
        } else {
            self.push(out, 253, Some(chunk));
        }
    }

    /// Pads the last block with code 0 (ignored by readers).
    fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.codes.is_empty() {
            self.codes.resize(8, 0);
            out.extend_from_slice(&self.codes);
            out.extend_from_slice(&self.raw);
            self.codes.clear();
            self.raw.clear();
        }
    }
}
