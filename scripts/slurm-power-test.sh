#!/bin/bash
# Runs the documented Slurm job array (scripts/slurm/power-array.sh, then power-merge.sh) on a
# one-node Slurm cluster started on this machine, and checks that the merged result equals a
# single-process run byte for byte.
#
#   scripts/slurm-power-test.sh [TRUSTSCALE_BINARY]     (default: target/release/trustscale)
#
# Installs Debian's slurm-wlm and munge if they are missing (needs root), generates a munge key
# and a slurm.conf in a temporary directory, starts munged, slurmctld and slurmd on localhost
# (ports 16817/16818, so a cluster already running is not touched), submits the array (4 shards of
# a 2 x 1 grid, 12 replications) and the merge job with --dependency=afterok, waits, compares,
# and stops the daemons it started. Exit status 0 = identical.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$(realpath "${1:-$repo/target/release/trustscale}")"
model="$repo/data/example-study/model.toml"
shards=4
replications=12
flags="--groups 40,80 --raters 4"

[ -x "$bin" ] || { echo "no trustscale binary at $bin (cargo build --release)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "== installing slurm-wlm and munge"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
        slurm-wlm munge >/dev/null
fi
echo "== $(slurmctld -V), $(munged -V 2>&1 | awk '{print $1}')"

tmp="$(mktemp -d /tmp/slurm-power-test.XXXXXX)"
pids=()
stop() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
    done
    rm -rf "$tmp"
}
trap stop EXIT

# munge: its own key, socket and files in the temporary directory
mkdir -m 0700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$tmp/munge/munge.key"
sock="$tmp/munge/munge.socket"
munged --force --foreground --key-file="$tmp/munge/munge.key" --socket="$sock" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
    --seed-file="$tmp/munge/munged.seed" 2>/dev/null &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
munge --socket="$sock" -n | unmunge --socket="$sock" >/dev/null
echo "== munged up (socket $sock)"

# slurm.conf for one node on localhost
node="$(hostname -s)"
cpus="$(nproc)"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/log"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=trustscale-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -f "$SLURM_CONF" 2>>"$tmp/log/slurmctld.err" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" 2>>"$tmp/log/slurmd.err" &
pids+=($!)
for _ in $(seq 100); do
    state="$(sinfo -h -n "$node" -o %t 2>/dev/null || true)"
    [ "$state" = "idle" ] && break
    sleep 0.3
done
[ "$state" = "idle" ] || { echo "node not idle (state: '$state')" >&2; tail -20 "$tmp"/log/* >&2; exit 1; }
echo "== one-node cluster up: $(sinfo -h -o '%P %D node(s) %c cpus %t')"

# the documented job array and merge job, at a small size
work="$tmp/work"
mkdir -p "$work/logs"
export TRUSTSCALE="$bin" MODEL="$model" SHARDS="$shards" REPLICATIONS="$replications" \
    POWER_FLAGS="$flags" OUT=shards MERGED=power.json
array=$(sbatch --parsable --chdir="$work" --export=ALL --array=1-"$shards" --cpus-per-task=1 \
    "$repo/scripts/slurm/power-array.sh")
merge=$(sbatch --parsable --chdir="$work" --export=ALL --dependency=afterok:"$array" \
    "$repo/scripts/slurm/power-merge.sh")
echo "== submitted array job $array ($shards tasks) and merge job $merge (afterok:$array)"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
    sleep 1
done
if [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then
    echo "jobs still queued after 10 minutes:" >&2
    squeue >&2
    exit 1
fi
for f in "$work"/logs/*.out; do
    echo "   ${f##*/}: $(grep -h '^wrote' "$f")"
done

# the same grid in one process, and the comparison
# shellcheck disable=SC2086
"$bin" power --model "$model" --replications "$replications" $flags --out "$tmp/single.json" \
    >/dev/null
for f in power.json power.csv; do
    want="$tmp/single.${f##*.}"
    if cmp "$work/$f" "$want"; then
        echo "== $f: merged = single-process run, byte for byte ($(wc -c <"$want") bytes)"
    else
        echo "== $f: merged and single-process runs differ" >&2
        exit 1
    fi
done
echo "== passed"
