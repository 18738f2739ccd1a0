"""Where each claim's thresholds came from: the many-seed measurements, kept as data.

A measurement file holds, for one profile and one stack, every measured case's per-seed
values, with the seeds, the commit, the date and the command that measured them. It is
written by ``python -m lstm_cases.tools.measure_claims --write`` into
``lstm_cases/measurements/<profile>-<stack>.json`` (for example
``quick-tf2.21-keras3-tensorflow.json``). A claim names, per profile, the stacks whose
files its thresholds were set from (``Claim.measured_on``); ``docs/claims.md`` is generated
from those files, and a test checks that every rule holds on the seeds stored there.

Some measurements predate these files (full-profile runs of hours, kept only as summaries
in the measuring session's notes): their entries are ``transcribed`` min / median / max
figures of the judged quantity, marked as such, until a run re-measures them per seed.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_cases.rules import AtLeast, AtMost, MedianInBand, PairedGreater, PairedLoss, PairedRatio, Rule

FORMAT = "lstm-bench-measurements/1"
FOLDER = Path(__file__).resolve().parent / "measurements"
MIN_SEEDS = 10  # a threshold is set from at least this many seeds

# The stacks measurements were made on, by label (compat.stack_label).
TF221 = "tf2.21/keras3/tensorflow"  # the default stack
TF215 = "tf2.15/keras2/tensorflow"  # Keras 2, the other stack CI runs
JAX = "no-tf/keras3/jax"  # several times faster on CPU: full-profile measurements of the alphabet family
CI_STACKS = (TF221, TF215)  # the stacks CI runs the quick profile on


def stack_slug(label: str) -> str:
    """``tf2.21/keras3/tensorflow`` -> ``tf2.21-keras3-tensorflow`` (a file-name part)."""
    return re.sub(r"[^A-Za-z0-9_.+]+", "-", label).strip("-")


def measurement_path(profile: str, stack_label: str, folder: Path = FOLDER) -> Path:
    return folder / f"{profile}-{stack_slug(stack_label)}.json"


class MeasurementError(ValueError):
    """A measurement file that is missing or unusable; one line naming the file."""


def load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MeasurementError(f"{path}: no such measurement file") from None
    except (OSError, ValueError) as err:
        raise MeasurementError(f"{path}: unreadable measurement file ({err})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MeasurementError(f'{path}: not a measurement file (no "format": "{FORMAT}")')
    return doc


def judged_values(rule: Rule, values: Sequence[float], others: Sequence[float] | None) -> list[float]:
    """The quantity a rule compares with its threshold, per seed: the values themselves, the
    paired differences (PairedGreater, PairedLoss) or the paired ratios (PairedRatio)."""
    if isinstance(rule, (PairedGreater, PairedLoss)):
        return [a - b for a, b in zip(values, others or (), strict=True)]
    if isinstance(rule, PairedRatio):
        return [a / b for a, b in zip(values, others or (), strict=True)]
    return list(values)


@dataclass(frozen=True)
class Evidence:
    """One measurement behind one claim in one profile."""

    path: Path
    stack_label: str
    seeds: tuple[int, ...]
    judged: tuple[float, ...]  # the judged quantity per seed; empty for a transcribed summary
    values: tuple[float, ...]  # the claim's metric per seed (empty when transcribed)
    others: tuple[float, ...] | None  # a paired claim's other case, same seeds
    summary: Mapping[str, float]  # n, min, median, max (computed, or transcribed)
    commit: str
    date: str
    command: str
    transcribed: str = ""  # why only a summary exists

    def describe(self) -> str:
        s = self.summary
        figures = f"n={s['n']:.0f}: min {figure(s['min'])} / median {figure(s['median'])} / max {figure(s['max'])}"
        when = f"{self.date}, {self.commit}" if self.commit else self.date
        kind = "transcribed summary" if self.transcribed else "per seed"
        return f"{self.stack_label} ({when}; {kind}) {figures}"


def figure(value: float) -> str:
    """Four significant digits, more where those would read as another number: 0.99995 is not "1"."""
    digits, text = 4, f"{value:.4g}"
    while float(text) != value and float(text).is_integer() and digits < 12:
        digits += 1
        text = f"{value:.{digits}g}"
    return text


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {"n": len(values), "min": min(values), "median": statistics.median(values), "max": max(values)}


def recipe_of(case: Any, profile: str) -> dict[str, Any]:
    """The recipe an entry's seeds must share (``Recipe.describe``), with the case's data version where it
    has one: seeds of another recipe or other data measured something else."""
    recipe = case.recipe(profile).describe()
    return {**recipe, "data_version": case.data_version} if case.data_version else recipe


def measured_elsewhere(case: Any, entry: Mapping[str, Any], profile: str) -> str:
    """Why a measurement entry's seeds were measured on data the case no longer makes, or under a recipe
    its profile no longer has; "" when neither (an entry that does not store its recipe is judged by its
    data alone)."""
    stored = entry.get("recipe")
    version = (stored or {}).get("data_version", "")
    if version != case.data_version:
        return f"measured on data {version or 'as first measured'!r}, the case now makes {case.data_version!r}"
    now = recipe_of(case, profile)
    if stored is not None and stored != now:
        changed = sorted(k for k in set(stored) | set(now) if stored.get(k) != now.get(k))
        return f"measured under another {profile} recipe ({', '.join(changed)} changed since)"
    return ""


def evidence(case: Any, claim: Any, profile: str, folder: Path = FOLDER) -> list[Evidence]:
    """The measurements a claim's rule in ``profile`` was set from (``Claim.measured_on``);
    MeasurementError when a named file or its entry for the case is missing, or measured on other data."""
    case_id = case.id
    found = []
    rule = claim.rules[profile]
    for label in claim.measured_on.get(profile, ()):
        path = measurement_path(profile, label, folder)
        doc = load(path)
        entry = doc.get("cases", {}).get(case_id)
        if entry is None:
            raise MeasurementError(f"{path}: no measurement of case {case_id!r}")
        stale = measured_elsewhere(case, entry, profile)
        if stale:
            raise MeasurementError(f"{path}: case {case_id!r} was {stale}; measure it again (measure_claims --fresh)")
        if "transcribed" in entry:
            figures = entry["transcribed"].get(claim.id)
            if figures is None:
                raise MeasurementError(f"{path}: no transcribed figures for {case_id}/{claim.id}")
            note = entry.get("note", "?")
            found.append(
                Evidence(path, label, (), (), (), None, figures, "", entry.get("date", "?"), "", transcribed=note)
            )
            continue
        seeds, values = recorded(entry["seeds"], _metric(path, entry, case_id, claim.metric))
        others = None
        if claim.compare_to is not None:  # the seeds both cases were measured on (a control may come later)
            other = doc.get("cases", {}).get(claim.compare_to)
            if other is None:
                raise MeasurementError(f"{path}: no measurement of {claim.compare_to!r} on the seeds of {case_id!r}")
            measured = recorded(other["seeds"], _metric(path, other, claim.compare_to, claim.metric))
            seeds, values, others = on_shared_seeds(seeds, values, *measured)
            if not seeds:
                raise MeasurementError(f"{path}: no measurement of {claim.compare_to!r} on the seeds of {case_id!r}")
        judged = judged_values(rule, values, others)
        found.append(
            Evidence(
                path=path,
                stack_label=label,
                seeds=tuple(seeds),
                judged=tuple(judged),
                values=tuple(values),
                others=tuple(others) if others is not None else None,
                summary=_summary(judged),
                commit=entry.get("commit", "?"),
                date=entry.get("date", "?"),
                command=entry.get("command", "?"),
            )
        )
    return found


def on_shared_seeds(
    seeds: Sequence[int], values: Sequence[float], other_seeds: Sequence[int], other_values: Sequence[float]
) -> tuple[list[int], list[float], list[float]]:
    """Two cases' values on the seeds both were measured on, in the first's order: a paired claim's pairs."""
    at = {seed: i for i, seed in enumerate(other_seeds)}
    shared = [(seed, value) for seed, value in zip(seeds, values, strict=True) if seed in at]
    return [s for s, _ in shared], [float(v) for _, v in shared], [float(other_values[at[s]]) for s, _ in shared]


def recorded(seeds: Sequence[int], values: Sequence[float | None]) -> tuple[list[int], list[float]]:
    """The seeds that recorded a metric, and its values there: a seed measured before the metric existed
    stores null for it."""
    kept = [(seed, float(value)) for seed, value in zip(seeds, values, strict=True) if value is not None]
    return [s for s, _ in kept], [v for _, v in kept]


def _metric(path: Path, entry: Mapping[str, Any], case_id: str, metric: str) -> list[float | None]:
    values = entry.get("metrics", {}).get(metric)
    if values is None or all(v is None for v in values):
        raise MeasurementError(f"{path}: case {case_id!r} has no measured {metric!r}")
    return list(values)


def summary_clears(rule: Rule, summary: Mapping[str, float]) -> bool:
    """Whether transcribed figures of the judged quantity clear the rule: the worst seed for
    an every-seed rule, the median for a share-of-seeds or band rule, the central figure
    for a paired rule (a mean or geometric mean where the notes gave one, else the median)."""
    if isinstance(rule, (AtLeast, AtMost)):
        worst = summary["min"] if isinstance(rule, AtLeast) else summary["max"]
        figure = worst if rule.min_fraction >= 1 else summary["median"]
        return figure >= rule.threshold if isinstance(rule, AtLeast) else figure <= rule.threshold
    if isinstance(rule, MedianInBand):
        return rule.low <= summary["median"] <= rule.high
    central = summary.get("mean", summary["median"])
    if isinstance(rule, PairedGreater):
        return central >= rule.min_mean_diff
    if isinstance(rule, PairedLoss):  # the differences this - other: a loss is a negative one
        return -rule.max_loss <= central < 0
    if isinstance(rule, PairedRatio):
        return central >= rule.min_ratio
    raise TypeError(f"no summary check for rule {type(rule).__name__}")
