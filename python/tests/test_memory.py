"""Numeric columns are read where they lie (no copy, no text): every dtype pandas and numpy
hold numbers in gives the numbers of the same data as float64 with NaN, and the same numbers as
the data written to a CSV file and read by path (the CLI's reader); errors name the row as the
DataFrame shows it."""

import warnings

import numpy as np
import pandas as pd
import pytest

import trustscale as ts


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ts.TrustscaleWarning)
        return fn(*a, **k)


@pytest.fixture(scope="module")
def answers():
    """3000 x 6 answers 1-5 from one factor, 2% missing (NaN), float64."""
    rng = np.random.default_rng(5)
    f = rng.standard_normal(3000)
    cols = {}
    for j in range(6):
        y = 0.7 * f + 0.7 * rng.standard_normal(3000)
        x = (np.searchsorted([-1.2, -0.4, 0.4, 1.2], y) + 1).astype(float)
        x[rng.random(3000) < 0.02] = np.nan
        cols[f"Q{j + 1}"] = x
    return pd.DataFrame(cols)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "uint16",
                                   "uint32", "uint64", "float32", ">f8"])
def test_every_numpy_dtype_gives_the_numbers_of_float64(answers, dtype):
    want = quiet(ts.reliability, answers).to_dict()
    complete = answers.dropna()
    got = quiet(ts.reliability, complete.astype(dtype)).to_dict()
    assert got == quiet(ts.reliability, complete).to_dict()
    if dtype in ("float32", ">f8"):
        assert quiet(ts.reliability, answers.astype(dtype)).to_dict() == want


@pytest.mark.parametrize("dtype", ["Int64", "Int8", "UInt8", "Float64"])
def test_pandas_nullable_columns_with_na_give_the_numbers_of_nan(answers, dtype):
    want = quiet(ts.reliability, answers).to_dict()
    assert quiet(ts.reliability, answers.astype(dtype)).to_dict() == want


def test_arrays_of_either_order_and_strided_columns(answers):
    want = quiet(ts.reliability, answers).to_dict()
    arr = answers.to_numpy()
    cols = list(answers.columns)
    assert quiet(ts.reliability, np.ascontiguousarray(arr), columns=cols).to_dict() == want
    assert quiet(ts.reliability, np.asfortranarray(arr), columns=cols).to_dict() == want
    # a frame over a C-order array: its columns are strided views
    assert quiet(ts.reliability, pd.DataFrame(np.ascontiguousarray(arr), columns=cols)).to_dict() == want
    # every other row of a frame
    half = answers.iloc[::2]
    assert quiet(ts.reliability, half).to_dict() == quiet(ts.reliability, half.copy()).to_dict()


def test_a_frame_gives_exactly_the_numbers_of_its_csv_file(answers, tmp_path):
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    for opts in ({}, {"listwise": True}, {"reverse": ["Q2"], "scale_min": 1, "scale_max": 5}):
        assert quiet(ts.reliability, answers, **opts).to_dict() == \
            quiet(ts.reliability, str(path), items="Q1:Q6", **opts).to_dict()


def test_fractions_are_analysed_from_the_rows(answers):
    df = answers.copy()
    df.iloc[10, 2] = 2.5
    r = quiet(ts.reliability, df)
    assert r["n"] == 3000 and 0 < r["alpha"] < 1


def test_errors_name_the_index_label_of_an_integer_index(answers):
    df = answers.copy()
    df.iloc[2345, 3] = 9  # position 2345, label 2345
    with pytest.raises(ts.DataError, match=r'DataFrame: row 2345, column "Q4".*found 9'):
        ts.reliability(df, scale_min=1, scale_max=5)
    # a filtered frame keeps its labels: the row is the one df.loc[] and the printout show
    odd = df.iloc[1::2]
    with pytest.raises(ts.DataError, match=r'row 2345, column "Q4"'):
        ts.reliability(odd, scale_min=1, scale_max=5)
    df.iloc[0, 0] = np.inf
    with pytest.raises(ts.DataError, match=r'row 0, column "Q1"'):
        ts.reliability(df)


def test_errors_name_the_position_when_the_index_is_not_integers(answers):
    df = answers.copy()
    df.index = [f"r{i}" for i in range(len(df))]
    df.iloc[17, 1] = 9
    with pytest.raises(ts.DataError, match=r'row 17, column "Q2"'):
        ts.reliability(df, scale_min=1, scale_max=5)
    # negative integers are not row numbers either: positions
    df = answers.copy()
    df.index = -np.arange(len(df))
    df.iloc[17, 1] = 9
    with pytest.raises(ts.DataError, match=r'row 17, column "Q2"'):
        ts.reliability(df, scale_min=1, scale_max=5)


def test_the_arrays_are_not_changed(answers):
    df = answers.astype("Int64")
    before = df.copy()
    quiet(ts.reliability, df, reverse=["Q1"], scale_min=1, scale_max=5)
    pd.testing.assert_frame_equal(df, before)
