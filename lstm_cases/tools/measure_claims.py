"""Measure cases over many seeds: the distributions claim thresholds are set from.

    python -m lstm_cases.tools.measure_claims --profile quick --seeds 10 [--case ID ...] [--write] [--out FILE]

Prints, per case and metric, min / median / max over the seeds and each claim's verdict
under its current rule. ``--write`` stores every per-seed value in this stack's measurement
file, ``lstm_cases/measurements/<profile>-<stack>.json`` (the cases measured replace their
earlier entries; the others stay), with the seeds, commit, date and this command: the file
a claim's ``measured_on`` points at. ``--out FILE`` writes the same entries to FILE instead.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstm_cases import provenance
from lstm_cases.core import (
    PROFILES,
    STEADY_EPOCH_SECONDS,
    TRAIN_SECONDS,
    DataError,
    DataUnavailable,
    UnknownNameError,
    seeds_for,
)
from lstm_cases.record.atomic import write_atomic
from lstm_cases.timing_worker import commit_of

PROG = "python -m lstm_cases.tools.measure_claims"
ROOT = Path(__file__).resolve().parents[2]


def _summary(values: list[float]) -> str:
    return f"min {min(values):.4g} / median {statistics.median(values):.4g} / max {max(values):.4g}"


def write_json_atomic(path: Path, payload: object) -> None:
    """Write whole or not at all (serialised first, then lstm_cases.record.atomic's temp-and-rename)."""
    text = json.dumps(payload, indent=1) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)


def commit_id() -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes), or ``?`` outside git."""
    return commit_of(ROOT)


def case_entry(result: Any, command: str, commit: str, date: str) -> dict[str, Any]:
    """One case's measurement: every metric per seed, the timings a claim may judge among them."""
    metrics = {m: result.values(m) for m in sorted(result.runs[0].metrics)}
    metrics[TRAIN_SECONDS] = result.values(TRAIN_SECONDS)
    metrics[STEADY_EPOCH_SECONDS] = result.values(STEADY_EPOCH_SECONDS)
    return {
        "seeds": result.seeds,
        "commit": commit,
        "date": date,
        "command": command,
        "metrics": metrics,
        "first_epoch_seconds": [r.first_epoch_seconds for r in result.runs],
        "peak_rss_mb": [r.peak_rss_mb for r in result.runs],
    }


def updated_file(path: Path, profile: str, stack: dict[str, Any], label: str, entries: dict) -> dict[str, Any]:
    """The measurement file with these cases' entries replaced (a new file if none exists)."""
    doc = provenance.load(path) if path.exists() else {"format": provenance.FORMAT, "cases": {}}
    if path.exists() and (doc.get("profile"), doc.get("stack_label")) != (profile, label):
        raise provenance.MeasurementError(f"{path}: holds {doc.get('profile')} on {doc.get('stack_label')}")
    cases = {**doc.get("cases", {}), **entries}
    return {"format": provenance.FORMAT, "profile": profile, "stack_label": label, "stack": stack, "cases": cases}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="quick", help=f"one of {', '.join(PROFILES)}")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-base", type=int, default=0)
    parser.add_argument("--case", action="append", default=[], help="case id (repeatable); default all")
    parser.add_argument("--write", action="store_true", help="store the values in this stack's measurement file")
    parser.add_argument("--out", type=Path, help="write the measurement file here instead")
    args = parser.parse_args(argv)

    from lstm_cases import compat, registry
    from lstm_cases.results import CaseResults

    try:
        if args.profile not in PROFILES:
            raise UnknownNameError("profile", args.profile, PROFILES)
        cases = registry.select_cases(args.case)
    except UnknownNameError as err:
        parser.exit(2, f"error: {err}\n")
    folders = sorted({str(registry.measurement_folder(case)) for case in cases})
    if args.write and not args.out and len(folders) > 1:
        by_folder = "; ".join(
            f"{f}: {', '.join(c.id for c in cases if str(registry.measurement_folder(c)) == f)}" for f in folders
        )
        parser.exit(
            2,
            f"error: --write: the cases' measurement files are in {len(folders)} folders ({by_folder}); "
            "measure them one folder at a time\n",
        )
    seeds = seeds_for(args.profile, args.seeds, args.seed_base)
    stack = compat.stack()
    label = compat.stack_label(stack)
    print(f"# {label}, profile {args.profile}, seeds {seeds}", flush=True)

    commit = commit_id()  # the code this run imports, before anyone edits the checkout
    results = CaseResults(args.profile, seeds)
    for case in cases:
        try:
            result = results.train_missing(case)
            for claim in case.claims:
                for needed in results.cases_needed(case, claim) if claim.judged_in(args.profile) else ():
                    results.train_missing(needed)
        except DataUnavailable as err:  # real-scale data not given: say so and go on
            print(f"\n{case.id}: skipped: {err}", flush=True)
            continue
        except DataError as err:
            parser.exit(2, f"error: {case.id}: {err}\n")
        print(f"\n{case.id}: train s {_summary([r.train_seconds for r in result.runs])}")
        print(f"  first epoch s {_summary([r.first_epoch_seconds for r in result.runs])}")
        print(f"  peak RSS MB {_summary([r.peak_rss_mb for r in result.runs])}")
        for metric in sorted(result.runs[0].metrics):
            print(f"  {metric}: {_summary(result.values(metric))}  values {result.values(metric)}")
        for claim in case.claims:
            if not claim.judged_in(args.profile):
                print(f"  claim {claim.id}: not judged in {args.profile} ({claim.unjudged})")
                continue
            verdict = results.verdict(case, claim, stack)
            print(f"  claim {claim.id}: {verdict.status} ({verdict.detail})")
        sys.stdout.flush()

    if args.write or args.out:
        command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
        date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        entries = {cid: case_entry(res, command, commit, date) for cid, res in results.items()}
        path = args.out or provenance.measurement_path(args.profile, label, Path(folders[0]))
        try:
            write_json_atomic(path, updated_file(path, args.profile, stack, label, entries))
        except provenance.MeasurementError as err:
            parser.exit(2, f"error: {err}\n")
        print(f"\nwrote {len(entries)} case(s) to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
