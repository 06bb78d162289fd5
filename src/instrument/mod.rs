//! Trust instruments: item sets with subscales, reverse keys, response scales and rater forms.
//!
//! - [`schema`]: the TOML layout of `instruments/*.toml`.
//! - [`mod@load`]: finding an instrument by id or path, parsing with line/column errors; the
//!   shipped instruments are also built into the binary, so ids work from any folder.
//! - [`check`]: consistency checks (duplicate ids, empty subscales, bad scale, unknown form).
//! - [`score`]: subscale scores per respondent.
//! - [`template`]: a blank CSV header for data collection.

pub mod check;
pub mod load;
pub mod schema;
pub mod score;
pub mod template;

pub use load::{builtin_ids, load, load_file, load_str};
pub use schema::Instrument;

use crate::data::Selection;
use crate::error::{Error, Location, Result};

impl Instrument {
    /// The subscale with this id (or name, case-insensitively).
    pub fn subscale(&self, key: &str) -> Option<&schema::Subscale> {
        self.subscales.iter().find(|s| s.id == key).or_else(|| {
            self.subscales
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(key))
        })
    }

    /// Items of a subscale, in file order.
    pub fn items_of<'a>(
        &'a self,
        subscale: &'a str,
    ) -> impl Iterator<Item = &'a schema::Item> + 'a {
        self.items.iter().filter(move |i| i.subscale == subscale)
    }

    /// Checks that `form` is one of the instrument's forms.
    pub fn require_form(&self, form: &str) -> Result<()> {
        if self.forms.iter().any(|f| f.id == form) {
            Ok(())
        } else {
            Err(Error::option(
                "--form",
                format!(
                    "instrument {} has no form \"{form}\" (forms: {})",
                    self.id,
                    self.forms
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }

    /// Resolves the items of one subscale (or, with `None`, of every subscale in turn) against a
    /// data header: columns, reverse keys and the response range.
    pub fn selections(
        &self,
        subscale: Option<&str>,
        header: &[String],
        at: &Location,
    ) -> Result<Vec<(String, Selection)>> {
        let subs: Vec<&schema::Subscale> = match subscale {
            Some(key) => vec![self.subscale(key).ok_or_else(|| {
                Error::option(
                    "--scale",
                    format!(
                        "instrument {} has no subscale \"{key}\" (subscales: {})",
                        self.id,
                        self.subscales
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?],
            None => self.subscales.iter().collect(),
        };
        subs.into_iter()
            .map(|s| {
                let mut sel = Selection {
                    scale: Some((self.scale.min as f64, self.scale.max as f64)),
                    ..Default::default()
                };
                for item in self.items_of(&s.id) {
                    let spec = crate::data::ItemSpec(vec![item.id.clone()]);
                    let col = spec.resolve(header, at)?;
                    sel.columns.extend(col);
                    sel.names.push(item.id.clone());
                    sel.reverse.push(item.reverse);
                }
                Ok((s.id.clone(), sel))
            })
            .collect()
    }
}
