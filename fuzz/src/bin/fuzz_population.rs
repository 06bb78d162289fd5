//! Population models (`simulate --model`, `power --model`): any text loads and compiles or
//! gives an error.
use std::path::Path;

fn main() {
    afl::fuzz!(|bytes: &[u8]| {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        if let Ok(m) = trustscale::simulate::population::load_model(text, Path::new("model.toml")) {
            let _ = m.compile();
        }
    });
}
