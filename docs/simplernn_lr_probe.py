"""The SimpleRNN control's learning rate: the quick recipe's other settings, each rate in RATES on seeds
that no claim's threshold was set or checked on (TUNING_SEEDS); prints the held-out accuracy per rate.
The rate with the best median is the control's (``sentiment_simplernn_tuned_maxlen200``): the LSTM's claim
against it compares with a SimpleRNN at its own best rate, not the LSTM's.

    python docs/simplernn_lr_probe.py
"""

from __future__ import annotations

import dataclasses
import statistics

from lstm_cases import registry, runner, timing

RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03)
TUNING_SEEDS = range(500, 505)  # far from every set and check range


def accuracies(rate: float) -> list[float]:
    case = registry.get_case("sentiment_simplernn_maxlen200")
    recipe = dataclasses.replace(case.recipe("quick"), learning_rate=rate)
    tuned = dataclasses.replace(case, recipes={**case.recipes, "quick": recipe})
    out = []
    for seed in TUNING_SEEDS:
        prepared = runner.train(runner.prepare(tuned, "quick", seed))
        out.append(runner.evaluate(prepared).metrics["accuracy"])
    return out


def main() -> None:
    timing.apply_threads(1)
    for rate in RATES:
        values = accuracies(rate)
        print(f"rate {rate:g}: median {statistics.median(values):.4f}  values {[round(v, 4) for v in values]}")


if __name__ == "__main__":
    main()
