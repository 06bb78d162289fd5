//! Monte Carlo power of a program design: leaders per arm × raters per leader.
//!
//! One replication simulates a two-arm, two-wave program study from the population model's
//! `[program]` table and analyses it as `trustscale evaluate` does
//! ([`crate::evaluate::program_effect`], the effect of [`crate::evaluate::evaluate_source`]), so
//! the power is the power of the effect `evaluate` reports:
//!
//! - leaders $0, \ldots, n-1$ take the program, leaders $n, \ldots, 2n-1$ are the comparison
//!   arm ($n$ = the cell's `groups`, leaders per arm); program leader $i$ joins cohort
//!   $i \bmod K_P$ and comparison leader $i$ cohort $K_P + i \bmod (K - K_P)$;
//! - each leader's baseline is drawn as in a cross-sectional study (stream $g + 1$) with exactly
//!   `raters` raters, its follow-up by the program model (stability, δ scaled by the cell's
//!   effect scale, turnover, attrition; see [`super::program`]); blank answers are not drawn;
//! - per term (a leader latent for `self` and `collaborators`, the outcome group latent for
//!   `members`) the subscale scores of that source give [`crate::evaluate::Effect`]: the
//!   ANCOVA for `self` and `members`, tested with CR2 errors by cohort and Bell–McCaffrey
//!   degrees of freedom, and the wave × arm REML model with a leader × wave random intercept
//!   for `collaborators` (the effect's `adjusted` test, [`crate::evaluate::Effect::test`]).
//!
//! A record holds per term Morris's (2008) $d_{ppc2}$ as the estimate, its normal standard
//! error $(\mathrm{hi} - \mathrm{lo})/(2 z_{.975})$ from its interval, and the $p$ value of the
//! effect's adjusted test (CR2 $t$ on Bell–McCaffrey df, or the leader × wave model's Wald
//! $z$); `df` is recorded as $10^6$ so the summary's $t$ interval is the normal one. The true effect is δ (self, collaborators) or
//! $(B\delta)$ (members) in latent SD units, so bias and coverage show what measurement error
//! costs against the latent effect, as in the cross-sectional power analyses.

use super::population::{carry_from, follow_up, Compiled};
use crate::error::{Error, Result};
use crate::evaluate::{program_effect, Design, Effect, Rating, Source, SourceData, Wave};

/// Degrees of freedom recorded for the normal interval of $d_{ppc2}$.
pub const NORMAL_DF: f64 = 1e6;

/// Parses `--source`: `self`, `collaborators` or `members`.
pub fn parse_source(s: &str) -> Result<Source> {
    match s {
        "self" => Ok(Source::SelfRating),
        "collaborators" => Ok(Source::Collaborators),
        "members" => Ok(Source::Members),
        other => Err(Error::option(
            "--source",
            format!("expected self, collaborators or members, found \"{other}\""),
        )),
    }
}

/// A term's subscale score of one rating row (the leader's or group's items, as drawn).
pub type Scorer<'a> = &'a dyn Fn(&[f64]) -> f64;

/// One replication of a program design with `leaders` per arm, `raters` per leader and the
/// program effects times `effect_scale` (see the module docs): per term, (d_ppc2, its standard
/// error, the p value of the effect's test: [`Effect::test`], the adjusted test when there is
/// one).
pub(crate) fn analyse_program(
    c: &Compiled,
    source: Source,
    terms: &[Scorer<'_>],
    cell: [usize; 2],
    effect_scale: f64,
    seed: u64,
) -> Result<Vec<[f64; 3]>> {
    let z = 1.959_963_984_540_054;
    program_effects(c, source, terms, cell, effect_scale, seed)?
        .into_iter()
        .map(|e| {
            let (Some(d), Some(ci)) = (e.d_ppc2, e.d_ppc2_ci) else {
                return Err(Error::option("--analysis", "d_ppc2 is undefined"));
            };
            Ok([d, (ci[1] - ci[0]) / (2.0 * z), e.test().3])
        })
        .collect()
}

/// One replication of a program design, as [`analyse_program`] draws and analyses it, giving
/// each term's whole [`Effect`] (for recovery checks of the estimators `evaluate` uses).
/// `terms` score one rating row: the leader's items (self, collaborators) or the group's
/// (members), in the model's item order.
pub fn program_effects(
    c: &Compiled,
    source: Source,
    terms: &[Scorer<'_>],
    [leaders, raters]: [usize; 2],
    effect_scale: f64,
    seed: u64,
) -> Result<Vec<Effect>> {
    let prog = c
        .program
        .as_ref()
        .ok_or_else(|| Error::option("--analysis", "the model has no [program] table"))?;
    let mut scaled = prog.clone();
    for d in &mut scaled.delta {
        *d *= effect_scale;
    }
    let (b, resid) = c.scaled(1.0)?;
    let n = leaders;
    let (k_all, k_p) = (prog.spec.cohorts, prog.program_cohorts);
    let (nl, ng) = (c.leader_items(), c.group_items());
    let mut ratings: Vec<Vec<Rating>> = vec![Vec::new(); terms.len()];
    for g in 0..2 * n {
        let program = g < n;
        let cohort = if program {
            g % k_p
        } else {
            k_p + (g - n) % (k_all - k_p)
        };
        let gd = c.group_data(seed, g, [raters, raters], &b, &resid);
        let mut carry = carry_from(&gd, &b);
        let f = follow_up(&scaled, c, seed, g, 1, program, &b, &resid, &mut carry);
        let waves = [
            Some((Wave::Baseline, &gd.leader_self, &gd.observers, &gd.members)),
            f.ratings
                .as_ref()
                .map(|r| (Wave::Followup, &r.leader_self, &r.observers, &r.members)),
        ];
        for (wave, own, observers, members) in waves.into_iter().flatten() {
            for (t, term) in terms.iter().enumerate() {
                let mut push = |score: f64| {
                    ratings[t].push(Rating {
                        unit: g.to_string(),
                        wave,
                        arm: usize::from(!program),
                        cohort: Some(cohort.to_string()),
                        score,
                    })
                };
                match source {
                    Source::SelfRating => push(term(own)),
                    Source::Collaborators => {
                        for row in observers.chunks_exact(nl) {
                            push(term(row));
                        }
                    }
                    Source::Members => {
                        for row in members.chunks_exact(ng) {
                            push(term(row));
                        }
                    }
                }
            }
        }
    }
    let design = Design {
        baseline: prog.spec.waves[0].clone(),
        followup: prog.spec.waves[1].clone(),
        program: prog.spec.program.clone(),
        comparison: Some(prog.spec.comparison.clone()),
    };
    let mut out = Vec::with_capacity(terms.len());
    for r in ratings {
        let data = SourceData {
            source,
            ratings: r,
            baseline_items: None,
            clustered: true,
            items: None,
        };
        let e = program_effect(&design, &data)?.ok_or_else(|| {
            Error::option("--analysis", "the program effect could not be estimated")
        })?;
        out.push(e);
    }
    Ok(out)
}
