//! Correlation and covariance matrices of item data.
//!
//! - [`pearson`]: covariances and Pearson correlations with pairwise or listwise deletion,
//!   accumulated in one parallel pass over the rows (deterministic whatever the thread count).
//! - [`kmo`]: Kaiser–Meyer–Olkin sampling adequacy and Bartlett's test of sphericity.

pub mod kmo;
pub mod pearson;

pub use pearson::{covariance, Missing, Moments};
