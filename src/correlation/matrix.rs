//! The correlation matrix an analysis works from: Pearson (pairwise or listwise) or polychoric,
//! with the n it rests on and the notes a user should see.

use super::pearson::{covariance, Missing};
use super::polychoric::{polychoric, PolychoricOptions};
use crate::data::ItemData;
use crate::error::{Result, Warning, WarningCode};
use nalgebra::DMatrix;
use serde::Serialize;

/// Which correlations an analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Cor {
    /// Pearson correlations (pairwise by default, as R psych).
    #[default]
    Pearson,
    /// Polychoric correlations (R psych::polychoric).
    Polychoric,
}

impl Cor {
    /// The contract's name: `pearson` or `polychoric`.
    pub fn name(&self) -> &'static str {
        match self {
            Cor::Pearson => "pearson",
            Cor::Polychoric => "polychoric",
        }
    }
}

impl std::str::FromStr for Cor {
    type Err = crate::error::Error;

    /// `pearson` or `polychoric`, as `--cor` takes them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "pearson" => Ok(Cor::Pearson),
            "polychoric" => Ok(Cor::Polychoric),
            _ => Err(crate::error::Error::option(
                "--cor",
                format!("expected pearson or polychoric, found \"{s}\""),
            )),
        }
    }
}

/// A correlation matrix with its n and notes.
#[derive(Debug, Clone)]
pub struct CorrelationMatrix {
    /// The correlations.
    pub r: DMatrix<f64>,
    /// Rows it rests on (all rows with pairwise deletion, complete rows with listwise).
    pub n: usize,
    /// Pairwise or listwise deletion, smoothing.
    pub warnings: Vec<Warning>,
}

/// The correlation matrix of `data`.
///
/// Pearson: R psych's `cor(x, use = "pairwise")` (pair-specific means and sds), n = all rows;
/// with `listwise`, complete rows only. Polychoric: psych::polychoric's pairwise rows, smoothed
/// when not positive definite (a warning says so).
pub fn correlation_matrix(data: &ItemData, cor: Cor, listwise: bool) -> Result<CorrelationMatrix> {
    let mut warnings = Vec::new();
    let missing_rows = data.rows_with_missing();
    let owned;
    let data = if listwise && missing_rows > 0 {
        warnings.push(Warning::new(
            WarningCode::Listwise,
            format!("{missing_rows} rows with missing cells were dropped (listwise)"),
        ));
        owned = data.listwise();
        &owned
    } else {
        // polychoric() reports its own pairwise note
        if missing_rows > 0 && cor == Cor::Pearson {
            warnings.push(Warning::new(
                WarningCode::Pairwise,
                format!("{missing_rows} rows have missing cells: correlations from pairwise-complete rows (psych's default; --listwise to change)"),
            ));
        }
        data
    };
    let r = match cor {
        Cor::Pearson => covariance(data, Missing::Pairwise)?.pairwise_cor(),
        Cor::Polychoric => {
            let p = polychoric(data, &PolychoricOptions::default())?;
            warnings.extend(p.warnings.iter().cloned());
            p.rho
        }
    };
    Ok(CorrelationMatrix {
        r,
        n: data.n(),
        warnings,
    })
}
