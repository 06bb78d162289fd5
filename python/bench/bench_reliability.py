"""trustscale.reliability against pingouin.cronbach_alpha on the same DataFrame, side by side
in one run (median of 3 after one untimed call each).

    pip install ./python pingouin
    python python/bench/bench_reliability.py [--rows 1000000]

The DataFrame (10^6 x 24 answers 1-6 from a 6-factor model, float64, fixed seed) is built once
and is already in memory for both. trustscale computes alpha with Feldt's interval, standardised
alpha, lambda 6, omega and the item statistics; pingouin alpha and its interval.
"""

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import likert, median_of, ratio, show  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import pingouin as pg

    import trustscale as ts

    df = likert(a.rows, 6, 4)
    t_ts, r = median_of(lambda: ts.reliability(df))
    t_pg, (alpha_pg, _) = median_of(lambda: pg.cronbach_alpha(data=df))
    print(f"Cronbach's alpha, {a.rows} x {df.shape[1]} DataFrame in memory (median of 3)")
    show("trustscale.reliability", t_ts, f"alpha = {r['alpha']:.15f}")
    show("pingouin.cronbach_alpha", t_pg, f"alpha = {alpha_pg:.15f}")
    print(ratio(t_pg, t_ts) + f"   |diff| = {abs(r['alpha'] - alpha_pg):.1e}")


if __name__ == "__main__":
    main()
