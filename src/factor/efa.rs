//! Exploratory factor analysis: extraction, rotation, sorting, sampling adequacy and fit, as
//! `psych::fa` (with `psych::KMO` and `psych::cortest.bartlett`).
//!
//! # Formula
//! For the $p \times p$ correlation matrix $R$ of $n$ observations and $k$ factors:
//! 1. extract unrotated loadings $A$ ($p \times k$): [`minres`],
//!    [principal axis](pa) or [maximum likelihood](ml);
//! 2. rotate, $L = A M$: none, [`varimax`],
//!    [`promax`], or an oblique GPA criterion
//!    ([oblimin/quartimin, geomin](crate::factor::gpa)); $\Phi$ = factor correlations
//!    ($I$ for orthogonal rotations);
//! 3. reflect each factor so its loadings sum to a non-negative number, and order factors by
//!    their variance $\mathrm{diag}(\Phi L^\top L)$, decreasing (psych's convention);
//! 4. report $h^2 = \mathrm{diag}(AA^\top) = \mathrm{diag}(L\Phi L^\top)$, $u^2 = 1 - h^2$, the
//!    eigenvalues of $R$, KMO and Bartlett's test ([`crate::correlation::kmo`]) and the
//!    likelihood fit statistics ([`crate::factor::fit`]).
//!
//! # Reference
//! Revelle, W. (2022). *psych: Procedures for psychological, psychometric, and personality
//! research* (R package version 2.2.9). Northwestern University.
//!
//! # Peer
//! psych 2.2.9 `fa(r, nfactors, n.obs, fm, rotate)` with GPArotation 2022.10.2.

use crate::correlation::kmo::{bartlett, kmo, BartlettResult};
use crate::error::{Error, Location, Warning, WarningCode};
use crate::factor::fit::{degrees_of_freedom, fit_statistics, FitStatistics};
use crate::factor::gpa::{gpa_oblique, Geomin, GpaOptions, Oblimin, RotationCriterion};
use crate::factor::minres::{minres, Extraction as Unrotated, MinresOptions};
use crate::factor::ml::{ml, MlOptions};
use crate::factor::pa::{pa, PaOptions};
use crate::factor::promax::{promax, PromaxOptions};
use crate::factor::varimax::{varimax, VarimaxOptions};
use crate::factor::{column_sum_signs, order_decreasing};
use crate::numeric::eigen::as_correlation;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Factor extraction method (psych `fm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Extraction {
    /// Minimum residual / unweighted least squares (`fm = "minres"`, psych's default).
    #[default]
    Minres,
    /// Iterated principal axis (`fm = "pa"`).
    Pa,
    /// Maximum likelihood (`fm = "ml"`).
    Ml,
}

impl Extraction {
    /// The name as the command line and JSON write it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Extraction::Minres => "minres",
            Extraction::Pa => "pa",
            Extraction::Ml => "ml",
        }
    }
}

impl fmt::Display for Extraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Extraction {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "minres" => Ok(Extraction::Minres),
            "pa" => Ok(Extraction::Pa),
            "ml" => Ok(Extraction::Ml),
            // the input as given, as the command line shows it
            _ => Err(Error::option(
                "--extraction",
                format!("expected minres, pa or ml, found \"{s}\""),
            )),
        }
    }
}

/// Rotation (psych `rotate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RotationKind {
    /// No rotation (`rotate = "none"`).
    None,
    /// Kaiser-normalised varimax, `stats::varimax` (`rotate = "varimax"`).
    Varimax,
    /// psych's promax: Kaiser-normalised varimax, then target power 4 (`rotate = "promax"`).
    Promax,
    /// GPArotation oblimin, $\gamma = 0$, no Kaiser normalisation (`rotate = "oblimin"`, psych's default).
    #[default]
    Oblimin,
    /// GPArotation quartimin (`rotate = "quartimin"`; the same criterion as oblimin with $\gamma = 0$).
    Quartimin,
    /// GPArotation geominQ, $\delta = 0.01$ (`rotate = "geominQ"`).
    Geomin,
}

impl RotationKind {
    /// The name as the command line and JSON write it.
    pub fn as_str(&self) -> &'static str {
        match self {
            RotationKind::None => "none",
            RotationKind::Varimax => "varimax",
            RotationKind::Promax => "promax",
            RotationKind::Oblimin => "oblimin",
            RotationKind::Quartimin => "quartimin",
            RotationKind::Geomin => "geomin",
        }
    }

    /// Whether the rotation lets factors correlate.
    pub fn is_oblique(&self) -> bool {
        matches!(
            self,
            RotationKind::Promax
                | RotationKind::Oblimin
                | RotationKind::Quartimin
                | RotationKind::Geomin
        )
    }
}

impl fmt::Display for RotationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RotationKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(RotationKind::None),
            "varimax" => Ok(RotationKind::Varimax),
            "promax" => Ok(RotationKind::Promax),
            "oblimin" => Ok(RotationKind::Oblimin),
            "quartimin" => Ok(RotationKind::Quartimin),
            "geomin" | "geominq" => Ok(RotationKind::Geomin),
            _ => Err(Error::option(
                "--rotation",
                format!(
                    "expected none, varimax, promax, oblimin, quartimin or geomin, found \"{s}\""
                ),
            )),
        }
    }
}

/// Options for [`efa`]. `Default` is psych 2.2.9's `fa()` defaults (`nfactors = 1`,
/// `fm = "minres"`, `rotate = "oblimin"`), with GPArotation 2022.10.2's and `stats::varimax`'s
/// rotation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EfaOptions {
    /// Number of factors $k$, $1 \le k < p$ (psych `nfactors = 1`).
    pub nfactors: usize,
    /// Extraction method (psych `fm = "minres"`).
    pub extraction: Extraction,
    /// Rotation (psych `rotate = "oblimin"`).
    pub rotation: RotationKind,
    /// Extra random starts of a GPA rotation (oblimin, quartimin, geomin), besides psych's
    /// identity start; the lowest criterion wins (ties keep the identity start). Ignored by
    /// varimax and promax, which have no starting matrix. psych: none (0).
    pub random_starts: usize,
    /// Seed of the random starts (start $s$ uses ChaCha8 stream $s$).
    pub seed: u64,
    /// Maximum rotation iterations (GPArotation `maxit = 1000`; `stats::varimax` 1000).
    pub max_iter: usize,
    /// Rotation convergence tolerance (GPArotation `eps = 1e-5`; `stats::varimax` `eps = 1e-5`).
    pub rotation_eps: f64,
    /// Promax target power (psych `m = 4`).
    pub promax_power: f64,
    /// Minres settings.
    pub minres: MinresOptions,
    /// Principal axis settings.
    pub pa: PaOptions,
    /// Maximum likelihood settings.
    pub ml: MlOptions,
}

impl Default for EfaOptions {
    fn default() -> Self {
        EfaOptions {
            nfactors: 1,
            extraction: Extraction::Minres,
            rotation: RotationKind::Oblimin,
            random_starts: 0,
            seed: 0,
            max_iter: 1000,
            rotation_eps: 1e-5,
            promax_power: 4.0,
            minres: MinresOptions::default(),
            pa: PaOptions::default(),
            ml: MlOptions::default(),
        }
    }
}

impl EfaOptions {
    /// Checks the options for a $p$-item matrix. Returns [`Error::InvalidOption`] when unusable,
    /// else the warnings the settings deserve (a model with $df \le 0$ has no fit statistics).
    pub fn validate(&self, p: usize) -> Result<Vec<Warning>, Error> {
        if self.nfactors == 0 || self.nfactors >= p {
            return Err(Error::option(
                "--factors",
                format!(
                    "expected between 1 and {} factors for {p} items, found {}",
                    p.saturating_sub(1),
                    self.nfactors
                ),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::option(
                "--rotation-max-iter",
                "expected at least one iteration",
            ));
        }
        if !(self.rotation_eps.is_finite() && self.rotation_eps > 0.0) {
            return Err(Error::option(
                "--rotation-eps",
                format!("expected a positive tolerance, found {}", self.rotation_eps),
            ));
        }
        PromaxOptions {
            power: self.promax_power,
            ..PromaxOptions::default()
        }
        .validate()?;
        match self.extraction {
            Extraction::Minres => self.minres.validate(p)?,
            Extraction::Pa => self.pa.validate(p)?,
            Extraction::Ml => self.ml.validate(p)?,
        }
        let mut warnings = Vec::new();
        let df = degrees_of_freedom(p, self.nfactors);
        if df < 0 {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "{} factors for {p} items leave {df} degrees of freedom: the model has more \
                     parameters than correlations (not identified); no fit statistics",
                    self.nfactors
                ),
            ));
        } else if df == 0 {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "{} factors for {p} items leave 0 degrees of freedom: the model is saturated; \
                     no fit statistics (RMSEA, TLI, BIC)",
                    self.nfactors
                ),
            ));
        }
        if self.nfactors == 1 && self.rotation != RotationKind::None {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "one factor: nothing to rotate, the {} rotation was not applied",
                    self.rotation
                ),
            ));
        }
        Ok(warnings)
    }
}

/// An exploratory factor analysis: the contract's `trustscale efa` JSON and more.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EfaResult {
    /// Number of observations used (psych `n.obs`).
    pub n: usize,
    /// Item names: left empty by [`efa`], which sees only the correlation matrix;
    /// `analysis::efa::EfaRequest` (the `efa` command) names them.
    pub items: Vec<String>,
    /// Number of factors.
    pub factors: usize,
    /// Extraction method.
    pub extraction: Extraction,
    /// Rotation.
    pub rotation: RotationKind,
    /// Kind of correlation analysed (`"pearson"` from [`efa`]; `analysis::efa::EfaRequest`
    /// sets the one it used).
    pub cor: String,
    /// Rotated pattern loadings $L$, one row of $k$ per item, in psych's order and signs.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub loadings: DMatrix<f64>,
    /// Communalities $h^2 = \mathrm{diag}(AA^\top)$ (psych `communality`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub communalities: DVector<f64>,
    /// Uniquenesses $1 - h^2$ (psych `uniquenesses`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub uniquenesses: DVector<f64>,
    /// Eigenvalues of the correlation matrix, decreasing (psych `e.values`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub eigenvalues: DVector<f64>,
    /// Variance accounted for by each factor: $\mathrm{diag}(\Phi L^\top L)$ (psych's
    /// `SS loadings`; column sums of squares for orthogonal rotations).
    pub variance_explained: Vec<f64>,
    /// Factor correlations $\Phi$ (psych `Phi`; the identity for orthogonal rotations).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub factor_correlations: DMatrix<f64>,
    /// Overall Kaiser–Meyer–Olkin measure of sampling adequacy (psych `KMO()$MSA`); `null`
    /// with a warning where it does not exist ([`kmo`]).
    pub kmo: Option<f64>,
    /// Per-item KMO (psych `KMO()$MSAi`), `null` where it does not exist.
    pub kmo_items: Vec<Option<f64>>,
    /// Bartlett's test of sphericity (psych `cortest.bartlett(R, n)`).
    pub bartlett: BartlettResult,
    /// Likelihood fit statistics (psych `fa.stats`: `STATISTIC`, `dof`, `RMSEA`, `TLI`, `BIC`, ...).
    pub fit: FitStatistics,
    /// Structure loadings $L\Phi$ (psych `Structure`; equal to `loadings` for orthogonal rotations).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub structure: DMatrix<f64>,
    /// Unrotated loadings $A$ (each column summing non-negative, as psych before rotating).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub unrotated_loadings: DMatrix<f64>,
    /// $M$ with $L = AM$, columns in the final factor order.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub rotation_matrix: DMatrix<f64>,
    /// The rotation criterion at the solution (varimax $V$ or the GPA $Q(L)$); `None` for no
    /// rotation and promax.
    pub rotation_criterion: Option<f64>,
    /// Whether both the extraction and the rotation met their convergence rules.
    pub converged: bool,
    /// Iterations of the extraction (quasi-Newton steps, or principal axis passes).
    pub iterations: usize,
    /// Iterations of the rotation.
    pub rotation_iterations: usize,
    /// Per item: a Heywood case (communality of 1 or more, or a uniqueness on its lower bound).
    pub heywood: Vec<bool>,
    /// Non-convergence, Heywood cases, singular or smoothed matrices, degrees-of-freedom notes.
    pub warnings: Vec<Warning>,
}

/// A rotation before psych's reflection and ordering.
struct Rotated {
    loadings: DMatrix<f64>,
    phi: Option<DMatrix<f64>>,
    m: DMatrix<f64>,
    criterion: Option<f64>,
    converged: bool,
    iterations: usize,
    warnings: Vec<Warning>,
}

fn rotate(a: &DMatrix<f64>, opts: &EfaOptions) -> Result<Rotated, Error> {
    let k = a.ncols();
    let varimax_opts = VarimaxOptions {
        normalize: true,
        eps: opts.rotation_eps,
        max_iter: opts.max_iter,
        reorder: false,
    };
    let gpa = |crit: &dyn RotationCriterion| -> Result<Rotated, Error> {
        let g = gpa_oblique(
            a,
            crit,
            &GpaOptions {
                eps: opts.rotation_eps,
                max_iter: opts.max_iter,
                random_starts: opts.random_starts,
                seed: opts.seed,
                normalize: false,
                reorder: false,
                ..GpaOptions::default()
            },
        )?;
        Ok(Rotated {
            loadings: g.loadings,
            phi: Some(g.phi),
            m: g.rotation_matrix,
            criterion: Some(g.criterion),
            converged: g.converged,
            iterations: g.iterations,
            warnings: g.warnings,
        })
    };
    if k < 2 {
        return Ok(Rotated {
            loadings: a.clone(),
            phi: None,
            m: DMatrix::identity(k, k),
            criterion: None,
            converged: true,
            iterations: 0,
            warnings: Vec::new(),
        });
    }
    match opts.rotation {
        RotationKind::None => Ok(Rotated {
            loadings: a.clone(),
            phi: None,
            m: DMatrix::identity(k, k),
            criterion: None,
            converged: true,
            iterations: 0,
            warnings: Vec::new(),
        }),
        RotationKind::Varimax => {
            let v = varimax(a, &varimax_opts)?;
            Ok(Rotated {
                loadings: v.loadings,
                phi: None,
                m: v.rotation_matrix,
                criterion: Some(v.criterion),
                converged: v.converged,
                iterations: v.iterations,
                warnings: v.warnings,
            })
        }
        RotationKind::Promax => {
            let pr = promax(
                a,
                &PromaxOptions {
                    power: opts.promax_power,
                    kaiser: true,
                    varimax: varimax_opts,
                    reorder: false,
                },
            )?;
            Ok(Rotated {
                loadings: pr.loadings,
                phi: Some(pr.phi),
                m: pr.rotation_matrix,
                criterion: None,
                converged: pr.converged,
                iterations: pr.iterations,
                warnings: pr.warnings,
            })
        }
        RotationKind::Oblimin | RotationKind::Quartimin => gpa(&Oblimin { gamma: 0.0 }),
        RotationKind::Geomin => gpa(&Geomin { delta: 0.01 }),
    }
}

/// psych `fa`'s post-processing: reflect factors whose loadings sum negative (with $\Phi$ and
/// $M$), then order by $\mathrm{diag}(\Phi L^\top L)$ (or $\mathrm{diag}(L^\top L)$), decreasing.
fn psych_sort(rot: &mut Rotated) {
    let (p, k) = rot.loadings.shape();
    let signs = column_sum_signs(&rot.loadings);
    for (j, &s) in signs.iter().enumerate() {
        if s < 0.0 {
            rot.loadings.column_mut(j).neg_mut();
            rot.m.column_mut(j).neg_mut();
        }
    }
    if let Some(phi) = rot.phi.as_mut() {
        *phi = DMatrix::from_fn(k, k, |i, j| phi[(i, j)] * signs[i] * signs[j]);
    }
    let ev = variance_explained(&rot.loadings, rot.phi.as_ref());
    let order = order_decreasing(&ev);
    let l = &rot.loadings;
    rot.loadings = DMatrix::from_fn(p, k, |i, j| l[(i, order[j])]);
    let m = &rot.m;
    rot.m = DMatrix::from_fn(m.nrows(), k, |i, j| m[(i, order[j])]);
    if let Some(phi) = rot.phi.as_mut() {
        *phi = DMatrix::from_fn(k, k, |i, j| phi[(order[i], order[j])]);
    }
}

/// $\mathrm{diag}(\Phi L^\top L)$, or the column sums of squares without $\Phi$.
fn variance_explained(l: &DMatrix<f64>, phi: Option<&DMatrix<f64>>) -> Vec<f64> {
    let ltl = l.transpose() * l;
    match phi {
        Some(phi) => {
            let m = phi * ltl;
            (0..l.ncols()).map(|j| m[(j, j)]).collect()
        }
        None => (0..l.ncols()).map(|j| ltl[(j, j)]).collect(),
    }
}

/// Exploratory factor analysis of a correlation matrix.
///
/// # Formula
/// Unrotated loadings $A$ from the chosen extraction, $L = AM$ from the chosen rotation,
/// $\Phi = M^{-1}M^{-\top}$ (identity when orthogonal); then each factor $j$ is reflected when
/// $\sum_i l_{ij} < 0$ and factors are sorted by $\mathrm{diag}(\Phi L^\top L)$, decreasing.
/// $h^2_i = (AA^\top)\_{ii}$, $u^2_i = 1 - h^2_i$, `variance_explained` $= \mathrm{diag}(\Phi L^\top L)$,
/// `structure` $= L\Phi$. KMO, Bartlett ($n$ = `n_obs`) and the fit statistics are those of
/// [`kmo`], [`bartlett`] and [`fit_statistics`]. A covariance matrix is rescaled to correlations.
///
/// # Reference
/// Revelle, W. (2022). *psych: Procedures for psychological, psychometric, and personality
/// research* (R package version 2.2.9). Northwestern University.
/// Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
/// arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
/// 65(5), 676–696.
///
/// # Peer
/// psych 2.2.9 `fa(x, nfactors, fm, rotate)` (GPArotation 2022.10.2), with `KMO(f$r)` and
/// `cortest.bartlett(f$r, n)`: `loadings`, `communality`, `uniquenesses`, `e.values`,
/// `Vaccounted["SS loadings", ]`, `Phi`, `Structure`, `STATISTIC`, `dof`, `RMSEA[1]`, `TLI`, `BIC`.
/// Reference cases 03 (minres, oblimin), 04 (pa, varimax) and 05 (ml, promax) on the 25 bfi
/// items (`tests/efa_reference.rs`): loadings within 2e-6 for minres and ml (psych's optimiser
/// stops early; against psych's steps run from our unrotated loadings, 1e-9) and 1e-14 for pa,
/// with psych's factor order and signs; fit chi-square within 3e-4.
///
/// # Deviations
/// - minres and ml are run to the optimum psych's `optim` stops short of (see
///   [`minres`] and [`ml`]): loadings
///   differ from psych's by about 1e-6.
/// - psych replaces exact zero loadings by 1e-15 before rotating; we do not.
/// - With one factor nothing is rotated (as psych) and a note says so.
/// - psych falls back to promax when a GPArotation call fails; we return the error.
/// - `rotation_matrix` follows the final factor order (psych's `rot.mat` keeps the order before
///   sorting).
/// - See also the deviations of [`fit_statistics`], [`kmo`] and [`bartlett`].
pub fn efa(r: &DMatrix<f64>, n_obs: usize, opts: &EfaOptions) -> Result<EfaResult, Error> {
    let r = as_correlation(r, "correlation matrix")?;
    let p = r.nrows();
    let mut warnings = opts.validate(p)?;
    if n_obs < 2 {
        return Err(Error::TooFewRows {
            at: Location::default(),
            needed: 2,
            got: n_obs,
        });
    }
    let k = opts.nfactors;
    let ext: Unrotated = match opts.extraction {
        Extraction::Minres => minres(&r, k, &opts.minres)?,
        Extraction::Pa => pa(&r, k, &opts.pa)?,
        Extraction::Ml => ml(&r, k, &opts.ml)?,
    };
    warnings.extend(ext.warnings.iter().cloned());
    let mut rot = rotate(&ext.loadings, opts)?;
    warnings.extend(rot.warnings.iter().cloned());
    psych_sort(&mut rot);
    let variance_explained = variance_explained(&rot.loadings, rot.phi.as_ref());
    let (factor_correlations, structure) = match &rot.phi {
        Some(phi) => (phi.clone(), &rot.loadings * phi),
        None => (DMatrix::identity(k, k), rot.loadings.clone()),
    };
    let lower = match opts.extraction {
        Extraction::Minres => opts.minres.lower,
        Extraction::Ml => opts.ml.lower,
        Extraction::Pa => f64::NEG_INFINITY,
    };
    let heywood: Vec<bool> = (0..p)
        .map(|i| ext.communalities[i] >= 1.0 || ext.psi[i] <= lower * (1.0 + 1e-9))
        .collect();
    let kmo_res = kmo(&r)?;
    warnings.extend(kmo_res.warnings.iter().cloned());
    let mut bart = bartlett(&r, n_obs)?;
    warnings.append(&mut bart.warnings);
    let mut fit = fit_statistics(&r, &rot.loadings, rot.phi.as_ref(), n_obs)?;
    warnings.append(&mut fit.warnings);
    Ok(EfaResult {
        n: n_obs,
        items: Vec::new(),
        factors: k,
        extraction: opts.extraction,
        rotation: opts.rotation,
        cor: "pearson".to_string(),
        loadings: rot.loadings,
        communalities: ext.communalities.clone(),
        uniquenesses: ext.uniquenesses.clone(),
        eigenvalues: ext.eigenvalues.clone(),
        variance_explained,
        factor_correlations,
        kmo: kmo_res.kmo,
        kmo_items: kmo_res.kmo_items,
        bartlett: bart,
        fit,
        structure,
        unrotated_loadings: ext.loadings,
        rotation_matrix: rot.m,
        rotation_criterion: rot.criterion,
        converged: ext.converged && rot.converged,
        iterations: ext.iterations,
        rotation_iterations: rot.iterations,
        heywood,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::factor::communalities;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const ROTATIONS: [RotationKind; 6] = [
        RotationKind::None,
        RotationKind::Varimax,
        RotationKind::Promax,
        RotationKind::Oblimin,
        RotationKind::Quartimin,
        RotationKind::Geomin,
    ];

    /// A correlation matrix with a known simple structure plus a small symmetric perturbation.
    fn structured(p: usize, k: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let l = DMatrix::from_fn(p, k, |i, j| {
            if i % k == j {
                rng.gen_range(0.5..0.85)
            } else {
                rng.gen_range(-0.15..0.15)
            }
        });
        let mut r = &l * l.transpose();
        for i in 0..p {
            for j in 0..i {
                let e = rng.gen_range(-0.03..0.03);
                r[(i, j)] += e;
                r[(j, i)] += e;
            }
        }
        let d: Vec<f64> = (0..p).map(|i| r[(i, i)]).collect();
        DMatrix::from_fn(p, p, |i, j| {
            if i == j {
                1.0
            } else {
                r[(i, j)] / (d[i].max(1.0) * d[j].max(1.0)).sqrt()
            }
        })
    }

    #[test]
    fn parses_and_prints_names() {
        assert_eq!("ML".parse::<Extraction>().unwrap(), Extraction::Ml);
        assert_eq!(
            "geominQ".parse::<RotationKind>().unwrap(),
            RotationKind::Geomin
        );
        assert!("equamax".parse::<RotationKind>().is_err());
        assert!("wls".parse::<Extraction>().is_err());
        for r in ROTATIONS {
            assert_eq!(r.as_str().parse::<RotationKind>().unwrap(), r);
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
    }

    #[test]
    fn validate_rejects_and_warns() {
        let o = EfaOptions {
            nfactors: 0,
            ..EfaOptions::default()
        };
        assert!(matches!(o.validate(6), Err(Error::InvalidOption { .. })));
        let o = EfaOptions {
            nfactors: 6,
            ..EfaOptions::default()
        };
        assert!(o.validate(6).is_err());
        // 3 factors for 6 items: df = 15 - 18 + 3 = 0
        let o = EfaOptions {
            nfactors: 3,
            ..EfaOptions::default()
        };
        let w = o.validate(6).unwrap();
        assert!(w.iter().any(|w| w.message.contains("0 degrees of freedom")));
        let o = EfaOptions {
            nfactors: 4,
            ..EfaOptions::default()
        };
        assert!(o
            .validate(6)
            .unwrap()
            .iter()
            .any(|w| w.message.contains("not identified")));
        assert_eq!(degrees_of_freedom(25, 5), 185);
        let o = EfaOptions {
            rotation_eps: 0.0,
            ..EfaOptions::default()
        };
        assert!(o.validate(6).is_err());
    }

    #[test]
    fn efa_every_combination_runs_and_follows_psych_convention() {
        let r = structured(12, 3, 11);
        for extraction in [Extraction::Minres, Extraction::Pa, Extraction::Ml] {
            for rotation in ROTATIONS {
                let opts = EfaOptions {
                    nfactors: 3,
                    extraction,
                    rotation,
                    ..EfaOptions::default()
                };
                let f = efa(&r, 300, &opts).unwrap();
                assert_eq!(f.loadings.shape(), (12, 3));
                for j in 0..3 {
                    assert!(f.loadings.column(j).sum() >= 0.0, "{extraction} {rotation}");
                    assert!((f.factor_correlations[(j, j)] - 1.0).abs() < 1e-12);
                }
                assert!(f.variance_explained.windows(2).all(|w| w[0] >= w[1]));
                assert!((&f.unrotated_loadings * &f.rotation_matrix - &f.loadings).amax() < 1e-10);
                assert_eq!(f.fit.df, 33);
                assert!(f.fit.rmsea.is_some() && f.fit.tli.is_some());
                assert!(f.bartlett.chi2.unwrap() > 0.0);
                assert!(f.kmo.is_some_and(|k| k > 0.0 && k < 1.0));
                if !rotation.is_oblique() {
                    assert_eq!(f.factor_correlations, DMatrix::identity(3, 3));
                    assert_eq!(f.structure, f.loadings);
                }
                let json = serde_json::to_value(&f).unwrap();
                for key in [
                    "n",
                    "items",
                    "factors",
                    "extraction",
                    "rotation",
                    "cor",
                    "loadings",
                    "communalities",
                    "uniquenesses",
                    "eigenvalues",
                    "variance_explained",
                    "factor_correlations",
                    "kmo",
                    "kmo_items",
                ] {
                    assert!(json.get(key).is_some(), "missing {key}");
                }
                for key in ["chi2", "df", "p"] {
                    assert!(json["bartlett"].get(key).is_some());
                }
                for key in ["chi2", "df", "rmsea", "tli", "bic"] {
                    assert!(json["fit"].get(key).is_some());
                }
                assert_eq!(json["extraction"], extraction.as_str());
                assert_eq!(json["loadings"].as_array().unwrap().len(), 12);
            }
        }
    }

    #[test]
    fn one_factor_is_not_rotated() {
        let r = structured(6, 1, 3);
        let f = efa(
            &r,
            100,
            &EfaOptions {
                nfactors: 1,
                rotation: RotationKind::Promax,
                ..EfaOptions::default()
            },
        )
        .unwrap();
        assert_eq!(f.loadings, f.unrotated_loadings);
        assert!(f.warnings.iter().any(|w| w.code == WarningCode::Note));
    }

    #[test]
    fn random_starts_never_worsen_the_criterion() {
        let r = structured(12, 3, 5);
        let base = EfaOptions {
            nfactors: 3,
            rotation: RotationKind::Geomin,
            ..EfaOptions::default()
        };
        let one = efa(&r, 300, &base).unwrap();
        let many = EfaOptions {
            random_starts: 8,
            seed: 9,
            ..base
        };
        let a = efa(&r, 300, &many).unwrap();
        let b = efa(&r, 300, &many).unwrap();
        assert_eq!(a.loadings, b.loadings);
        assert!(a.rotation_criterion.unwrap() <= one.rotation_criterion.unwrap() + 1e-12);
    }

    #[test]
    fn heywood_case_is_flagged() {
        // r12 r13 / r23 > 1: a one-factor solution needs a communality above 1 for item 1.
        let r = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.9, 0.8, 0.3, 0.9, 1.0, 0.6, 0.3, 0.8, 0.6, 1.0, 0.3, 0.3, 0.3, 0.3, 1.0,
            ],
        );
        let f = efa(
            &r,
            100,
            &EfaOptions {
                nfactors: 1,
                rotation: RotationKind::None,
                ..EfaOptions::default()
            },
        )
        .unwrap();
        assert!(f.heywood[0]);
        assert!(f.warnings.iter().any(|w| w.code == WarningCode::Heywood));
    }

    #[test]
    fn too_few_observations_is_an_error() {
        let r = structured(6, 2, 1);
        let opts = EfaOptions {
            nfactors: 2,
            ..EfaOptions::default()
        };
        assert!(matches!(efa(&r, 1, &opts), Err(Error::TooFewRows { .. })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Property: a rotation leaves the communalities unchanged:
        /// diag(L Phi L') of every rotation equals diag(A A') of the unrotated solution.
        #[test]
        fn rotation_leaves_communalities_unchanged(
            p in 6usize..14,
            k in 2usize..4,
            seed in 0u64..1_000_000,
            extraction in proptest::sample::select(vec![Extraction::Minres, Extraction::Pa, Extraction::Ml]),
        ) {
            let r = structured(p, k, seed);
            for rotation in ROTATIONS {
                let opts = EfaOptions { nfactors: k, extraction, rotation, ..EfaOptions::default() };
                let f = efa(&r, 500, &opts).unwrap();
                let h2 = communalities(&f.loadings, &f.factor_correlations);
                for i in 0..p {
                    proptest::prop_assert!(
                        (h2[i] - f.communalities[i]).abs() < 1e-9,
                        "{} {}: item {}: {} vs {}", extraction, rotation, i, h2[i], f.communalities[i]
                    );
                }
            }
        }
    }
}
