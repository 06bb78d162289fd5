"""trustscale against pingouin where both compute the same thing: Cronbach's alpha
(pingouin.cronbach_alpha, pairwise and listwise) and the six Shrout-Fleiss ICCs
(pingouin.intraclass_corr)."""

import os
import warnings

import numpy as np
import pandas as pd
import pytest

import trustscale as ts
from conftest import FIXTURES

pg = pytest.importorskip("pingouin")


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def bfi_agreeableness():
    df = pd.read_csv(os.path.join(FIXTURES, "reliability", "01-reliability-bfi-agreeableness-missing",
                                  "data.csv"))
    return df[["A1", "A2", "A3", "A4", "A5"]]


def test_alpha_pairwise_with_missing_answers_matches_pingouin():
    x = bfi_agreeableness()
    r = quiet(ts.reliability, x)
    a, ci = pg.cronbach_alpha(data=x, nan_policy="pairwise")
    assert abs(r["alpha"] - a) < 1e-12
    # pingouin rounds its Feldt interval to 3 decimals
    assert np.allclose(r["alpha_ci"], ci, atol=5e-4)


def test_alpha_listwise_matches_pingouin():
    x = bfi_agreeableness()
    r = quiet(ts.reliability, x, listwise=True)
    a, _ = pg.cronbach_alpha(data=x, nan_policy="listwise")
    assert abs(r["alpha"] - a) < 1e-12
    assert r["n"] == len(x.dropna())


def test_alpha_of_reversed_items_matches_pingouin():
    x = bfi_agreeableness()
    r = quiet(ts.reliability, x, reverse=["A1"], scale_min=1, scale_max=6)
    y = x.copy()
    y["A1"] = 7 - y["A1"]
    a, _ = pg.cronbach_alpha(data=y, nan_policy="pairwise")
    assert abs(r["alpha"] - a) < 1e-12


# pingouin's names of the Shrout-Fleiss ICCs -> the contract's (psych's)
PG_TYPES = {"ICC(1,1)": "ICC1", "ICC(A,1)": "ICC2", "ICC(C,1)": "ICC3",
            "ICC(1,k)": "ICC1k", "ICC(A,k)": "ICC2k", "ICC(C,k)": "ICC3k",
            "ICC1": "ICC1", "ICC2": "ICC2", "ICC3": "ICC3",
            "ICC1k": "ICC1k", "ICC2k": "ICC2k", "ICC3k": "ICC3k"}


def test_icc_wide_matches_pingouin():
    df = pd.read_csv(os.path.join(FIXTURES, "agreement", "12-icc-shrout-fleiss-wide", "data.csv"))
    raters = ["J1", "J2", "J3", "J4"]
    r = quiet(ts.icc, df, raters=raters)
    long = df.reset_index().melt(id_vars="index", value_vars=raters, var_name="rater",
                                 value_name="score")
    p = pg.intraclass_corr(data=long, targets="index", raters="rater", ratings="score")
    ours = r.icc.set_index("type")
    assert len(ours) == 6
    for _, row in p.iterrows():
        t = PG_TYPES[row["Type"]]
        assert abs(ours.loc[t, "icc"] - row["ICC"]) < 1e-10, t
        assert abs(ours.loc[t, "f"] - row["F"]) < 1e-8, t
        assert abs(ours.loc[t, "p"] - row["pval"]) < 1e-8, t
        # pingouin rounds its intervals to 2 decimals
        ci = row["CI95"] if "CI95" in row else row["CI95%"]
        assert np.allclose(ours.loc[t, "ci"], ci, atol=5e-3), t


def test_icc_long_format_matches_pingouin():
    df = pd.read_csv(os.path.join(FIXTURES, "agreement", "13-icc-long-format", "data.csv"))
    r = quiet(ts.icc, df, target="target", rater="rater", value="score")
    p = pg.intraclass_corr(data=df, targets="target", raters="rater", ratings="score")
    ours = r.icc.set_index("type")
    assert len(p) == 6
    for _, row in p.iterrows():
        assert abs(ours.loc[PG_TYPES[row["Type"]], "icc"] - row["ICC"]) < 1e-10, row["Type"]
