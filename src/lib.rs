//! # trustscale
//!
//! Validate survey measures of trust-building leadership: scale reliability, factor structure,
//! rater agreement and prediction, matching the R and Python peers psychometricians use.
//!
//! ## Map
//! Modules are listed from the bottom (level 0) up: each may use modules of lower levels, and none
//! of its own or a higher level. `docs/architecture.md` has the order and what each level holds;
//! `tests/layers.rs` enforces it. The `trustscale` binary (`src/main.rs`, `src/cli/`) is the top.
//!
//! | level | module | concern |
//! |---|---|---|
//! | 0 | [`error`] | one [`Error`] enum with a [`Location`]; [`Warning`]s carried as data |
//! | 1 | [`data`] | streaming CSV intake (BOM, delimiters, Qualtrics headers, missing codes), item selection, reverse keys |
//! | 1 | [`dist`] | distribution functions (normal, t, F, chi-square) with accurate quantiles; bivariate normal |
//! | 1 | [`numeric`] | shared numerical helpers: random streams, quantiles, eigenvalues, matrix serde, Brent and Nelder–Mead |
//! | 2 | [`instrument`] | instrument files (`instruments/*.toml`): schema, loading, checks, scoring, templates |
//! | 3 | [`correlation`] | Pearson, polychoric and tetrachoric correlations, KMO and Bartlett, smoothing |
//! | 4 | [`factor`] | minres, PA and ML extraction, varimax, promax and GPA rotation, Schmid-Leiman, parallel analysis |
//! | 5 | [`reliability`] | Cronbach's alpha, standardised alpha, Guttman's lambda 6, item statistics, Feldt and bootstrap intervals, omega |
//! | 5 | [`cfa`] | confirmatory factor analysis and SEM as lavaan: syntax, parameter table, ML/MLR, fit, modification indices, validity, invariance |
//! | 5 | [`agreement`] | ICC, rwg(j) and AD, Cohen's and Fleiss' kappa, Krippendorff's alpha |
//! | 6 | [`regression`] | OLS (QR) with HC/clustered standard errors, hierarchical blocks, dominance analysis, cross-validation, REML random-intercept models |
//! | 7 | [`study`] | study files: datasets, column roles, instruments; the one loader from a study, a data file or in-memory data to item data |
//! | 7 | [`simulate`] | Likert responses and whole studies from known models, deterministic per seed; Monte Carlo power |
//! | 7 | [`profile`] | leader profiles (self against collaborators, strengths) and group profiles |
//! | 7 | [`evaluate`] | program evaluation: attrition, change within arms, the program effect (ANCOVA, mixed model), d_ppc2, reliable change, the self-other gap |
//! | 7 | [`framework`] | tests of the framework's claims: differential prediction of affective and cognitive trust, competencies and risks, leaders' specialisation (latent profiles) |
//! | 8 | [`analysis`] | the commands as library calls: a request (data + options) runs to a typed output that serialises to the contract JSON |
//! | 9 | [`render`] | plain-text tables of every output, and the one number formatter (APA, p values, intervals) |
//! | 9 | `plot` | charts as `plot::Figure`s, written as SVG or PNG with an embedded font (feature `plot`) |
//! | 10 | `report` | the validation report: `report::build` runs a study's analyses into a document of verdicts, APA tables and charts, written as self-contained HTML and `results.json` (feature `plot`) |
//! | 11 | [`prelude`] | the names a library user needs, in one `use` |
//!
//! Numerics never print, read files or exit; the `trustscale` binary (feature `cli`) only
//! orchestrates.
//!
//! ## Features
//!
//! - `plot` (default): charts through plotters, the `plot` module and the HTML validation
//!   report (`report`), which inlines them.
//! - `cli` (default, implies `plot`): the `trustscale` binary (clap, progress bars).
//!
//! With `default-features = false` the crate is the numerics: every analysis and request, the
//! text tables and the number formatter ([`render`]), without plotters.
//!
//! ## As a library
//!
//! ```
//! use ndarray::array;
//! use trustscale::prelude::*;
//!
//! let answers = array![[4.0, 5.0, 4.0], [2.0, 2.0, 3.0], [3.0, 3.0, 3.0], [5.0, 4.0, 5.0]];
//! let req = ReliabilityRequest {
//!     data: DataRequest::memory(ItemData::from_array(answers.view(), &["T1", "T2", "T3"])?),
//!     omega_factors: Some(1),
//!     ..ReliabilityRequest::default()
//! };
//! println!("alpha = {:.2}", req.run()?.scales[0].result.alpha);
//! # Ok::<(), trustscale::Error>(())
//! ```
//!
//! `examples/validate_in_memory.rs` runs reliability, EFA and CFA on simulated responses and
//! writes the example study's report; [`prelude`] lists what one `use` brings in.
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod agreement;
pub mod analysis;
pub mod cfa;
pub mod correlation;
pub mod data;
pub mod dist;
pub mod error;
pub mod evaluate;
pub mod factor;
pub mod framework;
pub mod instrument;
pub mod numeric;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod profile;
pub mod regression;
pub mod reliability;
pub mod render;
#[cfg(feature = "plot")]
pub mod report;
pub mod simulate;
pub mod study;

pub use error::{Error, Location, Result, Warning, WarningCode};
