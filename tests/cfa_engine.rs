//! Engine properties: non-convergence and unidentified models are reported as warnings, results
//! do not depend on the order of the data columns, and a population covariance matrix is
//! recovered exactly.

use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, CfaOptions};
use trustscale::data::ItemData;
use trustscale::WarningCode;

/// Data with a given covariance: rows = mean +/- columns of a matrix square root, scaled so that
/// the biased sample covariance equals `cov` exactly.
fn exact_data(names: &[&str], cov: &[Vec<f64>]) -> ItemData {
    let p = cov.len();
    let m = nalgebra::DMatrix::from_fn(p, p, |i, j| cov[i][j]);
    let l = m.cholesky().unwrap().l();
    let mut values = Vec::new();
    // 2p rows: +/- sqrt(p) * column k of L  => covariance (1/2p) * sum 2 p l_k l_k' = L L'
    let s = (p as f64).sqrt();
    for k in 0..p {
        for sign in [1.0, -1.0] {
            for i in 0..p {
                values.push(3.0 + sign * s * l[(i, k)]);
            }
        }
    }
    ItemData::new(names.iter().map(|s| s.to_string()).collect(), values).unwrap()
}

fn one_factor_cov(l: &[f64], psi: f64) -> Vec<Vec<f64>> {
    let p = l.len();
    (0..p)
        .map(|i| {
            (0..p)
                .map(|j| {
                    if i == j {
                        l[i] * l[i] * psi + 0.5
                    } else {
                        l[i] * l[j] * psi
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn cfa_recovers_a_population_model_exactly() {
    let cov = one_factor_cov(&[1.0, 0.8, 1.2, 0.6, 0.9], 1.5);
    let data = exact_data(&["a", "b", "c", "d", "e"], &cov);
    let m = parse("f =~ a + b + c + d + e", "m").unwrap();
    let r = cfa(&data, &m, &CfaOptions::default()).unwrap();
    assert!(r.converged);
    assert!(r.fit.chisq.abs() < 1e-8, "{}", r.fit.chisq);
    let est = |l: &str, op: &str, rr: &str| {
        r.parameters
            .iter()
            .find(|p| p.lhs == l && p.op.as_str() == op && p.rhs == rr)
            .unwrap()
            .est
    };
    assert!((est("f", "=~", "c") - 1.2).abs() < 1e-8);
    assert!((est("f", "~~", "f") - 1.5).abs() < 1e-8);
    assert!((est("d", "~~", "d") - 0.5).abs() < 1e-8);
    assert_eq!(r.fit.cfi, Some(1.0));
    assert_eq!(r.fit.rmsea, Some(0.0));
}

#[test]
fn cfa_does_not_depend_on_column_order() {
    let cov = one_factor_cov(&[1.0, 0.8, 1.2, 0.6, 0.9, 0.7], 1.0);
    let mut cov = cov;
    cov[0][5] += 0.1; // some misfit
    cov[5][0] += 0.1;
    let names = ["a", "b", "c", "d", "e", "g"];
    let data = exact_data(&names, &cov);
    let perm = [3usize, 0, 5, 1, 4, 2];
    let pdata = data.columns(&perm);
    let m = parse("f =~ a + b + c + d + e + g", "m").unwrap();
    let r1 = cfa(&data, &m, &CfaOptions::default()).unwrap();
    let r2 = cfa(&pdata, &m, &CfaOptions::default()).unwrap();
    assert!((r1.fit.chisq - r2.fit.chisq).abs() < 1e-9 * r1.fit.chisq.max(1.0));
    for (p, q) in r1.parameters.iter().zip(&r2.parameters) {
        assert!((p.est - q.est).abs() < 1e-8, "{p:?} {q:?}");
    }
}

#[test]
fn cfa_not_converged_is_a_warning() {
    let mut cov = one_factor_cov(&[1.0, 0.8, 1.2, 0.6, 0.9], 1.0);
    cov[0][4] += 0.3; // misfit: one step cannot reach the optimum
    cov[4][0] += 0.3;
    let data = exact_data(&["a", "b", "c", "d", "e"], &cov);
    let m = parse("f =~ a + b + c + d + e", "m").unwrap();
    let opts = CfaOptions {
        max_iter: 1,
        ..CfaOptions::default()
    };
    let r = cfa(&data, &m, &opts).unwrap();
    assert!(!r.converged);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::NotConverged));
}

#[test]
fn cfa_unidentified_model_warns_and_has_no_standard_errors() {
    let cov = one_factor_cov(&[1.0, 0.8], 1.0);
    let data = exact_data(&["a", "b"], &cov);
    let m = parse("f =~ a + b", "m").unwrap();
    let r = cfa(&data, &m, &CfaOptions::default()).unwrap();
    assert_eq!(r.fit.df, -1);
    assert!(
        r.warnings.iter().any(|w| w.code == WarningCode::Singular),
        "{:?}",
        r.warnings
    );
    assert!(r
        .parameters
        .iter()
        .filter(|p| p.free)
        .all(|p| p.se.is_none()));
}

#[test]
fn cfa_options_are_validated() {
    let bad = CfaOptions {
        tol: -1.0,
        ..CfaOptions::default()
    };
    assert!(bad.validate().is_err());
}
