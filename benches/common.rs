//! Bench inputs: simulated 24-item Likert data written once to a temp CSV.

use std::path::PathBuf;
use trustscale::instrument;
use trustscale::simulate::likert::to_csv;
use trustscale::simulate::{simulate_instrument, SimulateOptions};

/// Writes n respondents x the first 24 tblc items to a CSV in the temp dir; returns its path.
pub fn survey_csv(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("trustscale-bench-{n}x24.csv"));
    if path.is_file() {
        return path;
    }
    let inst = instrument::load("tblc").expect("tblc");
    let opts = SimulateOptions {
        n,
        seed: 42,
        ..Default::default()
    };
    let (data, _) = simulate_instrument(&inst, &opts).expect("simulate");
    let d = data.columns(&(0..24).collect::<Vec<_>>());
    std::fs::write(&path, to_csv(&d)).expect("write bench csv");
    path
}
