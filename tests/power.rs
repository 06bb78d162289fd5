//! Monte Carlo power: agreement with closed-form power, shards that merge to the single run bit
//! for bit, resuming after an interruption, and determinism whatever the thread count.

use trustscale::dist::{f_quantile, ncf_cdf};
use trustscale::simulate::population::{load_model, Compiled};
use trustscale::simulate::power::{merge, run_power, Analysis, PowerRun, PowerSettings, Progress};

const MODEL: &str = r#"
title = "power test"
seed = 11
[design]
arenas = ["a"]
groups_per_arena = [60]
raters = [3, 3]
[leader]
instruments = [{ id = "abi", loading = 0.8, factor_cor = 0.0, icc = 0.4 }]
[group]
instruments = [{ id = "group-trust", loading = 0.8, factor_cor = 0.3, icc = 0.4 }]
[effects."group-trust:cognitive"]
"abi:ability" = 0.35
"#;

fn compiled() -> Compiled {
    load_model(MODEL, std::path::Path::new("m.toml"))
        .unwrap()
        .compile()
        .unwrap()
}

fn settings(analysis: Analysis, groups: Vec<usize>, scale: Vec<f64>, reps: usize) -> PowerSettings {
    PowerSettings {
        seed: 99,
        replications: reps,
        alpha: 0.05,
        analysis,
        outcome: "group-trust:cognitive".into(),
        predictors: vec!["abi:ability".into()],
        groups,
        raters: vec![3],
        effect_scale: scale,
        contrast: None,
        cv_folds: 5,
        source: None,
    }
}

fn run(
    c: &Compiled,
    s: &PowerSettings,
    shard: Option<[usize; 2]>,
    prev: Option<PowerRun>,
) -> PowerRun {
    let noop = |_: Progress| {};
    run_power(c, s, shard, prev, &noop, &mut |_| Ok(())).unwrap()
}

/// Power of the F (= t^2) test of one predictor: pwr::pwr.f2.test(u = 1, v = n - 2, f2 = b^2/(1-b^2)),
/// noncentrality f2 (u + v + 1).
fn closed_form(n: usize, beta: f64, alpha: f64) -> f64 {
    let f2 = beta * beta / (1.0 - beta * beta);
    let v = (n - 2) as f64;
    let crit = f_quantile(1.0 - alpha, 1.0, v).unwrap();
    1.0 - ncf_cdf(crit, 1.0, v, f2 * n as f64)
}

#[test]
fn latent_power_agrees_with_the_noncentral_f() {
    let c = compiled();
    let s = settings(Analysis::Latent, vec![30, 60, 120], vec![1.0, 0.6], 2000);
    let r = run(&c, &s, None, None);
    for cell in &r.summary {
        let e = &cell.effects[0];
        let want = closed_form(cell.spec.groups, e.true_beta, 0.05);
        // Monte Carlo sd of a power estimate from 2000 replications is at most .011; the
        // closed form treats the predictor as fixed, ours draws it (a difference < .01 here)
        assert!(
            (e.power - want).abs() < 3.0 * e.power_se.max(0.005) + 0.01,
            "{} groups, beta {}: simulated {} vs closed form {want}",
            cell.spec.groups,
            e.true_beta,
            e.power
        );
        // no measurement error: unbiased standardised estimates, nominal coverage
        assert!(e.bias.abs() < 0.02, "bias {}", e.bias);
        assert!((e.coverage - 0.95).abs() < 0.02, "coverage {}", e.coverage);
    }
}

#[test]
fn shards_merge_to_the_single_run_bit_for_bit() {
    let c = compiled();
    let s = settings(Analysis::Aggregate, vec![20, 30], vec![1.0], 12);
    let whole = run(&c, &s, None, None);
    let shards: Vec<PowerRun> = (1..=3).map(|i| run(&c, &s, Some([i, 3]), None)).collect();
    assert!(shards.iter().all(|r| r.shard.is_some()));
    let merged = merge(shards).unwrap();
    assert_eq!(
        serde_json::to_string(&merged).unwrap(),
        serde_json::to_string(&whole).unwrap()
    );
    // aggregated measurement attenuates the estimate
    assert!(whole.summary[1].effects[0].mean_estimate < 0.35);
}

#[test]
fn resume_skips_finished_cells_and_equals_a_fresh_run() {
    let c = compiled();
    let s = settings(Analysis::Aggregate, vec![20, 24], vec![1.0], 8);
    let whole = run(&c, &s, None, None);
    let mut partial = whole.clone();
    partial.records.retain(|r| r.cell == 0);
    let resumed = run(&c, &s, None, Some(partial));
    assert_eq!(
        serde_json::to_string(&resumed).unwrap(),
        serde_json::to_string(&whole).unwrap()
    );
    // a file from other settings is refused
    let other = settings(Analysis::Aggregate, vec![20, 24], vec![1.0], 9);
    let noop = |_: Progress| {};
    assert!(run_power(&c, &other, None, Some(whole), &noop, &mut |_| Ok(())).is_err());
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let c = compiled();
    for analysis in [Analysis::Multilevel, Analysis::Aggregate] {
        same_on_one_and_two_threads(&c, &settings(analysis, vec![20], vec![1.0], 6));
    }
}

fn same_on_one_and_two_threads(c: &Compiled, s: &PowerSettings) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| run(c, s, None, None));
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run(c, s, None, None));
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
    assert!(
        one.records.iter().all(|r| r.error.is_none()),
        "{:?}",
        one.records.iter().find(|r| r.error.is_some())
    );
}

/// docs/power.md shows the Slurm job scripts that `scripts/slurm-power-test.sh` runs on a real
/// scheduler, exactly as they are (the documented and the tested are the same files).
#[test]
fn power_docs_show_the_tested_slurm_scripts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/power.md")).expect("docs/power.md");
    for script in [
        "scripts/slurm/power-array.sh",
        "scripts/slurm/power-merge.sh",
    ] {
        let text = std::fs::read_to_string(root.join(script)).expect(script);
        assert!(
            doc.contains(&format!("```bash\n{text}```")),
            "docs/power.md does not show {script} as it is"
        );
        assert!(doc.contains(script), "docs/power.md does not name {script}");
    }
    let test = std::fs::read_to_string(root.join("scripts/slurm-power-test.sh")).expect("test");
    for script in ["power-array.sh", "power-merge.sh"] {
        assert!(
            test.contains(&format!("scripts/slurm/{script}")),
            "{script} not run"
        );
    }
}
/// A model for the differential claim: ability builds cognitive trust only, benevolence
/// affective trust only, integrity both alike.
const DIFFERENTIAL: &str = r#"
title = "differential power"
seed = 5
[design]
arenas = ["a"]
groups_per_arena = [60]
raters = [6, 6]
[leader]
instruments = [{ id = "abi", loading = 0.8, factor_cor = 0.0, icc = 0.5 }]
[group]
instruments = [{ id = "group-trust", loading = 0.8, factor_cor = 0.3, icc = 0.5 }]
[effects."group-trust:cognitive"]
"abi:ability" = 0.5
"abi:integrity" = 0.3
[effects."group-trust:affective"]
"abi:benevolence" = 0.5
"abi:integrity" = 0.3
"#;

fn differential_settings(groups: Vec<usize>, scale: Vec<f64>, reps: usize) -> PowerSettings {
    PowerSettings {
        analysis: Analysis::Differential,
        outcome: "group-trust:affective".into(),
        contrast: Some("group-trust:cognitive".into()),
        predictors: vec![
            "abi:ability".into(),
            "abi:benevolence".into(),
            "abi:integrity".into(),
        ],
        raters: vec![6],
        ..settings(Analysis::Differential, groups, scale, reps)
    }
}

/// The differential analysis: true differences of correlations from the model (uncorrelated
/// traits: ρ(trait, outcome) = β, so ability −.5, benevolence .5, integrity 0); power grows with
/// the groups for a real difference; with no difference (integrity, and every predictor at
/// effect scale 0) the Williams test rejects near 5%; shards merge to the single run.
#[test]
fn differential_power_grows_with_groups_and_holds_its_level() {
    let m = load_model(DIFFERENTIAL, std::path::Path::new("m.toml"))
        .unwrap()
        .compile()
        .unwrap();
    let s = differential_settings(vec![30, 90], vec![1.0, 0.0], 400);
    let r = run(&m, &s, None, None);
    let want = [-0.5, 0.5, 0.0];
    for (got, want) in r.true_effects.iter().zip(want) {
        assert!(
            (got - want).abs() < 1e-12,
            "true difference {got} vs {want}"
        );
    }
    let cell = |g: usize, e: f64| {
        r.summary
            .iter()
            .find(|c| c.spec.groups == g && c.spec.effect_scale == e)
            .unwrap()
    };
    let (small, large) = (cell(30, 1.0), cell(90, 1.0));
    for j in 0..2 {
        assert!(
            large.effects[j].power > small.effects[j].power && large.effects[j].power > 0.8,
            "{}: {} -> {}",
            large.effects[j].term,
            small.effects[j].power,
            large.effects[j].power
        );
        // group means of ratings attenuate the difference towards zero
        let e = &large.effects[j];
        assert!(e.mean_estimate.abs() < e.true_beta.abs() && e.mean_estimate * e.true_beta > 0.0);
    }
    // no difference: 400 replications, binomial se .011
    let mut nulls = vec![
        cell(30, 1.0).effects[2].power,
        cell(90, 1.0).effects[2].power,
    ];
    for g in [30, 90] {
        nulls.extend(cell(g, 0.0).effects.iter().map(|e| e.power));
    }
    for p in &nulls {
        assert!(
            (p - 0.05).abs() < 0.035,
            "false-positive rate {p} ({nulls:?})"
        );
    }
    // shards merge to the single run
    let a = run(&m, &s, Some([1, 2]), None);
    let b = run(&m, &s, Some([2, 2]), None);
    assert_eq!(merge(vec![a, b]).unwrap(), r);
}
