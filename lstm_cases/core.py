"""The case contract: what every scenario declares, and how its claims are judged.

Nothing here imports TensorFlow or Keras, so the registry and the verdict logic can be
used (and unit-tested) without paying for a framework import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_cases import compat
from lstm_cases.record.schema import FAIL, PASS, XFAIL, XPASS
from lstm_cases.rules import Rule, Verdict
from lstm_cases.sweep import Sweep

PROFILES: tuple[str, ...] = ("quick", "full")
DEFAULT_PROFILE = "quick"

# Seeds judged per claim when the user does not pass --seeds.
DEFAULT_SEEDS: Mapping[str, int] = {"quick": 3, "full": 5}


class UnknownNameError(ValueError):
    """A user-supplied name (case, profile, ...) that is not one of the valid choices."""

    def __init__(self, kind: str, name: str, valid: Sequence[str]) -> None:
        self.kind, self.name, self.valid = kind, name, tuple(valid)
        super().__init__(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(valid)}")


def check_profile(name: str) -> str:
    if name not in PROFILES:
        raise UnknownNameError("profile", name, PROFILES)
    return name


# --------------------------------------------------------------------------- data on request


class DataUnavailable(Exception):
    """Raised by a data builder whose input is not on this machine (a real-scale corpus no
    one pointed at). The harness skips the case with this reason, which should name the
    option that provides the data."""


class DataError(ValueError):
    """Data that is there but unusable (truncated, empty, wrong format, bad encoding). The
    message is one line naming the file and what is wrong; the harness reports just that."""


@dataclass(frozen=True)
class DataPath:
    """A data location the user may give: a pytest option and the environment variable
    behind it. A family module lists its own in a ``DATA_PATHS`` tuple; the pytest plugin
    adds the options and copies a given option into the environment variable, so builders
    (and ``python -m lstm_cases.tools.measure_claims``) read one place."""

    flag: str  # e.g. "--imdb-dir"
    env: str  # e.g. "LSTM_BENCH_IMDB_DIR"
    help: str

    def get(self) -> Path | None:
        raw = os.environ.get(self.env, "")
        return Path(raw).expanduser() if raw else None

    def require(self, what: str) -> Path:
        """The given path, or DataUnavailable naming the option and the variable."""
        path = self.get()
        if path is None:
            raise DataUnavailable(f"{what} not given: pass {self.flag} PATH or set {self.env}")
        return path


# --------------------------------------------------------------------------- recipe

LR_SCHEDULES: tuple[str, ...] = ("constant", "cosine")


@dataclass(frozen=True)
class Recipe:
    """How one seed of a case is trained.

    ``fit_per_epoch`` reproduces the stateful source loop: ``epochs`` separate
    ``fit(epochs=1)`` calls, each followed by a state reset. ``reset_state_each_epoch``
    resets after every epoch inside one ``fit`` call (the same updates, one fit call).
    ``fast_input`` feeds ``fit`` a tf.data pipeline with ``steps_per_execution`` set to
    one epoch: the same gradient updates, without Keras' per-epoch array-adapter cost.
    ``epochs_per_pass`` > 1 also folds that many epochs into one Keras epoch (the dataset
    repeats, reshuffling each repetition): the same updates again, with the history
    recorded once per pass instead of once per epoch.

    ``lr_schedule`` "cosine" decays the rate to 0 over the recipe's updates (a quick recipe
    that must end on settled weights); "constant" keeps it, as every source does.
    ``data`` holds keyword arguments for the case's ``make_data`` in this profile (e.g. a
    smaller problem in quick); ``stop_when`` = (history key, value) ends training after the
    first Keras epoch whose value reaches it (the source's "stop at 100% training accuracy").
    """

    epochs: int
    batch_size: int | None  # None: the whole training set in one batch
    learning_rate: float = 0.001
    optimizer: str = "adam"
    lr_schedule: str = "constant"  # or "cosine": decay to 0 over all the recipe's updates
    shuffle: bool = True
    fit_per_epoch: bool = False
    reset_state_each_epoch: bool = False
    fast_input: bool = False
    epochs_per_pass: int = 1  # fast_input: source epochs folded into one Keras epoch
    data: Mapping[str, Any] = field(default_factory=dict)  # make_data(seed, **data)
    stop_when: tuple[str, float] | None = None  # (history key, value): stop once reached
    changes: str = ""  # quick recipes: what differs from the source and why

    def __post_init__(self) -> None:
        if self.lr_schedule not in LR_SCHEDULES:
            raise UnknownNameError("learning-rate schedule", self.lr_schedule, LR_SCHEDULES)
        if self.epochs_per_pass > 1:
            if not self.fast_input or self.reset_state_each_epoch or self.fit_per_epoch:
                raise ValueError("epochs_per_pass > 1 needs fast_input and no per-epoch reset")
            if self.epochs % self.epochs_per_pass:
                raise ValueError(
                    f"epochs ({self.epochs}) must be a multiple of epochs_per_pass ({self.epochs_per_pass})"
                )

    def describe(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "optimizer": self.optimizer,
            "learning_rate": self.learning_rate,
            "lr_schedule": self.lr_schedule,
            "shuffle": self.shuffle,
            "fit_per_epoch": self.fit_per_epoch,
            "reset_state_each_epoch": self.reset_state_each_epoch,
            "fast_input": self.fast_input,
            "epochs_per_pass": self.epochs_per_pass,
            "data": dict(self.data),
            "stop_when": list(self.stop_when) if self.stop_when else None,
            "changes": self.changes,
        }


def compile_model(model: Any, recipe: Recipe, loss: Any, n_samples: int, metrics: Iterable[Any] = ()) -> Any:
    """Compile with the recipe's optimizer; ``fast_input`` runs one epoch per execution."""
    batch = recipe.batch_size or n_samples
    steps_per_epoch = -(-n_samples // batch)
    steps_per_pass = steps_per_epoch * recipe.epochs_per_pass
    decay_steps = steps_per_epoch * recipe.epochs if recipe.lr_schedule == "cosine" else None
    model.compile(
        loss=loss,
        optimizer=compat.optimizer(recipe.optimizer, recipe.learning_rate, decay_steps),
        metrics=list(metrics),
        **compat.compile_kwargs(steps_per_pass if recipe.fast_input else 1),
    )
    return model


# --------------------------------------------------------------------------- claims

# A claim on this metric judges the seconds of each seed's timed training run.
TRAIN_SECONDS = "train_seconds"
# The median Keras epoch after the first: training speed without the one-off tracing and
# compilation of a new model (NaN for a one-epoch recipe, which a claim then refuses).
STEADY_EPOCH_SECONDS = "steady_epoch_seconds"


@dataclass(frozen=True)
class ExpectedFailure:
    """A claim known not to hold on some stacks: matched on the stack description."""

    reason: str
    keras_major: int | None = None  # None: any
    backend: str | None = None
    tensorflow_prefix: str | None = None  # e.g. "2.15"
    profile: str | None = None
    # False: on this stack the claim's outcome is chance (e.g. its precondition, a trained
    # model, fails), so it is not judged: the verdict is xfail whichever way the rule goes,
    # with the rule's outcome in the detail; an "unexpected pass" there would be noise.
    strict: bool = True
    # The finding's own measured range, judged whenever the claim fails as expected: an
    # expected failure must not hide a model that broke further (a strict one needs it).
    floor: Rule | None = None

    def matches(self, stack: Mapping[str, Any], profile: str) -> bool:
        return (
            (self.keras_major is None or stack.get("keras_major") == self.keras_major)
            and (self.backend is None or stack.get("backend") == self.backend)
            and (
                self.tensorflow_prefix is None
                or str(stack.get("tensorflow_version", "")).startswith(self.tensorflow_prefix)
            )
            and (self.profile is None or profile == self.profile)
        )


@dataclass(frozen=True)
class KnownBreakage(ExpectedFailure):
    """Training itself crashes on some stacks (a bug of that stack, not a claim that fails):
    the tests that train are expected to fail there with ``raises`` (strict: once the stack
    is fixed, they pass unexpectedly and say so)."""

    raises: type[BaseException] = RuntimeError


@dataclass(frozen=True)
class Claim:
    """One statement the source makes, with the rule that judges it per profile.

    ``measured_on`` names, per profile, the stacks (``tf2.21/keras3/tensorflow``, ...) whose
    measurement files hold the many-seed values the thresholds were set from
    (``lstm_cases.provenance``). A profile with none says why in ``unmeasured`` (data that is
    not on the measuring machine): its thresholds are the source's statement with a margin.
    """

    id: str
    text: str
    source_figure: str
    metric: str
    rules: Mapping[str, Rule]
    measured_on: Mapping[str, tuple[str, ...]]
    compare_to: str | None = None  # case id, for paired rules
    expected_failures: tuple[ExpectedFailure, ...] = ()
    unmeasured: str = ""  # why a profile has no measurement (measured_on empty there)
    unjudged: str = ""  # why a profile has no rule (e.g. only the full recipe trains long enough)
    # Why the claim is about structure, not learning, so that an untrained model may pass it
    # (exempt from the null-model self-test, ``pytest bench --null-model``).
    null_exempt: str = ""
    # Where the claim holds over a grid of recipes (``lstm_cases.sweep``, python -m lstm_cases.tools.sweep).
    sweep: Sweep | None = None

    def __post_init__(self) -> None:
        if self.sweep is not None and self.sweep.judged_by not in self.rules:
            raise ValueError(f"claim {self.id!r}: its sweep judges the {self.sweep.judged_by!r} rule, which it has not")
        missing = [p for p in PROFILES if p not in self.rules]
        if not self.rules or (missing and not self.unjudged):
            raise ValueError(f"claim {self.id!r} has no rule for profile(s) {missing} and no reason in unjudged")
        for xfail in self.expected_failures:
            if xfail.strict and xfail.floor is None and not isinstance(xfail, KnownBreakage):
                raise ValueError(f"claim {self.id!r}: a strict expected failure needs a floor ({xfail.reason[:40]}...)")
            if xfail.floor is not None and xfail.floor.paired != (self.compare_to is not None):
                raise ValueError(f"claim {self.id!r}: the floor of an expected failure pairs as the claim does")
        unmeasured = [p for p in self.rules if not self.measured_on.get(p)]
        if unmeasured and not self.unmeasured:
            raise ValueError(f"claim {self.id!r}: no measurement named for {unmeasured} and no reason in unmeasured")
        for profile, rule in self.rules.items():
            check_profile(profile)
            if rule.paired != (self.compare_to is not None):
                raise ValueError(f"claim {self.id!r}: a paired rule needs compare_to and vice versa ({profile})")

    def judged_in(self, profile: str) -> bool:
        return check_profile(profile) in self.rules

    def expected_failure(self, stack: Mapping[str, Any], profile: str) -> ExpectedFailure | None:
        return next((e for e in self.expected_failures if e.matches(stack, profile)), None)

    def gives_verdict(self, stack: Mapping[str, Any], profile: str) -> bool:
        """Whether the claim gives a verdict that can fail here: a rule in the profile and no expected
        failure that hides it (an expected failure with a floor is still judged by the floor)."""
        xfail = self.expected_failure(stack, profile)
        return self.judged_in(profile) and (xfail is None or xfail.floor is not None)

    def judge(
        self,
        profile: str,
        values: Sequence[float],
        stack: Mapping[str, Any],
        others: Sequence[float] | None = None,
    ) -> Verdict:
        if not self.judged_in(profile):
            raise ValueError(f"claim {self.id!r} is not judged in the {profile} profile: {self.unjudged}")
        rule = self.rules[profile]
        held, detail = rule.judge(values, others)
        xfail = self.expected_failure(stack, profile)
        if xfail is None:
            status = PASS if held else FAIL
        elif held and not xfail.strict:
            status, detail = XFAIL, f"not judged on this stack (held here by chance): {detail}"
        else:
            status = XPASS if held else XFAIL
        if status == XFAIL and xfail is not None and xfail.floor is not None:
            floor_held, floor_detail = xfail.floor.judge(values, others)
            if not floor_held:
                status = FAIL
                detail = f"expected to fail, but below the finding's floor ({xfail.floor.describe()}): {floor_detail}"
        return Verdict(
            claim=self.id,
            status=status,
            rule=rule.describe(),
            detail=detail,
            values=tuple(float(v) for v in values),
            source_figure=self.source_figure,
            reason=xfail.reason if xfail else "",
            effect=rule.effect(values, others),
        )


# --------------------------------------------------------------------------- case


@dataclass(frozen=True)
class CaseData:
    """Arrays a case trains and evaluates on; ``extras`` holds case-specific inputs."""

    x: Any
    y: Any
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expected:
    """Shapes and parameter counts the case must reproduce exactly."""

    input_shape: tuple[int, ...]
    target_shape: tuple[int, ...]
    total_params: int
    layer_params: Mapping[str, int] = field(default_factory=dict)  # layer class name -> count
    # One sample's model output, where it is not a target's shape (sparse labels: + classes).
    output_shape: tuple[int, ...] | None = None

    def sample_output_shape(self) -> tuple[int, ...]:
        return self.target_shape[1:] if self.output_shape is None else self.output_shape

    def describe(self) -> dict[str, Any]:
        """The shapes and counts as a record keeps them."""
        return {
            "input_shape": list(self.input_shape),
            "target_shape": list(self.target_shape),
            "total_params": self.total_params,
            "layer_params": dict(self.layer_params),
        }


@dataclass(frozen=True)
class Case:
    """One documented scenario.

    make_data(seed, **recipe.data) -> CaseData must be pure and deterministic given the seed.
    build_model(data, recipe) -> compiled keras model.
    expected: one Expected, or one per profile where the recipes' data differ in shape.
    evaluate(model, data) -> {metric: float} for one trained seed.
    """

    id: str
    family: str
    source: str
    make_data: Callable[..., CaseData]
    build_model: Callable[[CaseData, Recipe], Any]
    evaluate: Callable[[Any, CaseData], dict[str, float]]
    recipes: Mapping[str, Recipe]
    expected: Expected | Mapping[str, Expected]
    claims: tuple[Claim, ...] = ()
    stateful_batch_size: int | None = None  # predict/evaluate batch size for stateful models
    notes: str = ""
    breaks_on: tuple[KnownBreakage, ...] = ()  # stacks where training crashes
    # history -> {metric: float}: metrics read off the training history (a learning curve)
    history_metrics: Callable[[Mapping[str, list[float]]], dict[str, float]] | None = None
    # The case id whose mechanism this case controls for: the same network or recipe with that mechanism
    # taken away, trained only for the other case's paired claims (no claims, timing or API path of its own).
    control_of: str = ""
    # Names the data a case's builder makes, when it has changed since seeds were first measured: a change
    # of the data retires every earlier measurement, which set or checked thresholds on other data
    # (holdout.rule_text, provenance.recipe_of). Empty: the data as first measured.
    data_version: str = ""

    def __post_init__(self) -> None:
        missing = [p for p in PROFILES if p not in self.recipes]
        if missing:
            raise ValueError(f"case {self.id!r} has no recipe for profile(s) {missing}")
        if not isinstance(self.expected, Expected):
            missing = [p for p in PROFILES if p not in self.expected]
            if missing:
                raise ValueError(f"case {self.id!r} has no expected shapes for profile(s) {missing}")
        if self.control_of and self.claims:
            raise ValueError(f"case {self.id!r} is a control of {self.control_of!r}: its claims belong there")
        ids = [c.id for c in self.claims]
        if len(ids) != len(set(ids)):
            raise ValueError(f"case {self.id!r} declares a claim id twice: {ids}")

    def recipe(self, profile: str) -> Recipe:
        return self.recipes[check_profile(profile)]

    def untimed_reason(self) -> str:
        """Why the case's steady-state speed and source API path are not checked ("": they are)."""
        if not self.control_of:
            return ""
        return f"{self.id} is a control of {self.control_of}, trained only for its paired claims: not timed"

    def expected_for(self, profile: str) -> Expected:
        check_profile(profile)
        return self.expected if isinstance(self.expected, Expected) else self.expected[profile]

    def build_data(self, seed: int, profile: str) -> CaseData:
        """The profile's data for one seed: ``make_data(seed, **recipe.data)``."""
        return self.make_data(seed, **self.recipe(profile).data)

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise UnknownNameError("claim", claim_id, [c.id for c in self.claims])


def seeds_for(profile: str, n_seeds: int | None = None, base: int = 0) -> list[int]:
    """The seeds a run judges: ``base, base+1, ...``; the count defaults per profile."""
    n = DEFAULT_SEEDS[check_profile(profile)] if n_seeds is None else n_seeds
    if n < 1:
        raise ValueError(f"--seeds must be >= 1, got {n}")
    return [base + i for i in range(n)]
