"""The shell around the native library: data frames to tables, keyword arguments to the CLI's
options, contract JSON to result objects, warnings and exceptions."""

from __future__ import annotations

import html
import json
import os
import warnings as _warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _trustscale as _native

__all__ = [
    "TrustscaleError",
    "DataError",
    "OptionError",
    "InternalError",
    "TrustscaleWarning",
    "Warning_",
    "Result",
]


# --------------------------------------------------------------------------- errors, warnings
class TrustscaleError(Exception):
    """Base class of the package's exceptions."""


class DataError(TrustscaleError, ValueError):
    """The data cannot be analysed as asked: the message names the row and column, as the
    CLI's does (rows are the DataFrame's index labels when the index is made of non-negative
    integers, otherwise positions counted from 0)."""


class OptionError(TrustscaleError, ValueError):
    """An option is unknown, has a value of the wrong kind, or options conflict."""


class InternalError(TrustscaleError, RuntimeError):
    """A bug in trustscale (a Rust panic caught at the boundary): please report it."""


class TrustscaleWarning(UserWarning):
    """A warning of an analysis (not converged, Heywood case, smoothed matrix, pairwise or
    listwise deletion, singular matrix, negatively correlated item, note)."""


class Warning_(tuple):
    """One warning of a result: ``(code, message)``; ``code`` is the contract's warning code
    (``not_converged``, ``heywood``, ``smoothed``, ``pairwise``, ``listwise``, ``singular``,
    ``negative_item``, ``note``)."""

    __slots__ = ()

    def __new__(cls, code: str, message: str):
        return tuple.__new__(cls, (code, message))

    @property
    def code(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"Warning({self.code!r}, {self.message!r})"


def _raise(err: BaseException) -> None:
    """Raises the package's exception for a NativeError(kind, message)."""
    if len(err.args) == 2:
        kind, message = err.args
    else:
        kind, message = "internal", str(err)
    if kind == "io":
        raise OSError(message) from None
    cls = {"data": DataError, "option": OptionError}.get(kind, InternalError)
    raise cls(message) from None


# --------------------------------------------------------------------------- data
def _row_numbers(index) -> np.ndarray:
    """Row numbers the errors name: the index labels when they are non-negative integers,
    otherwise positions from 0 (a uint64 array, handed over without a Python list)."""
    try:
        import pandas as pd

        if isinstance(index, pd.RangeIndex) and (len(index) == 0 or min(index[0], index[-1]) >= 0):
            return np.arange(index.start, index.stop, index.step, dtype=np.uint64)
    except ImportError:  # pragma: no cover
        pass
    try:
        arr = np.asarray(index)
        if arr.dtype.kind in "iu" and (arr.size == 0 or arr.min() >= 0):
            return np.ascontiguousarray(arr, dtype=np.uint64)
    except Exception:
        pass
    return np.arange(len(index), dtype=np.uint64)


def _text_cells(values) -> List[str]:
    out = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, float) and v != v:
            out.append("")
        elif isinstance(v, (bytes, bytearray)):
            out.append(v.decode("utf-8", "replace"))
        else:
            try:
                import pandas as pd

                if v is pd.NA or v is pd.NaT:
                    out.append("")
                    continue
            except Exception:
                pass
            if isinstance(v, (float, np.floating)) and float(v).is_integer():
                out.append(str(int(v)))
            else:
                out.append(str(v))
    return out


def _shareable(values: np.ndarray) -> np.ndarray:
    """A numeric numpy array as the native side shares it without a copy: 1-D, contiguous,
    aligned, native byte order, of a type it reads (float64/32, int64-8, uint64-8; bool as
    uint8). An array that already is one is passed as it is; anything else is converted once."""
    a = np.asarray(values)
    if a.dtype.kind == "b":
        a = np.ascontiguousarray(a).view(np.uint8)
    elif not ((a.dtype.kind in "iu" and a.dtype.itemsize in (1, 2, 4, 8))
              or (a.dtype.kind == "f" and a.dtype.itemsize in (4, 8))):
        a = a.astype(np.float64)  # float16, longdouble, ...
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return np.require(a, requirements=["C", "A"])


_MASKED = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32",
           "Float64", "boolean")


def _series_column(s):
    """One DataFrame column as the native side takes it: a numpy array shared in place, a
    pandas nullable column as (values, mask), anything else numeric as float64 (NaN = missing),
    other columns as text."""
    kind = s.dtype.kind
    if isinstance(s.dtype, np.dtype) and kind in "fiub":
        return _shareable(s.to_numpy())
    if str(s.dtype) in _MASKED:
        arr = s.array
        data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
        if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and len(data) == len(mask):
            return (_shareable(data), np.require(mask, requirements=["C", "A"]).view(np.uint8))
        return _shareable(s.to_numpy(dtype=np.float64, na_value=np.nan))
    try:
        import pandas as pd

        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    except Exception:  # pragma: no cover
        numeric = False
    if numeric:  # e.g. pyarrow-backed numbers
        return _shareable(s.to_numpy(dtype=np.float64, na_value=np.nan))
    return _text_cells(s.astype(object).tolist())


def _columns_of(data, columns: Optional[Sequence[str]] = None) -> Tuple[list, np.ndarray, str]:
    """A DataFrame (or a 2-D numpy array with column names) as the native table: a list of
    ``(name, numpy array | (numpy array, uint8 mask) | list of str)`` and the row numbers.
    Numeric columns are handed over without a copy where they already are contiguous arrays."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(data, pd.Series):
        data = data.to_frame()
    if pd is not None and isinstance(data, pd.DataFrame):
        if columns is not None:
            data = data.loc[:, list(columns)]
        cols = [(str(name), _series_column(data.iloc[:, j])) for j, name in enumerate(data.columns)]
        return cols, _row_numbers(data.index), "DataFrame"
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise OptionError(f"expected a DataFrame or a 2-D array, got an array of {arr.ndim} dimensions")
    if columns is None:
        raise OptionError("give the column names of a numpy array: columns=[...]")
    columns = [str(c) for c in columns]
    if len(columns) != arr.shape[1]:
        raise OptionError(f"{len(columns)} column names for {arr.shape[1]} columns")
    cols = []
    if arr.dtype.kind in "fiub":
        arr = np.asfortranarray(arr)  # columns contiguous (no copy for a Fortran-order array)
        cols = [(name, _shareable(arr[:, j])) for j, name in enumerate(columns)]
    else:
        cols = [(name, _text_cells(arr[:, j].tolist())) for j, name in enumerate(columns)]
    return cols, np.arange(arr.shape[0], dtype=np.uint64), "array"


# --------------------------------------------------------------------------- options
def _flag(name: str) -> str:
    return "--" + name.rstrip("_").replace("_", "-")


def _words(value: Any) -> Optional[str]:
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (list, tuple)) for v in value):
            # blocks of predictors: A,B;C
            return ";".join(",".join(str(x) for x in block) for block in value)
        return ",".join(_words(v) or "" for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _argv(words: Sequence[str], options: Mapping[str, Any]) -> List[str]:
    argv = ["trustscale", *words]
    for name, value in options.items():
        if value is None or value is False:
            continue
        if value is True:
            argv.append(_flag(name))
            continue
        if isinstance(value, (list, tuple)) and not value:
            continue
        argv.append(f"{_flag(name)}={_words(value)}")
    return argv


def _call(words: Sequence[str], options: Mapping[str, Any], data=None, columns=None,
          model: Optional[str] = None) -> Tuple[Optional[str], List[Warning_], str]:
    kwargs: Dict[str, Any] = {}
    if data is not None:
        cols, rows, label = _columns_of(data, columns)
        kwargs = dict(columns=cols, rows=rows, label=label)
    try:
        js, warns, text = _native.run(_argv(words, options), model=model, **kwargs)
    except _native.NativeError as e:
        _raise(e)
        raise  # unreachable
    return js, [Warning_(c, m) for c, m in warns], text


def _is_frame(data) -> bool:
    try:
        import pandas as pd

        return isinstance(data, (pd.DataFrame, pd.Series))
    except ImportError:  # pragma: no cover
        return False


# --------------------------------------------------------------------------- results
def _frame(rows: List[dict]):
    import pandas as pd

    return pd.DataFrame(rows)


def _tables(obj: Any, path: str = "", out: Optional[Dict[str, list]] = None) -> Dict[str, list]:
    """Every list of objects in the JSON, by the dotted path of its key (warnings aside)."""
    if out is None:
        out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else k
            if k == "warnings":
                continue
            if isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
                out.setdefault(p, v)
            _tables(v, p, out)
    return out


class Result:
    """The result of a command.

    - ``to_dict()``: exactly the command's contract JSON (what ``trustscale ... --json``
      prints), as Python objects;
    - ``to_frame()``: the command's main table as a DataFrame; the other tables are attributes
      (``items``, ``loadings``, ``parameters``, ``groups``, ``coefficients``, ...) and
      ``frames()`` lists them;
    - ``warnings``: the analysis's warnings (also issued as ``TrustscaleWarning``);
    - ``result["key"]`` and attribute access read the JSON's top-level keys.
    """

    _main: Tuple[str, ...] = ()

    def __init__(self, command: str, json_text: Optional[str], warnings: List[Warning_],
                 text: str = "", argv: Optional[List[str]] = None):
        self.command = command
        self._json = json_text
        self._dict = json.loads(json_text) if json_text is not None else {}
        self.warnings: List[Warning_] = list(warnings)
        self.text = text
        self.argv = argv or []
        for w in self.warnings:
            _warnings.warn(f"{command}: {w.message}", TrustscaleWarning, stacklevel=3)

    # the contract
    def to_dict(self) -> dict:
        """The contract JSON as Python objects (a fresh copy)."""
        return json.loads(self._json) if self._json is not None else {}

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The contract JSON as text."""
        return json.dumps(self._dict, indent=indent)

    def __getitem__(self, key: str) -> Any:
        return self._dict[key]

    def __contains__(self, key: str) -> bool:
        return key in self._dict

    def keys(self) -> Iterable[str]:
        return self._dict.keys()

    # tables
    def frames(self) -> Dict[str, Any]:
        """Every table of the result as a DataFrame, by name."""
        import pandas as pd

        out: Dict[str, Any] = {}
        scales = self._dict.get("scales")
        if isinstance(scales, list) and scales and all(isinstance(s, dict) for s in scales):
            # one entry per subscale: a summary row each, and their tables stacked with a
            # `scale` column in front
            label = "scale" if "scale" in scales[0] else None
            out["scales"] = pd.DataFrame([{k: v for k, v in s.items()
                                           if not isinstance(v, (list, dict))} for s in scales])
            stacked: Dict[str, list] = {}
            for s in scales:
                for path, rows in _tables(s).items():
                    name = path.split(".")[-1]
                    tag = {"scale": s.get(label)} if label else {}
                    stacked.setdefault(name, []).extend({**tag, **r} for r in rows)
            for name, rows in stacked.items():
                out.setdefault(name, _frame(rows))
        for path, rows in _tables(self._dict).items():
            name = path.split(".")[-1]
            if name in out:
                if path == name:
                    continue
                name = path.replace(".", "_")
            out[name] = _frame(rows)
        out.update(self._special_frames())
        return out

    def _special_frames(self) -> Dict[str, Any]:
        return {}

    def to_frame(self):
        """The main table of the result as a DataFrame (the first of ``frames()`` when the
        command has no main table)."""
        frames = self.frames()
        for name in self._main:
            if name in frames:
                return frames[name]
        if frames:
            return next(iter(frames.values()))
        import pandas as pd

        scalars = {k: v for k, v in self._dict.items() if not isinstance(v, (dict, list))}
        return pd.DataFrame([scalars])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        frames = self.frames()
        if name in frames:
            return frames[name]
        if name in self._dict:
            return self._dict[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or table {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._dict) | set(self.frames()))

    # display
    def _headline(self) -> List[str]:
        keys = [k for k, v in self._dict.items() if isinstance(v, (int, float, str, bool)) or v is None]
        parts = []
        for k in keys[:8]:
            v = self._dict[k]
            parts.append(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}")
        return parts

    def __repr__(self) -> str:
        lines = [f"<trustscale {self.command}: " + ", ".join(self._headline()) + ">"]
        frames = self.frames()
        main = self.to_frame() if frames else None
        if main is not None:
            with _pd_options():
                lines.append(main.to_string(max_rows=20))
        if len(frames) > 1:
            lines.append("tables: " + ", ".join(frames))
        for w in self.warnings:
            lines.append(f"warning: {w.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<p><b>trustscale {html.escape(self.command)}</b>: "
                 + html.escape(", ".join(self._headline())) + "</p>"]
        for name, f in self.frames().items():
            parts.append(f"<details open><summary>{html.escape(name)}</summary>"
                         + f.to_html(max_rows=30) + "</details>")
        if self.warnings:
            parts.append("<ul>" + "".join(f"<li>warning: {html.escape(w.message)}</li>"
                                          for w in self.warnings) + "</ul>")
        return "\n".join(parts)


class _pd_options:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 120, "display.max_columns", 12)
        self._ctx.__enter__()

    def __exit__(self, *a):
        self._ctx.__exit__(*a)
