//! The CSV reader never panics: random bytes and random mutations of a valid file either read
//! or give an error (property tests with proptest).

use proptest::prelude::*;
use std::path::Path;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ReadOptions};

const VALID: &str = "\u{feff}id,A1,A2,A3\nr1,1,2,3\nr2,4,NA,6\nr3,,5,.\nr4,2,2,2\n";

fn read_all(bytes: &[u8], opts: &ReadOptions) {
    let Ok(src) = CsvSource::from_bytes(bytes.to_vec(), Some(Path::new("fuzz.csv")), opts) else {
        return;
    };
    let n = src.names().len();
    let cols: Vec<ColumnRequest> = (1..n)
        .map(|index| ColumnRequest {
            index,
            range: Some((1.0, 6.0)),
        })
        .collect();
    if let Ok(d) = src.read(&cols, if n > 0 { Some(0) } else { None }) {
        assert_eq!(d.values.len(), d.n() * d.k());
        // downstream checks must not panic either
        let _ = d.require_variance();
        let _ = d.require_complete_rows(3);
        let _ = trustscale::reliability::reliability(&d, &Default::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), delim in 0usize..4) {
        let opts = ReadOptions {
            delimiter: [None, Some(b','), Some(b';'), Some(b'\t')][delim],
            ..Default::default()
        };
        read_all(&bytes, &opts);
    }

    #[test]
    fn mutations_of_a_valid_file_never_panic(
        edits in proptest::collection::vec((0usize..VALID.len() + 8, any::<u8>(), 0u8..3), 1..12),
        skip in proptest::option::of(0usize..4),
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (pos, byte, kind) in edits {
            let p = pos.min(bytes.len());
            match kind {
                0 if p < bytes.len() => bytes[p] = byte,
                1 => bytes.insert(p, byte),
                _ if p < bytes.len() => { bytes.remove(p); }
                _ => bytes.push(byte),
            }
        }
        let opts = ReadOptions { skip_rows: skip, missing: vec!["-99".into()], ..Default::default() };
        read_all(&bytes, &opts);
    }
}

#[test]
fn the_valid_file_reads() {
    let src =
        CsvSource::from_bytes(VALID.as_bytes().to_vec(), None, &ReadOptions::default()).unwrap();
    assert_eq!(src.names(), ["id", "A1", "A2", "A3"]);
    let cols: Vec<ColumnRequest> = (1..4)
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    let d = src.read(&cols, Some(0)).unwrap();
    assert_eq!(d.n(), 4);
    assert_eq!(d.ids.as_ref().unwrap()[2], "r3");
    assert_eq!(d.rows_with_missing(), 2);
}
