"""Claim-validity sweeps: where a claim holds over a grid of recipe settings.

A source states its claims as facts about LSTMs; they are facts about one recipe. A claim may
declare a ``Sweep`` beside its rules: one to three axes, each a field of the recipe
(``epochs``, ``batch_size``, ``learning_rate``, ...), an argument of the case's data
builder (``data.maxlen``, ``data.train_fraction``, ...) or of its model builder
(``model.units``), with the values to try. Every cell
of the grid is the sweep's base recipe (its ``profile``'s) with the axes' values put in;
``python -m lstm_cases.tools.sweep`` trains the claim's case, and the case a paired claim
compares with, on every cell over several seeds, judges the claim's rule (the base profile's)
per cell and per seed, and writes one record of ``kind: "sweep"``;
``python -m reports sweep`` draws the maps. Plain Python, no framework import.

A cell's outcome: ``holds`` (the rule holds on every seed judged alone), ``some``, ``none``,
and for a paired claim ``mixed`` (it holds on some seeds, but the mean effect is reversed: the other
side is better on average) and two kinds of none: ``vanishes`` (on every seed the two sides are
equal within ``TIE``: both saturate, or neither learns) and ``reverses`` (the other side is
better on every seed). The cell also keeps the rule's verdict over all its seeds (``held``),
its margin (``lstm_cases.margins``), which colours the map, and its effect with its interval
(``lstm_cases.record.effects``): how many seeds the rule held on and which way the mean effect
points are two different things, and the map says both.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lstm_cases.margins import margin
from lstm_cases.rules import Rule

RECIPE_FIELDS = ("epochs", "batch_size", "learning_rate", "optimizer", "lr_schedule", "shuffle")
DATA_PREFIX = "data."  # an axis on an argument of the case's make_data
MODEL_PREFIX = "model."  # an axis on an argument of the case's build_model (e.g. units)
MAX_AXES = 3  # x, y and facets of one map
TIE = 0.01  # relative difference under which the two sides of a paired claim count as equal
OUTCOMES = ("holds", "some", "mixed", "none", "vanishes", "reverses")
BACKENDS = ("tensorflow", "jax", "torch")


@dataclass(frozen=True)
class Axis:
    """One recipe field and the values a sweep tries. ``partner_values``: the value the paired
    case gets at each position, where it differs (the maxlen claim halves the long side)."""

    field: str
    values: tuple[Any, ...]
    label: str = ""
    partner_values: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        prefixed = any(self.field.startswith(p) and len(self.field) > len(p) for p in (DATA_PREFIX, MODEL_PREFIX))
        if self.field not in RECIPE_FIELDS and not prefixed:
            valid = ", ".join(RECIPE_FIELDS)
            raise ValueError(f"sweep axis {self.field!r}: not a recipe field; valid: {valid}, data.<arg>, model.<arg>")
        if not self.values or len(set(self.values)) != len(self.values):
            raise ValueError(f"sweep axis {self.field!r}: needs distinct values, got {self.values!r}")
        if self.partner_values is not None and len(self.partner_values) != len(self.values):
            raise ValueError(f"sweep axis {self.field!r}: partner_values must match values one to one")

    @property
    def name(self) -> str:
        return self.label or self.field

    def describe(self) -> dict[str, Any]:
        partner = list(self.partner_values) if self.partner_values is not None else None
        return {"field": self.field, "label": self.name, "values": list(self.values), "partner_values": partner}


@dataclass(frozen=True)
class Sweep:
    """The grid a claim is mapped over: its axes (x, y, facets), the profile whose recipe is the
    base, and the backends it may run on (empty: any) with the reason."""

    axes: tuple[Axis, ...]
    profile: str = "quick"
    backends: tuple[str, ...] = ()
    backends_reason: str = ""
    # the profile whose rule is judged in every cell (default ``profile``'s): a quick threshold set for
    # the quick recipe alone (a 0.3 gap) says little about far cells; the full rule is the source's claim
    rule_profile: str | None = None
    # Why the source's recipe (the full profile's) lies off the grid, where it does: a map that leaves the
    # source's recipe out says why (a test holds every declared sweep to it)
    source_off_grid: str = ""

    @property
    def judged_by(self) -> str:
        """The profile whose rule every cell is judged by."""
        return self.rule_profile or self.profile

    def __post_init__(self) -> None:
        if not 1 <= len(self.axes) <= MAX_AXES:
            raise ValueError(f"a sweep has 1 to {MAX_AXES} axes, got {len(self.axes)}")
        fields = [axis.field for axis in self.axes]
        if len(set(fields)) != len(fields):
            raise ValueError(f"a sweep names an axis twice: {fields}")
        unknown = [b for b in self.backends if b not in BACKENDS]
        if unknown:
            raise ValueError(f"sweep backends {unknown}: valid: {', '.join(BACKENDS)}")
        if self.backends and not self.backends_reason:
            raise ValueError("a sweep limited to some backends says why (backends_reason)")

    def points(self) -> list[dict[str, Any]]:
        """Every cell's axis values, in grid order (the first axis varies slowest)."""
        return [dict(zip(self.fields, values, strict=True)) for values in itertools.product(*self._values())]

    def partner_point(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """The paired case's values at ``point`` (the axis's own where it has no partner values)."""
        out = {}
        for axis in self.axes:
            value = point[axis.field]
            out[axis.field] = value if axis.partner_values is None else axis.partner_values[axis.values.index(value)]
        return out

    @property
    def fields(self) -> list[str]:
        return [axis.field for axis in self.axes]

    def _values(self) -> list[tuple[Any, ...]]:
        return [axis.values for axis in self.axes]

    def with_values(self, overrides: Mapping[str, Sequence[Any]]) -> Sweep:
        """The same sweep with some axes' values replaced (a smaller grid to try first); partner
        values of a replaced axis scale as before (``value * partner / value`` at the first position)."""
        unknown = [f for f in overrides if f not in self.fields]
        if unknown:
            raise ValueError(f"no sweep axis {', '.join(unknown)}; this sweep's axes: {', '.join(self.fields)}")
        axes = []
        for axis in self.axes:
            if axis.field not in overrides:
                axes.append(axis)
                continue
            values = tuple(overrides[axis.field])
            _check_kind(axis, values)
            partner = None
            if axis.partner_values is not None:
                scale = axis.partner_values[0] / axis.values[0]
                partner = tuple(type(v)(v * scale) for v in values)
            axes.append(dataclasses.replace(axis, values=values, partner_values=partner))
        return dataclasses.replace(self, axes=tuple(axes))


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "true, false or null"
    if isinstance(value, int):
        return "whole numbers"
    return "numbers" if isinstance(value, float) else "text"


def _check_kind(axis: Axis, values: Sequence[Any]) -> None:
    """New values of an axis are of the kind its declared values are (a float axis takes whole
    numbers too); ValueError (one line) naming the axis, the value and the kind it takes."""
    kinds = {_kind(v) for v in axis.values}
    if kinds == {"whole numbers", "numbers"}:
        kinds = {"numbers"}
    (wanted,) = kinds if len(kinds) == 1 else ("values like " + ", ".join(map(repr, axis.values)),)
    for value in values:
        found = _kind(value)
        if found != wanted and not (wanted == "numbers" and found == "whole numbers"):
            declared = ", ".join(map(str, axis.values))
            raise ValueError(f"--axis {axis.field} takes {wanted}, not {value!r} (declared: {declared})")


# --------------------------------------------------------------------------- recipes of a cell


def apply(recipe: Any, point: Mapping[str, Any]) -> Any:
    """``recipe`` (a ``core.Recipe``) with the cell's values put in: recipe fields replaced,
    ``data.<name>`` values passed to the case's data builder. ValueError (one line) where the
    recipe refuses them (e.g. epochs not a multiple of its epochs_per_pass)."""
    fields = {f: v for f, v in point.items() if not f.startswith((DATA_PREFIX, MODEL_PREFIX))}
    data = {f[len(DATA_PREFIX) :]: v for f, v in point.items() if f.startswith(DATA_PREFIX)}
    try:
        return dataclasses.replace(recipe, **fields, data={**recipe.data, **data})
    except ValueError as err:
        raise ValueError(f"sweep cell {dict(point)}: {err}") from None


def cell_case(case: Any, profile: str, point: Mapping[str, Any]) -> Any:
    """The case with its ``profile`` recipe replaced by the cell's, and its model built with the
    cell's ``model.<name>`` arguments (shapes and parameter counts are not checked in a sweep)."""
    model = {f[len(MODEL_PREFIX) :]: v for f, v in point.items() if f.startswith(MODEL_PREFIX)}
    build = functools.partial(case.build_model, **model) if model else case.build_model
    recipes = {**case.recipes, profile: apply(case.recipe(profile), point)}
    return dataclasses.replace(case, recipes=recipes, build_model=build)


def recipe_value(case: Any, recipe: Any, field: str) -> Any:
    """Where ``recipe`` lies on an axis: the field's value, for ``data.<name>`` the recipe's data
    value or else the data builder's default, for ``model.<name>`` the model builder's (None when
    it has none)."""
    if field.startswith(MODEL_PREFIX):
        builder, name = case.build_model, field[len(MODEL_PREFIX) :]
    elif field.startswith(DATA_PREFIX):
        builder, name = case.make_data, field[len(DATA_PREFIX) :]
        if name in recipe.data:
            return recipe.data[name]
    else:
        return getattr(recipe, field)
    parameter = inspect.signature(builder).parameters.get(name)
    return None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default


def check(case: Any, sweep: Sweep, partner: Any | None = None) -> None:
    """ValueError (one line) for a sweep its case cannot run: a data or model axis the builder
    does not take, or a cell the recipe refuses."""
    for target, point_of in ((case, dict), (partner, sweep.partner_point)):
        if target is None:
            continue
        builders = ((DATA_PREFIX, target.make_data, "data"), (MODEL_PREFIX, target.build_model, "model"))
        for prefix, builder, what in builders:
            parameters = inspect.signature(builder).parameters
            takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
            for field in sweep.fields:
                name = field[len(prefix) :]
                if field.startswith(prefix) and name not in parameters and not takes_any:
                    raise ValueError(f"case {target.id!r}: its {what} builder takes no {name!r} (sweep axis {field})")
        for point in sweep.points():
            apply(target.recipe(sweep.profile), point_of(point))


# --------------------------------------------------------------------------- judging a cell


def _tied(a: float, b: float) -> bool:
    return abs(a - b) <= TIE * max(abs(a), abs(b), 1e-12)


def judge_cell(rule: Rule, values: Sequence[float], others: Sequence[float] | None) -> dict[str, Any]:
    """The rule over the cell's seeds (``held``, ``margin``) and seed by seed (``seeds_held``,
    ``outcome``); see the module doc."""
    held, _detail = rule.judge(values, others)
    effect = rule.effect(values, others)
    per_seed = [rule.judge([v], None if others is None else [others[i]])[0] for i, v in enumerate(values)]
    if all(per_seed):
        outcome = "holds"
    elif any(per_seed):
        outcome = "mixed" if effect.reversed else "some"
    elif others is not None and all(_tied(a, b) for a, b in zip(values, others, strict=True)):
        outcome = "vanishes"
    elif others is not None and all(b > a for a, b in zip(values, others, strict=True)):
        outcome = "reverses"
    else:
        outcome = "none"
    found = margin(rule, values, others)
    return {
        "held": bool(held),
        "margin": None if found is None or math.isnan(found) else float(found),
        "seeds_held": sum(per_seed),
        "outcome": outcome,
        "effect": effect.as_dict(),
    }
