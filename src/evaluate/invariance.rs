//! Measurement invariance across the two waves, before their means are compared.
//!
//! A change in a scale's mean is a change in the competency only when the items measure it the
//! same way at both waves: equal loadings (metric) and equal intercepts (scalar). The design of
//! the check follows who answered:
//!
//! - **self-ratings** (the same leaders at both waves): a longitudinal CFA on wide data, one row
//!   per leader with both waves, one factor per wave, each item's residuals correlated across
//!   waves ([`crate::cfa::longitudinal`]);
//! - **collaborators' and members' ratings** (different people, or not matched, at each wave):
//!   a multi-group CFA with the wave as the group ([`crate::cfa::invariance`]), one row per
//!   rating.
//!
//! Both by ML with listwise deletion (lavaan's default), configural → metric → scalar, each
//! step judged by Chen's (2007) ΔCFI ≤ .010 and ΔRMSEA ≤ .015 beside the Δχ² test. A step that
//! fails is a warning: the mean comparison may reflect a changed measure.
//!
//! # Peer
//! lavaan 0.6.14 + semTools `measEq.syntax(ID.fac = "std.lv", longFacNames = ...)` (self) and
//! `measEq.syntax(group = "wave", group.equal = ...)` (the others), `lavTestLRT()`
//! (`tests/fixtures/evaluate/invariance/generate.R`).

use super::{Design, Source, Wave};
use crate::cfa::invariance::{invariance, InvarianceOptions, InvarianceResult};
use crate::cfa::longitudinal::{longitudinal_invariance, wide_name};
use crate::cfa::syntax::parse;
use crate::cfa::CfaOptions;
use crate::data::ItemData;
use crate::error::{Warning, WarningCode};
use serde::Serialize;

/// The items of one scale and source, one row per rating.
#[derive(Debug, Clone)]
pub struct WaveItems {
    /// The items (reverse keys applied), one row per rating of the baseline or follow-up.
    pub data: ItemData,
    /// Each row's unit (leader or group).
    pub units: Vec<String>,
    /// Each row's wave.
    pub waves: Vec<Wave>,
}

/// Invariance of one scale of one source across the baseline and the follow-up.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaveInvariance {
    /// `longitudinal` (the same people, residuals correlated across waves) or `multi-group`
    /// (the wave as the group).
    pub design: String,
    /// Rows fitted: leaders with both waves complete (longitudinal) or complete ratings
    /// (multi-group).
    pub n: usize,
    /// The sequence: groups (the waves), steps, level, difference test, cut-offs, warnings.
    #[serde(flatten)]
    pub result: InvarianceResult,
}

/// Fits the sequence for one scale of one source; `None` (with a warning) when it cannot be
/// fitted (fewer than three items, too few complete rows, no convergence of the configural
/// model).
pub fn wave_invariance(
    source: Source,
    design: &Design,
    items: &WaveItems,
    warnings: &mut Vec<Warning>,
) -> Option<WaveInvariance> {
    let k = items.data.k();
    if k < 3 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("measurement invariance across waves needs at least 3 items, found {k}"),
        ));
        return None;
    }
    let waves = [design.baseline.clone(), design.followup.clone()];
    let opts = CfaOptions::default();
    let cut = InvarianceOptions::default();
    let fitted = match source {
        Source::SelfRating => {
            let wide = wide_rows(items);
            let n = wide.complete_rows();
            longitudinal_invariance(&wide, &items.data.names, &waves, &opts, &cut)
                .map(|r| ("longitudinal", n, r))
        }
        _ => {
            let labels: Vec<String> = items
                .waves
                .iter()
                .map(|w| match w {
                    Wave::Baseline => waves[0].clone(),
                    Wave::Followup => waves[1].clone(),
                })
                .collect();
            let n = items.data.complete_rows();
            let model = format!("F =~ {}", items.data.names.join(" + "));
            parse(&model, "wave model")
                .and_then(|m| invariance(&items.data, &labels, &m, &opts, &cut))
                .map(|r| ("multi-group", n, r))
        }
    };
    let (kind, n, result) = match fitted {
        Ok(v) => v,
        Err(e) => {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!("measurement invariance across waves could not be fitted: {e}"),
            ));
            return None;
        }
    };
    if !result.steps.iter().all(|s| s.converged) {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            "measurement invariance across waves: a model did not converge; its steps are not \
             judged reliable",
        ));
    }
    if let Some(failed) = result.steps.iter().skip(1).find(|s| s.holds != Some(true)) {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "measurement invariance across waves holds only at the {} level: the {} step \
                 fails (ΔCFI {}, ΔRMSEA {}), so the change in means may reflect a changed measure \
                 rather than a changed competency",
                result.level,
                failed.model,
                signed(failed.delta_cfi),
                signed(failed.delta_rmsea)
            ),
        ));
    }
    Some(WaveInvariance {
        design: kind.into(),
        n,
        result,
    })
}

/// A signed value with 3 decimals, `NA` when undefined.
fn signed(v: Option<f64>) -> String {
    v.map(|v| format!("{v:+.3}")).unwrap_or_else(|| "NA".into())
}

/// The wide data of the self-ratings: one row per unit observed at both waves (its first row at
/// each wave), the columns [`wide_name`]`(item, 0)`, ..., then the same at wave 1.
fn wide_rows(items: &WaveItems) -> ItemData {
    let k = items.data.k();
    let mut order: Vec<&str> = Vec::new();
    let mut at: std::collections::HashMap<&str, [Option<usize>; 2]> = Default::default();
    for (i, (u, w)) in items.units.iter().zip(&items.waves).enumerate() {
        let e = at.entry(u.as_str()).or_insert_with(|| {
            order.push(u.as_str());
            [None, None]
        });
        let t = usize::from(*w == Wave::Followup);
        if e[t].is_none() {
            e[t] = Some(i);
        }
    }
    let mut names = Vec::with_capacity(2 * k);
    for t in 0..2 {
        for it in &items.data.names {
            names.push(wide_name(it, t));
        }
    }
    let mut values = Vec::new();
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    for u in order {
        if let [Some(a), Some(b)] = at[u] {
            values.extend_from_slice(items.data.row(a));
            values.extend_from_slice(items.data.row(b));
            rows.push(items.data.rows[a]);
            ids.push(u.to_string());
        }
    }
    ItemData {
        file: items.data.file.clone(),
        names,
        values,
        rows,
        ids: Some(ids),
    }
}
