//! Which estimator fits the answers: ordered-categorical WLSMV, MLR on the item codes, and FIML
//! when answers are missing, decided from the data with the reason in words.
//!
//! # Rule
//! For the items of one model:
//! - **ordered, WLSMV** when some item has at most [`MAX_CATEGORIES_FOR_ORDERED`] observed
//!   categories, or when some item's answers are strongly skewed, $|g_1| \ge$
//!   [`STRONG_SKEW`]: with few categories, or with many but asymmetric thresholds, ML on the codes
//!   underestimates the loadings and misjudges fit, while WLSMV on the polychoric correlations
//!   does not (Rhemtulla, Brosseau-Liard & Savalei, 2012: with five or more categories and
//!   roughly symmetric answers, ML-based estimates on the codes are as good);
//! - otherwise **MLR** (robust to the non-normality that item codes always have);
//! - with a continuous estimator, **FIML** whenever an answer is missing (Enders, 2010), else
//!   listwise (there is nothing to delete). With WLSMV, rows with a missing answer are deleted
//!   listwise (lavaan's default for ordered items), and the reason says how many.
//!
//! The *alternative* is the other family (MLR for WLSMV and the reverse), fitted by the report
//! as a sensitivity check.
//!
//! $g_1 = m_3 / m_2^{3/2}$ with $m_r = n^{-1}\sum_i (x_i - \bar x)^r$ over an item's answers
//! (the moment skewness, psych's `skew(type = 1)`).
//!
//! # Reference
//! - Rhemtulla, M., Brosseau-Liard, P. É., & Savalei, V. (2012). When can categorical variables
//!   be treated as continuous? A comparison of robust continuous and categorical SEM estimation
//!   methods under suboptimal conditions. *Psychological Methods*, 17(3), 354–373.
//! - Bulmer, M. G. (1979). *Principles of statistics*. Dover. (|skewness| above 1: highly skewed)
//! - Enders, C. K. (2010). *Applied missing data analysis*. Guilford.

use super::{Estimator, MissingData};
use crate::data::ItemData;
use serde::Serialize;

/// Items with at most this many observed categories are treated as ordered.
pub const MAX_CATEGORIES_FOR_ORDERED: usize = 4;

/// Items whose answers have a moment skewness at least this large (in absolute value) are
/// strongly skewed (Bulmer, 1979).
pub const STRONG_SKEW: f64 = 1.0;

/// One item's shape, as the rule sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ItemShape {
    /// The item.
    pub item: String,
    /// Distinct answers observed.
    pub categories: usize,
    /// Moment skewness $g_1$ of the answers (null with fewer than 2 distinct answers).
    pub skewness: Option<f64>,
    /// Rows without an answer.
    pub missing: usize,
}

/// The estimator chosen for one model's items, and why.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EstimatorChoice {
    /// The estimator (`wlsmv` or `mlr`).
    pub estimator: Estimator,
    /// Whether the items are fitted as ordered categories.
    pub ordered: bool,
    /// Missing answers: `fiml` or `listwise`.
    pub missing_data: MissingData,
    /// The other family's estimator, fitted as a sensitivity check.
    pub alternative: Estimator,
    /// The reason, in words.
    pub reason: String,
    /// Fewest observed categories over the items.
    pub min_categories: usize,
    /// Largest absolute skewness over the items.
    pub max_abs_skewness: Option<f64>,
    /// Share of answers missing over the items' cells.
    pub missing_share: f64,
    /// Each item's shape.
    pub items: Vec<ItemShape>,
}

/// Moment skewness $g_1$ of the finite values (None for fewer than 2 distinct values).
fn skewness(values: &[f64]) -> Option<f64> {
    let n = values.len() as f64;
    if values.len() < 3 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n;
    let m2 = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m3 = values.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
    (m2 > 0.0).then(|| m3 / m2.powf(1.5))
}

/// Each item's categories, skewness and missing answers.
pub fn item_shapes(data: &ItemData) -> Vec<ItemShape> {
    (0..data.k())
        .map(|j| {
            let values: Vec<f64> = data
                .row_iter()
                .map(|r| r[j])
                .filter(|v| !v.is_nan())
                .collect();
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            ItemShape {
                item: data.names[j].clone(),
                categories: distinct.len(),
                skewness: skewness(&values),
                missing: data.n() - values.len(),
            }
        })
        .collect()
}

/// Chooses the estimator for a model of `data`'s items (see the module's rule).
///
/// # Example
/// ```
/// use trustscale::cfa::choice::choose;
/// use trustscale::cfa::Estimator;
/// use trustscale::data::ItemData;
/// // three-category answers: ordered
/// let d = ItemData::new(vec!["a".into(), "b".into()],
///     vec![1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 2.0, 1.0, 1.0, 1.0]).unwrap();
/// let c = choose(&d);
/// assert_eq!(c.estimator, Estimator::Wlsmv);
/// assert!(c.ordered);
/// ```
pub fn choose(data: &ItemData) -> EstimatorChoice {
    let items = item_shapes(data);
    let min_categories = items.iter().map(|s| s.categories).min().unwrap_or(0);
    let max_abs_skewness = items
        .iter()
        .filter_map(|s| s.skewness.map(f64::abs))
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    let missing: usize = items.iter().map(|s| s.missing).sum();
    let cells = data.n() * data.k();
    let missing_share = if cells == 0 {
        0.0
    } else {
        missing as f64 / cells as f64
    };
    let few: Vec<&str> = items
        .iter()
        .filter(|s| s.categories <= MAX_CATEGORIES_FOR_ORDERED)
        .map(|s| s.item.as_str())
        .collect();
    let skewed: Vec<String> = items
        .iter()
        .filter(|s| s.skewness.is_some_and(|g| g.abs() >= STRONG_SKEW))
        .map(|s| format!("{} ({:.2})", s.item, s.skewness.unwrap_or(f64::NAN)))
        .collect();
    let rows_incomplete = data.rows_with_missing();
    let list = |v: &[String]| {
        if v.len() <= 4 {
            v.join(", ")
        } else {
            format!("{} and {} more", v[..3].join(", "), v.len() - 3)
        }
    };
    let ordered = !few.is_empty() || !skewed.is_empty();
    let (estimator, alternative, missing_data, mut reason) = if ordered {
        let why = if !few.is_empty() {
            let few: Vec<String> = few.iter().map(|s| s.to_string()).collect();
            format!(
                "{} of the items ({}) {} at most {MAX_CATEGORIES_FOR_ORDERED} answer categories in use",
                few.len(),
                list(&few),
                if few.len() == 1 { "has" } else { "have" }
            )
        } else {
            format!(
                "answers are strongly skewed (|skewness| ≥ {STRONG_SKEW:.0}: {})",
                list(&skewed)
            )
        };
        (
            Estimator::Wlsmv,
            Estimator::Mlr,
            MissingData::Listwise,
            format!(
                "Ordered categories, WLSMV: {why}, where maximum likelihood on the item codes underestimates loadings and misjudges fit (Rhemtulla et al., 2012)."
            ),
        )
    } else {
        (
            Estimator::Mlr,
            Estimator::Wlsmv,
            if rows_incomplete > 0 {
                MissingData::Fiml
            } else {
                MissingData::Listwise
            },
            format!(
                "MLR on the item codes: every item uses at least {min_categories} categories and no item is strongly skewed (largest |skewness| {}), where robust maximum likelihood does as well as WLSMV (Rhemtulla et al., 2012).",
                max_abs_skewness.map_or("–".into(), |g| format!("{g:.2}"))
            ),
        )
    };
    if rows_incomplete > 0 {
        reason.push_str(&match missing_data {
            MissingData::Fiml => format!(
                " {:.1}% of the answers are missing ({rows_incomplete} rows incomplete): full-information maximum likelihood uses every answer given (Enders, 2010).",
                100.0 * missing_share
            ),
            MissingData::Listwise => format!(
                " {:.1}% of the answers are missing: the {rows_incomplete} incomplete rows are left out (listwise, lavaan's default for ordered items).",
                100.0 * missing_share
            ),
        });
    }
    EstimatorChoice {
        estimator,
        ordered,
        missing_data,
        alternative,
        reason,
        min_categories,
        max_abs_skewness,
        missing_share,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(cols: &[&[f64]]) -> ItemData {
        let n = cols[0].len();
        let mut v = Vec::new();
        for i in 0..n {
            for c in cols {
                v.push(c[i]);
            }
        }
        let names = (0..cols.len()).map(|j| format!("x{}", j + 1)).collect();
        ItemData::new(names, v).unwrap()
    }

    #[test]
    fn skewness_is_the_moment_coefficient() {
        // x = 1, 2, 3, 10: mean 4, m2 = 50/4 = 12.5, m3 = 180/4 = 45 → g1 = 45 / 12.5^1.5 = 1.018233
        let g = skewness(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert!((g - 45.0 / 12.5f64.powf(1.5)).abs() < 1e-12);
        assert!((g - 1.018_233).abs() < 1e-6);
        assert!(skewness(&[2.0, 2.0, 2.0]).is_none());
    }

    #[test]
    fn symmetric_five_categories_take_mlr_and_missing_answers_fiml() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 3.0, 3.0];
        let b = [5.0, 4.0, 3.0, 2.0, 1.0, 3.0, 2.0, 4.0, 3.0, 3.0];
        let c = choose(&data(&[&a, &b]));
        assert_eq!(c.estimator, Estimator::Mlr);
        assert_eq!(c.alternative, Estimator::Wlsmv);
        assert_eq!(c.missing_data, MissingData::Listwise);
        assert_eq!(c.min_categories, 5);
        let mut b2 = b;
        b2[3] = f64::NAN;
        let c = choose(&data(&[&a, &b2]));
        assert_eq!(c.missing_data, MissingData::Fiml);
        assert!((c.missing_share - 0.05).abs() < 1e-12);
        assert!(c.reason.contains("5.0% of the answers"), "{}", c.reason);
    }

    #[test]
    fn skewed_answers_take_wlsmv_and_say_which() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 3.0, 3.0];
        let s = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let c = choose(&data(&[&a, &s]));
        assert_eq!(c.estimator, Estimator::Wlsmv);
        assert!(c.ordered);
        assert!(c.reason.contains("x2 (1."), "{}", c.reason);
    }
}
