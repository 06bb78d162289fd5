#!/usr/bin/env bash
# Runs one fuzz target with AFL++ for a given wall time, niced, and prints its summary.
#   fuzz/run.sh TARGET SECONDS        (TARGET: csv, study, instrument, model, population, labelled)
# Seeds come from fuzz/seeds/TARGET; findings go to fuzz/out/TARGET (not committed).
set -euo pipefail
cd "$(dirname "$0")"
t=$1
secs=${2:-1800}
mkdir -p out
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_SKIP_CRASHES=1 AFL_AUTORESUME=1
start=$(date +%s)
TIMEFORMAT="cpu %U user + %S system s"
{ time nice -n 10 cargo afl fuzz -V "$secs" -t 2000 -m none -i "seeds/$t" -o "out/$t" "target/release/fuzz_$t" \
  > "out/$t.log" 2>&1 || true; } 2> "out/$t.cpu"
end=$(date +%s)
s=out/$t/default/fuzzer_stats
echo "$t: wall $((end - start)) s; $(cat "out/$t.cpu"); $(grep -E '^(execs_done|saved_crashes|saved_hangs|corpus_count|bitmap_cvg)' "$s" | tr -s ' ' | tr '\n' ';')"
