#!/usr/bin/env bash
# The detection-power study of docs/timing.md: PAIRS A/A pairs of separate quick runs, then one run
# per deliberate slowdown (training step and inference, +10%, +20%, +50%), then the table
# (python -m reports.power). Run it on a quiet machine (`uptime` load near 0), from the repository
# root, in the environment that runs `pytest bench`.
#
#   docs/power-study.sh [OUT_DIR [PAIRS]] [-- extra pytest arguments]
#   docs/power-study.sh results/power 10                  # the study of docs/timing.md: 26 quick runs
#   STEADY_ONLY=1 docs/power-study.sh results/power 3     # steady-state benchmarks only: faster
#
# Time: one quick run is about 4-5 minutes on the 2-core machine (about 2 with STEADY_ONLY=1).
# Each run's output is OUT_DIR/<name>.log; its results OUT_DIR/<name>.json; the table OUT_DIR/power.md
# (and OUT_DIR/power-no-reference.md: the same runs without the machine's reference).
set -euo pipefail
out=results/power
pairs=10
if [[ $# -gt 0 && $1 != "--" ]]; then out=$1; shift; fi
if [[ $# -gt 0 && $1 != "--" ]]; then pairs=$1; shift; fi
if [[ $# -gt 0 && $1 == "--" ]]; then shift; fi
extra=("$@")
python=${PYTHON:-python}  # the environment that runs pytest bench (activate it, or set PYTHON)
select=()
if [[ -n ${STEADY_ONLY:-} ]]; then select=(-k "train_step or inference"); fi
mkdir -p "$out"

run() {  # NAME [VAR=value ...]: one quick run, results in OUT_DIR/NAME.json
    local name=$1
    shift
    local start=$SECONDS rc=0
    env "$@" "$python" -m pytest bench -q -p no:cacheprovider "${select[@]}" \
        --benchmark-json "$out/$name.json" "${extra[@]}" >"$out/$name.log" 2>&1 || rc=$?
    # 1: some test failed (still a result); 2 and up: interrupted, an internal or usage error, no tests
    if [[ $rc -ge 2 || ! -f $out/$name.json ]]; then
        echo "$name: pytest exited $rc; see $out/$name.log" >&2
        exit 1
    fi
    echo "$name: $((SECONDS - start)) s, load $(cut -d' ' -f1 /proc/loadavg): $(tail -n 1 "$out/$name.log")"
}

for i in $(seq -w 1 "$pairs"); do
    run "aa$i-a"
    run "aa$i-b"
done
for size in 1.1 1.2 1.5; do
    run "slow-train-$size" LSTM_BENCH_SLOWDOWN="train:$size"
    run "slow-inference-$size" LSTM_BENCH_SLOWDOWN="inference:$size"
done
"$python" -m reports.power --aa "$out"/aa*-[ab].json --slowed "$out"/slow-*.json -o "$out/power.md"
# the same runs judged on their rounds as timed, without the machine's reference: what it buys
"$python" -m reports.power --aa "$out"/aa*-[ab].json --slowed "$out"/slow-*.json --no-reference \
    -o "$out/power-no-reference.md"
