"""The record of a sweep run (``kind: "sweep"``): its entries, its shards' units of work, its judging.

One file per run, in the suite's record format (``lstm_cases.record.schema``): the top-level
``lstm_bench`` object of kind ``sweep`` with the base profile, the seeds, the commit, the date and the command, and per
swept claim (key ``case/claim``) the stack it ran on and why that one (a run may use two
backends: a claim limited to TensorFlow beside others on JAX), its axes, where the suite's
recipes lie on them (``marks``), and one entry per cell: the point, the seeds, the claim's metric per seed on
the case (``values``) and on the case it compares with (``others``), the whole-recipe
training seconds, and the judgement (``lstm_cases.sweep.judge_cell``). The units of work
are (claim, cell, seed), dealt round-robin to shards as ``pytest bench --shard`` deals its
units (``lstm_cases.shards``); a shard's record says ``"shard": "K/N"``, holds only its
seeds and no judgement; ``lstm_cases.record.merge`` joins a complete set of shards seed by
seed and :func:`judge` judges every cell, as one unsharded run would have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lstm_cases import registry
from lstm_cases.core import PROFILES, Case, Claim
from lstm_cases.record.merge import RecordMismatch
from lstm_cases.shards import Shard
from lstm_cases.sweep import Sweep, judge_cell, recipe_value

SOURCE_PROFILE = "full"  # every family's full profile runs its source's recipe (docs/scenarios.md)


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
        "source_off_grid": sweep.source_off_grid,
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
        entry["source_off_grid"] = claim.sweep.source_off_grid
        for cell in entry["cells"]:
            missing = sorted(set(record["seeds"]) - set(cell["seeds"]))
            if missing:
                where = f"{entry['case']}/{entry['claim']} cell {cell['point']}"
                raise RecordMismatch(f"{where}: no result for seeds {missing}")
            cell.update(judge_cell(rule, cell["values"], cell["others"] if entry["paired"] else None))
