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

/// With no difference in the population, each test's rejection rate over seeded studies of
/// 120 groups is near its nominal 5% (200 studies by default, `FRAMEWORK_FP_REPS` to change;
/// binomial SE 1.5% at 200; accepted up to 10%). Besides each verdict's test, it prints per
/// competency the rates of Williams' t, Meng–Rosenthal–Rubin's z and the percentile bootstrap
/// interval of `r_diff_bootstrap`.
#[test]
#[ignore = "heavy: 200 simulated studies"]
fn false_positive_rates_are_near_five_percent() {
    let t = tempfile::tempdir().unwrap();
    let reps: usize = std::env::var("FRAMEWORK_FP_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut rejected: std::collections::BTreeMap<String, usize> = Default::default();
    let mut others: std::collections::BTreeMap<String, [usize; 3]> = Default::default();
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
        for c in &out.differential.as_ref().unwrap().competencies {
            let e = others.entry(c.competency.clone()).or_default();
            let t = c.test.unwrap();
            e[0] += usize::from(t.p < 0.05);
            e[1] += usize::from(t.p_z < 0.05);
            e[2] += usize::from(
                c.r_diff_bootstrap
                    .ci
                    .is_some_and(|ci| ci[0] > 0.0 || ci[1] < 0.0),
            );
        }
    }
    for (s, k) in &others {
        let f = |k: usize| k as f64 / reps as f64;
        println!(
            "{s}: Williams t {:.3}, MRR z {:.3}, percentile bootstrap {:.3}",
            f(k[0]),
            f(k[1]),
            f(k[2])
        );
    }
    for (s, k) in &rejected {
        let rate = *k as f64 / reps as f64;
        println!("{s}: {rate:.3}");
        if s != "network-organizer" {
            assert!(rate <= 0.10, "{s}: false-positive rate {rate}");
        }
    }
}

/// Claim 3 under its null: leaders with flat true profiles (a general level, each rater's
/// leniency and independent noise; 120 leaders with 4-8 raters each, 6 subscales).
/// `specialisation` is *supported* when the lower bound of the 95% percentile interval of the
/// reliability exceeds zero, a one-sided test at 2.5%; the F test of the same reliability is
/// at 5%; each leader has a reliable strength with probability at most `strength_alpha` (5%).
/// Over 1000 seeded studies (`FRAMEWORK_FP_REPS` to change), each rate stays within 3 binomial
/// SEs of its nominal level, or below it.
#[test]
#[ignore = "heavy: 1000 simulated sets of leaders"]
fn specialisation_false_positive_rate_is_near_nominal() {
    use trustscale::framework::{specialisation, LeaderRatings};
    use trustscale::numeric::rng::{stream, uniform_open, Normal};
    let reps: usize = std::env::var("FRAMEWORK_FP_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let (leaders, s) = (120, 6);
    let opts = FrameworkOptions {
        bootstrap: 1000,
        max_classes: 1,
        starts: 1,
        ..FrameworkOptions::default()
    };
    let (mut supported, mut f_rejects, mut strengths, mut all_leaders) = (0, 0, 0, 0);
    for rep in 0..reps {
        let mut rng = stream(4242, rep as u64);
        let mut nrm = Normal::new();
        let mut ratings = Vec::with_capacity(leaders);
        for _ in 0..leaders {
            let raters = 4 + (uniform_open(&mut rng) * 5.0) as usize;
            let level = nrm.draw(&mut rng);
            let mut m = nalgebra::DMatrix::zeros(raters, s);
            for r in 0..raters {
                let leniency = 0.3 * nrm.draw(&mut rng);
                for c in 0..s {
                    m[(r, c)] = 3.5 + level + leniency + 0.7 * nrm.draw(&mut rng);
                }
            }
            ratings.push(m);
        }
        let data = LeaderRatings {
            leaders: (0..leaders).map(|i| format!("L{i}")).collect(),
            subscales: (0..s).map(|c| format!("s{c}")).collect(),
            ratings,
        };
        let out = specialisation(
            &data,
            &FrameworkOptions {
                seed: rep as u64,
                ..opts.clone()
            },
        )
        .unwrap();
        supported += usize::from(out.verdicts[0].verdict == Verdict::Supported);
        f_rejects += usize::from(out.p < 0.05);
        strengths += out.strengths.leaders_with_strength;
        all_leaders += out.n_leaders;
    }
    let rate = |k: usize, of: usize| k as f64 / of as f64;
    let (sup, f, st) = (
        rate(supported, reps),
        rate(f_rejects, reps),
        rate(strengths, all_leaders),
    );
    println!("supported (nominal .025) {sup:.4}, F test (.05) {f:.4}, leaders with a strength (<= .05) {st:.4}");
    let within = |rate: f64, level: f64, n: usize| {
        rate <= level + 3.0 * (level * (1.0 - level) / n as f64).sqrt()
    };
    assert!(within(sup, 0.025, reps), "supported in {sup}");
    assert!(within(f, 0.05, reps), "F test rejects in {f}");
    assert!(st <= 0.05 + 0.005, "strengths in {st}");
}
