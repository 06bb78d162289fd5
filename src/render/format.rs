//! The one number formatter: APA numbers, p values and intervals, for text tables, verdicts,
//! the HTML report and chart titles.
//!
//! Two styles:
//! - **plain** (the CLI's text tables): [`num`] with a leading zero (`0.042`), p values below
//!   .001 as `<.001`, intervals `[0.12, 0.34]`;
//! - **APA** (the report and chart titles): no leading zero for numbers bounded by 1 (`.042`),
//!   a minus sign only where the rounded number is not zero, p values below .001 as `< .001`,
//!   intervals `[.84, .88]`.

pub use super::{num, opt};

/// APA-style number with `decimals` decimals and no leading zero when `bounded` (|x| <= 1 by
/// definition: correlations, proportions, p values); `NA` for a non-finite value; a rounded
/// zero never carries a minus sign.
pub fn apa(x: f64, decimals: usize, bounded: bool) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    let mut s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    if bounded {
        if let Some(rest) = s.strip_prefix("0.") {
            return format!(".{rest}");
        }
        if let Some(rest) = s.strip_prefix("-0.") {
            return format!("-.{rest}");
        }
    }
    s
}

/// An APA table cell: [`apa`], or a dash (`–`) when there is no number.
pub fn cell(x: f64, decimals: usize, bounded: bool) -> String {
    if x.is_finite() {
        apa(x, decimals, bounded)
    } else {
        "–".into()
    }
}

/// A p value in APA running text: `p < .001`, `p = .034`, `p = NA`.
pub fn p_text(p: f64) -> String {
    if !p.is_finite() {
        "p = NA".into()
    } else if p < 0.001 {
        "p < .001".into()
    } else {
        format!("p = {}", apa(p, 3, true))
    }
}

/// A p value in an APA table cell: `< .001`, `.034`, `–` when there is none.
pub fn p_cell(p: f64) -> String {
    if p < 0.001 {
        "< .001".into()
    } else {
        cell(p, 3, true)
    }
}

/// A p value in a plain text line: `p < .001`, `p = 0.042`.
pub fn p_plain(p: f64) -> String {
    if p < 0.001 {
        "p < .001".into()
    } else {
        format!("p = {}", num(p, 3))
    }
}

/// A p value in a plain text table cell: `<.001`, `0.042`.
pub fn p_plain_cell(p: f64) -> String {
    if p < 0.001 {
        "<.001".into()
    } else {
        num(p, 3)
    }
}

/// An interval in APA style: `[.84, .88]`.
pub fn ci_text(lo: f64, hi: f64, decimals: usize, bounded: bool) -> String {
    format!(
        "[{}, {}]",
        apa(lo, decimals, bounded),
        apa(hi, decimals, bounded)
    )
}

/// An interval in plain style: `[0.1234, 0.5678]` ([`num`] with `decimals`).
pub fn ci_plain(lo: f64, hi: f64, decimals: usize) -> String {
    format!("[{}, {}]", num(lo, decimals), num(hi, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_styles() {
        assert_eq!(p_text(0.0004), "p < .001");
        assert_eq!(p_text(0.0342), "p = .034");
        assert_eq!(p_text(f64::NAN), "p = NA");
        assert_eq!(p_cell(0.0004), "< .001");
        assert_eq!(p_cell(f64::NAN), "–");
        assert_eq!(p_plain(0.0342), "p = 0.034");
        assert_eq!(p_plain_cell(0.0001), "<.001");
        assert_eq!(ci_text(0.8412, 0.8791, 2, true), "[.84, .88]");
        assert_eq!(ci_text(-0.051, 1.2, 2, false), "[-0.05, 1.20]");
        assert_eq!(ci_plain(-0.00001, 0.5, 3), "[0.000, 0.500]");
        assert_eq!(apa(-0.0001, 2, true), ".00");
    }
}
