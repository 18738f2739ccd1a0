"""Every Keras 2 / Keras 3 / backend difference the suite depends on, and nothing else.

Which Keras runs:
- ``TF_USE_LEGACY_KERAS=1``: tf_keras (Keras 2 on new TensorFlow).
- TensorFlow <= 2.15: ``tf.keras`` is Keras 2 (a bare ``import keras`` also is).
- TensorFlow >= 2.16 or no TensorFlow: ``import keras`` is Keras 3, backend from
  ``KERAS_BACKEND``.
"""

from __future__ import annotations

import os
import platform
import re
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

# Quieten TensorFlow's C++ start-up log before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@cache
def _tensorflow() -> Any | None:
    try:
        import tensorflow as tf
    except ImportError:
        return None
    return tf


@cache
def keras() -> Any:
    """The Keras module this stack trains with."""
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        import tf_keras

        return tf_keras
    tf = _tensorflow()
    if tf is not None and _version_tuple(tf.__version__) < (2, 16):
        return tf.keras
    import keras as keras3

    return keras3


def _version_tuple(version: str) -> tuple[int, ...]:
    """``"2.16.0rc1"`` -> (2, 16, 0): the leading numbers of a version, for comparisons."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def keras_major() -> int:
    return _version_tuple(keras_version())[0]


def keras_version() -> str:
    k = keras()
    version = getattr(k, "__version__", None) or getattr(k, "version", lambda: None)()
    if version is None:  # tf.keras on old TF exposes no __version__ of its own
        import keras as standalone

        version = standalone.__version__
    return str(version)


def backend() -> str:
    if keras_major() < 3:
        return "tensorflow"
    return str(keras().backend.backend())


def stack() -> dict[str, Any]:
    """The versions every result is stamped with."""
    tf = _tensorflow()
    return {
        "tensorflow_version": tf.__version__ if tf is not None else None,
        "keras_version": keras_version(),
        "keras_major": keras_major(),
        "backend": backend(),
        "legacy_keras": os.environ.get("TF_USE_LEGACY_KERAS") == "1",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }


def stack_label(info: dict[str, Any] | None = None) -> str:
    """Short label such as ``tf2.21/keras3/tensorflow`` (the reports' own, one definition)."""
    from lstm_cases.record.load import stack_label as label_of  # plain Python: no framework import

    return label_of(info or stack())


# --------------------------------------------------------------------------- seeding


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend in one call (the one place seeds are set)."""
    keras().utils.set_random_seed(seed)


# --------------------------------------------------------------------------- utilities


def to_categorical(labels: Any, num_classes: int) -> np.ndarray:
    return np.asarray(keras().utils.to_categorical(labels, num_classes=num_classes), dtype="float32")


def pad_sequences(sequences: Any, maxlen: int, dtype: str = "float32") -> np.ndarray:
    utils = keras().utils
    if hasattr(utils, "pad_sequences"):  # Keras 2.13+ and Keras 3
        return np.asarray(utils.pad_sequences(sequences, maxlen=maxlen, dtype=dtype))
    return np.asarray(  # Keras <= 2.12
        keras().preprocessing.sequence.pad_sequences(sequences, maxlen=maxlen, dtype=dtype)
    )


def optimizer_like(optimizer: Any) -> Any:
    """A new optimizer of the same class and settings (``get_config``/``from_config``, the same in Keras 2
    and 3): no slots, no step count."""
    return type(optimizer).from_config(optimizer.get_config())


def optimizer(name: str, learning_rate: float, cosine_decay_steps: int | None = None) -> Any:
    """Always by ``learning_rate=``: Keras 2 ignores ``lr=``; Keras 3 rejects it. With
    ``cosine_decay_steps`` the rate decays to 0 over that many updates (``CosineDecay``,
    the same class and arguments in Keras 2 and 3)."""
    optimizers = {
        "adam": "Adam",
        "rmsprop": "RMSprop",
        "nadam": "Nadam",
        "adagrad": "Adagrad",
        "sgd": "SGD",
    }
    if name not in optimizers:
        raise ValueError(f"unknown optimizer {name!r}; valid optimizers: {', '.join(optimizers)}")
    rate: Any = learning_rate
    if cosine_decay_steps:
        rate = keras().optimizers.schedules.CosineDecay(learning_rate, cosine_decay_steps)
    return getattr(keras().optimizers, optimizers[name])(learning_rate=rate)


# --------------------------------------------------------------------------- stateful RNNs


def stateful_input(batch_size: int, *shape: int) -> Any:
    """``batch_input_shape=`` is rejected by Keras 3; ``Input(batch_shape=)`` works on both."""
    return keras().Input(batch_shape=(batch_size, *shape))


def reset_states(model: Any) -> None:
    """Keras 2: ``Model.reset_states()``. Keras 3: no such method; reset each stateful RNN."""
    if keras_major() < 3:
        model.reset_states()
        return
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


def rewind_point(model: Any) -> Callable[[], None] | None:
    """A function that puts a compiled model back where it is now (every variable, the random seeds'
    state included, and its optimizer's state), so that it trains again from here through the same
    traced training function; None where the stack cannot. Keras 3: ``model.variables`` holds the
    seed generators too. Keras 2: dropout's random ops keep state no variable holds, so a second run
    would draw other masks."""
    if keras_major() < 3:
        return None
    if not model.optimizer.built:  # its slots exist from the start, so they rewind too
        model.optimizer.build(model.trainable_variables)
    saved = [(v, np.array(keras().ops.convert_to_numpy(v))) for v in [*model.variables, *model.optimizer.variables]]

    def rewind() -> None:
        for variable, value in saved:
            variable.assign(value)

    return rewind


def rnn_states(model: Any) -> list[np.ndarray]:
    """The carried states of the model's stateful RNN layers, as arrays (h and c of an LSTM)."""
    states = []
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            for state in layer.states:
                value = keras().ops.convert_to_numpy(state) if keras_major() >= 3 else state.numpy()
                states.append(np.asarray(value))
    return states


def step_counter() -> Any:
    """A callback that counts the training batches ``fit`` runs, in ``.count``."""

    class StepCounter(keras().callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.count += 1

    return StepCounter()


def reset_states_callback() -> Any:
    """A callback that resets the model's RNN states at the end of every epoch."""

    class ResetStates(keras().callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            reset_states(self.model)

    return ResetStates()


def epoch_clock() -> Any:
    """A callback that records each epoch's wall-clock seconds in ``.seconds``."""

    class EpochClock(keras().callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._start = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    return EpochClock()


# --------------------------------------------------------------------------- input pipeline


def epoch_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool, seed: int, repeat: int = 1
) -> Any | None:
    """A tf.data pipeline equal to ``repeat`` epochs of ``fit(x, y, batch_size, shuffle)``'s
    batches, or None where tf.data is unavailable (a Keras 3 stack without TensorFlow)."""
    tf = _tensorflow()
    if tf is None:
        return None
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:  # a full-size buffer gives a uniform permutation each epoch, as fit does
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    # Batch before repeat: no batch straddles two epochs. When the batches divide the data
    # evenly, dropping the (empty) remainder gives a static batch size, which stateful RNNs need.
    ds = ds.batch(batch_size, drop_remainder=len(x) % batch_size == 0)
    return ds.repeat(repeat) if repeat > 1 else ds


def forward(model: Any, x: Any) -> np.ndarray:
    """One direct ``model(x, training=False)`` call as a numpy array. On torch the output
    carries autograd state and ``np.asarray`` refuses it ("Can't call numpy() on Tensor that
    requires grad"); ``keras.ops.convert_to_numpy`` detaches it (Keras 3, every backend)."""
    out = model(x, training=False)
    if keras_major() >= 3:
        return np.asarray(keras().ops.convert_to_numpy(out))
    return np.asarray(out)


def compiled_forward(model: Any, batch_shape: tuple[int | None, ...] | None = None) -> Any:
    """``x -> model(x, training=False)`` as a numpy array, compiled once: for many small calls
    (sampling text one character at a time, a recursive forecast).

    On the TensorFlow backend (Keras 2 and 3): one ``tf.function`` (traced for ``batch_shape``
    when given), an order of magnitude or more faster per call than an eager ``model(x)``.
    Not ``predict_on_batch``: Keras 2's runs the compiled ``steps_per_execution`` loop and
    so reads past its one batch (OutOfRangeError) when the model was compiled with
    ``steps_per_execution`` > 1. Without TensorFlow (Keras 3 on JAX or torch)
    ``predict_on_batch``, which Keras 3 runs one step at a time."""
    tf = _tensorflow()
    if tf is None or backend() != "tensorflow":
        return lambda x: np.asarray(model.predict_on_batch(x))
    if batch_shape is None:
        call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    else:
        signature = [tf.TensorSpec(batch_shape, tf.float32)]
        call = tf.function(lambda x: model(x, training=False), input_signature=signature)
    return lambda x: np.asarray(call(np.asarray(x, dtype="float32")))


# Keras 3 before 3.7 on TensorFlow unrolls the steps of one execution as Python calls of
# ``iterator.get_next()``, and tf.data refuses more than 32 of them in one function ("An
# unusually high number of `tf.data.Iterator.get_next()` calls was detected"; keras-team/keras
# #20344, fixed in 3.7 by #20396). Seen here on TF 2.16 / Keras 3.3.
OLD_KERAS3_MAX_STEPS_PER_EXECUTION = 32


def compile_kwargs(steps_per_execution: int) -> dict[str, Any]:
    """``compile()`` arguments for running ``steps_per_execution`` batches per call (capped
    where the stack cannot do more; the epochs stay the same, only the calls get shorter).
    Keras 3 on torch allows only one ("`steps_per_execution` must be 1 with the PyTorch backend")."""
    if keras_major() >= 3 and backend() == "torch":
        return {}
    if _old_keras3_on_tensorflow():
        steps_per_execution = min(steps_per_execution, OLD_KERAS3_MAX_STEPS_PER_EXECUTION)
    return {"steps_per_execution": steps_per_execution} if steps_per_execution > 1 else {}


def _old_keras3_on_tensorflow() -> bool:
    return keras_major() >= 3 and backend() == "tensorflow" and _version_tuple(keras().__version__) < (3, 7)


def at_most_steps_per_execution(model: Any, steps: int) -> None:
    """Run at most ``steps`` batches per execution where ``fit`` over fewer batches than one execution
    fails: Keras 3 before 3.7 on TensorFlow ends such an epoch with no logs and a TypeError ("'NoneType'
    object is not iterable" in its trainer). Seen here on TF 2.16 / Keras 3.3; the same steps run."""
    if _old_keras3_on_tensorflow() and (model.steps_per_execution or 1) > steps:
        model.steps_per_execution = steps
        model.train_function = None  # rebuilt for the new count on the next fit


def single_step_execution(model: Any) -> None:
    """Back to one batch per execution for ``predict``/``evaluate`` after a fast-input fit.

    Keras 3 (TensorFlow backend) builds ``predict`` for ``steps_per_execution`` > 1 as a
    Python loop unrolled over that many batches (``multi_step_on_data`` in
    keras/src/backend/tensorflow/trainer.py): 32 unrolled copies of sine_stacked took 23 s to
    trace on the first ``predict``. Keras 2 loops in the graph, but keeps the counter too."""
    if keras_major() >= 3:
        model.steps_per_execution = 1
        model.predict_function = None
    elif getattr(model, "_steps_per_execution", None) is not None:
        model._steps_per_execution.assign(1)
        model.predict_function = None


# --------------------------------------------------------------------------- training helpers


def ops() -> Any:
    """Tensor ops for custom losses and metrics: ``keras.ops`` (Keras 3) or ``keras.backend``
    (Keras 2); the names used here (abs, all, argmax, cast, equal, mean, sqrt, square) and
    their ``axis=`` arguments agree between the two."""
    k = keras()
    return k.ops if keras_major() >= 3 else k.backend


def stop_when_callback(key: str, value: float) -> Any:
    """A callback that stops ``fit`` after the first epoch whose logged ``key`` reaches ``value``."""

    class StopWhen(keras().callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if logs and key in logs and float(logs[key]) >= value:
                self.model.stop_training = True

    return StopWhen()
