//! `trustscale simulate`.

use super::Output;
use std::path::PathBuf;
use trustscale::instrument;
use trustscale::simulate::likert::to_csv;
use trustscale::simulate::{simulate_instrument, SimulateOptions};
use trustscale::{Error, Result};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instrument id or file (one factor per subscale).
    #[arg(long, conflicts_with = "model")]
    instrument: Option<String>,
    /// A population model (model.toml): writes a whole study (data files, study.toml, truth) to --out.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Respondents.
    #[arg(long, default_value_t = 400)]
    n: usize,
    /// Seed (the same seed gives the same file on every platform; default 1, or the model's).
    #[arg(long)]
    seed: Option<u64>,
    /// Standardised loading of every item.
    #[arg(long, default_value_t = 0.7)]
    loadings: f64,
    /// Correlation between subscale factors.
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    factor_cor: f64,
    /// Write the CSV here instead of stdout (with --model: the output folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    if let Some(model) = &a.model {
        return run_model(model, a.seed, a.out.as_deref());
    }
    let Some(id) = &a.instrument else {
        return Err(Error::option(
            "--instrument",
            "give an instrument (--instrument tblc) or a population model (--model model.toml)",
        ));
    };
    let inst = instrument::load(id)?;
    let opts = SimulateOptions {
        n: a.n,
        seed: a.seed.unwrap_or(1),
        loadings: a.loadings,
        factor_cor: a.factor_cor,
    };
    let (data, _) = simulate_instrument(&inst, &opts)?;
    let csv = to_csv(&data);
    match a.out {
        Some(p) => {
            std::fs::write(&p, csv).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            Ok(Output::text(format!(
                "wrote {} responses to {} items of {} to {}\n",
                a.n,
                data.k(),
                inst.id,
                p.display()
            )))
        }
        None => Ok(Output::text(csv)),
    }
}

fn write(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `simulate --model`: a whole multi-level study.
fn run_model(
    model: &std::path::Path,
    seed: Option<u64>,
    out: Option<&std::path::Path>,
) -> Result<Output> {
    use trustscale::simulate::population::{csv_text, load_model};
    let Some(dir) = out else {
        return Err(Error::option(
            "--out",
            "give the output folder of the study (--out data/my-study)",
        ));
    };
    let text = std::fs::read_to_string(model).map_err(|source| Error::Io {
        path: model.to_path_buf(),
        source,
    })?;
    let m = load_model(&text, model)?;
    let c = m.compile()?;
    let seed = seed.unwrap_or(m.seed);
    let s = c.generate_default(seed)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write(
        &dir.join("leader-ratings.csv"),
        &csv_text(&s.leader_header, &s.leader_rows),
    )?;
    write(
        &dir.join("member-ratings.csv"),
        &csv_text(&s.member_header, &s.member_rows),
    )?;
    let mut th = vec!["group_id".to_string(), "arena".into(), "raters".into()];
    th.extend(c.leader_latents.iter().map(|l| format!("true:{l}")));
    th.extend(c.group_latents.iter().map(|l| format!("true:{l}")));
    let rows: Vec<Vec<String>> = s
        .truth
        .iter()
        .map(|t| {
            let mut r = vec![t.group.clone(), t.arena.clone(), t.raters.to_string()];
            r.extend(
                t.leader
                    .iter()
                    .chain(&t.group_latents)
                    .map(|v| format!("{v:.6}")),
            );
            r
        })
        .collect();
    write(&dir.join("truth.csv"), &csv_text(&th, &rows))?;
    let ids = |v: &[trustscale::simulate::population::InstrumentModel]| {
        v.iter()
            .map(|i| format!("\"{}\"", i.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let study = format!(
        "# Written by `trustscale simulate --model {}` (seed {seed}).\ntitle = \"{}\"\n\n[[datasets]]\nname = \"leader-ratings\"\npath = \"leader-ratings.csv\"\nrespondent = \"respondent_id\"\ngroup = \"group_id\"\ntarget = \"leader_id\"\nform = \"form\"\narena = \"arena\"\ninstruments = [{}]\n\n[[datasets]]\nname = \"member-ratings\"\npath = \"member-ratings.csv\"\nrespondent = \"respondent_id\"\ngroup = \"group_id\"\nform_value = \"member\"\narena = \"arena\"\ninstruments = [{}]\n",
        model.display(),
        m.title.replace('"', "'"),
        ids(&m.leader.instruments),
        ids(&m.group.instruments)
    );
    // the instruments the model gives effects on are the study's outcomes
    let mut outcomes: Vec<String> = Vec::new();
    for o in m.effects.keys() {
        let id = o.split(':').next().unwrap_or(o).to_string();
        if !outcomes.contains(&id) {
            outcomes.push(id);
        }
    }
    let study = if outcomes.is_empty() {
        study
    } else {
        study.replacen(
            "\n\n[[datasets]]",
            &format!(
                "\noutcomes = [{}]\n\n[[datasets]]",
                outcomes
                    .iter()
                    .map(|o| format!("\"{o}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            1,
        )
    };
    write(&dir.join("study.toml"), &study)?;
    Ok(Output::text(format!(
        "wrote a study of {} groups ({} leader-rating rows, {} member-rating rows) to {}\n",
        s.truth.len(),
        s.leader_rows.len(),
        s.member_rows.len(),
        dir.display()
    )))
}
