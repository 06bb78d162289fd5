//! Population models of a multi-level trust-building study, and the studies they generate.
//!
//! # Model
//! Groups $g = 1..G$ (each in an arena) have a leader with true standardised traits $c_g$: one
//! per subscale of each *leader* instrument (e.g. the six competencies and ability, benevolence,
//! integrity), $c_g \sim N(0, \Sigma)$ with correlation `factor_cor` within an instrument and
//! `cross_cor` between instruments. With leader types (`[[leader.types]]`, latent profile
//! classes) the leader of group $g$ is of type $k_g$ with probability $\pi_k$ (`share`) and
//! $c_g = \mu_{k_g} + L z_g$ ($\mu_k$ the type's `means`, $LL' = \Sigma$): a Gaussian mixture,
//! whose classes `framework`'s latent profile analysis should recover; the effects below then
//! act on the traits with their type means, and $\Psi$ is set from the mixture's covariance.
//! Each group has true standardised levels $t_g$ of the
//! *group* instruments' subscales (e.g. affective and cognitive trust):
//! $$t_g = B c_g + \varepsilon_g,\qquad \varepsilon_g \sim N(0, \Psi),$$
//! with $B$ the standardised effects and $\Psi$ chosen so every $t$ has unit variance (residual
//! correlations `factor_cor`). Each of the group's $m_g$ raters (collaborators, who are also the
//! group's members) has a leniency $\ell_r \sim N(0, \sigma^2_\ell)$ and perceives
//! $$f_{r} = \sqrt{\rho}\\,c_g + \sqrt{1-\rho-\sigma^2_\ell}\\,u_r + \ell_r$$
//! for a leader trait ($\rho$ = the instrument's `icc`, the share of a rating's latent variance
//! that is the leader's true standing) and likewise $\sqrt{\rho_t}\\,t_g + \dots$ for group trust.
//! The leader rates themself with $f = \sqrt{\rho}\\,c_g + \sqrt{1-\rho}\\,u + \beta_{self}$
//! (`self_bias`). Perceived values become Likert answers through each instrument's items
//! ([`LikertModel::respond`]: loading `loading`, thresholds as [`super::likert`]).
//!
//! Group $g$ draws everything from ChaCha8 stream $g+1$ of the seed (item thresholds from stream
//! 0), so a study depends on the seed only, on every platform and thread count.

use super::likert::{LikertModel, SimulateOptions};
use super::program::{CompiledProgram, ProgramModel};
use crate::error::{Error, Result};
use crate::instrument::{self, Instrument};
use crate::numeric::rng::{stream, uniform_open, Normal};
use nalgebra::{DMatrix, DVector};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A population model file (`model.toml`).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationModel {
    /// What the model describes.
    #[serde(default)]
    pub title: String,
    /// Default seed.
    #[serde(default = "one")]
    pub seed: u64,
    /// Groups, arenas and raters.
    pub design: Design,
    /// Instruments rating the leader (self and observer forms).
    pub leader: LeaderModel,
    /// Instruments rating the group (member form).
    pub group: GroupModel,
    /// Rater effects.
    #[serde(default)]
    pub raters: RaterModel,
    /// Missing answers (none by default).
    #[serde(default)]
    pub missing: MissingModel,
    /// Standardised effects: outcome `instrument:subscale` → predictor `instrument:subscale` → β.
    #[serde(default)]
    pub effects: BTreeMap<String, BTreeMap<String, f64>>,
    /// Power-analysis settings (grid and analysis), when the model is used for power.
    #[serde(default)]
    pub power: Option<PowerSpec>,
    /// A program design (waves, arms, cohorts, program effects; see [`super::program`]).
    /// Without it the study has one wave and no arms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<ProgramModel>,
}

fn one() -> u64 {
    1
}

/// The study design.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Arena names.
    pub arenas: Vec<String>,
    /// Groups in each arena (same length as `arenas`).
    pub groups_per_arena: Vec<usize>,
    /// Raters per group, drawn uniformly from `[min, max]`.
    pub raters: [usize; 2],
}

/// One instrument's measurement model.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentModel {
    /// Instrument id or path.
    pub id: String,
    /// Standardised item loading on its subscale's factor.
    #[serde(default = "default_loading")]
    pub loading: f64,
    /// Correlation between the instrument's factors.
    #[serde(default = "default_factor_cor")]
    pub factor_cor: f64,
    /// Share of a rating's latent variance that is the target's true standing.
    #[serde(default = "default_icc")]
    pub icc: f64,
}

fn default_loading() -> f64 {
    0.7
}
fn default_factor_cor() -> f64 {
    0.4
}
fn default_icc() -> f64 {
    0.3
}

/// Leader instruments.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderModel {
    /// The instruments.
    pub instruments: Vec<InstrumentModel>,
    /// Correlation between factors of different leader instruments.
    #[serde(default)]
    pub cross_cor: f64,
    /// Leader types (latent profile classes): each leader belongs to one, with its share, and
    /// the type's mean shifts the leader's traits (none by default: one homogeneous population).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<LeaderType>,
}

/// A leader type: a latent profile class of the leader traits (see [`Compiled::leader_type`]).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderType {
    /// Name of the type (written in `truth.csv`, column `leader_type`).
    pub name: String,
    /// Share of leaders of this type (the shares sum to 1).
    pub share: f64,
    /// Mean of the type on leader latents `instrument:subscale`, in latent sd units (0 for a
    /// latent not named).
    #[serde(default)]
    pub means: BTreeMap<String, f64>,
}

/// Group instruments.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupModel {
    /// The instruments.
    pub instruments: Vec<InstrumentModel>,
}

/// Rater effects.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaterModel {
    /// Sd of each rater's leniency (added to every latent they rate).
    #[serde(default)]
    pub leniency_sd: f64,
    /// Leaders' self-rating bias, in latent sd units.
    #[serde(default)]
    pub self_bias: f64,
}

/// Missing answers: each answer of every rating (self, observer, member) is left blank with
/// probability `rate`, independently (missing completely at random, Rubin 1976).
///
/// The blanks are drawn from their own ChaCha8 streams ($2^{32} + g$ for group $g$), after and
/// apart from everything else, so a study with `rate = 0` is the study without the setting, and
/// raising the rate only blanks answers: every other number stays as it was.
///
/// # Reference
/// Rubin, D. B. (1976). Inference and missing data. *Biometrika*, 63(3), 581–592.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingModel {
    /// Probability that an answer is missing, in [0, 0.5).
    #[serde(default)]
    pub rate: f64,
}

/// Power-analysis grid and analysis, read by `trustscale power`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerSpec {
    /// Total numbers of groups to try (split over arenas in the design's proportions).
    #[serde(default)]
    pub groups: Vec<usize>,
    /// Raters per group to try (each a fixed size `[r, r]`).
    #[serde(default)]
    pub raters: Vec<usize>,
    /// Multipliers of every effect in the model (1 = as specified).
    #[serde(default)]
    pub effect_scale: Vec<f64>,
    /// Replications per cell.
    #[serde(default)]
    pub replications: Option<usize>,
    /// Significance level.
    #[serde(default)]
    pub alpha: Option<f64>,
    /// `"aggregate"` (group means then OLS) or `"multilevel"` (random intercept).
    #[serde(default)]
    pub analysis: Option<String>,
    /// The outcome `instrument:subscale` analysed (default: the first with effects).
    #[serde(default)]
    pub outcome: Option<String>,
}

/// A latent variable: instrument index and subscale index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Latent {
    instrument: usize,
    subscale: usize,
}

/// A model ready to generate: instruments loaded, matrices built and checked.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The model as read.
    pub model: PopulationModel,
    /// Leader instruments.
    pub leader: Vec<(Instrument, LikertModel, InstrumentModel)>,
    /// Group instruments.
    pub group: Vec<(Instrument, LikertModel, InstrumentModel)>,
    /// Names `instrument:subscale` of the leader latents, in order.
    pub leader_latents: Vec<String>,
    /// Names of the group latents.
    pub group_latents: Vec<String>,
    /// Cholesky factor of the leader trait correlations.
    leader_chol: DMatrix<f64>,
    /// Effects matrix B (group latents x leader latents).
    pub b: DMatrix<f64>,
    /// Cholesky factor of the residual covariance of group latents.
    resid_chol: DMatrix<f64>,
    leader_of: Vec<Latent>,
    group_of: Vec<Latent>,
    /// Leader types: cumulative shares and mean vectors (empty without types).
    types: Vec<(f64, Vec<f64>)>,
    /// Covariance of the leader traits over the population, types included
    /// ($\Sigma + \sum_k \pi_k (\mu_k - \bar\mu)(\mu_k - \bar\mu)'$).
    leader_cov: DMatrix<f64>,
    /// The program design, when the model has one.
    pub program: Option<CompiledProgram>,
}

/// Parses a model file's text.
pub fn load_model(text: &str, file: &Path) -> Result<PopulationModel> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| crate::error::line_col(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::Instrument {
            file: file.to_path_buf(),
            line,
            col,
            msg: e.message().trim().to_string(),
        }
    })
}

fn block_cor(sizes: &[usize], within: &[f64], cross: f64) -> DMatrix<f64> {
    let total: usize = sizes.iter().sum();
    let mut block = Vec::with_capacity(total);
    for (b, &s) in sizes.iter().enumerate() {
        block.extend(std::iter::repeat_n(b, s));
    }
    DMatrix::from_fn(total, total, |i, j| {
        if i == j {
            1.0
        } else if block[i] == block[j] {
            within[block[i]]
        } else {
            cross
        }
    })
}

impl PopulationModel {
    /// Loads the instruments and builds the matrices; errors name the offending setting.
    pub fn compile(&self) -> Result<Compiled> {
        let d = &self.design;
        if d.arenas.is_empty() || d.arenas.len() != d.groups_per_arena.len() {
            return Err(Error::option(
                "design",
                "give one groups_per_arena entry per arena",
            ));
        }
        use crate::error::limits;
        for &g in &d.groups_per_arena {
            limits::count("design.groups_per_arena", g, limits::DESIGN_UNITS)?;
        }
        limits::count("design.raters", d.raters[1], 100_000)?;
        let groups: usize = d.groups_per_arena.iter().sum();
        limits::memory(
            "design: groups x raters",
            groups as u128 * (d.raters[1] as u128 + 1),
            8 * 200,
        )?;
        if groups < 2 {
            return Err(Error::option(
                "design.groups_per_arena",
                "expected at least 2 groups",
            ));
        }
        if d.raters[0] < 1 || d.raters[0] > d.raters[1] {
            return Err(Error::option(
                "design.raters",
                "expected [min, max] with 1 <= min <= max",
            ));
        }
        if !(self.missing.rate >= 0.0 && self.missing.rate < 0.5) {
            return Err(Error::option(
                "missing.rate",
                format!(
                    "expected a probability in [0, 0.5), found {}",
                    self.missing.rate
                ),
            ));
        }
        let r = &self.raters;
        let load = |ms: &[InstrumentModel],
                    what: &str|
         -> Result<Vec<(Instrument, LikertModel, InstrumentModel)>> {
            if ms.is_empty() {
                return Err(Error::option(what, "name at least one instrument"));
            }
            ms.iter()
                .map(|m| {
                    if !(m.icc > 0.0 && m.icc + r.leniency_sd * r.leniency_sd < 1.0) {
                        return Err(Error::option(
                            format!("{what} {}", m.id),
                            "icc must be positive and icc + leniency_sd^2 below 1",
                        ));
                    }
                    let inst = instrument::load(&m.id)?;
                    let lm = LikertModel::new(
                        &inst,
                        &SimulateOptions {
                            n: 1,
                            seed: self.seed,
                            loadings: m.loading,
                            factor_cor: m.factor_cor,
                        },
                    )?;
                    Ok((inst, lm, m.clone()))
                })
                .collect()
        };
        let leader = load(&self.leader.instruments, "leader.instruments")?;
        let group = load(&self.group.instruments, "group.instruments")?;
        let names =
            |v: &[(Instrument, LikertModel, InstrumentModel)]| -> (Vec<String>, Vec<Latent>) {
                let mut n = Vec::new();
                let mut l = Vec::new();
                for (ii, (inst, _, _)) in v.iter().enumerate() {
                    for (si, s) in inst.subscales.iter().enumerate() {
                        n.push(format!("{}:{}", inst.id, s.id));
                        l.push(Latent {
                            instrument: ii,
                            subscale: si,
                        });
                    }
                }
                (n, l)
            };
        let (leader_latents, leader_of) = names(&leader);
        let (group_latents, group_of) = names(&group);
        let sizes: Vec<usize> = leader.iter().map(|(i, _, _)| i.subscales.len()).collect();
        let within: Vec<f64> = leader.iter().map(|(_, _, m)| m.factor_cor).collect();
        let sigma = block_cor(&sizes, &within, self.leader.cross_cor);
        let leader_chol = sigma
            .clone()
            .cholesky()
            .ok_or_else(|| Error::NotPositiveDefinite {
                what: "the leader trait correlation matrix".into(),
                index: "leader.cross_cor / factor_cor".into(),
            })?;
        let mut b = DMatrix::zeros(group_latents.len(), leader_latents.len());
        for (out, preds) in &self.effects {
            let o = group_latents.iter().position(|g| g == out).ok_or_else(|| {
                Error::option(
                    "effects",
                    format!(
                        "unknown outcome \"{out}\" (group latents: {})",
                        group_latents.join(", ")
                    ),
                )
            })?;
            for (pred, beta) in preds {
                let p = leader_latents
                    .iter()
                    .position(|l| l == pred)
                    .ok_or_else(|| {
                        Error::option(
                            "effects",
                            format!(
                                "unknown predictor \"{pred}\" (leader latents: {})",
                                leader_latents.join(", ")
                            ),
                        )
                    })?;
                b[(o, p)] = *beta;
            }
        }
        let (types, leader_cov) = compile_types(&self.leader.types, &leader_latents, &sigma)?;
        // residual covariance: unit total variances, residual correlations factor_cor within an instrument
        let explained = &b * &leader_cov * b.transpose();
        let gsizes: Vec<usize> = group.iter().map(|(i, _, _)| i.subscales.len()).collect();
        let gwithin: Vec<f64> = group.iter().map(|(_, _, m)| m.factor_cor).collect();
        let rcor = block_cor(&gsizes, &gwithin, 0.0);
        let mut sd = DVector::zeros(group_latents.len());
        for (i, name) in group_latents.iter().enumerate() {
            let v = 1.0 - explained[(i, i)];
            if v <= 0.01 {
                return Err(Error::option(
                    "effects",
                    format!("the effects on {name} explain {:.3} of its variance: they must explain less than .99", explained[(i, i)]),
                ));
            }
            sd[i] = v.sqrt();
        }
        let psi = DMatrix::from_fn(sd.len(), sd.len(), |i, j| rcor[(i, j)] * sd[i] * sd[j]);
        let resid_chol = psi.cholesky().ok_or_else(|| Error::NotPositiveDefinite {
            what: "the residual covariance of the group latents".into(),
            index: "group factor_cor".into(),
        })?;
        let program = match &self.program {
            Some(p) => Some(p.compile(&leader_latents)?),
            None => None,
        };
        Ok(Compiled {
            program,
            model: self.clone(),
            leader,
            group,
            leader_latents,
            group_latents,
            leader_chol: leader_chol.l(),
            b,
            resid_chol: resid_chol.l(),
            leader_of,
            group_of,
            types,
            leader_cov,
        })
    }
}

/// A generated study.
#[derive(Debug, Clone)]
pub struct Study {
    /// Header of the leader-ratings file.
    pub leader_header: Vec<String>,
    /// Rows of the leader-ratings file (self and observer ratings).
    pub leader_rows: Vec<Vec<String>>,
    /// Header of the member-ratings file.
    pub member_header: Vec<String>,
    /// Rows of the member-ratings file.
    pub member_rows: Vec<Vec<String>>,
    /// Per group: id, arena, true leader traits, true group latents, raters (at baseline).
    pub truth: Vec<GroupTruth>,
    /// With a program design: every group at every wave (groups in order, then waves).
    pub waves: Vec<WaveTruth>,
}

/// One group's simulated numbers.
#[derive(Debug, Clone)]
pub struct GroupData {
    /// Raters (= members).
    pub raters: usize,
    /// The leader's self ratings of every leader item.
    pub leader_self: Vec<f64>,
    /// Observer ratings, `raters x leader items`, row-major.
    pub observers: Vec<f64>,
    /// Member ratings, `raters x group items`, row-major.
    pub members: Vec<f64>,
    /// True leader traits.
    pub leader: Vec<f64>,
    /// True group latents.
    pub group_latents: Vec<f64>,
    /// Each rater's leniency.
    pub leniency: Vec<f64>,
}

/// Per instrument: its latents (positions in `of`) and, when `mask` is given, which of its
/// items are needed (the instruments' items side by side in `mask`).
fn instrument_plan<'m>(
    insts: &[(Instrument, LikertModel, InstrumentModel)],
    of: &[Latent],
    mask: Option<&'m [bool]>,
) -> Vec<(Vec<usize>, Option<&'m [bool]>)> {
    let mut base = 0;
    insts
        .iter()
        .enumerate()
        .map(|(ii, (_, lm, _))| {
            let latents: Vec<usize> = of
                .iter()
                .enumerate()
                .filter(|(_, l)| l.instrument == ii)
                .map(|(k, _)| k)
                .collect();
            let items = mask.map(|mk| &mk[base..base + lm.items.len()]);
            base += lm.items.len();
            (latents, items)
        })
        .collect()
}

/// Which answers of a group a caller reads ([`Compiled::group_data_needed`]): the others are
/// not computed (their random draws are still taken, so the ones read do not change).
#[derive(Debug, Clone)]
pub(crate) struct Needed {
    /// The leader's self ratings.
    pub leader_self: bool,
    /// Per leader item (in a rater's row of observer ratings).
    pub leader: Vec<bool>,
    /// Per group item (in a rater's row of member ratings).
    pub group: Vec<bool>,
}

/// One wave's ratings of one group (see [`Compiled::rate`]).
#[derive(Debug, Clone)]
pub(crate) struct Ratings {
    pub leader_self: Vec<f64>,
    pub observers: Vec<f64>,
    pub members: Vec<f64>,
    pub leniency: Vec<f64>,
}

/// A group's leader-rating rows, member-rating rows and truth.
type GroupRows = (Vec<Vec<String>>, Vec<Vec<String>>, GroupTruth);

/// The true values of one group.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupTruth {
    /// Group id.
    pub group: String,
    /// Arena.
    pub arena: String,
    /// Number of raters.
    pub raters: usize,
    /// True leader traits, in [`Compiled::leader_latents`] order.
    pub leader: Vec<f64>,
    /// True group latents, in [`Compiled::group_latents`] order.
    pub group_latents: Vec<f64>,
    /// The leader's type (its name), when the model has leader types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_type: Option<String>,
}

/// One leader type as compiled: its cumulative share (for drawing) and its means.
type TypeMeans = (f64, Vec<f64>);

/// Checks the leader types and returns their cumulative shares with mean vectors (in
/// `latents` order) and the population covariance of the traits: the mixture
/// $c = \mu_k + L z$, $k \sim \text{Categorical}(\pi)$, $z \sim N(0, I)$, has
/// $\operatorname{Var}(c) = \Sigma + \sum_k \pi_k (\mu_k - \bar\mu)(\mu_k - \bar\mu)'$ with
/// $\bar\mu = \sum_k \pi_k \mu_k$ (the law of total variance).
fn compile_types(
    types: &[LeaderType],
    latents: &[String],
    sigma: &DMatrix<f64>,
) -> Result<(Vec<TypeMeans>, DMatrix<f64>)> {
    if types.is_empty() {
        return Ok((Vec::new(), sigma.clone()));
    }
    let mut names = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(types.len());
    let mut cum = 0.0;
    for t in types {
        if t.name.trim().is_empty() || !names.insert(t.name.as_str()) {
            return Err(Error::option(
                "leader.types",
                format!("give each type its own non-empty name (\"{}\")", t.name),
            ));
        }
        if !(t.share > 0.0 && t.share <= 1.0) {
            return Err(Error::option(
                format!("leader.types {}", t.name),
                format!("expected a share in (0, 1], found {}", t.share),
            ));
        }
        cum += t.share;
        let mut mu = vec![0.0; latents.len()];
        for (l, m) in &t.means {
            let i = latents.iter().position(|x| x == l).ok_or_else(|| {
                Error::option(
                    format!("leader.types {}", t.name),
                    format!(
                        "unknown leader latent \"{l}\" (leader latents: {})",
                        latents.join(", ")
                    ),
                )
            })?;
            if !m.is_finite() || m.abs() > 10.0 {
                return Err(Error::option(
                    format!("leader.types {}", t.name),
                    format!("expected a mean between -10 and 10 for {l}, found {m}"),
                ));
            }
            mu[i] = *m;
        }
        out.push((cum, mu));
    }
    if (cum - 1.0).abs() > 1e-6 {
        return Err(Error::option(
            "leader.types",
            format!("the shares must sum to 1, they sum to {cum}"),
        ));
    }
    let n = latents.len();
    let mut prev = 0.0;
    let shares: Vec<f64> = out
        .iter()
        .map(|(c, _)| {
            let s = c - prev;
            prev = *c;
            s
        })
        .collect();
    let mbar: Vec<f64> = (0..n)
        .map(|i| shares.iter().zip(&out).map(|(p, (_, m))| p * m[i]).sum())
        .collect();
    let mut cov = sigma.clone();
    for (p, (_, m)) in shares.iter().zip(&out) {
        for i in 0..n {
            for j in 0..n {
                cov[(i, j)] += p * (m[i] - mbar[i]) * (m[j] - mbar[j]);
            }
        }
    }
    Ok((out, cov))
}

fn lower_times(l: &DMatrix<f64>, z: &[f64]) -> Vec<f64> {
    (0..l.nrows())
        .map(|a| (0..=a).map(|b| l[(a, b)] * z[b]).sum())
        .collect()
}

/// Leaves answers blank with probability `rate` (see [`MissingModel`]): the answer cells of the
/// leader rows (after their `lead` identifying columns), then of the member rows, in order, each
/// with one uniform draw from stream $2^{32} + g$.
fn blank_answers(
    rate: f64,
    seed: u64,
    g: usize,
    lead: usize,
    leader_rows: &mut [Vec<String>],
    member_lead: usize,
    member_rows: &mut [Vec<String>],
) {
    if rate <= 0.0 {
        return;
    }
    let mut rng = stream(seed, (1u64 << 32) + g as u64);
    let mut blank = |rows: &mut [Vec<String>], skip: usize| {
        for row in rows.iter_mut() {
            for cell in row.iter_mut().skip(skip) {
                if uniform_open(&mut rng) < rate {
                    cell.clear();
                }
            }
        }
    };
    blank(leader_rows, lead);
    blank(member_rows, member_lead);
}

/// Numbers in CSV form (integers without a decimal point).
fn cell(v: f64) -> String {
    format!("{v}")
}

impl Compiled {
    /// A study with no rows yet: the leader and member headers (id columns, then `extra`
    /// design columns, then every instrument's items).
    fn empty_study(&self, extra: &[&str]) -> Study {
        let header =
            |ids: &[&str], models: &[(Instrument, LikertModel, InstrumentModel)]| -> Vec<String> {
                ids.iter()
                    .chain(extra)
                    .map(|s| s.to_string())
                    .chain(
                        models
                            .iter()
                            .flat_map(|(_, lm, _)| lm.items.iter().cloned()),
                    )
                    .collect()
            };
        Study {
            leader_header: header(
                &["respondent_id", "group_id", "leader_id", "arena", "form"],
                &self.leader,
            ),
            leader_rows: Vec::new(),
            member_header: header(&["respondent_id", "group_id", "arena"], &self.group),
            member_rows: Vec::new(),
            truth: Vec::new(),
            waves: Vec::new(),
        }
    }

    /// Generates a study with the model's design (or `groups_per_arena`/`raters` overrides) and
    /// effects scaled by `effect_scale`.
    pub fn generate(
        &self,
        seed: u64,
        groups_per_arena: &[usize],
        raters: [usize; 2],
        effect_scale: f64,
    ) -> Result<Study> {
        let (b, resid) = self.scaled(effect_scale)?;
        if let Some(p) = &self.program {
            return self.generate_program(p, seed, groups_per_arena, raters, &b, &resid);
        }
        let resid_chol = &resid;
        let arenas = &self.model.design.arenas;
        let mut plan: Vec<&str> = Vec::new();
        for (a, &n) in arenas.iter().zip(groups_per_arena) {
            plan.extend(std::iter::repeat_n(a.as_str(), n));
        }
        let width = plan.len().to_string().len().max(3);
        let groups: Vec<GroupRows> = plan
            .par_iter()
            .enumerate()
            .map(|(g, arena)| {
                let gd = self.group_data(seed, g, raters, &b, resid_chol);
                let gid = format!("G{:0width$}", g + 1);
                let (nl, ng) = (self.leader_items(), self.group_items());
                let mut lrows = Vec::with_capacity(gd.raters + 1);
                let mut mrows = Vec::with_capacity(gd.raters);
                let head = |rid: String, form: &str| {
                    vec![
                        rid,
                        gid.clone(),
                        format!("{gid}-L"),
                        arena.to_string(),
                        form.to_string(),
                    ]
                };
                let mut row = head(format!("{gid}-L"), "self");
                row.extend(gd.leader_self.iter().map(|v| cell(*v)));
                lrows.push(row);
                for r in 0..gd.raters {
                    let rid = format!("{gid}-R{:02}", r + 1);
                    let mut row = head(rid.clone(), "observer");
                    row.extend(gd.observers[r * nl..(r + 1) * nl].iter().map(|v| cell(*v)));
                    lrows.push(row);
                    let mut mrow = vec![rid, gid.clone(), arena.to_string()];
                    mrow.extend(gd.members[r * ng..(r + 1) * ng].iter().map(|v| cell(*v)));
                    mrows.push(mrow);
                }
                blank_answers(
                    self.model.missing.rate,
                    seed,
                    g,
                    5,
                    &mut lrows,
                    3,
                    &mut mrows,
                );
                let truth = GroupTruth {
                    group: gid.clone(),
                    arena: arena.to_string(),
                    raters: gd.raters,
                    leader: gd.leader,
                    group_latents: gd.group_latents,
                    leader_type: self.type_name_of(seed, g),
                };
                (lrows, mrows, truth)
            })
            .collect();
        let mut study = self.empty_study(&[]);
        for (l, m, t) in groups {
            study.leader_rows.extend(l);
            study.member_rows.extend(m);
            study.truth.push(t);
        }
        Ok(study)
    }

    /// The Cholesky factor of the leader trait correlations.
    pub fn leader_chol(&self) -> &DMatrix<f64> {
        &self.leader_chol
    }

    /// The type (index into `leader.types`) of group `g`'s leader in a study drawn with `seed`,
    /// `None` without types: one uniform draw $u$ from ChaCha8 stream $2^{33} + g$, the first
    /// type whose cumulative share exceeds $u$. The draw has its own stream, so a model
    /// without types gives the studies it gave before types existed.
    pub fn leader_type(&self, seed: u64, g: usize) -> Option<usize> {
        if self.types.is_empty() {
            return None;
        }
        let u = uniform_open(&mut stream(seed, (1u64 << 33) + g as u64));
        Some(
            self.types
                .iter()
                .position(|(cum, _)| u < *cum)
                .unwrap_or(self.types.len() - 1),
        )
    }

    /// Adds the mean of group `g`'s leader type to its traits `c` (nothing without types).
    fn shift_by_type(&self, seed: u64, g: usize, c: &mut [f64]) {
        if let Some(k) = self.leader_type(seed, g) {
            for (v, m) in c.iter_mut().zip(&self.types[k].1) {
                *v += m;
            }
        }
    }

    /// The population correlation of leader latent `j` with group latent `o` (effect scale 1):
    /// $(\Sigma B')_{jo}/\sqrt{\Sigma_{jj}}$, every group latent having unit variance.
    pub fn true_correlation(&self, j: usize, o: usize) -> f64 {
        let cov: f64 = (0..self.leader_latents.len())
            .map(|k| self.leader_cov[(j, k)] * self.b[(o, k)])
            .sum();
        cov / self.leader_cov[(j, j)].sqrt()
    }

    /// The name of a leader type.
    pub fn leader_type_name(&self, k: usize) -> &str {
        &self.model.leader.types[k].name
    }

    /// The name of group `g`'s leader type (see [`Compiled::leader_type`]).
    pub fn type_name_of(&self, seed: u64, g: usize) -> Option<String> {
        self.leader_type(seed, g)
            .map(|k| self.model.leader.types[k].name.clone())
    }

    /// A study with a program design (see [`super::program`]): every group at every wave, rows
    /// with `wave`, `condition` and `cohort` columns, groups in order and within a group the
    /// waves in order.
    fn generate_program(
        &self,
        p: &CompiledProgram,
        seed: u64,
        groups_per_arena: &[usize],
        raters: [usize; 2],
        b: &DMatrix<f64>,
        resid_chol: &DMatrix<f64>,
    ) -> Result<Study> {
        let arenas = &self.model.design.arenas;
        let mut plan: Vec<&str> = Vec::new();
        for (a, &n) in arenas.iter().zip(groups_per_arena) {
            plan.extend(std::iter::repeat_n(a.as_str(), n));
        }
        let width = plan.len().to_string().len().max(3);
        let cwidth = p.spec.cohorts.to_string().len();
        let waves = &p.spec.waves;
        let (nl, ng) = (self.leader_items(), self.group_items());
        type ProgramRows = (
            Vec<Vec<String>>,
            Vec<Vec<String>>,
            GroupTruth,
            Vec<WaveTruth>,
        );
        let groups: Vec<ProgramRows> = plan
            .par_iter()
            .enumerate()
            .map(|(g, arena)| {
                let gd = self.group_data(seed, g, raters, b, resid_chol);
                let (program, k) = p.arm_of(g);
                let condition = if program {
                    &p.spec.program
                } else {
                    &p.spec.comparison
                };
                let cohort = format!("C{:0cwidth$}", k + 1);
                let gid = format!("G{:0width$}", g + 1);
                let head = |rid: String, form: &str, wave: &str| {
                    vec![
                        rid,
                        gid.clone(),
                        format!("{gid}-L"),
                        arena.to_string(),
                        form.to_string(),
                        wave.to_string(),
                        condition.clone(),
                        cohort.clone(),
                    ]
                };
                let mhead = |rid: String, wave: &str| {
                    vec![
                        rid,
                        gid.clone(),
                        arena.to_string(),
                        wave.to_string(),
                        condition.clone(),
                        cohort.clone(),
                    ]
                };
                let rows = |w: usize, ids: &[usize], r: &Ratings| {
                    let wave = waves[w].as_str();
                    let mut lrows = Vec::with_capacity(ids.len() + 1);
                    let mut mrows = Vec::with_capacity(ids.len());
                    let mut row = head(format!("{gid}-L"), "self", wave);
                    row.extend(r.leader_self.iter().map(|v| cell(*v)));
                    lrows.push(row);
                    for (slot, id) in ids.iter().enumerate() {
                        let rid = format!("{gid}-R{id:02}");
                        let mut row = head(rid.clone(), "observer", wave);
                        row.extend(
                            r.observers[slot * nl..(slot + 1) * nl]
                                .iter()
                                .map(|v| cell(*v)),
                        );
                        lrows.push(row);
                        let mut mrow = mhead(rid, wave);
                        mrow.extend(
                            r.members[slot * ng..(slot + 1) * ng]
                                .iter()
                                .map(|v| cell(*v)),
                        );
                        mrows.push(mrow);
                    }
                    let blank_stream = if w == 0 { 0 } else { (w as u64) << 40 };
                    blank_answers(
                        self.model.missing.rate,
                        seed,
                        blank_stream as usize + g,
                        8,
                        &mut lrows,
                        6,
                        &mut mrows,
                    );
                    (lrows, mrows)
                };
                let ids: Vec<usize> = (1..=gd.raters).collect();
                let base = Ratings {
                    leader_self: gd.leader_self.clone(),
                    observers: gd.observers.clone(),
                    members: gd.members.clone(),
                    leniency: gd.leniency.clone(),
                };
                let (mut lrows, mut mrows) = rows(0, &ids, &base);
                let truth = GroupTruth {
                    group: gid.clone(),
                    arena: arena.to_string(),
                    raters: gd.raters,
                    leader: gd.leader.clone(),
                    group_latents: gd.group_latents.clone(),
                    leader_type: self.type_name_of(seed, g),
                };
                let wave_truth =
                    |w: usize, observed: bool, leader: Vec<f64>, gl: Vec<f64>| WaveTruth {
                        wave: waves[w].clone(),
                        condition: condition.clone(),
                        cohort: cohort.clone(),
                        observed,
                        truth: GroupTruth {
                            group: gid.clone(),
                            arena: arena.to_string(),
                            raters: gd.raters,
                            leader,
                            group_latents: gl,
                            leader_type: self.type_name_of(seed, g),
                        },
                    };
                let mut wt = vec![wave_truth(
                    0,
                    true,
                    gd.leader.clone(),
                    gd.group_latents.clone(),
                )];
                let mut carry = carry_from(&gd, b);
                for w in 1..waves.len() {
                    let f = follow_up(p, self, seed, g, w, program, b, resid_chol, &mut carry);
                    if let Some(r) = &f.ratings {
                        let (l, m) = rows(w, &f.rater_ids, r);
                        lrows.extend(l);
                        mrows.extend(m);
                    }
                    wt.push(wave_truth(w, f.observed, f.leader, f.group_latents));
                }
                (lrows, mrows, truth, wt)
            })
            .collect();
        let mut study = self.empty_study(&["wave", "condition", "cohort"]);
        for (l, m, t, w) in groups {
            study.leader_rows.extend(l);
            study.member_rows.extend(m);
            study.truth.push(t);
            study.waves.extend(w);
        }
        Ok(study)
    }

    /// Items of all leader instruments.
    pub fn leader_items(&self) -> usize {
        self.leader.iter().map(|(_, lm, _)| lm.items.len()).sum()
    }

    /// Items of all group instruments.
    pub fn group_items(&self) -> usize {
        self.group.iter().map(|(_, lm, _)| lm.items.len()).sum()
    }

    /// The effects matrix and residual Cholesky factor for effects scaled by `effect_scale`.
    pub fn scaled(&self, effect_scale: f64) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
        let b = &self.b * effect_scale;
        let explained = &b * &self.leader_cov * b.transpose();
        let base = &self.resid_chol * self.resid_chol.transpose();
        let n = base.nrows();
        let mut sd = vec![0.0; n];
        for i in 0..n {
            let v = 1.0 - explained[(i, i)];
            if v <= 0.01 {
                return Err(Error::option(
                    "effect_scale",
                    format!(
                        "effects scaled by {effect_scale} explain too much of {}",
                        self.group_latents[i]
                    ),
                ));
            }
            sd[i] = v.sqrt();
        }
        let old_sd: Vec<f64> = (0..n).map(|i| base[(i, i)].sqrt()).collect();
        let psi = DMatrix::from_fn(n, n, |i, j| {
            base[(i, j)] / (old_sd[i] * old_sd[j]) * sd[i] * sd[j]
        });
        let chol = psi
            .cholesky()
            .map(|c| c.l())
            .ok_or_else(|| Error::NotPositiveDefinite {
                what: "the residual covariance".into(),
                index: "effect_scale".into(),
            })?;
        Ok((b, chol))
    }

    /// Only the true values of group `g` (the first draws of its stream, as in
    /// [`Compiled::group_data`]): leader traits and group latents.
    pub fn group_truth(
        &self,
        seed: u64,
        g: usize,
        b: &DMatrix<f64>,
        resid_chol: &DMatrix<f64>,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut rng = stream(seed, g as u64 + 1);
        let mut nrm = Normal::new();
        let _size = uniform_open(&mut rng);
        let z: Vec<f64> = (0..self.leader_latents.len())
            .map(|_| nrm.draw(&mut rng))
            .collect();
        let mut c = lower_times(&self.leader_chol, &z);
        self.shift_by_type(seed, g, &mut c);
        let z2: Vec<f64> = (0..self.group_latents.len())
            .map(|_| nrm.draw(&mut rng))
            .collect();
        let e = lower_times(resid_chol, &z2);
        let t = (0..self.group_latents.len())
            .map(|i| (0..c.len()).map(|j| b[(i, j)] * c[j]).sum::<f64>() + e[i])
            .collect();
        (c, t)
    }

    /// One group's numbers: group `g` of a study drawn with `seed` (ChaCha8 stream `g + 1`).
    pub fn group_data(
        &self,
        seed: u64,
        g: usize,
        raters: [usize; 2],
        b: &DMatrix<f64>,
        resid_chol: &DMatrix<f64>,
    ) -> GroupData {
        self.group_data_needed(seed, g, raters, b, resid_chol, None)
    }

    /// As [`Compiled::group_data`], answering only the items `needed` marks (all when `None`);
    /// the others are `NaN`. Every answer given is that of `group_data`, bit for bit: the
    /// deviates of the others are drawn from the stream and passed over ([`Normal::skip`]).
    pub(crate) fn group_data_needed(
        &self,
        seed: u64,
        g: usize,
        raters: [usize; 2],
        b: &DMatrix<f64>,
        resid_chol: &DMatrix<f64>,
        needed: Option<&Needed>,
    ) -> GroupData {
        let lens = self.model.raters.leniency_sd;
        let mut rng = stream(seed, g as u64 + 1);
        let mut nrm = Normal::new();
        let span = (raters[1] - raters[0] + 1) as f64;
        let m = raters[0] + ((uniform_open(&mut rng) * span) as usize).min(raters[1] - raters[0]);
        let z: Vec<f64> = (0..self.leader_latents.len())
            .map(|_| nrm.draw(&mut rng))
            .collect();
        let mut c = lower_times(&self.leader_chol, &z);
        self.shift_by_type(seed, g, &mut c);
        let z2: Vec<f64> = (0..self.group_latents.len())
            .map(|_| nrm.draw(&mut rng))
            .collect();
        let e = lower_times(resid_chol, &z2);
        let t: Vec<f64> = (0..self.group_latents.len())
            .map(|i| (0..c.len()).map(|j| b[(i, j)] * c[j]).sum::<f64>() + e[i])
            .collect();
        let mut draw_leniency =
            |_: usize, rng: &mut ChaCha8Rng, nrm: &mut Normal| lens * nrm.draw(rng);
        let r = self.rate_needed(&mut rng, &mut nrm, &c, &t, m, &mut draw_leniency, needed);
        GroupData {
            raters: m,
            leader_self: r.leader_self,
            observers: r.observers,
            members: r.members,
            leader: c,
            group_latents: t,
            leniency: r.leniency,
        }
    }

    /// One wave's ratings of a leader with true traits `c` and a group with true latents `t` by
    /// `m` raters: the self-rating, then per rater its leniency (from `leniency(r, ..)`), its
    /// observer rating and its member rating, all drawn from `rng` in that order.
    pub(crate) fn rate(
        &self,
        rng: &mut ChaCha8Rng,
        nrm: &mut Normal,
        c: &[f64],
        t: &[f64],
        m: usize,
        leniency: &mut dyn FnMut(usize, &mut ChaCha8Rng, &mut Normal) -> f64,
    ) -> Ratings {
        self.rate_needed(rng, nrm, c, t, m, leniency, None)
    }

    /// As [`Compiled::rate`], answering only the items `needed` marks (all when `None`; the
    /// others are `NaN`), with the same draws from `rng` in the same order: a deviate nobody
    /// reads is passed over ([`Normal::skip`]), so every answer given is bit-identical.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn rate_needed(
        &self,
        rng: &mut ChaCha8Rng,
        nrm: &mut Normal,
        c: &[f64],
        t: &[f64],
        m: usize,
        leniency: &mut dyn FnMut(usize, &mut ChaCha8Rng, &mut Normal) -> f64,
        needed: Option<&Needed>,
    ) -> Ratings {
        let lens = self.model.raters.leniency_sd;
        let bias = self.model.raters.self_bias;
        let (nl, ng) = (self.leader_items(), self.group_items());
        let mut leader_self = Vec::with_capacity(nl);
        let mut observers = Vec::with_capacity(m * nl);
        let mut members = Vec::with_capacity(m * ng);
        let mut lens_drawn = Vec::with_capacity(m);
        let mut out = Vec::new();
        let mut f = Vec::new();
        let leader_plan = instrument_plan(
            &self.leader,
            &self.leader_of,
            needed.map(|n| n.leader.as_slice()),
        );
        let group_plan = instrument_plan(
            &self.group,
            &self.group_of,
            needed.map(|n| n.group.as_slice()),
        );
        let none_needed = vec![false; nl];
        let self_plan = instrument_plan(
            &self.leader,
            &self.leader_of,
            needed
                .filter(|n| !n.leader_self)
                .map(|_| none_needed.as_slice()),
        );
        // draws the factor values of one instrument (passed over when none of its items is
        // needed) and its answers
        let answer = |lm: &LikertModel,
                      items: Option<&[bool]>,
                      latents: &[usize],
                      value: &dyn Fn(usize, f64) -> f64,
                      rng: &mut ChaCha8Rng,
                      nrm: &mut Normal,
                      out: &mut Vec<f64>,
                      f: &mut Vec<f64>| {
            let any = items.is_none_or(|n| n.iter().any(|&b| b));
            f.clear();
            for &k in latents {
                if any {
                    let z = nrm.draw(rng);
                    f.push(value(k, z));
                } else {
                    nrm.skip(rng);
                    f.push(f64::NAN);
                }
            }
            out.resize(lm.items.len(), 0.0);
            lm.respond_needed(f, rng, nrm, out, items);
        };
        for ((_, lm, im), (latents, items)) in self.leader.iter().zip(&self_plan) {
            let value = |k: usize, z: f64| im.icc.sqrt() * c[k] + (1.0 - im.icc).sqrt() * z + bias;
            answer(lm, *items, latents, &value, rng, nrm, &mut out, &mut f);
            leader_self.extend_from_slice(&out);
        }
        for r in 0..m {
            let len = leniency(r, rng, nrm);
            lens_drawn.push(len);
            for ((_, lm, im), (latents, items)) in self.leader.iter().zip(&leader_plan) {
                let w = (1.0 - im.icc - lens * lens).max(0.0).sqrt();
                let value = |k: usize, z: f64| im.icc.sqrt() * c[k] + w * z + len;
                answer(lm, *items, latents, &value, rng, nrm, &mut out, &mut f);
                observers.extend_from_slice(&out);
            }
            for ((_, lm, im), (latents, items)) in self.group.iter().zip(&group_plan) {
                let w = (1.0 - im.icc - lens * lens).max(0.0).sqrt();
                let value = |k: usize, z: f64| im.icc.sqrt() * t[k] + w * z + len;
                answer(lm, *items, latents, &value, rng, nrm, &mut out, &mut f);
                members.extend_from_slice(&out);
            }
        }
        Ratings {
            leader_self,
            observers,
            members,
            leniency: lens_drawn,
        }
    }

    /// Generates the model's own design.
    pub fn generate_default(&self, seed: u64) -> Result<Study> {
        let d = &self.model.design;
        self.generate(seed, &d.groups_per_arena, d.raters, 1.0)
    }
}

/// CSV text of a header and rows.
pub fn csv_text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}

/// One group at one wave: its true values and whether it was observed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaveTruth {
    /// The wave.
    pub wave: String,
    /// The arm.
    pub condition: String,
    /// The cohort.
    pub cohort: String,
    /// Whether the leader was still in the study (rows written).
    pub observed: bool,
    /// The group's true values at this wave.
    pub truth: GroupTruth,
}

/// A group's rows at one follow-up wave, or none when the leader has left.
pub(crate) struct FollowUp {
    /// Whether the leader is still in the study.
    pub observed: bool,
    /// True traits $c^{(w)}$.
    pub leader: Vec<f64>,
    /// True group latents $t^{(w)}$.
    pub group_latents: Vec<f64>,
    /// Ratings (when observed).
    pub ratings: Option<super::population::Ratings>,
    /// Rater numbers (1-based) of each slot.
    pub rater_ids: Vec<usize>,
}

/// The state of one group carried from wave to wave.
pub(crate) struct Carry {
    /// Stable part of the traits $a^{(w)}$.
    pub a: Vec<f64>,
    /// Group residuals $\varepsilon^{(w)}$.
    pub e: Vec<f64>,
    /// Rater number of each slot.
    pub rater_ids: Vec<usize>,
    /// Leniency of each slot.
    pub leniency: Vec<f64>,
    /// Next rater number.
    pub next_rater: usize,
    /// Still in the study.
    pub present: bool,
    /// Mean baseline trait.
    pub baseline_mean: f64,
}

/// The state a group carries into its first follow-up: its baseline traits, group residuals
/// $t - Bc$, raters and leniencies.
pub(crate) fn carry_from(gd: &GroupData, b: &nalgebra::DMatrix<f64>) -> Carry {
    let bc: Vec<f64> = (0..gd.group_latents.len())
        .map(|i| (0..gd.leader.len()).map(|j| b[(i, j)] * gd.leader[j]).sum())
        .collect();
    Carry {
        a: gd.leader.clone(),
        e: gd
            .group_latents
            .iter()
            .zip(&bc)
            .map(|(t, x)| t - x)
            .collect(),
        rater_ids: (1..=gd.raters).collect(),
        leniency: gd.leniency.clone(),
        next_rater: gd.raters + 1,
        present: true,
        baseline_mean: gd.leader.iter().sum::<f64>() / gd.leader.len().max(1) as f64,
    }
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// The program's true effects: per leader latent δ, per group latent $(B\delta)$.
pub fn true_program_effects(
    prog: &CompiledProgram,
    c: &Compiled,
    b: &nalgebra::DMatrix<f64>,
) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = c
        .leader_latents
        .iter()
        .cloned()
        .zip(prog.delta.iter().copied())
        .collect();
    for (i, name) in c.group_latents.iter().enumerate() {
        let e = (0..prog.delta.len())
            .map(|j| b[(i, j)] * prog.delta[j])
            .sum();
        v.push((name.clone(), e));
    }
    v
}

/// Draws follow-up wave `w` (1-based index into `waves`, so `w >= 1`) of group `g`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn follow_up(
    prog: &CompiledProgram,
    c: &Compiled,
    seed: u64,
    g: usize,
    w: usize,
    program: bool,
    b: &nalgebra::DMatrix<f64>,
    resid_chol: &nalgebra::DMatrix<f64>,
    carry: &mut Carry,
) -> FollowUp {
    let p = &prog.spec;
    let mut rng = stream(seed, ((w as u64) << 40) + g as u64);
    let mut nrm = Normal::new();
    let u = uniform_open(&mut rng);
    if carry.present && p.attrition > 0.0 {
        let eta = logit(p.attrition) + p.attrition_slope * carry.baseline_mean;
        let pi = 1.0 / (1.0 + (-eta).exp());
        if u < pi {
            carry.present = false;
        }
    }
    let lens = c.model.raters.leniency_sd;
    for slot in 0..carry.rater_ids.len() {
        let v = uniform_open(&mut rng);
        let fresh = lens * nrm.draw(&mut rng);
        if v < p.turnover {
            carry.rater_ids[slot] = carry.next_rater;
            carry.next_rater += 1;
            carry.leniency[slot] = fresh;
        }
    }
    let s = p.stability;
    let q = (1.0 - s * s).sqrt();
    let z: Vec<f64> = (0..carry.a.len()).map(|_| nrm.draw(&mut rng)).collect();
    let lz = lower(c.leader_chol(), &z);
    for (a, d) in carry.a.iter_mut().zip(&lz) {
        *a = s * *a + q * d;
    }
    let z2: Vec<f64> = (0..carry.e.len()).map(|_| nrm.draw(&mut rng)).collect();
    let rz = lower(resid_chol, &z2);
    for (e, d) in carry.e.iter_mut().zip(&rz) {
        *e = s * *e + q * d;
    }
    let leader: Vec<f64> = carry
        .a
        .iter()
        .zip(&prog.delta)
        .map(|(a, d)| a + if program { *d } else { 0.0 })
        .collect();
    let group_latents: Vec<f64> = (0..carry.e.len())
        .map(|i| {
            (0..leader.len())
                .map(|j| b[(i, j)] * leader[j])
                .sum::<f64>()
                + carry.e[i]
        })
        .collect();
    let ratings = carry.present.then(|| {
        let len = carry.leniency.clone();
        let mut given = |r: usize, _: &mut rand_chacha::ChaCha8Rng, _: &mut Normal| len[r];
        c.rate(
            &mut rng,
            &mut nrm,
            &leader,
            &group_latents,
            len.len(),
            &mut given,
        )
    });
    FollowUp {
        observed: carry.present,
        leader,
        group_latents,
        ratings,
        rater_ids: carry.rater_ids.clone(),
    }
}

fn lower(l: &nalgebra::DMatrix<f64>, z: &[f64]) -> Vec<f64> {
    (0..l.nrows())
        .map(|a| (0..=a).map(|b| l[(a, b)] * z[b]).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers computed under a mask are those of the full draw, bit for bit, and the rest NaN.
    #[test]
    fn needed_answers_equal_the_full_draw_bit_for_bit() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/model.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = load_model(&text, &path).unwrap().compile().unwrap();
        let (b, resid) = c.scaled(1.0).unwrap();
        let (nl, ng) = (c.leader_items(), c.group_items());
        // a ragged mask: whole instruments off, single items on, the self ratings off
        let needed = Needed {
            leader_self: false,
            leader: (0..nl).map(|j| j % 5 == 1 || (j > 3 && j < 9)).collect(),
            group: (0..ng).map(|j| j < 4 || j % 7 == 0).collect(),
        };
        for g in 0..5 {
            let full = c.group_data(9, g, [3, 6], &b, &resid);
            let part = c.group_data_needed(9, g, [3, 6], &b, &resid, Some(&needed));
            assert_eq!(full.raters, part.raters);
            assert_eq!(full.leniency, part.leniency);
            assert!(part.leader_self.iter().all(|v| v.is_nan()));
            for (rows, mask, full, part) in [
                (nl, &needed.leader, &full.observers, &part.observers),
                (ng, &needed.group, &full.members, &part.members),
            ] {
                assert_eq!(full.len(), part.len());
                for (i, (a, p)) in full.iter().zip(part).enumerate() {
                    if mask[i % rows] {
                        assert_eq!(a.to_bits(), p.to_bits(), "answer {i}");
                    } else {
                        assert!(p.is_nan());
                    }
                }
            }
        }
    }
}
