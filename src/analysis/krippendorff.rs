//! `krippendorff`: Krippendorff's alpha of coders' values, one column per coder (rows are
//! units), at the nominal, ordinal, interval or ratio level, with an optional bootstrap interval.

use super::kappa::rater_names;
use super::{Outcome, Request};
use crate::agreement::kappa::sort_categories;
use crate::agreement::krippendorff::{
    krippendorff, krippendorff_bootstrap, KrippendorffResult, Level,
};
use crate::data::read::ColumnRequest;
use crate::data::{DataSource, ItemSpec};
use crate::error::{Error, Location, Result, Warning};
use crate::study::items::TextColumn;
use crate::study::DataRequest;
use serde::Serialize;
use std::path::Path;

/// A Krippendorff request: the data file (with its read options), the coder columns and the
/// options of `trustscale krippendorff`.
///
/// `Default` is the CLI's default, which is Python `krippendorff` 0.9's: nominal level, no
/// bootstrap (seed 1 and a 95% interval when one is asked for).
#[derive(Debug, Clone, PartialEq)]
pub struct KrippendorffRequest {
    /// The data file and how to read it (items and instruments are not used).
    pub data: DataRequest,
    /// Coder columns (names and ranges).
    pub raters: Vec<String>,
    /// Level of measurement.
    pub level: Level,
    /// Percentile bootstrap interval from this many resamples of units.
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence level of the bootstrap interval.
    pub ci: f64,
}

impl Default for KrippendorffRequest {
    fn default() -> Self {
        KrippendorffRequest {
            data: DataRequest::default(),
            raters: Vec::new(),
            level: Level::Nominal,
            bootstrap: None,
            seed: 1,
            ci: 0.95,
        }
    }
}

/// What `trustscale krippendorff` produces (serialised as [`KrippendorffResult`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct KrippendorffOutput {
    /// The statistics.
    pub result: KrippendorffResult,
    /// The coder columns.
    #[serde(skip)]
    pub coders: Vec<String>,
    /// Confidence level of the bootstrap interval.
    #[serde(skip)]
    pub ci: f64,
}

impl Outcome for KrippendorffOutput {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

/// Codes coders' values as numbers, one unit per row holding its present values in coder order.
///
/// Numbers are taken as they are. Text labels are allowed at the nominal level only, and are
/// coded by their sorted order ([`sort_categories`]) when any value is not a number.
///
/// # Errors
/// [`Error::Parse`] for a text label at the ordinal, interval or ratio level (naming its row in
/// `rows` and its column in `coders`); [`Error::InvalidOption`] (`--level`) for a negative value
/// at the ratio level.
pub fn code_units(
    cols: &[TextColumn],
    rows: &[u64],
    coders: &[String],
    level: Level,
    at: &Location,
) -> Result<Vec<Vec<f64>>> {
    let is_number = |v: &str| v.trim().parse::<f64>().is_ok();
    let all_numeric = cols.iter().flatten().flatten().all(|v| is_number(v));
    let labels = if all_numeric {
        Vec::new()
    } else {
        if level != Level::Nominal {
            let (c, i) = cols
                .iter()
                .enumerate()
                .find_map(|(c, col)| {
                    col.iter()
                        .position(|v| v.as_ref().is_some_and(|v| !is_number(v)))
                        .map(|i| (c, i))
                })
                .unwrap_or((0, 0));
            let cell = cols.get(c).and_then(|col| col.get(i)).cloned().flatten();
            let mut at = at.clone();
            if let Some(&row) = rows.get(i) {
                at = at.with_row(row);
            }
            if let Some(name) = coders.get(c) {
                at = at.with_column(name);
            }
            return Err(Error::Parse {
                at,
                expected: "a number (ordinal, interval and ratio levels need numeric codes)".into(),
                found: cell.unwrap_or_default(),
            });
        }
        sort_categories(cols.iter().flatten().flatten().cloned().collect())
    };
    let units: Vec<Vec<f64>> = (0..rows.len())
        .map(|i| {
            cols.iter()
                .filter_map(|c| c.get(i).and_then(Option::as_ref))
                .map(|v| match labels.iter().position(|l| l == v) {
                    Some(p) => p as f64,
                    None => v.trim().parse::<f64>().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .collect();
    if level == Level::Ratio && units.iter().flatten().any(|v| *v < 0.0) {
        return Err(Error::option(
            "--level",
            "ratio level needs non-negative values",
        ));
    }
    Ok(units)
}

/// The units of a CSV file whose coder cells are all numbers or missing codes, read by the
/// numeric reader (no text cell is kept): the same units [`code_units`] gives for such a file,
/// since every cell is then taken as the number it spells and missing cells are dropped.
///
/// `None` when the file is not a CSV, a cell is not a number (a text label, or a non-finite
/// value), or anything else fails: the caller then takes the text route, which codes labels
/// and reports errors with their row and column.
fn numeric_units(data: &DataRequest, coders: &[String], level: Level) -> Option<Vec<Vec<f64>>> {
    let DataSource::Csv(src) = data.open().ok()? else {
        return None;
    };
    let cols: Vec<ColumnRequest> = ItemSpec(coders.to_vec())
        .resolve(src.names(), &data.at())
        .ok()?
        .into_iter()
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    let d = src.read(&cols, None).ok()?;
    if level == Level::Ratio && d.values.iter().any(|v| *v < 0.0) {
        return None;
    }
    Some(
        d.row_iter()
            .map(|row| {
                let mut unit = Vec::with_capacity(row.len());
                unit.extend(row.iter().copied().filter(|v| !v.is_nan()));
                unit
            })
            .collect(),
    )
}

impl Request for KrippendorffRequest {
    type Output = KrippendorffOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["krippendorff".to_string()];
        a.extend(self.data.args());
        if !self.raters.is_empty() {
            a.extend(["--raters".into(), self.raters.join(",")]);
        }
        let d = KrippendorffRequest::default();
        if self.level != d.level {
            a.extend(["--level".into(), self.level.as_str().to_string()]);
        }
        if let Some(b) = self.bootstrap {
            a.extend(["--bootstrap".into(), b.to_string()]);
        }
        if self.seed != d.seed {
            a.extend(["--seed".into(), self.seed.to_string()]);
        }
        if self.ci != d.ci {
            a.extend(["--ci".into(), self.ci.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<KrippendorffOutput> {
        let coders = rater_names(&self.data, &self.raters)?;
        let units = match numeric_units(&self.data, &coders, self.level) {
            Some(units) => units,
            None => {
                let (cols, rows) = self.data.read_text_columns(&coders, "--raters")?;
                code_units(&cols, &rows, &coders, self.level, &self.data.at())?
            }
        };
        let result = match self.bootstrap {
            Some(b) => krippendorff_bootstrap(&units, self.level, b, self.seed, self.ci)?,
            None => krippendorff(&units, self.level)?,
        };
        Ok(KrippendorffOutput {
            result,
            coders,
            ci: self.ci,
        })
    }
}
