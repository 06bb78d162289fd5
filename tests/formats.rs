//! SPSS, Stata and Excel files are read into exactly the data and labels of the CSV they came
//! from (fixtures written by R haven 2.5.1 and pyreadstat 1.3.8 / openpyxl 3.1.5 from
//! tests/fixtures/formats/labelled.csv: see generate.R and generate.py there), commands give
//! the same results from every format, and bad files are one clear error.

use std::path::{Path, PathBuf};
use std::process::Command;
use trustscale::data::formats::{sav_write, Cells, Column, MissingCode, Value, ValueLabel};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{DataSource, ReadOptions, Table};

const DIR: &str = "tests/fixtures/formats";

fn fixture(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

/// Every column of a file: numbers for the numeric columns of `kinds`, text for the others.
fn read_all(path: &Path, opts: &ReadOptions) -> (Vec<Vec<f64>>, Vec<Vec<String>>, Vec<u64>) {
    let src = DataSource::open(path, opts).unwrap();
    assert_eq!(
        src.names(),
        ["id", "group", "Q1", "Q2", "Q3", "age", "comment"],
        "{}",
        path.display()
    );
    let cols: Vec<ColumnRequest> = [1, 2, 3, 4, 5]
        .into_iter()
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    let (d, texts) = src.read_text(&cols, &[0, 6]).unwrap();
    let nums = (0..5)
        .map(|j| (0..d.n()).map(|i| d.values[i * 5 + j]).collect())
        .collect();
    (nums, texts, d.rows)
}

fn same(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
        })
}

fn agree() -> Vec<ValueLabel> {
    [
        "Strongly disagree",
        "Disagree",
        "Neutral",
        "Agree",
        "Strongly agree",
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| ValueLabel {
        value: Value::Number(i as f64 + 1.0),
        label: l.to_string(),
    })
    .collect()
}

fn num_label(v: f64, l: &str) -> ValueLabel {
    ValueLabel {
        value: Value::Number(v),
        label: l.into(),
    }
}

/// The .sav and .zsav files: user-missing codes (Q2: -99, -98; Q3: 97 thru 99) are missing,
/// so they read as the CSV read with those codes as missing codes.
#[test]
fn spss_files_read_the_csv_data_with_declared_missing_codes_missing() {
    let opts = ReadOptions {
        missing: ["-99", "-98", "97", "98", "99"].map(String::from).to_vec(),
        ..Default::default()
    };
    let (nums, texts, rows) = read_all(&fixture("labelled.csv"), &opts);
    assert_eq!(rows, (2..10).collect::<Vec<u64>>());
    assert_eq!(texts[1][3], "says \"ok\", twice");
    assert_eq!(texts[1][2], "très bien");
    for f in [
        "labelled-none.sav",
        "labelled-byte.sav",
        "labelled.zsav",
        "labelled-py.sav",
        "labelled-py.zsav",
    ] {
        let (n, t, r) = read_all(&fixture(f), &ReadOptions::default());
        assert!(same(&n, &nums), "{f}: {n:?}");
        assert_eq!(t, texts, "{f}");
        assert_eq!(r, rows, "{f}");
    }
}

/// Stata and Excel have no user-missing codes: the codes stay numbers, exactly as in the CSV.
#[test]
fn stata_and_excel_files_read_the_csv_data() {
    let (nums, texts, rows) = read_all(&fixture("labelled.csv"), &ReadOptions::default());
    for f in [
        "labelled-13.dta",
        "labelled-14.dta",
        "labelled-15.dta",
        "labelled-py.dta",
    ] {
        let (n, t, r) = read_all(&fixture(f), &ReadOptions::default());
        assert!(same(&n, &nums), "{f}: {n:?}");
        assert_eq!((t, r), (texts.clone(), rows.clone()), "{f}");
    }
    let sheet = ReadOptions {
        sheet: Some("data".into()),
        ..Default::default()
    };
    let (n, t, r) = read_all(&fixture("labelled.xlsx"), &sheet);
    assert!(same(&n, &nums));
    assert_eq!((t, r), (texts, rows));
}

#[test]
fn dta_releases_are_117_to_119() {
    for (f, v) in [
        ("labelled-13.dta", "117"),
        ("labelled-14.dta", "118"),
        ("labelled-15.dta", "119"),
    ] {
        let t = Table::open(&fixture(f), &ReadOptions::default()).unwrap();
        assert_eq!(t.version, v);
    }
}

/// Labels as generate.R declares them, which haven reads back (`attributes(read_sav(f)$Q2)`:
/// label "My leader listens", labels 1..5 and Refused = -99, na_values -99 -98).
#[test]
fn labels_and_missing_codes_are_those_written() {
    for f in [
        "labelled-none.sav",
        "labelled-byte.sav",
        "labelled.zsav",
        "labelled-py.sav",
        "labelled-py.zsav",
    ] {
        let t = Table::open(&fixture(f), &ReadOptions::default()).unwrap();
        let c = |name: &str| t.columns.iter().find(|c| c.name == name).unwrap();
        assert_eq!(c("id").label.as_deref(), Some("Respondent id"), "{f}");
        assert_eq!(c("Q1").label.as_deref(), Some("My leader keeps promises"));
        assert_eq!(c("Q3").label.as_deref(), Some("Mon chef est honnête"));
        assert_eq!(c("Q1").value_labels, agree(), "{f}");
        let mut q2 = c("Q2").value_labels.clone();
        q2.sort_by(|a, b| format!("{:?}", a.value).cmp(&format!("{:?}", b.value)));
        let mut want = agree();
        want.push(num_label(-99.0, "Refused"));
        want.sort_by(|a, b| format!("{:?}", a.value).cmp(&format!("{:?}", b.value)));
        assert_eq!(q2, want, "{f}");
        let num = |v: f64| MissingCode::Value {
            value: Value::Number(v),
        };
        assert_eq!(c("Q2").missing, vec![num(-99.0), num(-98.0)], "{f}");
        assert_eq!(
            c("Q3").missing,
            vec![MissingCode::Range {
                low: Some(97.0),
                high: Some(99.0)
            }],
            "{f}"
        );
        assert_eq!((c("Q2").declared_missing, c("Q3").declared_missing), (2, 3));
        assert!(matches!(c("comment").cells, Cells::Text(_)));
        assert_eq!(c("Q1").labelled_range(), Some((1.0, 5.0)));
        assert_eq!(c("Q3").labelled_range(), Some((1.0, 5.0)), "98 is missing");
    }
    for f in ["labelled-13.dta", "labelled-14.dta", "labelled-15.dta"] {
        let t = Table::open(&fixture(f), &ReadOptions::default()).unwrap();
        let c = |name: &str| t.columns.iter().find(|c| c.name == name).unwrap();
        assert_eq!(c("Q1").value_labels, agree(), "{f}");
        assert_eq!(
            c("Q3").label.as_deref(),
            Some("Mon chef est honnête"),
            "{f}"
        );
        assert_eq!(c("age").label.as_deref(), Some("Age in years"));
        assert!(c("Q2").missing.is_empty());
        assert_eq!(c("Q2").labelled_range(), Some((-99.0, 5.0)));
    }
}

/// Value labels define the scale when no instrument does: `--reverse` works without
/// `--scale-min/--scale-max` on the .sav (labels 1..5, codes missing) and not on the .dta
/// (Q2's -99 is labelled there and not missing, so the items' labelled ranges differ).
#[test]
fn value_labels_define_the_response_scale() {
    let out = run(&[
        "reliability",
        &format!("{DIR}/labelled-byte.sav"),
        "--items",
        "Q1:Q3",
        "--reverse",
        "Q3",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "reliability",
        &format!("{DIR}/labelled-15.dta"),
        "--items",
        "Q1:Q3",
        "--reverse",
        "Q3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scale-min"));
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trustscale"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The example study's leader ratings as CSV, as a compressed .sav written by haven, as a
/// workbook written by openpyxl, and as an uncompressed .sav written by trustscale: identical
/// reliability JSON.
#[test]
fn reliability_is_identical_from_csv_sav_and_xlsx() {
    let csv = "data/example-study/leader-ratings.csv";
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("leader-ratings.sav");
    std::fs::write(&ours, sav_of_csv(Path::new(csv))).unwrap();
    let args = |data: &str, extra: &[&str]| {
        let mut a = vec!["reliability", data, "--instrument", "tblc", "--json"];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let of = |a: Vec<String>| stdout(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let want = of(args(csv, &[]));
    assert!(want.contains("\"alpha\""));
    let haven = fixture("leader-ratings.sav");
    let xlsx = fixture("leader-ratings.xlsx");
    assert_eq!(of(args(haven.to_str().unwrap(), &[])), want);
    assert_eq!(of(args(ours.to_str().unwrap(), &[])), want);
    assert_eq!(
        of(args(xlsx.to_str().unwrap(), &["--sheet", "ratings"])),
        want
    );
}

/// A .sav of a CSV file, written by trustscale's writer (numbers where a column is all numbers).
fn sav_of_csv(csv: &Path) -> Vec<u8> {
    sav_of_csv_with(csv, false)
}

fn sav_of_csv_with(csv: &Path, compress: bool) -> Vec<u8> {
    let opts = ReadOptions::default();
    let columns = DataSource::open(csv, &opts)
        .and_then(|src| src.columns(&opts))
        .unwrap();
    sav_write::write_with(&columns, "test", compress).unwrap()
}

/// A study whose leader ratings are a .sav: `study check` and `reliability --study` give what
/// the CSV study gives.
#[test]
fn a_study_dataset_may_be_a_sav_file() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["member-ratings.csv", "leader-ratings.csv"] {
        std::fs::copy(Path::new("data/example-study").join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::copy(
        fixture("leader-ratings.sav"),
        tmp.path().join("leader-ratings.sav"),
    )
    .unwrap();
    let toml = std::fs::read_to_string("data/example-study/study.toml").unwrap();
    std::fs::write(tmp.path().join("study.toml"), &toml).unwrap();
    std::fs::write(
        tmp.path().join("study-sav.toml"),
        toml.replace("leader-ratings.csv", "leader-ratings.sav"),
    )
    .unwrap();
    let q = |study: &str, cmd: &[&str]| {
        let p = tmp.path().join(study);
        let mut a: Vec<&str> = cmd.to_vec();
        let s = p.to_str().unwrap().to_string();
        a.push(&s);
        stdout(&a).replace("leader-ratings.sav", "leader-ratings.csv")
    };
    let check = |s: &str| q(s, &["study", "check", "--json"]).replace("study-sav", "study");
    assert_eq!(check("study-sav.toml"), check("study.toml"));
    let rel = ["reliability", "--instrument", "abi", "--json", "--study"];
    assert_eq!(q("study-sav.toml", &rel), q("study.toml", &rel));
}

#[test]
fn describe_reports_labels_missing_codes_and_ranges() {
    let out = stdout(&["describe", &format!("{DIR}/labelled-byte.sav"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "sav");
    assert_eq!(v["rows"], 8);
    let q2 = &v["columns"][3];
    assert_eq!(q2["name"], "Q2");
    assert_eq!(q2["type"], "number");
    assert_eq!(q2["label"], "My leader listens");
    assert_eq!(
        (q2["answers"].as_u64(), q2["missing"].as_u64()),
        (Some(6), Some(2))
    );
    assert_eq!(q2["declared_missing"], 2);
    assert_eq!(
        (q2["min"].as_f64(), q2["max"].as_f64()),
        (Some(1.0), Some(5.0))
    );
    assert_eq!(q2["missing_codes"][0]["value"], -99.0);
    let q3 = &v["columns"][4];
    assert_eq!(q3["missing_codes"][0]["kind"], "range");
    assert_eq!(v["columns"][6]["type"], "text");
    assert_eq!(v["columns"][6]["answers"], 5);
    // the CSV: codes are answers until --missing names them
    let csv = stdout(&["describe", &format!("{DIR}/labelled.csv"), "--json"]);
    let c: serde_json::Value = serde_json::from_str(&csv).unwrap();
    assert_eq!(c["columns"][3]["min"], -99.0);
    let text = stdout(&["describe", &format!("{DIR}/labelled-byte.sav")]);
    assert!(text.contains("97 thru 99"), "{text}");
    assert!(text.contains("Q1: 1 = Strongly disagree"), "{text}");
}

#[test]
fn templates_carry_wording_and_anchors() {
    let tmp = tempfile::tempdir().unwrap();
    for ext in ["sav", "xlsx"] {
        let p = tmp.path().join(format!("t.{ext}"));
        stdout(&[
            "instrument",
            "template",
            "abi",
            "--form",
            "observer",
            "--format",
            ext,
            "--out",
            p.to_str().unwrap(),
        ]);
        let t = Table::open(&p, &ReadOptions::default()).unwrap();
        assert_eq!(t.n(), 0);
        assert_eq!(t.columns[0].name, "respondent_id");
        assert_eq!(t.columns[1].name, "ABL1");
        if ext == "sav" {
            assert!(t.columns[1].label.as_deref().unwrap().len() > 20);
            assert_eq!(t.columns[1].value_labels.len(), 6);
            assert_eq!(t.columns[1].labelled_range(), Some((1.0, 6.0)));
            assert_eq!(t.columns[1].measure.as_deref(), Some("ordinal"));
        }
    }
}

#[test]
fn the_sav_writer_round_trips() {
    let csv = fixture("labelled.csv");
    let tmp = tempfile::tempdir().unwrap();
    let (n0, t0, r0) = read_all(&csv, &ReadOptions::default());
    for compress in [false, true] {
        let p = tmp.path().join("x.sav");
        std::fs::write(&p, sav_of_csv_with(&csv, compress)).unwrap();
        let table = Table::open(&p, &ReadOptions::default()).unwrap();
        assert_eq!(table.version.contains("bytecode"), compress);
        let (n, t, r) = read_all(&p, &ReadOptions::default());
        assert!(same(&n, &n0));
        assert_eq!((t, r), (t0.clone(), r0.clone()));
    }
}

fn error_of(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let e = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

#[test]
fn bad_files_are_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let sav = std::fs::read(fixture("labelled-byte.sav")).unwrap();
    let cut = tmp.path().join("cut.sav");
    std::fs::write(&cut, &sav[..sav.len() - 20]).unwrap();
    let e = error_of(&["describe", cut.to_str().unwrap()]);
    assert!(e.contains("cut.sav") && e.contains("truncated"), "{e}");
    let head = tmp.path().join("head.sav");
    std::fs::write(&head, &sav[..300]).unwrap();
    let e = error_of(&["describe", head.to_str().unwrap()]);
    assert!(e.contains("truncated or damaged"), "{e}");
    // an encrypted file: PSPP's wrapper header
    let mut enc = vec![0x1c, 0, 0, 0, 0, 0, 0, 0];
    enc.extend_from_slice(b"ENCRYPTEDSAV\x15\0\0\0");
    enc.resize(200, 0);
    let encp = tmp.path().join("enc.sav");
    std::fs::write(&encp, enc).unwrap();
    let e = error_of(&["describe", encp.to_str().unwrap()]);
    assert!(e.contains("encrypted"), "{e}");
    // not a .sav at all
    let fake = tmp.path().join("fake.sav");
    std::fs::write(&fake, "id,Q1\n1,2\n").unwrap();
    let e = error_of(&["describe", fake.to_str().unwrap()]);
    assert!(e.contains("not an SPSS system file"), "{e}");
    // a truncated Stata file
    let dta = std::fs::read(fixture("labelled-14.dta")).unwrap();
    let cutd = tmp.path().join("cut.dta");
    std::fs::write(&cutd, &dta[..dta.len() / 2]).unwrap();
    let e = error_of(&["describe", cutd.to_str().unwrap()]);
    assert!(e.contains("cut.dta") && e.contains("Stata"), "{e}");
    // a missing sheet
    let e = error_of(&[
        "describe",
        &format!("{DIR}/labelled.xlsx"),
        "--sheet",
        "answers",
    ]);
    assert!(
        e.contains("no sheet \"answers\"") && e.contains("\"data\""),
        "{e}"
    );
    // --sheet on a file that is no workbook
    let e = error_of(&[
        "describe",
        &format!("{DIR}/labelled.csv"),
        "--sheet",
        "data",
    ]);
    assert!(e.contains("--sheet"), "{e}");
    // a text column where answers are expected: file, row and column
    let e = error_of(&[
        "reliability",
        &format!("{DIR}/labelled-py.zsav"),
        "--items",
        "Q1,comment",
    ]);
    assert!(
        e.contains("labelled-py.zsav: row 2, column \"comment\"") && e.contains("text column"),
        "{e}"
    );
    // an answer outside the labelled scale: row and column
    let e = error_of(&[
        "reliability",
        &format!("{DIR}/labelled-15.dta"),
        "--items",
        "Q1,Q3",
        "--scale-min",
        "1",
        "--scale-max",
        "5",
    ]);
    assert!(
        e.contains("row 4, column \"Q3\"") && e.contains("98"),
        "{e}"
    );
}

/// The whole report of the example study with its leader ratings as a haven-written .sav and as
/// an openpyxl workbook (`sheet = "ratings"`): results.json equals the CSV study's, file names
/// aside, and the description of each file as read (`data`, whose format differs). Heavy
/// (three reports): `cargo test --release --test formats -- --ignored`.
#[test]
#[ignore]
fn report_is_identical_from_csv_sav_and_xlsx() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["member-ratings.csv", "leader-ratings.csv"] {
        std::fs::copy(Path::new("data/example-study").join(f), tmp.path().join(f)).unwrap();
    }
    for f in ["leader-ratings.sav", "leader-ratings.xlsx"] {
        std::fs::copy(fixture(f), tmp.path().join(f)).unwrap();
    }
    let toml = std::fs::read_to_string("data/example-study/study.toml").unwrap();
    let variants = [
        ("csv", toml.clone()),
        (
            "sav",
            toml.replace("leader-ratings.csv", "leader-ratings.sav"),
        ),
        (
            "xlsx",
            toml.replace(
                "path = \"leader-ratings.csv\"",
                "path = \"leader-ratings.xlsx\"\nsheet = \"ratings\"",
            ),
        ),
    ];
    let mut results = Vec::new();
    for (name, text) in variants {
        let study = tmp.path().join("study.toml");
        std::fs::write(&study, text).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        stdout(&[
            "report",
            "--study",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let json = std::fs::read_to_string(out.join("results.json")).unwrap();
        // `data` describes the files as read: their format is what differs
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let data = v.as_object_mut().unwrap().remove("data").unwrap();
        let format = &data["leader-ratings"]["format"];
        assert_eq!(format, name, "{data}");
        let json = serde_json::to_string_pretty(&v).unwrap();
        results.push(
            json.replace("leader-ratings.sav", "leader-ratings.csv")
                // the describe command line names the workbook's sheet
                .replace("leader-ratings.xlsx --sheet ratings", "leader-ratings.csv")
                .replace("leader-ratings.xlsx", "leader-ratings.csv")
                .replace(&format!("out-{name}"), "out"),
        );
    }
    assert_eq!(results[1], results[0], "sav");
    assert_eq!(results[2], results[0], "xlsx");
}

/// Stata floats are widened exactly, as haven 2.5.1 and pyreadstat 1.3.8 read them (ReadStat
/// hands the float over as a double): float-118.dta (written by float_dta.py there) read by
/// `sprintf("%.17g", haven::read_dta(f)$x)`.
#[test]
fn stata_floats_widen_as_haven_reads_them() {
    let t = Table::open(&fixture("float-118.dta"), &ReadOptions::default()).unwrap();
    let haven = [
        0.10000000149011612,
        1.100000023841858,
        2.700000047683716,
        0.3333333432674408,
        123456.7890625,
        3.4000000953674316,
        0.20000000298023224,
        16777216.0,
        9.99999993922529e-9,
    ];
    assert_eq!(t.columns[0].cells, Cells::Numbers(haven.to_vec()));
}

/// Data with strings longer than 255 bytes: `note` up to 600 bytes (three segments, a two-byte
/// character across the first segment's end), `memo` of 256 bytes (two segments), an id.
fn long_string_columns() -> Vec<Column> {
    let pattern = |n: usize, seed: usize| -> String {
        (0..n)
            .map(|i| (b'a' + ((i * 7 + seed) % 26) as u8) as char)
            .collect()
    };
    let straddle = format!("{}é{}", "x".repeat(251), "y".repeat(47)); // 300 bytes
    let note = vec![
        String::new(),
        pattern(600, 1),
        straddle,
        "short".to_string(),
    ];
    let memo = vec![
        pattern(256, 2),
        "m".into(),
        pattern(255, 3),
        pattern(100, 4),
    ];
    let mut note = Column::new("note", Cells::Text(note));
    note.label = Some("A long comment".into());
    vec![
        Column::new("id", Cells::Numbers(vec![1.0, 2.0, 3.0, 4.0])),
        note,
        Column::new("memo", Cells::Text(memo)),
    ]
}

/// Writes tests/fixtures/formats/long-strings.sav (run when the writer changes on purpose, then
/// `Rscript tests/fixtures/formats/long_strings.R` to have haven read it back).
#[test]
#[ignore]
fn write_long_string_fixture() {
    let bytes = sav_write::write(&long_string_columns(), "long strings").unwrap();
    std::fs::write(fixture("long-strings.sav"), bytes).unwrap();
}

/// Very long strings (wider than 255 bytes) are written as SPSS and haven write them (segments of
/// 255, the 7.14 record): our reader reads them back, and haven 2.5.1 read the fixture the writer
/// still produces into the same data (long-strings-haven.csv, written by long_strings.R); our reader
/// also reads haven's own very long strings (long-strings-haven.sav).
#[test]
fn the_sav_writer_writes_very_long_strings() {
    let columns = long_string_columns();
    let bytes = sav_write::write(&columns, "long strings").unwrap();
    assert_eq!(
        bytes,
        std::fs::read(fixture("long-strings.sav")).unwrap(),
        "the writer changed: run the ignored write_long_string_fixture and long_strings.R"
    );
    let back = Table::from_bytes(
        &bytes,
        trustscale::data::Format::Sav,
        None,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(back.names(), ["id", "note", "memo"]);
    assert_eq!(back.columns[1].label.as_deref(), Some("A long comment"));
    for (got, want) in back.columns.iter().zip(&columns) {
        assert_eq!(got.cells, want.cells, "{}", want.name);
    }
    // compressed too
    let packed = sav_write::write_with(&columns, "long strings", true).unwrap();
    let back = Table::from_bytes(
        &packed,
        trustscale::data::Format::Sav,
        None,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(back.columns[1].cells, columns[1].cells);
    // what haven read from our file, and haven's own file
    let opts = ReadOptions::default();
    let haven_read = DataSource::open(&fixture("long-strings-haven.csv"), &opts)
        .and_then(|s| s.columns(&opts))
        .unwrap();
    let haven_wrote = Table::open(&fixture("long-strings-haven.sav"), &opts).unwrap();
    for j in 1..3 {
        assert_eq!(haven_read[j].cells, columns[j].cells, "haven read {j}");
        assert_eq!(
            haven_wrote.columns[j].cells, columns[j].cells,
            "haven wrote {j}"
        );
    }
    assert_eq!(
        haven_wrote.columns[1].label.as_deref(),
        Some("A long comment")
    );
}

/// Variable labels are the items' wording in the tables and the JSON when no instrument gives
/// one; a CSV has none, and an instrument's own wording comes first.
#[test]
fn variable_labels_are_item_text() {
    let sav = format!("{DIR}/labelled-byte.sav");
    let json = stdout(&["reliability", &sav, "--items", "Q1:Q3", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let texts: Vec<&str> = (0..3)
        .map(|i| v["items"][i]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "My leader keeps promises",
            "My leader listens",
            "Mon chef est honnête"
        ]
    );
    let table = stdout(&["reliability", &sav, "--items", "Q1:Q3"]);
    assert!(table.contains("My leader listens"), "{table}");
    let csv = format!("{DIR}/labelled.csv");
    let json = stdout(&[
        "reliability",
        &csv,
        "--items",
        "Q1:Q3",
        "--missing",
        "-99,-98,97,98,99",
        "--json",
    ]);
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(c["items"][0].get("text").is_none());
    // with the numbers the same
    assert_eq!(c["alpha"], v["alpha"]);
    // the instrument's wording (first form) for the example study's leader ratings
    let json = stdout(&[
        "reliability",
        "data/example-study/leader-ratings.csv",
        "--instrument",
        "tblc",
        "--scale",
        "network-organizer",
        "--json",
    ]);
    let t: serde_json::Value = serde_json::from_str(&json).unwrap();
    let show = stdout(&["instrument", "show", "tblc", "--form", "self", "--json"]);
    let s: serde_json::Value = serde_json::from_str(&show).unwrap();
    let first = &s["subscales"][0]["items"][0];
    assert_eq!(t["items"][0]["item"], first["id"]);
    assert!(first["text"].as_str().is_some_and(|t| t.len() > 10));
    assert_eq!(t["items"][0]["text"], first["text"]);
}

/// The example survey's NO1:NO6 as a .sav whose variables carry a wording (variable label)
/// and the 6-point agreement anchors (value labels).
fn labelled_survey(dir: &Path) -> PathBuf {
    let opts = ReadOptions::default();
    let mut columns = DataSource::open(Path::new("data/example-survey.csv"), &opts)
        .and_then(|src| src.columns(&opts))
        .unwrap();
    columns.truncate(7);
    let anchors = [
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ];
    for c in columns.iter_mut().skip(1) {
        c.label = Some(format!("Wording of {}", c.name));
        c.value_labels = anchors
            .iter()
            .enumerate()
            .map(|(i, l)| num_label(i as f64 + 1.0, l))
            .collect();
    }
    let path = dir.join("survey.sav");
    std::fs::write(
        &path,
        sav_write::write_with(&columns, "test", true).unwrap(),
    )
    .unwrap();
    path
}

/// Issue 19: the variable labels are the items' wording in EFA, omega and CFA too, in the
/// JSON (`item_text`) and as the tables' last column; a CSV has none (no key).
#[test]
fn variable_labels_are_item_text_in_efa_omega_and_cfa() {
    let t = tempfile::tempdir().unwrap();
    let sav = labelled_survey(t.path());
    let sav = sav.to_str().unwrap();
    let model = t.path().join("m.txt");
    std::fs::write(&model, "F =~ NO1 + NO2 + NO3 + NO4 + NO5 + NO6\n").unwrap();
    let model = model.to_str().unwrap();
    let want: Vec<String> = (1..=6).map(|i| format!("Wording of NO{i}")).collect();
    let texts = |v: &serde_json::Value| -> Vec<String> {
        v["item_text"]
            .as_array()
            .unwrap_or_else(|| panic!("no item_text in {v}"))
            .iter()
            .map(|x| x["text"].as_str().unwrap().to_string())
            .collect()
    };
    let runs: [&[&str]; 3] = [
        &["efa", sav, "--items", "NO1:NO6", "--factors", "1"],
        &["omega", sav, "--items", "NO1:NO6", "--factors", "2"],
        &["cfa", sav, "--model", model],
    ];
    for args in runs {
        let mut j = args.to_vec();
        j.push("--json");
        let v: serde_json::Value = serde_json::from_str(&stdout(&j)).unwrap();
        assert_eq!(texts(&v), want, "{args:?}");
        assert_eq!(v["item_text"][2]["item"], "NO3", "{args:?}");
        let table = stdout(args);
        assert!(
            table.contains(" text") && table.contains("Wording of NO6"),
            "{args:?}: {table}"
        );
        // the same data as CSV: the same numbers and no wording
        let csv: Vec<&str> = args
            .iter()
            .map(|a| {
                if *a == sav {
                    "data/example-survey.csv"
                } else {
                    a
                }
            })
            .chain(["--json"])
            .collect();
        let c: serde_json::Value = serde_json::from_str(&stdout(&csv)).unwrap();
        assert!(c.get("item_text").is_none(), "{args:?}");
        let key = ["loadings", "omega_total", "parameters"]
            [runs.iter().position(|r| r == &args).unwrap()];
        assert_eq!(c[key], v[key], "{args:?}: {key}");
    }
}

/// Issue 19: kappa's categories carry the value labels of a labelled file, in the JSON
/// (`category_labels`) and the table.
#[test]
fn kappa_categories_carry_value_labels() {
    let t = tempfile::tempdir().unwrap();
    let sav = labelled_survey(t.path());
    let sav = sav.to_str().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&["kappa", sav, "--raters", "NO1,NO2", "--json"])).unwrap();
    let cats: Vec<&str> = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let labels = v["category_labels"].as_array().unwrap();
    assert_eq!(labels.len(), cats.len());
    for (l, c) in labels.iter().zip(&cats) {
        assert_eq!(l["category"], *c);
    }
    assert_eq!(labels[0]["label"], "Strongly disagree");
    assert_eq!(labels[labels.len() - 1]["label"], "Strongly agree");
    let csv: serde_json::Value = serde_json::from_str(&stdout(&[
        "kappa",
        "data/example-survey.csv",
        "--raters",
        "NO1,NO2",
        "--json",
    ]))
    .unwrap();
    assert!(csv.get("category_labels").is_none());
    assert_eq!(csv["kappa"], v["kappa"]);
    let table = stdout(&["kappa", sav, "--raters", "NO1,NO2"]);
    assert!(
        table.contains("1 (Strongly disagree), 2 (Disagree)"),
        "{table}"
    );
    // Fleiss' kappa of three raters
    let f: serde_json::Value = serde_json::from_str(&stdout(&[
        "kappa",
        sav,
        "--raters",
        "NO1,NO2,NO3",
        "--json",
    ]))
    .unwrap();
    assert_eq!(f["method"], "fleiss");
    assert_eq!(f["category_labels"][0]["label"], "Strongly disagree");
}
