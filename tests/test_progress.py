"""Progress lines of long training runs (lstm_cases.progress) and the table of verdicts that closes a
run (lstm_cases.record.summary)."""

import pytest

from lstm_cases import progress
from lstm_cases.core import Recipe
from lstm_cases.record import summary

pytest_plugins = ["pytester"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _train(epochs: int, seconds_per_epoch: float, per_pass: int = 1, after: float = 30.0) -> list[str]:
    lines: list[str] = []
    clock = Clock()
    reporter = progress.Reporter(lines.append, after=after, every=60.0, clock=clock)
    seed = progress.SeedProgress(reporter, "binary_increment", 2, epochs, per_pass)
    for _ in range(epochs // per_pass):
        clock.now += seconds_per_epoch
        seed.epoch_done()
    return lines


def test_a_quick_seed_says_nothing():
    assert _train(epochs=150, seconds_per_epoch=0.1) == []


def test_a_long_seed_reports_each_tenth_and_its_end():
    lines = _train(epochs=100, seconds_per_epoch=21.0)
    assert lines[0] == "lstm-bench: binary_increment seed 2: epoch 2/100, 42s elapsed, about 34m18s left"
    assert lines[1] == "lstm-bench: binary_increment seed 2: epoch 5/100, 1m45s elapsed, about 33m15s left"  # 60 s on
    assert lines[2].endswith("epoch 8/100, 2m48s elapsed, about 32m12s left")  # a minute on
    assert lines[3].endswith("epoch 10/100, 3m30s elapsed, about 31m30s left")  # the first tenth
    assert lines[-1] == "lstm-bench: binary_increment seed 2: trained 100 epochs in 35m00s"
    assert 30 < len(lines) < 45  # one a minute at the most often, not one an epoch


def test_folded_epochs_count_in_the_recipe_s_epochs():
    lines = _train(epochs=500, seconds_per_epoch=10.0, per_pass=50, after=0)
    assert lines[0].endswith("epoch 50/500, 10s elapsed, about 1m30s left")
    assert lines[-1].endswith("trained 500 epochs in 1m40s")


def test_durations_read_as_minutes_and_hours():
    assert [progress.duration(s) for s in (0, 59.4, 61, 3599, 3725)] == ["0s", "59s", "1m01s", "59m59s", "1h02m"]


def test_no_reporter_no_callback():
    progress.uninstall()
    assert progress.seed_callbacks("one_char", 0, Recipe(epochs=3, batch_size=1)) == []


PROBE = """
from lstm_cases import progress
from lstm_cases.core import Recipe

def test_long_seed():
    for callback in progress.seed_callbacks("one_char", 7, Recipe(epochs=4, batch_size=1)):
        for epoch in range(4):
            callback.on_epoch_end(epoch)
"""


def test_progress_lines_reach_the_terminal_only_past_the_threshold(pytester):
    pytester.makepyfile(PROBE)
    plugin = ("-p", "lstm_cases.pytest_plugin", "-p", "no:cacheprovider")
    shown = pytester.runpytest_subprocess(*plugin, "--progress-after", "0")
    shown.assert_outcomes(passed=1)
    shown.stdout.fnmatch_lines(
        ["lstm-bench: one_char seed 7: epoch 1/4, 0s elapsed, about 0s left", "*trained 4 epochs*"]
    )
    quiet = pytester.runpytest_subprocess(*plugin)
    quiet.assert_outcomes(passed=1)
    assert "lstm-bench: one_char" not in quiet.stdout.str()
    bad = pytester.runpytest_subprocess(*plugin, "--progress-after", "soon")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: --progress-after must be a number of seconds >= 0, got 'soon'"])


RECORD = {
    "cases": {
        "one_char": {"seeds": [0, 1, 2], "verdicts": {"mediocre_band": {"status": "pass"}}},
        "stateful": {
            "seeds": [0, 1, 2],
            "verdicts": {
                "reaches_100": {"status": "xfail"},
                "walk_from_reset": {"status": "fail"},
                "k_start_goes_wrong": {"status": "pass"},
            },
        },
    }
}


def test_the_verdict_table_counts_each_case_s_verdicts():
    rows = summary.verdict_rows(RECORD)
    assert rows[1] == {
        "case": "stateful",
        "seeds": "0, 1, 2",
        "pass": 1,
        "fail": 1,
        "xfail": 1,
        "xpass": 0,
        "not passing": "reaches_100 (xfail), walk_from_reset (fail)",
    }
    lines = summary.verdict_table(RECORD)
    assert lines[0].split() == ["case", "seeds", "pass", "fail", "xfail", "xpass", "not", "passing"]
    assert set(lines[1]) == {"-", " "} and lines[2].split()[:7] == ["one_char", "0,", "1,", "2", "1", "0", "0"]
    assert summary.totals(RECORD) == "4 claims judged: 2 pass, 1 fail, 1 xfail"
    assert summary.verdict_table({"cases": {}}) == []
