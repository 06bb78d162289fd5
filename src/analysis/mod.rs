//! The commands as library calls: each command of the `trustscale` binary is a *request* (the
//! data to read and the options, as typed values) that runs to a typed *output*, which
//! serialises (serde) to exactly the command's contract JSON, renders its text tables through
//! [`crate::render::Report`] and (feature `plot`) its charts through `plot::Charts`.
//!
//! The binary only turns flags into a request, runs it and prints; the report builds the same
//! requests directly and reads the typed outputs; the Python package (`python/`) builds the
//! same requests from keyword arguments and a DataFrame (an in-memory table, `DataRequest::table`).
//!
//! ```text
//! DataRequest + options ──run()──▶ Output ──serde──▶ contract JSON
//!                                        ├─ render::Report ─▶ text tables
//!                                        └─ plot::Charts ───▶ charts (SVG/PNG, in memory)
//! ```
//!
//! Every request can print the command line that reproduces it ([`Request::command_line`]), so
//! the report shows a command under each of its results.

pub mod describe;
pub mod efa;
pub mod evaluate;
pub mod framework;
pub mod instrument;
pub mod omega;
pub mod parallel;
pub mod polychoric;
pub mod power;
pub mod profile;
pub mod regress;
pub mod reliability;
pub mod schema;
pub mod score;
pub mod simulate;
pub mod study;

use crate::error::{Error, Result, Warning};
use serde::Serialize;
use std::path::Path;

pub mod cfa;
pub mod icc;
pub mod kappa;
pub mod krippendorff;
pub mod rwg;

/// An item's wording as tables show it beside the item: the instrument's text for the form,
/// else the data file's variable label (`.sav`, `.dta`); see [`crate::study::item_text`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ItemText {
    /// The item (column) name.
    pub item: String,
    /// Its wording.
    pub text: String,
}

/// The wordings of the items that have one, in the items' order (`names` and `text` are
/// parallel; a missing wording is left out).
pub fn item_texts(names: &[String], text: &[Option<String>]) -> Vec<ItemText> {
    names
        .iter()
        .zip(text)
        .filter_map(|(item, t)| {
            t.as_ref().map(|t| ItemText {
                item: item.clone(),
                text: t.clone(),
            })
        })
        .collect()
}

/// The wording of `item` among `texts`, if it has one.
pub fn text_of<'a>(texts: &'a [ItemText], item: &str) -> Option<&'a str> {
    texts
        .iter()
        .find(|t| t.item == item)
        .map(|t| t.text.as_str())
}

/// A command as a library call.
pub trait Request {
    /// What it produces; serialises to the command's contract JSON.
    type Output: Outcome;

    /// The command's words after `trustscale`, as a user would type them: the command name,
    /// the data selection and every option the request sets, without `--study`, `--plot` and
    /// `--json` (see [`Request::command_line`]).
    fn args(&self) -> Vec<String>;

    /// The study file the request reads, if any.
    fn study(&self) -> Option<&Path>;

    /// Checks the options and the data selection, reads the data, runs the analysis.
    fn run(&self) -> Result<Self::Output>;

    /// The whole command line: `trustscale`, [`Request::args`], then `--plot FILE`,
    /// `--study FILE` and `--json` when given.
    fn command_line(&self, plot: Option<&Path>, json: bool) -> Vec<String> {
        let mut argv = vec!["trustscale".to_string()];
        argv.extend(self.args());
        if let Some(p) = plot {
            argv.push("--plot".into());
            argv.push(p.display().to_string());
        }
        if let Some(s) = self.study() {
            argv.push("--study".into());
            argv.push(s.display().to_string());
        }
        if json {
            argv.push("--json".into());
        }
        argv
    }
}

/// The output of a request.
pub trait Outcome: Serialize {
    /// The warnings a user should see (the CLI echoes them on stderr), in order; where the
    /// output covers several subscales each message names its subscale.
    fn warnings(&self) -> Vec<Warning>;
}

/// A result as pretty-printed contract JSON, with a final newline (what `--json` prints).
pub fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::option("--json", format!("cannot serialise the result: {e}")))
}

/// A command line as a user would type it (arguments with spaces or shell characters quoted).
pub fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.chars()
                .any(|c| c.is_whitespace() || "*?$\"'&|;<>()".contains(c))
            {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
