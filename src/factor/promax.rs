//! Promax rotation (oblique), as `psych::fa(rotate = "promax")`, i.e. psych's `kaiser(., "Promax")`.
//!
//! # Formula
//! With unrotated loadings $A$ ($p \times k$) and Kaiser weights $w_i = \lVert a_i \rVert$
//! ($w_i^2 = h^2_i$), let $X = W^{-1} A$ and $X_v = X T$ its varimax rotation. The target is
//! $Q = X_v \circ \lvert X_v \rvert^{m-1}$ (power $m = 4$). Regress the target on $X_v$,
//! $U_0 = (X_v^\top X_v)^{-1} X_v^\top Q$, rescale its columns,
//! $U = U_0\\, \mathrm{diag}\bigl((U_0^\top U_0)^{-1}\bigr)^{1/2}$, and return
//! $$L = A\\, T U, \qquad \Phi = (T U)^{-1} (T U)^{-\top},$$
//! so that $\Phi$ has a unit diagonal and $L \Phi L^\top = A A^\top$.
//!
//! # Reference
//! Hendrickson, A. E., & White, P. O. (1964). Promax: A quick method for rotation to oblique
//! simple structure. *British Journal of Statistical Psychology*, 17(1), 65–70.
//!
//! # Peer
//! psych 2.2.9 `Promax(x, m = 4)` called through `kaiser(loadings, rotate = "Promax")` as
//! `fa(rotate = "promax")` does, then `fa`'s reflection and ordering.

use crate::correlation::kmo::inverse;
use crate::error::{Error, Warning, WarningCode};
use crate::factor::varimax::{varimax, VarimaxOptions};
use crate::factor::{column_sum_signs, order_decreasing};
use crate::numeric::eigen::eigen_desc;
use nalgebra::DMatrix;
use serde::Serialize;

/// Options for [`promax`]. `Default` is psych 2.2.9's `fa(rotate = "promax")`.
#[derive(Debug, Clone, PartialEq)]
pub struct PromaxOptions {
    /// The power $m$ of the target (psych `m = 4`).
    pub power: f64,
    /// Kaiser normalisation by $\sqrt{h^2_i}$ around the whole rotation (psych `fa` calls
    /// `kaiser(., rotate = "Promax")`; `psych::Promax` alone does not).
    pub kaiser: bool,
    /// The varimax step (`stats::varimax` defaults; its `reorder` is ignored).
    pub varimax: VarimaxOptions,
    /// psych `fa`'s post-processing: reflect each factor so its loadings sum to a non-negative
    /// number, then order factors by $\mathrm{diag}(\Phi L^\top L)$, decreasing.
    pub reorder: bool,
}

impl Default for PromaxOptions {
    fn default() -> Self {
        PromaxOptions {
            power: 4.0,
            kaiser: true,
            varimax: VarimaxOptions::default(),
            reorder: true,
        }
    }
}

impl PromaxOptions {
    /// Checks the options; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.power.is_finite() && self.power >= 1.0) {
            return Err(Error::option(
                "--promax-power",
                format!("expected a power of at least 1, found {}", self.power),
            ));
        }
        Ok(())
    }
}

/// A promax rotation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PromaxRotation {
    /// Rotated pattern loadings $L$ ($p \times k$).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub loadings: DMatrix<f64>,
    /// Factor correlations $\Phi$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub phi: DMatrix<f64>,
    /// Structure loadings $L\Phi$.
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub structure: DMatrix<f64>,
    /// $M$ with $L = A M$ (psych's `rotmat`, here in the final factor order).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub rotation_matrix: DMatrix<f64>,
    /// Variance accounted for by each factor, $\mathrm{diag}(\Phi L^\top L)$ (psych's `SS loadings`).
    pub variance_explained: Vec<f64>,
    /// Whether the varimax step converged.
    pub converged: bool,
    /// Iterations of the varimax step.
    pub iterations: usize,
    /// Non-convergence of the varimax step, a singular target regression.
    pub warnings: Vec<Warning>,
}

/// $\mathrm{diag}\bigl((U^\top U)^{-1}\bigr)$, or psych's approximation when $U^\top U$ is singular.
fn inverse_diagonal(utu: &DMatrix<f64>, warnings: &mut Vec<Warning>) -> Result<Vec<f64>, Error> {
    let k = utu.nrows();
    if let Some(inv) = inverse(utu) {
        return Ok((0..k).map(|i| inv[(i, i)]).collect());
    }
    warnings.push(Warning::new(
        WarningCode::Singular,
        "promax: the factors are exactly uncorrelated and the target regression is singular; \
         as psych, an approximation was used",
    ));
    let (vals, vecs) = eigen_desc(utu)?;
    let floor = 100.0 * f64::EPSILON;
    let d = DMatrix::from_diagonal(&vals.map(|v| if v < f64::EPSILON { floor } else { v }));
    let mut uu = &vecs * d * vecs.transpose();
    uu.fill_diagonal(1.0);
    let inv = uu.clone().lu().try_inverse().ok_or_else(|| {
        Error::option(
            "--rotation",
            "promax: the target regression is singular and cannot be approximated",
        )
    })?;
    Ok((0..k).map(|i| inv[(i, i)]).collect())
}

/// Promax rotation.
///
/// # Formula
/// $X = W^{-1} A$ with $W = \mathrm{diag}(\lVert a_i \rVert)$ (Kaiser), $X_v = X T$ (varimax),
/// $Q = X_v \circ \lvert X_v\rvert^{m-1}$, $U_0 = \arg\min_U \lVert Q - X_v U \rVert_F$ (by QR),
/// $U = U_0\\,\mathrm{diag}((U_0^\top U_0)^{-1})^{1/2}$, $M = T U$, $L = A M$,
/// $\Phi = M^{-1} M^{-\top}$. With `reorder` (psych `fa`), factor $j$ is reflected when
/// $\sum_i l_{ij} < 0$ (with row and column $j$ of $\Phi$), then factors are ordered by
/// $\mathrm{diag}(\Phi L^\top L)$, decreasing.
///
/// # Reference
/// Hendrickson, A. E., & White, P. O. (1964). Promax: A quick method for rotation to oblique
/// simple structure. *British Journal of Statistical Psychology*, 17(1), 65–70.
///
/// # Peer
/// psych 2.2.9 `fa(rotate = "promax")`: `kaiser(loadings, rotate = "Promax")`, i.e.
/// `Promax(loadings / sqrt(h2), m = 4)` with `stats::varimax` inside and the loadings scaled back
/// by `sqrt(h2)`; then `fa`'s reflection and ordering. The same steps, so the result agrees to
/// rounding given the same unrotated loadings.
///
/// # Deviations
/// - `rotation_matrix` is given in the final factor order (psych leaves `rot.mat` in the order
///   before sorting).
/// - A zero row of $A$ is left unscaled by the Kaiser weights (R divides by zero).
/// - With one factor the loadings come back unchanged with $\Phi = 1$, as in psych.
pub fn promax(loadings: &DMatrix<f64>, opts: &PromaxOptions) -> Result<PromaxRotation, Error> {
    let (p, k) = loadings.shape();
    if p == 0 || loadings.iter().any(|x| !x.is_finite()) {
        return Err(Error::option(
            "loadings",
            "expected finite loadings with at least one row",
        ));
    }
    opts.validate()?;
    let mut warnings = Vec::new();
    if k < 2 {
        return Ok(PromaxRotation {
            loadings: loadings.clone(),
            phi: DMatrix::identity(k, k),
            structure: loadings.clone(),
            rotation_matrix: DMatrix::identity(k, k),
            variance_explained: (0..k).map(|j| loadings.column(j).norm_squared()).collect(),
            converged: true,
            iterations: 0,
            warnings,
        });
    }
    let w: Vec<f64> = (0..p)
        .map(|i| {
            let n = loadings.row(i).norm();
            if opts.kaiser && n > 0.0 {
                n
            } else {
                1.0
            }
        })
        .collect();
    let x = DMatrix::from_fn(p, k, |i, j| loadings[(i, j)] / w[i]);
    let vm = varimax(
        &x,
        &VarimaxOptions {
            reorder: false,
            ..opts.varimax.clone()
        },
    )?;
    warnings.extend(vm.warnings.iter().cloned());
    let xv = vm.loadings;
    let target = xv.map(|v| v * v.abs().powf(opts.power - 1.0));
    // least squares (R's lm.fit) by QR
    let qr = xv.clone().qr();
    let rhs = qr.q().transpose() * &target;
    let u0 = qr.r().solve_upper_triangular(&rhs).ok_or_else(|| {
        Error::option(
            "--rotation",
            "promax: the varimax loadings are rank deficient (a factor has no loadings)",
        )
    })?;
    let d = inverse_diagonal(&(u0.transpose() * &u0), &mut warnings)?;
    let mut u = u0;
    for (j, dj) in d.iter().enumerate() {
        u.column_mut(j).scale_mut(dj.sqrt());
    }
    let mut m = &vm.rotation_matrix * u;
    let mut l = loadings * &m;
    let mut phi = {
        let mi = m
            .clone()
            .try_inverse()
            .ok_or_else(|| Error::NotPositiveDefinite {
                what: "promax rotation matrix".into(),
                index: "its columns are linearly dependent".into(),
            })?;
        &mi * mi.transpose()
    };
    if opts.reorder {
        let signs = column_sum_signs(&l);
        for (j, &s) in signs.iter().enumerate() {
            if s < 0.0 {
                l.column_mut(j).neg_mut();
                m.column_mut(j).neg_mut();
            }
        }
        phi = DMatrix::from_fn(k, k, |i, j| phi[(i, j)] * signs[i] * signs[j]);
        let ev = variance_explained(&l, &phi);
        let order = order_decreasing(&ev);
        l = DMatrix::from_fn(p, k, |i, j| l[(i, order[j])]);
        m = DMatrix::from_fn(k, k, |i, j| m[(i, order[j])]);
        phi = DMatrix::from_fn(k, k, |i, j| phi[(order[i], order[j])]);
    }
    let structure = &l * &phi;
    Ok(PromaxRotation {
        variance_explained: variance_explained(&l, &phi),
        loadings: l,
        phi,
        structure,
        rotation_matrix: m,
        converged: vm.converged,
        iterations: vm.iterations,
        warnings,
    })
}

/// $\mathrm{diag}(\Phi L^\top L)$.
fn variance_explained(l: &DMatrix<f64>, phi: &DMatrix<f64>) -> Vec<f64> {
    let m = phi * (l.transpose() * l);
    (0..l.ncols()).map(|j| m[(j, j)]).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::factor::communalities;

    fn sample_loadings() -> DMatrix<f64> {
        DMatrix::from_row_slice(
            8,
            3,
            &[
                0.62, 0.31, -0.12, 0.55, 0.40, 0.05, 0.60, 0.25, 0.20, 0.48, -0.35, 0.10, 0.52,
                -0.41, 0.02, 0.45, -0.30, -0.28, 0.50, 0.05, 0.45, 0.40, 0.10, 0.50,
            ],
        )
    }

    #[test]
    fn promax_keeps_common_part_and_unit_phi_diagonal() {
        let a = sample_loadings();
        for kaiser in [true, false] {
            for reorder in [true, false] {
                let opts = PromaxOptions {
                    kaiser,
                    reorder,
                    ..PromaxOptions::default()
                };
                let pr = promax(&a, &opts).unwrap();
                let back = &pr.loadings * &pr.phi * pr.loadings.transpose();
                assert!((back - &a * a.transpose()).amax() < 1e-12);
                assert!((&a * &pr.rotation_matrix - &pr.loadings).amax() < 1e-12);
                for j in 0..3 {
                    assert!((pr.phi[(j, j)] - 1.0).abs() < 1e-12);
                }
                let h2 = communalities(&pr.loadings, &pr.phi);
                for i in 0..8 {
                    assert!((h2[i] - a.row(i).norm_squared()).abs() < 1e-12);
                }
                if reorder {
                    assert!(pr.variance_explained.windows(2).all(|w| w[0] >= w[1]));
                    for j in 0..3 {
                        assert!(pr.loadings.column(j).sum() >= 0.0);
                    }
                }
            }
        }
    }

    #[test]
    fn promax_one_factor_is_identity() {
        let a = DMatrix::from_element(4, 1, 0.5);
        let pr = promax(&a, &PromaxOptions::default()).unwrap();
        assert_eq!(pr.loadings, a);
        assert_eq!(pr.phi, DMatrix::identity(1, 1));
    }

    #[test]
    fn promax_rejects_bad_power() {
        let opts = PromaxOptions {
            power: 0.5,
            ..PromaxOptions::default()
        };
        assert!(matches!(
            promax(&sample_loadings(), &opts),
            Err(Error::InvalidOption { .. })
        ));
    }
}
