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

/// `cfa --plot FILE`: the standardised loadings with delta-method 95% intervals (`FILE`), and
/// with two or more factors their correlations (`FILE-factors`); of the first group in a
/// multi-group model. An instrument's factors are shown by their subscale names.
impl super::Charts for crate::analysis::cfa::CfaOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        use super::{Chart, Heatmap, NamedChart};
        use crate::cfa::syntax::Op;
        let r = &self.result;
        let name = &self.model_name;
        let first = |p: &&crate::cfa::Parameter| p.group.is_none_or(|g| g == 1);
        let z = crate::dist::normal_quantile(0.975).unwrap_or(1.959964);
        let loadings = r
            .parameters
            .iter()
            .filter(first)
            .filter(|p| p.op == Op::Measure)
            .filter_map(|p| {
                p.std_all.map(|est| Loading {
                    item: p.rhs.clone(),
                    factor: self.factor_label(&p.lhs),
                    est,
                    ci: p.std_all_se.map(|se| [est - z * se, est + z * se]),
                })
            })
            .collect();
        let group = r
            .groups
            .first()
            .filter(|_| r.groups.len() > 1)
            .map_or(String::new(), |g| format!(", group {}", g.label));
        let mut out = vec![NamedChart {
            suffix: None,
            chart: Chart::Loadings(LoadingsChart {
                title: format!("Standardised loadings ({name}{group})"),
                x_desc: "standardised loading with 95% interval".into(),
                loadings,
            }),
        }];
        let mut factors: Vec<String> = Vec::new();
        for p in r
            .parameters
            .iter()
            .filter(first)
            .filter(|p| p.op == Op::Measure)
        {
            if !factors.contains(&p.lhs) {
                factors.push(p.lhs.clone());
            }
        }
        if factors.len() < 2 {
            return Ok(out);
        }
        let mut values = vec![vec![f64::NAN; factors.len()]; factors.len()];
        for (i, row) in values.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for p in r
            .parameters
            .iter()
            .filter(first)
            .filter(|p| p.op == Op::Covary)
        {
            let (Some(i), Some(j)) = (
                factors.iter().position(|f| *f == p.lhs),
                factors.iter().position(|f| *f == p.rhs),
            ) else {
                continue;
            };
            if i != j {
                let v = p.std_all.unwrap_or(f64::NAN);
                values[i][j] = v;
                values[j][i] = v;
            }
        }
        out.push(NamedChart {
            suffix: Some("factors".into()),
            chart: Chart::Heatmap(Heatmap {
                title: format!("Factor correlations ({name}{group})"),
                rows: factors
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{} {}", i + 1, self.factor_label(f)))
                    .collect(),
                groups: Vec::new(),
                cols: (1..=factors.len()).map(|i| i.to_string()).collect(),
                values,
                x_desc: "factor".into(),
                faint_below: 0.0,
            }),
        });
        Ok(out)
    }
}
