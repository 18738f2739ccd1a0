"""The other processes of steady-state timing (as asv's ``processes``): each is a Python process that
times the same plans as the pytest process, each on its own freshly built model.

``TimingWorkers`` (in the pytest process) starts them on first use, one after the other, and sends
each plan to every one of them in turn after the pytest process has timed its own rounds: never two
processes timing at once. A worker (``python -m lstm_cases.timing_worker``, started by the harness,
not a user command) applies the parent's thread setting (LSTM_BENCH_THREADS) and test-only slowdown
(LSTM_BENCH_SLOWDOWN), reads one JSON request per line on stdin (case, profile, seed, plan), answers
one line on stdout, ANSWER followed by ``{"rounds": [...]}``, and exits at the end of its input.
Anything else it prints goes to stderr; a worker that dies is reported with its last stderr line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from lstm_cases import timing

ANSWER = "lstm-bench-timing: "
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the folder holding lstm_cases


class TimingWorkerError(RuntimeError):
    """A worker that died or answered nonsense; ``str()`` is one line."""


class _Worker:
    def __init__(self, index: int, env: dict[str, str]) -> None:
        self.index = index
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the worker; closed in close)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lstm_cases.timing_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
            cwd=_PACKAGE_ROOT,
        )

    def ask(self, request: dict[str, Any]) -> tuple[list[float], list[float]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise self.died() from None
        for line in self.proc.stdout:
            if line.startswith(ANSWER):
                answer = json.loads(line[len(ANSWER) :])
                rounds = answer.get("rounds") if isinstance(answer, dict) else None
                references = answer.get("references") if isinstance(answer, dict) else None
                if not isinstance(rounds, list) or not isinstance(references, list):
                    raise TimingWorkerError(f"timing process {self.index} answered {line.strip()[:200]!r}")
                return [float(r) for r in rounds], [float(r) for r in references]
        raise self.died()

    def died(self) -> TimingWorkerError:
        code = self.proc.wait()
        self.stderr.seek(0)
        last = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        why = last[-1] if last else "no output"
        return TimingWorkerError(f"timing process {self.index} exited with status {code}: {why}")

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


class TimingWorkers:
    """The ``count`` worker processes of a session (none when ``count`` is 0), started on first use."""

    def __init__(self, count: int, threads: int | None) -> None:
        self.count = count
        self.env = {
            **os.environ,
            timing.THREADS_ENV: "default" if threads is None else str(threads),
            "PYTHONPATH": os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        self._workers: dict[int, _Worker] = {}

    def measure(
        self, case_id: str, profile: str, seed: int, plan: timing.Plan
    ) -> list[tuple[list[float], list[float]]]:
        """Each worker's round seconds for the plan and its reference before each round, worker by worker."""
        request = {"case": case_id, "profile": profile, "seed": seed, "plan": plan.as_dict()}
        out = []
        for index in range(1, self.count + 1):
            worker = self._workers.get(index)
            if worker is None or worker.proc.poll() is not None:
                worker = self._workers[index] = _Worker(index, self.env)
            try:
                out.append(worker.ask(request))
            except TimingWorkerError:
                del self._workers[index]  # a new one next time
                raise
        return out

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()


def serve(requests: IO[str], answers: IO[str]) -> None:
    """The worker's loop: one plan per request line, timed on a fresh model of the case."""
    from lstm_cases import registry

    slowdown = timing.Slowdown.from_env()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        plan = timing.Plan.from_dict(request["plan"])
        prepared = timing.fresh(registry.get_case(request["case"]), request["profile"], int(request["seed"]))
        rounds, references = timing.warm_and_time(prepared, plan, slowdown)
        del prepared
        answers.write(ANSWER + json.dumps({"rounds": rounds, "references": references}) + "\n")
        answers.flush()


def main() -> int:
    answers, sys.stdout = sys.stdout, sys.stderr  # only answers on stdout
    timing.apply_threads(timing.parse_threads(os.environ.get(timing.THREADS_ENV)))
    serve(sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
