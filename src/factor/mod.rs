//! Exploratory factor analysis: minres extraction, rotation, the Schmid–Leiman transformation
//! and parallel analysis.
//!
//! | module | what | peer |
//! |---|---|---|
//! | [`minres`] | minimum-residual (unweighted least squares) extraction | `psych::fa(fm = "minres")` |
//! | [`gpa`] | gradient projection rotation (oblique), oblimin/quartimin and geomin criteria | `GPArotation::GPFoblq`, `oblimin`, `geominQ` |
//! | [`varimax`] | Kaiser's varimax with Kaiser normalisation | `stats::varimax` |
//! | [`schmid`] | Schmid–Leiman orthogonalisation of a higher-order solution | `psych::schmid` |
//! | [`parallel`] | Horn's parallel analysis: how many factors and components to retain | `psych::fa.parallel` |
//! | [`pa`] | iterated principal axis extraction | `psych::fa(fm = "pa")` |
//! | [`ml`] | maximum likelihood extraction | `psych::fa(fm = "ml")`, `stats::factanal` |
//! | [`promax`] | promax rotation (Kaiser-normalised varimax, then power 4) | `psych::fa(rotate = "promax")` |
//! | [`fit`] | likelihood chi-square, RMSEA, TLI, BIC of a factor solution | `psych::fa.stats` |
//! | [`efa`] | the whole exploratory factor analysis: extraction, rotation, sorting, KMO, Bartlett, fit | `psych::fa` |
//! | [`subscales`] | which factor stands for which subscale of an instrument; items loading weakly or on a foreign factor | ours |
//!
//! All functions take a correlation matrix (a covariance matrix is rescaled to a correlation
//! matrix first, as psych does with `cov2cor`), except [`parallel`], which takes item data and
//! the function that correlates them. Non-convergence and Heywood cases are reported
//! as [`Warning`]s inside the results, never as errors.
//!
//! # Papers implemented
//! - Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
//!   *Psychometrika*, 31(3), 351–368.
//! - Byrd, R. H., Lu, P., Nocedal, J., & Zhu, C. (1995). A limited memory algorithm for bound
//!   constrained optimization. *SIAM Journal on Scientific Computing*, 16(5), 1190–1208.
//!   (psych's optimiser; ours is a projected BFGS method in the sense of Bertsekas, D. P. (1982).
//!   Projected Newton methods for optimization problems with simple constraints. *SIAM Journal
//!   on Control and Optimization*, 20(2), 221–246.)
//! - Jennrich, R. I. (2002). A simple general method for oblique rotation. *Psychometrika*,
//!   67(1), 7–19.
//! - Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
//!   arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
//!   65(5), 676–696.
//! - Jennrich, R. I., & Sampson, P. F. (1966). Rotation for simple loadings. *Psychometrika*,
//!   31(3), 313–323. (direct quartimin)
//! - Yates, A. (1987). *Multivariate exploratory data analysis: A perspective on exploratory
//!   factor analysis*. State University of New York Press. (geomin)
//! - Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
//!   *Psychometrika*, 23(3), 187–200.
//! - Hendrickson, A. E., & White, P. O. (1964). Promax: A quick method for rotation to oblique
//!   simple structure. *British Journal of Statistical Psychology*, 17(1), 65–70.
//! - Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
//!   *Psychometrika*, 30(2), 179–185. (parallel analysis)
//! - Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
//!   *Psychometrika*, 32(4), 443–482.
//! - Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor
//!   analysis. *Psychometrika*, 38(1), 1–10.
//! - Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
//!   *Psychometrika*, 22(1), 53–61.

pub mod efa;
pub mod fit;
pub mod gpa;
pub mod minres;
pub mod ml;
pub mod pa;
pub mod parallel;
pub mod promax;
pub mod schmid;
pub mod subscales;
pub mod varimax;

use crate::error::{Error, Warning, WarningCode};
use crate::numeric::eigen::eigen_desc;
use nalgebra::{DMatrix, DVector};

/// Squared multiple correlations $1 - 1/(R^{-1})\_{ii}$, clipped to $[0, 1]$ (psych::smc).
///
/// Uses a Cholesky inverse; when `r` is not positive definite, falls back to the
/// Moore–Penrose pseudo-inverse (psych's `Pinv`, tolerance $\sqrt{\epsilon}\\,\sigma_1$) and
/// adds a [`WarningCode::Singular`] warning.
pub(crate) fn smc(r: &DMatrix<f64>, warnings: &mut Vec<Warning>) -> Result<DVector<f64>, Error> {
    let p = r.nrows();
    let inv_diag: DVector<f64> = match r.clone().cholesky() {
        Some(ch) => ch.inverse().diagonal(),
        None => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                "the correlation matrix is not positive definite; squared multiple correlations \
                 were computed from its pseudo-inverse",
            ));
            let (vals, vecs) = eigen_desc(r)?;
            let smax = vals.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let tol = f64::EPSILON.sqrt() * smax;
            DVector::from_fn(p, |i, _| {
                (0..p)
                    .filter(|&k| vals[k].abs() > tol)
                    .map(|k| vecs[(i, k)] * vecs[(i, k)] / vals[k])
                    .sum()
            })
        }
    };
    Ok(inv_diag.map(|d| {
        let s = 1.0 - 1.0 / d;
        if s.is_nan() {
            1.0
        } else {
            s.clamp(0.0, 1.0)
        }
    }))
}

/// R's `sign()`: -1, 0 or 1.
pub(crate) fn r_sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Signs making each column sum of `l` non-negative (psych: `sign(colSums(L))`, 0 taken as 1).
pub(crate) fn column_sum_signs(l: &DMatrix<f64>) -> Vec<f64> {
    (0..l.ncols())
        .map(|j| if l.column(j).sum() < 0.0 { -1.0 } else { 1.0 })
        .collect()
}

/// Indices sorting `v` in decreasing order; ties keep their original order (R's `order(decreasing = TRUE)`).
pub(crate) fn order_decreasing(v: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[b].total_cmp(&v[a]));
    idx
}

/// Heywood warnings of an extraction: a communality of 1 or more, or a uniqueness $\psi_i$ on its
/// lower bound.
pub(crate) fn heywood_warnings(
    communalities: &DVector<f64>,
    psi: &DVector<f64>,
    lower: f64,
) -> Vec<Warning> {
    let mut w = Vec::new();
    for (i, (&h, &u)) in communalities.iter().zip(psi.iter()).enumerate() {
        if h >= 1.0 {
            w.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "item {}: communality {h:.4} is 1 or more (ultra-Heywood case)",
                    i + 1
                ),
            ));
        } else if u <= lower * (1.0 + 1e-9) {
            w.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "item {}: uniqueness reached its lower bound {lower} (Heywood case)",
                    i + 1
                ),
            ));
        }
    }
    w
}

/// Communalities of an oblique solution: the row sums of $L \Phi \circ L$, i.e. $\mathrm{diag}(L\Phi L^\top)$.
pub fn communalities(loadings: &DMatrix<f64>, phi: &DMatrix<f64>) -> DVector<f64> {
    let lp = loadings * phi;
    DVector::from_fn(loadings.nrows(), |i, _| {
        lp.row(i)
            .iter()
            .zip(loadings.row(i).iter())
            .map(|(a, b)| a * b)
            .sum()
    })
}

/// Shared test helpers: fixtures, a small CSV reader, Pearson correlations, comparisons.
#[cfg(test)]
pub(crate) mod testdata {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use nalgebra::{DMatrix, DVector};
    use std::path::PathBuf;

    /// Path of a file under `tests/fixtures/`.
    pub fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel)
    }

    /// A JSON fixture.
    pub fn json(rel: &str) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixture(rel)).unwrap()).unwrap()
    }

    /// A JSON array of rows as a matrix.
    pub fn matrix(v: &serde_json::Value) -> DMatrix<f64> {
        let rows: Vec<Vec<f64>> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        DMatrix::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
    }

    /// A JSON array (or a single number, as R's auto-unboxing writes a length-1 vector) as a vector.
    pub fn vector(v: &serde_json::Value) -> DVector<f64> {
        if let Some(x) = v.as_f64() {
            return DVector::from_element(1, x);
        }
        let x: Vec<f64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect();
        DVector::from_vec(x)
    }

    /// Reads a numeric CSV (header row, comma separated, empty cell = missing).
    fn read_csv(rel: &str) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
        let text = std::fs::read_to_string(fixture(rel)).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.split(',')
                    .map(|c| {
                        let c = c.trim();
                        if c.is_empty() || c == "NA" {
                            None
                        } else {
                            Some(c.parse::<f64>().unwrap())
                        }
                    })
                    .collect()
            })
            .collect();
        (header, rows)
    }

    /// Pearson correlation matrix of `cols`, on the rows complete for those columns, after
    /// reversing the `reverse` columns as x -> `lo_plus_hi` - x. Returns the matrix and n.
    pub fn correlation(
        rel: &str,
        cols: &[&str],
        reverse: &[&str],
        lo_plus_hi: f64,
    ) -> (DMatrix<f64>, usize) {
        let (header, rows) = read_csv(rel);
        let idx: Vec<usize> = cols
            .iter()
            .map(|c| header.iter().position(|h| h == c).unwrap())
            .collect();
        let data: Vec<Vec<f64>> = rows
            .iter()
            .filter_map(|r| {
                idx.iter()
                    .map(|&j| r.get(j).copied().flatten())
                    .collect::<Option<Vec<f64>>>()
            })
            .map(|mut r| {
                for (k, c) in cols.iter().enumerate() {
                    if reverse.contains(c) {
                        r[k] = lo_plus_hi - r[k];
                    }
                }
                r
            })
            .collect();
        let n = data.len();
        let k = cols.len();
        let mean: Vec<f64> = (0..k)
            .map(|j| data.iter().map(|r| r[j]).sum::<f64>() / n as f64)
            .collect();
        let mut c = DMatrix::<f64>::zeros(k, k);
        for r in &data {
            for a in 0..k {
                for b in 0..=a {
                    c[(a, b)] += (r[a] - mean[a]) * (r[b] - mean[b]);
                }
            }
        }
        let r = DMatrix::from_fn(k, k, |a, b| {
            if a == b {
                return 1.0;
            }
            let (x, y) = if a >= b { (a, b) } else { (b, a) };
            c[(x, y)] / (c[(x, x)] * c[(y, y)]).sqrt()
        });
        (r, n)
    }

    /// The 25 bfi items of reference case 03, complete rows.
    pub fn bfi25() -> DMatrix<f64> {
        let cols: Vec<String> = ["A", "C", "E", "N", "O"]
            .iter()
            .flat_map(|t| (1..=5).map(move |i| format!("{t}{i}")))
            .collect();
        let cols: Vec<&str> = cols.iter().map(|s| s.as_str()).collect();
        let (r, n) = correlation("efa/03-efa-bfi25-minres-oblimin/data.csv", &cols, &[], 0.0);
        assert_eq!(n, 2436);
        r
    }

    /// The 15 reversed bfi items of reference case 02, complete rows.
    pub fn bfi15(reversed: bool) -> DMatrix<f64> {
        let cols = [
            "A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5", "E1", "E2", "E3", "E4",
            "E5",
        ];
        let rev: &[&str] = if reversed {
            &["A1", "C4", "C5", "E1", "E2"]
        } else {
            &[]
        };
        let (r, n) = correlation(
            "reliability/02-reliability-bfi-15items-omega/data.csv",
            &cols,
            rev,
            7.0,
        );
        assert_eq!(n, 2563);
        r
    }

    /// Permutation and signs aligning the columns of `got` to `expected` by Tucker's
    /// congruence (greedy on the largest |congruence|); returns `got` aligned and the permutation.
    pub fn align(
        got: &DMatrix<f64>,
        expected: &DMatrix<f64>,
    ) -> (DMatrix<f64>, Vec<usize>, Vec<f64>) {
        let k = got.ncols();
        let cong = |a: usize, b: usize| {
            let x = got.column(a);
            let y = expected.column(b);
            x.dot(&y) / (x.norm() * y.norm())
        };
        let mut perm = vec![usize::MAX; k]; // perm[expected col] = got col
        let mut signs = vec![1.0; k];
        let mut used = vec![false; k];
        for _ in 0..k {
            let mut best = (0, 0, -1.0);
            for b in (0..k).filter(|&b| perm[b] == usize::MAX) {
                for a in (0..k).filter(|&a| !used[a]) {
                    if cong(a, b).abs() > best.2 {
                        best = (a, b, cong(a, b).abs());
                    }
                }
            }
            perm[best.1] = best.0;
            used[best.0] = true;
            signs[best.1] = cong(best.0, best.1).signum();
        }
        let aligned = DMatrix::from_fn(got.nrows(), k, |i, j| got[(i, perm[j])] * signs[j]);
        (aligned, perm, signs)
    }

    /// Largest absolute difference.
    pub fn max_diff(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
        assert_eq!(a.shape(), b.shape());
        (a - b).amax()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn smc_of_two_variables_is_r_squared() {
        let r = DMatrix::from_row_slice(2, 2, &[1.0, 0.6, 0.6, 1.0]);
        let mut w = Vec::new();
        let s = smc(&r, &mut w).unwrap();
        assert!((s[0] - 0.36).abs() < 1e-14 && (s[1] - 0.36).abs() < 1e-14);
        assert!(w.is_empty());
    }
}
