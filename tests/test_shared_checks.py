"""The API-path checks shared with a timing worker (lstm_cases.shared_checks): the worker's answers are
the pytest process's own, a worker that dies leaves its cases to the pytest process, and after
``finish`` the worker times again (~25 s: two worker processes, small models)."""

import time

from lstm_cases import api_path
from lstm_cases.registry import get_case
from lstm_cases.shared_checks import CasePlan, SharedChecks
from lstm_cases.timing import Plan
from lstm_cases.timing_worker import TimingWorkers

CHECKS = ("batches_per_epoch", "order_kept")
PLAN = [CasePlan("one_char", CHECKS, 0), CasePlan("sine_simple", CHECKS, 0)]


def _local(case_id: str, check: str) -> tuple[api_path.Check, int]:
    api_path.forget_source_models()
    return api_path.decide(api_path.CHECKS[check], get_case(case_id), 0)


def _until(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_worker_takes_cases_from_the_back_and_answers_as_this_process_would():
    workers = TimingWorkers(1, threads=1)
    try:
        shared = SharedChecks(PLAN, workers)
        _until(lambda: shared.worker_cases == ("sine_simple",))  # taken at once, before this process asks
        answers = {(c.case_id, check): shared.decide(get_case(c.case_id), check, 0) for c in PLAN for check in CHECKS}
        assert shared.worker_cases == ("sine_simple",)  # the front took one_char: nothing left for the worker
        shared.finish()
        assert shared.summary() == (
            "lstm-bench: API-path checks: the timing worker decided 1 of 2 case(s) (sine_simple), the pytest process "
            "the rest"
        )
        for (case_id, check), answer in answers.items():
            assert answer == _local(case_id, check), (case_id, check)
        assert answers["sine_simple", "order_kept"][0].held
        # finished: the worker times again
        plan = Plan("single_call", units=1, full_units=1, warmup=2, rounds=2)
        assert len(workers.measure("one_char", "quick", 0, plan)[0][0]) == 2
    finally:
        workers.close()


def test_a_dead_worker_leaves_its_cases_to_this_process():
    workers = TimingWorkers(1, threads=1)
    try:
        workers.start()
        workers._workers[1].proc.kill()
        shared = SharedChecks(PLAN, workers)
        _until(lambda: not shared._feeder.is_alive())  # its first case failed: it stops taking cases
        answer = shared.decide(get_case("sine_simple"), "order_kept", 0)
        shared.finish()
        assert answer == _local("sine_simple", "order_kept") and answer[0].held
    finally:
        workers.close()
