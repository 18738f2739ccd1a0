"""one_char's quick recipe in plain Keras, as a user would write it: the baseline that
``python -m lstm_cases.tools.overhead`` times the harness against (so no lstm_cases import).

    python lstm_cases/tools/bare_one_char.py SEED [SEED ...] [--epochs 200] [--epochs-per-pass 10]

Per seed: the letters A..Y (0..24, scaled by /26) in, the next letter out (one-hot over
26), LSTM(32) -> Dense(26, softmax), Adam(0.003), categorical cross-entropy, batch 1,
200 epochs fed as tf.data, 10 epochs per Keras epoch and one Keras epoch per execution:
what the harness trains for one_char's quick recipe (lstm_cases.families.alphabet, fed as
lstm_cases.runner feeds a fast_input recipe). Prints one line per seed,
``FIT <seed> <train-set accuracy> <fit seconds> <final loss>``.
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

LETTERS = 26
UNITS = 32
LEARNING_RATE = 0.003
BATCH_SIZE = 1
EPOCHS = 200
EPOCHS_PER_PASS = 10  # epochs folded into one Keras epoch (one execution)


def one_char_data() -> tuple[np.ndarray, np.ndarray]:
    """Each letter but Z as one time step of one feature, and the letter after it."""
    x = np.reshape(np.arange(LETTERS - 1, dtype="float32"), (LETTERS - 1, 1, 1)) / float(LETTERS)
    y = keras.utils.to_categorical(np.arange(1, LETTERS), num_classes=LETTERS).astype("float32")
    return x, y


def train(seed: int, epochs: int, epochs_per_pass: int) -> tuple[keras.Model, float, float]:
    """One seed's model trained from scratch: (model, fit seconds, final training loss)."""
    keras.utils.set_random_seed(seed)
    x, y = one_char_data()
    model = keras.Sequential(
        [keras.Input(shape=(1, 1)), keras.layers.LSTM(UNITS), keras.layers.Dense(LETTERS, activation="softmax")]
    )
    steps_per_pass = len(x) // BATCH_SIZE * epochs_per_pass
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
        metrics=["accuracy"],
        steps_per_execution=steps_per_pass,
    )
    # A full-size shuffle buffer reshuffles every epoch; batch before repeat so no batch spans two.
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(BATCH_SIZE, drop_remainder=True).repeat(epochs_per_pass)
    start = time.perf_counter()
    history = model.fit(dataset, epochs=epochs // epochs_per_pass, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    return model, seconds, float(history.history["loss"][-1])


def train_set_accuracy(model: keras.Model) -> float:
    x, y = one_char_data()
    predicted = np.argmax(np.asarray(model(x, training=False)), axis=-1)
    return float(np.mean(predicted == np.argmax(y, axis=-1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seeds", type=int, nargs="+")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--epochs-per-pass", type=int, default=EPOCHS_PER_PASS)
    args = parser.parse_args(argv)
    if args.epochs_per_pass < 1 or args.epochs % args.epochs_per_pass:
        parser.error(f"--epochs ({args.epochs}) must be a multiple of --epochs-per-pass ({args.epochs_per_pass})")
    for seed in args.seeds:
        model, seconds, loss = train(seed, args.epochs, args.epochs_per_pass)
        print("FIT", seed, train_set_accuracy(model), seconds, loss, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
