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

pub use items::{item_text, merge_scales, DataRequest, Loaded, LoadedSums, ScaleData, ScaleSums};

use crate::data::read::ColumnRequest;
use crate::data::{DataSource, ItemSpec, ReadOptions};
use crate::error::{Error, Location, Result};
use crate::instrument::{self, Instrument};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod names;

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
    /// The program-evaluation design (waves, arms), when the study has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
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
    /// Column naming each row's wave (a value of `[evaluation] waves`), for program evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// Column naming each row's arm (condition): the program or the comparison value of
    /// `[evaluation]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Column naming each row's cohort (or site): the cluster of cluster-robust errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
}

/// The `[evaluation]` table of a study: the waves in time order, which two are compared, and
/// the arms.
///
/// ```toml
/// [evaluation]
/// waves = ["pre", "post"]        # in time order
/// baseline = "pre"               # default: the first wave
/// followup = "post"              # default: the last wave
/// program = "program"            # the condition value of the program arm
/// comparison = "comparison"      # optional: the comparison arm
/// ```
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// Wave values in time order.
    pub waves: Vec<String>,
    /// The baseline wave (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The follow-up wave (default: the last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followup: Option<String>,
    /// The condition value of the program arm.
    pub program: String,
    /// The condition value of the comparison arm, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<String>,
}

impl Evaluation {
    /// The baseline wave: `baseline`, or the first wave.
    pub fn baseline(&self) -> &str {
        self.baseline
            .as_deref()
            .or(self.waves.first().map(String::as_str))
            .unwrap_or_default()
    }

    /// The follow-up wave: `followup`, or the last wave.
    pub fn followup(&self) -> &str {
        self.followup
            .as_deref()
            .or(self.waves.last().map(String::as_str))
            .unwrap_or_default()
    }

    /// The arms in order: program, then comparison.
    pub fn arms(&self) -> Vec<&str> {
        let mut a = vec![self.program.as_str()];
        a.extend(self.comparison.as_deref());
        a
    }

    /// The design's own consistency (no data read): waves distinct, baseline and follow-up
    /// declared waves with the baseline first, two different arms.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.waves.len() < 2 {
            return Err(format!(
                "[evaluation] waves: name at least two waves in time order, found {}",
                self.waves.len()
            ));
        }
        if let Some(w) = self
            .waves
            .iter()
            .enumerate()
            .find(|(i, w)| self.waves[..*i].contains(w))
        {
            return Err(format!("[evaluation] waves: \"{}\" is listed twice", w.1));
        }
        if self.followup.is_some() && self.baseline.is_none() {
            return Err(format!(
                "[evaluation] followup = \"{}\" has no baseline: add baseline = \"...\"",
                self.followup()
            ));
        }
        let pos = |key: &str, w: &str| {
            self.waves.iter().position(|x| x == w).ok_or_else(|| {
                format!(
                    "[evaluation] {key} = \"{w}\" is not one of the waves ({})",
                    self.waves.join(", ")
                )
            })
        };
        let b = pos("baseline", self.baseline())?;
        let f = pos("followup", self.followup())?;
        if b >= f {
            return Err(format!(
                "[evaluation] the baseline (\"{}\") must come before the follow-up (\"{}\") in waves",
                self.baseline(),
                self.followup()
            ));
        }
        if self.comparison.as_deref() == Some(self.program.as_str()) {
            return Err(format!(
                "[evaluation] program and comparison are both \"{}\"",
                self.program
            ));
        }
        Ok(())
    }
}

impl Study {
    /// Reads a study file.
    pub fn load(path: &Path) -> Result<Study> {
        let text = crate::error::limits::read_text(path)?;
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
        let err = |msg: String| Error::Instrument {
            file: path.to_path_buf(),
            line: None,
            col: None,
            msg,
        };
        match &s.evaluation {
            Some(ev) => {
                ev.validate().map_err(err)?;
                if !s.datasets.iter().any(|d| d.wave.is_some()) {
                    return Err(err(
                        "[evaluation] needs a dataset with a wave column (wave = \"COLUMN\")"
                            .into(),
                    ));
                }
                if let Some(d) = s
                    .datasets
                    .iter()
                    .find(|d| d.wave.is_some() != d.condition.is_some())
                {
                    return Err(err(format!(
                        "dataset \"{}\": give both wave and condition columns, or neither",
                        d.name
                    )));
                }
            }
            None => {
                if let Some(d) = s
                    .datasets
                    .iter()
                    .find(|d| d.wave.is_some() || d.condition.is_some() || d.cohort.is_some())
                {
                    return Err(err(format!(
                        "dataset \"{}\" names wave, condition or cohort columns but the study has no [evaluation] table",
                        d.name
                    )));
                }
            }
        }
        if s.datasets.is_empty() {
            return Err(Error::Instrument {
                file: s.file.clone(),
                line: None,
                col: None,
                msg: "no [[datasets]]".into(),
            });
        }
        names::check(&s, &text)?;
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
    /// The program-evaluation design of this dataset (when it has wave and condition columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub design: Option<DesignReport>,
}

/// Who took part at each wave in each arm of a dataset (`study check` with `[evaluation]`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DesignReport {
    /// What a unit is in this dataset: `leader` (a dataset with a target) or `group`.
    pub unit: String,
    /// One cell per arm and wave (arms in the order program, comparison; waves in time order).
    pub cells: Vec<DesignCell>,
    /// Retention per arm from the baseline to the follow-up.
    pub retention: Vec<Retention>,
    /// Distinct cohorts (when the dataset names a cohort column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohorts: Option<usize>,
}

/// Counts of one arm at one wave.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DesignCell {
    /// Arm (condition value).
    pub arm: String,
    /// Wave.
    pub wave: String,
    /// Data rows.
    pub rows: usize,
    /// Distinct leaders (targets), when the dataset has a target.
    pub leaders: Option<usize>,
    /// Distinct respondents other than the leaders themselves (collaborators or members).
    pub raters: usize,
    /// Distinct groups.
    pub groups: usize,
}

/// Units of an arm seen at the baseline, at the follow-up, and at both.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Retention {
    /// Arm.
    pub arm: String,
    /// Units (leaders or groups) with rows at the baseline.
    pub n_baseline: usize,
    /// Units with rows at the follow-up.
    pub n_followup: usize,
    /// Units with rows at both.
    pub n_both: usize,
    /// `n_both / n_baseline` (`null` without baseline units).
    pub retained: Option<f64>,
}

/// Checks a dataset's wave, condition and cohort columns against `[evaluation]` and counts the
/// design. `texts` holds the role columns named in `names`; `rows` the spreadsheet rows.
#[allow(clippy::too_many_arguments)]
fn check_design(
    ev: &Evaluation,
    d: &Dataset,
    at: &Location,
    names: &[String],
    texts: &[Vec<String>],
    rows: &[u64],
) -> Result<DesignReport> {
    let col = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| names.iter().position(|t| t == n))
            .map(|i| &texts[i])
    };
    let (Some(waves), Some(conds)) = (col(&d.wave), col(&d.condition)) else {
        return Err(Error::option(
            "--study",
            format!("dataset \"{}\" has no wave and condition columns", d.name),
        ));
    };
    let respondents = &texts[0];
    let groups = &texts[1];
    let targets = col(&d.target);
    let cohorts = col(&d.cohort);
    let arms = ev.arms();
    let bad = |i: usize, column: &str, expected: String, found: &str| Error::Parse {
        at: at.clone().with_row(rows[i]).with_column(column),
        expected,
        found: found.to_string(),
    };
    // the unit of each row: its target (leader) or its group
    let unit_of = |i: usize| targets.map_or(groups[i].as_str(), |t| t[i].as_str());
    let mut arm_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut cohort_of: BTreeMap<&str, &str> = BTreeMap::new();
    for i in 0..waves.len() {
        if !ev.waves.iter().any(|w| w == &waves[i]) {
            return Err(bad(
                i,
                d.wave.as_deref().unwrap_or_default(),
                format!("a wave declared in [evaluation] ({})", ev.waves.join(", ")),
                &waves[i],
            ));
        }
        if !arms.contains(&conds[i].as_str()) {
            return Err(bad(
                i,
                d.condition.as_deref().unwrap_or_default(),
                format!("an arm declared in [evaluation] ({})", arms.join(", ")),
                &conds[i],
            ));
        }
        let unit = unit_of(i);
        let what = if targets.is_some() { "leader" } else { "group" };
        match arm_of.get(unit) {
            Some(prev) if *prev != conds[i] => {
                return Err(bad(
                    i,
                    d.condition.as_deref().unwrap_or_default(),
                    format!(
                        "one arm per {what} ({what} {unit} is in arm {prev} on an earlier row)"
                    ),
                    &conds[i],
                ))
            }
            _ => {
                arm_of.insert(unit, conds[i].as_str());
            }
        }
        if let Some(c) = cohorts {
            if c[i].is_empty() {
                return Err(bad(
                    i,
                    d.cohort.as_deref().unwrap_or_default(),
                    "a cohort id".into(),
                    "",
                ));
            }
            match cohort_of.get(unit) {
                Some(prev) if *prev != c[i] => {
                    return Err(bad(
                        i,
                        d.cohort.as_deref().unwrap_or_default(),
                        format!(
                            "one cohort per {what} ({what} {unit} is in cohort {prev} on an earlier row)"
                        ),
                        &c[i],
                    ))
                }
                _ => {
                    cohort_of.insert(unit, c[i].as_str());
                }
            }
        }
    }
    let mut cells = Vec::new();
    let mut retention = Vec::new();
    for arm in &arms {
        for w in &ev.waves {
            let idx: Vec<usize> = (0..waves.len())
                .filter(|&i| conds[i] == *arm && &waves[i] == w)
                .collect();
            let distinct = |v: &Vec<String>| {
                idx.iter()
                    .map(|&i| v[i].as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            let raters = idx
                .iter()
                .filter(|&&i| targets.is_none_or(|t| t[i] != respondents[i]))
                .map(|&i| respondents[i].as_str())
                .collect::<BTreeSet<_>>()
                .len();
            cells.push(DesignCell {
                arm: arm.to_string(),
                wave: w.clone(),
                rows: idx.len(),
                leaders: targets.map(distinct),
                raters,
                groups: distinct(groups),
            });
        }
        let units_at = |w: &str| {
            (0..waves.len())
                .filter(|&i| conds[i] == *arm && waves[i] == w)
                .map(unit_of)
                .collect::<BTreeSet<_>>()
        };
        let b = units_at(ev.baseline());
        let f = units_at(ev.followup());
        let both = b.intersection(&f).count();
        retention.push(Retention {
            arm: arm.to_string(),
            n_baseline: b.len(),
            n_followup: f.len(),
            n_both: both,
            retained: (!b.is_empty()).then(|| both as f64 / b.len() as f64),
        });
    }
    Ok(DesignReport {
        unit: if targets.is_some() { "leader" } else { "group" }.into(),
        cells,
        retention,
        cohorts: cohorts.map(|c| c.iter().collect::<BTreeSet<_>>().len()),
    })
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
        text_names.extend(d.wave.iter().cloned());
        text_names.extend(d.condition.iter().cloned());
        text_names.extend(d.cohort.iter().cloned());
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
        let design = match (&study.evaluation, &d.wave) {
            (Some(ev), Some(_)) => Some(check_design(ev, d, &at, &text_names, &texts, &data.rows)?),
            _ => None,
        };
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
            design,
        });
    }
    Ok(reports)
}
