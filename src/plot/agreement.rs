//! Agreement and aggregation chart: rwg(j) across groups and ICC(1)/ICC(2) per scale.

use super::{
    apa, colour, key_strip, plot_err, slot_label, slots, stroke, text, Figure, Key, DESC_PX,
    SUBTITLE_PX, TICK_PX, TITLE_PX,
};
use crate::error::Result;
use crate::numeric::quantile::quantile_sorted;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One scale's agreement: every group's rwg(j) and the scale's ICC(1) and ICC(2).
pub struct AgreementScale {
    /// Scale name.
    pub name: String,
    /// rwg(j) of each group (groups of one member left out).
    pub rwg_j: Vec<f64>,
    /// ICC(1).
    pub icc1: f64,
    /// ICC(2).
    pub icc2: f64,
}

/// Left: each group's rwg(j) as a dot, with the quartiles as a box and the cut-off (.70 by
/// convention, LeBreton & Senter, 2008) as a dashed line; right: ICC(1) and ICC(2) per scale with
/// the ICC(2) cut-off.
pub struct AgreementChart {
    /// Title.
    pub title: String,
    /// Scales.
    pub scales: Vec<AgreementScale>,
    /// rwg(j) cut-off.
    pub rwg_cutoff: f64,
    /// ICC(2) cut-off.
    pub icc2_cutoff: f64,
}

impl Figure for AgreementChart {
    fn size(&self) -> (u32, u32) {
        (1000, (180 + 52 * self.scales.len().max(1)) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let root = root.titled(&self.title, text(TITLE_PX)).map_err(plot_err)?;
        let (_, h) = root.dim_in_pixel();
        let (root, key) = root.split_vertically(h.saturating_sub(30));
        key_strip(
            &key,
            &[
                ("group's rwg(j)".into(), Key::Dot(colour(0))),
                (
                    "quartiles and median".into(),
                    Key::Fill(RGBColor(179, 214, 232)),
                ),
                (
                    format!("cut-offs {}", apa(self.rwg_cutoff, 2, true)),
                    Key::Line(colour(1)),
                ),
                ("ICC(1)".into(), Key::Fill(colour(2))),
                ("ICC(2)".into(), Key::Fill(colour(3))),
            ],
        )?;
        let (left, right) = root.split_horizontally(600);
        let m = self.scales.len().max(1);
        let names: Vec<String> = self.scales.iter().rev().map(|s| s.name.clone()).collect();
        let (yr, ny) = slots(m);
        let at = |i: usize| (m - 1 - i) as f64;

        let mut chart = ChartBuilder::on(&left)
            .caption("rwg(j) across groups", text(SUBTITLE_PX))
            .margin(10)
            .x_label_area_size(52)
            .y_label_area_size(180)
            .build_cartesian_2d(0.0f64..1.0f64, yr.clone())
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .y_labels(ny)
            .y_label_formatter(&|y| slot_label(&names, *y))
            .disable_y_mesh()
            .x_desc("rwg(j)")
            .draw()
            .map_err(plot_err)?;
        for (i, s) in self.scales.iter().enumerate() {
            let y = at(i);
            let mut v: Vec<f64> = s.rwg_j.iter().copied().filter(|x| x.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                continue;
            }
            let (q1, q2, q3) = (
                quantile_sorted(&v, 0.25),
                quantile_sorted(&v, 0.5),
                quantile_sorted(&v, 0.75),
            );
            chart
                .draw_series([
                    Rectangle::new([(q1, y - 0.3), (q3, y + 0.3)], colour(0).mix(0.15).filled()),
                    Rectangle::new([(q1, y - 0.3), (q3, y + 0.3)], stroke(colour(0), 1)),
                ])
                .map_err(plot_err)?;
            chart
                .draw_series(LineSeries::new(
                    [(q2, y - 0.3), (q2, y + 0.3)],
                    stroke(colour(0), 2),
                ))
                .map_err(plot_err)?;
            // deterministic jitter: the golden-ratio sequence spreads the dots evenly
            chart
                .draw_series(
                    s.rwg_j
                        .iter()
                        .filter(|x| x.is_finite())
                        .enumerate()
                        .map(|(j, x)| {
                            let jit = ((j as f64 * 0.618_033_988_75).fract() - 0.5) * 0.5;
                            Circle::new((*x, y + jit), 2, colour(0).mix(0.55).filled())
                        }),
                )
                .map_err(plot_err)?;
        }
        chart
            .draw_series(LineSeries::new(
                [(self.rwg_cutoff, -0.5), (self.rwg_cutoff, m as f64 - 0.5)],
                stroke(colour(1), 2),
            ))
            .map_err(plot_err)?;

        let mut chart = ChartBuilder::on(&right)
            .caption("ICC(1) and ICC(2)", text(SUBTITLE_PX))
            .margin(10)
            .x_label_area_size(52)
            .y_label_area_size(10)
            .build_cartesian_2d(0.0f64..1.0f64, yr)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .y_labels(0)
            .disable_y_mesh()
            .x_desc("intraclass correlation")
            .draw()
            .map_err(plot_err)?;
        for (k, pick) in [
            (|s: &AgreementScale| s.icc1) as fn(&AgreementScale) -> f64,
            |s: &AgreementScale| s.icc2,
        ]
        .into_iter()
        .enumerate()
        {
            let c = colour(2 + k);
            let off = if k == 0 { 0.02 } else { -0.32 };
            chart
                .draw_series(self.scales.iter().enumerate().map(|(i, s)| {
                    let y = at(i) + off;
                    Rectangle::new([(0.0, y), (pick(s).clamp(0.0, 1.0), y + 0.3)], c.filled())
                }))
                .map_err(plot_err)?;
        }
        chart
            .draw_series(LineSeries::new(
                [(self.icc2_cutoff, -0.5), (self.icc2_cutoff, m as f64 - 0.5)],
                stroke(colour(1), 2),
            ))
            .map_err(plot_err)?;
        Ok(())
    }
}

/// `rwg --plot FILE`: every group's rwg(j) with the cut-off, and ICC(1)/ICC(2) per scale, scales
/// by their subscale names.
impl super::Charts for crate::analysis::rwg::RwgOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        Ok(vec![super::NamedChart {
            suffix: None,
            chart: super::Chart::Agreement(AgreementChart {
                title: format!(
                    "Within-group agreement{}",
                    self.instrument_title
                        .as_ref()
                        .map_or(String::new(), |t| format!(": {t}"))
                ),
                scales: self
                    .scales
                    .iter()
                    .map(|s| AgreementScale {
                        name: s.name.clone(),
                        rwg_j: s.result.groups.iter().filter_map(|g| g.rwg_j).collect(),
                        icc1: s.result.icc1,
                        icc2: s.result.icc2,
                    })
                    .collect(),
                rwg_cutoff: self.cutoffs.rwg,
                icc2_cutoff: self.cutoffs.icc2,
            }),
        }])
    }
}

/// `icc --plot FILE`: the six ICCs with their intervals.
impl super::Charts for crate::analysis::icc::IccOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        let r = &self.result;
        Ok(vec![super::NamedChart {
            suffix: None,
            chart: super::Chart::Forest(super::ForestChart {
                title: format!(
                    "Intraclass correlations ({} targets, {} raters)",
                    r.n_targets, r.n_raters
                ),
                x_desc: format!("ICC with {:.0}% interval", self.ci * 100.0),
                terms: r
                    .icc
                    .iter()
                    .map(|row| (row.kind.clone(), row.icc, row.ci))
                    .collect(),
            }),
        }])
    }
}

/// `kappa --plot FILE`, two raters only: their agreement table as a heatmap of proportions, the
/// diagonal holding the agreements. Fleiss' kappa (more raters) has no chart: an error.
impl super::Charts for crate::analysis::kappa::KappaOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        use crate::analysis::kappa::KappaOutput;
        let KappaOutput::Cohen(c) = self else {
            return Err(crate::error::Error::option(
                "--plot",
                "the agreement chart is drawn for two raters (Cohen's kappa)",
            ));
        };
        let cats = &c.result.categories;
        let [first, second] = &c.raters;
        Ok(vec![super::NamedChart {
            suffix: None,
            chart: super::Chart::Heatmap(super::Heatmap {
                title: format!(
                    "Agreement of {first} and {second}: kappa = {}",
                    apa(c.result.kappa, 2, true)
                ),
                rows: cats.iter().map(|k| format!("{first}: {k}")).collect(),
                groups: Vec::new(),
                cols: cats.clone(),
                values: c
                    .counts
                    .iter()
                    .map(|row| row.iter().map(|v| v / c.pairs.max(1.0)).collect())
                    .collect(),
                x_desc: format!("{second} (share of the {} rated subjects)", c.pairs),
                faint_below: 0.0,
            }),
        }])
    }
}
