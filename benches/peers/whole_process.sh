#!/bin/bash
# Whole-process timings for docs/performance.md: trustscale, its fastest peer and the practical
# floor (read + single-thread parse, ../shared/tools/csvfloor.c) on the same CSV files, side by
# side in one run (hyperfine, median of RUNS runs).
#   benches/peers/whole_process.sh [TRUSTSCALE] [RUNS]
# Inputs: python3 benches/peers/make_data.py (Krippendorff, OLS); the EFA and reliability files
# (/tmp/trustscale-bench-{100000,1000000}x24.csv, as benches/common.rs writes them: an id column
# and the first 24 tblc items, seed 42) are made here with `trustscale simulate` when missing.
# Peers: pip krippendorff, R sandwich, R psych.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ts="$(realpath "${1:-$repo/target/release/trustscale}")"
runs="${2:-5}"
floor_src="${CSVFLOOR:-$repo/../shared/tools/csvfloor.c}"
floor="$(mktemp -d)/csvfloor"
cc -O2 -o "$floor" "$floor_src"
kripp=/tmp/trustscale-perf-kripp.csv
ols=/tmp/trustscale-perf-ols.csv
efa=/tmp/trustscale-bench-100000x24.csv
rel=/tmp/trustscale-bench-1000000x24.csv
[ -f "$kripp" ] && [ -f "$ols" ] || python3 "$repo/benches/peers/make_data.py" /tmp
for n in 100000 1000000; do
    f=/tmp/trustscale-bench-${n}x24.csv
    if [ ! -f "$f" ]; then
        "$ts" simulate --instrument tblc --n "$n" --seed 42 --out "$f.all" >/dev/null
        cut -d, -f1-25 "$f.all" >"$f" && rm "$f.all"
    fi
done
for f in "$kripp" "$ols" "$efa" "$rel"; do
    echo "floor $(basename "$f"): $("$floor" "$f")"
done
hyperfine -N --warmup 1 --runs "$runs" --style basic --export-markdown /tmp/trustscale-whole-process.md \
    -n "krippendorff: trustscale" "$ts krippendorff $kripp --raters c1:c10 --level interval --json" \
    -n "krippendorff: python krippendorff" "python3 $repo/benches/peers/krippendorff_csv.py $kripp" \
    -n "ols+hc3: trustscale" "$ts regress $ols --outcome y --predictors x1,x2,x3,x4,x5,x6 --robust hc3 --json" \
    -n "ols+hc3: R lm + sandwich" "Rscript $repo/benches/peers/ols_csv.R $ols" \
    -n "efa: trustscale" "$ts efa $efa --items NO1:CC6 --factors 4 --extraction minres --rotation oblimin --json" \
    -n "efa: R psych::fa" "Rscript $repo/benches/peers/efa.R $efa" \
    -n "reliability: trustscale" "$ts reliability $rel --items NO1:CC6 --json" \
    -n "reliability: R psych::alpha" "Rscript $repo/benches/peers/reliability.R $rel"
cat /tmp/trustscale-whole-process.md
