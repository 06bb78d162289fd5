//! Charts are produced as well-formed SVG with their titles, axis labels and item labels.

mod common;

fn texts(svg: &str) -> Vec<String> {
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

#[test]
fn reliability_chart_is_written_per_subscale() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("rel.svg");
    let out = common::run_in(
        root,
        &[
            "reliability",
            "--study",
            "data/example-study/study.toml",
            "--instrument",
            "tblc",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(t.path().join("rel-process-navigator.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    let tx = texts(&svg);
    for want in [
        "Item analysis: Process Navigator",
        "item",
        "correlation / alpha",
        "PN1",
        "PN6",
        "alpha if item deleted",
    ] {
        assert!(tx.iter().any(|t| t == want), "missing {want:?} in {tx:?}");
    }
    assert!(tx.iter().any(|t| t.starts_with("alpha = 0.")));
    // one file per subscale
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 6);
}

#[test]
fn scree_plot_and_bad_extension() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("scree.svg");
    let out = common::run_in(
        root,
        &[
            "parallel",
            "data/example-survey.csv",
            "--instrument",
            "tblc",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tx = texts(&std::fs::read_to_string(&plot).unwrap());
    for want in [
        "Scree plot with parallel analysis",
        "eigenvalue",
        "factor / component number",
        "factors (observed)",
    ] {
        assert!(tx.iter().any(|t| t == want), "missing {want:?}");
    }
    let out = common::run_in(
        root,
        &[
            "parallel",
            "data/example-survey.csv",
            "--instrument",
            "tblc",
            "--plot",
            "x.pdf",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("charts are written as .svg or .png files")
    );
}

#[test]
fn regression_forest_plot_lists_every_predictor() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("forest.svg");
    let out = common::run_in(
        root,
        &[
            "regress",
            "--study",
            "data/example-study/study.toml",
            "--outcome",
            "group-trust:cognitive",
            "--predictors",
            "tblc:*",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tx = texts(&std::fs::read_to_string(&plot).unwrap());
    assert!(tx.iter().any(|t| t == "Predicting group-trust:cognitive"));
    assert!(tx.iter().any(|t| t == "estimate with 95% interval"));
    for s in [
        "network-organizer",
        "shared-interest-broker",
        "process-navigator",
        "community-cultivator",
        "embedded-strategist",
        "relational-coach",
    ] {
        assert!(tx.iter().any(|t| *t == format!("tblc:{s}")), "missing {s}");
    }
}
