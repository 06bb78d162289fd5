"""The Python shell: data frames in (NaN, text columns, empty frames, numpy arrays), errors
out (DataError naming row and column, OptionError, no panic across the boundary), warnings,
result objects and the study-level calls."""

import os
import threading
import warnings

import numpy as np
import pandas as pd
import pytest

import trustscale as ts
from conftest import FIXTURES, ROOT

EXAMPLE_STUDY = os.path.join(ROOT, "data", "example-study", "study.toml")


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ts.TrustscaleWarning)
        return fn(*a, **k)


@pytest.fixture(scope="module")
def tblc():
    return ts.simulate("tblc", n=300, seed=7)


# ------------------------------------------------------------------------------ data in
def test_simulate_returns_the_responses_as_a_frame(tblc):
    assert tblc.shape == (300, 37)
    assert tblc.columns[0] == "respondent_id"
    assert tblc.iloc[:, 1:].isin(range(1, 7)).all().all()
    # the same seed, the same answers
    pd.testing.assert_frame_equal(tblc, ts.simulate("tblc", n=300, seed=7))
    assert not tblc.equals(ts.simulate("tblc", n=300, seed=8))


def test_a_text_column_that_is_not_selected_is_fine(tblc):
    df = tblc.copy()
    df["note"] = ["ok"] * len(df)
    a = quiet(ts.reliability, df, instrument="tblc", scale="network-organizer")
    b = quiet(ts.reliability, tblc, instrument="tblc", scale="network-organizer")
    assert a.to_dict() == b.to_dict()


def test_a_text_cell_in_an_item_column_is_a_data_error_naming_row_and_column(tblc):
    df = tblc.copy()
    df["NO3"] = df["NO3"].astype(object)
    df.loc[41, "NO3"] = "agree"
    with pytest.raises(ts.DataError) as e:
        ts.reliability(df, instrument="tblc")
    msg = str(e.value)
    assert "row 41" in msg and 'column "NO3"' in msg and "agree" in msg
    assert isinstance(e.value, ValueError)


def test_numbers_written_as_text_are_read_as_numbers(tblc):
    df = tblc.copy()
    df["NO3"] = df["NO3"].astype(str)
    a = quiet(ts.reliability, df, instrument="tblc", scale="network-organizer")
    b = quiet(ts.reliability, tblc, instrument="tblc", scale="network-organizer")
    assert a.to_dict() == b.to_dict()


def test_an_answer_outside_the_scale_names_row_and_column(tblc):
    df = tblc.copy()
    df.index = df.index + 100
    df.loc[117, "PN2"] = 9
    with pytest.raises(ts.DataError, match=r'row 117, column "PN2".*from 1 to 6, found 9'):
        ts.reliability(df, instrument="tblc")


def test_nan_cells_are_missing_answers():
    df = pd.read_csv(os.path.join(FIXTURES, "reliability", "01-reliability-bfi-agreeableness-missing",
                                  "data.csv"))
    assert df.isna().any().any()
    r = quiet(ts.reliability, df, items="A1:A5")
    assert r["n"] == 2800
    assert any(w.code == "pairwise" for w in r.warnings)
    # A1 not reversed; R 4.2.2, psych 2.2.9, in the case folder:
    # d <- read.csv("data.csv"); psych::alpha(d[, c("A1","A2","A3","A4","A5")],
    #   check.keys = FALSE)$total$raw_alpha  # 0.431456105281253
    assert abs(r["alpha"] - 0.431456105281253) < 1e-12


def test_nullable_integer_columns_with_pd_na():
    df = pd.DataFrame({"a": [1, 2, 3, 4, None, 2], "b": [2, 2, 4, 4, 5, 1], "c": [1, 3, 3, 5, 5, 2]})
    df = df.astype("Int64")
    r = quiet(ts.reliability, df)
    f = df.astype(float)
    r2 = quiet(ts.reliability, f)
    assert r.to_dict() == r2.to_dict()
    assert r["items"][0]["n"] == 5


def test_an_empty_frame_is_a_data_error():
    with pytest.raises(ts.DataError, match="no data rows"):
        ts.reliability(pd.DataFrame({"a": [], "b": []}, dtype=float))
    with pytest.raises(ts.DataError):
        ts.reliability(pd.DataFrame())


def test_an_unknown_column_is_a_data_error(tblc):
    with pytest.raises(ts.DataError, match='no column named "ZZ1"'):
        ts.reliability(tblc, items="NO1,ZZ1")


def test_a_numpy_array_with_column_names(tblc):
    cols = ["NO1", "NO2", "NO3", "NO4", "NO5", "NO6"]
    arr = tblc[cols].to_numpy(dtype=float)
    a = quiet(ts.reliability, arr, columns=cols)
    b = quiet(ts.reliability, tblc, items="NO1:NO6")
    assert a["alpha"] == b["alpha"]
    with pytest.raises(ts.OptionError):
        ts.reliability(arr)


def test_infinite_values_are_errors(tblc):
    df = tblc[["NO1", "NO2", "NO3"]].astype(float)
    df.iloc[5, 1] = np.inf
    with pytest.raises(ts.DataError, match='row 5, column "NO2"'):
        ts.reliability(df)


# ------------------------------------------------------------------------------ options, errors
def test_unknown_and_bad_options_are_option_errors(tblc):
    with pytest.raises(TypeError):
        ts.reliability(tblc, alpha_level=0.9)
    with pytest.raises(ts.OptionError, match="rotation"):
        ts.efa(tblc, instrument="tblc", rotation="sideways")
    with pytest.raises(ts.OptionError):
        ts.reliability(tblc, instrument="tblc", ci=1.5)


def test_a_panic_becomes_an_exception_not_an_abort():
    from trustscale import _trustscale

    with pytest.raises(_trustscale.NativeError) as e:
        _trustscale._panic_for_test()
    assert e.value.args[0] == "internal"
    assert "internal error" in e.value.args[1]


def test_the_gil_is_released_during_computation(tblc):
    df = pd.concat([tblc] * 40, ignore_index=True)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        quiet(ts.reliability, df, instrument="tblc", bootstrap=300)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 5


# ------------------------------------------------------------------------------ results
def test_warnings_are_python_warnings_and_a_list(tblc):
    df = tblc.copy()
    df["NO2"] = 7 - df["NO2"]  # a reversed item not declared: negatively correlated
    with pytest.warns(ts.TrustscaleWarning):
        r = ts.reliability(df, items="NO1:NO6")
    assert r.warnings and all(isinstance(w.code, str) and w.message for w in r.warnings)
    assert [w["message"] for w in r["warnings"]] == [w.message for w in r.warnings]


def test_result_tables_repr_and_html(tblc):
    r = quiet(ts.reliability, tblc, instrument="tblc")
    items = r.items
    assert list(items["scale"].unique()) == ts.Instrument.load("tblc").subscales
    assert len(items) == 36 and {"item", "mean", "sd", "r_drop"} <= set(items.columns)
    assert r.to_frame().equals(items)
    assert "reliability" in repr(r) and "<table" in r._repr_html_()
    e = quiet(ts.efa, tblc, instrument="tblc")
    assert e.loadings.shape == (36, 6) and e.loadings.index[0] == "NO1"
    c = quiet(ts.cfa, tblc, instrument="tblc")
    p = c.parameters
    assert {"lhs", "op", "rhs", "est", "se"} <= set(p.columns)
    assert (p["op"] == "=~").sum() == 36
    # 36 items: 666 moments, 36 loadings + 36 residuals + 6 variances + 15 covariances - 6 markers
    assert c.fit["df"] == 666 - (36 + 36 + 6 + 15 - 6)
    s = quiet(ts.score, tblc, instrument="tblc")
    assert s.to_frame().shape == (300, 6)


def test_cfa_model_as_syntax_and_file(tblc, tmp_path):
    model = "NO =~ NO1 + NO2 + NO3 + NO4 + NO5 + NO6\nPN =~ PN1 + PN2 + PN3 + PN4 + PN5 + PN6\n"
    a = quiet(ts.cfa, tblc, model)
    f = tmp_path / "m.txt"
    f.write_text(model)
    b = quiet(ts.cfa, tblc, str(f))
    assert a.to_dict() == b.to_dict()
    assert a.fit["df"] == 53


def test_agreement_calls_on_frames():
    rwg_df = pd.read_csv(os.path.join(FIXTURES, "agreement", "15-rwgj-lq2002-leadership", "data.csv"))
    r = quiet(ts.rwg, rwg_df, group="COMPID", items="LEAD01:LEAD11", scale_points=5)
    assert len(r.groups) == r["n_groups"] == 49
    k = quiet(ts.kappa, pd.DataFrame({"a": ["x", "y", "x", "z", "y"], "b": ["x", "y", "y", "z", "y"]}),
              raters=["a", "b"])
    assert -1 <= k["kappa"] <= 1


# ------------------------------------------------------------------------------ instruments, studies
def test_instruments():
    lst = ts.Instrument.list()
    assert "tblc" in set(lst["id"])
    t = ts.Instrument.load("tblc")
    assert len(t.subscales) == 6 and len(t.items) == 36
    assert t.items_of(t.subscales[0]) == ["NO1", "NO2", "NO3", "NO4", "NO5", "NO6"]
    with pytest.raises(ts.OptionError, match="no instrument"):
        ts.Instrument.load("no-such-instrument")


def test_analyses_of_a_study(tmp_path):
    study = ts.Study.load(EXAMPLE_STUDY)
    r = quiet(ts.rwg, None, study=study, instrument="group-trust")
    first = r["scales"][0]
    assert first["n_groups"] > 10
    assert len(r.groups[r.groups["scale"] == first["scale"]]) == first["n_groups"]
    rel = quiet(ts.reliability, None, study=study, instrument="tblc")
    assert len(rel.scales) == 6
