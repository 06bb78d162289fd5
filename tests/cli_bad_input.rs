//! Issue 14: hostile input to every command ends with exit status 2 and one exact line on
//! stderr (nothing on stdout), within a second or two: degenerate data, values that overflow,
//! answers outside the declared scale, sizes beyond the limits, devices as data files,
//! unidentified models, repeated names, a report folder that is not the report's own.
//!
//! Each row of a table is `(command and arguments, data file, expected stderr)`; the data are
//! written to `d.csv` (and the extra files a row names) in a fresh temporary folder.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GOOD: &str = "a,b,c\n1,2,3\n2,2,4\n3,4,4\n4,5,6\n2,3,1\n5,4,3\n";

fn big() -> String {
    GOOD.replace("2,3,1\n", "2,3,1e308\n")
}

const TINY: &str =
    "a,b,c\n1,2,1e-200\n2,2,2e-200\n3,4,1e-200\n4,5,3e-200\n2,3,1e-200\n5,4,2e-200\n";
const GROUPS: &str = "g,a,b\nG1,-3,2\nG1,4,3\nG2,3,2\nG2,3,4\nG3,1,3\nG3,2,3\n";

/// Issue 14's constant outcome in four groups.
const CONSTANT_Y: &str = "g,y,x\nA,2,1\nA,2,2\nB,2,3\nB,2,1\nC,2,2\nC,2,3\nD,2,1\nD,2,4\n";

/// y, x and z = 2x in 4 groups of 6.
fn collinear() -> String {
    let mut s = String::from("g,y,x,z\n");
    for i in 0..24 {
        s.push_str(&format!(
            "G{},{},{},{}\n",
            i % 4,
            (i * 7) % 5 + i % 4,
            i % 5,
            2 * (i % 5)
        ));
    }
    s
}

/// Runs `args` in `dir`; expects exit 2, empty stdout, one line on stderr; returns it.
fn fail(dir: &Path, args: &[&str]) -> String {
    let start = Instant::now();
    let out = common::run_in(dir, args);
    let took = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "{args:?}");
    assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{args:?}: one line expected: {err}");
    err.trim_end().to_string()
}

/// Runs a table of `(args, data, expected)` rows, each with `d.csv` holding `data`.
fn table(rows: &[(&[&str], &str, &str)]) {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("two.txt"), "F =~ a + b\n").unwrap();
    std::fs::write(t.path().join("named.txt"), "c =~ a + b + d\n").unwrap();
    let mut failures = Vec::new();
    for (args, data, expected) in rows {
        std::fs::write(t.path().join("d.csv"), data).unwrap();
        let got = fail(t.path(), args);
        if got != *expected {
            failures.push(format!(
                "{args:?}\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn item_analyses_refuse_values_they_cannot_compute_with() {
    let big = big();
    let overflow = "error: d.csv: row 6, column \"c\": expected a number below 1e100 in magnitude, found 1e308 (sums of squares of it overflow)";
    table(&[
        (&["reliability", "d.csv", "--items", "a:c"], &big, overflow),
        (&["omega", "d.csv", "--items", "a:c"], &big, overflow),
        (&["efa", "d.csv", "--items", "a:c", "--factors", "1"], &big, overflow),
        (&["parallel", "d.csv", "--items", "a:c"], &big, overflow),
        (&["polychoric", "d.csv", "--items", "a:c"], &big, overflow),
        (&["icc", "d.csv", "--raters", "a,b,c"], &big, overflow),
        (
            &["reliability", "d.csv", "--items", "a:c"],
            TINY,
            "error: d.csv: column \"c\": the values vary too little to compute with (their squared differences underflow to 0); rescale the column",
        ),
        (
            &["reliability", "d.csv", "--items", "a,b"],
            "a,b,a\n1,2,3\n2,2,4\n3,4,4\n",
            "error: d.csv: row 1, column \"a\": the header names this column twice (columns 1 and 3); give each column its own name",
        ),
    ]);
}

#[test]
fn sizes_beyond_the_limits_are_refused_before_any_work() {
    table(&[
        (
            &["reliability", "d.csv", "--items", "a:c", "--skip-rows", "99999999999"],
            GOOD,
            "error: --skip-rows: 99999999999 is more than trustscale allows (at most 1000000)",
        ),
        (
            &["reliability", "d.csv", "--items", "a:c", "--bootstrap", "2000000"],
            GOOD,
            "error: --bootstrap: 2000000 is more than trustscale allows (at most 1000000)",
        ),
        (
            &["efa", "d.csv", "--items", "a:c", "--factors", "1", "--random-starts", "100000"],
            GOOD,
            "error: --random-starts: 100000 is more than trustscale allows (at most 10000)",
        ),
        (
            &["parallel", "d.csv", "--items", "a:c", "--iterations", "2000000"],
            GOOD,
            "error: --iterations: 2000000 is more than trustscale allows (at most 1000000)",
        ),
        (
            &["krippendorff", "d.csv", "--raters", "a,b,c", "--level", "interval", "--bootstrap", "1000000000"],
            GOOD,
            "error: --bootstrap: 1000000000 is more than trustscale allows (at most 1000000)",
        ),
        (
            &["rwg", "d.csv", "--items", "a,b", "--group", "g", "--scale-points", "5", "--rgr", "1000000000"],
            &GROUPS.replace("-3", "1"),
            "error: --rgr: 1000000000 is more than trustscale allows (at most 1000000)",
        ),
        (
            &["simulate", "--instrument", "abi", "--n", "100000000"],
            GOOD,
            "error: --n: 100000000 is more than trustscale allows (at most 10000000)",
        ),
        (
            &["reliability", "/dev/zero", "--items", "a"],
            GOOD,
            "error: /dev/zero: is not a regular file (a device or a pipe); save the data to a file first",
        ),
    ]);
}

#[test]
fn too_many_items_for_a_correlation_matrix() {
    let t = tempfile::tempdir().unwrap();
    let k = 2001;
    let mut csv: Vec<String> = vec![(0..k)
        .map(|j| format!("i{j}"))
        .collect::<Vec<_>>()
        .join(",")];
    for r in 0..4 {
        csv.push(
            (0..k)
                .map(|j| ((r + j) % 5 + 1).to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    std::fs::write(t.path().join("w.csv"), csv.join("\n") + "\n").unwrap();
    let last = format!("i0:i{}", k - 1);
    for command in ["reliability", "efa", "omega", "parallel", "polychoric"] {
        let mut args = vec![command, "w.csv", "--items", &last];
        if command == "efa" {
            args.extend(["--factors", "1"]);
        }
        assert_eq!(
            fail(t.path(), &args),
            "error: items: 2001 is more than trustscale allows (at most 2000)",
            "{command}"
        );
    }
}

#[test]
fn agreement_answers_outside_the_scale_and_bad_counts() {
    table(&[
        (
            &[
                "rwg",
                "d.csv",
                "--items",
                "a,b",
                "--group",
                "g",
                "--scale-points",
                "5",
            ],
            GROUPS,
            "error: d.csv: row 2, column \"a\": expected a response from 1 to 5, found -3",
        ),
        (
            &[
                "rwg",
                "d.csv",
                "--items",
                "a,b",
                "--group",
                "g",
                "--scale-points",
                "1",
            ],
            &GROUPS.replace("-3", "1"),
            "error: option --scale-points: expected 2 to 1001 response categories, found 1",
        ),
        (
            &["kappa", "d.csv", "--raters", "a,b", "--ci", "1.5"],
            GOOD,
            "error: option --ci: expected a level between 0 and 1",
        ),
    ]);
}

#[test]
fn regression_refuses_collinearity_on_every_path_and_unusable_scales() {
    let ml = collinear();
    table(&[
        (
            &["regress", "d.csv", "--outcome", "y", "--predictors", "x,z", "--multilevel", "g"],
            &ml,
            "error: option --predictors: exact collinearity: \"z\" is a linear combination of \"x\"; drop one of them",
        ),
        (
            &["regress", "d.csv", "--outcome", "y", "--predictors", "x,z"],
            &ml,
            "error: option --predictors: exact collinearity: \"z\" is a linear combination of \"x\"; drop one of them",
        ),
        // issue 14's examples: a constant outcome, averaged to groups or not (regress once
        // said "b is zero in every row")
        (
            &["regress", "d.csv", "--outcome", "y", "--predictors", "x", "--aggregate", "g"],
            CONSTANT_Y,
            "error: d.csv: expected responses that vary, but every answer is 2 (zero variance)",
        ),
        (
            &["regress", "d.csv", "--outcome", "y", "--predictors", "x"],
            CONSTANT_Y,
            "error: d.csv: expected responses that vary, but every answer is 2 (zero variance)",
        ),
        (
            &["regress", "d.csv", "--outcome", "y", "--predictors", "x,z"],
            &TINY.replace("a,b,c", "y,x,z"),
            "error: d.csv: column \"z\": the values vary too little to compute with (their squared differences underflow to 0); rescale the column",
        ),
    ]);
}

#[test]
fn cfa_refuses_unidentified_models_and_factors_named_like_columns() {
    table(&[
        (
            &["cfa", "d.csv", "--model", "two.txt"],
            GOOD,
            "error: option --model: two.txt: 4 free parameters but only 3 sample moments from 2 observed variables (df = -1); the model is not identified: add indicators or fix parameters",
        ),
        (
            &["cfa", "d.csv", "--model", "named.txt"],
            "a,b,c,d\n1,2,3,2\n2,2,4,3\n3,4,4,4\n4,5,6,5\n2,3,1,2\n5,4,3,4\n3,3,3,2\n",
            "error: option --model: named.txt: factor \"c\" has the name of a column of d.csv; rename the factor",
        ),
    ]);
}

/// A copy of the example study in `dir/name`, with `edit` applied to its study file.
fn study_copy(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study");
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    for f in [
        "study.toml",
        "leader-ratings.csv",
        "member-ratings.csv",
        "model.toml",
    ] {
        std::fs::copy(src.join(f), to.join(f)).unwrap();
    }
    let s = std::fs::read_to_string(to.join("study.toml")).unwrap();
    std::fs::write(to.join("study.toml"), edit(s)).unwrap();
    to.join("study.toml")
}

#[test]
fn study_names_must_be_distinct() {
    let t = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "s1",
            "respondent = \"respondent_id\"",
            "respondent = \"arena\"",
            "error: s1/study.toml: line 8: dataset \"leader-ratings\": respondent and arena name the same column \"arena\"; each role needs its own column",
        ),
        (
            "s2",
            "name = \"member-ratings\"",
            "name = \"leader-ratings\"",
            "error: s2/study.toml: line 6: two datasets are named \"leader-ratings\" (paths leader-ratings.csv and member-ratings.csv); give each its own name",
        ),
        (
            "s3",
            "instruments = [\"group-trust\", \"group-self-assessment\"",
            "instruments = [\"group-trust\", \"tblc\"",
            "error: s3/study.toml: line 13: instrument \"tblc\" is listed by two datasets (\"leader-ratings\" and \"member-ratings\"); each instrument's answers come from one dataset",
        ),
    ];
    for (name, from, to, expected) in cases {
        study_copy(t.path(), name, |s| s.replacen(from, to, 1));
        let file = format!("{name}/study.toml");
        assert_eq!(fail(t.path(), &["study", "check", &file]), expected);
    }
    // a dataset that is a device
    study_copy(t.path(), "s4", |s| {
        s.replacen("path = \"leader-ratings.csv\"", "path = \"/dev/zero\"", 1)
    });
    assert_eq!(
        fail(t.path(), &["study", "check", "s4/study.toml"]),
        "error: /dev/zero: is not a regular file (a device or a pipe); save the data to a file first"
    );
}

#[test]
fn instruments_with_unusable_ids_or_scales() {
    let t = tempfile::tempdir().unwrap();
    let abi =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("instruments/abi.toml"))
            .unwrap();
    std::fs::write(
        t.path().join("badid.toml"),
        abi.replace("id = \"ABL1\"", "id = \"ABL,1\""),
    )
    .unwrap();
    assert_eq!(
        fail(t.path(), &["instrument", "check", "badid.toml"]),
        "error: badid.toml: line 47: item id \"ABL,1\" would break a CSV header or an --items list: an id may not hold commas, semicolons, colons, quotes or control characters, nor start or end with a space"
    );
    // the scale of issue 14 (min = -2^63, max = 2^63 - 1) overflowed simulate's capacity
    let start = abi.find("anchors").unwrap();
    let end = start + abi[start..].find(']').unwrap() + 1;
    let huge = format!("{}{}", &abi[..start], &abi[end..])
        .replace("min = 1", "min = -9223372036854775808")
        .replace("max = 6", "max = 9223372036854775807");
    std::fs::write(t.path().join("huge.toml"), huge).unwrap();
    let expected = "error: huge.toml: line 12: bad scale: min (-9223372036854775808) and max (9223372036854775807) must lie within -1000000 to 1000000";
    assert_eq!(
        fail(t.path(), &["instrument", "check", "huge.toml"]),
        expected
    );
    assert_eq!(
        fail(t.path(), &["simulate", "--instrument", "huge.toml"]),
        expected
    );
}

#[test]
fn power_refuses_counts_it_cannot_run() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/model.toml");
    let m = model.to_str().unwrap();
    let t = tempfile::tempdir().unwrap();
    assert_eq!(
        fail(
            t.path(),
            &["power", "--model", m, "--replications", "18446744073709551615", "--out", "p.json"]
        ),
        "error: --replications: 18446744073709551615 is more than trustscale allows (at most 1000000)"
    );
    assert_eq!(
        fail(
            t.path(),
            &[
                "power",
                "--model",
                m,
                "--groups",
                "100000000",
                "--out",
                "p.json"
            ]
        ),
        "error: --groups: 100000000 is more than trustscale allows (at most 10000000)"
    );
    // one fold cross-validates nothing (its cv_r2 was null without a word)
    assert_eq!(
        fail(
            t.path(),
            &[
                "power",
                "--model",
                m,
                "--cv",
                "1",
                "--replications",
                "1",
                "--out",
                "p.json"
            ]
        ),
        "error: option --cv: expected at least 2 folds, found 1"
    );
    assert_eq!(
        fail(
            t.path(),
            &["power", "--model", m, "--groups", "1000000", "--replications", "1", "--out", "p.json"]
        ),
        "error: --groups 1000000 with --raters 4: respondents: 5000000 would need about 17.8 GB of memory, more than the 4.0 GB per request trustscale allows"
    );
}

#[test]
fn non_finite_option_values_are_refused_by_the_parser() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("d.csv"), GOOD).unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/model.toml");
    for args in [
        vec!["reliability", "d.csv", "--items", "a:c", "--ci", "NaN"],
        vec!["reliability", "d.csv", "--items", "a:c", "--scale-min=-inf"],
        vec![
            "power",
            "--model",
            model.to_str().unwrap(),
            "--effect-scale",
            "NaN",
            "--out",
            "p.json",
        ],
        vec!["simulate", "--instrument", "abi", "--loadings", "1e999"],
    ] {
        let err = fail(t.path(), &args);
        assert!(err.contains("expected a finite number"), "{args:?}: {err}");
    }
    // the whole of clap's message, on one line
    assert_eq!(
        fail(
            t.path(),
            &["reliability", "d.csv", "--items", "a:c", "--ci", "NaN"]
        ),
        "error: invalid value 'NaN' for '--ci <CI>': expected a finite number, found \"NaN\""
    );
}

/// Runs rows of `(args, expected stderr)` in `dir` (where `d.csv` holds [`GOOD`]).
fn rows(dir: &Path, rows: &[(Vec<String>, String)]) {
    std::fs::write(dir.join("d.csv"), GOOD).unwrap();
    let mut failures = Vec::new();
    for (args, expected) in rows {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = fail(dir, &args);
        if got != *expected {
            failures.push(format!(
                "{args:?}\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn row(args: &[&str], expected: &str) -> (Vec<String>, String) {
    (
        args.iter().map(|a| a.to_string()).collect(),
        expected.to_string(),
    )
}

const NO_INSTRUMENT: &str = "error: option --instrument: no instrument \"nosuch\": not a file, and not one of the shipped ids (tblc, abi, group-trust, collective-risk, group-self-assessment)";

#[test]
fn score_refuses_bad_input() {
    let t = tempfile::tempdir().unwrap();
    rows(
        t.path(),
        &[
            row(
                &["score", "d.csv", "--instrument", "abi"],
                "error: d.csv: no column named \"ABL1\"",
            ),
            row(
                &["score", "d.csv", "--items", "a,b"],
                "error: option --instrument: scoring needs an instrument (--instrument tblc)",
            ),
            row(&["score", "d.csv", "--instrument", "nosuch"], NO_INSTRUMENT),
            row(
                &["score", "d.csv", "--instrument", "abi", "--min-answered", "1.5"],
                "error: option --min-answered: expected a share between 0 and 1",
            ),
            row(
                &["score", "d.csv", "--instrument", "abi", "--min-answered", "NaN"],
                "error: invalid value 'NaN' for '--min-answered <MIN_ANSWERED>': expected a finite number, found \"NaN\"",
            ),
            row(
                &["score", "d.csv", "--instrument", "abi", "--method", "median"],
                "error: invalid value 'median' for '--method <METHOD>' [possible values: mean, sum] tip: a similar value exists: 'mean'",
            ),
            row(
                &["score", "/dev/zero", "--instrument", "abi"],
                "error: /dev/zero: is not a regular file (a device or a pipe); save the data to a file first",
            ),
        ],
    );
}

#[test]
fn profile_refuses_bad_input() {
    let t = tempfile::tempdir().unwrap();
    // the example study holds every shipped instrument: drop one, for the "no dataset" row
    study_copy(t.path(), "s", |s| {
        s.replace(r#", "collective-risk"]"#, "]").replace(
            r#"["collective-risk", "group-trust"]"#,
            r#"["group-trust"]"#,
        )
    });
    let p = |extra: &[&str]| -> Vec<String> {
        ["profile", "--study", "s/study.toml"]
            .iter()
            .chain(extra)
            .map(|a| a.to_string())
            .collect()
    };
    rows(
        t.path(),
        &[
            (p(&["--instrument", "nosuch"]), NO_INSTRUMENT.into()),
            (
                p(&["--instrument", "collective-risk"]),
                "error: option --instrument: no dataset of s/study.toml holds instrument \"collective-risk\"".into(),
            ),
            (
                p(&["--instrument", "tblc", "--leader", "NOPE"]),
                "error: option --leader: no leader \"NOPE\" in s/leader-ratings.csv (120 leaders, e.g. G001-L, G002-L, G003-L)".into(),
            ),
            (
                p(&["--instrument", "tblc", "--group", "G001"]),
                "error: option --group: the data of tblc are ratings of leaders: name leaders with --leader".into(),
            ),
            (
                p(&["--instrument", "tblc", "--min-answered", "2"]),
                "error: option --min-answered: expected a share between 0 and 1".into(),
            ),
            (
                p(&[]),
                "error: the following required arguments were not provided: --instrument <INSTRUMENT>".into(),
            ),
        ],
    );
}

#[test]
fn evaluate_framework_and_describe_refuse_bad_input() {
    let t = tempfile::tempdir().unwrap();
    study_copy(t.path(), "s", |s| s);
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-program/study.toml");
    let program = program.to_str().unwrap();
    std::fs::write(t.path().join("e.sav"), "a,b\n1,2\n").unwrap();
    std::fs::write(t.path().join("empty.csv"), "").unwrap();
    rows(
        t.path(),
        &[
            row(
                &["evaluate", "--study", "s/study.toml"],
                "error: option --study: s/study.toml has no [evaluation] table (waves, baseline, followup, program)",
            ),
            row(
                &["evaluate", "--study", program, "--instrument", "collective-risk"],
                &format!("error: option --instrument: no dataset of {program} with a wave column holds collective-risk"),
            ),
            row(&["evaluate", "--study", program, "--instrument", "nosuch"], NO_INSTRUMENT),
            row(
                &["framework", "--study", "s/study.toml", "--bootstrap", "0"],
                "error: option --bootstrap: expected at least 100 resamples for a percentile interval, found 0",
            ),
            row(
                &["framework", "--study", "s/study.toml", "--bootstrap", "2000000"],
                "error: --bootstrap: 2000000 is more than trustscale allows (at most 1000000)",
            ),
            row(
                &["framework", "--study", "nosuch.toml"],
                "error: nosuch.toml: No such file or directory (os error 2)",
            ),
            row(
                &["describe", "/dev/zero"],
                "error: /dev/zero: is not a regular file (a device or a pipe); save the data to a file first",
            ),
            row(
                &["describe", "nosuch.csv"],
                "error: nosuch.csv: No such file or directory (os error 2)",
            ),
            row(
                &["describe", "d.csv", "--sheet", "x"],
                "error: option --sheet: d.csv is not a workbook (--sheet is for .xlsx files)",
            ),
            row(
                &["describe", "e.sav"],
                "error: e.sav: is not an SPSS system file (it does not start with $FL2 or $FL3)",
            ),
            row(
                &["describe", "empty.csv"],
                "error: empty.csv: expected a header row and data rows, found an empty file",
            ),
        ],
    );
}

#[test]
fn requests_that_cannot_fit_say_how_much_memory_they_need() {
    let t = tempfile::tempdir().unwrap();
    rows(
        t.path(),
        &[
            // 36 items: 10^7 x (12 x 36 + 64) bytes = 4.96 GB
            row(
                &["simulate", "--instrument", "tblc", "--n", "10000000"],
                "error: --n with the 36 items of tblc: 10000000 would need about 5.0 GB of memory, more than the 4.0 GB per request trustscale allows",
            ),
            row(
                &["regress", "d.csv", "--outcome", "a", "--predictors", "b", "--cv", "2", "--repeats", "2000000"],
                "error: --repeats: 2000000 is more than trustscale allows (at most 1000000)",
            ),
            row(
                &["reliability", "d.csv", "--items", "a:c", "--frobnicate"],
                "error: unexpected argument '--frobnicate' found tip: to pass '--frobnicate' as a value, use '-- --frobnicate'",
            ),
        ],
    );
}

#[test]
fn report_checks_its_inputs_and_its_folder() {
    let t = tempfile::tempdir().unwrap();
    let study = study_copy(t.path(), "s", |s| s);
    std::fs::remove_file(t.path().join("s/member-ratings.csv")).unwrap();
    assert_eq!(
        fail(
            t.path(),
            &["report", "--study", "s/study.toml", "--out", "r"]
        ),
        "error: s/member-ratings.csv: No such file or directory (os error 2)"
    );
    assert!(!t.path().join("r").exists(), "nothing written");
    assert_eq!(
        fail(
            t.path(),
            &[
                "report",
                "--study",
                "s/study.toml",
                "--out",
                "r",
                "--iterations",
                "0"
            ]
        ),
        "error: option --iterations: expected at least 1 iteration, found 0"
    );
    assert_eq!(
        fail(
            t.path(),
            &[
                "report",
                "--study",
                "s/study.toml",
                "--out",
                "r",
                "--iterations",
                "1000000000"
            ]
        ),
        "error: --iterations: 1000000000 is more than trustscale allows (at most 1000000)"
    );
    std::fs::create_dir(t.path().join("mine")).unwrap();
    std::fs::write(t.path().join("mine/notes.txt"), "mine").unwrap();
    assert_eq!(
        fail(t.path(), &["report", "--study", "s/study.toml", "--out", "mine"]),
        "error: option --out: mine is not empty and holds no earlier trustscale report; choose a new folder, empty it, or add --force to write into it"
    );
    assert!(study.is_file());
}

/// Issue 14's statistics that do not exist for the data: exit 0, the key `null` in the JSON
/// and a warning naming it on stderr (ICC and rwg: tests/degenerate_agreement.rs).
#[test]
fn undefined_statistics_are_null_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    // both raters used one category: kappa printed 0.500 of floating-point noise
    std::fs::write(t.path().join("k.csv"), "a,b\n1,1\n1,1\n1,1\n1,1\n").unwrap();
    let out = common::run_in(t.path(), &["kappa", "k.csv", "--raters", "a,b", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["kappa"].is_null() && v["se"].is_null() && v["ci"][0].is_null(),
        "{v}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "warning: both raters used a single category: kappa and its ci do not exist (chance agreement is 1: 0/0); reported as null"
    );
    let out = common::run_in(t.path(), &["kappa", "k.csv", "--raters", "a,b"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("kappa = NA"), "{table}");
}
