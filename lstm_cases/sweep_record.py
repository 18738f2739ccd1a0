"""The record of a sweep run (``kind: "sweep"``), its shards, and joining them.

One file per run, in the suite's record format: the top-level ``lstm_bench`` object with
``schema`` 1, the base profile, the seeds, the commit, the date and the command, and per
swept claim (key ``case/claim``) the stack it ran on and why that one (a run may use two
backends: a claim limited to TensorFlow beside others on JAX), its axes, where the suite's
recipes lie on them (``marks``), and one entry per cell: the point, the seeds, the claim's metric per seed on
the case (``values``) and on the case it compares with (``others``), the whole-recipe
training seconds, and the judgement (``lstm_cases.sweep.judge_cell``). The units of work
are (claim, cell, seed), dealt round-robin to shards as ``pytest bench --shard`` deals its
units (``lstm_cases.shards``); a shard's record says ``"shard": "K/N"``, holds only its
seeds and no judgement; ``merge`` (``python -m reports merge``) joins a complete set of
shards seed by seed and judges every cell, as one unsharded run would have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lstm_cases import registry
from lstm_cases.core import PROFILES, Case, Claim
from lstm_cases.record import KEY, RecordMismatch
from lstm_cases.shards import Shard, parse_shard
from lstm_cases.sweep import Sweep, judge_cell, recipe_value

KIND = "sweep"
SOURCE_PROFILE = "full"  # every family's full profile runs its source's recipe (docs/scenarios.md)
SWEEP_SCHEMA = 1  # sweep records keep their own schema (reports.sweep_map reads it)
RUN_KEYS = ("schema", "kind", "profile", "seeds", "seed_base", "commit")  # alike in every shard of a run
CELL_LISTS = ("seeds", "values", "others", "train_seconds")  # per-seed lists of a cell, in seed order


def key_of(case: Case, claim: Claim) -> str:
    return f"{case.id}/{claim.id}"


def declared() -> dict[str, tuple[Case, Claim]]:
    """Every claim that declares a sweep, by key ``case/claim``, in registry order."""
    return {key_of(c, cl): (c, cl) for c in registry.all_cases().values() for cl in c.claims if cl.sweep is not None}


def _differences(base: Mapping[str, Any], other: Mapping[str, Any], skip: Sequence[str]) -> str:
    """The recipe fields (and data arguments) other than the axes on which ``other`` differs from ``base``."""
    out = []
    for name in sorted(set(base) | set(other)):
        if name in ("changes", "data") or name in skip:
            continue
        if base.get(name) != other.get(name):
            out.append(f"{name} {base.get(name)!r} -> {other.get(name)!r}")
    base_data, other_data = base.get("data", {}), other.get("data", {})
    for name in sorted(set(base_data) | set(other_data)):
        if f"data.{name}" not in skip and base_data.get(name) != other_data.get(name):
            out.append(f"data.{name} {base_data.get(name)!r} -> {other_data.get(name)!r}")
    return "; ".join(out)


def sweep_entry(case: Case, claim: Claim, sweep: Sweep, stack: Mapping[str, Any], why: str) -> dict[str, Any]:
    """A swept claim's part of the record, without cells; ``stack``: the one it runs on, ``why`` that one."""
    base = case.recipe(sweep.profile)
    marks = {}
    for profile in PROFILES:
        recipe = case.recipe(profile)
        marks[profile] = {
            "point": {field: recipe_value(case, recipe, field) for field in sweep.fields},
            "other_differences": _differences(base.describe(), recipe.describe(), sweep.fields),
        }
    return {
        "case": case.id,
        "claim": claim.id,
        "text": claim.text,
        "metric": claim.metric,
        "compare_to": claim.compare_to,
        "rule": claim.rules[sweep.judged_by].describe(),
        "rule_profile": sweep.judged_by,
        "paired": claim.compare_to is not None,
        "axes": [axis.describe() for axis in sweep.axes],
        "backends": list(sweep.backends),
        "backends_reason": sweep.backends_reason,
        "marks": marks,
        "source_is": SOURCE_PROFILE,
        "stack": dict(stack),
        "stack_choice": why,
        "cells": [],
    }


def units(keys: Sequence[str], sweeps: Mapping[str, Sweep], seeds: Sequence[int]) -> list[tuple[str, int, int]]:
    """Every (claim key, cell index, seed) of a run, in the order they are dealt to shards."""
    return [(key, i, seed) for key in keys for i in range(len(sweeps[key].points())) for seed in seeds]


def plan(keys: Sequence[str], sweeps: Mapping[str, Sweep], seeds: Sequence[int], shard: Shard | None) -> set:
    """The units this shard runs (all of them without a shard); ValueError (one line) when
    there are fewer units than shards."""
    every = units(keys, sweeps, seeds)
    if shard is None:
        return set(every)
    if len(every) < shard.count:
        raise ValueError(f"--shard {shard}: this sweep has {len(every)} (cell, seed) units, fewer than the shards")
    return {unit for i, unit in enumerate(every) if i % shard.count == shard.index - 1}


def judge(record: Mapping[str, Any]) -> None:
    """Judge every cell of an unsharded record in place, by this checkout's rules (the rule each
    claim's sweep names now: a record judged again after a rule changed says the new one)."""
    for entry in record["sweeps"].values():
        claim = registry.get_case(entry["case"]).claim(entry["claim"])
        if claim.sweep is None:
            raise RecordMismatch(f"{entry['case']}/{entry['claim']}: this checkout declares no sweep for it")
        rule = claim.rules[claim.sweep.judged_by]
        entry["rule"], entry["rule_profile"] = rule.describe(), claim.sweep.judged_by
        for cell in entry["cells"]:
            missing = sorted(set(record["seeds"]) - set(cell["seeds"]))
            if missing:
                where = f"{entry['case']}/{entry['claim']} cell {cell['point']}"
                raise RecordMismatch(f"{where}: no result for seeds {missing}")
            cell.update(judge_cell(rule, cell["values"], cell["others"] if entry["paired"] else None))


def merge(records: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """A complete set of one sweep run's shards as one judged record; RecordMismatch (one line
    naming the files) for parts of different runs, a missing or repeated shard, or a seed twice."""
    first = records[0]
    for name, record in zip(names, records, strict=True):
        for key in RUN_KEYS:
            if record.get(key) != first.get(key):
                raise RecordMismatch(f"{names[0]} and {name} are not parts of one sweep run: their {key} differ")
        if sorted(record["sweeps"]) != sorted(first["sweeps"]):
            raise RecordMismatch(f"{names[0]} and {name} sweep different claims")
        for key, entry in record["sweeps"].items():
            if {**entry, "cells": None} != {**first["sweeps"][key], "cells": None}:
                raise RecordMismatch(f"{names[0]} and {name} ran {key} differently (grid, stack or recipes)")
    shards = [
        parse_shard(str(r.get("shard")), f"{n}: shard") if r.get("shard") else None
        for n, r in zip(names, records, strict=True)
    ]
    if None in shards and len(records) > 1:
        raise RecordMismatch(f"{names[shards.index(None)]} is a whole run, not a shard: nothing to merge it with")
    counts = {s.count for s in shards if s is not None}
    indexes = sorted(s.index for s in shards if s is not None)
    if len(counts) > 1 or (counts and indexes != list(range(1, counts.pop() + 1))):
        raise RecordMismatch(f"shards {', '.join(str(s) for s in shards)}: not each shard of one run exactly once")
    merged = {k: v for k, v in first.items() if k not in ("sweeps", "shard")}
    merged["shard"] = None
    merged["merged_shards"] = len(records)
    merged["sweeps"] = {}
    for key, entry in first["sweeps"].items():
        cells: dict[int, dict[str, Any]] = {}
        for name, record in zip(names, records, strict=True):
            for cell in record["sweeps"][key]["cells"]:
                joined = cells.setdefault(cell["index"], {"index": cell["index"], "point": cell["point"]})
                for field in CELL_LISTS:
                    joined.setdefault(field, [])
                    joined[field] = [*joined[field], *(cell.get(field) or [])]
                if len(set(joined["seeds"])) != len(joined["seeds"]):
                    raise RecordMismatch(f"{name}: {key} cell {cell['point']} has a seed another part has too")
        for cell in cells.values():  # seed order, as an unsharded run writes them
            order = sorted(range(len(cell["seeds"])), key=cell["seeds"].__getitem__)
            for field in CELL_LISTS:
                cell[field] = [cell[field][i] for i in order] if cell[field] else cell[field]
            if not entry["paired"]:
                cell["others"] = None
        merged["sweeps"][key] = {**entry, "cells": [cells[i] for i in sorted(cells)]}
    judge(merged)
    return merged


def is_sweep(doc: Mapping[str, Any]) -> bool:
    """Whether a loaded JSON document is a sweep record."""
    return isinstance(doc, Mapping) and isinstance(doc.get(KEY), Mapping) and doc[KEY].get("kind") == KIND


def check_schema(record: Mapping[str, Any], name: str) -> None:
    if record.get("schema") != SWEEP_SCHEMA:
        found = record.get("schema")
        raise RecordMismatch(f"{name}: sweep record schema {found!r}; this checkout reads {SWEEP_SCHEMA}")
