//! SPSS system files: `.sav` (uncompressed or bytecode-compressed) and `.zsav` (zlib).
//!
//! Written against GNU PSPP's description of the system file format (PSPP developers' guide,
//! chapter *System File Format*, with its *Encrypted System Files* and zlib-compressed data
//! sections). A file is:
//!
//! 1. a 176-byte header: `$FL2` (`$FL3` for `.zsav`), product name, layout code (2 or 3; its byte
//!    order gives the file's), nominal case size in 8-byte slots, compression (0 none,
//!    1 bytecode, 2 zlib), weight index, number of cases (−1 = unknown), compression bias
//!    (100), creation date and time, file label;
//! 2. dictionary records, each starting with a 32-bit type: 2 = variable (type 0 numeric or
//!    string width 1–255, −1 for each further 8-byte slot of a string; optional label; up to three
//!    missing values, or a range (−2) or a range and one value (−3)), 3 + 4 = value labels and
//!    the variables (slot indices, 1-based) they apply to, 6 = documents, 7 = extensions (3
//!    machine integers with the character code, 11 measurement levels, 13 long variable names,
//!    14 very long strings, 20 character encoding, 21 long-string value labels, 22 long-string
//!    missing values), 999 = end of the dictionary;
//! 3. the cases, one 8-byte slot per numeric variable and `⌈width/8⌉` per string. Uncompressed,
//!    slots are stored as they are. Bytecode compression stores blocks of eight one-byte codes,
//!    each followed by the raw slots its codes ask for: 0 = skip, 1–251 = the number
//!    `code − bias`, 252 = end of data, 253 = one raw slot follows, 254 = eight spaces, 255 =
//!    system-missing. A `.zsav` stores the bytecode stream in zlib blocks listed by a trailer
//!    (offsets and sizes of each block).
//!
//! System-missing is `−DBL_MAX`. A string longer than 255 bytes (a very long string of width
//! `w`) is stored as `⌈w/252⌉` segments named by the very-long-string record: each but the last
//! of width 255, the last of width `w − 252·(segments − 1)`; each segment holds 255 bytes of the
//! text, the last the rest (so the last one's width has a few bytes to spare). Encrypted files (which start
//! with a 36-byte wrapper naming `ENCRYPTEDSAV`) are refused with a clear message.

use super::{
    decode_text, field_text, Bytes, Cells, Column, Format, MissingCode, Table, Value, ValueLabel,
};
use crate::error::{Error, Location, Result};
use std::collections::HashMap;
use std::io::Read;

/// One variable record (a string's continuation records are counted in `slots`).
#[derive(Debug, Clone)]
struct RawVar {
    /// First slot of the case.
    slot: usize,
    /// 0 = numeric, else string width.
    width: usize,
    short_name: String,
    /// Label bytes, decoded once the encoding is known.
    label: Option<Vec<u8>>,
    missing: Vec<MissingCode>,
}

/// Where a column's bytes are in a case: (slot, bytes taken from it).
#[derive(Debug, Clone)]
struct Plan {
    pieces: Vec<(usize, usize)>,
    numeric: bool,
}

/// A value-label record: (raw value, label bytes) pairs and the slots they apply to.
type LabelSet<'a> = (Vec<([u8; 8], &'a [u8])>, Vec<usize>);

const SYSMIS_BITS: u64 = 0xffef_ffff_ffff_ffff;

/// Reads an SPSS system file (`.sav` or `.zsav`) from its bytes.
pub fn read(bytes: &[u8], at: &Location) -> Result<Table> {
    if bytes.len() >= 20 && &bytes[8..17] == b"ENCRYPTED" {
        return Err(Error::Format {
            at: at.clone(),
            msg: "is an encrypted (password-protected) SPSS file; save it without a password in \
                  SPSS (File > Save As, no encryption) and read that copy"
                .into(),
        });
    }
    let mut b = Bytes::new(bytes, at, "the SPSS system file");
    let magic = b.array::<4>().map_err(|_| not_sav(at))?;
    if &magic != b"$FL2" && &magic != b"$FL3" {
        return Err(not_sav(at));
    }
    b.take(60)?; // product name
    let layout = b.array::<4>()?;
    b.big_endian = match (i32::from_le_bytes(layout), i32::from_be_bytes(layout)) {
        (2 | 3, _) => false,
        (_, 2 | 3) => true,
        _ => return Err(b.corrupt("the layout code is neither 2 nor 3")),
    };
    let _nominal = b.i32()?;
    let compression = b.i32()?;
    let _weight = b.i32()?;
    let ncases = b.i32()?;
    let bias = b.f64()?;
    b.take(17)?; // creation date and time
    let file_label = field_text(b.take(64)?, false);
    b.take(3)?;
    if !(0..=2).contains(&compression) {
        return Err(b.corrupt(format!("unknown compression {compression}")));
    }
    if compression == 2 && &magic != b"$FL3" || compression != 2 && &magic == b"$FL3" {
        return Err(b.corrupt("the zlib compression flag does not match the $FL3 signature"));
    }

    // --- dictionary
    let mut vars: Vec<RawVar> = Vec::new();
    let mut slots = 0usize;
    // slot index (0-based) -> var index
    let mut slot_var: Vec<Option<usize>> = Vec::new();
    let mut labels_raw: Vec<LabelSet> = Vec::new();
    let mut ext: HashMap<i32, Vec<&[u8]>> = HashMap::new();
    loop {
        let rec = b.i32()?;
        match rec {
            2 => {
                let typ = b.i32()?;
                let has_label = b.i32()?;
                let n_missing = b.i32()?;
                b.take(8)?; // print and write formats
                let name = b.take(8)?.to_vec();
                let label = if has_label == 1 {
                    let len = b.i32()?;
                    if !(0..=65535).contains(&len) {
                        return Err(b.corrupt(format!("a variable label of {len} bytes")));
                    }
                    let len = len as usize;
                    let raw = b.take(len)?.to_vec();
                    b.take((4 - len % 4) % 4)?;
                    Some(raw)
                } else {
                    None
                };
                let mut missing = Vec::new();
                let count = match n_missing {
                    0..=3 => n_missing as usize,
                    -2 => 2,
                    -3 => 3,
                    _ => return Err(b.corrupt(format!("{n_missing} missing values"))),
                };
                let mut raw_missing = Vec::with_capacity(count);
                for _ in 0..count {
                    raw_missing.push(b.array::<8>()?);
                }
                if typ == -1 {
                    if vars.is_empty() {
                        return Err(b.corrupt("a string continuation before any variable"));
                    }
                    slot_var.push(Some(vars.len() - 1));
                    slots += 1;
                    continue;
                }
                if !(0..=255).contains(&typ) {
                    return Err(b.corrupt(format!("variable type {typ}")));
                }
                let f = |raw: [u8; 8]| {
                    if b.big_endian {
                        f64::from_be_bytes(raw)
                    } else {
                        f64::from_le_bytes(raw)
                    }
                };
                if typ == 0 {
                    let mut vals = raw_missing.iter().map(|r| f(*r));
                    if n_missing < 0 {
                        let lo = vals.next().unwrap_or(f64::NAN);
                        let hi = vals.next().unwrap_or(f64::NAN);
                        missing.push(MissingCode::Range {
                            low: (lo > -1e300).then_some(lo),
                            high: (hi < 1e300).then_some(hi),
                        });
                    }
                    missing.extend(vals.map(|v| MissingCode::Value {
                        value: Value::Number(v),
                    }));
                } else {
                    missing.extend(raw_missing.iter().map(|r| MissingCode::Value {
                        value: Value::Text(decode_text(r, true).trim_end().to_string()),
                    }));
                }
                vars.push(RawVar {
                    slot: slots,
                    width: typ as usize,
                    short_name: field_text(&name, true),
                    label,
                    missing,
                });
                slot_var.push(Some(vars.len() - 1));
                slots += 1;
            }
            3 => {
                let count = b.i32()?;
                if count < 0 {
                    return Err(b.corrupt(format!("{count} value labels")));
                }
                let mut pairs = Vec::new();
                for _ in 0..count {
                    let value = b.array::<8>()?;
                    let len = b.u8()? as usize;
                    let label = b.take(len)?;
                    b.take((8 - (len + 1) % 8) % 8)?;
                    pairs.push((value, label));
                }
                if b.i32()? != 4 {
                    return Err(b.corrupt("value labels not followed by their variables"));
                }
                let n = b.i32()?;
                if n < 0 {
                    return Err(b.corrupt(format!("value labels for {n} variables")));
                }
                let mut idx = Vec::new();
                for _ in 0..n {
                    let i = b.i32()?;
                    if i < 1 {
                        return Err(b.corrupt(format!("value labels for variable {i}")));
                    }
                    idx.push(i as usize - 1);
                }
                labels_raw.push((pairs, idx));
            }
            6 => {
                let n = b.i32()?;
                if n < 0 {
                    return Err(b.corrupt(format!("{n} document lines")));
                }
                b.take((n as usize).saturating_mul(80))?;
            }
            7 => {
                let subtype = b.i32()?;
                let size = b.i32()?;
                let count = b.i32()?;
                if size < 0 || count < 0 {
                    return Err(b.corrupt("an extension record of negative size"));
                }
                let len = (size as usize)
                    .checked_mul(count as usize)
                    .ok_or_else(|| b.corrupt("an extension record too large"))?;
                let data = b.take(len)?;
                ext.entry(subtype).or_default().push(data);
            }
            999 => {
                b.i32()?;
                break;
            }
            other => return Err(b.corrupt(format!("unknown record type {other}"))),
        }
    }
    let int32 = |d: &[u8], i: usize| -> Option<i32> {
        let s = d.get(i * 4..i * 4 + 4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if b.big_endian {
            i32::from_be_bytes(a)
        } else {
            i32::from_le_bytes(a)
        })
    };
    // character encoding: record 20 names it; else the code page of record 3
    let utf8 = match ext.get(&20).and_then(|v| v.first()) {
        Some(name) => {
            let n = String::from_utf8_lossy(name).to_ascii_lowercase();
            n.contains("utf-8") || n.contains("utf8")
        }
        None => ext
            .get(&3)
            .and_then(|v| v.first())
            .and_then(|d| int32(d, 7))
            .is_some_and(|c| c == 65001),
    };
    let text = |raw: &[u8]| decode_text(raw, utf8);
    // long variable names: SHORT=Long<tab>...
    let mut long_names: HashMap<String, String> = HashMap::new();
    for d in ext.get(&13).into_iter().flatten() {
        for pair in text(d).split('\t') {
            if let Some((s, l)) = pair.split_once('=') {
                long_names.insert(
                    s.trim().to_uppercase(),
                    l.trim_end_matches('\0').to_string(),
                );
            }
        }
    }
    // very long strings: SHORT=00600\0\t...
    let mut very_long: HashMap<String, usize> = HashMap::new();
    for d in ext.get(&14).into_iter().flatten() {
        for pair in text(d).split('\t') {
            if let Some((s, w)) = pair.split_once('=') {
                if let Ok(w) = w.trim_matches(['\0', ' ']).parse::<usize>() {
                    very_long.insert(s.trim().to_uppercase(), w);
                }
            }
        }
    }
    // measurement levels, one triple per variable record
    let measures: Vec<Option<String>> = match ext.get(&11).and_then(|v| v.first()) {
        Some(d) if d.len() / 12 == vars.len() => (0..vars.len())
            .map(|i| {
                int32(d, 3 * i).and_then(|m| match m {
                    1 => Some("nominal".to_string()),
                    2 => Some("ordinal".to_string()),
                    3 => Some("scale".to_string()),
                    _ => None,
                })
            })
            .collect(),
        _ => vec![None; vars.len()],
    };

    // --- columns: merge very long string segments
    let mut columns: Vec<Column> = Vec::new();
    let mut plans: Vec<Plan> = Vec::new();
    let mut col_of_var: Vec<Option<usize>> = vec![None; vars.len()];
    let mut i = 0;
    while i < vars.len() {
        let v = &vars[i];
        let upper = v.short_name.to_uppercase();
        let name = long_names
            .get(&upper)
            .cloned()
            .unwrap_or_else(|| v.short_name.clone());
        let mut plan = Plan {
            pieces: Vec::new(),
            numeric: v.width == 0,
        };
        let first = i;
        if v.width == 0 {
            plan.pieces.push((v.slot, 8));
            i += 1;
        } else if let Some(&w) = very_long.get(&upper).filter(|&&w| w > 255) {
            let nseg = w.div_ceil(252);
            if i + nseg > vars.len() {
                return Err(b.corrupt(format!("very long string {name} lacks its segments")));
            }
            let mut left = w;
            for seg in &vars[i..i + nseg] {
                // each segment holds up to 255 bytes of the text (PSPP's
                // sfm_segment_used_bytes; what SPSS and haven write), the last one the rest
                let take = left.min(255).min(seg.width);
                push_string(&mut plan, seg.slot, take);
                left -= take;
            }
            i += nseg;
        } else {
            push_string(&mut plan, v.slot, v.width);
            i += 1;
        }
        for c in col_of_var.iter_mut().take(i).skip(first) {
            *c = Some(columns.len());
        }
        let v = &vars[first];
        columns.push(Column {
            name,
            label: v
                .label
                .as_ref()
                .map(|r| text(r).trim_end().to_string())
                .filter(|l| !l.is_empty()),
            cells: if plan.numeric {
                Cells::Numbers(Vec::new())
            } else {
                Cells::Text(Vec::new())
            },
            value_labels: Vec::new(),
            missing: v.missing.clone(),
            declared_missing: 0,
            measure: measures.get(first).cloned().flatten(),
        });
        plans.push(plan);
    }
    // value labels (record 3/4): numbers for numeric variables, 8-byte strings for strings
    for (pairs, idx) in &labels_raw {
        for &slot in idx {
            let Some(c) = slot_var
                .get(slot)
                .copied()
                .flatten()
                .and_then(|v| col_of_var[v])
            else {
                return Err(b.corrupt(format!("value labels for variable {}", slot + 1)));
            };
            let numeric = plans[c].numeric;
            columns[c].value_labels = pairs
                .iter()
                .map(|(raw, label)| ValueLabel {
                    value: if numeric {
                        Value::Number(if b.big_endian {
                            f64::from_be_bytes(*raw)
                        } else {
                            f64::from_le_bytes(*raw)
                        })
                    } else {
                        Value::Text(text(raw).trim_end().to_string())
                    },
                    label: text(label).trim_end().to_string(),
                })
                .collect();
        }
    }
    // long string value labels (record 21) and missing values (record 22)
    for d in ext.get(&21).into_iter().flatten() {
        long_string_labels(d, &mut columns, b.big_endian, utf8);
    }
    for d in ext.get(&22).into_iter().flatten() {
        long_string_missing(d, &mut columns, b.big_endian, utf8);
    }

    // --- data
    let case_size = slots;
    // a corrupt dictionary can place a variable past the case (or give a numeric one no slot)
    if plans
        .iter()
        .any(|p| p.pieces.is_empty() || p.pieces.iter().any(|&(s, _)| s >= case_size))
    {
        return Err(Error::Format {
            at: at.clone(),
            msg: format!(
                "is corrupt: its variable records place a variable outside the {case_size} slots of a case"
            ),
        });
    }
    let data: std::borrow::Cow<[u8]> = if compression == 2 {
        std::borrow::Cow::Owned(inflate_zsav(&mut b)?)
    } else {
        std::borrow::Cow::Borrowed(b.rest())
    };
    let mut cases = Cases {
        data: &data,
        pos: 0,
        compressed: compression != 0,
        bias,
        big_endian: b.big_endian,
        codes: [0; 8],
        next_code: 8,
    };
    let n_hint = if case_size == 0 {
        0
    } else if compression == 0 {
        data.len() / (8 * case_size)
    } else {
        data.len() / case_size + 1
    };
    let n_hint = if ncases >= 0 {
        n_hint.min(ncases as usize)
    } else {
        n_hint
    };
    for c in &mut columns {
        match &mut c.cells {
            Cells::Numbers(v) => v.reserve(n_hint),
            Cells::Text(v) => v.reserve(n_hint),
            Cells::Memory(_) => {} // a reader makes no shared columns
        }
    }
    let mut case = vec![[0u8; 8]; case_size];
    let mut n = 0usize;
    let mut bytes_buf: Vec<u8> = Vec::new();
    if case_size > 0 {
        'cases: loop {
            if ncases >= 0 && n == ncases as usize {
                break;
            }
            for (s, slot) in case.iter_mut().enumerate() {
                match cases.next_slot() {
                    Some(Ok(v)) => *slot = v,
                    Some(Err(e)) => {
                        return Err(Error::Format {
                            at: at.clone(),
                            msg: format!(
                                "the SPSS system file is truncated: {e} (case {}, row {})",
                                n + 1,
                                n + 2
                            ),
                        })
                    }
                    None if s == 0 && ncases < 0 => break 'cases,
                    None => {
                        return Err(Error::Format {
                            at: at.clone(),
                            msg: format!(
                                "the SPSS system file is truncated: the data end inside case {} \
                                 (row {}){}",
                                n + 1,
                                n + 2,
                                if ncases >= 0 {
                                    format!(" of the {ncases} the header announces")
                                } else {
                                    String::new()
                                }
                            ),
                        })
                    }
                }
            }
            for (col, plan) in columns.iter_mut().zip(&plans) {
                if plan.numeric {
                    let raw = case[plan.pieces[0].0];
                    let bits = if b.big_endian {
                        u64::from_be_bytes(raw)
                    } else {
                        u64::from_le_bytes(raw)
                    };
                    let mut v = f64::from_bits(bits);
                    if bits == SYSMIS_BITS || !v.is_finite() {
                        v = f64::NAN;
                    } else if !col.missing.is_empty() && col.missing.iter().any(|m| m.matches(v)) {
                        v = f64::NAN;
                        col.declared_missing += 1;
                    }
                    if let Cells::Numbers(x) = &mut col.cells {
                        x.push(v);
                    }
                } else {
                    bytes_buf.clear();
                    for &(s, take) in &plan.pieces {
                        bytes_buf.extend_from_slice(&case[s][..take]);
                    }
                    let mut s = text(&bytes_buf).trim_end().to_string();
                    if !s.is_empty()
                        && col.missing.iter().any(|m| {
                            matches!(m, MissingCode::Value { value: Value::Text(t) } if *t == s)
                        })
                    {
                        s.clear();
                        col.declared_missing += 1;
                    }
                    if let Cells::Text(x) = &mut col.cells {
                        x.push(s);
                    }
                }
            }
            n += 1;
        }
    }
    Ok(Table {
        file: at.file.clone(),
        format: if compression == 2 {
            Format::Zsav
        } else {
            Format::Sav
        },
        version: format!(
            "{}{}",
            String::from_utf8_lossy(&magic),
            match compression {
                0 => " uncompressed",
                1 => " bytecode-compressed",
                _ => " zlib-compressed",
            }
        ),
        label: Some(text(file_label.as_bytes())).filter(|l| !l.trim().is_empty()),
        columns,
        rows: (0..n as u64).map(|i| i + 2).collect(),
    })
}

fn not_sav(at: &Location) -> Error {
    Error::Format {
        at: at.clone(),
        msg: "is not an SPSS system file (it does not start with $FL2 or $FL3)".into(),
    }
}

/// The slots of a string of `width` bytes from `slot` on.
fn push_string(plan: &mut Plan, slot: usize, width: usize) {
    let mut left = width;
    let mut s = slot;
    while left > 0 {
        let take = left.min(8);
        plan.pieces.push((s, take));
        left -= take;
        s += 1;
    }
}

/// The case data, uncompressed or bytecode-compressed, slot by slot.
struct Cases<'a> {
    data: &'a [u8],
    pos: usize,
    compressed: bool,
    bias: f64,
    big_endian: bool,
    codes: [u8; 8],
    next_code: usize,
}

impl Cases<'_> {
    fn raw(&mut self) -> Option<[u8; 8]> {
        let s = self.data.get(self.pos..self.pos + 8)?;
        self.pos += 8;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(a)
    }

    /// The next slot; `None` at the end of the data, `Some(Err)` when a code asks for bytes
    /// that are not there.
    fn next_slot(&mut self) -> Option<std::result::Result<[u8; 8], String>> {
        if !self.compressed {
            return self.raw().map(Ok);
        }
        loop {
            if self.next_code == 8 {
                self.codes = self.raw()?;
                self.next_code = 0;
            }
            let code = self.codes[self.next_code];
            self.next_code += 1;
            return Some(Ok(match code {
                0 => continue,
                1..=251 => {
                    let v = f64::from(code) - self.bias;
                    if self.big_endian {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    }
                }
                252 => {
                    self.pos = self.data.len();
                    self.next_code = 8;
                    return None;
                }
                253 => match self.raw() {
                    Some(r) => r,
                    None => return Some(Err("a raw value is cut off at the end".into())),
                },
                254 => *b"        ",
                _ => {
                    if self.big_endian {
                        SYSMIS_BITS.to_be_bytes()
                    } else {
                        SYSMIS_BITS.to_le_bytes()
                    }
                }
            }));
        }
    }
}

/// Inflates the zlib blocks of a `.zsav` into the bytecode stream (PSPP: *zlib compressed
/// data*: a header with the offsets of itself, the trailer and the trailer's length; the
/// trailer lists each block's uncompressed and compressed offsets and sizes).
fn inflate_zsav(b: &mut Bytes<'_>) -> Result<Vec<u8>> {
    let header_ofs = b.u64()?;
    let trailer_ofs = b.u64()?;
    let trailer_len = b.u64()?;
    if header_ofs as usize != b.pos() - 24 {
        return Err(b.corrupt("the zlib header does not point at itself"));
    }
    let start = b.pos();
    let trailer_ofs = usize::try_from(trailer_ofs).unwrap_or(usize::MAX);
    if trailer_ofs > b.len() || trailer_ofs < start {
        return Err(b.truncated(trailer_ofs.saturating_sub(b.len()).max(1)));
    }
    b.seek(trailer_ofs)?;
    let _bias = b.u64()?;
    let _zero = b.u64()?;
    let block_size = b.u32()? as usize;
    let n_blocks = b.u32()? as usize;
    if trailer_len != 24 + 24 * n_blocks as u64 {
        return Err(b.corrupt("the zlib trailer's length does not match its blocks"));
    }
    let mut blocks = Vec::new();
    for _ in 0..n_blocks {
        let _uofs = b.u64()?;
        let cofs = b.u64()? as usize;
        let usize_ = b.u32()? as usize;
        let csize = b.u32()? as usize;
        if usize_ > block_size.max(1 << 22) {
            return Err(b.corrupt("a zlib block larger than the block size"));
        }
        blocks.push((cofs, csize, usize_));
    }
    let mut out = Vec::new();
    for (i, (cofs, csize, usize_)) in blocks.into_iter().enumerate() {
        b.seek(cofs)?;
        let comp = b.take(csize)?;
        let before = out.len();
        let mut z = flate2::read::ZlibDecoder::new(comp).take(usize_ as u64 + 1);
        z.read_to_end(&mut out)
            .map_err(|e| b.corrupt(format!("zlib block {} does not inflate ({e})", i + 1)))?;
        if out.len() - before != usize_ {
            return Err(b.corrupt(format!(
                "zlib block {} inflates to {} bytes, not the {} its trailer says",
                i + 1,
                out.len() - before,
                usize_
            )));
        }
    }
    Ok(out)
}

/// A length-prefixed field of an extension record.
fn lp<'a>(d: &'a [u8], pos: &mut usize, big_endian: bool) -> Option<&'a [u8]> {
    let n = int_at(d, *pos, big_endian)?;
    let n = usize::try_from(n).ok()?;
    let s = d.get(*pos + 4..(*pos + 4).checked_add(n)?)?;
    *pos += 4 + n;
    Some(s)
}

fn int_at(d: &[u8], pos: usize, big_endian: bool) -> Option<i32> {
    let s = d.get(pos..pos + 4)?;
    let a = [s[0], s[1], s[2], s[3]];
    Some(if big_endian {
        i32::from_be_bytes(a)
    } else {
        i32::from_le_bytes(a)
    })
}

/// Record 21: for each long string variable, its name, width and `(value, label)` pairs.
fn long_string_labels(d: &[u8], columns: &mut [Column], be: bool, utf8: bool) {
    let mut pos = 0;
    while pos < d.len() {
        let Some(name) = lp(d, &mut pos, be) else {
            return;
        };
        let name = decode_text(name, utf8);
        let (Some(_width), Some(n)) = (int_at(d, pos, be), int_at(d, pos + 4, be)) else {
            return;
        };
        pos += 8;
        let mut labels = Vec::new();
        for _ in 0..n.max(0) {
            let (Some(v), Some(l)) = (lp(d, &mut pos, be), lp(d, &mut pos, be)) else {
                return;
            };
            labels.push(ValueLabel {
                value: Value::Text(decode_text(v, utf8).trim_end().to_string()),
                label: decode_text(l, utf8).trim_end().to_string(),
            });
        }
        if let Some(c) = columns
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(&name))
        {
            c.value_labels = labels;
        }
    }
}

/// Record 22: for each long string variable, its name and up to three missing values.
fn long_string_missing(d: &[u8], columns: &mut [Column], be: bool, utf8: bool) {
    let mut pos = 0;
    while pos < d.len() {
        let Some(name) = lp(d, &mut pos, be) else {
            return;
        };
        let name = decode_text(name, utf8);
        let Some(&n) = d.get(pos) else { return };
        pos += 1;
        let Some(len) = int_at(d, pos, be).and_then(|l| usize::try_from(l).ok()) else {
            return;
        };
        pos += 4;
        let mut codes = Vec::new();
        for _ in 0..n.min(3) {
            let Some(v) = d.get(pos..pos.saturating_add(len)) else {
                return;
            };
            pos += len;
            codes.push(MissingCode::Value {
                value: Value::Text(decode_text(v, utf8).trim_end().to_string()),
            });
        }
        if let Some(c) = columns
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(&name))
        {
            c.missing = codes;
        }
    }
}
