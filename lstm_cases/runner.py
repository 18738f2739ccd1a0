"""Run a case: prepare one seed (untimed), train it (the timed part), evaluate it.

The bench's training test times ``train`` with pytest-benchmark; ``run_case`` is the same
flow with plain wall-clock timing, for claim tests whose case no benchmark trained and for
the claim-measuring tool. The calls that steady-state timing (``lstm_cases.timing``) repeats are
here too: a fixed number of steps of the recipe's training call, ``predict``, one direct call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_cases import compat, memory, progress
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, CaseData, Recipe, seeds_for
from lstm_cases.record import costs


@dataclass
class Prepared:
    """One seed, ready to train: data built and model compiled under that seed."""

    case: Case
    profile: str
    seed: int
    data: CaseData
    model: Any
    recipe: Recipe
    history: dict[str, list[float]] = field(default_factory=dict)
    train_seconds: float = float("nan")
    epoch_seconds: list[float] = field(default_factory=list)  # per Keras epoch (or pass)
    peak_rss_mb: float = float("nan")


@dataclass
class SeedRun:
    seed: int
    metrics: dict[str, float]
    artifacts: dict[str, Any]
    history: dict[str, list[float]]
    train_seconds: float
    epoch_seconds: list[float]
    peak_rss_mb: float

    @property
    def first_epoch_seconds(self) -> float:
        """The first epoch (or pass): tracing and compilation included."""
        return self.epoch_seconds[0] if self.epoch_seconds else float("nan")

    @property
    def steady_epoch_seconds(self) -> float:
        """Median of the epochs after the first: the steady state."""
        rest = self.epoch_seconds[1:]
        return float(np.median(rest)) if rest else float("nan")


@dataclass
class CaseResult:
    case_id: str
    profile: str
    runs: list[SeedRun]
    last: Prepared  # the last seed's trained model and data, for inference timing

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.runs]

    def values(self, metric: str) -> list[float]:
        if metric == TRAIN_SECONDS:  # the timed training run itself, for speed claims
            return [r.train_seconds for r in self.runs]
        if metric == STEADY_EPOCH_SECONDS:  # the same without the first epoch's tracing
            return [r.steady_epoch_seconds for r in self.runs]
        missing = [r.seed for r in self.runs if metric not in r.metrics]
        if missing:
            valid = sorted(self.runs[0].metrics)
            raise KeyError(f"case {self.case_id!r} has no metric {metric!r} (valid: {', '.join(valid)})")
        return [r.metrics[metric] for r in self.runs]


# --------------------------------------------------------------------------- model helpers


def layer_param_counts(model: Any) -> dict[str, int]:
    """Parameter count per layer class name (summed when a class appears twice)."""
    counts: dict[str, int] = {}
    for layer in model.layers:
        name = type(layer).__name__
        counts[name] = counts.get(name, 0) + int(layer.count_params())
    return counts


# --------------------------------------------------------------------------- the three steps


def prepare(case: Case, profile: str, seed: int) -> Prepared:
    with costs.charge("preparation", case.id):
        compat.set_random_seed(seed)
        data = case.build_data(seed, profile)
        recipe = case.recipe(profile)
        model = case.build_model(data, recipe)
    return Prepared(case=case, profile=profile, seed=seed, data=data, model=model, recipe=recipe)


def training_dataset(prepared: Prepared) -> Any | None:
    """The recipe's tf.data input for one Keras epoch (``epochs_per_pass`` epochs of batches), or
    None where the recipe feeds arrays (or the stack has no tf.data)."""
    recipe, x, y = prepared.recipe, prepared.data.x, prepared.data.y
    if not recipe.fast_input:
        return None
    return compat.epoch_dataset(
        x, y, recipe.batch_size or len(x), recipe.shuffle, prepared.seed, recipe.epochs_per_pass
    )


def train(prepared: Prepared) -> Prepared:
    """One full recipe run for one seed. Its history lands on ``prepared``."""
    recipe, model = prepared.recipe, prepared.model
    x, y = prepared.data.x, prepared.data.y
    batch = recipe.batch_size or len(x)
    clock = compat.epoch_clock()
    # the epoch clock, and a progress line now and then for a long seed (lstm_cases.progress)
    watch = [clock, *progress.seed_callbacks(prepared.case.id, prepared.seed, recipe)]
    memory.reset_peak()
    start = time.perf_counter()
    if recipe.fit_per_epoch:  # the stateful source loop: fit one epoch, then reset
        history: dict[str, list[float]] = {}
        for _ in range(recipe.epochs):
            h = model.fit(x, y, epochs=1, batch_size=batch, shuffle=recipe.shuffle, verbose=0, callbacks=watch)
            for key, values in h.history.items():
                history.setdefault(key, []).extend(float(v) for v in values)
            if recipe.reset_state_each_epoch:
                compat.reset_states(model)
            if recipe.stop_when and history[recipe.stop_when[0]][-1] >= recipe.stop_when[1]:
                break
    else:
        callbacks = [*watch, compat.reset_states_callback()] if recipe.reset_state_each_epoch else [*watch]
        if recipe.stop_when:
            callbacks.append(compat.stop_when_callback(*recipe.stop_when))
        dataset = training_dataset(prepared)
        if dataset is not None:
            # The dataset shuffles itself; fit's own shuffle does not apply to it.
            passes = recipe.epochs // recipe.epochs_per_pass
            h = model.fit(dataset, epochs=passes, shuffle=False, verbose=0, callbacks=callbacks)
        else:
            h = model.fit(
                x,
                y,
                epochs=recipe.epochs,
                batch_size=batch,
                shuffle=recipe.shuffle,
                verbose=0,
                callbacks=callbacks,
            )
        history = {k: [float(v) for v in vs] for k, vs in h.history.items()}
    prepared.train_seconds = time.perf_counter() - start
    costs.measured(costs.TIMED_TRAINING, prepared.train_seconds, prepared.case.id)
    prepared.peak_rss_mb = memory.peak_rss_mb()
    prepared.epoch_seconds = clock.seconds
    if recipe.fast_input:  # steps_per_execution is for training; predict() must not unroll it
        compat.single_step_execution(model)
    prepared.history = history
    return prepared


def steps_per_pass(prepared: Prepared) -> int:
    """Gradient steps in one Keras epoch of the recipe's training call (one pass of its input)."""
    recipe, n = prepared.recipe, len(prepared.data.x)
    steps = -(-n // (recipe.batch_size or n))
    return steps * recipe.epochs_per_pass if training_dataset(prepared) is not None else steps


def step_call(prepared: Prepared, steps: int) -> Callable[[], Any]:
    """One Keras epoch of the first ``steps`` steps of the recipe's own training call, as ``train``
    makes it (its tf.data pipeline or arrays, batch size, shuffling, state resets; the model compiled
    by the case with the recipe's steps_per_execution), with no stop condition: the same work every
    call. For steady-state timing (``lstm_cases.timing``)."""
    recipe, model = prepared.recipe, prepared.model
    x, y = prepared.data.x, prepared.data.y
    batch = recipe.batch_size or len(x)
    xs, ys = x[: steps * batch], y[: steps * batch]
    if recipe.fit_per_epoch:  # the source loop: one fit per epoch, then reset

        def fit_then_reset() -> None:
            model.fit(xs, ys, epochs=1, batch_size=batch, shuffle=recipe.shuffle, verbose=0)
            if recipe.reset_state_each_epoch:
                compat.reset_states(model)

        return fit_then_reset
    callbacks = [compat.reset_states_callback()] if recipe.reset_state_each_epoch else []
    dataset = training_dataset(prepared)
    if dataset is not None:
        source = dataset if steps >= steps_per_pass(prepared) else dataset.take(steps)
        compat.at_most_steps_per_execution(model, min(steps, steps_per_pass(prepared)))
        return lambda: model.fit(source, epochs=1, shuffle=False, verbose=0, callbacks=callbacks)
    return lambda: model.fit(xs, ys, epochs=1, batch_size=batch, shuffle=recipe.shuffle, verbose=0, callbacks=callbacks)


def untrained(prepared: Prepared) -> Prepared:
    """The null model: the seed's freshly built model, no training at all (no history, no
    training time). Claims judged on it must fail; one that holds is vacuous."""
    if prepared.recipe.fast_input:  # as after a fast-input fit: predict() one batch at a time
        compat.single_step_execution(prepared.model)
    return prepared


def evaluate(prepared: Prepared) -> SeedRun:
    with costs.charge("evaluation", prepared.case.id):
        outcome = prepared.case.evaluate(prepared.model, prepared.data)
    if prepared.case.history_metrics is not None:
        outcome = {**outcome, **prepared.case.history_metrics(prepared.history)}
    metrics = {k: float(v) for k, v in outcome.items() if isinstance(v, (int, float, np.number))}
    artifacts = {k: v for k, v in outcome.items() if k not in metrics}
    return SeedRun(
        seed=prepared.seed,
        metrics=metrics,
        artifacts=artifacts,
        history=prepared.history,
        train_seconds=prepared.train_seconds,
        epoch_seconds=prepared.epoch_seconds,
        peak_rss_mb=prepared.peak_rss_mb,
    )


def run_case(case: Case, profile: str, seeds: list[int] | None = None, null_model: bool = False) -> CaseResult:
    """Prepare, train (or, for the null model, leave untrained) and evaluate every seed,
    untimed by pytest-benchmark."""
    seeds = seeds if seeds is not None else seeds_for(profile)
    step = untrained if null_model else train
    runs, prepared = [], None
    for seed in seeds:
        prepared = step(prepare(case, profile, seed))
        runs.append(evaluate(prepared))
    assert prepared is not None  # seeds_for never returns an empty list
    return CaseResult(case_id=case.id, profile=profile, runs=runs, last=prepared)


# --------------------------------------------------------------------------- inference

PREDICT_BATCH = 32  # Keras' default predict() batch size, stated so that a batch count means one thing


def predict_batch_size(prepared: Prepared) -> int:
    return prepared.case.stateful_batch_size or PREDICT_BATCH


def predict_batches(prepared: Prepared) -> int:
    """Batches in one ``predict`` over the case's inputs."""
    return -(-len(prepared.data.x) // predict_batch_size(prepared))


def predict_all(prepared: Prepared, batches: int | None = None) -> np.ndarray:
    """``predict`` over the case's inputs, or their first ``batches`` batches (stateful models
    from a reset state)."""
    model, batch = prepared.model, predict_batch_size(prepared)
    x = prepared.data.x if batches is None else prepared.data.x[: batches * batch]
    if prepared.case.stateful_batch_size:
        compat.reset_states(model)
        out = model.predict(x, batch_size=batch, verbose=0)
        compat.reset_states(model)
        return out
    return model.predict(x, batch_size=batch, verbose=0)


def single_call(prepared: Prepared) -> Any:
    """One direct model call on one sample: the low-latency path."""
    return prepared.model(prepared.data.x[:1], training=False)
