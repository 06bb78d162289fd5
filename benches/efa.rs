//! EFA: minres + oblimin on 24 items from CSV (parse, pairwise Pearson correlations, extraction,
//! rotation, KMO, Bartlett, fit) at n = 10^4 and 10^5. Peer: `benches/peers/efa.R` on the same file.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use trustscale::correlation::{covariance, Missing};
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ReadOptions};
use trustscale::factor::efa::{efa, EfaOptions};

mod common;

fn efa_from_csv(c: &mut Criterion) {
    let mut g = c.benchmark_group("efa_from_csv");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let path = common::survey_csv(n);
        g.bench_with_input(
            BenchmarkId::new("minres_oblimin_24_items_4_factors", n),
            &path,
            |b, path| {
                b.iter(|| {
                    let src = CsvSource::open(path, &ReadOptions::default()).expect("open");
                    let cols: Vec<ColumnRequest> = (1..25)
                        .map(|index| ColumnRequest {
                            index,
                            range: Some((1.0, 6.0)),
                        })
                        .collect();
                    let d = src.read(&cols, None).expect("read");
                    let r = covariance(&d, Missing::Pairwise)
                        .expect("cor")
                        .pairwise_cor();
                    black_box(
                        efa(
                            &r,
                            d.n(),
                            &EfaOptions {
                                nfactors: 4,
                                ..EfaOptions::default()
                            },
                        )
                        .expect("efa"),
                    )
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, efa_from_csv);
criterion_main!(benches);
