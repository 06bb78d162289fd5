//! Measurement invariance with ordered items: the sequence of Wu & Estabrook (2016) and the
//! Satorra (2000) scaled-shifted difference test between its steps.
//!
//! # Formula
//! Four multi-group models ([`super::groups`]) with the factors standardised in group 1
//! (semTools' `ID.fac = "std.lv"`) and the latent responses identified as Wu & Estabrook
//! (2016) propose (`ID.cat = "Wu.Estabrook.2016"`):
//!
//! | step | equal across groups | free in groups 2, 3, ... (fixed in group 1) |
//! |---|---|---|
//! | `configural` | nothing | loadings and thresholds in every group; factor variances 1, intercepts 0, scales 1, latent means 0 |
//! | `thresholds` | thresholds | intercepts of $y^*$ and scaling factors (delta) or residual variances (theta) |
//! | `thresholds_loadings` | thresholds, loadings | as above, and the factor variances |
//! | `thresholds_loadings_intercepts` | thresholds, loadings, intercepts (all 0) | scaling factors or residual variances, factor variances, latent means |
//!
//! Continuous items of a mixed model (semTools writes them so): intercepts free in every
//! group, equal across groups in the last step; residual variances free in every group;
//! loadings as above. Binary items (two categories, Wu & Estabrook's section on them): the
//! scale (delta) or residual variance (theta) stays fixed at 1 in the `thresholds` and
//! `thresholds_loadings` steps (their intercepts are freed instead) and is freed in groups 2,
//! 3, ... only in the last step; that step then has fewer df than `thresholds_loadings` (the
//! intercepts fixed, the scales and latent means freed), and the difference test compares the
//! two the other way round, as `lavTestLRT()` orders models by df (a `Note` says so).
//!
//! With continuous items only (least squares) the steps are `configural`, `metric` (loadings
//! equal, factor variances free in groups 2, 3, ...) and `scalar` (intercepts equal too, latent
//! means free), identified as `measEq.syntax(ID.fac = "std.lv")` does.
//!
//! Each step (model 0, restricted) is compared with the one before it (model 1) by the
//! statistic lavaan's `lavTestLRT()` uses for WLSMV and ULSMV (method `"satorra.2000"`,
//! `scaled.shifted = TRUE`): with the unscaled statistics $T_0, T_1$, $m = df_0 - df_1$, the
//! Jacobians $D_1, D_0$ of the stacked statistics at each model's estimates,
//! $H = D_1^+D_0$, model 1's information $P = \sum_g f_gD_{1g}^\top W_gD_{1g}$ and
//! $B = \sum_g f_gD_{1g}^\top W_g\Gamma_gW_gD_{1g}$,
//! $$Q = P^{-1} - H(H^\top PH)^{-1}H^\top,\quad a = \sqrt{m/\operatorname{tr}((QB)^2)},\quad
//!   b = m - a\operatorname{tr}(QB),\quad \Delta\chi^2 = a(T_0 - T_1) + b$$
//! on $m$ df. ($Q$ equals lavaan's $P^{-1}A^\top(AP^{-1}A^\top)^{-1}AP^{-1}$ for any $A$ whose
//! rows span the orthogonal complement of $H$.) With DWLS and ULS the difference is
//! $T_0 - T_1$. Steps with $m = 0$ (items with three categories make the thresholds step an
//! equivalent model) report $T_0 - T_1$ on 0 df without a p value, as lavaan does.
//!
//! # Reference
//! Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
//! different levels of invariance for ordered categorical outcomes. *Psychometrika*, 81(4),
//! 1014–1045.
//! Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment
//! structures. In R. D. H. Heijmans, D. S. G. Pollock, & A. Satorra (Eds.), *Innovations in
//! multivariate statistical analysis* (pp. 233–247). Kluwer.
//! Asparouhov, T., & Muthén, B. (2006). *Robust chi square difference testing with mean and
//! variance adjusted test statistics*. Mplus Web Notes No. 10.
//!
//! # Peer
//! semTools 0.5.6 `measEq.syntax(configural.model, data, ordered, parameterization,
//! ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group, group.equal, return.fit = TRUE)`
//! fitted by lavaan 0.6.14 (WLSMV, ULSMV, DWLS), and `lavTestLRT(fit1, fit0)`;
//! `tests/cfa_ordered_groups.rs`, `tests/cfa_mixed_groups.rs` (mixed, continuous, binary).
//!
//! # Deviations
//! - The robust CFI, TLI and RMSEA of the constrained steps are printed when every item is
//!   ordered (lavaan 0.6.14 gives NA for them, see [`super::groups`]).

use super::groups::{self, MultiFit};
use super::stacked::Prepared;
use crate::cfa::partable::{self, ParTable};
use crate::cfa::syntax::{ModelSyntax, Op};
use crate::cfa::{CfaOptions, CfaResult, Estimator, GroupSummary, Parameterization};
use crate::data::read::closest_name;
use crate::data::ItemData;
use crate::error::{Error, Result, Warning, WarningCode};
use nalgebra::DMatrix;

/// The steps, in order, and what each holds equal.
pub(crate) const STEPS: [(&str, bool, bool, bool); 4] = [
    ("configural", false, false, false),
    ("thresholds", true, false, false),
    ("thresholds_loadings", true, true, false),
    ("thresholds_loadings_intercepts", true, true, true),
];

/// The steps with continuous items only (least squares): lavaan's configural, metric and
/// scalar models, identified as `measEq.syntax(ID.fac = "std.lv")` does.
pub(crate) const CONTINUOUS_STEPS: [(&str, bool, bool, bool); 3] = [
    ("configural", false, false, false),
    ("metric", false, true, false),
    ("scalar", false, true, true),
];

/// A difference test between two steps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Difference {
    pub chisq: f64,
    pub df: i64,
    pub p: Option<f64>,
}

/// One fitted step.
#[derive(Debug, Clone)]
pub(crate) struct OrderedStep {
    pub name: &'static str,
    pub result: CfaResult,
    /// Against the previous step.
    pub diff: Option<Difference>,
}

/// The fitted sequence.
#[derive(Debug, Clone)]
pub(crate) struct OrderedSequence {
    pub groups: Vec<GroupSummary>,
    pub steps: Vec<OrderedStep>,
    pub warnings: Vec<Warning>,
    /// The difference test used (as lavaan names it).
    pub method: String,
}

/// Fits the four steps and the differences between them (module docs).
///
/// # Errors
/// [`Error::InvalidOption`] for an `--ordered` item not in the model, fewer than two groups; the errors of [`groups::prepare`] and [`groups::fit_partable`].
pub(crate) fn sequence(
    data: &ItemData,
    labels: &[String],
    model: &ModelSyntax,
    opts: &CfaOptions,
) -> Result<OrderedSequence> {
    let ov = super::observed_variables(model)?.ov;
    if let crate::cfa::Ordered::Items(items) = &opts.ordered {
        if let Some(it) = items.iter().find(|it| !ov.contains(it)) {
            return Err(Error::option(
                "--ordered",
                format!(
                    "\"{it}\" is not an observed variable of the model{}",
                    closest_name(it, &ov)
                        .map(|s| format!(" (did you mean \"{s}\"?)"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    let numeric: Vec<bool> = ov.iter().map(|v| !opts.ordered.contains(v)).collect();
    let prep = groups::prepare(data, labels, &ov, &numeric, opts.estimator)?;
    if prep.groups.len() < 2 {
        return Err(Error::option(
            "--group",
            format!(
                "expected at least two groups with complete rows, found {}",
                prep.groups.len()
            ),
        ));
    }
    let steps_spec: &[(&'static str, bool, bool, bool)] = if prep.layout.all_numeric() {
        &CONTINUOUS_STEPS
    } else {
        &STEPS
    };
    let robust = matches!(opts.estimator, Estimator::Wlsmv | Estimator::Ulsmv);
    let mut fits: Vec<MultiFit> = Vec::with_capacity(steps_spec.len());
    let mut steps = Vec::with_capacity(steps_spec.len());
    let mut warnings = prep.warnings.clone();
    if robust && prep.layout.is_mixed() {
        warnings.push(Warning::new(
            WarningCode::Note,
            "with ordered and continuous items together the robust CFI and RMSEA are undefined (lavaan 0.6.14: NA), so the steps have no delta-CFI/delta-RMSEA verdicts: judge them by the difference tests",
        ));
    }
    for (k, &(name, th, load, int)) in steps_spec.iter().enumerate() {
        let pt = partable_we(&prep, model, opts, th, load, int)?;
        let f = groups::fit_partable(&prep, pt, opts)?;
        for wn in &f.result.warnings {
            warnings.push(Warning::new(
                wn.code,
                format!("{name} model: {}", wn.message),
            ));
        }
        // lavTestLRT orders the two models by df: with binary items the last step has fewer
        // df than the one before (intercepts fixed, scales and latent means freed) and is
        // the less restricted model of the pair
        let diff = (k > 0).then(|| {
            let prev = &fits[k - 1];
            if f.result.fit.df < prev.result.fit.df {
                warnings.push(Warning::new(
                    WarningCode::Note,
                    format!(
                        "the {name} model has fewer degrees of freedom ({}) than the {} model ({}) (binary items: the intercepts are fixed, the scales and latent means freed); the difference test compares them the other way round, as lavaan's lavTestLRT() does",
                        f.result.fit.df, steps_spec[k - 1].0, prev.result.fit.df
                    ),
                ));
                difference(&prep, &f, prev, robust)
            } else {
                difference(&prep, prev, &f, robust)
            }
        });
        steps.push(OrderedStep {
            name,
            result: f.result.clone(),
            diff,
        });
        fits.push(f);
    }
    Ok(OrderedSequence {
        groups: crate::cfa::group_summaries(prep.groups.iter().map(|g| (g.label.as_str(), g.n))),
        steps,
        warnings,
        method: if robust {
            "satorra.2000 (scaled and shifted)".into()
        } else {
            "chisq difference".into()
        },
    })
}

/// The parameter table of one step (module docs), from lavaan's default multi-group table.
fn partable_we(
    prep: &Prepared,
    model: &ModelSyntax,
    opts: &CfaOptions,
    eq_th: bool,
    eq_load: bool,
    eq_int: bool,
) -> Result<ParTable> {
    let mut pt = partable::build(model, &groups::partable_options(prep, opts, Vec::new()))?;
    let theta = opts.parameterization == Parameterization::Theta;
    let user_fixed = |lhs: &str, op: Op, rhs: &str| {
        model
            .statements
            .iter()
            .any(|s| s.op == op && s.lhs == lhs && s.rhs == rhs && s.fixed.is_some())
    };
    // status of each row: None = fixed at `value`, Some(shared) = free, shared across groups
    let mut status: Vec<Option<bool>> = Vec::with_capacity(pt.rows.len());
    let lay = &prep.layout;
    let item = |name: &str| prep.ov.iter().position(|v| v == name);
    let numeric = |name: &str| item(name).is_some_and(|j| lay.numeric[j]);
    // the scale (delta) or residual variance (theta) of an ordered item is free in groups
    // 2, 3, ... once thresholds are equal, for a binary item only once intercepts are too
    // (Wu & Estabrook, 2016, binary items)
    let scale_free = |name: &str| {
        let binary = item(name).is_some_and(|j| lay.nth[j] < 2);
        if binary {
            eq_int
        } else {
            eq_th
        }
    };
    for r in pt.rows.iter_mut() {
        let later = r.group > 1;
        let is_lv = pt.lv.contains(&r.lhs);
        let st = match r.op {
            Op::Measure if user_fixed(&r.lhs, r.op, &r.rhs) => None,
            Op::Measure => Some(eq_load),
            Op::Threshold => Some(eq_th),
            Op::Covary if r.lhs == r.rhs && is_lv => {
                if later && eq_load {
                    Some(false)
                } else {
                    r.value = Some(1.0);
                    None
                }
            }
            Op::Covary if r.lhs == r.rhs && numeric(&r.lhs) => {
                (!user_fixed(&r.lhs, r.op, &r.rhs)).then_some(false)
            }
            Op::Covary if r.lhs == r.rhs && !is_lv => {
                if theta && later && scale_free(&r.lhs) {
                    Some(false)
                } else {
                    r.value = Some(1.0);
                    None
                }
            }
            Op::Scale => {
                if !theta && later && scale_free(&r.lhs) {
                    Some(false)
                } else {
                    r.value = Some(1.0);
                    None
                }
            }
            // continuous items: free intercepts, equal across groups with equal intercepts
            Op::Intercept if numeric(&r.lhs) => Some(eq_int),
            Op::Intercept => {
                let free = later && if is_lv { eq_int } else { eq_th && !eq_int };
                if free {
                    Some(false)
                } else {
                    r.value = Some(0.0);
                    None
                }
            }
            _ => (r.free > 0).then_some(false),
        };
        if st.is_some() {
            r.value = None;
        }
        status.push(st);
    }
    // free indices: rows of groups 2, 3, ... share group 1's index when held equal; labels share
    let mut nfree = 0;
    let mut labels: Vec<(String, usize)> = Vec::new();
    for (i, st) in status.iter().enumerate() {
        let Some(shared) = *st else {
            pt.rows[i].free = 0;
            continue;
        };
        let r = &pt.rows[i];
        let mut idx = r
            .label
            .as_ref()
            .and_then(|l| labels.iter().find(|(k, _)| k == l).map(|(_, v)| *v));
        if idx.is_none() && shared && r.group > 1 {
            idx = pt.rows[..i]
                .iter()
                .find(|q| q.group == 1 && q.op == r.op && q.lhs == r.lhs && q.rhs == r.rhs)
                .map(|q| q.free)
                .filter(|f| *f > 0);
        }
        let idx = idx.unwrap_or_else(|| {
            nfree += 1;
            nfree
        });
        if let Some(l) = &pt.rows[i].label {
            if !labels.iter().any(|(k, _)| k == l) {
                labels.push((l.clone(), idx));
            }
        }
        pt.rows[i].free = idx;
    }
    pt.nfree = nfree;
    Ok(pt)
}

/// The difference test of `m0` (restricted) against `m1` (module docs).
fn difference(prep: &Prepared, m1: &MultiFit, m0: &MultiFit, robust: bool) -> Difference {
    let df = m0.result.fit.df - m1.result.fit.df;
    let raw = m0.chisq_standard - m1.chisq_standard;
    if df <= 0 || !robust {
        return Difference {
            chisq: raw,
            df,
            p: (df > 0).then(|| crate::dist::chi2_sf(raw.max(0.0), df as f64)),
        };
    }
    let stack = |d: &[DMatrix<f64>]| {
        let m = prep.layout.nstat();
        let q = d.first().map_or(0, |x| x.ncols());
        let mut out = DMatrix::<f64>::zeros(d.len() * m, q);
        for (g, dg) in d.iter().enumerate() {
            out.view_mut((g * m, 0), (m, q)).copy_from(dg);
        }
        out
    };
    let d1 = stack(&m1.d);
    let d0 = stack(&m0.d);
    let none = Difference {
        chisq: f64::NAN,
        df,
        p: None,
    };
    let Ok(pinv) = d1.clone().pseudo_inverse(1e-12) else {
        return none;
    };
    let h = pinv * d0;
    let Some(p_inv) = crate::cfa::invert_spd(&m1.info) else {
        return none;
    };
    let php = h.transpose() * &m1.info * &h;
    let Some(php_inv) = crate::cfa::invert_spd(&php) else {
        return none;
    };
    let q = &p_inv - &h * php_inv * h.transpose();
    let qb = q * &m1.meat;
    let tr1 = qb.trace();
    let tr2 = qb.component_mul(&qb.transpose()).sum();
    let a = (df as f64 / tr2).sqrt();
    let b = df as f64 - a * tr1;
    let chisq = raw * a + b;
    Difference {
        chisq,
        df,
        p: chisq
            .is_finite()
            .then(|| crate::dist::chi2_sf(chisq.max(0.0), df as f64)),
    }
}
