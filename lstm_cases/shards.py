"""``pytest bench --shard K/N``: a deterministic 1/N of a run's (case, seed) work.

The unit of work is (group, seed): a *group* is the cases that paired claims join (a claim
with ``compare_to`` judges two cases over the same seeds), so a shard trains every case of
a group on the same seeds and nothing has to be trained twice to pair them; a case that no
claim pairs is a group of its own. The units, groups in registry order and each group's
seeds in order, are dealt round-robin: unit i goes to shard i mod N + 1. A group's seeds
therefore spread over the shards, which evens out the slow cases of the full profile.

Every shard must run with the same options (profile, seeds, seed base, cases); each
shard's result file says which shard it is, and ``python -m lstm_cases.tools.merge`` joins the
files into one result, judging the claims on the joined seeds (a shard judges none).
What a shard runs per case: its contract and whole-recipe training tests where it holds any
of the case's seeds, the steady-state benchmarks (train_step, predict, single_call; each
case's once per run) only on the shard that holds the case's last seed, no claim tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lstm_cases import registry
from lstm_cases.core import Case


@dataclass(frozen=True)
class Shard:
    index: int  # K, from 1
    count: int  # N

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """``"2/4"`` -> Shard(2, 4); ValueError (one line naming ``source``) for anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"{source} must be K/N with 1 <= K <= N (e.g. 1/4), got {text!r}")
    return Shard(int(match[1]), int(match[2]))


def with_partners(cases: Sequence[Case]) -> list[Case]:
    """The cases and every case their paired claims compare with (and theirs), in registry order."""
    wanted = {case.id for case in cases}
    pending = list(wanted)
    while pending:
        case = registry.get_case(pending.pop())
        for claim in case.claims:
            if claim.compare_to is not None and claim.compare_to not in wanted:
                wanted.add(claim.compare_to)
                pending.append(claim.compare_to)
    return [case for case in registry.all_cases().values() if case.id in wanted]


def groups(cases: Sequence[Case]) -> list[list[Case]]:
    """The cases joined by paired claims (both directions), each group in the order of ``cases``,
    groups in the order of their first case."""
    ids = [case.id for case in cases]
    parent = {case_id: case_id for case_id in ids}

    def root(case_id: str) -> str:
        while parent[case_id] != case_id:
            case_id = parent[case_id]
        return case_id

    for case in cases:
        for claim in case.claims:
            if claim.compare_to in parent:
                parent[root(claim.compare_to)] = root(case.id)
    found: dict[str, list[Case]] = {}
    for case in cases:
        found.setdefault(root(case.id), []).append(case)
    return list(found.values())


def units(cases: Sequence[Case], seeds: Sequence[int]) -> list[tuple[list[Case], int]]:
    """Every (group, seed) of the run, in the order they are dealt."""
    return [(group, seed) for group in groups(cases) for seed in seeds]


def plan(cases: Sequence[Case], seeds: Sequence[int], shard: Shard) -> dict[str, list[int]]:
    """Case id -> the seeds of that case this shard runs (empty: none), for every case.
    ValueError (one line) when the run has fewer units than shards: a shard would run nothing."""
    dealt = units(cases, seeds)
    if len(dealt) < shard.count:
        raise ValueError(
            f"--shard {shard}: this run has {len(dealt)} (case group, seed) unit(s) to share, "
            f"fewer than {shard.count} shards; use at most {len(dealt)} shards, or more seeds or cases"
        )
    mine: dict[str, list[int]] = {case.id: [] for case in cases}
    for i, (group, seed) in enumerate(dealt):
        if i % shard.count == shard.index - 1:
            for case in group:
                mine[case.id].append(seed)
    return mine


# What a shard runs of a case's tests, by the test's concern (``CONCERN_ORDER`` of its module).
CONTRACT, TRAINING, INFERENCE = 0, 1, 2


def keeps(
    case_id: str,
    concern: float,
    claim_test: bool,
    mine: Mapping[str, list[int]],
    seeds: Sequence[int],
    steady: bool = False,
) -> bool:
    """Whether this shard runs one test of a case: none of its claim tests (judged at merge), its
    inference tests and steady-state benchmarks (``steady``: ``lstm_cases.timing``, one fresh model per
    case, timed once per run) where it holds the run's last seed, its other tests where it holds any seed."""
    if claim_test:
        return False
    if concern >= INFERENCE or steady:
        return seeds[-1] in mine.get(case_id, [])
    return bool(mine.get(case_id))
