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
and holds no verdicts: its cases have only some of the run's seeds. ``merge_records`` joins
parts of one run: xdist workers' records (disjoint cases) and the shards' (a case's seeds
spread over several), whose claims it then judges on the joined seeds, as one unsharded run
would have judged them. Every part must have been timed under the same timing settings
(``TIMING_SETTINGS``); the merged record keeps them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pytest_benchmark.stats import Stats

from lstm_cases import registry
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, UnknownNameError
from lstm_cases.margins import margin
from lstm_cases.provenance import measurement_path
from lstm_cases.results import CaseResults, ValuesOf, judge
from lstm_cases.runner import CaseResult
from reports.load import KEY, SCHEMA, as_dict

# A case's per-seed lists, in the order of its "seeds"; "metrics" holds one such list per metric.
PER_SEED = ("train_seconds", "first_epoch_seconds", "steady_epoch_seconds", "peak_rss_mb", "history", "artifacts")
# What every part of a run says alike about a case.
SAME_IN_EVERY_PART = ("family", "source", "notes", "recipe", "expected", "claims")
RUN_KEYS = ("schema", "stack", "profile", "seeds", "seed_base", "null_model")  # alike in every part of a run
# The record's "timing" settings that every part of a run must share (the rest are the machine's facts).
TIMING_SETTINGS = ("threads", "processes", "rounds_per_process", "warmup_calls", "work_per_round", "seed", "slowdown")


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
        "expected": {
            "input_shape": list(expected.input_shape),
            "target_shape": list(expected.target_shape),
            "total_params": expected.total_params,
            "layer_params": dict(expected.layer_params),
            "output_shape": list(expected.sample_output_shape()),
        },
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
    run's wall time went (``lstm_cases.costs``)."""
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


# --------------------------------------------------------------------------- merging parts of a run


class RecordMismatch(ValueError):
    """Records that are not parts of one run (another schema, stack, profile or seeds), or
    parts that overlap; ``str()`` is one line."""


def record_values(case: Mapping[str, Any], metric: str) -> list[float]:
    """A recorded case's per-seed values of a claim's metric (as ``runner.CaseResult.values``)."""
    own_list = metric in (TRAIN_SECONDS, STEADY_EPOCH_SECONDS)
    values = case.get(metric) if own_list else case.get("metrics", {}).get(metric)
    if values is None:
        raise RecordMismatch(f"a case of the record has no values of metric {metric!r}")
    return list(values)


def _join_case(case_id: str, parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One case from the parts that hold some of its seeds: per-seed lists joined in seed order."""
    first = parts[0]
    for part in parts[1:]:
        for key in (*SAME_IN_EVERY_PART, "metrics"):
            mine, theirs = part.get(key), first.get(key)
            if key == "metrics":
                mine, theirs = sorted(mine or {}), sorted(theirs or {})
            if mine != theirs:
                raise RecordMismatch(f"case {case_id!r}: its {key} differs between the parts")
    rows = [(seed, part, i) for part in parts for i, seed in enumerate(part["seeds"])]
    rows.sort(key=lambda row: row[0])
    seeds = [seed for seed, _part, _i in rows]
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise RecordMismatch(f"case {case_id!r}: seed(s) {', '.join(map(str, twice))} in two parts")
    joined = {key: first.get(key) for key in SAME_IN_EVERY_PART}
    joined["seeds"] = seeds
    joined["metrics"] = {m: [part["metrics"][m][i] for _s, part, i in rows] for m in first.get("metrics", {})}
    joined.update({key: [part[key][i] for _s, part, i in rows] for key in PER_SEED if key in first})
    joined["verdicts"] = {}
    return joined


def _shards(records: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The shards the records are (K/N, each K of one N at least once) when they are several
    shards of one run; None when they are all one shard or none (an xdist run's workers)."""
    labels = [r.get("shard") for r in records]
    if len(set(labels)) == 1:
        return None
    if None in labels:
        raise RecordMismatch("a shard's record and an unsharded run's do not merge")
    counts = {label.split("/")[1] for label in labels}
    if len(counts) > 1:
        raise RecordMismatch(f"shards of different splits: {', '.join(sorted(set(labels)))}")
    count = int(counts.pop())
    missing = [f"{k}/{count}" for k in range(1, count + 1) if f"{k}/{count}" not in labels]
    if missing:
        raise RecordMismatch(f"shard(s) {', '.join(missing)} missing: a merged run needs all {count}")
    return sorted(set(labels), key=lambda label: int(label.split("/")[0]))


def _same_timing(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The parts' ``timing`` (the first part's that has one); RecordMismatch when two parts were
    timed under different settings (``TIMING_SETTINGS``: threads, processes, rounds, work, slowdown)."""
    timed = [part["timing"] for part in records if part.get("timing") is not None]
    for other in timed[1:]:
        for key in TIMING_SETTINGS:
            if other.get(key) != timed[0].get(key):
                why = f"{timed[0].get(key)!r} vs {other.get(key)!r}"
                raise RecordMismatch(f"records were timed under different timing settings: {key} {why}")
    return dict(timed[0]) if timed else None


def merge_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Parts of one run as one record: the same schema, stack, profile and seeds.

    The parts of one process (xdist workers, of a shard or not) hold disjoint cases, judged
    already. The shards of a run (every K of K/N) hold each case's seeds between them: a
    case's per-seed lists are joined in seed order and its claims judged on the joined seeds
    (registry's claims, this commit's rules); the merged record says ``"merged_shards": N``."""
    if not records:
        raise RecordMismatch("no records to merge")
    first = records[0]
    for part in records:
        for key in RUN_KEYS:
            if part.get(key) != first.get(key):
                raise RecordMismatch(f"records differ in {key}: {first.get(key)!r} vs {part.get(key)!r}")
    timing = _same_timing(records)
    shards = _shards(records)
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for part in records:
        for case_id, case in part.get("cases", {}).items():
            by_case.setdefault(case_id, []).append(case)
    twice = [case_id for case_id, parts in by_case.items() if len(parts) > 1]
    if twice and shards is None:
        raise RecordMismatch(f"case {twice[0]!r} is in two records")
    workers = {part.get("xdist_workers") for part in records} - {None}
    merged: dict[str, Any] = {**first, "xdist_workers": max(workers) if workers else None, "cases": {}}
    merged["timing"] = timing
    # each part's own cost: the parts ran side by side (xdist) or on other machines (shards)
    merged["cost"] = None
    merged["part_costs"] = [part.get("cost") for part in records]
    for case_id, parts in by_case.items():
        merged["cases"][case_id] = _join_case(case_id, parts) if shards else dict(parts[0])
    if shards:
        merged.update(shard=None, merged_shards=len(shards))
        _judge_merged(merged)
    return merged


def _judge_merged(record: dict[str, Any]) -> None:
    """Judge every case of a merged record on its joined seeds, in place."""
    cases = record["cases"]

    def values_of(case_id: str, metric: str) -> list[float] | None:
        return record_values(cases[case_id], metric) if case_id in cases else None

    for case_id, case in cases.items():
        try:
            known = registry.get_case(case_id)
        except UnknownNameError:
            why = "merge with the suite's commit that wrote the files"
            raise RecordMismatch(f"case {case_id!r} is not a case of this checkout: {why}") from None
        case["verdicts"] = verdict_records(known, record["profile"], record["stack"], values_of)


# --------------------------------------------------------------------------- merging parts' documents


def commit_of_document(doc: Mapping[str, Any]) -> str | None:
    """The commit a result document was made at (pytest-benchmark's ``commit_info``), or None."""
    return as_dict(doc.get("commit_info")).get("id") or None


def _join_train(case: str, parts: list[tuple[Mapping[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """One training benchmark from the shards' (one timed round per seed, in seed order)."""
    rounds = []
    for doc, bench in parts:
        seeds = doc[KEY]["cases"][case]["seeds"]
        data = as_dict(bench.get("stats")).get("data") or []
        if len(data) != len(seeds):
            raise RecordMismatch(f"the training benchmark of {case!r} has {len(data)} rounds for {len(seeds)} seeds")
        rounds += zip(seeds, data, strict=True)
    stats = Stats()
    for _seed, seconds in sorted(rounds):
        stats.update(seconds)
    return {**parts[0][1], "stats": {**stats.as_dict(), "data": stats.data}}


def _last_seed(doc: Mapping[str, Any], case: str) -> int:
    seeds = doc[KEY]["cases"].get(case, {}).get("seeds") or [-1]
    return max(seeds)


def merge_benchmarks(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The parts' benchmarks, one per test (``fullname``): a case's training benchmark joined, any
    other from the part holding the case's last seed. Benchmarks of no case are kept as they are."""
    grouped: dict[str, list[tuple[Mapping[str, Any], dict[str, Any]]]] = {}
    loose: list[dict[str, Any]] = []
    for doc in docs:
        for bench in doc.get("benchmarks", []):
            if isinstance(as_dict(bench.get("extra_info")).get("case"), str):
                grouped.setdefault(str(bench.get("fullname") or bench.get("name")), []).append((doc, bench))
            else:
                loose.append(bench)
    merged = []
    for parts in grouped.values():
        info = parts[0][1]["extra_info"]
        if len(parts) == 1:
            merged.append(parts[0][1])
        elif info.get("kind") == "train":
            merged.append(_join_train(info["case"], parts))
        else:
            merged.append(max(parts, key=lambda part: _last_seed(part[0], info["case"]))[1])
    return merged + loose


def merge_documents(docs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parts of one run (pytest-benchmark JSON with the ``lstm_bench`` record) as one document:
    machine, commit and date from the first part. RecordMismatch (one line) when they do not join."""
    commits = {commit_of_document(doc) for doc in docs} - {None}
    if len(commits) > 1:
        raise RecordMismatch(f"parts of different commits: {', '.join(sorted(c[:10] for c in commits))}")
    missing = sum(KEY not in doc for doc in docs)
    if missing:
        raise RecordMismatch(f"{missing} part(s) without an {KEY!r} record")
    record = merge_records([doc[KEY] for doc in docs])
    return {**docs[0], "benchmarks": merge_benchmarks(docs), KEY: record}
