"""Measure cases over many seeds: the distributions claim thresholds are set from.

    python -m lstm_cases.tools.measure_claims --profile quick --seeds 10 [--case ID ...] [--out FILE]

Prints, per case and metric, min / median / max over the seeds and each claim's verdict
under its current rule, and optionally writes every per-seed value as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from lstm_cases.core import PROFILES, DataError, DataUnavailable, UnknownNameError, seeds_for
from reports.atomic import write_atomic

PROG = "python -m lstm_cases.tools.measure_claims"


def _summary(values: list[float]) -> str:
    return f"min {min(values):.4g} / median {statistics.median(values):.4g} / max {max(values):.4g}"


def write_json_atomic(path: Path, payload: object) -> None:
    """Write whole or not at all (serialised first, then reports.atomic's temp-and-rename)."""
    text = json.dumps(payload, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lstm_cases.tools.measure_claims", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--profile", default="quick", help=f"one of {', '.join(PROFILES)}")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-base", type=int, default=0)
    parser.add_argument("--case", action="append", default=[], help="case id (repeatable); default all")
    parser.add_argument("--out", type=Path, help="write per-seed values here (JSON)")
    args = parser.parse_args(argv)

    from lstm_cases import compat, registry
    from lstm_cases.results import CaseResults

    try:
        if args.profile not in PROFILES:
            raise UnknownNameError("profile", args.profile, PROFILES)
        cases = registry.select_cases(args.case)
    except UnknownNameError as err:
        parser.exit(2, f"error: {err}\n")
    seeds = seeds_for(args.profile, args.seeds, args.seed_base)
    stack = compat.stack()
    print(f"# {compat.stack_label(stack)}, profile {args.profile}, seeds {seeds}", flush=True)

    results = CaseResults(args.profile, seeds)
    for case in cases:
        try:
            result = results.train_missing(case)
        except DataUnavailable as err:  # real-scale data not given: say so and go on
            print(f"\n{case.id}: skipped: {err}", flush=True)
            continue
        except DataError as err:
            parser.exit(2, f"error: {case.id}: {err}\n")
        metrics = sorted(result.runs[0].metrics)
        print(f"\n{case.id}: train s {_summary([r.train_seconds for r in result.runs])}")
        print(f"  first epoch s {_summary([r.first_epoch_seconds for r in result.runs])}")
        print(f"  peak RSS MB {_summary([r.peak_rss_mb for r in result.runs])}")
        for metric in metrics:
            print(f"  {metric}: {_summary(result.values(metric))}  values {result.values(metric)}")
        for claim in case.claims:
            for needed in results.cases_needed(case, claim):
                results.train_missing(needed)
            verdict = results.verdict(case, claim, stack)
            print(f"  claim {claim.id}: {verdict.status} ({verdict.detail})")
        sys.stdout.flush()

    if args.out:
        write_json_atomic(
            args.out,
            {
                "stack": stack,
                "profile": args.profile,
                "seeds": seeds,
                "cases": {
                    cid: {
                        "train_seconds": [r.train_seconds for r in res.runs],
                        "first_epoch_seconds": [r.first_epoch_seconds for r in res.runs],
                        "peak_rss_mb": [r.peak_rss_mb for r in res.runs],
                        "metrics": {m: res.values(m) for m in sorted(res.runs[0].metrics)},
                        "artifacts": [r.artifacts for r in res.runs],
                    }
                    for cid, res in results.items()
                },
            },
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
