//! Testing the framework's own claims (Lyons, 2026) against a study's data.
//!
//! The white paper behind the instruments makes three claims; the instruments carry the first
//! two as metadata (`trust` and `risks` on each competency subscale, one risk type per
//! subscale of the risk instrument). Each claim is tested at the level the data support: the
//! competencies are the group means of the collaborators' ratings of the group's leader, the
//! outcomes the group means of the members' ratings (as the report's prediction section does).
//!
//! | claim | module | what is estimated | interval |
//! |---|---|---|---|
//! | 1. differential prediction | [`differential`] | per competency: $r$, standardised $\beta$ and general dominance weight with affective and with cognitive trust, their differences; per claimed set: $R^2_{\text{aff}} - R^2_{\text{cog}}$ | bootstrap over groups; Williams–Steiger $t$ and Meng–Rosenthal–Rubin $z$ for the correlations ([`dependent`]) |
//! | 2. competencies and risks | [`risks`] | competency x risk matrix of partial correlations, mean Fisher $z$ of claimed minus unclaimed links | bootstrap over groups |
//! | 3. specialisation | [`specialisation`], [`mixture`] | reliability of within-leader subscale differences, share of leaders with a reliable strength; latent profiles (Gaussian mixtures, 1–6 classes) | bootstrap over leaders; BIC |
//!
//! Every claim ends in a [`ClaimVerdict`]: *supported* (the interval of the difference lies on
//! the claimed side of zero), *contrary* (on the other side), *not supported* (it covers zero),
//! or *untestable* with the reason (an instrument missing, too few groups).
//!
//! The bootstrap ([`bootstrap`]) resamples whole groups (claims 1–2) or whole leaders with their
//! raters (claim 3): resample $b$ draws its $n$ indices from ChaCha8 stream $b$ of the seed, so
//! both outcomes of a group stay together and the intervals respect that affective and
//! cognitive trust come from the same groups.
//!
//! # References
//! - Lyons, S. (2026). *Building trust for collective action: A framework for capacity
//!   building* [White paper]. Teachers College, Columbia University.
//! - Williams, E. J. (1959). The comparison of regression variables. *Journal of the Royal
//!   Statistical Society, Series B, 21*, 396–399.
//! - Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix.
//!   *Psychological Bulletin, 87*, 245–251.
//! - Meng, X.-L., Rosenthal, R., & Rubin, D. B. (1992). Comparing correlated correlation
//!   coefficients. *Psychological Bulletin, 111*, 172–175.
//! - Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
//!   predictors in multiple regression. *Psychological Methods, 8*, 129–148.
//! - Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall.
//! - Brennan, R. L. (2001). *Generalizability theory*. Springer.
//! - Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
//!   data via the EM algorithm. *Journal of the Royal Statistical Society, Series B, 39*, 1–38.
//! - Celeux, G., & Govaert, G. (1995). Gaussian parsimonious clustering models. *Pattern
//!   Recognition, 28*, 781–793.
//! - Scrucca, L., Fop, M., Murphy, T. B., & Raftery, A. E. (2016). mclust 5: Clustering,
//!   classification and density estimation using Gaussian finite mixture models. *The R
//!   Journal, 8*(1), 289–317.
//! - Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification, 2*,
//!   193–218.

pub mod bootstrap;
pub mod dependent;
pub mod differential;
pub mod mixture;
pub mod risks;
pub mod specialisation;

use crate::error::{Error, Result};
use serde::Serialize;

pub use differential::{differential, DifferentialResult};
pub use mixture::{adjusted_rand_index, latent_profiles, CovarianceModel, LatentProfiles};
pub use risks::{risk_links, RiskResult};
pub use specialisation::{specialisation, LeaderRatings, SpecialisationResult};

/// Options of the framework tests. [`Default`]: 2000 bootstrap resamples with seed 1, 95%
/// intervals, at least 10 groups (or leaders), latent profiles with 1–6 classes of the
/// diagonal (`VVI`) and common-covariance (`EEE`) families from 20 random starts each, and
/// strengths at the 5% level.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkOptions {
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Seed of the bootstrap and of the mixtures' random starts.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub ci: f64,
    /// Fewest complete groups (claims 1–2) or leaders (claim 3) a claim is tested with.
    pub min_units: usize,
    /// Largest number of latent profile classes.
    pub max_classes: usize,
    /// Random starts of the EM algorithm per number of classes and model.
    pub starts: usize,
    /// Covariance families of the latent profile analysis.
    pub models: Vec<CovarianceModel>,
    /// Level of the one-sided test of a leader's strength (Bonferroni over the subscales).
    pub strength_alpha: f64,
}

impl Default for FrameworkOptions {
    fn default() -> Self {
        FrameworkOptions {
            bootstrap: 2000,
            seed: 1,
            ci: 0.95,
            min_units: 10,
            max_classes: 6,
            starts: 20,
            models: vec![CovarianceModel::Vvi, CovarianceModel::Eee],
            strength_alpha: 0.05,
        }
    }
}

impl FrameworkOptions {
    /// Rejects impossible settings before any numerics run.
    pub fn validate(&self) -> Result<()> {
        crate::error::limits::count(
            "--bootstrap",
            self.bootstrap,
            crate::error::limits::RESAMPLES,
        )?;
        if self.bootstrap < 100 {
            return Err(Error::option(
                "--bootstrap",
                format!(
                    "expected at least 100 resamples for a percentile interval, found {}",
                    self.bootstrap
                ),
            ));
        }
        if !(self.ci > 0.5 && self.ci < 1.0) {
            return Err(Error::option(
                "--ci",
                format!("expected a level between .5 and 1, found {}", self.ci),
            ));
        }
        if self.min_units < 4 {
            return Err(Error::option(
                "min_units",
                "expected at least 4 groups or leaders",
            ));
        }
        if self.max_classes == 0 || self.max_classes > 9 {
            return Err(Error::option(
                "--max-classes",
                format!("expected 1 to 9 classes, found {}", self.max_classes),
            ));
        }
        if self.starts == 0 {
            return Err(Error::option(
                "--starts",
                "expected at least one random start",
            ));
        }
        if self.models.is_empty() {
            return Err(Error::option(
                "--models",
                "name at least one covariance model",
            ));
        }
        if !(self.strength_alpha > 0.0 && self.strength_alpha < 0.5) {
            return Err(Error::option(
                "strength_alpha",
                format!(
                    "expected a level between 0 and .5, found {}",
                    self.strength_alpha
                ),
            ));
        }
        Ok(())
    }
}

/// The kind of trust a competency is claimed to build (`trust` of a subscale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrustClaim {
    /// Mainly affective trust.
    Affective,
    /// Mainly cognitive trust.
    Cognitive,
    /// Both kinds alike.
    Both,
}

impl TrustClaim {
    /// Parses an instrument's `trust` value.
    pub fn parse(s: &str) -> Option<TrustClaim> {
        match s.trim() {
            "affective" => Some(TrustClaim::Affective),
            "cognitive" => Some(TrustClaim::Cognitive),
            "both" => Some(TrustClaim::Both),
            _ => None,
        }
    }

    /// The word in the instrument file.
    pub fn word(self) -> &'static str {
        match self {
            TrustClaim::Affective => "affective",
            TrustClaim::Cognitive => "cognitive",
            TrustClaim::Both => "both",
        }
    }
}

/// A competency (a subscale of the predictor instrument) with the claims its metadata make.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Competency {
    /// Subscale id (`community-cultivator`).
    pub id: String,
    /// Display name (`Community Cultivator`).
    pub name: String,
    /// The kind of trust it is claimed to build, if stated.
    pub trust: Option<TrustClaim>,
    /// The risk types it is claimed to help manage.
    pub risks: Vec<String>,
}

/// Which claim a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Claim {
    /// Claim 1: competencies differ in the kind of trust they build.
    Differential,
    /// Claim 2: each competency helps manage particular risks.
    Risks,
    /// Claim 3: leaders specialise in different competencies.
    Specialisation,
}

impl Claim {
    /// A short name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Claim::Differential => "differential prediction",
            Claim::Risks => "competencies and risks",
            Claim::Specialisation => "specialisation",
        }
    }
}

/// What the data say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The interval lies on the claimed side of zero.
    Supported,
    /// The interval covers zero: no reliable difference.
    NotSupported,
    /// The interval lies on the other side of zero: a reliable difference the other way.
    Contrary,
    /// The data cannot test the claim (see the reason).
    Untestable,
}

impl Verdict {
    /// The verdict of an interval for a difference claimed to be positive.
    ///
    /// # Formula
    /// supported if $lo > 0$; contrary if $hi < 0$; not supported otherwise (including a
    /// missing bound).
    pub fn of_interval(ci: [f64; 2]) -> Verdict {
        if ci[0] > 0.0 {
            Verdict::Supported
        } else if ci[1] < 0.0 {
            Verdict::Contrary
        } else {
            Verdict::NotSupported
        }
    }

    /// The words of a verdict.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::Contrary => "contrary",
            Verdict::Untestable => "untestable",
        }
    }
}

/// One claim's verdict, with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClaimVerdict {
    /// Which claim.
    pub claim: Claim,
    /// What part of it (a competency id, a claimed set, `links`, `profiles`).
    pub subject: String,
    /// The claim in words.
    pub statement: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The estimate the verdict rests on (`null` when untestable).
    pub estimate: Option<f64>,
    /// Its interval.
    pub ci: Option<[f64; 2]>,
    /// How the estimate and interval were computed.
    pub method: String,
    /// Units (groups or leaders) used.
    pub n: Option<usize>,
    /// Why the claim could not be tested.
    pub reason: Option<String>,
}

impl ClaimVerdict {
    /// A claim the data cannot test.
    pub fn untestable(
        claim: Claim,
        subject: &str,
        statement: &str,
        reason: impl Into<String>,
    ) -> ClaimVerdict {
        ClaimVerdict {
            claim,
            subject: subject.into(),
            statement: statement.into(),
            verdict: Verdict::Untestable,
            estimate: None,
            ci: None,
            method: String::new(),
            n: None,
            reason: Some(reason.into()),
        }
    }

    /// The verdict as one sentence: "Community Cultivator builds mainly affective trust:
    /// supported (difference .12 [.03, .21]; ...; n = 120)".
    pub fn sentence(&self) -> String {
        match (&self.reason, self.estimate, self.ci) {
            (Some(r), _, _) => format!("{}: untestable ({r}).", self.statement),
            (None, Some(e), Some(ci)) => format!(
                "{}: {} (estimate {:.3} [{:.3}, {:.3}]; {}; n = {}).",
                self.statement,
                self.verdict.word(),
                e,
                ci[0],
                ci[1],
                self.method,
                self.n.unwrap_or(0)
            ),
            _ => format!("{}: {}.", self.statement, self.verdict.word()),
        }
    }
}

/// An estimate with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Estimate {
    /// The estimate on the full data (`null` where undefined).
    pub estimate: Option<f64>,
    /// Percentile bootstrap interval (`null` when too few resamples gave a value).
    pub ci: Option<[f64; 2]>,
}

impl Estimate {
    /// An estimate and its interval, `NaN`s turned into `null`.
    pub fn new(estimate: f64, ci: Option<[f64; 2]>) -> Estimate {
        Estimate {
            estimate: estimate.is_finite().then_some(estimate),
            ci: ci.filter(|c| c[0].is_finite() && c[1].is_finite()),
        }
    }

    /// The verdict of this estimate for a difference claimed positive (`sign` = 1) or
    /// negative (`sign` = -1).
    pub fn verdict(&self, sign: f64) -> Verdict {
        match self.ci {
            Some(c) if sign >= 0.0 => Verdict::of_interval(c),
            Some(c) => Verdict::of_interval([-c[1], -c[0]]),
            None => Verdict::Untestable,
        }
    }
}

/// Bootstrap settings and how many resamples could be used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BootstrapInfo {
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples on which every statistic could be computed.
    pub usable: usize,
    /// Seed of the resample plan.
    pub seed: u64,
    /// Confidence level of the percentile intervals.
    pub ci: f64,
    /// What was resampled: `groups` or `leaders`.
    pub unit: &'static str,
}

/// Too few units for a claim.
pub(crate) fn too_few(needed: usize, got: usize) -> Error {
    Error::TooFewRows {
        at: crate::error::Location::default(),
        needed,
        got,
    }
}

/// Correlation matrix of the rows `idx` of `data` (all rows when `None`), two-pass; `None`
/// when a column has no variance.
pub(crate) fn correlation_of_rows(
    data: &nalgebra::DMatrix<f64>,
    idx: Option<&[usize]>,
) -> Option<nalgebra::DMatrix<f64>> {
    let sub = match idx {
        Some(idx) => data.select_rows(idx),
        None => data.clone(),
    };
    let n = sub.nrows();
    if n < 3 {
        return None;
    }
    for j in 0..sub.ncols() {
        let c = sub.column(j);
        let first = c[0];
        if c.iter().all(|v| *v == first) {
            return None;
        }
    }
    let r = crate::regression::dominance::correlation(&sub);
    r.iter().all(|v| v.is_finite()).then_some(r)
}

/// Standardised regression weights $\beta = R_{xx}^{-1}r_{xy}$ (Cholesky); `None` when
/// $R_{xx}$ is not positive definite.
pub(crate) fn std_betas(rxx: &nalgebra::DMatrix<f64>, rxy: &[f64]) -> Option<Vec<f64>> {
    let chol = rxx.clone().cholesky()?;
    let b = chol.solve(&nalgebra::DVector::from_column_slice(rxy));
    Some(b.iter().copied().collect())
}
