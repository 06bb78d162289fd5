//! Correlation and covariance matrices of item data.
//!
//! - [`pearson`]: covariances and Pearson correlations with pairwise or listwise deletion,
//!   accumulated in one parallel pass over the rows (deterministic whatever the thread count).

pub mod pearson;

pub use pearson::{covariance, Missing, Moments};
