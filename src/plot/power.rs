//! Power curves of a simulated design.

use super::{
    apa, colour, legend, plot_err, stroke, text, title_width, whole_number, Figure, DESC_PX,
    TICK_PX, TITLE_PX,
};
use crate::error::Result;
use crate::simulate::power::PowerRun;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve: power at each number of groups, with its Monte Carlo interval.
pub struct PowerCurve {
    /// Legend label (e.g. "8 raters per group").
    pub label: String,
    /// (groups, power, interval).
    pub points: Vec<(f64, f64, Option<[f64; 2]>)>,
}

/// Power against the number of groups, one curve per raters-per-group value, with the target
/// power as a dashed line.
pub struct PowerCurves {
    /// Title.
    pub title: String,
    /// Curves.
    pub curves: Vec<PowerCurve>,
    /// Target power (.80 by convention).
    pub target: f64,
}

impl Figure for PowerCurves {
    fn size(&self) -> (u32, u32) {
        // wide enough for the title
        (title_width(&self.title).clamp(760, 1200) as u32, 460)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let xs = self
            .curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.0));
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let (lo, hi) = if lo < hi {
            (lo, hi)
        } else {
            (lo - 1.0, lo + 1.0)
        };
        let pad = 0.04 * (hi - lo);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(54)
            .y_label_area_size(68)
            .build_cartesian_2d((lo - pad)..(hi + pad), 0.0f64..1.0f64)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_label_formatter(&|x| whole_number(*x))
            .x_desc("groups")
            .y_desc("power")
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new(
                [(lo - pad, self.target), (hi + pad, self.target)],
                stroke(RGBColor(110, 110, 110), 1),
            ))
            .map_err(plot_err)?
            .label(format!("target {}", apa(self.target, 2, true)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.mix(0.6)));
        for (i, curve) in self.curves.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<(f64, f64)> = curve.points.iter().map(|p| (p.0, p.1)).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), stroke(c, 2)))
                .map_err(plot_err)?
                .label(curve.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], stroke(c, 2)));
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                .map_err(plot_err)?;
            for (x, _, ci) in &curve.points {
                if let Some([a, b]) = ci {
                    chart
                        .draw_series(LineSeries::new([(*x, *a), (*x, *b)], stroke(c, 1)))
                        .map_err(plot_err)?;
                }
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// Rejects a `--plot` file that is neither `.svg` nor `.png` (checked before a long run, not
/// after it).
pub fn check_plot_file(p: &std::path::Path) -> Result<()> {
    match p.extension().and_then(|e| e.to_str()) {
        Some("svg") | Some("png") => Ok(()),
        _ => Err(crate::error::Error::option(
            "--plot",
            format!("{}: charts are written as .svg or .png files", p.display()),
        )),
    }
}

/// Formats an effect scale for a file name and a title: `0.5`, `1`.
fn scale_label(x: f64) -> String {
    format!("{x}")
}

/// `power --plot FILE`: the power curves of a run, with the suffix of each chart's file name (empty: the `--plot`
/// file itself).
///
/// One chart per predictor and effect scale (each predictor's test in the run's analysis has its
/// own power): x = total number of groups, one curve per raters-per-group value. A point is the
/// share $\hat p$ of the cell's $R$ successful replications with $p < \alpha$, with the Monte
/// Carlo (Wald) 95% interval
/// $$\hat p \pm 1.96\sqrt{\hat p(1-\hat p)/R}$$
/// clipped to [0, 1]. Cells without a successful replication are left out. The suffix names the
/// predictor (`tblc-process-navigator`) when the run has several, and the effect scale
/// (`effect-0.5`) when it has several.
impl super::Charts for crate::analysis::power::PowerOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        Ok(power_charts(&self.run)
            .into_iter()
            .map(|(suffix, chart)| super::NamedChart {
                suffix: (!suffix.is_empty()).then_some(suffix),
                chart: super::Chart::Power(chart),
            })
            .collect())
    }
}

fn power_charts(run: &PowerRun) -> Vec<(String, PowerCurves)> {
    let s = &run.settings;
    let safe = |t: &str| -> String {
        t.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let mut raters = s.raters.clone();
    raters.sort_unstable();
    raters.dedup();
    let mut charts = Vec::new();
    for (j, term) in s.predictors.iter().enumerate() {
        for &scale in &s.effect_scale {
            let curves: Vec<PowerCurve> = raters
                .iter()
                .map(|&k| {
                    let mut points: Vec<(f64, f64, Option<[f64; 2]>)> = run
                        .summary
                        .iter()
                        .filter(|c| {
                            c.spec.raters == k
                                && c.spec.effect_scale.to_bits() == scale.to_bits()
                                && c.replications > 0
                        })
                        .filter_map(|c| {
                            let p = c.effects.get(j)?.power;
                            let h = 1.96 * (p * (1.0 - p) / c.replications as f64).sqrt();
                            Some((
                                c.spec.groups as f64,
                                p,
                                Some([(p - h).max(0.0), (p + h).min(1.0)]),
                            ))
                        })
                        .collect();
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    PowerCurve {
                        label: format!("{k} raters per group"),
                        points,
                    }
                })
                .collect();
            let beta = run.true_effects.get(j).map(|b| b * scale);
            let analysis = crate::analysis::power::analysis_name(s.analysis);
            let mut title = format!("Power ({analysis}): {term} → {}", s.outcome);
            if let Some(b) = beta {
                title.push_str(&format!(", β = {}", apa(b, 2, true)));
            }
            if s.effect_scale.len() > 1 {
                title.push_str(&format!(" (effects × {})", scale_label(scale)));
            }
            if let Some([i, n]) = run.shard {
                title.push_str(&format!(" [shard {i}/{n}]"));
            }
            let mut suffix = Vec::new();
            if s.predictors.len() > 1 {
                suffix.push(safe(term));
            }
            if s.effect_scale.len() > 1 {
                suffix.push(format!("effect-{}", scale_label(scale)));
            }
            charts.push((
                suffix.join("-"),
                PowerCurves {
                    title,
                    curves,
                    target: 0.8,
                },
            ));
        }
    }
    charts
}
