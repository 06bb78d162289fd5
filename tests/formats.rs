use std::path::Path;
use trustscale::data::{ReadOptions, Table};

#[test]
fn dump() {
    for f in ["labelled-none.sav", "labelled-byte.sav", "labelled.zsav", "labelled-py.sav", "labelled-py.zsav", "labelled-13.dta", "labelled-14.dta", "labelled-15.dta", "labelled-py.dta", "labelled.xlsx"] {
        let p = Path::new("tests/fixtures/formats").join(f);
        let opts = ReadOptions { sheet: f.ends_with("xlsx").then(|| "data".to_string()), ..Default::default() };
        match Table::open(&p, &opts) {
            Ok(t) => { println!("{f}: {} {:?} rows {:?}", t.version, t.label, t.rows); for c in &t.columns { println!("  {} {:?} {:?} {:?} {:?} {:?} dm={}", c.name, c.label, c.cells, c.value_labels, c.missing, c.measure, c.declared_missing); } }
            Err(e) => println!("{f}: ERROR {e}"),
        }
    }
}
