//! `trustscale omega --whole`: all of an instrument's items as one set, a general factor over
//! the subscales and one group factor per subscale.

mod common;

use std::path::Path;
use trustscale::instrument;

const STUDY: &str = "data/example-study/study.toml";

/// `--whole` is the same analysis as naming every item of the instrument with its reverse keys
/// and as many group factors as the instrument has subscales.
#[test]
fn whole_instrument_equals_its_items_named_by_hand() {
    let inst = instrument::load("abi").unwrap();
    let items: Vec<String> = inst.items.iter().map(|i| i.id.clone()).collect();
    let reverse: Vec<String> = inst
        .items
        .iter()
        .filter(|i| i.reverse)
        .map(|i| i.id.clone())
        .collect();
    assert!(!reverse.is_empty(), "abi should have reverse-keyed items");
    let whole = common::json_out(&[
        "omega",
        "--study",
        STUDY,
        "--instrument",
        "abi",
        "--whole",
        "--json",
    ]);
    let (lo, hi) = (inst.scale.min.to_string(), inst.scale.max.to_string());
    let by_hand = common::json_out(&[
        "omega",
        "--study",
        STUDY,
        "--instrument",
        "abi",
        "--items",
        &items.join(","),
        "--reverse",
        &reverse.join(","),
        "--scale-min",
        &lo,
        "--scale-max",
        &hi,
        "--factors",
        &inst.subscales.len().to_string(),
        "--json",
    ]);
    assert_eq!(whole["scale"], "abi");
    assert_eq!(whole["factors"], 3);
    assert_eq!(whole["items"], by_hand["items"]);
    for key in [
        "n",
        "omega_total",
        "omega_hierarchical",
        "ecv",
        "general_loadings",
        "group_loadings",
        "h2",
        "omega_group",
    ] {
        assert_eq!(whole[key], by_hand[key], "{key}");
    }
    // a general factor over three distinct subscales: present but far from dominant
    let oh = whole["omega_hierarchical"].as_f64().unwrap();
    let ot = whole["omega_total"].as_f64().unwrap();
    assert!(
        oh > 0.1 && oh < ot && ot < 1.0,
        "omega_h {oh}, omega_t {ot}"
    );
    // one entry for g and one per group factor, each holding one subscale's items
    let groups = whole["omega_group"].as_array().unwrap();
    assert_eq!(groups.len(), 4);
    for g in &groups[1..] {
        let its: Vec<&str> = g["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let sub = inst
            .subscales
            .iter()
            .find(|s| inst.items_of(&s.id).any(|i| i.id == its[0]))
            .unwrap();
        assert!(
            its.iter()
                .all(|id| inst.items_of(&sub.id).any(|i| i.id == *id)),
            "{its:?} mixes subscales"
        );
    }
}

#[test]
fn whole_needs_an_instrument() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "omega",
            "data/example-survey.csv",
            "--items",
            "NO1:NO6",
            "--whole",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--instrument"), "{err}");
}
