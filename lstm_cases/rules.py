"""Claim rules: how a claim's per-seed values (and, for a paired claim, the other case's
values for the same seeds) are judged, and the verdict a judgement gives.

Plain Python, no framework import, so verdicts can be computed and unit-tested anywhere.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lstm_cases.record.effects import Effect, difference_effect, median_effect, ratio_effect
from lstm_cases.record.schema import PASS, XFAIL

# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    claim: str
    status: str  # pass / fail / xfail / xpass
    rule: str
    detail: str
    values: tuple[float, ...]
    source_figure: str
    reason: str = ""  # for xfail / xpass: why the claim is expected to fail here
    effect: Effect | None = None  # how large, over the seeds, what the rule judges (lstm_cases.record.effects)

    @property
    def ok(self) -> bool:
        return self.status in (PASS, XFAIL)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rule": self.rule,
            "detail": self.detail,
            "values": list(self.values),
            "source_figure": self.source_figure,
            "reason": self.reason,
            "effect": self.effect.as_dict() if self.effect is not None else None,
        }


def _fmt(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


class Rule:
    """A rule turns per-seed values into (held, detail). Subclasses describe themselves."""

    paired = False  # a paired rule compares this case's values with another case's

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def judge(self, values: Sequence[float], others: Sequence[float] | None = None) -> tuple[bool, str]:
        raise NotImplementedError  # pragma: no cover - abstract

    def effect(self, values: Sequence[float], others: Sequence[float] | None = None) -> Effect:
        """How large what the rule judges is over the seeds: the median (a paired rule: its own effect)."""
        _require_values(values)
        return median_effect(values)


def _require_values(values: Sequence[float]) -> None:
    if not values:
        raise ValueError("a claim needs at least one seed's value")
    if any(math.isnan(v) for v in values):
        raise ValueError(f"a claim was given NaN values: {_fmt(values)}")


@dataclass(frozen=True)
class _ShareOfSeeds(Rule):
    """``value <op> threshold`` on at least ``min_fraction`` of the seeds."""

    threshold: float
    min_fraction: float = 1.0
    symbol = ""  # ">=" or "<=", set by the subclass

    def _hit(self, value: float) -> bool:
        return value >= self.threshold if self.symbol == ">=" else value <= self.threshold

    def describe(self) -> str:
        share = "every seed" if self.min_fraction >= 1 else f">= {self.min_fraction:.0%} of seeds"
        return f"value {self.symbol} {self.threshold:g} on {share}"

    def judge(self, values, others=None):
        _require_values(values)
        hits = sum(self._hit(v) for v in values)
        needed = _seeds_needed(self.min_fraction, len(values))
        return (
            hits >= needed,
            f"{hits}/{len(values)} seeds {self.symbol} {self.threshold:g} (need {needed}); values {_fmt(values)}",
        )


@dataclass(frozen=True)
class AtLeast(_ShareOfSeeds):
    """``value >= threshold`` on at least ``min_fraction`` of the seeds."""

    symbol = ">="


@dataclass(frozen=True)
class AtMost(_ShareOfSeeds):
    """``value <= threshold`` on at least ``min_fraction`` of the seeds."""

    symbol = "<="


@dataclass(frozen=True)
class MedianInBand(Rule):
    """The median over seeds lies in ``[low, high]`` (robust to one odd seed)."""

    low: float
    high: float

    def describe(self) -> str:
        return f"median over seeds in [{self.low:g}, {self.high:g}]"

    def judge(self, values, others=None):
        _require_values(values)
        med = statistics.median(values)
        return self.low <= med <= self.high, f"median {med:.4g} in [{self.low:g}, {self.high:g}]? values {_fmt(values)}"


def _require_pair(values: Sequence[float], others: Sequence[float] | None) -> None:
    """A paired rule's inputs: values, and the other case's values for the same seeds."""
    _require_values(values)
    if others is None or len(others) != len(values):
        raise ValueError(
            f"paired rule needs the other case's values for the same seeds; got {others!r} for {_fmt(values)}"
        )


def _seeds_needed(fraction: float, n: int) -> int:
    """Seeds out of ``n`` that a rule's share ``fraction`` asks for (2/3 of 3 is 2, not 3)."""
    return math.ceil(fraction * n - 1e-9)


def _floor_rule(floor: float | None) -> str:
    """A paired rule's floor as its description states it ("" without one)."""
    return f" and this >= {floor:g} on every seed" if floor is not None else ""


def _floor_held(floor: float | None, values: Sequence[float]) -> tuple[bool, str]:
    """Whether this side clears a paired rule's floor on every seed, and the verdict's words for it."""
    if floor is None:
        return True, ""
    above = min(values) >= floor
    return above, f"; this >= {floor:g} on every seed: {above}"


class _PairedDifferences:
    """The effect of a rule judged on paired differences (this - other): their mean, with its interval."""

    def effect(self, values, others=None):
        _require_pair(values, others)
        return difference_effect(values, others)


@dataclass(frozen=True)
class PairedGreater(_PairedDifferences, Rule):
    """Paired over the same seeds: mean(this - other) >= ``min_mean_diff`` and this > other
    on at least ``min_win_fraction`` of the seeds. ``floor``: also this >= floor on every seed,
    for a "not worse than" claim (a negative ``min_mean_diff``), which two models that learned
    nothing would otherwise pass."""

    min_mean_diff: float
    min_win_fraction: float = 1.0
    floor: float | None = None
    paired = True

    def describe(self) -> str:
        return (
            f"paired over the same seeds: mean difference >= {self.min_mean_diff:g} and "
            f"wins on >= {self.min_win_fraction:.0%} of seeds{_floor_rule(self.floor)}"
        )

    def judge(self, values, others=None):
        _require_pair(values, others)
        diffs = [a - b for a, b in zip(values, others, strict=True)]
        mean = statistics.fmean(diffs)
        wins = sum(d > 0 for d in diffs)
        needed = _seeds_needed(self.min_win_fraction, len(diffs))
        above, floor = _floor_held(self.floor, values)
        held = mean >= self.min_mean_diff and wins >= needed and above
        return held, (
            f"mean difference {mean:.4g} (need >= {self.min_mean_diff:g}); wins {wins}/{len(diffs)} "
            f"(need {needed}){floor}; this {_fmt(values)} vs other {_fmt(others)}"
        )


@dataclass(frozen=True)
class PairedLoss(_PairedDifferences, Rule):
    """Paired over the same seeds, for "slightly lower": this is below the other on average, by more than
    nothing and at most ``max_loss`` (0 < mean(other - this) <= max_loss), and below it on at least
    ``min_loss_fraction`` of the seeds. ``floor``: also this >= floor on every seed, so that two models
    that learned nothing (no loss at all, or a loss by chance) do not pass on a small difference."""

    max_loss: float
    min_loss_fraction: float = 0.5
    floor: float | None = None
    paired = True

    def describe(self) -> str:
        return (
            f"paired over the same seeds: lower on average, by at most {self.max_loss:g} "
            f"(0 < mean(other - this) <= {self.max_loss:g}), lower on >= {self.min_loss_fraction:.0%} of seeds"
            f"{_floor_rule(self.floor)}"
        )

    def judge(self, values, others=None):
        _require_pair(values, others)
        losses = [b - a for a, b in zip(values, others, strict=True)]
        mean = statistics.fmean(losses)
        lower = sum(loss > 0 for loss in losses)
        needed = _seeds_needed(self.min_loss_fraction, len(losses))
        above, floor = _floor_held(self.floor, values)
        held = 0 < mean <= self.max_loss and lower >= needed and above
        return held, (
            f"mean loss {mean:.4g} (need in (0, {self.max_loss:g}]); lower on {lower}/{len(losses)} "
            f"(need {needed}){floor}; this {_fmt(values)} vs other {_fmt(others)}"
        )


@dataclass(frozen=True)
class PairedRatio(Rule):
    """Paired over the same seeds, for positive values such as seconds: the geometric mean
    of this/other >= ``min_ratio`` and this > other on at least ``min_win_fraction`` of the
    seeds. A ratio, unlike a difference of seconds, carries from one machine to another."""

    min_ratio: float
    min_win_fraction: float = 1.0
    paired = True

    def describe(self) -> str:
        return (
            f"paired over the same seeds: geometric-mean ratio this/other >= {self.min_ratio:g} and "
            f"this > other on >= {self.min_win_fraction:.0%} of seeds"
        )

    def effect(self, values, others=None):
        self._require_positive(values, others)
        return ratio_effect(values, others)

    @staticmethod
    def _require_positive(values, others) -> None:
        _require_pair(values, others)
        if any(v <= 0 for v in (*values, *others)):
            raise ValueError(f"a ratio rule needs positive values; got {_fmt(values)} vs {_fmt(others)}")

    def judge(self, values, others=None):
        self._require_positive(values, others)
        ratios = [a / b for a, b in zip(values, others, strict=True)]
        geomean = math.exp(statistics.fmean(math.log(r) for r in ratios))
        wins = sum(r > 1 for r in ratios)
        needed = _seeds_needed(self.min_win_fraction, len(ratios))
        held = geomean >= self.min_ratio and wins >= needed
        return held, (
            f"ratios {_fmt(ratios)}, geometric mean {geomean:.4g} (need >= {self.min_ratio:g}); wins "
            f"{wins}/{len(ratios)} (need {needed}); this {_fmt(values)} vs other {_fmt(others)}"
        )
