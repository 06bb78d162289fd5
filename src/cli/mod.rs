//! The command-line interface: clap argument structs and orchestration only, nothing numeric.

pub mod cfa;
pub mod common;
pub mod describe;
pub mod efa;
pub mod evaluate;
pub mod framework;
pub mod icc;
pub mod instrument;
pub mod kappa;
pub mod krippendorff;
pub mod omega;
pub mod parallel;
pub mod polychoric;
pub mod power;
pub mod profile;
pub mod regress;
pub mod reliability;
pub mod report;
pub mod rwg;
pub mod score;
pub mod simulate;
pub mod study;

use clap::{Parser, Subcommand};

/// trustscale: validate survey measures of trust-building leadership.
#[derive(Debug, Parser)]
#[command(name = "trustscale", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scale reliability: alpha, standardised alpha, lambda 6, item statistics, omega.
    Reliability(reliability::Args),
    /// McDonald's omega (Schmid-Leiman): general and group loadings, omega per group factor.
    Omega(omega::Args),
    /// Subscale scores per respondent, as CSV.
    Score(score::Args),
    /// List, show, check instruments and write blank data templates.
    #[command(subcommand)]
    Instrument(instrument::Command),
    /// Exploratory factor analysis (minres, pa, ml; varimax, promax, oblimin, quartimin, geomin).
    Efa(efa::Args),
    /// Confirmatory factor analysis / SEM (lavaan syntax): ML or MLR, fit, validity, modification indices, invariance.
    Cfa(cfa::Args),
    /// Polychoric (or tetrachoric) correlations with thresholds.
    Polychoric(polychoric::Args),
    /// Parallel analysis: how many factors and components to retain.
    Parallel(parallel::Args),
    /// Intraclass correlations (Shrout & Fleiss) from wide or long ratings.
    Icc(icc::Args),
    /// Within-group agreement rwg(j), AD, ICC(1)/ICC(2) and the aggregation verdict.
    Rwg(rwg::Args),
    /// Cohen's (weighted) kappa for two raters, Fleiss' kappa for more.
    Kappa(kappa::Args),
    /// Krippendorff's alpha (nominal, ordinal, interval, ratio).
    Krippendorff(krippendorff::Args),
    /// What a data file holds: columns, types, labels, missing codes, rows, answers, ranges.
    Describe(describe::Args),
    /// Study files: check one against its data.
    #[command(subcommand)]
    Study(study::Command),
    /// Linear regression: OLS with robust/clustered SEs, blocks, dominance, cross-validation, REML multilevel.
    Regress(regress::Args),
    /// Monte Carlo power of a multi-level study design (and `power merge` of shards).
    Power(power::Args),
    /// Simulate Likert responses to an instrument from a known factor model.
    Simulate(simulate::Args),
    /// The whole validation report of a study: report.html, results.json and charts.
    Report(report::Args),
    /// Program evaluation: attrition, change per arm, the program effect, reliable change, self-other gap.
    Evaluate(evaluate::Args),
    /// Subscale profiles per leader (self vs collaborators, strengths) or per group.
    Profile(profile::Args),
    /// Tests the framework's claims: affective vs cognitive trust, competencies vs risks, specialised leaders.
    Framework(framework::Args),
}

/// Runs a parsed command line; the text to print on stdout.
pub fn run(cli: Cli) -> trustscale::Result<Output> {
    match cli.command {
        Command::Reliability(a) => reliability::run(a),
        Command::Score(a) => score::run(a),
        Command::Omega(a) => omega::run(a),
        Command::Instrument(c) => instrument::run(c),
        Command::Simulate(a) => simulate::run(a),
        Command::Power(a) => power::run(a),
        Command::Regress(a) => regress::run(a),
        Command::Study(c) => study::run(c),
        Command::Describe(a) => describe::run(a),
        Command::Icc(a) => icc::run(a),
        Command::Efa(a) => efa::run(a),
        Command::Cfa(a) => cfa::run(a),
        Command::Parallel(a) => parallel::run(a),
        Command::Polychoric(a) => polychoric::run(a),
        Command::Rwg(a) => rwg::run(a),
        Command::Kappa(a) => kappa::run(a),
        Command::Krippendorff(a) => krippendorff::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Report(a) => report::run(a),
        Command::Framework(a) => framework::run(a),
    }
}

/// What a command produced: text for stdout and warnings for stderr.
pub struct Output {
    /// Printed on stdout.
    pub stdout: String,
    /// Each printed on stderr as `warning: ...`.
    pub warnings: Vec<trustscale::Warning>,
}

impl Output {
    /// Output with no warnings.
    pub fn text(stdout: String) -> Self {
        Output {
            stdout,
            warnings: Vec::new(),
        }
    }
}

/// How a command separates its text tables (each command keeps the layout it has always
/// printed).
pub enum Layout {
    /// One after the other.
    Together,
    /// A blank line after each table.
    BlankAfterEach,
    /// A blank line between tables.
    BlankBetween,
}

/// What an analysis command prints: its JSON with `--json`, else its tables; its warnings go
/// to stderr.
pub fn print_output<O>(out: &O, json: bool, layout: Layout) -> trustscale::Result<Output>
where
    O: trustscale::analysis::Outcome + trustscale::render::Report,
{
    let stdout = if json {
        trustscale::analysis::to_json(out)?
    } else {
        let tables = out.tables();
        let tables = tables.iter().map(|t| t.to_string());
        match layout {
            Layout::Together => tables.collect(),
            Layout::BlankAfterEach => tables.map(|t| t + "\n").collect(),
            Layout::BlankBetween => tables.collect::<Vec<_>>().join("\n"),
        }
    };
    Ok(Output {
        stdout,
        warnings: out.warnings(),
    })
}

/// Writes an output's charts beside `--plot FILE`, when given.
pub fn write_plot(
    plot: Option<&std::path::Path>,
    out: &impl trustscale::plot::Charts,
) -> trustscale::Result<()> {
    if let Some(path) = plot {
        trustscale::plot::write_charts(path, &out.charts()?)?;
    }
    Ok(())
}
