"""Where does cross-process timing noise come from? Time one case's steady-state benchmarks in several
fresh processes under a few settings, interleaved, and print each setting's between-process spread.

    python docs/noise_probe.py --case feature_window --processes 4
    python docs/noise_probe.py --case sentiment_lstm_maxlen200 --variants threads=1,threads=1+busy

A variant is settings joined by "+": ``threads=N`` (TensorFlow's intra- and inter-op pools; "default"
leaves TensorFlow's own, one thread per core each), ``busy`` (one pure-Python busy loop runs beside the
timed process: another program wanting one core, as on a shared machine). Each process builds a fresh
model, plans and warms it as the bench does (lstm_cases.timing.plan_for, warm_up) and times ROUNDS
rounds of each kind. The numbers in docs/timing.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("train_step", "predict", "single_call")
ROUNDS = 20


def child(case_id: str) -> None:
    """One process: apply the thread setting from the environment, then time every kind."""
    sys.path.insert(0, str(ROOT))
    from lstm_cases import registry, timing

    timing.apply_threads(timing.parse_threads(os.environ.get(timing.THREADS_ENV)))
    case = registry.get_case(case_id)
    out = {}
    for kind in KINDS:
        prepared = timing.fresh(case, "quick", 0)
        start = time.perf_counter()
        timing.make_call(prepared, kind, timing.plan_for(prepared, kind, "quick").units)()
        first = time.perf_counter() - start  # the first call: tracing included
        plan = timing.plan_for(prepared, kind, "quick", rounds=ROUNDS)
        timing.warm_up(prepared, plan)
        rounds, _references = timing.time_rounds(timing.planned_call(prepared, plan, timing.Slowdown()), ROUNDS)
        out[kind] = {"first": first, "rounds": rounds, "per_round": plan.units}
    print("PROBE " + json.dumps(out))


def run_variant(case_id: str, variant: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LSTM_BENCH_THREADS": "default"}
    busy = None
    for setting in variant.split("+"):
        if setting == "busy":
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        elif setting.startswith("threads="):
            env["LSTM_BENCH_THREADS"] = setting.split("=", 1)[1]
        elif setting != "default":
            raise SystemExit(f"unknown setting {setting!r}; valid: threads=N|default, busy, default")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case_id], env=env, capture_output=True, text=True, check=False
        )
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE ")), None)
    if line is None:
        raise SystemExit(f"probe process failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(line[len("PROBE ") :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", default="feature_window")
    parser.add_argument("--processes", type=int, default=4, help="fresh processes per variant")
    parser.add_argument("--variants", default="threads=default,threads=1,threads=default+busy,threads=1+busy")
    parser.add_argument("--child", metavar="CASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    variants = args.variants.split(",")
    found: dict[str, list[dict]] = {v: [] for v in variants}
    for _ in range(args.processes):  # interleaved: a drifting background load hits every variant alike
        for variant in variants:
            found[variant].append(run_variant(args.case, variant))
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"  # noqa: SIM115
    print(f"case {args.case}, {args.processes} processes per variant, {ROUNDS} rounds each; load now {load}")
    print(f"{'variant':24} {'kind':12} {'process medians (ms)':40} {'spread':>7} {'IQR/med':>8} {'first (ms)':>10}")
    for variant, runs in found.items():
        for kind in KINDS:
            medians = [statistics.median(r[kind]["rounds"]) for r in runs]
            iqr = [
                (statistics.quantiles(r[kind]["rounds"], n=4)[2] - statistics.quantiles(r[kind]["rounds"], n=4)[0])
                / statistics.median(r[kind]["rounds"])
                for r in runs
            ]
            first = [r[kind]["first"] * 1e3 for r in runs]
            shown = " ".join(f"{m * 1e3:.2f}" for m in medians)
            spread = max(medians) / min(medians)
            print(
                f"{variant:24} {kind:12} {shown:40} x{spread:6.3f} {statistics.median(iqr):8.3f} "
                f"{statistics.median(first):10.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
