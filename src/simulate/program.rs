//! Program designs in a population model: waves, arms, cohorts, program effects, trait
//! stability, rater turnover and attrition (the `[program]` table of `model.toml`).
//!
//! # Model
//! Leaders are dealt to cohorts in turn (group $g$, counted from 0, joins cohort $g \bmod K$);
//! the first $K_P$ cohorts take the program, the others are the comparison arm
//! ($P_g = 1$ in the program arm). The baseline wave is the study without a program design,
//! draw for draw: traits $a^{(1)}_g = c_g \sim N(0, \Sigma)$ and group residuals
//! $\varepsilon^{(1)}_g$ (see the population module). At every later wave $w$ the stable part of
//! the traits and of the group residuals follow a first-order autoregression with stability $s$
//! (the correlation of true scores in successive waves, without the program),
//! $$a^{(w)} = s\\,a^{(w-1)} + \sqrt{1-s^2}\\,L z_w,\qquad
//!   \varepsilon^{(w)} = s\\,\varepsilon^{(w-1)} + \sqrt{1-s^2}\\,R z'_w,$$
//! ($L L^\top = \Sigma$, $R R^\top = \Psi$, $z, z'$ standard normal), so every wave keeps the
//! baseline's covariance, and the program adds $\delta$ (one entry per leader latent, in
//! latent SD units, 0 where not named) from the first follow-up on:
//! $$c^{(w)} = a^{(w)} + \delta P_g,\qquad t^{(w)} = B c^{(w)} + \varepsilon^{(w)}.$$
//! The program's effect on the group latents is therefore $B\delta$ (in their baseline SD
//! units), through the existing effects only.
//!
//! Raters: the group keeps its $m_g$ rater slots at every wave; at each follow-up every slot's
//! rater is replaced with probability `turnover` (a new respondent, numbered after the group's
//! earlier ones, with a new leniency); a kept rater keeps their leniency. Every rater is a
//! collaborator (rating the leader) and a member (rating the group), as at baseline.
//!
//! Attrition: at each follow-up a leader still in the study leaves it (with their group and
//! raters: no rows from then on) with probability
//! $$\pi_g = \mathrm{logit}^{-1}\bigl(\mathrm{logit}(p) + \gamma\\,\bar c^{(1)}_g\bigr),$$
//! $p$ = `attrition`, $\gamma$ = `attrition_slope` (0: missing completely at random; negative:
//! leaders with low baseline competencies leave more often, missing at random given the
//! baseline), $\bar c^{(1)}_g$ the mean of the leader's baseline true traits.
//!
//! Streams: wave $w \ge 2$ of group $g$ draws (in order: attrition, turnover and new
//! leniencies, $z_w$, $z'_w$, then the ratings as at baseline) from ChaCha8 stream
//! $2^{40} w + g$, and its blank answers (see `MissingModel`) from stream
//! $2^{40} w + 2^{32} + g$.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `[program]` table of a population model.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramModel {
    /// Wave names in order (at least two; the first is the baseline).
    pub waves: Vec<String>,
    /// Name of the program arm (the `condition` value).
    #[serde(default = "program_name")]
    pub program: String,
    /// Name of the comparison arm.
    #[serde(default = "comparison_name")]
    pub comparison: String,
    /// Cohorts (clusters), at least 2.
    pub cohorts: usize,
    /// Cohorts in the program arm (default: `program_share` of the cohorts, rounded).
    #[serde(default)]
    pub program_cohorts: Option<usize>,
    /// Share of the cohorts in the program arm when `program_cohorts` is not given (default .5).
    #[serde(default)]
    pub program_share: Option<f64>,
    /// Correlation of true scores in successive waves, in [0, 1] (default .7).
    #[serde(default = "default_stability")]
    pub stability: f64,
    /// Share of a group's raters replaced at each follow-up, in [0, 1].
    #[serde(default)]
    pub turnover: f64,
    /// Probability that a leader leaves at each follow-up, in [0, 1).
    #[serde(default)]
    pub attrition: f64,
    /// Change in the log-odds of leaving per latent SD of the leader's mean baseline trait.
    #[serde(default)]
    pub attrition_slope: f64,
    /// Program effects on the leader's true traits: `instrument:subscale` → δ (latent SD units).
    #[serde(default)]
    pub effects: BTreeMap<String, f64>,
}

fn program_name() -> String {
    "program".into()
}
fn comparison_name() -> String {
    "comparison".into()
}
fn default_stability() -> f64 {
    0.7
}

/// A program design checked against its model.
#[derive(Debug, Clone)]
pub struct CompiledProgram {
    /// The table as read.
    pub spec: ProgramModel,
    /// Cohorts in the program arm.
    pub program_cohorts: usize,
    /// δ per leader latent ([`Compiled::leader_latents`] order).
    pub delta: Vec<f64>,
}

impl ProgramModel {
    /// Checks the table against the model's leader latents.
    pub fn compile(&self, leader_latents: &[String]) -> Result<CompiledProgram> {
        let bad = |what: &str, msg: String| Err(Error::option(format!("program.{what}"), msg));
        if self.waves.len() < 2 {
            return bad("waves", "name at least two waves (baseline first)".into());
        }
        for (i, w) in self.waves.iter().enumerate() {
            if w.is_empty() || self.waves[..i].contains(w) {
                return bad(
                    "waves",
                    format!("wave names must be distinct and non-empty: \"{w}\""),
                );
            }
        }
        if self.program == self.comparison || self.program.is_empty() {
            return bad(
                "program",
                "the two arms need distinct, non-empty names".into(),
            );
        }
        if self.cohorts < 2 || self.cohorts > crate::error::limits::DESIGN_UNITS {
            return bad(
                "cohorts",
                format!("expected at least 2 cohorts, found {}", self.cohorts),
            );
        }
        let k = match (self.program_cohorts, self.program_share) {
            (Some(k), _) => k,
            (None, Some(s)) if (0.0..=1.0).contains(&s) => {
                (s * self.cohorts as f64).round() as usize
            }
            (None, Some(s)) => {
                return bad(
                    "program_share",
                    format!("expected a share in [0, 1], found {s}"),
                )
            }
            (None, None) => self.cohorts / 2,
        };
        if k < 1 || k >= self.cohorts {
            return bad(
                "program_cohorts",
                format!(
                    "both arms need a cohort: {k} of {} cohorts in the program",
                    self.cohorts
                ),
            );
        }
        let unit = |what: &str, v: f64, hi_open: bool| {
            if v >= 0.0 && (v < 1.0 || (!hi_open && v == 1.0)) {
                Ok(())
            } else {
                Err(Error::option(
                    format!("program.{what}"),
                    format!(
                        "expected a value in [0, 1{}, found {v}",
                        if hi_open { ")" } else { "]" }
                    ),
                ))
            }
        };
        unit("stability", self.stability, false)?;
        unit("turnover", self.turnover, false)?;
        unit("attrition", self.attrition, true)?;
        if !self.attrition_slope.is_finite() {
            return bad("attrition_slope", "expected a number".into());
        }
        let mut delta = vec![0.0; leader_latents.len()];
        for (name, d) in &self.effects {
            let i = leader_latents
                .iter()
                .position(|l| l == name)
                .ok_or_else(|| {
                    Error::option(
                        "program.effects",
                        format!(
                            "unknown leader latent \"{name}\" (leader latents: {})",
                            leader_latents.join(", ")
                        ),
                    )
                })?;
            if !d.is_finite() {
                return bad("effects", format!("the effect on {name} must be a number"));
            }
            delta[i] = *d;
        }
        Ok(CompiledProgram {
            spec: self.clone(),
            program_cohorts: k,
            delta,
        })
    }
}

impl CompiledProgram {
    /// Whether group `g` is in the program arm, and its cohort index.
    pub fn arm_of(&self, g: usize) -> (bool, usize) {
        let cohort = g % self.spec.cohorts;
        (cohort < self.program_cohorts, cohort)
    }
}
