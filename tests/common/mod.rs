//! Shared test helpers: run the built binary, and compare its JSON with a reference case under
//! the case's own tolerances and comparison rules (the same rules as `shared/conformance/check.py`).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod cfa;

/// Path of the built `trustscale` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trustscale"))
}

/// Runs the binary with arguments in a folder.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run trustscale")
}

/// Runs the binary in the project's folder, expects success and parses its JSON output.
pub fn json_out(args: &[&str]) -> Value {
    let out = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Splits a command line the simple way the cases write it (no quotes with spaces are used).
pub fn split_command(cmd: &str) -> Vec<String> {
    cmd.split_whitespace()
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

/// Every case folder under `tests/fixtures/<analysis>/`.
pub fn cases(analysis: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(analysis);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.json").is_file())
        .collect();
    v.sort();
    v
}

/// Runs one case and returns the list of mismatches (empty = pass) and the number of values compared.
pub fn check_case(folder: &Path) -> (Vec<String>, usize) {
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("case.json")).unwrap()).unwrap();
    let args = split_command(case["command"].as_str().unwrap());
    assert_eq!(args[0], "trustscale");
    let argv: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    let out = run_in(folder, &argv);
    let name = folder.file_name().unwrap().to_string_lossy().to_string();
    if !out.status.success() {
        return (
            vec![format!(
                "{name}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )],
            0,
        );
    }
    let mut actual: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not JSON: {e}"));
    let expected = &case["expected"];
    let mut cmp = Comparer::new(&case, &name);
    if let Some(spec) = case.get("compare").and_then(|c| c.get("align_factors")) {
        align_factors(spec, expected, &mut actual);
    }
    cmp.compare(expected, &actual, &mut Vec::new());
    (cmp.failures, cmp.n_values)
}

pub struct Comparer {
    name: String,
    tol: HashMap<String, (f64, f64)>,
    default: (f64, f64),
    match_by: HashMap<String, Vec<String>>,
    symmetric: Vec<String>,
    null_or_zero: Vec<String>,
    allowed: HashMap<String, Vec<Value>>,
    ignore: Vec<String>,
    pub failures: Vec<String>,
    pub n_values: usize,
}

fn parse_tol(v: &Value) -> (f64, f64) {
    match v {
        Value::Object(o) => (
            o.get("abs").and_then(Value::as_f64).unwrap_or(0.0),
            o.get("rel").and_then(Value::as_f64).unwrap_or(0.0),
        ),
        other => (other.as_f64().unwrap_or(1e-6), 0.0),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

impl Comparer {
    pub fn new(case: &Value, name: &str) -> Self {
        let mut tol = HashMap::new();
        let mut default = (1e-6, 0.0);
        if let Some(t) = case.get("tolerance").and_then(Value::as_object) {
            for (k, v) in t {
                if k == "default" {
                    default = parse_tol(v);
                } else {
                    tol.insert(k.clone(), parse_tol(v));
                }
            }
        }
        let c = case.get("compare").cloned().unwrap_or(Value::Null);
        let mut match_by = HashMap::new();
        if let Some(m) = c.get("match_by").and_then(Value::as_object) {
            for (k, v) in m {
                let keys = match v {
                    Value::String(s) => vec![s.clone()],
                    other => strings(Some(other)),
                };
                match_by.insert(k.clone(), keys);
            }
        }
        let mut allowed = HashMap::new();
        if let Some(a) = c.get("allowed").and_then(Value::as_object) {
            for (k, v) in a {
                allowed.insert(k.clone(), v.as_array().cloned().unwrap_or_default());
            }
        }
        Comparer {
            name: name.to_string(),
            tol,
            default,
            match_by,
            symmetric: strings(c.get("symmetric_ops")),
            null_or_zero: strings(c.get("null_or_zero")),
            allowed,
            ignore: strings(c.get("ignore")),
            failures: Vec::new(),
            n_values: 0,
        }
    }

    fn key(path: &[String]) -> String {
        path.iter()
            .filter(|p| !p.starts_with('['))
            .cloned()
            .collect::<Vec<_>>()
            .join(".")
    }

    fn tolerance(&self, key: &str) -> (f64, f64) {
        let parts: Vec<&str> = key.split('.').collect();
        for i in 0..parts.len() {
            let k = parts[i..].join(".");
            if let Some(t) = self.tol.get(&k) {
                return *t;
            }
        }
        self.default
    }

    fn fail(&mut self, path: &[String], msg: String) {
        self.failures
            .push(format!("{}: {}: {msg}", self.name, path.join(".")));
    }

    pub fn compare(&mut self, exp: &Value, act: &Value, path: &mut Vec<String>) {
        let key = Self::key(path);
        if self.ignore.contains(&key) {
            return;
        }
        if let Some(vals) = self.allowed.get(&key).cloned() {
            self.n_values += 1;
            let ok = act.as_f64().is_some_and(|a| {
                vals.iter()
                    .any(|v| v.as_f64().is_some_and(|v| (a - v).abs() <= 1e-9))
            });
            if !ok {
                self.fail(path, format!("got {act}, allowed {vals:?}"));
            }
            return;
        }
        match exp {
            Value::Object(eo) => {
                let Some(ao) = act.as_object() else {
                    return self.fail(path, format!("expected an object, got {act}"));
                };
                for (k, v) in eo {
                    path.push(k.clone());
                    match ao.get(k) {
                        None => self.fail(path, "missing key".into()),
                        Some(a) => self.compare(v, a, path),
                    }
                    path.pop();
                }
            }
            Value::Array(ea) => {
                let Some(aa) = act.as_array() else {
                    return self.fail(path, format!("expected an array, got {act}"));
                };
                if let Some(keys) = self.match_by.get(&key).cloned() {
                    for e in ea {
                        let id: Vec<Value> = keys
                            .iter()
                            .map(|k| e.get(k).cloned().unwrap_or(Value::Null))
                            .collect();
                        let label: Vec<String> = keys
                            .iter()
                            .zip(&id)
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        let find = |id: &[Value]| {
                            aa.iter()
                                .find(|a| keys.iter().zip(id).all(|(k, v)| a.get(k) == Some(v)))
                        };
                        let mut e = e.clone();
                        let mut a = find(&id);
                        if a.is_none()
                            && keys.iter().any(|k| k == "op")
                            && e.get("op")
                                .and_then(Value::as_str)
                                .is_some_and(|op| self.symmetric.iter().any(|s| s == op))
                        {
                            let mut sw = e.clone();
                            sw["lhs"] = e["rhs"].clone();
                            sw["rhs"] = e["lhs"].clone();
                            let id2: Vec<Value> = keys
                                .iter()
                                .map(|k| sw.get(k).cloned().unwrap_or(Value::Null))
                                .collect();
                            a = find(&id2);
                            if a.is_some() {
                                e = sw;
                            }
                        }
                        path.push(format!("[{}]", label.join(",")));
                        match a {
                            None => self.fail(path, "no matching row".into()),
                            Some(a) => self.compare(&e, a, path),
                        }
                        path.pop();
                    }
                    return;
                }
                if ea.len() != aa.len() {
                    return self.fail(path, format!("length {}, expected {}", aa.len(), ea.len()));
                }
                for (i, (e, a)) in ea.iter().zip(aa).enumerate() {
                    path.push(format!("[{i}]"));
                    self.compare(e, a, path);
                    path.pop();
                }
            }
            Value::Null => {
                self.n_values += 1;
                let zero_ok = self.null_or_zero.contains(&key) && act.as_f64() == Some(0.0);
                if !act.is_null() && !zero_ok {
                    self.fail(path, format!("expected null, got {act}"));
                }
            }
            Value::Bool(b) => {
                self.n_values += 1;
                if act.as_bool() != Some(*b) {
                    self.fail(path, format!("expected {b}, got {act}"));
                }
            }
            Value::Number(n) => {
                self.n_values += 1;
                let e = n.as_f64().unwrap();
                if act.is_null() && self.null_or_zero.contains(&key) && e == 0.0 {
                    return;
                }
                let Some(a) = act.as_f64() else {
                    return self.fail(path, format!("expected a number, got {act}"));
                };
                let (ta, tr) = self.tolerance(&key);
                let tol = ta.max(tr * e.abs());
                if (a - e).abs() > tol || !a.is_finite() {
                    self.fail(
                        path,
                        format!(
                            "expected {e} got {a} (|diff| {:.3e} > tol {tol:.1e})",
                            (a - e).abs()
                        ),
                    );
                }
            }
            Value::String(s) => {
                self.n_values += 1;
                if act.as_str() != Some(s.as_str()) {
                    self.fail(path, format!("expected {s:?}, got {act}"));
                }
            }
        }
    }
}

fn get_path<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, p| v.get(p))
}

fn get_path_mut<'a>(v: &'a mut Value, dotted: &str) -> Option<&'a mut Value> {
    dotted.split('.').try_fold(v, |v, p| v.get_mut(p))
}

fn matrix(v: &Value) -> Option<Vec<Vec<f64>>> {
    v.as_array()?
        .iter()
        .map(|r| r.as_array()?.iter().map(Value::as_f64).collect())
        .collect()
}

fn permutations(k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(k - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, k - 1);
            out.push(q);
        }
    }
    out
}

/// Permutes and sign-flips the actual factor columns to the expected ones by maximal total
/// |Tucker congruence| (as check.py's `align_factors`).
pub fn align_factors(spec: &Value, expected: &Value, actual: &mut Value) {
    let lp = spec["loadings"].as_str().unwrap();
    let (Some(e), Some(a)) = (
        get_path(expected, lp).and_then(matrix),
        get_path(actual, lp).and_then(matrix),
    ) else {
        return;
    };
    if a.len() != e.len() || a.is_empty() || a[0].len() != e[0].len() {
        return;
    }
    let k = e[0].len();
    let col = |m: &Vec<Vec<f64>>, j: usize| m.iter().map(|r| r[j]).collect::<Vec<f64>>();
    let cong = |x: &[f64], y: &[f64]| {
        let nx = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        let ny = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        if nx > 0.0 && ny > 0.0 {
            x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>() / (nx * ny)
        } else {
            0.0
        }
    };
    let c: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| cong(&col(&a, i), &col(&e, j))).collect())
        .collect();
    let best = permutations(k)
        .into_iter()
        .max_by(|p, q| {
            let s = |p: &Vec<usize>| (0..k).map(|j| c[p[j]][j].abs()).sum::<f64>();
            s(p).total_cmp(&s(q))
        })
        .unwrap();
    let signs: Vec<f64> = (0..k)
        .map(|j| if c[best[j]][j] >= 0.0 { 1.0 } else { -1.0 })
        .collect();
    let new: Vec<Vec<f64>> = a
        .iter()
        .map(|r| (0..k).map(|j| r[best[j]] * signs[j]).collect())
        .collect();
    *get_path_mut(actual, lp).unwrap() = serde_json::json!(new);
    for vp in strings(spec.get("vectors")) {
        if let Some(v) = get_path_mut(actual, &vp) {
            if let Some(arr) = v.as_array().cloned() {
                if arr.len() == k {
                    *v = Value::Array((0..k).map(|j| arr[best[j]].clone()).collect());
                }
            }
        }
    }
    for mp in strings(spec.get("matrices")) {
        if let Some(v) = get_path_mut(actual, &mp) {
            if let Some(m) = matrix(v) {
                if m.len() == k {
                    let n: Vec<Vec<f64>> = (0..k)
                        .map(|i| {
                            (0..k)
                                .map(|j| m[best[i]][best[j]] * signs[i] * signs[j])
                                .collect()
                        })
                        .collect();
                    *v = serde_json::json!(n);
                }
            }
        }
    }
}

/// The text of every `<text>` element of an SVG chart, trimmed, in document order.
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>').map(|(_, rest)| {
                rest.split("</text>")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
        })
        .collect()
}

/// An in-memory array as CSV text with a header row, a missing (NaN) cell left empty: the same
/// numbers as a file, to compare the library on the array with the binary on the file.
pub fn csv_of<S: AsRef<str>>(names: &[S], values: ndarray::ArrayView2<f64>) -> String {
    let mut text = names
        .iter()
        .map(|n| n.as_ref())
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for row in values.outer_iter() {
        let cells: Vec<String> = row
            .iter()
            .map(|v| {
                if v.is_nan() {
                    String::new()
                } else {
                    v.to_string()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}
