"""Run a case: prepare one seed (untimed), train it (the timed part), evaluate it.

The pytest plugin times ``train`` with pytest-benchmark; ``run_case`` is the same flow
with plain wall-clock timing, for on-demand runs and the calibration command.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_cases import compat, memory
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, CaseData, Claim, Recipe, Verdict, seeds_for


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


def layer_param_counts(model: Any) -> dict[str, int]:
    """Parameter count per layer class name (summed when a class appears twice)."""
    counts: dict[str, int] = {}
    for layer in model.layers:
        name = type(layer).__name__
        counts[name] = counts.get(name, 0) + int(layer.count_params())
    return counts


# --------------------------------------------------------------------------- the three steps


def prepare(case: Case, profile: str, seed: int) -> Prepared:
    compat.set_random_seed(seed)
    data = case.build_data(seed, profile)
    recipe = case.recipe(profile)
    model = case.build_model(data, recipe)
    return Prepared(case=case, profile=profile, seed=seed, data=data, model=model, recipe=recipe)


def train(prepared: Prepared) -> Prepared:
    """One full recipe run for one seed. Its history lands on ``prepared``."""
    recipe, model = prepared.recipe, prepared.model
    x, y = prepared.data.x, prepared.data.y
    batch = recipe.batch_size or len(x)
    clock = compat.epoch_clock()
    memory.reset_peak()
    start = time.perf_counter()
    if recipe.fit_per_epoch:  # the stateful source loop: fit one epoch, then reset
        history: dict[str, list[float]] = {}
        for _ in range(recipe.epochs):
            h = model.fit(x, y, epochs=1, batch_size=batch, shuffle=recipe.shuffle, verbose=0, callbacks=[clock])
            for key, values in h.history.items():
                history.setdefault(key, []).extend(float(v) for v in values)
            if recipe.reset_state_each_epoch:
                compat.reset_states(model)
            if recipe.stop_when and history[recipe.stop_when[0]][-1] >= recipe.stop_when[1]:
                break
    else:
        callbacks = [clock, compat.reset_states_callback()] if recipe.reset_state_each_epoch else [clock]
        if recipe.stop_when:
            callbacks.append(compat.stop_when_callback(*recipe.stop_when))
        dataset = None
        if recipe.fast_input:
            dataset = compat.epoch_dataset(x, y, batch, recipe.shuffle, prepared.seed, recipe.epochs_per_pass)
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
    prepared.peak_rss_mb = memory.peak_rss_mb()
    prepared.epoch_seconds = clock.seconds
    if recipe.fast_input:  # steps_per_execution is for training; predict() must not unroll it
        compat.single_step_execution(model)
    prepared.history = history
    return prepared


def evaluate(prepared: Prepared) -> SeedRun:
    outcome = prepared.case.evaluate(prepared.model, prepared.data)
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


def run_case(case: Case, profile: str, seeds: list[int] | None = None) -> CaseResult:
    """Prepare, train and evaluate every seed, untimed by pytest-benchmark."""
    seeds = seeds if seeds is not None else seeds_for(profile)
    runs, prepared = [], None
    for seed in seeds:
        prepared = train(prepare(case, profile, seed))
        runs.append(evaluate(prepared))
    assert prepared is not None  # seeds_for never returns an empty list
    return CaseResult(case_id=case.id, profile=profile, runs=runs, last=prepared)


class ResultCache:
    """Per-case results for one profile and seed list: each case trained once, on demand,
    and reused (by every concern of a pytest session, by the calibration command)."""

    def __init__(self, profile: str, seeds: list[int]) -> None:
        self.profile, self.seeds = profile, seeds
        self._results: dict[str, CaseResult] = {}

    def put(self, result: CaseResult) -> None:
        self._results[result.case_id] = result

    def get(self, case: Case) -> CaseResult:
        """The case's results; trained here, untimed, when nothing has put them yet."""
        if case.id not in self._results:
            self.put(run_case(case, self.profile, self.seeds))
        return self._results[case.id]

    def items(self) -> list[tuple[str, CaseResult]]:
        return list(self._results.items())

    def has(self, case_id: str) -> bool:
        return case_id in self._results

    def verdict(self, case: Case, claim: Claim, stack: dict[str, Any] | None = None) -> Verdict:
        """Judge one claim over the seeds; a paired claim gets (or trains) its other case."""
        from lstm_cases import registry  # registry imports the families, which import this module

        values = self.get(case).values(claim.metric)
        others = None
        if claim.compare_to is not None:
            others = self.get(registry.get_case(claim.compare_to)).values(claim.metric)
        return claim.judge(self.profile, values, stack if stack is not None else compat.stack(), others)

    def verdict_if_ready(self, case: Case, claim: Claim) -> Verdict | None:
        """The verdict when this case and a paired claim's other case have both run; None
        otherwise. Never trains: stamping a result must not train (and so time) a case twice."""
        needed = [case.id] + ([claim.compare_to] if claim.compare_to is not None else [])
        return self.verdict(case, claim) if all(self.has(c) for c in needed) else None

    def ready_verdicts(self, case: Case) -> dict[str, dict[str, Any]]:
        """The verdicts that can be given now, as dicts; a paired claim whose other case has
        not run yet is left out (``refresh_verdicts`` fills it in later)."""
        verdicts = {c.id: self.verdict_if_ready(case, c) for c in case.claims}
        return {cid: v.as_dict() for cid, v in verdicts.items() if v is not None}

    def refresh_verdicts(self, benchmarks: list[dict[str, Any]]) -> None:
        """Re-judge the claims stamped in result records (pytest-benchmark JSON entries) on the
        final results, so that a paired claim recorded before its other case ran gets its
        verdict, judged on the same runs as the claim tests."""
        from lstm_cases import registry

        for bench in benchmarks:
            info = bench.get("extra_info", {})
            case_id = info.get("case")
            if isinstance(case_id, str) and self.has(case_id) and "verdicts" in info:
                info["verdicts"] = self.ready_verdicts(registry.get_case(case_id))


# --------------------------------------------------------------------------- inference


def predict_all(prepared: Prepared) -> np.ndarray:
    """``predict`` over the case's inputs (stateful models from a reset state)."""
    model, case = prepared.model, prepared.case
    if case.stateful_batch_size:
        compat.reset_states(model)
        out = model.predict(prepared.data.x, batch_size=case.stateful_batch_size, verbose=0)
        compat.reset_states(model)
        return out
    return model.predict(prepared.data.x, verbose=0)


def single_call(prepared: Prepared) -> Any:
    """One direct model call on one sample: the low-latency path."""
    return prepared.model(prepared.data.x[:1], training=False)
