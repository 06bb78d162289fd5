//! Study files: any text loads or gives an error (the file is written to a temporary path,
//! as `Study::load` reads a path).
fn main() {
    let dir = std::env::temp_dir().join(format!("trustscale-fuzz-study-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
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
