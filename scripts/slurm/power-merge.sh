#!/bin/bash
#SBATCH --job-name=trust-power-merge
#SBATCH --output=logs/power_merge_%j.out
# Merges the shard files once every array task is done:
#   sbatch --dependency=afterok:<array job id> power-merge.sh
# Settings: OUT (shards), MERGED (power.json), TRUSTSCALE (trustscale on the PATH).
set -euo pipefail
: "${OUT:=shards}" "${MERGED:=power.json}" "${TRUSTSCALE:=trustscale}"
"$TRUSTSCALE" power merge "$OUT"/power-*.json --out "$MERGED"
