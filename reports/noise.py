"""A/A noise calibration: per-(case, metric) timing factors for ``--noise`` of the gate and the report.

Usage::

    python -m reports.noise A1.json A2.json [A3.json ...] -o NOISE.json [--safety 1.5] [--floor 1.03]

    # A/A runs of one stack and profile (same code, different seed bases), then gate with the factors:
    python -m reports.noise results/rot-100.json results/rot-200.json results/rot-300.json -o noise.json
    python -m reports.gate results/tf221-quick.json new.json --noise noise.json

(Before, this was ``python -m reports.gate calibrate``; the noise file format is unchanged.)

Rule: takes two or more runs of one stack and profile (else exit 2) and, for every judged (case, metric)
(train_step, predict, single_call) found in at least two of them, computes spread = the largest
|ln(median_i / median_j)| over all pairs of runs (= ln(max median / min median); a median pools every
timing process of the run, each process's rounds divided by its machine reference where every run
has one, as the comparison rule does) and factor = max(floor, exp(safety * spread)), safety 1.5 and floor 1.03 by
default. The factors replace the rule's default factors (reports.compare), which hold on the 2-core
machine without calibration: calibration is for tighter ones, where A/A runs show a benchmark is stable.
The disagreement of the compared runs' processes still raises the factor in every comparison. The file
("format": "lstm-bench-noise/1") is written whole or not at all.

A/A duets (``python -m lstm_cases.tools.duet`` with both sides the same installation; one or more
files) are calibrated the same way from each benchmark's paired estimate: spread = the largest
|ln r| over the duets, r the Hodges-Lehmann head/base ratio of ``reports.duet``.

Exit status: 0 when the file is written; 2 with one line on stderr for unusable input.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.load import InputError, Run, as_dict, load_run, number, read_json, stack_label
from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import per_reference
from reports.command import error
from reports.duet import is_duet, load_duet

PROG = "python -m reports.noise"
RULE = __doc__[__doc__.index("Rule: ") : __doc__.index("Exit status")].strip()
NOISE_FORMAT = "lstm-bench-noise/1"
DEFAULT_SAFETY = 1.5
DEFAULT_FLOOR = 1.03


@dataclass
class Noise:
    """A noise file: calibrated factors by (case, metric), and what they were calibrated on."""

    path: Path
    factors: dict[tuple[str, str], float]
    profile: str | None
    stack: str | None

    def mismatches(self, base: Run, run: Run) -> list[str]:
        """MISMATCH lines when the factors were calibrated on another profile or stack than the runs compared."""
        out = []
        if self.profile is not None and self.profile != base.profile:
            out.append(
                f"MISMATCH noise file {self.path} was calibrated on profile {self.profile}, "
                f"the baseline is {base.profile}"
            )
        if self.stack is not None and self.stack != run.base_label():
            out.append(f"MISMATCH noise file {self.path} was calibrated on {self.stack}, the run is {run.base_label()}")
        return out


def load_noise(path: Path | str) -> Noise:
    """Read a noise file; InputError (one line naming the file) when unusable."""
    path = Path(path)
    raw = read_json(path, "noise file")
    if not isinstance(raw, dict) or raw.get("format") != NOISE_FORMAT:
        raise InputError(path, f'not a noise file (no "format": "{NOISE_FORMAT}"; write one with {PROG})')
    factors: dict[tuple[str, str], float] = {}
    for case, metrics in as_dict(raw.get("factors")).items():
        for metric, entry in as_dict(metrics).items():
            value = number(as_dict(entry).get("factor"))
            if value is None or value < 1:
                raise InputError(path, f"factor of {case} / {metric} is not a number >= 1")
            factors[(case, metric)] = value
    if not factors:
        raise InputError(path, "noise file without any factor")
    profile, stack = raw.get("profile"), raw.get("stack")
    return Noise(
        path, factors, profile if isinstance(profile, str) else None, stack if isinstance(stack, str) else None
    )


def calibrate(runs: list[Run], safety: float, floor: float) -> tuple[dict[str, Any], list[str]]:
    """The noise document and the (case, metric) pairs that could not be calibrated (in one run only)."""
    factors: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    cases = list(dict.fromkeys(c for run in runs for c in run.cases))
    for case in cases:
        for metric in GATED:
            found = [run.cases[case].samples(metric) if case in run.cases else None for run in runs]
            found = [s for s in found if s is not None and s.median is not None and s.median > 0]
            # in units of the machine's reference where every run has it, as the rule compares them
            scaled = [per_reference(s.processes, s.references) for s in found]
            if found and all(s is not None for s in scaled):
                medians = [statistics.median([v for r in s for v in r]) for s in scaled]
            else:
                medians = [s.median for s in found]
            if len(medians) < 2:
                if medians:
                    skipped.append(f"{case} {metric}")
                continue
            spread = math.log(max(medians) / min(medians))
            factors.setdefault(case, {})[metric] = {
                "factor": round(max(floor, math.exp(safety * spread)), 4),
                "max_ratio": round(max(medians) / min(medians), 4),
                "max_abs_log_ratio": round(spread, 5),
                "runs": len(medians),
                "medians": medians,
            }
    doc = {
        "format": NOISE_FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "profile": runs[0].profile,
        "stack": runs[0].base_label(),
        "runs": [str(r.path) for r in runs],
        "safety": safety,
        "floor": floor,
        "rule": "factor = max(floor, exp(safety * max over pairs of runs |ln(median_i / median_j)|))",
        "factors": factors,
    }
    return doc, skipped


def calibrate_duets(duets: list[Any], safety: float, floor: float) -> dict[str, Any]:
    """The noise document from A/A duets (``reports.duet.Duet``): per (case, kind), the largest |ln r| of the
    estimate the paired rule judges (over the process pairs it keeps)."""
    from reports.duet import judge_duet

    spreads: dict[str, dict[str, list[float]]] = {}
    for duet in duets:
        for cmp in judge_duet(duet):
            if cmp.estimate is not None:
                spreads.setdefault(cmp.case, {}).setdefault(cmp.metric, []).append(cmp.estimate)
    factors = {
        case: {
            kind: {
                "factor": round(max(floor, math.exp(safety * max(abs(math.log(r)) for r in ratios))), 4),
                "max_abs_log_ratio": round(max(abs(math.log(r)) for r in ratios), 5),
                "duets": len(ratios),
                "ratios": [round(r, 5) for r in ratios],
            }
            for kind, ratios in kinds.items()
        }
        for case, kinds in spreads.items()
    }
    head = duets[0].sides["head"]
    return {
        "format": NOISE_FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "profile": duets[0].profile,
        "stack": stack_label(head.stack),
        "runs": [d.path for d in duets],
        "safety": safety,
        "floor": floor,
        "rule": "factor = max(floor, exp(safety * max over A/A duets |ln r|)), r the paired head/base estimate",
        "factors": factors,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write per-(case, metric) timing factors for `--noise` (python -m reports.gate, python -m "
        "reports) from A/A runs: two or more runs of one stack and profile.",
        epilog=RULE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="A.json", help="A/A result files (two or more)")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="NOISE.json", help="noise file to write")
    parser.add_argument(
        "--safety", type=float, default=DEFAULT_SAFETY, help=f"multiplies the log spread (default {DEFAULT_SAFETY})"
    )
    parser.add_argument(
        "--floor", type=float, default=DEFAULT_FLOOR, help=f"smallest factor written (default {DEFAULT_FLOOR})"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 when the noise file is written, 2 (one line on stderr) for unusable input."""
    args = _parser().parse_args(argv)  # usage errors: argparse prints usage and exits 2
    if not args.safety >= 1:
        return error(PROG, f"--safety must be >= 1, got {args.safety}")
    if not args.floor > 1:
        return error(PROG, f"--floor must be > 1, got {args.floor}")
    try:
        if is_duet(read_json(args.runs[0], "an A/A file")):
            return _write_duets(args)
        if len(args.runs) < 2:
            return error(PROG, "needs two or more A/A result files (or one or more A/A duets)")
        runs = [load_run(p) for p in args.runs]
    except InputError as err:
        return error(PROG, str(err))
    first = runs[0]
    for run in runs[1:]:
        if run.profile != first.profile or run.base_label() != first.base_label():
            return error(
                PROG,
                f"{run.path}: {run.base_label()} profile {run.profile} differs from {first.path} "
                f"({first.base_label()} profile {first.profile}); A/A calibration needs runs of one stack and profile",
            )
    doc, skipped = calibrate(runs, args.safety, args.floor)
    failed = _write(args, doc, "no case and metric found in two or more files")
    if failed is not None:
        return failed
    for case, metrics in doc["factors"].items():
        parts = [f"{m} x{e['factor']:.2f} (spread x{e['max_ratio']:.2f})" for m, e in metrics.items()]
        print(f"{case}: {', '.join(parts)}")
    if skipped:
        print(f"not calibrated (in one file only): {', '.join(skipped)}")
    print(f"wrote {args.out}: factors for {len(doc['factors'])} case(s) from {len(runs)} runs, profile {first.profile}")
    return 0


def _write(args: argparse.Namespace, doc: dict[str, Any], none_found: str) -> int | None:
    """Write the noise document whole; the exit status 2 (one line) when it has no factor or cannot be written."""
    if not doc["factors"]:
        return error(PROG, f"{', '.join(str(p) for p in args.runs)}: {none_found}")
    try:
        write_atomic(args.out, json.dumps(doc, indent=1) + "\n")
    except OSError as err:
        return error(PROG, f"{err.filename or args.out}: cannot write: {err.strerror or err}")
    return None


def _write_duets(args: argparse.Namespace) -> int:
    duets = [load_duet(p) for p in args.runs]  # InputError: the caller's one line
    slowed = [d.path for d in duets if d.slowdown or d.sides["base"].slowdown]
    if slowed:
        return error(PROG, f"{slowed[0]}: a slowed duet is not an A/A duet")
    doc = calibrate_duets(duets, args.safety, args.floor)
    failed = _write(args, doc, "no benchmark in the duets")
    if failed is not None:
        return failed
    count = sum(len(kinds) for kinds in doc["factors"].values())
    print(f"wrote {args.out}: {count} factors from {len(duets)} A/A duet(s), profile {doc['profile']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
