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
