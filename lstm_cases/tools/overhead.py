"""How much the harness adds over a bare Keras script running the same recipe.

    python -m lstm_cases.tools.overhead [--repeats 3] [--seeds 3]

Runs, alternately and each in a fresh process, (a) ``bare_one_char.py`` beside this
file, a plain Keras script that trains one_char's quick recipe for the seeds and prints
its accuracy, and (b) ``pytest bench/test_training.py bench/test_claims.py --case one_char``
(the timed training, the evaluation, the verdicts and the result JSON). one_char has no
paired claim, so both train exactly the same models (the same final loss to the bit).
Prints wall-clock and CPU seconds of each (CPU time is the steadier of the two on a busy
machine) and the ratio of the medians.
Process start-up (importing TensorFlow) is in both. "training (fit) wall" compares only
the timed training of all seeds: the bare script's fit() calls against the benchmark's
rounds, i.e. what the harness adds per run rather than pytest's fixed start-up.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# one_char's quick recipe as a user would write it, run as a script (no harness import).
BARE_SCRIPT = Path(__file__).resolve().with_name("bare_one_char.py")
REPO_ROOT = Path(__file__).resolve().parents[2]  # the folder holding bench/


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout


def _bare_fit_seconds(stdout: str) -> float:
    return sum(float(line.split()[3]) for line in stdout.splitlines() if line.startswith("FIT "))


def _harness_fit_seconds(result_json: Path) -> float:
    bench = next(b for b in json.loads(result_json.read_text())["benchmarks"] if b["group"] == "train")
    return sum(bench["stats"]["data"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_cases.tools.overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    seeds = [str(s) for s in range(args.seeds)]
    with tempfile.TemporaryDirectory() as tmp:
        bare_cmd = [sys.executable, str(BARE_SCRIPT), *seeds]
        harness_cmd = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            str(REPO_ROOT / "bench/test_training.py"), str(REPO_ROOT / "bench/test_claims.py"),
            "--case", "one_char", "--seeds", str(args.seeds),
            "--benchmark-json", str(Path(tmp) / "result.json"),
        ]  # fmt: skip
        bare, harness = [], []
        for _ in range(args.repeats):  # alternate, so drift on the machine hits both
            wall, cpu, stdout = _timed(bare_cmd)
            bare.append((wall, cpu, _bare_fit_seconds(stdout)))
            wall, cpu, _ = _timed(harness_cmd)
            harness.append((wall, cpu, _harness_fit_seconds(Path(tmp) / "result.json")))
    for what, index in (("process wall", 0), ("process cpu", 1), ("training (fit) wall", 2)):
        b = statistics.median(t[index] for t in bare)
        h = statistics.median(t[index] for t in harness)
        print(f"{what} bare script   : {', '.join(f'{t[index]:.2f}' for t in bare)} s (median {b:.2f})")
        print(f"{what} pytest harness: {', '.join(f'{t[index]:.2f}' for t in harness)} s (median {h:.2f})")
        print(f"{what} harness / bare: {h / b:.3f} ({(h / b - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
