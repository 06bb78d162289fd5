//! `trustscale report` on the example study: the files it writes, its JSON against the individual
//! commands' outputs, and the HTML as a well-formed, self-contained document.

mod common;

use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

const STUDY: &str = "data/example-study/study.toml";

/// Runs the report once for all tests; returns its folder.
fn report_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = common::run_in(
            root,
            &[
                "report",
                "--study",
                STUDY,
                "--out",
                t.path().to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    })
    .path()
}

fn results() -> Value {
    serde_json::from_str(&std::fs::read_to_string(report_dir().join("results.json")).unwrap())
        .unwrap()
}

/// The command's `--json` output, parsed.
fn command(args: &[&str]) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--study", STUDY, "--json"]);
    let out = common::run_in(root, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every number in `got` equals the one in `want` at the same place (and the shapes agree).
fn same_numbers(path: &str, got: &Value, want: &Value) -> usize {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(a == b, "{path}: report {a} vs command {b}");
            1
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{path}: keys"
            );
            a.iter()
                .map(|(k, v)| same_numbers(&format!("{path}.{k}"), v, &b[k]))
                .sum()
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: length");
            a.iter()
                .zip(b)
                .enumerate()
                .map(|(i, (x, y))| same_numbers(&format!("{path}[{i}]"), x, y))
                .sum()
        }
        (a, b) => {
            assert_eq!(a, b, "{path}");
            0
        }
    }
}

#[test]
fn report_json_equals_the_individual_commands() {
    let r = results();
    let mut n = 0;
    n += same_numbers(
        "reliability.tblc",
        &r["reliability"]["tblc"],
        &command(&[
            "reliability",
            "--instrument",
            "tblc",
            "--omega-factors",
            "1",
            "--ordinal",
        ]),
    );
    n += same_numbers(
        "omega.tblc",
        &r["omega"]["tblc"],
        &command(&["omega", "--instrument", "tblc", "--whole"]),
    );
    n += same_numbers(
        "parallel.tblc",
        &r["parallel"]["tblc"],
        &command(&[
            "parallel",
            "--instrument",
            "tblc",
            "--iterations",
            "100",
            "--seed",
            "1",
        ]),
    );
    n += same_numbers(
        "efa.abi",
        &r["efa"]["abi"],
        &command(&["efa", "--instrument", "abi"]),
    );
    n += same_numbers(
        "cfa.tblc",
        &r["cfa"]["tblc"],
        &command(&[
            "cfa",
            "--instrument",
            "tblc",
            "--estimator",
            "mlr",
            "--missing-data",
            "fiml",
        ]),
    );
    n += same_numbers(
        "invariance.group-trust",
        &r["invariance"]["group-trust"],
        &command(&[
            "cfa",
            "--instrument",
            "group-trust",
            "--estimator",
            "mlr",
            "--missing-data",
            "fiml",
            "--group",
            "arena",
        ]),
    );
    n += same_numbers(
        "agreement.tblc",
        &r["agreement"]["tblc"],
        &command(&["rwg", "--instrument", "tblc", "--group", "leader_id"]),
    );
    n += same_numbers(
        "agreement.group-trust",
        &r["agreement"]["group-trust"],
        &command(&["rwg", "--instrument", "group-trust", "--group", "group_id"]),
    );
    n += same_numbers(
        "regression.affective.ols",
        &r["regression"]["group-trust:affective"]["ols"],
        &command(&[
            "regress",
            "--outcome",
            "group-trust:affective",
            "--predictors",
            "tblc:*",
            "--dominance",
            "--cv",
            "10",
            "--seed",
            "1",
        ]),
    );
    n += same_numbers(
        "regression.cognitive.multilevel",
        &r["regression"]["group-trust:cognitive"]["multilevel"],
        &command(&[
            "regress",
            "--outcome",
            "group-trust:cognitive",
            "--predictors",
            "tblc:*",
            "--multilevel",
            "group_id",
        ]),
    );
    assert!(n > 2000, "only {n} numbers compared");
    // the headline numbers are where a reader looks for them
    let alpha = r["reliability"]["tblc"]["scales"][0]["alpha"]
        .as_f64()
        .unwrap();
    assert!(alpha > 0.7 && alpha < 0.95, "{alpha}");
    assert!(r["commands"].as_array().unwrap().len() >= 20);
    // the report's own command line, with its defaults spelled out
    let own = r["report_command"].as_str().unwrap();
    assert!(
        own.starts_with(&format!("trustscale report --study {STUDY} --out "))
            && own.ends_with("--estimator auto --null uniform --iterations 100 --cv 10 --seed 1"),
        "{own}"
    );
}

/// The example study has about 3% of its answers missing at random (`[missing] rate = 0.03` in
/// its population model) and six categories per item: every CFA is MLR by full-information ML,
/// the reason says so in words, and a WLSMV fit is the sensitivity check.
#[test]
fn report_fits_the_example_study_by_fiml_and_says_why() {
    let r = results();
    let html = std::fs::read_to_string(report_dir().join("report.html")).unwrap();
    for inst in [
        "tblc",
        "abi",
        "group-trust",
        "group-self-assessment",
        "collective-risk",
    ] {
        let choice = &r["cfa_estimator"][inst];
        assert_eq!(choice["estimator"], "mlr", "{inst}");
        assert_eq!(choice["missing_data"], "fiml", "{inst}");
        assert_eq!(choice["alternative"], "wlsmv", "{inst}");
        let share = choice["missing_share"].as_f64().unwrap();
        assert!(share > 0.02 && share < 0.04, "{inst}: {share}");
        let reason = choice["reason"].as_str().unwrap();
        assert!(
            reason.contains("full-information maximum likelihood") && reason.contains("MLR"),
            "{inst}: {reason}"
        );
        assert_eq!(r["cfa"][inst]["estimator"], "mlr", "{inst}");
        assert_eq!(r["cfa_sensitivity"][inst]["estimator"], "wlsmv", "{inst}");
    }
    assert_eq!(
        html.matches("Sensitivity check: WLSMV gives CFI = ")
            .count(),
        5
    );
    assert_eq!(html.matches("(MLR with FIML: CFI = ").count(), 5);
}

#[test]
fn report_writes_the_charts_it_shows() {
    let charts = report_dir().join("charts");
    for name in [
        "reliability-tblc-process-navigator.svg",
        "scree-tblc.svg",
        "efa-tblc.svg",
        "cfa-tblc.svg",
        "cfa-tblc-factors.svg",
        "agreement-group-trust.svg",
        "regress-group-trust-affective.svg",
        "regress-group-trust-affective-predicted.svg",
        "dominance.svg",
    ] {
        let svg =
            std::fs::read_to_string(charts.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{name}"
        );
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn report_html_is_well_formed_and_self_contained() {
    let html = std::fs::read_to_string(report_dir().join("report.html")).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    let mut sections = Vec::new();
    let mut svgs = 0;
    let mut tables = 0;
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(
            !matches!(
                tag,
                "script" | "link" | "img" | "iframe" | "object" | "embed" | "image"
            ),
            "<{tag}> is not allowed in a self-contained report"
        );
        for attr in node.attributes() {
            let v = attr.value();
            match attr.name() {
                "href" => assert!(v.starts_with('#'), "external href {v}"),
                "src" | "action" | "srcset" => panic!("external reference {}={v}", attr.name()),
                _ => assert!(
                    !v.contains("://") || attr.name() == "xmlns",
                    "{}={v}",
                    attr.name()
                ),
            }
        }
        match tag {
            "h2" => sections.push(node.text().unwrap_or("").to_string()),
            "svg"
                if node
                    .parent_element()
                    .is_some_and(|p| p.tag_name().name() == "figure") =>
            {
                svgs += 1
            }
            "table" => tables += 1,
            "style" => assert!(!node.text().unwrap_or("").contains("url("), "CSS url()"),
            _ => {}
        }
    }
    for want in [
        "Study and data",
        "Item analysis and reliability",
        "Dimensionality",
        "Confirmatory factor analysis",
        "Rater agreement and aggregation",
        "Predictive validity",
        "Leader and group profiles",
    ] {
        assert!(
            sections.iter().any(|s| s == want),
            "no section {want}: {sections:?}"
        );
    }
    assert!(svgs >= 25, "{svgs} inline charts");
    assert!(tables >= 15, "{tables} tables");
    // APA numbers: a verdict with an interval in brackets and no leading zero
    let text: String = doc
        .descendants()
        .filter(|n| n.has_class("verdict"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.lines().any(|l| l.contains("Cronbach's alpha = .")
            && l.contains(" [.")
            && l.ends_with(": good.")
            || l.ends_with(": excellent.")
            || l.ends_with(": acceptable.")),
        "{text}"
    );
    // bounded statistics lose the leading zero (TLI and adjusted R² can leave [-1, 1] and keep it)
    for stat in [
        "alpha = 0.",
        "CFI = 0.",
        "RMSEA = 0.",
        "SRMR = 0.",
        "KMO = 0.",
        "rwg(j) = 0.",
        "ICC(1) = 0.",
        "ICC(2) = 0.",
        "explain R² = 0.",
        "p = 0.",
    ] {
        assert!(!text.contains(stat), "a leading zero in {stat}: {text}");
    }
    // negative numbers in tables and verdicts carry a minus sign, not a hyphen
    let cells: String = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "td")
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    for t in [&text, &cells] {
        let hyphen_minus = t.char_indices().any(|(i, c)| {
            c == '-'
                && t[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|p| " [(\n".contains(p))
                && t[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_digit() || n == '.')
        });
        assert!(!hyphen_minus, "a hyphen for a minus sign in {t}");
    }
    assert!(cells.contains('−'), "no negative number in any table");
}

trait HasClass {
    fn has_class(&self, c: &str) -> bool;
}

impl HasClass for roxmltree::Node<'_, '_> {
    fn has_class(&self, c: &str) -> bool {
        self.attribute("class")
            .is_some_and(|v| v.split_whitespace().any(|x| x == c))
    }
}

#[test]
fn report_bad_study_is_a_clear_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let out = common::run_in(
        root,
        &[
            "report",
            "--study",
            "no/such/study.toml",
            "--out",
            t.path().to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/study.toml"), "{err}");
    for (flag, value) in [("--estimator", "wls"), ("--null", "bimodal"), ("--cv", "1")] {
        let out = common::run_in(
            root,
            &[
                "report",
                "--study",
                STUDY,
                "--out",
                t.path().to_str().unwrap(),
                flag,
                value,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(&format!("error: option {flag}")), "{err}");
        // nothing was written before the options were checked
        assert!(!t.path().join("report.html").exists());
    }
}

/// Runs the report on a one-dataset study of the example study's first `rows` member ratings
/// (group-trust only, no leaders, no arenas); returns results.json, report.html and the run.
fn members_only_report(rows: usize, extra: &[&str]) -> (Value, String, std::process::Output) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root.join("data/example-study/member-ratings.csv")).unwrap();
    let lines: Vec<&str> = text.lines().take(rows.saturating_add(1)).collect();
    std::fs::write(t.path().join("members.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::write(
        t.path().join("study.toml"),
        "title = \"Members only\"\n[[datasets]]\nname = \"members\"\npath = \"members.csv\"\nrespondent = \"respondent_id\"\ngroup = \"group_id\"\nform_value = \"member\"\ninstruments = [\"group-trust\"]\n",
    )
    .unwrap();
    let out_dir = t.path().join("out");
    let mut argv = vec![
        "report",
        "--study",
        "study.toml",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    argv.extend_from_slice(extra);
    let out = common::run_in(t.path(), &argv);
    let r = serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
        .unwrap();
    (
        r,
        std::fs::read_to_string(out_dir.join("report.html")).unwrap(),
        out,
    )
}

#[test]
fn report_of_a_study_without_leaders_or_arenas() {
    let (r, html, out) = members_only_report(usize::MAX, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // what the study supports ran; what it does not is empty, not missing
    assert!(r["reliability"]["group-trust"]["scales"].is_array());
    assert!(r["agreement"]["group-trust"]["scales"].is_array());
    assert_eq!(r["invariance"], serde_json::json!({}));
    assert_eq!(r["regression"], serde_json::json!({}));
    assert!(html.contains("nothing to predict from"));
    assert!(!html.contains("could not be computed"));
}

#[test]
fn report_names_analyses_that_fail_and_writes_the_rest() {
    // seven members: too few for a two-factor CFA by ML (with the estimator chosen from the
    // answers, WLSMV, it runs and reports its non-convergence as warnings); the CFA section does
    // not stand, so the report is written and the run fails naming the analysis (docs/report.md)
    let (r, html, out) = members_only_report(7, &["--estimator", "ml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cfa group-trust: could not be computed") && err.contains("report.html"),
        "{err}"
    );
    assert!(
        html.contains("Analysis failed: cfa group-trust: could not be computed"),
        "{html}"
    );
    assert!(r["reliability"]["group-trust"].is_object());
    assert!(r["warnings"].as_array().unwrap().iter().any(|w| w
        .as_str()
        .unwrap()
        .starts_with("cfa group-trust: could not be computed")));
}

/// "What the data say about the framework" comes right after predictive validity and holds
/// the verdicts in words (as `framework` gives them), both charts and the leader profile
/// classes (the example study's three simulated leader types come out as three classes).
#[test]
fn report_says_what_the_data_say_about_the_framework() {
    let r = results();
    let html = std::fs::read_to_string(report_dir().join("report.html")).unwrap();
    let title = "What the data say about the framework";
    // the section's own heading (the title also appears in the contents and the summary)
    let at = html.rfind(title).expect("the framework section");
    let prediction = html.find("Predictive validity").unwrap();
    assert!(prediction < at, "the section follows predictive validity");
    let section = &html[at..];
    let section = &section[..section.find("<section").unwrap_or(section.len())];
    // the verdicts, from the same run as results.json
    let f = &r["framework"];
    let verdicts = f["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 10);
    for v in verdicts {
        let statement = v["statement"].as_str().unwrap().replace('\'', "&#39;");
        let word = v["verdict"].as_str().unwrap().replace('_', " ");
        assert!(
            section.contains(&format!("{statement}: {word} (estimate ")),
            "{statement}: {word}"
        );
    }
    assert!(section.contains("Community Cultivator builds mainly affective trust: supported"));
    assert!(section
        .contains("Each competency helps groups manage particular risks: supported (estimate "));
    assert!(section.contains("Zou, 2007"));
    // both charts, shown and written
    for chart in ["framework.svg", "framework-risks.svg"] {
        let svg = std::fs::read_to_string(report_dir().join("charts").join(chart)).unwrap();
        roxmltree::Document::parse(&svg).unwrap();
    }
    assert!(section.contains("Competency x outcome:") && section.contains("Competency x risk:"));
    // the profile classes: three, with every competency as a column
    assert_eq!(f["specialisation"]["profiles"]["best_classes"], 3);
    assert!(section.contains("Leader profile classes (EEE model, lowest BIC)"));
    assert!(section.contains("finds 3 classes best by BIC"));
    for name in [
        "Network Organizer",
        "Relational Coach",
        "Embedded Strategist",
    ] {
        assert!(section.contains(name), "{name}");
    }
    // and the command that reproduces it
    assert!(r["commands"].as_array().unwrap().iter().any(|c| {
        let c = c.as_str().unwrap();
        c.starts_with("trustscale framework --plot ")
            && c.ends_with("charts/framework.svg --study data/example-study/study.toml --json")
    }));
}
