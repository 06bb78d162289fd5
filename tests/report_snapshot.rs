//! The example study's `results.json` and `report.html` are byte-identical to the copies kept in
//! `tests/fixtures/report/example/`, made before the report moved into the library (issue 12);
//! the changes since are the table of the study's instruments with their source files, the
//! description of each dataset as read (`describe`, issue 19) and the items' wording (`text`).
//! The output folder appears in the command lines the report shows; it is written `OUT` in the
//! copies.
//!
//! A deliberate change of the report's output updates the copies: run
//! `trustscale report --study data/example-study/study.toml --out /tmp/r` from the project folder
//! and `sed 's#/tmp/r#OUT#g'` each file into the fixture folder.

mod common;

use std::path::Path;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report/example")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The first differing line of two texts, for a readable failure.
fn first_difference(got: &str, want: &str) -> Option<String> {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            let cut = |s: &str| s.chars().take(300).collect::<String>();
            return Some(format!(
                "line {}:\n got: {}\nwant: {}",
                i + 1,
                cut(g),
                cut(w)
            ));
        }
    }
    (got.lines().count() != want.lines().count()).then(|| {
        format!(
            "{} lines, want {}",
            got.lines().count(),
            want.lines().count()
        )
    })
}

fn assert_same(what: &str, got: &str, want: &str) {
    if got != want {
        panic!(
            "{what} differs from the copy made before the move: {}",
            first_difference(got, want).unwrap_or_else(|| "line endings".into())
        );
    }
}

#[test]
fn report_of_example_study_is_byte_identical_to_the_copy() {
    let t = tempfile::tempdir().unwrap();
    let out_dir = t.path().join("rep");
    let out_s = out_dir.to_str().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::run_in(
        root,
        &[
            "report",
            "--study",
            "data/example-study/study.toml",
            "--out",
            out_s,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["results.json", "report.html"] {
        let got = std::fs::read_to_string(out_dir.join(name))
            .unwrap()
            .replace(out_s, "OUT");
        assert_same(name, &got, &fixture(name));
    }
}
