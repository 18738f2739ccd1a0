"""The source's pipeline and model (seed 004 parts 2-3): tokenise, look every token up in the
word vectors, drop the unknown ones (or map them to one UNK vector), truncate or zero-pad to
``maxlen``, split 80/20; then LSTM(50) (or SimpleRNN(50)) -> Dropout -> Flatten -> Dense(1)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_cases import compat, textdata
from lstm_cases.core import CaseData, Recipe, compile_model
from lstm_cases.record import costs

UNITS = 50  # Source: 004 "num_neurons = 50"
SOURCE_DIMS = 300  # Source: 004 "embedding_dims = 300" (GoogleNews vectors)
SOURCE_MAXLEN = 400  # Source: 004 "maxlen = 400"
SHORT_MAXLEN = 200  # Source: 004 section 3.1 "maxlen = 200"
VECTOR_LIMIT = 200_000  # Source: 004 "load_word2vec_format(..., binary=True, limit=200000)"
TRAIN_FRACTION = 0.8  # Source: 004 "split_point = int(len(vectorized_data)*.8)"
DROPOUT = 0.2  # Source: 004 "Dropout(.2)"


def recurrent_params(cell: str, dims: int, units: int = UNITS) -> int:
    """LSTM: 4 gates x units x (inputs + units + 1); SimpleRNN: one such block."""
    return (4 if cell == "LSTM" else 1) * units * (dims + units + 1)


def dense_params(maxlen: int, units: int = UNITS) -> int:
    return maxlen * units + 1  # Flatten -> Dense(1)


# --------------------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class Encoded:
    """Reviews as indices into ``vectors`` (-1: a token the vectors lack), with labels."""

    labels: np.ndarray  # (n,) 0/1
    ids: tuple[np.ndarray, ...]  # per review, one int32 per token
    vectors: np.ndarray  # (vocabulary, dims) float32
    negation: np.ndarray | None = None  # generated corpus only: how the review's cue is negated (corpus codes)

    def take(self, index: np.ndarray) -> Encoded:
        return Encoded(
            labels=self.labels[index],
            ids=tuple(self.ids[i] for i in index),
            vectors=self.vectors,
            negation=None if self.negation is None else self.negation[index],
        )


def encode(samples: list[tuple[int, str]], kv: Any) -> Encoded:
    """Source: 004 ``tokenize_and_vectorize``: tokenise, then look each token up."""
    lookup = kv.key_to_index
    ids = tuple(
        np.fromiter((lookup.get(t, -1) for t in textdata.tokenize(text)), dtype=np.int32) for _, text in samples
    )
    return Encoded(
        labels=np.asarray([label for label, _ in samples], dtype=np.int64),
        ids=ids,
        vectors=np.asarray(kv.vectors, dtype="float32"),
    )


def unk_vector(vectors: np.ndarray) -> np.ndarray:
    """One vector for every unknown token, "as far from the known vectors as possible"
    (source 004 section 3.2): opposite the centroid of the unit-length known vectors, with
    their mean length."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    centroid = (vectors / np.maximum(norms, 1e-12)).mean(axis=0)
    direction = -centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    return (direction * float(norms.mean())).astype("float32")


def kept_ids(ids: np.ndarray, unknown: str, unk_index: int) -> np.ndarray:
    """``drop``: unknown tokens vanish (the source); ``unk``: each becomes the UNK vector."""
    if unknown == "drop":
        return ids[ids >= 0]
    if unknown == "unk":
        return np.where(ids >= 0, ids, unk_index)
    raise ValueError(f"unknown-token policy must be 'drop' or 'unk', got {unknown!r}")


def pad_trunc(encoded: Encoded, maxlen: int, unknown: str) -> tuple[np.ndarray, np.ndarray]:
    """Source: 004 ``pad_trunc``: keep the first ``maxlen`` vectors, zero vectors after the
    text. Returns (x of shape (n, maxlen, dims), the kept length of every review)."""
    dims = encoded.vectors.shape[1]
    unk_index, pad_index = len(encoded.vectors), len(encoded.vectors) + 1
    table = np.vstack([encoded.vectors, unk_vector(encoded.vectors), np.zeros((1, dims), "float32")])
    index = np.full((len(encoded.ids), maxlen), pad_index, dtype=np.int64)
    lengths = np.zeros(len(encoded.ids), dtype=np.int64)
    for row, ids in enumerate(encoded.ids):
        kept = kept_ids(ids, unknown, unk_index)
        lengths[row] = len(kept)
        index[row, : min(len(kept), maxlen)] = kept[:maxlen]
    return table[index], lengths


def split(encoded: Encoded, seed: int) -> tuple[Encoded, Encoded]:
    """Source: 004 ``shuffle(dataset)`` then the first 80% for training; here the shuffle is
    a permutation drawn from ``seed``."""
    order = np.random.default_rng(seed).permutation(len(encoded.labels))
    cut = int(len(order) * TRAIN_FRACTION)
    return encoded.take(order[:cut]), encoded.take(order[cut:])


def case_data(train: Encoded, heldout: Encoded, maxlen: int, unknown: str, step_batch: int = 0) -> CaseData:
    """The case's arrays; ``step_batch`` (0: ``STEP_BATCH``): the reviews of a timed training step
    (``step_time_ratio_to_half_maxlen``)."""
    x, train_lengths = pad_trunc(train, maxlen, unknown)
    x_heldout, heldout_lengths = pad_trunc(heldout, maxlen, unknown)
    lengths = np.concatenate([train_lengths, heldout_lengths])
    counts = np.bincount(train.labels, minlength=2)
    majority_label = int(np.argmax(counts))
    extras: dict[str, Any] = {
        "x_heldout": x_heldout,
        "y_heldout": heldout.labels.astype("float32"),
        # The majority-class baseline: the training split's majority label, on held-out data.
        "majority_baseline": float(np.mean(heldout.labels == majority_label)),
        "length_stats": textdata.length_stats(lengths, maxlen),
        "unknown_fraction": _unknown_fraction(train, heldout),
        "step_batch": step_batch or STEP_BATCH,
    }
    if heldout.negation is not None:
        extras["negation_heldout"] = heldout.negation
    return CaseData(x=x, y=train.labels.astype("float32")[:, None], extras=extras)


def _unknown_fraction(*parts: Encoded) -> float:
    ids = np.concatenate([i for part in parts for i in part.ids])
    return float(np.mean(ids < 0)) if len(ids) else 0.0


# --------------------------------------------------------------------------- model


def sentiment_model(maxlen: int, dims: int, cell: str = "LSTM") -> Any:
    """Source: 004 section 2.4 (LSTM); the SimpleRNN of its chapter 8 has the same shape."""
    k = compat.keras()
    layer = {"LSTM": k.layers.LSTM, "SimpleRNN": k.layers.SimpleRNN}[cell]
    return k.Sequential(
        [
            k.Input(shape=(maxlen, dims)),
            layer(UNITS, return_sequences=True),
            k.layers.Dropout(DROPOUT),
            k.layers.Flatten(),
            k.layers.Dense(1, activation="sigmoid"),
        ]
    )


def build_model(data: CaseData, recipe: Recipe, cell: str) -> Any:
    model = sentiment_model(*data.x.shape[1:], cell=cell)
    return compile_model(model, recipe, "binary_crossentropy", len(data.x), ["accuracy"])


def evaluate(model: Any, data: CaseData, step_ratio_cell: str | None = None) -> dict[str, Any]:
    """Held-out accuracy against the majority-class baseline (and, on the generated corpus,
    on the reviews whose only cue is negated), plus the length statistics; with ``step_ratio_cell``
    (the model's recurrent layer), also ``HALF_MAXLEN_METRIC`` (timed training steps against the same
    network at half the maxlen: only where a claim reads it)."""
    x, y = data.extras["x_heldout"], data.extras["y_heldout"]
    predicted = np.asarray(model.predict(x, batch_size=256, verbose=0))[:, 0] > 0.5
    right = predicted == (y > 0.5)
    accuracy = float(np.mean(right))
    metrics: dict[str, Any] = {
        "accuracy": accuracy,
        "majority_baseline": data.extras["majority_baseline"],
        "accuracy_over_majority": accuracy - data.extras["majority_baseline"],
        "unknown_fraction": data.extras["unknown_fraction"],
        **data.extras["length_stats"],
    }
    negation = data.extras.get("negation_heldout")
    if negation is not None:
        metrics.update(negation_accuracies(right, negation))
    if step_ratio_cell is not None:  # last: its steps change the weights
        metrics[HALF_MAXLEN_METRIC] = step_time_ratio_to_half_maxlen(model, data, step_ratio_cell)
    return metrics


def negation_accuracies(right: np.ndarray, negation: np.ndarray) -> dict[str, float]:
    """Held-out accuracy by negation (the generated corpus's codes: 0 none, 1 "n't", 2 "not"):
    plain, every negated review, each written form, and the known form's lead over the unknown's
    (the vocabulary gap's cost, within one model and one held-out set). An empty group gives no value."""
    groups = {
        "plain_accuracy": negation == 0,
        "negated_accuracy": negation > 0,
        "negated_unknown_accuracy": negation == 1,
        "negated_known_accuracy": negation == 2,
    }
    metrics = {name: float(np.mean(right[mask])) for name, mask in groups.items() if mask.any()}
    if "negated_unknown_accuracy" in metrics and "negated_known_accuracy" in metrics:
        metrics["known_negation_lead"] = metrics["negated_known_accuracy"] - metrics["negated_unknown_accuracy"]
    return metrics


# A time ratio, not seconds: same_results and the reports treat "_time_ratio" metrics as timings.
HALF_MAXLEN_METRIC = "half_maxlen_step_time_ratio"
STEP_BATCH = 64  # reviews per timed step (the quick recipe's batch)
STEP_WARMUP, STEP_ROUNDS = 2, 15


_LAST_HALF_LENGTH_MODEL: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}


def _half_length_model(model: Any, half: int, dims: int, cell: str) -> Any:
    """The half-maxlen network, compiled with an optimizer like ``model``'s, at its first weights. Built
    once per process and shape and rewound for every later seed: the work of its steps does not depend
    on the weights, and a new model would trace its training step again."""
    optimizer = model.optimizer
    settings = sorted((k, v) for k, v in optimizer.get_config().items() if k != "name")  # a new one's name is new
    key = (half, dims, cell, str(model.loss), type(optimizer).__name__, repr(settings))
    if key not in _LAST_HALF_LENGTH_MODEL:
        _LAST_HALF_LENGTH_MODEL.clear()
        short = sentiment_model(half, dims, cell=cell)
        short.compile(loss=model.loss, optimizer=compat.optimizer_like(optimizer), metrics=["accuracy"])
        _LAST_HALF_LENGTH_MODEL[key] = (short, short.get_weights())
    short, first_weights = _LAST_HALF_LENGTH_MODEL[key]
    short.set_weights(first_weights)
    return short


def step_time_ratio_to_half_maxlen(model: Any, data: CaseData, cell: str) -> float:
    """How much longer a training step of ``model`` takes than one of the same network at half its
    maxlen: the median over ``STEP_ROUNDS`` rounds of (this step's seconds / the half-length step's),
    each round one step of each, back to back in this process, the order alternating (after
    ``STEP_WARMUP`` untimed steps of each). The half-length network (built once per process, at its first
    weights for every seed), compiled with an optimizer like the model's, trains on the same reviews cut
    to their first half (what ``pad_trunc`` keeps at that maxlen). Both sides of a round see the same
    moment of the machine, so other work slows both; two cases' steps timed minutes apart gave ratios
    that moved with the load."""
    batch = int(data.extras.get("step_batch", STEP_BATCH))
    x, y = np.asarray(data.x[:batch]), np.asarray(data.y[:batch])
    half = x.shape[1] // 2
    short = _half_length_model(model, half, x.shape[2], cell)
    x_short = x[:, :half]
    sides = (lambda: model.train_on_batch(x, y), lambda: short.train_on_batch(x_short, y))
    for _ in range(STEP_WARMUP):
        for call in sides:
            call()
    seconds: list[list[float]] = [[], []]
    for round_index in range(STEP_ROUNDS):
        for side in (0, 1) if round_index % 2 == 0 else (1, 0):
            start = time.perf_counter()
            sides[side]()
            seconds[side].append(time.perf_counter() - start)
    costs.measured(costs.TIMED_TRAINING, sum(seconds[0]) + sum(seconds[1]))  # timed steps a claim reads
    return float(np.median([a / b for a, b in zip(*seconds, strict=True)]))
