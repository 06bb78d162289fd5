//! Bad input ends with exit status 2 and one line naming file, row, column and what was expected.

mod common;

use std::path::Path;

fn fail_with(dir: &Path, csv: &str, args: &[&str]) -> String {
    std::fs::write(dir.join("d.csv"), csv).unwrap();
    let mut argv = vec!["reliability", "d.csv"];
    argv.extend_from_slice(args);
    let out = common::run_in(dir, &argv);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    err.trim_end().to_string()
}

const GOOD: &str = "a,b,c\n1,2,3\n2,2,4\n3,4,4\n4,5,6\n";

#[test]
fn non_numeric_cell_names_row_and_column() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        "a,b,c\n1,2,3\n2,x2,4\n3,4,4\n",
        &["--items", "a:c"],
    );
    assert_eq!(e, "error: d.csv: row 3, column \"b\": expected a number or a missing code (empty, NA, .), found \"x2\"");
}

#[test]
fn unknown_column_suggests_the_closest() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(t.path(), GOOD, &["--items", "a,B,d4"]);
    assert_eq!(
        e,
        "error: d.csv: no column named \"B\" (did you mean \"b\"?)"
    );
}

#[test]
fn out_of_range_response_names_row_and_column() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        GOOD,
        &["--items", "a:c", "--scale-min", "1", "--scale-max", "5"],
    );
    assert_eq!(
        e,
        "error: d.csv: row 5, column \"c\": expected a response from 1 to 5, found 6"
    );
}

#[test]
fn out_of_range_against_an_instrument() {
    let t = tempfile::tempdir().unwrap();
    let mut csv = String::from("NO1,NO2,NO3,NO4,NO5,NO6\n");
    for i in 0..5 {
        csv.push_str(&format!(
            "{},{},3,4,5,{}\n",
            1 + i % 6,
            2 + i % 4,
            if i == 3 { 7 } else { 2 }
        ));
    }
    let e = fail_with(
        t.path(),
        &csv,
        &["--instrument", "tblc", "--scale", "network-organizer"],
    );
    assert_eq!(
        e,
        "error: d.csv: row 5, column \"NO6\": expected a response from 1 to 6, found 7"
    );
}

#[test]
fn zero_variance_item_is_named() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        "a,b,c\n1,3,3\n2,3,4\n3,3,4\n4,3,6\n",
        &["--items", "a:c"],
    );
    assert_eq!(e, "error: d.csv: column \"b\": expected responses that vary, but every answer is 3 (zero variance)");
}

#[test]
fn fewer_than_three_complete_rows() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(
        t.path(),
        "a,b,c\n1,2,3\n2,,4\n3,4,4\n,1,2\n",
        &["--items", "a:c"],
    );
    assert_eq!(
        e,
        "error: d.csv: expected at least 3 complete rows, found 2"
    );
}

#[test]
fn empty_file_and_header_only() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(t.path(), "", &["--items", "a"]);
    assert_eq!(
        e,
        "error: d.csv: expected a header row and data rows, found an empty file"
    );
    let e = fail_with(t.path(), "a,b\n", &["--items", "a,b"]);
    assert_eq!(
        e,
        "error: d.csv: expected a header row and data rows, found a header and no data rows"
    );
}

#[test]
fn ragged_row_is_named() {
    let t = tempfile::tempdir().unwrap();
    let e = fail_with(t.path(), "a,b,c\n1,2,3\n2,2\n3,4,4\n", &["--items", "a:c"]);
    assert_eq!(
        e,
        "error: d.csv: row 3: expected 3 fields as in the header, found 2"
    );
}

#[test]
fn missing_file_and_reverse_without_scale() {
    let t = tempfile::tempdir().unwrap();
    let out = common::run_in(t.path(), &["reliability", "nope.csv", "--items", "a"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: nope.csv: "), "{err}");
    let e = fail_with(t.path(), GOOD, &["--items", "a:c", "--reverse", "a"]);
    assert_eq!(e, "error: option --reverse: reverse keying needs the scale's end points: give --scale-min and --scale-max");
}

#[test]
fn missing_codes_semicolons_and_qualtrics_are_read() {
    let t = tempfile::tempdir().unwrap();
    let csv = "a;b;c\nQ a;Q b;Q c\n{\"ImportId\":\"QID1\"};{\"ImportId\":\"QID2\"};{\"ImportId\":\"QID3\"}\n1;2;3\n2;-99;4\n3;4;4\n4;5;6\n5;5;6\n";
    std::fs::write(t.path().join("q.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "reliability",
            "q.csv",
            "--items",
            "a:c",
            "--missing=-99",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 5);
    assert_eq!(v["rows_with_missing"], 1);
    assert_eq!(v["items"][1]["n"], 4);
}
