//! Shared helpers of the CFA tests pinned against lavaan and semTools: reading the fixtures'
//! CSV files, comparing parameter rows and fit measures with a `generate.R`'s expected values,
//! and comparing modification indices, standardised standard errors and construct validity.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use trustscale::cfa::mi::ModIndex;
use trustscale::cfa::partable::GroupEqual;
use trustscale::cfa::syntax::Op;
use trustscale::cfa::CfaResult;
use trustscale::data::ItemData;

/// Every column of a fixture as an item (empty or non-numeric cells are missing).
pub fn read_items(path: &Path) -> ItemData {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
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

/// The labels of one column of a fixture, row by row.
pub fn read_labels(path: &Path, group: &str) -> Vec<String> {
    read_grouped(path, group).1
}

/// The items (numeric columns) and the group column (text) of a fixture.
pub fn read_grouped(path: &Path, group: &str) -> (ItemData, Vec<String>) {
    let s = std::fs::read_to_string(path).unwrap();
    let mut lines = s.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let gi = header.iter().position(|h| h == group).unwrap();
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != gi)
        .map(|(_, h)| h.clone())
        .collect();
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for l in lines.filter(|l| !l.trim().is_empty()) {
        for (i, c) in l.split(',').enumerate() {
            if i == gi {
                labels.push(c.to_string());
            } else {
                values.push(c.trim().parse::<f64>().unwrap_or(f64::NAN));
            }
        }
    }
    (ItemData::new(names, values).unwrap(), labels)
}

/// Largest |difference| so far per kind, and the check against a tolerance.
#[derive(Default)]
pub struct Diffs(pub Vec<(String, f64)>);

impl Diffs {
    pub fn check(&mut self, kind: &str, label: &str, got: Option<f64>, want: &Value, tol: f64) {
        match want.as_f64() {
            None => assert!(got.is_none(), "{label}: expected null, got {got:?}"),
            Some(w) => {
                let g = got.unwrap_or_else(|| panic!("{label}: got null, lavaan {w}"));
                // relative to the value beyond 1 (theta-parameterization estimates are large)
                let d = (g - w).abs() / w.abs().max(1.0);
                assert!(
                    d <= tol,
                    "{label}: got {g}, lavaan {w} (tol {tol:.0e}, relative)"
                );
                match self.0.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, m)) => *m = m.max(d),
                    None => self.0.push((kind.to_string(), d)),
                }
            }
        }
    }

    pub fn report(&self, name: &str) {
        for (k, m) in &self.0 {
            eprintln!("{name}: max relative diff {k} {m:.2e}");
        }
    }
}

/// Every parameter row of lavaan's `parameterEstimates()` (est, se, std_all), matched by
/// lhs, op, rhs and group.
pub fn check_parameters(d: &mut Diffs, name: &str, res: &CfaResult, want: &Value, tol: f64) {
    let rows = want.as_array().unwrap();
    for w in rows {
        let (lhs, op, rhs) = (
            w["lhs"].as_str().unwrap(),
            w["op"].as_str().unwrap(),
            w["rhs"].as_str().unwrap(),
        );
        let g = w["group"].as_u64().unwrap() as usize;
        let got = res
            .parameters
            .iter()
            .find(|p| p.lhs == lhs && p.op.as_str() == op && p.rhs == rhs && p.group == Some(g))
            .unwrap_or_else(|| panic!("{name}: no row {lhs} {op} {rhs} (group {g})"));
        let lab = format!("{name}: {lhs} {op} {rhs} [g{g}]");
        d.check("est", &format!("{lab} est"), Some(got.est), &w["est"], tol);
        d.check("se", &format!("{lab} se"), got.se, &w["se"], tol);
        if op != "~*~" && op != "~1" {
            d.check(
                "std_all",
                &format!("{lab} std_all"),
                got.std_all,
                &w["std_all"],
                tol,
            );
        }
    }
    let ours = res.parameters.len();
    assert_eq!(ours, rows.len(), "{name}: number of parameter rows");
}

pub fn check_fit(d: &mut Diffs, name: &str, res: &CfaResult, e: &Value, robust_indices: bool) {
    let f = &res.fit;
    let lab = |k: &str| format!("{name}: fit.{k}");
    assert_eq!(f.df as f64, e["df"].as_f64().unwrap(), "{name}: df");
    assert_eq!(f.npar as f64, e["npar"].as_f64().unwrap(), "{name}: npar");
    let robust = f.standard.is_some();
    let standard = match &f.standard {
        Some(s) => s.clone(),
        None => trustscale::cfa::fit::StandardFit {
            chisq: f.chisq,
            pvalue: f.pvalue,
            baseline_chisq: f.baseline_chisq,
            cfi: f.cfi,
            tli: f.tli,
            rmsea: f.rmsea,
            rmsea_ci: f.rmsea_ci,
        },
    };
    d.check(
        "chisq",
        &lab("chisq"),
        Some(standard.chisq),
        &e["chisq"],
        1e-5,
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
    d.check(
        "index",
        &lab("rmsea.ci.lower"),
        standard.rmsea_ci.map(|c| c[0]),
        &e["rmsea_ci_lower"],
        1e-6,
    );
    d.check(
        "index",
        &lab("rmsea.ci.upper"),
        standard.rmsea_ci.map(|c| c[1]),
        &e["rmsea_ci_upper"],
        1e-6,
    );
    d.check("index", &lab("srmr"), Some(f.srmr), &e["srmr"], 1e-6);
    d.check(
        "chisq",
        &lab("baseline"),
        Some(standard.baseline_chisq),
        &e["baseline_chisq"],
        1e-4,
    );
    assert_eq!(
        f.baseline_df as f64,
        e["baseline_df"].as_f64().unwrap(),
        "{name}: baseline df"
    );
    if !robust {
        return;
    }
    d.check(
        "chisq",
        &lab("chisq.scaled"),
        Some(f.chisq),
        &e["chisq_scaled"],
        1e-5,
    );
    d.check(
        "pvalue",
        &lab("pvalue.scaled"),
        f.pvalue,
        &e["pvalue_scaled"],
        1e-6,
    );
    d.check(
        "scaling",
        &lab("scaling"),
        f.scaling_factor,
        &e["chisq_scaling_factor"],
        1e-6,
    );
    d.check("scaling", &lab("shift"), f.shift, &e["shift"], 1e-5);
    d.check(
        "chisq",
        &lab("baseline.scaled"),
        Some(f.baseline_chisq),
        &e["baseline_chisq_scaled"],
        1e-4,
    );
    let s = f.scaled.as_ref().unwrap();
    d.check("index", &lab("cfi.scaled"), s.cfi, &e["cfi_scaled"], 1e-6);
    d.check("index", &lab("tli.scaled"), s.tli, &e["tli_scaled"], 1e-6);
    d.check(
        "index",
        &lab("rmsea.scaled"),
        s.rmsea,
        &e["rmsea_scaled"],
        1e-6,
    );
    // lavaan 0.6.14 prints no robust indices once thresholds are equal across groups (its
    // catML refit fails; module docs of `cfa::categorical::groups`): checked where it prints them
    if robust_indices && !e["cfi_robust"].is_null() {
        d.check("index", &lab("cfi.robust"), f.cfi, &e["cfi_robust"], 1e-6);
        d.check("index", &lab("tli.robust"), f.tli, &e["tli_robust"], 1e-6);
        d.check(
            "index",
            &lab("rmsea.robust"),
            f.rmsea,
            &e["rmsea_robust"],
            1e-6,
        );
        d.check(
            "index",
            &lab("rmsea.ci.lower.robust"),
            f.rmsea_ci.map(|c| c[0]),
            &e["rmsea_ci_lower_robust"],
            1e-6,
        );
        d.check(
            "index",
            &lab("rmsea.ci.upper.robust"),
            f.rmsea_ci.map(|c| c[1]),
            &e["rmsea_ci_upper_robust"],
            1e-6,
        );
    }
}

pub fn group_equal(v: &Value) -> Vec<GroupEqual> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| match s.as_str().unwrap() {
                    "thresholds" => GroupEqual::Thresholds,
                    "loadings" => GroupEqual::Loadings,
                    "intercepts" => GroupEqual::Intercepts,
                    o => panic!("{o}"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The same parameter (and group) up to the order of a covariance's two sides.
pub fn same(lhs: &str, op: &str, rhs: &str, group: usize, m: &ModIndex) -> bool {
    op == m.op.as_str()
        && m.group.unwrap_or(1) == group
        && ((m.lhs == lhs && m.rhs == rhs) || (m.op == Op::Covary && m.lhs == rhs && m.rhs == lhs))
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

pub fn group(w: &Value) -> usize {
    w["group"].as_u64().unwrap_or(1) as usize
}

/// Tolerances and expectations of [`check_mi_case`].
pub struct MiCheck {
    /// Relative tolerance of mi, epc and sepc_all (absolute below 1).
    pub mi: f64,
    /// Absolute tolerance of `std_all_se`.
    pub se: f64,
    /// Absolute tolerance of CR and AVE (HTMT: 1e-6).
    pub validity: f64,
    /// Fewest standardised rows that must be compared.
    pub min_rows: usize,
    /// `cr_kind`, `ave_kind`, `htmt_basis` expected for the case.
    pub kinds: [&'static str; 3],
}

/// The kinds of the validity variants: continuous items (`ordered` empty), every item ordered,
/// or a mixed model.
pub fn validity_kinds(continuous: bool, mixed: bool) -> [&'static str; 3] {
    if continuous {
        ["omega_std_loadings", "std_loadings", "pearson"]
    } else if mixed {
        [
            "categorical_omega",
            "latent_responses",
            "polychoric_polyserial_pearson",
        ]
    } else {
        ["categorical_omega", "latent_responses", "polychoric"]
    }
}

/// Compares a fit's modification indices (the same set; the 20 largest), every standardised
/// row's `std_all_se` (lavaan's `~*~` rows left out) and construct validity (CR, AVE, HTMT,
/// HTMT2 of group 1) with a case written by a `generate.R` (`mi`, `standardized`, `validity`).
pub fn check_mi_case(case: &Value, r: &CfaResult, tol: &MiCheck) {
    let name = case["name"].as_str().unwrap();
    // modification indices: the same set, the 20 largest compared
    let mi = r.mi.as_ref().unwrap();
    let want = case["mi"].as_array().unwrap();
    assert_eq!(mi.len(), want.len(), "{name}: number of indices");
    for w in want.iter().take(20) {
        let (l, op, rh) = (
            w["lhs"].as_str().unwrap(),
            w["op"].as_str().unwrap(),
            w["rhs"].as_str().unwrap(),
        );
        let got = mi
            .iter()
            .find(|m| same(l, op, rh, group(w), m))
            .unwrap_or_else(|| panic!("{name}: no index for {l} {op} {rh}"));
        let label = format!("{name}: {l} {op} {rh}");
        let wmi = f(&w["mi"]);
        assert!(
            (got.mi - wmi).abs() <= tol.mi * wmi.max(1.0),
            "{label}: mi {} lavaan {wmi}",
            got.mi
        );
        assert!(
            (got.epc - f(&w["epc"])).abs() <= tol.mi * f(&w["epc"]).abs().max(1.0),
            "{label}: epc {} lavaan {}",
            got.epc,
            w["epc"]
        );
        let s = got.sepc_all.unwrap();
        assert!(
            (s - f(&w["sepc_all"])).abs() <= tol.mi * f(&w["sepc_all"]).abs().max(1.0),
            "{label}: sepc_all {s} lavaan {}",
            w["sepc_all"]
        );
    }
    // every standardised row lavaan has and we have
    let mut compared = 0;
    for w in case["standardized"].as_array().unwrap() {
        let (l, op, rh) = (
            w["lhs"].as_str().unwrap(),
            w["op"].as_str().unwrap(),
            w["rhs"].as_str().unwrap(),
        );
        if op == "~*~" {
            continue;
        }
        let Some(p) = r.parameters.iter().find(|p| {
            p.op.as_str() == op && p.lhs == l && p.rhs == rh && p.group.unwrap_or(1) == group(w)
        }) else {
            panic!("{name}: no row {l} {op} {rh}");
        };
        let label = format!("{name}: {l} {op} {rh}");
        let se = p
            .std_all_se
            .unwrap_or_else(|| panic!("{label}: std_all_se is null"));
        assert!(
            (se - f(&w["std_all_se"])).abs() <= tol.se,
            "{label}: std_all_se {se} lavaan {}",
            w["std_all_se"]
        );
        compared += 1;
    }
    assert!(compared >= tol.min_rows, "{name}: {compared} rows compared");
    // construct validity (ordered cases)
    if let Some(v) = case["validity"].as_object().filter(|v| !v.is_empty()) {
        let val = r.validity.as_ref().unwrap();
        let kinds = tol.kinds;
        assert_eq!(
            [
                val.cr_kind.as_str(),
                val.ave_kind.as_str(),
                val.htmt_basis.as_str()
            ],
            kinds,
            "{name}"
        );
        let factors: Vec<&str> = match &v["factors"] {
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => panic!("factors"),
        };
        let as_vec = |x: &Value| -> Vec<Option<f64>> {
            match x {
                Value::Array(a) => a.iter().map(Value::as_f64).collect(),
                x => vec![x.as_f64()],
            }
        };
        let (cr, ave) = (as_vec(&v["cr"]), as_vec(&v["ave"]));
        for (k, fname) in factors.iter().enumerate() {
            let fv = val.factors.iter().find(|x| x.factor == *fname).unwrap();
            match cr[k] {
                // semTools: NA for a factor with ordered and continuous indicators
                None => assert!(fv.cr.is_none(), "{name} {fname}: CR {:?}", fv.cr),
                Some(w) => {
                    let c = fv.cr.unwrap_or_else(|| panic!("{name} {fname}: CR null"));
                    assert!(
                        (c - w).abs() < tol.validity,
                        "{name} {fname}: CR {c} semTools {w}"
                    );
                }
            }
            let (a, w) = (fv.ave.unwrap(), ave[k].unwrap());
            assert!(
                (a - w).abs() < tol.validity,
                "{name} {fname}: AVE {a} semTools {w}"
            );
        }
        for h in v["htmt"].as_array().unwrap() {
            let (a, b) = (
                h["factor1"].as_str().unwrap(),
                h["factor2"].as_str().unwrap(),
            );
            let got = val
                .htmt
                .iter()
                .find(|x| (x.factor1 == a && x.factor2 == b) || (x.factor1 == b && x.factor2 == a))
                .unwrap();
            let (g1, g2) = (got.htmt.unwrap(), got.htmt2.unwrap());
            assert!(
                (g1 - f(&h["htmt"])).abs() < 1e-6,
                "{name} {a}-{b}: HTMT {g1} semTools {}",
                h["htmt"]
            );
            // HTMT2 is a ratio of geometric means: each correlation enters by its relative
            // error, so the peers' small polychoric/polyserial correlations (estimated by
            // different optimisers) weigh more than in the arithmetic HTMT; largest difference
            // seen 1.07e-6 (two-group mixed WLSMV, `tests/cfa_groups_mi.rs`), where HTMT
            // agrees within 1e-6
            assert!(
                (g2 - f(&h["htmt2"])).abs() < 5e-6,
                "{name} {a}-{b}: HTMT2 {g2} semTools {}",
                h["htmt2"]
            );
        }
    }
    let notes: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    let mixed_cr = case["validity"]["cr"]
        .as_array()
        .is_some_and(|a| a.iter().any(Value::is_null));
    assert_eq!(
        notes.iter().any(|m| m.contains("no composite reliability")),
        mixed_cr,
        "{name}: {notes:?}"
    );
    assert!(
        !notes.iter().any(|m| m.contains("not computed")),
        "{name}: {notes:?}"
    );
}
