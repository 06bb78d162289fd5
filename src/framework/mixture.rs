//! Latent profile analysis: Gaussian mixture models fitted by EM from seeded random starts,
//! compared by BIC, with entropy, class sizes and means; and the adjusted Rand index.
//!
//! # Model
//! $f(x) = \sum_{k=1}^{G}\pi_k\,\phi(x;\mu_k,\Sigma_k)$ on $d$ variables, with the covariance
//! families of mclust (Celeux & Govaert, 1995; Scrucca et al., 2016):
//!
//! | model | $\Sigma_k$ | covariance parameters |
//! |---|---|---|
//! | `EEI` | $\operatorname{diag}(\sigma^2_1..\sigma^2_d)$, equal across classes | $d$ |
//! | `VVI` | $\operatorname{diag}(\sigma^2_{k1}..\sigma^2_{kd})$, per class (the usual LPA) | $Gd$ |
//! | `EEE` | one full $\Sigma$ common to the classes | $d(d+1)/2$ |
//! | `VVV` | a full $\Sigma_k$ per class | $Gd(d+1)/2$ |
//!
//! plus $Gd$ means and $G-1$ proportions.
//!
//! # Algorithm
//! EM (Dempster, Laird & Rubin, 1977). M-step with $n_k = \sum_i z_{ik}$,
//! $\pi_k = n_k/n$, $\mu_k = \sum_i z_{ik}x_i/n_k$, $W_k = \sum_i z_{ik}(x_i-\mu_k)(x_i-\mu_k)'$:
//! `VVV` $\Sigma_k = W_k/n_k$, `VVI` its diagonal, `EEE` $\Sigma = \sum_k W_k/n$, `EEI` its
//! diagonal. E-step $z_{ik} \propto \pi_k\phi(x_i;\mu_k,\Sigma_k)$ (log-sum-exp), log-likelihood
//! $\ell = \sum_i \log\sum_k \pi_k\phi(x_i;\mu_k,\Sigma_k)$. Iterations stop when
//! $|\ell_t - \ell_{t-1}| \le 10^{-10}(1 + |\ell_t|)$ (at most 5000). Every start first runs
//! 40 iterations; the five with the largest $\ell$ then run to convergence (the short-runs
//! strategy of Biernacki, Celeux & Govaert, 2003), best first, and a run whose Aitken-projected
//! limit lies below the best $\ell$ found is abandoned (McNicholas et al., 2010). Each start draws $G$
//! distinct observations as centres (ChaCha8 stream of (seed, model, $G$, start)) and assigns
//! every observation to the nearest centre (standardised Euclidean distance) as the first
//! $z$. A start whose covariance becomes singular (a variance below $10^{-8}$ of the
//! variable's variance, or a non-positive-definite $\Sigma$) or a class emptier than
//! $10^{-8}n$ is dropped, as mclust returns `NA` there. The best start (largest $\ell$) is kept.
//!
//! $\mathrm{BIC} = -2\ell + q\ln n$ with $q$ free parameters (lower is better; mclust reports
//! $2\ell - q\ln n$, the same number with the sign turned). Relative entropy
//! $E = 1 - \sum_{ik} -z_{ik}\ln z_{ik} / (n\ln G)$ (Ramaswamy et al., 1993). Classes are
//! ordered by decreasing size.
//!
//! # Peer
//! R mclust 6.0.0 `Mclust`/`me` with `control = emControl(tol = 1e-10)`
//! (tests/fixtures/framework/mixture.R): for every family and 1–6 classes, mclust's EM started
//! from our classification converges to our $\ell$ (to $10^{-6}$); where the data hold the
//! classes (1–3 of the fixture) our $\ell$ equals the best of mclust's default and 100 random
//! starts, and mclust's BIC is ours with the sign turned. With more classes the likelihood has
//! many local maxima: ours is never below mclust's default fit but can be below its best of 100
//! random starts.
//!
//! # References
//! - Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). *JRSS B, 39*, 1–38.
//! - Celeux, G., & Govaert, G. (1995). Gaussian parsimonious clustering models. *Pattern
//!   Recognition, 28*, 781–793.
//! - Ramaswamy, V., DeSarbo, W. S., Reibstein, D. J., & Robinson, W. T. (1993). An empirical
//!   pooling approach for estimating marketing mix elasticities with PIMS data. *Marketing
//!   Science, 12*, 103–124 (relative entropy).
//! - Scrucca, L., Fop, M., Murphy, T. B., & Raftery, A. E. (2016). mclust 5. *The R Journal,
//!   8*(1), 289–317.
//! - Biernacki, C., Celeux, G., & Govaert, G. (2003). Choosing starting values for the EM
//!   algorithm for getting the highest likelihood in multivariate Gaussian mixture models.
//!   *Computational Statistics & Data Analysis, 41*, 561–575.
//! - McNicholas, P. D., Murphy, T. B., McDaid, A. F., & Frost, D. (2010). Serial and parallel
//!   implementations of model-based clustering via parsimonious Gaussian mixture models.
//!   *Computational Statistics & Data Analysis, 54*, 711–723 (Aitken's stopping rule).
//! - Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification, 2*,
//!   193–218 (adjusted Rand index).

use super::FrameworkOptions;
use crate::error::{Error, Result, Warning, WarningCode};
use crate::numeric::rng::{stream, uniform_open};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

/// A covariance family of the mixture (mclust's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum CovarianceModel {
    /// Diagonal, equal across classes.
    #[serde(rename = "EEI")]
    Eei,
    /// Diagonal, varying across classes (the usual latent profile model).
    #[serde(rename = "VVI")]
    Vvi,
    /// Full, common to the classes.
    #[serde(rename = "EEE")]
    Eee,
    /// Full, varying across classes.
    #[serde(rename = "VVV")]
    Vvv,
}

impl CovarianceModel {
    /// mclust's name.
    pub fn name(self) -> &'static str {
        match self {
            CovarianceModel::Eei => "EEI",
            CovarianceModel::Vvi => "VVI",
            CovarianceModel::Eee => "EEE",
            CovarianceModel::Vvv => "VVV",
        }
    }

    /// Parses mclust's name (case-insensitive).
    pub fn parse(s: &str) -> Option<CovarianceModel> {
        match s.trim().to_ascii_uppercase().as_str() {
            "EEI" => Some(CovarianceModel::Eei),
            "VVI" => Some(CovarianceModel::Vvi),
            "EEE" => Some(CovarianceModel::Eee),
            "VVV" => Some(CovarianceModel::Vvv),
            _ => None,
        }
    }

    fn diagonal(self) -> bool {
        matches!(self, CovarianceModel::Eei | CovarianceModel::Vvi)
    }

    fn common(self) -> bool {
        matches!(self, CovarianceModel::Eei | CovarianceModel::Eee)
    }

    /// Free parameters with `g` classes on `d` variables.
    pub fn parameters(self, g: usize, d: usize) -> usize {
        let cov = match self {
            CovarianceModel::Eei => d,
            CovarianceModel::Vvi => g * d,
            CovarianceModel::Eee => d * (d + 1) / 2,
            CovarianceModel::Vvv => g * d * (d + 1) / 2,
        };
        g * d + (g - 1) + cov
    }

    fn index(self) -> u64 {
        match self {
            CovarianceModel::Eei => 0,
            CovarianceModel::Vvi => 1,
            CovarianceModel::Eee => 2,
            CovarianceModel::Vvv => 3,
        }
    }
}

/// One fitted mixture.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MixtureFit {
    /// Number of classes.
    pub classes: usize,
    /// Log-likelihood at the best start (`null` when every start failed).
    pub loglik: Option<f64>,
    /// Free parameters.
    pub npar: usize,
    /// $-2\ell + q\ln n$ (lower is better).
    pub bic: Option<f64>,
    /// Relative entropy of the classification (`null` for one class).
    pub entropy: Option<f64>,
    /// Class proportions $\pi_k$.
    pub proportions: Vec<f64>,
    /// Observations assigned to each class (largest posterior).
    pub sizes: Vec<usize>,
    /// Class means, one vector per class.
    pub means: Vec<Vec<f64>>,
    /// Class variances (the diagonal of $\Sigma_k$), one vector per class.
    pub variances: Vec<Vec<f64>>,
    /// Whether the best start met the convergence criterion.
    pub converged: bool,
    /// EM iterations of the best start.
    pub iterations: usize,
    /// Starts whose first 40 iterations ended without an empty class or a singular
    /// covariance.
    pub starts_ok: usize,
    /// Class (1-based) of each observation.
    #[serde(skip)]
    pub classification: Vec<usize>,
}

/// The fits of one covariance family for 1..G classes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ModelFits {
    /// The family.
    pub model: CovarianceModel,
    /// One fit per number of classes.
    pub fits: Vec<MixtureFit>,
    /// The number of classes with the lowest BIC.
    pub best: Option<usize>,
}

/// Result of [`latent_profiles`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LatentProfiles {
    /// Observations.
    pub n: usize,
    /// Variables.
    pub variables: Vec<String>,
    /// Random starts per fit.
    pub starts: usize,
    /// Per covariance family.
    pub models: Vec<ModelFits>,
    /// The family of the lowest BIC overall.
    pub best_model: Option<CovarianceModel>,
    /// Its number of classes.
    pub best_classes: Option<usize>,
    /// Fits where every start failed.
    pub warnings: Vec<Warning>,
}

impl LatentProfiles {
    /// The fit with the lowest BIC overall.
    pub fn best_fit(&self) -> Option<&MixtureFit> {
        let m = self.best_model?;
        let g = self.best_classes?;
        self.models
            .iter()
            .find(|f| f.model == m)?
            .fits
            .iter()
            .find(|f| f.classes == g)
    }
}

/// The state of EM: parameters and posterior.
struct Em {
    loglik: f64,
    z: Vec<f64>,
    pi: Vec<f64>,
    mu: Vec<Vec<f64>>,
    sigma: Vec<DMatrix<f64>>,
    iterations: usize,
    converged: bool,
}

const TOL: f64 = 1e-10;
const MAX_ITER: usize = 5000;
/// Iterations of every start before the best ones are run on.
const SHORT_ITER: usize = 40;
/// Starts run on to convergence.
const KEEP: usize = 5;

/// Data as rows.
struct Rows<'a> {
    x: &'a [f64],
    n: usize,
    d: usize,
    var: Vec<f64>,
}

impl Rows<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}

/// Proportions, means and covariances of the classes.
type Params = (Vec<f64>, Vec<Vec<f64>>, Vec<DMatrix<f64>>);

/// The M-step; `None` when a class is empty or a covariance is singular.
fn m_step(data: &Rows<'_>, z: &[f64], g: usize, model: CovarianceModel) -> Option<Params> {
    let (n, d) = (data.n, data.d);
    let mut nk = vec![0.0; g];
    for i in 0..n {
        for k in 0..g {
            nk[k] += z[i * g + k];
        }
    }
    if nk.iter().any(|&v| v < 1e-8 * n as f64) {
        return None;
    }
    let mut mu = vec![vec![0.0; d]; g];
    for i in 0..n {
        let x = data.row(i);
        for k in 0..g {
            let w = z[i * g + k];
            for j in 0..d {
                mu[k][j] += w * x[j];
            }
        }
    }
    for k in 0..g {
        for v in mu[k].iter_mut() {
            *v /= nk[k];
        }
    }
    let mut w = vec![DMatrix::<f64>::zeros(d, d); g];
    let mut dev = vec![0.0; d];
    for i in 0..n {
        let x = data.row(i);
        for k in 0..g {
            let zi = z[i * g + k];
            for j in 0..d {
                dev[j] = x[j] - mu[k][j];
            }
            let wk = &mut w[k];
            for a in 0..d {
                let za = zi * dev[a];
                if model.diagonal() {
                    wk[(a, a)] += za * dev[a];
                } else {
                    for b in 0..=a {
                        wk[(a, b)] += za * dev[b];
                    }
                }
            }
        }
    }
    for wk in w.iter_mut() {
        for a in 0..d {
            for b in 0..a {
                wk[(b, a)] = wk[(a, b)];
            }
        }
    }
    let sigma: Vec<DMatrix<f64>> = if model.common() {
        let total = w.iter().fold(DMatrix::<f64>::zeros(d, d), |acc, m| acc + m) / n as f64;
        vec![total; g]
    } else {
        w.iter().zip(&nk).map(|(m, &c)| m / c).collect()
    };
    for s in &sigma {
        for j in 0..d {
            if s[(j, j)].is_nan() || s[(j, j)] <= 1e-8 * data.var[j] {
                return None;
            }
        }
    }
    let pi = nk.iter().map(|v| v / n as f64).collect();
    Some((pi, mu, sigma))
}

/// The E-step: posterior into `z`, returns the log-likelihood; `None` for a singular Σ.
fn e_step(
    data: &Rows<'_>,
    pi: &[f64],
    mu: &[Vec<f64>],
    sigma: &[DMatrix<f64>],
    z: &mut [f64],
) -> Option<f64> {
    let (n, d) = (data.n, data.d);
    let g = pi.len();
    let c0 = -0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln();
    let mut chols = Vec::with_capacity(g);
    for s in sigma {
        let l = s.clone().cholesky()?.unpack();
        let mut logdet = 0.0;
        let mut min_ratio = f64::INFINITY;
        for j in 0..d {
            let v = l[(j, j)];
            logdet += 2.0 * v.ln();
            min_ratio = min_ratio.min(v * v / data.var[j]);
        }
        if min_ratio.is_nan() || min_ratio <= 1e-10 {
            return None;
        }
        chols.push((l, logdet));
    }
    let mut ll = 0.0;
    let mut y = vec![0.0; d];
    let mut lw = vec![0.0; g];
    for i in 0..n {
        let x = data.row(i);
        for k in 0..g {
            let (l, logdet) = &chols[k];
            let mut q = 0.0;
            for a in 0..d {
                let mut v = x[a] - mu[k][a];
                for b in 0..a {
                    v -= l[(a, b)] * y[b];
                }
                y[a] = v / l[(a, a)];
                q += y[a] * y[a];
            }
            lw[k] = pi[k].ln() + c0 - 0.5 * logdet - 0.5 * q;
        }
        let m = lw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = lw.iter().map(|v| (v - m).exp()).sum();
        let li = m + s.ln();
        ll += li;
        for k in 0..g {
            z[i * g + k] = (lw[k] - li).exp();
        }
    }
    ll.is_finite().then_some(ll)
}

/// EM from an initial posterior, at most `max_iter` iterations. With a `floor` (the best
/// log-likelihood already found), a run is abandoned (`None`) once Aitken's projection of its
/// limit, $\ell_\infty = \ell_{t-1} + (\ell_t - \ell_{t-1})/(1 - a_t)$ with
/// $a_t = (\ell_t - \ell_{t-1})/(\ell_{t-1} - \ell_{t-2})$, lies clearly below it (McNicholas
/// et al., 2010): it cannot become the best.
fn em(
    data: &Rows<'_>,
    mut z: Vec<f64>,
    g: usize,
    model: CovarianceModel,
    max_iter: usize,
    floor: Option<f64>,
) -> Option<Em> {
    let mut old = f64::NEG_INFINITY;
    let mut older = f64::NEG_INFINITY;
    for it in 1..=max_iter {
        let (pi, mu, sigma) = m_step(data, &z, g, model)?;
        let ll = e_step(data, &pi, &mu, &sigma, &mut z)?;
        let done = (ll - old).abs() <= TOL * (1.0 + ll.abs());
        if done || it == max_iter {
            // parameters that go with the final posterior
            let (pi, mu, sigma) = m_step(data, &z, g, model)?;
            let mut z2 = z.clone();
            let ll = e_step(data, &pi, &mu, &sigma, &mut z2)?;
            return Some(Em {
                loglik: ll,
                z: z2,
                pi,
                mu,
                sigma,
                iterations: it,
                converged: done,
            });
        }
        if let Some(best) = floor {
            if it % 10 == 0 && it >= 20 {
                let a = (ll - old) / (old - older);
                if a > 0.0 && a < 1.0 {
                    let limit = old + (ll - old) / (1.0 - a);
                    if limit < best - 1e-4 * (1.0 + best.abs()) {
                        return None;
                    }
                }
            }
        }
        older = old;
        old = ll;
    }
    None
}

/// The first posterior of a start: `g` distinct random observations as centres, each
/// observation to the nearest (standardised Euclidean distance).
fn random_start(data: &Rows<'_>, g: usize, seed: u64, id: u64) -> Vec<f64> {
    let n = data.n;
    let mut rng = stream(seed, id);
    let mut centres: Vec<usize> = Vec::with_capacity(g);
    let mut tries = 0;
    while centres.len() < g && tries < 100 * g {
        let c = ((uniform_open(&mut rng) * n as f64) as usize).min(n - 1);
        if !centres.contains(&c) {
            centres.push(c);
        }
        tries += 1;
    }
    let mut z = vec![0.0; n * g];
    for i in 0..n {
        let x = data.row(i);
        let mut best = (f64::INFINITY, 0);
        for (k, &c) in centres.iter().enumerate() {
            let y = data.row(c);
            let dist: f64 = (0..data.d)
                .map(|j| (x[j] - y[j]).powi(2) / data.var[j])
                .sum();
            if dist < best.0 {
                best = (dist, k);
            }
        }
        z[i * g + best.1] = 1.0;
    }
    z
}

fn fit_one(
    data: &Rows<'_>,
    g: usize,
    model: CovarianceModel,
    starts: usize,
    seed: u64,
) -> MixtureFit {
    let n = data.n;
    let npar = model.parameters(g, data.d);
    let (best, starts_ok): (Option<Em>, usize) = if g == 1 {
        let one = em(data, vec![1.0; n], 1, model, MAX_ITER, None);
        let ok = usize::from(one.is_some());
        (one, ok)
    } else {
        // short runs from every start, then the best few on to convergence, best first; a
        // run that cannot overtake the best so far is abandoned
        let short: Vec<Option<Em>> = (0..starts)
            .into_par_iter()
            .map(|s| {
                let id = (model.index() << 48) | ((g as u64) << 32) | s as u64;
                em(
                    data,
                    random_start(data, g, seed, id),
                    g,
                    model,
                    SHORT_ITER,
                    None,
                )
            })
            .collect();
        let mut short: Vec<Em> = short.into_iter().flatten().collect();
        let ok = short.len();
        short.sort_by(|a, b| b.loglik.total_cmp(&a.loglik));
        short.truncate(KEEP);
        let mut best: Option<Em> = None;
        for e in short {
            let floor = best.as_ref().map(|b| b.loglik);
            let done = e.iterations;
            let run = if e.converged {
                Some(e)
            } else {
                em(data, e.z, g, model, MAX_ITER, floor).map(|mut f| {
                    f.iterations += done;
                    f
                })
            };
            if let Some(r) = run {
                if best.as_ref().is_none_or(|b| r.loglik > b.loglik) {
                    best = Some(r);
                }
            }
        }
        (best, ok)
    };
    let Some(best) = best else {
        return MixtureFit {
            classes: g,
            loglik: None,
            npar,
            bic: None,
            entropy: None,
            proportions: Vec::new(),
            sizes: Vec::new(),
            means: Vec::new(),
            variances: Vec::new(),
            converged: false,
            iterations: 0,
            starts_ok: 0,
            classification: Vec::new(),
        };
    };
    // classes by decreasing proportion
    let mut order: Vec<usize> = (0..g).collect();
    order.sort_by(|&a, &b| best.pi[b].total_cmp(&best.pi[a]));
    let mut rank = vec![0; g];
    for (r, &k) in order.iter().enumerate() {
        rank[k] = r;
    }
    let mut sizes = vec![0usize; g];
    let mut classification = Vec::with_capacity(n);
    let mut ent = 0.0;
    for i in 0..n {
        let row = &best.z[i * g..(i + 1) * g];
        let k = (0..g)
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap_or(0);
        sizes[rank[k]] += 1;
        classification.push(rank[k] + 1);
        for &v in row {
            if v > 0.0 {
                ent -= v * v.ln();
            }
        }
    }
    let entropy = (g > 1).then(|| 1.0 - ent / (n as f64 * (g as f64).ln()));
    MixtureFit {
        classes: g,
        loglik: Some(best.loglik),
        npar,
        bic: Some(-2.0 * best.loglik + npar as f64 * (n as f64).ln()),
        entropy,
        proportions: order.iter().map(|&k| best.pi[k]).collect(),
        sizes,
        means: order.iter().map(|&k| best.mu[k].clone()).collect(),
        variances: order
            .iter()
            .map(|&k| (0..data.d).map(|j| best.sigma[k][(j, j)]).collect())
            .collect(),
        converged: best.converged,
        iterations: best.iterations,
        starts_ok,
        classification,
    }
}

/// Gaussian mixtures of the rows of `x` (`n x d`) with 1..`max_classes` classes for each
/// family in `opts.models`, `opts.starts` random starts each (see the module docs).
///
/// # Errors
/// [`Error::TooFewRows`] with fewer than $d + 2$ rows; [`Error::ZeroVariance`]-like
/// [`Error::InvalidOption`] when a variable is constant.
pub fn latent_profiles(
    x: &DMatrix<f64>,
    names: &[String],
    opts: &FrameworkOptions,
) -> Result<LatentProfiles> {
    opts.validate()?;
    let (n, d) = (x.nrows(), x.ncols());
    if n < d + 2 {
        return Err(super::too_few(d + 2, n));
    }
    let mut rows = Vec::with_capacity(n * d);
    for i in 0..n {
        rows.extend(x.row(i).iter().copied());
    }
    let var: Vec<f64> = (0..d)
        .map(|j| {
            let m = x.column(j).iter().sum::<f64>() / n as f64;
            x.column(j).iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64
        })
        .collect();
    if let Some(j) = var.iter().position(|v| v.is_nan() || *v <= 0.0) {
        return Err(Error::option(
            "--study",
            format!(
                "latent profiles: {} has no variance across the leaders",
                names.get(j).cloned().unwrap_or_default()
            ),
        ));
    }
    let data = Rows {
        x: &rows,
        n,
        d,
        var,
    };
    let mut warnings = Vec::new();
    let mut models = Vec::new();
    for &model in &opts.models {
        let max_g = opts.max_classes.min(n / 2).max(1);
        let fits: Vec<MixtureFit> = (1..=max_g)
            .into_par_iter()
            .map(|g| fit_one(&data, g, model, opts.starts, opts.seed))
            .collect();
        for f in &fits {
            if f.loglik.is_none() {
                warnings.push(Warning::new(
                    WarningCode::Singular,
                    format!(
                        "latent profiles {} with {} classes: every start ended with an empty class or a singular covariance",
                        model.name(),
                        f.classes
                    ),
                ));
            } else if !f.converged {
                warnings.push(Warning::new(
                    WarningCode::NotConverged,
                    format!(
                        "latent profiles {} with {} classes: EM stopped after {MAX_ITER} iterations",
                        model.name(),
                        f.classes
                    ),
                ));
            }
        }
        let best = fits
            .iter()
            .filter_map(|f| f.bic.map(|b| (b, f.classes)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, g)| g);
        models.push(ModelFits { model, fits, best });
    }
    let overall = models
        .iter()
        .flat_map(|m| {
            m.fits
                .iter()
                .filter_map(move |f| f.bic.map(|b| (b, m.model, f.classes)))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    Ok(LatentProfiles {
        n,
        variables: names.to_vec(),
        starts: opts.starts,
        models,
        best_model: overall.map(|o| o.1),
        best_classes: overall.map(|o| o.2),
        warnings,
    })
}

/// The adjusted Rand index of two partitions (labels compared as given).
///
/// # Formula
/// With the contingency table $n_{ab}$, row sums $a_i$, column sums $b_j$ and
/// $\binom{\cdot}{2}$ pair counts:
/// $$\mathrm{ARI} = \frac{\sum_{ij}\binom{n_{ij}}{2} - E}{\tfrac12\bigl[\sum_i\binom{a_i}{2} + \sum_j\binom{b_j}{2}\bigr] - E},\qquad E = \frac{\sum_i\binom{a_i}{2}\sum_j\binom{b_j}{2}}{\binom{n}{2}}$$
/// (Hubert & Arabie, 1985); `NaN` when the denominator is zero (both partitions trivial).
///
/// # Peer
/// R mclust 6.0.0 `adjustedRandIndex(a, b)`.
///
/// ```
/// use trustscale::framework::adjusted_rand_index;
/// // mclust::adjustedRandIndex(c(1,1,1,2,2,2), c(1,1,2,2,3,3)) = 0.2424242
/// let ari = adjusted_rand_index(&[1, 1, 1, 2, 2, 2], &[1, 1, 2, 2, 3, 3]);
/// assert!((ari - 8.0 / 33.0).abs() < 1e-12);
/// ```
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len().min(b.len());
    let la: Vec<usize> = {
        let mut v = a[..n].to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let lb: Vec<usize> = {
        let mut v = b[..n].to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut table = vec![vec![0usize; lb.len()]; la.len()];
    for i in 0..n {
        let (Ok(r), Ok(c)) = (la.binary_search(&a[i]), lb.binary_search(&b[i])) else {
            continue;
        };
        table[r][c] += 1;
    }
    let pairs = |m: usize| (m * m.saturating_sub(1)) as f64 / 2.0;
    let sum_ij: f64 = table.iter().flatten().map(|&v| pairs(v)).sum();
    let sum_a: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let sum_b: f64 = (0..lb.len())
        .map(|c| pairs(table.iter().map(|r| r[c]).sum()))
        .sum();
    let expected = sum_a * sum_b / pairs(n);
    (sum_ij - expected) / (0.5 * (sum_a + sum_b) - expected)
}
