//! `rwg`: within-group agreement (rwg(j), AD), ICC(1)/ICC(2) and the aggregation verdict of
//! each scale, with respondents grouped by a column of the data.

use super::{Outcome, Request};
use crate::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions, RwgResult};
use crate::error::{Error, Result, Warning, WarningCode};
use crate::study::{DataRequest, Study};
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};
use std::path::Path;

/// An rwg request: the data (`--items`, or `--instrument` with every subscale or `--scale`), the
/// group column and the options of `trustscale rwg`.
///
/// `Default` is the CLI's default, which follows R multilevel 2.7 (uniform null) and the
/// customary aggregation cut-offs: mean rwg(j) ≥ .70 (LeBreton & Senter, 2008), ICC(1) > .05
/// and significant, ICC(2) ≥ .70 (Bliese, 2000); no random-group resampling, seed 1.
#[derive(Debug, Clone, PartialEq)]
pub struct RwgRequest {
    /// The data.
    pub data: DataRequest,
    /// The group id column; `None` with a study is the group column of the study's dataset
    /// holding the instrument (printed whenever it is set, as the report passes it).
    pub group: Option<String>,
    /// Number of response options $A$ (default: from the instrument, or from `scale_min` and
    /// `scale_max` of the data request).
    pub scale_points: Option<usize>,
    /// The null distribution (`Null::Variance` is `--null-variance`); `None` is uniform
    /// (printed whenever it is set, as the report passes it).
    pub null: Option<Null>,
    /// Cut-off of mean rwg(j) for aggregation.
    pub min_rwg: f64,
    /// Cut-off of ICC(1).
    pub min_icc1: f64,
    /// Cut-off of ICC(2).
    pub min_icc2: f64,
    /// Random-group resampling with this many pseudo groups (Bliese's `rgr.agree`).
    pub rgr: Option<usize>,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for RwgRequest {
    fn default() -> Self {
        let c = AggregationCutoffs::default();
        RwgRequest {
            data: DataRequest::default(),
            group: None,
            scale_points: None,
            null: None,
            min_rwg: c.rwg,
            min_icc1: c.icc1,
            min_icc2: c.icc2,
            rgr: None,
            seed: 1,
        }
    }
}

/// One scale's agreement.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RwgScale {
    /// Subscale id (`items` for items named by hand).
    pub scale: String,
    /// The statistics.
    #[serde(flatten)]
    pub result: RwgResult,
    /// The subscale's display name (its id when it has none).
    #[serde(skip)]
    pub name: String,
}

/// What `trustscale rwg` produces: one [`RwgScale`] per scale.
///
/// Serialises as the contract has it: for one scale (items by hand, or `--scale`) that scale's
/// [`RwgResult`]; for an instrument's subscales `{"instrument": id, "scales": [...]}` with every
/// object's keys in alphabetical order.
#[derive(Debug, Clone)]
pub struct RwgOutput {
    /// The instrument's id, if the items came from one.
    pub instrument: Option<String>,
    /// The instrument's title, if any.
    pub instrument_title: Option<String>,
    /// Per scale, in the instrument's order.
    pub scales: Vec<RwgScale>,
    /// Whether the output is one scale (serialised as that scale's result alone).
    pub single: bool,
    /// The cut-offs of the verdict.
    pub cutoffs: AggregationCutoffs,
    /// Rows dropped and the statistics' warnings, each naming its scale.
    pub warnings: Vec<Warning>,
}

impl Serialize for RwgOutput {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match (self.single, self.scales.first()) {
            (true, Some(one)) => one.result.serialize(s),
            _ => {
                let scales = serde_json::to_value(&self.scales).map_err(S::Error::custom)?;
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("instrument", &self.instrument)?;
                m.serialize_entry("scales", &scales)?;
                m.end()
            }
        }
    }
}

impl Outcome for RwgOutput {
    fn warnings(&self) -> Vec<Warning> {
        self.warnings.clone()
    }
}

impl RwgRequest {
    /// The group column: the one asked for, or the study dataset's.
    fn group_column(&self) -> Result<String> {
        match (&self.group, &self.data.study) {
            (Some(g), _) => Ok(g.clone()),
            (None, Some(path)) => {
                let study = Study::load(path)?;
                let Some(name) = &self.data.instrument else {
                    return Err(Error::option(
                        "--instrument",
                        "with --study, name the instrument whose data to use",
                    ));
                };
                Ok(study.dataset_for(name)?.group.clone())
            }
            (None, None) => Err(Error::option(
                "--group",
                "name the group id column (--group team)",
            )),
        }
    }

    /// The number of response options: given, from the instrument, or from the scale range.
    fn points(&self) -> Result<usize> {
        if let Some(p) = self.scale_points {
            if p < 2 || p as u64 > crate::error::limits::SCALE_POINTS {
                return Err(Error::option(
                    "--scale-points",
                    format!(
                        "expected 2 to {} response categories, found {p}",
                        crate::error::limits::SCALE_POINTS
                    ),
                ));
            }
            return Ok(p);
        }
        if let Some(i) = self.data.instrument()? {
            return Ok((i.scale.max - i.scale.min + 1) as usize);
        }
        match (self.data.scale_min, self.data.scale_max) {
            (Some(lo), Some(hi)) if hi > lo && (hi - lo).fract() == 0.0 => {
                Ok((hi - lo) as usize + 1)
            }
            _ => Err(Error::option(
                "--scale-points",
                "give the number of response options (--scale-points 5), an instrument, or --scale-min/--scale-max",
            )),
        }
    }
}

impl Request for RwgRequest {
    type Output = RwgOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["rwg".to_string()];
        a.extend(self.data.args());
        if let Some(g) = &self.group {
            a.extend(["--group".into(), g.clone()]);
        }
        if let Some(p) = self.scale_points {
            a.extend(["--scale-points".into(), p.to_string()]);
        }
        match self.null {
            Some(Null::Variance(v)) => a.extend(["--null-variance".into(), v.to_string()]),
            Some(n) => a.extend(["--null".into(), n.name().unwrap_or_default().to_string()]),
            None => {}
        }
        let d = RwgRequest::default();
        for (flag, v, default) in [
            ("--min-rwg", self.min_rwg, d.min_rwg),
            ("--min-icc1", self.min_icc1, d.min_icc1),
            ("--min-icc2", self.min_icc2, d.min_icc2),
        ] {
            if v != default {
                a.extend([flag.to_string(), v.to_string()]);
            }
        }
        if let Some(r) = self.rgr {
            a.extend(["--rgr".into(), r.to_string()]);
        }
        if self.seed != d.seed {
            a.extend(["--seed".into(), self.seed.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<RwgOutput> {
        let group = self.group_column()?;
        let opts = RwgOptions {
            scale_points: self.points()?,
            null: self.null.unwrap_or(Null::Uniform),
            cutoffs: AggregationCutoffs {
                rwg: self.min_rwg,
                icc1: self.min_icc1,
                icc2: self.min_icc2,
                alpha: 0.05,
            },
            rgr: self.rgr,
            seed: self.seed,
        };
        opts.null.variance(opts.scale_points)?;
        if let Some(r) = self.rgr {
            crate::error::limits::positive("--rgr", r)?;
            crate::error::limits::count("--rgr", r, crate::error::limits::RESAMPLES)?;
        }
        let loaded = self.data.load_with(std::slice::from_ref(&group))?;
        let groups = loaded.texts.first().cloned().unwrap_or_default();
        let inst = loaded.instrument.as_ref();
        let mut scales = Vec::new();
        let mut warnings = Vec::new();
        for s in &loaded.scales {
            if self.scale_points.is_some() && self.data.scale_min.is_none() {
                // the count alone: answers 1..A or 0..A-1 (an instrument's range is checked on reading)
                // whole numbers are not required: multilevel's rwg takes scale means (bh1996 LEAD)
                crate::agreement::rwg::check_codes(&s.data, opts.scale_points)?;
            }
            // as multilevel (na.exclude): rows complete on the items and the group
            let k = s.data.k();
            let mut values = Vec::with_capacity(s.data.values.len());
            let mut g = Vec::with_capacity(s.data.n());
            let mut dropped = 0;
            for (row, label) in s.data.row_iter().zip(&groups) {
                if row.iter().any(|v| v.is_nan())
                    || label.trim().is_empty()
                    || self.data.read.is_missing(label)
                {
                    dropped += 1;
                    continue;
                }
                values.extend_from_slice(row);
                g.push(label.trim().to_string());
            }
            if dropped > 0 {
                warnings.push(Warning::new(
                    WarningCode::Listwise,
                    format!(
                        "{}: {dropped} rows with a missing item or group were dropped (as multilevel)",
                        s.name
                    ),
                ));
            }
            let r = rwg(&values, k, &g, &opts)?;
            warnings.extend(
                r.warnings
                    .iter()
                    .map(|w| Warning::new(w.code, format!("{}: {}", s.name, w.message))),
            );
            scales.push(RwgScale {
                scale: s.name.clone(),
                name: inst
                    .and_then(|i| i.subscale(&s.name))
                    .map_or_else(|| s.name.clone(), |sub| sub.name.clone()),
                result: r,
            });
        }
        Ok(RwgOutput {
            instrument: inst.map(|i| i.id.clone()),
            instrument_title: inst.map(|i| i.title.clone()),
            single: inst.is_none() || self.data.scale.is_some(),
            scales,
            cutoffs: opts.cutoffs,
            warnings,
        })
    }
}
