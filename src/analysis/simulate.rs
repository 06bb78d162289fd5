//! `trustscale simulate` as a library call: [`SimulateRequest`] → [`SimulateOutput`].
//!
//! Two kinds of simulation:
//! - **an instrument** ([`crate::simulate::simulate_instrument`]): Likert responses from one
//!   factor per subscale, as CSV text;
//! - **a population model** (`model.toml`, [`crate::simulate::population`]): a whole
//!   multi-level study written to a folder: `leader-ratings.csv`, `member-ratings.csv`,
//!   `truth.csv` (the true latent scores) and a `study.toml` that reads them.

use super::{Outcome, Request};
use crate::error::{Error, Result, Warning};
use crate::instrument;
use crate::simulate::likert::to_csv;
use crate::simulate::population::{csv_text, load_model, InstrumentModel, PopulationModel};
use crate::simulate::{simulate_instrument, SimulateOptions};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A `simulate` run. [`Default`]: 400 respondents, seed 1 (or the model's), loadings .7,
/// factor correlation .3; `instrument` or `model` must be set (`model` needs `out`).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulateRequest {
    /// Instrument id or file (one factor per subscale).
    pub instrument: Option<String>,
    /// A population model: writes a whole study to `out`.
    pub model: Option<PathBuf>,
    /// Respondents (instrument simulation).
    pub n: usize,
    /// Seed (default 1, or the model's).
    pub seed: Option<u64>,
    /// Standardised loading of every item.
    pub loadings: f64,
    /// Correlation between subscale factors.
    pub factor_cor: f64,
    /// The CSV file (instrument simulation; written by the caller) or the study folder
    /// (model simulation; written by [`Request::run`]).
    pub out: Option<PathBuf>,
}

impl Default for SimulateRequest {
    fn default() -> Self {
        SimulateRequest {
            instrument: None,
            model: None,
            n: 400,
            seed: None,
            loadings: 0.7,
            factor_cor: 0.3,
            out: None,
        }
    }
}

/// Responses simulated for an instrument.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SimulatedResponses {
    /// Instrument id.
    pub instrument: String,
    /// Respondents.
    pub n: usize,
    /// Items.
    pub items: usize,
    /// The responses as CSV (header row, one row per respondent).
    pub csv: String,
}

/// A study simulated from a population model and written to a folder.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SimulatedStudy {
    /// The study folder.
    pub dir: PathBuf,
    /// Groups.
    pub groups: usize,
    /// Rows of `leader-ratings.csv`.
    pub leader_rows: usize,
    /// Rows of `member-ratings.csv`.
    pub member_rows: usize,
}

/// What a `simulate` run made.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SimulateOutput {
    /// Responses to an instrument.
    Responses(SimulatedResponses),
    /// A whole study, written to its folder.
    Study(SimulatedStudy),
}

impl Outcome for SimulateOutput {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for SimulateRequest {
    type Output = SimulateOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["simulate".to_string()];
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag("instrument", self.instrument.clone());
        flag(
            "model",
            self.model.as_ref().map(|m| m.display().to_string()),
        );
        flag("n", (self.n != 400).then(|| self.n.to_string()));
        flag("seed", self.seed.map(|s| s.to_string()));
        flag(
            "loadings",
            (self.loadings != 0.7).then(|| self.loadings.to_string()),
        );
        flag(
            "factor-cor",
            (self.factor_cor != 0.3).then(|| self.factor_cor.to_string()),
        );
        flag("out", self.out.as_ref().map(|o| o.display().to_string()));
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<SimulateOutput> {
        if let Some(model) = &self.model {
            return simulate_study(model, self.seed, self.out.as_deref())
                .map(SimulateOutput::Study);
        }
        let Some(id) = &self.instrument else {
            return Err(Error::option(
                "--instrument",
                "give an instrument (--instrument tblc) or a population model (--model model.toml)",
            ));
        };
        let inst = instrument::load(id)?;
        let opts = SimulateOptions {
            n: self.n,
            seed: self.seed.unwrap_or(1),
            loadings: self.loadings,
            factor_cor: self.factor_cor,
        };
        let (data, _) = simulate_instrument(&inst, &opts)?;
        Ok(SimulateOutput::Responses(SimulatedResponses {
            instrument: inst.id,
            n: self.n,
            items: data.k(),
            csv: to_csv(&data),
        }))
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Simulates a whole multi-level study from a population model and writes it to `out`.
pub fn simulate_study(
    model: &Path,
    seed: Option<u64>,
    out: Option<&Path>,
) -> Result<SimulatedStudy> {
    let Some(dir) = out else {
        return Err(Error::option(
            "--out",
            "give the output folder of the study (--out data/my-study)",
        ));
    };
    let text = crate::error::limits::read_text(model)?;
    let m = load_model(&text, model)?;
    let c = m.compile()?;
    let seed = seed.unwrap_or(m.seed);
    let s = c.generate_default(seed)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write(
        &dir.join("leader-ratings.csv"),
        &csv_text(&s.leader_header, &s.leader_rows),
    )?;
    write(
        &dir.join("member-ratings.csv"),
        &csv_text(&s.member_header, &s.member_rows),
    )?;
    let fmt = |v: &[f64], g: &[f64]| {
        v.iter()
            .chain(g)
            .map(|v| format!("{v:.6}"))
            .collect::<Vec<_>>()
    };
    let latents = || {
        c.leader_latents
            .iter()
            .chain(&c.group_latents)
            .map(|l| format!("true:{l}"))
    };
    if let Some(p) = &c.program {
        // one row per group and wave; the program's true effects in their own file
        let mut th: Vec<String> = [
            "group_id",
            "arena",
            "cohort",
            "condition",
            "wave",
            "observed",
            "raters",
        ]
        .map(String::from)
        .to_vec();
        th.extend(latents());
        let rows: Vec<Vec<String>> = s
            .waves
            .iter()
            .map(|w| {
                let t = &w.truth;
                let mut r = vec![
                    t.group.clone(),
                    t.arena.clone(),
                    w.cohort.clone(),
                    w.condition.clone(),
                    w.wave.clone(),
                    u8::from(w.observed).to_string(),
                    t.raters.to_string(),
                ];
                r.extend(fmt(&t.leader, &t.group_latents));
                r
            })
            .collect();
        write(&dir.join("truth.csv"), &csv_text(&th, &rows))?;
        let eh = ["latent".to_string(), "program_effect".into()];
        let rows: Vec<Vec<String>> = crate::simulate::population::true_program_effects(p, &c, &c.b)
            .into_iter()
            .map(|(l, e)| vec![l, format!("{e:.6}")])
            .collect();
        write(&dir.join("true-effects.csv"), &csv_text(&eh, &rows))?;
    } else {
        // with leader types, each leader's type (the latent profile class) after `raters`
        let typed = !m.leader.types.is_empty();
        let mut th = vec!["group_id".to_string(), "arena".into(), "raters".into()];
        if typed {
            th.push("leader_type".into());
        }
        th.extend(latents());
        let rows: Vec<Vec<String>> = s
            .truth
            .iter()
            .map(|t| {
                let mut r = vec![t.group.clone(), t.arena.clone(), t.raters.to_string()];
                if typed {
                    r.push(t.leader_type.clone().unwrap_or_default());
                }
                r.extend(fmt(&t.leader, &t.group_latents));
                r
            })
            .collect();
        write(&dir.join("truth.csv"), &csv_text(&th, &rows))?;
    }
    write(&dir.join("study.toml"), &study_toml(model, seed, &m))?;
    Ok(SimulatedStudy {
        dir: dir.to_path_buf(),
        groups: s.truth.len(),
        leader_rows: s.leader_rows.len(),
        member_rows: s.member_rows.len(),
    })
}

/// The `study.toml` of a simulated study: the two datasets, and as outcomes the instruments the
/// model gives effects on.
fn study_toml(model: &Path, seed: u64, m: &PopulationModel) -> String {
    let ids = |v: &[InstrumentModel]| {
        v.iter()
            .map(|i| format!("\"{}\"", i.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let study = format!(
        "# Written by `trustscale simulate --model {}` (seed {seed}).\ntitle = \"{}\"\n\n[[datasets]]\nname = \"leader-ratings\"\npath = \"leader-ratings.csv\"\nrespondent = \"respondent_id\"\ngroup = \"group_id\"\ntarget = \"leader_id\"\nform = \"form\"\narena = \"arena\"\ninstruments = [{}]\n\n[[datasets]]\nname = \"member-ratings\"\npath = \"member-ratings.csv\"\nrespondent = \"respondent_id\"\ngroup = \"group_id\"\nform_value = \"member\"\narena = \"arena\"\ninstruments = [{}]\n",
        model.display(),
        m.title.replace('"', "'"),
        ids(&m.leader.instruments),
        ids(&m.group.instruments)
    );
    // the instruments the model gives effects on are the study's outcomes
    let mut outcomes: Vec<String> = Vec::new();
    for o in m.effects.keys() {
        let id = o.split(':').next().unwrap_or(o).to_string();
        if !outcomes.contains(&id) {
            outcomes.push(id);
        }
    }
    let study = match &m.program {
        None => study,
        Some(p) => {
            let roles = "wave = \"wave\"\ncondition = \"condition\"\ncohort = \"cohort\"\n";
            let quoted = p
                .waves
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "'")))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{}\n[evaluation]\nwaves = [{quoted}]\nbaseline = \"{}\"\nfollowup = \"{}\"\nprogram = \"{}\"\ncomparison = \"{}\"\n",
                study.replace("instruments = [", &format!("{roles}instruments = [")),
                p.waves[0],
                p.waves[p.waves.len() - 1],
                p.program,
                p.comparison
            )
        }
    };
    if outcomes.is_empty() {
        return study;
    }
    study.replacen(
        "\n\n[[datasets]]",
        &format!(
            "\noutcomes = [{}]\n\n[[datasets]]",
            outcomes
                .iter()
                .map(|o| format!("\"{o}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        1,
    )
}
