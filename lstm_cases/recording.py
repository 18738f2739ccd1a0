"""The result record: one ``"lstm_bench"`` object in the pytest-benchmark JSON of a run.

Built once, when the JSON is written, from the session's final results: every case's
recipe, expected shapes, per-seed metrics, timings of the whole-recipe run, histories,
artifacts, and each claim's verdict (with its margin, ``lstm_cases.margins``) judged on
those same results; and the run's timing settings (threads, steady-state rounds and
processes, a test-only slowdown). Benchmarks keep what is theirs: their timings, and in
``extra_info`` the case id and kind and, for the steady-state kinds, the plan (warm-up,
rounds, work per round), the other processes' rounds and the between-process spread
(``lstm_cases.timing``). Readers (``reports``) refuse any other ``schema``.

A shard's record (``pytest bench --shard K/N``, ``lstm_cases.shards``) says ``"shard": "K/N"``
and holds no verdicts: its cases have only some of the run's seeds. ``lstm_cases.record.merge``
joins the parts of a run; :func:`judge_merged` is the judge it is given for a run's shards.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from lstm_cases import registry
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, UnknownNameError
from lstm_cases.margins import margin
from lstm_cases.provenance import measurement_path
from lstm_cases.record.merge import RecordMismatch
from lstm_cases.record.schema import SCHEMA
from lstm_cases.results import CaseResults, ValuesOf, judge
from lstm_cases.runner import CaseResult


def case_record(case: Case, result: CaseResult | None, profile: str, verdicts: Mapping[str, Any]) -> dict[str, Any]:
    """One case's part of the record; a case the run only timed in steady state (no whole-recipe
    run, ``result`` None) has empty per-seed lists and no verdicts."""
    expected = case.expected_for(profile)
    runs = result.runs if result is not None else []
    metrics = sorted(runs[0].metrics) if runs else []
    return {
        "family": case.family,
        "source": case.source,
        "notes": case.notes,
        "seeds": result.seeds if result is not None else [],
        "recipe": case.recipe(profile).describe(),
        "expected": {**expected.describe(), "output_shape": list(expected.sample_output_shape())},
        "metrics": {m: result.values(m) for m in metrics} if result is not None else {},
        "train_seconds": [r.train_seconds for r in runs],
        # compilation/tracing apart from the steady state; epochs are Keras epochs (passes)
        "first_epoch_seconds": [r.first_epoch_seconds for r in runs],
        "steady_epoch_seconds": [r.steady_epoch_seconds for r in runs],
        "peak_rss_mb": [r.peak_rss_mb for r in runs],
        "history": [r.history for r in runs],
        "artifacts": [r.artifacts for r in runs],
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
        "verdicts": dict(verdicts),
    }


def verdict_records(case: Case, profile: str, stack: Mapping[str, Any], values_of: ValuesOf) -> dict[str, Any]:
    """The verdicts of a case as the record keeps them: each verdict's fields and its margin."""
    out = {}
    for claim_id, verdict in judge(case, profile, stack, values_of).items():
        claim = case.claim(claim_id)
        others = values_of(claim.compare_to, claim.metric) if claim.compare_to is not None else None
        out[claim_id] = {**verdict.as_dict(), "margin": margin(claim.rules[profile], verdict.values, others)}
    return out


def run_record(
    results: CaseResults,
    cases: Sequence[Case],
    stack: Mapping[str, Any],
    seed_base: int,
    xdist_workers: int | None = None,
    null_model: bool = False,
    shard: str | None = None,
    timing: Mapping[str, Any] | None = None,
    timed: Collection[str] = (),
    cost: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The record of a run: every case of ``cases`` that the run trained, judged now (a shard's
    cases are not judged: the merged record is), or timed in steady state (ids in ``timed``).
    ``timing``: the process settings timings were taken under and the steady-state settings
    (``lstm_cases.timing``), the test-only ``slowdown`` included (empty when none). ``cost``: where the
    run's wall time went (``lstm_cases.record.costs``)."""
    return {
        "schema": SCHEMA,
        "stack": dict(stack),
        "profile": results.profile,
        "seeds": list(results.seeds),
        "seed_base": seed_base,
        "xdist_workers": xdist_workers,
        "null_model": null_model,  # the self-test's untrained models: never a result to compare
        "shard": shard,
        "timing": dict(timing) if timing is not None else None,
        "cost": dict(cost) if cost is not None else None,
        "cases": {
            case.id: case_record(
                case,
                results.get(case.id) if results.has(case.id) else None,
                results.profile,
                {}
                if shard or not results.has(case.id)
                else verdict_records(case, results.profile, stack, results.values_of),
            )
            for case in cases
            if results.has(case.id) or case.id in timed
        },
    }


# --------------------------------------------------------------------------- judging merged shards


def record_values(case: Mapping[str, Any], metric: str) -> list[float]:
    """A recorded case's per-seed values of a claim's metric (as ``runner.CaseResult.values``)."""
    own_list = metric in (TRAIN_SECONDS, STEADY_EPOCH_SECONDS)
    values = case.get(metric) if own_list else case.get("metrics", {}).get(metric)
    if values is None:
        raise RecordMismatch(f"a case of the record has no values of metric {metric!r}")
    return list(values)


def judge_merged(record: dict[str, Any]) -> None:
    """Judge every case of a merged run's record on its joined seeds, in place, by this checkout's
    claims and rules (``lstm_cases.record.merge``'s judge for runs)."""
    cases = record["cases"]

    def values_of(case_id: str, metric: str) -> list[float] | None:
        return record_values(cases[case_id], metric) if case_id in cases else None

    for case_id, case in cases.items():
        if not case.get("seeds"):  # recorded for its timings only (its training broke, or it was not trained)
            continue
        try:
            known = registry.get_case(case_id)
        except UnknownNameError:
            why = "merge with the suite's commit that wrote the files"
            raise RecordMismatch(f"case {case_id!r} is not a case of this checkout: {why}") from None
        case["verdicts"] = verdict_records(known, record["profile"], record["stack"], values_of)
