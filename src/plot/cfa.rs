//! CFA chart: standardised loadings with their intervals, items grouped by factor.

use super::{
    colour, plot_err, side_key, slot_label, slots, stroke, text, tick, Figure, DESC_PX, TICK_PX,
    TITLE_PX,
};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One loading: item, its factor, the standardised estimate and its interval.
pub struct Loading {
    /// Indicator.
    pub item: String,
    /// Factor.
    pub factor: String,
    /// `std.all`.
    pub est: f64,
    /// Interval (delta-method), when known.
    pub ci: Option<[f64; 2]>,
}

/// Standardised loadings as dots with interval whiskers, one row per item, coloured by factor,
/// with reference lines at .50 and .70 (Hair et al., 2019: .50 acceptable, .70 ideal).
pub struct LoadingsChart {
    /// Title.
    pub title: String,
    /// Caption of the loading axis (e.g. "standardised loading with 95% interval").
    pub x_desc: String,
    /// Loadings, top to bottom.
    pub loadings: Vec<Loading>,
}

impl Figure for LoadingsChart {
    fn size(&self) -> (u32, u32) {
        (820, (140 + 20 * self.loadings.len().max(3)) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.loadings.len().max(1);
        let mut factors: Vec<&str> = Vec::new();
        for l in &self.loadings {
            if !factors.contains(&l.factor.as_str()) {
                factors.push(&l.factor);
            }
        }
        let lo = self
            .loadings
            .iter()
            .map(|l| l.ci.map_or(l.est, |c| c[0]))
            .fold(0.0f64, f64::min);
        let hi = self
            .loadings
            .iter()
            .map(|l| l.ci.map_or(l.est, |c| c[1]))
            .fold(1.0f64, f64::max);
        let (w, _) = self.size();
        let (main, side) = root.split_horizontally(w - 200);
        let names: Vec<String> = self.loadings.iter().rev().map(|l| l.item.clone()).collect();
        let (yr, ny) = slots(n);
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(54)
            .y_label_area_size(90)
            .build_cartesian_2d(lo..hi, yr)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .y_labels(ny)
            .y_label_formatter(&|y| slot_label(&names, *y))
            .disable_y_mesh()
            .x_label_formatter(&|x| tick(*x))
            .x_desc(self.x_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        for cut in [0.5, 0.7] {
            chart
                .draw_series(LineSeries::new(
                    [(cut, -0.5), (cut, n as f64 - 0.5)],
                    stroke(RGBColor(150, 150, 150), 1),
                ))
                .map_err(plot_err)?;
        }
        for (i, l) in self.loadings.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let c = colour(factors.iter().position(|f| *f == l.factor).unwrap_or(0));
            if let Some([a, b]) = l.ci {
                chart
                    .draw_series(LineSeries::new([(a, y), (b, y)], stroke(c, 2)))
                    .map_err(plot_err)?;
            }
            chart
                .draw_series(std::iter::once(Circle::new((l.est, y), 4, c.filled())))
                .map_err(plot_err)?;
        }
        side_key(&side, "factor", &factors)?;
        Ok(())
    }
}
