//! The measurement model an instrument intends: one factor per subscale, each measured by the
//! subscale's items, written in lavaan syntax (what `cfa --instrument ID` fits and
//! `cfa --print-model` prints).

use crate::error::{Error, Result};
use crate::instrument::schema::Subscale;
use crate::instrument::Instrument;

/// A lavaan-safe identifier for a subscale id: every character other than an ASCII letter,
/// digit or `_` becomes `_`, and an id that is empty or starts with a digit gets `f_` in front
/// (`network-organizer` → `network_organizer`, `2nd` → `f_2nd`).
pub fn factor_name(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert_str(0, "f_");
    }
    s
}

/// The one-factor-per-subscale model of an instrument (or of its subscale `scale`), in lavaan
/// syntax: a comment naming the instrument and its reverse-keyed items (which the data loader
/// reverses before fitting), then `factor =~ item + item + ...` per subscale with items, factors
/// named by [`factor_name`].
///
/// # Errors
/// [`Error::InvalidOption`] (`--scale`) when the instrument has no subscale `scale`.
pub fn instrument_model(inst: &Instrument, scale: Option<&str>) -> Result<String> {
    let subs: Vec<&Subscale> = match scale {
        Some(key) => vec![inst.subscale(key).ok_or_else(|| {
            Error::option(
                "--scale",
                format!(
                    "instrument {} has no subscale \"{key}\" (subscales: {})",
                    inst.id,
                    inst.subscales
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?],
        None => inst.subscales.iter().collect(),
    };
    let mut out = format!(
        "# {}: {} (version {}), one factor per subscale\n",
        inst.id, inst.title, inst.version
    );
    let rev: Vec<String> = subs
        .iter()
        .flat_map(|s| inst.items_of(&s.id))
        .filter(|i| i.reverse)
        .map(|i| i.id.clone())
        .collect();
    if !rev.is_empty() {
        out.push_str(&format!(
            "# reverse-keyed items, reversed before fitting: {}\n",
            rev.join(", ")
        ));
    }
    for s in subs {
        let items: Vec<String> = inst.items_of(&s.id).map(|i| i.id.clone()).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{} =~ {}\n",
            factor_name(&s.id),
            items.join(" + ")
        ));
    }
    Ok(out)
}

/// The display name of each factor of an instrument's model: `(factor, subscale name)` for every
/// subscale, so charts and tables show "Network organizer" rather than `network_organizer`.
pub fn factor_labels(inst: &Instrument) -> Vec<(String, String)> {
    inst.subscales
        .iter()
        .map(|s| (factor_name(&s.id), s.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_name_makes_lavaan_identifiers() {
        assert_eq!(factor_name("network-organizer"), "network_organizer");
        assert_eq!(factor_name("2nd"), "f_2nd");
        assert_eq!(factor_name(""), "f_");
        assert_eq!(factor_name("ok_1"), "ok_1");
    }
}
