//! The names a library user needs, in one `use`: item data, the data selection, the request
//! and outcome traits, every command's request, the error and warning types, and (feature
//! `plot`) the report pipeline.
//!
//! A request runs to a typed output that serialises to the command's contract JSON:
//!
//! ```
//! use ndarray::array;
//! use trustscale::prelude::*;
//!
//! // five respondents (rows) answering four items (columns) on a 1–5 scale; NaN is missing
//! let answers = array![
//!     [4.0, 5.0, 4.0, 4.0],
//!     [2.0, 2.0, 3.0, 2.0],
//!     [3.0, 3.0, 3.0, 4.0],
//!     [5.0, 4.0, 5.0, 5.0],
//!     [1.0, 2.0, 1.0, f64::NAN],
//! ];
//! let data = ItemData::from_array(answers.view(), &["T1", "T2", "T3", "T4"])?;
//!
//! let req = ReliabilityRequest {
//!     data: DataRequest::memory(data),
//!     omega_factors: Some(1),
//!     ..ReliabilityRequest::default()
//! };
//! let out = req.run()?;
//! let alpha = out.scales[0].result.alpha;
//! assert!(alpha > 0.9 && alpha < 1.0, "alpha = {alpha}");
//! let json = to_json(&out)?; // what `trustscale reliability --json` prints
//! assert!(json.contains("\"alpha\""));
//! for w in out.warnings() {
//!     eprintln!("warning: {}", w.message);
//! }
//! # Ok::<(), trustscale::Error>(())
//! ```
//!
//! Without the default features (`default-features = false`), everything here but
//! `report::build` and `report::ReportOptions` is available, and plotters is not compiled.

pub use crate::analysis::cfa::{CfaOutput, CfaRequest, ModelSource};
pub use crate::analysis::efa::{EfaOutput, EfaRequest, Factors};
pub use crate::analysis::icc::{IccOutput, IccRequest};
pub use crate::analysis::kappa::{KappaOutput, KappaRequest};
pub use crate::analysis::krippendorff::{KrippendorffOutput, KrippendorffRequest};
pub use crate::analysis::omega::{OmegaOutput, OmegaRequest};
pub use crate::analysis::parallel::{ParallelOutput, ParallelRequest};
pub use crate::analysis::polychoric::{PolychoricOutput, PolychoricRequest};
pub use crate::analysis::power::{PowerOutput, PowerRequest};
pub use crate::analysis::profile::{ProfileOutput, ProfileRequest};
pub use crate::analysis::regress::{RegressOutput, RegressRequest};
pub use crate::analysis::reliability::{ReliabilityOutput, ReliabilityRequest};
pub use crate::analysis::rwg::{RwgOutput, RwgRequest};
pub use crate::analysis::score::ScoreRequest;
pub use crate::analysis::simulate::SimulateRequest;
pub use crate::analysis::{to_json, Outcome, Request};
pub use crate::data::ItemData;
pub use crate::error::{Error, Result, Warning};
pub use crate::study::{DataRequest, Study};

#[cfg(feature = "plot")]
pub use crate::report::{build, ReportOptions};
