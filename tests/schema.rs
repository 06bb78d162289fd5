//! The JSON Schemas in `docs/schema/` are the contract of every command's `--json` output:
//! they must equal what `trustscale::analysis::schema::all()` generates from the output types
//! (else they are stale), and every command's output on the shipped data must validate against
//! the committed file.
//!
//! Regenerate the files after changing an output type:
//! `cargo test --test schema -- --ignored write_schemas`.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use trustscale::analysis::schema::{all, to_file_text};

const REGENERATE: &str = "cargo test --test schema -- --ignored write_schemas";

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

fn schema_file(name: &str) -> PathBuf {
    schema_dir().join(format!("{name}.schema.json"))
}

/// Writes every schema to `docs/schema/` (run by hand, see [`REGENERATE`]).
#[test]
#[ignore = "writes docs/schema/; run by hand to regenerate"]
fn write_schemas() {
    std::fs::create_dir_all(schema_dir()).unwrap();
    for (name, schema) in all() {
        std::fs::write(schema_file(name), to_file_text(&schema)).unwrap();
    }
}

#[test]
fn committed_schemas_are_current() {
    let mut stale = Vec::new();
    for (name, schema) in all() {
        let path = schema_file(name);
        match std::fs::read_to_string(&path) {
            Ok(text) if text == to_file_text(&schema) => {}
            Ok(_) => stale.push(format!("{} differs from the output types", path.display())),
            Err(e) => stale.push(format!("{}: {e}", path.display())),
        }
    }
    let expected: BTreeSet<String> = all()
        .iter()
        .map(|(n, _)| format!("{n}.schema.json"))
        .collect();
    for entry in std::fs::read_dir(schema_dir()).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().to_string();
        if file.ends_with(".schema.json") && !expected.contains(&file) {
            stale.push(format!("docs/schema/{file} belongs to no command"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale JSON Schemas:\n  {}\nregenerate them with `{REGENERATE}` and commit docs/schema/",
        stale.join("\n  ")
    );
}

/// The committed schema of a command, compiled.
fn validator(name: &str) -> jsonschema::Validator {
    let path = schema_file(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `{REGENERATE}`", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{}: not a valid schema: {e}", path.display()))
}

/// Runs `trustscale ARGS --json` in `dir`, expects success and JSON.
fn output(dir: &Path, args: &[String]) -> Value {
    let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
    if !argv.contains(&"--json") {
        argv.push("--json");
    }
    let out = common::run_in(dir, &argv);
    assert!(
        out.status.success(),
        "trustscale {}: {}",
        argv.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("trustscale {}: not JSON: {e}", argv.join(" ")))
}

/// Every command line to check: `(schema name, folder to run in, arguments)`.
fn commands() -> Vec<(String, PathBuf, Vec<String>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let study = "data/example-study/study.toml";
    let survey = "data/example-survey.csv";
    let mut v: Vec<(String, PathBuf, Vec<String>)> = Vec::new();
    let mut add = |name: &str, line: String| {
        v.push((name.into(), root.clone(), common::split_command(&line)));
    };
    // the shipped data: one scale and several, by hand, from an instrument and from the study
    add(
        "reliability",
        format!("reliability {survey} --items NO1:NO6"),
    );
    add(
        "reliability",
        format!("reliability {survey} --instrument tblc"),
    );
    add(
        "reliability",
        format!("reliability {survey} --instrument tblc --ordinal"),
    );
    add(
        "reliability",
        format!("reliability --study {study} --instrument tblc --scale process-navigator"),
    );
    add(
        "reliability",
        format!("reliability --study {study} --instrument group-trust"),
    );
    add(
        "omega",
        format!("omega {survey} --items NO1:SIB6 --factors 2"),
    );
    add("omega", format!("omega {survey} --instrument tblc"));
    add("omega", format!("omega {survey} --instrument tblc --whole"));
    add("efa", format!("efa --study {study} --instrument tblc"));
    add(
        "efa",
        format!("efa {survey} --instrument tblc --factors auto"),
    );
    add(
        "parallel",
        format!("parallel {survey} --instrument tblc --iterations 20 --seed 1"),
    );
    add("polychoric", format!("polychoric {survey} --items NO1:NO6"));
    add("cfa", format!("cfa {survey} --instrument tblc"));
    add("cfa", format!("cfa --study {study} --instrument tblc --mi"));
    add(
        "rwg",
        format!("rwg --study {study} --instrument group-trust"),
    );
    add(
        "rwg",
        format!("rwg --study {study} --instrument tblc --scale process-navigator"),
    );
    add(
        "icc",
        "icc data/example-study/leader-ratings.csv --target leader_id --rater respondent_id \
         --value NO1"
            .into(),
    );
    add(
        "profile",
        format!("profile --study {study} --instrument tblc"),
    );
    add(
        "profile",
        format!("profile --study {study} --instrument group-self-assessment --group G001"),
    );
    add(
        "framework",
        format!("framework --study {study} --bootstrap 200"),
    );
    add("study-check", format!("study check {study}"));
    add(
        "study-check",
        "study check tests/fixtures/evaluate/program/study.toml".into(),
    );
    add(
        "evaluate",
        "evaluate --study tests/fixtures/evaluate/program/study.toml".into(),
    );
    add(
        "evaluate",
        "evaluate --study tests/fixtures/evaluate/program/study-hc3.toml --instrument group-climate"
            .into(),
    );
    add(
        "describe",
        "describe data/example-study/leader-ratings.csv".into(),
    );
    add(
        "describe",
        "describe tests/fixtures/formats/labelled-byte.sav".into(),
    );
    add(
        "describe",
        "describe tests/fixtures/formats/labelled-14.dta".into(),
    );
    add("instrument-list", "instrument list".into());
    add("instrument-show", "instrument show tblc".into());
    add("instrument-show", "instrument show group-trust".into());
    // the reference cases' commands, on their own data
    for analysis in [
        "reliability",
        "efa",
        "parallel",
        "polychoric",
        "cfa",
        "regress",
        "agreement",
    ] {
        for case in common::cases(analysis) {
            let c: Value =
                serde_json::from_str(&std::fs::read_to_string(case.join("case.json")).unwrap())
                    .unwrap();
            let args = common::split_command(c["command"].as_str().unwrap());
            assert_eq!(args[0], "trustscale");
            let args = args[1..].to_vec();
            // the schema is the command's: agreement/ holds several commands
            let command = args[0].clone();
            v.push((command, case, args));
        }
    }
    v
}

#[test]
fn every_command_output_validates_against_its_schema() {
    let mut failures = Vec::new();
    let mut checked = BTreeSet::new();
    for (name, dir, args) in commands() {
        let validator = validator(&name);
        let started = std::time::Instant::now();
        let json = output(&dir, &args);
        eprintln!(
            "{:>6.1}s trustscale {}",
            started.elapsed().as_secs_f64(),
            args.join(" ")
        );
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| {
                let mut m = e.to_string();
                if m.len() > 300 {
                    let cut = (0..=300).rev().find(|&i| m.is_char_boundary(i)).unwrap();
                    m.truncate(cut);
                    m.push_str("...");
                }
                format!("at {}: {m}", e.instance_path())
            })
            .take(5)
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "trustscale {} ({name}.schema.json):\n    {}",
                args.join(" "),
                errors.join("\n    ")
            ));
        }
        checked.insert(name);
    }
    let missing: Vec<&str> = all()
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !checked.contains(*n))
        .collect();
    assert!(missing.is_empty(), "no command checked against {missing:?}");
    assert!(
        failures.is_empty(),
        "outputs that do not match their schema:\n{}",
        failures.join("\n")
    );
}
