//! `power --plot` and `power merge --plot`: power curves as well-formed SVG (or PNG), one curve
//! per raters-per-group value, one chart per predictor and effect scale.

mod common;

use std::path::Path;

const MODEL: &str = r#"
title = "power plot test"
seed = 3
[design]
arenas = ["a"]
groups_per_arena = [20]
raters = [3, 3]
[leader]
instruments = [{ id = "abi", loading = 0.8, factor_cor = 0.0, icc = 0.4 }]
[group]
instruments = [{ id = "group-trust", loading = 0.8, factor_cor = 0.3, icc = 0.4 }]
[effects."group-trust:cognitive"]
"abi:ability" = 0.35
"abi:integrity" = 0.2
"#;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = common::run_in(dir, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Well-formed SVG whose texts include the title and the curve labels.
fn check_svg(path: &Path, title_has: &[&str], labels: &[&str]) {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    roxmltree::Document::parse(&svg).unwrap();
    let tx = common::svg_texts(&svg);
    for want in title_has {
        assert!(tx[0].contains(want), "title {:?} lacks {want:?}", tx[0]);
    }
    for want in labels {
        assert!(tx.iter().any(|t| t == want), "missing {want:?} in {tx:?}");
    }
    assert!(tx.iter().any(|t| t == "groups") && tx.iter().any(|t| t == "power"));
}

#[test]
fn power_plot_one_predictor_one_scale_writes_the_file() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("m.toml"), MODEL).unwrap();
    let out = ok(
        t.path(),
        &[
            "power",
            "--model",
            "m.toml",
            "--replications",
            "6",
            "--groups",
            "10,20",
            "--raters",
            "3,5",
            "--predictors",
            "abi:ability",
            "--out",
            "p.json",
            "--plot",
            "p.svg",
        ],
    );
    assert!(out.contains("wrote p.svg"), "{out}");
    check_svg(
        &t.path().join("p.svg"),
        &["abi:ability", "group-trust:cognitive", "aggregate"],
        &["3 raters per group", "5 raters per group", "target .80"],
    );
}

#[test]
fn power_plot_several_predictors_and_scales_write_one_chart_each() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("m.toml"), MODEL).unwrap();
    ok(
        t.path(),
        &[
            "power",
            "--model",
            "m.toml",
            "--replications",
            "4",
            "--groups",
            "10,14",
            "--raters",
            "3",
            "--effect-scale",
            "0.5,1",
            "--out",
            "p.json",
            "--plot",
            "p.svg",
        ],
    );
    for term in ["abi-ability", "abi-integrity"] {
        for scale in ["0.5", "1"] {
            check_svg(
                &t.path().join(format!("p-{term}-effect-{scale}.svg")),
                &[&term.replacen('-', ":", 1), &format!("effects × {scale}")],
                &["3 raters per group"],
            );
        }
    }
    assert!(!t.path().join("p.svg").exists());
}

#[test]
fn power_merge_plot_draws_the_merged_run_as_png() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("m.toml"), MODEL).unwrap();
    for shard in ["1/2", "2/2"] {
        let out = format!("s{}.json", &shard[..1]);
        ok(
            t.path(),
            &[
                "power",
                "--model",
                "m.toml",
                "--replications",
                "4",
                "--groups",
                "10",
                "--raters",
                "3,4",
                "--predictors",
                "abi:ability",
                "--shard",
                shard,
                "--out",
                &out,
            ],
        );
    }
    let out = ok(
        t.path(),
        &[
            "power", "merge", "s1.json", "s2.json", "--out", "all.json", "--plot", "all.png",
        ],
    );
    assert!(out.contains("wrote all.png"), "{out}");
    let bytes = std::fs::read(t.path().join("all.png")).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[test]
fn power_plot_bad_extension_exits_2() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("m.toml"), MODEL).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "power",
            "--model",
            "m.toml",
            "--replications",
            "2",
            "--groups",
            "10",
            "--raters",
            "3",
            "--out",
            "p.json",
            "--plot",
            "p.pdf",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    // refused before the simulation runs
    assert!(!t.path().join("p.json").exists());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--plot") && err.contains(".svg or .png"),
        "{err}"
    );
}
