//! Charts with plotters, written as SVG or PNG.
//!
//! Every chart is a [`Figure`]: a typed view of a result that knows its size and draws itself on
//! any plotters backend, so the CLI (`--plot FILE.svg|FILE.png`) and the HTML report draw the same
//! picture. Text is laid out with DejaVu Sans, compiled into the binary (`font/`, Bitstream Vera
//! licence), so PNG output needs no system fonts and SVG text is measured the same way everywhere.

mod agreement;
mod cfa;
mod evaluate;
mod factor;
mod framework;
mod power;
mod profile;
mod regress;
mod reliability;

pub use agreement::{AgreementChart, AgreementScale};
pub use cfa::{Loading, LoadingsChart};
pub use evaluate::{ReliableChangeChart, WavesChart};
pub use factor::{Heatmap, ScreeChart};
pub use framework::{ClaimChart, ClaimRow};
pub use power::{check_plot_file, PowerCurve, PowerCurves};
pub use profile::{profile_chart, ProfileChart, ProfileSeries};
pub use regress::{DominanceChart, DominanceModel, ForestChart, PredictedChart};
pub use reliability::ReliabilityChart;

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (see `font/LICENSE`).
static FONT: &[u8] = include_bytes!("font/DejaVuSans.ttf");

/// A chart: its pixel size and how to draw it.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on a root area of [`Figure::size`].
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Registers the embedded font under the family name the charts use, once per process.
fn fonts() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(plot_err("the embedded font could not be read"))
    }
}

pub(crate) fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::option("--plot", format!("could not draw the chart: {e}"))
}

/// The chart as an SVG document.
pub fn to_svg(f: &impl Figure) -> Result<String> {
    fonts()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, f.size()).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        f.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// The chart as an RGB bitmap: width, height and `width * height * 3` bytes.
pub fn to_rgb(f: &impl Figure) -> Result<(u32, u32, Vec<u8>)> {
    fonts()?;
    let (w, h) = f.size();
    let mut buf = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        f.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok((w, h, buf))
}

/// Writes a chart as `.svg` or `.png` (chosen by the file's extension).
pub fn write(path: &Path, f: &impl Figure) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => std::fs::write(path, to_svg(f)?).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        }),
        Some("png") => {
            fonts()?;
            let root = BitMapBackend::new(path, f.size()).into_drawing_area();
            root.fill(&WHITE).map_err(plot_err)?;
            f.draw(&root)?;
            root.present()
                .map_err(|e| Error::option("--plot", format!("{}: {e}", path.display())))
        }
        _ => Err(Error::option(
            "--plot",
            format!(
                "{}: charts are written as .svg or .png files",
                path.display()
            ),
        )),
    }
}

/// Any chart of trustscale, as data: what an analysis's `charts()` returns, so that the CLI
/// writes it to a file and the report inlines it without a file in between.
pub enum Chart<'a> {
    /// Item analysis of a scale.
    Reliability(ReliabilityChart<'a>),
    /// Scree plot with the parallel-analysis references.
    Scree(ScreeChart<'a>),
    /// A heatmap (loadings, correlations).
    Heatmap(Heatmap),
    /// Standardised loadings with intervals.
    Loadings(LoadingsChart),
    /// Agreement statistics (ICC, rwg(j), kappa tables).
    Agreement(AgreementChart),
    /// Coefficient forest plot.
    Forest(ForestChart),
    /// Dominance weights.
    Dominance(DominanceChart),
    /// Predicted against observed.
    Predicted(PredictedChart),
    /// Subscale profiles.
    Profile(ProfileChart),
    /// Power curves.
    Power(PowerCurves),
    /// Means per wave and arm (program evaluation).
    Waves(WavesChart),
    /// Estimates with intervals, claimed ones marked (framework claims).
    Claims(ClaimChart),
}

impl Figure for Chart<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            Chart::Reliability(c) => c.size(),
            Chart::Scree(c) => c.size(),
            Chart::Heatmap(c) => c.size(),
            Chart::Loadings(c) => c.size(),
            Chart::Agreement(c) => c.size(),
            Chart::Forest(c) => c.size(),
            Chart::Dominance(c) => c.size(),
            Chart::Predicted(c) => c.size(),
            Chart::Profile(c) => c.size(),
            Chart::Power(c) => c.size(),
            Chart::Waves(c) => c.size(),
            Chart::Claims(c) => c.size(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        match self {
            Chart::Reliability(c) => c.draw(root),
            Chart::Scree(c) => c.draw(root),
            Chart::Heatmap(c) => c.draw(root),
            Chart::Loadings(c) => c.draw(root),
            Chart::Agreement(c) => c.draw(root),
            Chart::Forest(c) => c.draw(root),
            Chart::Dominance(c) => c.draw(root),
            Chart::Predicted(c) => c.draw(root),
            Chart::Profile(c) => c.draw(root),
            Chart::Power(c) => c.draw(root),
            Chart::Waves(c) => c.draw(root),
            Chart::Claims(c) => c.draw(root),
        }
    }
}

/// A chart with the name of its file beside the `--plot FILE` a user gave: `suffix` `None` is
/// `FILE` itself, `Some(s)` is `FILE-s.ext` (see [`companion_path`]).
pub struct NamedChart<'a> {
    /// File-name suffix, `None` for the main chart.
    pub suffix: Option<String>,
    /// The chart.
    pub chart: Chart<'a>,
}

/// A result that draws charts: the ones its command writes with `--plot`.
pub trait Charts {
    /// The charts, main chart first.
    fn charts(&self) -> Result<Vec<NamedChart<'_>>>;
}

/// `FILE-suffix.ext` beside a `--plot FILE.ext`: the name of a chart's companion charts.
pub fn companion_path(base: &Path, suffix: &str) -> std::path::PathBuf {
    let stem = base.file_stem().and_then(|s| s.to_str()).unwrap_or("chart");
    let ext = base.extension().and_then(|s| s.to_str()).unwrap_or("svg");
    base.with_file_name(format!("{stem}-{suffix}.{ext}"))
}

/// Writes every chart beside `base` (each at its [`companion_path`]); returns the paths.
pub fn write_charts(base: &Path, charts: &[NamedChart<'_>]) -> Result<Vec<std::path::PathBuf>> {
    charts
        .iter()
        .map(|c| {
            let path = match &c.suffix {
                None => base.to_path_buf(),
                Some(s) => companion_path(base, s),
            };
            write(&path, &c.chart).map(|()| path)
        })
        .collect()
}

/// Text sizes of the charts in pixels, one set for all so that every chart reads alike and
/// stays legible when the report shows two of them side by side at about two thirds of their
/// width (a tick label is then still about 10 pixels high).
pub(crate) const TITLE_PX: u32 = 22;
/// Panel titles inside a chart.
pub(crate) const SUBTITLE_PX: u32 = 18;
/// Axis descriptions.
pub(crate) const DESC_PX: u32 = 17;
/// Tick labels.
pub(crate) const TICK_PX: u32 = 17;
/// Legend and key entries.
pub(crate) const KEY_PX: u32 = 16;

/// Width in pixels a chart needs for its title at [`TITLE_PX`] (about 12 pixels a character,
/// with a margin).
pub(crate) fn title_width(title: &str) -> usize {
    40 + 12 * title.chars().count()
}

/// The charts' typeface at `px` pixels.
pub(crate) fn text(px: u32) -> TextStyle<'static> {
    ("sans-serif", px).into_font().into()
}

/// Colours of series and subscales (colour-blind safe, after Okabe & Ito 2008).
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

/// The `i`th palette colour.
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A line style.
pub(crate) fn stroke(c: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: c.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

/// A categorical axis of `n` slots centred on 0, 1, ..., n - 1: the range and the number of
/// labels to ask plotters for so that every integer gets a tick (its key points then step by
/// one half over a range of whole length).
pub(crate) fn slots(n: usize) -> (std::ops::Range<f64>, usize) {
    (-0.5..(n.max(1) as f64 - 0.5), 2 * n.max(1) + 1)
}

/// The axes of a forest plot (estimates with intervals, one row per label, the first at the
/// top), shared by the regression and framework charts: x from the smallest to the largest of
/// `extent` and zero, padded by 8% of the span; rows labelled on the left in a margin of
/// `label_px`; the estimate axis captioned `x_desc`; and a line at zero. Row `i` (0 = top) is
/// drawn at $y = n - 1 - i$.
pub(crate) fn forest_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    x_desc: &str,
    labels: &[String],
    extent: impl Iterator<Item = f64>,
    label_px: u32,
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
> {
    let k = labels.len().max(1);
    let (lo, hi) = extent
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = 0.08 * (hi - lo).max(1e-9);
    let names: Vec<String> = labels.iter().rev().cloned().collect();
    let (yr, ny) = slots(k);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(TITLE_PX))
        .margin(12)
        .x_label_area_size(54)
        .y_label_area_size(label_px)
        .build_cartesian_2d((lo - pad)..(hi + pad), yr)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .y_labels(ny)
        .y_label_formatter(&|y| slot_label(&names, *y))
        .x_label_formatter(&|x| tick(*x))
        .disable_y_mesh()
        .x_desc(x_desc)
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, -0.5), (0.0, k as f64 - 0.5)],
            BLACK.mix(0.6),
        ))
        .map_err(plot_err)?;
    Ok(chart)
}

/// A tick label of a continuous axis, as plotters writes it, except that a key point which is
/// zero up to rounding (such as -1.4e-17) reads 0.0 and not -0.0.
pub(crate) fn tick(x: f64) -> String {
    let x = if x.abs() < 1e-12 { 0.0 } else { x };
    <plotters::coord::types::RangedCoordf64 as plotters::coord::ranged1d::ValueFormatter<f64>>::format(&x)
}

/// A tick label for a count axis (factors, groups): the whole number at an integer, nothing
/// between.
pub(crate) fn whole_number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        String::new()
    }
}

/// The label of a categorical tick: `names[i]` at integer `i`, nothing between.
pub(crate) fn slot_label(names: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 {
        names.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Draws the legend of a chart at the given position.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    pos: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .label_font(text(KEY_PX))
        .position(pos)
        .draw()
        .map_err(plot_err)
}

/// APA-style number (see [`crate::render::format::apa`]).
pub use crate::render::format::apa;

/// How a legend entry is marked.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    /// A filled square.
    Fill(RGBColor),
    /// A line.
    Line(RGBColor),
    /// A dot.
    Dot(RGBColor),
}

/// A one-line legend drawn along a strip below a chart, entries left to right.
pub(crate) fn key_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Key)],
) -> Result<()> {
    let mut x = 20i32;
    let y = 8i32;
    for (label, key) in entries {
        match key {
            Key::Fill(c) => area.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], c.filled())),
            Key::Line(c) => area.draw(&PathElement::new(
                vec![(x, y + 6), (x + 14, y + 6)],
                stroke(*c, 2),
            )),
            Key::Dot(c) => area.draw(&Circle::new((x + 6, y + 6), 4, c.filled())),
        }
        .map_err(plot_err)?;
        area.draw(&Text::new(label.clone(), (x + 20, y), text(KEY_PX)))
            .map_err(plot_err)?;
        x += 40 + 9 * label.chars().count() as i32;
    }
    Ok(())
}

/// A titled colour key in a side panel: one square in palette order per name, top to bottom.
pub(crate) fn side_key<DB: DrawingBackend, S: AsRef<str>>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    names: &[S],
) -> Result<()> {
    area.draw(&Text::new(title.to_string(), (8, 56), text(KEY_PX + 1)))
        .map_err(plot_err)?;
    for (i, name) in names.iter().enumerate() {
        let y = 82 + 22 * i as i32;
        area.draw(&Rectangle::new(
            [(8, y - 7), (22, y + 7)],
            colour(i).filled(),
        ))
        .map_err(plot_err)?;
        area.draw(&Text::new(
            name.as_ref().to_string(),
            (30, y - 7),
            text(KEY_PX),
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{tick, whole_number};

    #[test]
    fn ticks_near_zero_have_no_minus() {
        assert_eq!(tick(-1.4e-17), "0.0");
        assert_eq!(tick(-0.0), "0.0");
        assert_eq!(tick(-0.2), "-0.2");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(1.0), "1.0");
    }

    #[test]
    fn count_ticks_are_whole_numbers_or_nothing() {
        assert_eq!(whole_number(40.0), "40");
        assert_eq!(whole_number(2.5), "");
        assert_eq!(whole_number(3.0 - 1e-12), "3");
    }
}
