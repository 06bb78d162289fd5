//! Means per wave and arm with 95% intervals (`evaluate --plot`).

use super::{
    colour, legend, plot_err, slot_label, slots, stroke, text, tick, Chart, Charts, Figure,
    NamedChart, DESC_PX, TICK_PX, TITLE_PX,
};
use crate::analysis::evaluate::EvaluateOutput;
use crate::error::Result;
use crate::evaluate::WaveMean;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One scale and source: each arm's mean at the baseline and the follow-up (every unit
/// observed at that wave) with its 95% t interval, joined by a line per arm.
pub struct WavesChart {
    /// Means per arm and wave (baseline first).
    pub means: Vec<WaveMean>,
    /// The two wave names (baseline, follow-up).
    pub waves: [String; 2],
    /// Title.
    pub title: String,
}

impl Figure for WavesChart {
    fn size(&self) -> (u32, u32) {
        (640, 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let vals: Vec<f64> = self
            .means
            .iter()
            .flat_map(|m| {
                m.ci.map_or_else(|| m.mean.into_iter().collect::<Vec<_>>(), |c| c.to_vec())
            })
            .collect();
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            let pad = 0.1 * (hi - lo);
            (lo - pad, hi + pad)
        } else {
            (0.0, 1.0)
        };
        // headroom for the legend in the upper left: it must sit above every mean and
        // interval, not on the baseline's error bars
        let n_arms = self
            .means
            .iter()
            .map(|m| m.arm.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            .max(1);
        let hi = hi + legend_headroom(hi - lo, n_arms, self.size().1);
        let (xr, nx) = slots(2);
        let names = self.waves.to_vec();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(xr, lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_labels(nx)
            .x_label_formatter(&|x| slot_label(&names, *x))
            .disable_x_mesh()
            .y_label_formatter(&|y| tick(*y))
            .x_desc("wave")
            .y_desc("mean score (95% CI)")
            .draw()
            .map_err(plot_err)?;
        let mut arms: Vec<&str> = Vec::new();
        for m in &self.means {
            if !arms.contains(&m.arm.as_str()) {
                arms.push(&m.arm);
            }
        }
        for (a, arm) in arms.iter().enumerate() {
            let c = colour(a);
            let off = (a as f64 - (arms.len() as f64 - 1.0) / 2.0) * 0.06;
            let pts: Vec<(f64, f64, Option<[f64; 2]>)> = self
                .means
                .iter()
                .filter(|m| m.arm == *arm)
                .enumerate()
                .filter_map(|(w, m)| Some((w as f64 + off, m.mean?, m.ci)))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    stroke(c, 3),
                ))
                .map_err(plot_err)?
                .label(arm.to_string())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], stroke(c, 3)));
            chart
                .draw_series(pts.iter().filter_map(|p| {
                    p.2.map(|[l, u]| PathElement::new(vec![(p.0, l), (p.0, u)], stroke(c, 2)))
                }))
                .map_err(plot_err)?;
            chart
                .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 5, c.filled())))
                .map_err(plot_err)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

/// Data units to add above the highest interval so that a legend of `rows` entries in the
/// upper corner clears the data: the legend takes about $20 + 24\,rows$ pixels of the plot
/// area's height (the chart's height less the caption, the x-axis labels and the margins,
/// about 120 pixels), so the range grows by $r f/(1 - f)$ with $f$ that share.
fn legend_headroom(range: f64, rows: usize, height: u32) -> f64 {
    let plot_px = (f64::from(height) - 120.0).max(100.0);
    let f = ((20.0 + 24.0 * rows as f64) / plot_px).min(0.6);
    range * f / (1.0 - f)
}

impl Charts for EvaluateOutput {
    /// One chart per subscale and source; the first is `FILE`, the others
    /// `FILE-INSTRUMENT-SCALE-SOURCE.ext`.
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        Ok(self
            .scales
            .iter()
            .enumerate()
            .map(|(i, s)| NamedChart {
                suffix: (i > 0)
                    .then(|| format!("{}-{}-{}", s.instrument, s.scale, s.result.source.name())),
                chart: Chart::Waves(WavesChart {
                    means: s.result.waves.clone(),
                    waves: [self.design.baseline.clone(), self.design.followup.clone()],
                    title: format!("{} {} ({})", s.instrument, s.scale, s.result.source.name()),
                }),
            })
            .collect())
    }
}

/// Each unit's change from the baseline to the follow-up against its baseline score, coloured
/// by arm, with the reliable-change band $\pm 1.96\\,SE_{diff}$ (Jacobson & Truax 1991) shaded:
/// a point above the band improved reliably, below it deteriorated reliably.
pub struct ReliableChangeChart {
    /// Title.
    pub title: String,
    /// $SE_{diff}$ of the scale and source.
    pub se_diff: f64,
    /// Arm names (colours in this order).
    pub arms: Vec<String>,
    /// (arm index, baseline score, change) per unit with both waves.
    pub points: Vec<(usize, f64, f64)>,
}

impl Figure for ReliableChangeChart {
    fn size(&self) -> (u32, u32) {
        (640, 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let band = 1.96 * self.se_diff;
        let span = |f: &dyn Fn(&(usize, f64, f64)) -> f64, extra: f64| {
            let lo = self.points.iter().map(f).fold(-extra, f64::min);
            let hi = self.points.iter().map(f).fold(extra, f64::max);
            let pad = 0.08 * (hi - lo).max(1e-9);
            (lo - pad)..(hi + pad)
        };
        let xr = if self.points.is_empty() {
            0.0..1.0
        } else {
            let lo = self
                .points
                .iter()
                .map(|p| p.1)
                .fold(f64::INFINITY, f64::min);
            let hi = self
                .points
                .iter()
                .map(|p| p.1)
                .fold(f64::NEG_INFINITY, f64::max);
            let pad = 0.08 * (hi - lo).max(0.5);
            (lo - pad)..(hi + pad)
        };
        let yr = span(&|p| p.2, if band.is_finite() { band } else { 0.0 });
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(xr.clone(), yr)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc("baseline score")
            .y_desc("change (follow-up − baseline)")
            .draw()
            .map_err(plot_err)?;
        if band.is_finite() {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(xr.start, -band), (xr.end, band)],
                    RGBColor(120, 130, 140).mix(0.18).filled(),
                )))
                .map_err(plot_err)?;
        }
        chart
            .draw_series(LineSeries::new(
                [(xr.start, 0.0), (xr.end, 0.0)],
                BLACK.mix(0.5),
            ))
            .map_err(plot_err)?;
        for (a, arm) in self.arms.iter().enumerate() {
            let c = colour(a);
            chart
                .draw_series(
                    self.points
                        .iter()
                        .filter(|p| p.0 == a)
                        .map(|p| Circle::new((p.1, p.2), 4, c.mix(0.85).filled())),
                )
                .map_err(plot_err)?
                .label(arm.to_string())
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}
