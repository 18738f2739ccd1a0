"""Sine wave regression: predict the next value from a window of past values
(docs/scenarios.md; seed 002).

Source 002 is a Keras 2 tutorial ("Keras RNN & LSTM 구현"). The series is
``sin(arange(6400) * 20 * pi / 1000)`` (period 100 steps), MinMax-scaled to [0, 1]. Windows
come from pandas ``shift``: with ``time_step = 14`` the loop ``for shift in range(1, 14)``
adds 13 shifted copies, and the unshifted column is the target, so each input is the 13
values before the target (oldest first, after the column reversal); ``dropna`` leaves
6,400 - 13 = 6,387 rows, and ``train_test_split(test_size=0.2, shuffle=False)`` gives 5,109
train and 1,278 test rows. (The printed shapes, (6400, 5), (5116, 4, 1), (1280, 4, 1),
come from a run with ``time_step = 5``: they do not match the code as written; this case
follows the code.)

Deviations from the source, on purpose:
- The source trains on its test split (``lstm.fit(x_test, y_test, ...)``); this case trains
  on the training split and judges on the test split.
- No ``validation_split``: the held-out test split is the validation here.
- ``Nadam`` is given ``learning_rate=0.002``, the Keras 2.2 default the source got from
  ``optimizer="Nadam"`` (Keras 3's default is 0.001).
- The stacked model trains on ``rmse_loss``, the source's ``rmse`` with 1e-12 under the
  square root: the source's own function makes the weights NaN here (see ``source_rmse``).

The source's ``rmse`` (``K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))``) is taken per
sample over the last axis, which has one value: it is the absolute error, and Keras then
averages it over the batch. So the "rmse 0.0049" the source printed for `simple` is a mean
absolute error (its MSE 3.0e-05 is an RMSE of 0.0055), and the stacked model's "RMSE loss"
trains on the mean absolute error. This case reports both: ``test_rmse`` (the square root
of the MSE) and ``test_mae`` (the source's figure).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lstm_cases import compat
from lstm_cases.core import Case, CaseData, Claim, Expected, ExpectedFailure, Recipe, compile_model
from lstm_cases.provenance import CI_STACKS, TF221
from lstm_cases.rules import AtMost, MedianInBand

N_POINTS = 6400  # Source: 002 "np.sin(np.arange(6400)*(20*np.pi/1000))"
PERIOD = 100  # 2 * pi / (20 * pi / 1000) steps
TIME_STEP = 14  # Source: 002 "time_step = 14"
WINDOW = TIME_STEP - 1  # the 13 shifted columns; the 14th column is the target
TEST_SIZE = 0.2  # Source: 002 "train_test_split(..., test_size=0.20, shuffle=False)"
N_ROWS = N_POINTS - WINDOW  # 6,387 after dropna
N_TEST = math.ceil(TEST_SIZE * N_ROWS)  # 1,278: train_test_split rounds the test share up
N_TRAIN = N_ROWS - N_TEST  # 5,109
SHORT_HORIZON = PERIOD  # the shortest recursive forecast a run makes: one period
FORECAST_HORIZONS = (25, PERIOD)  # forecast RMSE reported over a quarter and a whole period


# --------------------------------------------------------------------------- data builders


def sine_series() -> np.ndarray:
    return np.sin(np.arange(N_POINTS) * (20 * np.pi / 1000))


def min_max(values: np.ndarray) -> np.ndarray:
    """sklearn's ``MinMaxScaler(feature_range=(0, 1))`` on one column."""
    low, high = values.min(), values.max()
    return (values - low) / (high - low)


def windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Row t: the ``window`` values before t (oldest first) -> the value at t, for every t
    with a full window: the source's shift/reverse/dropna."""
    n = len(series) - window
    index = np.arange(n)[:, None] + np.arange(window)
    return series[index], series[window:]


def sine_data(seed: int, horizon: int = SHORT_HORIZON, train_windows: int = N_TRAIN) -> CaseData:
    """Train on the first 80% of the windows, judge on the last 20% (no shuffling).

    The series is fixed; ``seed`` is accepted for the contract and unused. ``horizon`` is
    how many steps the recursive forecast runs over the test span; ``train_windows`` < 5,109
    keeps only the first windows of the training split (the series repeats every 100 steps,
    so any 100 consecutive windows already hold every window shape there is)."""
    x, y = windows(min_max(sine_series()), WINDOW)
    x = x.reshape(-1, WINDOW, 1).astype("float32")
    y = y.reshape(-1, 1).astype("float32")
    if not SHORT_HORIZON <= horizon <= N_TEST:
        raise ValueError(f"horizon must be in [{SHORT_HORIZON}, {N_TEST}], got {horizon}")
    if not PERIOD <= train_windows <= N_TRAIN:
        raise ValueError(f"train_windows must be in [{PERIOD}, {N_TRAIN}], got {train_windows}")
    return CaseData(
        x=x[:train_windows],
        y=y[:train_windows],
        extras={"test_x": x[N_TRAIN:], "test_y": y[N_TRAIN:], "horizon": horizon},
    )


# --------------------------------------------------------------------------- models


def source_rmse(y_true: Any, y_pred: Any) -> Any:
    """Source 002's ``rmse``: per sample, over the last axis (one value: the absolute error).

    Not trained on: its gradient is NaN where a prediction equals its target exactly, and
    here that happens (the relu output is exactly 0 where it is cut off, and MinMax maps
    every trough of the sine to exactly 0: 51 of the 5,109 training targets). Trained on it, the stacked
    model's weights turn NaN within 3 epochs (2 seeds of 2 on TF 2.21 and on TF 2.15)."""
    ops = compat.ops()
    return ops.sqrt(ops.mean(ops.square(y_pred - y_true), axis=-1))


SQRT_EPSILON = 1e-12  # an error below 1e-6 loses its gradient, instead of making it NaN


def rmse_loss(y_true: Any, y_pred: Any) -> Any:
    """``source_rmse`` with ``SQRT_EPSILON`` under the root: the same value to within 1e-6
    and a finite gradient at a zero error."""
    ops = compat.ops()
    return ops.sqrt(ops.mean(ops.square(y_pred - y_true), axis=-1) + SQRT_EPSILON)


def simple_model(data: CaseData, recipe: Recipe) -> Any:
    """Source 002 ``simpleLSTM``: LSTM(128, go_backwards=True) -> Dropout(0.2) -> Dense(1, relu)."""
    k = compat.keras()
    model = k.Sequential(
        [
            k.Input(shape=(None, 1)),  # Source: input_shape=(None, 1)
            k.layers.LSTM(128, go_backwards=True),
            k.layers.Dropout(0.2),
            k.layers.Dense(1, activation="relu"),
        ]
    )
    return compile_model(model, recipe, "mse", len(data.x))


def stacked_model(data: CaseData, recipe: Recipe, stacked: int = 3, hidden: int = 32, dropout: float = 0.05) -> Any:
    """Source 002 ``simpleStackedLSTM``: 3 x (LSTM(32, return_sequences) -> Dropout(0.05)),
    LSTM(32) -> Dropout(0.05), Dense(1, relu), trained on ``rmse_loss`` (the source's ``rmse``)."""
    k = compat.keras()
    layers: list[Any] = [k.Input(shape=(None, 1))]
    for _ in range(stacked):
        layers += [k.layers.LSTM(hidden, return_sequences=True), k.layers.Dropout(dropout)]
    layers += [k.layers.LSTM(hidden), k.layers.Dropout(dropout), k.layers.Dense(1, activation="relu")]
    return compile_model(k.Sequential(layers), recipe, rmse_loss, len(data.x))


# --------------------------------------------------------------------------- evaluation


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")))))


def swing_ratio(forecast: np.ndarray, truth: np.ndarray) -> float:
    """How far the forecast swings against the truth: the ratio of their standard deviations (0 for a
    flat forecast, dead or constant; about 1 for a sine of the right amplitude, in phase or not)."""
    return float(np.std(np.asarray(forecast, dtype="float64")) / np.std(np.asarray(truth, dtype="float64")))


def dominant_period(series: np.ndarray) -> float:
    """The period, in steps, of the series's strongest frequency (0 for a flat series)."""
    centred = np.asarray(series, dtype="float64") - np.mean(series)
    padded = 64 * len(centred)  # zero-padding: a frequency grid fine enough to tell a period of 100 from 98
    power = np.abs(np.fft.rfft(centred, n=padded)) ** 2
    if not np.any(power[1:] > 1e-12 * len(centred)):
        return 0.0
    return padded / int(np.argmax(power[1:]) + 1)


def recursive_forecast(model: Any, first_window: np.ndarray, steps: int) -> np.ndarray:
    """Source 002 2.2.5: predict from the first test window, then slide the window and feed
    each prediction back as the newest value."""
    window = np.asarray(first_window, dtype="float32").reshape(1, -1, 1)
    predict = compat.compiled_forward(model, window.shape)
    out = np.empty(steps, dtype="float32")
    for i in range(steps):
        value = float(predict(window)[0, 0])
        out[i] = value
        window = np.concatenate([window[:, 1:], np.full((1, 1, 1), value, dtype="float32")], axis=1)
    return out


def sine_metrics(model: Any, data: CaseData) -> dict[str, Any]:
    """One-step errors on the test windows, the same for "repeat the last value", and the
    recursive forecast from the first test window over ``horizon`` steps, beside three forecasts that
    learned nothing: hold the last value (naive), the training targets' mean (constant), zero (dead)."""
    test_x, test_y, horizon = data.extras["test_x"], data.extras["test_y"], data.extras["horizon"]
    truth = test_y[:, 0].astype("float64")
    # One direct call: a first predict() would trace a new function (seconds, per seed).
    predicted = compat.forward(model, test_x)[:, 0].astype("float64")
    naive = test_x[:, -1, 0].astype("float64")  # repeat the last value of each window
    forecast = recursive_forecast(model, test_x[0], horizon).astype("float64")
    flat = np.full(horizon, test_x[0, -1, 0], dtype="float64")  # the naive forecast: hold the last value
    mean = np.full(horizon, float(np.mean(data.y)), dtype="float64")  # a constant: the training targets' mean
    dead = np.zeros(horizon, dtype="float64")  # what a dead relu output forecasts
    rmse, naive_rmse = _rmse(predicted, truth), _rmse(naive, truth)
    metrics: dict[str, Any] = {
        "test_mse": rmse**2,
        "test_rmse": rmse,
        "test_mae": float(np.mean(np.abs(predicted - truth))),  # what the source printed as "rmse"
        "naive_rmse": naive_rmse,
        "rmse_ratio_vs_naive": rmse / naive_rmse,
        # the relu output stuck at 0 on every test window: training never took off
        "output_dead": float(np.all(predicted == 0)),
    }
    baselines = {"naive": flat, "constant": mean, "dead": dead}
    for steps in FORECAST_HORIZONS:
        metrics[f"forecast_rmse_{steps}"] = _rmse(forecast[:steps], truth[:steps])
        for name, baseline in baselines.items():
            metrics[f"{name}_forecast_rmse_{steps}"] = _rmse(baseline[:steps], truth[:steps])
    if horizon == N_TEST:
        metrics["forecast_rmse_span"] = _rmse(forecast, truth)
        # whether the forecast still oscillates like the sine, whatever its phase: an RMSE cannot tell
        metrics["forecast_swing_span"] = swing_ratio(forecast, truth)
        metrics["forecast_period_span"] = dominant_period(forecast)
        for name, baseline in baselines.items():
            metrics[f"{name}_forecast_rmse_span"] = _rmse(baseline, truth)
    metrics["forecast"] = [float(v) for v in forecast]
    metrics["truth"] = [float(v) for v in truth[:horizon]]
    return metrics


# --------------------------------------------------------------------------- recipes

# Source: 002 "lstm.fit(x_test, y_test, epochs=300, batch_size=64, ..., shuffle=False)" with
# optimizer="Nadam" (Keras 2.2: learning rate 0.002). The stacked model's fit is not shown;
# it is taken to be the same call. Trained here on the training split (see the module doc).
SOURCE_RECIPE = Recipe(
    epochs=300,
    batch_size=64,
    optimizer="nadam",
    learning_rate=0.002,
    shuffle=False,
    fast_input=True,
    data={"horizon": N_TEST},
)
QUICK_WINDOWS = 1024


def quick_recipe(epochs: int, learning_rate: float, epochs_per_pass: int) -> Recipe:
    return Recipe(
        epochs=epochs,
        batch_size=64,
        optimizer="nadam",
        learning_rate=learning_rate,
        lr_schedule="cosine",
        shuffle=True,
        fast_input=True,
        epochs_per_pass=epochs_per_pass,
        data={"horizon": SHORT_HORIZON, "train_windows": QUICK_WINDOWS},
        changes=(
            f"{epochs} epochs over the first {QUICK_WINDOWS:,} training windows (10 of the 51 periods; the "
            "series repeats every 100 steps, so no window shape is left out), shuffled, "
            f"Nadam({learning_rate:g}) decayed to 0 on a cosine, instead of 300 unshuffled epochs over "
            "5,109 windows at a constant 0.002: "
            f"{epochs * -(-QUICK_WINDOWS // 64)} updates instead of 24,000. Why: the quick budget. At a "
            "constant rate the one-step error of this model swings from epoch to epoch (test RMSE "
            "0.004-0.034 between successive epochs at 0.002), so a short run would be judged wherever the "
            "swing leaves it; the decay ends training on settled weights. The recursive forecast runs "
            f"over one period ({SHORT_HORIZON} steps) instead of the whole test span."
        ),
    )


# --------------------------------------------------------------------------- cases

# Full thresholds of sine_simple: set from seeds 0-19 of TF 2.21 (measurement file); sine_stacked's are one
# seed's, transcribed, until its campaign ends. 3 of 5 seeds where a seed can miss for a reason of its own.
_LSTM_128, _DENSE_128 = 4 * 128 * (1 + 128 + 1), 128 + 1  # 66,560 and 129
_LSTM_32_IN_1, _LSTM_32_IN_32, _DENSE_32 = 4 * 32 * (1 + 32 + 1), 4 * 32 * (32 + 32 + 1), 32 + 1
_NAIVE = "the naive one-step RMSE is 0.0222 on the same windows"
# A whole-span forecast below the dead model's (0 everywhere) and holding the last value's RMSEs by a margin
_STILL_OSCILLATES = AtMost(0.58, min_fraction=3 / 5)
# The source's whole-span forecast: the suite finds it drifting out of phase (notes).
_DRIFTS = ExpectedFailure(
    reason=(
        "over the whole 1,278-step test span the recursive forecast keeps the sine's amplitude but not its "
        "period and drifts out of phase: RMSE 0.12-0.52 (simple, full, seeds 0-19, TF 2.21; median 0.46) and "
        "0.43-0.57 (stacked, seeds 0-3), worse than the constant mean's 0.354 on most seeds; holding the last "
        "value scores 0.604 and a dead output 0.609, which the floor keeps out"
    ),
    floor=_STILL_OSCILLATES,
)
# The source prints one run's test MSE; the suite reads 'near' as within a factor of 2 in MSE on 3 of 5 seeds.
_SOURCE_MSE_SOME_RUNS = ExpectedFailure(
    reason=(
        "the source's test MSE of 3.0e-05 (RMSE 0.0055) is one run's: over seeds 0-19 of its recipe (TF 2.21) "
        "the median RMSE is 0.0071 and a run's 5-seed median ranges 0.0065-0.0111, so a run comes within a "
        "factor of 2 of the source's MSE on some runs only; not judged, with the measured band as its floor"
    ),
    profile="full",
    strict=False,
    floor=AtMost(0.013, min_fraction=3 / 5),
)


def _whole_span_claim(source_figure: str) -> Claim:
    return Claim(
        id="whole_span_follows",
        text="fed its own predictions over the whole 1,278-step test span, the forecast follows the sine",
        source_figure=source_figure,
        metric="forecast_rmse_span",
        rules={"full": AtMost(0.25)},
        measured_on={"full": (TF221,)},
        expected_failures=(_DRIFTS,),
        unjudged=_SPAN_UNJUDGED,
    )


_SPAN_PLOT = "a plot over the 1,278-step test span: 'the result came out surprisingly well'"
_SPAN_UNJUDGED = "quick: its forecast covers one period (forecast_follows); the whole span is the source recipe's"
# What the whole-span RMSE cannot tell (it scores a sine out of phase worse than a constant): that the
# forecast still oscillates like the sine. A flat forecast (a dead output, a constant, the last value held)
# has swing 0 and period 0; set from seeds 10-19 of TF 2.21, the first that recorded them.
_OSCILLATION_CLAIMS = (
    Claim(
        id="whole_span_swings",
        text=(
            "fed its own predictions over the whole 1,278-step test span, the forecast keeps swinging as "
            "widely as the sine, in phase or not: its standard deviation over the sine's"
        ),
        source_figure=_SPAN_PLOT,
        metric="forecast_swing_span",
        rules={"full": MedianInBand(0.5, 1.5)},
        measured_on={"full": (TF221,)},
        unjudged=_SPAN_UNJUDGED,
    ),
    Claim(
        id="whole_span_period",
        text=(
            "over the same span the forecast oscillates at the sine's period of 100 steps, within a quarter: "
            "its strongest period in steps"
        ),
        source_figure=_SPAN_PLOT,
        metric="forecast_period_span",
        rules={"full": MedianInBand(75, 125)},
        measured_on={"full": (TF221,)},
        unjudged=_SPAN_UNJUDGED,
    ),
)


def _expected(total: int, layers: dict[str, int]) -> dict[str, Expected]:
    return {
        "full": Expected((N_TRAIN, WINDOW, 1), (N_TRAIN, 1), total, layers),
        "quick": Expected((QUICK_WINDOWS, WINDOW, 1), (QUICK_WINDOWS, 1), total, layers),
    }


SINE_SIMPLE = Case(
    id="sine_simple",
    family="sine_wave",
    source="seed 002 section 2.3 'simple LSTM' (simpleLSTM)",
    make_data=sine_data,
    build_model=simple_model,
    evaluate=sine_metrics,
    recipes={"full": SOURCE_RECIPE, "quick": quick_recipe(15, 0.005, 5)},
    # Source: 002 "Total params: 66,689"
    expected=_expected(66_689, {"LSTM": _LSTM_128, "Dropout": 0, "Dense": _DENSE_128}),
    claims=(
        Claim(
            id="one_step_rmse",
            text="one step ahead, the simple LSTM predicts the scaled sine to within a small RMSE",
            source_figure="test MSE 3.0e-05 (RMSE 0.0055); its printed 'rmse' 0.0049 is a mean absolute error",
            metric="test_rmse",
            # quick: a few seeds in a hundred miss, some with the ReLU output dead (docs/findings.md): 2 of 3 seeds;
            # full: the source's figure as written, RMSE within sqrt(2) of 0.0055 (MSE within a factor of 2)
            rules={"full": AtMost(0.0078, min_fraction=3 / 5), "quick": AtMost(0.015, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
            expected_failures=(_SOURCE_MSE_SOME_RUNS,),
        ),
        Claim(
            id="beats_naive",
            text="its one-step forecast beats repeating the last value: RMSE ratio on the same test windows",
            source_figure=f"not in the source (it gives no baseline); {_NAIVE}",
            metric="rmse_ratio_vs_naive",
            # quick: a few seeds in a hundred miss, some with the ReLU output dead (docs/findings.md): 2 of 3 seeds
            rules={"full": AtMost(0.6, min_fraction=3 / 5), "quick": AtMost(0.6, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
        ),
        Claim(
            id="forecast_follows",
            text=(
                "fed its own predictions from the first test window, the forecast stays close to the sine "
                f"over one period ({SHORT_HORIZON} steps): RMSE over those steps"
            ),
            source_figure=_SPAN_PLOT,
            metric="forecast_rmse_100",
            # the forecast drifts more than the source's plot suggests: the rule is its measured band, 29% below
            # the constant mean's 0.354; 2 of 3 seeds (3 of 5), as for one_step_rmse
            rules={"full": AtMost(0.25, min_fraction=3 / 5), "quick": AtMost(0.25, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
        ),
        _whole_span_claim(_SPAN_PLOT),
        *_OSCILLATION_CLAIMS,
    ),
    notes=(
        "Dense(1, relu) output: on 6 of 20 seeds (TF 2.21) it outputs exactly 0 for every window at "
        "initialisation; the simple model recovered on all 10 quick seeds on both stacks (metric output_dead). "
        "The source's printed training log (loss flat at 0.3750 = mean of y^2 for 100 epochs) is such a dead run. "
        "Over the whole test span the recursive forecast does not stay on the curve (full, seed 0: RMSE 0.47, "
        "holding the last value 0.60): it keeps the sine's amplitude (0 to 1.08) but its period is slightly off, "
        "so it drifts out of phase (RMSE 0.75 around step 650) and back (0.12 around step 1,150). The source's "
        "'surprisingly good' plot may be this shape; its whole-span claim is not judged here."
    ),
)

SINE_STACKED = Case(
    id="sine_stacked",
    family="sine_wave",
    source="seed 002 section 3.1 'simple Stacked LSTM' (simpleStackedLSTM)",
    make_data=sine_data,
    build_model=stacked_model,
    evaluate=sine_metrics,
    recipes={"full": SOURCE_RECIPE, "quick": quick_recipe(12, 0.008, 6)},
    expected=_expected(  # Source: 002 "Total params: 29,345"
        29_345, {"LSTM": _LSTM_32_IN_1 + 3 * _LSTM_32_IN_32, "Dropout": 0, "Dense": _DENSE_32}
    ),
    claims=(
        Claim(
            id="one_step_mae",
            text=("one step ahead, the stacked LSTM's mean absolute error (what its 'rmse' loss computes) is small"),
            source_figure="loss 0.0109 on its test split (the per-sample 'rmse': a mean absolute error)",
            metric="test_mae",
            # 2 of 3 seeds in every stacked rule: the relu output can die for good (notes), failing every claim
            rules={"full": AtMost(0.012, min_fraction=2 / 3), "quick": AtMost(0.012, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
        ),
        Claim(
            id="beats_naive",
            text="its one-step forecast beats repeating the last value: RMSE ratio on the same test windows",
            source_figure=f"not in the source (it gives no baseline); {_NAIVE}",
            metric="rmse_ratio_vs_naive",
            rules={"full": AtMost(0.5, min_fraction=2 / 3), "quick": AtMost(0.7, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
        ),
        Claim(
            id="forecast_follows",
            text=(
                "fed its own predictions from the first test window, the forecast stays close to the sine "
                f"over one period ({SHORT_HORIZON} steps): RMSE over those steps"
            ),
            source_figure="a forecast plot over the 1,278-step test span, no figure",
            metric="forecast_rmse_100",
            rules={"full": AtMost(0.25, min_fraction=2 / 3), "quick": AtMost(0.25, min_fraction=2 / 3)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
        ),
        _whole_span_claim("a forecast plot over the 1,278-step test span, no figure"),
    ),
    notes=(
        "Dense(1, relu) output: it outputs exactly 0 for every window at initialisation on 10 of 20 seeds "
        "(TF 2.21; 11 of 20 on TF 2.15), and on some seeds training never revives it: quick, 2 of 10 seeds on "
        "TF 2.21 (1 and 4), 0 of 10 on TF 2.15 (metric output_dead). The source's stacked fit call is not "
        "shown; the full recipe assumes the simple model's. Over the whole test span the forecast drifts out "
        "of phase as the simple model's does (full, seed 0: RMSE 0.57, holding the last value 0.60)."
    ),
)

CASES = (SINE_SIMPLE, SINE_STACKED)
