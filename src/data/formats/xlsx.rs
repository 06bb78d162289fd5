//! Excel workbooks (`.xlsx`, Office Open XML), through the `calamine` crate.
//!
//! One sheet is read (`--sheet NAME`, default the first): its first non-empty row holds the
//! column names, the rows below the data, numbered as Excel shows them. A column whose non-empty
//! cells are all numbers (or dates, read as their serial numbers) is numeric; any other column is
//! text, whose cells are parsed as CSV cells when answers are asked of it (numbers in it are
//! printed as a CSV writer would). Empty rows are not data rows (as blank lines of a CSV).
//! Workbooks carry no value labels or missing codes.

use super::{number_text, Cells, Column, Format, Table};
use crate::error::{Error, Location, Result};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// Reads one sheet of an `.xlsx` workbook from its bytes.
pub fn read(bytes: &[u8], at: &Location, sheet: Option<&str>) -> Result<Table> {
    let format_err = |msg: String| Error::Format {
        at: at.clone(),
        msg,
    };
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => format_err(
            "is a password-protected workbook; save it without a password and read that copy"
                .into(),
        ),
        e => format_err(format!("is not a readable Excel workbook ({e})")),
    })?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                format_err(format!(
                    "has no sheet \"{s}\" (its sheets: {})",
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format_err("is a workbook without sheets".into()))?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format_err(format!("sheet \"{name}\" cannot be read ({e})")))?;
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r)) + 1;
    let mut rows = range.rows().enumerate().filter(|(_, r)| {
        r.iter().any(|c| {
            !matches!(c, Data::Empty) && !matches!(c, Data::String(s) if s.trim().is_empty())
        })
    });
    let Some((_, header)) = rows.next() else {
        return Err(Error::Empty {
            at: at.clone(),
            what: format!("an empty sheet \"{name}\""),
        });
    };
    let width = header.len();
    let mut columns: Vec<(String, Vec<&Data>)> = header
        .iter()
        .map(|c| (cell_text(c).trim().to_string(), Vec::new()))
        .collect();
    let mut row_numbers = Vec::new();
    for (i, r) in rows {
        row_numbers.push(first_row + i as u64);
        for (j, col) in columns.iter_mut().enumerate().take(width) {
            col.1.push(r.get(j).unwrap_or(&Data::Empty));
        }
    }
    let columns = columns
        .into_iter()
        .map(|(name, cells)| {
            let numeric = cells.iter().all(|c| {
                matches!(
                    c,
                    Data::Empty | Data::Int(_) | Data::Float(_) | Data::DateTime(_)
                )
            });
            let cells = if numeric {
                Cells::Numbers(
                    cells
                        .iter()
                        .map(|c| match c {
                            Data::Int(v) => *v as f64,
                            Data::Float(v) if v.is_finite() => *v,
                            Data::DateTime(d) => d.as_f64(),
                            _ => f64::NAN,
                        })
                        .collect(),
                )
            } else {
                Cells::Text(cells.iter().map(|c| cell_text(c)).collect())
            };
            Column::new(name, cells)
        })
        .collect();
    Ok(Table {
        file: at.file.clone(),
        format: Format::Xlsx,
        version: format!("sheet \"{name}\""),
        label: None,
        columns,
        rows: row_numbers,
    })
}

/// A cell as text: numbers as a CSV writer prints them, errors as Excel shows them (`#N/A`).
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(v) => v.to_string(),
        Data::Float(v) => number_text(*v),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}
