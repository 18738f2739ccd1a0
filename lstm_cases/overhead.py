"""How much the harness adds over a bare Keras script running the same recipe.

    python -m lstm_cases.overhead [--repeats 3] [--seeds 3]

Runs, alternately and each in a fresh process, (a) a plain Keras script that trains
timestep_window's quick recipe for the seeds and prints its accuracy, and (b)
``pytest bench/test_training.py bench/test_claims.py --case timestep_window`` (the timed
training, the evaluation, the verdicts and the result JSON). Prints wall-clock seconds of
each and the ratio of the medians. Process start-up (importing TensorFlow) is in both.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The same recipe as lstm_cases.alphabet's quick timestep_window, written as a user would.
BARE_SCRIPT = """
import sys
import numpy as np
import tensorflow as tf
import keras

seeds = [int(s) for s in sys.argv[1:]]
data_x = [[i, i + 1, i + 2] for i in range(23)]
x = np.reshape(np.asarray(data_x, dtype="float32"), (23, 3, 1)) / 26.0
y = keras.utils.to_categorical([i + 3 for i in range(23)], num_classes=26)
for seed in seeds:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(3, 1)), keras.layers.LSTM(32),
                              keras.layers.Dense(26, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.001),
                  metrics=["accuracy"], steps_per_execution=230)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(23, seed=seed, reshuffle_each_iteration=True)
    model.fit(ds.batch(1, drop_remainder=True).repeat(10), epochs=15, shuffle=False, verbose=0)
    acc = np.mean(np.argmax(np.asarray(model(x, training=False)), -1) == np.argmax(y, -1))
    print(seed, acc)
"""


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_cases.overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    seeds = [str(s) for s in range(args.seeds)]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_SCRIPT)
        bare_cmd = [sys.executable, str(script), *seeds]
        harness_cmd = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            str(root / "bench/test_training.py"), str(root / "bench/test_claims.py"),
            "--case", "timestep_window", "--seeds", str(args.seeds),
            "--benchmark-json", str(Path(tmp) / "result.json"),
        ]  # fmt: skip
        bare, harness = [], []
        for _ in range(args.repeats):  # alternate, so drift on the machine hits both
            bare.append(_timed(bare_cmd))
            harness.append(_timed(harness_cmd))
    b, h = statistics.median(bare), statistics.median(harness)
    print(f"bare script   : {', '.join(f'{t:.2f}' for t in bare)} s (median {b:.2f})")
    print(f"pytest harness: {', '.join(f'{t:.2f}' for t in harness)} s (median {h:.2f})")
    print(f"harness / bare: {h / b:.3f} ({(h / b - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
