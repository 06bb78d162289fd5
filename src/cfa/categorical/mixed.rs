//! Steps 1 and 2 for a mixed model (ordered and continuous indicators): thresholds, means,
//! variances, polychoric, polyserial and Pearson correlations, and their asymptotic
//! covariance matrix $\Gamma$, from casewise scores in one pass.
//!
//! # Formula
//! Step 1, per variable: the thresholds of an ordered item as in [`super::stats`]; the mean
//! $\bar y_j$ and the variance $s_j^2 = \frac1n\sum_i (y_{ij} - \bar y_j)^2$ of a continuous
//! one (normal maximum likelihood).
//!
//! Step 2, per pair, with the step-1 estimates held fixed:
//! - two ordered items: the polychoric correlation ([`super::stats`]);
//! - two continuous variables: the Pearson correlation $r = s_{ij}/(s_is_j)$;
//! - continuous $x$ and ordered $y$ (Olsson, Drasgow & Dorans, 1982, two-step): with
//!   $z = (x - \bar x)/s_x$, $R = \sqrt{1 - \rho^2}$ and the thresholds $\tau_{c-1}, \tau_c$
//!   around the answer $c$, the polyserial $\rho$ maximises
//!   $$\ell(\rho) = \sum_i \log\Bigl[\Phi\Bigl(\frac{\tau_{c_i} - \rho z_i}{R}\Bigr) -
//!   \Phi\Bigl(\frac{\tau_{c_i - 1} - \rho z_i}{R}\Bigr)\Bigr]$$
//!   on $[-0.995, 0.995]$ (lavaan's bounds); its score is
//!   $\ell_i' = \bigl[\phi(t_{c})(\rho\tau_{c} - z) - \phi(t_{c-1})(\rho\tau_{c-1} - z)\bigr]/(P_iR^3)$.
//!
//! The statistics are $s = (\text{thresholds and } -\bar y_j,\ s_j^2,\ \text{covariances})$
//! (layout in `Layout`); a covariance is the correlation times the standard deviations
//! of its continuous members ($1$ for an ordered item).
//!
//! $\Gamma$ (Muthén, 1984; lavaan's `muthen1984`): every case has the score vector $g_i$ of
//! all step-1 and step-2 estimating equations (threshold scores; mean scores
//! $(y - \bar y)/s^2$ and variance scores $-1/(2s^2) + (y - \bar y)^2/(2s^4)$; the correlation
//! scores of each pair from its bivariate likelihood). With $J = \sum_i g_ig_i^\top$, $A_{11}$
//! the per-variable diagonal blocks of $J$ (thresholds or mean and variance), $A_{22}$ the
//! diagonal of its correlation block, and $A_{21}$ the sums of each correlation score times
//! the derivatives of the same bivariate log-likelihood with respect to the step-1 parameters
//! of its two variables,
//! $$\Gamma = n\\,H B^{-1} J B^{-\top} H^\top,\qquad
//!   B = \begin{pmatrix} A_{11} & 0 \\\\ A_{21} & A_{22}\end{pmatrix},$$
//! where $H$ is the Jacobian of (step-1 statistics, covariances) with respect to (step-1
//! statistics, correlations): $\partial\sigma_{ij}/\partial\rho_{ij} = s_is_j$,
//! $\partial\sigma_{ij}/\partial s_i^2 = \rho_{ij}s_j/(2s_i)$ (with $s = 1$ for ordered
//! items). Rows and columns of the means change sign (the statistic is $-\bar y$). $J$ and
//! $A_{21}$ are accumulated in one parallel pass over fixed blocks of cases (a small panel of
//! scores multiplied into the block's sum); no $n \times p^*$ matrix is stored.
//!
//! # Reference
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115–132.
//! Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation coefficient.
//! *Psychometrika*, 47(3), 337–347.
//!
//! # Peer
//! lavaan 0.6.14 `lavInspect(fit, "wls.obs")` and `lavInspect(fit, "gamma")` of
//! `cfa(..., ordered = <some items>)`; tests `cfa_mixed`.
//!
//! # Deviations
//! lavaan maximises the polyserial likelihood with `nlminb`; the root of its score is found
//! here with Brent's method to machine precision (the correlations agree to about $10^{-8}$).

use super::stats::{self, OrderedStats, Ordinal, PairFit};
use super::Layout;
use crate::data::ItemData;
use crate::dist::{normal_cdf, normal_pdf};
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::DMatrix;
use rayon::prelude::*;

/// Cases per panel of the cross-product pass.
const PANEL: usize = 64;
/// Fixed number of blocks the cases are split into (independent of the thread count).
const BLOCKS: usize = 16;
/// lavaan's bounds for the polyserial correlation.
const RHO_MAX: f64 = 0.995;

/// One variable's step-1 data.
enum Var {
    /// Codes $0..K-1$ and thresholds.
    Ordered { codes: Vec<u8>, tau: Vec<f64> },
    /// Values, mean and variance ($1/n$).
    Numeric { x: Vec<f64>, mean: f64, var: f64 },
}

/// One pair's step-2 fit.
enum Pair {
    Ordered(PairFit),
    /// Pearson correlation of two continuous variables.
    Numeric(f64),
    /// Polyserial correlation; `num` is the continuous member.
    Mixed {
        rho: f64,
        num: usize,
        ord: usize,
    },
}

impl Pair {
    fn rho(&self) -> f64 {
        match self {
            Pair::Ordered(f) => f.rho,
            Pair::Numeric(r) => *r,
            Pair::Mixed { rho, .. } => *rho,
        }
    }
}

/// Upper and lower thresholds around category `c` (infinite at the ends).
fn bounds(tau: &[f64], c: usize) -> (f64, f64) {
    let up = tau.get(c).copied().unwrap_or(f64::INFINITY);
    let lo = if c == 0 {
        f64::NEG_INFINITY
    } else {
        tau[c - 1]
    };
    (up, lo)
}

/// Polyserial pieces of one case: the probability of its category given $z$, and
/// $\phi(t_c), \phi(t_{c-1})$ with $t = (\tau - \rho z)/R$.
fn polyserial_case(z: f64, up: f64, lo: f64, rho: f64) -> (f64, f64, f64, f64, f64) {
    let r = ((1.0 - rho) * (1.0 + rho)).sqrt();
    let tu = (up - rho * z) / r;
    let tl = (lo - rho * z) / r;
    let pu = if up.is_finite() { normal_pdf(tu) } else { 0.0 };
    let pl = if lo.is_finite() { normal_pdf(tl) } else { 0.0 };
    let p = (normal_cdf(tu) - normal_cdf(tl)).max(f64::EPSILON);
    (p, pu, pl, r, rho)
}

/// The polyserial correlation score $\ell_i'$ of one case (module docs).
fn polyserial_score(z: f64, up: f64, lo: f64, rho: f64) -> f64 {
    let (p, pu, pl, r, _) = polyserial_case(z, up, lo, rho);
    let a = if up.is_finite() {
        pu * (up * rho - z)
    } else {
        0.0
    };
    let b = if lo.is_finite() {
        pl * (lo * rho - z)
    } else {
        0.0
    };
    (a - b) / (p * r * r * r)
}

/// Two-step polyserial correlation of `x` (standardised as `z`) and the ordered `codes`.
fn polyserial(z: &[f64], codes: &[u8], tau: &[f64]) -> (f64, bool) {
    let score = |rho: f64| -> f64 {
        z.iter()
            .zip(codes)
            .map(|(&zi, &c)| {
                let (up, lo) = bounds(tau, c as usize);
                polyserial_score(zi, up, lo, rho)
            })
            .sum()
    };
    if let Some(r) = crate::numeric::optim::brent_root(score, -RHO_MAX, RHO_MAX) {
        return (r, true);
    }
    // no sign change of the score: the maximum is at a bound
    let loglik = |rho: f64| -> f64 {
        -z.iter()
            .zip(codes)
            .map(|(&zi, &c)| {
                let (up, lo) = bounds(tau, c as usize);
                polyserial_case(zi, up, lo, rho).0.ln()
            })
            .sum::<f64>()
    };
    let m = crate::numeric::optim::brent_min(
        loglik,
        -RHO_MAX,
        RHO_MAX,
        &crate::numeric::optim::BrentOptions::tight(1e-12),
    );
    (m.x, false)
}

/// Thresholds and means, variances, correlations and $\Gamma$ of a mixed model (module docs).
/// `numeric[j]` says whether model variable `j` (data column `cols[j]`) is continuous.
///
/// # Errors
/// As [`Ordinal::new`] for the ordered items; [`Error::ZeroVariance`] for a continuous
/// variable with one value; [`Error::InvalidOption`] (`--ordered`) for a $2\times2$ table with
/// two empty cells or a singular threshold information.
pub(crate) fn mixed_stats(
    data: &ItemData,
    rows: &[usize],
    cols: &[usize],
    names: &[String],
    numeric: &[bool],
) -> Result<(Layout, OrderedStats)> {
    let n = rows.len();
    let nf = n as f64;
    let p = cols.len();
    let mut vars = Vec::with_capacity(p);
    for j in 0..p {
        if numeric[j] {
            let x: Vec<f64> = rows.iter().map(|&r| data.row(r)[cols[j]]).collect();
            let mean = x.iter().sum::<f64>() / nf;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / nf;
            if var.is_nan() || var <= 0.0 {
                return Err(Error::ZeroVariance {
                    at: data.location().with_column(&names[j]),
                    value: mean,
                });
            }
            vars.push(Var::Numeric { x, mean, var });
        } else {
            let ord = Ordinal::new(data, rows, &cols[j..=j], &names[j..=j])?;
            let tau = stats::thresholds(&ord.counts[0]);
            vars.push(Var::Ordered {
                codes: ord.codes,
                tau,
            });
        }
    }
    let nth: Vec<usize> = vars
        .iter()
        .map(|v| match v {
            Var::Ordered { tau, .. } => tau.len(),
            Var::Numeric { .. } => 1,
        })
        .collect();
    let layout = Layout::mixed(nth, numeric.to_vec());
    let sd: Vec<f64> = vars
        .iter()
        .map(|v| match v {
            Var::Ordered { .. } => 1.0,
            Var::Numeric { var, .. } => var.sqrt(),
        })
        .collect();
    let zs: Vec<Option<Vec<f64>>> = vars
        .iter()
        .map(|v| match v {
            Var::Numeric { x, mean, var } => {
                let s = var.sqrt();
                Some(x.iter().map(|v| (v - mean) / s).collect())
            }
            Var::Ordered { .. } => None,
        })
        .collect();
    // step 2, in parallel over pairs
    let fits: Vec<Pair> = layout
        .pairs
        .par_iter()
        .map(|&(i, j)| -> Result<Pair> {
            match (&vars[i], &vars[j]) {
                (Var::Ordered { codes: ci, tau: ti }, Var::Ordered { codes: cj, tau: tj }) => {
                    let (ki, kj) = (ti.len() + 1, tj.len() + 1);
                    let mut table = vec![0.0; ki * kj];
                    for (a, b) in ci.iter().zip(cj) {
                        table[*a as usize * kj + *b as usize] += 1.0;
                    }
                    if ki == 2 && kj == 2 && table.iter().filter(|v| **v == 0.0).count() >= 2 {
                        return Err(Error::option(
                            "--ordered",
                            format!(
                                "items \"{}\" and \"{}\": two empty cells in their 2x2 table, so their tetrachoric correlation is ±1",
                                names[i], names[j]
                            ),
                        ));
                    }
                    Ok(Pair::Ordered(stats::fit_pair(ti, tj, &table)))
                }
                (Var::Numeric { .. }, Var::Numeric { .. }) => {
                    let (zi, zj) = (zs[i].as_deref().unwrap_or(&[]), zs[j].as_deref().unwrap_or(&[]));
                    let r = zi.iter().zip(zj).map(|(a, b)| a * b).sum::<f64>() / nf;
                    Ok(Pair::Numeric(r))
                }
                _ => {
                    let (num, ord) = if numeric[i] { (i, j) } else { (j, i) };
                    let z = zs[num].as_deref().unwrap_or(&[]);
                    let (codes, tau) = match &vars[ord] {
                        Var::Ordered { codes, tau } => (codes.as_slice(), tau.as_slice()),
                        Var::Numeric { .. } => (&[][..], &[][..]),
                    };
                    let (rho, _) = polyserial(z, codes, tau);
                    Ok(Pair::Mixed { rho, num, ord })
                }
            }
        })
        .collect::<Result<_>>()?;
    let mut warnings = Vec::new();
    let mut empty_pairs = Vec::new();
    for (m, &(i, j)) in layout.pairs.iter().enumerate() {
        if let Pair::Ordered(f) = &fits[m] {
            if f.empty > 0 {
                empty_pairs.push(format!("{} x {}", names[i], names[j]));
            }
            if !f.converged {
                warnings.push(Warning::new(
                    WarningCode::NotConverged,
                    format!(
                        "the polychoric correlation of \"{}\" and \"{}\" did not converge",
                        names[i], names[j]
                    ),
                ));
            }
        }
        if fits[m].rho().abs() > 0.99 {
            warnings.push(Warning::new(
                WarningCode::Note,
                format!(
                    "the correlation of \"{}\" and \"{}\" is (nearly) 1",
                    names[i], names[j]
                ),
            ));
        }
    }
    if !empty_pairs.is_empty() {
        let shown: Vec<String> = empty_pairs.iter().take(5).cloned().collect();
        warnings.push(Warning::new(
            WarningCode::Note,
            format!(
                "{} bivariate tables have empty cells ({}{}); their polychoric correlations rest on sparse data",
                empty_pairs.len(),
                shown.join(", "),
                if empty_pairs.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    // the statistics and the sample covariance matrix
    let m = layout.nstat();
    let mut s = vec![0.0; m];
    let mut cov = DMatrix::<f64>::identity(p, p);
    for (j, v) in vars.iter().enumerate() {
        let o = layout.th_start[j];
        match v {
            Var::Ordered { tau, .. } => s[o..o + tau.len()].copy_from_slice(tau),
            Var::Numeric { mean, var, .. } => {
                s[o] = -mean;
                if let Some(k) = layout.var_idx[j] {
                    s[k] = *var;
                }
                cov[(j, j)] = *var;
            }
        }
    }
    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
        let c = fits[mm].rho() * sd[i] * sd[j];
        s[layout.cov_start + mm] = c;
        cov[(i, j)] = c;
        cov[(j, i)] = c;
    }
    let gamma = gamma(&layout, &vars, &zs, &fits, n, names)?;
    Ok((
        layout,
        OrderedStats {
            cor: cov,
            s,
            gamma,
            warnings,
        },
    ))
}

/// The step-1 parameters of variable `j` in the $A_{11}$ index space: its thresholds (or
/// mean) and, if continuous, its variance.
fn uni_index(layout: &Layout, j: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (layout.th_start[j]..layout.th_start[j] + layout.nth[j]).collect();
    if let Some(k) = layout.var_idx[j] {
        v.push(k);
    }
    v
}

/// Threshold scores of an ordered item: `t[c * nth + k]` for a case in category `c`.
fn threshold_scores(tau: &[f64], codes: &[u8]) -> Vec<f64> {
    let k = tau.len() + 1;
    let mut counts = vec![0.0; k];
    for &c in codes {
        counts[c as usize] += 1.0;
    }
    let n: f64 = counts.iter().sum();
    let nth = k - 1;
    let mut t = vec![0.0; k * nth];
    for (kk, &tk) in tau.iter().enumerate() {
        let ph = normal_pdf(tk);
        t[kk * nth + kk] = ph / (counts[kk] / n);
        t[(kk + 1) * nth + kk] = -ph / (counts[kk + 1] / n);
    }
    t
}

/// $\Gamma$ (module docs).
fn gamma(
    layout: &Layout,
    vars: &[Var],
    zs: &[Option<Vec<f64>>],
    fits: &[Pair],
    n: usize,
    names: &[String],
) -> Result<DMatrix<f64>> {
    let m = layout.nstat();
    let cs = layout.cov_start;
    let tsc: Vec<Vec<f64>> = vars
        .iter()
        .map(|v| match v {
            Var::Ordered { codes, tau } => threshold_scores(tau, codes),
            Var::Numeric { .. } => Vec::new(),
        })
        .collect();
    // A21 columns of each pair (fixed order, filled per case for pairs with a continuous member)
    let a21_cols: Vec<Vec<usize>> = layout
        .pairs
        .iter()
        .enumerate()
        .map(|(mm, &(i, j))| match &fits[mm] {
            Pair::Ordered(_) => Vec::new(),
            Pair::Numeric(_) => {
                let mut v = uni_index(layout, i);
                v.extend(uni_index(layout, j));
                v
            }
            Pair::Mixed { num, ord, .. } => {
                let mut v = uni_index(layout, *num);
                v.extend(uni_index(layout, *ord));
                v
            }
        })
        .collect();
    let a21_len: Vec<usize> = a21_cols.iter().map(Vec::len).collect();
    let a21_off: Vec<usize> = a21_len
        .iter()
        .scan(0, |acc, &l| {
            let o = *acc;
            *acc += l;
            Some(o)
        })
        .collect();
    let a21_total: usize = a21_len.iter().sum();
    // one case's scores into `g` (length m) and its A21 terms into `a21`
    let case = |i: usize, g: &mut [f64], a21: &mut [f64]| {
        for (j, v) in vars.iter().enumerate() {
            let o = layout.th_start[j];
            match v {
                Var::Ordered { codes, tau } => {
                    let nth = tau.len();
                    let c = codes[i] as usize;
                    g[o..o + nth].copy_from_slice(&tsc[j][c * nth..(c + 1) * nth]);
                }
                Var::Numeric { x, mean, var } => {
                    let d = x[i] - mean;
                    g[o] = d / var;
                    if let Some(k) = layout.var_idx[j] {
                        g[k] = -0.5 / var + d * d / (2.0 * var * var);
                    }
                }
            }
        }
        for (mm, &(pi, pj)) in layout.pairs.iter().enumerate() {
            let out = &mut a21[a21_off[mm]..a21_off[mm] + a21_len[mm]];
            g[cs + mm] = match &fits[mm] {
                Pair::Ordered(f) => {
                    let kj = layout.nth[pj] + 1;
                    let (ci, cj) = match (&vars[pi], &vars[pj]) {
                        (Var::Ordered { codes: a, .. }, Var::Ordered { codes: b, .. }) => {
                            (a[i] as usize, b[i] as usize)
                        }
                        _ => (0, 0),
                    };
                    f.score[ci * kj + cj]
                }
                Pair::Numeric(rho) => {
                    let (Var::Numeric { var: v1, .. }, Var::Numeric { var: v2, .. }) =
                        (&vars[pi], &vars[pj])
                    else {
                        continue;
                    };
                    let (s1, s2) = (v1.sqrt(), v2.sqrt());
                    let z1 = zs[pi].as_ref().map_or(0.0, |z| z[i]);
                    let z2 = zs[pj].as_ref().map_or(0.0, |z| z[i]);
                    let (y1, y2) = (z1 * s1, z2 * s2);
                    let r = 1.0 - rho * rho;
                    let q = z1 * z1 - 2.0 * rho * z1 * z2 + z2 * z2;
                    let sc = rho / r + (z1 * z2 / r - q * rho / (r * r));
                    let mu1 = (2.0 * y1 / v1 - 2.0 * rho * y2 / (s1 * s2)) / (2.0 * r);
                    let mu2 = -(2.0 * rho * y1 / (s1 * s2) - 2.0 * y2 / v2) / (2.0 * r);
                    let var1 = -(0.5 / v1
                        - (y1 * y1 / (v1 * v1) - rho * y1 * y2 / (v1 * s1 * s2)) / (2.0 * r));
                    let var2 = -(0.5 / v2
                        + (rho * y1 * y2 / (v2 * s1 * s2) - y2 * y2 / (v2 * v2)) / (2.0 * r));
                    // columns: mean i, var i, mean j, var j
                    out[0] += sc * mu1;
                    out[1] += sc * var1;
                    out[2] += sc * mu2;
                    out[3] += sc * var2;
                    sc
                }
                Pair::Mixed { rho, num, ord } => {
                    let (Var::Numeric { var, .. }, Var::Ordered { codes, tau }) =
                        (&vars[*num], &vars[*ord])
                    else {
                        continue;
                    };
                    let sdv = var.sqrt();
                    let z = zs[*num].as_ref().map_or(0.0, |z| z[i]);
                    let c = codes[i] as usize;
                    let (up, lo) = bounds(tau, c);
                    let (pr, pu, pl, r, _) = polyserial_case(z, up, lo, *rho);
                    let sc = polyserial_score(z, up, lo, *rho);
                    let diff = pu - pl;
                    let dmu = (z + rho / r * diff / pr) / sdv;
                    let dvar = ((z * z - 1.0) + rho * z / r * diff / pr) / (2.0 * var);
                    out[0] += sc * dmu;
                    out[1] += sc * dvar;
                    // thresholds of the ordered member: + phi(t_c) in category k, - phi(t_{c-1}) in k + 1
                    if c < tau.len() {
                        out[2 + c] += sc * pu / (r * pr);
                    }
                    if c > 0 {
                        out[2 + c - 1] -= sc * pl / (r * pr);
                    }
                    sc
                }
            };
        }
    };
    let per_block = n.div_ceil(BLOCKS).max(1);
    let starts: Vec<usize> = (0..n).step_by(per_block).collect();
    let parts: Vec<(DMatrix<f64>, Vec<f64>)> = starts
        .par_iter()
        .map(|&b0| {
            let b1 = (b0 + per_block).min(n);
            let mut inner = DMatrix::<f64>::zeros(m, m);
            let mut a21 = vec![0.0; a21_total];
            let mut panel = DMatrix::<f64>::zeros(m, PANEL);
            let mut c0 = b0;
            while c0 < b1 {
                let c1 = (c0 + PANEL).min(b1);
                panel.fill(0.0);
                for (k, i) in (c0..c1).enumerate() {
                    let col = &mut panel.as_mut_slice()[k * m..(k + 1) * m];
                    case(i, col, &mut a21);
                }
                inner.gemm(1.0, &panel, &panel.transpose(), 1.0);
                c0 = c1;
            }
            (inner, a21)
        })
        .collect();
    let mut inner = DMatrix::<f64>::zeros(m, m);
    let mut a21 = vec![0.0; a21_total];
    for (c, v) in &parts {
        inner += c;
        for (a, b) in a21.iter_mut().zip(v) {
            *a += b;
        }
    }
    // B^-1 as sparse rows
    let mut binv: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m];
    let mut a11_inv: Vec<(Vec<usize>, DMatrix<f64>)> = Vec::with_capacity(layout.p);
    for (j, name) in names.iter().enumerate().take(layout.p) {
        let idx = uni_index(layout, j);
        let k = idx.len();
        let a = DMatrix::<f64>::from_fn(k, k, |x, y| inner[(idx[x], idx[y])]);
        let inv = a.try_inverse().ok_or_else(|| {
            Error::option(
                "--ordered",
                format!(
                    "variable \"{}\": its threshold (or mean and variance) information is singular",
                    name
                ),
            )
        })?;
        for x in 0..k {
            binv[idx[x]] = (0..k).map(|y| (idx[y], inv[(x, y)])).collect();
        }
        a11_inv.push((idx, inv));
    }
    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
        let r = cs + mm;
        let a22 = inner[(r, r)];
        if a22.is_nan() || a22 <= 0.0 {
            return Err(Error::NotPositiveDefinite {
                what: "the information of the correlations".into(),
                index: format!("\"{}\" and \"{}\"", names[i], names[j]),
            });
        }
        let d = 1.0 / a22;
        // A21 entries of this pair, by variable
        let entries: Vec<(usize, f64)> = match &fits[mm] {
            Pair::Ordered(f) => {
                let oi = layout.th_start[i];
                let oj = layout.th_start[j];
                f.a21_i
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (oi + k, *v))
                    .chain(f.a21_j.iter().enumerate().map(|(k, v)| (oj + k, *v)))
                    .collect()
            }
            _ => a21_cols[mm]
                .iter()
                .copied()
                .zip(a21[a21_off[mm]..a21_off[mm] + a21_len[mm]].iter().copied())
                .collect(),
        };
        let mut row = Vec::new();
        for var in [i, j] {
            let (idx, inv) = &a11_inv[var];
            for c in 0..idx.len() {
                let v: f64 = entries
                    .iter()
                    .filter_map(|&(col, a)| {
                        idx.iter().position(|&t| t == col).map(|k| a * inv[(k, c)])
                    })
                    .sum();
                row.push((idx[c], -d * v));
            }
        }
        row.push((r, d));
        binv[r] = row;
    }
    // H (correlations to covariances) and the sign of the means, folded into the rows
    let mut rows = binv.clone();
    for (mm, &(i, j)) in layout.pairs.iter().enumerate() {
        let r = cs + mm;
        let rho = fits[mm].rho();
        let sdv = |v: usize| match &vars[v] {
            Var::Numeric { var, .. } => var.sqrt(),
            Var::Ordered { .. } => 1.0,
        };
        let (si, sj) = (sdv(i), sdv(j));
        let mut h: Vec<(usize, f64)> = vec![(r, si * sj)];
        if let Some(k) = layout.var_idx[i] {
            h.push((k, rho * sj / (2.0 * si)));
        }
        if let Some(k) = layout.var_idx[j] {
            h.push((k, rho * si / (2.0 * sj)));
        }
        let mut dense = vec![0.0; m];
        for &(k, hv) in &h {
            for &(c, v) in &binv[k] {
                dense[c] += hv * v;
            }
        }
        rows[r] = dense
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(c, v)| (c, *v))
            .collect();
    }
    for j in 0..layout.p {
        if layout.numeric[j] && layout.nth[j] > 0 {
            for e in rows[layout.th_start[j]].iter_mut() {
                e.1 = -e.1;
            }
        }
    }
    // Gamma = n C J C' with the sparse rows of C
    let mut y = DMatrix::<f64>::zeros(m, m);
    for col in 0..m {
        let x = inner.column(col);
        let mut out = y.column_mut(col);
        for (r, row) in rows.iter().enumerate() {
            out[r] = row.iter().map(|&(c, v)| v * x[c]).sum();
        }
    }
    let mut g = DMatrix::<f64>::zeros(m, m);
    for (r, row) in rows.iter().enumerate() {
        let mut out = g.column_mut(r);
        for &(c, v) in row {
            out.axpy(v * n as f64, &y.column(c), 1.0);
        }
    }
    Ok((&g + g.transpose()) * 0.5)
}
