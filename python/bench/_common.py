"""Shared by the benchmarks: simulated Likert data and the timer."""

import statistics
import time

import numpy as np
import pandas as pd


def likert(n, factors, per, loading=0.7, cor=0.3, seed=1):
    """n answers 1-6 to `factors` x `per` items from correlated factors (fixed seed): a
    float64 DataFrame with columns F1I1, F1I2, ..."""
    rng = np.random.default_rng(seed)
    phi = np.full((factors, factors), cor) + np.eye(factors) * (1 - cor)
    f = rng.standard_normal((n, factors)) @ np.linalg.cholesky(phi).T
    cols = {}
    cuts = np.array([-1.5, -0.8, 0.0, 0.8, 1.5])
    for j in range(factors):
        for i in range(per):
            y = loading * f[:, j] + np.sqrt(1 - loading ** 2) * rng.standard_normal(n)
            cols[f"F{j + 1}I{i + 1}"] = (np.searchsorted(cuts, y) + 1).astype(np.float64)
    return pd.DataFrame(cols)


def median_of(fn, repeat=3):
    """(median wall seconds, median CPU seconds of the process over all its threads), the last
    result; one untimed call first (imports, first-touch of the pages)."""
    out = fn()
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return (statistics.median(walls), statistics.median(cpus)), out


def show(name, t, extra=""):
    print(f"  {name:<26} {t[0]:8.4f} s wall {t[1]:8.4f} s CPU   {extra}")


def ratio(slow, fast):
    return f"  speed-up {slow[0] / fast[0]:6.1f}x wall, {slow[1] / fast[1]:6.1f}x CPU"
