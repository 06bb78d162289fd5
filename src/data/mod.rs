//! Survey data intake.
//!
//! - [`read`]: streaming CSV reader: header row, `,` `;` or tab delimiters (detected from the header
//!   line or given), UTF-8 byte-order mark, Qualtrics exports (the question-text row and the
//!   `{"ImportId": ...}` row after the names are detected and skipped), missing-value codes.
//! - [`select`]: item selection (`A1,A2`, column ranges `A1:A5`, instruments), reverse keys.
//! - [`formats`]: SPSS `.sav`/`.zsav`, Stata `.dta` and Excel `.xlsx` files with their variable
//!   labels, value labels and declared missing codes, decoded into a [`Table`].
//! - [`source`]: [`DataSource`], which opens any of them by extension.
//! - [`matrix`]: [`ItemData`], the named item columns every analysis takes.
//! - [`memory`]: [`MemoryNumbers`], numeric columns shared where they lie (numpy arrays, pandas
//!   columns) as the cells of an in-memory [`Table`], and their [`PairSums`] computed column by
//!   column.
//! - [`sums`]: [`Answers`] (one-byte answer codes) and [`PairSums`], the exact sufficient
//!   statistics of small whole-number answers that `CsvSource::read_sums` accumulates while
//!   parsing.
//!
//! Missing values are empty cells, `NA`, `.` and any user codes (`--missing=-99,-999`); they
//! become `NaN` inside [`ItemData`] and each analysis documents how it treats them.

pub mod describe;
pub mod formats;
pub mod matrix;
pub mod memory;
pub mod read;
pub mod select;
pub mod source;
pub mod sums;

pub use formats::{Format, Table};
pub use matrix::ItemData;
pub use memory::{MemoryNumbers, NumberColumn, NumberSlice, NumberView};
pub use read::{CsvSource, ReadOptions};
pub use select::{ItemSpec, Selection};
pub use source::DataSource;
pub use sums::{Answers, PairSums};
