//! Schmid–Leiman transformation of a higher-order factor solution, as `psych::schmid`.
//!
//! # Formula
//! With oblique pattern $L$ ($p \times m$), factor correlations $\Phi$ and the loadings $\gamma$
//! of the $m$ factors on one second-order factor ($\Phi \approx \gamma\gamma^\top$ off the
//! diagonal), the item loadings on the general factor are $g = L\gamma$ and on the
//! (residualised) group factors $s_{ij} = \lambda_{ij}\sqrt{1 - \gamma_j^2}$.
//!
//! # Reference
//! Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
//! *Psychometrika*, 22(1), 53–61.
//!
//! # Peer
//! psych 2.2.9 `schmid(r, nfactors, fm = "minres", rotate = "oblimin", option = "equal")`.

use crate::error::{Error, Warning, WarningCode};
use crate::factor::gpa::{oblimin, GpaOptions, Rotation};
use crate::factor::minres::{minres, Extraction, MinresOptions};
use crate::factor::r_sign;
use crate::factor::varimax::{varimax, OrthogonalRotation, VarimaxOptions};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// How the general factor is identified with only two group factors (psych's `option`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactorOption {
    /// Both loadings $\sqrt{|\phi_{12}|}$, the second with the sign of $\phi_{12}$ (psych default `"equal"`).
    #[default]
    Equal,
    /// Group factor 1 loads 1, group factor 2 loads $\phi_{12}$ (`"first"`).
    First,
    /// Group factor 2 loads 1, group factor 1 loads $\phi_{12}$ (`"second"`).
    Second,
}

/// Options for [`schmid`]. `Default` is psych 2.2.9's `schmid(fm = "minres", rotate = "oblimin",
/// option = "equal")`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchmidOptions {
    /// Minres settings, used for the first-order and the second-order extraction.
    pub minres: MinresOptions,
    /// The varimax step psych runs before the oblique rotation (`fa(rotate = "varimax")`).
    pub varimax: VarimaxOptions,
    /// The oblimin rotation of the varimax loadings. Default: GPArotation's `oblimin` defaults
    /// with `reorder = false` (psych's `schmid` uses GPArotation's raw output).
    pub rotation: GpaOptions,
    /// Identification with two group factors.
    pub two_factor: TwoFactorOption,
}

impl Default for SchmidOptions {
    fn default() -> Self {
        SchmidOptions {
            minres: MinresOptions::default(),
            varimax: VarimaxOptions::default(),
            rotation: GpaOptions {
                reorder: false,
                ..GpaOptions::default()
            },
            two_factor: TwoFactorOption::Equal,
        }
    }
}

/// A Schmid–Leiman solution (psych's `sl`, `orthog`, `oblique`, `phi`, `gloading`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Schmid {
    /// Item loadings on the general factor, $g = L\gamma$ (psych `sl[, "g"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub general_loadings: DVector<f64>,
    /// Item loadings on the group factors, $\mathrm{sign}(\lambda_{ij})\sqrt{\max(0, \lambda_{ij}^2(1-\gamma_j^2))}$
    /// (psych `sl[, "F1*"...]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub group_loadings: DMatrix<f64>,
    /// Communalities of the first-order solution (psych `sl[, "h2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub h2: DVector<f64>,
    /// $1 - h^2$ (psych `sl[, "u2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub u2: DVector<f64>,
    /// $g_i^2 / h^2_i$ (psych `sl[, "p2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub p2: DVector<f64>,
    /// Varimax loadings of the first-order solution (psych `orthog`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub orthogonal: DMatrix<f64>,
    /// Oblique pattern $L$ (psych `oblique`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub oblique: DMatrix<f64>,
    /// Factor correlations $\Phi$ (psych `phi`; $1 \times 1$ identity for one factor).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub phi: DMatrix<f64>,
    /// Loadings $\gamma$ of the group factors on the general factor (psych `gloading`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub factor_general_loadings: DVector<f64>,
    /// The first-order minres extraction.
    pub extraction: Extraction,
    /// The varimax step (absent for one factor).
    pub varimax: Option<OrthogonalRotation>,
    /// The oblimin rotation (absent for one factor).
    pub rotation: Option<Rotation>,
    /// The one-factor minres of $\Phi$ (only for three or more factors).
    pub higher_order: Option<Extraction>,
    /// Whether every iterative step converged.
    pub converged: bool,
    /// Warnings of all steps, plus identification notes.
    pub warnings: Vec<Warning>,
}

/// Schmid–Leiman transformation: minres, varimax, oblimin, and a one-factor minres of $\Phi$.
///
/// # Formula
/// 1. $A$ = minres loadings of $R$ with $m$ factors; $L_0$ = varimax($A$) (Kaiser normalised,
///    reflected and ordered as psych `fa`); $h^2_i = \sum_j (L_0)\_{ij}^2$, $u^2_i = 1 - h^2_i$.
/// 2. $(L, \Phi)$ = oblimin($L_0$) (GPArotation output as is).
/// 3. $\gamma$: for $m \ge 3$ the one-factor minres loadings of $\Phi$; for $m = 2$ (option
///    `Equal`) $\gamma = (\sqrt{|\phi_{12}|},\ \mathrm{sign}(\phi_{12})\sqrt{|\phi_{12}|})$; for $m = 1$, $\gamma = 1$.
/// 4. $g = L\gamma$, $s_{ij} = \mathrm{sign}(\lambda_{ij})\sqrt{\max(0,\ \lambda_{ij}^2 - \lambda_{ij}^2\gamma_j^2)}$, $p^2_i = g_i^2/h^2_i$.
///
/// # Reference
/// Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
/// *Psychometrika*, 22(1), 53–61.
/// Wolff, H.-G., & Preising, K. (2005). Exploring item and higher order factor structure with
/// the Schmid-Leiman solution: Syntax codes for SPSS and SAS. *Behavior Research Methods*, 37(1), 48–58.
///
/// # Peer
/// psych 2.2.9 `schmid(r, nfactors, fm = "minres", rotate = "oblimin", option = "equal")`:
/// `sl`, `orthog`, `oblique`, `phi`, `gloading`. psych quirks followed on purpose:
/// the oblimin rotation starts from the *varimax* solution (psych calls
/// `fa(rotate = "varimax")` first), its output is used without psych's usual reflection and
/// ordering, and $h^2$ comes from the varimax loadings.
///
/// # Deviations
/// - The minres steps are solved to a tight optimum, whereas psych's `optim` stops early
///   (see [`minres`]); on the bfi example this moves $g$ by about 1e-6.
/// - psych only prints a message for one or two factors; we add a [`WarningCode::Note`].
/// - Kept on purpose: the group loadings are computed as psych does,
///   $1 - (1 - \lambda^2) - (\lambda\gamma)^2$, so with one factor they are the square root of
///   rounding noise (about 1e-8) rather than exactly 0, as in psych.
pub fn schmid(r: &DMatrix<f64>, nfactors: usize, opts: &SchmidOptions) -> Result<Schmid, Error> {
    let extraction = minres(r, nfactors, &opts.minres)?;
    let p = extraction.loadings.nrows();
    let mut warnings = extraction.warnings.clone();
    let mut converged = extraction.converged;
    let (orthogonal, vm) = if nfactors > 1 {
        let v = varimax(&extraction.loadings, &opts.varimax)?;
        converged &= v.converged;
        warnings.extend(v.warnings.iter().cloned());
        (v.loadings.clone(), Some(v))
    } else {
        (extraction.loadings.clone(), None)
    };
    let (oblique, phi, rotation) = if nfactors > 1 {
        let rot = oblimin(&orthogonal, &opts.rotation)?;
        converged &= rot.converged;
        warnings.extend(rot.warnings.iter().cloned());
        (rot.loadings.clone(), rot.phi.clone(), Some(rot))
    } else {
        (orthogonal.clone(), DMatrix::identity(1, 1), None)
    };
    let mut higher_order = None;
    let gload: DVector<f64> = match nfactors {
        1 => {
            warnings.push(Warning::new(
                WarningCode::Note,
                "omega_h and the Schmid-Leiman general factor are not meaningful with one factor",
            ));
            DVector::from_element(1, 1.0)
        }
        2 => {
            let r12 = phi[(0, 1)];
            let msg = match opts.two_factor {
                TwoFactorOption::Equal => {
                    "general factor loadings of the two group factors set equal"
                }
                TwoFactorOption::First => "general factor loading of group factor 1 set to 1",
                TwoFactorOption::Second => "general factor loading of group factor 2 set to 1",
            };
            warnings.push(Warning::new(
                WarningCode::Note,
                format!("three factors are needed to identify a general factor; {msg} (proceed with caution)"),
            ));
            match opts.two_factor {
                TwoFactorOption::Equal => {
                    let a = r12.abs().sqrt();
                    DVector::from_row_slice(&[a, r_sign(r12) * a])
                }
                TwoFactorOption::First => DVector::from_row_slice(&[1.0, r12]),
                TwoFactorOption::Second => DVector::from_row_slice(&[r12, 1.0]),
            }
        }
        _ => {
            let ho = minres(&phi, 1, &opts.minres)?;
            converged &= ho.converged;
            warnings.extend(
                ho.warnings
                    .iter()
                    .map(|w| Warning::new(w.code, format!("second-order factor: {}", w.message))),
            );
            let g = ho.loadings.column(0).into_owned();
            higher_order = Some(ho);
            g
        }
    };
    for (j, &gj) in gload.iter().enumerate() {
        if gj.abs() > 1.0 {
            warnings.push(Warning::new(
                WarningCode::Heywood,
                format!(
                    "group factor {} loads {gj:.4} on the general factor (more than 1); its group loadings were set to 0",
                    j + 1
                ),
            ));
        }
    }
    let general_loadings = &oblique * &gload;
    let h2 = DVector::from_fn(p, |i, _| orthogonal.row(i).norm_squared());
    let u2 = h2.map(|h| 1.0 - h);
    let group_loadings = DMatrix::from_fn(p, nfactors, |i, j| {
        let l = oblique[(i, j)];
        // psych: uniq = 1 - L^2; uniq2 = 1 - uniq - (L g)^2, clipped at 0 (same rounding order).
        let uniq = 1.0 - l * l;
        let prime = l * gload[j];
        let uniq2 = (1.0 - uniq - prime * prime).max(0.0);
        r_sign(l) * uniq2.sqrt()
    });
    let p2 = DVector::from_fn(p, |i, _| general_loadings[i] * general_loadings[i] / h2[i]);
    Ok(Schmid {
        general_loadings,
        group_loadings,
        h2,
        u2,
        p2,
        orthogonal,
        oblique,
        phi,
        factor_general_loadings: gload,
        extraction,
        varimax: vm,
        rotation,
        higher_order,
        converged,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// A population bifactor-like model: 9 items, 3 group factors correlated through one
    /// general factor with loadings gamma. The SL solution reproduces the population exactly.
    fn higher_order_population() -> (DMatrix<f64>, DMatrix<f64>, Vec<f64>) {
        let mut l = DMatrix::zeros(9, 3);
        let lam = [0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5];
        for i in 0..9 {
            l[(i, i / 3)] = lam[i];
        }
        let gamma = vec![0.8, 0.7, 0.6];
        let phi = DMatrix::from_fn(3, 3, |a, b| if a == b { 1.0 } else { gamma[a] * gamma[b] });
        let mut r = &l * &phi * l.transpose();
        r.fill_diagonal(1.0);
        (r, l, gamma)
    }

    #[test]
    fn schmid_recovers_population_higher_order_model() {
        let (r, l, gamma) = higher_order_population();
        let sl = schmid(&r, 3, &SchmidOptions::default()).unwrap();
        assert!(sl.converged, "{:?}", sl.warnings);
        // general loadings: lambda_i * gamma_f(i) (up to a global sign, fixed by psych's rule)
        for i in 0..9 {
            let expected = l[(i, i / 3)] * gamma[i / 3];
            assert!(
                (sl.general_loadings[i].abs() - expected).abs() < 1e-4,
                "item {i}"
            );
            let h2 = l[(i, i / 3)].powi(2);
            assert!((sl.h2[i] - h2).abs() < 1e-8);
            // general and group parts add up to the communality
            let tot = sl.general_loadings[i].powi(2) + sl.group_loadings.row(i).norm_squared();
            assert!((tot - h2).abs() < 1e-3, "item {i}: {tot} vs {h2}");
        }
    }

    #[test]
    fn schmid_two_factors_uses_equal_option() {
        let (r, _, _) = higher_order_population();
        let sl = schmid(&r, 2, &SchmidOptions::default()).unwrap();
        let r12 = sl.phi[(0, 1)];
        assert!((sl.factor_general_loadings[0] - r12.abs().sqrt()).abs() < 1e-15);
        assert!(sl.warnings.iter().any(|w| w.code == WarningCode::Note));
    }

    #[test]
    fn schmid_one_factor_has_no_group_part() {
        let (r, _, _) = higher_order_population();
        let sl = schmid(&r, 1, &SchmidOptions::default()).unwrap();
        // psych computes 1 - (1 - l^2) - l^2, so rounding noise (sqrt of ~1e-16) remains, as in psych.
        assert!(sl.group_loadings.iter().all(|&x| x.abs() < 3e-8));
        assert_eq!(
            sl.general_loadings,
            sl.extraction.loadings.column(0).into_owned()
        );
    }
}
