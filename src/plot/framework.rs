//! Charts of `framework`: each competency's difference between affective and cognitive trust
//! with its interval, and the competency x risk partial correlations, claimed links marked.

use super::{colour, forest_axes, key_strip, plot_err, stroke, Figure, Key};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One row of a [`ClaimChart`].
pub struct ClaimRow {
    /// Label (competency, or competency x risk).
    pub label: String,
    /// Estimate.
    pub estimate: f64,
    /// Interval.
    pub ci: [f64; 2],
    /// The claim it carries: an index into [`ClaimChart::marks`] (drawn filled, in that
    /// colour), `None` for no claim (drawn hollow and grey).
    pub mark: Option<usize>,
}

/// Estimates with intervals, one row each (first at the top), a line at zero, claimed rows
/// filled in their claim's colour and the others hollow, with a key below.
pub struct ClaimChart {
    /// Title.
    pub title: String,
    /// Caption of the estimate axis.
    pub x_desc: String,
    /// The rows.
    pub rows: Vec<ClaimRow>,
    /// Legend entries of the claims (colour `i` of the palette for mark `i`).
    pub marks: Vec<String>,
}

const UNCLAIMED: RGBColor = RGBColor(120, 120, 120);

impl Figure for ClaimChart {
    fn size(&self) -> (u32, u32) {
        (820, (170 + 28 * self.rows.len().max(1)) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (_, h) = self.size();
        let (top, key) = root.split_vertically(h - 40);
        let k = self.rows.len().max(1);
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8);
        let mut chart = forest_axes(
            &top,
            &self.title,
            &self.x_desc,
            &labels,
            self.rows
                .iter()
                .flat_map(|r| [r.ci[0], r.ci[1], r.estimate]),
            (20 + 9 * longest).clamp(120, 360) as u32,
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            if !r.estimate.is_finite() {
                continue;
            }
            let y = (k - 1 - i) as f64;
            let c = r.mark.map_or(UNCLAIMED, colour);
            if r.ci[0].is_finite() && r.ci[1].is_finite() {
                chart
                    .draw_series(LineSeries::new([(r.ci[0], y), (r.ci[1], y)], stroke(c, 2)))
                    .map_err(plot_err)?;
            }
            let style = if r.mark.is_some() {
                c.filled()
            } else {
                stroke(c, 2)
            };
            chart
                .draw_series(std::iter::once(Circle::new((r.estimate, y), 5, style)))
                .map_err(plot_err)?;
        }
        let mut entries: Vec<(String, Key)> = self
            .marks
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), Key::Dot(colour(i))))
            .collect();
        entries.push(("no claim (hollow)".into(), Key::Line(UNCLAIMED)));
        key_strip(&key, &entries)
    }
}

impl super::Charts for crate::analysis::framework::FrameworkOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        use super::{Chart, NamedChart};
        use crate::framework::TrustClaim;
        let mut charts = Vec::new();
        if let Some(d) = &self.differential {
            let rows = d
                .competencies
                .iter()
                .map(|c| ClaimRow {
                    label: c.name.clone(),
                    estimate: c.r_diff.estimate.unwrap_or(f64::NAN),
                    ci: c.r_diff.ci.unwrap_or([f64::NAN; 2]),
                    mark: c.claim.map(|k| match k {
                        TrustClaim::Affective => 0,
                        TrustClaim::Cognitive => 1,
                        TrustClaim::Both => 2,
                    }),
                })
                .collect();
            charts.push(NamedChart {
                suffix: None,
                chart: Chart::Claims(ClaimChart {
                    title: "Competencies: affective minus cognitive trust".into(),
                    x_desc: format!(
                        "r with affective - r with cognitive trust, {:.0}% interval (Zou, 2007)",
                        100.0 * d.bootstrap.ci
                    ),
                    rows,
                    marks: vec![
                        "claimed affective (> 0)".into(),
                        "claimed cognitive (< 0)".into(),
                        "claimed both".into(),
                    ],
                }),
            });
        }
        if let Some(r) = &self.risks {
            let rows = r
                .links
                .iter()
                .map(|l| ClaimRow {
                    label: format!("{} x {}", l.competency, l.risk),
                    estimate: l.partial_r.estimate.unwrap_or(f64::NAN),
                    ci: l.partial_r.ci.unwrap_or([f64::NAN; 2]),
                    mark: l.claimed.then_some(0),
                })
                .collect();
            charts.push(NamedChart {
                suffix: Some("risks".into()),
                chart: Chart::Claims(ClaimChart {
                    title: "Competencies and risks".into(),
                    x_desc: format!(
                        "partial r (given the other competencies), {:.0}% bootstrap interval",
                        100.0 * r.bootstrap.ci
                    ),
                    rows,
                    marks: vec!["claimed link (< 0: less concern)".into()],
                }),
            });
        }
        Ok(charts)
    }
}
