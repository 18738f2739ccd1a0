"""The trained results of one run: each case trained once and shared by every concern.

``CaseResults`` is the one store of a pytest session (the ``case_results`` fixture) and of
the claim-measuring tool. The training benchmark puts what it timed; a test that needs a
case no benchmark trained (a claim test under ``--case``, or with training deselected)
asks for it with ``train_missing``, by that name; reading never trains. Verdicts are
judged here, on whatever the store holds when they are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from lstm_cases import registry, runner
from lstm_cases.core import Case, Claim
from lstm_cases.record.schema import XFAIL, XPASS
from lstm_cases.rules import Verdict
from lstm_cases.runner import CaseResult


class CaseResults:
    """Per-case results for one profile and seed list (of untrained models, for the null model).
    ``case_seeds`` gives a case's own seeds where a run trains only some of them (a shard,
    ``lstm_cases.shards``)."""

    def __init__(
        self,
        profile: str,
        seeds: list[int],
        null_model: bool = False,
        case_seeds: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        self.profile, self.seeds, self.null_model = profile, list(seeds), null_model
        self.case_seeds = {case_id: list(s) for case_id, s in (case_seeds or {}).items()}
        self._results: dict[str, CaseResult] = {}

    def seeds_of(self, case_id: str) -> list[int]:
        """The seeds this run trains of the case."""
        return list(self.case_seeds.get(case_id, self.seeds))

    def put(self, result: CaseResult) -> None:
        self._results[result.case_id] = result

    def has(self, case_id: str) -> bool:
        return case_id in self._results

    def get(self, case_id: str) -> CaseResult:
        """A stored result; KeyError naming the case when nothing trained it."""
        if case_id not in self._results:
            raise KeyError(f"case {case_id!r} has not been trained in this run")
        return self._results[case_id]

    def items(self) -> list[tuple[str, CaseResult]]:
        return list(self._results.items())

    def train_missing(self, case: Case) -> CaseResult:
        """The case's result, training it now (untimed, every seed of it) when no benchmark did."""
        if case.id not in self._results:
            self.put(runner.run_case(case, self.profile, self.seeds_of(case.id), null_model=self.null_model))
        return self._results[case.id]

    def cases_needed(self, case: Case, claim: Claim) -> list[Case]:
        """The cases a claim is judged on: its own and, for a paired claim, the other one."""
        return [case] + ([registry.get_case(claim.compare_to)] if claim.compare_to is not None else [])

    def values_of(self, case_id: str, metric: str) -> list[float] | None:
        """A stored case's per-seed values of a metric; None when the case is not stored."""
        return self.get(case_id).values(metric) if self.has(case_id) else None

    def verdict(self, case: Case, claim: Claim, stack: Mapping[str, Any]) -> Verdict:
        """Judge one claim over the seeds; every case it needs must be stored."""
        values = self.get(case.id).values(claim.metric)
        others = self.get(claim.compare_to).values(claim.metric) if claim.compare_to is not None else None
        return claim.judge(self.profile, values, stack, others)

    def verdicts(self, case: Case, stack: Mapping[str, Any]) -> dict[str, Verdict]:
        """Every claim of the case that can be judged on what is stored (a paired claim whose
        other case did not run in this session is left out)."""
        return judge(case, self.profile, stack, self.values_of)

    def null_outcome(self, case: Case, claim: Claim) -> NullOutcome:
        """Whether the claim's rule, blind to expected failures, fails on the null model's
        results (as it should) or holds there (vacuous); or why it is not asked."""
        if claim.null_exempt:
            return NullOutcome(EXEMPT, f"exempt: {claim.null_exempt}")
        values = self.get(case.id).values(claim.metric)
        others = self.get(claim.compare_to).values(claim.metric) if claim.compare_to is not None else None
        try:
            held, detail = claim.rules[self.profile].judge(values, others)
        except ValueError as err:  # e.g. NaN: the untrained model has nothing the rule can read
            return NullOutcome(FAILED, f"cannot be judged on an untrained model ({err})")
        return NullOutcome(VACUOUS if held else FAILED, detail)


ValuesOf = Callable[[str, str], "list[float] | None"]  # (case id, metric) -> per-seed values, None: no such case


def judge(case: Case, profile: str, stack: Mapping[str, Any], values_of: ValuesOf) -> dict[str, Verdict]:
    """Every claim of the case judged in this profile whose values (and, for a paired claim, the
    other case's) are given by ``values_of``: the store's, or a result record's (``lstm_cases.recording``)."""
    verdicts = {}
    for claim in case.claims:
        if not claim.judged_in(profile):
            continue
        values = values_of(case.id, claim.metric)
        others = values_of(claim.compare_to, claim.metric) if claim.compare_to is not None else None
        if values is None or (claim.compare_to is not None and others is None):
            continue
        verdicts[claim.id] = claim.judge(profile, values, stack, others)
    return verdicts


FAILED, VACUOUS, EXEMPT = "failed as it should", "vacuous", "exempt"


@dataclass(frozen=True)
class NullOutcome:
    kind: str  # FAILED, VACUOUS or EXEMPT
    detail: str


@dataclass
class NullTally:
    """The null-model run's count, for its closing line."""

    counts: dict[str, int] = field(default_factory=dict)
    vacuous: list[str] = field(default_factory=list)

    def add(self, where: str, outcome: NullOutcome) -> None:
        self.counts[outcome.kind] = self.counts.get(outcome.kind, 0) + 1
        if outcome.kind == VACUOUS:
            self.vacuous.append(where)

    def line(self) -> str:
        failed, vacuous, exempt = (self.counts.get(k, 0) for k in (FAILED, VACUOUS, EXEMPT))
        named = f" ({', '.join(self.vacuous)})" if self.vacuous else ""
        return f"null model: {failed} claims failed as they should, {vacuous} vacuous{named}; {exempt} exempt"


def null_outcome_for(outcome: NullOutcome, where: str) -> None:
    """A null-model claim test: passes when the rule failed on the untrained model."""
    if outcome.kind == EXEMPT:
        pytest.skip(f"{where}: {outcome.detail}")
    assert outcome.kind == FAILED, f"{where} is vacuous: its rule holds for an untrained model: {outcome.detail}"


def outcome_for(verdict: Verdict, where: str) -> None:
    """Turn a verdict into the test outcome: pass, fail, or xfail with its reason."""
    if verdict.status == XFAIL:
        pytest.xfail(f"{where}: expected to fail here ({verdict.reason}); {verdict.detail}")
    if verdict.status == XPASS:
        pytest.fail(f"{where}: marked expected-to-fail ({verdict.reason}) but held: {verdict.detail}")
    assert verdict.ok, f"{where} failed: rule '{verdict.rule}': {verdict.detail}; source figure {verdict.source_figure}"
