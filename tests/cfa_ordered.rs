//! Ordered-categorical CFA (WLSMV, DWLS, ULSMV, ULS; delta and theta) against lavaan 0.6.14
//! (R 4.2.2) beyond the public cases 29 and 30: sparse categories (DWLS, ULS, WLSMV theta on
//! 239 bfi rows), a cross-loading, binary items. Expected values:
//! `tests/fixtures/cfa_ordered/expected.json`, written by `generate.R` in that folder. Also
//! the reference cases 29 and 30 through the library, bad input through the binary, and a
//! simulation: data from a known ordinal factor model give back its loadings with WLSMV,
//! while ML on the category codes is biased.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, CfaOptions, CfaResult, Estimator, Ordered, Parameterization};
use trustscale::data::ItemData;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa_ordered")
}

fn read_csv(path: &Path) -> ItemData {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let names: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let values: Vec<f64> = lines
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| {
            l.split(',')
                .map(|c| c.trim().parse::<f64>().unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        })
        .collect();
    ItemData::new(names, values).unwrap()
}

fn fit(
    folder: &Path,
    data: &str,
    model: &str,
    est: Estimator,
    param: Parameterization,
) -> CfaResult {
    let d = read_csv(&folder.join(data));
    let m = parse(
        &std::fs::read_to_string(folder.join(model)).unwrap(),
        "model",
    )
    .unwrap();
    let opts = CfaOptions {
        estimator: est,
        ordered: Ordered::All,
        parameterization: param,
        ..CfaOptions::default()
    };
    cfa(&d, &m, &opts).unwrap()
}

/// Largest |difference| so far per kind, and the check against a tolerance.
#[derive(Default)]
struct Diffs(Vec<(String, f64)>);

impl Diffs {
    fn check(&mut self, kind: &str, label: &str, got: Option<f64>, want: &Value, tol: f64) {
        match want.as_f64() {
            None => assert!(
                got.is_none() || want.is_null() && got.is_none(),
                "{label}: expected null, got {got:?}"
            ),
            Some(w) => {
                let g = got.unwrap_or_else(|| panic!("{label}: got null, lavaan {w}"));
                let d = (g - w).abs();
                assert!(d <= tol, "{label}: got {g}, lavaan {w} (tol {tol:.0e})");
                match self.0.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, m)) => *m = m.max(d),
                    None => self.0.push((kind.to_string(), d)),
                }
            }
        }
    }
}

fn estimator(name: &str) -> Estimator {
    name.parse().unwrap()
}

#[test]
fn ordered_models_match_lavaan() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    for case in expected.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let est = estimator(case["estimator"].as_str().unwrap());
        let param: Parameterization = case["parameterization"].as_str().unwrap().parse().unwrap();
        let res = fit(
            &dir(),
            case["data"].as_str().unwrap(),
            case["model"].as_str().unwrap(),
            est,
            param,
        );
        assert!(res.converged, "{name}: {:?}", res.warnings);
        assert_eq!(res.n as u64, case["n"].as_u64().unwrap(), "{name}");
        let mut d = Diffs::default();
        let f = &res.fit;
        let e = &case["fit"];
        let lab = |k: &str| format!("{name}: fit.{k}");
        assert_eq!(f.df as f64, e["df"].as_f64().unwrap(), "{name}: df");
        let robust = matches!(est, Estimator::Wlsmv | Estimator::Ulsmv);
        let standard = f.standard.clone().unwrap_or_else(|| fit_as_standard(f));
        d.check(
            "chisq",
            &lab("chisq"),
            Some(standard.chisq),
            &e["chisq"],
            1e-4,
        );
        d.check(
            "pvalue",
            &lab("pvalue"),
            standard.pvalue,
            &e["pvalue"],
            1e-6,
        );
        d.check("index", &lab("cfi"), standard.cfi, &e["cfi"], 1e-6);
        d.check("index", &lab("tli"), standard.tli, &e["tli"], 1e-6);
        d.check("index", &lab("rmsea"), standard.rmsea, &e["rmsea"], 1e-6);
        for k in 0..2 {
            d.check(
                "index",
                &lab("rmsea_ci"),
                standard.rmsea_ci.map(|c| c[k]),
                &e["rmsea_ci"][k],
                1e-6,
            );
        }
        d.check("index", &lab("srmr"), Some(f.srmr), &e["srmr"], 1e-6);
        d.check(
            "chisq",
            &lab("baseline"),
            Some(standard.baseline_chisq),
            &e["baseline_chisq"],
            1e-3,
        );
        if robust {
            d.check(
                "chisq",
                &lab("chisq_scaled"),
                Some(f.chisq),
                &e["chisq_scaled"],
                1e-4,
            );
            d.check(
                "pvalue",
                &lab("pvalue_scaled"),
                f.pvalue,
                &e["pvalue_scaled"],
                1e-6,
            );
            d.check(
                "scaling",
                &lab("scaling_factor"),
                f.scaling_factor,
                &e["scaling_factor"],
                1e-6,
            );
            d.check("scaling", &lab("shift"), f.shift, &e["shift"], 1e-5);
            d.check(
                "chisq",
                &lab("baseline_scaled"),
                Some(f.baseline_chisq),
                &e["baseline_chisq_scaled"],
                1e-3,
            );
            let s = f.scaled.as_ref().unwrap();
            d.check("index", &lab("cfi_scaled"), s.cfi, &e["cfi_scaled"], 1e-6);
            d.check(
                "index",
                &lab("rmsea_scaled"),
                s.rmsea,
                &e["rmsea_scaled"],
                1e-6,
            );
            d.check("index", &lab("cfi_robust"), f.cfi, &e["cfi_robust"], 1e-6);
            d.check("index", &lab("tli_robust"), f.tli, &e["tli_robust"], 1e-6);
            d.check(
                "index",
                &lab("rmsea_robust"),
                f.rmsea,
                &e["rmsea_robust"],
                1e-6,
            );
            for k in 0..2 {
                d.check(
                    "index",
                    &lab("rmsea_ci_robust"),
                    f.rmsea_ci.map(|c| c[k]),
                    &e["rmsea_ci_robust"][k],
                    1e-6,
                );
            }
        }
        let mut matched = 0;
        for p in case["parameters"].as_array().unwrap() {
            let (l, o, r) = (
                p["lhs"].as_str().unwrap(),
                p["op"].as_str().unwrap(),
                p["rhs"].as_str().unwrap(),
            );
            let got = res
                .parameters
                .iter()
                .find(|q| {
                    q.op.as_str() == o
                        && ((q.lhs == l && q.rhs == r) || (o == "~~" && q.lhs == r && q.rhs == l))
                })
                .unwrap_or_else(|| panic!("{name}: no row {l} {o} {r}"));
            matched += 1;
            let label = format!("{name}: {l} {o} {r}");
            d.check(
                "est",
                &format!("{label} est"),
                Some(got.est),
                &p["est"],
                1e-4,
            );
            d.check("se", &format!("{label} se"), got.se, &p["se"], 1e-4);
            d.check(
                "std_all",
                &format!("{label} std_all"),
                got.std_all,
                &p["std_all"],
                1e-4,
            );
        }
        assert!(matched >= 20, "{name}: {matched} rows");
        eprintln!("{name}: max |diff| {:?}", d.0);
    }
}

fn fit_as_standard(f: &trustscale::cfa::fit::FitMeasures) -> trustscale::cfa::fit::StandardFit {
    trustscale::cfa::fit::StandardFit {
        chisq: f.chisq,
        pvalue: f.pvalue,
        baseline_chisq: f.baseline_chisq,
        cfi: f.cfi,
        tli: f.tli,
        rmsea: f.rmsea,
        rmsea_ci: f.rmsea_ci,
    }
}

#[test]
fn reference_cases_29_and_30_through_the_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa");
    for (folder, est, param) in [
        (
            "29-cfa-bfi-AC-wlsmv-ordinal",
            Estimator::Wlsmv,
            Parameterization::Delta,
        ),
        (
            "30-cfa-hs1939-3cat-ulsmv-theta",
            Estimator::Ulsmv,
            Parameterization::Theta,
        ),
    ] {
        let case: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(folder).join("case.json")).unwrap(),
        )
        .unwrap();
        let res = fit(&root.join(folder), "data.csv", "model.txt", est, param);
        let e = &case["expected"];
        let r = &case["reference_only"];
        let mut d = Diffs::default();
        d.check(
            "chisq",
            "chisq",
            Some(res.fit.chisq),
            &e["fit"]["chisq"],
            1e-3,
        );
        d.check("index", "cfi", res.fit.cfi, &e["fit"]["cfi"], 1e-6);
        d.check("index", "rmsea", res.fit.rmsea, &e["fit"]["rmsea"], 1e-6);
        d.check("index", "srmr", Some(res.fit.srmr), &e["fit"]["srmr"], 1e-6);
        d.check(
            "scaling",
            "scaling",
            res.fit.scaling_factor,
            &r["chisq.scaling.factor"],
            1e-6,
        );
        d.check(
            "scaling",
            "shift",
            res.fit.shift,
            &r["shift.parameter"],
            1e-5,
        );
        let std = res.fit.standard.as_ref().unwrap();
        d.check(
            "chisq",
            "standard chisq",
            Some(std.chisq),
            &r["chisq"],
            1e-3,
        );
        d.check(
            "index",
            "cfi.scaled",
            res.fit.scaled.as_ref().unwrap().cfi,
            &r["cfi.scaled"],
            1e-6,
        );
        for p in e["parameters"].as_array().unwrap() {
            let got = res
                .parameters
                .iter()
                .find(|q| {
                    q.op.as_str() == p["op"].as_str().unwrap()
                        && q.lhs == p["lhs"].as_str().unwrap()
                        && q.rhs == p["rhs"].as_str().unwrap()
                })
                .unwrap();
            d.check("est", "est", Some(got.est), &p["est"], 2e-5);
            d.check("se", "se", got.se, &p["se"], 2e-5);
        }
        eprintln!("{folder}: max |diff| {:?}", d.0);
    }
}

/// Runs the binary on a small CSV in a temp folder; returns exit code and stderr.
fn run_bad(csv: &str, model: &str, args: &[&str]) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("d.csv"), csv).unwrap();
    std::fs::write(tmp.path().join("m.txt"), model).unwrap();
    let mut argv = vec!["cfa", "d.csv", "--model", "m.txt"];
    argv.extend_from_slice(args);
    let out = common::run_in(tmp.path(), &argv);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn csv_of(names: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = names.join(",") + "\n";
    for r in rows {
        s += &(r.join(",") + "\n");
    }
    s
}

#[test]
fn bad_ordered_input_exits_2_naming_the_column() {
    let model = "f =~ a + b + c";
    let mut rows: Vec<Vec<String>> = (0..40)
        .map(|i| {
            vec![
                (i % 3 + 1).to_string(),
                ((i / 3) % 4 + 1).to_string(),
                ((i * 7) % 5 + 1).to_string(),
            ]
        })
        .collect();
    let good = csv_of(&["a", "b", "c"], &rows);
    let (code, err) = run_bad(&good, model, &["--ordered", "a,b,x"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--ordered") && err.contains("\"x\""), "{err}");
    // more than ten categories
    let many: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| vec![(i % 12 + 1).to_string(), r[1].clone(), r[2].clone()])
        .collect();
    let (code, err) = run_bad(
        &csv_of(&["a", "b", "c"], &many),
        model,
        &["--ordered", "all"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("\"a\"") && err.contains("more than 10 categories"),
        "{err}"
    );
    // a non-integer answer
    rows[5][1] = "2.5".into();
    let (code, err) = run_bad(
        &csv_of(&["a", "b", "c"], &rows),
        model,
        &["--ordered", "all"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("column \"b\"") && err.contains("2.5"), "{err}");
    rows[5][1] = "2".into();
    // a single observed category
    let one: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r[0].clone(), r[1].clone(), "3".into()])
        .collect();
    let (code, err) = run_bad(
        &csv_of(&["a", "b", "c"], &one),
        model,
        &["--ordered", "all"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("column \"c\"") && err.contains("zero variance"),
        "{err}"
    );
    // a pair never answered together
    let apart: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (a, b) = if i % 2 == 0 {
                (r[0].clone(), String::new())
            } else {
                (String::new(), r[1].clone())
            };
            vec![a, b, r[2].clone()]
        })
        .collect();
    let (code, err) = run_bad(
        &csv_of(&["a", "b", "c"], &apart),
        model,
        &["--ordered", "all"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("\"b\" and \"a\"") || err.contains("\"a\" and \"b\""),
        "{err}"
    );
    // ordered items with ML
    let (code, err) = run_bad(&good, model, &["--ordered", "all", "--estimator", "ml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--estimator"), "{err}");
}

/// Responses from an ordinal factor model: two factors (correlation .4), four items each with
/// loadings `lambda`, cut at `cuts`.
fn simulate(n: usize, seed: u64, lambda: &[f64], cuts: &[&[f64]]) -> ItemData {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut unif = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut normal =
        move || (-2.0 * unif().ln()).sqrt() * (2.0 * std::f64::consts::PI * unif()).cos();
    let p = 2 * lambda.len();
    let mut values = Vec::with_capacity(n * p);
    for _ in 0..n {
        let f1 = normal();
        let f2 = 0.4 * f1 + (1.0f64 - 0.16).sqrt() * normal();
        for (j, l) in lambda.iter().chain(lambda).enumerate() {
            let f = if j < lambda.len() { f1 } else { f2 };
            let y = l * f + (1.0 - l * l).sqrt() * normal();
            let c = cuts[j % cuts.len()];
            values.push(1.0 + c.iter().filter(|&&t| y > t).count() as f64);
        }
    }
    let names = (0..p).map(|j| format!("y{}", j + 1)).collect();
    ItemData::new(names, values).unwrap()
}

#[test]
fn simulated_ordinal_data_give_back_the_loadings() {
    // population: standardised loadings .8 .7 .6 .5, skewed cuts (5 and 3 categories)
    let lambda = [0.8, 0.7, 0.6, 0.5];
    let five: &[f64] = &[-0.5, 0.3, 1.0, 1.6];
    let three: &[f64] = &[0.6, 1.4];
    let model = parse("f =~ y1 + y2 + y3 + y4\ng =~ y5 + y6 + y7 + y8", "m").unwrap();
    let (reps, n) = (20, 1000);
    let mut mean_wlsmv = [0.0; 8];
    let mut mean_ml = [0.0; 8];
    for rep in 0..reps {
        let d = simulate(n, 17 + rep, &lambda, &[five, three]);
        let ord = cfa(
            &d,
            &model,
            &CfaOptions {
                estimator: Estimator::Wlsmv,
                ordered: Ordered::All,
                ..CfaOptions::default()
            },
        )
        .unwrap();
        assert!(ord.converged);
        let ml = cfa(&d, &model, &CfaOptions::default()).unwrap();
        for (k, item) in (1..=8).map(|j| format!("y{j}")).enumerate() {
            let std = |r: &CfaResult| {
                r.parameters
                    .iter()
                    .find(|p| p.op.as_str() == "=~" && p.rhs == item)
                    .and_then(|p| p.std_all)
                    .unwrap()
            };
            mean_wlsmv[k] += std(&ord) / reps as f64;
            mean_ml[k] += std(&ml) / reps as f64;
        }
    }
    // Monte Carlo error of a mean over 20 replications of n = 1000: about .005
    for k in 0..8 {
        let truth = lambda[k % 4];
        assert!(
            (mean_wlsmv[k] - truth).abs() < 0.02,
            "WLSMV y{}: {} vs {truth}",
            k + 1,
            mean_wlsmv[k]
        );
    }
    // ML on the codes attenuates the loadings (by about .05 to .1 here)
    let bias_ml: f64 = (0..8).map(|k| mean_ml[k] - lambda[k % 4]).sum::<f64>() / 8.0;
    assert!(bias_ml < -0.04, "ML bias {bias_ml}: {mean_ml:?}");
}
