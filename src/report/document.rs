//! The report's document model: sections of verdicts, APA-style tables and charts, and its
//! self-contained HTML (inline SVG, embedded CSS, no scripts, no network).

use super::verdict::Level;
use std::fmt::Write as _;

/// A report.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Lines under the title (study, data, date).
    pub subtitle: Vec<String>,
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// A section.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A table in APA style: numbered, titled, horizontal rules only, a note underneath.
#[derive(Debug, Clone, Default)]
pub struct ApaTable {
    /// Title (italic, under "Table N").
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Cells.
    pub rows: Vec<Vec<String>>,
    /// Note.
    pub note: Option<String>,
}

/// One piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph of plain text.
    Para(String),
    /// A verdict sentence with its level.
    Verdict(Level, String),
    /// A table.
    Table(ApaTable),
    /// A chart (an SVG document) with its caption.
    Figure {
        /// The SVG.
        svg: String,
        /// Caption.
        caption: String,
    },
    /// Several charts side by side (wrapping on narrow screens): `(svg, caption)` pairs.
    Gallery(Vec<(String, String)>),
    /// A command line that reproduces the numbers.
    Command(String),
    /// A warning or an analysis that could not be run.
    Warning(String),
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Strips an XML declaration and comments before the `<svg` element, so the chart can be
/// placed inline.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..]).trim_end()
}

const CSS: &str = r#"
:root { --ink: #1d2733; --muted: #5b6673; --rule: #1d2733; --good: #0a7a55; --fair: #a86400; --poor: #b3261e; --info: #2b5c8a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #f4f6f8; }
header { background: #17324d; color: #fff; padding: 28px 40px 20px; }
header h1 { margin: 0 0 6px; font-size: 28px; }
header p { margin: 2px 0; color: #d6e2ee; font-size: 14px; }
nav { background: #fff; border-bottom: 1px solid #d8dde3; padding: 10px 40px; font-size: 14px; }
nav a { color: var(--info); margin-right: 18px; text-decoration: none; }
main { max-width: 1120px; margin: 0 auto; padding: 12px 24px 60px; }
section { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; padding: 18px 28px 24px; margin: 22px 0; }
h2 { margin: 4px 0 12px; font-size: 22px; border-bottom: 2px solid #e3e8ee; padding-bottom: 6px; }
h3 { margin: 22px 0 8px; font-size: 17px; }
p.verdict { margin: 8px 0; padding: 8px 12px; border-left: 5px solid var(--info); background: #f3f7fb; }
p.verdict.good { border-color: var(--good); background: #eef8f3; }
p.verdict.fair { border-color: var(--fair); background: #fdf6ea; }
p.verdict.poor { border-color: var(--poor); background: #fcefee; }
p.warning { color: var(--poor); font-size: 14px; margin: 4px 0; }
pre.command { background: #f1f3f5; padding: 6px 10px; font-size: 12.5px; overflow-x: auto; border-radius: 4px; color: #333; }
figure { margin: 14px 0; overflow-x: auto; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 4px 24px; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 13.5px; color: var(--muted); }
.apa { margin: 16px 0; overflow-x: auto; }
.apa .number { font-weight: bold; margin: 0; }
.apa .title { font-style: italic; margin: 0 0 6px; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
thead th { border-top: 2px solid var(--rule); border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: center; font-weight: normal; }
tbody td { padding: 3px 10px; text-align: right; }
tbody td:first-child, tbody td.text { text-align: left; }
tbody tr:last-child td { border-bottom: 2px solid var(--rule); }
.apa .note { font-size: 13px; margin: 6px 0 0; }
footer { text-align: center; color: var(--muted); font-size: 13px; padding: 20px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  header { background: none; color: var(--ink); padding: 0 0 8px; }
  header p { color: var(--muted); }
  nav { display: none; }
  main { max-width: none; padding: 0; }
  section { border: none; border-radius: 0; padding: 0; margin: 0 0 12px; break-before: page; }
  section:first-of-type { break-before: auto; }
  figure, .apa, p.verdict { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  pre.command { white-space: pre-wrap; word-break: break-all; }
  .gallery { grid-template-columns: 1fr 1fr; }
  p.verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

impl Document {
    /// The report as one HTML document.
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(1 << 20);
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
        let _ = writeln!(h, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
        let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape(&self.title));
        for s in &self.subtitle {
            let _ = writeln!(h, "<p>{}</p>", escape(s));
        }
        h.push_str("</header>\n<nav>");
        for s in &self.sections {
            let _ = write!(h, "<a href=\"#{}\">{}</a>", escape(&s.id), escape(&s.title));
        }
        h.push_str("</nav>\n<main>\n");
        let mut table_no = 0;
        let mut figure_no = 0;
        for s in &self.sections {
            let _ = writeln!(
                h,
                "<section id=\"{}\">\n<h2>{}</h2>",
                escape(&s.id),
                escape(&s.title)
            );
            for b in &s.blocks {
                match b {
                    Block::Heading(t) => {
                        let _ = writeln!(h, "<h3>{}</h3>", escape(t));
                    }
                    Block::Para(t) => {
                        let _ = writeln!(h, "<p>{}</p>", escape(&minus_signs(t)));
                    }
                    Block::Verdict(level, t) => {
                        let _ = writeln!(
                            h,
                            "<p class=\"verdict {}\">{}</p>",
                            level.class(),
                            escape(&minus_signs(t))
                        );
                    }
                    Block::Warning(t) => {
                        let _ = writeln!(h, "<p class=\"warning\">{}</p>", escape(t));
                    }
                    Block::Command(t) => {
                        let _ = writeln!(h, "<pre class=\"command\">{}</pre>", escape(t));
                    }
                    Block::Table(t) => {
                        table_no += 1;
                        t.write_html(&mut h, table_no);
                    }
                    Block::Figure { svg, caption } => {
                        figure_no += 1;
                        write_figure(&mut h, figure_no, svg, caption);
                    }
                    Block::Gallery(figs) => {
                        h.push_str("<div class=\"gallery\">\n");
                        for (svg, caption) in figs {
                            figure_no += 1;
                            write_figure(&mut h, figure_no, svg, caption);
                        }
                        h.push_str("</div>\n");
                    }
                }
            }
            h.push_str("</section>\n");
        }
        let _ = writeln!(
            h,
            "</main>\n<footer>Written by trustscale {}.</footer>\n</body>\n</html>",
            env!("CARGO_PKG_VERSION")
        );
        h
    }
}

/// APA sets negative numbers with a minus sign (U+2212), not a hyphen: every `-` that starts a
/// number (`-0.12`, `-.03`, in `[-0.27, 0.24]`) becomes `−`; hyphens inside words and ranges stay.
fn minus_signs(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let before_ok = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-');
        let starts_number = match (chars.get(i + 1), chars.get(i + 2)) {
            (Some(d), _) if d.is_ascii_digit() => true,
            (Some('.'), Some(d)) => d.is_ascii_digit(),
            _ => false,
        };
        out.push(if c == '-' && before_ok && starts_number {
            '−'
        } else {
            c
        });
    }
    out
}

/// Whether a table cell holds a number, an interval, a p value or a dash (aligned right).
fn is_numeric(c: &str) -> bool {
    c.chars().any(|ch| ch.is_ascii_digit() || ch == '–')
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || " .,-+−–%[]<>=".contains(ch))
}

fn write_figure(h: &mut String, number: usize, svg: &str, caption: &str) {
    let _ = writeln!(
        h,
        "<figure>\n{}\n<figcaption><b>Figure {number}.</b> {}</figcaption>\n</figure>",
        inline_svg(svg),
        escape(caption)
    );
}

impl ApaTable {
    fn write_html(&self, h: &mut String, number: usize) {
        let _ = writeln!(
            h,
            "<div class=\"apa\">\n<p class=\"number\">Table {number}</p>\n<p class=\"title\">{}</p>\n<table>\n<thead><tr>",
            escape(&self.title)
        );
        for c in &self.header {
            let _ = write!(h, "<th>{}</th>", escape(c));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            h.push_str("<tr>");
            for (j, c) in r.iter().enumerate() {
                // numbers align right; words (a first column, a verdict) align left
                let class = if j > 0 && !is_numeric(c) {
                    " class=\"text\""
                } else {
                    ""
                };
                let _ = write!(h, "<td{class}>{}</td>", escape(&minus_signs(c)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        if let Some(n) = &self.note {
            let _ = writeln!(
                h,
                "<p class=\"note\"><i>Note.</i> {}</p>",
                escape(&minus_signs(n))
            );
        }
        h.push_str("</div>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn negative_numbers_get_a_minus_sign() {
        assert_eq!(minus_signs("-0.016"), "−0.016");
        assert_eq!(minus_signs("[-0.27, -.24]"), "[−0.27, −.24]");
        assert_eq!(minus_signs("R² = -.077."), "R² = −.077.");
        assert_eq!(
            minus_signs("tblc:network-organizer"),
            "tblc:network-organizer"
        );
        assert_eq!(minus_signs("G001-L"), "G001-L");
        assert_eq!(minus_signs("x--1"), "x--1");
        assert_eq!(minus_signs("-"), "-");
        assert_eq!(minus_signs("a -b"), "a -b");
    }

    #[test]
    fn numbers_and_words_are_told_apart() {
        for n in [
            "0.707",
            "−0.016",
            "[.81, .85]",
            "< .001",
            "96%",
            "+0.38",
            "–",
            "1002",
        ] {
            assert!(is_numeric(n), "{n}");
        }
        for w in [
            "good",
            "not supported",
            "tblc:process-navigator",
            "yes",
            "",
            "F4",
        ] {
            assert!(!is_numeric(w), "{w}");
        }
    }

    #[test]
    fn tables_and_figures_are_numbered() {
        let d = Document {
            title: "T".into(),
            subtitle: vec![],
            sections: vec![Section {
                id: "s".into(),
                title: "S".into(),
                blocks: vec![
                    Block::Table(ApaTable::default()),
                    Block::Figure {
                        svg: "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
                        caption: "c".into(),
                    },
                    Block::Table(ApaTable::default()),
                ],
            }],
        };
        let h = d.to_html();
        assert!(h.contains("Table 1") && h.contains("Table 2") && h.contains("Figure 1."));
        assert!(!h.contains("<?xml"));
    }
}
