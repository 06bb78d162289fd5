//! The agreement reference cases (psych::ICC, multilevel, psych::cohen.kappa / statsmodels,
//! python krippendorff; versions in each case.json), run through the real binary.

mod common;

#[test]
fn agreement_reference_cases_match_their_peers() {
    let cases = common::cases("agreement");
    assert!(cases.len() >= 12, "agreement fixtures missing");
    let mut failures = Vec::new();
    for c in &cases {
        let (f, n) = common::check_case(c);
        assert!(
            !f.is_empty() || n >= 2,
            "{}: only {n} values compared",
            c.display()
        );
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn icc_long_data_with_a_duplicate_rating_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("l.csv"),
        "t,r,v\na,x,1\na,y,2\nb,x,3\nb,y,5\na,x,2\n",
    )
    .unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "icc", "l.csv", "--target", "t", "--rater", "r", "--value", "v",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end(),
        "error: l.csv: row 6, column \"v\": expected one rating per target and rater, but target \"a\" already has a rating from \"x\", found \"2\""
    );
}

#[test]
fn kappa_with_text_labels_and_missing_ratings() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("k.csv"),
        "a,b\nyes,yes\nno,no\nyes,no\nno,no\nyes,yes\nNA,yes\nyes,yes\nno,yes\n",
    )
    .unwrap();
    let out = common::run_in(t.path(), &["kappa", "k.csv", "--raters", "a,b", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 7 complete pairs: agreement 5/7; margins a: yes 4, no 3; b: yes 4, no 3
    // pe = (4*4 + 3*3)/49 = 25/49; kappa = (5/7 - 25/49)/(1 - 25/49) = 10/24
    assert_eq!(v["n"], 7);
    assert!((v["kappa"].as_f64().unwrap() - 10.0 / 24.0).abs() < 1e-12);
}

#[test]
fn krippendorff_rejects_text_at_the_interval_level() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("u.csv"), "c1,c2\n1,2\n3,x\n").unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "krippendorff",
            "u.csv",
            "--raters",
            "c1,c2",
            "--level",
            "interval",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end(),
        "error: u.csv: row 3, column \"c2\": expected a number (ordinal, interval and ratio levels need numeric codes), found \"x\""
    );
}

#[test]
fn rwg_of_every_subscale_with_an_aggregation_verdict() {
    let t = tempfile::tempdir().unwrap();
    // 3 groups of 4 members on the abi ability items: group 1 agrees, group 3 does not
    let mut csv = String::from("grp,ABL1,ABL2,ABL3,ABL4,ABL5\n");
    let rows = [
        ("1", [5, 5, 5, 5, 2]),
        ("1", [5, 6, 5, 5, 2]),
        ("1", [6, 5, 5, 6, 1]),
        ("1", [5, 5, 6, 5, 2]),
        ("2", [3, 3, 4, 3, 4]),
        ("2", [3, 4, 3, 3, 4]),
        ("2", [4, 3, 3, 4, 3]),
        ("2", [3, 3, 3, 3, 4]),
        ("3", [1, 6, 2, 5, 1]),
        ("3", [6, 1, 5, 2, 6]),
        ("3", [2, 5, 1, 6, 2]),
        ("3", [5, 2, 6, 1, 5]),
    ];
    for (g, r) in rows {
        csv.push_str(&format!(
            "{g},{},{},{},{},{}\n",
            r[0], r[1], r[2], r[3], r[4]
        ));
    }
    std::fs::write(t.path().join("g.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "rwg",
            "g.csv",
            "--group",
            "grp",
            "--instrument",
            "abi",
            "--scale",
            "ability",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = v["groups"].as_array().unwrap();
    assert_eq!(g.len(), 3);
    // 6-point scale: uniform null variance 35/12
    assert!((v["null_variance"].as_f64().unwrap() - 35.0 / 12.0).abs() < 1e-12);
    assert!(g[0]["rwg_j"].as_f64().unwrap() > 0.9);
    assert_eq!(g[2]["rwg_j"].as_f64().unwrap(), 0.0);
    assert!(v["aggregation"]["supported"].is_boolean());
    assert_eq!(v["aggregation"]["reasons"].as_array().unwrap().len(), 4);
}
