//! Green & Yang's categorical omega and the latent-response omega of a one-factor ordinal CFA.
//!
//! The functions live in [`crate::correlation::categorical_omega`] (formulas, references, peer
//! and deviations are documented there), one level below `reliability` and `cfa`, which both
//! use them: `reliability --ordinal` for a one-factor model per scale, `cfa --validity` with
//! ordered items for each factor. This module keeps their original public path.

pub use crate::correlation::categorical_omega::{
    categorical_omega, latent_response_omega, sample_latent_cor, OrdinalFactor,
};
