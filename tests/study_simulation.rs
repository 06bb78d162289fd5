//! Simulated studies recover their population model: group-level ICCs, true effects through
//! aggregated scores, determinism, and the shipped example passes `study check`.

mod common;

use trustscale::agreement::rwg::{rwg, AggregationCutoffs, Null, RwgOptions};
use trustscale::simulate::population::load_model;

const MODEL: &str = r#"
title = "recovery"
seed = 7
[design]
arenas = ["a", "b"]
groups_per_arena = [200, 200]
raters = [10, 10]
[leader]
cross_cor = 0.0
instruments = [{ id = "abi", loading = 0.9, factor_cor = 0.0, icc = 0.5 }]
[group]
instruments = [{ id = "group-trust", loading = 0.9, factor_cor = 0.0, icc = 0.5 }]
[raters]
leniency_sd = 0.0
self_bias = 0.5
[effects."group-trust:cognitive"]
"abi:ability" = 0.5
"#;

fn column_means(
    header: &[String],
    rows: &[Vec<String>],
    prefix: &str,
    filter: impl Fn(&[String]) -> bool,
) -> Vec<f64> {
    let cols: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with(prefix))
        .map(|(i, _)| i)
        .collect();
    rows.iter()
        .filter(|r| filter(r))
        .map(|r| {
            cols.iter()
                .map(|&c| r[c].parse::<f64>().unwrap())
                .sum::<f64>()
                / cols.len() as f64
        })
        .collect()
}

fn cor(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

#[test]
fn aggregated_scores_recover_the_true_structure() {
    let m = load_model(MODEL, std::path::Path::new("model.toml")).unwrap();
    let c = m.compile().unwrap();
    let s = c.generate_default(7).unwrap();
    assert_eq!(s.truth.len(), 400);
    // member ratings of cognitive trust (GTC items): person means, their groups
    let scores = column_means(&s.member_header, &s.member_rows, "GTC", |_| true);
    let groups: Vec<String> = s.member_rows.iter().map(|r| r[1].clone()).collect();
    let opts = RwgOptions {
        scale_points: 7,
        null: Null::Uniform,
        cutoffs: AggregationCutoffs::default(),
        rgr: None,
        seed: 1,
    };
    let r = rwg(&scores, 1, &groups, &opts).unwrap();
    // expected ICC(1) of a 6-item mean with loadings .9 and a latent ICC of .5, before the
    // categorisation into 7 points: .81 * .5 / (.81 + .19 / 6) = .481 (categorising changes it
    // little at 7 points). The sampling sd of ICC(1) with 400 groups of 10 is about .02.
    let expected = 0.81 * 0.5 / (0.81 + 0.19 / 6.0);
    assert!(
        (r.icc1 - expected).abs() < 0.06,
        "ICC(1) {} vs latent {expected}",
        r.icc1
    );
    // group means track the true group latent: reliability of a 10-rater mean is ICC(2) ~ .9
    let gi = c
        .group_latents
        .iter()
        .position(|g| g == "group-trust:cognitive")
        .unwrap();
    let truth: Vec<f64> = s.truth.iter().map(|t| t.group_latents[gi]).collect();
    let means: Vec<f64> = r.groups.iter().map(|g| g.mean).collect();
    let rho = cor(&means, &truth);
    assert!(rho > 0.85, "group means vs truth r = {rho}");
    // the true effect: cor(true ability, true cognitive trust) = .5 (standardised beta, one predictor)
    let li = c
        .leader_latents
        .iter()
        .position(|l| l == "abi:ability")
        .unwrap();
    let ability: Vec<f64> = s.truth.iter().map(|t| t.leader[li]).collect();
    let b = cor(&ability, &truth);
    assert!((b - 0.5).abs() < 0.1, "true-score correlation {b}");
    // observed, aggregated: attenuated by the unreliability of both group means but clearly positive
    let obs_ability = column_means(&s.leader_header, &s.leader_rows, "ABL", |r| {
        r[4] == "observer"
    });
    let leader_groups: Vec<String> = s
        .leader_rows
        .iter()
        .filter(|r| r[4] == "observer")
        .map(|r| r[1].clone())
        .collect();
    let agg = rwg(&obs_ability, 1, &leader_groups, &opts).unwrap();
    let a_means: Vec<f64> = agg.groups.iter().map(|g| g.mean).collect();
    let obs = cor(&a_means, &means);
    // classical attenuation: cor(observed means) = cor(true) x index of reliability of each mean
    let attenuated = b * cor(&a_means, &ability) * rho;
    assert!(
        (obs - attenuated).abs() < 0.05,
        "aggregated correlation {obs} vs attenuated truth {attenuated}"
    );
    // self ratings are biased upwards
    let selfs = column_means(&s.leader_header, &s.leader_rows, "ABL", |r| r[4] == "self");
    let ms = selfs.iter().sum::<f64>() / selfs.len() as f64;
    let mo = obs_ability.iter().sum::<f64>() / obs_ability.len() as f64;
    assert!(ms > mo + 0.2, "self {ms} vs observers {mo}");
}

#[test]
fn the_same_seed_gives_the_same_study() {
    let m = load_model(MODEL, std::path::Path::new("model.toml")).unwrap();
    let c = m.compile().unwrap();
    let a = c.generate(3, &[5, 5], [2, 6], 1.0).unwrap();
    let b = c.generate(3, &[5, 5], [2, 6], 1.0).unwrap();
    assert_eq!(a.leader_rows, b.leader_rows);
    assert_eq!(a.member_rows, b.member_rows);
    let d = c.generate(4, &[5, 5], [2, 6], 1.0).unwrap();
    assert_ne!(a.member_rows, d.member_rows);
}

#[test]
fn missing_answers_blank_cells_and_change_nothing_else() {
    let full = load_model(MODEL, std::path::Path::new("model.toml")).unwrap();
    let holes = load_model(
        &format!("{MODEL}\n[missing]\nrate = 0.1\n"),
        std::path::Path::new("model.toml"),
    )
    .unwrap();
    let a = full
        .compile()
        .unwrap()
        .generate(3, &[20, 20], [4, 8], 1.0)
        .unwrap();
    let b = holes
        .compile()
        .unwrap()
        .generate(3, &[20, 20], [4, 8], 1.0)
        .unwrap();
    let (mut cells, mut blank) = (0usize, 0usize);
    for (rows_a, rows_b, lead) in [
        (&a.leader_rows, &b.leader_rows, 5),
        (&a.member_rows, &b.member_rows, 3),
    ] {
        assert_eq!(rows_a.len(), rows_b.len());
        for (ra, rb) in rows_a.iter().zip(rows_b) {
            assert_eq!(
                ra[..lead],
                rb[..lead],
                "identifying columns are never blank"
            );
            for (x, y) in ra.iter().zip(rb).skip(lead) {
                cells += 1;
                if y.is_empty() {
                    blank += 1;
                } else {
                    assert_eq!(x, y, "an answer left in place is unchanged");
                }
            }
        }
    }
    let share = blank as f64 / cells as f64;
    // binomial sd of the share: sqrt(.1 .9 / cells) < .004 here
    assert!(
        (share - 0.1).abs() < 0.015,
        "blank share {share} of {cells}"
    );
    let bad = load_model(
        &format!("{MODEL}\n[missing]\nrate = 0.7\n"),
        std::path::Path::new("model.toml"),
    )
    .unwrap();
    let err = bad.compile().unwrap_err().to_string();
    assert!(err.contains("missing.rate"), "{err}");
}

#[test]
fn the_example_study_is_valid_and_reproducible() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &["study", "check", "data/example-study/study.toml", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["groups"], 120);
    assert_eq!(v[1]["forms"]["member"], v[0]["forms"]["observer"]);
    // regenerating from the shipped model gives the shipped files byte for byte
    let t = tempfile::tempdir().unwrap();
    let out = common::run_in(
        root,
        &[
            "simulate",
            "--model",
            "data/example-study/model.toml",
            "--out",
            t.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    for f in ["leader-ratings.csv", "member-ratings.csv", "truth.csv"] {
        let a = std::fs::read(root.join("data/example-study").join(f)).unwrap();
        let b = std::fs::read(t.path().join(f)).unwrap();
        assert!(a == b, "{f} differs from a fresh simulation");
    }
}

#[test]
fn study_check_names_a_bad_form() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("d.csv"), "rid,gid,form,GTA1,GTA2,GTA3,GTA4,GTA5,GTA6,GTC1,GTC2,GTC3,GTC4,GTC5,GTC6\nr1,g1,member,1,2,3,4,5,6,7,1,2,3,4,5\nr2,g1,boss,1,2,3,4,5,6,7,1,2,3,4,5\n").unwrap();
    std::fs::write(
        t.path().join("s.toml"),
        "[[datasets]]\nname = \"m\"\npath = \"d.csv\"\nrespondent = \"rid\"\ngroup = \"gid\"\nform = \"form\"\ninstruments = [\"group-trust\"]\n",
    )
    .unwrap();
    let out = common::run_in(t.path(), &["study", "check", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "row 3, column \"form\": expected a form of group-trust (member), found \"boss\""
        ),
        "{err}"
    );
}

#[test]
fn regress_relates_the_levels_of_a_study() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "regress",
            "--study",
            "data/example-study/study.toml",
            "--outcome",
            "group-trust:cognitive",
            "--predictors",
            "tblc:process-navigator,abi:ability",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // one row per group; the predictors' agreement is computed in their own (observer) rows
    assert_eq!(v["n"], 120);
    let cols = v["aggregation"]["columns"].as_array().unwrap();
    let pn = cols
        .iter()
        .find(|c| c["column"] == "tblc:process-navigator")
        .unwrap();
    assert!(pn["icc1"].as_f64().unwrap() < 0.6, "{pn}");
    // the true effects are positive: both estimates are
    let coefs = v["coefficients"].as_array().unwrap();
    assert!(coefs
        .iter()
        .skip(1)
        .all(|c| c["estimate"].as_f64().unwrap() > 0.0));
    let ml = common::run_in(
        root,
        &[
            "regress",
            "--study",
            "data/example-study/study.toml",
            "--outcome",
            "group-trust:cognitive",
            "--predictors",
            "tblc:process-navigator",
            "--multilevel",
            "group",
            "--json",
        ],
    );
    assert!(
        ml.status.success(),
        "{}",
        String::from_utf8_lossy(&ml.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&ml.stdout).unwrap();
    assert_eq!(m["n_groups"], 120);
    assert!(m["var_group"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_example_program_study_evaluates_and_regenerates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let out = common::run_in(
        root,
        &[
            "simulate",
            "--model",
            "data/example-program/model.toml",
            "--out",
            t.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    for f in [
        "leader-ratings.csv",
        "member-ratings.csv",
        "truth.csv",
        "true-effects.csv",
        "study.toml",
    ] {
        let a = std::fs::read(root.join("data/example-program").join(f)).unwrap();
        let b = std::fs::read(t.path().join(f)).unwrap();
        assert!(a == b, "{f} differs from a fresh simulation");
    }
    let out = common::run_in(
        root,
        &[
            "evaluate",
            "--study",
            "data/example-program/study.toml",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scales = v["scales"].as_array().unwrap();
    // 9 leader subscales x (self, collaborators) + 2 group-trust subscales x members
    assert_eq!(scales.len(), 20);
    let pn = scales
        .iter()
        .find(|s| s["scale"] == "process-navigator" && s["source"] == "collaborators")
        .unwrap();
    // the trained competency with the largest true effect (.5 latent SD) is detected
    assert!(pn["effect"]["ci"][0].as_f64().unwrap() > 0.0, "{pn}");
    let a = &pn["attrition"][0];
    assert!(a["retained"].as_f64().unwrap() < 1.0, "{a}");
}
