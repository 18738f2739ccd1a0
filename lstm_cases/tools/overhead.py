"""How much the harness adds over a bare Keras script running the same recipe.

    python -m lstm_cases.tools.overhead [--repeats 3] [--seeds 3]

Runs, alternately and each in a fresh process, (a) ``bare_one_char.py`` beside this
file, a plain Keras script that trains one_char's quick recipe for the seeds and prints
its accuracy, and (b) ``pytest bench/test_training.py bench/test_claims.py --case one_char``
(the timed training, the evaluation, the verdicts and the result JSON). one_char has no
paired claim, so both train exactly the same models (the same final loss to the bit:
tests/test_overhead.py). Prints wall-clock and CPU seconds of each (CPU time is the
steadier of the two on a busy machine) and the ratio of the medians. No option shortens
the recipe: the harness always trains the quick one, and a shorter bare run would compare
unlike runs; ``--repeats 1 --seeds 1`` is the shortest (about 15 s on 2 cores).

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
from typing import NamedTuple

# one_char's quick recipe as a user would write it, run as a script (no harness import).
BARE_SCRIPT = Path(__file__).resolve().with_name("bare_one_char.py")
REPO_ROOT = Path(__file__).resolve().parents[2]  # the folder holding bench/
OUTPUT_TAIL_CHARS = 4000


class ChildRunFailed(RuntimeError):
    """A timed command exited non-zero; the message ends with its output's tail."""


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``, and its stdout.

    Run from the repository root, so the children import this checkout's lstm_cases."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:  # the child's traceback or pytest report is the diagnosis
        output = (proc.stdout + proc.stderr)[-OUTPUT_TAIL_CHARS:]
        raise ChildRunFailed(f"{' '.join(cmd)} exited with {proc.returncode}; its output ends:\n{output}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout


class BareFit(NamedTuple):
    """One ``FIT`` line of the bare script."""

    seed: int
    accuracy: float
    seconds: float
    loss: float


def parse_fit_lines(stdout: str) -> list[BareFit]:
    """The bare script's ``FIT <seed> <accuracy> <seconds> <loss>`` lines, in order."""
    fits = []
    for line in stdout.splitlines():
        if line.startswith("FIT "):
            seed, accuracy, seconds, loss = line.split()[1:]
            fits.append(BareFit(int(seed), float(accuracy), float(seconds), float(loss)))
    return fits


def harness_fit_seconds(result_json: Path) -> float:
    """The timed training rounds (one per seed) of pytest-benchmark's "train" group."""
    bench = next(b for b in json.loads(result_json.read_text())["benchmarks"] if b["group"] == "train")
    return sum(bench["stats"]["data"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_cases.tools.overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.seeds < 1:
        parser.error("--repeats and --seeds must be >= 1")
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
        try:
            for _ in range(args.repeats):  # alternate, so drift on the machine hits both
                wall, cpu, stdout = _timed(bare_cmd)
                bare.append((wall, cpu, sum(fit.seconds for fit in parse_fit_lines(stdout))))
                wall, cpu, _ = _timed(harness_cmd)
                harness.append((wall, cpu, harness_fit_seconds(Path(tmp) / "result.json")))
        except ChildRunFailed as err:
            print(err, file=sys.stderr)
            return 1
    for what, index in (("process wall", 0), ("process cpu", 1), ("training (fit) wall", 2)):
        b = statistics.median(t[index] for t in bare)
        h = statistics.median(t[index] for t in harness)
        print(f"{what} bare script   : {', '.join(f'{t[index]:.2f}' for t in bare)} s (median {b:.2f})")
        print(f"{what} pytest harness: {', '.join(f'{t[index]:.2f}' for t in harness)} s (median {h:.2f})")
        print(f"{what} harness / bare: {h / b:.3f} ({(h / b - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
