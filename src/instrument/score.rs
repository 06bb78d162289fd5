//! Subscale scores per respondent.
//!
//! # Formula
//! For respondent $r$ and subscale $s$ with items $I_s$, of which $A_{rs}$ were answered
//! (reverse keys already applied):
//! $$\text{mean}\_{rs} = \frac{1}{|A_{rs}|}\sum_{i\in A_{rs}} x_{ri}, \qquad
//!   \text{sum}\_{rs} = |I_s|\\,\text{mean}\_{rs}$$
//! The score is missing when $|A_{rs}|/|I_s|$ is below `min_answered`. The sum is prorated
//! (mean of the answered items times the number of items) so that respondents who skipped an
//! item stay on the same metric; with complete answers it is the plain sum.
//!
//! # Peer
//! R psych::scoreItems(impute = "none", totals = TRUE/FALSE) gives the same means for respondents
//! with any answered items; the `min_answered` rule is ours (psych has no such threshold).

use crate::data::ItemData;
use crate::error::{Error, Result};
use serde::Serialize;

/// How to combine items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMethod {
    /// Mean of the answered items.
    #[default]
    Mean,
    /// Prorated sum.
    Sum,
}

impl ScoreMethod {
    /// The name as the command line writes it: `mean` or `sum`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ScoreMethod::Mean => "mean",
            ScoreMethod::Sum => "sum",
        }
    }
}

impl std::str::FromStr for ScoreMethod {
    type Err = Error;

    /// `mean` or `sum`, as `--method` takes them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(ScoreMethod::Mean),
            "sum" => Ok(ScoreMethod::Sum),
            _ => Err(Error::option(
                "--method",
                format!("expected mean or sum, found \"{s}\""),
            )),
        }
    }
}

/// Options of [`score`].
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// Mean or (prorated) sum.
    pub method: ScoreMethod,
    /// Share of a subscale's items that must be answered for a score (0 to 1).
    pub min_answered: f64,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            method: ScoreMethod::Mean,
            min_answered: 0.8,
        }
    }
}

impl ScoreOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.min_answered) {
            return Err(Error::option(
                "--min-answered",
                "expected a share between 0 and 1",
            ));
        }
        Ok(())
    }
}

/// Scores: one row per respondent, one column per subscale.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Scores {
    /// Subscale ids (columns).
    pub subscales: Vec<String>,
    /// Respondent ids (the id column, or the spreadsheet row number).
    pub ids: Vec<String>,
    /// Row-major scores, `None` = missing.
    pub values: Vec<Option<f64>>,
    /// Missing scores per subscale.
    pub missing: Vec<usize>,
}

/// Scores each subscale; `groups` gives each subscale's column positions in `data`.
pub fn score(
    data: &ItemData,
    groups: &[(String, Vec<usize>)],
    opts: &ScoreOptions,
) -> Result<Scores> {
    opts.validate()?;
    let s = groups.len();
    let mut values = Vec::with_capacity(data.n() * s);
    let mut missing = vec![0; s];
    for r in data.row_iter() {
        for (g, (_, cols)) in groups.iter().enumerate() {
            let (sum, answered) = cols
                .iter()
                .map(|&j| r[j])
                .filter(|v| !v.is_nan())
                .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
            let share = answered as f64 / cols.len().max(1) as f64;
            let v = if answered == 0 || share + 1e-12 < opts.min_answered {
                missing[g] += 1;
                None
            } else {
                let mean = sum / answered as f64;
                Some(match opts.method {
                    ScoreMethod::Mean => mean,
                    ScoreMethod::Sum => mean * cols.len() as f64,
                })
            };
            values.push(v);
        }
    }
    let ids = match &data.ids {
        Some(ids) => ids.clone(),
        None => data.rows.iter().map(|r| r.to_string()).collect(),
    };
    Ok(Scores {
        subscales: groups.iter().map(|(n, _)| n.clone()).collect(),
        ids,
        values,
        missing,
    })
}

impl Scores {
    /// CSV text: a header `id,<subscales...>`, one row per respondent, missing scores empty.
    pub fn to_csv(&self, id_name: &str) -> String {
        let mut out = String::new();
        out.push_str(id_name);
        for s in &self.subscales {
            out.push(',');
            out.push_str(s);
        }
        out.push('\n');
        let s = self.subscales.len();
        for (i, id) in self.ids.iter().enumerate() {
            out.push_str(&csv_field(id));
            for v in &self.values[i * s..(i + 1) * s] {
                out.push(',');
                if let Some(v) = v {
                    out.push_str(&format!("{}", round12(*v)));
                }
            }
            out.push('\n');
        }
        out
    }
}

fn round12(v: f64) -> f64 {
    (v * 1e12).round() / 1e12
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_sum_and_min_answered() {
        let nan = f64::NAN;
        let d = ItemData::new(
            vec!["a".into(), "b".into(), "c".into()],
            vec![1.0, 2.0, 3.0, 4.0, nan, 6.0, nan, nan, 5.0],
        )
        .unwrap();
        let groups = vec![("s".to_string(), vec![0, 1, 2])];
        let opts = ScoreOptions {
            method: ScoreMethod::Sum,
            min_answered: 0.6,
        };
        let sc = score(&d, &groups, &opts).unwrap();
        assert_eq!(sc.values, vec![Some(6.0), Some(15.0), None]);
        assert_eq!(sc.missing, vec![1]);
        let sc = score(
            &d,
            &groups,
            &ScoreOptions {
                min_answered: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sc.values, vec![Some(2.0), Some(5.0), Some(5.0)]);
        assert_eq!(sc.to_csv("row"), "row,s\n2,2\n3,5\n4,5\n");
    }
}
