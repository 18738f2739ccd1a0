"""The result record: one ``"lstm_bench"`` object in the pytest-benchmark JSON of a run.

Built once, when the JSON is written, from the session's final results: every case's
recipe, expected shapes, per-seed metrics, timings of the whole-recipe run, histories,
artifacts, and each claim's verdict judged on those same results. Benchmarks keep what is
theirs: their timings, and the case id and kind in ``extra_info``. Readers (``reports``)
refuse any other ``schema``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lstm_cases.core import Case
from lstm_cases.provenance import measurement_path
from lstm_cases.results import CaseResults
from lstm_cases.runner import CaseResult

SCHEMA = 1
KEY = "lstm_bench"  # the top-level key in the pytest-benchmark JSON


def case_record(case: Case, result: CaseResult, profile: str, verdicts: Mapping[str, Any]) -> dict[str, Any]:
    """One case's part of the record."""
    expected = case.expected_for(profile)
    metrics = sorted(result.runs[0].metrics)
    return {
        "family": case.family,
        "source": case.source,
        "notes": case.notes,
        "seeds": result.seeds,
        "recipe": case.recipe(profile).describe(),
        "expected": {
            "input_shape": list(expected.input_shape),
            "target_shape": list(expected.target_shape),
            "total_params": expected.total_params,
            "layer_params": dict(expected.layer_params),
            "output_shape": list(expected.sample_output_shape()),
        },
        "metrics": {m: result.values(m) for m in metrics},
        "train_seconds": [r.train_seconds for r in result.runs],
        # compilation/tracing apart from the steady state; epochs are Keras epochs (passes)
        "first_epoch_seconds": [r.first_epoch_seconds for r in result.runs],
        "steady_epoch_seconds": [r.steady_epoch_seconds for r in result.runs],
        "peak_rss_mb": [r.peak_rss_mb for r in result.runs],
        "history": [r.history for r in result.runs],
        "artifacts": [r.artifacts for r in result.runs],
        "claims": {
            c.id: {
                "text": c.text,
                "metric": c.metric,
                "compare_to": c.compare_to,
                # the measurement files this profile's threshold was set from (lstm_cases.provenance)
                "measured_on": [str(measurement_path(profile, label).name) for label in c.measured_on.get(profile, ())],
                "unmeasured": c.unmeasured if not c.measured_on.get(profile) else "",
            }
            for c in case.claims
        },
        "verdicts": {cid: v.as_dict() for cid, v in verdicts.items()},
    }


def run_record(
    results: CaseResults,
    cases: Sequence[Case],
    stack: Mapping[str, Any],
    seed_base: int,
    xdist_workers: int | None = None,
    null_model: bool = False,
) -> dict[str, Any]:
    """The record of a run: every case of ``cases`` that the run trained, judged now."""
    return {
        "schema": SCHEMA,
        "stack": dict(stack),
        "profile": results.profile,
        "seeds": list(results.seeds),
        "seed_base": seed_base,
        "xdist_workers": xdist_workers,
        "null_model": null_model,  # the self-test's untrained models: never a result to compare
        "cases": {
            case.id: case_record(case, results.get(case.id), results.profile, results.verdicts(case, stack))
            for case in cases
            if results.has(case.id)
        },
    }


class RecordMismatch(ValueError):
    """Records that are not parts of one run (another schema, stack, profile or seeds)."""


def merge_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Parts of one run (xdist workers) as one record: the same schema, stack, profile and
    seeds, each case from the part that has it. A case in two parts is a mismatch."""
    if not records:
        raise RecordMismatch("no records to merge")
    first = records[0]
    merged: dict[str, Any] = {**first, "cases": {}}
    for part in records:
        for key in ("schema", "stack", "profile", "seeds", "seed_base"):
            if part.get(key) != first.get(key):
                raise RecordMismatch(f"records differ in {key}: {first.get(key)!r} vs {part.get(key)!r}")
        for case_id, case in part.get("cases", {}).items():
            if case_id in merged["cases"]:
                raise RecordMismatch(f"case {case_id!r} is in two records")
            merged["cases"][case_id] = case
    return merged
