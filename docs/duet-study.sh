#!/usr/bin/env bash
# The duet detection-power study of docs/timing.md ("Duets"): A/A duets (both sides the same
# installation) and duets whose head side is slowed on purpose (--slow-head: the training step or
# inference, +5/10/20/50%), interleaved in time, then the table (python -m reports.power --duets).
# Run it on a quiet machine from the repository root, with the python that has lstm-bench installed.
#
#   docs/duet-study.sh [OUT_DIR [AA_DUETS [FIRST_AA [SLOWED]]]]
#   PYTHON=.venv/bin/python docs/duet-study.sh results/duets 10      # the first study of docs/timing.md
#   PYTHON=.venv/bin/python docs/duet-study.sh results/duets-repeat 10 10   # the repeat's: aa10-aa19
#   PYTHON=.venv/bin/python docs/duet-study.sh results/duets-pairs 6 20 no   # process pairs' calibration: aa20-aa25
#
# Each duet's record is OUT_DIR/<name>.json, its output OUT_DIR/<name>.log; a record already there is
# kept (rerun the script to finish an interrupted study).
set -euo pipefail
out=${1:-results/duets}
aa=${2:-10}
first=${3:-1}  # the first A/A duet's number: a new study's A/A duets are new names, never seen before
slowed_too=${4:-yes}  # no: A/A duets only (a calibration range)
python=${PYTHON:-python}
mkdir -p "$out"

duet() {  # NAME [duet options]: one duet of every case's steady benchmarks, quick profile
    local name=$1
    shift
    if [[ -f $out/$name.json ]]; then echo "$name: kept"; return; fi
    local start=$SECONDS
    "$python" -m lstm_cases.tools.duet --base "$python" --head "$python" "$@" -o "$out/$name.json" \
        >"$out/$name.log" 2>&1 || { echo "$name: failed; see $out/$name.log" >&2; exit 1; }
    echo "$name: $((SECONDS - start)) s, load $(cut -d' ' -f1 /proc/loadavg)"
}

# A slowed duet times only the slowed kinds (a third or two thirds of an A/A duet's time); its
# false-discovery control then spans 15 or 30 benchmarks, not 45 (docs/timing.md says so).
slowed=(train:1.1 inference:1.1 train:1.05 inference:1.05 train:1.2 inference:1.2 train:1.5 inference:1.5)
kinds() { if [[ $1 == train:* ]]; then echo "--kind train_step"; else echo "--kind predict --kind single_call"; fi; }
for i in $(seq 1 "$aa"); do
    duet "aa$(printf %02d $((first + i - 1)))"
    if [[ $slowed_too == yes && $i -le ${#slowed[@]} ]]; then
        spec=${slowed[$((i - 1))]}
        # shellcheck disable=SC2046
        duet "slow-${spec/:/-}" --slow-head "$spec" $(kinds "$spec")
    fi
done
if [[ $slowed_too == yes ]]; then
    "$python" -m reports.power --duets --aa "$out"/aa*.json --slowed "$out"/slow-*.json -o "$out/power.md" || true
fi
