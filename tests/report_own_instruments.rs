//! A study whose instruments are the researcher's own files, named by paths relative to the study
//! file, reported from another working directory: every section is computed (issue 12, item 8).
//!
//! The instruments are the shipped `tblc` and `group-trust` under new ids and file names, so the
//! example study's data answer them and the numbers can be compared with the shipped ones.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shipped instrument `id` rewritten as `new_id` into `dir/file`.
fn own_instrument(id: &str, new_id: &str, dir: &Path, file: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("instruments").join(format!("{id}.toml")))
        .unwrap()
        .replacen(&format!("id = \"{id}\""), &format!("id = \"{new_id}\""), 1);
    assert!(text.contains(&format!("id = \"{new_id}\"")));
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(file), text).unwrap();
}

/// A study in `dir` over the example study's data with two instruments of its own.
fn own_study(dir: &Path) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study");
    own_instrument("tblc", "leader-comp", &dir.join("measures"), "leader.toml");
    own_instrument(
        "group-trust",
        "team-trust",
        &dir.join("measures"),
        "trust.toml",
    );
    let study = format!(
        r#"title = "Own instruments"
outcomes = ["measures/trust.toml"]

[[datasets]]
name = "leaders"
path = "{leaders}"
respondent = "respondent_id"
group = "group_id"
target = "leader_id"
form = "form"
arena = "arena"
instruments = ["measures/leader.toml"]

[[datasets]]
name = "members"
path = "{members}"
respondent = "respondent_id"
group = "group_id"
form_value = "member"
arena = "arena"
instruments = ["measures/trust.toml"]
"#,
        leaders = data.join("leader-ratings.csv").display(),
        members = data.join("member-ratings.csv").display(),
    );
    let path = dir.join("study.toml");
    std::fs::write(&path, study).unwrap();
    path
}

#[test]
fn report_with_own_instruments_by_relative_path_computes_every_section() {
    let t = tempfile::tempdir().unwrap();
    let study = own_study(&t.path().join("project"));
    let elsewhere = t.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = t.path().join("out");
    let run = common::run_in(
        &elsewhere,
        &[
            "report",
            "--study",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let warnings: Vec<&str> = results["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !warnings.iter().any(|w| w.contains("could not be computed")),
        "{warnings:#?}"
    );
    for id in ["leader-comp", "team-trust"] {
        assert!(
            results["reliability"][id]["scales"].as_array().is_some(),
            "reliability of {id}: {}",
            results["reliability"]
        );
        assert!(results["cfa"][id]["fit"].is_object(), "cfa of {id}");
        assert!(results["agreement"][id].is_object(), "agreement of {id}");
    }
    // the own copy of tblc gives the shipped instrument's numbers on the same data
    let shipped = common::json_out(&[
        "reliability",
        "--instrument",
        "tblc",
        "--study",
        "data/example-study/study.toml",
        "--json",
    ]);
    assert_eq!(
        results["reliability"]["leader-comp"]["scales"][0]["alpha"],
        shipped["scales"][0]["alpha"]
    );
    for outcome in ["team-trust:affective", "team-trust:cognitive"] {
        assert!(
            results["regression"][outcome].is_object(),
            "{outcome}: {}",
            results["regression"]
        );
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("could not be computed"));
    // the report names each instrument's source file
    for file in ["leader.toml", "trust.toml"] {
        let shown = study
            .parent()
            .unwrap()
            .join("measures")
            .join(file)
            .display()
            .to_string();
        assert!(html.contains(&shown), "{shown} not in the report");
    }
}
