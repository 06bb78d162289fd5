//! # trustscale
//!
//! Validate survey measures of trust-building leadership: scale reliability, factor structure,
//! rater agreement and prediction, matching the R and Python peers psychometricians use.
//!
//! ## Map
//! | module | concern |
//! |---|---|
//! | [`error`] | one [`Error`] enum with a [`Location`]; [`Warning`]s carried as data |
//! | [`data`] | streaming CSV intake (BOM, delimiters, Qualtrics headers, missing codes), item selection, reverse keys |
//! | [`instrument`] | instrument files (`instruments/*.toml`): schema, loading, checks, scoring, templates |
//! | [`dist`] | distribution functions (normal, t, F, chi-square) with accurate quantiles |
//! | [`regression`] | OLS (QR) with HC/clustered standard errors, hierarchical blocks, dominance analysis, cross-validation, REML random-intercept models |
//! | [`reliability`] | Cronbach's alpha, standardised alpha, Guttman's lambda 6, item statistics, Feldt and bootstrap intervals, omega |
//! | [`cfa`] | confirmatory factor analysis and SEM as lavaan: syntax, parameter table, ML/MLR, fit, modification indices, validity, invariance |
//! | [`factor`] | minres extraction, GPA rotation, Schmid-Leiman |
//! | [`simulate`] | Likert responses from a known factor model, deterministic per seed |
//! | [`render`] | plain-text tables |
//! | [`study`] | study files: datasets, column roles, instruments, predictors and outcomes |
//! | [`profile`] | leader profiles (self against collaborators, strengths) and group profiles |
//! | [`plot`] | charts as [`plot::Figure`]s, written as SVG or PNG with an embedded font |
//! | [`report`] | the validation report as a document: verdicts with their cut-offs, APA tables, self-contained HTML |
//!
//! Numerics never print, read files or exit; the `trustscale` binary (feature `cli`) only
//! orchestrates.
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod agreement;
pub mod cfa;
pub mod correlation;
pub mod data;
pub mod dist;
pub mod error;
pub mod factor;
pub mod instrument;
pub mod numeric;
pub mod plot;
pub mod profile;
pub mod regression;
pub mod reliability;
pub mod render;
pub mod report;
pub mod simulate;
pub mod study;

pub use error::{Error, Location, Result, Warning, WarningCode};
