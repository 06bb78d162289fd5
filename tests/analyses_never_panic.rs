//! Issue 14: every analysis's library entry point (the `XRequest` types of
//! `trustscale::analysis`) takes random small data and random option values without panicking,
//! and what it returns is honest: an error, or JSON whose numbers are all finite, where a
//! value that does not exist is `null` and a warning says why.
//!
//! The data are written as CSV (so the reader is part of the path) with columns of chosen
//! kinds: ordinary answers 1..5, a constant column, a single category with missing cells,
//! huge (up to 1e99) and tiny (1e-60) values, and random missing patterns; a group column with
//! one to four groups. `describe` and `score` read such a file; `profile` and `framework` a copy
//! of the example study whose two data files hold such columns in every item column (up to
//! eight groups of 30 rows); `power` runs the example population model with small random
//! designs, effect scales and folds. Seeded by proptest; about 30 s in release.

use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::analysis::{self, Outcome, Request};
use trustscale::study::DataRequest;

/// What one item column holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Likert,
    Constant,
    OneCategoryWithMissing,
    Huge,
    Tiny,
    Sparse,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        6 => Just(Kind::Likert),
        1 => Just(Kind::Constant),
        1 => Just(Kind::OneCategoryWithMissing),
        1 => Just(Kind::Huge),
        1 => Just(Kind::Tiny),
        1 => Just(Kind::Sparse),
    ]
}

/// A data set: per column a kind, per cell a random draw.
#[derive(Debug, Clone)]
struct Data {
    kinds: Vec<Kind>,
    cells: Vec<Vec<u32>>,
    groups: usize,
}

fn data() -> impl Strategy<Value = Data> {
    (
        proptest::collection::vec(kind(), 3..6),
        3usize..14,
        1usize..5,
    )
        .prop_flat_map(|(kinds, n, groups)| {
            let k = kinds.len();
            proptest::collection::vec(proptest::collection::vec(0u32..1000, k), n).prop_map(
                move |cells| Data {
                    kinds: kinds.clone(),
                    cells,
                    groups,
                },
            )
        })
}

impl Data {
    fn csv(&self) -> String {
        let k = self.kinds.len();
        let mut s = String::from("g");
        for j in 0..k {
            s.push_str(&format!(",i{j}"));
        }
        s.push('\n');
        for (i, row) in self.cells.iter().enumerate() {
            s.push_str(&format!("G{}", i % self.groups));
            for (j, &u) in row.iter().enumerate() {
                let likert = 1 + u % 5;
                let cell = match self.kinds[j] {
                    Kind::Likert => likert.to_string(),
                    Kind::Constant => "3".into(),
                    Kind::OneCategoryWithMissing if u % 3 == 0 => "NA".into(),
                    Kind::OneCategoryWithMissing => "2".into(),
                    Kind::Huge => format!("{likert}e99"),
                    Kind::Tiny => format!("{likert}e-60"),
                    Kind::Sparse if u % 2 == 0 => String::new(),
                    Kind::Sparse => likert.to_string(),
                };
                s.push(',');
                s.push_str(&cell);
            }
            s.push('\n');
        }
        s
    }

    fn items(&self) -> Vec<String> {
        (0..self.kinds.len()).map(|j| format!("i{j}")).collect()
    }
}

/// Walks a JSON value and collects the paths of `null`s. An object that gives its own
/// `reason` or `error` in words (framework's untestable verdicts, power's failed
/// replications) explains its `null` members itself.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                nulls(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            let reasoned = ["reason", "error"].iter().any(|k| {
                o.get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.trim().is_empty())
            });
            // descriptives that carry their count: no mean, min or max of 0 scores, no sd of 1
            let n = o.get("n").and_then(Value::as_u64);
            let counted = |k: &str| {
                matches!(
                    (n, k),
                    (Some(0), "mean" | "min" | "max" | "sd") | (Some(1), "sd")
                )
            };
            for (k, x) in o {
                if x.is_null() && (reasoned || counted(k)) {
                    continue;
                }
                nulls(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Keys (path endings) whose `null` is part of the contract without a warning: a fixed
/// parameter's se/z/p, the intercept's standardised beta and VIF, a p value of a saturated
/// (df = 0) model, results of options that were not asked for.
const NULL_BY_DESIGN: &[&str] = &[
    ".se",
    ".z",
    ".p",
    ".pvalue",
    ".std_all_se",
    ".ci",
    ".bootstrap",
    ".group",
    ".mi",
    ".ordinal",
    ".invariance",
    ".instrument",
    ".instrument_title",
    ".random_groups",
    ".validity",
    ".scale",
    ".pvalue_scaled",
    ".cv",
    ".dominance",
    ".aggregation",
    ".mixed",
    ".ols",
    ".blocks",
    "coefficients[0].std_beta",
    "coefficients[0].vif",
    ".variance_components",
];

/// The words a warning may use for a JSON key (besides the key itself and its parents), so
/// that "no correlation could be estimated" explains a `null` at `rho[1][2]`.
const ALIASES: &[(&str, &[&str])] = &[
    ("icc1", &["ICC(1)"]),
    ("icc2", &["ICC(2)"]),
    ("f", &["F"]),
    ("ci", &["interval"]),
    ("mean_rwg", &["rwg"]),
    ("median_rwg", &["rwg"]),
    ("rwg_j", &["rwg"]),
    ("ad_mean", &["AD"]),
    ("ad_median", &["AD"]),
    ("rho", &["correlation"]),
    ("thresholds", &["threshold"]),
    ("kmo_items", &["KMO"]),
    ("omega_total", &["omega"]),
    ("omega_hierarchical", &["omega"]),
    ("rotation_criterion", &["rotation", "rotate"]),
    ("scores", &["score"]),
];

/// The keys of a path without indices, last first: `.fit.bic` -> `bic`, `fit`.
fn keys_of(path: &str) -> Vec<&str> {
    path.rsplit('.')
        .map(|seg| seg.split('[').next().unwrap_or(seg))
        .filter(|k| !k.is_empty())
        .collect()
}

/// Whether `text` holds `word` as a whole word (case-insensitive; a plural `s` may follow), so
/// that "p" does not match inside "group" and "ICCs" names `icc`.
fn has_word(text: &str, word: &str) -> bool {
    let t = text.to_lowercase();
    let w = word.to_lowercase();
    let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
    t.match_indices(&w).any(|(i, _)| {
        let before = t[..i].chars().next_back();
        let rest = &t[i + w.len()..];
        let after = rest
            .strip_prefix('s')
            .filter(|r| edge(r.chars().next()))
            .unwrap_or(rest);
        edge(before) && edge(after.chars().next())
    })
}

/// Whether some warning names the `null` at `path`: its key or one of its parents (as written,
/// or with spaces for underscores), or their words in [`ALIASES`].
fn named(path: &str, warnings: &[trustscale::Warning]) -> bool {
    let mut words: Vec<String> = Vec::new();
    for key in keys_of(path) {
        words.push(key.to_string());
        words.push(key.replace('_', " "));
        for (k, w) in ALIASES {
            if *k == key {
                words.extend(w.iter().map(|x| x.to_string()));
            }
        }
    }
    warnings
        .iter()
        .any(|w| words.iter().any(|x| has_word(&w.message, x)))
}

/// Runs a request: never a panic (proptest reports one as a failure); an `Ok` serialises to
/// JSON without NaN or infinity, and every `null` outside [`NULL_BY_DESIGN`] and `also` (keys
/// of options this call did not ask for) comes with a warning that names its key.
fn check<R: Request>(name: &str, r: &R) -> Result<(), TestCaseError> {
    check_also(name, r, &[])
}

fn check_also<R: Request>(name: &str, r: &R, also: &[&str]) -> Result<(), TestCaseError> {
    let Ok(out) = r.run() else {
        return Ok(());
    };
    let json = analysis::to_json(&out).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
    // a NaN or an infinity printed as a bare token would not parse as JSON
    let v: Value = serde_json::from_str(&json)
        .map_err(|e| TestCaseError::fail(format!("{name}: not JSON ({e}): {json}")))?;
    let mut found = Vec::new();
    nulls(&v, "", &mut found);
    let warnings = out.warnings();
    let unexplained: Vec<&String> = found
        .iter()
        .filter(|p| {
            // `.kmo_items[2]` is covered by `.kmo_items`
            let bare = p.trim_end_matches(|c: char| c == ']' || c == '[' || c.is_ascii_digit());
            !NULL_BY_DESIGN
                .iter()
                .chain(also)
                .any(|k| p.ends_with(k) || bare.ends_with(k))
        })
        .filter(|p| !named(p, &warnings))
        .collect();
    prop_assert!(
        unexplained.is_empty(),
        "{name}: null without a warning naming it at {unexplained:?}; warnings: {:?}",
        warnings.iter().map(|w| &w.message).collect::<Vec<_>>()
    );
    Ok(())
}

fn request(file: &Path, items: &[String]) -> DataRequest {
    DataRequest {
        data: Some(file.to_path_buf()),
        items: Some(items.join(",")),
        ..DataRequest::default()
    }
}

fn write(dir: &Path, d: &Data) -> PathBuf {
    let p = dir.join("d.csv");
    std::fs::write(&p, d.csv()).unwrap();
    p
}

/// The property tests' configuration: a fixed seed, so that CI is reproducible (set
/// `PROPTEST_RNG_SEED` to explore other inputs; proptest reads it in its defaults).
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(20261206);
    }
    c
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn item_analyses(d in data(), ci in prop_oneof![Just(0.95), Just(0.5), Just(0.0), Just(1.0)],
                     boot in proptest::option::of(0usize..30), factors in 0usize..4,
                     listwise in any::<bool>(), iterations in 0usize..6) {
        let t = tempfile::tempdir().unwrap();
        let f = write(t.path(), &d);
        let items = d.items();
        let data = DataRequest { listwise, ..request(&f, &items) };
        // without --bootstrap there are no resamples: null by design
        check_also("reliability", &analysis::reliability::ReliabilityRequest {
            data: data.clone(), ci, bootstrap: boot, ..Default::default()
        }, if boot.is_none() { &[".bootstrap_resamples"] } else { &[] })?;
        check("omega", &analysis::omega::OmegaRequest {
            data: data.clone(), factors: Some(factors), ..Default::default()
        })?;
        check("efa", &analysis::efa::EfaRequest {
            data: data.clone(),
            factors: Some(analysis::efa::Factors::Count(factors)),
            ..Default::default()
        })?;
        check("parallel", &analysis::parallel::ParallelRequest {
            data: data.clone(), iterations: Some(iterations), ..Default::default()
        })?;
        check("polychoric", &analysis::polychoric::PolychoricRequest {
            data, ..Default::default()
        })?;
    }

    #[test]
    fn agreement_analyses(d in data(), ci in prop_oneof![Just(0.95), Just(0.0), Just(1.0)],
                          points in 0usize..8, rgr in proptest::option::of(0usize..20),
                          boot in proptest::option::of(0usize..30), level in 0usize..4,
                          weights in 0usize..3) {
        let t = tempfile::tempdir().unwrap();
        let f = write(t.path(), &d);
        let items = d.items();
        let plain = DataRequest { data: Some(f.clone()), ..DataRequest::default() };
        check("icc", &analysis::icc::IccRequest {
            data: plain.clone(), raters: items.clone(), ci, ..Default::default()
        })?;
        check("rwg", &analysis::rwg::RwgRequest {
            data: request(&f, &items[..2]), group: Some("g".into()),
            scale_points: Some(points), rgr, ..Default::default()
        })?;
        check("kappa", &analysis::kappa::KappaRequest {
            data: plain.clone(), raters: items[..2 + weights % 2].to_vec(), ci,
            weights: [trustscale::agreement::kappa::Weights::None,
                      trustscale::agreement::kappa::Weights::Linear,
                      trustscale::agreement::kappa::Weights::Quadratic][weights],
        })?;
        check("krippendorff", &analysis::krippendorff::KrippendorffRequest {
            data: plain, raters: items.clone(), bootstrap: boot, ci,
            level: [trustscale::agreement::krippendorff::Level::Nominal,
                    trustscale::agreement::krippendorff::Level::Ordinal,
                    trustscale::agreement::krippendorff::Level::Interval,
                    trustscale::agreement::krippendorff::Level::Ratio][level],
            ..Default::default()
        })?;
    }

    #[test]
    fn regression_and_cfa(d in data(), path in 0usize..4, points in proptest::option::of(0usize..7),
                          ordered in any::<bool>()) {
        let t = tempfile::tempdir().unwrap();
        let f = write(t.path(), &d);
        let items = d.items();
        let plain = DataRequest { data: Some(f.clone()), ..DataRequest::default() };
        let mut r = analysis::regress::RegressRequest {
            data: plain,
            outcome: items[0].clone(),
            predictors: Some(items[1..].to_vec()),
            ..Default::default()
        };
        match path {
            0 => {}
            1 => r.multilevel = Some("g".into()),
            2 => { r.aggregate = Some("g".into()); r.scale_points = points; }
            _ => r.cluster = Some("g".into()),
        }
        // without --scale-points an aggregated column has no rwg: null by design
        let also: &[&str] = if r.aggregate.is_some() && r.scale_points.is_none() {
            &[".mean_rwg", ".median_rwg"]
        } else {
            &[]
        };
        check_also("regress", &r, also)?;
        let syntax = format!("F =~ {}", items.join(" + "));
        check("cfa", &analysis::cfa::CfaRequest {
            data: request(&f, &items),
            model: Some(analysis::cfa::ModelSource::Syntax(syntax)),
            ordered: if ordered { trustscale::cfa::Ordered::All } else { trustscale::cfa::Ordered::None },
            ..Default::default()
        })?;
    }
}

/// The example study's data column names (first line of each file).
fn example_header(file: &str) -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/example-study")
        .join(file);
    let text = std::fs::read_to_string(p).unwrap();
    text.lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect()
}

/// A copy of the example study in `dir` whose two data files hold `d`'s random answers in
/// every item column (column j of the file takes `d`'s column j mod k), `d.groups` groups of
/// which each group's first row is its leader's self rating.
fn random_study(dir: &Path, d: &Data) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study");
    std::fs::copy(src.join("study.toml"), dir.join("study.toml")).unwrap();
    let k = d.kinds.len();
    let rows: Vec<String> = d.csv().lines().skip(1).map(String::from).collect();
    for (file, roles) in [("leader-ratings.csv", 5), ("member-ratings.csv", 3)] {
        let header = example_header(file);
        let mut s = header.join(",");
        s.push('\n');
        for (i, line) in rows.iter().enumerate() {
            let g = i % d.groups;
            let first = i < d.groups;
            let mut cells = vec![format!("R{i}"), format!("G{g}")];
            if roles == 5 {
                cells.push(format!("G{g}-L"));
                cells.push(format!("A{}", g % 2));
                cells.push(if first { "self" } else { "observer" }.into());
            } else {
                cells.push(format!("A{}", g % 2));
            }
            // the item cells `Data` wrote for this row (after its group column)
            let items: Vec<&str> = line.split(',').skip(1).collect();
            for j in 0..header.len() - roles {
                cells.push(items[j % k].to_string());
            }
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        std::fs::write(dir.join(file), s).unwrap();
    }
    dir.join("study.toml")
}

/// Random data with up to eight groups and up to 30 rows, for the study-level commands.
fn study_data() -> impl Strategy<Value = Data> {
    (
        proptest::collection::vec(kind(), 3..6),
        3usize..30,
        1usize..9,
    )
        .prop_flat_map(|(kinds, n, groups)| {
            let k = kinds.len();
            proptest::collection::vec(proptest::collection::vec(0u32..1000, k), n).prop_map(
                move |cells| Data {
                    kinds: kinds.clone(),
                    cells,
                    groups,
                },
            )
        })
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn describe_and_score(d in data(), method in any::<bool>(),
                          min_answered in prop_oneof![Just(0.0), Just(0.5), Just(1.0)]) {
        let t = tempfile::tempdir().unwrap();
        let f = write(t.path(), &d);
        // a CSV has no file or variable labels and no measurement levels; a text or empty
        // column has no range
        check_also("describe", &analysis::describe::DescribeRequest {
            data: DataRequest { data: Some(f.clone()), ..DataRequest::default() },
        }, &[".label", ".measure", ".min", ".max"])?;
        // the abi instrument's 15 items, filled from the random columns
        let items: Vec<String> = ["ABL", "BEN", "INT"]
            .iter()
            .flat_map(|p| (1..=5).map(move |i| format!("{p}{i}")))
            .collect();
        let csv = d.csv();
        let mut s = format!("id,{}\n", items.join(","));
        for line in csv.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            let k = cells.len() - 1;
            let row: Vec<&str> = (0..items.len()).map(|j| cells[1 + j % k]).collect();
            s.push_str(&format!("{},{}\n", cells[0], row.join(",")));
        }
        let scored = t.path().join("abi.csv");
        std::fs::write(&scored, s).unwrap();
        check("score", &analysis::score::ScoreRequest {
            data: DataRequest {
                data: Some(scored),
                instrument: Some("abi".into()),
                id: Some("id".into()),
                ..DataRequest::default()
            },
            method: if method {
                trustscale::instrument::score::ScoreMethod::Mean
            } else {
                trustscale::instrument::score::ScoreMethod::Sum
            },
            min_answered,
        })?;
    }

    #[test]
    fn profile_and_framework(d in study_data(), instrument in 0usize..3,
                             min_answered in prop_oneof![Just(0.0), Just(0.8), Just(1.0)],
                             min_units in 4usize..8) {
        let t = tempfile::tempdir().unwrap();
        let study = random_study(t.path(), &d);
        let inst = ["tblc", "group-trust", "group-self-assessment"][instrument];
        check("profile", &analysis::profile::ProfileRequest {
            min_answered,
            ..analysis::profile::ProfileRequest::new(&study, inst)
        })?;
        let mut fw = analysis::framework::FrameworkRequest::new(&study);
        fw.options.bootstrap = 100;
        fw.options.starts = 2;
        fw.options.max_classes = 2;
        fw.options.min_units = min_units;
        // a claim that cannot be tested has no result (`null`); its verdict says why
        check_also("framework", &fw, &[".differential", ".risks", ".specialisation"])?;
        if let Ok(out) = fw.run() {
            let v: Value = serde_json::from_str(&analysis::to_json(&out).unwrap()).unwrap();
            for claim in ["differential", "risks", "specialisation"] {
                if v[claim].is_null() {
                    let verdict = v["verdicts"]
                        .as_array()
                        .and_then(|a| a.iter().find(|x| x["claim"] == claim));
                    prop_assert!(
                        verdict.is_some_and(|x| x["reason"].as_str().is_some_and(|r| !r.is_empty())),
                        "framework: {claim} is null without a verdict giving the reason: {v}"
                    );
                }
            }
        }
    }

    #[test]
    fn power(groups in proptest::collection::vec(0usize..7, 0..3),
             raters in proptest::collection::vec(0usize..4, 0..3),
             effect in proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), Just(-2.0), Just(1e6)], 0..2),
             analysis_kind in 0usize..4, replications in 0usize..3, cv in 0usize..4,
             alpha in prop_oneof![Just(0.05), Just(0.0), Just(1.0)]) {
        let t = tempfile::tempdir().unwrap();
        let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/model.toml");
        use trustscale::simulate::power::Analysis;
        // a record's `error` is null when it has none; `shard` when the run is whole; the
        // cross-validated R² of the multilevel and differential analyses
        // (computed by the aggregate and latent analyses only)
        let also: &[&str] = if analysis_kind % 2 == 1 {
            &[".error", ".shard", ".cv_r2", ".mean_cv_r2"]
        } else {
            &[".error", ".shard"]
        };
        check_also("power", &analysis::power::PowerRequest {
            model: Some(model),
            replications: Some(replications),
            seed: Some(7),
            groups,
            raters,
            effect_scale: effect,
            analysis: Some([Analysis::Aggregate, Analysis::Multilevel, Analysis::Latent,
                            Analysis::Differential][analysis_kind]),
            alpha: Some(alpha),
            cv,
            out: Some(t.path().join("p.json")),
            ..Default::default()
        }, also)?;
    }
}
