//! `trustscale profile` as a library call: [`ProfileRequest`] → [`ProfileOutput`].
//!
//! The instrument's items come through [`DataRequest`] (with a study: the dataset holding the
//! instrument, every form's rows, so that leaders' self ratings sit beside their collaborators');
//! who each row belongs to comes from the study's columns (target, form, group) or, with a data
//! file, from the columns named by hand. The numerics are those of [`crate::profile::profile`].

use super::{Outcome, Request};
use crate::data::read::closest_name;
use crate::error::{Error, Location, Result, Warning};
use crate::instrument::{self, Instrument};
use crate::profile::{profile, ProfileOptions, ProfileResult, Role, Units};
use crate::study::{DataRequest, Study};
use serde::Serialize;
use std::path::Path;

/// A `profile` run. [`Default`]: scores of subscales with at least 80% of their items
/// answered (as `trustscale score`), every leader or group shown, none drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRequest {
    /// The data: `instrument` must be set; a study (with `all_forms`, set by
    /// [`ProfileRequest::new`]) or a data file with `target`/`form` or `group_column`.
    pub data: DataRequest,
    /// Leaders (target ids) to show and draw (empty: show all, draw none).
    pub leader: Vec<String>,
    /// Groups to show and draw (empty: show all, draw none).
    pub group: Vec<String>,
    /// With a data file: the column naming the rated leader (gives leader profiles).
    pub target: Option<String>,
    /// With a data file and `target`: the column naming each row's form (self/observer).
    pub form: Option<String>,
    /// With a data file: the column naming each row's group (gives group profiles).
    pub group_column: Option<String>,
    /// Share of a subscale's items that must be answered for a score (default 0.8).
    pub min_answered: f64,
}

impl Default for ProfileRequest {
    fn default() -> Self {
        ProfileRequest {
            data: DataRequest {
                all_forms: true,
                ..DataRequest::default()
            },
            leader: Vec::new(),
            group: Vec::new(),
            target: None,
            form: None,
            group_column: None,
            min_answered: ProfileOptions::default().min_answered,
        }
    }
}

impl ProfileRequest {
    /// The profiles of an instrument in a study's data.
    pub fn new(study: &Path, instrument: &str) -> ProfileRequest {
        ProfileRequest {
            data: DataRequest {
                all_forms: true,
                ..DataRequest::study_instrument(study, instrument)
            },
            ..ProfileRequest::default()
        }
    }
}

/// The profiles, with the leaders or groups named to show and draw.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ProfileOutput {
    /// The profiles (only the named leaders or groups, when some were named).
    pub result: ProfileResult,
    /// The ids named (`leader` or `group` of the request), in order; their charts are drawn.
    #[serde(skip)]
    pub shown: Vec<String>,
}

impl Outcome for ProfileOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.result.warnings.clone()
    }
}

/// Where each row's unit and form come from.
enum Layout {
    /// Leader profiles: target column, and the form column or the one form of every row.
    Leaders { target: String, form: FormSource },
    /// Group profiles: the group column.
    Groups { group: String },
}

enum FormSource {
    Column(String),
    Fixed(String),
}

impl Request for ProfileRequest {
    type Output = ProfileOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["profile".to_string()];
        a.extend(self.data.args());
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag(
            "leader",
            (!self.leader.is_empty()).then(|| self.leader.join(",")),
        );
        flag(
            "group",
            (!self.group.is_empty()).then(|| self.group.join(",")),
        );
        flag("target", self.target.clone());
        flag("form", self.form.clone());
        flag("group-column", self.group_column.clone());
        flag(
            "min-answered",
            (self.min_answered != ProfileOptions::default().min_answered)
                .then(|| self.min_answered.to_string()),
        );
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<ProfileOutput> {
        let Some(name) = self.data.instrument.as_deref() else {
            return Err(Error::option(
                "--instrument",
                "name the instrument whose profiles to compute",
            ));
        };
        let inst = match &self.data.study {
            Some(path) => Study::load(path)?.instrument(name)?,
            None => instrument::load(name)?,
        };
        let mut result = self.compute(&inst)?;
        let (ids, flag, what) = match result.kind() {
            "leader" => {
                if !self.group.is_empty() {
                    return Err(Error::option(
                        "--group",
                        format!(
                            "the data of {} are ratings of leaders: name leaders with --leader",
                            inst.id
                        ),
                    ));
                }
                (&self.leader, "--leader", "leader")
            }
            _ => {
                if !self.leader.is_empty() {
                    return Err(Error::option(
                        "--leader",
                        format!(
                            "the data of {} have no target (leader) column: name groups with --group",
                            inst.id
                        ),
                    ));
                }
                (&self.group, "--group", "group")
            }
        };
        let ids: Vec<String> = ids
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if !ids.is_empty() {
            let known: Vec<String> = result.unit_ids().iter().map(|s| s.to_string()).collect();
            if let Err(bad) = result.retain_units(&ids) {
                let file = self.source_file()?;
                return Err(unknown_id(flag, what, &bad, &known, &file));
            }
        }
        Ok(ProfileOutput { result, shown: ids })
    }
}

impl ProfileRequest {
    /// The data file read: the one given, or the study's dataset holding the instrument.
    fn source_file(&self) -> Result<std::path::PathBuf> {
        if let Some(d) = &self.data.data {
            return Ok(d.clone());
        }
        if let Some(f) = self.data.table.as_ref().and_then(|t| t.file.clone()) {
            return Ok(f);
        }
        let Some(path) = &self.data.study else {
            return Err(Error::option("DATA", "no data file"));
        };
        let study = Study::load(path)?;
        let name = self.data.instrument.as_deref().unwrap_or_default();
        let inst = study.instrument(name)?;
        Ok(study.path_of(study.dataset_for_instrument(&inst)?))
    }

    /// Where each row's unit and form come from: the study's columns or the flags.
    fn layout(&self, inst: &Instrument) -> Result<Layout> {
        if let Some(path) = &self.data.study {
            let study = Study::load(path)?;
            let ds = study.dataset_for_instrument(inst)?;
            return Ok(match &ds.target {
                Some(target) => {
                    let form = match (&ds.form, &ds.form_value) {
                        (Some(col), _) => FormSource::Column(col.clone()),
                        (None, Some(v)) => FormSource::Fixed(v.clone()),
                        (None, None) => {
                            return Err(Error::option(
                                "--study",
                                format!(
                                    "dataset \"{}\" has a target column but no form column: self and collaborator ratings cannot be told apart",
                                    ds.name
                                ),
                            ))
                        }
                    };
                    Layout::Leaders {
                        target: target.clone(),
                        form,
                    }
                }
                None => Layout::Groups {
                    group: ds.group.clone(),
                },
            });
        }
        if self.data.data.is_none() && self.data.table.is_none() {
            return Err(Error::option(
                "DATA",
                "give the data file (with --target/--form or --group-column) or --study FILE",
            ));
        }
        Ok(match (&self.target, &self.form, &self.group_column) {
            (Some(target), Some(form), None) => Layout::Leaders {
                target: target.clone(),
                form: FormSource::Column(form.clone()),
            },
            (Some(_), None, _) => {
                return Err(Error::option(
                    "--form",
                    "leader profiles need the column naming each row's form (--form COL, values self/observer)",
                ))
            }
            (None, _, Some(group)) => Layout::Groups {
                group: group.clone(),
            },
            (Some(_), Some(_), Some(_)) => {
                return Err(Error::option(
                    "--group-column",
                    "give either --target and --form (leader profiles) or --group-column (group profiles)",
                ))
            }
            (None, _, None) => {
                return Err(Error::option(
                    "--target",
                    "name the rated leader's column (--target COL --form COL) or the group column (--group-column COL)",
                ))
            }
        })
    }

    /// Reads the instrument's items and the unit columns, and computes the profiles.
    fn compute(&self, inst: &Instrument) -> Result<ProfileResult> {
        let opts = ProfileOptions {
            min_answered: self.min_answered,
        };
        opts.validate()?;
        let layout = self.layout(inst)?;
        let text_names: Vec<String> = match &layout {
            Layout::Leaders {
                target,
                form: FormSource::Column(f),
            } => vec![target.clone(), f.clone()],
            Layout::Leaders { target, .. } => vec![target.clone()],
            Layout::Groups { group } => vec![group.clone()],
        };
        // every item, every form's rows (self ratings beside the collaborators')
        let req = DataRequest {
            scale: None,
            items: None,
            all_forms: true,
            ..self.data.clone()
        };
        let loaded = req.load_with(&text_names)?;
        let (data, _) = loaded.merged();
        let texts = loaded.texts;
        let at = Location::file(data.file.clone());
        let ids = |col: usize, what: &str| -> Result<Vec<String>> {
            let cells = texts.get(col).cloned().unwrap_or_default();
            cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    if self.data.read.is_missing(&c) {
                        Err(Error::Parse {
                            at: at
                                .clone()
                                .with_row(data.rows.get(i).copied().unwrap_or(0))
                                .with_column(text_names.get(col).cloned().unwrap_or_default()),
                            expected: what.to_string(),
                            found: c,
                        })
                    } else {
                        Ok(c.trim().to_string())
                    }
                })
                .collect()
        };
        match &layout {
            Layout::Leaders { form, .. } => {
                let leader = ids(0, "a leader id")?;
                let role: Vec<Role> = match form {
                    FormSource::Column(col) => texts
                        .get(1)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            Role::parse(v).ok_or_else(|| Error::Parse {
                                at: at
                                    .clone()
                                    .with_row(data.rows.get(i).copied().unwrap_or(0))
                                    .with_column(col.clone()),
                                expected: "a form: self or observer".into(),
                                found: v.clone(),
                            })
                        })
                        .collect::<Result<_>>()?,
                    FormSource::Fixed(v) => {
                        let r = Role::parse(v).ok_or_else(|| {
                            Error::option(
                                "--study",
                                format!("leader ratings need form self or observer, the dataset's form is \"{v}\""),
                            )
                        })?;
                        vec![r; data.n()]
                    }
                };
                let units = Units::Leaders {
                    leader: &leader,
                    role: &role,
                };
                profile(inst, &data, &units, &opts)
            }
            Layout::Groups { .. } => {
                let group = ids(0, "a group id")?;
                let units = Units::Groups { group: &group };
                profile(inst, &data, &units, &opts)
            }
        }
    }
}

/// The error for an id that is not in the data, with the closest id.
fn unknown_id(flag: &str, what: &str, id: &str, known: &[String], file: &Path) -> Error {
    let hint = match closest_name(id, known) {
        Some(c) => format!(" (did you mean \"{c}\"?)"),
        None => format!(
            " ({} {what}s, e.g. {})",
            known.len(),
            known.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    Error::option(
        flag,
        format!("no {what} \"{id}\" in {}{hint}", file.display()),
    )
}
