//! Stage 1, model syntax: lavaan's model language (the subset the contract names) parsed into
//! flat statements, one per left-hand side, operator and right-hand side term.
//!
//! # Grammar
//! ```text
//! model     := (statement (newline | ';'))*
//! statement := names op terms
//! names     := name ('+' name)*
//! op        := '=~' | '~~' | '~' | '|'
//! terms     := term ('+' term)*
//! term      := (modifier '*')* (name | '1')          ('1' only after '~': an intercept)
//!                                                    (after '|' the names are t1, t2, ...: thresholds)
//! modifier  := number | 'NA' | name                  (fixed value, free, label)
//! ```
//! `#` (and `!`) start a comment that runs to the end of the line. A statement continues on
//! the next line when its line ends with `+`, `*` or an operator, or when the next line starts
//! with `+` or `*` (lavaan's rule for multi-line formulas).
//!
//! # Reference
//! Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
//! Statistical Software*, 48(2), 1–36. (the model syntax, section 4)
//!
//! # Peer
//! lavaan 0.6.14 `lavParseModelString()`: same operators, modifiers and multi-line rule.
//!
//! # Deviations
//! - Only `=~`, `~~`, `~`, `~ 1` and `|` (thresholds) are understood; lavaan's `:=`, `==`, `<`, `>`, `<~`,
//!   `%~~%`, `efa()`, `start()`, `c()` and other modifier functions give a syntax error naming
//!   the position, instead of being silently ignored.
//! - lavaan ignores a line without an operator with a warning (our reference cases begin with a
//!   comment, which both skip); we report it as an error, since a dropped line changes the model.

use crate::error::{Error, Result};
use serde::Serialize;

/// A model operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub enum Op {
    /// `=~`: "is measured by" (a factor loading).
    #[serde(rename = "=~")]
    Measure,
    /// `~~`: a (residual) variance or covariance.
    #[serde(rename = "~~")]
    Covary,
    /// `~`: a regression of the left-hand side on the right-hand side.
    #[serde(rename = "~")]
    Regress,
    /// `~1`: an intercept (or a latent mean).
    #[serde(rename = "~1")]
    Intercept,
    /// `|`: a threshold of an ordered item (`x1 | t1 + t2`; `rhs` is `t1`, `t2`, ...).
    #[serde(rename = "|")]
    Threshold,
    /// `~*~`: the scaling factor of an ordered item's latent response (`x1 ~*~ x1`; lavaan's
    /// delta parameterization; free in groups 2, 3, ... once thresholds are equal).
    #[serde(rename = "~*~")]
    Scale,
}

impl Op {
    /// The operator as lavaan writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Measure => "=~",
            Op::Covary => "~~",
            Op::Regress => "~",
            Op::Intercept => "~1",
            Op::Threshold => "|",
            Op::Scale => "~*~",
        }
    }
}

/// One flat statement: `lhs op rhs`, with its modifiers.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Statement {
    /// Left-hand side variable.
    pub lhs: String,
    /// Operator.
    pub op: Op,
    /// Right-hand side variable (empty for an intercept).
    pub rhs: String,
    /// A fixed value (`1*x`).
    pub fixed: Option<f64>,
    /// Explicitly freed (`NA*x`), which overrides lavaan's marker fixing.
    pub free: bool,
    /// A label (`a*x`); rows with the same label are constrained equal.
    pub label: Option<String>,
    /// 1-based line of the right-hand side term.
    pub line: usize,
    /// 1-based column of the right-hand side term.
    pub col: usize,
}

/// A parsed model: its statements in the order written.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ModelSyntax {
    /// Flat statements.
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Number(f64),
    Op(Op),
    Plus,
    Star,
    Newline,
    Semicolon,
    Other(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    text: String,
    line: usize,
    col: usize,
}

fn describe(t: Option<&Token>) -> String {
    match t {
        None => "the end of the model".to_string(),
        Some(t) if t.tok == Tok::Newline => "the end of the line".to_string(),
        Some(t) => format!("\"{}\"", t.text),
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '.'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, line: usize, col: usize, msg: impl AsRef<str>) -> Error {
        Error::option(
            "--model",
            format!("{}: line {line}, column {col}: {}", self.file, msg.as_ref()),
        )
    }
}

fn tokenize(text: &str, cx: &Ctx) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    for (li, raw) in text.lines().enumerate() {
        let line = li + 1;
        let chars: Vec<char> = raw.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let col = i + 1;
            if c == '#' || c == '!' {
                break;
            }
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let push = |out: &mut Vec<Token>, tok: Tok, text: String| {
                out.push(Token {
                    tok,
                    text,
                    line,
                    col,
                })
            };
            let three: String = chars[i..(i + 3).min(chars.len())].iter().collect();
            if three == "~*~" {
                push(&mut out, Tok::Op(Op::Scale), three);
                i += 3;
            } else if two == "=~" {
                push(&mut out, Tok::Op(Op::Measure), two);
                i += 2;
            } else if two == "~~" {
                push(&mut out, Tok::Op(Op::Covary), two);
                i += 2;
            } else if c == '~' {
                push(&mut out, Tok::Op(Op::Regress), "~".into());
                i += 1;
            } else if c == '|' {
                push(&mut out, Tok::Op(Op::Threshold), "|".into());
                i += 1;
            } else if c == '+' {
                push(&mut out, Tok::Plus, "+".into());
                i += 1;
            } else if c == '*' {
                push(&mut out, Tok::Star, "*".into());
                i += 1;
            } else if c == ';' {
                push(&mut out, Tok::Semicolon, ";".into());
                i += 1;
            } else if c.is_ascii_digit()
                || (c == '-'
                    && chars
                        .get(i + 1)
                        .is_some_and(|d| d.is_ascii_digit() || *d == '.'))
                || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || ((chars[i] == 'e' || chars[i] == 'E')
                            && chars
                                .get(i + 1)
                                .is_some_and(|d| d.is_ascii_digit() || *d == '-' || *d == '+'))
                        || ((chars[i] == '-' || chars[i] == '+')
                            && (chars[i - 1] == 'e' || chars[i - 1] == 'E')))
                {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let v: f64 = s
                    .parse()
                    .map_err(|_| cx.err(line, col, format!("expected a number, found \"{s}\"")))?;
                push(&mut out, Tok::Number(v), s);
            } else if is_name_start(c) {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                push(&mut out, Tok::Name(s.clone()), s);
            } else {
                push(&mut out, Tok::Other(c), c.to_string());
                i += 1;
            }
        }
        out.push(Token {
            tok: Tok::Newline,
            text: "\n".into(),
            line,
            col: chars.len() + 1,
        });
    }
    Ok(out)
}

/// Splits tokens into statements: a newline ends a statement unless the line ends with `+`,
/// `*` or an operator, or the next line starts with `+` or `*`.
fn statements(tokens: Vec<Token>) -> Vec<Vec<Token>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    let n = tokens.len();
    // the first token after each position that is not a newline, found in one backward pass
    // (scanning forward from every newline was quadratic in a run of blank lines)
    let mut next_token: Vec<Option<usize>> = vec![None; n + 1];
    for i in (0..n).rev() {
        next_token[i] = if tokens[i].tok == Tok::Newline {
            next_token[i + 1]
        } else {
            Some(i)
        };
    }
    for i in 0..n {
        let t = &tokens[i];
        match t.tok {
            Tok::Semicolon => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            Tok::Newline => {
                let continues_here = cur
                    .last()
                    .is_some_and(|l| matches!(l.tok, Tok::Plus | Tok::Star | Tok::Op(_)));
                let next = next_token[i + 1].map(|j| &tokens[j]);
                let continues_next = next.is_some_and(|t| matches!(t.tok, Tok::Plus | Tok::Star));
                if !cur.is_empty() && !continues_here && !continues_next {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(t.clone()),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Parses lavaan model syntax.
///
/// `file` names the source in error messages (`model.txt: line 3, column 7: ...`).
///
/// # Example
/// ```
/// use trustscale::cfa::syntax::{parse, Op};
/// let m = parse("# HS\nvisual =~ x1 + a*x2 +\n   x3\nx1 ~~ 0*x2", "model.txt").unwrap();
/// assert_eq!(m.statements.len(), 4);
/// assert_eq!(m.statements[1].label.as_deref(), Some("a"));
/// assert_eq!(m.statements[3].op, Op::Covary);
/// assert_eq!(m.statements[3].fixed, Some(0.0));
/// let e = parse("f =~ x1 + + x2", "m.txt").unwrap_err().to_string();
/// assert!(e.contains("m.txt: line 1, column 11"), "{e}");
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] with flag `--model` and a message naming the file, line and column.
pub fn parse(text: &str, file: &str) -> Result<ModelSyntax> {
    let cx = Ctx { file };
    let tokens = tokenize(text, &cx)?;
    let mut out = Vec::new();
    for st in statements(tokens) {
        parse_statement(&st, &cx, &mut out)?;
    }
    if out.is_empty() {
        return Err(Error::option(
            "--model",
            format!(
                "{file}: expected at least one statement (e.g. \"F =~ x1 + x2 + x3\"), found none"
            ),
        ));
    }
    Ok(ModelSyntax { statements: out })
}

fn parse_statement(st: &[Token], cx: &Ctx, out: &mut Vec<Statement>) -> Result<()> {
    let Some(op_pos) = st.iter().position(|t| matches!(t.tok, Tok::Op(_))) else {
        let t = &st[0];
        if let Some(bad) = st.iter().find(|t| matches!(t.tok, Tok::Other(_))) {
            return Err(cx.err(
                bad.line,
                bad.col,
                format!(
                    "expected an operator (=~, ~~ or ~), found \"{}\" (only lavaan's =~, ~~, ~ are supported)",
                    bad.text
                ),
            ));
        }
        return Err(cx.err(
            t.line,
            t.col,
            "expected an operator (=~, ~~ or ~) in this statement, found none",
        ));
    };
    let Tok::Op(op) = st[op_pos].tok else {
        return Ok(());
    };
    // left-hand side: name ('+' name)*
    let lhs_toks = &st[..op_pos];
    let mut lhs: Vec<String> = Vec::new();
    let mut expect_name = true;
    if lhs_toks.is_empty() {
        return Err(cx.err(
            st[op_pos].line,
            st[op_pos].col,
            format!("expected a variable name before \"{}\"", st[op_pos].text),
        ));
    }
    for t in lhs_toks {
        match (&t.tok, expect_name) {
            (Tok::Name(n), true) => {
                lhs.push(n.clone());
                expect_name = false;
            }
            (Tok::Plus, false) => expect_name = true,
            _ => {
                return Err(cx.err(
                    t.line,
                    t.col,
                    format!(
                        "expected {}, found {}",
                        if expect_name {
                            "a variable name"
                        } else {
                            "an operator (=~, ~~ or ~) or \"+\""
                        },
                        describe(Some(t))
                    ),
                ))
            }
        }
    }
    if expect_name {
        return Err(cx.err(
            st[op_pos].line,
            st[op_pos].col,
            format!(
                "expected a variable name, found {}",
                describe(Some(&st[op_pos]))
            ),
        ));
    }
    // right-hand side terms
    let rhs_toks = &st[op_pos + 1..];
    if rhs_toks.is_empty() {
        let t = &st[op_pos];
        return Err(cx.err(
            t.line,
            t.col + t.text.len(),
            format!(
                "expected a variable name after \"{}\", found the end of the statement",
                t.text
            ),
        ));
    }
    let mut i = 0;
    loop {
        // term: (modifier '*')* (name | 1)
        let mut fixed = None;
        let mut free = false;
        let mut label = None;
        let start = i;
        let target: (String, usize, usize);
        loop {
            let Some(t) = rhs_toks.get(i) else {
                let last = rhs_toks.get(i.saturating_sub(1)).unwrap_or(&st[op_pos]);
                return Err(cx.err(
                    last.line,
                    last.col + last.text.chars().count(),
                    format!(
                        "expected a variable name after \"{}\", found the end of the statement",
                        last.text
                    ),
                ));
            };
            let star_follows = rhs_toks.get(i + 1).is_some_and(|n| n.tok == Tok::Star);
            match &t.tok {
                Tok::Number(v) if star_follows => {
                    fixed = Some(*v);
                    free = false;
                    i += 2;
                }
                Tok::Name(n) if star_follows && n == "NA" => {
                    free = true;
                    fixed = None;
                    i += 2;
                }
                Tok::Name(n) if star_follows => {
                    label = Some(n.clone());
                    i += 2;
                }
                Tok::Name(n) => {
                    if rhs_toks
                        .get(i + 1)
                        .is_some_and(|n| n.tok == Tok::Other('('))
                    {
                        return Err(cx.err(
                            t.line,
                            t.col,
                            format!(
                                "expected a variable name, found the function \"{n}(\" (lavaan's modifier functions such as start(), c() and equal() are not supported)"
                            ),
                        ));
                    }
                    target = (n.clone(), t.line, t.col);
                    i += 1;
                    break;
                }
                Tok::Number(v) if *v == 1.0 && op == Op::Regress => {
                    // `y ~ 1`: an intercept
                    target = (String::new(), t.line, t.col);
                    i += 1;
                    break;
                }
                _ => {
                    return Err(cx.err(
                        t.line,
                        t.col,
                        format!(
                            "expected {}, found {}",
                            if i == start {
                                "a variable name or a modifier (1*x, a*x, NA*x)"
                            } else {
                                "a variable name"
                            },
                            describe(Some(t))
                        ),
                    ))
                }
            }
        }
        let (rhs, line, col) = target;
        if op == Op::Threshold && threshold_number(&rhs).is_none() {
            return Err(cx.err(
                line,
                col,
                format!("expected a threshold name t1, t2, ... after \"|\", found \"{rhs}\""),
            ));
        }
        let this_op = if rhs.is_empty() { Op::Intercept } else { op };
        for l in &lhs {
            out.push(Statement {
                lhs: l.clone(),
                op: this_op,
                rhs: rhs.clone(),
                fixed,
                free,
                label: label.clone(),
                line,
                col,
            });
        }
        match rhs_toks.get(i) {
            None => break,
            Some(t) if t.tok == Tok::Plus => {
                i += 1;
                if rhs_toks.get(i).is_none() {
                    return Err(cx.err(
                        t.line,
                        t.col + 1,
                        "expected a variable name after \"+\", found the end of the statement",
                    ));
                }
            }
            Some(t) => {
                return Err(cx.err(
                    t.line,
                    t.col,
                    format!(
                        "expected \"+\" or the end of the statement, found {}",
                        describe(Some(t))
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// The 1-based number $k$ of a threshold name `tk` (`t1` is 1), `None` for anything else.
pub fn threshold_number(name: &str) -> Option<usize> {
    let k: usize = name.strip_prefix('t')?.parse().ok()?;
    (k >= 1 && !name[1..].starts_with('0')).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_hs_model_with_comments_and_continuation() {
        let m = parse(
            "# Holzinger & Swineford\nvisual  =~ x1 + x2 + x3 # three\ntextual =~ x4 +\n  x5\n  + x6\nspeed =~ x7 + x8 + x9; x7 ~~ x8",
            "model.txt",
        )
        .unwrap();
        let s: Vec<(String, &str, String)> = m
            .statements
            .iter()
            .map(|s| (s.lhs.clone(), s.op.as_str(), s.rhs.clone()))
            .collect();
        assert_eq!(s.len(), 10);
        assert_eq!(s[4], ("textual".into(), "=~", "x5".into()));
        assert_eq!(s[5], ("textual".into(), "=~", "x6".into()));
        assert_eq!(s[9], ("x7".into(), "~~", "x8".into()));
    }

    #[test]
    fn parse_modifiers_labels_and_intercepts() {
        let m = parse(
            "f =~ NA*x1 + a*x2 + 0.5*x3 + a*x4\nf ~~ 1*f\ny ~ 1\nx1 ~ 0*1\ny1 + y2 ~ f",
            "m",
        )
        .unwrap();
        let st = &m.statements;
        assert!(st[0].free && st[0].fixed.is_none());
        assert_eq!(st[1].label.as_deref(), Some("a"));
        assert_eq!(st[2].fixed, Some(0.5));
        assert_eq!(st[4].fixed, Some(1.0));
        assert_eq!(st[5].op, Op::Intercept);
        assert_eq!(st[6].op, Op::Intercept);
        assert_eq!(st[6].fixed, Some(0.0));
        assert_eq!(st[7].lhs, "y1");
        assert_eq!(st[8].lhs, "y2");
    }

    #[test]
    fn parse_errors_name_line_and_column() {
        let e = |t: &str| parse(t, "model.txt").unwrap_err().to_string();
        assert_eq!(
            e("f =~ x1 + x2\ng =~ x3 * + x4"),
            "option --model: model.txt: line 2, column 11: expected a variable name, found \"+\""
        );
        assert!(e("f =~ x1 +").contains("line 1, column 10: expected a variable name after \"+\""));
        assert!(e("f =~ x1 x2").contains("line 1, column 9: expected \"+\" or the end"));
        assert!(e("f := a*b").contains("line 1, column 3"));
        assert!(e("x1 x2").contains("line 1, column 1: expected an operator"));
        assert!(e("f =~ start(0.5)*x1").contains("line 1, column 6"));
        assert!(e("# nothing").contains("expected at least one statement"));
        assert!(e("x1 | t1 + u2").contains("line 1, column 11: expected a threshold name"));
    }

    #[test]
    fn parse_thresholds() {
        let m = parse("f =~ x1 + x2\nx1 | t1 + a*t2 + 0.5*t3", "m").unwrap();
        let st = &m.statements;
        assert_eq!(st.len(), 5);
        assert_eq!(st[2].op, Op::Threshold);
        assert_eq!((st[2].lhs.as_str(), st[2].rhs.as_str()), ("x1", "t1"));
        assert_eq!(st[3].label.as_deref(), Some("a"));
        assert_eq!(st[4].fixed, Some(0.5));
        assert_eq!(threshold_number("t12"), Some(12));
        assert_eq!(threshold_number("t0"), None);
    }
}
