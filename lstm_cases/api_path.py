"""The sources' own API path, checked cheaply where the quick recipe feeds data another way.

The quick recipes feed ``fit`` a tf.data pipeline with many steps per execution, so they
never make the calls the sources make: ``fit`` on numpy arrays with the source's batch size
and shuffle setting, and the stateful fit-then-reset loop. Each check here makes the source's
exact call for a few steps, on the source recipe's compiled model, and compares it with what
that call must do, deterministically (no training to convergence):

- ``batches_per_epoch``: arrays into ``fit`` with the source's batch size take
  ceil(samples / batch) steps an epoch (a whole-set batch: one step);
- ``order_kept``: with ``shuffle=False``, one ``fit`` epoch gives the same weights as
  ``train_on_batch`` over the same batches in order (and not as in reverse order);
- ``state_carried``: a stateful model's ``fit`` over several batches carries the state from
  batch to batch (the same weights as batch-by-batch training without resets, not as with a
  reset between batches), ends with a non-zero state, and ``reset_states`` clears it.

Each returns a ``Check``: whether it held, whether the seed could decide it at all, and one line
saying what was compared. A seed on which the model does not move in those few steps (every
weight difference within round-off, both ways) cannot tell the two orders or the two state
handlings apart: ``decide`` then tries the next seeds, and says "cannot tell" if none can. Nor can
order be told where the same batches in the same order train to different weights twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lstm_cases import compat
from lstm_cases.core import Case, CaseData
from lstm_cases.runner import prepare

FEW_BATCHES = 4  # steps per check: enough to show order and carried state, cheap on any case
TOLERANCE = 1e-5  # weights of the same updates in the same order agree to float round-off


SEEDS_TO_TRY = 5  # seeds ``decide`` tries after one that cannot tell


@dataclass(frozen=True)
class Check:
    held: bool
    detail: str
    decided: bool = True  # False: this seed cannot tell (the model did not move); ``held`` means nothing


def decide(check: Any, case: Case, seed: int) -> tuple[Check, int]:
    """The check on ``seed``, else on the next seeds while a seed cannot tell; the last check and its seed."""
    for tried in range(seed, seed + SEEDS_TO_TRY):
        result = check(case, tried)
        if result.decided:
            return result, tried
    return result, tried


def quick_bypasses_source_path(case: Case) -> bool:
    """The quick recipe feeds data another way than the source's arrays-into-fit (tf.data, or
    one fit call for the source's fit-per-epoch loop): the run does not exercise that path."""
    quick, full = case.recipe("quick"), case.recipe("full")
    return quick.fast_input or quick.fit_per_epoch != full.fit_per_epoch


# Keras 3 on JAX: fit() does not carry a stateful LSTM's state across batches (the finding behind the
# stateful case's expected failures there): ``state_carried`` shows it directly.
STATE_NOT_CARRIED_ON = {"jax": "Keras 3 on JAX: fit() leaves a stateful LSTM's state at zero between batches"}


def not_decided(case: Case, check: str, stack: Mapping[str, Any], profile: str) -> tuple[str, str] | None:
    """Why the bench does not decide ``check`` on ``case`` on this stack (``compat.stack()``): ("skip" or
    "xfail", the reason); None where it does."""
    if case.untimed_reason():
        return "skip", case.untimed_reason()
    if not quick_bypasses_source_path(case):
        return "skip", f"{case.id}: the quick recipe feeds data as the source does; the run exercises its path"
    if check not in checks_for(case):
        return "skip", f"{case.id}: {check} does not apply to its source recipe"
    breakage = next((b for b in case.breaks_on if b.matches(stack, profile)), None)
    if breakage is not None:  # every check fits the source's model, which this stack cannot train
        return "xfail", f"known breakage on this stack (the training tests check it strictly): {breakage.reason}"
    if check == "state_carried" and stack.get("backend") in STATE_NOT_CARRIED_ON:
        return "xfail", STATE_NOT_CARRIED_ON[stack["backend"]]
    return None


def checks_for(case: Case) -> tuple[str, ...]:
    """The checks that apply to a case's source recipe."""
    full = case.recipe("full")
    names = ["batches_per_epoch"]
    if not full.shuffle and full.batch_size is not None:
        names.append("order_kept")
    if case.stateful_batch_size:
        names.append("state_carried")
    return tuple(names)


def _source_model(case: Case, seed: int) -> tuple[Any, CaseData, int]:
    """The source recipe's compiled model (one step per execution, its optimizer and batch
    size) on the quick profile's data, which is smaller and has the same form."""
    # arrays into fit, one step per execution: the source's call (a full recipe may use tf.data too)
    source = replace(case.recipe("full"), fast_input=False, epochs_per_pass=1, data=case.recipe("quick").data)
    prepared = prepare(replace(case, recipes={"quick": source, "full": source}), "quick", seed)
    batch = source.batch_size or len(prepared.data.x)
    return prepared.model, prepared.data, batch


def _head(data: CaseData, batch: int) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(data.x), FEW_BATCHES * batch)
    return np.asarray(data.x[:n]), np.asarray(data.y[:n])


def _weights(model: Any) -> list[np.ndarray]:
    return [np.asarray(w) for w in model.get_weights()]


def _max_difference(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))


def batches_per_epoch(case: Case, seed: int = 0) -> Check:
    """``fit(x, y, batch_size=B, shuffle=S, epochs=1)`` on arrays runs ceil(n / B) steps."""
    source = _source(case, seed)
    model, batch = source.again(), source.batch
    x, y = _head(source.data, batch)
    steps = compat.step_counter()
    model.fit(x, y, batch_size=batch, shuffle=case.recipe("full").shuffle, epochs=1, verbose=0, callbacks=[steps])
    expected = math.ceil(len(x) / batch)
    return Check(
        steps.count == expected, f"fit on {len(x)} samples at batch {batch}: {steps.count} steps, expected {expected}"
    )


class _SourceModel:
    """The source recipe's model, and the same model again from its first state for the reference
    runs: rewound where the stack can (one traced training function serves every run: the trace is
    most of a check's time), else built anew under the same seed (``compat.rewind_point``)."""

    def __init__(self, case: Case, seed: int) -> None:
        self.case, self.seed = case, seed
        self.model, self.data, self.batch = _source_model(case, seed)
        self._rewind = compat.rewind_point(self.model)
        self._used = False

    def again(self) -> Any:
        """The model in its first state (as built, the first time)."""
        if not self._used:
            self._used = True
        elif self._rewind is None:
            self.model, _, _ = _source_model(self.case, self.seed)
        else:
            self._rewind()
            compat.reset_states(self.model)  # as a new model's: no carried state
        return self.model

    def train_in_order(self, x: np.ndarray, y: np.ndarray, reset_between: bool) -> list:
        """From the first state, ``train_on_batch`` over the batches of ``x`` in order; the weights."""
        model, batch = self.again(), self.batch
        for start in range(0, len(x), batch):
            model.train_on_batch(x[start : start + batch], y[start : start + batch])
            if reset_between:
                compat.reset_states(model)
        return _weights(model)


_LAST: dict[tuple[str, int], _SourceModel] = {}


def _source(case: Case, seed: int) -> _SourceModel:
    """The source model of the case and seed, kept for the next check of the same case and seed
    (the bench runs a case's checks one after another): one trace serves them all where it rewinds."""
    key = (case.id, seed)
    if key not in _LAST or _LAST[key].case is not case:  # the same object: a test's altered copy is another
        _LAST.clear()
        _LAST[key] = _SourceModel(case, seed)
    return _LAST[key]


def forget_source_models() -> None:
    """Drop the kept source model: the next check builds its own."""
    _LAST.clear()


def order_kept(case: Case, seed: int = 0) -> Check:
    """With ``shuffle=False`` one fit epoch equals train_on_batch over the batches in order."""
    source = _source(case, seed)
    model, batch = source.again(), source.batch
    x, y = _head(source.data, batch)
    model.fit(x, y, batch_size=batch, shuffle=False, epochs=1, verbose=0)
    fitted = _weights(model)
    replayed = source.train_in_order(x, y, reset_between=False)
    in_order = _max_difference(fitted, replayed)
    reversed_order = _max_difference(
        fitted, source.train_in_order(_reverse_batches(x, batch), _reverse_batches(y, batch), reset_between=False)
    )
    # the same batches in the same order twice must agree, or no replay can tell fit's order (on Keras 3 on
    # torch the rewind does not restore the dropout's random stream)
    replay_spread = _max_difference(replayed, source.train_in_order(x, y, reset_between=False))
    held = in_order <= TOLERANCE < reversed_order
    detail = (
        f"fit(shuffle=False) vs batches in order: max weight difference {in_order:.3g} (need <= {TOLERANCE:g}); "
        f"vs batches reversed: {reversed_order:.3g} (need > {TOLERANCE:g})"
    )
    if replay_spread > TOLERANCE:
        detail += f"; the batches in order twice differ by {replay_spread:.3g}: training does not replay here"
    # a model that did not move shows no order; one whose training does not replay shows none either
    return Check(held, detail, decided=max(in_order, reversed_order) > TOLERANCE and replay_spread <= TOLERANCE)


def _reverse_batches(a: np.ndarray, batch: int) -> np.ndarray:
    return np.concatenate([a[start : start + batch] for start in reversed(range(0, len(a), batch))])


def state_carried(case: Case, seed: int = 0) -> Check:
    """The stateful source loop's two halves: fit carries the state across the batches of one
    call; reset_states clears it."""
    source = _source(case, seed)
    model, batch = source.again(), source.batch
    x, y = _head(source.data, batch)
    compat.reset_states(model)
    model.fit(x, y, batch_size=batch, shuffle=False, epochs=1, verbose=0)
    fitted = _weights(model)
    carried_state = max(float(np.max(np.abs(s))) for s in compat.rnn_states(model))
    compat.reset_states(model)
    cleared_state = max(float(np.max(np.abs(s))) for s in compat.rnn_states(model))
    carried = _max_difference(fitted, source.train_in_order(x, y, reset_between=False))
    resetting = _max_difference(fitted, source.train_in_order(x, y, reset_between=True))
    held = carried <= TOLERANCE < resetting and carried_state > 0 and cleared_state == 0
    return Check(
        held,
        decided=max(carried, resetting) > TOLERANCE or cleared_state != 0,  # not moved: the state shows nothing
        detail=f"fit over {len(x) // batch} batches vs batch by batch with state carried: {carried:.3g} "
        f"(need <= {TOLERANCE:g}); vs reset between batches: {resetting:.3g} (need > {TOLERANCE:g}); "
        f"state after fit {carried_state:.3g} (need > 0), after reset_states {cleared_state:.3g} (need 0)",
    )


CHECKS = {"batches_per_epoch": batches_per_epoch, "order_kept": order_kept, "state_carried": state_carried}
