//! Ratings without variance: the ICCs and the group F test are undefined. They come back as
//! `null` with a warning, never a panic (statrs' incomplete beta panicked on the 0/0 F).

mod common;

use serde_json::Value;

fn run(file: &str, csv: &str, args: &[&str]) -> (Value, String) {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join(file);
    std::fs::write(&path, csv).unwrap();
    let mut all = vec![args[0], path.to_str().unwrap()];
    all.extend(&args[1..]);
    all.push("--json");
    let out = common::run_in(t.path(), &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn icc_of_constant_ratings_is_null_with_a_warning() {
    let (v, err) = run(
        "const.csv",
        "r1,r2,r3\n3,3,3\n3,3,3\n3,3,3\n",
        &["icc", "--raters", "r1,r2,r3"],
    );
    for row in v["icc"].as_array().unwrap() {
        assert!(row["icc"].is_null() && row["p"].is_null(), "{row}");
    }
    assert!(err.contains("undefined (null)"), "{err}");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn rwg_without_any_variance_has_null_iccs_with_a_warning() {
    let (v, err) = run(
        "rwg.csv",
        "g,a,b\n1,3,3\n1,3,3\n2,3,3\n2,3,3\n",
        &[
            "rwg",
            "--group",
            "g",
            "--items",
            "a,b",
            "--scale-points",
            "5",
        ],
    );
    assert!(v["icc1"].is_null() && v["anova"]["p"].is_null(), "{v}");
    assert_eq!(v["mean_rwg_j"], 1.0);
    assert!(err.contains("undefined (null)"), "{err}");
}
