//! `kappa`: Cohen's (weighted) kappa for two raters, Fleiss' kappa for more; each rater a column
//! of category labels (text), rows are subjects.

use super::{Outcome, Request};
use crate::agreement::kappa::{
    agreement_counts, cohen_kappa, fleiss_kappa, FleissResult, KappaOptions, KappaResult, Weights,
};
use crate::data::formats::{number_text, Value};
use crate::data::ItemSpec;
use crate::error::{Error, Result, Warning};
use crate::study::DataRequest;
use serde::Serialize;
use std::path::Path;

/// A kappa request: the data file (with its read options), the rater columns and the options of
/// `trustscale kappa`.
///
/// `Default` is the CLI's default, which is R psych::cohen.kappa's (2.2.9): unweighted, 95%
/// interval.
#[derive(Debug, Clone, PartialEq)]
pub struct KappaRequest {
    /// The data file and how to read it (items and instruments are not used).
    pub data: DataRequest,
    /// Rater columns (names and ranges): two for Cohen's kappa, more for Fleiss' kappa.
    pub raters: Vec<String>,
    /// Weights of Cohen's kappa (two raters only).
    pub weights: Weights,
    /// Confidence level of Cohen's kappa's interval.
    pub ci: f64,
}

impl Default for KappaRequest {
    fn default() -> Self {
        let o = KappaOptions::default();
        KappaRequest {
            data: DataRequest::default(),
            raters: Vec::new(),
            weights: o.weights,
            ci: o.ci,
        }
    }
}

/// A category's value label from the data file (`1` = "Strongly disagree").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CategoryLabel {
    /// The category as it appears in `categories`.
    pub category: String,
    /// Its value label.
    pub label: String,
}

/// Cohen's kappa of two raters, with what its table and chart show.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CohenKappa {
    /// The statistics.
    #[serde(flatten)]
    pub result: KappaResult,
    /// The value labels of the categories (from a `.sav` or `.dta` file's value labels), for
    /// the categories that have one; absent when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub category_labels: Vec<CategoryLabel>,
    /// The two rater columns.
    #[serde(skip)]
    pub raters: [String; 2],
    /// Confidence level of the interval.
    #[serde(skip)]
    pub ci: f64,
    /// Agreement table: subjects per (first rater's category, second rater's category), in the
    /// order of `result.categories`.
    #[serde(skip)]
    pub counts: Vec<Vec<f64>>,
    /// Subjects in the agreement table.
    #[serde(skip)]
    pub pairs: f64,
}

/// Fleiss' kappa of three or more raters, with the categories' value labels.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FleissKappa {
    /// The statistics.
    #[serde(flatten)]
    pub result: FleissResult,
    /// The value labels of the categories (from a `.sav` or `.dta` file's value labels), for
    /// the categories that have one; absent when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub category_labels: Vec<CategoryLabel>,
}

/// What `trustscale kappa` produces: Cohen's kappa for two rater columns, Fleiss' for more
/// (each serialised as its result, with the categories' value labels when the file has them).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum KappaOutput {
    /// Two raters.
    Cohen(CohenKappa),
    /// Three or more raters.
    Fleiss(FleissKappa),
}

impl KappaOutput {
    /// The categories' value labels (empty without any).
    pub fn category_labels(&self) -> &[CategoryLabel] {
        match self {
            KappaOutput::Cohen(c) => &c.category_labels,
            KappaOutput::Fleiss(f) => &f.category_labels,
        }
    }
}

impl Outcome for KappaOutput {
    fn warnings(&self) -> Vec<Warning> {
        match self {
            KappaOutput::Cohen(c) => c.result.warnings.clone(),
            KappaOutput::Fleiss(f) => f.result.warnings.clone(),
        }
    }
}

/// The value labels of `categories` from the rater columns of a labelled file (`.sav`,
/// `.dta`): a category is labelled when one of the columns gives its value a label (the first
/// column that does wins). Empty for a CSV or a workbook, which carry no value labels.
fn category_labels(
    data: &DataRequest,
    raters: &[String],
    categories: &[String],
) -> Result<Vec<CategoryLabel>> {
    let src = data.open()?;
    let Some(table) = src.table() else {
        return Ok(Vec::new());
    };
    let mut labels: Vec<(String, String)> = Vec::new();
    for col in table.columns.iter().filter(|c| raters.contains(&c.name)) {
        for vl in &col.value_labels {
            let value = match &vl.value {
                Value::Number(x) => number_text(*x),
                Value::Text(t) => t.clone(),
            };
            if !labels.iter().any(|(v, _)| *v == value) {
                labels.push((value, vl.label.clone()));
            }
        }
    }
    Ok(categories
        .iter()
        .filter_map(|c| {
            labels
                .iter()
                .find(|(v, _)| v == c)
                .map(|(_, label)| CategoryLabel {
                    category: c.clone(),
                    label: label.clone(),
                })
        })
        .collect())
}

/// The names of the rater (coder) columns a request names, ranges (`R1:R4`) expanded, checked
/// against the data file's header.
///
/// # Errors
/// [`Error::InvalidOption`] (`--raters`) when none are named; [`Error::UnknownColumn`] for a
/// name not in the file; errors opening the file.
pub fn rater_names(data: &DataRequest, raters: &[String]) -> Result<Vec<String>> {
    if raters.is_empty() {
        return Err(Error::option("--raters", "name at least one column"));
    }
    let header = data.open()?.names().to_vec();
    Ok(ItemSpec(raters.to_vec())
        .resolve(&header, &data.at())?
        .into_iter()
        .filter_map(|c| header.get(c).cloned())
        .collect())
}

impl Request for KappaRequest {
    type Output = KappaOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["kappa".to_string()];
        a.extend(self.data.args());
        if !self.raters.is_empty() {
            a.extend(["--raters".into(), self.raters.join(",")]);
        }
        let d = KappaRequest::default();
        if self.weights != d.weights {
            a.extend(["--weights".into(), self.weights.as_str().to_string()]);
        }
        if self.ci != d.ci {
            a.extend(["--ci".into(), self.ci.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<KappaOutput> {
        let names = rater_names(&self.data, &self.raters)?;
        let opts = KappaOptions {
            weights: self.weights,
            ci: self.ci,
        };
        match names.len() {
            0 | 1 => return Err(Error::option("--raters", "name at least two rater columns")),
            2 => opts.validate()?,
            _ if self.weights != Weights::None => {
                return Err(Error::option(
                    "--weights",
                    "weights apply to Cohen's kappa for two raters only",
                ))
            }
            _ => {}
        }
        let (cols, _) = self.data.read_text_columns(&names, "--raters")?;
        if let ([a, b], [ra, rb]) = (cols.as_slice(), names.as_slice()) {
            let result = cohen_kappa(a, b, &opts)?;
            let (counts, pairs) = agreement_counts(a, b, &result.categories);
            let category_labels = category_labels(&self.data, &names, &result.categories)?;
            return Ok(KappaOutput::Cohen(CohenKappa {
                result,
                category_labels,
                raters: [ra.clone(), rb.clone()],
                ci: self.ci,
                counts,
                pairs,
            }));
        }
        let n = cols.first().map_or(0, Vec::len);
        let table: Vec<Vec<Option<String>>> = (0..n)
            .map(|i| cols.iter().map(|c| c.get(i).cloned().flatten()).collect())
            .collect();
        let result = fleiss_kappa(&table)?;
        let category_labels = category_labels(&self.data, &names, &result.categories)?;
        Ok(KappaOutput::Fleiss(FleissKappa {
            result,
            category_labels,
        }))
    }
}
