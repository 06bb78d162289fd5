//! What a data file holds, as read: `trustscale describe DATA`.
//!
//! For every column: its type (numbers or text), the variable label, value labels and declared
//! missing codes the file carries, the number of answers (non-missing cells) and of missing
//! cells (of which how many held a declared missing code), and the smallest and largest answer
//! of a numeric column. A CSV column is numeric when every cell is a number or a missing code
//! (empty, `NA`, `.`, `--missing`), as the readers would take it for an item.

use super::formats::{number_text, Cells, Format, MissingCode, ValueLabel};
use super::read::{ColumnRequest, ReadOptions};
use super::source::DataSource;
use crate::error::Result;
use serde::Serialize;
use std::path::Path;

/// What a data file holds.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Description {
    /// The file.
    pub file: String,
    /// Its format.
    pub format: Format,
    /// Format details: `$FL2 bytecode-compressed`, the Stata release, the workbook's sheet;
    /// for CSV the delimiter and whether a Qualtrics export's extra rows were skipped.
    pub version: String,
    /// The file label, if the format has one and it is set.
    pub label: Option<String>,
    /// Data rows.
    pub rows: usize,
    /// The columns, in file order.
    pub columns: Vec<ColumnDescription>,
}

/// One column as read.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ColumnDescription {
    /// Column (variable) name.
    pub name: String,
    /// `number` or `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Variable label (the item's wording), if any.
    pub label: Option<String>,
    /// Measurement level as declared (SPSS: nominal, ordinal, scale).
    pub measure: Option<String>,
    /// Value labels (the response scale's anchors), in the file's order.
    pub value_labels: Vec<ValueLabel>,
    /// Declared user-missing codes.
    pub missing_codes: Vec<MissingCode>,
    /// Cells with an answer.
    pub answers: usize,
    /// Missing cells (empty, system-missing, or a missing code).
    pub missing: usize,
    /// Of the missing cells, those that held a declared missing code of the file.
    pub declared_missing: usize,
    /// Smallest answer of a numeric column.
    pub min: Option<f64>,
    /// Largest answer of a numeric column.
    pub max: Option<f64>,
}

fn column(name: &str, values: &[f64]) -> ColumnDescription {
    let answers: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    ColumnDescription {
        name: name.to_string(),
        kind: "number".into(),
        label: None,
        measure: None,
        value_labels: Vec::new(),
        missing_codes: Vec::new(),
        answers: answers.len(),
        missing: values.len() - answers.len(),
        declared_missing: 0,
        min: answers.iter().copied().reduce(f64::min),
        max: answers.iter().copied().reduce(f64::max),
    }
}

fn text_column(name: &str, cells: &[String], opts: &ReadOptions) -> ColumnDescription {
    let missing = cells.iter().filter(|c| opts.is_missing(c)).count();
    ColumnDescription {
        kind: "text".into(),
        answers: cells.len() - missing,
        missing,
        min: None,
        max: None,
        ..column(name, &[])
    }
}

/// Reads a whole data file (any format [`DataSource::open`] knows) and describes it.
pub fn describe(path: &Path, opts: &ReadOptions) -> Result<Description> {
    let src = DataSource::open(path, opts)?;
    let file = path.display().to_string();
    match src {
        DataSource::Csv(csv) => {
            let version = format!(
                "delimiter {}{}",
                match csv.delimiter {
                    b'\t' => "tab".to_string(),
                    d => format!("\"{}\"", d as char),
                },
                if csv.qualtrics {
                    ", Qualtrics export (2 rows after the header skipped)"
                } else {
                    ""
                }
            );
            let names = csv.names().to_vec();
            let all: Vec<usize> = (0..names.len()).collect();
            let (data, texts) = csv.read_text(&[], &all)?;
            let columns = names
                .iter()
                .zip(&texts)
                .map(|(name, cells)| {
                    let parsed: Option<Vec<f64>> = cells
                        .iter()
                        .map(|c| {
                            if opts.is_missing(c) {
                                Some(f64::NAN)
                            } else {
                                c.trim().parse::<f64>().ok().filter(|v| v.is_finite())
                            }
                        })
                        .collect();
                    match parsed {
                        Some(v) => column(name, &v),
                        None => text_column(name, cells, opts),
                    }
                })
                .collect();
            Ok(Description {
                file,
                format: Format::Csv,
                version,
                label: None,
                rows: data.n(),
                columns,
            })
        }
        DataSource::Table { table, opts, .. } => {
            let numeric: Vec<ColumnRequest> = table
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.cells, Cells::Numbers(_) | Cells::Memory(_)))
                .map(|(index, _)| ColumnRequest { index, range: None })
                .collect();
            // the numbers as an analysis would read them (with --missing applied)
            let (data, _) = table.read_text(&numeric, &[], &opts)?;
            let k = numeric.len();
            let mut columns = Vec::with_capacity(table.columns.len());
            let mut s = 0;
            for c in &table.columns {
                let mut d = match &c.cells {
                    Cells::Numbers(_) | Cells::Memory(_) => {
                        let v: Vec<f64> = (0..data.n()).map(|i| data.values[i * k + s]).collect();
                        s += 1;
                        column(&c.name, &v)
                    }
                    Cells::Text(t) => text_column(&c.name, t, &opts),
                };
                d.label = c.label.clone();
                d.measure = c.measure.clone();
                d.value_labels = c.value_labels.clone();
                d.missing_codes = c.missing.clone();
                d.declared_missing = c.declared_missing;
                columns.push(d);
            }
            Ok(Description {
                file,
                format: table.format,
                version: table.version.clone(),
                label: table.label.clone(),
                rows: table.n(),
                columns,
            })
        }
    }
}

impl ColumnDescription {
    /// The value labels as one line: `1 = Strongly disagree, 2 = Disagree, ...`.
    pub fn value_labels_line(&self) -> String {
        self.value_labels
            .iter()
            .map(|l| match &l.value {
                super::formats::Value::Number(v) => format!("{} = {}", number_text(*v), l.label),
                super::formats::Value::Text(t) => format!("\"{t}\" = {}", l.label),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The declared missing codes as one line: `-99, -98` or `97 thru 99`.
    pub fn missing_codes_line(&self) -> String {
        self.missing_codes
            .iter()
            .map(|m| match m {
                MissingCode::Value {
                    value: super::formats::Value::Number(v),
                } => number_text(*v),
                MissingCode::Value {
                    value: super::formats::Value::Text(t),
                } => format!("\"{t}\""),
                MissingCode::Range { low, high } => format!(
                    "{} thru {}",
                    low.map_or("lowest".to_string(), number_text),
                    high.map_or("highest".to_string(), number_text)
                ),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
