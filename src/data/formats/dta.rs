//! Stata datasets (`.dta`), releases 117 (Stata 13), 118 (Stata 14–18) and 119 (Stata 15–18
//! with more than 32,767 variables).
//!
//! Written against StataCorp's *dta file format* description. A file is a sequence of tagged
//! sections: `<header>` (release, byte order `LSF`/`MSF`, the number of variables K as 16 bits
//! (32 in 119), of observations N as 32 bits in 117 and 64 bits after, the dataset label and a
//! time stamp), `<map>` (offsets), `<variable_types>` (K 16-bit codes: 1–2045 = `str#` of that
//! width, 32768 = `strL`, 65526 double, 65527 float, 65528 long, 65529 int, 65530 byte),
//! `<varnames>` (33 bytes each in 117, 129 after), `<sortlist>`, `<formats>`,
//! `<value_label_names>`, `<variable_labels>` (81 / 321 bytes), `<characteristics>`, `<data>`
//! (N rows of the variables' fixed widths), `<strls>` (the long strings, `GSO` entries keyed by
//! variable and observation) and `<value_labels>` (one `<lbl>` table per label set: n entries,
//! text length, n text offsets, n 32-bit values, the texts).
//!
//! Missing values are the largest codes of each type (`.`, `.a`–`.z`): a byte above 100, an int
//! above 32,740, a long above 2,147,483,620, a float above 2^127 (1.701e38) and a double above
//! 2^1023 (8.988e307). Release 117 text is Windows-1252, later releases UTF-8. Stata has no
//! user-missing declarations: codes such as −99 stay numbers unless `--missing` names them.

use super::{decode_text, field_text, Bytes, Cells, Column, Format, Table, Value, ValueLabel};
use crate::error::{Error, Location, Result};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Str(usize),
    StrL,
    Double,
    Float,
    Long,
    Int,
    Byte,
}

impl Kind {
    fn width(self) -> usize {
        match self {
            Kind::Str(w) => w,
            Kind::StrL | Kind::Double => 8,
            Kind::Float | Kind::Long => 4,
            Kind::Int => 2,
            Kind::Byte => 1,
        }
    }
}

/// Reads a Stata `.dta` file (release 117, 118 or 119) from its bytes.
pub fn read(bytes: &[u8], at: &Location) -> Result<Table> {
    let mut b = Bytes::new(bytes, at, "the Stata dataset");
    if !bytes.starts_with(b"<stata_dta>") {
        return Err(Error::Format {
            at: at.clone(),
            msg: match bytes.first() {
                Some(&v) if (102..=115).contains(&v) => format!(
                    "is a Stata dataset of release {v} (Stata 12 or older); save it from Stata 13 \
                     or later (release 117–119), or as CSV"
                ),
                _ => "is not a Stata dataset of release 117–119 (it does not start with \
                      <stata_dta>)"
                    .to_string(),
            },
        });
    }
    b.expect(b"<stata_dta><header><release>")?;
    let release = b.take(3)?;
    let release: u32 = match release {
        b"117" => 117,
        b"118" => 118,
        b"119" => 119,
        other => {
            return Err(b.corrupt(format!(
                "release {} (117, 118 and 119 are read)",
                String::from_utf8_lossy(other)
            )))
        }
    };
    b.expect(b"</release><byteorder>")?;
    b.big_endian = match b.take(3)? {
        b"MSF" => true,
        b"LSF" => false,
        _ => return Err(b.corrupt("the byte order is neither MSF nor LSF")),
    };
    b.expect(b"</byteorder><K>")?;
    let k = if release == 119 {
        b.u32()? as usize
    } else {
        b.u16()? as usize
    };
    b.expect(b"</K><N>")?;
    let n = if release == 117 {
        u64::from(b.u32()?)
    } else {
        b.u64()?
    };
    b.expect(b"</N><label>")?;
    let label_len = if release == 117 {
        usize::from(b.u8()?)
    } else {
        usize::from(b.u16()?)
    };
    let utf8 = release >= 118;
    let label = decode_text(b.take(label_len)?, utf8);
    b.expect(b"</label><timestamp>")?;
    let ts = usize::from(b.u8()?);
    b.take(ts)?;
    b.expect(b"</timestamp></header><map>")?;
    b.take(14 * 8)?;
    b.expect(b"</map><variable_types>")?;
    // every variable needs at least one byte per section below: bound K by the file's size
    if k > b.rest().len() {
        return Err(b.truncated(k - b.rest().len()));
    }
    let mut kinds = Vec::with_capacity(k);
    for _ in 0..k {
        let t = b.u16()?;
        kinds.push(match t {
            1..=2045 => Kind::Str(usize::from(t)),
            32768 => Kind::StrL,
            65526 => Kind::Double,
            65527 => Kind::Float,
            65528 => Kind::Long,
            65529 => Kind::Int,
            65530 => Kind::Byte,
            other => return Err(b.corrupt(format!("variable type {other}"))),
        });
    }
    let name_len = if release == 117 { 33 } else { 129 };
    b.expect(b"</variable_types><varnames>")?;
    let mut names = Vec::with_capacity(k);
    for _ in 0..k {
        names.push(field_text(b.take(name_len)?, utf8));
    }
    b.expect(b"</varnames><sortlist>")?;
    let sort_width = if release == 119 { 4 } else { 2 };
    b.take((k + 1) * sort_width)?;
    b.expect(b"</sortlist><formats>")?;
    b.take(k * if release == 117 { 49 } else { 57 })?;
    b.expect(b"</formats><value_label_names>")?;
    let mut label_sets = Vec::with_capacity(k);
    for _ in 0..k {
        label_sets.push(field_text(b.take(name_len)?, utf8));
    }
    b.expect(b"</value_label_names><variable_labels>")?;
    let var_label_len = if release == 117 { 81 } else { 321 };
    let mut var_labels = Vec::with_capacity(k);
    for _ in 0..k {
        var_labels.push(field_text(b.take(var_label_len)?, utf8));
    }
    b.expect(b"</variable_labels><characteristics>")?;
    while b.rest().starts_with(b"<ch>") {
        b.take(4)?;
        let len = b.u32()? as usize;
        b.take(len)?;
        b.expect(b"</ch>")?;
    }
    b.expect(b"</characteristics><data>")?;
    let row_width: usize = kinds.iter().map(|k| k.width()).sum();
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    let data_len = n
        .checked_mul(row_width)
        .ok_or_else(|| b.corrupt(format!("{n} observations")))?;
    let data = b.take(data_len)?;
    b.expect(b"</data><strls>")?;
    let mut strls: HashMap<(u64, u64), String> = HashMap::new();
    while b.rest().starts_with(b"GSO") {
        b.take(3)?;
        let v = u64::from(b.u32()?);
        let o = if release == 117 {
            u64::from(b.u32()?)
        } else {
            b.u64()?
        };
        let t = b.u8()?;
        let len = b.u32()? as usize;
        let mut s = b.take(len)?;
        if t == 130 {
            // text stored with its terminating NUL
            s = s.strip_suffix(&[0]).unwrap_or(s);
        }
        strls.insert((v, o), decode_text(s, utf8));
    }
    b.expect(b"</strls><value_labels>")?;
    let mut sets: HashMap<String, Vec<ValueLabel>> = HashMap::new();
    while b.rest().starts_with(b"<lbl>") {
        b.take(5)?;
        let len = b.u32()? as usize;
        let name = field_text(b.take(name_len)?, utf8);
        b.take(3)?;
        let table = b.take(len)?;
        let mut t = Bytes::new(table, at, "a Stata value-label table");
        t.big_endian = b.big_endian;
        let count = t.u32()? as usize;
        let txt_len = t.u32()? as usize;
        if count.saturating_mul(8) > table.len() {
            return Err(b.corrupt(format!("value label set {name} claims {count} labels")));
        }
        let mut offs = Vec::with_capacity(count);
        for _ in 0..count {
            offs.push(t.u32()? as usize);
        }
        let mut vals = Vec::with_capacity(count);
        for _ in 0..count {
            vals.push(t.i32()?);
        }
        let txt = t.take(txt_len)?;
        let mut labels = Vec::with_capacity(count);
        for (off, v) in offs.into_iter().zip(vals) {
            let Some(s) = txt.get(off..) else {
                return Err(b.corrupt(format!("value label set {name} points past its text")));
            };
            labels.push(ValueLabel {
                value: Value::Number(f64::from(v)),
                label: field_text(s, utf8),
            });
        }
        sets.insert(name, labels);
        b.expect(b"</lbl>")?;
    }
    b.expect(b"</value_labels></stata_dta>")?;

    // --- columns
    let mut columns: Vec<Column> = kinds
        .iter()
        .zip(&names)
        .map(|(kind, name)| {
            let cells = match kind {
                Kind::Str(_) | Kind::StrL => Cells::Text(Vec::with_capacity(n)),
                _ => Cells::Numbers(Vec::with_capacity(n)),
            };
            Column::new(name.clone(), cells)
        })
        .collect();
    for (j, c) in columns.iter_mut().enumerate() {
        c.label = Some(var_labels[j].clone()).filter(|l| !l.is_empty());
        if let (Some(set), Cells::Numbers(_)) = (sets.get(&label_sets[j]), &c.cells) {
            c.value_labels = set.clone();
        }
    }
    let be = b.big_endian;
    let v_bits = match release {
        117 => 32,
        118 => 16,
        _ => 24,
    };
    for row in data.chunks_exact(row_width.max(1)).take(n) {
        let mut off = 0;
        for (kind, col) in kinds.iter().zip(columns.iter_mut()) {
            let w = kind.width();
            let cell = &row[off..off + w];
            off += w;
            match (&mut col.cells, kind) {
                (Cells::Text(x), Kind::Str(_)) => x.push(field_text(cell, utf8)),
                (Cells::Text(x), _) => {
                    let raw = u64_of(cell, be);
                    let key = if v_bits == 32 {
                        let (v, o) = if be {
                            (raw >> 32, raw & 0xffff_ffff)
                        } else {
                            (raw & 0xffff_ffff, raw >> 32)
                        };
                        (v, o)
                    } else if be {
                        (raw >> (64 - v_bits), raw & ((1u64 << (64 - v_bits)) - 1))
                    } else {
                        (raw & ((1u64 << v_bits) - 1), raw >> v_bits)
                    };
                    x.push(strls.get(&key).cloned().unwrap_or_default());
                }
                (Cells::Numbers(x), kind) => x.push(number(cell, *kind, be)),
                (Cells::Memory(_), _) => {} // a reader makes no shared columns
            }
        }
    }
    if row_width == 0 && n > 0 {
        return Err(b.corrupt("observations without variables"));
    }
    let n_rows = if row_width == 0 { 0 } else { n };
    Ok(Table {
        file: at.file.clone(),
        format: Format::Dta,
        version: release.to_string(),
        label: Some(label).filter(|l| !l.is_empty()),
        columns,
        rows: (0..n_rows as u64).map(|i| i + 2).collect(),
    })
}

fn u64_of(cell: &[u8], be: bool) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&cell[..8]);
    if be {
        u64::from_be_bytes(a)
    } else {
        u64::from_le_bytes(a)
    }
}

/// A numeric cell, `NaN` for Stata's missing values.
fn number(cell: &[u8], kind: Kind, be: bool) -> f64 {
    macro_rules! get {
        ($t:ty, $n:literal) => {{
            let mut a = [0u8; $n];
            a.copy_from_slice(&cell[..$n]);
            if be {
                <$t>::from_be_bytes(a)
            } else {
                <$t>::from_le_bytes(a)
            }
        }};
    }
    match kind {
        Kind::Byte => {
            let v = get!(i8, 1);
            if v > 100 {
                f64::NAN
            } else {
                f64::from(v)
            }
        }
        Kind::Int => {
            let v = get!(i16, 2);
            if v > 32_740 {
                f64::NAN
            } else {
                f64::from(v)
            }
        }
        Kind::Long => {
            let v = get!(i32, 4);
            if v > 2_147_483_620 {
                f64::NAN
            } else {
                f64::from(v)
            }
        }
        Kind::Float => {
            let v = get!(f32, 4);
            if !v.is_finite() || v > f32::from_bits(0x7eff_ffff) {
                f64::NAN
            } else {
                // widened exactly, as haven and pyreadstat (ReadStat) read a float: 0.1f is
                // 0.10000000149011612 (tests/fixtures/formats/float-118.dta)
                f64::from(v)
            }
        }
        Kind::Double => {
            let v = get!(f64, 8);
            if !v.is_finite() || v > f64::from_bits(0x7fdf_ffff_ffff_ffff) {
                f64::NAN
            } else {
                v
            }
        }
        Kind::Str(_) | Kind::StrL => f64::NAN,
    }
}
