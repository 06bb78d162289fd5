//! Power: one grid cell of aggregate-then-regress at 120 groups x 8 raters, 100 replications,
//! on the shipped example model (the 4 x 4 x 1,000 grid is timed with the CLI: see the
//! issue note); and one cell of a program design (the example program model, 40 leaders per arm
//! x 6 raters, collaborators' ratings, 3 program terms, 100 replications). The program grid of
//! issue 15 (3 x 3 cells x 1,000 replications) is timed with the CLI:
//! `trustscale power --model data/example-program/model.toml --groups 20,40,60 --raters 4,6,8
//! --replications 1000 --out power.json`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use trustscale::simulate::population::load_model;
use trustscale::simulate::power::{run_power, Analysis, PowerSettings, Progress};

fn power(c: &mut Criterion) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/model.toml");
    let text = std::fs::read_to_string(&path).expect("model");
    let model = load_model(&text, &path)
        .expect("parse")
        .compile()
        .expect("compile");
    let settings = PowerSettings {
        seed: 1,
        replications: 100,
        alpha: 0.05,
        analysis: Analysis::Aggregate,
        outcome: "group-trust:cognitive".into(),
        predictors: vec![
            "tblc:process-navigator".into(),
            "tblc:embedded-strategist".into(),
            "abi:ability".into(),
        ],
        groups: vec![120],
        raters: vec![8],
        effect_scale: vec![1.0],
        contrast: None,
        cv_folds: 10,
        source: None,
    };
    let mut g = c.benchmark_group("power");
    g.sample_size(10);
    g.bench_function("aggregate_120_groups_x_8_raters_100_replications", |b| {
        b.iter(|| {
            let noop = |_: Progress| {};
            black_box(
                run_power(&model, &settings, None, None, &noop, &mut |_| Ok(())).expect("power"),
            )
        })
    });
    g.finish();
}

fn program_power(c: &mut Criterion) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-program/model.toml");
    let text = std::fs::read_to_string(&path).expect("model");
    let model = load_model(&text, &path)
        .expect("parse")
        .compile()
        .expect("compile");
    let settings = PowerSettings {
        seed: 1,
        replications: 100,
        alpha: 0.05,
        analysis: Analysis::Program,
        outcome: "group-trust:cognitive".into(),
        predictors: vec![
            "tblc:community-cultivator".into(),
            "tblc:process-navigator".into(),
            "tblc:relational-coach".into(),
        ],
        groups: vec![40],
        raters: vec![6],
        effect_scale: vec![1.0],
        source: Some("collaborators".into()),
        contrast: None,
        cv_folds: 10,
    };
    let mut g = c.benchmark_group("power");
    g.sample_size(10);
    g.bench_function(
        "program_40_leaders_per_arm_x_6_raters_100_replications",
        |b| {
            b.iter(|| {
                let noop = |_: Progress| {};
                black_box(
                    run_power(&model, &settings, None, None, &noop, &mut |_| Ok(()))
                        .expect("power"),
                )
            })
        },
    );
    g.finish();
}

criterion_group!(benches, power, program_power);
criterion_main!(benches);
