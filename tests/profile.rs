//! `trustscale profile`: leader and group profiles checked against means computed here from the
//! CSV files and the instrument's item list, the charts, and the error paths.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use trustscale::instrument::{self, Instrument};

const STUDY: &str = "data/example-study/study.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(args: &[&str]) -> Value {
    common::json_out(args)
}

/// Runs a command expected to fail: exit 2, nothing on stdout, one line on stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = common::run_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    err.trim_end().to_string()
}

/// A data file read with the csv crate: header and records as text.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A row's subscale score as `trustscale score` defines it: the mean of the answered items,
/// reverse-keyed items as (min + max) - x, none when fewer than 80% were answered.
fn subscale_score(inst: &Instrument, sub: &str, header: &[String], row: &[String]) -> Option<f64> {
    let ends = (inst.scale.min + inst.scale.max) as f64;
    let items: Vec<_> = inst.items.iter().filter(|i| i.subscale == sub).collect();
    let mut answered = Vec::new();
    for it in &items {
        let j = header.iter().position(|h| *h == it.id).unwrap();
        let cell = row[j].trim();
        if cell.is_empty() || cell == "NA" {
            continue;
        }
        let x: f64 = cell.parse().unwrap();
        answered.push(if it.reverse { ends - x } else { x });
    }
    if answered.is_empty() || (answered.len() as f64) < 0.8 * items.len() as f64 {
        return None;
    }
    Some(answered.iter().sum::<f64>() / answered.len() as f64)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)).sqrt()
}

fn close(got: &Value, want: f64, what: &str) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!((g - want).abs() < 1e-12, "{what}: expected {want}, got {g}");
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Per leader: (self scores, observer scores) of one subscale, computed from the CSV.
fn leader_scores(inst: &Instrument, sub: &str) -> BTreeMap<String, (Vec<f64>, Vec<f64>)> {
    let (header, rows) = read_csv(&root().join("data/example-study/leader-ratings.csv"));
    let (lc, fc) = (col(&header, "leader_id"), col(&header, "form"));
    let mut out: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in &rows {
        let e = out.entry(r[lc].clone()).or_default();
        if let Some(s) = subscale_score(inst, sub, &header, r) {
            match r[fc].as_str() {
                "self" => e.0.push(s),
                "observer" => e.1.push(s),
                other => panic!("form {other}"),
            }
        }
    }
    out
}

#[test]
fn profile_leader_json_matches_means_computed_from_the_csv() {
    let inst = instrument::load("tblc").unwrap();
    let v = json(&[
        "profile",
        "--study",
        STUDY,
        "--instrument",
        "tblc",
        "--json",
    ]);
    for key in ["instrument", "kind", "subscales", "leaders", "summary"] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["instrument"], "tblc");
    assert_eq!(v["kind"], "leader");
    let subs: Vec<&str> = v["subscales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = inst.subscales.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(subs, want);
    assert_eq!(v["leaders"].as_array().unwrap().len(), 120);

    let leader = "G007-L";
    let l = v["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["leader"] == leader)
        .unwrap();
    let mut obs_means = Vec::new();
    let mut gaps = Vec::new();
    for (k, sub) in inst.subscales.iter().enumerate() {
        let all = leader_scores(&inst, &sub.id);
        let (selfs, obs) = &all[leader];
        let got = &l["subscales"][k];
        assert_eq!(got["subscale"], sub.id.as_str());
        close(&got["self_score"], mean(selfs), "self score");
        assert_eq!(got["observers"]["n"], obs.len());
        close(&got["observers"]["mean"], mean(obs), "observer mean");
        close(&got["observers"]["sd"], sd(obs), "observer sd");
        let min = obs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = obs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        close(&got["observers"]["min"], min, "observer min");
        close(&got["observers"]["max"], max, "observer max");
        close(&got["gap"], mean(selfs) - mean(obs), "gap");
        obs_means.push((sub.id.clone(), mean(obs)));
        gaps.push(mean(selfs) - mean(obs));
    }
    // strengths: at or above the leader's own average, highest first
    let avg = mean(&obs_means.iter().map(|x| x.1).collect::<Vec<_>>());
    close(&l["observer_average"], avg, "observer average");
    let mut strong: Vec<(String, f64)> = obs_means.into_iter().filter(|x| x.1 >= avg).collect();
    // ties (equal to 1e-9) stay in the instrument's order
    strong.sort_by(|a, b| (b.1 * 1e9).round().total_cmp(&(a.1 * 1e9).round()));
    let got: Vec<&str> = l["strengths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(got, strong.iter().map(|s| s.0.as_str()).collect::<Vec<_>>());
    assert!(!got.is_empty() && got.len() < inst.subscales.len());
    close(&l["mean_gap"], mean(&gaps), "mean gap");
}

#[test]
fn profile_leader_summary_is_mean_and_self_other_correlation_over_leaders() {
    let inst = instrument::load("tblc").unwrap();
    let v = json(&[
        "profile",
        "--study",
        STUDY,
        "--instrument",
        "tblc",
        "--json",
    ]);
    let k = 2; // process-navigator
    let sub = &inst.subscales[k].id;
    let all = leader_scores(&inst, sub);
    // a leader whose self-rating answered fewer than 80% of the subscale's items has no self
    // score: left out of the self scores, the gaps and the correlation
    let obs_all: Vec<f64> = all.values().map(|(_, o)| mean(o)).collect();
    let both: Vec<(f64, f64)> = all
        .values()
        .filter(|(s, _)| !s.is_empty())
        .map(|(s, o)| (mean(s), mean(o)))
        .collect();
    assert!(
        both.len() < all.len(),
        "the example study has a leader without a self score"
    );
    let selfs: Vec<f64> = both.iter().map(|p| p.0).collect();
    let obs: Vec<f64> = both.iter().map(|p| p.1).collect();
    let s = &v["summary"][k];
    assert_eq!(s["subscale"], sub.as_str());
    assert_eq!(s["observer_means"]["n"], 120);
    assert_eq!(s["self_scores"]["n"], selfs.len());
    close(
        &s["observer_means"]["mean"],
        mean(&obs_all),
        "mean of observer means",
    );
    close(&s["self_scores"]["mean"], mean(&selfs), "mean self score");
    let g: Vec<f64> = selfs.iter().zip(&obs).map(|(a, b)| a - b).collect();
    close(&s["gaps"]["mean"], mean(&g), "mean gap");
    let (ms, mo) = (mean(&selfs), mean(&obs));
    let sxy: f64 = selfs
        .iter()
        .zip(&obs)
        .map(|(a, b)| (a - ms) * (b - mo))
        .sum();
    let sxx: f64 = selfs.iter().map(|a| (a - ms).powi(2)).sum();
    let syy: f64 = obs.iter().map(|b| (b - mo).powi(2)).sum();
    close(&s["self_other_r"], sxy / (sxx * syy).sqrt(), "self-other r");
}

#[test]
fn profile_group_json_matches_means_computed_from_the_csv() {
    let inst = instrument::load("group-trust").unwrap();
    let v = json(&[
        "profile",
        "--study",
        STUDY,
        "--instrument",
        "group-trust",
        "--json",
    ]);
    assert_eq!(v["kind"], "group");
    assert!(v.get("leaders").is_none());
    assert_eq!(v["groups"].as_array().unwrap().len(), 120);
    let (header, rows) = read_csv(&root().join("data/example-study/member-ratings.csv"));
    let gc = col(&header, "group_id");
    for (k, sub) in inst.subscales.iter().enumerate() {
        let mut per: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in &rows {
            if let Some(s) = subscale_score(&inst, &sub.id, &header, r) {
                per.entry(r[gc].clone()).or_default().push(s);
            }
        }
        for gid in ["G005", "G093"] {
            let x = &per[gid];
            let g = v["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["group"] == gid)
                .unwrap();
            let got = &g["subscales"][k];
            assert_eq!(got["subscale"], sub.id.as_str());
            assert_eq!(got["n"], x.len());
            close(&got["mean"], mean(x), "group mean");
            close(&got["sd"], sd(x), "group sd");
            close(
                &got["min"],
                x.iter().copied().fold(f64::INFINITY, f64::min),
                "min",
            );
            close(
                &got["max"],
                x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                "max",
            );
        }
        let means: Vec<f64> = per.values().map(|x| mean(x)).collect();
        let s = &v["summary"][k];
        assert_eq!(s["group_means"]["n"], 120);
        close(
            &s["group_means"]["mean"],
            mean(&means),
            "mean of group means",
        );
        close(&s["group_means"]["sd"], sd(&means), "sd of group means");
    }
}

#[test]
fn profile_data_file_with_missing_cells_and_reverse_keys() {
    // every group-trust item in the instrument's order; its reverse keys apply
    let inst = instrument::load("group-trust").unwrap();
    let items: Vec<&str> = inst.items.iter().map(|i| i.id.as_str()).collect();
    let t = tempfile::tempdir().unwrap();
    let mut csv = format!("team,{}\n", items.join(","));
    let rows = [
        (
            "A",
            vec!["1", "2", "3", "4", "5", "6", "7", "6", "5", "4", "3", "2"],
        ),
        // 2 of 6 affective items missing: 4/6 < 80% answered, no affective score
        (
            "A",
            vec!["", "NA", "3", "3", "3", "3", "2", "2", "", "2", "2", "2"],
        ),
        (
            "B",
            vec!["4", "4", "4", "4", "4", "4", "1", "7", "1", "7", "1", "7"],
        ),
    ];
    for (g, r) in &rows {
        csv.push_str(&format!("{g},{}\n", r.join(",")));
    }
    std::fs::write(t.path().join("d.csv"), csv).unwrap();
    let out = common::run_in(
        t.path(),
        &[
            "profile",
            "d.csv",
            "--instrument",
            "group-trust",
            "--group-column",
            "team",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 of 3 ratings answered too few items"),
        "{stderr}"
    );
    let header: Vec<String> = std::iter::once("team".to_string())
        .chain(items.iter().map(|s| s.to_string()))
        .collect();
    for (k, sub) in inst.subscales.iter().enumerate() {
        for (gi, gid) in ["A", "B"].iter().enumerate() {
            let x: Vec<f64> = rows
                .iter()
                .filter(|(g, _)| g == gid)
                .filter_map(|(g, r)| {
                    let row: Vec<String> = std::iter::once(g.to_string())
                        .chain(r.iter().map(|s| s.to_string()))
                        .collect();
                    subscale_score(&inst, &sub.id, &header, &row)
                })
                .collect();
            let got = &v["groups"][gi]["subscales"][k];
            assert_eq!(got["n"], x.len(), "{gid} {}", sub.id);
            close(&got["mean"], mean(&x), "mean");
            if x.len() < 2 {
                assert!(got["sd"].is_null());
            }
        }
    }
    // group A's affective score comes from its first member only
    assert_eq!(v["groups"][0]["subscales"][0]["n"], 1);
}

#[test]
fn profile_data_file_gives_the_same_leader_profile_as_the_study() {
    let from_study = json(&[
        "profile",
        "--study",
        STUDY,
        "--instrument",
        "abi",
        "--leader",
        "G010-L",
        "--json",
    ]);
    let from_file = json(&[
        "profile",
        "data/example-study/leader-ratings.csv",
        "--instrument",
        "abi",
        "--target",
        "leader_id",
        "--form",
        "form",
        "--leader",
        "G010-L",
        "--json",
    ]);
    assert_eq!(from_study["leaders"], from_file["leaders"]);
    assert_eq!(from_study["leaders"].as_array().unwrap().len(), 1);
    // the summary stays over every leader
    assert_eq!(from_study["summary"][0]["observer_means"]["n"], 120);
}

/// Whether a subscale name is drawn whole: on one line, or on two consecutive lines (the
/// chart wraps long names under their slot).
fn drawn_whole(texts: &[String], name: &str) -> bool {
    texts.iter().any(|t| t == name)
        || texts
            .windows(2)
            .any(|w| format!("{} {}", w[0], w[1]) == name)
}

#[test]
fn profile_leader_plot_is_svg_with_leader_and_subscales() {
    let inst = instrument::load("tblc").unwrap();
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("leader.svg");
    let out = common::run_in(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "tblc",
            "--leader",
            "G001-L",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    roxmltree::Document::parse(&svg).unwrap();
    let tx = common::svg_texts(&svg);
    assert!(tx[0].contains("G001-L"), "title {:?}", tx[0]);
    for s in &inst.subscales {
        assert!(drawn_whole(&tx, &s.name), "missing {:?} in {tx:?}", s.name);
    }
    // the legend counts the leader's collaborators, counted here from the CSV
    let (header, rows) = read_csv(&root().join("data/example-study/leader-ratings.csv"));
    let (lc, fc) = (col(&header, "leader_id"), col(&header, "form"));
    let k = rows
        .iter()
        .filter(|r| r[lc] == "G001-L" && r[fc] == "observer")
        .count();
    assert!(tx.iter().any(|t| t == "self"));
    let want = format!("collaborators (mean ± 1 SD, n = {k})");
    assert!(tx.contains(&want), "missing {want:?} in {tx:?}");
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    // the leader's strengths are shaded: one slot each, plus the key's swatch
    let v = json(&[
        "profile",
        "--study",
        STUDY,
        "--instrument",
        "tblc",
        "--leader",
        "G001-L",
        "--json",
    ]);
    let strengths = v["leaders"][0]["strengths"].as_array().unwrap().len();
    assert!(strengths > 0 && strengths < inst.subscales.len());
    assert!(
        tx.iter().any(|t| t.starts_with("strength (collaborators")),
        "no key for the shaded strengths in {tx:?}"
    );
    let shaded = svg.matches("fill=\"#DEF0E4\"").count();
    assert_eq!(shaded, strengths + 1, "shaded slots and key swatch");
}

#[test]
fn profile_several_leaders_write_one_png_each() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("p.png");
    let out = common::run_in(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "tblc",
            "--leader",
            "G001-L,G002-L",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for id in ["G001-L", "G002-L"] {
        let bytes = std::fs::read(t.path().join(format!("p-{id}.png"))).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{id}: not a PNG");
    }
    assert!(!plot.exists());
}

#[test]
fn profile_group_plot_is_svg_with_group_and_subscales() {
    let t = tempfile::tempdir().unwrap();
    let plot = t.path().join("group.svg");
    let out = common::run_in(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "group-trust",
            "--group",
            "G003",
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    roxmltree::Document::parse(&svg).unwrap();
    let tx = common::svg_texts(&svg);
    assert!(tx[0].contains("G003"), "title {:?}", tx[0]);
    for want in [
        "Affective trust",
        "Cognitive trust",
        "members (mean ± 1 SD)",
    ] {
        assert!(drawn_whole(&tx, want), "missing {want:?} in {tx:?}");
    }
}

#[test]
fn profile_text_output_shows_tables() {
    let out = common::run_in(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "tblc",
            "--leader",
            "G001-L",
        ],
    );
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Leader profiles: Trust-Building Leadership Competencies (tblc)"));
    assert!(s.contains("Strengths"));
    assert!(s.contains("Across all leaders"));
    assert_eq!(s.matches("G001-L").count(), 6 + 1);
}

#[test]
fn profile_unknown_leader_exits_2_naming_it() {
    let e = fails(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "tblc",
            "--leader",
            "G001-L,G999-X",
        ],
    );
    assert!(e.starts_with("error: option --leader"), "{e}");
    assert!(e.contains("\"G999-X\""), "{e}");
}

#[test]
fn profile_unknown_group_exits_2_naming_it() {
    let e = fails(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "group-trust",
            "--group",
            "G1000",
        ],
    );
    assert!(e.starts_with("error: option --group"), "{e}");
    assert!(e.contains("\"G1000\""), "{e}");
}

#[test]
fn profile_plot_without_ids_exits_2_naming_the_flag() {
    let t = tempfile::tempdir().unwrap();
    let e = fails(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "tblc",
            "--plot",
            t.path().join("x.svg").to_str().unwrap(),
        ],
    );
    assert!(e.starts_with("error: option --plot"), "{e}");
    assert!(e.contains("--leader"), "{e}");
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn profile_leader_flag_on_group_data_exits_2() {
    let e = fails(
        &root(),
        &[
            "profile",
            "--study",
            STUDY,
            "--instrument",
            "group-trust",
            "--leader",
            "G001-L",
        ],
    );
    assert!(e.contains("--leader") && e.contains("--group"), "{e}");
}

#[test]
fn profile_bad_form_value_names_row_and_column() {
    let inst = instrument::load("abi").unwrap();
    let items: Vec<&str> = inst.items.iter().map(|i| i.id.as_str()).collect();
    let t = tempfile::tempdir().unwrap();
    let mut csv = format!("who,form,{}\n", items.join(","));
    for (who, form) in [("L1", "self"), ("L1", "observer"), ("L1", "boss")] {
        let cells = vec!["3"; items.len()].join(",");
        csv.push_str(&format!("{who},{form},{cells}\n"));
    }
    std::fs::write(t.path().join("d.csv"), csv).unwrap();
    let e = fails(
        t.path(),
        &[
            "profile",
            "d.csv",
            "--instrument",
            "abi",
            "--target",
            "who",
            "--form",
            "form",
        ],
    );
    assert_eq!(
        e,
        "error: d.csv: row 4, column \"form\": expected a form: self or observer, found \"boss\""
    );
}
