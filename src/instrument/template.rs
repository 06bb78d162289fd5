//! A blank CSV for data collection with an instrument's form.

use super::schema::Instrument;
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
