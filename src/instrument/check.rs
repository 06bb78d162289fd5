//! Consistency checks of an instrument file.
//!
//! Checked: at least one form, subscale and item; unique form, subscale and item ids; a response
//! scale with min < max and, when anchors are given, one anchor per point; every item in a
//! known subscale with text for every form and no text for an unknown form; no empty subscale;
//! `trust` and `risks` values from the framework's vocabulary. Errors point to the line where
//! the offending id is defined.

use super::schema::{Instrument, RISK_TYPES, TRUST_KINDS};
use crate::error::{line_col, Error, Result};
use std::collections::HashSet;
use std::path::Path;

/// Line of the first `id = "<id>"` definition in the text (for error messages).
fn line_of(text: &str, key: &str, value: &str) -> Option<usize> {
    let pat_a = format!("{key} = \"{value}\"");
    let pat_b = format!("{key}=\"{value}\"");
    text.find(&pat_a)
        .or_else(|| text.find(&pat_b))
        .map(|off| line_col(text, off).0)
}

/// Checks an instrument; the first problem found is the error.
pub fn check(inst: &Instrument, text: &str, file: &Path) -> Result<()> {
    let err = |line: Option<usize>, msg: String| Error::Instrument {
        file: file.to_path_buf(),
        line,
        col: None,
        msg,
    };
    if inst.id.trim().is_empty() {
        return Err(err(
            line_of(text, "id", ""),
            "the instrument id is empty".into(),
        ));
    }
    let s = &inst.scale;
    if s.min >= s.max {
        return Err(err(
            text.find("[scale]").map(|o| line_col(text, o).0),
            format!("bad scale: min ({}) must be below max ({})", s.min, s.max),
        ));
    }
    use crate::error::limits::{SCALE_BOUND, SCALE_POINTS};
    if s.min < -SCALE_BOUND || s.max > SCALE_BOUND {
        return Err(err(
            text.find("[scale]").map(|o| line_col(text, o).0),
            format!(
                "bad scale: min ({}) and max ({}) must lie within -{SCALE_BOUND} to {SCALE_BOUND}",
                s.min, s.max
            ),
        ));
    }
    // both within the bound: no overflow
    let points = s.max - s.min + 1;
    if points as u64 > SCALE_POINTS {
        return Err(err(
            text.find("[scale]").map(|o| line_col(text, o).0),
            format!("bad scale: {points} response categories from {} to {}; at most {SCALE_POINTS} are allowed", s.min, s.max),
        ));
    }
    let points = points as usize;
    if !s.anchors.is_empty() && s.anchors.len() != points {
        return Err(err(
            text.find("anchors").map(|o| line_col(text, o).0),
            format!(
                "bad scale: {} anchors for the {} points from {} to {}",
                s.anchors.len(),
                points,
                s.min,
                s.max
            ),
        ));
    }
    if inst.forms.is_empty() {
        return Err(err(
            None,
            "no rater forms: add at least one [[forms]]".into(),
        ));
    }
    let mut forms = HashSet::new();
    for f in &inst.forms {
        if !forms.insert(f.id.as_str()) {
            return Err(err(
                line_of(text, "id", &f.id),
                format!("duplicate form id \"{}\"", f.id),
            ));
        }
    }
    if inst.subscales.is_empty() {
        return Err(err(
            None,
            "no subscales: add at least one [[subscales]]".into(),
        ));
    }
    let mut subs = HashSet::new();
    for sub in &inst.subscales {
        let line = line_of(text, "id", &sub.id);
        if !subs.insert(sub.id.as_str()) {
            return Err(err(line, format!("duplicate subscale id \"{}\"", sub.id)));
        }
        if let Some(t) = &sub.trust {
            if !TRUST_KINDS.contains(&t.as_str()) {
                return Err(err(
                    line,
                    format!(
                        "subscale \"{}\": trust \"{t}\" is not one of {}",
                        sub.id,
                        TRUST_KINDS.join(", ")
                    ),
                ));
            }
        }
        for r in &sub.risks {
            if !RISK_TYPES.contains(&r.as_str()) {
                return Err(err(
                    line,
                    format!(
                        "subscale \"{}\": risk \"{r}\" is not one of {}",
                        sub.id,
                        RISK_TYPES.join(", ")
                    ),
                ));
            }
        }
    }
    if inst.items.is_empty() {
        return Err(err(None, "no items: add at least one [[items]]".into()));
    }
    let mut items = HashSet::new();
    for item in &inst.items {
        let line = line_of(text, "id", &item.id);
        if item.id.trim().is_empty() {
            return Err(err(line, "an item has an empty id".into()));
        }
        if item.id.trim() != item.id
            || item
                .id
                .chars()
                .any(|c| c == ',' || c == ';' || c == '"' || c == ':' || c.is_control())
        {
            return Err(err(
                line,
                format!("item id {:?} would break a CSV header or an --items list: use letters, digits, '-', '_' or '.' without spaces at either end, commas, semicolons, colons or quotes", item.id),
            ));
        }
        if !items.insert(item.id.as_str()) {
            return Err(err(line, format!("duplicate item id \"{}\"", item.id)));
        }
        if !subs.contains(item.subscale.as_str()) {
            return Err(err(
                line,
                format!(
                    "item \"{}\" belongs to unknown subscale \"{}\"",
                    item.id, item.subscale
                ),
            ));
        }
        for form in item.text.keys() {
            if !forms.contains(form.as_str()) {
                return Err(err(
                    line,
                    format!("item \"{}\" has text for unknown form \"{form}\"", item.id),
                ));
            }
        }
        for form in &inst.forms {
            if item.text.get(&form.id).is_none_or(|t| t.trim().is_empty()) {
                return Err(err(
                    line,
                    format!("item \"{}\" has no text for form \"{}\"", item.id, form.id),
                ));
            }
        }
    }
    for sub in &inst.subscales {
        if !inst.items.iter().any(|i| i.subscale == sub.id) {
            return Err(err(
                line_of(text, "id", &sub.id),
                format!("subscale \"{}\" has no items", sub.id),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::load::load_str;
    use std::path::Path;

    const GOOD: &str = r#"
id = "t"
title = "T"
version = "1"
source = "s"
[scale]
min = 1
max = 3
[[forms]]
id = "self"
[[subscales]]
id = "a"
name = "A"
[[items]]
id = "A1"
subscale = "a"
text = { self = "I do." }
"#;

    fn err_of(text: &str) -> String {
        load_str(text, Path::new("x.toml")).unwrap_err().to_string()
    }

    #[test]
    fn good_instrument_passes() {
        assert!(load_str(GOOD, Path::new("x.toml")).is_ok());
    }

    #[test]
    fn duplicate_item_id_is_named_with_line() {
        let t = format!(
            "{GOOD}\n[[items]]\nid = \"A1\"\nsubscale = \"a\"\ntext = {{ self = \"x\" }}\n"
        );
        assert_eq!(err_of(&t), "x.toml: line 15: duplicate item id \"A1\"");
    }

    #[test]
    fn bad_scale_unknown_form_empty_subscale() {
        assert!(err_of(&GOOD.replace("max = 3", "max = 1"))
            .contains("bad scale: min (1) must be below max (1)"));
        assert!(
            err_of(&GOOD.replace("self = \"I do.\"", "self = \"I do.\", boss = \"x\""))
                .contains("unknown form \"boss\"")
        );
        let t = format!("{GOOD}\n[[subscales]]\nid = \"b\"\nname = \"B\"\n");
        assert!(err_of(&t).contains("subscale \"b\" has no items"));
        assert!(
            err_of(&GOOD.replace("subscale = \"a\"", "subscale = \"z\""))
                .contains("unknown subscale \"z\"")
        );
    }
}
