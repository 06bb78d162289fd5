//! `trustscale study check` as a library call: [`StudyCheckRequest`] → [`StudyCheckOutput`].

use super::{Outcome, Request};
use crate::error::{Result, Warning};
use crate::study::{check, DatasetReport, Study};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Checks a study file against its data (see [`crate::study::check`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StudyCheckRequest {
    /// The study file.
    pub file: PathBuf,
}

/// What the check found, one report per dataset; serialises as the list of reports.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct StudyCheckOutput {
    /// One report per dataset, in the study's order.
    pub datasets: Vec<DatasetReport>,
    /// The study file.
    #[serde(skip)]
    pub file: PathBuf,
    /// The study's title (may be empty).
    #[serde(skip)]
    pub title: String,
}

impl Outcome for StudyCheckOutput {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for StudyCheckRequest {
    type Output = StudyCheckOutput;

    /// `study check FILE`: the study file is the command's argument, so
    /// [`Request::study`] is `None` (no `--study` is added).
    fn args(&self) -> Vec<String> {
        vec![
            "study".into(),
            "check".into(),
            self.file.display().to_string(),
        ]
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<StudyCheckOutput> {
        let study = Study::load(&self.file)?;
        let datasets = check(&study)?;
        Ok(StudyCheckOutput {
            datasets,
            file: self.file.clone(),
            title: study.title.clone(),
        })
    }
}
