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

/// The report's two omegas on the shipped example study, against R psych 2.2.9 (run here):
/// `omega(d[d$form == "observer", tblc_items], nfactors = 6)` for `--whole`, and
/// `omega(m[, paste0("GTA", 1:6)], nfactors = 1)$omega.tot` for the one-factor subscale omega
/// (the study has about 3% of answers missing: psych's default pairwise-complete correlations, as
/// ours). The R script is tests/fixtures/omega/generate.R.
/// Tolerance 1e-5: psych's optimiser stops earlier than ours (differences seen: up to 6e-6).
#[test]
fn whole_and_one_factor_omega_match_psych() {
    let close = |what: &str, got: f64, want: f64| {
        assert!((got - want).abs() < 1e-5, "{what}: got {got}, psych {want}");
    };
    let v = common::json_out(&[
        "omega",
        "--study",
        STUDY,
        "--instrument",
        "tblc",
        "--whole",
        "--json",
    ]);
    close(
        "omega_total",
        v["omega_total"].as_f64().unwrap(),
        0.9274844456,
    );
    close(
        "omega_h",
        v["omega_hierarchical"].as_f64().unwrap(),
        0.5422088002,
    );
    close("ecv", v["ecv"].as_f64().unwrap(), 0.2282724833);
    // psych's omega.group: total, general, group for g and F1*..F6*
    let want = [
        [0.92748444561, 0.5422088002372, 0.39024016256],
        [0.88852585349, 0.4033780233723, 0.48514783012],
        [0.87630949909, 0.1005230252078, 0.77578647388],
        [0.87202097293, 0.1460761451481, 0.72594482778],
        [0.87937355443, 0.4125976881921, 0.46677586624],
        [0.86559001903, 0.0014512508969, 0.86413876813],
        [0.84241593640, 0.1148802609530, 0.72753567545],
    ];
    let groups = v["omega_group"].as_array().unwrap();
    assert_eq!(groups.len(), want.len());
    for (g, w) in groups.iter().zip(want) {
        let name = g["factor"].as_str().unwrap();
        for (key, x) in ["total", "general", "group"].iter().zip(w) {
            close(&format!("{name}.{key}"), g[*key].as_f64().unwrap(), x);
        }
    }
    let r = common::json_out(&[
        "reliability",
        "--study",
        STUDY,
        "--instrument",
        "group-trust",
        "--omega-factors",
        "1",
        "--json",
    ]);
    let scales = r["scales"].as_array().unwrap();
    close(
        "affective omega_total",
        scales[0]["omega_total"].as_f64().unwrap(),
        0.8603547705,
    );
    close(
        "cognitive omega_total",
        scales[1]["omega_total"].as_f64().unwrap(),
        0.8665853284,
    );
}
