//! Stage 9, modification indices: the score test of each fixed-to-zero parameter lavaan
//! considers, with its expected parameter change.
//!
//! # Formula
//! For the free parameters $\theta_1$ and one added parameter $\theta_2$ (at 0), with
//! $g_2 = \partial(F/2)/\partial\theta_2$ at the estimates and the expected information of the
//! extended model partitioned as $\mathcal I_{11}, \mathcal I_{12}, \mathcal I_{22}$:
//! $$V = \mathcal I_{22} - \mathcal I_{21}\mathcal I_{11}^{-1}\mathcal I_{12},\qquad
//!   \mathrm{MI} = N g_2^2 / V,\qquad \mathrm{EPC} = -g_2 / V,$$
//! and `sepc_all` is the EPC standardised as `std.all` would standardise that parameter.
//! Candidates (lavaan's `lav_partable_full`): every factor loading on an observed indicator not
//! involved in regressions, every covariance between observed indicators, every latent
//! (co)variance, every regression among the variables already in regressions, and intercepts
//! with a mean structure, minus the rows already in the model. Indices with
//! $V < \epsilon^{1/3}$ are dropped (lavaan: `NA`, removed).
//!
//! # Reference
//! Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371–384.
//! Saris, W. E., Satorra, A., & Sörbom, D. (1987). The detection and correction of
//! specification errors in structural equation models. *Sociological Methodology*, 17, 105–129.
//!
//! # Peer
//! lavaan 0.6.14 `modindices(fit)` (`information = "expected"`): `mi`, `epc`, `sepc.all`.
//!
//! # Deviations
//! None known.

use super::estimate::{group_information, Problem, SampleStats};
use super::model::{position, ParamDeriv};
use super::partable::ParTable;
use super::syntax::Op;
use super::Fitted;
use crate::error::Result;
use nalgebra::DMatrix;
use serde::Serialize;

/// One modification index.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ModIndex {
    /// Left-hand side.
    pub lhs: String,
    /// Operator.
    pub op: Op,
    /// Right-hand side.
    pub rhs: String,
    /// 1-based group (multi-group models only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<usize>,
    /// Modification index (a 1-df score statistic).
    pub mi: f64,
    /// Expected parameter change.
    pub epc: f64,
    /// Completely standardised expected parameter change (lavaan `sepc.all`).
    pub sepc_all: Option<f64>,
}

pub(crate) fn in_table(pt: &ParTable, g: usize, lhs: &str, op: Op, rhs: &str) -> bool {
    pt.rows.iter().any(|r| {
        r.group == g
            && r.op == op
            && ((r.lhs == lhs && r.rhs == rhs)
                || (op == Op::Covary && r.lhs == rhs && r.rhs == lhs))
    })
}

/// The candidate parameters of lavaan's full parameter table (module docs).
pub(crate) fn candidates(pt: &ParTable) -> Vec<(String, Op, String)> {
    let mut eqs: Vec<String> = Vec::new();
    let mut ind: Vec<String> = Vec::new();
    for r in pt.rows.iter().filter(|r| r.group == 1) {
        if r.op == Op::Regress {
            for n in [&r.lhs, &r.rhs] {
                if !eqs.contains(n) {
                    eqs.push(n.clone());
                }
            }
        }
        if r.op == Op::Measure && !pt.is_latent(&r.rhs) && !ind.contains(&r.rhs) {
            ind.push(r.rhs.clone());
        }
    }
    let ov_nox: Vec<String> = pt
        .ov
        .iter()
        .filter(|v| !pt.ov_x.contains(v))
        .cloned()
        .collect();
    let mut out = Vec::new();
    for f in &pt.lv {
        for v in &ov_nox {
            if !eqs.contains(v) {
                out.push((f.clone(), Op::Measure, v.clone()));
            }
        }
    }
    for (j, a) in ov_nox.iter().enumerate() {
        for b in &ov_nox[j..] {
            if ind.contains(a) && ind.contains(b) {
                out.push((a.clone(), Op::Covary, b.clone()));
            }
        }
    }
    for (j, a) in pt.lv.iter().enumerate() {
        for b in &pt.lv[j..] {
            out.push((a.clone(), Op::Covary, b.clone()));
        }
    }
    for y in &eqs {
        for x in &eqs {
            if x != y && !(ind.contains(y) && pt.is_latent(x)) {
                out.push((y.clone(), Op::Regress, x.clone()));
            }
        }
    }
    if pt.meanstructure {
        for v in pt.ov.iter().chain(pt.lv.iter()) {
            out.push((v.clone(), Op::Intercept, String::new()));
        }
    }
    out
}

/// Modification indices, largest first (module docs).
///
/// # Errors
/// None at present (an unidentified model gives an empty list; the fit already carries the
/// warning).
pub(crate) fn modification_indices(f: &Fitted, stats: &SampleStats) -> Result<Vec<ModIndex>> {
    let Some(i11_inv) = f.info_inv.as_ref() else {
        return Ok(Vec::new());
    };
    let pt = &f.pt;
    let prob = Problem {
        model: &f.model,
        stats,
        fixed: f.fixed.clone(),
    };
    let Some(ev) = prob.eval(&f.x) else {
        return Ok(Vec::new());
    };
    let base = prob.derivatives(&ev);
    let q = f.model.nfree;
    // extra parameters, group by group
    let cands = candidates(pt);
    let mut extras: Vec<(usize, String, Op, String)> = Vec::new();
    for g in 1..=pt.ngroups {
        for (l, op, r) in &cands {
            if !in_table(pt, g, l, *op, r) && position(pt, l, *op, r).is_some() {
                extras.push((g, l.clone(), *op, r.clone()));
            }
        }
    }
    let ne = extras.len();
    if ne == 0 {
        return Ok(Vec::new());
    }
    let mut ders: Vec<Vec<ParamDeriv>> = base
        .into_iter()
        .map(|mut d| {
            d.resize(q + ne, ParamDeriv::default());
            d
        })
        .collect();
    for (e, (g, l, op, r)) in extras.iter().enumerate() {
        if let Some(pos) = position(pt, l, *op, r) {
            let mut d = ParamDeriv::default();
            f.model.add_deriv(&ev.groups[g - 1].imp, pos, &mut d);
            ders[g - 1][q + e] = d;
        }
    }
    let grad = prob.gradient(&ev, &ders) * 0.5;
    let mut info = DMatrix::<f64>::zeros(q + ne, q + ne);
    for (g, ge) in ev.groups.iter().enumerate() {
        group_information(&ge.sigma_inv, &ders[g], prob.weight(g), &mut info);
    }
    let n = stats.ntotal as f64;
    let i12 = info.view((0, q), (q, ne)).into_owned();
    let tmp = i11_inv * &i12; // q x ne
    let totals: Vec<Vec<f64>> = f
        .implied
        .iter()
        .map(|imp| imp.cov_all.diagonal().iter().copied().collect())
        .collect();
    let mut out = Vec::new();
    let thresh = f64::EPSILON.powf(1.0 / 3.0);
    for (e, (g, l, op, r)) in extras.iter().enumerate() {
        let v = info[(q + e, q + e)] - i12.column(e).dot(&tmp.column(e));
        if v.is_nan() || v < thresh {
            continue;
        }
        let ge = grad[q + e];
        let mi = n * ge * ge / v;
        let epc = -ge / v;
        let sepc_all = super::std_all(pt, &f.values, &totals[g - 1], *g, (l, *op, r), epc.abs())
            .map(|s| s * epc.signum());
        out.push(ModIndex {
            lhs: l.clone(),
            op: *op,
            rhs: r.clone(),
            group: (pt.ngroups > 1).then_some(*g),
            mi,
            epc,
            sepc_all,
        });
    }
    out.sort_by(|a, b| b.mi.total_cmp(&a.mi));
    Ok(out)
}
