//! McDonald's omega (total and hierarchical) from a Schmid–Leiman solution, as `psych::omega`.
//!
//! # Formula
//! With general loadings $g$, group loadings $s$, uniquenesses $u^2$ (from
//! [`schmid`]) and $V_t = \mathbf 1^\top R\\,\mathbf 1$ the variance
//! of the unit-weighted sum score,
//! $$\omega_t = \frac{V_t - \sum_i u^2_i}{V_t}, \qquad \omega_h = \frac{(\sum_i g_i)^2}{V_t}.$$
//!
//! # Reference
//! McDonald, R. P. (1999). *Test theory: A unified treatment*. Lawrence Erlbaum.
//! Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's α, Revelle's β, and
//! McDonald's ωH: Their relations with each other and two alternative conceptualizations of
//! reliability. *Psychometrika*, 70(1), 123–133.
//! Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb: Comments on
//! Sijtsma. *Psychometrika*, 74(1), 145–154.
//!
//! # Peer
//! psych 2.2.9 `omega(m, nfactors = 3, fm = "minres", rotate = "oblimin", flip = TRUE)`.

use crate::error::{Error, Warning, WarningCode};
use crate::factor::schmid::{schmid, Schmid, SchmidOptions};
use crate::factor::smc;
use crate::numeric::eigen::as_correlation;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options for [`omega`]. `Default` is psych 2.2.9's `omega(fm = "minres", rotate = "oblimin",
/// flip = TRUE, option = "equal")`.
#[derive(Debug, Clone, PartialEq)]
pub struct OmegaOptions {
    /// The Schmid–Leiman settings.
    pub schmid: SchmidOptions,
    /// Reverse items whose general loading is negative before computing omega (psych `flip = TRUE`).
    pub flip: bool,
    /// A user key of $\pm 1$ per item, applied to $R$ before anything else; it turns `flip` off
    /// (psych `key`).
    pub key: Option<Vec<f64>>,
}

impl Default for OmegaOptions {
    fn default() -> Self {
        OmegaOptions {
            schmid: SchmidOptions::default(),
            flip: true,
            key: None,
        }
    }
}

impl OmegaOptions {
    /// Checks the options for $p$ items; returns [`Error::InvalidOption`] when unusable.
    pub fn validate(&self, p: usize) -> Result<(), Error> {
        if let Some(key) = &self.key {
            if key.len() != p {
                return Err(Error::option(
                    "--key",
                    format!(
                        "expected one key (1 or -1) per item ({p}), found {}",
                        key.len()
                    ),
                ));
            }
            if let Some(bad) = key.iter().find(|&&k| k != 1.0 && k != -1.0) {
                return Err(Error::option(
                    "--key",
                    format!("expected 1 or -1, found {bad}"),
                ));
            }
        }
        Ok(())
    }
}

/// Omega coefficients of one group factor (a row of psych's `omega.group`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OmegaGroup {
    /// `"g"` for the whole test, else `"F1*"`, `"F2*"`, ...
    pub factor: String,
    /// Items assigned to the factor (largest absolute group loading), 0-based.
    pub items: Vec<usize>,
    /// psych `total`: for `"g"` the test's $\omega_t$; for a group,
    /// $\bigl((\sum_{i \in G} s_{ij})^2 + (\sum_{i\in G} g_i)^2\bigr) / V_G$.
    pub total: Option<f64>,
    /// psych `general`: $(\sum_{i\in G} g_i)^2 / V_G$.
    pub general: Option<f64>,
    /// psych `group`: $(\sum_{i\in G} s_{ij})^2 / V_G$ (for `"g"`: the sum over groups divided by $V_t$).
    pub group: Option<f64>,
}

/// Omega and its Schmid–Leiman solution.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OmegaResult {
    /// $\omega_t$ (psych `omega.tot`).
    pub omega_total: f64,
    /// $\omega_h$ (psych `omega_h`).
    pub omega_hierarchical: f64,
    /// $\omega_h / \omega_t$, i.e. $(\sum g)^2 / (V_t - \sum u^2)$ (psych `omega.lim`).
    pub omega_limit: f64,
    /// Cronbach's alpha of the (flipped) items, $\frac{p}{p-1}\frac{V_t - \mathrm{tr} R}{V_t}$ (psych `alpha`).
    pub alpha: f64,
    /// Guttman's $\lambda_6$, $(V_t + \sum \mathrm{SMC} - \mathrm{tr} R)/V_t$ (psych `G6`).
    pub lambda6: f64,
    /// Explained common variance of the general factor (psych `ECV`).
    pub ecv: f64,
    /// General factor loadings, after flipping (psych `schmid$sl[, "g"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub general_loadings: DVector<f64>,
    /// Group factor loadings, after flipping (psych `schmid$sl[, "F1*"...]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_matrix")]
    #[schemars(with = "Vec<Vec<f64>>")]
    pub group_loadings: DMatrix<f64>,
    /// Communalities (psych `sl[, "h2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub h2: DVector<f64>,
    /// Uniquenesses (psych `sl[, "u2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub u2: DVector<f64>,
    /// $g^2 / h^2$ (psych `sl[, "p2"]`).
    #[serde(serialize_with = "crate::numeric::serde_matrix::ser_vector")]
    #[schemars(with = "Vec<f64>")]
    pub p2: DVector<f64>,
    /// The key applied: $-1$ for reversed items (psych `key`).
    pub key: Vec<f64>,
    /// psych's `omega.group` table: the general factor first, then each group factor.
    pub omega_group: Vec<OmegaGroup>,
    /// $V_t$, the sum of the (flipped) correlation matrix.
    pub total_variance: f64,
    /// The Schmid–Leiman solution before flipping.
    pub schmid: Schmid,
    /// Whether every iterative step converged.
    pub converged: bool,
    /// Warnings of all steps; flipped items are listed as a [`WarningCode::NegativeItem`].
    pub warnings: Vec<Warning>,
}

/// McDonald's omega total and omega hierarchical (Schmid–Leiman), psych style.
///
/// # Formula
/// $$\omega_t = \frac{V_t - \sum_i u^2_i}{V_t}, \qquad \omega_h = \frac{(\sum_i g_i)^2}{V_t},
/// \qquad V_t = \sum_{i,j} (KRK)\_{ij},$$
/// where $g$, $u^2$ come from [`schmid`] on $R$ and $K = \mathrm{diag}(k)$ flips items with a
/// negative general loading ($k_i = \mathrm{sign}(g_i)$, 0 taken as 1; the $g_i$ and group
/// loadings are flipped with them). Also
/// $\omega_{lim} = (\sum g)^2 / (V_t - \sum u^2)$, $\alpha = \frac{p}{p-1}(V_t - \mathrm{tr}R)/V_t$,
/// $\lambda_6 = (V_t + \sum_i \mathrm{SMC}\_i - \mathrm{tr}R)/V_t$ and
/// $\mathrm{ECV} = \sum g^2 / (\sum g^2 + \sum s^2)$.
///
/// # Reference
/// McDonald, R. P. (1999). *Test theory: A unified treatment*. Lawrence Erlbaum.
/// Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's α, Revelle's β, and
/// McDonald's ωH: Their relations with each other and two alternative conceptualizations of
/// reliability. *Psychometrika*, 70(1), 123–133.
///
/// # Peer
/// psych 2.2.9 `omega(m, nfactors, fm = "minres", rotate = "oblimin", flip = TRUE)`:
/// `omega.tot`, `omega_h`, `omega.lim`, `alpha`, `G6`, `ECV`, `key`, `omega.group`,
/// `schmid$sl`. On the bfi 15-item reference case (02) $\omega_t$ agrees to 1e-9 and $\omega_h$
/// to 3e-7; the difference is psych's early-stopping optimiser (see
/// [`minres`](crate::factor::minres::minres)), and both agree to 1e-9 with psych run to a tight optimum.
///
/// # Deviations
/// - psych quirk kept: $u^2 = 1 - h^2$ uses the first-order communalities, and `omega.group`'s
///   `total` for a group factor is $(\sum s)^2 + (\sum g)^2$ over $V_G$ (no uniqueness term).
/// - An item with $g_i = 0$ is not flipped (psych: `sign(0)` replaced by 1).
pub fn omega(r: &DMatrix<f64>, nfactors: usize, opts: &OmegaOptions) -> Result<OmegaResult, Error> {
    let mut m = as_correlation(r, "correlation matrix")?;
    let p = m.nrows();
    opts.validate(p)?;
    let mut flip = opts.flip;
    let mut key: Vec<f64> = vec![1.0; p];
    if let Some(k) = &opts.key {
        key.clone_from(k);
        m = DMatrix::from_fn(p, p, |i, j| key[i] * m[(i, j)] * key[j]);
        flip = false;
    }
    let sl = schmid(&m, nfactors, &opts.schmid)?;
    let mut warnings = sl.warnings.clone();
    let mut g = sl.general_loadings.clone();
    let mut s = sl.group_loadings.clone();
    if flip {
        key = g
            .iter()
            .map(|&x| if x < 0.0 { -1.0 } else { 1.0 })
            .collect();
        if key.iter().any(|&k| k < 0.0) {
            m = DMatrix::from_fn(p, p, |i, j| key[i] * m[(i, j)] * key[j]);
            for i in 0..p {
                if key[i] < 0.0 {
                    g[i] = -g[i];
                    s.row_mut(i).neg_mut();
                }
            }
            let flipped: Vec<String> = (0..p)
                .filter(|&i| key[i] < 0.0)
                .map(|i| (i + 1).to_string())
                .collect();
            warnings.push(Warning::new(
                WarningCode::NegativeItem,
                format!(
                    "items {} load negatively on the general factor and were reversed for omega",
                    flipped.join(", ")
                ),
            ));
        }
    }
    let vt = m.sum();
    if vt.is_nan() || vt <= 0.0 {
        return Err(Error::option(
            "--items",
            format!("the sum of the correlation matrix is {vt}; the sum score has no variance"),
        ));
    }
    let trace = m.trace();
    let gsum = g.sum();
    let gsq = gsum * gsum;
    let uniq = sl.u2.sum();
    let omega_total = (vt - uniq) / vt;
    let omega_hierarchical = gsq / vt;
    let omega_limit = gsq / (vt - uniq);
    let alpha = ((vt - trace) / vt) * (p as f64 / (p as f64 - 1.0));
    let mut smc_warnings = Vec::new();
    let sum_smc = smc(&m, &mut smc_warnings)?.sum();
    let lambda6 = (vt + sum_smc - trace) / vt;
    let ev_g = g.norm_squared();
    let ev_s = s.norm_squared();
    let ecv = ev_g / (ev_g + ev_s);

    // psych's omega.group: items go to the group factor with the largest |loading| (first on ties).
    let assign: Vec<usize> = (0..p)
        .map(|i| {
            let mut best = 0;
            for j in 1..nfactors {
                if s[(i, j)].abs() > s[(i, best)].abs() {
                    best = j;
                }
            }
            best
        })
        .collect();
    let mut groups = Vec::with_capacity(nfactors);
    let mut grs = 0.0;
    for j in 0..nfactors {
        let items: Vec<usize> = (0..p).filter(|&i| assign[i] == j).collect();
        let name = format!("F{}*", j + 1);
        if items.is_empty() {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "group factor {name} has no items (no item loads most on it): its omega total, general and group are not defined; reported as null"
                ),
            ));
            groups.push(OmegaGroup {
                factor: name,
                items,
                total: None,
                general: None,
                group: None,
            });
            continue;
        }
        let vgr: f64 = items
            .iter()
            .flat_map(|&a| items.iter().map(move |&b| (a, b)))
            .map(|(a, b)| m[(a, b)])
            .sum();
        let gr: f64 = items.iter().map(|&i| s[(i, j)]).sum();
        let gg: f64 = items.iter().map(|&i| g[i]).sum();
        grs += gr * gr;
        groups.push(OmegaGroup {
            factor: name,
            items,
            total: Some((gr * gr + gg * gg) / vgr),
            general: Some(gg * gg / vgr),
            group: Some(gr * gr / vgr),
        });
    }
    let mut omega_group = Vec::with_capacity(nfactors + 1);
    omega_group.push(OmegaGroup {
        factor: "g".into(),
        items: (0..p).collect(),
        total: Some(omega_total),
        general: Some(omega_hierarchical),
        group: Some(grs / vt),
    });
    omega_group.extend(groups);

    Ok(OmegaResult {
        omega_total,
        omega_hierarchical,
        omega_limit,
        alpha,
        lambda6,
        ecv,
        general_loadings: g,
        group_loadings: s,
        h2: sl.h2.clone(),
        u2: sl.u2.clone(),
        p2: sl.p2.clone(),
        key,
        omega_group,
        total_variance: vt,
        converged: sl.converged,
        schmid: sl,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::factor::testdata::{bfi15, json, matrix, vector};

    fn case02_r() -> DMatrix<f64> {
        bfi15(true)
    }

    /// Reference case 02 (psych 2.2.9, GPArotation 2022.10.2, R 4.2.2):
    /// `omega(x, nfactors = 3, fm = "minres", rotate = "oblimin")` on the 15 reversed bfi items.
    #[test]
    fn omega_bfi15_matches_psych_reference_case_02() {
        let case = json("reliability/02-reliability-bfi-15items-omega/case.json");
        let expected_t = case["expected"]["omega_total"].as_f64().unwrap();
        let expected_h = case["expected"]["omega_hierarchical"].as_f64().unwrap();
        let r = case02_r();
        let om = omega(&r, 3, &OmegaOptions::default()).unwrap();
        assert!(om.converged, "{:?}", om.warnings);
        assert!(om.key.iter().all(|&k| k == 1.0), "psych flipped no item");
        let dt = (om.omega_total - expected_t).abs();
        let dh = (om.omega_hierarchical - expected_h).abs();
        eprintln!(
            "case 02: omega_total {:.15} (diff {dt:.2e}), omega_h {:.15} (diff {dh:.2e})",
            om.omega_total, om.omega_hierarchical
        );
        // case tolerance is 1e-3; psych's early-stopping optimiser explains ~3e-7 (see docs).
        assert!(
            dt < 1e-8,
            "omega_total expected {expected_t} got {} (tol 1e-8)",
            om.omega_total
        );
        assert!(
            dh < 1e-6,
            "omega_hierarchical expected {expected_h} got {} (tol 1e-6)",
            om.omega_hierarchical
        );
    }

    /// Compares an omega result with psych's values `e` (one entry of psych_tight.json).
    fn check_omega(label: &str, om: &OmegaResult, e: &serde_json::Value, tol: f64) -> f64 {
        let mut worst: f64 = 0.0;
        let mut cmp = |what: &str, got: f64, want: f64, tol: f64| {
            let d = (got - want).abs();
            assert!(
                d <= tol,
                "{label}: {what} expected {want} got {got} (tol {tol:e})"
            );
            worst = worst.max(d);
        };
        cmp(
            "omega_total",
            om.omega_total,
            e["omega_total"].as_f64().unwrap(),
            tol,
        );
        cmp(
            "omega_h",
            om.omega_hierarchical,
            e["omega_h"].as_f64().unwrap(),
            tol,
        );
        cmp(
            "omega_lim",
            om.omega_limit,
            e["omega_lim"].as_f64().unwrap(),
            tol,
        );
        cmp("alpha", om.alpha, e["alpha"].as_f64().unwrap(), 1e-12);
        cmp("G6", om.lambda6, e["G6"].as_f64().unwrap(), 1e-12);
        cmp("ECV", om.ecv, e["ECV"].as_f64().unwrap(), tol);
        let key = vector(&e["key"]);
        assert_eq!(
            om.key,
            key.iter().copied().collect::<Vec<_>>(),
            "{label}: key"
        );
        let sl = matrix(&e["sl"]);
        let nf = om.group_loadings.ncols();
        // psych's one-factor group column is sqrt(rounding noise), ~1e-8.
        let group_tol = if nf == 1 { 5e-8 } else { tol };
        for i in 0..sl.nrows() {
            cmp(
                &format!("sl[{i}, g]"),
                om.general_loadings[i],
                sl[(i, 0)],
                tol,
            );
            for j in 0..nf {
                cmp(
                    &format!("sl[{i}, F{}*]", j + 1),
                    om.group_loadings[(i, j)],
                    sl[(i, j + 1)],
                    group_tol,
                );
            }
            cmp(&format!("sl[{i}, h2]"), om.h2[i], sl[(i, nf + 1)], tol);
            cmp(&format!("sl[{i}, u2]"), om.u2[i], sl[(i, nf + 2)], tol);
            cmp(&format!("sl[{i}, p2]"), om.p2[i], sl[(i, nf + 3)], tol);
        }
        let gl = vector(&e["gloading"]);
        for j in 0..nf {
            cmp("gloading", om.schmid.factor_general_loadings[j], gl[j], tol);
        }
        if nf > 1 {
            let phi = matrix(&e["phi"]);
            for a in 0..nf {
                for b in 0..nf {
                    cmp("phi", om.schmid.phi[(a, b)], phi[(a, b)], tol);
                }
            }
        }
        let og = matrix(&e["omega_group"]);
        for (row, grp) in om.omega_group.iter().enumerate() {
            for (c, v) in [grp.total, grp.general, grp.group].into_iter().enumerate() {
                let want = og[(row, c)];
                match v {
                    Some(v) => cmp(&format!("omega_group[{row}, {c}]"), v, want, group_tol),
                    None => assert!(
                        want.is_nan(),
                        "{label}: omega_group[{row}, {c}] expected {want}, got none"
                    ),
                }
            }
        }
        worst
    }

    /// psych run to a tight minres optimum (tests/fixtures/efa/psych_tight/generate.R):
    /// everything agrees to rounding, for 3, 2 and 1 factors and with items to flip.
    #[test]
    fn omega_bfi15_matches_tight_psych_all_outputs() {
        let all = json("efa/psych_tight/psych_tight.json");
        for (label, reversed, nf) in [
            ("f3", true, 3),
            ("f2", true, 2),
            ("f1", true, 1),
            ("f3_unreversed", false, 3),
        ] {
            let r = bfi15(reversed);
            let om = omega(&r, nf, &OmegaOptions::default()).unwrap();
            assert!(om.converged, "{label}: {:?}", om.warnings);
            let tight = check_omega(label, &om, &all["tight"]["omega15"][label], 1e-8);
            // psych at its default stopping rule: the early-stop gap.
            let default = check_omega(label, &om, &all["default"]["omega15"][label], 2e-5);
            eprintln!("omega15 {label}: max |diff| vs tight psych {tight:.1e}, vs default psych {default:.1e}");
        }
    }

    #[test]
    fn omega_flips_items_with_negative_general_loadings() {
        let r = case02_r();
        let base = omega(&r, 3, &OmegaOptions::default()).unwrap();
        // Reverse items 1 and 4 in the input: omega must flip them back and give the same values.
        let k = [
            -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        ];
        let rf = DMatrix::from_fn(15, 15, |i, j| k[i] * r[(i, j)] * k[j]);
        let om = omega(&rf, 3, &OmegaOptions::default()).unwrap();
        assert_eq!(om.key, k.to_vec());
        assert!((om.omega_total - base.omega_total).abs() < 1e-9);
        assert!((om.omega_hierarchical - base.omega_hierarchical).abs() < 1e-7);
        assert!(om
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::NegativeItem));
        // Without flipping, the sum score mixes directions and omega_h drops.
        let nf = omega(
            &rf,
            3,
            &OmegaOptions {
                flip: false,
                ..OmegaOptions::default()
            },
        )
        .unwrap();
        assert!(nf.omega_hierarchical < om.omega_hierarchical);
        // A user key undoes the reversal and turns flipping off.
        let keyed = omega(
            &rf,
            3,
            &OmegaOptions {
                key: Some(k.to_vec()),
                ..OmegaOptions::default()
            },
        )
        .unwrap();
        assert!((keyed.omega_hierarchical - base.omega_hierarchical).abs() < 1e-9);
    }

    #[test]
    fn omega_rejects_bad_key() {
        let r = DMatrix::<f64>::identity(4, 4);
        let o = OmegaOptions {
            key: Some(vec![1.0, 2.0, 1.0, 1.0]),
            ..OmegaOptions::default()
        };
        assert!(matches!(omega(&r, 1, &o), Err(Error::InvalidOption { .. })));
    }
}
