//! `trustscale._trustscale`: the native half of the Python package.
//!
//! One entry point, [`run`]: a command line as the `trustscale` binary takes it (the Python
//! wrapper turns keyword arguments into `--flag=value` words), parsed by the binary's own argument
//! parser (`src/cli`, compiled in here) so that names, defaults and checks are the CLI's, plus an
//! optional in-memory table (a pandas DataFrame's columns) that replaces the data file. The
//! command's typed request runs with the GIL released and inside `catch_unwind`; its output
//! comes back as the contract JSON (exactly what `--json` prints) with its warnings.

use numpy::PyReadonlyArray1;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use trustscale::analysis::cfa::ModelSource;
use trustscale::analysis::{Outcome, Request};
use trustscale::data::formats::{Cells, Column};
use trustscale::data::{Format, Table};
use trustscale::{Error, Location, Warning};

// The binary's argument parser and command runners, compiled into this module: the Python
// functions take exactly the CLI's options, names and defaults.
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../../src/cli/mod.rs"]
mod cli;

create_exception!(
    _trustscale,
    NativeError,
    PyException,
    "An error of the native library: args = (kind, message); the Python package maps it to \
     DataError, OptionError, OSError or InternalError."
);

/// What a command returns to Python: the contract JSON (`None` for a command that prints only
/// text), the warnings as (code, message) pairs and the text the CLI would print.
type Returned = (Option<String>, Vec<(String, String)>, String);

/// A failure, before it becomes a Python exception.
struct Failure {
    kind: &'static str,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::InvalidOption { .. } => "option",
            Error::Io { .. } => "io",
            _ => "data",
        };
        Failure {
            kind,
            message: e.to_string(),
        }
    }
}

fn warnings_of(ws: &[Warning]) -> Vec<(String, String)> {
    ws.iter()
        .map(|w| {
            let code = serde_json::to_value(w.code)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_else(|| format!("{:?}", w.code));
            (code, w.message.clone())
        })
        .collect()
}

fn outcome<O: Outcome>(out: &O) -> Result<Returned, Failure> {
    let json = serde_json::to_string(out).map_err(|e| Failure {
        kind: "internal",
        message: format!("cannot serialise the result: {e}"),
    })?;
    Ok((Some(json), warnings_of(&out.warnings()), String::new()))
}

/// Runs a request whose data come from `table` when one is given.
macro_rules! with_table {
    ($req:expr, $table:expr) => {{
        let mut req = $req?;
        if let Some(t) = $table {
            req.data.data = None;
            req.data.table = Some(t);
        }
        outcome(&req.run()?)
    }};
}

fn dispatch(
    argv: Vec<String>,
    table: Option<Arc<Table>>,
    model: Option<String>,
) -> Result<Returned, Failure> {
    use cli::Command as C;
    let parsed = <cli::Cli as clap::Parser>::try_parse_from(&argv).map_err(|e| {
        let text = e.to_string();
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid options")
            .trim_start_matches("error: ")
            .to_string();
        Failure {
            kind: "option",
            message: first,
        }
    })?;
    match parsed.command {
        C::Reliability(a) => with_table!(a.request(), table),
        C::Omega(a) => with_table!(a.request(), table),
        C::Score(a) => with_table!(a.request(), table),
        C::Efa(a) => with_table!(a.request(), table),
        C::Parallel(a) => with_table!(a.request(), table),
        C::Polychoric(a) => with_table!(a.request(), table),
        C::Icc(a) => with_table!(a.request(), table),
        C::Rwg(a) => with_table!(a.request(), table),
        C::Kappa(a) => with_table!(a.request(), table),
        C::Krippendorff(a) => with_table!(a.request(), table),
        C::Regress(a) => with_table!(a.request(), table),
        C::Profile(a) => with_table!(a.request(), table),
        C::Cfa(a) => {
            let req = a.request().map(|mut r| {
                if let Some(m) = model {
                    r.model = Some(ModelSource::Syntax(m));
                }
                r
            });
            with_table!(req, table)
        }
        C::Simulate(a) => outcome(&a.request().run()?),
        C::Power(a) => match a.request() {
            Ok(r) => outcome(&r.run()?),
            // `power merge`: the binary's runner
            Err(e) => Err(e.into()),
        },
        other => {
            let out = cli::run(cli::Cli { command: other })?;
            let text = out.stdout;
            let json = text
                .trim_start()
                .starts_with(['{', '['])
                .then(|| text.clone());
            Ok((json, warnings_of(&out.warnings), text))
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Builds the in-memory table from `(name, column)` pairs: a float64 numpy array (NaN =
/// missing) or a list of strings ("" = missing).
fn table_of(label: &str, columns: &Bound<'_, PyList>, rows: Vec<u64>) -> PyResult<Table> {
    let mut cols = Vec::with_capacity(columns.len());
    for item in columns.iter() {
        let (name, values): (String, Bound<'_, PyAny>) = item.extract()?;
        let cells = if let Ok(a) = values.extract::<PyReadonlyArray1<'_, f64>>() {
            let v = a.as_array().to_vec();
            // NaN is a missing answer; an infinity is an error, as in a data file
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                let e = Error::Parse {
                    at: Location::file(Some(PathBuf::from(label)))
                        .with_row(rows.get(i).copied().unwrap_or(i as u64))
                        .with_column(&name),
                    expected: "a number or NaN (missing)".into(),
                    found: v[i].to_string(),
                };
                return Err(NativeError::new_err(("data", e.to_string())));
            }
            Cells::Numbers(v)
        } else {
            Cells::Text(values.extract::<Vec<String>>()?)
        };
        if cells.len() != rows.len() {
            return Err(NativeError::new_err((
                "option",
                format!(
                    "column \"{name}\" has {} values for {} rows",
                    cells.len(),
                    rows.len()
                ),
            )));
        }
        cols.push(Column::new(name, cells));
    }
    Ok(Table {
        file: Some(PathBuf::from(label)),
        format: Format::Csv,
        version: String::new(),
        label: None,
        columns: cols,
        rows,
    })
}

/// Runs one command: `argv` as the binary takes it (`["trustscale", "reliability", ...]`), the
/// data as an in-memory table (`columns`: `(name, float64 array | list of str)`, `rows`: a
/// uint64 array, the row number each error names) and, for `cfa`, the model syntax. Returns (contract JSON or
/// None, [(warning code, message)], text). Raises `NativeError(kind, message)`.
#[pyfunction]
#[pyo3(signature = (argv, columns=None, rows=None, label=None, model=None))]
fn run(
    py: Python<'_>,
    argv: Vec<String>,
    columns: Option<Bound<'_, PyList>>,
    rows: Option<PyReadonlyArray1<'_, u64>>,
    label: Option<String>,
    model: Option<String>,
) -> PyResult<Returned> {
    let table = match columns {
        Some(c) => {
            let rows = rows.map(|r| r.as_array().to_vec()).unwrap_or_default();
            Some(Arc::new(table_of(
                label.as_deref().unwrap_or("DataFrame"),
                &c,
                rows,
            )?))
        }
        None => None,
    };
    let result = py.allow_threads(move || {
        catch_unwind(AssertUnwindSafe(move || dispatch(argv, table, model)))
    });
    match result {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(f)) => Err(NativeError::new_err((f.kind, f.message))),
        Err(p) => Err(NativeError::new_err((
            "internal",
            format!("internal error (a bug in trustscale): {}", panic_message(p)),
        ))),
    }
}

/// Panics on purpose (tests check that a panic becomes an exception, not an abort).
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    let r = py.allow_threads(|| {
        catch_unwind(|| {
            let v: Vec<u8> = Vec::new();
            #[allow(clippy::indexing_slicing)]
            let x = v[usize::MAX / 2];
            x
        })
    });
    match r {
        Ok(_) => Ok(()),
        Err(p) => Err(NativeError::new_err((
            "internal",
            format!("internal error (a bug in trustscale): {}", panic_message(p)),
        ))),
    }
}

/// The library's version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _trustscale(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    Ok(())
}
