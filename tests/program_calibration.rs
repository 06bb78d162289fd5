//! Calibration of the program-effect tests `evaluate` reads (`effect.adjusted`) in the design
//! that made the contract's tests liberal: 8 cohorts (4 per arm), leaders' true scores moving
//! between the waves (stability .7), a third of the raters kept with their leniency (turnover
//! .35), attrition depending on the baseline. Each replication is drawn and analysed as
//! `power --analysis program` does it ([`program_effects`]: 40 leaders per arm, 6 raters each).
//!
//! - `self`: the ANCOVA's program coefficient with CR2 errors by cohort and t on the
//!   Bell–McCaffrey df (the contract's CR1 on n - 3 df rejected about 12% at 5%);
//! - `collaborators`: the wave × arm interaction of `rating ~ wave * arm + (1 | leader) +
//!   (1 | leader:wave)` (the contract's random intercept alone rejected about 12%).
//!
//! With no program effect the false-positive rate must be near .05; with δ = .5 the 95%
//! intervals must cover the true raw-unit effect 93–97% of the time. The raw truth: at the
//! follow-up a perceived value is $f = \sqrt{icc}\,c + \ldots + b$ with $c \sim N(\delta P, 1)$,
//! marginally $N(b + \sqrt{icc}\,\delta P, 1)$ ($b$ = self_bias for self-ratings, 0 for a
//! collaborator), and item $i$'s response $y = \lambda f + \sqrt{1-\lambda^2}e$, so
//! $E x_i = \min + \sum_m \Phi(\lambda\mu - \tau_{im})$; the truth is the subscale mean of
//! $E x_i(\mu_P) - E x_i(\mu_C)$ (the arms' baselines are equal in distribution).

use trustscale::dist::normal_cdf;
use trustscale::evaluate::Source;
use trustscale::simulate::population::{load_model, Compiled};
use trustscale::simulate::program_power::program_effects;

const MODEL: &str = r#"
seed = 1
[design]
arenas = ["a"]
groups_per_arena = [80]
raters = [6, 6]
[leader]
instruments = [{ id = "abi", loading = 0.75, factor_cor = 0.5, icc = 0.35 }]
[group]
instruments = [{ id = "group-trust", loading = 0.75, factor_cor = 0.5, icc = 0.3 }]
[raters]
leniency_sd = 0.3
self_bias = 0.4
[program]
waves = ["pre", "post"]
cohorts = 8
program_cohorts = 4
stability = 0.7
turnover = 0.35
attrition = 0.12
attrition_slope = -0.5
[program.effects]
"abi:ability" = 0.5
"#;

struct Calibration {
    truth: f64,
    mean: f64,
    coverage: f64,
    false_positives: f64,
    null_coverage: f64,
}

fn compiled() -> Compiled {
    load_model(MODEL, std::path::Path::new("model.toml"))
        .unwrap()
        .compile()
        .unwrap()
}

fn run(source: Source, reps: u64) -> Calibration {
    let c = compiled();
    let (_, lm, im) = &c.leader[0];
    let items: Vec<usize> = (0..lm.items.len())
        .filter(|&i| lm.factor_of[i] == 0)
        .collect();
    let expect = |mu: f64| -> f64 {
        items
            .iter()
            .map(|&i| {
                let l = lm.loadings[i];
                lm.min
                    + lm.thresholds[i]
                        .iter()
                        .map(|t| normal_cdf(l * mu - t))
                        .sum::<f64>()
            })
            .sum::<f64>()
            / items.len() as f64
    };
    let bias = if source == Source::SelfRating {
        0.4
    } else {
        0.0
    };
    let truth = expect(bias + im.icc.sqrt() * 0.5) - expect(bias);
    let score = |row: &[f64]| items.iter().map(|&i| row[i]).sum::<f64>() / items.len() as f64;
    let (mut sum, mut cover, mut reject, mut cover0) = (0.0, 0.0, 0.0, 0.0);
    for seed in 1..=reps {
        let e = &program_effects(&c, source, &[&score], [40, 6], 1.0, seed).unwrap()[0];
        let (est, _, ci, _) = e.test();
        sum += est;
        cover += f64::from(u8::from(ci[0] <= truth && truth <= ci[1]));
        let e0 = &program_effects(&c, source, &[&score], [40, 6], 0.0, seed).unwrap()[0];
        let (_, _, ci0, p0) = e0.test();
        reject += f64::from(u8::from(p0 < 0.05));
        cover0 += f64::from(u8::from(ci0[0] <= 0.0 && 0.0 <= ci0[1]));
    }
    let r = reps as f64;
    Calibration {
        truth,
        mean: sum / r,
        coverage: cover / r,
        false_positives: reject / r,
        null_coverage: cover0 / r,
    }
}

fn check(source: Source, reps: u64, tol: f64) {
    let k = run(source, reps);
    eprintln!(
        "{}: {reps} replications, truth {:.4}, mean estimate {:.4}, coverage {:.3}; no effect: false positives {:.3}, coverage {:.3}",
        source.name(),
        k.truth,
        k.mean,
        k.coverage,
        k.false_positives,
        k.null_coverage
    );
    // the estimate's sd is about .12 at 40 leaders per arm
    let se = 0.15 / (reps as f64).sqrt();
    assert!(
        (k.mean - k.truth).abs() < 3.5 * se,
        "mean {} vs truth {}",
        k.mean,
        k.truth
    );
    assert!((k.coverage - 0.95).abs() <= tol, "coverage {}", k.coverage);
    assert!(
        (k.false_positives - 0.05).abs() <= tol,
        "false-positive rate {}",
        k.false_positives
    );
}

#[test]
fn self_ratings_cr2_test_holds_its_level_with_8_cohorts() {
    // 200 replications: the binomial sd of a 5% rate is .015; allow 3 sd
    check(Source::SelfRating, 200, 0.045);
}

#[test]
fn collaborators_leader_by_wave_model_holds_its_level() {
    check(Source::Collaborators, 200, 0.045);
}

#[test]
#[ignore = "1000 replications per source (about a minute); run by hand, figures in docs/power.md"]
fn program_tests_are_calibrated_1000() {
    // coverage and the false-positive rate within .02 of .95 and .05 (the binomial sd of a
    // 5% rate over 1000 replications is .007)
    check(Source::SelfRating, 1000, 0.02);
    check(Source::Collaborators, 1000, 0.02);
}
