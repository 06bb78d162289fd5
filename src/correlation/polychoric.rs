//! Polychoric and tetrachoric correlations: two-step maximum likelihood from each pair's
//! contingency table, as R psych::polychoric and psych::tetrachoric.
//!
//! # Formula
//! Item $i$ with categories $1..K$ is a cut-up standard normal $Z_i$: $x_i = c$ when
//! $\tau_{i,c-1} < Z_i \le \tau_{i,c}$, with $\tau_{i,0} = -\infty$, $\tau_{i,K} = \infty$.
//! **Step 1**, thresholds from each item's marginal proportions over its non-missing values:
//! $$\tau_{i,c} = \Phi^{-1}\Bigl(\sum_{m \le c} n_{i,m} / n_i\Bigr),\qquad c = 1..K-1 .$$
//! **Step 2**, for each pair $(i, j)$ with the $n_{ab}$ rows where both are present, and the
//! thresholds fixed,
//! $$\hat\rho_{ij} = \arg\max_{\rho \in (-1, 1)} \sum_{a,b} n_{ab}\\,\log \pi_{ab}(\rho),\qquad
//!   \pi_{ab}(\rho) = \Phi_2(\tau_{i,a}, \tau_{j,b}) - \Phi_2(\tau_{i,a-1}, \tau_{j,b}) -
//!   \Phi_2(\tau_{i,a}, \tau_{j,b-1}) + \Phi_2(\tau_{i,a-1}, \tau_{j,b-1}),$$
//! with $\Phi_2$ the bivariate normal distribution function ([`crate::dist::bvn`]).
//! The matrix is then smoothed ([`crate::correlation::smooth`]) if it is not positive definite.
//!
//! # Reference
//! - Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
//!   coefficient. *Psychometrika*, 44(4), 443–460. (the two-step estimator)
//! - Pearson, K. (1900). Mathematical contributions to the theory of evolution. VII. On the
//!   correlation of characters not quantitatively measurable. *Philosophical Transactions of
//!   the Royal Society A*, 195, 1–47. (tetrachoric)
//! - Brent, R. P. (1973). *Algorithms for minimization without derivatives*. Prentice-Hall,
//!   ch. 5. (the one-dimensional search, as R's `optimize`)
//!
//! # Peer
//! R psych::polychoric and psych::tetrachoric (psych 2.2.9, R 4.2.2), whose internals are
//! `polyc`/`polyF`/`polyBinBvn` and `tetrac`/`tetraF`/`tetraBinBvn`. psych maximises with
//! `optimize(interval = c(-1, 1))` at its default tolerance $\varepsilon^{1/4} \approx
//! 1.22 \times 10^{-4}$, so psych's value sits up to about $2 \times 10^{-5}$ from the exact
//! maximum. To reproduce psych's printed digits this module runs the same Brent search (R's
//! `Brent_fmin`, step for step: [`brent_min`] with [`BrentOptions::r_optimize`]) with the same
//! tolerance; [`PolychoricOptions::tol`] set to,
//! say, $10^{-10}$ gives the exact two-step ML estimate instead (which polycor's
//! `polychor(ML = FALSE)` also approximates).
//!
//! # psych's rules, followed here
//! - **Categories** are the integers from the smallest to the largest response in the *whole*
//!   selection (psych shifts all items by the global minimum). An item that never uses a
//!   category gets a repeated threshold (a middle category) or an infinite one (an end
//!   category); the thresholds are reported that way (JSON `null` for $\pm\infty$).
//! - **global path** (psych's default `global = TRUE`, kept when every item has the same
//!   *highest* category — psych compares only the maxima, so an item that never uses the
//!   lowest category stays here with a first threshold of $-\infty$): every pair uses the
//!   items' global thresholds and the full $K \times K$ table; empty cells contribute
//!   nothing and **no continuity correction** is applied (`correct` has no effect); cells
//!   whose model probability is 0 (an unused category) are left out of the likelihood.
//! - **pairwise path** (`global = false`, which psych switches to — for *all* pairs — when the
//!   items do not share the same highest category, with a warning): each pair's table drops
//!   the rows and columns that are empty *in that pair*, then, if any cell is still empty and
//!   `correct > 0`, every empty cell gets `correct / n_pair` (i.e. `correct` counts, table
//!   not renormalised), and the pair's thresholds are re-estimated from the (corrected)
//!   margins of its own table: $\Phi^{-1}$ of the cumulative row and column sums. A pair
//!   left with fewer than two rows or columns gets no correlation. The reported thresholds
//!   are still the global (per-item) ones.
//! - **tetrachoric**: thresholds $-\Phi^{-1}(\bar x_i)$ with each item shifted by its *own*
//!   minimum; a pair needs more than 2 shared rows; if a 2 × 2 table has an empty cell,
//!   every empty cell is set to `correct` (0.5) counts; the global thresholds are kept
//!   (`global = true`) or re-estimated from the corrected table (`global = false`). For
//!   binary items coded alike, [`polychoric`] and [`tetrachoric`] differ only in that
//!   correction (psych::polychoric has no special case for two categories).
//!
//! # Deviations
//! - psych drops zero-variance items with a message; here they are an
//!   [`Error::ZeroVariance`] (the contract's bad-input rule).
//! - psych truncates non-integer responses; here they are an [`Error::Parse`] naming the cell.
//! - In the pairwise path psych crashes when the corrected margins of a tiny table exceed 1
//!   (its `qnorm` gives NaN); here that pair gets no correlation and a warning.
//!
//! # Algorithm
//! Items are checked and coded to bytes in parallel passes over row blocks; all pairs'
//! tables are then counted in one more pass (each row adds one count to every pair's table;
//! row blocks run in parallel and their integer counts are summed, so neither blocks nor
//! threads can change them); the per-pair searches run in parallel into an indexed vector, so
//! the result does not depend on the thread count. Each likelihood evaluation needs the
//! $(K-1)^2$ interior corner values of $\Phi_2$ at one $\rho$; the quadrature nodes (which
//! depend on $\rho$ only) and $\Phi(\tau)$ (which depend on the thresholds only) are computed
//! once, so a corner costs 6–20 exponentials.

use crate::correlation::smooth::cor_smooth;
use crate::data::ItemData;
use crate::dist::bvn::BvnAtRho;
use crate::dist::{normal_cdf, normal_quantile};
use crate::error::{Error, Result, Warning, WarningCode};
use crate::numeric::optim::{brent_min, BrentOptions};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

pub use crate::numeric::optim::R_OPTIMIZE_TOL;

/// Options of [`polychoric`]. `Default` is psych::polychoric's (psych 2.2.9).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PolychoricOptions {
    /// Continuity correction for empty cells, in counts (psych `correct = 0.5`). Acts only on
    /// the pairwise path (see the module doc); 0 turns it off.
    pub correct: f64,
    /// Smooth the matrix with [`cor_smooth`] when it is not positive definite (psych
    /// `smooth = TRUE`).
    pub smooth: bool,
    /// Use the items' global thresholds for every pair (psych `global = TRUE`). Forced to
    /// `false`, with a warning, when the items do not share the same highest category.
    pub global: bool,
    /// The most response categories accepted (psych `max.cat = 8`).
    pub max_cat: usize,
    /// Tolerance of the Brent search for each $\rho$ (R's `optimize` default,
    /// [`R_OPTIMIZE_TOL`], to match psych's digits; smaller for the exact ML estimate).
    pub tol: f64,
}

impl Default for PolychoricOptions {
    fn default() -> Self {
        PolychoricOptions {
            correct: 0.5,
            smooth: true,
            global: true,
            max_cat: 8,
            tol: R_OPTIMIZE_TOL,
        }
    }
}

impl PolychoricOptions {
    /// Checks the options before any numerics run.
    pub fn validate(&self) -> Result<()> {
        check_correct_tol(self.correct, self.tol)?;
        if !(2..=254).contains(&self.max_cat) {
            return Err(Error::option(
                "max-cat",
                format!("expected 2 to 254 categories, found {}", self.max_cat),
            ));
        }
        Ok(())
    }
}

/// Options of [`tetrachoric`]. `Default` is psych::tetrachoric's (psych 2.2.9).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TetrachoricOptions {
    /// Value (in counts) given to every empty cell of a 2 × 2 table that has one (psych
    /// `correct = 0.5`); 0 turns it off.
    pub correct: f64,
    /// Smooth the matrix when it is not positive definite (psych `smooth = TRUE`).
    pub smooth: bool,
    /// Keep each item's own threshold for every pair (psych `global = TRUE`); otherwise
    /// re-estimate both from each pair's (corrected) table.
    pub global: bool,
    /// Tolerance of the Brent search (R's `optimize` default).
    pub tol: f64,
}

impl Default for TetrachoricOptions {
    fn default() -> Self {
        TetrachoricOptions {
            correct: 0.5,
            smooth: true,
            global: true,
            tol: R_OPTIMIZE_TOL,
        }
    }
}

impl TetrachoricOptions {
    /// Checks the options before any numerics run.
    pub fn validate(&self) -> Result<()> {
        check_correct_tol(self.correct, self.tol)
    }
}

fn check_correct_tol(correct: f64, tol: f64) -> Result<()> {
    if !(correct.is_finite() && correct >= 0.0) {
        return Err(Error::option(
            "correct",
            format!("expected a non-negative number, found {correct}"),
        ));
    }
    if !(tol.is_finite() && tol > 0.0) {
        return Err(Error::option(
            "tol",
            format!("expected a positive number, found {tol}"),
        ));
    }
    Ok(())
}

/// A polychoric (or tetrachoric) correlation matrix with its thresholds.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PolychoricResult {
    /// Item names, in the order of `rho`'s rows.
    pub items: Vec<String>,
    /// The correlation matrix (smoothed if `smoothed`); `NaN` (JSON `null`) for a pair whose
    /// correlation could not be estimated.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub rho: DMatrix<f64>,
    /// Per item, its $K-1$ thresholds (psych's `tau` rows; one for tetrachoric). An unused end
    /// category gives $\pm\infty$ (JSON `null`).
    pub thresholds: Vec<Vec<f64>>,
    /// Number of data rows (psych's `n.obs`).
    pub n: usize,
    /// Rows behind each correlation (both items present); the diagonal holds each item's count.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub pair_n: DMatrix<f64>,
    /// Whether the matrix was smoothed to make it positive definite.
    pub smoothed: bool,
    /// Whether the global-threshold path was used (see the module doc).
    pub global: bool,
    /// Number of pairs whose table had empty cells replaced by `correct`.
    pub corrected_pairs: usize,
    /// Warnings (pairwise deletion, path switches, corrections, smoothing, missing pairs).
    pub warnings: Vec<Warning>,
}

/// Polychoric correlations of ordered-category items, as R psych::polychoric.
///
/// # Formula
/// Thresholds $\tau_{i,c} = \Phi^{-1}(\sum_{m\le c} n_{i,m}/n_i)$ from each item's own
/// responses; then for each pair, with thresholds fixed,
/// $$\hat\rho_{ij} = \arg\min_{\rho\in(-1,1)} -\sum_{a,b} p_{ab}\log\pi_{ab}(\rho),$$
/// $p_{ab}$ the pair's cell proportions and $\pi_{ab}$ bivariate-normal rectangle
/// probabilities (module doc). Smoothed by [`cor_smooth`] if not positive definite.
///
/// # Reference
/// Olsson (1979), *Psychometrika*, 44, 443–460; Brent (1973), ch. 5.
///
/// # Peer
/// R psych::polychoric (2.2.9) with its defaults; every rule of psych's (global versus
/// pairwise path, continuity correction, unused categories) is listed in the module doc.
/// Tests in `tests/polychoric_reference.rs`, all within 1e-11 of psych: case 07 (bfi), the
/// 15-item eigenvalues of case 06, items that never use a middle, lowest or highest
/// category, pairwise-missing rows, dichotomous items, and a smoothed matrix.
///
/// # Deviations
/// Zero-variance items and non-integer responses are errors (psych drops or truncates them).
///
/// ```
/// use trustscale::correlation::{polychoric, PolychoricOptions};
/// use trustscale::data::ItemData;
/// let rows: Vec<f64> = vec![
///     1., 1., 2., 2., 3., 3., 1., 2., 2., 1., 3., 2., 2., 3., 1., 1., 3., 3., 2., 2.,
/// ];
/// let d = ItemData::new(vec!["a".into(), "b".into()], rows).unwrap();
/// let r = polychoric(&d, &PolychoricOptions::default()).unwrap();
/// assert!(r.rho[(0, 1)] > 0.3 && r.rho[(0, 1)] < 1.0);
/// assert_eq!(r.thresholds[0].len(), 2);
/// ```
pub fn polychoric(data: &ItemData, opts: &PolychoricOptions) -> Result<PolychoricResult> {
    opts.validate()?;
    let coded = Coded::new(data, Shift::Global, opts.max_cat)?;
    let k = coded.k;
    let ncat = coded.ncat;
    let mut warnings = Vec::new();

    // psych: global is switched off when the items' highest categories differ
    let same_top = coded.top.iter().all(|&t| t == coded.top[0]);
    let global = opts.global && same_top;
    if opts.global && !same_top {
        warnings.push(Warning::new(
            WarningCode::Note,
            "the items do not all use the same highest category, so each pair's thresholds \
             are re-estimated from its own table and empty cells get the continuity \
             correction (psych's global = FALSE path)",
        ));
    }

    let thresholds: Vec<Thresholds> = (0..k)
        .map(|j| Thresholds::from_counts(&coded.counts[j]))
        .collect();

    let pairs = pair_list(k);
    let tables = coded.pair_tables(&pairs);
    let fits: Vec<PairFit> = tables
        .par_iter()
        .zip(pairs.par_iter())
        .map(|(t, &(i, j))| {
            let tab = t.interior(ncat);
            if global {
                fit_global(&tab, &thresholds[i], &thresholds[j], opts.tol)
            } else {
                fit_pairwise(&tab, ncat, opts.correct, opts.tol)
            }
        })
        .collect();

    let out_thresholds = thresholds.iter().map(|t| t.tau.clone()).collect();
    finish(
        data,
        &coded,
        &pairs,
        &tables,
        fits,
        out_thresholds,
        global,
        opts.smooth,
        opts.correct,
        warnings,
    )
}

/// Tetrachoric correlations of two-category items, as R psych::tetrachoric.
///
/// # Formula
/// Each item shifted by its own minimum to 0/1; threshold $\tau_i = -\Phi^{-1}(\bar x_i)$;
/// for each pair's 2 × 2 table $n_{ab}$ (empty cells set to `correct` if any is empty),
/// $$\hat\rho_{ij} = \arg\min_{\rho\in(-1,1)} -\sum_{a,b\in\\{0,1\\}} n_{ab}\log\pi_{ab}(\rho),
///   \quad \pi_{00} = \Phi_2(\tau_i, \tau_j; \rho),\ \pi_{01} = \Phi(\tau_i) - \pi_{00},\\
///   \pi_{10} = \Phi(\tau_j) - \pi_{00},\ \pi_{11} = 1 - \Phi(\tau_i) - \Phi(\tau_j) + \pi_{00}.$$
///
/// # Reference
/// Pearson (1900); Brent (1973), ch. 5.
///
/// # Peer
/// R psych::tetrachoric (2.2.9) with its defaults (test `tetrachoric_matches_psych`).
///
/// # Deviations
/// Zero-variance items are an error (psych drops them with a warning).
pub fn tetrachoric(data: &ItemData, opts: &TetrachoricOptions) -> Result<PolychoricResult> {
    opts.validate()?;
    let coded = Coded::new(data, Shift::PerItem, 254)?;
    if let Some(j) = (0..coded.k).find(|&j| coded.top[j] > 1) {
        return Err(Error::option(
            "items",
            format!(
                "tetrachoric correlations need two adjacent response values per item (such as \
                 0/1 or 1/2), but column \"{}\" spans {} values (use polychoric correlations)",
                data.names[j],
                coded.top[j] + 1
            ),
        ));
    }
    let k = coded.k;
    // psych: tau <- -qnorm(colMeans(x))
    let taus: Vec<f64> = (0..k)
        .map(|j| {
            let c = &coded.counts[j];
            let n = (c[0] + c[1]) as f64;
            -normal_quantile(c[1] as f64 / n).unwrap_or(f64::NAN)
        })
        .collect();
    let pairs = pair_list(k);
    let tables = coded.pair_tables(&pairs);
    let fits: Vec<PairFit> = tables
        .par_iter()
        .zip(pairs.par_iter())
        .map(|(t, &(i, j))| {
            let tab = t.interior(2);
            fit_tetra(&tab, taus[i], taus[j], opts)
        })
        .collect();
    let out_thresholds = taus.iter().map(|&t| vec![t]).collect();
    finish(
        data,
        &coded,
        &pairs,
        &tables,
        fits,
        out_thresholds,
        opts.global,
        opts.smooth,
        opts.correct,
        Vec::new(),
    )
}

/// Assembles the matrix, applies smoothing and writes the warnings.
#[allow(clippy::too_many_arguments)]
fn finish(
    data: &ItemData,
    coded: &Coded,
    pairs: &[(usize, usize)],
    tables: &[PairTable],
    fits: Vec<PairFit>,
    thresholds: Vec<Vec<f64>>,
    global: bool,
    smooth: bool,
    correct: f64,
    mut warnings: Vec<Warning>,
) -> Result<PolychoricResult> {
    let k = coded.k;
    let mut rho = DMatrix::identity(k, k);
    let mut pair_n = DMatrix::zeros(k, k);
    for j in 0..k {
        pair_n[(j, j)] = coded.item_n[j] as f64;
    }
    let mut missing_pairs = Vec::new();
    let mut corrected_pairs = 0;
    for ((&(i, j), fit), t) in pairs.iter().zip(&fits).zip(tables) {
        rho[(i, j)] = fit.rho;
        rho[(j, i)] = fit.rho;
        let n = t.n_both(coded.ncat_table()) as f64;
        pair_n[(i, j)] = n;
        pair_n[(j, i)] = n;
        if fit.corrected {
            corrected_pairs += 1;
        }
        if fit.rho.is_nan() {
            missing_pairs.push(format!("{} and {}", data.names[j], data.names[i]));
        }
    }
    if coded.any_missing {
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for &(i, j) in pairs {
            lo = lo.min(pair_n[(i, j)]);
            hi = hi.max(pair_n[(i, j)]);
        }
        warnings.push(Warning::new(
            WarningCode::Pairwise,
            format!(
                "correlations from pairwise-complete rows ({lo} to {hi} of {} rows); \
                 thresholds from each item's own responses",
                coded.n
            ),
        ));
    }
    if corrected_pairs > 0 && correct > 0.0 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{corrected_pairs} item pair(s) had empty cells set to {correct} (continuity \
                 correction); examine the data"
            ),
        ));
    }
    let mut smoothed = false;
    if !missing_pairs.is_empty() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "no correlation could be estimated for {} (too few shared categories or rows); \
                 smoothing turned off",
                missing_pairs.join(", ")
            ),
        ));
    } else if smooth {
        let (s, done) = cor_smooth(&rho)?;
        if done {
            rho = s;
            smoothed = true;
            warnings.push(Warning::new(
                WarningCode::Smoothed,
                "the correlation matrix was not positive definite and was smoothed \
                 (eigenvalues below 1e-12 raised, as psych::cor.smooth)",
            ));
        }
    }
    Ok(PolychoricResult {
        items: data.names.clone(),
        rho,
        thresholds,
        n: coded.n,
        pair_n,
        smoothed,
        global,
        corrected_pairs,
        warnings,
    })
}

/// Pairs in psych's order: (i, j) for i = 1..k-1, j = 0..i-1; the table's rows are item i.
fn pair_list(k: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(k * k.saturating_sub(1) / 2);
    for i in 1..k {
        for j in 0..i {
            v.push((i, j));
        }
    }
    v
}

#[derive(Clone, Copy, PartialEq)]
enum Shift {
    /// All items shifted by the smallest response in the selection (psych::polychoric).
    Global,
    /// Each item shifted by its own smallest response (psych::tetrachoric).
    PerItem,
}

/// Items coded as bytes: 0 = missing, 1..=ncat = category.
struct Coded {
    n: usize,
    k: usize,
    /// Number of categories (psych's `nvalues`).
    ncat: usize,
    /// Row-major codes, `n * k`.
    codes: Vec<u8>,
    /// Per item, counts per category (length `ncat`).
    counts: Vec<Vec<u64>>,
    /// Per item, number of responses.
    item_n: Vec<usize>,
    /// Per item, highest category used (0-based).
    top: Vec<usize>,
    any_missing: bool,
}

/// Rows per parallel chunk: about four chunks per thread, within [1024, 65535] (so a chunk's
/// counts fit in `u16`). Counts are integers, so the chunking does not change any result.
fn chunk_rows(n: usize) -> usize {
    (n / (4 * rayon::current_num_threads().max(1))).clamp(1024, 65535)
}

impl Coded {
    fn new(data: &ItemData, shift: Shift, max_cat: usize) -> Result<Coded> {
        let k = data.k();
        let n = data.n();
        if k < 2 {
            return Err(Error::option(
                "items",
                format!("expected at least 2 items for a correlation matrix, found {k}"),
            ));
        }
        let rows_per = chunk_rows(n);
        // pass 1 over row chunks: whole numbers, ranges, counts
        let scans: Vec<Scan> = data
            .values
            .par_chunks(rows_per * k)
            .enumerate()
            .map(|(c, chunk)| Scan::new(chunk, k, c * rows_per))
            .collect();
        let mut scan = Scan::empty(k);
        for s in &scans {
            scan.merge(s);
        }
        if let Some((r, j, v)) = scan.bad {
            return Err(Error::Parse {
                at: data
                    .location()
                    .with_row(data.rows[r])
                    .with_column(&data.names[j]),
                expected: "a whole-number response (ordered categories)".into(),
                found: format!("{v}"),
            });
        }
        for j in 0..k {
            let at = data.location().with_column(&data.names[j]);
            if scan.count[j] == 0 {
                return Err(Error::TooFewRows {
                    at,
                    needed: 2,
                    got: 0,
                });
            }
            if scan.min[j] == scan.max[j] {
                return Err(Error::ZeroVariance {
                    at,
                    value: scan.min[j],
                });
            }
        }
        let gmin = scan.min.iter().copied().fold(f64::INFINITY, f64::min);
        let gmax = scan.max.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ncat = match shift {
            Shift::Global => gmax - gmin + 1.0,
            Shift::PerItem => (0..k)
                .map(|j| scan.max[j] - scan.min[j] + 1.0)
                .fold(0.0, f64::max),
        };
        if ncat > max_cat as f64 {
            return Err(Error::option(
                "items",
                format!(
                    "expected at most {max_cat} response categories, but the responses run \
                     from {gmin} to {gmax}; polychoric correlations are meant for a few \
                     ordered categories"
                ),
            ));
        }
        let ncat = ncat as usize;
        let base: Vec<f64> = match shift {
            Shift::Global => vec![gmin; k],
            Shift::PerItem => scan.min.clone(),
        };
        // pass 2 over row chunks: codes and category counts
        let mut codes = vec![0u8; n * k];
        let parts: Vec<Vec<u64>> = codes
            .par_chunks_mut(rows_per * k)
            .zip(data.values.par_chunks(rows_per * k))
            .map(|(out, vals)| {
                let mut counts = vec![0u64; k * ncat];
                for (o_row, v_row) in out.chunks_exact_mut(k).zip(vals.chunks_exact(k)) {
                    for (j, (o, &v)) in o_row.iter_mut().zip(v_row).enumerate() {
                        if !v.is_nan() {
                            let c = (v - base[j]) as usize;
                            *o = (c + 1) as u8;
                            if let Some(slot) = counts.get_mut(j * ncat + c) {
                                *slot += 1;
                            }
                        }
                    }
                }
                counts
            })
            .collect();
        let mut flat = vec![0u64; k * ncat];
        for part in &parts {
            for (a, b) in flat.iter_mut().zip(part) {
                *a += b;
            }
        }
        let counts: Vec<Vec<u64>> = flat.chunks(ncat.max(1)).map(<[u64]>::to_vec).collect();
        let top = counts
            .iter()
            .map(|c| c.iter().rposition(|&x| x > 0).unwrap_or(0))
            .collect();
        Ok(Coded {
            n,
            k,
            ncat,
            codes,
            counts,
            any_missing: scan.count.iter().any(|&c| c < n),
            item_n: scan.count,
            top,
        })
    }

    /// Side of the stored tables (categories plus the "missing" code 0).
    fn ncat_table(&self) -> usize {
        self.ncat + 1
    }

    /// All pairs' tables in one pass over the rows: row chunks in parallel, each row adding
    /// one count to every pair's table; the chunks' integer counts are then summed.
    fn pair_tables(&self, pairs: &[(usize, usize)]) -> Vec<PairTable> {
        let m = self.ncat_table();
        let mm = m * m;
        let k = self.k;
        let np = pairs.len();
        let rows_per = chunk_rows(self.n);
        let parts: Vec<Vec<u16>> = self
            .codes
            .par_chunks(rows_per * k)
            .map(|chunk| {
                // u16: at most 65535 rows per chunk; small tables stay in the L1 cache
                let mut t = vec![0u16; np * mm];
                for row in chunk.chunks_exact(k) {
                    // pairs in pair_list order: (i, j), j < i
                    let mut off = 0;
                    for i in 1..k {
                        let a = row[i] as usize * m;
                        for &b in &row[..i] {
                            t[off + a + b as usize] += 1;
                            off += mm;
                        }
                    }
                }
                t
            })
            .collect();
        let mut total = vec![0u64; np * mm];
        for part in &parts {
            for (a, &b) in total.iter_mut().zip(part) {
                *a += u64::from(b);
            }
        }
        total.chunks(mm).map(|t| PairTable(t.to_vec())).collect()
    }
}

/// Per-column minimum, maximum and count over a block of rows, and its first non-integer cell.
struct Scan {
    min: Vec<f64>,
    max: Vec<f64>,
    count: Vec<usize>,
    /// First non-integer value in reading order: (row index, column, value).
    bad: Option<(usize, usize, f64)>,
}

impl Scan {
    fn empty(k: usize) -> Scan {
        Scan {
            min: vec![f64::INFINITY; k],
            max: vec![f64::NEG_INFINITY; k],
            count: vec![0; k],
            bad: None,
        }
    }

    fn new(chunk: &[f64], k: usize, first_row: usize) -> Scan {
        let mut s = Scan::empty(k);
        for (r, row) in chunk.chunks_exact(k).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                if !is_whole(v) {
                    s.bad = Some((first_row + r, j, v));
                    return s;
                }
                s.count[j] += 1;
                s.min[j] = s.min[j].min(v);
                s.max[j] = s.max[j].max(v);
            }
        }
        s
    }

    /// Adds a later block.
    fn merge(&mut self, o: &Scan) {
        if self.bad.is_none() {
            self.bad = o.bad;
        }
        for j in 0..self.min.len() {
            self.min[j] = self.min[j].min(o.min[j]);
            self.max[j] = self.max[j].max(o.max[j]);
            self.count[j] += o.count[j];
        }
    }
}

/// Whether `v` is a finite whole number (without `trunc`, a library call on baseline x86-64).
#[inline]
fn is_whole(v: f64) -> bool {
    if v.abs() < 4.5e15 {
        (v as i64) as f64 == v
    } else {
        v.is_finite()
    }
}

/// One pair's counts including the "missing" code 0: `(ncat+1)^2`, row = item i's code.
struct PairTable(Vec<u64>);

impl PairTable {
    /// The `ncat x ncat` table of rows where both items are present, as f64 counts.
    fn interior(&self, ncat: usize) -> Vec<f64> {
        let m = ncat + 1;
        let mut out = Vec::with_capacity(ncat * ncat);
        for a in 1..m {
            for b in 1..m {
                out.push(self.0.get(a * m + b).copied().unwrap_or(0) as f64);
            }
        }
        out
    }

    fn n_both(&self, m: usize) -> u64 {
        let mut s = 0;
        for a in 1..m {
            for b in 1..m {
                s += self.0.get(a * m + b).copied().unwrap_or(0);
            }
        }
        s
    }
}

/// Cut points of one margin, with $\pm\infty$ at the ends, and $\Phi$ of each.
#[derive(Debug, Clone)]
struct Cuts {
    /// `[-inf, tau_1, ..., tau_{K-1}, inf]`.
    x: Vec<f64>,
    /// `Phi(x)`.
    phi: Vec<f64>,
}

impl Cuts {
    fn new(tau: &[f64]) -> Cuts {
        let mut x = Vec::with_capacity(tau.len() + 2);
        x.push(f64::NEG_INFINITY);
        x.extend_from_slice(tau);
        x.push(f64::INFINITY);
        let phi = x.iter().map(|&t| normal_cdf(t)).collect();
        Cuts { x, phi }
    }

    /// Number of categories.
    fn cats(&self) -> usize {
        self.x.len() - 1
    }
}

/// An item's global thresholds.
struct Thresholds {
    tau: Vec<f64>,
    cuts: Cuts,
}

impl Thresholds {
    /// psych: `qnorm(cumsum(tabulate(x) / n))[1:(nvalues - 1)]`.
    fn from_counts(counts: &[u64]) -> Thresholds {
        let n: u64 = counts.iter().sum();
        let mut cum = 0u64;
        let mut tau = Vec::with_capacity(counts.len().saturating_sub(1));
        for &c in counts.iter().take(counts.len().saturating_sub(1)) {
            cum += c;
            tau.push(normal_quantile(cum as f64 / n as f64).unwrap_or(f64::NAN));
        }
        let cuts = Cuts::new(&tau);
        Thresholds { tau, cuts }
    }
}

struct PairFit {
    rho: f64,
    corrected: bool,
}

impl PairFit {
    fn missing(corrected: bool) -> PairFit {
        PairFit {
            rho: f64::NAN,
            corrected,
        }
    }
}

/// psych `polyc(global = TRUE)`: full table as proportions, global thresholds, no correction.
fn fit_global(tab: &[f64], ti: &Thresholds, tj: &Thresholds, tol: f64) -> PairFit {
    let tot: f64 = tab.iter().sum();
    if tot == 0.0 {
        return PairFit::missing(false);
    }
    let p: Vec<f64> = tab.iter().map(|&c| c / tot).collect();
    let rho = maximise(&p, &ti.cuts, &tj.cuts, Likelihood::Poly, tol);
    PairFit {
        rho,
        corrected: false,
    }
}

/// psych `polyc(global = FALSE)`: drop empty rows/columns, correct empty cells, thresholds from
/// the pair's own (corrected) margins.
fn fit_pairwise(tab: &[f64], ncat: usize, correct: f64, tol: f64) -> PairFit {
    let tot: f64 = tab.iter().sum();
    if tot == 0.0 {
        return PairFit::missing(false);
    }
    let rows: Vec<usize> = (0..ncat)
        .filter(|&a| (0..ncat).any(|b| tab[a * ncat + b] != 0.0))
        .collect();
    let cols: Vec<usize> = (0..ncat)
        .filter(|&b| (0..ncat).any(|a| tab[a * ncat + b] != 0.0))
        .collect();
    let (nr, nc) = (rows.len(), cols.len());
    let mut p = Vec::with_capacity(nr * nc);
    for &a in &rows {
        for &b in &cols {
            p.push(tab[a * ncat + b] / tot);
        }
    }
    let mut corrected = false;
    if correct > 0.0 && p.contains(&0.0) {
        corrected = true;
        for x in &mut p {
            if *x == 0.0 {
                *x = correct / tot;
            }
        }
    }
    if nr < 2 || nc < 2 {
        return PairFit::missing(corrected);
    }
    let rsum: Vec<f64> = (0..nr)
        .map(|a| p[a * nc..(a + 1) * nc].iter().sum())
        .collect();
    let csum: Vec<f64> = (0..nc)
        .map(|b| (0..nr).map(|a| p[a * nc + b]).sum())
        .collect();
    let cum_tau = |s: &[f64]| -> Vec<f64> {
        let mut acc = 0.0;
        s.iter()
            .take(s.len() - 1)
            .map(|&v| {
                acc += v;
                normal_quantile(acc).unwrap_or(f64::NAN)
            })
            .collect()
    };
    let rc = cum_tau(&rsum);
    let cc = cum_tau(&csum);
    if rc.iter().chain(&cc).any(|t| t.is_nan()) {
        return PairFit::missing(corrected);
    }
    let rho = maximise(&p, &Cuts::new(&rc), &Cuts::new(&cc), Likelihood::Poly, tol);
    PairFit { rho, corrected }
}

/// psych `tetrac`: 2 x 2 counts, empty cells corrected, global or pair thresholds.
fn fit_tetra(tab: &[f64], tau_i: f64, tau_j: f64, opts: &TetrachoricOptions) -> PairFit {
    let mut t = tab.to_vec();
    let tot: f64 = t.iter().sum();
    // psych tetra.mat: only pairs with more than 2 shared rows
    if tot <= 2.0 {
        return PairFit::missing(false);
    }
    let mut corrected = false;
    if opts.correct > 0.0 && t.contains(&0.0) {
        corrected = true;
        for x in &mut t {
            if *x == 0.0 {
                *x = opts.correct;
            }
        }
    }
    let (ri, cj) = if opts.global {
        (tau_i, tau_j)
    } else {
        let s: f64 = t.iter().sum();
        for x in &mut t {
            *x /= s;
        }
        (
            normal_quantile(t[0] + t[1]).unwrap_or(f64::NAN),
            normal_quantile(t[0] + t[2]).unwrap_or(f64::NAN),
        )
    };
    if ri.is_nan() || cj.is_nan() {
        return PairFit::missing(corrected);
    }
    let rho = maximise(
        &t,
        &Cuts::new(&[ri]),
        &Cuts::new(&[cj]),
        Likelihood::Tetra,
        opts.tol,
    );
    PairFit { rho, corrected }
}

#[derive(Clone, Copy, PartialEq)]
enum Likelihood {
    /// psych `polyF`: cells with probability <= 0 are left out.
    Poly,
    /// psych `tetraF`: every cell counts; a non-finite sum becomes R's DBL_MAX in `optimize`.
    Tetra,
}

/// The Brent search of R's `optimize(f, c(-1, 1), tol = tol)` on the negative log-likelihood.
fn maximise(p: &[f64], rows: &Cuts, cols: &Cuts, kind: Likelihood, tol: f64) -> f64 {
    let mut grid = vec![0.0; (rows.x.len()) * (cols.x.len())];
    brent_min(
        |rho| neg_loglik(rho, p, rows, cols, kind, &mut grid),
        -1.0,
        1.0,
        &BrentOptions::r_optimize(tol),
    )
    .x
}

/// $-\sum p_{ab}\log\pi_{ab}(\rho)$ from the grid of corner values $\Phi_2(x_a, y_b; \rho)$.
fn neg_loglik(
    rho: f64,
    p: &[f64],
    rows: &Cuts,
    cols: &Cuts,
    kind: Likelihood,
    grid: &mut [f64],
) -> f64 {
    let bvn = BvnAtRho::new(rho);
    let (nr, nc) = (rows.cats(), cols.cats());
    let w = nc + 1;
    for a in 0..=nr {
        for b in 0..=nc {
            let (x, px) = (rows.x[a], rows.phi[a]);
            let (y, py) = (cols.x[b], cols.phi[b]);
            grid[a * w + b] = if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
                0.0
            } else if x == f64::INFINITY {
                py
            } else if y == f64::INFINITY {
                px
            } else {
                bvn.cdf_finite(x, y, px, py)
            };
        }
    }
    let mut s = 0.0;
    for a in 0..nr {
        for b in 0..nc {
            let pi = grid[(a + 1) * w + b + 1] - grid[a * w + b + 1] - grid[(a + 1) * w + b]
                + grid[a * w + b];
            let n = p[a * nc + b];
            match kind {
                Likelihood::Poly => {
                    if pi > 0.0 {
                        s += n * pi.ln();
                    }
                }
                Likelihood::Tetra => s += n * pi.ln(),
            }
        }
    }
    -s
}

#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn options_are_validated() {
        let bad = PolychoricOptions {
            correct: -1.0,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = PolychoricOptions {
            tol: 0.0,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = PolychoricOptions {
            max_cat: 1,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        assert!(PolychoricOptions::default().validate().is_ok());
        assert!(TetrachoricOptions::default().validate().is_ok());
    }

    #[test]
    fn result_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PolychoricResult>();
        check::<PolychoricOptions>();
    }
}
