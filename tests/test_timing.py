"""Steady-state timing (lstm_cases.timing and its worker processes) on tiny plans."""

from __future__ import annotations

import dataclasses
import time

import pytest

from lstm_cases import runner, timing
from lstm_cases.registry import get_case
from lstm_cases.timing import Plan, Slowdown
from lstm_cases.timing_worker import TimingWorkers


def test_slowdown_parses_kinds_and_aliases_and_refuses_the_rest_in_one_line():
    assert Slowdown.parse("train:1.2").factors == {"train_step": 1.2}
    assert Slowdown.parse("inference:1.5").factors == {"predict": 1.5, "single_call": 1.5}
    assert Slowdown.parse("predict:1.1, train_step:2").describe() == "predict x1.1, train_step x2"
    assert not Slowdown.parse("") and not Slowdown.parse(None)
    with pytest.raises(ValueError, match=r"unknown kind 'fit'; valid kinds: train_step, predict, single_call, train"):
        Slowdown.parse("fit:1.2")
    for bad in ("train:0.9", "train:x", "train", "train:1"):
        with pytest.raises(ValueError, match=r"factor of 'train' must be a number in \(1, 10\]"):
            Slowdown.parse(bad)


def test_a_slowed_call_costs_its_factor():
    def work():
        end = time.perf_counter() + 0.01
        while time.perf_counter() < end:
            pass
        return 7

    slowed = Slowdown.parse("predict:1.5").wrap("predict", work)
    assert Slowdown.parse("predict:1.5").wrap("train_step", work) is work  # other kinds untouched
    start = time.perf_counter()
    assert slowed() == 7
    assert time.perf_counter() - start >= 0.015


def test_thread_and_process_settings_refuse_bad_values_in_one_line():
    assert timing.parse_threads(None) == 1 and timing.parse_threads("default") is None
    assert timing.parse_threads("4") == 4 and timing.parse_processes("3") == 3 and timing.parse_processes("") == 2
    with pytest.raises(ValueError, match="--threads / LSTM_BENCH_THREADS must be a number >= 1 or 'default', got '0'"):
        timing.parse_threads("0")
    with pytest.raises(ValueError, match="must be a number >= 1, got 'two'"):
        timing.parse_processes("two")


@pytest.mark.parametrize(
    ("kind", "full", "seconds", "expected"),
    [
        ("train_step", 250, 0.5, (50, 1)),  # slow pass: fewer steps
        ("train_step", 250, 0.02, (250, 5)),  # fast pass: whole passes
        ("predict", 32, 0.4, (8, 1)),
        ("predict", 1, 0.01, (1, 1)),  # a fast predict stays one predict over every input
        ("single_call", 1, 0.3, (1, 1)),
        ("train_step", 16, 10.0, (1, 1)),  # never fewer than one step
    ],
)
def test_rounds_are_cut_or_repeated_to_the_round_time(kind, full, seconds, expected):
    assert timing.plan_units(kind, full, seconds, 0.1) == expected


def test_spread_is_largest_over_smallest_process_median():
    assert timing.spread([[1.0, 1.0, 1.2], [1.1, 1.1]]) == pytest.approx(1.1)
    assert timing.spread([[1.0, 2.0]]) is None


def _tiny(case_id: str, **changes):
    case = get_case(case_id)
    recipe = dataclasses.replace(case.recipe("quick"), **changes)
    return dataclasses.replace(case, recipes={"quick": recipe, "full": recipe})


def test_step_call_runs_a_fixed_number_of_steps_of_the_recipes_own_fit():
    prepared = timing.fresh(get_case("variable_length"), "quick", 0)  # tf.data, 8 batches x 10 epochs per pass
    assert runner.steps_per_pass(prepared) == 80
    history = runner.step_call(prepared, 5, passes=2)()
    assert len(history.history["loss"]) == 2
    arrays = timing.fresh(_tiny("variable_length", fast_input=False, epochs_per_pass=1), "quick", 0)
    assert runner.steps_per_pass(arrays) == 8
    runner.step_call(arrays, 3)()


def test_calibrate_plans_and_states_the_warm_up():
    prepared = timing.fresh(get_case("one_char"), "quick", 0)
    plan = timing.calibrate(prepared, "predict", "quick")
    assert plan.kind == "predict" and plan.rounds == timing.ROUNDS["quick"] and plan.warmup >= timing.WARMUP + 1
    assert plan.describe()["batches_per_round"] == plan.per_round
    assert Plan.from_dict(plan.as_dict()) == plan
    assert runner.predict_all(prepared, 1).shape == (25, 26)  # one batch of 32 holds all 25 samples


def test_a_worker_process_times_the_same_plan_and_reports_a_dead_worker_in_one_line():
    workers = TimingWorkers(1, threads=1)
    try:
        plan = Plan("single_call", units=1, passes=1, full_units=1, warmup=2, rounds=3)
        [rounds] = workers.measure("one_char", "quick", 0, plan)
        assert len(rounds) == 3 and all(r > 0 for r in rounds)
        with pytest.raises(RuntimeError, match=r"timing process 1 exited with status 1: .*no_such_case"):
            workers.measure("no_such_case", "quick", 0, plan)
    finally:
        workers.close()
