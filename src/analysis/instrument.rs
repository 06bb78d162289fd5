//! `trustscale instrument list|show|check|template` as library calls.
//!
//! - [`InstrumentListRequest`] → [`InstrumentList`]: the shipped instruments;
//! - [`InstrumentShowRequest`] → [`InstrumentShow`]: an instrument's forms, subscales and items;
//! - [`InstrumentCheckRequest`] → [`InstrumentCheck`]: an instrument file checked;
//! - [`InstrumentTemplateRequest`] → [`InstrumentTemplate`]: a blank CSV header for a form.

use super::{Outcome, Request};
use crate::error::{Error, Result, Warning};
use crate::instrument::{self, Instrument};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `instrument list`: the shipped instruments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentListRequest;

/// One shipped instrument, as `instrument list --json` prints it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstrumentSummary {
    /// Id (`tblc`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Number of subscales.
    pub subscales: usize,
    /// Number of items.
    pub items: usize,
    /// Form ids.
    pub forms: Vec<String>,
    /// The response scale `[min, max]` (text table only).
    #[serde(skip)]
    pub scale: [i64; 2],
}

/// The shipped instruments; serialises as the list of [`InstrumentSummary`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct InstrumentList {
    /// In the order of [`instrument::builtin_ids`].
    pub instruments: Vec<InstrumentSummary>,
}

impl Outcome for InstrumentList {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for InstrumentListRequest {
    type Output = InstrumentList;

    fn args(&self) -> Vec<String> {
        vec!["instrument".into(), "list".into()]
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<InstrumentList> {
        let instruments = instrument::builtin_ids()
            .into_iter()
            .map(|id| {
                instrument::load(id).map(|i| InstrumentSummary {
                    subscales: i.subscales.len(),
                    items: i.items.len(),
                    forms: i.forms.iter().map(|f| f.id.clone()).collect(),
                    scale: [i.scale.min, i.scale.max],
                    id: i.id,
                    title: i.title,
                })
            })
            .collect::<Result<_>>()?;
        Ok(InstrumentList { instruments })
    }
}

/// `instrument show ID [--form F]`: an instrument's forms, subscales and items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentShowRequest {
    /// Instrument id or file.
    pub id: String,
    /// Show the item wording of this form (default: none in JSON, the first form's in the
    /// tables).
    pub form: Option<String>,
}

/// An item of [`InstrumentShow`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShowItem {
    /// Item id.
    pub id: String,
    /// Reverse keyed.
    pub reverse: bool,
    /// Wording in the form asked for (only with a form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Wording in the form of the tables (the form asked for, else the first form).
    #[serde(skip)]
    pub table_text: String,
}

/// A subscale of [`InstrumentShow`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShowSubscale {
    /// Subscale id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The kind of trust it builds, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<String>,
    /// The risks it addresses.
    pub risks: Vec<String>,
    /// Its items.
    pub items: Vec<ShowItem>,
}

/// The response scale of [`InstrumentShow`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShowScale {
    /// Lowest response.
    pub min: i64,
    /// Highest response.
    pub max: i64,
    /// Anchor labels.
    pub anchors: Vec<String>,
}

/// An instrument as `instrument show --json` prints it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstrumentShow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Source.
    pub source: String,
    /// Response scale.
    pub scale: ShowScale,
    /// Form ids.
    pub forms: Vec<String>,
    /// Subscales with their items.
    pub subscales: Vec<ShowSubscale>,
    /// The form whose wording the tables show.
    #[serde(skip)]
    pub table_form: String,
}

impl Outcome for InstrumentShow {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for InstrumentShowRequest {
    type Output = InstrumentShow;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["instrument".into(), "show".into(), self.id.clone()];
        if let Some(f) = &self.form {
            a.push("--form".into());
            a.push(f.clone());
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<InstrumentShow> {
        let inst = instrument::load(&self.id)?;
        if let Some(f) = &self.form {
            inst.require_form(f)?;
        }
        Ok(show(&inst, self.form.as_deref()))
    }
}

/// The `show` view of an instrument, item wording in `form` when given.
pub fn show(inst: &Instrument, form: Option<&str>) -> InstrumentShow {
    let table_form = form
        .map(String::from)
        .unwrap_or_else(|| inst.forms.first().map(|f| f.id.clone()).unwrap_or_default());
    InstrumentShow {
        id: inst.id.clone(),
        title: inst.title.clone(),
        version: inst.version.clone(),
        source: inst.source.clone(),
        scale: ShowScale {
            min: inst.scale.min,
            max: inst.scale.max,
            anchors: inst.scale.anchors.clone(),
        },
        forms: inst.forms.iter().map(|f| f.id.clone()).collect(),
        subscales: inst
            .subscales
            .iter()
            .map(|s| ShowSubscale {
                id: s.id.clone(),
                name: s.name.clone(),
                trust: s.trust.clone(),
                risks: s.risks.clone(),
                items: inst
                    .items_of(&s.id)
                    .map(|i| ShowItem {
                        id: i.id.clone(),
                        reverse: i.reverse,
                        text: form.and_then(|f| i.text.get(f)).cloned(),
                        table_text: i.text.get(&table_form).cloned().unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
        table_form,
    }
}

/// `instrument check FILE`: reads and checks an instrument file (duplicate ids, empty
/// subscales, bad scale, unknown form).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentCheckRequest {
    /// The instrument file.
    pub file: PathBuf,
}

/// What an instrument file holds, once it passed the checks.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstrumentCheck {
    /// The file.
    pub file: PathBuf,
    /// Forms.
    pub forms: usize,
    /// Subscales.
    pub subscales: usize,
    /// Items.
    pub items: usize,
    /// Reverse-keyed items.
    pub reverse_keyed: usize,
}

impl Outcome for InstrumentCheck {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for InstrumentCheckRequest {
    type Output = InstrumentCheck;

    fn args(&self) -> Vec<String> {
        vec![
            "instrument".into(),
            "check".into(),
            self.file.display().to_string(),
        ]
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<InstrumentCheck> {
        let text = crate::error::limits::read_text(&self.file)?;
        let inst = instrument::load_str(&text, &self.file)?;
        Ok(InstrumentCheck {
            file: self.file.clone(),
            forms: inst.forms.len(),
            subscales: inst.subscales.len(),
            items: inst.items.len(),
            reverse_keyed: inst.items.iter().filter(|i| i.reverse).count(),
        })
    }
}

/// `instrument template ID --form F [--with-text]`: a blank CSV header for collecting data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentTemplateRequest {
    /// Instrument id or file.
    pub id: String,
    /// The rater form.
    pub form: String,
    /// Add a second row with each item's wording (CSV only).
    pub with_text: bool,
    /// The file format to write.
    pub format: TemplateFormat,
}

/// The file format of a blank template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    /// A CSV header line (and the wording row with `with_text`).
    #[default]
    Csv,
    /// An SPSS system file: item wording as variable labels, anchors as value labels.
    Sav,
    /// An Excel workbook: sheet `data` with the header (answers limited to the scale), sheet
    /// `labels` with the wording and anchors.
    Xlsx,
}

/// The template: CSV text, or the bytes of a `.sav` or `.xlsx` file.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstrumentTemplate {
    /// The CSV (header, and the wording row with `with_text`); empty for the binary formats.
    pub csv: String,
    /// The file's bytes (`.sav`, `.xlsx`); empty for CSV.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl Outcome for InstrumentTemplate {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for InstrumentTemplateRequest {
    type Output = InstrumentTemplate;

    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "instrument".into(),
            "template".into(),
            self.id.clone(),
            "--form".into(),
            self.form.clone(),
        ];
        if self.with_text {
            a.push("--with-text".into());
        }
        match self.format {
            TemplateFormat::Csv => {}
            TemplateFormat::Sav => a.extend(["--format".into(), "sav".into()]),
            TemplateFormat::Xlsx => a.extend(["--format".into(), "xlsx".into()]),
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<InstrumentTemplate> {
        let inst = instrument::load(&self.id)?;
        if self.with_text && self.format != TemplateFormat::Csv {
            return Err(Error::option(
                "--with-text",
                "only for CSV templates (.sav and .xlsx carry the wording as labels)",
            ));
        }
        let columns = || instrument::template::template_columns(&inst, &self.form);
        match self.format {
            TemplateFormat::Csv => Ok(InstrumentTemplate {
                csv: instrument::template::template(&inst, &self.form, self.with_text)?,
                bytes: Vec::new(),
            }),
            TemplateFormat::Sav => Ok(InstrumentTemplate {
                csv: String::new(),
                bytes: crate::data::formats::sav_write::write(
                    &columns()?,
                    &format!("{} ({} form)", inst.title, self.form),
                )?,
            }),
            TemplateFormat::Xlsx => Ok(InstrumentTemplate {
                csv: String::new(),
                bytes: xlsx_template(&columns()?)?,
            }),
        }
    }
}

#[cfg(feature = "xlsx")]
fn xlsx_template(columns: &[crate::data::formats::Column]) -> Result<Vec<u8>> {
    crate::data::formats::xlsx_write::write(columns)
}

#[cfg(not(feature = "xlsx"))]
fn xlsx_template(_columns: &[crate::data::formats::Column]) -> Result<Vec<u8>> {
    Err(Error::option(
        "--format",
        "this build of trustscale writes no Excel workbooks (cargo feature `xlsx`)",
    ))
}
