//! `trustscale._trustscale`: the native half of the Python package.
//!
//! One entry point, [`run`]: a command line as the `trustscale` binary takes it (the Python
//! wrapper turns keyword arguments into `--flag=value` words), parsed by the binary's own argument
//! parser (`src/cli`, compiled in here) so that names, defaults and checks are the CLI's, plus an
//! optional in-memory table (a pandas DataFrame's columns) that replaces the data file. The
//! command's typed request runs with the GIL released and inside `catch_unwind`; its output
//! comes back as the contract JSON (exactly what `--json` prints) with its warnings.

use numpy::{Element, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use trustscale::analysis::cfa::ModelSource;
use trustscale::analysis::{Outcome, Request};
use trustscale::data::formats::{Cells, Column};
use trustscale::data::{Format, MemoryNumbers, NumberColumn, NumberSlice, NumberView, Table};
use trustscale::{Error, Warning};

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

/// The type of a shared numpy buffer.
#[derive(Clone, Copy)]
enum Kind {
    F64,
    F32,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
}

/// A 1-D numpy array's buffer (and a pandas nullable column's mask), shared with the library
/// without a copy: the arrays are kept alive by `_owners` while the library reads them.
struct NumpyColumn {
    kind: Kind,
    ptr: usize,
    len: usize,
    mask: Option<usize>,
    _owners: Vec<PyObject>,
}

impl NumberColumn for NumpyColumn {
    fn view(&self) -> NumberView<'_> {
        // SAFETY: `ptr` and `mask` are the data pointers of contiguous, aligned, native-order 1-D
        // numpy arrays of `len` elements of the type `kind` names (checked by `shared` under the
        // GIL), and `_owners` holds a reference to each array, so the buffers stay allocated
        // (numpy does not resize an array that is referenced) for as long as `self` lives. The
        // library only reads them. A Python thread that writes into the same arrays during the
        // call would race with the read, as with numpy's own functions that release the GIL.
        unsafe {
            let values = match self.kind {
                Kind::F64 => NumberSlice::F64(slice(self.ptr, self.len)),
                Kind::F32 => NumberSlice::F32(slice(self.ptr, self.len)),
                Kind::I64 => NumberSlice::I64(slice(self.ptr, self.len)),
                Kind::I32 => NumberSlice::I32(slice(self.ptr, self.len)),
                Kind::I16 => NumberSlice::I16(slice(self.ptr, self.len)),
                Kind::I8 => NumberSlice::I8(slice(self.ptr, self.len)),
                Kind::U64 => NumberSlice::U64(slice(self.ptr, self.len)),
                Kind::U32 => NumberSlice::U32(slice(self.ptr, self.len)),
                Kind::U16 => NumberSlice::U16(slice(self.ptr, self.len)),
                Kind::U8 => NumberSlice::U8(slice(self.ptr, self.len)),
            };
            NumberView {
                values,
                missing: self.mask.map(|m| slice::<u8>(m, self.len)),
            }
        }
    }
}

/// # Safety
/// `ptr` points to `len` initialised, aligned values of `T` that outlive `'a`.
unsafe fn slice<'a, T>(ptr: usize, len: usize) -> &'a [T] {
    if len == 0 {
        return &[];
    }
    std::slice::from_raw_parts(ptr as *const T, len)
}

/// The data pointer and length of a contiguous, aligned 1-D array of `T`, or `None` when `obj`
/// is not one.
fn buffer<T: Element>(obj: &Bound<'_, PyAny>) -> Option<(usize, usize)> {
    let a = obj.downcast::<PyArray1<T>>().ok()?;
    let ro = a.try_readonly().ok()?;
    let s = ro.as_slice().ok()?;
    let ptr = s.as_ptr() as usize;
    (ptr % std::mem::align_of::<T>() == 0).then_some((ptr, s.len()))
}

/// A numpy array of a supported type as a shared column's values.
fn shared(obj: &Bound<'_, PyAny>) -> Option<(Kind, usize, usize)> {
    macro_rules! try_kinds {
        ($($t:ty => $k:ident),*) => {$(
            if let Some((p, n)) = buffer::<$t>(obj) {
                return Some((Kind::$k, p, n));
            }
        )*};
    }
    try_kinds!(f64 => F64, f32 => F32, i64 => I64, i32 => I32, i16 => I16, i8 => I8,
        u64 => U64, u32 => U32, u16 => U16, u8 => U8);
    None
}

/// A column's values: a numpy array shared in place, `(values, uint8 mask)` for a pandas
/// nullable column, or a list of strings.
fn cells_of(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Cells> {
    let (data, mask) = match values.downcast::<PyTuple>() {
        Ok(t) if t.len() == 2 => (t.get_item(0)?, Some(t.get_item(1)?)),
        _ => (values.clone(), None),
    };
    if let Some((kind, ptr, len)) = shared(&data) {
        let mut owners = vec![data.clone().unbind()];
        let mask = match mask {
            Some(m) => match buffer::<u8>(&m) {
                Some((p, n)) if n == len => {
                    owners.push(m.clone().unbind());
                    Some(p)
                }
                _ => {
                    return Err(NativeError::new_err((
                        "option",
                        format!("column \"{name}\": the mask must be a uint8 array of {len} values"),
                    )))
                }
            },
            None => None,
        };
        let col = NumpyColumn {
            kind,
            ptr,
            len,
            mask,
            _owners: owners,
        };
        let m = MemoryNumbers::new(col)
            .map_err(|e| NativeError::new_err(("option", e.to_string())))?;
        return Ok(Cells::Memory(m));
    }
    match data.extract::<Vec<String>>() {
        Ok(t) if mask.is_none() => Ok(Cells::Text(t)),
        _ => Err(NativeError::new_err((
            "option",
            format!(
                "column \"{name}\": expected a contiguous 1-D numpy array of numbers or a list of \
                 strings"
            ),
        ))),
    }
}

/// Builds the in-memory table from `(name, column)` pairs (see [`cells_of`]); numbers stay
/// where they are.
fn table_of(label: &str, columns: &Bound<'_, PyList>, rows: Vec<u64>) -> PyResult<Table> {
    let mut cols = Vec::with_capacity(columns.len());
    for item in columns.iter() {
        let (name, values): (String, Bound<'_, PyAny>) = item.extract()?;
        let cells = cells_of(&name, &values)?;
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
/// data as an in-memory table (`columns`: `(name, numpy array | (numpy array, uint8 mask) |
/// list of str)`, the arrays shared without a copy; `rows`: a uint64 array, the row number
/// each error names) and, for `cfa`, the model syntax. Everything after reading the arguments
/// runs with the GIL released. Returns (contract JSON or
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
    // the last reference to the table (and so to the numpy arrays it shares) is dropped here,
    // with the GIL held, after the computation
    let keep = table.clone();
    let result = py.allow_threads(move || {
        catch_unwind(AssertUnwindSafe(move || dispatch(argv, table, model)))
    });
    drop(keep);
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
