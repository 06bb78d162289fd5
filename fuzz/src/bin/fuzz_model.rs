//! CFA model syntax: any text parses or gives an error, and a parsed model builds its
//! parameter table or gives an error.
use trustscale::cfa::partable::{build, PartableOptions};
use trustscale::cfa::syntax::parse;

fn main() {
    afl::fuzz!(|bytes: &[u8]| {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        if let Ok(m) = parse(text, "fuzz.txt") {
            if let Ok(pt) = build(&m, &PartableOptions::default()) {
                let _ = pt.df();
            }
        }
    });
}
