//! Recovery of the framework's claims from studies simulated with the existing population model
//! (`trustscale simulate --model`, effects of each competency on affective and cognitive trust
//! and on each risk type): claims true → supported, reversed → contrary; with no difference,
//! the false-positive rate of each test stays near its nominal 5% (`#[ignore]`d replication).

mod common;

use std::path::Path;
use trustscale::analysis::framework::{FrameworkOutput, FrameworkRequest};
use trustscale::analysis::simulate::simulate_study;
use trustscale::analysis::Request;
use trustscale::framework::{adjusted_rand_index, Claim, FrameworkOptions, Verdict};

/// A population model: tblc rated about the leader; group-trust and collective-risk rated by
/// the members; `effects` is the TOML of the `[effects.*]` tables.
fn model(groups: usize, effects: &str) -> String {
    format!(
        r#"title = "framework recovery"
seed = 1

[design]
arenas = ["a"]
groups_per_arena = [{groups}]
raters = [6, 8]

[leader]
instruments = [{{ id = "tblc", loading = 0.8, factor_cor = 0.4, icc = 0.5 }}]

[group]
instruments = [
  {{ id = "group-trust", loading = 0.8, factor_cor = 0.3, icc = 0.5 }},
  {{ id = "collective-risk", loading = 0.8, factor_cor = 0.3, icc = 0.5 }},
]

[raters]
leniency_sd = 0.3
self_bias = 0.3

{effects}
"#
    )
}

/// The claims as the instruments state them: community cultivator and relational coach build
/// affective trust, shared interest broker, process navigator and embedded strategist
/// cognitive, network organizer both; each competency lowers concern about its claimed risks.
const TRUE: &str = r#"
[effects."group-trust:affective"]
"tblc:community-cultivator" = 0.35
"tblc:relational-coach" = 0.35
"tblc:network-organizer" = 0.15

[effects."group-trust:cognitive"]
"tblc:shared-interest-broker" = 0.3
"tblc:process-navigator" = 0.3
"tblc:embedded-strategist" = 0.3
"tblc:network-organizer" = 0.15

[effects."collective-risk:psychological"]
"tblc:community-cultivator" = -0.3
"tblc:relational-coach" = -0.3

[effects."collective-risk:harm-to-goals"]
"tblc:shared-interest-broker" = -0.35
"tblc:process-navigator" = -0.3

[effects."collective-risk:failure"]
"tblc:embedded-strategist" = -0.4
"#;

/// The claims reversed: the affective set builds cognitive trust and the reverse; the
/// competencies lower concern only about risks they are not claimed to manage.
const REVERSED: &str = r#"
[effects."group-trust:cognitive"]
"tblc:community-cultivator" = 0.35
"tblc:relational-coach" = 0.35

[effects."group-trust:affective"]
"tblc:shared-interest-broker" = 0.3
"tblc:process-navigator" = 0.3
"tblc:embedded-strategist" = 0.3

[effects."collective-risk:reputational"]
"tblc:community-cultivator" = -0.3
"tblc:shared-interest-broker" = -0.3

[effects."collective-risk:physical"]
"tblc:relational-coach" = -0.3
"tblc:embedded-strategist" = -0.3

[effects."collective-risk:legal"]
"tblc:process-navigator" = -0.3
"tblc:network-organizer" = -0.3
"#;

/// No difference: every competency builds both kinds of trust alike and lowers concern about
/// every risk alike.
const ABSENT: &str = r#"
[effects."group-trust:affective"]
"tblc:network-organizer" = 0.1
"tblc:shared-interest-broker" = 0.1
"tblc:process-navigator" = 0.1
"tblc:community-cultivator" = 0.1
"tblc:embedded-strategist" = 0.1
"tblc:relational-coach" = 0.1

[effects."group-trust:cognitive"]
"tblc:network-organizer" = 0.1
"tblc:shared-interest-broker" = 0.1
"tblc:process-navigator" = 0.1
"tblc:community-cultivator" = 0.1
"tblc:embedded-strategist" = 0.1
"tblc:relational-coach" = 0.1
"#;

/// Simulates a study in `dir` and runs `framework` on it.
fn run(
    dir: &Path,
    groups: usize,
    effects: &str,
    seed: u64,
    opts: FrameworkOptions,
) -> FrameworkOutput {
    let model_path = dir.join("model.toml");
    std::fs::write(&model_path, model(groups, effects)).unwrap();
    let study = dir.join("study");
    simulate_study(&model_path, Some(seed), Some(&study)).unwrap();
    FrameworkRequest {
        study: study.join("study.toml"),
        options: opts,
    }
    .run()
    .unwrap()
}

fn verdict(out: &FrameworkOutput, claim: Claim, subject: &str) -> Verdict {
    out.verdicts
        .iter()
        .find(|v| v.claim == claim && v.subject == subject)
        .unwrap_or_else(|| panic!("no verdict for {subject}"))
        .verdict
}

fn fast() -> FrameworkOptions {
    FrameworkOptions {
        bootstrap: 500,
        max_classes: 3,
        starts: 5,
        ..FrameworkOptions::default()
    }
}

#[test]
fn claims_true_are_supported_and_reversed_are_contrary() {
    let t = tempfile::tempdir().unwrap();
    let out = run(t.path(), 300, TRUE, 11, fast());
    assert_eq!(out.risk_instrument.as_deref(), Some("collective-risk"));
    assert_eq!(
        out.trust_outcomes.clone().unwrap(),
        [
            "group-trust:affective".to_string(),
            "group-trust:cognitive".to_string()
        ]
    );
    for s in ["affective-set", "cognitive-set"] {
        assert_eq!(
            verdict(&out, Claim::Differential, s),
            Verdict::Supported,
            "true: {s}"
        );
    }
    assert_eq!(verdict(&out, Claim::Risks, "links"), Verdict::Supported);
    assert_eq!(
        verdict(&out, Claim::Specialisation, "profiles"),
        Verdict::Supported
    );
    let supported = out
        .verdicts
        .iter()
        .filter(|v| v.claim == Claim::Differential && v.verdict == Verdict::Supported)
        .count();
    assert!(
        supported >= 5,
        "only {supported} differential verdicts supported"
    );

    let out = run(t.path(), 300, REVERSED, 12, fast());
    for s in ["affective-set", "cognitive-set"] {
        assert_eq!(
            verdict(&out, Claim::Differential, s),
            Verdict::Contrary,
            "reversed: {s}"
        );
    }
    // per competency, zero-order correlations share the competencies' common variance: most
    // (not necessarily all) come out contrary, none supported
    let per: Vec<Verdict> = [
        "community-cultivator",
        "relational-coach",
        "shared-interest-broker",
        "process-navigator",
        "embedded-strategist",
    ]
    .iter()
    .map(|s| verdict(&out, Claim::Differential, s))
    .collect();
    assert!(
        per.iter().filter(|v| **v == Verdict::Contrary).count() >= 3,
        "reversed: {per:?}"
    );
    assert!(!per.contains(&Verdict::Supported), "reversed: {per:?}");
    assert_eq!(verdict(&out, Claim::Risks, "links"), Verdict::Contrary);
}

/// The example study (data/example-study/model.toml: three leader types, effects of the
/// competencies on trust and on the risk types) exercises every claim: all three testable,
/// the links and profiles supported, and the latent profiles recover the simulated leader
/// types (truth.csv, column `leader_type`).
///
/// Measured (seed 2026, default options): 3 classes (VVI and EEE both best at 3; EEE overall),
/// class sizes 48/43/29 against 47/43/30 true, adjusted Rand index 0.976.
#[test]
fn the_example_study_tests_every_claim_and_recovers_the_leader_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study");
    let out = FrameworkRequest::new(&root.join("study.toml"))
        .run()
        .unwrap();
    assert_eq!(out.risk_instrument.as_deref(), Some("collective-risk"));
    assert!(out
        .verdicts
        .iter()
        .all(|v| v.verdict != Verdict::Untestable));
    assert_eq!(verdict(&out, Claim::Risks, "links"), Verdict::Supported);
    assert_eq!(
        verdict(&out, Claim::Specialisation, "profiles"),
        Verdict::Supported
    );
    for s in ["affective-set", "cognitive-set"] {
        assert_eq!(
            verdict(&out, Claim::Differential, s),
            Verdict::Supported,
            "{s}"
        );
    }
    let truth = std::fs::read_to_string(root.join("truth.csv")).unwrap();
    let mut lines = truth.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "leader_type").unwrap();
    let types: std::collections::BTreeMap<String, String> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (format!("{}-L", f[0]), f[col].to_string())
        })
        .collect();
    let names: Vec<&String> = {
        let mut v: Vec<&String> = types.values().collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(names, ["connector", "relational", "strategic"]);
    let spec = out.specialisation.as_ref().unwrap();
    let (mut truth_k, mut found_k) = (Vec::new(), Vec::new());
    for l in &spec.leaders {
        let t = &types[&l.leader];
        truth_k.push(names.iter().position(|n| *n == t).unwrap());
        found_k.push(l.class.unwrap());
    }
    assert_eq!(truth_k.len(), 120);
    let ari = adjusted_rand_index(&truth_k, &found_k);
    assert!((ari - 0.976).abs() < 0.001, "ARI {ari}");
}

#[test]
fn a_study_without_the_risk_instrument_names_the_claim_untestable() {
    // the example study without its risk instrument
    let t = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study");
    for f in ["leader-ratings.csv", "member-ratings.csv"] {
        std::fs::copy(src.join(f), t.path().join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(src.join("study.toml"))
        .unwrap()
        .replace(", \"collective-risk\"", "")
        .replace("\"collective-risk\", ", "");
    assert!(!toml.contains("collective-risk"));
    std::fs::write(t.path().join("study.toml"), toml).unwrap();
    let out = FrameworkRequest {
        study: t.path().join("study.toml"),
        options: FrameworkOptions {
            bootstrap: 200,
            max_classes: 2,
            starts: 3,
            ..FrameworkOptions::default()
        },
    }
    .run()
    .unwrap();
    let v = out
        .verdicts
        .iter()
        .find(|v| v.claim == Claim::Risks)
        .unwrap();
    assert_eq!(v.verdict, Verdict::Untestable);
    assert!(v.reason.as_deref().unwrap().contains("no risk instrument"));
    assert!(out.risks.is_none());
    assert!(out.differential.is_some() && out.specialisation.is_some());
}

/// With no difference in the population, each test's rejection rate over 200 seeded studies
/// of 120 groups is near its nominal 5% (binomial SE 1.5%; accepted up to 10%).
#[test]
#[ignore = "heavy: 200 simulated studies"]
fn false_positive_rates_are_near_five_percent() {
    let t = tempfile::tempdir().unwrap();
    let reps = 200;
    let mut rejected: std::collections::BTreeMap<String, usize> = Default::default();
    for r in 0..reps {
        let out = run(
            t.path(),
            120,
            ABSENT,
            1000 + r as u64,
            FrameworkOptions {
                bootstrap: 1000,
                max_classes: 1,
                starts: 1,
                ..FrameworkOptions::default()
            },
        );
        for v in out
            .verdicts
            .iter()
            .filter(|v| v.claim != Claim::Specialisation)
        {
            let hit = matches!(v.verdict, Verdict::Supported | Verdict::Contrary)
                && v.subject != "network-organizer";
            *rejected.entry(v.subject.clone()).or_default() += usize::from(hit);
        }
    }
    for (s, k) in &rejected {
        let rate = *k as f64 / reps as f64;
        println!("{s}: {rate:.3}");
        if s != "network-organizer" {
            assert!(rate <= 0.10, "{s}: false-positive rate {rate}");
        }
    }
}
