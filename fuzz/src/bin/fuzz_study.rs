//! Study files: any text loads or gives an error (the file is written to a temporary path,
//! as `Study::load` reads a path), and a loaded study is checked against small copies of the
//! example study's data files (the first 8 rows of each), so that `study::check` runs too.
use std::path::Path;

/// The header and first `rows` data rows of a shipped example data file.
fn head(file: &str, rows: usize) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/example-study")
        .join(file);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .take(rows + 1)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn main() {
    let dir = std::env::temp_dir().join(format!("trustscale-fuzz-study-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for f in ["leader-ratings.csv", "member-ratings.csv"] {
        let _ = std::fs::write(dir.join(f), head(f, 8));
    }
    let file = dir.join("study.toml");
    afl::fuzz!(|bytes: &[u8]| {
        if std::fs::write(&file, bytes).is_err() {
            return;
        }
        if let Ok(s) = trustscale::study::Study::load(&file) {
            for d in &s.datasets {
                let _ = s.path_of(d);
            }
            let _ = trustscale::study::check(&s);
        }
    });
}
