//! The main job end to end: `trustscale report` on the shipped example study (120 groups,
//! 1,122 leader ratings, 1,002 member ratings; 41 analyses, 58 charts), as a user runs it: the
//! release binary as a separate process, writing the HTML, the JSON and the charts.
//! The target is under 10 s.

use criterion::{criterion_group, criterion_main, Criterion};
use std::process::Command;

fn report(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = tempfile::tempdir().expect("temporary folder");
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("example-study", |b| {
        b.iter(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_trustscale"))
                .current_dir(root)
                .args([
                    "report",
                    "--study",
                    "data/example-study/study.toml",
                    "--out",
                ])
                .arg(out.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("run trustscale");
            assert!(status.success());
        })
    });
    g.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
