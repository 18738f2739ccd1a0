"""Joining the parts of one run into one record: the one merge, for every record kind that has parts.

The parts are the records of one process's xdist workers (disjoint cases, judged already) or the
shards of a run (``--shard K/N``: every K of one N, a case's or a sweep cell's seeds spread over
them). Shards' per-seed lists are joined in seed order, as one unsharded run writes them, and the
joined record is judged again by ``judge``, the caller's (the harness's rules of this checkout:
``lstm_cases.recording.judge_merged`` for runs, ``lstm_cases.sweep_record.judge`` for sweeps); the
merged record says ``"merged_shards": N``. Parts that are not of one run, overlap or leave a shard
out raise :class:`RecordMismatch`, whose ``str()`` is one line. A run's documents (pytest-benchmark's
JSON around the record) are joined by :func:`merge_documents`: each case's training benchmark one
benchmark whose rounds are every seed's, the steady-state ones from the part that holds the case's
last seed. Duets have no parts: a duet is one process that times both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_benchmark.stats import Stats

from lstm_cases.record.load import as_dict
from lstm_cases.record.schema import KEY, RUN, SWEEP, kind_of

Judge = Callable[[dict[str, Any]], None]  # judges a merged record's claims in place

# A case's per-seed lists, in the order of its "seeds"; "metrics" holds one such list per metric.
PER_SEED = ("train_seconds", "first_epoch_seconds", "steady_epoch_seconds", "peak_rss_mb", "history", "artifacts")
SAME_IN_EVERY_PART = ("family", "source", "notes", "recipe", "expected", "claims")  # of a run's case
# What the parts of one run say alike, per record kind.
RUN_KEYS = {
    RUN: ("schema", "stack", "profile", "seeds", "seed_base", "null_model"),
    SWEEP: ("schema", "kind", "profile", "seeds", "seed_base", "commit"),
}
# The record's "timing" settings that every part of a run must share (the rest are the machine's facts).
TIMING_SETTINGS = ("threads", "processes", "rounds_per_process", "warmup_calls", "work_per_round", "seed", "slowdown")
CELL_LISTS = ("values", "others", "train_seconds")  # a sweep cell's per-seed lists beside its "seeds"


class RecordMismatch(ValueError):
    """Records that are not parts of one run (another schema, stack, profile or seeds), or
    parts that overlap; ``str()`` is one line."""


def _names(records: Sequence[Any], names: Sequence[str] | None) -> list[str]:
    return list(names) if names is not None else [f"part {i + 1}" for i in range(len(records))]


def _check_alike(records: Sequence[Mapping[str, Any]], keys: Sequence[str], names: Sequence[str]) -> None:
    for name, part in zip(names, records, strict=True):
        for key in keys:
            mine, first = part.get(key), records[0].get(key)
            if mine != first:
                shown = f"{str(first)[:60]!r} vs {str(mine)[:60]!r}"
                raise RecordMismatch(f"{names[0]} and {name} are not parts of one run: their {key} differ ({shown})")


def shard_count(records: Sequence[Mapping[str, Any]], names: Sequence[str], workers: bool) -> int | None:
    """N when the parts are the shards of one run (each K of K/N at least once); None when they are
    parts of one process (``workers``: every part the same shard, or none). RecordMismatch (one line)
    for a mix of shards and whole runs, two splits, or a shard left out."""
    labels = [r.get("shard") for r in records]
    if workers and len(set(labels)) == 1:
        return None
    if None in labels:
        whole = names[labels.index(None)]
        raise RecordMismatch(f"{whole} is a whole run, not a shard: it merges with no other file")
    counts = {str(label).split("/")[-1] for label in labels}
    if len(counts) > 1:
        raise RecordMismatch(f"shards of different splits: {', '.join(sorted(set(map(str, labels))))}")
    count = int(counts.pop())
    missing = [f"{k}/{count}" for k in range(1, count + 1) if f"{k}/{count}" not in labels]
    if missing:
        raise RecordMismatch(f"shard(s) {', '.join(missing)} missing: a merged run needs all {count}")
    return count


def join_seeds(where: str, parts: Sequence[tuple[Sequence[int], Mapping[str, Any]]]) -> tuple[list[int], dict]:
    """Per-seed lists of several parts joined in seed order: each part is (its seeds, its lists by
    name); a list a part lacks is None per seed. RecordMismatch naming ``where`` for a seed in two parts."""
    names = list(parts[0][1])
    rows = sorted(((seed, lists, i) for seeds, lists in parts for i, seed in enumerate(seeds)), key=lambda r: r[0])
    seeds = [seed for seed, _lists, _i in rows]
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise RecordMismatch(f"{where}: seed(s) {', '.join(map(str, twice))} in two parts")
    joined = {name: [_at(lists.get(name), i) for _s, lists, i in rows] for name in names}
    return seeds, joined


def _at(values: Any, index: int) -> Any:
    return values[index] if isinstance(values, list) and index < len(values) else None


# --------------------------------------------------------------------------- runs


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
    lists = []
    for part in parts:
        own = {key: part[key] for key in PER_SEED if key in first}
        own.update({f"metrics.{m}": values for m, values in part.get("metrics", {}).items()})
        lists.append((part["seeds"], own))
    seeds, joined = join_seeds(f"case {case_id!r}", lists)
    out = {key: first.get(key) for key in SAME_IN_EVERY_PART}
    out["seeds"] = seeds
    out["metrics"] = {m: joined[f"metrics.{m}"] for m in first.get("metrics", {})}
    out.update({key: joined[key] for key in PER_SEED if key in first})
    out["verdicts"] = {}
    return out


def _same_timing(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The parts' ``timing`` (the first part's that has one); RecordMismatch when two parts were
    timed under different settings (``TIMING_SETTINGS``)."""
    timed = [part["timing"] for part in records if part.get("timing") is not None]
    for other in timed[1:]:
        for key in TIMING_SETTINGS:
            if other.get(key) != timed[0].get(key):
                why = f"{timed[0].get(key)!r} vs {other.get(key)!r}"
                raise RecordMismatch(f"records were timed under different timing settings: {key} {why}")
    return dict(timed[0]) if timed else None


def _merge_run(records: Sequence[Mapping[str, Any]], judge: Judge, names: Sequence[str]) -> dict[str, Any]:
    shards = shard_count(records, names, workers=True)
    timing = _same_timing(records)
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for part in records:
        for case_id, case in part.get("cases", {}).items():
            by_case.setdefault(case_id, []).append(case)
    twice = [case_id for case_id, parts in by_case.items() if len(parts) > 1]
    if twice and shards is None:
        raise RecordMismatch(f"case {twice[0]!r} is in two records")
    workers = {part.get("xdist_workers") for part in records} - {None}
    merged: dict[str, Any] = {**records[0], "xdist_workers": max(workers) if workers else None, "cases": {}}
    merged["timing"] = timing
    # each part's own cost: the parts ran side by side (xdist) or on other machines (shards)
    merged["cost"] = None
    merged["part_costs"] = [part.get("cost") for part in records]
    for case_id, parts in by_case.items():
        merged["cases"][case_id] = _join_case(case_id, parts) if shards else dict(parts[0])
    if shards:
        merged.update(shard=None, merged_shards=shards)
        judge(merged)
    return merged


# --------------------------------------------------------------------------- sweeps


def _merge_sweep(records: Sequence[Mapping[str, Any]], judge: Judge, names: Sequence[str]) -> dict[str, Any]:
    first = records[0]
    for name, record in zip(names, records, strict=True):
        if sorted(record["sweeps"]) != sorted(first["sweeps"]):
            raise RecordMismatch(f"{names[0]} and {name} sweep different claims")
        for key, entry in record["sweeps"].items():
            if {**entry, "cells": None} != {**first["sweeps"][key], "cells": None}:
                raise RecordMismatch(f"{names[0]} and {name} ran {key} differently (grid, stack or recipes)")
    shards = shard_count(records, names, workers=False) if len(records) > 1 or first.get("shard") else None
    merged = {k: v for k, v in first.items() if k not in ("sweeps", "shard")}
    merged.update(shard=None, merged_shards=shards or 1, sweeps={})
    for key, entry in first["sweeps"].items():
        by_cell: dict[int, list[Mapping[str, Any]]] = {}
        for record in records:
            for cell in record["sweeps"][key]["cells"]:
                by_cell.setdefault(cell["index"], []).append(cell)
        cells = []
        for index in sorted(by_cell):
            parts = by_cell[index]
            where = f"{key} cell {parts[0]['point']}"
            seeds, joined = join_seeds(where, [(c["seeds"], {f: c.get(f) for f in CELL_LISTS}) for c in parts])
            cell = {"index": index, "point": parts[0]["point"], "seeds": seeds, **joined}
            cell.update({f: [] for f in CELL_LISTS if all(v is None for v in cell[f])})
            if not entry["paired"]:
                cell["others"] = None
            cells.append(cell)
        merged["sweeps"][key] = {**entry, "cells": cells}
    judge(merged)
    return merged


# --------------------------------------------------------------------------- every kind


MERGES = {RUN: _merge_run, SWEEP: _merge_sweep}


def merge_records(
    records: Sequence[Mapping[str, Any]], judge: Judge, names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Parts of one run, of one record kind, as one record (``names``: the parts' files, for errors)."""
    if not records:
        raise RecordMismatch("no records to merge")
    names = _names(records, names)
    kinds = [kind_of(r) for r in records]
    for name, kind in zip(names, kinds, strict=True):
        if kind != kinds[0]:
            raise RecordMismatch(f"{names[0]} is a {kinds[0]} record and {name} a {kind} record: they do not merge")
    if kinds[0] not in MERGES:
        raise RecordMismatch(
            f"{names[0]}: a {kinds[0]} record has no parts to merge; merged kinds: {', '.join(MERGES)}"
        )
    _check_alike(records, RUN_KEYS[kinds[0]], names)
    return MERGES[kinds[0]](records, judge, names)


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


def merge_documents(docs: Sequence[Mapping[str, Any]], judge: Judge, names: Sequence[str] | None = None) -> dict:
    """The parts of one run (pytest-benchmark JSON with the record) as one document: machine,
    commit and date from the first part. RecordMismatch (one line) when they do not join."""
    commits = {commit_of_document(doc) for doc in docs} - {None}
    if len(commits) > 1:
        raise RecordMismatch(f"parts of different commits: {', '.join(sorted(c[:10] for c in commits))}")
    missing = sum(KEY not in doc for doc in docs)
    if missing:
        raise RecordMismatch(f"{missing} part(s) without an {KEY!r} record")
    record = merge_records([doc[KEY] for doc in docs], judge, names)
    return {**docs[0], "benchmarks": merge_benchmarks(docs), KEY: record}
