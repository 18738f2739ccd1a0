"""Steady-state timing (lstm_cases.timing and its worker processes) on tiny plans."""

from __future__ import annotations

import dataclasses
import time
import types

import pytest

from lstm_cases import runner, timing
from lstm_cases.core import DataUnavailable
from lstm_cases.record.stats import process_spread
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


def test_spread_is_largest_over_smallest_process_median():
    assert process_spread([[1.0, 1.0, 1.2], [1.1, 1.1]]) == pytest.approx(1.1)
    assert process_spread([[1.0, 2.0]]) is None


def _tiny(case_id: str, **changes):
    case = get_case(case_id)
    recipe = dataclasses.replace(case.recipe("quick"), **changes)
    return dataclasses.replace(case, recipes={"quick": recipe, "full": recipe})


def test_step_call_runs_a_fixed_number_of_steps_of_the_recipes_own_fit():
    prepared = timing.fresh(get_case("variable_length"), "quick", 0)  # tf.data, 8 batches x 10 epochs per pass
    assert runner.steps_per_pass(prepared) == 80
    history = runner.step_call(prepared, 5)()
    assert len(history.history["loss"]) == 1
    arrays = timing.fresh(_tiny("variable_length", fast_input=False, epochs_per_pass=1), "quick", 0)
    assert runner.steps_per_pass(arrays) == 8
    runner.step_call(arrays, 3)()
    source_loop = timing.fresh(_tiny("stateful", fit_per_epoch=True, fast_input=False), "quick", 0)
    runner.step_call(source_loop, 4)()


@pytest.mark.parametrize(
    ("case_id", "kind", "units"),
    [
        ("one_char", "train_step", 250),  # cheap steps: a whole pass of 10 epochs x 25 steps
        ("sentiment_lstm_maxlen400", "train_step", 1),  # 64 x 400 x 36,601: one step
        ("sine_simple", "train_step", 9),
        ("sentiment_lstm_maxlen400", "predict", 2),  # of 32 batches
        ("one_char", "predict", 1),
        ("sentiment_lstm_maxlen400", "single_call", 1),
    ],
)
def test_the_work_of_a_round_comes_from_the_case_not_from_a_clock(case_id, kind, units):
    prepared = timing.fresh(get_case(case_id), "quick", 0)
    plan = timing.plan_for(prepared, kind, "quick")
    assert plan.units == units and plan == timing.plan_for(prepared, kind, "quick")
    assert plan.warmup == timing.WARMUP and plan.rounds == timing.ROUNDS["quick"]
    assert plan.describe()[f"{timing.UNITS[kind]}_per_round"] == units
    assert Plan.from_dict(plan.as_dict()) == plan


def test_predict_over_the_first_batches():
    prepared = timing.fresh(get_case("variable_length"), "quick", 0)
    assert runner.predict_all(prepared, 2).shape[0] == 64 and runner.predict_all(prepared).shape[0] == 1000


def test_a_worker_process_times_the_same_plan_and_reports_a_dead_worker_in_one_line():
    workers = TimingWorkers(1, threads=1)
    try:
        plan = Plan("single_call", units=1, full_units=1, warmup=2, rounds=3)
        [(rounds, references)] = workers.measure("one_char", "quick", 0, plan)
        assert len(rounds) == 3 and all(r > 0 for r in rounds)
        assert len(references) == 3 and all(r > 0 for r in references)  # the machine's reference, round by round
        with pytest.raises(RuntimeError, match=r"^timing process 1: unknown case 'no_such_case'"):
            workers.measure("no_such_case", "quick", 0, plan)
        other = Plan("single_call", units=1, full_units=1, warmup=3, rounds=3)  # not what the worker plans
        with pytest.raises(RuntimeError, match=r"^timing process 1 planned .*'warmup': 2.*, the pytest process .*3"):
            workers.measure("one_char", "quick", 0, other)
        workers.close()
        workers.start()  # started before first use: a live worker that answers
        assert workers.measure("one_char", "quick", 0, plan)[0][0]
        workers._workers[1].proc.kill()
        with pytest.raises(RuntimeError, match=r"^timing process 1 exited with status -9"):
            workers.measure("one_char", "quick", 0, plan)
    finally:
        workers.close()


def test_answers_owed_to_a_failed_benchmark_do_not_reach_the_next():
    workers = TimingWorkers(1, threads=1)
    try:
        plan = Plan("single_call", units=1, full_units=1, warmup=2, rounds=2)
        workers.prepare("no_such_case", "quick", 0)  # the pytest process's own building failed here
        workers.settle()
        assert len(workers.measure("one_char", "quick", 0, plan)[0][0]) == 2
        workers.prepare("no_such_case", "quick", 0)
        with pytest.raises(RuntimeError, match=r"unknown case 'no_such_case'"):  # unsettled, the next one reads it
            workers.measure("one_char", "quick", 0, plan)
    finally:
        workers.close()


def test_a_plans_fingerprint_changes_with_the_work_and_nothing_else():
    plan = Plan("train_step", units=5, full_units=10, warmup=2, rounds=6)
    same = Plan("train_step", units=5, full_units=10, warmup=2, rounds=6)
    assert plan.fingerprint(2) == same.fingerprint(2) and len(plan.fingerprint(2)) == 16
    others = [
        Plan("train_step", units=4, full_units=10, warmup=2, rounds=6),
        Plan("predict", units=5, full_units=10, warmup=2, rounds=6),
        Plan("train_step", units=5, full_units=10, warmup=1, rounds=6),
        Plan("train_step", units=5, full_units=10, warmup=2, rounds=20),
    ]
    assert len({plan.fingerprint(2), plan.fingerprint(3), *(o.fingerprint(2) for o in others)}) == 6


def test_a_case_whose_data_is_not_given_is_not_counted_as_timed():
    """The record lists the cases a run timed: one that skipped for want of its data is not one."""
    steady = timing.SteadyTiming("quick", 0, threads=1, processes=1, slowdown=timing.Slowdown())
    benchmark = types.SimpleNamespace(enabled=True, group=None)
    with pytest.raises(DataUnavailable):
        steady.run(benchmark, get_case("sentiment_imdb_lstm_maxlen200"), "predict")
    assert steady.timed == set()
