//! Full-information ML for missing answers (lavaan missing = "ml"): placeholder of the interface
//! branch; the implementation replaces it.

use super::syntax::ModelSyntax;
use super::{CfaOptions, CfaResult};
use crate::data::ItemData;
use crate::error::{Error, Result};

/// Fits `model` by FIML (placeholder).
pub(crate) fn fit(
    _data: &ItemData,
    _groups: Option<&[String]>,
    _model: &ModelSyntax,
    _opts: &CfaOptions,
) -> Result<CfaResult> {
    Err(Error::option("--missing-data", "placeholder"))
}
