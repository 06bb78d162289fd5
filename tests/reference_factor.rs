//! The dimensionality reference cases (psych::fa, polychoric, fa.parallel, omega; versions in
//! each case.json) run through the real binary, and the recovery of a simulated structure.

mod common;

use trustscale::correlation::{covariance, Missing};
use trustscale::factor::efa::{efa, EfaOptions};
use trustscale::instrument;
use trustscale::simulate::{simulate_instrument, SimulateOptions};

#[test]
fn efa_polychoric_parallel_cases_match_psych() {
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for analysis in ["efa", "polychoric", "parallel"] {
        for c in common::cases(analysis) {
            let (f, n) = common::check_case(&c);
            assert!(
                !f.is_empty() || n > 10,
                "{}: only {n} values compared",
                c.display()
            );
            failures.extend(f);
            n_cases += 1;
        }
    }
    assert!(n_cases >= 6, "fixtures missing: {n_cases}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Tucker's congruence of two columns.
fn congruence(a: &[f64], b: &[f64]) -> f64 {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    ab / (aa * bb).sqrt()
}

#[test]
fn efa_recovers_the_six_competency_structure_at_n_2000() {
    // population: 36 tblc items, one factor per competency, loadings .7 (reverse keyed -.7),
    // factor correlations .3; categorised into 6 points
    let inst = instrument::load("tblc").unwrap();
    let (data, model) = simulate_instrument(
        &inst,
        &SimulateOptions {
            n: 2000,
            seed: 20261122,
            loadings: 0.7,
            factor_cor: 0.3,
        },
    )
    .unwrap();
    let r = covariance(&data, Missing::Pairwise).unwrap().pairwise_cor();
    let res = efa(
        &r,
        data.n(),
        &EfaOptions {
            nfactors: 6,
            ..EfaOptions::default()
        },
    )
    .unwrap();
    let k = 6;
    let p = data.k();
    // population pattern: the item's signed loading on its own factor
    let pop: Vec<Vec<f64>> = (0..k)
        .map(|f| {
            (0..p)
                .map(|i| {
                    if model.factor_of[i] == f {
                        model.loadings[i]
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let est: Vec<Vec<f64>> = (0..k)
        .map(|f| (0..p).map(|i| res.loadings[(i, f)]).collect())
        .collect();
    let mut used = vec![false; k];
    for (f, target) in pop.iter().enumerate() {
        // the estimated factor most congruent with this population factor (up to sign)
        let (best, c) = (0..k)
            .filter(|&j| !used[j])
            .map(|j| (j, congruence(&est[j], target).abs()))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        used[best] = true;
        assert!(
            c > 0.95,
            "factor {f} ({}): congruence {c:.3}",
            inst.subscales[f].id
        );
    }
    // factor correlations near .3 in absolute value (attenuated slightly by categorising)
    for i in 0..k {
        for j in 0..i {
            let phi = res.factor_correlations[(i, j)].abs();
            assert!((0.15..0.45).contains(&phi), "phi[{i},{j}] = {phi}");
        }
    }
}

#[test]
fn efa_with_an_instrument_flags_items_by_subscale() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "efa",
            "data/example-survey.csv",
            "--instrument",
            "tblc",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["factors"], 6);
    assert_eq!(v["items"].as_array().unwrap().len(), 36);
    let sf = v["subscale_factors"].as_array().unwrap();
    assert_eq!(sf.len(), 6);
    let mut factors: Vec<u64> = sf.iter().map(|s| s["factor"].as_u64().unwrap()).collect();
    factors.sort();
    assert_eq!(factors, [1, 2, 3, 4, 5, 6]);
    // simulated with a clean structure: no item loads most on a foreign factor
    let flags = v["item_flags"].as_array().unwrap();
    assert!(flags.iter().all(|f| f["flag"].is_null()), "{flags:?}");
}

#[test]
fn efa_factors_auto_uses_parallel_analysis() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "efa",
            "data/example-survey.csv",
            "--instrument",
            "tblc",
            "--factors",
            "auto",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["factors_from_parallel"], v["factors"]);
    assert_eq!(v["factors"], 6);
}

#[test]
fn omega_on_polychoric_correlations_matches_psych() {
    // R 4.2.2, psych 2.2.9: omega(x, 3, poly = TRUE) on the 15 A/C/E items of case 02 (not
    // reversed; omega flips them itself): omega.tot 0.8781393669, omega_h 0.5627497442
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reliability/02-reliability-bfi-15items-omega");
    let out = common::run_in(
        &dir,
        &[
            "omega",
            "data.csv",
            "--items",
            "A1:A5,C1:C5,E1:E5",
            "--cor",
            "polychoric",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["omega_total"].as_f64().unwrap() - 0.8781393669).abs() < 1e-6);
    assert!((v["omega_hierarchical"].as_f64().unwrap() - 0.5627497442).abs() < 1e-6);
    assert_eq!(v["flipped"].as_array().unwrap().len(), 5);
}
