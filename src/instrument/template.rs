//! Blank data-collection files for an instrument's form: a CSV header, or the columns of an
//! SPSS or Excel file with the items' wording and the scale's anchors.

use super::schema::Instrument;
use crate::data::formats::{Cells, Column, Value, ValueLabel};
use crate::error::Result;

/// The header line `respondent_id,<item ids...>` for a form, optionally followed by a second
/// row with each item's wording for that form (Qualtrics-style question-text row, which the
/// reader skips when `--skip-rows 1` is given).
pub fn template(inst: &Instrument, form: &str, with_text: bool) -> Result<String> {
    inst.require_form(form)?;
    let mut out = String::from("respondent_id");
    for item in &inst.items {
        out.push(',');
        out.push_str(&item.id);
    }
    out.push('\n');
    if with_text {
        out.push_str("\"Respondent id\"");
        for item in &inst.items {
            let text = item.text.get(form).map(String::as_str).unwrap_or("");
            out.push_str(&format!(",\"{}\"", text.replace('"', "\"\"")));
        }
        out.push('\n');
    }
    Ok(out)
}

/// The columns of a blank data-collection file for a form (`.sav`, `.xlsx`): `respondent_id`
/// (text), then one numeric column per item with the item's wording for the form as its
/// variable label, the scale's anchors as value labels (`min` = first anchor, ...) and the
/// ordinal measurement level. No rows.
pub fn template_columns(inst: &Instrument, form: &str) -> Result<Vec<Column>> {
    inst.require_form(form)?;
    let mut id = Column::new("respondent_id", Cells::Text(Vec::new()));
    id.label = Some("Respondent id".into());
    id.measure = Some("nominal".into());
    let anchors: Vec<ValueLabel> = inst
        .scale
        .anchors
        .iter()
        .zip(inst.scale.min..=inst.scale.max)
        .map(|(label, v)| ValueLabel {
            value: Value::Number(v as f64),
            label: label.clone(),
        })
        .collect();
    let mut out = vec![id];
    for item in &inst.items {
        let mut c = Column::new(item.id.clone(), Cells::Numbers(Vec::new()));
        c.label = item.text.get(form).cloned().filter(|t| !t.is_empty());
        c.value_labels = anchors.clone();
        c.measure = Some("ordinal".into());
        out.push(c);
    }
    Ok(out)
}
