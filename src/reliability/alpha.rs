//! Cronbach's alpha and the item analysis of R psych::alpha.

use super::ordinal::{check_ordinal, ordinal_reliability, OrdinalReliability};
use super::{alpha_of, bootstrap, feldt, omega};
use crate::correlation::{covariance, covariance_from_sums, Missing, Moments};
use crate::data::{Answers, ItemData, PairSums};
use crate::error::{Error, Location, Result, Warning, WarningCode};
use nalgebra::DMatrix;
use serde::Serialize;

/// Options of [`reliability()`]. `Default` follows R psych::alpha (2.2.9): pairwise covariances,
/// a 95% Feldt interval, omega with 3 group factors.
#[derive(Debug, Clone)]
pub struct ReliabilityOptions {
    /// Missing-data policy (psych: pairwise).
    pub missing: Missing,
    /// Confidence level of `alpha_ci`.
    pub ci: f64,
    /// Resamples for a percentile bootstrap interval (`None`: Feldt's interval).
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Group factors of omega's Schmid-Leiman solution (psych::omega's `nfactors`, default 3).
    pub omega_factors: usize,
    /// Also ordinal alpha and ordinal omega from polychoric correlations (`--ordinal`; see
    /// [`super::ordinal`]).
    pub ordinal: bool,
}

impl Default for ReliabilityOptions {
    fn default() -> Self {
        ReliabilityOptions {
            missing: Missing::Pairwise,
            ci: 0.95,
            bootstrap: None,
            seed: 1,
            omega_factors: 3,
            ordinal: false,
        }
    }
}

impl ReliabilityOptions {
    /// Rejects settings no analysis can use.
    pub fn validate(&self) -> Result<()> {
        if !(self.ci > 0.0 && self.ci < 1.0) {
            return Err(Error::option(
                "--ci",
                "expected a level between 0 and 1, e.g. 0.95",
            ));
        }
        if let Some(b) = self.bootstrap {
            if b < 10 {
                return Err(Error::option(
                    "--bootstrap",
                    "expected at least 10 resamples",
                ));
            }
            crate::error::limits::count("--bootstrap", b, crate::error::limits::RESAMPLES)?;
        }
        if self.omega_factors == 0 {
            return Err(Error::option(
                "--omega-factors",
                "expected at least 1 factor",
            ));
        }
        Ok(())
    }
}

/// Statistics of one item.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ItemStats {
    /// Item name.
    pub item: String,
    /// Number of non-missing responses.
    pub n: usize,
    /// Mean of the (reverse-keyed, if so) item over its own values.
    pub mean: f64,
    /// Standard deviation (divisor n - 1) over its own values.
    pub sd: f64,
    /// Whether the item was reverse keyed before analysis.
    pub reversed: bool,
    /// Correlation of the item with the total of the other items (corrected item-total r).
    pub r_drop: f64,
    /// Raw alpha of the scale without this item (`null` for a 2-item scale).
    pub alpha_if_deleted: Option<f64>,
    /// Standardised alpha of the scale without this item (`null` for a 2-item scale).
    pub alpha_std_if_deleted: Option<f64>,
    /// The item's wording: the instrument's text for the form, else the data file's variable
    /// label (`.sav`, `.dta`); absent when neither gives one. Set by the `reliability`
    /// command, not by [`reliability()`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Result of [`reliability()`]; keys as in the CLI contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReliabilityResult {
    /// Rows used: all data rows when pairwise (psych's `nsub`), complete rows when listwise.
    pub n: usize,
    /// Number of items.
    pub k: usize,
    /// Cronbach's alpha from the covariance matrix.
    pub alpha: f64,
    /// Standardised alpha (from the correlation matrix).
    pub alpha_std: f64,
    /// Confidence interval of alpha (Feldt, or bootstrap percentile).
    pub alpha_ci: [f64; 2],
    /// Confidence level of `alpha_ci`.
    pub ci_level: f64,
    /// `"feldt"` or `"bootstrap"`.
    pub ci_method: String,
    /// Number of bootstrap resamples (when `ci_method` is bootstrap).
    pub bootstrap_resamples: Option<usize>,
    /// Guttman's lambda 6 from squared multiple correlations (psych's G6(smc)).
    pub lambda6: f64,
    /// Average inter-item correlation.
    pub average_r: f64,
    /// Signal-to-noise ratio $k\bar r/(1-\bar r)$ (psych's S/N).
    pub signal_noise: f64,
    /// McDonald's omega total (Schmid-Leiman), `null` when the items cannot carry the factors.
    pub omega_total: Option<f64>,
    /// Omega hierarchical (Schmid-Leiman), `null` when not computed.
    pub omega_hierarchical: Option<f64>,
    /// Missing-data policy used.
    pub missing: Missing,
    /// Rows with at least one missing cell among the items.
    pub rows_with_missing: usize,
    /// Rows complete on every item.
    pub n_complete: usize,
    /// Item statistics.
    pub items: Vec<ItemStats>,
    /// Ordinal reliability, when asked for (`--ordinal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<OrdinalReliability>,
    /// Warnings (negative item-rest correlations, omega not computed, ...).
    pub warnings: Vec<Warning>,
}

/// Squared multiple correlations $1 - 1/(R^{-1})\_{ii}$.
///
/// Uses a Cholesky inverse; when $R$ is not positive definite, the eigenvalue pseudo-inverse
/// (as psych::smc falls back to) and a warning.
pub fn smc(r: &DMatrix<f64>, warnings: &mut Vec<Warning>) -> Vec<f64> {
    let k = r.nrows();
    let inv = match r.clone().cholesky() {
        Some(ch) => ch.inverse(),
        None => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                "the correlation matrix is not positive definite: squared multiple correlations from its pseudo-inverse",
            ));
            let eig = r.clone().symmetric_eigen();
            let tol = 1e-12 * eig.eigenvalues.amax().max(1.0);
            let mut inv = DMatrix::zeros(k, k);
            for (m, &l) in eig.eigenvalues.iter().enumerate() {
                if l > tol {
                    let v = eig.eigenvectors.column(m);
                    inv += (v * v.transpose()) / l;
                }
            }
            inv
        }
    };
    (0..k)
        .map(|i| (1.0 - 1.0 / inv[(i, i)]).clamp(0.0, 1.0))
        .collect()
}

/// Reliability analysis of one scale.
///
/// # Formula
/// From the item covariance matrix $C$ and its correlation matrix $R = D^{-1/2} C D^{-1/2}$:
/// - alpha as [`alpha_of`] on $C$; standardised alpha on $R$;
/// - Guttman's $\lambda_6 = 1 - \sum_i (1 - \mathrm{smc}\_i)/\mathbf 1' R \mathbf 1$;
/// - average $r = \sum_{i\ne j} r_{ij}/(k(k-1))$;
/// - $r_{\text{drop},i} = (\sum_j c_{ij} - c_{ii})/\sqrt{c_{ii}\\,\mathbf 1' C_{-i} \mathbf 1}$,
///   the correlation of item $i$ with the sum of the others;
/// - alpha if deleted: [`alpha_of`] on $C$ without row and column $i$;
/// - with [`ReliabilityOptions::ordinal`], ordinal alpha and omega from the polychoric matrix
///   ([`ordinal_reliability`]; the items are checked first, [`check_ordinal`]).
///
/// # Reference
/// Cronbach (1951); Guttman (1945); Revelle & Zinbarg (2009).
///
/// # Peer
/// R psych::alpha and alpha.ci (2.2.9): `raw_alpha`, `std.alpha`, `G6(smc)`, `average_r`,
/// `item.stats$r.drop`, `alpha.drop$raw_alpha`. Missing data pairwise as psych
/// (`cov(x, use = "pairwise")`, item mean and sd from each item's own values, `n` = number of
/// rows); `--listwise` uses complete rows only.
///
/// # Deviations
/// None. Unlike psych, an item with zero variance or fewer than 3 complete rows is an error,
/// not an NA.
pub fn reliability(data: &ItemData, opts: &ReliabilityOptions) -> Result<ReliabilityResult> {
    reliability_keyed(data, &vec![false; data.k()], opts)
}

/// [`reliability()`] recording which items were reverse keyed (the data are already reversed).
pub fn reliability_keyed(
    data: &ItemData,
    reversed: &[bool],
    opts: &ReliabilityOptions,
) -> Result<ReliabilityResult> {
    opts.validate()?;
    let k = data.k();
    if k < 2 {
        return Err(Error::option(
            "--items",
            "reliability needs at least 2 items",
        ));
    }
    if opts.ordinal {
        check_ordinal(data)?;
    }
    let rows_with_missing = data.rows_with_missing();
    if data.n() - rows_with_missing < 3 {
        return Err(Error::TooFewRows {
            at: data.location(),
            needed: 3,
            got: data.n() - rows_with_missing,
        });
    }
    let owned;
    let data = match opts.missing {
        Missing::Pairwise => data,
        Missing::Listwise => {
            owned = data.listwise();
            &owned
        }
    };
    data.require_variance()?;
    let n = data.n();
    let mut warnings = Vec::new();
    if rows_with_missing > 0 {
        warnings.push(missing_warning(opts.missing, rows_with_missing));
    }
    // whole-number answers (every Likert item) take their moments from the exact integer sums
    // the streaming CSV path accumulates, so a file read whole or streamed, a .sav and a
    // DataFrame give the same bits (with or without the ordinal and bootstrap extras)
    let m = match Answers::from_item_data(data) {
        Some(a) => {
            covariance_from_sums(&a.sums(), Missing::Pairwise, &data.names, &data.location())?
        }
        None => covariance(data, Missing::Pairwise)?,
    };
    finish(
        &data.names,
        reversed,
        &m,
        Counts {
            n,
            rows_with_missing,
        },
        opts,
        warnings,
        |_| match opts.bootstrap {
            Some(b) => Ok(Some(bootstrap::alpha_bootstrap_ci(
                data, b, opts.seed, opts.ci,
            )?)),
            None => Ok(None),
        },
        |w| {
            if opts.ordinal {
                Ok(Some(ordinal_reliability(data, opts.missing, w)?))
            } else {
                Ok(None)
            }
        },
    )
}

/// [`reliability_keyed`] from exact sufficient statistics ([`PairSums`], accumulated while the
/// file was read): the same statistics without the rows. `names` are the items, `at` places
/// errors.
///
/// The bootstrap interval and ordinal reliability need the rows: with
/// [`ReliabilityOptions::bootstrap`] or [`ReliabilityOptions::ordinal`] this is an error (read
/// the data and call [`reliability_keyed`]).
///
/// # Peer
/// As [`reliability()`]; every statistic agrees with it to rounding (the covariances come from
/// exact integer sums, [`covariance_from_sums`]).
pub fn reliability_from_sums(
    names: &[String],
    reversed: &[bool],
    sums: &PairSums,
    at: &Location,
    opts: &ReliabilityOptions,
) -> Result<ReliabilityResult> {
    opts.validate()?;
    if opts.bootstrap.is_some() || opts.ordinal {
        return Err(Error::option(
            if opts.ordinal {
                "--ordinal"
            } else {
                "--bootstrap"
            },
            "needs the rows, not their sums: read the data whole",
        ));
    }
    let k = sums.k();
    if k < 2 {
        return Err(Error::option(
            "--items",
            "reliability needs at least 2 items",
        ));
    }
    let rows = sums.rows as usize;
    let complete = sums.complete as usize;
    let rows_with_missing = rows - complete;
    if complete < 3 {
        return Err(Error::TooFewRows {
            at: at.clone(),
            needed: 3,
            got: complete,
        });
    }
    let listwise = opts.missing == Missing::Listwise;
    // as ItemData::require_variance on the rows analysed
    for (j, name) in names.iter().enumerate().take(k) {
        let p = sums.pair(j, j, listwise);
        let at = at.clone().with_column(name);
        if p.n == 0 {
            return Err(Error::TooFewRows {
                at,
                needed: 3,
                got: 0,
            });
        }
        if i128::from(p.n) * i128::from(p.sxx) == i128::from(p.sx) * i128::from(p.sx) {
            return Err(Error::ZeroVariance {
                at,
                value: p.sx as f64 / p.n as f64,
            });
        }
    }
    let n = if listwise { complete } else { rows };
    let mut warnings = Vec::new();
    if rows_with_missing > 0 {
        warnings.push(missing_warning(opts.missing, rows_with_missing));
    }
    let m = covariance_from_sums(sums, opts.missing, names, at)?;
    finish(
        names,
        reversed,
        &m,
        Counts {
            n,
            rows_with_missing,
        },
        opts,
        warnings,
        |_| Ok(None),
        |_| Ok(None),
    )
}

/// The warning that rows had missing cells, by policy.
fn missing_warning(missing: Missing, rows_with_missing: usize) -> Warning {
    match missing {
        Missing::Pairwise => Warning::new(
            WarningCode::Pairwise,
            format!("{rows_with_missing} rows have missing cells: covariances from pairwise-complete rows (psych's default; --listwise to change)"),
        ),
        Missing::Listwise => Warning::new(
            WarningCode::Listwise,
            format!("{rows_with_missing} rows with missing cells were dropped (listwise)"),
        ),
    }
}

/// Rows behind a result.
struct Counts {
    n: usize,
    rows_with_missing: usize,
}

/// The statistics of [`reliability_keyed`] from the covariances `m`; `boot` gives the bootstrap
/// interval (or `None` for Feldt's) and `ordinal` the ordinal reliability, in that order after
/// the item statistics.
#[allow(clippy::too_many_arguments)]
fn finish(
    names: &[String],
    reversed: &[bool],
    m: &Moments,
    counts: Counts,
    opts: &ReliabilityOptions,
    mut warnings: Vec<Warning>,
    boot: impl FnOnce(&mut Vec<Warning>) -> Result<Option<[f64; 2]>>,
    ordinal: impl FnOnce(&mut Vec<Warning>) -> Result<Option<OrdinalReliability>>,
) -> Result<ReliabilityResult> {
    let k = names.len();
    let n = counts.n;
    let stats = ScaleStats::from_moments(m, &mut warnings);

    let mut items = Vec::with_capacity(k);
    for (i, name) in names.iter().enumerate() {
        let c_i = drop_index(&m.cov, i);
        let r_i = drop_index(&stats.r, i);
        let row_sum: f64 = m.cov.row(i).sum();
        let cii = m.cov[(i, i)];
        let rest = stats.total - 2.0 * row_sum + cii;
        let r_drop = (row_sum - cii) / (cii * rest).sqrt();
        if r_drop < 0.0 {
            warnings.push(Warning::new(
                WarningCode::NegativeItem,
                format!(
                    "item {} correlates negatively with the rest of the scale (r_drop = {:.3}): should it be reverse keyed?",
                    name, r_drop
                ),
            ));
        }
        items.push(ItemStats {
            item: name.clone(),
            n: m.counts[i],
            mean: m.means[i],
            sd: cii.sqrt(),
            reversed: reversed.get(i).copied().unwrap_or(false),
            r_drop,
            alpha_if_deleted: (k > 2).then(|| alpha_of(&c_i)),
            alpha_std_if_deleted: (k > 2).then(|| alpha_of(&r_i)),
            text: None,
        });
    }

    let (alpha_ci, ci_method) = match boot(&mut warnings)? {
        None => (
            feldt::feldt_ci(stats.alpha, n, k, opts.ci).unwrap_or([f64::NAN; 2]),
            "feldt",
        ),
        Some(ci) => (ci, "bootstrap"),
    };

    let (omega_total, omega_hierarchical) =
        omega_of(&m.pairwise_cor(), opts.omega_factors, &mut warnings);
    let ordinal = ordinal(&mut warnings)?;

    // Cronbach's signal/noise ratio k r / (1 - r) divides by 0 when every item correlates 1
    let signal_noise = k as f64 * stats.average_r / (1.0 - stats.average_r);
    if !signal_noise.is_finite() {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "signal_noise (k r / (1 - r)) is not defined for an average inter-item correlation of {}; reported as null",
                stats.average_r
            ),
        ));
    }
    Ok(ReliabilityResult {
        n,
        k,
        alpha: stats.alpha,
        alpha_std: stats.alpha_std,
        alpha_ci,
        ci_level: opts.ci,
        ci_method: ci_method.to_string(),
        bootstrap_resamples: opts.bootstrap,
        lambda6: stats.lambda6,
        average_r: stats.average_r,
        signal_noise,
        omega_total,
        omega_hierarchical,
        missing: opts.missing,
        rows_with_missing: counts.rows_with_missing,
        n_complete: m.n_complete,
        items,
        ordinal,
        warnings,
    })
}

/// Omega from the correlation matrix, or `None` (with a warning) when the items cannot carry
/// `nf` group factors (the factor model would have negative degrees of freedom).
///
/// psych::omega correlates raw data with `cor(x, use = "pairwise")`, each entry scaled by the
/// pair's own standard deviations, so the caller passes [`Moments::pairwise_cor`] (not the
/// `cov2cor` matrix psych::alpha uses); with complete data the two are equal.
fn omega_of(
    r: &DMatrix<f64>,
    nf: usize,
    warnings: &mut Vec<Warning>,
) -> (Option<f64>, Option<f64>) {
    let k = r.nrows();
    let dof = ((k as i64 - nf as i64).pow(2) - (k + nf) as i64) / 2;
    if k < 3 || nf >= k || dof < 0 {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("omega not computed: {k} items cannot identify {nf} group factors (use --omega-factors)"),
        ));
        return (None, None);
    }
    match omega::omega(r, nf, &omega::OmegaOptions::default()) {
        Ok(o) => {
            warnings.extend(o.warnings.iter().cloned());
            (Some(o.omega_total), Some(o.omega_hierarchical))
        }
        Err(e) => {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!("omega not computed: {e}"),
            ));
            (None, None)
        }
    }
}

/// Whole-scale statistics of a covariance matrix.
struct ScaleStats {
    r: DMatrix<f64>,
    total: f64,
    alpha: f64,
    alpha_std: f64,
    lambda6: f64,
    average_r: f64,
}

impl ScaleStats {
    fn from_moments(m: &Moments, warnings: &mut Vec<Warning>) -> Self {
        let k = m.cov.nrows() as f64;
        let r = m.cov2cor();
        let sum_r = r.sum();
        let smc = smc(&r, warnings);
        ScaleStats {
            total: m.cov.sum(),
            alpha: alpha_of(&m.cov),
            alpha_std: alpha_of(&r),
            lambda6: 1.0 - smc.iter().map(|s| 1.0 - s).sum::<f64>() / sum_r,
            average_r: (sum_r - k) / (k * (k - 1.0)),
            r,
        }
    }
}

fn drop_index(c: &DMatrix<f64>, i: usize) -> DMatrix<f64> {
    c.clone().remove_row(i).remove_column(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_of_parallel_items() {
        // 4 items with unit variance and all correlations .5: alpha = 4*.5/(1+3*.5) = 0.8
        let c = DMatrix::from_fn(4, 4, |i, j| if i == j { 1.0 } else { 0.5 });
        assert!((alpha_of(&c) - 0.8).abs() < 1e-15);
    }
}
