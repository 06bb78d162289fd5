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
//! - [`ordinal`]: ordinal alpha and ordinal omega from polychoric correlations
//!   (`reliability --ordinal`), each named with its basis.
//! - [`categorical_omega`]: Green & Yang's categorical omega (reliability of the sum of the item
//!   codes) and the latent-response omega, as pure functions of a one-factor ordinal CFA's
//!   estimates.
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
//! - Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients
//!   alpha and theta for Likert rating scales. *Journal of Modern Applied Statistical Methods,
//!   6*(1), 21–29.
//! - Gadermann, A. M., Guhn, M., & Zumbo, B. D. (2012). Estimating ordinal reliability for
//!   Likert-type and ordinal item response data. *Practical Assessment, Research &
//!   Evaluation, 17*(3), 1–13.
//! - Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural
//!   equation modeling: An alternative to coefficient alpha. *Psychometrika, 74*, 155–167.
//! - Flora, D. B. (2020). Your coefficient alpha is probably wrong, but which coefficient omega
//!   is right? *Advances in Methods and Practices in Psychological Science, 3*, 484–501.

pub mod alpha;
pub mod bootstrap;
pub mod categorical_omega;
pub mod feldt;
pub mod omega;
pub mod ordinal;

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
