//! The CSV reader and the checks after it: any bytes read or give an error, never a panic.
use std::path::Path;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ReadOptions};

fn main() {
    afl::fuzz!(|bytes: &[u8]| {
        // the first byte picks the options, the rest is the file
        let Some((&sel, body)) = bytes.split_first() else {
            return;
        };
        let opts = ReadOptions {
            delimiter: [None, Some(b','), Some(b';'), Some(b'\t')][(sel & 3) as usize],
            skip_rows: if sel & 4 == 0 {
                None
            } else {
                Some((sel >> 3) as usize)
            },
            missing: vec!["-99".into()],
            ..Default::default()
        };
        let Ok(src) = CsvSource::from_bytes(body.to_vec(), Some(Path::new("fuzz.csv")), &opts)
        else {
            return;
        };
        let n = src.names().len();
        let cols: Vec<ColumnRequest> = (1..n.min(64))
            .map(|index| ColumnRequest {
                index,
                range: if sel & 128 == 0 {
                    None
                } else {
                    Some((1.0, 7.0))
                },
            })
            .collect();
        if let Ok(d) = src.read(&cols, if n > 0 { Some(0) } else { None }) {
            let _ = d.check_magnitude();
            let _ = d.require_variance();
            let _ = trustscale::reliability::reliability(&d, &Default::default());
        }
    });
}
