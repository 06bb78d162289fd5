//! The TOML schema of an instrument file (`instruments/*.toml`).
//!
//! ```toml
//! id = "tblc"
//! title = "Trust-Building Leadership Competencies"
//! version = "0.1.0"
//! source = "Lyons, S. (2026). Building trust for collective action ..."
//! description = "..."
//!
//! [scale]
//! min = 1
//! max = 6
//! anchors = ["Strongly disagree", "Disagree", "Slightly disagree",
//!            "Slightly agree", "Agree", "Strongly agree"]
//!
//! [[forms]]
//! id = "self"
//! description = "The leader rates themself"
//!
//! [[subscales]]
//! id = "process-navigator"
//! name = "Process Navigator"
//! trust = "cognitive"            # optional: affective | cognitive | both
//! risks = ["psychological"]      # optional: the risk types it helps manage
//! description = "..."
//!
//! [[items]]
//! id = "PN1"
//! subscale = "process-navigator"
//! reverse = false                # optional, default false
//! behaviour = "..."              # optional: the framework behaviour the item covers
//! text = { self = "I ...", observer = "This leader ..." }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole instrument.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Short id used on the command line (`tblc`).
    pub id: String,
    /// Full title.
    pub title: String,
    /// Version of the item set.
    pub version: String,
    /// Citation of the source the items are based on.
    pub source: String,
    /// What the instrument measures and how to use it.
    #[serde(default)]
    pub description: String,
    /// The response scale.
    pub scale: Scale,
    /// Rater forms (at least one).
    pub forms: Vec<Form>,
    /// Subscales (at least one).
    pub subscales: Vec<Subscale>,
    /// Items, each belonging to one subscale.
    pub items: Vec<Item>,
    /// The file it was read from; `None` for the instruments built into trustscale.
    #[serde(skip)]
    pub file: Option<std::path::PathBuf>,
}

/// A Likert response scale.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest response.
    pub min: i64,
    /// Highest response.
    pub max: i64,
    /// One label per response point from min to max (optional).
    #[serde(default)]
    pub anchors: Vec<String>,
}

/// A rater form: who answers and how the items are worded for them.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Form id (`self`, `observer`, `member`, `group`).
    pub id: String,
    /// Who answers this form.
    #[serde(default)]
    pub description: String,
}

/// A subscale: a set of items scored together.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscale {
    /// Subscale id (`process-navigator`).
    pub id: String,
    /// Display name (`Process Navigator`).
    pub name: String,
    /// What it measures.
    #[serde(default)]
    pub description: String,
    /// The kind of trust it mainly builds, if stated: `affective`, `cognitive` or `both`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<String>,
    /// The risk types it helps groups manage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<String>,
}

/// One item.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Item id; also the expected column name in data files.
    pub id: String,
    /// The subscale id it belongs to.
    pub subscale: String,
    /// Reverse keyed: scored as (min + max) - x.
    #[serde(default)]
    pub reverse: bool,
    /// The framework behaviour the item is written to cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<String>,
    /// Wording per form id.
    pub text: BTreeMap<String, String>,
}

/// Risk types of the framework (Lyons 2026), the allowed values of [`Subscale::risks`].
pub const RISK_TYPES: [&str; 6] = [
    "psychological",
    "harm-to-goals",
    "reputational",
    "physical",
    "legal",
    "failure",
];

/// Allowed values of [`Subscale::trust`].
pub const TRUST_KINDS: [&str; 3] = ["affective", "cognitive", "both"];
