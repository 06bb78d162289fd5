//! Scale reliability.
//!
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
