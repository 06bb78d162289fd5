//! Charts are produced as well-formed SVG with their titles, axis labels and item labels.

mod common;

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
    let tx = common::svg_texts(&svg);
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
    let tx = common::svg_texts(&std::fs::read_to_string(&plot).unwrap());
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
    let tx = common::svg_texts(&std::fs::read_to_string(&plot).unwrap());
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

fn run_ok(args: &[&str]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(root, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn file_texts(path: &std::path::Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    common::svg_texts(&svg)
}

fn has_all(tx: &[String], want: &[&str]) {
    for w in want {
        assert!(tx.iter().any(|t| t == w), "missing {w:?} in {tx:?}");
    }
}

#[test]
fn efa_heatmap_groups_items_by_subscale() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("efa.svg");
    run_ok(&[
        "efa",
        "--study",
        "data/example-study/study.toml",
        "--instrument",
        "tblc",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let tx = file_texts(&plot);
    has_all(
        &tx,
        &[
            "Factor loadings (minres, oblimin)",
            "NO1",
            "RC6",
            "F1",
            "F6",
            "intended subscale",
            "Network Organizer",
            "Relational Coach",
        ],
    );
    // 36 items x 6 factors printed in the cells, APA style (no leading zero)
    let cells: Vec<&String> = tx
        .iter()
        .filter(|t| t.starts_with('.') || t.starts_with("-."))
        .collect();
    assert_eq!(cells.len(), 36 * 6, "{cells:?}");
}

#[test]
fn cfa_loadings_and_factor_correlation_charts() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("cfa.svg");
    run_ok(&[
        "cfa",
        "--study",
        "data/example-study/study.toml",
        "--instrument",
        "abi",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    has_all(
        &file_texts(&plot),
        &[
            "Standardised loadings (instrument abi)",
            "standardised loading with 95% interval",
            "ABL1",
            "INT5",
            "Ability",
            "Integrity",
        ],
    );
    has_all(
        &file_texts(&t.path().join("cfa-factors.svg")),
        &[
            "Factor correlations (instrument abi)",
            "1 Ability",
            "3 Integrity",
            "1.00",
        ],
    );
}

#[test]
fn agreement_chart_shows_every_subscale_and_the_cutoff() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("rwg.svg");
    run_ok(&[
        "rwg",
        "--study",
        "data/example-study/study.toml",
        "--instrument",
        "group-trust",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    has_all(
        &file_texts(&plot),
        &[
            "rwg(j) across groups",
            "ICC(1) and ICC(2)",
            "Affective trust",
            "Cognitive trust",
            "cut-offs .70",
            "rwg(j)",
            "intraclass correlation",
        ],
    );
}

#[test]
fn regression_charts_with_dominance_as_png_and_svg() {
    let t = tempfile::tempdir().unwrap();
    for ext in ["svg", "png"] {
        let plot = t.path().join(format!("reg.{ext}"));
        run_ok(&[
            "regress",
            "--study",
            "data/example-study/study.toml",
            "--outcome",
            "group-trust:affective",
            "--predictors",
            "tblc:*",
            "--dominance",
            "--plot",
            plot.to_str().unwrap(),
        ]);
    }
    has_all(
        &file_texts(&t.path().join("reg-dominance.svg")),
        &[
            "Predicting group-trust:affective: dominance weights",
            "R² (general dominance weights)",
            "tblc:process-navigator",
        ],
    );
    has_all(
        &file_texts(&t.path().join("reg-predicted.svg")),
        &[
            "predicted group-trust:affective",
            "observed group-trust:affective",
            "observed = predicted",
        ],
    );
    for name in ["reg.png", "reg-dominance.png", "reg-predicted.png"] {
        let png = std::fs::read(t.path().join(name)).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        // IHDR: width and height, big-endian, after the chunk length and type
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert!(w >= 500 && h >= 150, "{name}: {w}x{h}");
    }
}

/// A figure that only writes a word: the embedded font must put ink inside the word's box and
/// nowhere else, with no system fonts involved.
struct Word;

impl trustscale::plot::Figure for Word {
    fn size(&self) -> (u32, u32) {
        (200, 60)
    }
    fn draw<DB: plotters::prelude::DrawingBackend>(
        &self,
        root: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    ) -> trustscale::Result<()> {
        use plotters::prelude::*;
        root.draw(&Text::new(
            "Trust",
            (20, 15),
            ("sans-serif", 30).into_font(),
        ))
        .map_err(|e| trustscale::Error::option("test", e.to_string()))
    }
}

#[test]
fn png_text_is_drawn_with_the_embedded_font() {
    let (w, h, rgb) = trustscale::plot::to_rgb(&Word).unwrap();
    assert_eq!((w, h), (200, 60));
    let dark = |x: u32, y: u32| {
        let i = 3 * (y * w + x) as usize;
        rgb[i] < 128 && rgb[i + 1] < 128 && rgb[i + 2] < 128
    };
    let mut inside = 0;
    let mut outside = 0;
    for y in 0..h {
        for x in 0..w {
            if dark(x, y) {
                if (15..110).contains(&x) && (5..55).contains(&y) {
                    inside += 1;
                } else {
                    outside += 1;
                }
            }
        }
    }
    // "Trust" at 30 px covers a few hundred pixels
    assert!(inside > 150, "{inside} dark pixels in the word's box");
    assert_eq!(outside, 0);
}

#[test]
fn polychoric_omega_and_icc_charts() {
    let t = tempfile::tempdir().unwrap();
    let poly = t.path().join("poly.svg");
    run_ok(&[
        "polychoric",
        "--study",
        "data/example-study/study.toml",
        "--instrument",
        "abi",
        "--plot",
        poly.to_str().unwrap(),
    ]);
    let tx = file_texts(&poly);
    has_all(
        &tx,
        &["Polychoric correlations", "ABL1", "INT5", "Benevolence"],
    );
    // 15 items: too many columns to print values in the cells
    assert!(!tx.iter().any(|t| t.starts_with('.')), "{tx:?}");

    let omega = t.path().join("omega.svg");
    run_ok(&[
        "omega",
        "--study",
        "data/example-study/study.toml",
        "--instrument",
        "tblc",
        "--scale",
        "process-navigator",
        "--plot",
        omega.to_str().unwrap(),
    ]);
    let tx = file_texts(&omega);
    has_all(&tx, &["g", "F1*", "F3*", "h2", "PN1", "PN6"]);
    assert!(tx
        .iter()
        .any(|t| t.starts_with("Schmid-Leiman loadings: omega h = .")));

    let icc = t.path().join("icc.png");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fixtures/agreement/12-icc-shrout-fleiss-wide");
    let out = common::run_in(
        &dir,
        &[
            "icc",
            "data.csv",
            "--raters",
            "J1,J2,J3,J4",
            "--plot",
            icc.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&icc).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn kappa_agreement_table_sums_to_one() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("kappa.svg");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/agreement/16-kappa-cohen-unweighted");
    let out = common::run_in(
        &dir,
        &[
            "kappa",
            "data.csv",
            "--raters",
            "R1,R2",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tx = file_texts(&plot);
    has_all(
        &tx,
        &["R1: 1", "R1: 3", "R2 (share of the 200 rated subjects)"],
    );
    // the nine cells are shares of the subjects rated by both
    let shares: f64 = tx
        .iter()
        .filter(|t| t.starts_with('.'))
        .map(|t| format!("0{t}").parse::<f64>().unwrap())
        .sum();
    assert_eq!(tx.iter().filter(|t| t.starts_with('.')).count(), 9);
    assert!((shares - 1.0).abs() < 0.03, "{shares}");
    let fleiss = common::run_in(
        &dir,
        &[
            "kappa",
            "data.csv",
            "--raters",
            "R1,R2,R1",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert_eq!(fleiss.status.code(), Some(2));
}
