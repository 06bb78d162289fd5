//! `trustscale parallel`.

use super::common::{merge_scales, to_json, CorArg, DataArgs};
use super::Output;
use nalgebra::DMatrix;
use trustscale::correlation::{covariance, Missing};
use trustscale::data::ItemData;
use trustscale::factor::parallel::{parallel, ParallelOptions, ParallelResult};
use trustscale::render::{num, Table};
use trustscale::Result;

/// Arguments of `parallel`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Simulated data sets.
    #[arg(long, default_value_t = 20)]
    iterations: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Correlations: pearson or polychoric (polychoric compares with resamples of the data).
    #[arg(long, value_enum, default_value = "pearson")]
    cor: CorArg,
    /// Compare with resamples of the observed data instead of normal data.
    #[arg(long)]
    resample: bool,
    /// Write the scree plot with the parallel-analysis references (SVG).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Print JSON (the contract's keys).
    #[arg(long)]
    json: bool,
}

/// The correlation function handed to the parallel analysis.
fn cor_fn(cor: CorArg) -> impl Fn(&ItemData) -> Result<DMatrix<f64>> + Sync {
    move |d: &ItemData| match cor {
        CorArg::Pearson => Ok(covariance(d, Missing::Pairwise)?.pairwise_cor()),
        CorArg::Polychoric => {
            use trustscale::correlation::polychoric::{polychoric, PolychoricOptions};
            Ok(polychoric(d, &PolychoricOptions::default())?.rho)
        }
    }
}

fn run_parallel(
    data: &ItemData,
    cor: CorArg,
    listwise: bool,
    iterations: usize,
    seed: u64,
    resample: bool,
) -> Result<ParallelResult> {
    let owned;
    let data = if listwise {
        owned = data.listwise();
        &owned
    } else {
        data
    };
    data.require_complete_rows(3)?;
    data.require_variance()?;
    let opts = ParallelOptions {
        iterations,
        seed,
        resample: resample || cor == CorArg::Polychoric,
        ..ParallelOptions::default()
    };
    opts.validate()?;
    parallel(data, &cor_fn(cor), &opts)
}

/// The number of factors parallel analysis suggests (for `efa --factors auto`).
pub fn suggested_factors(
    data: &ItemData,
    cor: CorArg,
    listwise: bool,
    iterations: usize,
    seed: u64,
) -> Result<usize> {
    Ok(run_parallel(data, cor, listwise, iterations, seed, false)?.suggested_factors)
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let (scales, _) = a.data.load()?;
    let (data, _) = merge_scales(&scales);
    let r = run_parallel(
        &data,
        a.cor,
        a.data.listwise,
        a.iterations,
        a.seed,
        a.resample,
    )?;
    if let Some(plot) = &a.plot {
        trustscale::plot::write(
            plot,
            &trustscale::plot::ScreeChart {
                result: &r,
                title: "Scree plot with parallel analysis".into(),
            },
        )?;
    }
    let stdout = if a.json {
        to_json(&r)?
    } else {
        let rows = (0..r.observed_pc.len())
            .map(|i| {
                vec![
                    (i + 1).to_string(),
                    num(r.observed_pc[i], 3),
                    num(r.simulated_pc_p95[i], 3),
                    num(r.observed_fa[i], 3),
                    num(r.simulated_fa_p95[i], 3),
                ]
            })
            .collect();
        Table {
            title: "Parallel analysis (Horn, 1965)".into(),
            summary: vec![
                format!(
                    "n = {}, {} items, {} {} data sets ({} correlations), seed {}",
                    r.n,
                    r.observed_pc.len(),
                    r.iterations,
                    if matches!(r.reference, trustscale::factor::parallel::Reference::Normal) { "normal" } else { "resampled" },
                    a.cor.name(),
                    r.seed
                ),
                format!("suggested: {} factors, {} components", r.suggested_factors, r.suggested_components),
            ],
            columns: ["#", "PC observed", "PC simulated p95", "FA observed", "FA simulated p95"].map(String::from).to_vec(),
            rows,
            notes: vec!["A factor (component) is retained while its observed eigenvalue exceeds the 95th percentile of the simulated ones.".into()],
        }
        .to_string()
    };
    Ok(Output {
        stdout,
        warnings: r.warnings.clone(),
    })
}
