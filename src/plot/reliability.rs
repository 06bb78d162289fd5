//! Item-analysis chart of a scale.

use super::{
    legend, plot_err, slot_label, slots, stroke, text, tick, Chart, Charts, Figure, NamedChart,
    DESC_PX, TICK_PX, TITLE_PX,
};
use crate::analysis::reliability::ReliabilityOutput;
use crate::error::Result;
use crate::reliability::ReliabilityResult;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Corrected item-total correlations (`r_drop`) and alpha if deleted per item, with the scale's
/// alpha as a line: an item whose alpha-if-deleted bar rises above the line weakens the scale.
pub struct ReliabilityChart<'a> {
    /// The scale's result.
    pub result: &'a ReliabilityResult,
    /// Title.
    pub title: String,
}

impl Figure for ReliabilityChart<'_> {
    fn size(&self) -> (u32, u32) {
        // narrow enough to be shown two abreast in the report at nearly full size
        (
            (200 + 60 * self.result.items.len()).clamp(560, 1100) as u32,
            420,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let r = self.result;
        let k = r.items.len();
        let lo = r
            .items
            .iter()
            .flat_map(|i| [Some(i.r_drop), i.alpha_if_deleted])
            .flatten()
            .fold(0.0f64, f64::min);
        let (xr, nx) = slots(k);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(xr, lo..1.2f64)
            .map_err(plot_err)?;
        let names: Vec<String> = r.items.iter().map(|i| i.item.clone()).collect();
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_labels(nx)
            .x_label_formatter(&|x| slot_label(&names, *x))
            .disable_x_mesh()
            .y_label_formatter(&|y| tick(*y))
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
                stroke(BLACK, 2),
            ))
            .map_err(plot_err)?
            .label(format!("alpha = {:.3}", r.alpha))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

impl Charts for ReliabilityOutput {
    /// One item-analysis chart per scale; with several scales each is named after its
    /// subscale (`FILE-SUBSCALE.svg`).
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        let many = self.scales.len() > 1;
        Ok(self
            .scales
            .iter()
            .map(|s| NamedChart {
                suffix: many.then(|| s.scale.clone()),
                chart: Chart::Reliability(ReliabilityChart {
                    result: &s.result,
                    title: match &s.subscale_name {
                        Some(name) => format!("Item analysis: {name}"),
                        None => "Item analysis".to_string(),
                    },
                }),
            })
            .collect())
    }
}
