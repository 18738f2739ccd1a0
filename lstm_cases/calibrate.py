"""Measure cases over many seeds: the distributions claim thresholds are set from.

    python -m lstm_cases.calibrate --profile quick --seeds 10 [--case ID ...] [--out FILE]

Prints, per case and metric, min / median / max over the seeds and each claim's verdict
under its current rule, and optionally writes every per-seed value as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from lstm_cases.core import PROFILES, UnknownNameError, seeds_for


def _summary(values: list[float]) -> str:
    return f"min {min(values):.4g} / median {statistics.median(values):.4g} / max {max(values):.4g}"


def write_json_atomic(path: Path, payload: object) -> None:
    """Write whole or not at all: a temp file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_cases.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="quick", help=f"one of {', '.join(PROFILES)}")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-base", type=int, default=0)
    parser.add_argument("--case", action="append", default=[], help="case id (repeatable); default all")
    parser.add_argument("--out", type=Path, help="write per-seed values here (JSON)")
    args = parser.parse_args(argv)

    from lstm_cases import compat, registry, runner

    try:
        if args.profile not in PROFILES:
            raise UnknownNameError("profile", args.profile, PROFILES)
        cases = registry.select_cases(args.case)
    except UnknownNameError as err:
        parser.exit(2, f"error: {err}\n")
    seeds = seeds_for(args.profile, args.seeds, args.seed_base)
    stack = compat.stack()
    print(f"# {compat.stack_label(stack)}, profile {args.profile}, seeds {seeds}", flush=True)

    results = {}
    for case in cases:
        result = runner.run_case(case, args.profile, seeds)
        results[case.id] = result
        metrics = sorted(result.runs[0].metrics)
        print(f"\n{case.id}: train s {_summary([r.train_seconds for r in result.runs])}")
        print(f"  first epoch s {_summary([r.first_epoch_seconds for r in result.runs])}")
        print(f"  peak RSS MB {_summary([r.peak_rss_mb for r in result.runs])}")
        for metric in metrics:
            print(f"  {metric}: {_summary(result.values(metric))}  values {result.values(metric)}")
        for claim in case.claims:
            if claim.compare_to and claim.compare_to not in results:
                results[claim.compare_to] = runner.run_case(registry.get_case(claim.compare_to), args.profile, seeds)
            others = results[claim.compare_to].values(claim.metric) if claim.compare_to else None
            verdict = claim.judge(args.profile, result.values(claim.metric), stack, others)
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
