//! Simulated program studies recover their program effect: the self-ratings ANCOVA
//! (`evaluate`'s estimator, HC3) against the true effect converted to raw units.
//!
//! Raw-unit truth: at follow-up a self-rating's perceived value is
//! $f = \sqrt{\rho}(a + \delta P) + \sqrt{1-\rho}\,u + \beta_{self}$, marginally
//! $N(\beta_{self} + \sqrt\rho\,\delta P, 1)$, and item $i$'s latent response
//! $y = \lambda f + \sqrt{1-\lambda^2}e \sim N(\lambda\mu, 1)$, so
//! $E x_i = \min + \sum_m \Phi(\lambda\mu - \tau_{im})$. The true raw effect is the subscale mean
//! of $E x_i(\mu_P) - E x_i(\mu_C)$; under randomisation the ANCOVA estimates this average
//! effect consistently (Yang & Tsiatis 2001).

use trustscale::dist::normal_cdf;
use trustscale::evaluate::{evaluate_source, Design, Rating, Source, SourceData, Wave};
use trustscale::simulate::population::load_model;

fn model(delta: f64) -> String {
    format!(
        r#"
seed = 1
[design]
arenas = ["a"]
groups_per_arena = [80]
raters = [1, 1]
[leader]
instruments = [{{ id = "abi", loading = 0.75, factor_cor = 0.5, icc = 0.35 }}]
[group]
instruments = [{{ id = "group-trust", loading = 0.75, factor_cor = 0.5, icc = 0.3 }}]
[raters]
self_bias = 0.4
[program]
waves = ["pre", "post"]
cohorts = 2
stability = 0.7
attrition = 0.1
[program.effects]
"abi:ability" = {delta}
"#
    )
}

/// (mean estimate, coverage of the truth, rejection rate, truth) over `reps` seeds.
fn run(delta: f64, reps: u64) -> (f64, f64, f64, f64) {
    let m = load_model(&model(delta), std::path::Path::new("model.toml")).unwrap();
    let c = m.compile().unwrap();
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
    let bias = 0.4;
    let truth = expect(bias + im.icc.sqrt() * delta) - expect(bias);
    let design = Design {
        baseline: "pre".into(),
        followup: "post".into(),
        program: "program".into(),
        comparison: Some("comparison".into()),
    };
    let (mut sum, mut cover, mut reject) = (0.0, 0.0, 0.0);
    for seed in 1..=reps {
        let s = c.generate_default(seed).unwrap();
        let col = |name: &str| s.leader_header.iter().position(|h| h == name).unwrap();
        let (w, arm, lead) = (col("wave"), col("condition"), col("leader_id"));
        let first = 8;
        let ratings: Vec<Rating> = s
            .leader_rows
            .iter()
            .filter(|r| r[4] == "self")
            .map(|r| Rating {
                unit: r[lead].clone(),
                wave: if r[w] == "pre" {
                    Wave::Baseline
                } else {
                    Wave::Followup
                },
                arm: usize::from(r[arm] != "program"),
                cohort: None,
                score: items
                    .iter()
                    .map(|&i| r[first + i].parse::<f64>().unwrap())
                    .sum::<f64>()
                    / items.len() as f64,
            })
            .collect();
        let data = SourceData {
            source: Source::SelfRating,
            ratings,
            baseline_items: None,
            clustered: false,
            items: None,
        };
        let e = evaluate_source(&design, &data).unwrap().effect.unwrap();
        sum += e.estimate;
        cover += f64::from(u8::from(e.ci[0] <= truth && truth <= e.ci[1]));
        reject += f64::from(u8::from(e.p < 0.05));
    }
    let r = reps as f64;
    (sum / r, cover / r, reject / r, truth)
}

fn check(reps: u64, tol_cover: f64) {
    let (mean, cover, _, truth) = run(0.5, reps);
    // the ANCOVA's sd at 72 leaders is about .2; the mean over reps has sd .2/sqrt(reps)
    let se = 0.2 / (reps as f64).sqrt();
    eprintln!("effect .5 SD: truth {truth:.4}, mean estimate {mean:.4}, coverage {cover:.3}");
    assert!(
        (mean - truth).abs() < 3.5 * se,
        "mean {mean} vs truth {truth}"
    );
    assert!((0.95 - cover).abs() <= tol_cover, "coverage {cover}");
    let (mean0, cover0, fpr, truth0) = run(0.0, reps);
    assert_eq!(truth0, 0.0);
    eprintln!(
        "no effect: mean estimate {mean0:.4}, coverage {cover0:.3}, false positives {fpr:.3}"
    );
    assert!(mean0.abs() < 3.5 * se, "null mean {mean0}");
    assert!((0.95 - cover0).abs() <= tol_cover, "null coverage {cover0}");
    assert!((fpr - 0.05).abs() <= tol_cover, "false-positive rate {fpr}");
}

#[test]
fn the_program_effect_is_recovered() {
    // 200 replications: the binomial sd of a .95 coverage is .015, so allow 3 sd
    check(200, 0.045);
}

#[test]
#[ignore]
fn the_program_effect_is_recovered_1000() {
    // 1000 replications: coverage within 93-97%
    check(1000, 0.02);
}
