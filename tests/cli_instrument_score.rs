//! `instrument` and `score` through the binary.

mod common;

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn instrument_list_names_the_five_instruments() {
    let out = common::run_in(root(), &["instrument", "list", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "tblc",
            "abi",
            "group-trust",
            "collective-risk",
            "group-self-assessment"
        ]
    );
}

#[test]
fn instrument_show_json_has_the_contract_keys() {
    let t = tempfile::tempdir().unwrap();
    // from a folder without instruments/: the built-in copy is used
    let out = common::run_in(t.path(), &["instrument", "show", "tblc", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "tblc");
    assert_eq!(v["scale"]["min"], 1);
    assert_eq!(v["scale"]["max"], 6);
    assert_eq!(v["forms"], serde_json::json!(["self", "observer"]));
    let subs = v["subscales"].as_array().unwrap();
    let names: Vec<&str> = subs.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Network Organizer",
            "Shared Interest Broker",
            "Process Navigator",
            "Community Cultivator",
            "Embedded Strategist",
            "Relational Coach"
        ]
    );
    for s in subs {
        let items = s["items"].as_array().unwrap();
        assert!(items.len() >= 4, "{}", s["id"]);
        assert!(items
            .iter()
            .all(|i| i["id"].is_string() && i["reverse"].is_boolean()));
    }
    let reversed = subs
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .filter(|i| i["reverse"] == true)
        .count();
    assert!(reversed >= 3);
}

#[test]
fn instrument_check_reports_ok_and_errors() {
    let out = common::run_in(
        root(),
        &["instrument", "check", "instruments/group-trust.toml"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok ("));
    let t = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("instruments/abi.toml")).unwrap();
    let bad = text.replacen("id = \"ABL2\"", "id = \"ABL1\"", 1);
    std::fs::write(t.path().join("bad.toml"), bad).unwrap();
    let out = common::run_in(t.path(), &["instrument", "check", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: bad.toml: line ") && err.contains("duplicate item id \"ABL1\""),
        "{err}"
    );
}

#[test]
fn template_has_one_column_per_item() {
    let out = common::run_in(
        root(),
        &["instrument", "template", "tblc", "--form", "observer"],
    );
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    let cols: Vec<&str> = s.trim_end().split(',').collect();
    assert_eq!(cols[0], "respondent_id");
    assert_eq!(cols.len(), 1 + 36);
    let out = common::run_in(
        root(),
        &["instrument", "template", "tblc", "--form", "member"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn score_writes_subscale_means_with_reverse_keys() {
    let t = tempfile::tempdir().unwrap();
    // the ability subscale: ABL5 is reverse keyed on 1..6, so 6 - ... : (1+6) - x
    let csv = "id,ABL1,ABL2,ABL3,ABL4,ABL5\np1,6,5,6,5,1\np2,2,2,,2,5\np3,,,,,3\n";
    std::fs::write(t.path().join("s.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "score",
            "s.csv",
            "--instrument",
            "abi",
            "--scale",
            "ability",
            "--id",
            "id",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    // p1: (6+5+6+5+6)/5 = 5.6; p2: (2+2+2+2)/4 = 2 (4 of 5 answered = .8); p3: 1 of 5 -> missing
    assert_eq!(s, "id,ability\np1,5.6\np2,2\np3,\n");
}

#[test]
fn reliability_of_every_subscale_of_the_example() {
    let out = common::run_in(
        root(),
        &[
            "reliability",
            "data/example-survey.csv",
            "--instrument",
            "tblc",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scales = v["scales"].as_array().unwrap();
    assert_eq!(scales.len(), 6);
    for s in scales {
        let a = s["alpha"].as_f64().unwrap();
        // population alpha of each 6-item subscale is about .835 (data/README.md); n = 400
        assert!((0.77..0.89).contains(&a), "{}: {a}", s["scale"]);
        assert_eq!(s["n"], 400);
        assert_eq!(s["k"], 6);
    }
}
