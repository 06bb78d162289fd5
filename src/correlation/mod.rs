//! Correlation and covariance matrices of item data.
//!
//! - [`pearson`]: covariances and Pearson correlations with pairwise or listwise deletion,
//!   accumulated in one parallel pass over the rows (deterministic whatever the thread count).
//! - [`matrix`]: the correlation matrix an analysis works from (Pearson or polychoric, pairwise
//!   or listwise), with its n and notes.
//! - [`kmo`]: Kaiser–Meyer–Olkin sampling adequacy and Bartlett's test of sphericity.
//! - [`mod@polychoric`]: polychoric and tetrachoric correlations by two-step maximum likelihood
//!   from each pair's contingency table (R psych::polychoric, psych::tetrachoric).
//! - [`categorical_omega`]: Green & Yang's categorical omega and the latent-response omega of a
//!   factor of ordered items, from its loadings, thresholds and the latent correlations (used by
//!   `reliability --ordinal` and by `cfa --validity` with ordered items).
//! - [`smooth`]: eigenvalue smoothing of a correlation matrix that is not positive definite
//!   (R psych::cor.smooth).
//!
//! # Papers implemented
//! - Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
//!   coefficient. *Psychometrika*, 44(4), 443–460.
//! - Pearson, K. (1900). On the correlation of characters not quantitatively measurable.
//!   *Philosophical Transactions of the Royal Society A*, 195, 1–47.
//! - Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall.
//! - Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural
//!   equation modeling: An alternative to coefficient alpha. *Psychometrika*, 74(1), 155–167.
//! - Wothke, W. (1993). Nonpositive definite matrices in structural modeling. In K. A. Bollen &
//!   J. S. Long (Eds.), *Testing structural equation models* (pp. 256–293). Sage.

pub mod categorical_omega;
pub mod kmo;
pub mod matrix;
pub mod pearson;
pub mod polychoric;
pub mod smooth;

pub use matrix::{correlation_matrix, Cor, CorrelationMatrix};
pub use pearson::{covariance, covariance_from_sums, Missing, Moments};
pub use polychoric::{
    polychoric, tetrachoric, PolychoricOptions, PolychoricResult, TetrachoricOptions,
};
pub use smooth::cor_smooth;
