//! Measurement invariance across groups: the configural, metric (equal loadings) and scalar
//! (equal loadings and intercepts) models, each compared with the one before it.
//!
//! # Formula
//! Each model is a multi-group CFA with a mean structure (lavaan `cfa(group = ,
//! group.equal = ...)`): configural (everything free per group, latent means 0), metric
//! (loadings equal), scalar (loadings and intercepts equal; latent means free in groups
//! 2, 3, ...). A step compares model $1$ (more restricted) with model $0$ (the previous one):
//! $$\Delta\chi^2 = \chi^2_1 - \chi^2_0 \text{ on } \Delta df = df_1 - df_0,$$
//! with ML, or the Satorra–Bentler (2001) scaled difference with MLR,
//! $\Delta\chi^2 = (T_1 - T_0)/c_d$, $c_d = (df_1c_1 - df_0c_0)/(df_1 - df_0)$, from the unscaled
//! statistics $T$ and scaling factors $c$. The step *holds* when
//! $\mathrm{CFI}\_0 - \mathrm{CFI}\_1 \le \Delta_{\mathrm{CFI}}$ (default .01) and
//! $\mathrm{RMSEA}\_1 - \mathrm{RMSEA}\_0 \le \Delta_{\mathrm{RMSEA}}$ (default .015), Chen's (2007)
//! cut-offs; the $\Delta\chi^2$ test is reported beside them (with large samples it rejects
//! trivial differences).
//! With ordered items the sequence is Wu & Estabrook's (2016) four steps with the Satorra
//! (2000) scaled-shifted difference test (see [`super::categorical::invariance`]).
//! With `missing = Fiml` the three models are fitted by full-information ML
//! ([`super::fiml`]; the patterns and the EM saturated model are prepared once), and the
//! differences are those of their likelihood-ratio (or Yuan–Bentler scaled) statistics.
//!
//! # Reference
//! Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
//! *Psychometrika*, 58(4), 525–543.
//! Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
//! invariance. *Structural Equation Modeling*, 14(3), 464–504.
//! Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
//! moment structure analysis. *Psychometrika*, 66(4), 507–514.
//!
//! # Peer
//! lavaan 0.6.14 `cfa(model, data, group = "g", group.equal = c("loadings", "intercepts"))` and
//! `lavTestLRT()` (method `satorra.bentler.2001` for MLR); semTools' `measEq.syntax()` builds
//! the same three models with marker identification.
//!
//! # Deviations
//! None in the fitted models. The verdict rule (both cut-offs) is a convention, not a lavaan
//! output.

use super::estimate::SampleStats;
use super::partable::GroupEqual;
use super::syntax::ModelSyntax;
use super::{fit_stats, sample_stats, CfaOptions, CfaResult, Estimator, GroupSummary, MissingData};
use crate::data::ItemData;
use crate::error::{Error, Result, Warning};
use serde::Serialize;

/// Cut-offs of the invariance verdicts (Chen 2007 in [`Default`]).
#[derive(Debug, Clone, PartialEq)]
pub struct InvarianceOptions {
    /// Largest acceptable drop in CFI.
    pub delta_cfi: f64,
    /// Largest acceptable rise in RMSEA.
    pub delta_rmsea: f64,
}

impl Default for InvarianceOptions {
    fn default() -> Self {
        InvarianceOptions {
            delta_cfi: 0.01,
            delta_rmsea: 0.015,
        }
    }
}

impl InvarianceOptions {
    /// Checks the cut-offs.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a negative or non-finite cut-off.
    pub fn validate(&self) -> Result<()> {
        for (flag, v) in [
            ("--delta-cfi", self.delta_cfi),
            ("--delta-rmsea", self.delta_rmsea),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::option(
                    flag,
                    format!("expected a cut-off >= 0, found {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// One model of the sequence and its comparison with the previous one.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InvarianceStep {
    /// `configural`, `metric` or `scalar` (ordered items: `configural`, `thresholds`,
    /// `thresholds_loadings`, `thresholds_loadings_intercepts`).
    pub model: String,
    /// Whether the model converged.
    pub converged: bool,
    /// Test statistic (MLR: scaled).
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: i64,
    /// p value.
    pub pvalue: Option<f64>,
    /// CFI (MLR: robust).
    pub cfi: Option<f64>,
    /// TLI (MLR: robust).
    pub tli: Option<f64>,
    /// RMSEA (MLR: robust).
    pub rmsea: Option<f64>,
    /// RMSEA 90% interval.
    pub rmsea_ci: Option<[f64; 2]>,
    /// SRMR.
    pub srmr: f64,
    /// AIC (null for least-squares estimators).
    pub aic: Option<f64>,
    /// BIC (null for least-squares estimators).
    pub bic: Option<f64>,
    /// Free parameters.
    pub npar: usize,
    /// $\Delta\chi^2$ against the previous model (MLR: Satorra–Bentler 2001).
    pub chisq_diff: Option<f64>,
    /// $\Delta df$.
    pub df_diff: Option<i64>,
    /// p value of $\Delta\chi^2$.
    pub p_diff: Option<f64>,
    /// $\mathrm{CFI} - \mathrm{CFI}\_{\text{previous}}$ (negative = worse).
    pub delta_cfi: Option<f64>,
    /// $\mathrm{RMSEA} - \mathrm{RMSEA}\_{\text{previous}}$ (positive = worse).
    pub delta_rmsea: Option<f64>,
    /// The CFI cut-off is met.
    pub cfi_ok: Option<bool>,
    /// The RMSEA cut-off is met.
    pub rmsea_ok: Option<bool>,
    /// Both cut-offs are met (null for the configural model).
    pub holds: Option<bool>,
}

/// The invariance sequence.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InvarianceResult {
    /// Groups and their sizes.
    pub groups: Vec<GroupSummary>,
    /// Configural, metric, scalar.
    pub steps: Vec<InvarianceStep>,
    /// The highest level reached with every step before it holding: `scalar`, `metric` or
    /// `configural` (ordered items: `thresholds_loadings_intercepts`, `thresholds_loadings`,
    /// `thresholds` or `configural`).
    pub level: String,
    /// The difference test between steps, as lavaan's `lavTestLRT()` names it: `chisq
    /// difference` (ML, DWLS, ULS), `satorra.bentler.2001` (MLR), `satorra.2000 (scaled and
    /// shifted)` (WLSMV, ULSMV).
    pub difference_test: String,
    /// CFI cut-off used.
    pub delta_cfi_cutoff: f64,
    /// RMSEA cut-off used.
    pub delta_rmsea_cutoff: f64,
    /// Warnings of any of the three fits (each prefixed with its model).
    pub warnings: Vec<Warning>,
    /// The fitted models, one per step.
    #[serde(skip)]
    pub models: Vec<CfaResult>,
}

pub(crate) fn step(name: &str, r: &CfaResult) -> InvarianceStep {
    InvarianceStep {
        model: name.to_string(),
        converged: r.converged,
        chisq: r.fit.chisq,
        df: r.fit.df,
        pvalue: r.fit.pvalue,
        cfi: r.fit.cfi,
        tli: r.fit.tli,
        rmsea: r.fit.rmsea,
        rmsea_ci: r.fit.rmsea_ci,
        srmr: r.fit.srmr,
        aic: r.fit.aic,
        bic: r.fit.bic,
        npar: r.fit.npar,
        chisq_diff: None,
        df_diff: None,
        p_diff: None,
        delta_cfi: None,
        delta_rmsea: None,
        cfi_ok: None,
        rmsea_ok: None,
        holds: None,
    }
}

/// $\Delta\chi^2$, $\Delta df$, p: plain (ML) or Satorra–Bentler 2001 (MLR).
pub(crate) fn difference(
    r0: &CfaResult,
    r1: &CfaResult,
) -> (Option<f64>, Option<i64>, Option<f64>) {
    let ddf = r1.fit.df - r0.fit.df;
    if ddf <= 0 {
        return (None, Some(ddf), None);
    }
    let d = match (&r0.fit.standard, &r1.fit.standard) {
        (Some(s0), Some(s1)) => {
            let (c0, c1) = (r0.fit.scaling_factor, r1.fit.scaling_factor);
            match (c0, c1) {
                (Some(c0), Some(c1)) => {
                    let cd = (r1.fit.df as f64 * c1 - r0.fit.df as f64 * c0) / ddf as f64;
                    (cd > 0.0).then(|| (s1.chisq - s0.chisq) / cd)
                }
                _ => None,
            }
        }
        _ => Some(r1.fit.chisq - r0.fit.chisq),
    };
    let d = d.map(|v| v.max(0.0));
    (d, Some(ddf), d.map(|v| crate::dist::chi2_sf(v, ddf as f64)))
}

/// Fits the configural, metric and scalar models and judges each step.
///
/// # Formula
/// See the module docs.
///
/// # Reference
/// Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
/// invariance. *Structural Equation Modeling*, 14(3), 464–504.
///
/// # Peer
/// lavaan 0.6.14 `cfa(group = , group.equal = )` + `lavTestLRT()`.
///
/// # Deviations
/// None in the fitted models.
///
/// # Errors
/// As [`super::cfa_groups`]; [`Error::InvalidOption`] with fewer than two groups.
pub fn invariance(
    data: &ItemData,
    groups: &[String],
    model: &ModelSyntax,
    opts: &CfaOptions,
    cut: &InvarianceOptions,
) -> Result<InvarianceResult> {
    opts.validate()?;
    cut.validate()?;
    if groups.len() != data.n() {
        return Err(Error::option(
            "--group",
            format!("expected {} group labels, found {}", data.n(), groups.len()),
        ));
    }
    if !opts.ordered.is_none() || opts.estimator.is_least_squares() {
        return ordered(data, groups, model, opts, cut);
    }
    if opts.missing == MissingData::Fiml {
        // FIML: the patterns and the EM saturated model are prepared once for the three fits
        let mut prep = super::fiml::prepare(data, Some(groups), model, opts)?;
        let warnings = std::mem::take(&mut prep.warnings);
        if prep.groups.len() < 2 {
            return Err(Error::option(
                "--group",
                format!(
                    "expected at least two groups with answers, found {}",
                    prep.groups.len()
                ),
            ));
        }
        let summary = super::group_summaries(prep.groups.iter().map(|s| (s.label.as_str(), s.n)));
        return sequence(
            |o| super::fiml::fit_prepared(&prep, model, o),
            summary,
            opts,
            cut,
            warnings,
        );
    }
    let probe = super::partable::build(model, &Default::default())?;
    let (stats, warnings) = sample_stats(
        data,
        &probe.ov,
        Some(groups),
        opts.estimator == Estimator::Mlr,
    )?;
    invariance_stats(model, &stats, opts, cut, warnings)
}

/// [`invariance`] from prepared sample statistics.
pub(crate) fn invariance_stats(
    model: &ModelSyntax,
    stats: &SampleStats,
    opts: &CfaOptions,
    cut: &InvarianceOptions,
    warnings: Vec<Warning>,
) -> Result<InvarianceResult> {
    if stats.groups.len() < 2 {
        return Err(Error::option(
            "--group",
            format!(
                "expected at least two groups with complete rows, found {}",
                stats.groups.len()
            ),
        ));
    }
    let groups = super::group_summaries(stats.groups.iter().map(|s| (s.label.as_str(), s.n)));
    sequence(
        |o| {
            let mut w = Vec::new();
            fit_stats(model, stats, o, &mut w)
        },
        groups,
        opts,
        cut,
        warnings,
    )
}

/// Fits the configural, metric and scalar models with `fit_one` and judges each step.
fn sequence<F>(
    fit_one: F,
    groups: Vec<GroupSummary>,
    opts: &CfaOptions,
    cut: &InvarianceOptions,
    mut warnings: Vec<Warning>,
) -> Result<InvarianceResult>
where
    F: Fn(&CfaOptions) -> Result<CfaResult>,
{
    let specs: [(&str, Vec<GroupEqual>); 3] = [
        ("configural", vec![]),
        ("metric", vec![GroupEqual::Loadings]),
        ("scalar", vec![GroupEqual::Loadings, GroupEqual::Intercepts]),
    ];
    let mut models = Vec::new();
    let mut steps: Vec<InvarianceStep> = Vec::new();
    for (name, eq) in specs {
        let o = CfaOptions {
            group_equal: eq,
            modification_indices: false,
            validity: false,
            ..opts.clone()
        };
        let r = fit_one(&o)?;
        for wn in &r.warnings {
            warnings.push(Warning::new(
                wn.code,
                format!("{name} model: {}", wn.message),
            ));
        }
        let mut s = step(name, &r);
        if let Some(prev) = models.last() {
            let (d, ddf, pd) = difference(prev, &r);
            s.chisq_diff = d;
            s.df_diff = ddf;
            s.p_diff = pd;
            judge(&mut s, prev, &r, cut);
        }
        steps.push(s);
        models.push(r);
    }
    let difference_test = if opts.estimator == Estimator::Mlr {
        "satorra.bentler.2001"
    } else {
        "chisq difference"
    };
    Ok(finish(
        groups,
        steps,
        models,
        warnings,
        difference_test.into(),
        cut,
    ))
}

/// ΔCFI, ΔRMSEA and the verdicts of a step against the previous model.
pub(crate) fn judge(
    s: &mut InvarianceStep,
    prev: &CfaResult,
    r: &CfaResult,
    cut: &InvarianceOptions,
) {
    s.delta_cfi = r.fit.cfi.zip(prev.fit.cfi).map(|(a, b)| a - b);
    s.delta_rmsea = r.fit.rmsea.zip(prev.fit.rmsea).map(|(a, b)| a - b);
    s.cfi_ok = s.delta_cfi.map(|d| -d <= cut.delta_cfi + 1e-12);
    s.rmsea_ok = s.delta_rmsea.map(|d| d <= cut.delta_rmsea + 1e-12);
    s.holds = s.cfi_ok.zip(s.rmsea_ok).map(|(a, b)| a && b);
}

/// The result, with the highest level whose steps all hold.
pub(crate) fn finish(
    groups: Vec<GroupSummary>,
    steps: Vec<InvarianceStep>,
    models: Vec<CfaResult>,
    warnings: Vec<Warning>,
    difference_test: String,
    cut: &InvarianceOptions,
) -> InvarianceResult {
    let mut level = "configural".to_string();
    for s in steps.iter().skip(1) {
        if s.holds == Some(true) {
            level = s.model.clone();
        } else {
            break;
        }
    }
    InvarianceResult {
        groups,
        steps,
        level,
        difference_test,
        delta_cfi_cutoff: cut.delta_cfi,
        delta_rmsea_cutoff: cut.delta_rmsea,
        warnings,
        models,
    }
}

/// The sequence for ordered items (Wu & Estabrook, 2016): configural, thresholds,
/// thresholds + loadings, thresholds + loadings + intercepts, each compared with the one before
/// by lavaan's difference test for the estimator (see [`super::categorical::invariance`]).
fn ordered(
    data: &ItemData,
    groups: &[String],
    model: &ModelSyntax,
    opts: &CfaOptions,
    cut: &InvarianceOptions,
) -> Result<InvarianceResult> {
    let seq = super::categorical::invariance::sequence(data, groups, model, opts)?;
    let mut steps: Vec<InvarianceStep> = Vec::with_capacity(seq.steps.len());
    let mut models: Vec<CfaResult> = Vec::with_capacity(seq.steps.len());
    for st in seq.steps {
        let mut s = step(st.name, &st.result);
        if let (Some(prev), Some(d)) = (models.last(), st.diff) {
            s.chisq_diff = d.chisq.is_finite().then_some(d.chisq);
            s.df_diff = Some(d.df);
            s.p_diff = d.p;
            judge(&mut s, prev, &st.result, cut);
        }
        steps.push(s);
        models.push(st.result);
    }
    Ok(finish(
        seq.groups,
        steps,
        models,
        seq.warnings,
        seq.method,
        cut,
    ))
}
