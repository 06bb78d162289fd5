//! Regression charts: coefficient forest plot, dominance weights as stacked bars of R², and
//! predicted against observed values.

use super::{
    apa, colour, forest_axes, legend, plot_err, slot_label, slots, stroke, text, tick, Figure,
    DESC_PX, KEY_PX, TICK_PX, TITLE_PX,
};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Coefficient forest plot: each term's estimate with its confidence interval, first term at
/// the top, and a line at zero.
pub struct ForestChart {
    /// Title.
    pub title: String,
    /// Caption of the estimate axis.
    pub x_desc: String,
    /// Term, estimate, interval.
    pub terms: Vec<(String, f64, [f64; 2])>,
}

impl Figure for ForestChart {
    fn size(&self) -> (u32, u32) {
        (760, (130 + 34 * self.terms.len().max(1)) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let k = self.terms.len().max(1);
        let labels: Vec<String> = self.terms.iter().map(|t| t.0.clone()).collect();
        let mut chart = forest_axes(
            root,
            &self.title,
            &self.x_desc,
            &labels,
            self.terms.iter().flat_map(|t| t.2),
            230,
        )?;
        for (i, (_, est, ci)) in self.terms.iter().enumerate() {
            let y = (k - 1 - i) as f64;
            chart
                .draw_series(LineSeries::new(
                    [(ci[0], y), (ci[1], y)],
                    stroke(colour(0), 2),
                ))
                .map_err(plot_err)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*est, y),
                    4,
                    colour(0).filled(),
                )))
                .map_err(plot_err)?;
        }
        Ok(())
    }
}

/// One model's dominance analysis: general dominance weights, which sum to its R².
pub struct DominanceModel {
    /// The model (its outcome).
    pub label: String,
    /// General dominance weight of each term (in [`DominanceChart::terms`] order).
    pub weights: Vec<f64>,
}

/// Dominance weights as stacked bars: one bar per model whose length is its R², split into each
/// predictor's general dominance weight (Azen & Budescu, 2003).
pub struct DominanceChart {
    /// Title.
    pub title: String,
    /// The predictors.
    pub terms: Vec<String>,
    /// The models.
    pub models: Vec<DominanceModel>,
}

impl Figure for DominanceChart {
    fn size(&self) -> (u32, u32) {
        let legend_rows = self.terms.len().div_ceil(3);
        (
            860,
            (160 + 64 * self.models.len().max(1) + 24 * legend_rows) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let m = self.models.len().max(1);
        let total = self
            .models
            .iter()
            .map(|d| d.weights.iter().sum::<f64>())
            .fold(0.0f64, f64::max);
        let hi = if total > 0.0 { total * 1.08 } else { 1.0 };
        let (_, h) = self.size();
        let legend_rows = self.terms.len().div_ceil(3) as u32;
        let (root, key) = root.split_vertically(h - 24 * legend_rows - 16);
        for (t, term) in self.terms.iter().enumerate() {
            let x = 20 + 280 * (t % 3) as i32;
            let y = 4 + 24 * (t / 3) as i32;
            key.draw(&Rectangle::new(
                [(x, y + 1), (x + 14, y + 15)],
                colour(t).filled(),
            ))
            .map_err(plot_err)?;
            key.draw(&Text::new(term.clone(), (x + 20, y), text(KEY_PX)))
                .map_err(plot_err)?;
        }
        let names: Vec<String> = self.models.iter().rev().map(|d| d.label.clone()).collect();
        let (yr, ny) = slots(m);
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(54)
            .y_label_area_size(200)
            .build_cartesian_2d(0.0..hi, yr)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .y_labels(ny)
            .y_label_formatter(&|y| slot_label(&names, *y))
            .disable_y_mesh()
            .x_desc("R² (general dominance weights)")
            .draw()
            .map_err(plot_err)?;
        for t in 0..self.terms.len() {
            let c = colour(t);
            let mut bars = Vec::new();
            let mut labels = Vec::new();
            for (i, d) in self.models.iter().enumerate() {
                let y = (m - 1 - i) as f64;
                let start: f64 = d.weights[..t.min(d.weights.len())].iter().sum();
                let w = d.weights.get(t).copied().unwrap_or(0.0);
                bars.push(Rectangle::new(
                    [(start, y - 0.3), (start + w, y + 0.3)],
                    c.filled(),
                ));
                if w > 0.06 * hi {
                    labels.push(Text::new(
                        apa(w, 3, true),
                        (start + w / 2.0, y),
                        text(TICK_PX - 3)
                            .color(&WHITE)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ));
                }
            }
            chart.draw_series(bars).map_err(plot_err)?;
            chart.draw_series(labels).map_err(plot_err)?;
        }
        for (i, d) in self.models.iter().enumerate() {
            let y = (m - 1 - i) as f64;
            let r2: f64 = d.weights.iter().sum();
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("R² = {}", apa(r2, 3, true)),
                    (r2, y + 0.42),
                    text(TICK_PX - 2)
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Bottom)),
                )))
                .map_err(plot_err)?;
        }
        Ok(())
    }
}

/// Predicted against observed values with the identity line: how well the model reproduces the
/// outcome (points on the line are predicted exactly).
pub struct PredictedChart {
    /// Title.
    pub title: String,
    /// The outcome's name (axis captions).
    pub outcome: String,
    /// Fitted values.
    pub fitted: Vec<f64>,
    /// Observed values.
    pub observed: Vec<f64>,
    /// R² printed in the corner.
    pub r2: f64,
}

impl Figure for PredictedChart {
    fn size(&self) -> (u32, u32) {
        (560, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let all = self
            .fitted
            .iter()
            .chain(&self.observed)
            .filter(|v| v.is_finite());
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo < hi { (lo, hi) } else { (0.0, 1.0) };
        let pad = 0.05 * (hi - lo);
        let range = (lo - pad)..(hi + pad);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(54)
            .y_label_area_size(68)
            .build_cartesian_2d(range.clone(), range.clone())
            .map_err(plot_err)?;
        let xd = format!("predicted {}", self.outcome);
        let yd = format!("observed {}", self.outcome);
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc(xd.as_str())
            .y_desc(yd.as_str())
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new(
                [(range.start, range.start), (range.end, range.end)],
                stroke(BLACK, 1),
            ))
            .map_err(plot_err)?
            .label("observed = predicted")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK));
        chart
            .draw_series(
                self.fitted
                    .iter()
                    .zip(&self.observed)
                    .filter(|(f, o)| f.is_finite() && o.is_finite())
                    .map(|(f, o)| Circle::new((*f, *o), 3, colour(0).mix(0.6).filled())),
            )
            .map_err(plot_err)?
            .label(format!(
                "n = {}, R² = {}",
                self.fitted.len(),
                apa(self.r2, 3, true)
            ))
            .legend(|(x, y)| Circle::new((x + 6, y), 3, colour(0).filled()));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

/// `regress --plot FILE`: the coefficient forest plot to FILE (OLS intervals, or Wald intervals
/// of the fixed effects of a multilevel model, as lme4's `confint(method = "Wald")`), and for OLS
/// fits predicted against observed to FILE-predicted and, with dominance, the dominance weights
/// to FILE-dominance.
impl super::Charts for crate::analysis::regress::RegressOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        use super::{Chart, NamedChart};
        let r = &self.result;
        let level = self.ci;
        let x_desc = format!("estimate with {:.0}% interval", level * 100.0);
        let title = format!("Predicting {}", r.outcome);
        if let Some(m) = &r.mixed {
            let z = crate::dist::normal_quantile(0.5 + level / 2.0).unwrap_or(f64::NAN);
            let terms = m
                .fixed
                .iter()
                .skip(1)
                .map(|f| {
                    (
                        f.term.clone(),
                        f.estimate,
                        [f.estimate - z * f.se, f.estimate + z * f.se],
                    )
                })
                .collect();
            return Ok(vec![NamedChart {
                suffix: None,
                chart: Chart::Forest(ForestChart {
                    title: format!("{title} (multilevel)"),
                    x_desc,
                    terms,
                }),
            }]);
        }
        let Some(o) = &r.ols else {
            return Ok(Vec::new());
        };
        let terms = o
            .fit
            .coefficients
            .iter()
            .skip(1)
            .map(|c| (c.term.clone(), c.estimate, c.ci))
            .collect();
        let mut charts = vec![NamedChart {
            suffix: None,
            chart: Chart::Forest(ForestChart {
                title: title.clone(),
                x_desc,
                terms,
            }),
        }];
        let observed = o
            .fit
            .fitted
            .iter()
            .zip(&o.fit.residuals)
            .map(|(f, e)| f + e)
            .collect();
        charts.push(NamedChart {
            suffix: Some("predicted".into()),
            chart: Chart::Predicted(PredictedChart {
                title: format!("{title}: predicted and observed"),
                outcome: r.outcome.clone(),
                fitted: o.fit.fitted.clone(),
                observed,
                r2: o.fit.r2,
            }),
        });
        if let Some(d) = &o.dominance {
            charts.push(NamedChart {
                suffix: Some("dominance".into()),
                chart: Chart::Dominance(DominanceChart {
                    title: format!("{title}: dominance weights"),
                    terms: d.iter().map(|row| row.term.clone()).collect(),
                    models: vec![DominanceModel {
                        label: r.outcome.clone(),
                        weights: d.iter().map(|row| row.general).collect(),
                    }],
                }),
            });
        }
        Ok(charts)
    }
}
