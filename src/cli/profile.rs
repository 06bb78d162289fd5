//! `trustscale profile`: subscale profiles per leader (self against collaborators, strengths)
//! or per group, with optional profile charts.

use super::common::{plot_path, to_json, ReadArgs};
use super::Output;
use std::path::{Path, PathBuf};
use trustscale::data::read::{closest_name, ColumnRequest};
use trustscale::data::ItemSpec;
use trustscale::instrument::{self, Instrument};
use trustscale::profile::{profile, ProfileOptions, ProfileResult, Role, Units};
use trustscale::render::Report;
use trustscale::{Error, Result};

/// Arguments of `profile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// A study file (study.toml): the dataset holding `--instrument` is read; a dataset with a
    /// target column gives leader profiles, one without gives group profiles.
    #[arg(long)]
    study: Option<PathBuf>,
    /// The instrument (`tblc`, `abi`, `group-trust`, `group-self-assessment`) or its file.
    #[arg(long)]
    instrument: String,
    /// Leaders (target ids) to show and draw, e.g. `G001-L,G002-L` (default: show all).
    #[arg(long, value_delimiter = ',')]
    leader: Vec<String>,
    /// Groups to show and draw, e.g. `G001,G002` (default: show all).
    #[arg(long, value_delimiter = ',')]
    group: Vec<String>,
    /// With a DATA file: the column naming the rated leader (gives leader profiles).
    #[arg(long, conflicts_with = "study")]
    target: Option<String>,
    /// With a DATA file and --target: the column naming each row's form (self/observer).
    #[arg(long, conflicts_with = "study")]
    form: Option<String>,
    /// With a DATA file: the column naming each row's group (gives group profiles).
    #[arg(long, conflicts_with = "study")]
    group_column: Option<String>,
    /// Share of a subscale's items that must be answered for a score (as `trustscale score`).
    #[arg(long, default_value_t = 0.8)]
    min_answered: f64,
    /// Draw the profiles of the leaders named by --leader (or groups by --group) to FILE
    /// (.svg or .png); with several, to FILE-ID.svg for each.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
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

/// The data file and its layout, from the study or the flags.
fn layout(a: &Args, inst: &Instrument) -> Result<(ReadArgs, Layout)> {
    let mut read = a.read.clone();
    if let Some(path) = &a.study {
        // the study's columns; its data file unless DATA names another one
        let study = trustscale::study::Study::load(path)?;
        let ds = study.dataset_for_instrument(inst)?;
        if read.data.is_none() {
            read.data = Some(study.path_of(ds));
        }
        let layout = match &ds.target {
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
        };
        return Ok((read, layout));
    }
    if read.data.is_none() {
        return Err(Error::option(
            "DATA",
            "give the data file (with --target/--form or --group-column) or --study FILE",
        ));
    }
    let layout = match (&a.target, &a.form, &a.group_column) {
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
    };
    Ok((read, layout))
}

/// Reads the instrument's items and the unit columns, and computes the profiles.
fn compute(a: &Args, inst: &Instrument) -> Result<(ProfileResult, PathBuf)> {
    let opts = ProfileOptions {
        min_answered: a.min_answered,
    };
    opts.validate()?;
    let (read, layout) = layout(a, inst)?;
    let src = read.open()?;
    let header = src.names().to_vec();
    let at = read.at();
    let file = read.path()?.to_path_buf();
    // every item, with the response range checked while reading
    let mut reqs: Vec<ColumnRequest> = Vec::new();
    for (_, sel) in inst.selections(None, &header, &at)? {
        reqs.extend(sel.requests());
    }
    let text_names: Vec<String> = match &layout {
        Layout::Leaders {
            target,
            form: FormSource::Column(f),
        } => vec![target.clone(), f.clone()],
        Layout::Leaders { target, .. } => vec![target.clone()],
        Layout::Groups { group } => vec![group.clone()],
    };
    let text_cols = ItemSpec(text_names.clone()).resolve(&header, &at)?;
    let (data, texts) = src.read_text(&reqs, &text_cols)?;
    if data.n() == 0 {
        return Err(Error::Empty {
            at,
            what: "a header and no data rows".into(),
        });
    }
    let ids = |col: usize, what: &str| -> Result<Vec<String>> {
        let cells = texts.get(col).cloned().unwrap_or_default();
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if read.is_missing(&c) {
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
            Ok((profile(inst, &data, &units, &opts)?, file))
        }
        Layout::Groups { .. } => {
            let group = ids(0, "a group id")?;
            let units = Units::Groups { group: &group };
            Ok((profile(inst, &data, &units, &opts)?, file))
        }
    }
}

/// The error for an id that is not in the data, with the closest id.
fn unknown_id(flag: &str, what: &str, id: &str, known: &[&str], file: &Path) -> Error {
    let known: Vec<String> = known.iter().map(|s| s.to_string()).collect();
    let hint = match closest_name(id, &known) {
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

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let inst = match &a.study {
        Some(path) => trustscale::study::Study::load(path)?.instrument(&a.instrument)?,
        None => instrument::load(&a.instrument)?,
    };
    let (mut result, source) = compute(&a, &inst)?;
    let (ids, flag, what) = match result.kind() {
        "leader" => {
            if !a.group.is_empty() {
                return Err(Error::option(
                    "--group",
                    format!(
                        "the data of {} are ratings of leaders: name leaders with --leader",
                        inst.id
                    ),
                ));
            }
            (a.leader.clone(), "--leader", "leader")
        }
        _ => {
            if !a.leader.is_empty() {
                return Err(Error::option(
                    "--leader",
                    format!(
                        "the data of {} have no target (leader) column: name groups with --group",
                        inst.id
                    ),
                ));
            }
            (a.group.clone(), "--group", "group")
        }
    };
    let ids: Vec<String> = ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if !ids.is_empty() {
        let known: Vec<String> = result.unit_ids().iter().map(|s| s.to_string()).collect();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        if let Err(bad) = result.retain_units(&ids) {
            return Err(unknown_id(flag, what, &bad, &known, &source));
        }
    }
    let mut written = Vec::new();
    if let Some(plot) = &a.plot {
        if ids.is_empty() {
            return Err(Error::option(
                "--plot",
                format!("name the {what}s to draw with {flag} ID[,ID...]"),
            ));
        }
        for id in &ids {
            let Some(chart) = result.chart(id) else {
                continue;
            };
            let path = if ids.len() > 1 {
                // ids become part of a file name: keep letters, digits, '-', '_' and '.'
                let safe: String = id
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || "-_.".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                plot_path(plot, &safe)
            } else {
                plot.clone()
            };
            trustscale::plot::write(&path, &chart)?;
            written.push(path);
        }
    }
    let warnings = result.warnings.clone();
    let stdout = if a.json {
        to_json(&result)?
    } else {
        let mut s = result
            .tables()
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        if !written.is_empty() {
            s.push('\n');
        }
        for p in &written {
            s.push_str(&format!("wrote {}\n", p.display()));
        }
        s
    };
    Ok(Output { stdout, warnings })
}
