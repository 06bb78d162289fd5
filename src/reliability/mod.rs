//! Scale reliability.
//!
//! - [`alpha_of`]: coefficient alpha of a covariance matrix, the formula that [`alpha`] and
//!   [`bootstrap`] share (it lives here so that neither imports the other).
//! - [`alpha`]: Cronbach's alpha, standardised alpha, Guttman's lambda 6, average inter-item
//!   correlation, item statistics (`r_drop`, alpha if deleted), assembled into
//!   [`ReliabilityResult`] by [`reliability()`].
//! - [`feldt`]: Feldt's (1965) confidence interval for alpha.
//! - [`bootstrap`]: percentile bootstrap interval for alpha, parallel and seed-deterministic.
//! - [`omega`]: McDonald's omega total and omega hierarchical by Schmid-Leiman.
//!
//! # References
//! - Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
//!   *Psychometrika, 16*, 297–334.
//! - Guttman, L. (1945). A basis for analyzing test-retest reliability. *Psychometrika, 10*, 255–282.
//! - Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability
//!   coefficient twenty. *Psychometrika, 30*, 357–370.
//! - McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
//! - Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb.
//!   *Psychometrika, 74*, 145–154.

pub mod alpha;
pub mod bootstrap;
pub mod feldt;
pub mod omega;

pub use alpha::{reliability, ItemStats, ReliabilityOptions, ReliabilityResult};

use nalgebra::DMatrix;

/// Alpha of a covariance (or correlation) matrix.
///
/// # Formula
/// $$\alpha = \frac{k}{k-1}\Bigl(1 - \frac{\operatorname{tr} C}{\mathbf 1' C \mathbf 1}\Bigr)$$
/// On a correlation matrix this is the standardised alpha.
///
/// # Reference
/// Cronbach (1951), *Psychometrika, 16*, 297–334.
pub fn alpha_of(c: &DMatrix<f64>) -> f64 {
    let k = c.nrows() as f64;
    let total = c.sum();
    k / (k - 1.0) * (1.0 - c.trace() / total)
}
