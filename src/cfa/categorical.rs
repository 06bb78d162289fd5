//! Ordered-categorical CFA (lavaan's WLSMV, DWLS, ULSMV, ULS): placeholder of the interface
//! branch; the implementation replaces it.

use super::syntax::ModelSyntax;
use super::{CfaOptions, CfaResult};
use crate::data::ItemData;
use crate::error::{Error, Result};

/// Fits `model` with ordered indicators (placeholder).
pub(crate) fn fit(
    _data: &ItemData,
    _groups: Option<&[String]>,
    _model: &ModelSyntax,
    _opts: &CfaOptions,
) -> Result<CfaResult> {
    Err(Error::option("--ordered", "placeholder"))
}
