//! Construct validity on Holzinger–Swineford (case 09): CR and AVE from lavaan 0.6.14's
//! `std.all` values stored in the case (an independent source for the standardised loadings),
//! Fornell–Larcker from lavaan's factor correlations, and HTMT computed by hand here from the
//! data's correlation matrix (Henseler, Ringle & Sarstedt, 2015, eq. 6, absolute correlations).

mod common;

use serde_json::Value;
use std::path::Path;

fn pearson(x: &[Vec<f64>], i: usize, j: usize) -> f64 {
    let n = x.len() as f64;
    let mi = x.iter().map(|r| r[i]).sum::<f64>() / n;
    let mj = x.iter().map(|r| r[j]).sum::<f64>() / n;
    let sij: f64 = x.iter().map(|r| (r[i] - mi) * (r[j] - mj)).sum();
    let sii: f64 = x.iter().map(|r| (r[i] - mi).powi(2)).sum();
    let sjj: f64 = x.iter().map(|r| (r[j] - mj).powi(2)).sum();
    sij / (sii * sjj).sqrt()
}

#[test]
fn validity_matches_lavaan_std_all_and_hand_htmt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa/09-cfa-hs1939-ml");
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    let out = common::run_in(&dir, &["cfa", "data.csv", "--model", "model.txt", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let std = |l: &str, op: &str, r: &str| {
        case["expected"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["lhs"] == l && p["op"] == op && p["rhs"] == r)
            .unwrap()["std_all"]
            .as_f64()
            .unwrap()
    };
    let factors = [
        ("visual", [1, 2, 3]),
        ("textual", [4, 5, 6]),
        ("speed", [7, 8, 9]),
    ];
    let corr = |a: &str, b: &str| std(a, "~~", b);
    for (k, (f, items)) in factors.iter().enumerate() {
        let l: Vec<f64> = items
            .iter()
            .map(|i| std(f, "=~", &format!("x{i}")))
            .collect();
        let th: Vec<f64> = items
            .iter()
            .map(|i| std(&format!("x{i}"), "~~", &format!("x{i}")))
            .collect();
        let s: f64 = l.iter().sum();
        let s2: f64 = l.iter().map(|x| x * x).sum();
        let t: f64 = th.iter().sum();
        let fv = &v["validity"]["factors"][k];
        assert_eq!(fv["factor"], *f);
        let cr = fv["cr"].as_f64().unwrap();
        let ave = fv["ave"].as_f64().unwrap();
        assert!((cr - s * s / (s * s + t)).abs() < 1e-5, "{f} CR {cr}");
        assert!((ave - s2 / (s2 + t)).abs() < 1e-5, "{f} AVE {ave}");
        let others: Vec<f64> = factors
            .iter()
            .filter(|(g, _)| g != f)
            .map(|(g, _)| {
                let (a, b) = if k == 0 || (k == 1 && *g == "speed") {
                    (*f, *g)
                } else {
                    (*g, *f)
                };
                corr(a, b).abs()
            })
            .collect();
        let max_r = others.iter().cloned().fold(0.0, f64::max);
        assert!((fv["max_factor_correlation"].as_f64().unwrap() - max_r).abs() < 1e-5);
        assert_eq!(fv["fornell_larcker"].as_bool().unwrap(), ave.sqrt() > max_r);
    }
    // HTMT by hand
    let text = std::fs::read_to_string(dir.join("data.csv")).unwrap();
    let x: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    let mean_abs = |a: &[usize], b: &[usize], same: bool| {
        let mut acc = 0.0;
        let mut n = 0.0;
        for (ia, &i) in a.iter().enumerate() {
            for (ib, &j) in b.iter().enumerate() {
                if same && ib <= ia {
                    continue;
                }
                acc += pearson(&x, i - 1, j - 1).abs();
                n += 1.0;
            }
        }
        acc / n
    };
    let htmt = v["validity"]["htmt"].as_array().unwrap();
    assert_eq!(htmt.len(), 3);
    let mut k = 0;
    for a in 0..3 {
        for b in a + 1..3 {
            let (ia, ib) = (&factors[a].1, &factors[b].1);
            let want =
                mean_abs(ia, ib, false) / (mean_abs(ia, ia, true) * mean_abs(ib, ib, true)).sqrt();
            let got = htmt[k]["htmt"].as_f64().unwrap();
            assert!((got - want).abs() < 1e-12, "HTMT {a}-{b}: {got} vs {want}");
            assert_eq!(htmt[k]["factor1"], factors[a].0);
            k += 1;
        }
    }
}
