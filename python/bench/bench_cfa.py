"""trustscale.cfa against semopy on the same DataFrame, side by side in one run (median of 3
after one untimed call each).

    pip install ./python semopy
    python python/bench/bench_cfa.py [--rows 10000]

A 6-factor CFA with 4 items per factor (answers 1-6, n = 10^4, fixed seed), maximum
likelihood: trustscale.cfa(df, model) (estimates, standard errors, fit indices) against
semopy.Model(model).fit(df) followed by inspect() (estimates and standard errors).
"""

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import likert, median_of, ratio, show  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import semopy

    import trustscale as ts

    df = likert(a.rows, 6, 4, seed=2)
    model = "\n".join(f"F{j} =~ " + " + ".join(f"F{j}I{i}" for i in range(1, 5))
                      for j in range(1, 7))
    t_ts, c = median_of(lambda: ts.cfa(df, model))

    def fit_semopy():
        m = semopy.Model(model)
        m.fit(df)
        return m.inspect()

    t_sp, est = median_of(fit_semopy)
    load_sp = est[(est["op"] == "~") & (est["rval"] == "F1")].set_index("lval")["Estimate"]
    ours = c.parameters
    load_ts = ours[(ours["op"] == "=~") & (ours["lhs"] == "F1")].set_index("rhs")["est"]
    diff = max(abs(load_ts[k] - load_sp[k]) for k in load_ts.index)
    print(f"CFA, 6 factors x 4 items, n = {a.rows}, ML (median of 3)")
    show("trustscale.cfa", t_ts, f"chisq = {c.fit['chisq']:.4f}, df = {c.fit['df']}")
    show("semopy Model.fit+inspect", t_sp)
    print(ratio(t_sp, t_ts) + f"   max |diff| of F1 loadings = {diff:.1e}")


if __name__ == "__main__":
    main()
