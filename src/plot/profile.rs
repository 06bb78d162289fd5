//! Profile chart: scores on each subscale of an instrument, several series side by side (a
//! leader's self rating against their collaborators' mean and spread, or a group's
//! self-assessment).

use super::{
    colour, key_strip, plot_err, slots, stroke, text, title_width, Figure, Key, DESC_PX, TICK_PX,
    TITLE_PX,
};
use crate::error::Result;
use crate::profile::{Descriptives, ProfileResult, Profiles};
use crate::render::num;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    /// Subscales to shade (a leader's strengths), one flag per subscale; empty for none.
    pub highlight: Vec<bool>,
    /// The key's words for a shaded subscale.
    pub highlight_label: String,
}

/// Shade of a highlighted subscale's slot.
const HIGHLIGHT: RGBColor = RGBColor(222, 240, 228);

impl Figure for ProfileChart {
    fn size(&self) -> (u32, u32) {
        (
            // room for the subscales and for the title
            (260 + 110 * self.subscales.len().max(2))
                .max(title_width(&self.title))
                .min(1100) as u32,
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
            .caption(&self.title, text(TITLE_PX))
            .margin(12)
            .x_label_area_size(58)
            .y_label_area_size(68)
            .build_cartesian_2d(xr, (lo - pad)..(hi + pad))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(text(TICK_PX))
            .axis_desc_style(text(DESC_PX))
            .x_labels(nx)
            .x_label_formatter(&|_| String::new())
            .disable_x_mesh()
            .y_desc(self.y_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        // shaded slots behind the series
        chart
            .draw_series(
                self.highlight
                    .iter()
                    .enumerate()
                    .filter(|(_, on)| **on)
                    .map(|(i, _)| {
                        let x = i as f64;
                        Rectangle::new(
                            [(x - 0.5, lo - pad), (x + 0.5, hi + pad)],
                            HIGHLIGHT.filled(),
                        )
                    }),
            )
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
        // subscale names under their slots, wrapped onto two lines where they are long
        for (i, name) in self.subscales.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64, lo - pad));
            for (j, line) in wrap(name, 14).into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (x, y + 8 + 19 * j as i32),
                    text(TICK_PX).pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(plot_err)?;
            }
        }
        let mut entries: Vec<(String, Key)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.label.clone(), Key::Line(colour(i))))
            .collect();
        if self.highlight.iter().any(|on| *on) {
            entries.push((self.highlight_label.clone(), Key::Fill(HIGHLIGHT)));
        }
        key_strip(&key, &entries)
    }
}

/// A label as one line if it has at most `width` characters, else as two lines split at the
/// space that makes the longer line shortest.
fn wrap(label: &str, width: usize) -> Vec<String> {
    let label = label.trim();
    if label.chars().count() <= width {
        return if label.is_empty() {
            vec![]
        } else {
            vec![label.to_string()]
        };
    }
    let best = label
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .min_by_key(|(i, _)| {
            let left = label[..*i].chars().count();
            let right = label[i + 1..].chars().count();
            left.max(right)
        });
    match best {
        Some((i, _)) => vec![label[..i].to_string(), label[i + 1..].to_string()],
        None => vec![label.to_string()],
    }
}

/// The profile chart of one leader (self, and collaborators' mean ± 1 SD) or one group
/// (members' mean ± 1 SD); `None` when the id is not in the result.
pub fn profile_chart(r: &ProfileResult, id: &str) -> Option<ProfileChart> {
    let [lo, hi] = r.scale;
    // the whisker is drawn within the response scale; the JSON keeps the exact values
    let spread = |d: &Descriptives| {
        d.mean
            .zip(d.sd)
            .map(|(m, sd)| [(m - sd).max(lo), (m + sd).min(hi)])
    };
    let (title, series, highlight) = match &r.profiles {
        Profiles::Leader { leaders, .. } => {
            let l = leaders.iter().find(|l| l.leader == id)?;
            // the leader's strengths, shaded: the strengths-based reading of the profile
            let strong = l
                .subscales
                .iter()
                .map(|x| l.strengths.contains(&x.subscale))
                .collect();
            let own = ProfileSeries {
                label: "self".into(),
                values: l
                    .subscales
                    .iter()
                    .map(|x| x.self_score.unwrap_or(f64::NAN))
                    .collect(),
                spread: vec![None; l.subscales.len()],
            };
            let others = ProfileSeries {
                label: format!("collaborators (mean ± 1 SD, n = {})", l.observers),
                values: l
                    .subscales
                    .iter()
                    .map(|x| x.observers.mean.unwrap_or(f64::NAN))
                    .collect(),
                spread: l.subscales.iter().map(|x| spread(&x.observers)).collect(),
            };
            (
                format!(
                    "Leader {id}: self and collaborator ratings ({})",
                    r.instrument
                ),
                vec![own, others],
                strong,
            )
        }
        Profiles::Group { groups, .. } => {
            let g = groups.iter().find(|g| g.group == id)?;
            let members = ProfileSeries {
                label: "members (mean ± 1 SD)".into(),
                values: g
                    .subscales
                    .iter()
                    .map(|x| x.scores.mean.unwrap_or(f64::NAN))
                    .collect(),
                spread: g.subscales.iter().map(|x| spread(&x.scores)).collect(),
            };
            (
                format!(
                    "Group {id}: members' ratings ({}, n = {})",
                    r.instrument, g.members
                ),
                vec![members],
                Vec::new(),
            )
        }
    };
    Some(ProfileChart {
        title,
        subscales: r.subscales.iter().map(|s| s.name.clone()).collect(),
        series,
        y_range: (lo, hi),
        y_desc: format!("mean score ({}–{})", num(lo, 0), num(hi, 0)),
        highlight,
        highlight_label: "strength (collaborators' mean at or above their average)".into(),
    })
}

/// `profile --plot FILE`: the profile of each leader or group named (`--leader`, `--group`), to
/// FILE when one is named, else to FILE-ID for each (ids made safe for a file name: letters,
/// digits, `-`, `_` and `.` kept, anything else as `_`).
impl super::Charts for crate::analysis::profile::ProfileOutput {
    fn charts(&self) -> Result<Vec<super::NamedChart<'_>>> {
        let ids = &self.shown;
        if ids.is_empty() {
            let (what, flag) = match self.result.kind() {
                "leader" => ("leader", "--leader"),
                _ => ("group", "--group"),
            };
            return Err(crate::error::Error::option(
                "--plot",
                format!("name the {what}s to draw with {flag} ID[,ID...]"),
            ));
        }
        Ok(ids
            .iter()
            .filter_map(|id| {
                let chart = profile_chart(&self.result, id)?;
                let suffix = (ids.len() > 1).then(|| {
                    id.chars()
                        .map(|c| {
                            if c.is_alphanumeric() || "-_.".contains(c) {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect()
                });
                Some(super::NamedChart {
                    suffix,
                    chart: super::Chart::Profile(chart),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_names_wrap_at_spaces() {
        assert_eq!(
            wrap("Shared Interest Broker", 14),
            ["Shared", "Interest Broker"]
        );
        assert_eq!(wrap("Network Organizer", 14), ["Network", "Organizer"]);
        assert_eq!(wrap("Affective trust", 16), ["Affective trust"]);
        assert_eq!(wrap("Relational Coach", 14), ["Relational", "Coach"]);
        assert_eq!(wrap("", 14), Vec::<String>::new());
    }
}
