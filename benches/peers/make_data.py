# Whole-process benchmark inputs (docs/performance.md), written to a directory (default /tmp):
#   python3 benches/peers/make_data.py [DIR]
# trustscale-perf-kripp.csv: 10^5 units x 10 coders, interval ratings 1..7 (unit effect + noise),
#   as in benches/agreement.rs and benches/peers/krippendorff_peer.py (2.4 MB);
# trustscale-perf-ols.csv: y and 6 correlated predictors, 10^5 rows (x_j = 0.4 f + N(0,1),
#   y = 1 + b'x + N(0,1)), as in benches/regress.rs (6.1 MB).
# The EFA input is benches/common.rs's trustscale-bench-100000x24.csv (cargo bench --bench efa).
import os
import sys
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
rng = np.random.default_rng(3)
n, k = 100_000, 10
t = rng.normal(size=(n, 1))
r = 0.3 * rng.normal(size=(1, k))
x = np.clip(np.round(4 + t + r + 0.8 * rng.normal(size=(n, k))), 1, 7).astype(int)
with open(os.path.join(out, "trustscale-perf-kripp.csv"), "w") as f:
    f.write("unit," + ",".join(f"c{j + 1}" for j in range(k)) + "\n")
    for i in range(n):
        f.write(f"u{i + 1}," + ",".join(map(str, x[i])) + "\n")

rng = np.random.default_rng(1)
b = np.array([0.3, -0.2, 0.1, 0.0, 0.25, 0.05])
fac = rng.normal(size=(n, 1))
X = 0.4 * fac + rng.normal(size=(n, 6))
y = 1 + X @ b + rng.normal(size=n)
with open(os.path.join(out, "trustscale-perf-ols.csv"), "w") as f:
    f.write("y,x1,x2,x3,x4,x5,x6\n")
    for i in range(n):
        f.write(",".join(f"{v:.6f}" for v in (y[i], *X[i])) + "\n")
