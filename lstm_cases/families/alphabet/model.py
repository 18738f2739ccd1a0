"""The alphabet family's data, models and evaluation (seeds 000 and 003)."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from lstm_cases import compat
from lstm_cases.core import CaseData, Recipe, compile_model

ALPHABET = string.ascii_uppercase
N_CLASSES = len(ALPHABET)  # Source: 000 "y = np_utils.to_categorical(dataY)" -> (25, 26)
SCALE = float(len(ALPHABET))  # Source: 000 "X = X / float(len(alphabet))"
VARIABLE_MAX_LEN = 5  # Source: 000 section 6 "max_len = 5"
VARIABLE_SAMPLES = 1000  # Source: 000 section 6 "num_inputs = 1000"

# Parameter counts: LSTM 4*u*(f+u+1), Dense(26) u*26+26.
DENSE_32, DENSE_16, DENSE_50 = 32 * 26 + 26, 16 * 26 + 26, 50 * 26 + 26


# --------------------------------------------------------------------------- data builders


def letter_windows(seq_length: int) -> tuple[list[list[int]], list[int]]:
    """Source 000: every run of ``seq_length`` letters -> the letter after it."""
    data_x = [list(range(i, i + seq_length)) for i in range(len(ALPHABET) - seq_length)]
    data_y = [i + seq_length for i in range(len(ALPHABET) - seq_length)]
    return data_x, data_y


def window_data(seed: int, seq_length: int, as_timesteps: bool) -> CaseData:
    """(samples, seq_length, 1) when the letters are time steps, else (samples, 1, seq_length).

    The windows are fixed; ``seed`` is accepted for the contract and unused."""
    data_x, data_y = letter_windows(seq_length)
    shape = (len(data_x), seq_length, 1) if as_timesteps else (len(data_x), 1, seq_length)
    x = np.reshape(np.asarray(data_x, dtype="float32"), shape) / SCALE
    return CaseData(x=x, y=compat.to_categorical(data_y, N_CLASSES), extras={"data_x": data_x})


def variable_length_sequences(rng: np.random.Generator, n: int) -> tuple[list[list[int]], list[int]]:
    """Source 000 section 6: a random start, a run of 1..5 letters, the next letter."""
    data_x, data_y = [], []
    for _ in range(n):
        start = int(rng.integers(len(ALPHABET) - 2))
        end = int(rng.integers(start, min(start + VARIABLE_MAX_LEN, len(ALPHABET) - 1)))
        data_x.append(list(range(start, end + 1)))
        data_y.append(end + 1)
    return data_x, data_y


def all_prefixes() -> tuple[list[list[int]], list[int]]:
    """Every sequence the source's sampler can draw (114 of them), for the prefix claim."""
    data_x, data_y = [], []
    for start in range(len(ALPHABET) - 2):
        for end in range(start, min(start + VARIABLE_MAX_LEN, len(ALPHABET) - 1)):
            data_x.append(list(range(start, end + 1)))
            data_y.append(end + 1)
    return data_x, data_y


def _padded(data_x: list[list[int]]) -> np.ndarray:
    # Left zero-padding, as pad_sequences does by default. Note: "A" is also 0, as in the source.
    padded = compat.pad_sequences(data_x, maxlen=VARIABLE_MAX_LEN, dtype="float32")
    return np.reshape(padded, (len(data_x), VARIABLE_MAX_LEN, 1)) / SCALE


def variable_length_data(seed: int) -> CaseData:
    data_x, data_y = variable_length_sequences(np.random.default_rng(seed), VARIABLE_SAMPLES)
    prefix_x, prefix_y = all_prefixes()
    return CaseData(
        x=_padded(data_x),
        y=compat.to_categorical(data_y, N_CLASSES),
        extras={
            "data_x": data_x,
            "prefix_x": _padded(prefix_x),
            "prefix_y": np.asarray(prefix_y),
            "prefix_lengths": np.asarray([len(p) for p in prefix_x]),
        },
    )


# --------------------------------------------------------------------------- model builders


def stateless_model(data: CaseData, recipe: Recipe, units: int) -> Any:
    k = compat.keras()
    model = k.Sequential(
        [
            k.Input(shape=data.x.shape[1:]),
            k.layers.LSTM(units),
            k.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    )
    return compile_model(model, recipe, "categorical_crossentropy", len(data.x), ["accuracy"])


def non_recurrent_model(data: CaseData, recipe: Recipe, units: int) -> Any:
    """The LSTM swapped for a layer without recurrence: the window's letters flattened into one Dense layer
    of the same width (tanh, as the LSTM's output), then the same softmax."""
    k = compat.keras()
    model = k.Sequential(
        [
            k.Input(shape=data.x.shape[1:]),
            k.layers.Flatten(),
            k.layers.Dense(units, activation="tanh"),
            k.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    )
    return compile_model(model, recipe, "categorical_crossentropy", len(data.x), ["accuracy"])


STATEFUL_BATCH = 1  # Source: 000 section 5 "batch_size = 1"


def stateful_model(data: CaseData, recipe: Recipe, units: int) -> Any:
    k = compat.keras()
    model = k.Sequential(
        [
            compat.stateful_input(STATEFUL_BATCH, *data.x.shape[1:]),
            k.layers.LSTM(units, stateful=True),
            k.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    )
    return compile_model(model, recipe, "categorical_crossentropy", len(data.x), ["accuracy"])


# --------------------------------------------------------------------------- evaluation


def _argmax(model: Any, x: np.ndarray) -> np.ndarray:
    # A direct call, not predict(): one forward pass without predict's per-call tracing.
    return np.argmax(compat.forward(model, x), axis=-1)


def train_set_accuracy(model: Any, data: CaseData) -> dict[str, Any]:
    predicted = _argmax(model, data.x)
    return {"accuracy": float(np.mean(predicted == np.argmax(data.y, axis=-1)))}


def variable_length_metrics(model: Any, data: CaseData) -> dict[str, Any]:
    metrics = train_set_accuracy(model, data)
    predicted = _argmax(model, data.extras["prefix_x"])
    right = predicted == data.extras["prefix_y"]
    metrics["prefix_accuracy"] = float(np.mean(right))
    lengths = data.extras["prefix_lengths"]
    metrics["prefix_accuracy_len2to5"] = float(np.mean(right[lengths >= 2]))
    for n in range(1, VARIABLE_MAX_LEN + 1):
        metrics[f"prefix_accuracy_len{n}"] = float(np.mean(right[lengths == n]))
    return metrics


def _step(model: Any, letter: int) -> int:
    x = np.full((STATEFUL_BATCH, 1, 1), letter / SCALE, dtype="float32")
    return int(_argmax(model, x)[0])


def _walk(model: Any, start: int, steps: int) -> list[tuple[int, int]]:
    """Source 000 section 5: feed a letter, then feed back each prediction."""
    pairs, letter = [], start
    for _ in range(steps):
        predicted = _step(model, letter)
        pairs.append((letter, predicted))
        letter = predicted
    return pairs


def stateful_metrics(model: Any, data: CaseData) -> dict[str, Any]:
    compat.reset_states(model)
    # A..Y in order, one sample per call, state carried (as evaluate(batch_size=1) does)
    predicted = np.concatenate([_argmax(model, data.x[i : i + STATEFUL_BATCH]) for i in range(len(data.x))])
    accuracy = float(np.mean(predicted == np.argmax(data.y, axis=-1)))
    compat.reset_states(model)
    walk = _walk(model, 0, len(ALPHABET) - 1)  # A -> B ... Y -> Z from a reset state
    compat.reset_states(model)
    k_walk = _walk(model, ALPHABET.index("K"), 5)  # the source's "New start: K"
    compat.reset_states(model)

    def text(pairs: list[tuple[int, int]]) -> str:
        return ", ".join(f"{ALPHABET[a]}->{ALPHABET[b] if b < N_CLASSES else '?'}" for a, b in pairs)

    return {
        "accuracy": accuracy,
        "walk_correct_steps": float(sum(b == a + 1 for a, b in walk)),
        "k_start_correct_steps": float(sum(b == a + 1 for a, b in k_walk)),
        "k_start_first_correct": float(k_walk[0][1] == k_walk[0][0] + 1),
        # the source's "K->B": seeded with K after a reset, the model answers as from A
        "k_start_answers_b": float(k_walk[0][1] == ALPHABET.index("B")),
        "walk_from_a": text(walk),
        "walk_from_k": text(k_walk),
    }
