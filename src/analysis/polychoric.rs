//! `trustscale polychoric` as a library call: polychoric (or tetrachoric) correlations of the
//! selected items with their thresholds.

use super::{Outcome, Request};
use crate::correlation::polychoric::{
    polychoric, tetrachoric, PolychoricOptions, PolychoricResult, TetrachoricOptions,
};
use crate::error::{Result, Warning, WarningCode};
use crate::study::DataRequest;
use serde::Serialize;
use std::path::Path;

/// `trustscale polychoric`: the items and which correlations. `Default` is the command's
/// defaults, psych 2.2.9 `polychoric()`'s (smoothed when not positive definite).
#[derive(Debug, Clone, PartialEq)]
pub struct PolychoricRequest {
    /// The items.
    pub data: DataRequest,
    /// Tetrachoric correlations of dichotomous items (psych::tetrachoric; `--tetrachoric`).
    pub tetrachoric: bool,
    /// Smooth a matrix that is not positive definite (psych `smooth = TRUE`; `--no-smooth`
    /// turns it off).
    pub smooth: bool,
}

impl Default for PolychoricRequest {
    fn default() -> Self {
        PolychoricRequest {
            data: DataRequest::default(),
            tetrachoric: false,
            smooth: true,
        }
    }
}

/// What `trustscale polychoric` produces; serialises to the contract's JSON, exactly
/// [`PolychoricResult`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct PolychoricOutput {
    /// The correlations, items named.
    pub result: PolychoricResult,
    /// Whether they are tetrachoric correlations.
    #[serde(skip)]
    pub tetrachoric: bool,
    /// With an instrument, the name of each item's subscale (empty otherwise).
    #[serde(skip)]
    pub subscale_names: Vec<String>,
}

impl PolychoricOutput {
    /// `Polychoric` or `Tetrachoric`.
    pub fn kind(&self) -> &'static str {
        if self.tetrachoric {
            "Tetrachoric"
        } else {
            "Polychoric"
        }
    }
}

impl Request for PolychoricRequest {
    type Output = PolychoricOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["polychoric".to_string()];
        a.extend(self.data.args());
        if self.tetrachoric {
            a.push("--tetrachoric".into());
        }
        if !self.smooth {
            a.push("--no-smooth".into());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<PolychoricOutput> {
        let poly = PolychoricOptions {
            smooth: self.smooth,
            ..PolychoricOptions::default()
        };
        let tetra = TetrachoricOptions {
            smooth: self.smooth,
            ..TetrachoricOptions::default()
        };
        if self.tetrachoric {
            tetra.validate()?;
        } else {
            poly.validate()?;
        }
        let loaded = self.data.load()?;
        let (data, subscale_of) = loaded.merged();
        let data = if self.data.listwise {
            data.listwise()
        } else {
            data
        };
        data.require_variance()?;
        let mut result = if self.tetrachoric {
            tetrachoric(&data, &tetra)?
        } else {
            polychoric(&data, &poly)?
        };
        // thresholds are over the categories of all items (psych's global = TRUE): a category
        // an item never received puts its threshold at an infinity, which JSON prints as null
        for (name, t) in result.items.iter().zip(&result.thresholds) {
            let missing = t.iter().filter(|v| !v.is_finite()).count();
            if missing > 0 {
                result.warnings.push(Warning::new(
                    WarningCode::Note,
                    format!("{name}: {missing} threshold(s) at an end category nobody chose are infinite (null)"),
                ));
            }
        }
        let subscale_names = match &loaded.instrument {
            Some(i) => subscale_of
                .iter()
                .map(|s| i.subscale(s).map_or_else(|| s.clone(), |x| x.name.clone()))
                .collect(),
            None => Vec::new(),
        };
        Ok(PolychoricOutput {
            result,
            tetrachoric: self.tetrachoric,
            subscale_names,
        })
    }
}

impl Outcome for PolychoricOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.result.warnings.clone()
    }
}
