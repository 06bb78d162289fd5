//! The EFA reference cases 03–05 (expected values from R psych 2.2.9 with GPArotation
//! 2022.10.2, see each case.json), run through the library: complete rows of A1:O5, Pearson
//! correlations, `efa`, and every expected key compared within the case's tolerance after the
//! case's Tucker-congruence factor alignment, which must also be the identity (psych's factor
//! order and signs are the contract).

mod common;

use nalgebra::DMatrix;
use serde_json::Value;
use std::path::Path;
use trustscale::correlation::{covariance, Missing};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ItemSpec, ReadOptions};
use trustscale::factor::efa::{efa, EfaOptions, EfaResult, Extraction, RotationKind};
use trustscale::Location;

/// The rows of `data.csv` complete on `items`, and their names.
fn read_items(folder: &Path, items: &str) -> ItemData {
    let path = folder.join("data.csv");
    let src = CsvSource::open(&path, &ReadOptions::default()).unwrap();
    let at = Location::file(Some(path.clone()));
    let cols = ItemSpec::parse(items)
        .unwrap()
        .resolve(src.names(), &at)
        .unwrap();
    let reqs: Vec<ColumnRequest> = cols
        .iter()
        .map(|&index| ColumnRequest { index, range: None })
        .collect();
    src.read(&reqs, None).unwrap()
}

/// Pearson correlations of the complete rows, and their number.
fn pearson_listwise(data: &ItemData) -> (DMatrix<f64>, usize) {
    let m = covariance(data, Missing::Listwise).unwrap();
    (m.cov2cor(), m.n_complete)
}

/// Runs one case through the library and returns the result as JSON, with the item names and
/// correlation kind filled in as the CLI would.
fn run_case(folder: &Path, case: &Value) -> (Value, EfaResult) {
    let exp = &case["expected"];
    let data = read_items(folder, "A1:O5");
    let (r, n) = pearson_listwise(&data);
    let opts = EfaOptions {
        nfactors: exp["factors"].as_u64().unwrap() as usize,
        extraction: exp["extraction"].as_str().unwrap().parse().unwrap(),
        rotation: exp["rotation"].as_str().unwrap().parse().unwrap(),
        ..EfaOptions::default()
    };
    let mut res = efa(&r, n, &opts).unwrap();
    res.items = data.names.clone();
    res.cor = "pearson".into();
    (serde_json::to_value(&res).unwrap(), res)
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

/// Largest absolute difference between two JSON arrays (of numbers or rows of numbers).
fn max_abs_diff(a: &Value, b: &Value) -> f64 {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(x, y)| max_abs_diff(x, y))
            .fold(0.0, f64::max),
        _ => (a.as_f64().unwrap() - b.as_f64().unwrap()).abs(),
    }
}

#[test]
fn efa_reference_cases_match_psych() {
    let cases = common::cases("efa");
    assert!(cases.len() >= 3, "efa fixtures missing");
    let mut failures = Vec::new();
    let mut ran = 0;
    for folder in &cases {
        let name = folder.file_name().unwrap().to_string_lossy().to_string();
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("case.json")).unwrap())
                .unwrap();
        // cases with another correlation (polychoric) belong to other modules
        if case["expected"]["cor"] != "pearson" {
            continue;
        }
        ran += 1;
        let (mut actual, res) = run_case(folder, &case);
        assert!(res.converged, "{name}: {:?}", res.warnings);
        let exp = &case["expected"];
        let before = actual.clone();
        if let Some(spec) = case.get("compare").and_then(|c| c.get("align_factors")) {
            common::align_factors(spec, exp, &mut actual);
            // psych's order and signs are the contract: the alignment must change nothing.
            for key in ["loadings", "variance_explained", "factor_correlations"] {
                if actual[key] != before[key] {
                    failures.push(format!(
                        "{name}: {key}: factor order or signs differ from psych's"
                    ));
                }
            }
        }
        let mut cmp = common::Comparer::new(&case, &name);
        cmp.compare(exp, &actual, &mut Vec::new());
        assert!(cmp.n_values > 250, "{name}: only {} values", cmp.n_values);
        let mut report = Vec::new();
        for key in [
            "loadings",
            "communalities",
            "uniquenesses",
            "eigenvalues",
            "variance_explained",
            "factor_correlations",
            "kmo_items",
        ] {
            report.push(format!(
                "{key} {:.1e}",
                max_abs_diff(&exp[key], &actual[key])
            ));
        }
        report.push(format!(
            "kmo {:.1e}",
            max_abs_diff(&exp["kmo"], &actual["kmo"])
        ));
        for key in ["chi2", "p"] {
            report.push(format!(
                "bartlett.{key} {:.1e}",
                max_abs_diff(&exp["bartlett"][key], &actual["bartlett"][key])
            ));
        }
        for key in ["chi2", "rmsea", "tli", "bic"] {
            report.push(format!(
                "fit.{key} {:.1e}",
                max_abs_diff(&exp["fit"][key], &actual["fit"][key])
            ));
        }
        eprintln!(
            "{name}: {} values, max |diff|: {}; iterations {} + rotation {}",
            cmp.n_values,
            report.join(", "),
            res.iterations,
            res.rotation_iterations
        );
        // shape sanity
        assert_eq!(matrix(&actual["loadings"]).len(), 25);
        failures.extend(cmp.failures);
    }
    assert_eq!(ran, 3, "expected the three Pearson EFA cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Case 04 with principal axis run to full convergence: the tolerances of the case also accept
/// it (the case notes: ~4e-4 in loadings, ~0.17 in chi-square).
#[test]
fn efa_pa_fully_converged_is_within_case_04_tolerance() {
    let folder = common::cases("efa")
        .into_iter()
        .find(|f| f.to_string_lossy().contains("04-efa"))
        .unwrap();
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("case.json")).unwrap()).unwrap();
    let data = read_items(&folder, "A1:O5");
    let (r, n) = pearson_listwise(&data);
    let mut opts = EfaOptions {
        nfactors: 5,
        extraction: Extraction::Pa,
        rotation: RotationKind::Varimax,
        ..EfaOptions::default()
    };
    opts.pa.min_err = 1e-12;
    opts.pa.max_iter = 100_000;
    let mut res = efa(&r, n, &opts).unwrap();
    assert!(res.converged);
    res.items = data.names.clone();
    let mut actual = serde_json::to_value(&res).unwrap();
    let exp = &case["expected"];
    common::align_factors(&case["compare"]["align_factors"], exp, &mut actual);
    let mut cmp = common::Comparer::new(&case, "04 (fully converged pa)");
    cmp.compare(exp, &actual, &mut Vec::new());
    eprintln!(
        "case 04, fully converged pa ({} passes): loadings {:.1e}, communalities {:.1e}, fit.chi2 {:.2}",
        res.iterations,
        max_abs_diff(&exp["loadings"], &actual["loadings"]),
        max_abs_diff(&exp["communalities"], &actual["communalities"]),
        max_abs_diff(&exp["fit"]["chi2"], &actual["fit"]["chi2"])
    );
    assert!(cmp.failures.is_empty(), "{}", cmp.failures.join("\n"));
}
