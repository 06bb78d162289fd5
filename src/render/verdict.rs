//! Verdicts in words, with the conventional cut-offs they use.
//!
//! Every function returns the level (for colour) and a word; the report prints the evidence
//! next to it ("Cronbach's alpha = .86 [.84, .88]: good") and names the cut-offs.

/// How good a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Meets the usual standard.
    Good,
    /// Usable with care.
    Fair,
    /// Below the usual standard.
    Poor,
    /// A statement, not a judgement.
    Info,
}

impl Level {
    /// CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Level::Good => "good",
            Level::Fair => "fair",
            Level::Poor => "poor",
            Level::Info => "info",
        }
    }
}

/// Internal consistency (alpha or omega), after George & Mallery (2003):
/// ≥ .90 excellent, ≥ .80 good, ≥ .70 acceptable, ≥ .60 questionable, ≥ .50 poor, else
/// unacceptable.
pub fn reliability(x: f64) -> (Level, &'static str) {
    match x {
        x if x.is_nan() => (Level::Info, "not defined for these data"),
        x if x >= 0.9 => (Level::Good, "excellent"),
        x if x >= 0.8 => (Level::Good, "good"),
        x if x >= 0.7 => (Level::Fair, "acceptable"),
        x if x >= 0.6 => (Level::Poor, "questionable"),
        x if x >= 0.5 => (Level::Poor, "poor"),
        _ => (Level::Poor, "unacceptable"),
    }
}

/// The cut-offs of [`reliability`], for the report's text.
pub const RELIABILITY_CUTOFFS: &str =
    "≥ .90 excellent, ≥ .80 good, ≥ .70 acceptable, ≥ .60 questionable, ≥ .50 poor (George & Mallery, 2003)";

/// A general factor across an instrument's subscales, judged by omega hierarchical of the
/// Schmid–Leiman solution: ωh ≥ .80 means the items are essentially unidimensional, so a total
/// score is defensible and the subscale scores add little beyond it (Rodriguez, Reise &
/// Haviland, 2016); below that, the subscales carry information of their own. For an
/// instrument built as distinct subscales the first is a caution, the second a statement.
pub fn general_factor(omega_h: f64) -> (Level, &'static str) {
    if omega_h >= 0.8 {
        (
            Level::Fair,
            "a strong general factor: the items are essentially unidimensional and the subscale scores add little beyond a total score",
        )
    } else if omega_h >= 0.5 {
        (
            Level::Info,
            "a general factor runs through the subscales, but they keep reliable variance of their own",
        )
    } else {
        (
            Level::Info,
            "no strong general factor: the subscales are distinct, and a total score would mostly mix them",
        )
    }
}

/// Sampling adequacy (Kaiser, 1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling,
/// ≥ .60 mediocre, ≥ .50 miserable, else unacceptable.
pub fn kmo(x: f64) -> (Level, &'static str) {
    match x {
        x if x.is_nan() => (Level::Info, "not defined for these data"),
        x if x >= 0.9 => (Level::Good, "marvelous"),
        x if x >= 0.8 => (Level::Good, "meritorious"),
        x if x >= 0.7 => (Level::Fair, "middling"),
        x if x >= 0.6 => (Level::Fair, "mediocre"),
        x if x >= 0.5 => (Level::Poor, "miserable"),
        _ => (Level::Poor, "unacceptable"),
    }
}

/// Model fit after Hu & Bentler (1999): good when CFI ≥ .95, TLI ≥ .95, RMSEA ≤ .06 and
/// SRMR ≤ .08; acceptable when CFI ≥ .90, TLI ≥ .90, RMSEA ≤ .08 and SRMR ≤ .10 (Marsh, Hau &
/// Wen, 2004); poor otherwise.
pub fn fit(cfi: f64, tli: f64, rmsea: f64, srmr: f64) -> (Level, &'static str) {
    if cfi >= 0.95 && tli >= 0.95 && rmsea <= 0.06 && srmr <= 0.08 {
        (Level::Good, "good fit")
    } else if cfi >= 0.90 && tli >= 0.90 && rmsea <= 0.08 && srmr <= 0.10 {
        (Level::Fair, "acceptable fit")
    } else {
        (Level::Poor, "poor fit")
    }
}

/// The cut-offs of [`fit`].
pub const FIT_CUTOFFS: &str = "good: CFI and TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08 (Hu & Bentler, 1999); acceptable: CFI and TLI ≥ .90, RMSEA ≤ .08, SRMR ≤ .10";

/// Convergent validity of a factor (Fornell & Larcker, 1981; Hair et al., 2019): composite
/// reliability ≥ .70 and AVE ≥ .50.
pub fn convergent(cr: f64, ave: f64) -> (Level, &'static str) {
    match (cr >= 0.7, ave >= 0.5) {
        (true, true) => (Level::Good, "convergent validity supported"),
        (true, false) => (Level::Fair, "reliable, but AVE below .50"),
        _ => (Level::Poor, "convergent validity not supported"),
    }
}

/// Effect size of R² (Cohen, 1988, f² = R²/(1 − R²)): f² ≥ .35 large, ≥ .15 medium, ≥ .02
/// small, else negligible.
pub fn r2_size(r2: f64) -> &'static str {
    let f2 = r2 / (1.0 - r2);
    match f2 {
        f if f >= 0.35 => "large",
        f if f >= 0.15 => "medium",
        f if f >= 0.02 => "small",
        _ => "negligible",
    }
}

pub use super::format::{ci_text, p_text};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reliability_words_follow_the_cutoffs() {
        assert_eq!(reliability(0.86).1, "good");
        assert_eq!(reliability(0.90).1, "excellent");
        assert_eq!(reliability(0.6999).1, "questionable");
        assert_eq!(reliability(0.42).1, "unacceptable");
    }

    #[test]
    fn fit_levels() {
        assert_eq!(fit(0.97, 0.96, 0.04, 0.05).0, Level::Good);
        assert_eq!(fit(0.93, 0.92, 0.07, 0.06).0, Level::Fair);
        assert_eq!(fit(0.85, 0.80, 0.12, 0.11).0, Level::Poor);
    }

    #[test]
    fn apa_p_and_intervals() {
        assert_eq!(p_text(0.0004), "p < .001");
        assert_eq!(p_text(0.0342), "p = .034");
        assert_eq!(ci_text(0.8412, 0.8791, 2, true), "[.84, .88]");
        assert_eq!(ci_text(-0.051, 1.2, 2, false), "[-0.05, 1.20]");
        assert_eq!(r2_size(0.13), "small");
        assert_eq!(kmo(0.93).1, "marvelous");
    }
}
