//! Polychoric and tetrachoric correlations against R psych 2.2.9 (R 4.2.2): the reference case
//! 07 (data-driven, under the case's own tolerances), the polychoric eigenvalues of case 06,
//! and pinned psych values for the paths the reference cases do not reach.
#![allow(clippy::excessive_precision)]

mod common;

use nalgebra::{DMatrix, SymmetricEigen};
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::correlation::{polychoric, tetrachoric, PolychoricOptions, TetrachoricOptions};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};
use trustscale::Error;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Reads the named columns of a case's data.csv (missing cells as NaN).
fn read_items(path: &Path, items: &[&str]) -> ItemData {
    let src = CsvSource::open(path, &ReadOptions::default()).unwrap();
    let cols: Vec<ColumnRequest> = items
        .iter()
        .map(|name| ColumnRequest {
            index: src.names().iter().position(|n| n == name).unwrap(),
            range: None,
        })
        .collect();
    src.read(&cols, None).unwrap()
}

fn max_abs_diff(a: &DMatrix<f64>, b: &[Vec<f64>]) -> f64 {
    let mut m = 0.0f64;
    for (i, row) in b.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            m = m.max((a[(i, j)] - v).abs());
        }
    }
    m
}

fn assert_matrix_close(got: &DMatrix<f64>, want: &[Vec<f64>], tol: f64, what: &str) {
    let d = max_abs_diff(got, want);
    assert!(
        d <= tol,
        "{what}: max |rho - psych| = {d:e} > {tol:e}\n{got}"
    );
}

#[test]
fn polychoric_reference_cases_match_psych() {
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for folder in common::cases("polychoric") {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("case.json")).unwrap())
                .unwrap();
        let args = common::split_command(case["command"].as_str().unwrap());
        if args.get(1).map(String::as_str) != Some("polychoric") {
            continue; // other analyses' cases kept here for their polychoric matrices
        }
        n_cases += 1;
        let items_arg = &args[args.iter().position(|a| a == "--items").unwrap() + 1];
        let items: Vec<&str> = items_arg.split(',').collect();
        let data = read_items(&folder.join(args[2].as_str()), &items);
        let res = polychoric(&data, &PolychoricOptions::default()).unwrap();
        let actual = serde_json::to_value(&res).unwrap();
        let name = folder.file_name().unwrap().to_string_lossy().to_string();
        let mut cmp = common::Comparer::new(&case, &name);
        cmp.compare(&case["expected"], &actual, &mut Vec::new());
        assert!(cmp.n_values > 50, "{name}: only {} values", cmp.n_values);
        failures.extend(cmp.failures);

        // and much tighter than the case's 1e-4: the same Brent search as psych's optimize()
        let want_rho: Vec<Vec<f64>> =
            serde_json::from_value(case["expected"]["rho"].clone()).unwrap();
        let want_tau: Vec<Vec<f64>> =
            serde_json::from_value(case["expected"]["thresholds"].clone()).unwrap();
        let d_rho = max_abs_diff(&res.rho, &want_rho);
        let d_tau = res
            .thresholds
            .iter()
            .zip(&want_tau)
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0.0f64, f64::max);
        eprintln!("{name}: max |rho - psych| = {d_rho:e}, max |tau - psych| = {d_tau:e}");
        assert!(d_rho < 1e-9, "{name}: rho off by {d_rho:e}");
        assert!(d_tau < 1e-12, "{name}: thresholds off by {d_tau:e}");
        assert!(!res.smoothed && res.global && res.warnings.is_empty());
        assert_eq!(res.n, 2690);
    }
    assert!(n_cases >= 1, "no polychoric fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn polychoric_eigenvalues_match_case_06() {
    // case 06 (efa on the polychoric matrix of 15 bfi items) lists the matrix's eigenvalues
    let folder = fixture("polychoric/06-efa-bfi15-polychoric-minres-oblimin");
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("case.json")).unwrap()).unwrap();
    let args = common::split_command(case["command"].as_str().unwrap());
    let items_arg = &args[args.iter().position(|a| a == "--items").unwrap() + 1];
    let items: Vec<&str> = items_arg.split(',').collect();
    let data = read_items(&folder.join("data.csv"), &items);
    let res = polychoric(&data, &PolychoricOptions::default()).unwrap();
    let mut ev: Vec<f64> = SymmetricEigen::new(res.rho.clone())
        .eigenvalues
        .iter()
        .copied()
        .collect();
    ev.sort_by(|a, b| b.total_cmp(a));
    let want: Vec<f64> = serde_json::from_value(case["expected"]["eigenvalues"].clone()).unwrap();
    let tol = case["tolerance"]["eigenvalues"].as_f64().unwrap();
    let d = ev
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f64, f64::max);
    eprintln!("06 eigenvalues: max |ev - psych| = {d:e} (case tolerance {tol})");
    assert_eq!(ev.len(), want.len());
    assert!(d <= tol, "eigenvalues off by {d:e}");
    assert!(d < 1e-9, "eigenvalues off by {d:e}");
}

fn rows_of(v: &[f64], k: usize) -> Vec<Vec<f64>> {
    v.chunks(k).map(<[f64]>::to_vec).collect()
}

fn assert_thresholds(got: &[Vec<f64>], want: &[f64], tol: f64) {
    let flat: Vec<f64> = got.iter().flatten().copied().collect();
    assert_eq!(flat.len(), want.len());
    for (g, w) in flat.iter().zip(want) {
        if w.is_infinite() {
            assert_eq!(g, w);
        } else {
            assert!((g - w).abs() < tol, "threshold {g} vs psych {w}");
        }
    }
}

/// The case 07 data with one item recoded.
fn case07_recoded(item: usize, from: f64, to: f64) -> ItemData {
    let mut d = read_items(
        &fixture("polychoric/07-polychoric-bfi-6items/data.csv"),
        &["A1", "A2", "A3", "A4", "A5", "C1"],
    );
    let k = d.k();
    for r in d.values.chunks_exact_mut(k) {
        if r[item] == from {
            r[item] = to;
        }
    }
    d
}

#[test]
fn polychoric_item_without_a_middle_category_matches_psych() {
    // psych 2.2.9: xb <- x; xb[xb[, "A2"] == 2, "A2"] <- 3; polychoric(xb)
    // (x = case 07 data). All items still end at 6, so psych stays on its global path: A2 gets
    // a repeated threshold and its empty row simply drops out of the likelihood.
    let d = case07_recoded(1, 2.0, 3.0);
    let res = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert!(res.global);
    assert_eq!(res.corrected_pairs, 0);
    assert_eq!(res.thresholds[1][0], res.thresholds[1][1]);
    assert_matrix_close(&res.rho, &rows_of(&B_RHO, 6), 1e-9, "A2 without category 2");
    assert_thresholds(&res.thresholds, &B_TAU, 1e-13);
}

#[test]
fn polychoric_item_without_the_lowest_category_stays_on_psychs_global_path() {
    // psych 2.2.9: xa <- x; xa[xa[, "A3"] == 1, "A3"] <- 2; polychoric(xa)
    // psych compares only the items' highest categories, so an item that never uses the
    // lowest one keeps the global path, with a first threshold of -Inf (JSON null).
    let d = case07_recoded(2, 1.0, 2.0);
    let res = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert!(res.global);
    assert_eq!(res.thresholds[2][0], f64::NEG_INFINITY);
    assert_matrix_close(&res.rho, &rows_of(&H_RHO, 6), 1e-9, "A3 without category 1");
    assert_thresholds(&res.thresholds, &H_TAU, 1e-13);
}

#[test]
fn polychoric_item_without_the_top_category_takes_psychs_pairwise_path() {
    // psych 2.2.9: xc <- x; xc[xc[, "A4"] == 6, "A4"] <- 5; polychoric(xc)
    // warns "The items do not have an equal number of response alternatives, global set to
    // FALSE": every pair then drops its empty rows/columns, sets empty cells to 0.5 counts and
    // re-estimates thresholds from its own table. A4's reported top threshold is Inf.
    let d = case07_recoded(3, 6.0, 5.0);
    let res = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert!(!res.global);
    assert!(res
        .warnings
        .iter()
        .any(|w| w.message.contains("highest category")));
    assert_matrix_close(&res.rho, &rows_of(&C_RHO, 6), 1e-9, "A4 without category 6");
    assert_thresholds(&res.thresholds, &C_TAU, 1e-13);
    // JSON: the infinite threshold becomes null
    let v = serde_json::to_value(&res).unwrap();
    assert!(v["thresholds"][3][4].is_null());
}

#[test]
fn polychoric_with_missing_cells_uses_pairwise_rows_as_psych() {
    // psych 2.2.9 on reliability case 01 (bfi A1-A5, all 2800 rows, 104 missing cells):
    //   polychoric(as.matrix(d[, c("A1","A2","A3","A4","A5")]))
    let d = read_items(
        &fixture("reliability/01-reliability-bfi-agreeableness-missing/data.csv"),
        &["A1", "A2", "A3", "A4", "A5"],
    );
    let res = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert_eq!(res.n, 2800);
    assert!(res.pair_n[(0, 1)] < 2800.0);
    assert!(res
        .warnings
        .iter()
        .any(|w| w.code == trustscale::WarningCode::Pairwise));
    assert_matrix_close(&res.rho, &rows_of(&D_RHO, 5), 1e-9, "pairwise");
    assert_thresholds(&res.thresholds, &D_TAU, 1e-13);
}

#[test]
fn polychoric_and_tetrachoric_of_dichotomous_items_match_psych() {
    // psych 2.2.9: xe <- (x >= 4) * 1 (x = case 07 data); polychoric(xe); tetrachoric(xe)
    // No empty cells, so both are the same ML estimate (their Brent searches differ slightly:
    // polychoric on proportions, tetrachoric on counts).
    let mut d = read_items(
        &fixture("polychoric/07-polychoric-bfi-6items/data.csv"),
        &["A1", "A2", "A3", "A4", "A5", "C1"],
    );
    for v in &mut d.values {
        *v = if *v >= 4.0 { 1.0 } else { 0.0 };
    }
    let p = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert_matrix_close(&p.rho, &rows_of(&E_POLY_RHO, 6), 1e-9, "polychoric 0/1");
    assert_thresholds(&p.thresholds, &E_POLY_TAU, 1e-13);
    let t = tetrachoric(&d, &TetrachoricOptions::default()).unwrap();
    assert_matrix_close(&t.rho, &rows_of(&E_TETRA_RHO, 6), 1e-9, "tetrachoric");
    assert_thresholds(&t.thresholds, &E_TETRA_TAU, 1e-13);
}

#[test]
fn tetrachoric_corrects_an_empty_cell_and_polychoric_does_not() {
    // psych 2.2.9: u <- c(rep(0, 25), rep(1, 15)); v <- c(rep(0, 15), rep(1, 25))
    //   polychoric(cbind(u, v))$rho[1, 2]                  0.99654036518983058 (see below)
    //   tetrachoric(cbind(u, v))$rho[1, 2]                 0.86479288310997915 (tau -/+ 0.3186...)
    //   tetrachoric(cbind(u, v), global = FALSE)$rho[1, 2] 0.87033153528395346
    let mut values = Vec::new();
    for r in 0..40 {
        values.push(if r < 25 { 0.0 } else { 1.0 });
        values.push(if r < 15 { 0.0 } else { 1.0 });
    }
    let d = ItemData::new(vec!["u".into(), "v".into()], values).unwrap();
    let p = polychoric(&d, &PolychoricOptions::default()).unwrap();
    // No interior maximum: the likelihood rises to rho = 1 and is flat to the last bit from
    // about .99 on, so where the search stops is rounding noise (psych's trace: 1.0821955300387676
    // at every rho from .9963 to .9978). psych stops at .99654, we at .99636: both say "1".
    assert!(
        p.rho[(0, 1)] > 0.995 && p.rho[(0, 1)] < 1.0,
        "{}",
        p.rho[(0, 1)]
    );
    assert_eq!(p.corrected_pairs, 0);
    let t = tetrachoric(&d, &TetrachoricOptions::default()).unwrap();
    assert!(
        (t.rho[(0, 1)] - 0.86479288310997915).abs() < 1e-9,
        "{}",
        t.rho[(0, 1)]
    );
    assert!((t.thresholds[0][0] - 0.31863936396437514).abs() < 1e-14);
    assert!((t.thresholds[1][0] + 0.31863936396437514).abs() < 1e-14);
    assert_eq!(t.corrected_pairs, 1);
    let tl = tetrachoric(
        &d,
        &TetrachoricOptions {
            global: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        (tl.rho[(0, 1)] - 0.87033153528395346).abs() < 1e-9,
        "{}",
        tl.rho[(0, 1)]
    );
}

/// Three 3-category items, each pair observed on a different 60 rows: +.87, +.87 and -.87.
fn not_positive_definite_data() -> ItemData {
    let nan = f64::NAN;
    let mut values = Vec::new();
    for block in 0..3 {
        for r in 0..60u32 {
            let a = f64::from(r % 3 + 1);
            let b = if r % 7 == 0 {
                f64::from((r % 3 + 1) % 3 + 1)
            } else {
                a
            };
            values.extend_from_slice(&match block {
                0 => [a, b, nan],
                1 => [nan, a, b],
                _ => [a, nan, 4.0 - b],
            });
        }
    }
    ItemData::new(vec!["x1".into(), "x2".into(), "x3".into()], values).unwrap()
}

#[test]
fn polychoric_smooths_a_matrix_that_is_not_positive_definite_as_psych() {
    // psych 2.2.9 (warning "Matrix was not positive definite, smoothing was done"):
    //   r <- 0:59; a <- (r %% 3) + 1; b <- ifelse(r %% 7 == 0, (a %% 3) + 1, a)
    //   x <- rbind(cbind(a, b, NA), cbind(NA, a, b), cbind(a, NA, 4 - b)); polychoric(x)
    // (unsmoothed: 0.868180422262945 twice and -0.868180422262894)
    let d = not_positive_definite_data();
    let res = polychoric(&d, &PolychoricOptions::default()).unwrap();
    assert!(res.smoothed);
    assert!(res
        .warnings
        .iter()
        .any(|w| w.code == trustscale::WarningCode::Smoothed));
    assert_matrix_close(&res.rho, &rows_of(&G_SMOOTHED, 3), 1e-9, "smoothed");
    assert_thresholds(&res.thresholds, &G_TAU, 1e-13);
    let raw = polychoric(
        &d,
        &PolychoricOptions {
            smooth: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!raw.smoothed);
    assert!((raw.rho[(0, 1)] - 0.86818042226294456).abs() < 1e-9);
    assert!((raw.rho[(0, 2)] + 0.86818042226289394).abs() < 1e-9);
}

#[test]
fn polychoric_tight_tolerance_gives_the_exact_ml_estimate() {
    // psych stops its optimize() at tol 1.2e-4; with a tight tolerance the estimate moves to
    // the maximum of the likelihood (R: optimize(psych:::polyF, c(-1, 1), ..., tol = 1e-12)
    // for A2 and A1 of case 07 gives -0.408165118347807)
    let d = read_items(
        &fixture("polychoric/07-polychoric-bfi-6items/data.csv"),
        &["A1", "A2", "A3", "A4", "A5", "C1"],
    );
    let opts = PolychoricOptions {
        tol: 1e-12,
        ..Default::default()
    };
    let res = polychoric(&d, &opts).unwrap();
    assert!(
        (res.rho[(0, 1)] + 0.408165118347807).abs() < 1e-9,
        "{}",
        res.rho[(0, 1)]
    );
}

#[test]
fn polychoric_is_deterministic_and_independent_of_item_order_and_threads() {
    let d = read_items(
        &fixture("polychoric/07-polychoric-bfi-6items/data.csv"),
        &["A1", "A2", "A3", "A4", "A5", "C1"],
    );
    let opts = PolychoricOptions::default();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| polychoric(&d, &opts).unwrap());
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap()
        .install(|| polychoric(&d, &opts).unwrap());
    assert_eq!(one.rho, two.rho);
    let order = [5usize, 3, 1, 0, 4, 2];
    let p = polychoric(&d.columns(&order), &opts).unwrap();
    for (a, &i) in order.iter().enumerate() {
        for (b, &j) in order.iter().enumerate() {
            assert!((p.rho[(a, b)] - one.rho[(i, j)]).abs() < 1e-10);
        }
        assert_eq!(p.thresholds[a], one.thresholds[i]);
    }
}

#[test]
fn polychoric_rejects_bad_input_with_a_location() {
    let names = vec!["a".to_string(), "b".to_string()];
    let d = ItemData::new(names.clone(), vec![1.0, 2.0, 2.5, 1.0, 3.0, 3.0]).unwrap();
    let e = polychoric(&d, &PolychoricOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Parse { .. }), "{e}");
    assert!(e.to_string().contains("row 3, column \"a\""), "{e}");

    let d = ItemData::new(names.clone(), vec![1.0, 2.0, 1.0, 1.0, 1.0, 3.0]).unwrap();
    let e = polychoric(&d, &PolychoricOptions::default()).unwrap_err();
    assert!(matches!(e, Error::ZeroVariance { .. }), "{e}");

    let d = ItemData::new(names.clone(), vec![1.0, 2.0, 10.0, 1.0, 5.0, 3.0]).unwrap();
    let e = polychoric(&d, &PolychoricOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidOption { .. }), "{e}");

    let d = ItemData::new(names, vec![1.0, 2.0, 3.0, 1.0, 2.0, 2.0]).unwrap();
    let e = tetrachoric(&d, &TetrachoricOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("two adjacent response values"),
        "{e}"
    );

    let d = ItemData::new(vec!["a".into()], vec![1.0, 2.0]).unwrap();
    assert!(polychoric(&d, &PolychoricOptions::default()).is_err());
}

// Expected values printed by R 4.2.2 / psych 2.2.9 with sprintf("%.17g", t(m)) (row-major).
const B_RHO: [f64; 36] = [
    1.0,
    -0.40633234523909117,
    -0.32380096546770992,
    -0.1769168418025282,
    -0.2266386736675205,
    -0.0014691504839071238,
    -0.40633234523909117,
    1.0,
    0.55916785393716339,
    0.39506531097321285,
    0.44521489618610427,
    0.11664992454979847,
    -0.32380096546770992,
    0.55916785393716339,
    1.0,
    0.41299404987419325,
    0.57303571239481299,
    0.12264361719483602,
    -0.1769168418025282,
    0.39506531097321285,
    0.41299404987419325,
    1.0,
    0.35572192459232771,
    0.10718296040022883,
    -0.2266386736675205,
    0.44521489618610427,
    0.57303571239481299,
    0.35572192459232771,
    1.0,
    0.16121255829900177,
    -0.0014691504839071238,
    0.11664992454979847,
    0.12264361719483602,
    0.10718296040022883,
    0.16121255829900177,
    1.0,
];
const B_TAU: [f64; 30] = [
    -0.43960523523898726,
    0.31937471891789904,
    0.73481276543472041,
    1.2283093696438856,
    1.8901637777317779,
    -2.1090039820338977,
    -2.1090039820338977,
    -1.1839541153372926,
    -0.47686641454552464,
    0.4862840317239932,
    -1.8372635117524232,
    -1.3095900020517617,
    -0.95167084367079735,
    -0.32231787094325987,
    0.61427524614473783,
    -1.6725100294367512,
    -1.1436035130733804,
    -0.86712485057013033,
    -0.36681817867024136,
    0.23414825040358128,
    -2.0225198350104945,
    -1.3478856404139321,
    -0.91140544753945218,
    -0.24565674927868186,
    0.68682453212880623,
    -1.9552156612514731,
    -1.3858285691306025,
    -0.90296824063033054,
    -0.20360560845863027,
    0.79091039407416652,
];
const C_RHO: [f64; 36] = [
    1.0,
    -0.40817836322305961,
    -0.32380096546770992,
    -0.20531364460568735,
    -0.22663867366752088,
    -0.0014691504839071238,
    -0.40817836322305961,
    1.0,
    0.55816390727902121,
    0.39333613025528186,
    0.44409991080427969,
    0.11522793248924547,
    -0.32380096546770992,
    0.55816390727902121,
    1.0,
    0.41441283792399863,
    0.57303571239481299,
    0.12264361719483602,
    -0.20531364460568735,
    0.39333613025528186,
    0.41441283792399863,
    1.0,
    0.35327975872193473,
    0.093343392629054042,
    -0.22663867366752088,
    0.44409991080427969,
    0.57303571239481299,
    0.35327975872193473,
    1.0,
    0.16121255829824677,
    -0.0014691504839071238,
    0.11522793248924547,
    0.12264361719483602,
    0.093343392629054042,
    0.16121255829824677,
    1.0,
];
const C_TAU: [f64; 30] = [
    -0.43960523523898726,
    0.31937471891789904,
    0.73481276543472041,
    1.2283093696438856,
    1.8901637777317779,
    -2.1090039820338977,
    -1.528477394009472,
    -1.1839541153372926,
    -0.47686641454552464,
    0.4862840317239932,
    -1.8372635117524232,
    -1.3095900020517617,
    -0.95167084367079735,
    -0.32231787094325987,
    0.61427524614473783,
    -1.6725100294367512,
    -1.1436035130733804,
    -0.86712485057013033,
    -0.36681817867024136,
    f64::INFINITY,
    -2.0225198350104945,
    -1.3478856404139321,
    -0.91140544753945218,
    -0.24565674927868186,
    0.68682453212880623,
    -1.9552156612514731,
    -1.3858285691306025,
    -0.90296824063033054,
    -0.20360560845863027,
    0.79091039407416652,
];
const D_RHO: [f64; 25] = [
    1.0,
    -0.40846379112906278,
    -0.32251743233687502,
    -0.17544242608083302,
    -0.22783953105987348,
    -0.40846379112906278,
    1.0,
    0.55545099831654732,
    0.38971434288150519,
    0.44882100849919343,
    -0.32251743233687502,
    0.55545099831654732,
    1.0,
    0.40806889789162937,
    0.57285641690392741,
    -0.17544242608083302,
    0.38971434288150519,
    0.40806889789162937,
    1.0,
    0.3552858904393168,
    -0.22783953105987348,
    0.44882100849919343,
    0.57285641690392741,
    0.3552858904393168,
    1.0,
];
const D_TAU: [f64; 25] = [
    -0.43666223400370047,
    0.31863936396437514,
    0.73686097769080172,
    1.2289002828812006,
    1.8888789850183898,
    -2.1212793024540013,
    -1.5350375187851877,
    -1.1909277922856085,
    -0.47817177741441164,
    0.4822294110725544,
    -1.8460272557741142,
    -1.3138493696814924,
    -0.95784708921139217,
    -0.32553936966817881,
    0.60626273067240066,
    -1.6809512500640191,
    -1.1567047115314675,
    -0.87708827790587596,
    -0.37887262649530795,
    0.22126880812868033,
    -2.029719521057078,
    -1.3531561608910472,
    -0.91827098912247396,
    -0.25111637255389174,
    0.6756205210115801,
];
const E_POLY_RHO: [f64; 36] = [
    1.0,
    -0.39106339271341972,
    -0.31044317793393528,
    -0.19670399652050838,
    -0.26084474194590807,
    0.085178513944772896,
    -0.39106339271341972,
    1.0,
    0.55438864523678621,
    0.40396030301472274,
    0.48652934296649353,
    0.20819556649747306,
    -0.31044317793393528,
    0.55438864523678621,
    1.0,
    0.41705630033033908,
    0.61282445234723704,
    0.16430560279555367,
    -0.19670399652050838,
    0.40396030301472274,
    0.41705630033033908,
    1.0,
    0.41565281359826411,
    0.1582239644420588,
    -0.26084474194590807,
    0.48652934296649353,
    0.61282445234723704,
    0.41565281359826411,
    1.0,
    0.16310433052270629,
    0.085178513944772896,
    0.20819556649747306,
    0.16430560279555367,
    0.1582239644420588,
    0.16310433052270629,
    1.0,
];
const E_POLY_TAU: [f64; 6] = [
    0.73481276543472041,
    -1.1839541153372926,
    -0.95167084367079735,
    -0.86712485057013033,
    -0.91140544753945218,
    -0.90296824063033054,
];
const E_TETRA_RHO: [f64; 36] = [
    1.0,
    -0.39106339271066498,
    -0.31044317793384607,
    -0.19670399652077108,
    -0.26084474194559876,
    0.085178513945459791,
    -0.39106339271066498,
    1.0,
    0.55438864523677645,
    0.40396030301455615,
    0.48652934296646544,
    0.20819556649754795,
    -0.31044317793384607,
    0.55438864523677645,
    1.0,
    0.41705630033021529,
    0.61282445234729388,
    0.16430560279560602,
    -0.19670399652077108,
    0.40396030301455615,
    0.41705630033021529,
    1.0,
    0.41565281359850836,
    0.15822396444817621,
    -0.26084474194559876,
    0.48652934296646544,
    0.61282445234729388,
    0.41565281359850836,
    1.0,
    0.16310433052118492,
    0.085178513945459791,
    0.20819556649754795,
    0.16430560279560602,
    0.15822396444817621,
    0.16310433052118492,
    1.0,
];
const E_TETRA_TAU: [f64; 6] = [
    0.73481276543472041,
    -1.1839541153372926,
    -0.95167084367079735,
    -0.86712485057013,
    -0.91140544753945218,
    -0.90296824063033088,
];
const G_SMOOTHED: [f64; 9] = [
    1.0,
    0.49999999995986544,
    -0.49999999995983047,
    0.49999999995986533,
    1.0,
    0.49999999995986583,
    -0.49999999995983058,
    0.49999999995986588,
    1.0,
];
const G_TAU: [f64; 6] = [
    -0.43072729929545744,
    0.43072729929545733,
    -0.43072729929545744,
    0.43072729929545733,
    -0.43072729929545744,
    0.43072729929545733,
];
const H_RHO: [f64; 36] = [
    1.0,
    -0.40817836322348211,
    -0.32417215419690509,
    -0.1769168418025282,
    -0.2266386736675205,
    -0.0014691504839071238,
    -0.40817836322348211,
    1.0,
    0.55865842091639728,
    0.39404713180072848,
    0.44409991080427969,
    0.11522793248990966,
    -0.32417215419690509,
    0.55865842091639728,
    1.0,
    0.4129227075906996,
    0.57613124820960215,
    0.1210708877650257,
    -0.1769168418025282,
    0.39404713180072848,
    0.4129227075906996,
    1.0,
    0.35572192459232771,
    0.10718296040022883,
    -0.2266386736675205,
    0.44409991080427969,
    0.57613124820960215,
    0.35572192459232771,
    1.0,
    0.16121255829900177,
    -0.0014691504839071238,
    0.11522793248990966,
    0.1210708877650257,
    0.10718296040022883,
    0.16121255829900177,
    1.0,
];
const H_TAU: [f64; 30] = [
    -0.43960523523898726,
    0.31937471891789904,
    0.73481276543472041,
    1.2283093696438856,
    1.8901637777317779,
    -2.1090039820338977,
    -1.528477394009472,
    -1.1839541153372926,
    -0.47686641454552464,
    0.4862840317239932,
    f64::NEG_INFINITY,
    -1.3095900020517617,
    -0.95167084367079735,
    -0.32231787094325987,
    0.61427524614473783,
    -1.6725100294367512,
    -1.1436035130733804,
    -0.86712485057013033,
    -0.36681817867024136,
    0.23414825040358128,
    -2.0225198350104945,
    -1.3478856404139321,
    -0.91140544753945218,
    -0.24565674927868186,
    0.68682453212880623,
    -1.9552156612514731,
    -1.3858285691306025,
    -0.90296824063033054,
    -0.20360560845863027,
    0.79091039407416652,
];
