//! Inputs found by the coverage-guided fuzz targets in `fuzz/` (issue 14), one test per bug,
//! so that a fix stays fixed without running the fuzzer. See `fuzz/README.md`.

use std::time::{Duration, Instant};
use trustscale::cfa::syntax::parse;

/// `fuzz_model` (AFL++ "hang", 27 KB of model text, most of it blank lines): the statement
/// splitter looked ahead from every newline for the next token, so a run of N blank lines cost
/// N^2 steps (a 64 MB model file of newlines would never finish). One pass now.
#[test]
fn model_syntax_with_many_blank_lines_parses_in_linear_time() {
    let text = format!(
        "f =~ x1 + x2 +{}x3\n{}g =~ x4 + x5 + x6\n",
        "\n".repeat(1_000_000),
        "\n".repeat(1_000_000)
    );
    let start = Instant::now();
    let m = parse(&text, "blank.txt").unwrap();
    let took = start.elapsed();
    // the continuation after `+` spans the blank lines: two statements of three indicators
    assert_eq!(m.statements.len(), 6, "{:?}", m.statements);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
