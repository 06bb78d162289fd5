//! Ordinal reliability (`reliability --ordinal`): ordinal alpha and ordinal omega from the
//! polychoric correlation matrix, each named with what it is computed from and what it is the
//! reliability of, beside the two omegas of a one-factor ordinal CFA
//! ([`categorical_omega`](super::categorical_omega)), which the analysis layer fills in.
//!
//! Which coefficient is which (Flora 2020):
//!
//! | key | reliability of | computed from |
//! |---|---|---|
//! | `alpha_ordinal` | the sum of the latent responses $y^\*$, if tau-equivalent | polychoric correlations |
//! | `omega_ordinal` | the sum of the latent responses $y^\*$ | one-factor minres solution of the polychoric correlations |
//! | `omega_latent` | the sum of the latent responses $y^\*$ | one-factor WLSMV CFA (semTools `ord.scale = FALSE`) |
//! | `omega_categorical` | the sum of the **observed item codes** | one-factor WLSMV CFA (semTools `ord.scale = TRUE`) |
//!
//! The first three describe a score nobody computes (the sum of the continuous responses behind
//! the categories); only `omega_categorical` is the reliability of the sum score a user gets.
//!
//! # Formula
//! With $R$ the $k \times k$ polychoric correlation matrix,
//! $$\alpha_{ord} = \frac{k}{k-1}\Bigl(1 - \frac{k}{\mathbf 1^\top R\\,\mathbf 1}\Bigr),\qquad
//!   \omega_{ord} = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i (1 - \lambda_i^2)},$$
//! $\lambda$ the loadings of the one-factor minres solution of $R$
//! ([`minres`](crate::factor::minres::minres)), the denominator the total variance the one-factor
//! model implies.
//!
//! # Reference
//! - Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients alpha
//!   and theta for Likert rating scales. *Journal of Modern Applied Statistical Methods, 6*(1),
//!   21–29.
//! - Gadermann, A. M., Guhn, M., & Zumbo, B. D. (2012). Estimating ordinal reliability for
//!   Likert-type and ordinal item response data: A conceptual, empirical, and practical guide.
//!   *Practical Assessment, Research & Evaluation, 17*(3), 1–13.
//! - McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum. (omega)
//! - Flora, D. B. (2020). Your coefficient alpha is probably wrong, but which coefficient omega
//!   is right? *Advances in Methods and Practices in Psychological Science, 3*(4), 484–501.
//!
//! # Peer
//! psych 2.2.9: `r <- polychoric(x)$rho`; ordinal alpha is `alpha(r)$total$raw_alpha`
//! (a correlation matrix, so also `std.alpha`); ordinal omega is, with
//! `l <- fa(r, nfactors = 1, fm = "minres")$loadings[, 1]`,
//! `sum(l)^2 / (sum(l)^2 + sum(1 - l^2))`. Missing answers as psych::polychoric: thresholds from
//! each item's own answers, each correlation from the rows where both items are answered
//! (pairwise); with `--listwise`, from the complete rows only.
//!
//! # Deviations
//! - **Which ordinal omega.** `psych::omega(x, poly = TRUE, nfactors = 1)$omega.tot` divides by
//!   the sum of $R$ instead of the model-implied total variance: $1 - \sum(1-\lambda^2)/\mathbf
//!   1^\top R \mathbf 1$. When the one-factor model leaves negative residual correlations, that
//!   value falls below psych's own omega hierarchical $(\sum\lambda)^2/\mathbf 1^\top R\mathbf 1$
//!   (bfi agreeableness, the 2709 complete rows: .76927 against .77036), so we follow
//!   McDonald's model-based definition. The two differ by 2.5e-4 on all 2800 bfi rows
//!   (`psych_omega_tot` in `tests/fixtures/ordinal/bfi-a-6cat.json`).
//! - psych::polychoric refuses more than 8 categories (`max.cat = 8`); `--ordinal` accepts up
//!   to 10 ([`MAX_CATEGORIES`]) and refuses more, naming the column.
//! - psych's minres stops early; ours runs to the optimum (differences about 1e-7, see
//!   [`minres`](crate::factor::minres::minres)).

use super::alpha_of;
use crate::correlation::{polychoric, Missing, PolychoricOptions};
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::factor::minres::{minres, MinresOptions};
use serde::Serialize;

/// The most response categories `--ordinal` accepts per item (the span from the lowest to the
/// highest answer).
pub const MAX_CATEGORIES: usize = 10;

/// One named reliability coefficient: its value and what it is.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Coefficient {
    /// The value; `null` when it could not be computed (the warnings say why).
    pub value: Option<f64>,
    /// The score it is the reliability of: `"latent responses"` (the sum of the continuous
    /// responses behind the categories) or `"observed item codes"` (the sum score).
    pub scale: String,
    /// What it is computed from.
    pub basis: String,
    /// The paper that defines it.
    pub reference: String,
    /// The R call that gives the same value.
    pub peer: String,
    /// Rows behind it (all rows when correlations are pairwise).
    pub n: usize,
}

/// What ordinal alpha and omega are the reliability of.
const LATENT: &str = "latent responses";

impl Coefficient {
    /// Ordinal alpha (Zumbo et al. 2007).
    pub fn alpha_ordinal(value: Option<f64>, n: usize) -> Self {
        Coefficient {
            value,
            scale: LATENT.into(),
            basis: "polychoric correlations: Cronbach's alpha of the polychoric matrix".into(),
            reference: "Zumbo, Gadermann & Zeisser (2007)".into(),
            peer: "psych::alpha(psych::polychoric(x)$rho)$total$raw_alpha".into(),
            n,
        }
    }

    /// Ordinal omega from the one-factor minres solution of the polychoric matrix.
    pub fn omega_ordinal(value: Option<f64>, n: usize) -> Self {
        Coefficient {
            value,
            scale: LATENT.into(),
            basis: "polychoric correlations: one-factor minres solution, model-implied total \
                    variance"
                .into(),
            reference: "McDonald (1999); Gadermann, Guhn & Zumbo (2012)".into(),
            peer: "l <- psych::fa(psych::polychoric(x)$rho, 1)$loadings; \
                   sum(l)^2 / (sum(l)^2 + sum(1 - l^2))"
                .into(),
            n,
        }
    }

    /// Omega of the latent responses from a one-factor WLSMV CFA.
    pub fn omega_latent(value: Option<f64>, n: usize) -> Self {
        Coefficient {
            value,
            scale: LATENT.into(),
            basis: "one-factor WLSMV CFA of the ordered items (delta parameterization), \
                    sample polychoric correlations in the denominator"
                .into(),
            reference: "Flora (2020)".into(),
            peer: "semTools::compRelSEM(cfa(model, ordered = TRUE, std.lv = TRUE), \
                   ord.scale = FALSE)"
                .into(),
            n,
        }
    }

    /// Green & Yang's categorical omega from a one-factor WLSMV CFA.
    pub fn omega_categorical(value: Option<f64>, n: usize) -> Self {
        Coefficient {
            value,
            scale: "observed item codes".into(),
            basis: "one-factor WLSMV CFA of the ordered items (delta parameterization): \
                    loadings and thresholds through bivariate normal probabilities, sample \
                    polychoric correlations in the denominator"
                .into(),
            reference: "Green & Yang (2009)".into(),
            peer: "semTools::compRelSEM(cfa(model, ordered = TRUE, std.lv = TRUE))".into(),
            n,
        }
    }
}

/// Ordinal reliability of one scale (JSON key `ordinal`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OrdinalReliability {
    /// How missing answers were handled by the polychoric correlations: `pairwise` (thresholds
    /// from each item's answers, each correlation from the rows answering both) or `listwise`.
    pub missing: Missing,
    /// Per item, its number of response categories (highest minus lowest answer, plus 1).
    pub categories: Vec<usize>,
    /// Fewest rows behind one polychoric correlation.
    pub pair_n_min: usize,
    /// Whether the polychoric matrix was smoothed to make it positive definite.
    pub smoothed: bool,
    /// Loadings of the one-factor minres solution of the polychoric matrix (behind
    /// `omega_ordinal`).
    pub loadings: Vec<f64>,
    /// Ordinal alpha.
    pub alpha_ordinal: Coefficient,
    /// Ordinal omega (polychoric matrix, one factor).
    pub omega_ordinal: Coefficient,
    /// Omega of the latent responses from a one-factor WLSMV CFA (filled by
    /// `analysis::reliability`).
    pub omega_latent: Coefficient,
    /// Categorical omega, the reliability of the sum score, from a one-factor WLSMV CFA (filled
    /// by `analysis::reliability`).
    pub omega_categorical: Coefficient,
}

/// Checks that every item has whole-number answers in at most [`MAX_CATEGORIES`] categories and
/// returns each item's number of categories.
///
/// # Errors
/// [`Error::Parse`] naming the row and column of the first answer that is not a whole number;
/// [`Error::InvalidOption`] (`--ordinal`) naming the first column whose answers span more than
/// [`MAX_CATEGORIES`] categories.
pub fn check_ordinal(data: &ItemData) -> Result<Vec<usize>> {
    let k = data.k();
    let mut lo = vec![f64::INFINITY; k];
    let mut hi = vec![f64::NEG_INFINITY; k];
    for (r, row) in data.row_iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            if v.fract() != 0.0 || !v.is_finite() {
                return Err(Error::Parse {
                    at: data
                        .location()
                        .with_row(data.rows.get(r).copied().unwrap_or(r as u64 + 1))
                        .with_column(&data.names[j]),
                    expected: format!(
                        "a whole-number answer for --ordinal (at most {MAX_CATEGORIES} ordered \
                         categories)"
                    ),
                    found: v.to_string(),
                });
            }
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    let mut categories = Vec::with_capacity(k);
    for j in 0..k {
        let span = if hi[j] >= lo[j] {
            hi[j] - lo[j] + 1.0
        } else {
            0.0
        };
        if span > MAX_CATEGORIES as f64 {
            let file = data
                .file
                .as_ref()
                .map(|f| format!(" of {}", f.display()))
                .unwrap_or_default();
            return Err(Error::option(
                "--ordinal",
                format!(
                    "column \"{}\"{file} has answers from {} to {} ({span} categories); \
                     ordinal reliability needs whole-number answers in at most \
                     {MAX_CATEGORIES} ordered categories",
                    data.names[j], lo[j], hi[j]
                ),
            ));
        }
        categories.push(span as usize);
    }
    Ok(categories)
}

/// Ordinal alpha and ordinal omega of one scale from its polychoric correlations; the two
/// CFA-based omegas are left `null` for the caller.
///
/// `data` holds the rows to use (the caller applies `--listwise`); `missing` records which.
///
/// # Formula
/// See the module doc: $\alpha_{ord}$ is [`alpha_of`] on the polychoric matrix $R$ and
/// $\omega_{ord} = (\sum\lambda)^2 / ((\sum\lambda)^2 + \sum(1-\lambda^2))$ with the loadings of
/// the one-factor minres solution of $R$.
///
/// # Reference
/// Zumbo, Gadermann & Zeisser (2007); McDonald (1999).
///
/// # Peer
/// psych 2.2.9 (module doc): 1e-10 for alpha, 1e-6 for omega on the bfi cases of
/// `tests/ordinal_reliability.rs` (psych's minres stops early).
///
/// # Deviations
/// See the module doc (which ordinal omega; up to 10 categories).
///
/// # Errors
/// As [`check_ordinal`] and [`polychoric`].
pub fn ordinal_reliability(
    data: &ItemData,
    missing: Missing,
    warnings: &mut Vec<Warning>,
) -> Result<OrdinalReliability> {
    let categories = check_ordinal(data)?;
    let n = data.n();
    let opts = PolychoricOptions {
        // the span of all items together (psych shifts all items by the global minimum); each
        // item's own span was checked above
        max_cat: global_span(data).clamp(2, 254),
        ..PolychoricOptions::default()
    };
    let poly = polychoric(data, &opts)?;
    warnings.extend(poly.warnings.iter().map(|w| {
        Warning::new(
            w.code,
            format!("ordinal: polychoric correlations: {}", w.message),
        )
    }));
    let k = data.k();
    let mut pair_n_min = n;
    for i in 0..k {
        for j in 0..i {
            pair_n_min = pair_n_min.min(poly.pair_n[(i, j)] as usize);
        }
    }
    let r = &poly.rho;
    let complete = r.iter().all(|x| x.is_finite());
    let alpha = complete.then(|| alpha_of(r));
    if !complete {
        warnings.push(Warning::new(
            WarningCode::Note,
            "ordinal: a polychoric correlation could not be estimated, so ordinal alpha and \
             omega are null",
        ));
    }
    let mut loadings = Vec::new();
    let omega = if !complete {
        None
    } else if k < 3 {
        warnings.push(Warning::new(
            WarningCode::Note,
            "ordinal: ordinal omega needs at least 3 items (a one-factor model of 2 items is not \
             identified), so it is null",
        ));
        None
    } else {
        match minres(r, 1, &MinresOptions::default()) {
            Ok(fa) => {
                warnings.extend(fa.warnings.iter().map(|w| {
                    Warning::new(w.code, format!("ordinal: one-factor minres: {}", w.message))
                }));
                loadings = fa.loadings.column(0).iter().copied().collect();
                let s: f64 = loadings.iter().sum();
                let u: f64 = fa.uniquenesses.iter().sum();
                Some(s * s / (s * s + u))
            }
            Err(e) => {
                warnings.push(Warning::new(
                    WarningCode::NotConverged,
                    format!("ordinal: the one-factor minres solution failed ({e}), so ordinal omega is null"),
                ));
                None
            }
        }
    };
    Ok(OrdinalReliability {
        missing,
        categories,
        pair_n_min,
        smoothed: poly.smoothed,
        loadings,
        alpha_ordinal: Coefficient::alpha_ordinal(alpha, n),
        omega_ordinal: Coefficient::omega_ordinal(omega, n),
        omega_latent: Coefficient::omega_latent(None, 0),
        omega_categorical: Coefficient::omega_categorical(None, 0),
    })
}

/// Highest minus lowest answer over all items, plus 1 (0 without answers).
fn global_span(data: &ItemData) -> usize {
    let (lo, hi) = data
        .values
        .iter()
        .filter(|v| !v.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if hi >= lo {
        (hi - lo + 1.0).min(1e6) as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn items(values: Vec<f64>) -> ItemData {
        ItemData::new(vec!["a".into(), "b".into(), "c".into()], values).unwrap()
    }

    #[test]
    fn a_fractional_answer_is_a_parse_error_naming_row_and_column() {
        let d = items(vec![1., 2., 3., 2., 2.5, 1., 3., 1., 2.]);
        let e = check_ordinal(&d).unwrap_err().to_string();
        assert!(e.contains("row 3") && e.contains("column \"b\""), "{e}"); // as a spreadsheet shows it
        assert!(e.contains("2.5"), "{e}");
    }

    #[test]
    fn eleven_categories_is_an_error_naming_the_column() {
        let d = items(vec![1., 1., 1., 2., 11., 2., 3., 2., 3.]);
        let e = check_ordinal(&d).unwrap_err().to_string();
        assert!(
            e.starts_with("option --ordinal: column \"b\"") && e.contains("11 categories"),
            "{e}"
        );
        let ok = items(vec![1., 1., 1., 2., 10., 2., 3., 2., 3.]);
        assert_eq!(check_ordinal(&ok).unwrap(), vec![3, 10, 3]);
    }
}
