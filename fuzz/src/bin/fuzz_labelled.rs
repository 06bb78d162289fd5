//! SPSS `.sav`/`.zsav` and Stata `.dta` files: any bytes decode to a table or give an error,
//! and a decoded table reads its columns as numbers or gives an error.
use std::path::Path;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{Format, ReadOptions, Table};

fn main() {
    afl::fuzz!(|bytes: &[u8]| {
        // the first byte picks the format, the rest is the file
        let Some((&sel, body)) = bytes.split_first() else {
            return;
        };
        let (format, name) = if sel & 1 == 0 {
            (Format::Sav, "fuzz.sav")
        } else {
            (Format::Dta, "fuzz.dta")
        };
        let opts = ReadOptions::default();
        let Ok(table) = Table::from_bytes(body, format, Some(Path::new(name)), &opts) else {
            return;
        };
        let k = table.names().len();
        let cols: Vec<ColumnRequest> = (0..k.min(64))
            .map(|index| ColumnRequest { index, range: None })
            .collect();
        let _ = table.read_text(&cols, &[], &opts);
    });
}
