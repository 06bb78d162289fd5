//! The program effect: ANCOVA (self, members) or a wave x arm mixed model (collaborators),
//! the difference in differences and Morris's d_ppc2; and the test to read
//! ([`Effect::adjusted`]): the contract's keys keep the contract's estimators (CR1 by cohort,
//! a random intercept per leader), which are liberal with few cohorts or when leaders' true
//! scores move between the waves, so the same effect is also tested with CR2 errors and
//! Bell–McCaffrey degrees of freedom, or with a leader × wave random intercept.

use super::{finite, Source, SourceData, UnitScores, Wave, Within};
use crate::dist::{normal_cdf, normal_quantile, t_quantile, t_two_sided_p};
use crate::error::{Result, Warning, WarningCode};
use crate::regression::{
    cr2_satterthwaite_df, lmm_reml, lmm_reml_nested, ols, Covariance, HcType, MixedOptions,
    OlsOptions,
};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::BTreeMap;

/// The program effect on one scale of one source.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Effect {
    /// `ancova` or `mixed`.
    pub method: String,
    /// The program arm's coefficient (ANCOVA) or the wave x arm interaction (mixed).
    pub estimate: f64,
    /// Its standard error (HC3, CR1 or the model's).
    pub se: f64,
    /// 95% interval.
    pub ci: [f64; 2],
    /// Two-sided p.
    pub p: f64,
    /// `HC3`, `CR1` (clustered by cohort) or `model` (the mixed model's REML covariance).
    pub se_type: String,
    /// Degrees of freedom of `ci` and `p` (the OLS residual df n - 3; `null` for the mixed
    /// model, whose interval and p are Wald z).
    pub df: Option<f64>,
    /// Units (ANCOVA) or rating rows (mixed) in the model.
    pub n: usize,
    /// Leaders in the mixed model (its groups), or cohorts under CR1.
    pub n_clusters: Option<usize>,
    /// (mean change, program) - (mean change, comparison) over the `within` rows.
    pub did: Option<f64>,
    /// Morris's (2008) d_ppc2.
    pub d_ppc2: Option<f64>,
    /// Its 95% interval (Morris 2008, eq. 25; normal).
    pub d_ppc2_ci: Option<[f64; 2]>,
    /// The pooled within-arm correlation of baseline and follow-up used by `d_ppc2_ci`.
    pub r_pooled: Option<f64>,
    /// The same effect tested with small-sample-calibrated inference (the test the report and
    /// `power` read): CR2 errors with Bell–McCaffrey degrees of freedom for the cohort-clustered
    /// ANCOVA, the model with a leader × wave random intercept for collaborators' ratings;
    /// `null` for the ANCOVA with HC3 errors (already calibrated).
    pub adjusted: Option<AdjustedEffect>,
}

/// The program effect with calibrated small-sample inference (see [`effect`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AdjustedEffect {
    /// The model, in R's formula notation (`post ~ pre + arm` or
    /// `rating ~ wave * arm + (1 | leader) + (1 | leader:wave)`).
    pub model: String,
    /// The program arm's coefficient or the wave x arm interaction.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// `CR2` (clustered by cohort) or `model` (the mixed model's REML covariance).
    pub se_type: String,
    /// Degrees of freedom of `ci` and `p`: Bell–McCaffrey (Satterthwaite) for CR2; `null` for
    /// the mixed model (Wald z).
    pub df: Option<f64>,
    /// 95% interval.
    pub ci: [f64; 2],
    /// Two-sided p.
    pub p: f64,
    /// Cohorts (CR2) or leaders (mixed model).
    pub n_clusters: usize,
    /// Mixed model: variance of the leaders' random intercepts.
    pub var_leader: Option<f64>,
    /// Mixed model: variance of the leader × wave random intercepts.
    pub var_leader_wave: Option<f64>,
    /// Mixed model: residual variance (between the ratings of one leader at one wave).
    pub var_residual: Option<f64>,
}

impl Effect {
    /// The test to read: [`Effect::adjusted`] when there is one, else the effect's own
    /// (estimate, se, ci, p).
    pub fn test(&self) -> (f64, f64, [f64; 2], f64) {
        match &self.adjusted {
            Some(a) => (a.estimate, a.se, a.ci, a.p),
            None => (self.estimate, self.se, self.ci, self.p),
        }
    }
}

/// The program effect, or `None` (with a warning) when a model cannot be fitted.
///
/// # Formula
/// ANCOVA (self-ratings, members' ratings): OLS of $y_{post} = b_0 + b_1 y_{pre} + b_2
/// \mathrm{program} + e$ over the units with both waves; $b_2$ with HC3 errors (CR1 by cohort
/// when the study names one), interval $b_2 \pm t_{.975, n-3}\\,se$ and $p$ on $n - 3$ df.
/// Mixed (collaborators' ratings, different raters at each wave): REML fit of
/// $\mathrm{rating} = b_0 + b_1\mathrm{followup} + b_2\mathrm{program} +
/// b_3\mathrm{followup}\cdot\mathrm{program} + u_{leader} + e$ on the rating rows of both waves;
/// $b_3$ with the model's standard error and a Wald z interval and $p$.
/// `did` $= \bar c_P - \bar c_C$; $d_{ppc2} = c_p\\, \mathrm{did}/s_{pre}$ with
/// $c_p = 1 - 3/(4(n_P + n_C - 2) - 1)$ and $s_{pre}$ the pooled baseline SD of the `within` rows;
/// $$\sigma^2(d_{ppc2}) = 2c_p^2(1-\rho)\frac{n_P+n_C}{n_Pn_C}\frac{n_P+n_C-2}{n_P+n_C-4}
///   \Bigl(1 + \frac{d^2}{2(1-\rho)(n_P+n_C)/(n_Pn_C)}\Bigr) - d^2$$
/// (Morris 2008, eq. 25) with $\rho$ the pooled within-arm correlation of baseline and
/// follow-up, $\sum_a (n_a-1)s_{xy,a}/\sqrt{\sum_a (n_a-1)s^2_{x,a}\sum_a(n_a-1)s^2_{y,a}}$,
/// and the interval $d_{ppc2} \pm z_{.975}\sigma$.
///
/// `adjusted`: for the cohort-clustered ANCOVA the same $b_2$ with CR2 errors (Bell & McCaffrey
/// 2002: residuals of cohort $g$ scaled by $(I - H_{gg})^{-1/2}$) and $t$ on the
/// Bell–McCaffrey/Satterthwaite degrees of freedom of Pustejovsky & Tipton (2018)
/// ([`cr2_satterthwaite_df`]); with 8 cohorts CR1 on $n - 3$ df rejects a true null about 12%
/// of the time at 5%. For collaborators' ratings the REML model
/// $\mathrm{rating} = \ldots + u_{leader} + v_{leader, wave} + e$, whose leader × wave intercept
/// carries the change of a leader's true score between the waves (and a kept rater's leniency
/// in part); without it the interaction's standard error treats the ratings of a leader at a
/// wave as independent given the leader, and its Wald test rejects a true null about 12% of the
/// time when leaders' true scores move (stability .7). Its $b_3$ with a Wald z interval and
/// $p$ (the leaders, 80 or so, give the interaction's Satterthwaite df near $2n - 4$).
///
/// # Peer
/// R `lm(post ~ pre + program)` with `sandwich::vcovHC(type = "HC3")` or
/// `vcovCL(cluster = ~cohort, type = "HC1")` and `lmtest::coeftest`/`coefci`;
/// `lme4::lmer(rating ~ followup * program + (1 | leader), REML = TRUE)` with
/// `confint(method = "Wald")`. Adjusted: clubSandwich 0.5.8
/// `coef_test(m, vcov = "CR2", cluster = cohort, test = "Satterthwaite")` and
/// `conf_int(..., test = "Satterthwaite")`; `lmer(rating ~ followup * program + (1 | leader) +
/// (1 | leader:followup), REML = TRUE)` (`tests/fixtures/evaluate_adjusted/`).
pub fn effect(
    data: &SourceData,
    units: &[UnitScores],
    within: &[Within],
    warnings: &mut Vec<Warning>,
) -> Result<Option<Effect>> {
    let (did, d_ppc2, d_ppc2_ci, r_pooled) = morris(units, within);
    let fitted = match data.source {
        Source::Collaborators => mixed(data, warnings)?,
        _ => ancova(data, units, warnings)?,
    };
    Ok(fitted.map(|mut e| {
        e.did = did;
        e.d_ppc2 = d_ppc2;
        e.d_ppc2_ci = d_ppc2_ci;
        e.r_pooled = r_pooled;
        e
    }))
}

type MorrisParts = (Option<f64>, Option<f64>, Option<[f64; 2]>, Option<f64>);

/// `did`, d_ppc2, its interval and the pooled correlation.
fn morris(units: &[UnitScores], within: &[Within]) -> MorrisParts {
    let (Some(p), Some(c)) = (within.first(), within.get(1)) else {
        return (None, None, None, None);
    };
    let did = p.mean_change.zip(c.mean_change).map(|(a, b)| a - b);
    let (nt, nc) = (p.n_paired as f64, c.n_paired as f64);
    let (Some(sp), Some(sc), Some(did)) = (p.sd_baseline, c.sd_baseline, did) else {
        return (did, None, None, None);
    };
    let s_pre = (((nt - 1.0) * sp * sp + (nc - 1.0) * sc * sc) / (nt + nc - 2.0)).sqrt();
    let cp = 1.0 - 3.0 / (4.0 * (nt + nc - 2.0) - 1.0);
    let d = finite(cp * did / s_pre);
    // pooled within-arm covariance of baseline and follow-up
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for arm in 0..2 {
        let pairs: Vec<(f64, f64)> = units
            .iter()
            .filter(|u| u.arm == arm)
            .filter_map(|u| Some((u.baseline?, u.followup?)))
            .collect();
        let n = pairs.len() as f64;
        let mx = pairs.iter().map(|q| q.0).sum::<f64>() / n;
        let my = pairs.iter().map(|q| q.1).sum::<f64>() / n;
        for (x, y) in pairs {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
        }
    }
    let rho = finite(sxy / (sxx * syy).sqrt());
    let ci = match (d, rho) {
        (Some(d), Some(rho)) if nt + nc > 4.0 && rho < 1.0 => {
            let h = (nt + nc) / (nt * nc);
            let v = 2.0 * cp * cp * (1.0 - rho) * h * (nt + nc - 2.0) / (nt + nc - 4.0)
                * (1.0 + d * d / (2.0 * (1.0 - rho) * h))
                - d * d;
            let z = normal_quantile(0.975).unwrap_or(1.959963984540054);
            (v > 0.0).then(|| [d - z * v.sqrt(), d + z * v.sqrt()])
        }
        _ => None,
    };
    (Some(did), d, ci, rho)
}

/// ANCOVA of the follow-up on the baseline and the program dummy.
fn ancova(
    data: &SourceData,
    units: &[UnitScores],
    warnings: &mut Vec<Warning>,
) -> Result<Option<Effect>> {
    let both: Vec<&UnitScores> = units
        .iter()
        .filter(|u| u.baseline.is_some() && u.followup.is_some())
        .collect();
    let n = both.len();
    let arms = [0, 1].map(|a| both.iter().filter(|u| u.arm == a).count());
    if n < 4 || arms.contains(&0) {
        warnings.push(Warning::new(
            WarningCode::Note,
            format!("the program effect needs units with both waves in both arms and at least 4 in all (found {} and {}): effect is null", arms[0], arms[1]),
        ));
        return Ok(None);
    }
    let x = DMatrix::from_fn(n, 2, |i, j| match j {
        0 => both[i].baseline.unwrap_or(f64::NAN),
        _ => f64::from(u8::from(both[i].arm == 0)),
    });
    let y: Vec<f64> = both
        .iter()
        .map(|u| u.followup.unwrap_or(f64::NAN))
        .collect();
    let cluster_ids = if data.clustered {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let ids: Vec<usize> = both
            .iter()
            .map(|u| {
                let k = u.cohort.as_deref().unwrap_or_default();
                let next = index.len();
                *index.entry(k).or_insert(next)
            })
            .collect();
        if index.len() < 2 {
            warnings.push(Warning::new(
                WarningCode::Note,
                "the units with both waves come from one cohort: cohort-clustered errors need at least 2; effect is null",
            ));
            return Ok(None);
        }
        Some(ids)
    } else {
        None
    };
    let covariance = match &cluster_ids {
        Some(ids) => Covariance::Cluster {
            ids: ids.clone(),
            kind: HcType::Hc1,
        },
        None => Covariance::Hc(HcType::Hc3),
    };
    let names = ["baseline".to_string(), "program".to_string()];
    let fit = match ols(
        &x,
        &y,
        &names,
        &OlsOptions {
            covariance,
            ci: 0.95,
        },
    ) {
        Ok(f) => f,
        Err(e) => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                format!("the ANCOVA cannot be fitted ({e}): effect is null"),
            ));
            return Ok(None);
        }
    };
    let b = &fit.coefficients[2];
    if !b.se.is_finite() || b.se <= 0.0 {
        warnings.push(Warning::new(
            WarningCode::Singular,
            "the ANCOVA's robust standard error is undefined: effect is null",
        ));
        return Ok(None);
    }
    let adjusted = match &cluster_ids {
        Some(ids) => cr2_effect(&x, &y, ids, &names, warnings),
        None => None,
    };
    Ok(Some(Effect {
        method: "ancova".into(),
        estimate: b.estimate,
        se: b.se,
        ci: b.ci,
        p: b.p,
        se_type: fit.se_type.clone(),
        df: Some(fit.df2 as f64),
        n,
        n_clusters: fit.n_clusters,
        did: None,
        d_ppc2: None,
        d_ppc2_ci: None,
        r_pooled: None,
        adjusted,
    }))
}

/// The ANCOVA's program coefficient with CR2 errors by cohort and Bell–McCaffrey df.
fn cr2_effect(
    x: &DMatrix<f64>,
    y: &[f64],
    ids: &[usize],
    names: &[String],
    warnings: &mut Vec<Warning>,
) -> Option<AdjustedEffect> {
    let fail = |warnings: &mut Vec<Warning>, why: String| {
        warnings.push(Warning::new(
            WarningCode::Singular,
            format!(
                "the CR2 test of the program effect cannot be computed ({why}): adjusted is null"
            ),
        ));
        None
    };
    let fit = match ols(
        x,
        y,
        names,
        &OlsOptions {
            covariance: Covariance::Cluster {
                ids: ids.to_vec(),
                kind: HcType::Hc2,
            },
            ci: 0.95,
        },
    ) {
        Ok(f) => f,
        Err(e) => return fail(warnings, e.to_string()),
    };
    let full = DMatrix::from_fn(x.nrows(), 3, |i, j| match j {
        0 => 1.0,
        _ => x[(i, j - 1)],
    });
    let df = match cr2_satterthwaite_df(&full, ids, 2) {
        Ok(df) => df,
        Err(e) => return fail(warnings, e.to_string()),
    };
    let b = &fit.coefficients[2];
    let tq = t_quantile(0.975, df)?;
    if !(b.se.is_finite() && b.se > 0.0) {
        return fail(warnings, "its standard error is undefined".into());
    }
    Some(AdjustedEffect {
        model: "post ~ pre + arm".into(),
        estimate: b.estimate,
        se: b.se,
        se_type: "CR2".into(),
        df: Some(df),
        ci: [b.estimate - tq * b.se, b.estimate + tq * b.se],
        p: t_two_sided_p(b.estimate / b.se, df),
        n_clusters: fit.n_clusters.unwrap_or(0),
        var_leader: None,
        var_leader_wave: None,
        var_residual: None,
    })
}

/// The wave x arm interaction of a REML random-intercept model on the rating rows.
fn mixed(data: &SourceData, warnings: &mut Vec<Warning>) -> Result<Option<Effect>> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let rows = &data.ratings;
    let groups: Vec<usize> = rows
        .iter()
        .map(|r| {
            let next = index.len();
            *index.entry(r.unit.as_str()).or_insert(next)
        })
        .collect();
    let x = DMatrix::from_fn(rows.len(), 3, |i, j| {
        let f = f64::from(u8::from(rows[i].wave == Wave::Followup));
        let p = f64::from(u8::from(rows[i].arm == 0));
        match j {
            0 => f,
            1 => p,
            _ => f * p,
        }
    });
    let y: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let names = ["followup", "program", "followup:program"].map(String::from);
    let fit = match lmm_reml(&x, &y, &groups, &names, &MixedOptions::default()) {
        Ok(f) => f,
        Err(e) => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                format!("the mixed model cannot be fitted ({e}): effect is null"),
            ));
            return Ok(None);
        }
    };
    warnings.extend(fit.warnings.iter().cloned());
    let b = &fit.fixed[3];
    let z = normal_quantile(0.975).unwrap_or(1.959963984540054);
    let adjusted = match lmm_reml_nested(&x, &y, &groups, &names, 0) {
        Ok(m) => {
            warnings.extend(
                m.warnings
                    .iter()
                    .map(|w| Warning::new(w.code, format!("leader x wave model: {}", w.message))),
            );
            let a = &m.fixed[3];
            (a.se.is_finite() && a.se > 0.0).then(|| AdjustedEffect {
                model: "rating ~ wave * arm + (1 | leader) + (1 | leader:wave)".into(),
                estimate: a.estimate,
                se: a.se,
                se_type: "model".into(),
                df: None,
                ci: [a.estimate - z * a.se, a.estimate + z * a.se],
                p: 2.0 * normal_cdf(-(a.estimate / a.se).abs()),
                n_clusters: m.n_groups,
                var_leader: Some(m.var_group),
                var_leader_wave: Some(m.theta[0] * m.theta[0] * m.var_residual),
                var_residual: Some(m.var_residual),
            })
        }
        Err(e) => {
            warnings.push(Warning::new(
                WarningCode::Singular,
                format!("the leader x wave mixed model cannot be fitted ({e}): adjusted is null"),
            ));
            None
        }
    };
    Ok(Some(Effect {
        method: "mixed".into(),
        estimate: b.estimate,
        se: b.se,
        ci: [b.estimate - z * b.se, b.estimate + z * b.se],
        p: 2.0 * normal_cdf(-(b.estimate / b.se).abs()),
        se_type: "model".into(),
        df: None,
        n: fit.n,
        n_clusters: Some(fit.n_groups),
        did: None,
        d_ppc2: None,
        d_ppc2_ci: None,
        r_pooled: None,
        adjusted,
    }))
}
