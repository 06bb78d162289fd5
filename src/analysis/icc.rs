//! `icc`: intraclass correlations (Shrout & Fleiss, 1979) of ratings laid out wide (one column
//! per rater, rows are targets) or long (target, rater and rating columns).

use super::{Outcome, Request};
use crate::agreement::icc::{icc, IccOptions, IccResult};
use crate::data::read::ColumnRequest;
use crate::data::ItemSpec;
use crate::error::{Error, Location, Result, Warning};
use crate::study::DataRequest;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// An ICC request: the data file (with its read options) and either the rater columns (wide
/// data) or the target, rater and rating columns (long data).
///
/// `Default` is the CLI's default, which is R psych::ICC's (2.2.9): 95% intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct IccRequest {
    /// The data file and how to read it (items and instruments are not used).
    pub data: DataRequest,
    /// Wide data: one column per rater (names and ranges, `J1,J2` or `J1:J4`).
    pub raters: Vec<String>,
    /// Long data: the target id column.
    pub target: Option<String>,
    /// Long data: the rater id column.
    pub rater: Option<String>,
    /// Long data: the rating column.
    pub value: Option<String>,
    /// Confidence level of the intervals.
    pub ci: f64,
}

impl Default for IccRequest {
    fn default() -> Self {
        IccRequest {
            data: DataRequest::default(),
            raters: Vec::new(),
            target: None,
            rater: None,
            value: None,
            ci: IccOptions::default().ci,
        }
    }
}

/// What `trustscale icc` produces: the six ICCs (serialised as [`IccResult`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct IccOutput {
    /// The ICCs.
    pub result: IccResult,
    /// Confidence level of the intervals.
    #[serde(skip)]
    pub ci: f64,
}

impl Outcome for IccOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.result.warnings.clone()
    }
}

/// How the ratings are laid out.
enum Layout<'a> {
    Wide(&'a [String]),
    Long(&'a str, &'a str, &'a str),
}

impl IccRequest {
    fn layout(&self) -> Result<Layout<'_>> {
        match (&self.target, &self.rater, &self.value, self.raters.is_empty()) {
            (None, None, None, false) => Ok(Layout::Wide(&self.raters)),
            (Some(t), Some(r), Some(v), true) => Ok(Layout::Long(t, r, v)),
            _ => Err(Error::option(
                "--raters",
                "give either --raters R1,R2,... (wide data) or all of --target, --rater and --value (long data)",
            )),
        }
    }
}

impl Request for IccRequest {
    type Output = IccOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["icc".to_string()];
        a.extend(self.data.args());
        if !self.raters.is_empty() {
            a.extend(["--raters".into(), self.raters.join(",")]);
        }
        for (flag, v) in [
            ("--target", &self.target),
            ("--rater", &self.rater),
            ("--value", &self.value),
        ] {
            if let Some(v) = v {
                a.extend([flag.to_string(), v.clone()]);
            }
        }
        if self.ci != IccOptions::default().ci {
            a.extend(["--ci".into(), self.ci.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<IccOutput> {
        let layout = self.layout()?;
        let opts = IccOptions { ci: self.ci };
        opts.validate()?;
        let src = self.data.open()?;
        let header = src.names().to_vec();
        let at = self.data.at();
        let (values, n, k) = match layout {
            Layout::Wide(raters) => {
                let cols = ItemSpec(raters.to_vec()).resolve(&header, &at)?;
                let reqs: Vec<ColumnRequest> = cols
                    .iter()
                    .map(|&index| ColumnRequest { index, range: None })
                    .collect();
                let d = src.read(&reqs, None)?;
                let (n, k) = (d.n(), d.k());
                (d.values, n, k)
            }
            Layout::Long(target, rater, value) => {
                let tv = ItemSpec(vec![target.into(), rater.into(), value.into()])
                    .resolve(&header, &at)?;
                let (Some(&ti), Some(&ri), Some(&vi)) = (tv.first(), tv.get(1), tv.get(2)) else {
                    return Err(Error::option(
                        "--target",
                        "expected the target, rater and rating columns",
                    ));
                };
                let (d, texts) = src.read_text(
                    &[ColumnRequest {
                        index: vi,
                        range: None,
                    }],
                    &[ti, ri],
                )?;
                let (Some(targets), Some(raters)) = (texts.first(), texts.get(1)) else {
                    return Err(Error::option(
                        "--target",
                        "expected the target and rater columns",
                    ));
                };
                let names = [target, rater, value];
                long_to_wide(&d.values, targets, raters, &d.rows, names, &at)?
            }
        };
        Ok(IccOutput {
            result: icc(&values, n, k, &opts)?,
            ci: self.ci,
        })
    }
}

/// Reshapes long ratings into a targets-by-raters table, row-major with `NaN` for a missing
/// rating (targets and raters in first-seen order); `names` are the target, rater and rating
/// columns, named in errors.
///
/// # Errors
/// [`Error::Parse`] for a row without a target or rater id, or a second rating of a target by
/// the same rater.
pub fn long_to_wide(
    values: &[f64],
    targets: &[String],
    raters: &[String],
    rows: &[u64],
    names: [&str; 3],
    at: &Location,
) -> Result<(Vec<f64>, usize, usize)> {
    let mut t_index: HashMap<&str, usize> = HashMap::new();
    let mut r_index: HashMap<&str, usize> = HashMap::new();
    for (t, r) in targets.iter().zip(raters) {
        let nt = t_index.len();
        t_index.entry(t.as_str()).or_insert(nt);
        let nr = r_index.len();
        r_index.entry(r.as_str()).or_insert(nr);
    }
    let (n, k) = (t_index.len(), r_index.len());
    let mut wide = vec![f64::NAN; n * k];
    for (((t, r), v), &row) in targets.iter().zip(raters).zip(values).zip(rows) {
        if t.is_empty() || r.is_empty() {
            return Err(Error::Parse {
                at: at.clone().with_row(row).with_column(if t.is_empty() {
                    names[0]
                } else {
                    names[1]
                }),
                expected: "a target and a rater id".into(),
                found: String::new(),
            });
        }
        let (Some(ti), Some(ri)) = (t_index.get(t.as_str()), r_index.get(r.as_str())) else {
            continue;
        };
        let Some(cell) = wide.get_mut(ti * k + ri) else {
            continue;
        };
        if !cell.is_nan() && !v.is_nan() {
            return Err(Error::Parse {
                at: at.clone().with_row(row).with_column(names[2]),
                expected: format!("one rating per target and rater, but target \"{t}\" already has a rating from \"{r}\""),
                found: v.to_string(),
            });
        }
        if !v.is_nan() {
            *cell = *v;
        }
    }
    Ok((wide, n, k))
}
