"""The study-based calls: evaluate (against the R values of the program study the Rust tests
use), framework, describe, Study and report."""

import json
import math
import os
import subprocess

import pytest

import trustscale as ts
from conftest import FIXTURES, ROOT
from test_cli_parity import BIN, needs_bin

PROGRAM = os.path.join(FIXTURES, "evaluate", "program")
EXAMPLE_STUDY = os.path.join(ROOT, "data", "example-study", "study.toml")


def compare(e, a, path, tol, out, count):
    if isinstance(e, dict):
        for k, v in e.items():
            if k not in a:
                out.append(f"{path}.{k}: missing")
            else:
                compare(v, a[k], f"{path}.{k}", tol, out, count)
    elif isinstance(e, list):
        if len(e) != len(a):
            out.append(f"{path}: length {len(a)}, R {len(e)}")
        for i, (x, y) in enumerate(zip(e, a)):
            compare(x, y, f"{path}[{i}]", tol, out, count)
    elif isinstance(e, (int, float)) and not isinstance(e, bool):
        count.append(1)
        if a is None or not math.isfinite(a) or abs(a - e) > tol(path):
            out.append(f"{path}: R {e}, trustscale {a}")
    elif e != a:
        out.append(f"{path}: R {e!r}, trustscale {a!r}")


@pytest.mark.parametrize("study,expected", [("study.toml", "expected.json"),
                                            ("study-hc3.toml", "expected-hc3.json")])
def test_evaluate_matches_r(study, expected):
    # values from tests/fixtures/evaluate/program/generate.R (lme4, sandwich, psych, multilevel)
    with open(os.path.join(PROGRAM, expected)) as f:
        exp = json.load(f)
    act = ts.evaluate(ts.Study.load(os.path.join(PROGRAM, study))).to_dict()

    def key(s):
        return (s["instrument"], s["scale"], s["source"])

    scales = {key(s): s for s in act["scales"]}
    assert len(scales) == 5
    fails, count = [], []

    def tol(p):
        return 1e-7 if "collaborators" in p and ".effect" in p else 1e-9

    for s in exp["scales"]:
        k = key(s)
        assert k in scales, k
        compare(s, scales[k], "/".join(k), tol, fails, count)
    compare(exp["self_other_gap"], act["self_other_gap"], "self_other_gap", tol, fails, count)
    assert not fails, "\n".join(fails[:10])
    assert len(count) > 400


def test_describe_a_data_file():
    d = ts.describe(os.path.join(PROGRAM, "leader-ratings.csv")).to_dict()
    assert d["rows"] > 0 and any(c["name"] == "wave" for c in d["columns"])


@needs_bin
def test_framework_same_as_cli():
    py = ts.framework(EXAMPLE_STUDY, bootstrap=200, seed=4)
    p = subprocess.run([BIN, "framework", "--study", EXAMPLE_STUDY, "--bootstrap", "200",
                        "--seed", "4", "--json"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert py.to_dict() == json.loads(p.stdout)
    assert len(py.verdicts) >= 1


def test_study_report(tmp_path):
    study = ts.Study.load(EXAMPLE_STUDY)
    assert {"leader-ratings", "member-ratings"} <= set(study.datasets["name"])
    out = ts.report(study, tmp_path / "rep", iterations=20, cv=5)
    assert os.path.exists(out)
    with open(tmp_path / "rep" / "results.json") as f:
        assert json.load(f)
