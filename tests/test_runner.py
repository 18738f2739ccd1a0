"""The runner and the compatibility layer on tiny recipes (seconds, not minutes)."""

import dataclasses

import numpy as np
import pytest

from lstm_cases import compat, runner
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, CaseData, Expected, Recipe, compile_model
from lstm_cases.registry import get_case


def _tiny(case_id, **changes):
    case = get_case(case_id)
    recipe = dataclasses.replace(case.recipe("quick"), **changes)
    return dataclasses.replace(case, recipes={"quick": recipe, "full": recipe})


def test_stack_is_stamped_with_versions():
    info = compat.stack()
    assert info["keras_major"] in (2, 3)
    assert info["backend"] in ("tensorflow", "jax", "torch")
    assert info["keras_version"].split(".")[0] == str(info["keras_major"])
    assert compat.stack_label(info).startswith(("tf2.", "no-tf"))


def test_epoch_dataset_matches_fit_batches():
    x = np.arange(6, dtype="float32").reshape(6, 1)
    y = np.arange(6, dtype="float32")
    ordered = [b[1].numpy().tolist() for b in compat.epoch_dataset(x, y, 4, shuffle=False, seed=0)]
    assert ordered == [[0, 1, 2, 3], [4, 5]]  # the last batch is partial, as in fit
    passes = [b[1].numpy().tolist() for b in compat.epoch_dataset(x, y, 1, shuffle=True, seed=0, repeat=3)]
    assert len(passes) == 18
    epochs = [sorted(sum(passes[i * 6 : (i + 1) * 6], [])) for i in range(3)]
    assert all(e == [0, 1, 2, 3, 4, 5] for e in epochs)  # every epoch is a permutation
    assert passes[:6] != passes[6:12]  # reshuffled each epoch


def test_optimizer_takes_learning_rate_and_rejects_unknown_names():
    opt = compat.optimizer("adam", 0.003)
    assert float(np.asarray(opt.learning_rate)) == pytest.approx(0.003)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; valid optimizers: adam, rmsprop"):
        compat.optimizer("adamw", 0.1)


def test_train_and_evaluate_one_seed_records_history_and_metrics():
    case = _tiny("timestep_window", epochs=4, epochs_per_pass=2)
    prepared = runner.train(runner.prepare(case, "quick", 0))
    assert len(prepared.history["loss"]) == 2  # one point per pass of 2 epochs
    run = runner.evaluate(prepared)
    assert set(run.metrics) == {"accuracy"} and 0.0 <= run.metrics["accuracy"] <= 1.0
    assert run.train_seconds > 0
    assert runner.predict_all(prepared).shape == (23, 26)


def test_stateful_reset_and_walk_on_this_stack():
    case = _tiny("stateful", epochs=2)
    prepared = runner.train(runner.prepare(case, "quick", 0))
    model, x = prepared.model, prepared.data.x
    compat.reset_states(model)
    first = np.asarray(model(x[:1], training=False))
    second = np.asarray(model(x[:1], training=False))  # state carried: a different answer
    compat.reset_states(model)
    again = np.asarray(model(x[:1], training=False))  # reset: the first answer again
    assert not np.allclose(first, second)
    np.testing.assert_allclose(first, again, rtol=1e-5, atol=1e-6)
    run = runner.evaluate(prepared)
    assert {"walk_correct_steps", "k_start_first_correct"} <= set(run.metrics)
    assert run.artifacts["walk_from_k"].startswith("K->")


def test_stateful_source_loop_fits_one_epoch_at_a_time():
    case = _tiny("stateful", epochs=3, fit_per_epoch=True, fast_input=False)
    prepared = runner.train(runner.prepare(case, "quick", 0))
    assert len(prepared.history["loss"]) == 3


def test_same_seed_same_initial_weights():
    case = get_case("one_char")
    a = runner.prepare(case, "quick", 5).model.get_weights()
    b = runner.prepare(case, "quick", 5).model.get_weights()
    c = runner.prepare(case, "quick", 6).model.get_weights()
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c, strict=True))


def test_recipe_rejects_folding_with_per_epoch_resets():
    with pytest.raises(ValueError, match="epochs_per_pass > 1 needs fast_input"):
        Recipe(epochs=10, batch_size=1, epochs_per_pass=2, reset_state_each_epoch=True, fast_input=True)
    with pytest.raises(ValueError, match="multiple of epochs_per_pass"):
        Recipe(epochs=15, batch_size=1, epochs_per_pass=10, fast_input=True)


def test_training_records_epoch_times_and_peak_memory():
    case = _tiny("one_char", epochs=4, epochs_per_pass=2)
    run = runner.evaluate(runner.train(runner.prepare(case, "quick", 0)))
    assert len(run.epoch_seconds) == 2 and all(t > 0 for t in run.epoch_seconds)
    assert run.first_epoch_seconds == run.epoch_seconds[0]
    assert run.steady_epoch_seconds == run.epoch_seconds[1]
    assert run.peak_rss_mb > 50  # TensorFlow alone holds more than this


def test_peak_memory_resets_between_runs():
    from lstm_cases import memory

    if not memory.reset_peak():
        pytest.skip("this platform cannot reset the RSS high-water mark")
    base = memory.peak_rss_mb()
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    assert memory.peak_rss_mb() >= base + 60
    del block
    memory.reset_peak()
    assert memory.peak_rss_mb() < base + 60


def _data(seed):
    x = np.linspace(0, 1, 16, dtype="float32").reshape(16, 1)
    return CaseData(x=x, y=2 * x)


def _model(data, recipe):
    k = compat.keras()
    model = k.Sequential([k.Input(shape=(1,)), k.layers.Dense(1)])
    return compile_model(model, recipe, "mse", len(data.x))


def _train(recipe):
    case = Case(
        id="tiny",
        family="t",
        source="s",
        make_data=_data,
        build_model=_model,
        evaluate=lambda m, d: {},
        recipes={"quick": recipe, "full": recipe},
        expected=Expected((16, 1), (16, 1), 2),
    )
    return runner.train(runner.prepare(case, "quick", 0))


@pytest.mark.parametrize(
    "options",
    [{}, {"fast_input": True}, {"fit_per_epoch": True}],
    ids=["fit", "fast_input", "fit_per_epoch"],
)
def test_stop_when_ends_training_after_the_first_epoch_that_reaches_the_value(options):
    prepared = _train(Recipe(epochs=5, batch_size=4, stop_when=("loss", 0.0), **options))  # loss >= 0 always
    assert len(prepared.history["loss"]) == 1
    assert len(_train(Recipe(epochs=3, batch_size=4, **options)).history["loss"]) == 3


def test_cosine_schedule_decays_the_rate_to_zero_over_the_recipe():
    prepared = _train(Recipe(epochs=2, batch_size=4, learning_rate=0.1, lr_schedule="cosine"))
    optimizer = prepared.model.optimizer
    assert int(optimizer.iterations.numpy()) == 8
    schedule = optimizer.learning_rate if callable(optimizer.learning_rate) else optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.1)
    assert float(schedule(8)) == pytest.approx(0.0, abs=1e-7)


def test_fast_input_training_leaves_predict_at_one_batch_per_execution():
    model = _train(Recipe(epochs=2, batch_size=4, fast_input=True)).model
    if compat.keras_major() >= 3:
        assert model.steps_per_execution == 1
    else:
        assert int(model._steps_per_execution.numpy()) == 1
    assert model.predict(np.zeros((5, 1), dtype="float32"), verbose=0).shape == (5, 1)


def test_train_seconds_is_a_metric_claims_can_judge():
    run = runner.SeedRun(
        seed=0,
        metrics={"accuracy": 1.0},
        artifacts={},
        history={},
        train_seconds=2.5,
        epoch_seconds=[2.5],
        peak_rss_mb=1.0,
    )
    result = runner.CaseResult(case_id="c", profile="quick", runs=[run], last=None)
    assert result.values("train_seconds") == [2.5]
    with pytest.raises(KeyError, match="no metric 'loss'"):
        result.values("loss")


def test_old_keras3_on_tensorflow_gets_at_most_32_steps_per_execution(monkeypatch):
    import types

    monkeypatch.setattr(compat, "keras_major", lambda: 3)
    monkeypatch.setattr(compat, "backend", lambda: "tensorflow")
    monkeypatch.setattr(compat, "keras", lambda: types.SimpleNamespace(__version__="3.3.3"))
    assert compat.compile_kwargs(500) == {"steps_per_execution": 32}
    monkeypatch.setattr(compat, "keras", lambda: types.SimpleNamespace(__version__="3.7.0"))
    assert compat.compile_kwargs(500) == {"steps_per_execution": 500}
    assert compat.compile_kwargs(1) == {}
    monkeypatch.setattr(compat, "backend", lambda: "torch")
    assert compat.compile_kwargs(500) == {}


def test_steady_epoch_seconds_leave_out_the_first_epoch():
    runs = [
        runner.SeedRun(0, {}, {}, {}, 5.0, [3.0, 1.0, 1.2], 1.0),
        runner.SeedRun(1, {}, {}, {}, 4.0, [2.5, 1.5], 1.0),
    ]
    result = runner.CaseResult(case_id="x", profile="quick", runs=runs, last=None)
    assert result.values(STEADY_EPOCH_SECONDS) == [pytest.approx(1.1), pytest.approx(1.5)]
    assert result.values(TRAIN_SECONDS) == [5.0, 4.0]
    one_epoch = runner.CaseResult("x", "quick", [runner.SeedRun(0, {}, {}, {}, 2.0, [2.0], 1.0)], None)
    assert [v != v for v in one_epoch.values(STEADY_EPOCH_SECONDS)] == [True]  # NaN: no steady epoch


def test_old_keras3_on_tensorflow_runs_a_short_timed_fit_in_one_execution_of_its_steps(monkeypatch):
    """Keras 3 before 3.7 on TensorFlow fails a fit over fewer batches than one execution (TF 2.16 /
    Keras 3.3: TypeError in its trainer); the timed step call runs at most its steps per execution there."""
    import types

    model = types.SimpleNamespace(steps_per_execution=32, train_function=object())
    monkeypatch.setattr(compat, "keras_major", lambda: 3)
    monkeypatch.setattr(compat, "backend", lambda: "tensorflow")
    monkeypatch.setattr(compat, "keras", lambda: types.SimpleNamespace(__version__="3.7.0"))
    compat.at_most_steps_per_execution(model, 5)
    assert model.steps_per_execution == 32 and model.train_function is not None  # 3.7 and later: unchanged
    monkeypatch.setattr(compat, "keras", lambda: types.SimpleNamespace(__version__="3.3.3"))
    compat.at_most_steps_per_execution(model, 40)
    assert model.steps_per_execution == 32 and model.train_function is not None  # enough batches: unchanged
    compat.at_most_steps_per_execution(model, 5)
    assert model.steps_per_execution == 5 and model.train_function is None  # rebuilt for 5 on the next fit
