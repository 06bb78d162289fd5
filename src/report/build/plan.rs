//! What a study supports: its instruments with their datasets, the predictors and outcomes.

use crate::error::Result;
use crate::instrument::Instrument;
use crate::study::{Dataset, Study};

/// The analyses a study supports.
#[derive(Debug, Clone)]
pub struct Plan {
    /// (instrument, dataset) in study order.
    pub instruments: Vec<(Instrument, Dataset)>,
    /// The instrument whose subscales predict (rated about a target, e.g. tblc): the study's
    /// first `predictors` entry, else the first instrument of a dataset with a target.
    pub predictor: Option<Instrument>,
    /// Outcome subscales (`instrument:subscale`) with the dataset's group column: the study's
    /// `outcomes`, else every instrument of the datasets without a target.
    pub outcomes: Vec<(String, String)>,
}

impl Plan {
    /// The plan of a study (loads every instrument it names).
    pub fn new(study: &Study) -> Result<Plan> {
        let instruments: Vec<(Instrument, Dataset)> = study
            .instruments()?
            .into_iter()
            .map(|(i, d)| (i, d.clone()))
            .collect();
        let predictor = match study.predictors.first() {
            Some(first) => instruments
                .iter()
                .find(|(i, _)| study.lists(std::slice::from_ref(first), i))
                .map(|(i, _)| i.clone()),
            None => instruments
                .iter()
                .find(|(_, d)| d.target.is_some())
                .map(|(i, _)| i.clone()),
        };
        let outcomes = instruments
            .iter()
            .filter(|(i, d)| {
                if study.outcomes.is_empty() {
                    d.target.is_none()
                } else {
                    study.lists(&study.outcomes, i)
                }
            })
            .flat_map(|(i, d)| {
                i.subscales
                    .iter()
                    .map(|s| (format!("{}:{}", i.id, s.id), d.group.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(Plan {
            instruments,
            predictor,
            outcomes,
        })
    }

    /// Number of analyses, for a progress bar.
    pub fn stages(&self) -> usize {
        let multi = self
            .instruments
            .iter()
            .filter(|(i, _)| i.subscales.len() > 1)
            .count();
        let arenas = self
            .instruments
            .iter()
            .filter(|(i, d)| i.subscales.len() > 1 && d.arena.is_some())
            .count();
        let n = self.instruments.len();
        let reg = if self.predictor.is_some() {
            // the regression and multilevel model per outcome, then `framework`
            2 * self.outcomes.len() + 1
        } else {
            0
        };
        1 + n + 4 * multi + arenas + n + reg + 2 * n
    }
}
