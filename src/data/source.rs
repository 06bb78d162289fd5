//! One door to every data file: [`DataSource::open`] picks the reader by the file's extension
//! (`.sav`, `.zsav`, `.dta`, `.xlsx`; anything else is CSV) and both kinds answer the same
//! calls: the column names, then the requested columns as numbers and text.

use super::formats::{Cells, Column, Format, Table};
use super::matrix::ItemData;
use super::read::{ColumnRequest, CsvSource, ReadOptions};
use crate::error::{Error, Result};
use std::path::Path;

/// An opened data file whose column names are known.
pub enum DataSource {
    /// A CSV file, streamed when read.
    Csv(CsvSource),
    /// A labelled file (SPSS, Stata, Excel), decoded whole.
    Table {
        /// The decoded file.
        table: Box<Table>,
        /// Its column names.
        names: Vec<String>,
        /// The read options (missing codes) to apply.
        opts: ReadOptions,
    },
}

impl DataSource {
    /// Opens a data file by its extension.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<DataSource> {
        match Format::of(path) {
            Format::Csv => {
                if opts.sheet.is_some() {
                    return Err(Error::option(
                        "--sheet",
                        format!(
                            "{} is not a workbook (--sheet is for .xlsx files)",
                            path.display()
                        ),
                    ));
                }
                CsvSource::open(path, opts).map(DataSource::Csv)
            }
            _ => Ok(DataSource::from_table(Table::open(path, opts)?, opts)),
        }
    }

    /// A source over a decoded table.
    pub fn from_table(table: Table, opts: &ReadOptions) -> DataSource {
        DataSource::Table {
            names: table.names(),
            table: Box::new(table),
            opts: opts.clone(),
        }
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        match self {
            DataSource::Csv(c) => c.names(),
            DataSource::Table { names, .. } => names,
        }
    }

    /// The labelled table, for a file that is one.
    pub fn table(&self) -> Option<&Table> {
        match self {
            DataSource::Csv(_) => None,
            DataSource::Table { table, .. } => Some(table),
        }
    }

    /// Every column of the file: a labelled file's columns as decoded (labels, value labels and
    /// missing codes kept); a CSV column as numbers when every cell is a number or a missing
    /// code of `opts` (empty, `NA`, `.`, `--missing`; missing is `NaN`), else as text. The
    /// columns to write a CSV file's data to a `.sav` (tests, benchmarks, conversions).
    pub fn columns(self, opts: &ReadOptions) -> Result<Vec<Column>> {
        let names = self.names().to_vec();
        match self {
            DataSource::Table { table, .. } => Ok(table.columns),
            DataSource::Csv(csv) => {
                let all: Vec<usize> = (0..names.len()).collect();
                let (_, texts) = csv.read_text(&[], &all)?;
                Ok(names
                    .into_iter()
                    .zip(texts)
                    .map(|(name, cells)| {
                        let numbers: Option<Vec<f64>> = cells
                            .iter()
                            .map(|c| {
                                if opts.is_missing(c) {
                                    Some(f64::NAN)
                                } else {
                                    c.trim().parse::<f64>().ok().filter(|v| v.is_finite())
                                }
                            })
                            .collect();
                        Column::new(name, numbers.map_or(Cells::Text(cells), Cells::Numbers))
                    })
                    .collect())
            }
        }
    }

    /// Reads the requested columns (and an id column as text); see [`CsvSource::read`].
    pub fn read(self, cols: &[ColumnRequest], id_column: Option<usize>) -> Result<ItemData> {
        let text: Vec<usize> = id_column.into_iter().collect();
        let (mut data, mut texts) = self.read_text(cols, &text)?;
        data.ids = texts.pop();
        Ok(data)
    }

    /// Reads the requested columns as numbers and `text_columns` as text; see
    /// [`CsvSource::read_text`] and [`Table::read_text`].
    pub fn read_text(
        self,
        cols: &[ColumnRequest],
        text_columns: &[usize],
    ) -> Result<(ItemData, Vec<Vec<String>>)> {
        match self {
            DataSource::Csv(c) => c.read_text(cols, text_columns),
            DataSource::Table { table, opts, .. } => table.read_text(cols, text_columns, &opts),
        }
    }
}
