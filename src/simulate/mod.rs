//! Simulated survey responses from known models.
//!
//! - [`likert`]: Likert responses to an instrument from a factor model with thresholds, and the
//!   exact population moments of those responses (for recovery tests).
//!
//! Random draws come from [`crate::numeric::rng`] (one ChaCha8 stream per respondent or group).
//! Every draw depends on (seed, stream) only, and normal deviates use the pure-Rust `libm`
//! functions, so the same seed gives the same file on every platform and thread count.

pub mod likert;
pub mod population;
pub mod power;
pub mod program;
pub mod program_power;

pub use likert::{simulate_instrument, LikertModel, SimulateOptions};
