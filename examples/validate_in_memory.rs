//! trustscale as a library: validate a measure on data held in memory, then write a study's
//! whole validation report.
//!
//! ```text
//! cargo run --release --example validate_in_memory
//! ```
//!
//! 1. Simulates 400 respondents answering the `tblc` instrument (six subscales, Likert items)
//!    from a known factor model (loadings 0.7, factor correlations 0.3), in memory.
//! 2. Runs reliability, EFA and CFA on them through the same requests the `trustscale`
//!    commands run, reads a few numbers from the typed outputs and prints their contract JSON.
//! 3. Builds the report of the shipped example study with `trustscale::report::build` (feature
//!    `plot`, on by default) and writes it to a folder under the system's temp folder.
//!
//! Any array of answers works the same way:
//! `DataRequest::memory(ItemData::from_array(array.view(), &names)?)`.

use std::path::Path;
use trustscale::instrument;
use trustscale::prelude::*;
use trustscale::simulate::likert::{simulate_instrument, SimulateOptions};

fn main() -> Result<()> {
    // 1. Answers in memory: rows are respondents, columns are the instrument's items.
    let tblc = instrument::load("tblc")?;
    let opts = SimulateOptions {
        n: 400,
        seed: 7,
        ..SimulateOptions::default()
    };
    let (answers, _model) = simulate_instrument(&tblc, &opts)?;
    println!(
        "{} respondents x {} items of {}",
        answers.n(),
        answers.k(),
        tblc.id
    );

    // The items, reverse keys and response range come from the instrument, as with
    // `--instrument tblc` on a CSV file.
    let data = DataRequest {
        instrument: Some("tblc".into()),
        ..DataRequest::memory(answers)
    };

    // 2a. Reliability of every subscale.
    let reliability = ReliabilityRequest {
        data: data.clone(),
        ..ReliabilityRequest::default()
    }
    .run()?;
    for s in &reliability.scales {
        let r = &s.result;
        println!(
            "{:<24} alpha = {:.3} [{:.3}, {:.3}]",
            s.scale, r.alpha, r.alpha_ci[0], r.alpha_ci[1]
        );
    }

    // 2b. EFA with one factor per subscale: each subscale should find its own factor.
    let efa = EfaRequest {
        data: data.clone(),
        ..EfaRequest::default()
    }
    .run()?;
    let flagged = efa.item_flags.iter().filter(|f| f.flag.is_some()).count();
    println!(
        "EFA: {} factors, {} of {} items flagged",
        efa.result.factors,
        flagged,
        efa.item_flags.len()
    );

    // 2c. CFA of the instrument's model (one factor per subscale).
    let cfa = CfaRequest {
        data,
        ..CfaRequest::default()
    }
    .run()?;
    let fit = &cfa.result.fit;
    println!(
        "CFA: chi2({}) = {:.1}, CFI = {:.3}, RMSEA = {:.3}, SRMR = {:.3}",
        fit.df,
        fit.chisq,
        fit.cfi.unwrap_or(f64::NAN),
        fit.rmsea.unwrap_or(f64::NAN),
        fit.srmr
    );

    // The same numbers as contract JSON (what `--json` prints), from the typed outputs.
    let first = reliability
        .scales
        .first()
        .ok_or_else(|| Error::option("--instrument", "no subscale"))?;
    println!(
        "reliability JSON of {}:\n{}",
        first.scale,
        to_json(&first.result)?
    );
    println!("CFA fit JSON:\n{}", to_json(fit)?);
    for (name, json) in [
        ("reliability", to_json(&reliability)?),
        ("efa", to_json(&efa)?),
        ("cfa", to_json(&cfa)?),
    ] {
        println!("{name}: {} bytes of contract JSON", json.len());
    }
    let warnings = reliability.warnings().len() + efa.warnings().len() + cfa.warnings().len();
    println!("{warnings} warning(s)");

    // 3. The example study's whole validation report, written to a temp folder.
    let study_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-study/study.toml");
    let study = Study::load(&study_file)?;
    let out = std::env::temp_dir().join("trustscale-example-report");
    let report = build(
        &study,
        &ReportOptions {
            out: out.clone(),
            ..ReportOptions::default()
        },
    )?;
    // the folder is this example's own: `force` also replaces one written before reports kept
    // a manifest of their files
    report.write_with(&out, true)?;
    println!(
        "report: {} ({} sections, {} charts)",
        out.join("report.html").display(),
        report.document.sections.len(),
        report.charts.len()
    );
    Ok(())
}
