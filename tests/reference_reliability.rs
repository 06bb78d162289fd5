//! The reliability reference cases (expected values from R psych 2.2.9, see each case.json),
//! run through the real binary and compared within each case's tolerance.

mod common;

#[test]
fn reliability_reference_cases_match_psych() {
    let cases = common::cases("reliability");
    assert!(cases.len() >= 2, "reliability fixtures missing");
    let mut failures = Vec::new();
    for c in &cases {
        let (f, n) = common::check_case(c);
        assert!(
            !f.is_empty() || n > 10,
            "{}: only {n} values compared",
            c.display()
        );
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn omega_with_missing_cells_uses_pairwise_correlations_as_psych() {
    // psych 2.2.9, on all 2800 bfi rows (237 with missing cells among these items):
    //   x <- d[, c(A1:A5, C1:C5, E1:E5)]; reverse A1 C4 C5 E1 E2 as 7 - x
    //   omega(x, nfactors = 3)$omega.tot = 0.848139768931427, $omega_h = 0.542833474700898
    //   alpha(x)$total$raw_alpha = 0.803793754635051, G6(smc) = 0.832772439557913
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reliability/01-reliability-bfi-agreeableness-missing");
    let out = common::run_in(
        &dir,
        &[
            "reliability",
            "data.csv",
            "--items",
            "A1:A5,C1:C5,E1:E5",
            "--reverse",
            "A1,C4,C5,E1,E2",
            "--scale-min",
            "1",
            "--scale-max",
            "6",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let close = |k: &str, want: f64, tol: f64| {
        let got = v[k].as_f64().unwrap();
        assert!((got - want).abs() < tol, "{k}: {got} vs {want}");
    };
    close("omega_total", 0.848139768931427, 1e-5);
    close("omega_hierarchical", 0.542833474700898, 1e-5);
    close("alpha", 0.803793754635051, 1e-12);
    close("lambda6", 0.832772439557913, 1e-12);
    assert_eq!(v["rows_with_missing"], 237);
}
