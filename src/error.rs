//! One error type for the whole library, and warnings as data.
//!
//! Every error knows *where* it happened ([`Location`]: file, 1-based row as a spreadsheet shows
//! it, column name) and prints as one line, e.g.
//! `survey.csv: row 17, column "C4": expected a number from 1 to 6, found "seven"`.
//! The command-line tool prints that line and exits with status 2.
//!
//! Warnings ([`Warning`]) are not errors: non-convergence, Heywood cases, smoothing and pairwise
//! deletion are reported inside each result (and echoed on stderr by the CLI), never fixed silently.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Where in the input something went wrong. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: Option<u64>,
    /// The column's name (or its 1-based number when it has none).
    pub column: Option<String>,
}

impl Location {
    /// A location naming a file only.
    pub fn file(file: Option<PathBuf>) -> Self {
        Location {
            file,
            row: None,
            column: None,
        }
    }

    /// Adds a row.
    pub fn with_row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// Adds a column.
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(col) = &self.column {
            parts.push(format!("column \"{col}\""));
        }
        match (&self.file, parts.is_empty()) {
            (Some(file), true) => write!(f, "{}", file.display()),
            (Some(file), false) => write!(f, "{}: {}", file.display(), parts.join(", ")),
            (None, true) => write!(f, "input"),
            (None, false) => write!(f, "{}", parts.join(", ")),
        }
    }
}

/// Everything that can go wrong in trustscale.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A cell or token could not be read as what was expected.
    #[error("{at}: expected {expected}, found {found:?}")]
    Parse {
        /// Where.
        at: Location,
        /// What was expected, in words ("a number", "a number from 1 to 6").
        expected: String,
        /// What was found (as text).
        found: String,
    },
    /// A column named on the command line or in an instrument is not in the data.
    #[error("{at}: no column named \"{name}\"{}", did_you_mean.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default())]
    UnknownColumn {
        /// Where (file).
        at: Location,
        /// The name asked for.
        name: String,
        /// The closest existing name, if one is close.
        did_you_mean: Option<String>,
    },
    /// A response outside the instrument's (or the given) response scale.
    #[error("{at}: expected a response from {min} to {max}, found {value}")]
    OutOfRange {
        /// Where.
        at: Location,
        /// The value found.
        value: f64,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
    },
    /// An item with no variance (every respondent gave the same answer).
    #[error("{at}: expected responses that vary, but every answer is {value} (zero variance)")]
    ZeroVariance {
        /// Where (file and column).
        at: Location,
        /// The single value found.
        value: f64,
    },
    /// Not enough usable rows for the analysis.
    #[error("{at}: expected at least {needed} complete rows, found {got}")]
    TooFewRows {
        /// Where (file).
        at: Location,
        /// How many are needed.
        needed: usize,
        /// How many there are.
        got: usize,
    },
    /// A row with a different number of fields than the header.
    #[error("{at}: expected {expected} fields as in the header, found {found}")]
    Ragged {
        /// Where (file and row).
        at: Location,
        /// Number of header fields.
        expected: usize,
        /// Number of fields in this row.
        found: usize,
    },
    /// The data file has no header or no rows.
    #[error("{at}: expected a header row and data rows, found {what}")]
    Empty {
        /// Where (file).
        at: Location,
        /// What was found instead.
        what: String,
    },
    /// An instrument file is malformed or inconsistent.
    #[error("{}{}: {msg}", file.display(), line.map(|l| format!(": line {l}{}", col.map(|c| format!(", column {c}")).unwrap_or_default())).unwrap_or_default())]
    Instrument {
        /// The instrument file (or id).
        file: PathBuf,
        /// 1-based line, if known.
        line: Option<usize>,
        /// 1-based column, if known.
        col: Option<usize>,
        /// What is wrong.
        msg: String,
    },
    /// A matrix that must be positive definite is not.
    #[error("{what} is not positive definite ({index})")]
    NotPositiveDefinite {
        /// Which matrix.
        what: String,
        /// The offending row/item.
        index: String,
    },
    /// An option value that cannot be used.
    #[error("option {flag}: {msg}")]
    InvalidOption {
        /// The flag, as written on the command line (`--items`).
        flag: String,
        /// What is wrong with it.
        msg: String,
    },
    /// Data that can be read but not analysed: values too large or too small to compute with,
    /// a statistic that does not exist for these data (one category, one group, ...).
    #[error("{}{msg}", if *at == Location::default() { String::new() } else { format!("{at}: ") })]
    Data {
        /// Where (file, row, column as far as known).
        at: Location,
        /// What is wrong, in words.
        msg: String,
    },
    /// A count from the command line, a model file or a study file asks for more than
    /// trustscale will do (memory or time); see [`limits`].
    #[error("{what}: {}", match need {
        Some(n) => format!("{count} would need about {n} of memory, more than the {limit} trustscale allows"),
        None => format!("{count} is more than trustscale allows ({limit})"),
    })]
    TooLarge {
        /// The flag or field that gave the count (`--replications`, `[design] raters`).
        what: String,
        /// The count asked for.
        count: u128,
        /// The limit, in words.
        limit: String,
        /// The memory it would need, in words, when that is the reason.
        need: Option<String>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
}

/// 1-based line and column of a byte offset in a text file (TOML instruments, study files and
/// population models), for the `line`/`col` of an error.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Bounds on counts taken from users, checked before anything is allocated or looped over.
///
/// Every count a user types (replications, iterations, bootstrap resamples, groups, raters,
/// rows to skip, items, scale width, respondents) is compared with these limits, so that a
/// mistyped number ends in one clear line instead of an allocation failure, an out-of-memory
/// kill or a run that never ends. The limits are far above what a survey study needs; they are
/// listed in `docs/errors.md`.
pub mod limits {
    use super::{Error, Result};

    /// Memory one request may ask for (bytes), 4 GB.
    pub const MEMORY_BYTES: u128 = 4_000_000_000;
    /// Resamples or replications of one resampling loop (bootstrap, random-group resampling,
    /// parallel-analysis iterations, power replications per cell).
    pub const RESAMPLES: usize = 1_000_000;
    /// Items (columns) of one correlation-matrix analysis (reliability, efa, omega, parallel,
    /// polychoric, cfa): the matrices are items x items and decompositions cost items^3.
    pub const ITEMS: usize = 2_000;
    /// Response categories of one scale (`--scale-points`, an instrument's max - min + 1).
    pub const SCALE_POINTS: u64 = 1_001;
    /// Magnitude of an instrument's scale bounds.
    pub const SCALE_BOUND: i64 = 1_000_000;
    /// Groups, raters per group or respondents of a simulated design.
    pub const DESIGN_UNITS: usize = 10_000_000;
    /// Rows skipped after a header (`--skip-rows`).
    pub const SKIP_ROWS: usize = 1_000_000;
    /// Bytes read from one data, study, model or instrument file (1 GiB).
    pub const FILE_BYTES: u64 = 1 << 30;
    /// Largest magnitude of a value an analysis computes with: sums of squares of larger values
    /// overflow double precision.
    pub const VALUE_MAGNITUDE: f64 = 1e100;

    /// Bytes in words (`1.5 GB`).
    pub fn bytes(b: u128) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
        let mut x = b as f64;
        let mut u = 0;
        while x >= 1000.0 && u + 1 < units.len() {
            x /= 1000.0;
            u += 1;
        }
        if u == 0 {
            format!("{b} bytes")
        } else {
            format!("{x:.1} {}", units[u])
        }
    }

    /// Errors when `count` exceeds `max` (`what` names the flag or field).
    pub fn count(what: &str, count: usize, max: usize) -> Result<()> {
        if count > max {
            return Err(Error::TooLarge {
                what: what.to_string(),
                count: count as u128,
                limit: format!("at most {max}"),
                need: None,
            });
        }
        Ok(())
    }

    /// Errors when `count` elements of `each` bytes exceed [`MEMORY_BYTES`].
    pub fn memory(what: &str, count: u128, each: u128) -> Result<()> {
        let need = count.saturating_mul(each);
        if need > MEMORY_BYTES {
            return Err(Error::TooLarge {
                what: what.to_string(),
                count,
                limit: format!("{} per request", bytes(MEMORY_BYTES)),
                need: Some(bytes(need)),
            });
        }
        Ok(())
    }

    /// Errors unless `count` is at least 1.
    pub fn positive(what: &str, count: usize) -> Result<()> {
        if count == 0 {
            return Err(Error::option(what, "must be at least 1"));
        }
        Ok(())
    }

    /// Text files (study, instrument, population model, CFA model) larger than this are refused.
    pub const TEXT_FILE_BYTES: u64 = 64 << 20;

    /// Errors unless `path` is a regular file (a device such as `/dev/zero` or a named pipe
    /// would be read without end); returns its size in bytes.
    pub fn regular_file(path: &std::path::Path) -> Result<u64> {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if !meta.is_file() {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(if meta.is_dir() {
                    "is a folder, not a file"
                } else {
                    "is not a regular file (a device or a pipe); save the data to a file first"
                }),
            });
        }
        Ok(meta.len())
    }

    /// Reads a text file (study, instrument, model) after checking that it is a regular file of
    /// at most [`TEXT_FILE_BYTES`].
    pub fn read_text(path: &std::path::Path) -> Result<String> {
        let len = regular_file(path)?;
        if len > TEXT_FILE_BYTES {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!(
                    "{} is too large for a study, instrument or model file (at most {})",
                    bytes(len as u128),
                    bytes(TEXT_FILE_BYTES as u128)
                )),
            });
        }
        std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Errors unless `x` is a finite number (`what` names the flag).
    pub fn finite(what: &str, x: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(Error::option(
                what,
                format!("expected a finite number, found {x}"),
            ));
        }
        Ok(())
    }
}

/// Shorthand result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::Data`] without a location (the message says what is wrong with the data).
    pub fn data(msg: impl Into<String>) -> Self {
        Error::Data {
            at: Location::default(),
            msg: msg.into(),
        }
    }

    /// An [`Error::InvalidOption`].
    pub fn option(flag: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::InvalidOption {
            flag: flag.into(),
            msg: msg.into(),
        }
    }
}

/// What kind of warning (stable strings in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningCode {
    /// An iterative method stopped before meeting its convergence criterion.
    NotConverged,
    /// A communality of 1 or more, or a negative variance.
    Heywood,
    /// A matrix was smoothed to make it positive definite.
    Smoothed,
    /// Statistics were computed from pairwise-complete observations.
    Pairwise,
    /// Rows were dropped because of missing cells.
    Listwise,
    /// A matrix is singular or nearly so.
    Singular,
    /// An item correlates negatively with the rest of its scale (a missing reverse key?).
    NegativeItem,
    /// Something else worth knowing.
    Note,
}

/// A warning carried in a result: something the user must know, but not fatal.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// Machine-readable code.
    pub code: WarningCode,
    /// One human-readable line.
    pub message: String,
}

impl Warning {
    /// Makes a warning.
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}", self.message)
    }
}
