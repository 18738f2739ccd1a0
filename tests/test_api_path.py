"""The source-API-path checks (lstm_cases.api_path) hold on this stack and fail on stacks broken
on purpose: a fit that shuffles anyway, one that ignores the batch size, one that resets the
state between batches, a reset that clears nothing (~30 s: small models, a few steps each)."""

import numpy as np
import pytest

from lstm_cases import api_path, compat
from lstm_cases.registry import get_case


@pytest.fixture(autouse=True)
def _no_kept_source_model():
    """Each test builds its own source models (a test may alter how they are built)."""
    api_path.forget_source_models()
    yield
    api_path.forget_source_models()


def _break_fit(monkeypatch, forced):
    """Models whose fit() overrides some of its arguments, as a broken stack would."""
    real = api_path._source_model

    def broken(case, seed):
        model, data, batch = real(case, seed)
        fit = model.fit
        model.fit = lambda x, y, **kw: fit(x, y, **{**kw, **forced(x, kw)})
        return model, data, batch

    monkeypatch.setattr(api_path, "_source_model", broken)


def test_every_check_holds_here():
    assert api_path.batches_per_epoch(get_case("one_char")).held
    assert api_path.order_kept(get_case("sine_simple")).held
    if compat.backend() != "jax":  # JAX: the finding, fit does not carry the state
        assert api_path.state_carried(get_case("stateful")).held


def test_a_fit_that_ignores_the_batch_size_fails_batches_per_epoch(monkeypatch):
    _break_fit(monkeypatch, forced=lambda x, kw: {"batch_size": 2 * kw["batch_size"]})
    check = api_path.batches_per_epoch(get_case("one_char"))
    assert not check.held and "2 steps, expected 4" in check.detail


def test_a_fit_that_shuffles_anyway_fails_order_kept(monkeypatch):
    _break_fit(monkeypatch, forced=lambda x, kw: {"shuffle": True})
    check = api_path.order_kept(get_case("sine_simple"))
    assert not check.held and "vs batches in order" in check.detail


def test_a_fit_that_resets_between_batches_fails_state_carried(monkeypatch):
    _break_fit(monkeypatch, forced=lambda x, kw: {"callbacks": [_reset_each_batch()]})
    assert not api_path.state_carried(get_case("stateful")).held


def test_a_reset_that_clears_nothing_fails_state_carried(monkeypatch):
    monkeypatch.setattr(compat, "reset_states", lambda model: None)
    check = api_path.state_carried(get_case("stateful"))
    assert not check.held and "after reset_states" in check.detail


def _reset_each_batch():
    """A callback that resets the RNN state after every batch: a fit that carries nothing."""

    class ResetEachBatch(compat.keras().callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            compat.reset_states(self.model)

    return ResetEachBatch()


@pytest.mark.parametrize(
    "case_id", ["one_char", "batch_state", "stateful", "binary_increment", "sentiment_lstm_maxlen200"]
)
def test_the_checks_that_apply_follow_the_source_recipe(case_id):
    case = get_case(case_id)
    full = case.recipe("full")
    names = api_path.checks_for(case)
    assert "batches_per_epoch" in names
    assert ("order_kept" in names) == (not full.shuffle and full.batch_size is not None)
    assert ("state_carried" in names) == bool(case.stateful_batch_size)


def test_a_seed_on_which_the_model_does_not_move_cannot_tell_and_the_next_seed_decides(monkeypatch):
    calls = []

    def still_on_seed_7(case, seed):
        calls.append(seed)
        return api_path.Check(False, "no movement", decided=seed != 7)

    check, seed = api_path.decide(still_on_seed_7, get_case("sine_simple"), 7)
    assert (check.decided, seed, calls) == (True, 8, [7, 8])
    never = api_path.decide(lambda case, seed: api_path.Check(False, "no movement", decided=False), None, 3)
    assert never[0].decided is False and never[1] == 3 + api_path.SEEDS_TO_TRY - 1


def test_a_model_that_does_not_move_cannot_tell_the_order(monkeypatch):
    real = api_path._source_model

    def frozen(case, seed):  # a learning rate of zero: no step moves any weight
        model, data, batch = real(case, seed)
        model.optimizer.learning_rate.assign(0.0)
        return model, data, batch

    monkeypatch.setattr(api_path, "_source_model", frozen)
    check = api_path.order_kept(get_case("sine_simple"))
    assert not check.decided and not check.held and "vs batches reversed: 0" in check.detail


def test_training_that_does_not_replay_cannot_tell_the_order(monkeypatch):
    """Where the same batches in the same order train to other weights each time (Keras 3 on torch: the
    dropout's random stream is not rewound), no replay can tell fit's order: cannot tell, not a failure."""
    real, rng = api_path._SourceModel.train_in_order, np.random.default_rng(0)

    def not_replayable(self, x, y, reset_between):
        return [w + rng.normal(0.0, 1e-2, w.shape) for w in real(self, x, y, reset_between)]

    monkeypatch.setattr(api_path._SourceModel, "train_in_order", not_replayable)
    check = api_path.order_kept(get_case("sine_simple"))
    assert not check.decided and "training does not replay here" in check.detail


def test_a_case_whose_training_breaks_on_the_stack_is_not_decided_there():
    stateful = get_case("stateful")
    torch = {**compat.stack(), "backend": "torch", "tensorflow_version": None, "keras_major": 3}
    outcome, reason = api_path.not_decided(stateful, "order_kept", torch, "quick")
    assert outcome == "xfail" and "known breakage on this stack" in reason and "inplace operation" in reason
    here = api_path.not_decided(stateful, "order_kept", compat.stack(), "quick")
    assert here is None or "known breakage" not in here[1]


def _numpy(variable):
    return compat.keras().ops.convert_to_numpy(variable)


@pytest.mark.skipif(
    compat.keras_major() < 3, reason="Keras 2 cannot rewind (compat.rewind_point): a new model is built"
)
def test_a_rewound_model_is_back_where_it_was_seeds_and_optimizer_included():
    model, data, batch = api_path._source_model(get_case("sine_stacked"), 0)  # dropout: seed generators
    rewind = compat.rewind_point(model)
    before = [_numpy(v) for v in [*model.variables, *model.optimizer.variables]]
    model.fit(data.x[: 2 * batch], data.y[: 2 * batch], batch_size=batch, shuffle=False, epochs=1, verbose=0)
    after = [_numpy(v) for v in [*model.variables, *model.optimizer.variables]]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    rewind()
    assert all(
        np.array_equal(a, _numpy(v))
        for a, v in zip(before, [*model.variables, *model.optimizer.variables], strict=True)
    )
