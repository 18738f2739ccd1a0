"""The API-path checks (``lstm_cases.api_path``), shared between the pytest process and its idle
timing worker.

The checks are untimed and run before any timed work, while the session's timing worker
(``lstm_cases.timing_worker``) has nothing to do. So the two take the run's checks from the two ends
of its list, a case at a time: the pytest process from the front as its tests reach them, the worker
from the back (a thread here feeds it one case after another) until they meet. A test whose case the
worker took waits for the worker's answer: the same ``decide`` on the same seeds, in a process with the
same settings. ``finish`` stops the feeding and waits for the worker's case in hand; the session calls
it before the first steady-state benchmark, so that no check runs beside a timed round. A worker that
dies leaves its cases to the pytest process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from lstm_cases import api_path
from lstm_cases.core import Case
from lstm_cases.timing_worker import TimingWorkerError, TimingWorkers


@dataclass(frozen=True)
class CasePlan:
    """The checks a run decides of one case, and the seed it starts from."""

    case_id: str
    checks: tuple[str, ...]
    seed: int


class LocalChecks:
    """Every check in the pytest process (a session without a timing worker)."""

    def decide(self, case: Case, check: str, seed: int) -> tuple[api_path.Check, int]:
        """The check's result and the seed that decided it (``api_path.decide``)."""
        return api_path.decide(api_path.CHECKS[check], case, seed)

    def finish(self) -> None:
        """Nothing runs in the background."""

    def summary(self) -> str | None:
        """The run's closing line about where the checks ran (none: all in the pytest process)."""
        return None


class SharedChecks(LocalChecks):
    """The run's checks, case by case, taken from the front by the pytest process and from the back by
    the worker (module docstring)."""

    def __init__(self, plan: Sequence[CasePlan], workers: TimingWorkers) -> None:
        self._plan = {p.case_id: p for p in plan}
        self._order = [p.case_id for p in plan]
        self._workers = workers
        self._changed = threading.Condition()
        self._front = 0  # the cases before it are the pytest process's
        self._back = len(self._order)  # the cases from it on are the worker's
        self._answers: dict[str, dict[str, tuple[api_path.Check, int]] | None] = {}  # None: the worker failed
        self._stopped = False
        self._feeder = threading.Thread(target=self._feed, name="lstm-bench shared checks", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        while True:
            with self._changed:
                if self._stopped or self._back <= self._front:
                    return
                self._back -= 1
                plan = self._plan[self._order[self._back]]
            try:
                answer: dict[str, tuple[api_path.Check, int]] | None = self._workers.source_checks(
                    plan.case_id, plan.checks, plan.seed
                )
            except TimingWorkerError:  # the pytest process decides this case and the rest itself
                answer = None
            with self._changed:
                self._answers[plan.case_id] = answer
                if answer is None:
                    self._stopped = True
                self._changed.notify_all()

    def decide(self, case: Case, check: str, seed: int) -> tuple[api_path.Check, int]:
        plan = self._plan.get(case.id)
        if plan is None or check not in plan.checks or seed != plan.seed:  # not in the shared list: decide here
            return super().decide(case, check, seed)
        with self._changed:
            index = self._order.index(case.id)
            if index < self._back:  # not the worker's: this case and those before it are ours
                self._front = max(self._front, index + 1)
            else:
                self._changed.wait_for(lambda: case.id in self._answers)
                answer = self._answers[case.id]
                if answer is not None:
                    return answer[check]
        return super().decide(case, check, seed)

    @property
    def worker_cases(self) -> tuple[str, ...]:
        """The cases the worker has taken so far, the last of the run's list first."""
        with self._changed:
            return tuple(reversed(self._order[self._back :]))

    def finish(self) -> None:
        with self._changed:
            self._stopped = True
        self._feeder.join()

    def summary(self) -> str | None:
        with self._changed:
            by_worker = [case for case in self._order if self._answers.get(case) is not None]
        if not self._order:
            return None
        named = f" ({', '.join(by_worker)})" if by_worker else ""
        return (
            f"lstm-bench: API-path checks: the timing worker decided {len(by_worker)} of {len(self._order)} "
            f"case(s){named}, the pytest process the rest"
        )
