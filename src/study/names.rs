//! Names in a study file that must be distinct: dataset names, the instruments a study lists,
//! and the columns one dataset gives each role (respondent, group, target, form, arena).
//!
//! A repeated name would make `--study --instrument X` ambiguous or read one column for two
//! roles; each is an error naming the study file, the line and both uses.

use super::Study;
use crate::error::{line_col, Error, Result};

/// The first line of `text` holding `needle` after `from`, 1-based.
fn line_of(text: &str, needle: &str, from: usize) -> Option<usize> {
    let from = from.min(text.len());
    text.get(from..)
        .and_then(|t| t.find(needle))
        .map(|o| line_col(text, from + o).0)
}

/// Checks the names of a loaded study (`text` is the study file, for line numbers).
pub(super) fn check(s: &Study, text: &str) -> Result<()> {
    let err = |needle: &str, msg: String| Error::Instrument {
        file: s.file.clone(),
        line: line_of(text, needle, 0),
        col: None,
        msg,
    };
    for (i, d) in s.datasets.iter().enumerate() {
        if let Some(first) = s.datasets[..i].iter().find(|o| o.name == d.name) {
            return Err(err(
                &format!("\"{}\"", d.name),
                format!(
                    "two datasets are named \"{}\" (paths {} and {}); give each its own name",
                    d.name,
                    first.path.display(),
                    d.path.display()
                ),
            ));
        }
        for (j, inst) in d.instruments.iter().enumerate() {
            if d.instruments[..j].contains(inst) {
                return Err(err(
                    &format!("\"{inst}\""),
                    format!("dataset \"{}\" lists instrument \"{inst}\" twice", d.name),
                ));
            }
            if let Some(other) = s.datasets[..i]
                .iter()
                .find(|o| o.instruments.contains(inst))
            {
                return Err(err(
                    &format!("\"{inst}\""),
                    format!(
                        "instrument \"{inst}\" is listed by two datasets (\"{}\" and \"{}\"); each instrument's answers come from one dataset",
                        other.name, d.name
                    ),
                ));
            }
        }
        let mut roles: Vec<(&str, &str)> = vec![("respondent", &d.respondent), ("group", &d.group)];
        for (role, col) in [
            ("target", &d.target),
            ("form", &d.form),
            ("arena", &d.arena),
        ] {
            if let Some(c) = col {
                roles.push((role, c));
            }
        }
        for (a, (role, col)) in roles.iter().enumerate() {
            if let Some((first, _)) = roles[..a].iter().find(|(_, c)| c == col) {
                return Err(err(
                    &format!("\"{col}\""),
                    format!(
                        "dataset \"{}\": {first} and {role} name the same column \"{col}\"; each role needs its own column",
                        d.name
                    ),
                ));
            }
        }
    }
    Ok(())
}
