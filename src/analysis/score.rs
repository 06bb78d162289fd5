//! `trustscale score` as a library call: each respondent's subscale scores, as a table the
//! caller writes out as CSV ([`ScoreOutput::to_csv`]).

use super::{Outcome, Request};
use crate::error::{Error, Result, Warning, WarningCode};
use crate::instrument::score::{score, ScoreMethod, ScoreOptions, Scores};
use crate::study::DataRequest;
use serde::Serialize;
use std::path::Path;

/// `trustscale score`: the instrument's items and how to combine them. `Default` is the
/// command's defaults: the mean of the answered items, a score when at least 80% of a
/// subscale's items were answered (R psych::scoreItems has no such threshold).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRequest {
    /// The items; scoring needs an instrument ([`DataRequest::instrument`]).
    pub data: DataRequest,
    /// Mean of the answered items, or their prorated sum (`--method`).
    pub method: ScoreMethod,
    /// Share of a subscale's items that must be answered for a score (`--min-answered`).
    pub min_answered: f64,
}

impl Default for ScoreRequest {
    fn default() -> Self {
        let o = ScoreOptions::default();
        ScoreRequest {
            data: DataRequest::default(),
            method: o.method,
            min_answered: o.min_answered,
        }
    }
}

/// What `trustscale score` produces: the scores, the name of their id column and the number
/// of respondents.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScoreOutput {
    /// One row per respondent, one column per subscale.
    pub scores: Scores,
    /// The id column's header: the `--id` column, else `row` (spreadsheet row numbers).
    pub id_column: String,
    /// Respondents (rows) scored.
    pub respondents: usize,
}

impl ScoreOutput {
    /// The scores as CSV text: `id,<subscales...>`, one row per respondent, missing scores
    /// empty.
    pub fn to_csv(&self) -> String {
        self.scores.to_csv(&self.id_column)
    }
}

impl ScoreRequest {
    /// The options of the scoring.
    pub fn options(&self) -> ScoreOptions {
        ScoreOptions {
            method: self.method,
            min_answered: self.min_answered,
        }
    }
}

impl Request for ScoreRequest {
    type Output = ScoreOutput;

    fn args(&self) -> Vec<String> {
        let d = ScoreRequest::default();
        let mut a = vec!["score".to_string()];
        a.extend(self.data.args());
        if self.method != d.method {
            a.extend(["--method".into(), self.method.as_str().into()]);
        }
        if self.min_answered != d.min_answered {
            a.extend(["--min-answered".into(), self.min_answered.to_string()]);
        }
        a
    }

    fn study(&self) -> Option<&Path> {
        self.data.study.as_deref()
    }

    fn run(&self) -> Result<ScoreOutput> {
        if self.data.instrument.is_none() {
            return Err(Error::option(
                "--instrument",
                "scoring needs an instrument (--instrument tblc)",
            ));
        }
        let opts = self.options();
        opts.validate()?;
        let loaded = self.data.load()?;
        // every scale's columns side by side, and each subscale's positions among them
        let (all, _) = loaded.merged();
        let mut groups = Vec::new();
        let mut start = 0;
        for s in &loaded.scales {
            groups.push((s.name.clone(), (start..start + s.data.k()).collect()));
            start += s.data.k();
        }
        let n = all.n();
        Ok(ScoreOutput {
            scores: score(&all, &groups, &opts)?,
            id_column: self.data.id.clone().unwrap_or_else(|| "row".to_string()),
            respondents: n,
        })
    }
}

impl Outcome for ScoreOutput {
    /// A note per subscale with respondents who answered too few of its items for a score.
    fn warnings(&self) -> Vec<Warning> {
        let n = self.respondents;
        self.scores
            .subscales
            .iter()
            .zip(&self.scores.missing)
            .filter(|(_, &m)| m > 0)
            .map(|(s, m)| {
                Warning::new(
                    WarningCode::Note,
                    format!("{s}: {m} of {n} respondents answered too few items for a score"),
                )
            })
            .collect()
    }
}
