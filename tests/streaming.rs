//! Streaming reliability: the statistics from sums accumulated while parsing
//! (`DataRequest::load_sums` + `reliability_from_sums`) equal those from the rows
//! (`DataRequest::load` + `reliability_keyed`), to rounding, for every selection path (items by
//! hand with reverse keys, an instrument's subscales), pairwise and listwise, and the command
//! takes the streaming path when it can.
//!
//! The rows path is itself pinned against R psych::alpha in tests/reference_reliability.rs; this
//! test holds the streaming path to it.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use trustscale::analysis::reliability::ReliabilityRequest;
use trustscale::analysis::Request;
use trustscale::correlation::Missing;
use trustscale::data::read::{ColumnRequest, SumsSpec};
use trustscale::data::sums::{code_of, MISSING};
use trustscale::data::{Answers, CsvSource, ItemData, PairSums, ReadOptions};
use trustscale::instrument;
use trustscale::reliability::alpha::{reliability_from_sums, reliability_keyed};
use trustscale::reliability::{ReliabilityOptions, ReliabilityResult};
use trustscale::simulate::likert::to_csv;
use trustscale::simulate::{simulate_instrument, SimulateOptions};
use trustscale::study::DataRequest;

/// Every number of `a` and `b` agrees to 1e-12 (relative above 1), every other value equally.
fn close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            // omega comes from an iterative factor fit, which carries a difference of rounding in
            // its input on to about 1e-12
            let tol = if path.contains("omega") { 1e-9 } else { 1e-12 };
            assert!(
                (x - y).abs() <= tol * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                close(p, q, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
            for (k, v) in x {
                close(v, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

fn same(a: &ReliabilityResult, b: &ReliabilityResult) {
    close(
        &serde_json::to_value(a).unwrap(),
        &serde_json::to_value(b).unwrap(),
        "",
    );
}

/// Both paths for every scale of the request.
fn both(req: &DataRequest, opts: &ReliabilityOptions) -> usize {
    let rows = req.load().unwrap();
    let sums = req.load_sums().unwrap().expect("streamable data");
    assert_eq!(rows.scales.len(), sums.scales.len());
    for (r, s) in rows.scales.iter().zip(&sums.scales) {
        assert_eq!(r.name, s.name);
        let want = reliability_keyed(&r.data, &r.reversed, opts).unwrap();
        let got = reliability_from_sums(&s.names, &s.reversed, &s.sums, &sums.at, opts).unwrap();
        same(&want, &got);
    }
    rows.scales.len()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// 400 rows of 5 items on 1..5 (a common factor plus noise from a fixed linear congruential
/// generator) with a pattern of missing cells; item c runs against the rest.
fn hand_csv() -> String {
    let mut state: u64 = 11;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut s = String::from("id,a,b,c,d,e\n");
    for i in 0..400usize {
        let f = next() % 3;
        let cells: Vec<String> = (0..5)
            .map(|j| {
                let v = 1 + (f + next() % 3).min(4);
                let v = if j == 2 { 6 - v } else { v };
                if (i + 3 * j) % 23 == 0 {
                    if j % 2 == 0 {
                        "NA".into()
                    } else {
                        String::new()
                    }
                } else {
                    v.to_string()
                }
            })
            .collect();
        s.push_str(&format!("r{i},{}\n", cells.join(",")));
    }
    s
}

#[test]
fn hand_items_with_reverse_keys_pairwise_and_listwise() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "hand.csv", &hand_csv());
    for listwise in [false, true] {
        let req = DataRequest {
            data: Some(path.clone()),
            items: Some("a:e".into()),
            reverse: vec!["c".into()],
            scale_min: Some(1.0),
            scale_max: Some(5.0),
            listwise,
            ..DataRequest::default()
        };
        let opts = ReliabilityOptions {
            missing: if listwise {
                Missing::Listwise
            } else {
                Missing::Pairwise
            },
            omega_factors: 1,
            ..ReliabilityOptions::default()
        };
        assert_eq!(both(&req, &opts), 1);
    }
}

#[test]
fn instrument_subscales_from_a_simulated_survey_with_missing_answers() {
    let inst = instrument::load("tblc").unwrap();
    let opts = SimulateOptions {
        n: 3000,
        seed: 7,
        ..Default::default()
    };
    let (mut data, _) = simulate_instrument(&inst, &opts).unwrap();
    for (i, v) in data.values.iter_mut().enumerate() {
        if i % 37 == 0 {
            *v = f64::NAN;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "tblc.csv", &to_csv(&data));
    let req = DataRequest {
        data: Some(path.clone()),
        instrument: Some("tblc".into()),
        ..DataRequest::default()
    };
    assert!(both(&req, &ReliabilityOptions::default()) > 1);

    // the command streams (same output as the rows path); --bootstrap reads the rows
    let cmd = ReliabilityRequest {
        data: req.clone(),
        ..ReliabilityRequest::default()
    };
    let streamed = serde_json::to_value(cmd.run().unwrap()).unwrap();
    let in_memory = ReliabilityRequest {
        data: DataRequest {
            instrument: Some("tblc".into()),
            ..DataRequest::memory(data)
        },
        ..ReliabilityRequest::default()
    };
    close(
        &streamed,
        &serde_json::to_value(in_memory.run().unwrap()).unwrap(),
        "",
    );
}

#[test]
fn fractions_and_wide_codes_fall_back_to_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let text = hand_csv().replacen("\nr1,", "\nr1,2.5", 1);
    let path = write(&dir, "frac.csv", &text);
    let req = DataRequest {
        data: Some(path),
        items: Some("a:e".into()),
        ..DataRequest::default()
    };
    // not streamable, and the command still answers from the rows
    if let Ok(None) = req.load_sums() {
        let out = ReliabilityRequest {
            data: req,
            ..ReliabilityRequest::default()
        }
        .run()
        .unwrap();
        assert_eq!(out.scales[0].result.n, 400);
    } else {
        panic!("a fraction must not stream as codes");
    }
}

/// 10^8 rows x 24 items (5.5 GB of CSV) in bounded memory. Writes the file to the temp folder,
/// runs the command's library call on it, prints time and peak resident memory, deletes it.
/// Run: `cargo test --release --test streaming -- --ignored --nocapture`
#[test]
#[ignore]
fn hundred_million_rows_in_bounded_memory() {
    let n: usize = std::env::var("TRUSTSCALE_STREAM_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000_000);
    let path = std::env::temp_dir().join(format!("trustscale-stream-{n}x24.csv"));
    {
        let f = std::fs::File::create(&path).unwrap();
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let names: Vec<String> = (1..=24).map(|j| format!("q{j}")).collect();
        writeln!(w, "{}", names.join(",")).unwrap();
        // a common factor plus noise, on 1..5, from a fixed linear congruential generator
        let mut s: u64 = 42;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as u32
        };
        let mut line = Vec::with_capacity(64);
        for _ in 0..n {
            line.clear();
            let f = next() % 3;
            for j in 0..24 {
                let v = 1 + (f + next() % 3).min(4);
                if j > 0 {
                    line.push(b',');
                }
                line.push(b'0' + v as u8);
            }
            line.push(b'\n');
            w.write_all(&line).unwrap();
        }
        w.flush().unwrap();
    }
    let t = std::time::Instant::now();
    let out = ReliabilityRequest {
        data: DataRequest {
            data: Some(path.clone()),
            items: Some("q1:q24".into()),
            ..DataRequest::default()
        },
        ..ReliabilityRequest::default()
    }
    .run();
    let secs = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    std::fs::remove_file(&path).unwrap();
    let out = out.unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    let r = &out.scales[0].result;
    println!(
        "{n} rows x 24 ({:.2} GB): {secs:.1} s, {peak}; alpha {:.6}, n {}",
        bytes as f64 / 1e9,
        r.alpha,
        r.n
    );
    assert_eq!(r.n, n);
    let kb: f64 = peak
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::INFINITY);
    assert!(kb < 64.0 * 1024.0, "peak {peak}");
}

// ---- the parallel parse and the streamed sums (data layer) ----

fn read_str(s: &str, opts: &ReadOptions) -> trustscale::Result<ItemData> {
    let src = CsvSource::from_bytes(s.as_bytes().to_vec(), Some(Path::new("t.csv")), opts)?;
    let cols: Vec<ColumnRequest> = (0..src.names().len())
        .map(|index| ColumnRequest { index, range: None })
        .collect();
    src.read(&cols, None)
}

/// A quote-free CSV of `n` rows of 3 items with missing cells, blank lines and CRLF ends.
fn survey(n: usize) -> String {
    let mut s = String::from("a,b,c\n");
    for i in 0..n {
        let v = |m: usize| (i * m + i / 7) % 5 + 1;
        let b = if i % 11 == 0 {
            "NA".to_string()
        } else {
            v(3).to_string()
        };
        let c = if i % 13 == 0 {
            String::new()
        } else {
            v(7).to_string()
        };
        s.push_str(&format!("{},{b},{c}", v(1)));
        s.push_str(if i % 17 == 0 { "\r\n" } else { "\n" });
        if i % 101 == 0 {
            s.push('\n');
        }
    }
    s
}

/// The same records with the first cell quoted, which sends every row through the `csv`
/// crate's serial parser.
fn quoted(plain: &str) -> String {
    let (head, body) = plain.split_once('\n').unwrap();
    let (first, rest) = body.split_once(',').unwrap();
    format!("{head}\n\"{first}\",{rest}")
}

fn bits(d: &ItemData) -> Vec<u64> {
    d.values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn parallel_parse_equals_serial_parse() {
    let plain = survey(30_000);
    let opts = ReadOptions::default();
    let par = read_str(&plain, &opts).unwrap();
    let ser = read_str(&quoted(&plain), &opts).unwrap();
    assert_eq!(par.n(), 30_000);
    assert_eq!(bits(&par), bits(&ser));
    assert_eq!(par.rows, ser.rows);
    // empty lines are not records (as the csv crate has it): the last of 30,000 rows is row
    // 30,001
    assert_eq!(*par.rows.last().unwrap(), 30_001);
}

#[test]
fn parallel_parse_names_the_right_row() {
    let mut plain = survey(30_000);
    // spoil item b of the data row i = 24,999 (record row 25,001; line 25,248 counting from 0
    // with the header and the 248 empty lines before it)
    let lines: Vec<&str> = plain.lines().collect();
    let target = 1 + 24_999 + 248;
    let spoiled: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == target {
                let f: Vec<&str> = l.split(',').collect();
                format!("{},seven,{}", f[0], f[2])
            } else {
                l.to_string()
            }
        })
        .collect();
    plain = spoiled.join("\n");
    let want = format!(
        "t.csv: row {}, column \"b\": expected a number or a missing code (empty, NA, .), found \"seven\"",
        25_001
    );
    let opts = ReadOptions::default();
    assert_eq!(read_str(&plain, &opts).unwrap_err().to_string(), want);
    assert_eq!(
        read_str(&quoted(&plain), &opts).unwrap_err().to_string(),
        want
    );
    let src = CsvSource::from_bytes(plain.into_bytes(), Some(Path::new("t.csv")), &opts).unwrap();
    let e = src.read_sums(&cols3(), &[spec3()]).unwrap_err();
    assert_eq!(e.to_string(), want);
}

fn cols3() -> Vec<ColumnRequest> {
    (0..3)
        .map(|index| ColumnRequest { index, range: None })
        .collect()
}

fn spec3() -> SumsSpec {
    SumsSpec {
        columns: vec![0, 1, 2],
        reverse: vec![None; 3],
    }
}

#[test]
fn streamed_sums_equal_the_sums_of_the_rows() {
    let plain = survey(30_000);
    let opts = ReadOptions::default();
    let rows = read_str(&plain, &opts).unwrap();
    let want = Answers::from_item_data(&rows).unwrap().sums();
    for text in [plain.clone(), quoted(&plain)] {
        let src = CsvSource::from_bytes(text.into_bytes(), None, &opts).unwrap();
        let got = src.read_sums(&cols3(), &[spec3()]).unwrap().unwrap();
        assert_eq!(got.rows, 30_000);
        assert_eq!(got.scales[0], want);
    }
    // item c reverse keyed on a 1..5 scale: its sums are those of 6 - c
    let src = CsvSource::from_bytes(plain.clone().into_bytes(), None, &opts).unwrap();
    let spec = SumsSpec {
        columns: vec![2, 0],
        reverse: vec![Some(6), None],
    };
    let got = src.read_sums(&cols3(), &[spec]).unwrap().unwrap();
    let mut rev = rows.columns(&[2, 0]);
    rev.reverse(0, 1.0, 5.0);
    let want = Answers::from_item_data(&rev).unwrap().sums();
    assert_eq!(got.scales[0], want);
    // a fraction cannot be streamed as codes
    let frac = plain.replacen("\n1,", "\n1.5,", 1);
    let src = CsvSource::from_bytes(frac.into_bytes(), None, &opts).unwrap();
    assert!(src.read_sums(&cols3(), &[spec3()]).unwrap().is_none());
}

#[test]
fn codes_round_trip_and_refuse_fractions() {
    let nan = f64::NAN;
    let d = ItemData::new(vec!["a".into(), "b".into()], vec![1.0, nan, -3.0, 127.0]).unwrap();
    let a = Answers::from_item_data(&d).unwrap();
    assert_eq!(a.codes, vec![1, MISSING, -3, 127]);
    let back = a.to_item_data();
    assert_eq!(back.values[0], 1.0);
    assert!(back.values[1].is_nan());
    assert_eq!(back.values[2..], [-3.0, 127.0]);
    assert_eq!(code_of(2.5), None);
    assert_eq!(code_of(128.0), None);
    assert_eq!(code_of(-128.0), None);
}

#[test]
fn pair_sums_match_the_definition() {
    // rows (a, b, c); NA missing
    let na = PairSums::NA;
    let rows: [[i16; 3]; 5] = [[1, 2, 3], [2, na, 5], [4, 1, na], [5, 6, 2], [na, 3, 3]];
    let mut s = PairSums::new(3);
    for r in &rows {
        s.add_row(r);
    }
    // a with b: rows 1, 3, 4 -> n 3, sums 10 and 9, sxy 2 + 4 + 30 = 36
    let p = s.pair(0, 1, false);
    assert_eq!((p.n, p.sx, p.sy, p.sxy), (3, 10, 9, 36));
    assert_eq!((p.sxx, p.syy), (1 + 16 + 25, 4 + 1 + 36));
    // listwise: rows 1 and 4
    let l = s.pair(0, 1, true);
    assert_eq!((l.n, l.sx, l.sy, l.sxy), (2, 6, 8, 32));
    assert_eq!((s.rows, s.complete), (5, 2));
    // cov(a, b) over rows 1, 3, 4: (3*36 - 10*9) / (3*2) = 3
    assert_eq!(p.cov(), 3.0);
    // merging two halves gives the whole, exactly
    let mut h1 = PairSums::new(3);
    let mut h2 = PairSums::new(3);
    for (i, r) in rows.iter().enumerate() {
        if i < 2 { &mut h1 } else { &mut h2 }.add_row(r);
    }
    h1.merge(&h2);
    h1.flush();
    s.flush();
    assert_eq!(h1, s);
}
