"""The run's cost ledger (lstm_cases.record.costs), on a clock the test moves by hand."""

import pytest

from lstm_cases.record import costs


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _ledger() -> tuple[costs.Ledger, Clock]:
    clock = Clock()
    return costs.Ledger(origin=90.0, clock=clock), clock


def test_blocks_keep_exclusive_time_and_measured_seconds_leave_the_block_around_them():
    ledger, clock = _ledger()
    with ledger.test("whole-recipe runs", "one_char"):
        clock.now += 1
        with ledger.charge("preparation", "one_char"):
            clock.now += 2
        clock.now += 5
        ledger.measured(costs.TIMED_TRAINING, 4.0, "one_char")  # 4 of the 5 s were timed training
        with ledger.charge("evaluation", "one_char"):
            clock.now += 3
    clock.now += 0.5
    split = ledger.split()
    assert split["wall_seconds"] == 21.5  # 10 s start-up (origin 90, first test at 100), 11 s test, 0.5 s closing
    assert split["measuring"] == {costs.TIMED_TRAINING: 4.0, costs.TIMED_ROUNDS: 0.0}
    assert split["harness"] == {
        "start-up": 10.0, "preparation": 2.0, "whole-recipe runs": 2.0, "evaluation": 3.0, "closing": 0.5,
    }  # fmt: skip
    assert list(split["harness"]) == ["start-up", "preparation", "whole-recipe runs", "evaluation", "closing"]
    assert split["unaccounted_seconds"] == 0 and split["harness_per_measuring"] == pytest.approx(17.5 / 4, abs=1e-4)
    assert split["per_case"]["one_char"] == {
        "evaluation": 3.0, "preparation": 2.0, costs.TIMED_TRAINING: 4.0, "whole-recipe runs": 2.0,
    }  # fmt: skip


def test_the_split_sums_to_the_wall_time_across_tests():
    ledger, clock = _ledger()
    for concern in ("contract", "claims"):
        clock.now += 0.25  # between tests (the first: start-up)
        with ledger.test(concern, "stateful"):
            clock.now += 1
    split = ledger.split()
    parts = sum(split["measuring"].values()) + sum(split["harness"].values())
    assert parts == pytest.approx(split["wall_seconds"]) and split["unaccounted_seconds"] == pytest.approx(0)
    assert split["harness"]["between tests"] == 0.25 and split["harness"]["start-up"] == 10.25
    assert split["harness_per_measuring"] is None  # nothing measured: no ratio


def test_measured_seconds_larger_than_their_block_are_an_error():
    ledger, clock = _ledger()
    why = "'steady-state benchmarks' \\(sine_simple\\): 3.000 s measured inside 1.000 s"
    with pytest.raises(costs.CostError, match=why), ledger.charge("steady-state benchmarks", "sine_simple"):
        clock.now += 1
        ledger.measured(costs.TIMED_ROUNDS, 3.0)


def test_an_unknown_measuring_kind_is_named_with_the_valid_ones():
    ledger, _clock = _ledger()
    with pytest.raises(ValueError, match="unknown measuring kind 'rounds'; valid kinds: timed training, timed"):
        ledger.measured("rounds", 1.0)


def test_without_an_installed_ledger_the_module_functions_do_nothing():
    costs.uninstall()
    with costs.charge("preparation", "x"):
        costs.measured(costs.TIMED_TRAINING, 1.0)
    assert costs.active() is None


def test_the_process_start_is_before_now():
    origin, what = costs.process_start()
    import time

    assert what in ("process start", "cost clock start") and origin <= time.perf_counter()


def test_closing_lines_name_every_part():
    ledger, clock = _ledger()
    with ledger.test("steady-state benchmarks", "a"):
        clock.now += 2
        ledger.measured(costs.TIMED_ROUNDS, 1.5)
    first, second = costs.closing_lines(ledger.split())
    assert first.startswith("lstm-bench: cost: wall 12 s (from process start); measuring 1.5 s")
    assert "timed steady-state rounds 1.5 s" in first
    assert second.startswith("lstm-bench: cost: harness 10 s = 7.00 x measuring (start-up 10 s")
    assert second.endswith("unaccounted 0.0 s")


def test_measured_seconds_go_to_the_open_block_s_case_when_none_is_named():
    ledger, clock = _ledger()
    with ledger.test("claims", "one_char"), ledger.charge("evaluation", "one_char"):
        clock.now += 3.0
        ledger.measured(costs.TIMED_TRAINING, 2.0)
    assert ledger.split()["per_case"]["one_char"] == {"evaluation": 1.0, costs.TIMED_TRAINING: 2.0}
