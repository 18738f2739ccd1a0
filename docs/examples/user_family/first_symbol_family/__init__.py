"""An example family from outside lstm-bench: a small LSTM of a user's own, checked beside the suite's cases.

The task: a sequence of ``LENGTH`` random symbols (one-hot, ``SYMBOLS`` kinds); the target is the first
one. Only a model that carries what it saw at the first step to the last can get it right; chance is
1 / SYMBOLS. The claim's threshold was set from the per-seed accuracies in ``measurements/``, written by
``lstm-bench measure --case first_symbol --seeds 10 --write`` (docs/adding-a-case.md in lstm-bench).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lstm_cases import compat
from lstm_cases.core import Case, CaseData, Claim, Expected, Recipe, compile_model
from lstm_cases.provenance import TF221
from lstm_cases.rules import AtLeast

MEASUREMENTS = Path(__file__).resolve().parent / "measurements"  # this family's measurement files

LENGTH, SYMBOLS, UNITS = 8, 4, 16
TRAIN, HELD_OUT = 512, 256


def first_symbol_data(seed: int, n: int = TRAIN) -> CaseData:
    """``n`` training sequences and ``HELD_OUT`` held-out ones, from the seed alone."""
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, SYMBOLS, size=(n + HELD_OUT, LENGTH))
    x = np.eye(SYMBOLS, dtype=np.float32)[symbols]
    y = symbols[:, 0]
    return CaseData(x=x[:n], y=y[:n], extras={"x_heldout": x[n:], "y_heldout": y[n:]})


def first_symbol_model(data: CaseData, recipe: Recipe) -> Any:
    keras = compat.keras()
    model = keras.Sequential(
        [
            keras.Input(shape=(LENGTH, SYMBOLS)),
            keras.layers.LSTM(UNITS),
            keras.layers.Dense(SYMBOLS, activation="softmax"),
        ]
    )
    return compile_model(model, recipe, "sparse_categorical_crossentropy", len(data.x), ["accuracy"])


def held_out_accuracy(model: Any, data: CaseData) -> dict[str, float]:
    predicted = np.argmax(model.predict(data.extras["x_heldout"], verbose=0), axis=1)
    return {"held_out_accuracy": float(np.mean(predicted == data.extras["y_heldout"]))}


RECIPE = Recipe(epochs=40, batch_size=32, learning_rate=0.01)
LSTM_PARAMS = 4 * UNITS * (SYMBOLS + UNITS + 1)

FIRST_SYMBOL = Case(
    id="first_symbol",
    family="first_symbol",
    source="example: a user's own LSTM (docs/adding-a-case.md)",
    make_data=first_symbol_data,
    build_model=first_symbol_model,
    evaluate=held_out_accuracy,
    recipes={"quick": RECIPE, "full": RECIPE},
    expected=Expected(
        input_shape=(TRAIN, LENGTH, SYMBOLS),
        target_shape=(TRAIN,),
        total_params=LSTM_PARAMS + UNITS * SYMBOLS + SYMBOLS,
        layer_params={"LSTM": LSTM_PARAMS, "Dense": UNITS * SYMBOLS + SYMBOLS},
        output_shape=(SYMBOLS,),
    ),
    claims=(
        Claim(
            id="remembers_the_first_symbol",
            text="an LSTM carries the first symbol through the sequence: held-out sequences get it right",
            source_figure="chance is 1 in 4",
            metric="held_out_accuracy",
            rules={"quick": AtLeast(0.9)},
            measured_on={"quick": (TF221,)},
            unjudged="full: the example has one recipe, judged in the quick profile",
        ),
    ),
)

CASES = (FIRST_SYMBOL,)
