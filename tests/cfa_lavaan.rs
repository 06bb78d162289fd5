//! The CFA engine against lavaan 0.6.14 (R 4.2.2) beyond the public cases: multi-group models
//! (configural, metric, scalar; ML and MLR), the likelihood-ratio tests between them,
//! modification indices, and an SEM with observed regressions and fixed exogenous covariates.
//! Expected values: `tests/fixtures/cfa/hs1939-school/expected.json`, written by `generate.R`
//! in that folder (data: lavaan::HolzingerSwineford1939 with `school`, and PoliticalDemocracy).

use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::cfa::invariance::{invariance, InvarianceOptions};
use trustscale::cfa::partable::GroupEqual;
use trustscale::cfa::syntax::parse;
use trustscale::cfa::{cfa, cfa_groups, CfaOptions, CfaResult, Estimator};
use trustscale::data::ItemData;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cfa/hs1939-school")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap()).unwrap()
}

/// A simple numeric CSV (no quotes); non-numeric columns are returned as text.
fn read_csv(path: &Path, text_col: Option<&str>) -> (ItemData, Vec<String>) {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let ti = text_col.map(|t| header.iter().position(|h| h == t).unwrap());
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != ti)
        .map(|(_, h)| h.clone())
        .collect();
    let mut values = Vec::new();
    let mut texts = Vec::new();
    for l in lines.filter(|l| !l.trim().is_empty()) {
        for (i, cell) in l.split(',').enumerate() {
            if Some(i) == ti {
                texts.push(cell.to_string());
            } else {
                values.push(cell.trim().parse::<f64>().unwrap_or(f64::NAN));
            }
        }
    }
    (ItemData::new(names, values).unwrap(), texts)
}

fn close(label: &str, got: Option<f64>, want: &Value, abs: f64, rel: f64) {
    let Some(w) = want.as_f64() else {
        return;
    };
    let g = got.unwrap_or_else(|| panic!("{label}: got null, expected {w}"));
    let tol = abs.max(rel * w.abs());
    assert!(
        (g - w).abs() <= tol,
        "{label}: got {g}, lavaan {w} (tol {tol:.1e})"
    );
}

fn check_params(label: &str, res: &CfaResult, want: &Value) {
    // lavaan lists equality constraints as extra `==` rows; ours are shared free indices
    let rows: Vec<&Value> = want
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["op"] != "==")
        .collect();
    for r in &rows {
        let (lhs, op, rhs) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let g = r["group"].as_u64().unwrap_or(1) as usize;
        let p = res
            .parameters
            .iter()
            .find(|p| {
                p.op.as_str() == op
                    && p.group.unwrap_or(1) == g
                    && ((p.lhs == lhs && p.rhs == rhs)
                        || (op == "~~" && p.lhs == rhs && p.rhs == lhs))
            })
            .unwrap_or_else(|| panic!("{label}: no row {lhs} {op} {rhs} (group {g})"));
        let l = format!("{label}: {lhs} {op} {rhs} [g{g}]");
        close(&format!("{l} est"), Some(p.est), &r["est"], 1e-3, 0.0);
        if p.free {
            close(&format!("{l} se"), p.se, &r["se"], 1e-3, 0.0);
        }
        close(&format!("{l} std_all"), p.std_all, &r["std_all"], 1e-3, 0.0);
    }
    // no row lavaan does not have
    assert_eq!(res.parameters.len(), rows.len(), "{label}: number of rows");
}

fn check_fit(label: &str, res: &CfaResult, want: &Value, robust: bool) {
    let f = &res.fit;
    let k = |a: &str, b: &str| if robust { b.to_string() } else { a.to_string() };
    close(
        &format!("{label} chisq"),
        Some(f.chisq),
        &want[k("chisq", "chisq.scaled")],
        1e-3,
        1e-6,
    );
    assert_eq!(f.df as f64, want["df"].as_f64().unwrap(), "{label} df");
    assert_eq!(
        f.npar as f64,
        want["npar"].as_f64().unwrap(),
        "{label} npar"
    );
    close(
        &format!("{label} pvalue"),
        f.pvalue,
        &want[k("pvalue", "pvalue.scaled")],
        1e-6,
        0.0,
    );
    close(
        &format!("{label} cfi"),
        f.cfi,
        &want[k("cfi", "cfi.robust")],
        1e-6,
        0.0,
    );
    close(
        &format!("{label} tli"),
        f.tli,
        &want[k("tli", "tli.robust")],
        1e-6,
        0.0,
    );
    close(
        &format!("{label} rmsea"),
        f.rmsea,
        &want[k("rmsea", "rmsea.robust")],
        1e-6,
        0.0,
    );
    let ci = f.rmsea_ci.map(|c| (c[0], c[1]));
    close(
        &format!("{label} rmsea lo"),
        ci.map(|c| c.0),
        &want[k("rmsea.ci.lower", "rmsea.ci.lower.robust")],
        1e-6,
        0.0,
    );
    close(
        &format!("{label} rmsea hi"),
        ci.map(|c| c.1),
        &want[k("rmsea.ci.upper", "rmsea.ci.upper.robust")],
        1e-6,
        0.0,
    );
    close(
        &format!("{label} srmr"),
        Some(f.srmr),
        &want["srmr"],
        1e-6,
        0.0,
    );
    close(&format!("{label} aic"), f.aic, &want["aic"], 1e-4, 0.0);
    close(&format!("{label} bic"), f.bic, &want["bic"], 1e-4, 0.0);
    close(
        &format!("{label} loglik"),
        f.loglik,
        &want["logl"],
        1e-4,
        0.0,
    );
    if robust {
        close(
            &format!("{label} scaling"),
            f.scaling_factor,
            &want["chisq.scaling.factor"],
            1e-5,
            0.0,
        );
        close(
            &format!("{label} baseline scaling"),
            f.baseline_scaling_factor,
            &want["baseline.chisq.scaling.factor"],
            1e-6,
            0.0,
        );
        let st = f.standard.as_ref().unwrap();
        close(
            &format!("{label} standard chisq"),
            Some(st.chisq),
            &want["chisq"],
            1e-3,
            1e-6,
        );
        let sc = f.scaled.as_ref().unwrap();
        close(
            &format!("{label} cfi.scaled"),
            sc.cfi,
            &want["cfi.scaled"],
            1e-6,
            0.0,
        );
        close(
            &format!("{label} tli.scaled"),
            sc.tli,
            &want["tli.scaled"],
            1e-6,
            0.0,
        );
    } else {
        close(
            &format!("{label} baseline"),
            Some(f.baseline_chisq),
            &want["baseline.chisq"],
            1e-6,
            1e-9,
        );
    }
}

#[test]
fn multigroup_models_match_lavaan_ml_and_mlr() {
    let e = expected();
    let (data, school) = read_csv(&dir().join("data.csv"), Some("school"));
    let model = parse(
        &std::fs::read_to_string(dir().join("model.txt")).unwrap(),
        "model.txt",
    )
    .unwrap();
    for (est, key) in [(Estimator::Ml, "ml"), (Estimator::Mlr, "mlr")] {
        let robust = est == Estimator::Mlr;
        for (name, eq) in [
            ("configural", vec![]),
            ("metric", vec![GroupEqual::Loadings]),
            ("scalar", vec![GroupEqual::Loadings, GroupEqual::Intercepts]),
        ] {
            let opts = CfaOptions {
                estimator: est,
                group_equal: eq,
                ..CfaOptions::default()
            };
            let res = cfa_groups(&data, &school, &model, &opts).unwrap();
            let label = format!("{key} {name}");
            assert!(res.converged, "{label}");
            assert!(res.warnings.is_empty(), "{label}: {:?}", res.warnings);
            assert_eq!(res.groups[0].label, "Pasteur");
            check_fit(&label, &res, &e[key][name]["fit"], robust);
            check_params(&label, &res, &e[key][name]["parameters"]);
        }
        // the invariance sequence's difference tests (lavTestLRT; Satorra-Bentler 2001 for MLR)
        let opts = CfaOptions {
            estimator: est,
            ..CfaOptions::default()
        };
        let inv = invariance(&data, &school, &model, &opts, &InvarianceOptions::default()).unwrap();
        let lrt = &e[key]["lrt"];
        for s in 1..3 {
            let st = &inv.steps[s];
            close(
                &format!("{key} step {s} dchisq"),
                st.chisq_diff,
                &lrt["chisq_diff"][s - 1],
                1e-3,
                1e-5,
            );
            assert_eq!(st.df_diff, Some(6));
            close(
                &format!("{key} step {s} p"),
                st.p_diff,
                &lrt["p"][s - 1],
                1e-6,
                1e-4,
            );
        }
        // Holzinger-Swineford: metric invariance holds, scalar fails (lavaan tutorial)
        assert_eq!(inv.level, "metric", "{key}");
        assert_eq!(inv.steps[1].holds, Some(true));
        assert_eq!(inv.steps[2].holds, Some(false));
    }
}

fn check_mi(label: &str, got: &[trustscale::cfa::mi::ModIndex], want: &Value) {
    let rows = want.as_array().unwrap();
    assert_eq!(got.len(), rows.len(), "{label}: number of indices");
    for r in rows {
        let (lhs, op, rhs) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let m = got
            .iter()
            .find(|m| m.lhs == lhs && m.op.as_str() == op && m.rhs == rhs)
            .unwrap_or_else(|| panic!("{label}: no index {lhs} {op} {rhs}"));
        let l = format!("{label}: {lhs} {op} {rhs}");
        close(&format!("{l} mi"), Some(m.mi), &r["mi"], 1e-3, 1e-4);
        close(&format!("{l} epc"), Some(m.epc), &r["epc"], 1e-4, 1e-4);
        close(
            &format!("{l} sepc_all"),
            m.sepc_all,
            &r["sepc_all"],
            1e-4,
            1e-4,
        );
    }
    assert!(
        got.windows(2).all(|w| w[0].mi >= w[1].mi),
        "{label}: not sorted"
    );
}

#[test]
fn modification_indices_match_lavaan() {
    let e = expected();
    let opts = CfaOptions {
        modification_indices: true,
        ..CfaOptions::default()
    };
    let (data, _) = read_csv(&dir().join("data.csv"), Some("school"));
    let model = parse(
        &std::fs::read_to_string(dir().join("model.txt")).unwrap(),
        "m",
    )
    .unwrap();
    let res = cfa(&data, &model, &opts).unwrap();
    check_mi("HS", res.mi.as_deref().unwrap(), &e["mi"]);
    let pd = dir().join("../11-cfa-politicaldemocracy-sem-ml");
    let (data, _) = read_csv(&pd.join("data.csv"), None);
    let model = parse(&std::fs::read_to_string(pd.join("model.txt")).unwrap(), "m").unwrap();
    let res = cfa(&data, &model, &opts).unwrap();
    check_mi(
        "PoliticalDemocracy",
        res.mi.as_deref().unwrap(),
        &e["mi_pd"],
    );
}

#[test]
fn observed_regressions_with_fixed_x_match_lavaan() {
    let e = expected();
    let pd = dir().join("../11-cfa-politicaldemocracy-sem-ml");
    let (data, _) = read_csv(&pd.join("data.csv"), None);
    let model = parse(
        &std::fs::read_to_string(dir().join("model_fixedx.txt")).unwrap(),
        "m",
    )
    .unwrap();
    let res = cfa(&data, &model, &CfaOptions::default()).unwrap();
    assert!(res.converged);
    check_fit("fixed.x", &res, &e["fixedx"]["fit"], false);
    check_params("fixed.x", &res, &e["fixedx"]["parameters"]);
    let opts = CfaOptions {
        estimator: Estimator::Mlr,
        ..CfaOptions::default()
    };
    let res = cfa(&data, &model, &opts).unwrap();
    check_fit("fixed.x MLR", &res, &e["fixedx_mlr"]["fit"], true);
    check_params("fixed.x MLR", &res, &e["fixedx_mlr"]["parameters"]);
}
