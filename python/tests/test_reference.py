"""Every public reference case (01-32) through the Python API: the case's command becomes a
call on a DataFrame read with pandas (the model as a syntax string), and ``to_dict()`` is
compared with the peer's expected values under the case's tolerances and compare rules."""

import json
import os
import shlex
import warnings

import pandas as pd
import pytest

import trustscale as ts
from _compare import check
from conftest import reference_cases

CASES = reference_cases()


def read_csv(path):
    """pandas' CSV reader with correctly rounded numbers (pandas 3 reads them so by default;
    before, the C parser's fast path can be off in the last bit)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.read_csv(path)
    return pd.read_csv(path, float_precision="round_trip")


def test_all_public_cases_are_found():
    names = sorted(os.path.basename(c)[:2] for c in CASES)
    assert names == [f"{i:02d}" for i in range(1, 33)], names


def call_of(folder, command):
    """The case's command line as a Python call: (function, data frame, keyword arguments)."""
    words = shlex.split(command)
    assert words[0] == "trustscale"
    name, rest = words[1], words[2:]
    data, kwargs, i = None, {}, 0
    while i < len(rest):
        w = rest[i]
        if not w.startswith("--"):
            data = read_csv(os.path.join(folder, w))
            i += 1
            continue
        key = w[2:].replace("-", "_")
        if key == "json":
            i += 1
            continue
        if i + 1 < len(rest) and not rest[i + 1].startswith("--"):
            value = rest[i + 1]
            i += 2
        else:
            value = True
            i += 1
        if key == "model":
            with open(os.path.join(folder, value)) as f:
                value = f.read()  # the model as lavaan syntax, not a path
        kwargs[key] = value
    return getattr(ts, name), data, kwargs


@pytest.mark.parametrize("folder", CASES, ids=[os.path.basename(c) for c in CASES])
def test_reference_case(folder):
    with open(os.path.join(folder, "case.json")) as f:
        case = json.load(f)
    fn, data, kwargs = call_of(folder, case["command"])
    assert data is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ts.TrustscaleWarning)
        result = fn(data, **kwargs)
    actual = result.to_dict()
    failures, n, worst = check(case, actual)
    assert n >= 2, f"only {n} values compared"
    assert not failures, "\n".join(failures[:10])
