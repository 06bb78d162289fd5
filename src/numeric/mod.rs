//! The ground floor of the analyses: numerical helpers that two or more analyses need.
//!
//! Every analysis module may use `numeric`; `numeric` uses none of them — only [`crate::error`],
//! std, nalgebra, rand/rand_chacha and serde (see `docs/architecture.md`). A helper that two
//! analyses need moves down here instead of being borrowed sideways from one of them.
//!
//! | module | what |
//! |---|---|
//! | [`rng`] | seeded ChaCha8 streams, open-interval uniform and Box–Muller normal deviates |
//! | [`quantile`] | R's type-7 sample quantiles of sorted values, and the median |
//! | [`eigen`] | symmetric eigendecomposition in decreasing order; checking and rescaling a correlation matrix |
//! | [`serde_matrix`] | nalgebra matrices and vectors as JSON lists of rows |
//! | [`optim`] | Brent's minimiser and root finder, Nelder–Mead |
//!
//! # Papers implemented
//! - Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall,
//!   ch. 4 (zero finding) and ch. 5 (minimisation).
//! - Nelder, J. A., & Mead, R. (1965). A simplex method for function minimization. *The Computer
//!   Journal*, 7(4), 308–313.
//! - Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
//!   Statistician*, 50(4), 361–365. (type 7)
//! - Box, G. E. P., & Muller, M. E. (1958). A note on the generation of random normal deviates.
//!   *Annals of Mathematical Statistics*, 29, 610–611.

pub mod eigen;
pub mod optim;
pub mod quantile;
pub mod rng;
pub mod serde_matrix;
