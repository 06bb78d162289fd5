//! Measurement invariance on simulated data: invariant groups pass every step; a loading that
//! differs between groups fails the metric step; an intercept that differs fails the scalar
//! step. Data come from a two-factor, eight-item normal model with a fixed seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use trustscale::cfa::invariance::{invariance, InvarianceOptions};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{CfaOptions, Estimator};
use trustscale::data::ItemData;

const MODEL: &str = "f1 =~ a1 + a2 + a3 + a4\nf2 =~ b1 + b2 + b3 + b4";

struct Group {
    n: usize,
    loadings: [f64; 8],
    intercepts: [f64; 8],
    factor_mean: [f64; 2],
    factor_sd: [f64; 2],
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Rows of every group, with their group labels.
fn simulate(groups: &[Group], seed: u64) -> (ItemData, Vec<String>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values = Vec::new();
    let mut labels = Vec::new();
    let r = 0.4; // factor correlation
    for (g, gr) in groups.iter().enumerate() {
        for _ in 0..gr.n {
            let z1 = normal(&mut rng);
            let z2 = r * z1 + (1.0 - r * r).sqrt() * normal(&mut rng);
            let f = [
                gr.factor_mean[0] + gr.factor_sd[0] * z1,
                gr.factor_mean[1] + gr.factor_sd[1] * z2,
            ];
            for i in 0..8 {
                let l = gr.loadings[i];
                values.push(gr.intercepts[i] + l * f[i / 4] + 0.6 * normal(&mut rng));
            }
            labels.push(format!("g{}", g + 1));
        }
    }
    let names = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]
        .map(String::from)
        .to_vec();
    (ItemData::new(names, values).unwrap(), labels)
}

fn base(n: usize) -> Group {
    Group {
        n,
        loadings: [0.8, 0.7, 0.75, 0.65, 0.8, 0.7, 0.6, 0.75],
        intercepts: [3.0, 3.2, 2.9, 3.1, 3.5, 3.3, 3.0, 3.4],
        factor_mean: [0.0, 0.0],
        factor_sd: [1.0, 1.0],
    }
}

#[test]
fn invariance_invariant_groups_pass_every_step() {
    // groups differ in factor means and variances only: loadings and intercepts are invariant
    let mut g2 = base(600);
    g2.factor_mean = [0.4, -0.3];
    g2.factor_sd = [1.2, 0.9];
    let mut g3 = base(600);
    g3.factor_mean = [-0.2, 0.3];
    let (data, labels) = simulate(&[base(600), g2, g3], 7);
    let m = parse(MODEL, "model").unwrap();
    for est in [Estimator::Ml, Estimator::Mlr] {
        let opts = CfaOptions {
            estimator: est,
            ..CfaOptions::default()
        };
        let inv = invariance(&data, &labels, &m, &opts, &InvarianceOptions::default()).unwrap();
        assert_eq!(inv.groups.len(), 3);
        assert!(inv.steps.iter().all(|s| s.converged));
        assert_eq!(
            inv.steps[1].holds,
            Some(true),
            "{est:?} metric: {:?}",
            inv.steps[1]
        );
        assert_eq!(
            inv.steps[2].holds,
            Some(true),
            "{est:?} scalar: {:?}",
            inv.steps[2]
        );
        assert_eq!(inv.level, "scalar");
        assert_eq!(inv.steps[1].df_diff, Some(12)); // 6 free loadings x 2 groups
        assert_eq!(inv.steps[2].df_diff, Some(12)); // 8 intercepts - 2 latent means, x 2 groups
                                                    // latent means are recovered in the scalar model (group 2 vs group 1)
        let scalar = &inv.models[2];
        let mean = |f: &str, g: usize| {
            scalar
                .parameters
                .iter()
                .find(|p| p.lhs == f && p.op.as_str() == "~1" && p.group == Some(g))
                .map(|p| p.est)
                .unwrap()
        };
        assert!((mean("f1", 2) - 0.4 * 0.8).abs() < 0.1, "{}", mean("f1", 2));
        assert_eq!(mean("f1", 1), 0.0);
    }
}

#[test]
fn invariance_one_differing_loading_fails_the_metric_step() {
    let mut g2 = base(600);
    g2.loadings[1] = 0.15; // a2 barely measures f1 in group 2
    let (data, labels) = simulate(&[base(600), g2, base(600)], 11);
    let m = parse(MODEL, "model").unwrap();
    let inv = invariance(
        &data,
        &labels,
        &m,
        &CfaOptions::default(),
        &InvarianceOptions::default(),
    )
    .unwrap();
    let metric = &inv.steps[1];
    assert_eq!(metric.holds, Some(false), "{metric:?}");
    assert!(metric.p_diff.unwrap() < 1e-6);
    assert_eq!(inv.level, "configural");
}

#[test]
fn invariance_one_differing_intercept_fails_the_scalar_step() {
    let mut g2 = base(600);
    g2.intercepts[5] += 0.8;
    let (data, labels) = simulate(&[base(600), g2], 5);
    let m = parse(MODEL, "model").unwrap();
    let inv = invariance(
        &data,
        &labels,
        &m,
        &CfaOptions::default(),
        &InvarianceOptions::default(),
    )
    .unwrap();
    assert_eq!(inv.steps[1].holds, Some(true), "{:?}", inv.steps[1]);
    assert_eq!(inv.steps[2].holds, Some(false), "{:?}", inv.steps[2]);
    assert_eq!(inv.level, "metric");
}

#[test]
fn invariance_needs_two_groups() {
    let (data, _) = simulate(&[base(100)], 1);
    let labels = vec!["only".to_string(); data.n()];
    let m = parse(MODEL, "model").unwrap();
    let e = invariance(
        &data,
        &labels,
        &m,
        &CfaOptions::default(),
        &InvarianceOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("at least two groups"), "{e}");
}
