//! Writes columns to an Excel workbook (`.xlsx`) through the `rust_xlsxwriter` crate: the blank
//! data-collection files of `instrument template --format xlsx`, and test data.
//!
//! Sheet `data` holds the header row (the column names) and the rows; a numeric column whose
//! value labels span a range accepts only whole numbers in it (an Excel data validation whose
//! message lists the labels). Sheet `labels` lists each column's variable label and value
//! labels, since a workbook has no place for them.

use super::{number_text, Cells, Column, Value};
use crate::error::{Error, Result};
use rust_xlsxwriter::{DataValidation, DataValidationRule, Workbook};

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::option("--format", format!("cannot write the workbook: {e}"))
}

/// The bytes of a workbook holding `columns` (all of one length).
pub fn write(columns: &[Column]) -> Result<Vec<u8>> {
    let n = columns.first().map_or(0, |c| c.cells.len());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("data").map_err(xlsx_err)?;
    for (j, c) in columns.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| Error::option("columns", "too many columns"))?;
        ws.write_string(0, col, &c.name).map_err(xlsx_err)?;
        let numbers = c.cells.numbers();
        for i in 0..n.min(c.cells.len()) {
            let row = u32::try_from(i + 1).map_err(|_| Error::option("rows", "too many rows"))?;
            match (&numbers, &c.cells) {
                (Some(v), _) if !v[i].is_nan() => {
                    ws.write_number(row, col, v[i]).map_err(xlsx_err)?;
                }
                (None, Cells::Text(t)) if !t[i].is_empty() => {
                    ws.write_string(row, col, &t[i]).map_err(xlsx_err)?;
                }
                _ => {}
            }
        }
        let labelled: Vec<(i32, &str)> = c
            .value_labels
            .iter()
            .filter_map(|l| match l.value {
                Value::Number(v) if v.fract() == 0.0 && v.abs() < 1e9 => {
                    Some((v as i32, l.label.as_str()))
                }
                _ => None,
            })
            .collect();
        if let (Some(_), Some(lo), Some(hi)) = (
            &numbers,
            labelled.iter().map(|l| l.0).min(),
            labelled.iter().map(|l| l.0).max(),
        ) {
            let message: String = labelled
                .iter()
                .map(|(v, l)| format!("{v} = {l}"))
                .collect::<Vec<_>>()
                .join("; ");
            let message: String = message.chars().take(250).collect();
            let v = DataValidation::new()
                .allow_whole_number(DataValidationRule::Between(lo, hi))
                .set_input_message(&message)
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, col, 1_048_575, col, &v)
                .map_err(xlsx_err)?;
        }
    }
    let labels = wb.add_worksheet();
    labels.set_name("labels").map_err(xlsx_err)?;
    for (i, h) in ["column", "label", "value labels"].iter().enumerate() {
        labels.write_string(0, i as u16, *h).map_err(xlsx_err)?;
    }
    for (j, c) in columns.iter().enumerate() {
        let row = j as u32 + 1;
        labels.write_string(row, 0, &c.name).map_err(xlsx_err)?;
        if let Some(l) = &c.label {
            labels.write_string(row, 1, l).map_err(xlsx_err)?;
        }
        let vl = c
            .value_labels
            .iter()
            .map(|l| match &l.value {
                Value::Number(v) => format!("{} = {}", number_text(*v), l.label),
                Value::Text(t) => format!("\"{t}\" = {}", l.label),
            })
            .collect::<Vec<_>>()
            .join(", ");
        if !vl.is_empty() {
            labels.write_string(row, 2, &vl).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
