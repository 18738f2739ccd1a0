"""Why ``little_accuracy_lost`` is not judged on the generated corpus: the maxlen pair trained on reviews of
an IMDB-like length. The generated corpus's filler count set so that reviews are as long as aclImdb's (mean
about 210 tokens, 40% past 200, 10% past 400), every other setting the profile's recipe; prints the held-out
accuracy over the majority per seed, and how many reviews each maxlen cuts.

    python docs/sentiment_length_probe.py            # quick and full, seeds 0-2
"""

from __future__ import annotations

from lstm_cases import registry, runner, sweep

IMDB_LIKE = {"data.filler_median": 14, "data.filler_sigma": 0.75}
CASES = ("sentiment_lstm_maxlen200", "sentiment_lstm_maxlen400")
SEEDS = range(3)


def main() -> None:
    for profile in ("quick", "full"):
        for case_id in CASES:
            case = sweep.cell_case(registry.get_case(case_id), profile, IMDB_LIKE)
            for seed in SEEDS:
                metrics = runner.evaluate(runner.train(runner.prepare(case, profile, seed))).metrics
                print(
                    f"{profile} {case_id} seed {seed}: accuracy over the majority "
                    f"{metrics['accuracy_over_majority']:+.3f}, mean length {metrics['avg_length']:.0f}, "
                    f"truncated {metrics['truncated']:.0f} of {metrics['truncated'] + metrics['padded']:.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
