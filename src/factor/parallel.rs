//! Horn's parallel analysis: how many factors and components stand out from noise, as
//! `psych::fa.parallel`.
//!
//! # Formula
//! With $R$ the observed $p \times p$ correlation matrix of $n$ respondents:
//! - component eigenvalues $\lambda^{pc}\_k$: the eigenvalues of $R$, decreasing;
//! - factor eigenvalues $\lambda^{fa}\_k$: the eigenvalues of $R_{h}$, which is $R$ with the
//!   communalities $h^2_i$ of a **one-factor** minres solution on its diagonal (psych's
//!   `fa(R, nfactors = 1)$values`; not the SMC-reduced matrix).
//!
//! Each iteration $b = 1, \dots, B$ draws an $n \times p$ matrix of independent standard normal
//! deviates, forms its Pearson correlation matrix $R^{(b)}$ and takes the same two sets of
//! eigenvalues. For each position $k$ the reference value is the type-7 sample quantile
//! (`quantile`, 0.95 by default) of $\lambda_k^{(1)}, \dots, \lambda_k^{(B)}$; the means are
//! reported too. The suggested number of factors (components) is the number of leading
//! observed eigenvalues that exceed their reference values:
//! $$\hat m = \min\\{k : \lambda_k \le q_k\\} - 1,$$
//! i.e. counting stops at the first observed eigenvalue that is not above its reference.
//!
//! # Reference
//! Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
//! *Psychometrika*, 30(2), 179–185.
//!
//! Glorfeld, L. W. (1995). An improvement on Horn's parallel analysis methodology for selecting
//! the correct number of factors to retain. *Educational and Psychological Measurement*, 55(3),
//! 377–393. (the 95th-percentile reference)
//!
//! # Peer
//! psych 2.2.9 `fa.parallel(x, fm = "minres", fa = "both", n.iter = 20, quant = .95,
//! sim = TRUE)` (its defaults): `pc.values`, `fa.values`, `pc.sim`/`fa.sim` (the means) and the
//! counts `ncomp`, `nfact`. With `sim = TRUE` and raw data psych computes *two* references in
//! every iteration, one from normal data (`pc.sim`, `fa.sim`) and one from column-wise
//! resamples of the observed data (`pc.simr`, `fa.simr`), but with `fa = "both"` its final
//! counts compare with the 95th percentiles of the **normal-data** eigenvalues (the resampled
//! ones only reach the plot). The contract's `simulated_*` keys therefore hold the normal-data
//! reference by default. With [`ParallelOptions::resample`] they hold the resampled reference
//! instead (psych's `sim = FALSE`, where its counts use the resamples).
//!
//! psych's simulated data sets are always correlated with `cor()` (Pearson), whatever its `cor`
//! argument; only the observed data and the resamples go through `cor = "poly"` etc. This
//! module does the same: the caller's `cor` is applied to the observed data and to resamples,
//! and the normal-data reference is the Pearson correlation of normal data (drawn directly,
//! see Algorithm). psych reports the *means* as `pc.sim`/`fa.sim` but counts against the
//! `quant` quantiles (R's `quantile`, type 7); we report both.
//!
//! # Algorithm
//! Iteration $b$ draws from its own ChaCha8 stream (`seed`, stream $b$). The correlation matrix
//! of $n \times p$ standard normal data is drawn *without the data*: the centred cross-product
//! matrix of such data is Wishart $W_p(n-1, I)$, which Bartlett's decomposition draws from
//! $p(p-1)/2$ normal and $p$ chi-square deviates (see `wishart_correlation`). The simulated
//! correlation matrices therefore have exactly the distribution of psych's
//! `cor(matrix(rnorm(n * p), n))`, at a cost that does not grow with $n$. (When $n \le p$ the Wishart matrix is singular and the
//! data are drawn: Box–Muller deviates into a column-major matrix, two-pass centring, one
//! $X^\top X$ product.) Iterations run in parallel with rayon into an indexed vector; means and
//! quantiles are reduced sequentially in iteration order, so results do not depend on the
//! thread count.

use crate::data::ItemData;
use crate::error::{Error, Warning, WarningCode};
use crate::factor::minres::{minres, MinresOptions};
use crate::numeric::eigen::{as_correlation, eigen_desc};
use crate::numeric::quantile::quantile_type7;
use crate::numeric::rng::{stream, uniform_open, Normal};
use nalgebra::DMatrix;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// Stream offset for the resampling plan, so normal-data and resampled runs with one seed never
/// share random numbers (`(1 << 32) | b`, the house plan's cell 1).
const RESAMPLE_CELL: u64 = 1 << 32;

/// How often a resample whose correlation fails (a constant column, a missing entry) is redrawn
/// before giving up (psych redraws without limit).
const MAX_REDRAWS: usize = 100;

/// Options for [`parallel`]. `Default` gives psych 2.2.9's `fa.parallel` defaults
/// (`n.iter = 20`, `quant = .95`, `sim = TRUE`) with seed 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelOptions {
    /// Number of simulated (or resampled) data sets (psych `n.iter`, default 20).
    pub iterations: usize,
    /// Seed of the random plan: iteration $b$ uses ChaCha8 stream $b$ of this seed.
    pub seed: u64,
    /// Quantile of the simulated eigenvalues used as the reference (psych `quant`, default 0.95;
    /// type 7, R's default `quantile`).
    pub quantile: f64,
    /// `false` (psych's default `sim = TRUE`): the reference comes from $n \times p$ standard
    /// normal data, correlated by Pearson. `true` (psych's `sim = FALSE`): from resamples of the
    /// observed data, each column drawn with replacement independently of the others, correlated
    /// by the caller's `cor` (e.g. polychoric, as psych's `cor = "poly"`).
    pub resample: bool,
}

impl Default for ParallelOptions {
    fn default() -> Self {
        ParallelOptions {
            iterations: 20,
            seed: 1,
            quantile: 0.95,
            resample: false,
        }
    }
}

impl ParallelOptions {
    /// Checks the options; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self) -> Result<(), Error> {
        if self.iterations == 0 {
            return Err(Error::option(
                "--iterations",
                "expected at least 1 iteration, found 0",
            ));
        }
        crate::error::limits::count(
            "--iterations",
            self.iterations,
            crate::error::limits::RESAMPLES,
        )?;
        if !(self.quantile.is_finite() && (0.0..=1.0).contains(&self.quantile)) {
            return Err(Error::option(
                "--quantile",
                format!("expected a quantile in [0, 1], found {}", self.quantile),
            ));
        }
        Ok(())
    }
}

/// Where the reference eigenvalues come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// $n \times p$ independent standard normal data, Pearson correlations (psych `sim = TRUE`).
    Normal,
    /// Column-wise resamples of the observed data, the caller's correlation (psych `sim = FALSE`).
    Resampled,
}

/// Result of [`parallel`]. Field names are the contract's JSON keys (`trustscale parallel`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ParallelResult {
    /// Eigenvalues of the observed correlation matrix, decreasing (psych `pc.values`).
    pub observed_pc: Vec<f64>,
    /// Eigenvalues of the observed correlation matrix with one-factor minres communalities on
    /// the diagonal, decreasing (psych `fa.values`).
    pub observed_fa: Vec<f64>,
    /// Per position, the `quantile` quantile (0.95 by default, hence the name) of the simulated
    /// component eigenvalues.
    pub simulated_pc_p95: Vec<f64>,
    /// Per position, the `quantile` quantile of the simulated factor eigenvalues.
    pub simulated_fa_p95: Vec<f64>,
    /// Per position, the mean of the simulated component eigenvalues (psych `pc.sim`, or
    /// `pc.simr` when resampling).
    pub simulated_pc_mean: Vec<f64>,
    /// Per position, the mean of the simulated factor eigenvalues (psych `fa.sim`, or `fa.simr`).
    pub simulated_fa_mean: Vec<f64>,
    /// Number of leading `observed_fa` above `simulated_fa_p95` (psych `nfact`).
    pub suggested_factors: usize,
    /// Number of leading `observed_pc` above `simulated_pc_p95` (psych `ncomp`).
    pub suggested_components: usize,
    /// Rows of the data, and rows of every simulated data set (psych's `nsub = nrow(x)`).
    pub n: usize,
    /// Number of simulated data sets.
    pub iterations: usize,
    /// The quantile used for the `*_p95` keys.
    pub quantile: f64,
    /// Where the simulated eigenvalues come from.
    pub reference: Reference,
    /// The seed of the random plan.
    pub seed: u64,
    /// Heywood cases or non-convergence of the one-factor solutions, no crossing found, etc.
    pub warnings: Vec<Warning>,
}

/// Eigenvalues of one simulated data set.
struct Replicate {
    pc: Vec<f64>,
    fa: Vec<f64>,
    converged: bool,
    redraws: usize,
}

/// Eigenvalues of one correlation matrix.
struct Eigenvalues {
    /// psych's `fa.values` (see [`one_factor_values`]).
    fa: Vec<f64>,
    /// Eigenvalues of the correlation matrix, decreasing.
    pc: Vec<f64>,
    /// Warnings of the one-factor minres solution.
    warnings: Vec<Warning>,
    /// Whether the one-factor solution converged.
    converged: bool,
}

/// psych's `fa.values`: the eigenvalues, decreasing, of the correlation matrix `r` with the
/// communalities of a one-factor minres solution on its diagonal, i.e.
/// $\mathrm{eig}\bigl(R - \mathrm{diag}(R) + \mathrm{diag}(h^2)\bigr)$ with
/// $h^2_i = \hat\lambda_{i1}^2$ (psych 2.2.9 `fa(r, nfactors = 1, fm = "minres")$values`);
/// also the eigenvalues of `r` itself.
fn one_factor_values(r: &DMatrix<f64>) -> Result<Eigenvalues, Error> {
    let e = minres(r, 1, &MinresOptions::default())?;
    let mut reduced = as_correlation(r, "correlation matrix")?;
    for i in 0..reduced.nrows() {
        reduced[(i, i)] = e.communalities[i];
    }
    let (vals, _) = eigen_desc(&reduced)?;
    Ok(Eigenvalues {
        fa: vals.iter().copied().collect(),
        pc: e.eigenvalues.iter().copied().collect(),
        warnings: e.warnings,
        converged: e.converged,
    })
}

/// Horn's parallel analysis (psych's `fa.parallel`): observed component and one-factor
/// eigenvalues against the quantiles of the same eigenvalues of simulated data.
///
/// `cor` turns item data into a $p \times p$ correlation matrix (Pearson, polychoric, ...); it
/// is applied to `data` and, with `opts.resample`, to every resample. Normal simulated data are
/// always correlated by Pearson, as psych does.
///
/// # Formula
/// See the module documentation: $\hat m = \min\\{k : \lambda_k \le q_k\\} - 1$, with $q_k$ the
/// type-7 `quantile` of the $k$-th simulated eigenvalue over `iterations` data sets of $n$ rows.
///
/// # Reference
/// Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
/// *Psychometrika*, 30(2), 179–185.
///
/// # Peer
/// psych 2.2.9 `fa.parallel(x, fm = "minres", fa = "both")`: `pc.values`, `fa.values`,
/// `nfact`, `ncomp`; `simulated_*_mean` are `pc.sim` and `fa.sim`. The counts compare with the
/// 95th percentiles of the normal-data eigenvalues (psych's `sim.pc.ci`, `sim.fa.ci`), the
/// observed values strictly above (`!(valuesx > sim.ci)`). Simulated fa values come from
/// `fa(sim.cor, nfactors = 1, fm = "minres")`, whose minres start is $1 - \mathrm{SMC}$ whatever
/// its `SMC` argument, as here. The simulated data have as many rows as `data`, including rows
/// with missing cells (psych's `nsub = nrow(x)`).
///
/// # Deviations
/// - Random numbers differ from R's, so simulated values and, near a boundary, the counts can
///   differ from psych's for the same seed. The counts of reference case 08 are stable (psych
///   gives the same counts for 60 of 60 seeds; so do we).
/// - psych generates `n * p` normal deviates per iteration and correlates them; we draw the
///   correlation matrix from its exact distribution (Bartlett's decomposition of the Wishart
///   cross-product matrix, module docs): 100 iterations at $n = 10^4$, $p = 24$ take 0.03 s
///   instead of 0.24 s on 2 cores, and the cost no longer grows with $n$. Same distribution, different random numbers: over 1,000 iterations
///   at $n = 2436$, $p = 25$ the means and 95th percentiles agree with psych's to Monte Carlo
///   error (test `wishart_and_data_draws_have_the_same_distribution` checks the two draws
///   against each other).
/// - psych always computes both references (normal and resampled) and plots both; we compute
///   the one that decides the counts (half the work), the other on request
///   ([`ParallelOptions::resample`]).
/// - When every observed eigenvalue exceeds its reference psych returns `NA`; we return $p$
///   and add a [`WarningCode::Note`].
/// - psych silences the warnings of its one-factor solutions (`warnings = FALSE`); we report
///   the observed solution's Heywood and convergence warnings, and count the simulated
///   solutions that did not converge.
/// - A covariance matrix from `cor` is rescaled to a correlation matrix before the eigenvalues
///   are taken (psych's `cor = "cov"` would use covariance eigenvalues).
pub fn parallel(
    data: &ItemData,
    cor: &(dyn Fn(&ItemData) -> Result<DMatrix<f64>, Error> + Sync),
    opts: &ParallelOptions,
) -> Result<ParallelResult, Error> {
    opts.validate()?;
    let n = data.n();
    let p = data.k();
    if p < 2 {
        return Err(Error::option(
            "--items",
            format!("parallel analysis needs at least 2 items, found {p}"),
        ));
    }
    if n < 3 {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 3,
            got: n,
        });
    }
    let r_obs = checked_cor(cor, data, p)?;
    let r_obs = as_correlation(&r_obs, "correlation matrix")?;
    let observed = one_factor_values(&r_obs)?;
    let mut warnings: Vec<Warning> = observed
        .warnings
        .into_iter()
        .map(|w| {
            Warning::new(
                w.code,
                format!("observed one-factor solution: {}", w.message),
            )
        })
        .collect();

    let reps: Vec<Result<Replicate, Error>> = (0..opts.iterations)
        .into_par_iter()
        .map(|b| {
            if opts.resample {
                resampled_replicate(data, cor, opts.seed, b as u64)
            } else {
                normal_replicate(n, p, opts.seed, b as u64)
            }
        })
        .collect();
    let mut pc_sims: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.iterations); p];
    let mut fa_sims: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.iterations); p];
    let mut not_converged = 0usize;
    let mut redraws = 0usize;
    for rep in reps {
        let rep = rep?;
        for k in 0..p {
            pc_sims[k].push(rep.pc[k]);
            fa_sims[k].push(rep.fa[k]);
        }
        not_converged += usize::from(!rep.converged);
        redraws += rep.redraws;
    }
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let simulated_pc_mean: Vec<f64> = pc_sims.iter().map(mean).collect();
    let simulated_fa_mean: Vec<f64> = fa_sims.iter().map(mean).collect();
    let simulated_pc_p95: Vec<f64> = pc_sims
        .iter_mut()
        .map(|v| quantile_type7(v, opts.quantile))
        .collect();
    let simulated_fa_p95: Vec<f64> = fa_sims
        .iter_mut()
        .map(|v| quantile_type7(v, opts.quantile))
        .collect();

    let suggested_components = count_above(&observed.pc, &simulated_pc_p95);
    let suggested_factors = count_above(&observed.fa, &simulated_fa_p95);
    for (what, count) in [
        ("component", suggested_components),
        ("factor", suggested_factors),
    ] {
        if count == p {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "every observed {what} eigenvalue exceeds its simulated reference; \
                     reporting all {p} (psych reports NA)"
                ),
            ));
        }
    }
    if not_converged > 0 {
        warnings.push(Warning::new(
            WarningCode::NotConverged,
            format!(
                "{not_converged} of {} simulated one-factor solutions did not converge",
                opts.iterations
            ),
        ));
    }
    if redraws > 0 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{redraws} resamples had no usable correlation matrix (a constant column?) \
                 and were drawn again"
            ),
        ));
    }
    Ok(ParallelResult {
        observed_pc: observed.pc,
        observed_fa: observed.fa,
        simulated_pc_p95,
        simulated_fa_p95,
        simulated_pc_mean,
        simulated_fa_mean,
        suggested_factors,
        suggested_components,
        n,
        iterations: opts.iterations,
        quantile: opts.quantile,
        reference: if opts.resample {
            Reference::Resampled
        } else {
            Reference::Normal
        },
        seed: opts.seed,
        warnings,
    })
}

/// Applies `cor` and checks the shape and entries of what it returns.
fn checked_cor(
    cor: &(dyn Fn(&ItemData) -> Result<DMatrix<f64>, Error> + Sync),
    data: &ItemData,
    p: usize,
) -> Result<DMatrix<f64>, Error> {
    let r = cor(data)?;
    if r.nrows() != p || r.ncols() != p {
        return Err(Error::option(
            "--cor",
            format!(
                "the correlation function returned a {} x {} matrix for {p} items",
                r.nrows(),
                r.ncols()
            ),
        ));
    }
    Ok(r)
}

/// The number of leading `observed` values strictly above `reference` (psych:
/// `which(!(observed > reference))[1] - 1`); `observed.len()` when all are above.
fn count_above(observed: &[f64], reference: &[f64]) -> usize {
    observed
        .iter()
        .zip(reference)
        .position(|(o, q)| o.partial_cmp(q) != Some(std::cmp::Ordering::Greater))
        .unwrap_or(observed.len())
}

/// Pearson correlation matrix of `n` x `p` independent standard normal deviates from `rng`,
/// drawn as data: the deviates fill a column-major matrix column by column, which is centred
/// in two passes, and the cross-products come from one $X^\top X$ product. $O(np^2)$; used
/// when $n \le p$ (where the Wishart draw below does not apply) and as the test oracle for it.
fn normal_data_correlation(n: usize, p: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    let mut g = Normal::new();
    let mut x = DMatrix::<f64>::zeros(n, p);
    for mut col in x.column_iter_mut() {
        for v in col.iter_mut() {
            *v = g.draw(rng);
        }
        let m = col.sum() / n as f64;
        col.add_scalar_mut(-m);
    }
    let c = x.transpose() * &x;
    cross_products_to_correlation(&c)
}

/// $r_{ij} = s_{ij} / \sqrt{s_{ii} s_{jj}}$ from the lower triangle of `s`, exactly symmetric,
/// unit diagonal.
fn cross_products_to_correlation(s: &DMatrix<f64>) -> DMatrix<f64> {
    let p = s.nrows();
    DMatrix::from_fn(p, p, |i, j| {
        if i == j {
            1.0
        } else {
            let (a, b) = if i > j { (i, j) } else { (j, i) };
            s[(a, b)] / (s[(a, a)] * s[(b, b)]).sqrt()
        }
    })
}

/// Gamma(`shape`, 1) deviate by Marsaglia & Tsang's squeeze method, with
/// $G_a = G_{a+1} U^{1/a}$ for $a < 1$.
///
/// # Reference
/// Marsaglia, G., & Tsang, W. W. (2000). A simple method for generating gamma variables.
/// *ACM Transactions on Mathematical Software*, 26(3), 363–372.
fn gamma_deviate(shape: f64, rng: &mut ChaCha8Rng, g: &mut Normal) -> f64 {
    if shape < 1.0 {
        let u = uniform_open(rng);
        return gamma_deviate(shape + 1.0, rng, g) * libm::pow(u, 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let x = g.draw(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform_open(rng);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

/// Pearson correlation matrix of `n` x `p` independent standard normal data, drawn without the
/// data from the distribution of its centred cross-product matrix (Bartlett decomposition).
/// Requires $n > p$.
///
/// # Formula
/// The centred cross-product matrix of $n$ independent $N_p(0, I)$ rows is Wishart,
/// $S \sim W_p(n - 1, I)$, and $S = TT^\top$ with $T$ lower triangular and independent
/// $T_{ii}^2 \sim \chi^2_{n-i}$ ($i = 1, \dots, p$), $T_{ij} \sim N(0, 1)$ ($i > j$).
/// Then $r_{ij} = s_{ij} / \sqrt{s_{ii} s_{jj}}$ has exactly the distribution of the
/// correlation matrix of simulated data, at $O(p^3)$ cost instead of $O(np^2)$ plus $np$
/// normal deviates.
///
/// # Reference
/// Bartlett, M. S. (1933). On the theory of statistical regression. *Proceedings of the Royal
/// Society of Edinburgh*, 53, 260–283. See also Anderson, T. W. (2003). *An introduction to
/// multivariate statistical analysis* (3rd ed.), Wiley, sec. 7.2.
fn wishart_correlation(n: usize, p: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    let mut g = Normal::new();
    let mut t = DMatrix::<f64>::zeros(p, p);
    for i in 0..p {
        for j in 0..i {
            t[(i, j)] = g.draw(rng);
        }
        // chi-square with n - 1 - i degrees of freedom (0-based i) = 2 Gamma((n - 1 - i) / 2)
        let df = (n - 1 - i) as f64;
        t[(i, i)] = libm::sqrt(2.0 * gamma_deviate(0.5 * df, rng, &mut g));
    }
    let s = &t * t.transpose();
    cross_products_to_correlation(&s)
}

/// One normal-data iteration: stream `b` of `seed`.
fn normal_replicate(n: usize, p: usize, seed: u64, b: u64) -> Result<Replicate, Error> {
    let mut rng = stream(seed, b);
    let r = if n > p {
        wishart_correlation(n, p, &mut rng)
    } else {
        normal_data_correlation(n, p, &mut rng)
    };
    let e = one_factor_values(&r)?;
    Ok(Replicate {
        pc: e.pc,
        fa: e.fa,
        converged: e.converged,
        redraws: 0,
    })
}

/// One resampling iteration: every column of `data` drawn with replacement, independently of
/// the other columns (psych: `apply(x, 2, function(y) sample(y, nsub, replace = TRUE))`),
/// missing cells included; redrawn while `cor` fails or gives non-finite entries.
fn resampled_replicate(
    data: &ItemData,
    cor: &(dyn Fn(&ItemData) -> Result<DMatrix<f64>, Error> + Sync),
    seed: u64,
    b: u64,
) -> Result<Replicate, Error> {
    let n = data.n();
    let p = data.k();
    let mut rng = stream(seed, RESAMPLE_CELL | b);
    let mut sample = data.clone();
    let mut attempt = 0;
    loop {
        for j in 0..p {
            for t in 0..n {
                let src = rng.gen_range(0..n as u64) as usize;
                sample.values[t * p + j] = data.values[src * p + j];
            }
        }
        let outcome = checked_cor(cor, &sample, p).and_then(|r| {
            if r.iter().all(|v| v.is_finite()) {
                Ok(r)
            } else {
                Err(Error::option(
                    "--cor",
                    "a resample's correlation matrix has missing entries",
                ))
            }
        });
        match outcome {
            Ok(r) => {
                let e = one_factor_values(&r)?;
                return Ok(Replicate {
                    pc: e.pc,
                    fa: e.fa,
                    converged: e.converged,
                    redraws: attempt,
                });
            }
            Err(e) if attempt + 1 >= MAX_REDRAWS => return Err(e),
            Err(_) => attempt += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn count_above_stops_at_first_non_exceeding_value() {
        assert_eq!(count_above(&[3.0, 2.0, 1.0], &[1.0, 2.0, 0.0]), 1);
        assert_eq!(count_above(&[3.0, 2.0, 1.0], &[4.0, 1.0, 0.0]), 0);
        assert_eq!(count_above(&[3.0, 2.0, 1.0], &[1.0, 1.0, 0.5]), 3);
        assert_eq!(count_above(&[3.0, f64::NAN, 1.0], &[1.0, 1.0, 0.5]), 1);
    }

    #[test]
    fn normal_data_correlation_is_a_correlation_matrix() {
        let mut rng = stream(5, 0);
        let r = normal_data_correlation(2000, 6, &mut rng);
        for i in 0..6 {
            assert_eq!(r[(i, i)], 1.0);
            for j in 0..6 {
                assert_eq!(r[(i, j)], r[(j, i)]);
                if i != j {
                    // sd of r under independence: 1/sqrt(n) = .022
                    assert!(r[(i, j)].abs() < 0.1, "{i},{j}: {}", r[(i, j)]);
                }
            }
        }
    }

    #[test]
    fn fa_values_of_one_factor_population_put_communalities_on_diagonal() {
        let l = [0.8, 0.7, 0.6, 0.5];
        let r = DMatrix::from_fn(4, 4, |i, j| if i == j { 1.0 } else { l[i] * l[j] });
        let e = one_factor_values(&r).unwrap();
        assert!(e.converged && e.warnings.is_empty());
        let (fa, pc) = (e.fa, e.pc);
        // R_h = l l' exactly: one eigenvalue sum(l^2), the rest 0
        let ss: f64 = l.iter().map(|x| x * x).sum();
        assert!((fa[0] - ss).abs() < 1e-9, "{}", fa[0]);
        assert!(fa[1..].iter().all(|v| v.abs() < 1e-9));
        assert!((pc.iter().sum::<f64>() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn options_are_validated() {
        let bad = ParallelOptions {
            iterations: 0,
            ..Default::default()
        };
        assert!(matches!(bad.validate(), Err(Error::InvalidOption { .. })));
        let bad = ParallelOptions {
            quantile: 1.5,
            ..Default::default()
        };
        assert!(matches!(bad.validate(), Err(Error::InvalidOption { .. })));
        assert!(ParallelOptions::default().validate().is_ok());
    }

    #[test]
    fn gamma_deviates_have_gamma_moments() {
        let mut rng = stream(3, 0);
        let mut g = Normal::new();
        let draws = 40_000;
        for shape in [0.5, 1.0, 3.5, 5000.0] {
            let xs: Vec<f64> = (0..draws)
                .map(|_| gamma_deviate(shape, &mut rng, &mut g))
                .collect();
            let m = xs.iter().sum::<f64>() / draws as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (draws - 1) as f64;
            // Gamma(a, 1): mean a, variance a; se of the mean sqrt(a / draws)
            let se = (shape / draws as f64).sqrt();
            assert!((m - shape).abs() < 5.0 * se, "shape {shape}: mean {m}");
            assert!(
                (v / shape - 1.0).abs() < 0.06,
                "shape {shape}: variance {v}"
            );
            assert!(xs.iter().all(|&x| x > 0.0));
        }
    }

    /// Means and sds of the sorted eigenvalues of `reps` correlation matrices drawn by `draw`,
    /// and the mean of r_12^2.
    fn eigen_moments(
        reps: u64,
        p: usize,
        draw: impl Fn(&mut ChaCha8Rng) -> DMatrix<f64>,
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let mut sum = vec![0.0; p];
        let mut sum2 = vec![0.0; p];
        let mut r2 = 0.0;
        for b in 0..reps {
            let mut rng = stream(99, b);
            let r = draw(&mut rng);
            let (vals, _) = eigen_desc(&r).unwrap();
            for k in 0..p {
                sum[k] += vals[k];
                sum2[k] += vals[k] * vals[k];
            }
            r2 += r[(1, 0)] * r[(1, 0)];
        }
        let n = reps as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let sd = (0..p)
            .map(|k| ((sum2[k] - n * mean[k] * mean[k]) / (n - 1.0)).sqrt())
            .collect();
        (mean, sd, r2 / n)
    }

    #[test]
    fn wishart_and_data_draws_have_the_same_distribution() {
        let (n, p, reps) = (10, 6, 20_000);
        let (mw, sw, r2w) = eigen_moments(reps, p, |rng| wishart_correlation(n, p, rng));
        let (md, sd, r2d) = eigen_moments(reps, p, |rng| normal_data_correlation(n, p, rng));
        for k in 0..p {
            // independent samples: se of the difference of means sqrt(sw^2 + sd^2) / sqrt(reps)
            let se = ((sw[k] * sw[k] + sd[k] * sd[k]) / reps as f64).sqrt();
            assert!(
                (mw[k] - md[k]).abs() < 4.5 * se,
                "eigenvalue {k}: wishart {} data {} (se {se})",
                mw[k],
                md[k]
            );
            assert!(
                (sw[k] / sd[k] - 1.0).abs() < 0.1,
                "eigenvalue {k}: sd {} vs {}",
                sw[k],
                sd[k]
            );
        }
        // E[r^2] = 1 / (n - 1) for independent normal data
        for r2 in [r2w, r2d] {
            assert!((r2 * (n - 1) as f64 - 1.0).abs() < 0.04, "{r2}");
        }
    }

    #[test]
    fn wishart_correlation_is_a_correlation_matrix_even_at_n_p_plus_1() {
        let mut rng = stream(8, 1);
        for n in [7, 8, 10_000] {
            let r = wishart_correlation(n, 6, &mut rng);
            for i in 0..6 {
                assert_eq!(r[(i, i)], 1.0);
                for j in 0..6 {
                    assert_eq!(r[(i, j)], r[(j, i)]);
                    assert!(r[(i, j)].abs() <= 1.0);
                }
            }
            assert!(r.clone().cholesky().is_some(), "n = {n}");
        }
    }
}
