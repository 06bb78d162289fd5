//! Power curves of a simulated design.

use super::{
    apa, colour, legend, plot_err, stroke, text, title_width, whole_number, Figure, DESC_PX,
    TICK_PX, TITLE_PX,
};
use crate::error::Result;
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
