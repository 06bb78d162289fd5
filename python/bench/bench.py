"""trustscale against pingouin and semopy, side by side in one run.

    pip install ./python pingouin semopy
    python python/bench/bench.py [--quick]

1. Cronbach's alpha of a 10^6 x 24 DataFrame already in memory: trustscale.reliability(df)
   (alpha, its interval, lambda 6, omega, item statistics) against pingouin.cronbach_alpha(df).
2. A 6-factor CFA with 4 items per factor at n = 10^4 (ML): trustscale.cfa(df, model) against
   semopy.Model(model).fit(df).

Each timing is the best of a few runs (wall clock); the data are simulated from a factor model
with a fixed seed. --quick uses 10^5 rows for the first benchmark.
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import trustscale as ts


def likert(n, factors, per, loading=0.7, cor=0.3, seed=1):
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


def best(fn, repeat):
    """(best wall-clock seconds, best CPU seconds of the process, all threads), the result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return (min(walls), min(cpus)), out


def fmt(t):
    return f"{t[0]:8.3f} s wall {t[1]:8.3f} s CPU"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import pingouin as pg

    n = 100_000 if a.quick else 1_000_000
    df = likert(n, 6, 4)
    t_ts, r = best(lambda: ts.reliability(df), 3)
    t_pg, (alpha_pg, _) = best(lambda: pg.cronbach_alpha(data=df), 3)
    print(f"alpha, {n} x 24 DataFrame")
    print(f"  trustscale.reliability   {fmt(t_ts)}   alpha = {r['alpha']:.12f}")
    print(f"  pingouin.cronbach_alpha  {fmt(t_pg)}   alpha = {alpha_pg:.12f}")
    print(f"  speed-up {t_pg[0] / t_ts[0]:6.1f}x wall, {t_pg[1] / t_ts[1]:6.1f}x CPU"
          f"   |diff| = {abs(r['alpha'] - alpha_pg):.2e}")

    try:
        import semopy
    except ImportError:
        print("semopy is not installed: pip install semopy")
        return
    d2 = likert(10_000, 6, 4, seed=2)
    model = "\n".join(f"F{j} =~ " + " + ".join(f"F{j}I{i}" for i in range(1, 5)) for j in range(1, 7))
    t_ts, c = best(lambda: ts.cfa(d2, model), 3)

    def fit_semopy():
        m = semopy.Model(model)
        m.fit(d2)
        return m

    t_sp, m = best(fit_semopy, 2)
    est = m.inspect()
    load_sp = est[(est["op"] == "~") & (est["rval"] == "F1")].set_index("lval")["Estimate"]
    ours = c.parameters
    load_ts = ours[(ours["op"] == "=~") & (ours["lhs"] == "F1")].set_index("rhs")["est"]
    diff = max(abs(load_ts[k] - load_sp[k]) for k in load_ts.index)
    print("CFA, 6 factors x 4 items, n = 10000, ML")
    print(f"  trustscale.cfa           {fmt(t_ts)}   chisq = {c.fit['chisq']:.4f}, df = {c.fit['df']}")
    print(f"  semopy Model.fit         {fmt(t_sp)}")
    print(f"  speed-up {t_sp[0] / t_ts[0]:6.1f}x wall, {t_sp[1] / t_ts[1]:6.1f}x CPU"
          f"   max |diff| of F1 loadings = {diff:.2e}")


if __name__ == "__main__":
    main()
