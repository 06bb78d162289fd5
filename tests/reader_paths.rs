//! The fast quote-free path and the full CSV parser read the same data the same way, across
//! block boundaries (blocks are 8 MiB), with CRLF line ends and blank lines.

use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ReadOptions};

fn read_file(path: &std::path::Path) -> ItemData {
    let src = CsvSource::open(path, &ReadOptions::default()).unwrap();
    let cols: Vec<ColumnRequest> = (1..5)
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    src.read(&cols, Some(0)).unwrap()
}

fn big_csv(rows: usize, crlf: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = format!("id,a,b,c,d{nl}");
    for i in 0..rows {
        let v = |m: usize| (i * m + i / 7) % 6 + 1;
        if i % 1000 == 17 {
            s.push_str(&format!("r{i},{},,{},NA{nl}", v(3), v(5)));
        } else {
            s.push_str(&format!("r{i},{},{},{},{}{nl}", v(3), v(2), v(5), v(7)));
        }
        if i % 50_000 == 3 {
            s.push_str(nl); // blank line: not a record
        }
    }
    s
}

#[test]
fn quoted_and_plain_paths_agree_across_blocks() {
    let t = tempfile::tempdir().unwrap();
    let rows = 700_000; // about 13 MiB: two blocks
    let plain = big_csv(rows, false);
    assert!(plain.len() > 9 << 20);
    let p1 = t.path().join("plain.csv");
    std::fs::write(&p1, &plain).unwrap();
    // a quoted id in the last rows sends the second block through the full parser
    let quoted = plain.replacen(
        &format!("r{},", rows - 5),
        &format!("\"r{}\",", rows - 5),
        1,
    );
    let p2 = t.path().join("quoted.csv");
    std::fs::write(&p2, &quoted).unwrap();
    let crlf = t.path().join("crlf.csv");
    std::fs::write(&crlf, big_csv(rows, true)).unwrap();

    let a = read_file(&p1);
    let b = read_file(&p2);
    let c = read_file(&crlf);
    assert_eq!(a.n(), rows);
    for other in [&b, &c] {
        assert_eq!(a.n(), other.n());
        assert_eq!(a.rows, other.rows);
        assert_eq!(a.ids, other.ids);
        assert!(a
            .values
            .iter()
            .zip(&other.values)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan())));
    }
    // spreadsheet rows: header = 1, blank lines are not counted
    assert_eq!(a.rows[0], 2);
    assert_eq!(*a.rows.last().unwrap(), rows as u64 + 1);
    assert_eq!(a.ids.as_ref().unwrap()[rows - 5], format!("r{}", rows - 5));
    assert_eq!(a.rows_with_missing(), 700);
}

#[test]
fn error_rows_are_the_same_on_both_paths() {
    let t = tempfile::tempdir().unwrap();
    let mut s = big_csv(600_000, false);
    s = s.replacen("\nr599990,", "\nr599990,x", 1);
    let p1 = t.path().join("a.csv");
    std::fs::write(&p1, &s).unwrap();
    let p2 = t.path().join("b.csv");
    std::fs::write(&p2, s.replacen("r10,", "\"r10\",", 1)).unwrap();
    let cols: Vec<ColumnRequest> = (1..5)
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    let e1 = CsvSource::open(&p1, &ReadOptions::default())
        .unwrap()
        .read(&cols, None)
        .unwrap_err();
    let e2 = CsvSource::open(&p2, &ReadOptions::default())
        .unwrap()
        .read(&cols, None)
        .unwrap_err();
    assert_eq!(e1.to_string().replace("a.csv", "b.csv"), e2.to_string());
    // 599990 data records after the header plus 12 blank lines, which do not count
    assert!(
        e1.to_string()
            .starts_with(&format!("{}: row 599992, column \"a\"", p1.display())),
        "{e1}"
    );
}
