//! Instrument files: any text loads (and checks) or gives an error.
use std::path::Path;

fn main() {
    afl::fuzz!(|bytes: &[u8]| {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        if let Ok(inst) = trustscale::instrument::load::load_str(text, Path::new("fuzz.toml")) {
            let _ = inst.selections(None, &[], &Default::default());
        }
    });
}
