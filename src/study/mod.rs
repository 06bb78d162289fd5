//! Study files (`study.toml`): which data files a study has, the role of each column, and which
//! instrument each block of items belongs to.
//!
//! ```toml
//! title = "Trust-building study"
//! predictors = ["tblc"]            # optional: the report's predictors and outcomes
//! outcomes = ["group-trust"]
//!
//! [[datasets]]
//! name = "leader-ratings"          # leaders' self ratings and collaborators' ratings of them
//! path = "leader-ratings.csv"      # relative to the study file
//! respondent = "respondent_id"
//! group = "group_id"
//! target = "leader_id"             # who is rated
//! form = "form"                    # the column naming each row's rater form (self/observer)
//! arena = "arena"
//! instruments = ["tblc", "abi"]
//!
//! [[datasets]]
//! name = "member-ratings"
//! path = "member-ratings.csv"
//! respondent = "respondent_id"
//! group = "group_id"
//! arena = "arena"
//! form_value = "member"            # every row answered this form
//! instruments = ["group-trust"]
//! ```
//!
//! A dataset's `path` may be a CSV, an SPSS `.sav`/`.zsav`, a Stata `.dta` or an Excel `.xlsx`
//! file (read by extension; `sheet = "NAME"` picks a workbook's sheet, default the first).
//!
//! An entry of `instruments` is a shipped id (`tblc`) or an instrument file of the user's own,
//! relative to the study file (`instruments = ["measures/climate.toml"]`).
//!
//! [`items`] turns a study (or a data file and an instrument) into item data.

pub mod items;

pub use items::{merge_scales, DataRequest, Loaded, ScaleData};

use crate::data::read::ColumnRequest;
use crate::data::{DataSource, ItemSpec, ReadOptions};
use crate::error::{Error, Location, Result};
use crate::instrument::{self, Instrument};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A study file.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The data files.
    pub datasets: Vec<Dataset>,
    /// Instruments whose subscales predict (the report's predictive-validity section; default:
    /// the first instrument of the first dataset with a `target`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predictors: Vec<String>,
    /// Instruments whose subscales are outcomes (default: every instrument of the datasets
    /// without a `target`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
    /// Folder of the study file (set when loaded; paths are relative to it).
    #[serde(skip)]
    pub dir: PathBuf,
    /// The study file itself.
    #[serde(skip)]
    pub file: PathBuf,
}

/// One data file of a study.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Name.
    pub name: String,
    /// Data file (CSV, `.sav`, `.zsav`, `.dta` or `.xlsx`), relative to the study file.
    pub path: PathBuf,
    /// Respondent id column.
    pub respondent: String,
    /// Group id column.
    pub group: String,
    /// Target (rated person) id column, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Column holding each row's rater form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// The form every row answered (when there is no form column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_value: Option<String>,
    /// Arena column, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena: Option<String>,
    /// Instruments whose items are columns of this file.
    pub instruments: Vec<String>,
    /// The sheet of an Excel workbook (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

impl Study {
    /// Reads a study file.
    pub fn load(path: &Path) -> Result<Study> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut s: Study = toml::from_str(&text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| crate::error::line_col(&text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            Error::Instrument {
                file: path.to_path_buf(),
                line,
                col,
                msg: e.message().trim().to_string(),
            }
        })?;
        s.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        s.file = path.to_path_buf();
        if s.datasets.is_empty() {
            return Err(Error::Instrument {
                file: s.file.clone(),
                line: None,
                col: None,
                msg: "no [[datasets]]".into(),
            });
        }
        for (key, ids) in [("predictors", &s.predictors), ("outcomes", &s.outcomes)] {
            if let Some(id) = ids
                .iter()
                .find(|id| !s.datasets.iter().any(|d| d.instruments.contains(id)))
            {
                return Err(Error::Instrument {
                    file: s.file.clone(),
                    line: None,
                    col: None,
                    msg: format!("{key}: \"{id}\" is not an instrument of any dataset"),
                });
            }
        }
        Ok(s)
    }

    /// A dataset's file path.
    pub fn path_of(&self, d: &Dataset) -> PathBuf {
        self.dir.join(&d.path)
    }

    /// Loads an instrument as the study names it: an entry of a dataset's `instruments` that
    /// is a file beside the study file (`instruments = ["my-scale.toml"]`) is read from there;
    /// any other entry is an id or path as [`instrument::load()`] finds it.
    pub fn load_instrument(&self, entry: &str) -> Result<Instrument> {
        let beside = self.dir.join(entry);
        if !self.dir.as_os_str().is_empty() && beside.is_file() {
            return instrument::load_file(&beside);
        }
        instrument::load(entry)
    }

    /// Every instrument of the study with its dataset, in study order (each entry loaded once
    /// per dataset that lists it).
    pub fn instruments(&self) -> Result<Vec<(Instrument, &Dataset)>> {
        let mut out = Vec::new();
        for ds in &self.datasets {
            for entry in &ds.instruments {
                out.push((self.load_instrument(entry)?, ds));
            }
        }
        Ok(out)
    }

    /// The instrument a user names (`--instrument NAME`): an entry of a dataset exactly as the
    /// study writes it, the id of an instrument the study lists, or else any instrument
    /// [`instrument::load()`] finds.
    pub fn instrument(&self, name: &str) -> Result<Instrument> {
        if self
            .datasets
            .iter()
            .any(|d| d.instruments.iter().any(|e| e == name))
        {
            return self.load_instrument(name);
        }
        for ds in &self.datasets {
            for entry in &ds.instruments {
                if let Ok(inst) = self.load_instrument(entry) {
                    if inst.id == name {
                        return Ok(inst);
                    }
                }
            }
        }
        instrument::load(name)
    }

    /// Whether `entries` (the study's `predictors` or `outcomes`) name an instrument, by its id
    /// or by the file it was read from.
    pub fn lists(&self, entries: &[String], inst: &Instrument) -> bool {
        entries.iter().any(|e| {
            e == &inst.id
                || self
                    .load_instrument(e)
                    .is_ok_and(|i| i.id == inst.id && i.file == inst.file)
        })
    }

    /// The dataset holding an instrument's items: the first that lists it by id or by a file
    /// that holds it.
    pub fn dataset_for_instrument(&self, inst: &Instrument) -> Result<&Dataset> {
        self.datasets
            .iter()
            .find(|d| {
                d.instruments.iter().any(|e| {
                    e == &inst.id
                        || self
                            .load_instrument(e)
                            .is_ok_and(|i| i.id == inst.id && i.file == inst.file)
                })
            })
            .ok_or_else(|| {
                Error::option(
                    "--instrument",
                    format!(
                        "no dataset of {} holds instrument \"{}\"",
                        self.file.display(),
                        inst.id
                    ),
                )
            })
    }

    /// The dataset holding an instrument's items, the instrument named as a user would
    /// (see [`Study::instrument`]).
    pub fn dataset_for(&self, instrument: &str) -> Result<&Dataset> {
        let inst = self.instrument(instrument)?;
        self.dataset_for_instrument(&inst)
    }
}

/// What `study check` found in one dataset.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DatasetReport {
    /// Dataset name.
    pub name: String,
    /// File.
    pub path: String,
    /// Data rows.
    pub rows: usize,
    /// Distinct groups.
    pub groups: usize,
    /// Distinct targets.
    pub targets: Option<usize>,
    /// Rows per form.
    pub forms: BTreeMap<String, usize>,
    /// Groups per arena.
    pub arenas: BTreeMap<String, usize>,
    /// Items per instrument found.
    pub instruments: BTreeMap<String, usize>,
    /// Cells missing among the item columns.
    pub missing_cells: usize,
    /// Smallest and largest group size.
    pub group_size: [usize; 2],
}

/// Validates a study against its data: files, columns, instrument items and response ranges,
/// forms, and that every group has one target. The first problem is the error.
pub fn check(study: &Study) -> Result<Vec<DatasetReport>> {
    let mut reports = Vec::new();
    for d in &study.datasets {
        let path = study.path_of(d);
        let at = Location::file(Some(path.clone()));
        let opts = ReadOptions {
            sheet: d.sheet.clone(),
            ..ReadOptions::default()
        };
        let src = DataSource::open(&path, &opts)?;
        let header = src.names().to_vec();
        let mut text_names = vec![d.respondent.clone(), d.group.clone()];
        text_names.extend(d.target.iter().cloned());
        text_names.extend(d.form.iter().cloned());
        text_names.extend(d.arena.iter().cloned());
        let text_cols = ItemSpec(text_names.clone()).resolve(&header, &at)?;
        let insts: Vec<Instrument> = d
            .instruments
            .iter()
            .map(|i| study.load_instrument(i))
            .collect::<Result<_>>()?;
        let mut reqs = Vec::new();
        let mut per_inst = BTreeMap::new();
        for inst in &insts {
            let cols = ItemSpec(inst.items.iter().map(|i| i.id.clone()).collect())
                .resolve(&header, &at)?;
            per_inst.insert(inst.id.clone(), cols.len());
            reqs.extend(cols.into_iter().map(|index| ColumnRequest {
                index,
                range: Some((inst.scale.min as f64, inst.scale.max as f64)),
            }));
        }
        let (data, texts) = src.read_text(&reqs, &text_cols)?;
        let col = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| text_names.iter().position(|t| t == n))
                .map(|i| &texts[i])
        };
        let groups = &texts[1];
        for (i, g) in groups.iter().enumerate() {
            if g.is_empty() {
                return Err(Error::Parse {
                    at: at.clone().with_row(data.rows[i]).with_column(&d.group),
                    expected: "a group id".into(),
                    found: String::new(),
                });
            }
        }
        let mut forms = BTreeMap::new();
        match (col(&d.form), &d.form_value) {
            (Some(f), _) => {
                for (i, v) in f.iter().enumerate() {
                    for inst in &insts {
                        if !inst.forms.iter().any(|x| &x.id == v) {
                            return Err(Error::Parse {
                                at: at
                                    .clone()
                                    .with_row(data.rows[i])
                                    .with_column(d.form.clone().unwrap_or_default()),
                                expected: format!(
                                    "a form of {} ({})",
                                    inst.id,
                                    inst.forms
                                        .iter()
                                        .map(|x| x.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                                found: v.clone(),
                            });
                        }
                    }
                    *forms.entry(v.clone()).or_insert(0) += 1;
                }
            }
            (None, Some(v)) => {
                for inst in &insts {
                    inst.require_form(v)?;
                }
                forms.insert(v.clone(), data.n());
            }
            (None, None) => {}
        }
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for g in groups {
            *sizes.entry(g.as_str()).or_insert(0) += 1;
        }
        let targets = match col(&d.target) {
            Some(t) => {
                let mut target_of: BTreeMap<&str, &str> = BTreeMap::new();
                for (i, (g, tg)) in groups.iter().zip(t).enumerate() {
                    match target_of.get(g.as_str()) {
                        Some(prev) if prev != tg => {
                            return Err(Error::Parse {
                                at: at
                                    .clone()
                                    .with_row(data.rows[i])
                                    .with_column(d.target.clone().unwrap_or_default()),
                                expected: format!(
                                    "one target per group (group {g} already rates {prev})"
                                ),
                                found: tg.clone(),
                            })
                        }
                        _ => {
                            target_of.insert(g, tg);
                        }
                    }
                }
                Some(t.iter().collect::<BTreeSet<_>>().len())
            }
            None => None,
        };
        let mut arenas = BTreeMap::new();
        if let Some(a) = col(&d.arena) {
            let mut seen = BTreeSet::new();
            for (g, ar) in groups.iter().zip(a) {
                if seen.insert(g.as_str()) {
                    *arenas.entry(ar.clone()).or_insert(0) += 1;
                }
            }
        }
        reports.push(DatasetReport {
            name: d.name.clone(),
            path: path.display().to_string(),
            rows: data.n(),
            groups: sizes.len(),
            targets,
            forms,
            arenas,
            instruments: per_inst,
            missing_cells: data.values.iter().filter(|v| v.is_nan()).count(),
            group_size: [
                sizes.values().copied().min().unwrap_or(0),
                sizes.values().copied().max().unwrap_or(0),
            ],
        });
    }
    Ok(reports)
}
