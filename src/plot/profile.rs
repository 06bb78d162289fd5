//! Profile chart: scores on each subscale of an instrument, several series side by side (a
//! leader's self rating against their collaborators' mean and spread, or a group's
//! self-assessment).

use super::{colour, key_strip, plot_err, slot_label, slots, stroke, Figure, Key};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One series of a profile.
pub struct ProfileSeries {
    /// Legend label.
    pub label: String,
    /// Score per subscale (NaN: none).
    pub values: Vec<f64>,
    /// Spread per subscale (e.g. mean ± 1 SD of raters), drawn as a whisker.
    pub spread: Vec<Option<[f64; 2]>>,
}

/// Subscale scores as points joined by lines, each series offset a little so whiskers do not
/// overlap; the y axis spans the response scale.
pub struct ProfileChart {
    /// Title.
    pub title: String,
    /// Subscale names (x axis).
    pub subscales: Vec<String>,
    /// Series.
    pub series: Vec<ProfileSeries>,
    /// The response scale's range.
    pub y_range: (f64, f64),
    /// Caption of the score axis.
    pub y_desc: String,
}

impl Figure for ProfileChart {
    fn size(&self) -> (u32, u32) {
        (
            (260 + 110 * self.subscales.len().max(2)).min(1100) as u32,
            470,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let k = self.subscales.len();
        let (xr, nx) = slots(k);
        let (lo, hi) = self.y_range;
        // the key goes in a strip under the chart, so the score axis spans just the response
        // scale (a little margin keeps points at its ends visible)
        let (_, h) = root.dim_in_pixel();
        let (root, key) = root.split_vertically(h.saturating_sub(30));
        let pad = 0.04 * (hi - lo);
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(50)
            .build_cartesian_2d(xr, (lo - pad)..(hi + pad))
            .map_err(plot_err)?;
        // long subscale names wrap onto their last word to keep the axis readable
        let short: Vec<String> = self
            .subscales
            .iter()
            .map(|s| {
                if s.chars().count() > 16 {
                    s.split_whitespace().last().unwrap_or(s).to_string()
                } else {
                    s.clone()
                }
            })
            .collect();
        chart
            .configure_mesh()
            .x_labels(nx)
            .x_label_formatter(&|x| slot_label(&short, *x))
            .disable_x_mesh()
            .y_desc(self.y_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        let ns = self.series.len().max(1) as f64;
        for (s, ser) in self.series.iter().enumerate() {
            let c = colour(s);
            let off = (s as f64 - (ns - 1.0) / 2.0) * 0.12;
            let pts: Vec<(f64, f64)> = ser
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, v)| (i as f64 + off, *v))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), stroke(c, 2)))
                .map_err(plot_err)?;
            for (i, sp) in ser.spread.iter().enumerate() {
                if let Some([a, b]) = sp {
                    let x = i as f64 + off;
                    chart
                        .draw_series(LineSeries::new([(x, *a), (x, *b)], stroke(c, 1)))
                        .map_err(plot_err)?;
                }
            }
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 4, c.filled())))
                .map_err(plot_err)?;
        }
        key_strip(
            &key,
            &self
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| (s.label.clone(), Key::Line(colour(i))))
                .collect::<Vec<_>>(),
        )
    }
}
