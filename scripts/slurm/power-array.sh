#!/bin/bash
#SBATCH --job-name=trust-power
#SBATCH --array=1-20
#SBATCH --cpus-per-task=8
#SBATCH --time=01:00:00
#SBATCH --output=logs/power_%A_%a.out
# One shard of a sharded power run: array task I runs shard I/SHARDS and writes its own file.
# Settings (sbatch --export=ALL,NAME=value,...): MODEL (model.toml), SHARDS (20),
# REPLICATIONS (20000), OUT (shards), TRUSTSCALE (trustscale on the PATH) and POWER_FLAGS
# (further `power` flags, e.g. "--groups 40,80 --raters 4").
set -euo pipefail
: "${MODEL:=model.toml}" "${SHARDS:=20}" "${REPLICATIONS:=20000}" "${OUT:=shards}"
: "${TRUSTSCALE:=trustscale}" "${POWER_FLAGS:=}"
mkdir -p "$OUT"
# shellcheck disable=SC2086 # POWER_FLAGS holds several flags
"$TRUSTSCALE" power --model "$MODEL" --replications "$REPLICATIONS" $POWER_FLAGS \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
    --out "$OUT/power-${SLURM_ARRAY_TASK_ID}.json" --resume
