//! Dimensionality charts: the scree plot with parallel-analysis references, and heatmaps of
//! loadings or correlations.

use super::{
    apa, colour, legend, plot_err, side_key, slot_label, slots, stroke, text, tick, title_width,
    whole_number, Chart, Charts, Figure, NamedChart, DESC_PX, TICK_PX, TITLE_PX,
};
use crate::analysis::efa::EfaOutput;
use crate::analysis::omega::OmegaOutput;
use crate::analysis::parallel::ParallelOutput;
use crate::analysis::polychoric::PolychoricOutput;
use crate::error::Result;
use crate::factor::parallel::ParallelResult;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Scree plot: observed eigenvalues of components and factors with the parallel-analysis
/// references (95th percentiles of simulated eigenvalues). Factors whose observed eigenvalue
/// lies above its reference are the ones parallel analysis retains.
pub struct ScreeChart<'a> {
    /// Parallel analysis.
    pub result: &'a ParallelResult,
    /// Title.
    pub title: String,
}

impl Figure for ScreeChart<'_> {
    fn size(&self) -> (u32, u32) {
        (720, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let r = self.result;
        let k = r.observed_pc.len();
        let hi = r
            .observed_pc
            .iter()
            .chain(&r.simulated_pc_p95)
            .fold(1.0f64, |a, &b| a.max(b))
            * 1.05;
        let lo = r.observed_fa.iter().fold(0.0f64, |a, &b| a.min(b));
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(0.5f64..(k as f64 + 0.5), lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_label_formatter(&|x| whole_number(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc("factor / component number")
            .y_desc("eigenvalue")
            .draw()
            .map_err(plot_err)?;
        let series: [(&[f64], RGBColor, &str, bool); 4] = [
            (&r.observed_pc, colour(0), "components (observed)", true),
            (
                &r.simulated_pc_p95,
                colour(0),
                "components (simulated 95th pct)",
                false,
            ),
            (&r.observed_fa, colour(1), "factors (observed)", true),
            (
                &r.simulated_fa_p95,
                colour(1),
                "factors (simulated 95th pct)",
                false,
            ),
        ];
        for (vals, c, label, solid) in series {
            let pts: Vec<(f64, f64)> = vals
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, *v))
                .collect();
            let style = stroke(c, if solid { 2 } else { 1 });
            chart
                .draw_series(LineSeries::new(pts.clone(), style))
                .map_err(plot_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], style));
            if solid {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                    .map_err(plot_err)?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// A heatmap of a rows x columns table of values in [-1, 1]: factor loadings (items as rows,
/// grouped and coloured by their intended subscale) or a correlation matrix. Positive values are
/// blue, negative orange, the stronger the darker; each cell prints its value (APA style).
pub struct Heatmap {
    /// Title.
    pub title: String,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// The group of each row (its intended subscale), or empty for none.
    pub groups: Vec<String>,
    /// Column labels.
    pub cols: Vec<String>,
    /// Values, `rows x cols`; NaN leaves a cell blank.
    pub values: Vec<Vec<f64>>,
    /// Caption of the column axis.
    pub x_desc: String,
    /// Values whose absolute size is below this are printed in grey (e.g. loadings < .30).
    pub faint_below: f64,
}

/// White to blue for positive values, white to orange for negative ones.
fn diverging(v: f64) -> RGBColor {
    let t = v.abs().min(1.0);
    let (r, g, b) = if v >= 0.0 {
        (0.0, 114.0, 178.0)
    } else {
        (213.0, 94.0, 0.0)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

impl Heatmap {
    /// Whether cells print their values: only while there is room (12 columns or fewer).
    fn annotated(&self) -> bool {
        self.cols.len() <= 12
    }

    /// Pixel width of a cell.
    fn cell_width(&self) -> usize {
        if self.annotated() {
            64
        } else {
            22
        }
    }

    /// Width of the row-label area: about 7.5 pixels a character of the longest label.
    fn label_width(&self) -> u32 {
        let chars = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(4);
        (chars as u32 * 15 / 2 + 24).clamp(60, 300)
    }

    /// Distinct groups in the order they first appear.
    fn group_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in &self.groups {
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        out
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        let legend = if self.groups.is_empty() { 0 } else { 230 };
        // wide enough for the title
        let w = (60 + self.label_width() as usize + self.cell_width() * self.cols.len() + legend)
            .max(480)
            .max(title_width(&self.title));
        let h = 130 + 20 * self.rows.len().max(3);
        (w as u32, h as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let groups = self.group_names();
        let (w, _) = self.size();
        // the title spans the whole chart, key included
        let root = root.titled(&self.title, text(TITLE_PX)).map_err(plot_err)?;
        let (main, side) = if groups.is_empty() {
            root.split_horizontally(w)
        } else {
            root.split_horizontally(w - 230)
        };
        let n = self.rows.len();
        let m = self.cols.len();
        // one extra slot on the left for the group strip
        let strip = if groups.is_empty() { 0.0 } else { 0.45 };
        let (xr, nx) = slots(m);
        let (yr, ny) = slots(n);
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .x_label_area_size(if self.annotated() { 54 } else { 76 })
            .y_label_area_size(self.label_width())
            .build_cartesian_2d((xr.start - strip)..xr.end, yr.clone())
            .map_err(plot_err)?;
        let rows_rev: Vec<String> = self.rows.iter().rev().cloned().collect();
        // narrow columns get their labels turned upright, drawn below the ticks further down
        let annotated = self.annotated();
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&|x| {
                if annotated {
                    slot_label(&self.cols, *x)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| slot_label(&rows_rev, *y))
            .x_desc(self.x_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        if !annotated {
            for (j, name) in self.cols.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(j as f64, yr.start));
                main.draw(&Text::new(
                    name.clone(),
                    (x, y + 10),
                    text(TICK_PX - 4)
                        .transform(FontTransform::Rotate90)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(plot_err)?;
            }
        }
        let at = |i: usize| (n - 1 - i) as f64;
        for (i, row) in self.values.iter().enumerate() {
            let y = at(i);
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let x = j as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                        diverging(*v).filled(),
                    )))
                    .map_err(plot_err)?;
                if !self.annotated() {
                    continue;
                }
                let ink = if v.abs() > 0.6 {
                    WHITE
                } else if v.abs() < self.faint_below {
                    RGBColor(140, 140, 140)
                } else {
                    BLACK
                };
                let style = text(13)
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(apa(*v, 2, true), (x, y), style)))
                    .map_err(plot_err)?;
            }
        }
        if !groups.is_empty() {
            for (i, g) in self.groups.iter().enumerate() {
                let c = groups.iter().position(|x| x == g).unwrap_or(0);
                let y = at(i);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(xr.start - strip, y - 0.5), (xr.start - 0.05, y + 0.5)],
                        colour(c).filled(),
                    )))
                    .map_err(plot_err)?;
            }
            side_key(&side, "intended subscale", &groups)?;
        }
        Ok(())
    }
}

impl Charts for ParallelOutput {
    /// The scree plot with the parallel-analysis references.
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        Ok(vec![NamedChart {
            suffix: None,
            chart: Chart::Scree(ScreeChart {
                result: &self.result,
                title: "Scree plot with parallel analysis".into(),
            }),
        }])
    }
}

impl Charts for EfaOutput {
    /// The loading heatmap: with an instrument, items grouped by their subscale and the factors
    /// in the order of the subscales they stand for (so a clean structure shows as blocks on
    /// the diagonal), unmatched factors last.
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        let res = &self.result;
        let l = &res.loadings;
        let k = l.ncols();
        let grouped = !self.subscale_names.is_empty();
        let mut order: Vec<usize> = self
            .subscale_factors
            .iter()
            .filter_map(|m| m.factor.map(|f| f - 1))
            .filter(|&f| f < k)
            .collect();
        let rest: Vec<usize> = (0..k).filter(|f| !order.contains(f)).collect();
        order.extend(rest);
        let heatmap = Heatmap {
            title: format!(
                "{} loadings ({}, {})",
                if grouped { "Factor" } else { "EFA" },
                res.extraction,
                res.rotation
            ),
            rows: res.items.clone(),
            groups: self.subscale_names.clone(),
            cols: order.iter().map(|f| format!("F{}", f + 1)).collect(),
            values: (0..l.nrows())
                .map(|i| order.iter().map(|&f| l[(i, f)]).collect())
                .collect(),
            x_desc: "factor".into(),
            faint_below: 0.3,
        };
        Ok(vec![NamedChart {
            suffix: None,
            chart: Chart::Heatmap(heatmap),
        }])
    }
}

impl Charts for PolychoricOutput {
    /// A heatmap of the correlations, items grouped by subscale.
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        let r = &self.result;
        let k = r.items.len();
        let heatmap = Heatmap {
            title: format!("{} correlations", self.kind()),
            rows: r.items.clone(),
            groups: self.subscale_names.clone(),
            cols: r.items.clone(),
            values: (0..k)
                .map(|i| {
                    (0..k)
                        .map(|j| r.rho.get((i, j)).copied().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect(),
            x_desc: String::new(),
            faint_below: 0.0,
        };
        Ok(vec![NamedChart {
            suffix: None,
            chart: Chart::Heatmap(heatmap),
        }])
    }
}

impl Charts for OmegaOutput {
    /// A heatmap of each scale's Schmid-Leiman loadings (general, group factors, h2); with
    /// several scales each is named after its scale (`FILE-SUBSCALE.svg`).
    fn charts(&self) -> Result<Vec<NamedChart<'_>>> {
        let many = self.scales.len() > 1;
        Ok(self
            .scales
            .iter()
            .map(|s| {
                let k = s.group_loadings.first().map_or(0, Vec::len);
                let mut cols = vec!["g".to_string()];
                cols.extend((1..=k).map(|j| format!("F{j}*")));
                cols.push("h2".into());
                let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
                let heatmap = Heatmap {
                    title: format!(
                        "Schmid-Leiman loadings{}: omega h = {}, omega t = {}",
                        if many {
                            format!(" ({})", s.scale)
                        } else {
                            String::new()
                        },
                        apa(s.omega_hierarchical, 2, true),
                        apa(s.omega_total, 2, true)
                    ),
                    rows: s.items.clone(),
                    groups: s.subscale_names.clone(),
                    cols,
                    values: (0..s.items.len())
                        .map(|i| {
                            std::iter::once(at(&s.general_loadings, i))
                                .chain(s.group_loadings.get(i).into_iter().flatten().copied())
                                .chain(std::iter::once(at(&s.h2, i)))
                                .collect()
                        })
                        .collect(),
                    x_desc: "factor".into(),
                    faint_below: 0.2,
                };
                NamedChart {
                    suffix: many.then(|| s.scale.clone()),
                    chart: Chart::Heatmap(heatmap),
                }
            })
            .collect())
    }
}
