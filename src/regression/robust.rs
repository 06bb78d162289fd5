//! Heteroskedasticity-consistent (HC0–HC3) and cluster-robust (CR0–CR3) covariances.

use super::qr::{dot, Design, LinearFit, BLOCK_ROWS};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// The small-sample variant of a sandwich covariance (sandwich's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HcType {
    /// $\omega_i = e_i^2$ (White 1980).
    Hc0,
    /// $\omega_i = e_i^2\\, n/(n-k)$.
    Hc1,
    /// $\omega_i = e_i^2/(1-h_i)$.
    Hc2,
    /// $\omega_i = e_i^2/(1-h_i)^2$ (sandwich's default for `vcovHC`).
    Hc3,
}

impl HcType {
    /// Parses `hc0`..`hc3` (any case).
    pub fn parse(s: &str) -> Result<HcType> {
        match s.to_ascii_lowercase().as_str() {
            "hc0" => Ok(HcType::Hc0),
            "hc1" => Ok(HcType::Hc1),
            "hc2" => Ok(HcType::Hc2),
            "hc3" => Ok(HcType::Hc3),
            other => Err(Error::option(
                "--robust",
                format!("expected hc0, hc1, hc2 or hc3, found \"{other}\""),
            )),
        }
    }

    /// `HC0`..`HC3`.
    pub fn name(&self) -> &'static str {
        match self {
            HcType::Hc0 => "HC0",
            HcType::Hc1 => "HC1",
            HcType::Hc2 => "HC2",
            HcType::Hc3 => "HC3",
        }
    }

    /// `CR0`..`CR3`, the clustered counterparts.
    pub fn cluster_name(&self) -> &'static str {
        match self {
            HcType::Hc0 => "CR0",
            HcType::Hc1 => "CR1",
            HcType::Hc2 => "CR2",
            HcType::Hc3 => "CR3",
        }
    }
}

/// Which covariance of the estimates to report.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Covariance {
    /// $\hat\sigma^2(X'X)^{-1}$.
    #[default]
    Classical,
    /// A heteroskedasticity-consistent sandwich ([`vcov_hc`]).
    Hc(HcType),
    /// A cluster-robust sandwich ([`vcov_cluster`]); `ids[i]` is row i's cluster (0-based).
    Cluster {
        /// Cluster index per row.
        ids: Vec<usize>,
        /// Variant (sandwich's default for `lm` is HC1, i.e. CR1).
        kind: HcType,
    },
}

/// Heteroskedasticity-consistent covariance of OLS estimates.
///
/// # Formula
/// $$V = (X'X)^{-1}X'\Omega X(X'X)^{-1} = R^{-1}\Bigl(\sum_i \omega_i u_i u_i'\Bigr)R^{-T},$$
/// with $u_i$ the rows of $U = XR^{-1}$, $h_i = \lVert u_i\rVert^2$ and $\omega_i$ as in [`HcType`].
///
/// # Reference
/// White, H. (1980). *Econometrica, 48*, 817–838. MacKinnon, J. G., & White, H. (1985).
/// *Journal of Econometrics, 29*, 305–325. Long, J. S., & Ervin, L. H. (2000). *The American
/// Statistician, 54*, 217–224.
///
/// # Peer
/// R sandwich 3.0.2 `vcovHC(fit, type = "HC0" | "HC1" | "HC2" | "HC3")`.
///
/// # Deviations
/// An observation with leverage 1 makes HC2/HC3 undefined (sandwich returns `NaN`); here it is
/// an error naming the row.
pub fn vcov_hc(fit: &LinearFit, x: Design<'_>, kind: HcType) -> Result<DMatrix<f64>> {
    let n = fit.n;
    let k = fit.k();
    let adj = n as f64 / (n - k) as f64;
    // meat = U' diag(w) U, accumulated over blocks of rows of U = X R^-1
    let mut meat = DMatrix::<f64>::zeros(k, k);
    let mut w = vec![0.0; BLOCK_ROWS];
    let mut wu = vec![0.0; BLOCK_ROWS];
    let mut start = 0;
    while start < n {
        let len = BLOCK_ROWS.min(n - start);
        let u = fit.orthonormal_rows(x, start, len);
        let w = &mut w[..len];
        for (wi, e) in w.iter_mut().zip(&fit.residuals[start..start + len]) {
            *wi = e * e;
        }
        match kind {
            HcType::Hc0 => {}
            HcType::Hc1 => w.iter_mut().for_each(|v| *v *= adj),
            HcType::Hc2 | HcType::Hc3 => {
                let mut h = vec![0.0; len];
                for c in u.column_iter() {
                    for (hi, v) in h.iter_mut().zip(c.iter()) {
                        *hi += v * v;
                    }
                }
                for (i, (wi, hi)) in w.iter_mut().zip(&h).enumerate() {
                    let one_h = 1.0 - hi;
                    if one_h <= 1e-10 {
                        return Err(Error::option(
                            "--robust",
                            format!(
                                "data row {} has leverage 1, so {} is undefined; use hc0 or hc1",
                                start + i + 1,
                                kind.name()
                            ),
                        ));
                    }
                    *wi /= if kind == HcType::Hc2 {
                        one_h
                    } else {
                        one_h * one_h
                    };
                }
            }
        }
        let wu = &mut wu[..len];
        for a in 0..k {
            for ((t, wi), ua) in wu.iter_mut().zip(w.iter()).zip(u.column(a).iter()) {
                *t = wi * ua;
            }
            for b in 0..=a {
                meat[(a, b)] += dot(wu, u.column(b).as_slice());
            }
        }
        start += len;
    }
    symmetrise(&mut meat);
    Ok(&fit.r_inv * meat * fit.r_inv.transpose())
}

/// Cluster-robust covariance of OLS estimates; returns it and the number of clusters.
///
/// # Formula
/// With clusters $g = 1..G$, rows $U_g$ of $U = XR^{-1}$ and residuals $e_g$:
/// $$V = c\\,R^{-1}\Bigl(\sum_g s_g s_g'\Bigr)R^{-T},\qquad s_g = U_g'\tilde e_g,$$
/// where CR0: $\tilde e_g = e_g$, $c = G/(G-1)$; CR1: $\tilde e_g = e_g$,
/// $c = \frac{G}{G-1}\frac{n-1}{n-k}$; CR2: $\tilde e_g = (I - U_gU_g')^{-1/2}e_g$, $c = 1$;
/// CR3: $\tilde e_g = (I - U_gU_g')^{-1}e_g$, $c = 1$. The block powers are applied through
/// the $k\times k$ matrix $M_g = U_g'U_g = W\Lambda W'$:
/// $(I-U_gU_g')^{-1}e = e + U_g(I-M_g)^{-1}U_g'e$ and
/// $(I-U_gU_g')^{-1/2}e = e + U_gW\\,\mathrm{diag}\bigl(((1-\lambda)^{-1/2}-1)/\lambda\bigr)W'U_g'e$,
/// so a cluster of $n_g$ rows costs $O(n_g k^2)$, not $O(n_g^3)$.
///
/// # Reference
/// Liang, K.-Y., & Zeger, S. L. (1986). *Biometrika, 73*, 13–22. Bell, R. M., & McCaffrey,
/// D. F. (2002). *Survey Methodology, 28*, 169–181. Cameron, A. C., & Miller, D. L. (2015).
/// *Journal of Human Resources, 50*, 317–372. Zeileis, A., Köll, S., & Graham, N. (2020).
/// Various versatile variances. *Journal of Statistical Software, 95*(1).
///
/// # Peer
/// R sandwich 3.0.2 `vcovCL(fit, cluster = ~G, type = "HC0" | "HC1" | "HC2" | "HC3")` with its
/// default `cadjust = TRUE` (`type = "HC1"` is its default for `lm`, i.e. CR1 with
/// $G/(G-1)\cdot(n-1)/(n-k)$; for HC2/HC3 sandwich multiplies by $\sqrt{(G-1)/G}$, which cancels
/// the cluster adjustment).
pub fn vcov_cluster(
    fit: &LinearFit,
    x: Design<'_>,
    ids: &[usize],
    kind: HcType,
) -> Result<(DMatrix<f64>, usize)> {
    let n = fit.n;
    let k = fit.k();
    if ids.len() != n {
        return Err(Error::option(
            "--cluster",
            "cluster ids do not match the rows",
        ));
    }
    let g = ids.iter().copied().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); g];
    for (i, &c) in ids.iter().enumerate() {
        members[c].push(i);
    }
    members.retain(|m| !m.is_empty());
    let g = members.len();
    if g < 2 {
        return Err(Error::option(
            "--cluster",
            format!("cluster-robust standard errors need at least 2 clusters, found {g}"),
        ));
    }
    let mut meat = DMatrix::<f64>::zeros(k, k);
    for rows in &members {
        let ug = x.select(rows) * &fit.r_inv;
        let eg = DVector::from_iterator(rows.len(), rows.iter().map(|&i| fit.residuals[i]));
        let ute = ug.transpose() * &eg;
        let s = match kind {
            HcType::Hc0 | HcType::Hc1 => ute,
            HcType::Hc2 | HcType::Hc3 => {
                let m = ug.transpose() * &ug;
                // s = U'(e + U D U'e) = (I + M D) U'e
                let d = block_power(&m, kind == HcType::Hc2).ok_or_else(|| {
                    Error::option(
                        "--cluster",
                        format!(
                            "a cluster's rows have leverage 1 (data rows {}..), so {} is undefined; use hc0 or hc1",
                            rows[0] + 1,
                            kind.cluster_name()
                        ),
                    )
                })?;
                &ute + &m * (d * &ute)
            }
        };
        meat += &s * s.transpose();
    }
    let gf = g as f64;
    let c = match kind {
        HcType::Hc0 => gf / (gf - 1.0),
        HcType::Hc1 => gf / (gf - 1.0) * (n as f64 - 1.0) / (n - k) as f64,
        HcType::Hc2 | HcType::Hc3 => 1.0,
    };
    symmetrise(&mut meat);
    Ok((&fit.r_inv * meat * fit.r_inv.transpose() * c, g))
}

/// The $k\times k$ matrix $D$ with $(I - UU')^{-p}e = e + UDU'e$ for $M = U'U$:
/// $p = 1/2$: $D = W\mathrm{diag}(((1-\lambda)^{-1/2}-1)/\lambda)W'$; $p = 1$: $D = (I-M)^{-1}$.
fn block_power(m: &DMatrix<f64>, half: bool) -> Option<DMatrix<f64>> {
    let k = m.nrows();
    let eig = m.clone().symmetric_eigen();
    if eig.eigenvalues.iter().any(|&l| l >= 1.0 - 1e-10) {
        return None;
    }
    let f = |l: f64| -> f64 {
        if half {
            if l.abs() < 1e-8 {
                // series of ((1-l)^(-1/2) - 1)/l
                0.5 + 0.375 * l
            } else {
                ((1.0 - l).powf(-0.5) - 1.0) / l
            }
        } else {
            1.0 / (1.0 - l)
        }
    };
    let mut d = DMatrix::<f64>::zeros(k, k);
    for (c, &l) in eig.eigenvalues.iter().enumerate() {
        let w = eig.eigenvectors.column(c);
        d += f(l) * w * w.transpose();
    }
    Some(d)
}

fn symmetrise(m: &mut DMatrix<f64>) {
    let k = m.nrows();
    for a in 0..k {
        for b in 0..a {
            m[(b, a)] = m[(a, b)];
        }
    }
}

/// Bell–McCaffrey degrees of freedom of one coefficient's CR2 variance: the Satterthwaite
/// approximation of Pustejovsky & Tipton (2018) with the working model $\Phi = I$, as
/// clubSandwich's `coef_test(vcov = "CR2", test = "Satterthwaite")` computes it for `lm`.
///
/// # Formula
/// $X$ ($n\times k$) is the full design, intercept included, $B = (X'X)^{-1}$, $H = XBX'$,
/// $e_j$ the unit vector of the coefficient. Per cluster $g$ (rows $X_g$):
/// $A_g = (I - H_{gg})^{-1/2}$ (symmetric root, as CR2 uses), $p_g = A_gX_gBe_j$, and
/// $q_g = (I - H)_{\cdot g}\\,p_g$ ($n$-vector). With $M = Q'Q$ ($G\times G$, $M_{gh} = q_g'q_h$),
/// $$\nu = \frac{2\\,E[e_j'V^{CR2}e_j]^2}{\mathrm{Var}[e_j'V^{CR2}e_j]}
///   = \frac{(\mathrm{tr}\\,M)^2}{\sum_{g,h} M_{gh}^2}.$$
/// Memory and time are $O(nG)$: meant for designs with a modest number of rows (an
/// evaluation's leaders), not for `regress` on a million rows.
///
/// # Reference
/// Bell, R. M., & McCaffrey, D. F. (2002). Bias reduction in standard errors for linear
/// regression with multi-stage samples. *Survey Methodology, 28*, 169–181. Pustejovsky, J. E.,
/// & Tipton, E. (2018). Small-sample methods for cluster-robust variance estimation and
/// hypothesis testing in fixed effects models. *Journal of Business & Economic Statistics, 36*,
/// 672–683.
///
/// # Peer
/// R clubSandwich 0.5.8 `coef_test(fit, vcov = "CR2", cluster = G, test = "Satterthwaite")$df_Satt`
/// (`tests/fixtures/cr2/`).
pub fn cr2_satterthwaite_df(x: &DMatrix<f64>, ids: &[usize], coef: usize) -> Result<f64> {
    let (n, k) = (x.nrows(), x.ncols());
    if ids.len() != n || coef >= k {
        return Err(Error::option(
            "--cluster",
            "cluster ids or the coefficient do not match the design",
        ));
    }
    let xtx = x.transpose() * x;
    let chol = xtx.cholesky().ok_or_else(|| Error::NotPositiveDefinite {
        what: "X'X of the clustered regression".into(),
        index: format!("coefficient {}", coef + 1),
    })?;
    let b = chol.inverse();
    let bc = b.column(coef).clone_owned();
    // C with C C' = B: U = X C has U_g U_g' = H_gg
    let c = chol
        .l()
        .transpose()
        .solve_upper_triangular(&DMatrix::identity(k, k))
        .ok_or_else(|| Error::NotPositiveDefinite {
            what: "X'X of the clustered regression".into(),
            index: format!("coefficient {}", coef + 1),
        })?;
    let g = ids.iter().copied().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); g];
    for (i, &id) in ids.iter().enumerate() {
        members[id].push(i);
    }
    members.retain(|m| !m.is_empty());
    let mut q = DMatrix::<f64>::zeros(n, members.len());
    for (col, rows) in members.iter().enumerate() {
        let xg = x.select_rows(rows);
        let ug = &xg * &c;
        let m = ug.transpose() * &ug;
        let d = block_power(&m, true).ok_or_else(|| {
            Error::option(
                "--cluster",
                format!(
                    "a cluster's rows have leverage 1 (data rows {}..), so CR2 is undefined",
                    rows[0] + 1
                ),
            )
        })?;
        // p_g = (I + U D U') X_g B e_j
        let v = &xg * &bc;
        let pg = &v + &ug * (&d * (ug.transpose() * &v));
        // q_g = p_g (embedded) - X B X_g' p_g
        let w = &b * (xg.transpose() * &pg);
        let xw = x * w;
        for (r, &i) in rows.iter().enumerate() {
            q[(i, col)] += pg[r];
        }
        for i in 0..n {
            q[(i, col)] -= xw[i];
        }
    }
    let m = q.transpose() * &q;
    let tr = m.trace();
    let ss: f64 = m.iter().map(|v| v * v).sum();
    if ss > 0.0 && tr.is_finite() {
        Ok(tr * tr / ss)
    } else {
        Err(Error::option(
            "--cluster",
            "the CR2 degrees of freedom are undefined",
        ))
    }
}
