"""Did a change of the harness move one timing process's rounds against the other's? Reads two or more
result files of full `pytest bench` runs and prints, for each run after the first, the geometric mean
over the steady-state benchmarks of (this run / the first) for the pytest process's medians, for the
first worker's, and for the worker's against the pytest process's. Each median is divided by the median
of the machine's reference timed beside it, as the gate divides.

    python docs/worker_shift_probe.py results/old-1.json results/old-2.json results/new-1.json

Two runs of the same code show how far the worker's ratio moves by itself; a change that shifted only
the worker (more or other work before its rounds) shows as a ratio beyond that. The figures in
docs/cost.md come from this script.
"""

from __future__ import annotations

import argparse
import math
import statistics

from lstm_cases.record.load import as_dict, as_list, load_run


def process_medians(path: str) -> dict[str, tuple[float, float]]:
    """Each steady-state benchmark's (pytest process, first worker) median over its own reference."""
    out = {}
    for bench in as_list(load_run(path).raw.get("benchmarks")):
        info = as_dict(as_dict(bench).get("extra_info"))
        medians, references = info.get("process_medians"), info.get("reference_rounds")
        if isinstance(medians, list) and len(medians) >= 2 and isinstance(references, list):
            own, worker = (medians[i] / statistics.median(references[i]) for i in (0, 1))
            out[str(bench.get("name"))] = (own, worker)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="RESULTS.json")
    args = parser.parse_args()
    first = process_medians(args.files[0])
    for path in args.files[1:]:
        other = process_medians(path)
        names = sorted(set(first) & set(other))
        if not names:
            parser.error(f"{path}: no steady-state benchmark in common with {args.files[0]}")
        own = statistics.mean(math.log(other[n][0] / first[n][0]) for n in names)
        worker = statistics.mean(math.log(other[n][1] / first[n][1]) for n in names)
        print(
            f"{path} / {args.files[0]} ({len(names)} benchmarks): pytest process x{math.exp(own):.3f}, "
            f"worker x{math.exp(worker):.3f}, worker against the pytest process x{math.exp(worker - own):.3f}"
        )


if __name__ == "__main__":
    main()
