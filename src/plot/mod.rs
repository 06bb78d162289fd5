//! Charts as SVG (plotters' SVG backend: text stays text, so no font files are needed).
//!
//! One function per chart kind; each takes a result and writes a self-contained SVG string,
//! so the CLI (`--plot FILE.svg`) and the HTML report embed the same picture.

use crate::error::{Error, Result};
use crate::factor::parallel::ParallelResult;
use crate::reliability::ReliabilityResult;
use plotters::prelude::*;

fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::option("--plot", format!("could not draw the chart: {e}"))
}

/// Item-total correlations (`r_drop`) and alpha if deleted per item, with the scale's alpha as
/// a dashed line: items below the line are the ones that help the scale.
pub fn reliability_chart(r: &ReliabilityResult, title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let k = r.items.len();
        let lo = r
            .items
            .iter()
            .flat_map(|i| [Some(i.r_drop), i.alpha_if_deleted])
            .flatten()
            .fold(0.0f64, f64::min)
            .min(0.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5f64..(k as f64 - 0.5), lo..1.2f64)
            .map_err(plot_err)?;
        let names: Vec<String> = r.items.iter().map(|i| i.item.clone()).collect();
        chart
            .configure_mesh()
            .x_labels(2 * k + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("item")
            .y_desc("correlation / alpha")
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(r.items.iter().enumerate().map(|(i, it)| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, 0.0), (x, it.r_drop)], BLUE.mix(0.7).filled())
            }))
            .map_err(plot_err)?
            .label("corrected item-total r")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.mix(0.7).filled()));
        chart
            .draw_series(r.items.iter().enumerate().filter_map(|(i, it)| {
                let x = i as f64;
                it.alpha_if_deleted
                    .map(|a| Rectangle::new([(x, 0.0), (x + 0.35, a)], RED.mix(0.5).filled()))
            }))
            .map_err(plot_err)?
            .label("alpha if item deleted")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], RED.mix(0.5).filled()));
        chart
            .draw_series(LineSeries::new(
                [(-0.5, r.alpha), (k as f64 - 0.5, r.alpha)],
                ShapeStyle {
                    color: BLACK.to_rgba(),
                    filled: false,
                    stroke_width: 2,
                },
            ))
            .map_err(plot_err)?
            .label(format!("alpha = {:.3}", r.alpha))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Scree plot: observed eigenvalues of components and factors with the parallel-analysis
/// references (95th percentiles of simulated eigenvalues).
pub fn scree_chart(r: &ParallelResult, title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let k = r.observed_pc.len();
        let hi = r
            .observed_pc
            .iter()
            .chain(&r.simulated_pc_p95)
            .fold(1.0f64, |a, &b| a.max(b))
            * 1.05;
        let lo = r.observed_fa.iter().fold(0.0f64, |a, &b| a.min(b));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.5f64..(k as f64 + 0.5), lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("factor / component number")
            .y_desc("eigenvalue")
            .draw()
            .map_err(plot_err)?;
        let series: [(&[f64], RGBColor, &str, bool); 4] = [
            (&r.observed_pc, BLUE, "components (observed)", true),
            (
                &r.simulated_pc_p95,
                BLUE,
                "components (simulated 95th pct)",
                false,
            ),
            (&r.observed_fa, RED, "factors (observed)", true),
            (
                &r.simulated_fa_p95,
                RED,
                "factors (simulated 95th pct)",
                false,
            ),
        ];
        for (vals, color, label, solid) in series {
            let pts: Vec<(f64, f64)> = vals
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, *v))
                .collect();
            let style = ShapeStyle {
                color: color.to_rgba(),
                filled: false,
                stroke_width: if solid { 2 } else { 1 },
            };
            chart
                .draw_series(LineSeries::new(pts.clone(), style))
                .map_err(plot_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], style));
            if solid {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())))
                    .map_err(plot_err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Writes an SVG chart to a file; only `.svg` is supported for now.
pub fn write_svg(path: &std::path::Path, svg: &str) -> Result<()> {
    if path.extension().and_then(|e| e.to_str()) != Some("svg") {
        return Err(Error::option(
            "--plot",
            format!("{}: charts are written as .svg files", path.display()),
        ));
    }
    std::fs::write(path, svg).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Coefficient forest plot: each predictor's estimate with its confidence interval (intercept
/// left out), and a dashed line at zero.
pub fn forest_chart(
    terms: &[(String, f64, [f64; 2])],
    title: &str,
    x_desc: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let k = terms.len().max(1);
        let root =
            SVGBackend::with_string(&mut svg, (720, (120 + 34 * k) as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let lo = terms.iter().map(|t| t.2[0]).fold(0.0f64, f64::min);
        let hi = terms.iter().map(|t| t.2[1]).fold(0.0f64, f64::max);
        let pad = 0.08 * (hi - lo).max(1e-9);
        let names: Vec<String> = terms.iter().map(|t| t.0.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(200)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5f64..(k as f64 - 0.5))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .y_labels(2 * k + 1)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-9 && i >= 0.0 {
                    // the first term at the top
                    names.get(k - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(x_desc)
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, -0.5), (0.0, k as f64 - 0.5)],
                BLACK.mix(0.6),
            ))
            .map_err(plot_err)?;
        for (i, (_, est, ci)) in terms.iter().enumerate() {
            let y = (k - 1 - i) as f64;
            chart
                .draw_series(LineSeries::new(
                    [(ci[0], y), (ci[1], y)],
                    ShapeStyle {
                        color: BLUE.to_rgba(),
                        filled: false,
                        stroke_width: 2,
                    },
                ))
                .map_err(plot_err)?;
            chart
                .draw_series(std::iter::once(Circle::new((*est, y), 4, BLUE.filled())))
                .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}
