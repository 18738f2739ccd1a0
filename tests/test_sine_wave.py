"""Sine wave data builders, windows, losses and metrics (seed 002): no training."""

import numpy as np
import pytest

from lstm_cases import compat
from lstm_cases.core import CaseData, Recipe
from lstm_cases.families import sine_wave as sw
from lstm_cases.registry import get_case


def test_series_is_the_sources_and_min_max_scales_to_zero_one():
    series = sw.sine_series()
    assert series.shape == (6400,)
    np.testing.assert_allclose(series[:3], [0.0, 0.06279052, 0.12533323], atol=1e-8)  # Source: printed
    np.testing.assert_allclose(series[-2:], [-0.12533323, -0.06279052], atol=1e-8)
    scaled = sw.min_max(series)
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    np.testing.assert_allclose(scaled, (series + 1) / 2, atol=1e-12)


def test_windows_are_the_pandas_shift_columns():
    x, y = sw.windows(np.arange(10.0), 3)
    np.testing.assert_array_equal(x[0], [0, 1, 2])  # shifted_01 (shift 3) .. shifted_03 (shift 1)
    assert y[0] == 3
    np.testing.assert_array_equal(x[-1], [6, 7, 8])
    assert y[-1] == 9 and len(x) == 10 - 3  # dropna drops the first 3 rows


def test_window_matches_the_pandas_construction_of_the_source():
    pd = pytest.importorskip("pandas")
    scaled = pd.DataFrame(sw.min_max(sw.sine_series()), columns=["data"])
    for shift in range(1, sw.TIME_STEP):  # Source: 002 2.2.4 (its .format() as an f-string)
        scaled[f"shifted_{sw.TIME_STEP - shift:02}"] = scaled["data"].shift(shift)
    scaled = scaled[scaled.columns[::-1]].dropna()
    x, y = sw.windows(sw.min_max(sw.sine_series()), sw.WINDOW)
    np.testing.assert_allclose(x, scaled.drop("data", axis=1).values)
    np.testing.assert_allclose(y, scaled["data"].values)


def test_split_sizes_follow_train_test_split_without_shuffling():
    data = sw.sine_data(0)
    assert (sw.WINDOW, sw.N_ROWS, sw.N_TRAIN, sw.N_TEST) == (13, 6387, 5109, 1278)
    assert data.x.shape == (5109, 13, 1) and data.y.shape == (5109, 1)
    assert data.extras["test_x"].shape == (1278, 13, 1) and data.extras["test_y"].shape == (1278, 1)
    # no shuffling: the test windows continue the training windows
    np.testing.assert_allclose(data.extras["test_x"][0, :-1, 0], data.x[-1, 1:, 0])
    assert data.extras["test_x"][0, -1, 0] == data.y[-1, 0]
    assert data.x.dtype == np.float32


def test_quick_data_is_a_prefix_and_the_seed_changes_nothing():
    full, quick = sw.sine_data(0), sw.sine_data(5, horizon=100, train_windows=1024)
    np.testing.assert_array_equal(quick.x, full.x[:1024])
    np.testing.assert_array_equal(quick.extras["test_x"], full.extras["test_x"])
    with pytest.raises(ValueError, match="train_windows"):
        sw.sine_data(0, train_windows=50)
    with pytest.raises(ValueError, match="horizon"):
        sw.sine_data(0, horizon=5000)


@pytest.mark.parametrize(("case_id", "total"), [("sine_simple", 66_689), ("sine_stacked", 29_345)])
def test_models_have_the_source_parameter_counts(case_id, total):
    case = get_case(case_id)
    data = CaseData(x=np.zeros((2, 13, 1), "float32"), y=np.zeros((2, 1), "float32"))
    model = case.build_model(data, Recipe(epochs=1, batch_size=2))
    assert model.count_params() == total == case.expected_for("full").total_params


def test_training_loss_is_the_sources_rmse_with_a_finite_gradient_at_zero_error():
    y_true = np.array([[0.0], [0.5]], "float32")
    y_pred = np.array([[0.0], [0.2]], "float32")
    source = np.asarray(sw.source_rmse(y_true, y_pred))
    np.testing.assert_allclose(source, [0.0, 0.3], atol=1e-6)  # per sample: the absolute error
    np.testing.assert_allclose(np.asarray(sw.rmse_loss(y_true, y_pred)), source, atol=1e-6)
    if compat.backend() != "tensorflow":
        return
    import tensorflow as tf

    def gradient(loss):
        pred = tf.Variable(y_pred)
        with tf.GradientTape() as tape:
            value = tf.reduce_sum(loss(tf.constant(y_true), pred))
        return tape.gradient(value, pred).numpy()[:, 0]

    assert np.isnan(gradient(sw.source_rmse)[0])  # why the source's loss is not trained on
    np.testing.assert_allclose(gradient(sw.rmse_loss), [0.0, -1.0], atol=1e-5)


class _Persistence:
    """A 'model' that repeats the last value of each window (the naive forecast)."""

    def __call__(self, x, training=False):
        return np.asarray(x)[:, -1, :]

    def predict_on_batch(self, x):
        return self(x)


def test_metrics_of_the_naive_forecaster(monkeypatch):
    monkeypatch.setattr(compat, "compiled_forward", lambda model, shape: model.predict_on_batch)
    data = sw.sine_data(0, horizon=100, train_windows=1024)
    out = sw.sine_metrics(_Persistence(), data)
    assert out["rmse_ratio_vs_naive"] == pytest.approx(1.0)
    assert out["naive_rmse"] == pytest.approx(0.0222, abs=5e-4)
    # holding the last value: the recursive forecast is the flat naive forecast
    assert out["forecast_rmse_100"] == pytest.approx(out["naive_forecast_rmse_100"])
    assert len(out["forecast"]) == len(out["truth"]) == 100 and out["output_dead"] == 0.0
    assert "forecast_rmse_span" not in out


def test_recursive_forecast_feeds_predictions_back(monkeypatch):
    class AddOne:
        def predict_on_batch(self, x):
            return np.asarray(x)[:, -1, :] + 1

    monkeypatch.setattr(compat, "compiled_forward", lambda model, shape: model.predict_on_batch)
    np.testing.assert_array_equal(sw.recursive_forecast(AddOne(), np.zeros(13), 4), [1, 2, 3, 4])


def test_swing_and_period_tell_an_oscillating_forecast_from_a_flat_one():
    steps = np.arange(sw.N_TEST)
    truth = (np.sin(steps * 2 * np.pi / sw.PERIOD) + 1) / 2
    half_out_of_phase = np.roll(truth, sw.PERIOD // 2)  # the worst RMSE a right-amplitude sine can score
    assert sw.swing_ratio(half_out_of_phase, truth) == pytest.approx(1.0, abs=0.01)
    assert sw.dominant_period(half_out_of_phase) == pytest.approx(sw.PERIOD, rel=0.005)
    assert sw.dominant_period((np.sin(steps * 2 * np.pi / 97) + 1) / 2) == pytest.approx(97, rel=0.005)
    assert sw.swing_ratio(0.5 * truth, truth) == pytest.approx(0.5)
    for flat in (np.zeros(sw.N_TEST), np.full(sw.N_TEST, truth.mean())):  # dead, constant
        assert sw.swing_ratio(flat, truth) == 0.0 and sw.dominant_period(flat) == 0.0


@pytest.mark.parametrize("case_id", ["sine_simple", "sine_stacked"])
def test_full_recipe_is_the_sources_on_the_training_split(case_id):
    r = get_case(case_id).recipe("full")
    assert (r.epochs, r.batch_size, r.optimizer, r.learning_rate, r.shuffle) == (300, 64, "nadam", 0.002, False)
    assert r.lr_schedule == "constant" and r.data == {"horizon": sw.N_TEST}
    assert get_case(case_id).expected_for("full").input_shape == (sw.N_TRAIN, sw.WINDOW, 1)


FORECAST_MARGIN = (
    0.25  # a forecast claim's RMSE threshold sits at least this share below a forecast that learned nothing
)


@pytest.mark.parametrize("case_id", ["sine_simple", "sine_stacked"])
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_forecast_thresholds_sit_well_below_forecasts_that_learned_nothing(case_id, profile, monkeypatch):
    """A constant forecast at the training targets' mean, and a dead relu output's zeros, fail the claim."""
    monkeypatch.setattr(compat, "compiled_forward", lambda model, shape: model.predict_on_batch)
    case = get_case(case_id)
    rule = case.claim("forecast_follows").rules[profile]
    out = sw.sine_metrics(_Persistence(), case.build_data(0, profile))  # the baselines come from the data
    for name in ("constant", "dead"):
        assert rule.threshold <= (1 - FORECAST_MARGIN) * out[f"{name}_forecast_rmse_100"], name


@pytest.mark.parametrize("case_id", ["sine_simple", "sine_stacked"])
def test_the_whole_span_floor_refuses_a_dead_output_and_holding_the_last_value(case_id, monkeypatch):
    monkeypatch.setattr(compat, "compiled_forward", lambda model, shape: model.predict_on_batch)
    floor = get_case(case_id).claim("whole_span_follows").expected_failures[0].floor
    out = sw.sine_metrics(_Persistence(), get_case(case_id).build_data(0, "full"))
    for name in ("dead", "naive"):
        held, _ = floor.judge([out[f"{name}_forecast_rmse_span"]] * 5)
        assert not held, name


def test_the_oscillation_claims_refuse_every_flat_forecast_and_pass_a_sine_out_of_phase(monkeypatch):
    """The whole-span RMSE floor passes a constant forecast at the mean (0.354, better than a sine out of
    phase); the swing and period claims refuse it, the dead output and the last value held, and pass
    the sine itself half a period out of phase."""
    monkeypatch.setattr(compat, "compiled_forward", lambda model, shape: model.predict_on_batch)
    case = get_case("sine_simple")
    out = sw.sine_metrics(_Persistence(), case.build_data(0, "full"))
    truth = np.asarray(out["truth"])
    flat = {
        "naive": np.asarray(out["forecast"]),
        "constant": np.full_like(truth, truth.mean()),
        "dead": np.zeros_like(truth),
    }
    swings, period = case.claim("whole_span_swings").rules["full"], case.claim("whole_span_period").rules["full"]
    for name, forecast in flat.items():
        assert not swings.judge([sw.swing_ratio(forecast, truth)] * 5)[0], name
        assert not period.judge([sw.dominant_period(forecast)] * 5)[0], name
    out_of_phase = np.roll(truth, 50)
    assert swings.judge([sw.swing_ratio(out_of_phase, truth)] * 5)[0]
    assert period.judge([sw.dominant_period(out_of_phase)] * 5)[0]
