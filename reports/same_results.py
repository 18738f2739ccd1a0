"""Whether two result files hold the same results: the evidence that a change of the harness changed
no verdict, no per-seed value and no benchmark plan (the same stack and seeds, before and after).

    python -m reports.same_results BEFORE.json AFTER.json

Compared exactly: the cases and their seeds, every claim's status and values, every per-seed metric
that is not a time, and each steady-state benchmark's plan (warm-up, rounds, work per round,
processes). Times (metrics ending in ``_seconds`` or ``_time_ratio``, and the claims judged on them) differ from run to
run: only their presence is compared, and a timed claim whose status differs is listed apart. A
metric or claim that only one file has is listed too. Exit 0: the same; 1: a difference; 2: a file
that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

from lstm_cases.record.load import InputError, as_dict, as_list, load_run

PLAN_KEYS = ("warmup", "rounds_per_process", "units", "full_units", "processes")


def _is_time(metric: str) -> bool:
    """Seconds, or a ratio of two timings (``_time_ratio``): they differ from run to run."""
    return metric.endswith(("_seconds", "_time_ratio"))


def _record(path: str) -> dict[str, Any]:
    """The file's record and benchmarks, read and checked by the reports' loader (schema, cases)."""
    run = load_run(path)
    return {"record": run.record, "benchmarks": as_list(run.raw.get("benchmarks"))}


def _plans(benchmarks: list[Any]) -> dict[str, dict[str, Any]]:
    """Each steady-state benchmark's plan, by name."""
    plans = {}
    for bench in benchmarks:
        info = as_dict(as_dict(bench).get("extra_info"))
        if "warmup" in info:
            per_round = {k: v for k, v in info.items() if k.endswith("_per_round") and k != "rounds_per_process"}
            plans[str(bench.get("name"))] = {**{k: info.get(k) for k in PLAN_KEYS}, **per_round}
    return plans


def _case_differences(case_id: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[list, list]:
    """(differences, notes) of one case: notes are timed claims and metrics only one file has."""
    out, notes = [], []
    if before.get("seeds") != after.get("seeds"):
        out.append(f"{case_id}: seeds {before.get('seeds')} vs {after.get('seeds')}")
    metrics_before, metrics_after = as_dict(before.get("metrics")), as_dict(after.get("metrics"))
    for metric in sorted(set(metrics_before) | set(metrics_after)):
        if metric not in metrics_after or metric not in metrics_before:
            which = "before" if metric in metrics_before else "after"
            notes.append(f"{case_id}: metric {metric} only {which}")
        elif not _is_time(metric) and metrics_before[metric] != metrics_after[metric]:
            out.append(f"{case_id}: {metric} {metrics_before[metric]} vs {metrics_after[metric]}")
    claims = as_dict(before.get("claims"))
    verdicts_before, verdicts_after = as_dict(before.get("verdicts")), as_dict(after.get("verdicts"))
    for claim in sorted(set(verdicts_before) | set(verdicts_after)):
        if claim not in verdicts_before or claim not in verdicts_after:
            which = "before" if claim in verdicts_before else "after"
            out.append(f"{case_id}/{claim}: judged only {which}")
            continue
        a, b = as_dict(verdicts_before[claim]), as_dict(verdicts_after[claim])
        timed = _is_time(str(as_dict(claims.get(claim)).get("metric", "")))
        if a.get("status") != b.get("status"):
            line = f"{case_id}/{claim}: {a.get('status')} vs {b.get('status')}"
            (notes if timed else out).append(line + (" (a timed claim)" if timed else ""))
        elif not timed and a.get("values") != b.get("values"):
            out.append(f"{case_id}/{claim}: values {a.get('values')} vs {b.get('values')}")
    return out, notes


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[list[str], list[str], int]:
    """(differences, notes, claims compared) between two loaded files (``_record``'s form)."""
    out, notes = [], []
    cases_before, cases_after = as_dict(before["record"].get("cases")), as_dict(after["record"].get("cases"))
    for key in ("stack", "profile", "seeds"):
        if before["record"].get(key) != after["record"].get(key):
            out.append(f"{key}: {before['record'].get(key)} vs {after['record'].get(key)}")
    for case_id in sorted(set(cases_before) ^ set(cases_after)):
        out.append(f"{case_id}: only {'before' if case_id in cases_before else 'after'}")
    claims = 0
    for case_id in sorted(set(cases_before) & set(cases_after)):
        case_out, case_notes = _case_differences(case_id, cases_before[case_id], cases_after[case_id])
        out += case_out
        notes += case_notes
        claims += len(
            set(as_dict(cases_before[case_id].get("verdicts"))) & set(as_dict(cases_after[case_id].get("verdicts")))
        )
    plans_before, plans_after = _plans(before["benchmarks"]), _plans(after["benchmarks"])
    for name in sorted(set(plans_before) | set(plans_after)):
        if plans_before.get(name) != plans_after.get(name):
            out.append(f"plan of {name}: {plans_before.get(name)} vs {plans_after.get(name)}")
    return out, notes, claims


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.same_results", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the result file before the change")
    parser.add_argument("after", help="the result file after the change")
    args = parser.parse_args(argv)
    try:
        before, after = _record(args.before), _record(args.after)
    except InputError as err:
        print(f"same_results: {err}", file=sys.stderr)
        return 2
    out, notes, claims = differences(before, after)
    for line in out:
        print(f"DIFFERENT {line}")
    for line in notes:
        print(f"note {line}")
    plans = len(_plans(after["benchmarks"]))
    cases = len(set(before["record"]["cases"]) & set(after["record"]["cases"]))
    verdict = f"{len(out)} difference(s)" if out else "the same"
    print(f"same_results: {verdict}: {cases} cases, {claims} verdicts, {plans} benchmark plans compared")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
