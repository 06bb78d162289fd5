//! Ordinal reliability against R: psych 2.2.9 (ordinal alpha and omega from polychoric
//! correlations), lavaan 0.6.14 and semTools 0.5.6 (categorical and latent-response omega of a
//! one-factor WLSMV fit, fed lavaan's estimates). Fixtures and the R calls that made them:
//! `tests/fixtures/ordinal/` (`make_fixtures.R`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use nalgebra::DMatrix;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::analysis::reliability::ReliabilityRequest;
use trustscale::analysis::Request;
use trustscale::correlation::Missing;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::reliability::categorical_omega::{
    categorical_omega, latent_response_omega, sample_latent_cor, OrdinalFactor,
};
use trustscale::reliability::ordinal::ordinal_reliability;
use trustscale::reliability::{reliability, ReliabilityOptions};
use trustscale::study::DataRequest;
use trustscale::WarningCode;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn case(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(&format!("ordinal/{name}"))).unwrap())
        .unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

fn matrix(v: &Value) -> DMatrix<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let k = rows.len();
    DMatrix::from_fn(k, k, |i, j| rows[i][j])
}

/// The bfi agreeableness items A1..A5 of reliability case 01 (all 2800 rows, missing cells as
/// NaN), A1 reversed as 7 - x, optionally cut to 3 categories as ceiling(x / 2).
fn bfi_a(three: bool) -> ItemData {
    let path = fixture("reliability/01-reliability-bfi-agreeableness-missing/data.csv");
    let src = CsvSource::open(&path, &ReadOptions::default()).unwrap();
    let cols: Vec<ColumnRequest> = ["A1", "A2", "A3", "A4", "A5"]
        .iter()
        .map(|name| ColumnRequest {
            index: src.names().iter().position(|n| n == name).unwrap(),
            range: None,
        })
        .collect();
    let mut d = src.read(&cols, None).unwrap();
    d.reverse(0, 1.0, 6.0);
    if three {
        for v in d.values.iter_mut() {
            *v = (*v / 2.0).ceil();
        }
    }
    d
}

fn lavaan_model(fit: &Value) -> OrdinalFactor {
    OrdinalFactor {
        loadings: f64s(&fit["loadings"]),
        factor_variance: fit["factor_variance"].as_f64().unwrap(),
        thresholds: serde_json::from_value(fit["thresholds"].clone()).unwrap(),
        scales: f64s(&fit["scales"]),
    }
}

const CASES: [&str; 2] = ["bfi-a-6cat.json", "bfi-a-3cat.json"];

#[test]
fn categorical_omega_of_lavaan_estimates_matches_semtools() {
    // semTools 0.5.6 compRelSEM(fit) (ord.scale = TRUE) and compRelSEM(fit, ord.scale = FALSE),
    // fit <- cfa("f =~ A1 + ... + A5", ordered = TRUE, std.lv = TRUE, parameterization = ...)
    let mut worst = 0.0f64;
    for name in CASES {
        let c = case(name);
        for par in ["delta", "theta"] {
            let fit = &c["lavaan"][par];
            let model = lavaan_model(fit);
            let sample = matrix(&fit["sample_cor"]);
            let cat = categorical_omega(&model, &sample).unwrap();
            let lat = latent_response_omega(&model, &sample).unwrap();
            let want_cat = fit["omega_categorical"].as_f64().unwrap();
            let want_lat = fit["omega_latent"].as_f64().unwrap();
            eprintln!("{name} {par}: categorical {cat} (semTools {want_cat}), latent {lat} (semTools {want_lat})");
            assert!(
                (cat - want_cat).abs() < 1e-10,
                "{name} {par}: {cat} vs {want_cat}"
            );
            assert!(
                (lat - want_lat).abs() < 1e-10,
                "{name} {par}: {lat} vs {want_lat}"
            );
            // obs.var = FALSE: the model-implied correlations in the denominator
            let fitted = matrix(&fit["fitted_cor"]);
            let d = fitted.diagonal().map(f64::sqrt);
            let fitted_cor = DMatrix::from_fn(5, 5, |i, j| fitted[(i, j)] / (d[i] * d[j]));
            let implied = model.implied_latent_cor();
            assert!(
                (&implied - &fitted_cor).amax() < 1e-12,
                "{name} {par}: implied"
            );
            let cat_fitted = categorical_omega(&model, &implied).unwrap();
            let want = fit["omega_categorical_fitted"].as_f64().unwrap();
            assert!(
                (cat_fitted - want).abs() < 1e-10,
                "{name} {par}: {cat_fitted} vs {want}"
            );
            worst = worst
                .max((cat - want_cat).abs())
                .max((lat - want_lat).abs())
                .max((cat_fitted - want).abs());
        }
    }
    eprintln!("max |omega - semTools| = {worst:e}");
}

#[test]
fn sample_latent_correlations_match_lavaan_sample_statistics() {
    // lavInspect(fit, "sampstat")$cov: two-step ML polychorics of the 2709 complete rows
    for (name, three) in [(CASES[0], false), (CASES[1], true)] {
        let c = case(name);
        let (r, n) = sample_latent_cor(&bfi_a(three)).unwrap();
        assert_eq!(n as u64, c["lavaan"]["delta"]["n"].as_u64().unwrap());
        let want = matrix(&c["lavaan"]["delta"]["sample_cor"]);
        let d = (&r - &want).amax();
        eprintln!("{name}: max |rho - lavaan| = {d:e}");
        assert!(d < 1e-7, "{name}: {d:e}");
    }
}

#[test]
fn ordinal_alpha_and_omega_match_psych_with_pairwise_missing_answers() {
    // psych 2.2.9 on all 2800 rows (91 with missing answers): polychoric(x)$rho (pairwise),
    // alpha(rho)$total$raw_alpha, l <- fa(rho, 1)$loadings; sum(l)^2/(sum(l)^2 + sum(1 - l^2))
    for (name, three) in [(CASES[0], false), (CASES[1], true)] {
        let c = &case(name)["psych"];
        let opts = ReliabilityOptions {
            ordinal: true,
            ..ReliabilityOptions::default()
        };
        let res = reliability(&bfi_a(three), &opts).unwrap();
        let o = res.ordinal.as_ref().unwrap();
        let alpha = o.alpha_ordinal.value.unwrap();
        let omega = o.omega_ordinal.value.unwrap();
        let want_alpha = c["alpha_ordinal"].as_f64().unwrap();
        let want_omega = c["omega_ordinal"].as_f64().unwrap();
        let dl = o
            .loadings
            .iter()
            .zip(f64s(&c["loadings"]))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{name}: alpha {:e}, omega {:e}, loadings {dl:e} from psych",
            (alpha - want_alpha).abs(),
            (omega - want_omega).abs()
        );
        assert!((alpha - want_alpha).abs() < 1e-10, "{name}: {alpha}");
        assert!((omega - want_omega).abs() < 1e-6, "{name}: {omega}");
        assert!(dl < 1e-5, "{name}: loadings {dl:e}");
        assert_eq!(o.alpha_ordinal.n, 2800);
        assert_eq!(o.missing, Missing::Pairwise);
        assert_eq!(o.categories, vec![if three { 3 } else { 6 }; 5]);
        assert!(o.pair_n_min < 2800 && o.pair_n_min > 2700);
        assert!(!o.smoothed);
        // psych's own route, psych::omega(rho, nfactors = 1)$omega.tot, is another number
        let psych_tot = c["psych_omega_tot"].as_f64().unwrap();
        assert!((omega - psych_tot).abs() > 1e-4);
        // without the one-factor CFA, its omegas are null
        assert!(o.omega_categorical.value.is_none() && o.omega_latent.value.is_none());
        assert!(res
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::Pairwise && w.message.starts_with("ordinal:")));
    }
}

#[test]
fn ordinal_alpha_of_a_smoothed_polychoric_matrix_matches_psych_and_warns() {
    // psych 2.2.9: polychoric smooths (warning), alpha(polychoric(x)$rho)$total$raw_alpha
    let c = case("smoothed.json");
    let a: Vec<f64> = (0..60).map(|r| (r % 3) as f64 + 1.0).collect();
    let b: Vec<f64> = (0..60)
        .map(|r| if r % 7 == 0 { (a[r] % 3.0) + 1.0 } else { a[r] })
        .collect();
    let mut values = Vec::new();
    for r in 0..60 {
        values.extend([a[r], b[r], f64::NAN]);
    }
    for r in 0..60 {
        values.extend([f64::NAN, a[r], b[r]]);
    }
    for r in 0..60 {
        values.extend([a[r], f64::NAN, 4.0 - b[r]]);
    }
    let d = ItemData::new(vec!["x1".into(), "x2".into(), "x3".into()], values).unwrap();
    let mut warnings = Vec::new();
    let o = ordinal_reliability(&d, Missing::Pairwise, &mut warnings).unwrap();
    assert!(o.smoothed);
    assert!(warnings
        .iter()
        .any(|w| w.code == WarningCode::Smoothed && w.message.starts_with("ordinal:")));
    let want = c["psych"]["alpha_ordinal"].as_f64().unwrap();
    let got = o.alpha_ordinal.value.unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    // the one-factor solution of this matrix is a Heywood case (psych: a loading of 1.05), and
    // says so
    assert!(warnings.iter().any(|w| w.code == WarningCode::Heywood));
}

#[test]
fn a_listwise_request_computes_polychorics_from_complete_rows() {
    let opts = ReliabilityOptions {
        ordinal: true,
        missing: Missing::Listwise,
        ..ReliabilityOptions::default()
    };
    let res = reliability(&bfi_a(false), &opts).unwrap();
    let o = res.ordinal.unwrap();
    assert_eq!(o.missing, Missing::Listwise);
    assert_eq!(o.alpha_ordinal.n, 2709);
    assert_eq!(o.pair_n_min, 2709);
}

#[test]
fn reliability_ordinal_fits_the_one_factor_cfa_as_semtools() {
    // end to end: the analysis fits F =~ NA*A1 + ... + A5, F ~~ 1*F by WLSMV (delta) on the
    // 2709 complete rows and passes its estimates to categorical_omega; semTools 0.5.6 values
    let req = ReliabilityRequest {
        data: DataRequest::memory(bfi_a(false)),
        ordinal: true,
        ..ReliabilityRequest::default()
    };
    let out = req.run().unwrap();
    let o = out.scales[0].result.ordinal.as_ref().unwrap();
    let fit = &case("bfi-a-6cat.json")["lavaan"]["delta"];
    let cat = o.omega_categorical.value.unwrap();
    let lat = o.omega_latent.value.unwrap();
    let want_cat = fit["omega_categorical"].as_f64().unwrap();
    let want_lat = fit["omega_latent"].as_f64().unwrap();
    assert!((cat - want_cat).abs() < 1e-6, "{cat} vs {want_cat}");
    assert!((lat - want_lat).abs() < 1e-6, "{lat} vs {want_lat}");
    assert_eq!(o.omega_categorical.n, 2709);
}
