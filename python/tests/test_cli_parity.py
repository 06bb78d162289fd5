"""The Python package and the `trustscale` binary give the same JSON (same seed, same numbers),
when the binary has been built (`cargo build --release` at the repository root)."""

import json
import os
import subprocess

import pandas as pd
import pytest

import trustscale as ts
from conftest import ROOT, FIXTURES
from test_reference import read_csv

BIN = os.environ.get("TRUSTSCALE_BIN", os.path.join(ROOT, "target", "release", "trustscale"))
needs_bin = pytest.mark.skipif(not os.path.exists(BIN), reason="the trustscale binary is not built")


def cli_json(args, cwd=None):
    p = subprocess.run([BIN, *args, "--json"], cwd=cwd, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@needs_bin
def test_simulate_reliability_efa_same_as_cli(tmp_path):
    csv = tmp_path / "sim.csv"
    subprocess.run([BIN, "simulate", "--instrument", "tblc", "--n", "250", "--seed", "11",
                    "--out", str(csv)], check=True, capture_output=True)
    df = ts.simulate("tblc", n=250, seed=11)
    from_cli = pd.read_csv(csv)
    pd.testing.assert_frame_equal(df, from_cli)
    py = ts.reliability(df, instrument="tblc", bootstrap=200, seed=3).to_dict()
    assert py == cli_json(["reliability", str(csv), "--instrument", "tblc", "--bootstrap", "200",
                           "--seed", "3"])
    py = ts.parallel(df, instrument="tblc", iterations=30, seed=5).to_dict()
    assert py == cli_json(["parallel", str(csv), "--instrument", "tblc", "--iterations", "30",
                           "--seed", "5"])


@needs_bin
def test_regress_with_a_text_group_column_same_as_cli(tmp_path):
    folder = os.path.join(FIXTURES, "regress", "23-regress-bh1996-multilevel")
    df = read_csv(os.path.join(folder, "data.csv"))
    df["GRP"] = "g" + df["GRP"].astype(str)
    path = str(tmp_path / "text-groups.csv")
    df.to_csv(path, index=False)
    py = ts.regress(df, outcome="WBEING", predictors=["HRS", "LEAD"], cluster="GRP").to_dict()
    assert py == cli_json(["regress", path, "--outcome", "WBEING", "--predictors", "HRS,LEAD",
                           "--cluster", "GRP"])
