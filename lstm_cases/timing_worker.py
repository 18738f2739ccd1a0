"""The other processes of steady-state timing (as asv's ``processes``), and a duet's sides: each is a
Python process (``python -m lstm_cases.timing_worker``, started by the harness, not a user command) that
times the same plans as the pytest process, each on its own freshly built model.

A worker applies the parent's thread setting (LSTM_BENCH_THREADS) and test-only slowdown
(LSTM_BENCH_SLOWDOWN), reads one JSON request per line on stdin and answers each with one line on
stdout, ANSWER followed by a JSON object, until its input ends. Anything else it prints goes to stderr;
a worker that dies is reported with its last stderr line. Requests name an ``op``: ``hello`` (the
protocol version, stack, commit and cases of this installation), ``prepare`` (a fresh model of a case:
its parameter count, input shape and plans), ``warm`` (a plan's untimed calls), ``rounds`` (the plan's
timed rounds, each after the machine's reference: a pytest session's other processes), ``round`` (the
reference, then timed calls: a duet, ``lstm_cases.tools.duet``, which alternates two installations
round by round), ``release`` and ``source_checks`` (a case's API-path checks, decided for the pytest
process while it has no timing to do: ``lstm_cases.shared_checks``). A failed request answers
``error`` (or ``unavailable``, for a case whose optional data is not given, or a control case). An installation whose
worker does not answer ``hello`` with ``PROTOCOL`` speaks another protocol: the duet refuses it.

``TimingWorkers`` (in the pytest process) starts a session's workers, has them build and warm while
the pytest process warms its own model, and then has each time its rounds after the pytest process's,
one process at a time: never two processes timing at once, nor one timing beside another's warm-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from lstm_cases import api_path, timing
from lstm_cases.api_path import Check
from lstm_cases.record.schema import GATED

ANSWER = "lstm-bench-timing: "
PROTOCOL = 2  # the duet ops (module docstring); a worker of protocol 1 knows only plain plan requests
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the folder holding lstm_cases


class TimingWorkerError(RuntimeError):
    """A worker that died or answered nonsense; ``str()`` is one line."""


class Worker:
    """One worker process: ``python -m lstm_cases.timing_worker`` of some installation (``python``: its
    interpreter; ``cwd``: where it starts, which must not shadow that installation's package)."""

    def __init__(
        self, name: str, env: dict[str, str], python: str = sys.executable, cwd: Path | str = _PACKAGE_ROOT
    ) -> None:
        self.name = name
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the worker; closed in close)
        self.proc = subprocess.Popen(
            [python, "-m", "lstm_cases.timing_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
            cwd=cwd,
        )

    def send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise self.died() from None

    def receive(self) -> dict[str, Any]:
        """The next answer line, as a JSON object."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(ANSWER):
                try:
                    answer = json.loads(line[len(ANSWER) :])
                except ValueError:
                    answer = None
                if not isinstance(answer, dict):
                    raise TimingWorkerError(f"{self.name} answered {line.strip()[:200]!r}")
                return answer
        raise self.died()

    def died(self) -> TimingWorkerError:
        code = self.proc.wait()
        self.stderr.seek(0)
        last = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        why = last[-1] if last else "no output"
        return TimingWorkerError(f"{self.name} exited with status {code}: {why}")

    def close(self) -> None:
        """End the process. Nothing it holds is kept: it is killed rather than left to tear its framework
        down, which would hold the run up for no result."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.close()


class TimingWorkers:
    """The ``count`` worker processes of a session (none when ``count`` is 0), started on first use or by
    ``start``. For each plan: ``prepare`` has every worker build a fresh model while the pytest process
    builds its own, ``warm`` has them make the plan's untimed calls while it warms its own (untimed work
    side by side); ``ready`` waits for them;
    ``rounds`` then has each time its rounds in turn, while every other process waits."""

    def __init__(self, count: int, threads: int | None) -> None:
        self.count = count
        self.env = {
            **os.environ,
            timing.THREADS_ENV: "default" if threads is None else str(threads),
            "PYTHONPATH": os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        self._workers: dict[int, Worker] = {}
        self._owed: dict[int, int] = {}  # answers each worker owes to prepare and warm requests

    def start(self) -> None:
        """Start every worker now: each imports the framework while the session does other untimed work."""
        for index in range(1, self.count + 1):
            self._worker(index)

    def _worker(self, index: int) -> Worker:
        worker = self._workers.get(index)
        if worker is None or worker.proc.poll() is not None:
            worker = self._workers[index] = Worker(f"timing process {index}", self.env)
        return worker

    def _receive(self, index: int, worker: Worker) -> dict[str, Any]:
        try:
            return worker.receive()
        except TimingWorkerError:
            self._workers.pop(index, None)  # a new one next time
            raise

    def _answer(self, index: int, worker: Worker) -> dict[str, Any]:
        return self._checked(worker, self._receive(index, worker))

    @staticmethod
    def _checked(worker: Worker, answer: dict[str, Any]) -> dict[str, Any]:
        if "error" in answer or "unavailable" in answer:
            raise TimingWorkerError(f"{worker.name}: {answer.get('error') or answer.get('unavailable')}")
        return answer

    def prepare(self, case_id: str, profile: str, seed: int) -> None:
        """Every worker: a fresh model of the case, built while the pytest process builds its own; no
        waiting (``ready`` reads the answer)."""
        for index in range(1, self.count + 1):
            self._worker(index).send({"op": "prepare", "case": case_id, "profile": profile, "seed": seed})
            self._owed[index] = self._owed.get(index, 0) + 1

    def warm(self, plan: timing.Plan) -> None:
        """Every worker (``prepare`` first): the plan's untimed calls; no waiting (``ready``)."""
        for index, worker in self._workers.items():
            worker.send({"op": "warm", "plan": plan.as_dict()})
            self._owed[index] = self._owed.get(index, 0) + 1

    def settle(self) -> None:
        """Read and drop the answers still owed to a benchmark that failed before ``ready``: its workers
        would otherwise answer the next benchmark's requests with them."""
        for index, worker in list(self._workers.items()):
            for _ in range(self._owed.pop(index, 0)):
                with contextlib.suppress(TimingWorkerError):  # a dead worker is replaced on next use
                    self._receive(index, worker)

    def ready(self, plan: timing.Plan) -> None:
        """Wait until every worker has warmed; a worker whose own plan has other work per round is an error."""
        # every answer first, so that none is left unread for a later request
        answers = []
        for index, worker in list(self._workers.items()):
            self._owed.pop(index, None)
            answers.append((worker, self._receive(index, worker), self._receive(index, worker)))
        for worker, prepared, warmed in answers:
            planned = self._checked(worker, prepared).get("plans", {}).get(plan.kind) or {}
            self._checked(worker, warmed)
            # the work per round must agree; the rounds come with the rounds request
            theirs = {k: v for k, v in planned.items() if k != "rounds"}
            ours = {k: v for k, v in plan.as_dict().items() if k != "rounds"}
            if theirs != ours:
                raise TimingWorkerError(f"{worker.name} planned {theirs}, the pytest process {ours}")

    def rounds(self, plan: timing.Plan) -> list[tuple[list[float], list[float]]]:
        """Each worker's round seconds and its reference before each round, worker by worker, one at a time."""
        out = []
        for index, worker in list(self._workers.items()):
            worker.send({"op": "rounds", "rounds": plan.rounds})
            answer = self._answer(index, worker)
            rounds, references = answer.get("rounds"), answer.get("references")
            if not isinstance(rounds, list) or not isinstance(references, list):
                raise TimingWorkerError(f"{worker.name} answered {json.dumps(answer)[:200]!r}")
            worker.send({"op": "release"})
            self._answer(index, worker)
            out.append(([float(r) for r in rounds], [float(r) for r in references]))
        return out

    def measure(
        self, case_id: str, profile: str, seed: int, plan: timing.Plan
    ) -> list[tuple[list[float], list[float]]]:
        """``prepare``, ``warm``, ``ready`` and ``rounds`` in one: every worker's rounds of the plan."""
        self.prepare(case_id, profile, seed)
        self.warm(plan)
        self.ready(plan)
        return self.rounds(plan)

    def source_checks(self, case_id: str, checks: Sequence[str], seed: int) -> dict[str, tuple[Check, int]]:
        """The first worker decides a case's API-path checks (``lstm_cases.api_path.decide`` from ``seed``):
        each check's result and the seed that decided it (``lstm_cases.shared_checks``)."""
        worker = self._worker(1)
        worker.send({"op": "source_checks", "case": case_id, "checks": list(checks), "seed": seed})
        answer = self._answer(1, worker).get("checks")
        try:
            return {name: (Check(**answer[name]["check"]), int(answer[name]["seed"])) for name in checks}
        except (KeyError, TypeError, ValueError):
            raise TimingWorkerError(f"{worker.name} answered {json.dumps(answer)[:200]!r}") from None

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
        self._owed.clear()


def commit_of(folder: Path) -> str:
    """The git commit of a checkout (``+dirty`` with uncommitted changes), or ``?`` outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=folder, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder, capture_output=True
        )
    except OSError:
        return "?"
    if head.returncode != 0:
        return "?"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


class WorkerServer:
    """A worker's answers: one prepared model at a time, warmed per plan, then timed either all of a plan's
    rounds in one request (a pytest session's other processes) or one round per request (a duet, whose
    driver alternates the two installations' rounds)."""

    def __init__(self, slowdown: timing.Slowdown, threads: dict[str, Any]) -> None:
        self.slowdown, self.threads = slowdown, threads
        self.prepared: Any = None
        self.call: Any = None

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        from lstm_cases import compat, registry
        from lstm_cases.core import DataUnavailable

        op = request.get("op")
        if op == "hello":
            untimed = {c: case.untimed_reason() for c, case in registry.all_cases().items() if case.untimed_reason()}
            return {
                "protocol": PROTOCOL,
                "stack": compat.stack(),
                "commit": commit_of(_PACKAGE_ROOT),
                "package": str(_PACKAGE_ROOT),
                "python": sys.executable,
                "cases": [c for c in registry.all_cases() if c not in untimed],  # what a duet can time
                "untimed": untimed,
                "threads": self.threads,
                "slowdown": dict(self.slowdown.factors),
            }
        if op == "prepare":
            self.prepared = self.call = None
            try:
                case = registry.get_case(request["case"])
                if case.untimed_reason():  # a control case: trained for its claims, never timed
                    return {"unavailable": case.untimed_reason()}
                prepared = timing.fresh(case, request["profile"], int(request["seed"]))
            except DataUnavailable as err:  # optional real-scale data not given: the duet skips the case
                return {"unavailable": " ".join(str(err).split())}
            except ValueError as err:  # an unknown case or profile
                return {"error": " ".join(str(err).split())}
            self.prepared = prepared
            return {
                "params": int(prepared.model.count_params()),
                "input_shape": list(prepared.data.x.shape[1:]),
                "plans": {kind: timing.plan_for(prepared, kind, prepared.profile).as_dict() for kind in GATED},
            }
        if op in ("warm", "rounds", "round") and self.prepared is None:
            return {"error": f"{op}: no prepared model (prepare first; a failed prepare leaves none)"}
        if op in ("rounds", "round") and self.call is None:
            return {"error": f"{op}: no warmed plan (warm first)"}
        if op == "warm":
            plan = timing.Plan.from_dict(request["plan"])
            timing.warm_up(self.prepared, plan)
            self.call = timing.planned_call(self.prepared, plan, self.slowdown)
            return {}
        if op == "rounds":  # the session's other processes: the plan's timed rounds, each after the reference
            rounds, references = timing.time_rounds(self.call, int(request["rounds"]))
            return {"rounds": rounds, "references": references}
        if op == "round":  # untimed calls first (this process woke from waiting), then the timed ones
            for _ in range(int(request.get("untimed", 0))):
                self.call()
            reference = timing.reference_seconds()
            calls = []
            for _ in range(int(request.get("calls", 1))):
                start = time.perf_counter()
                self.call()
                calls.append(time.perf_counter() - start)
            return {"seconds": sum(calls), "calls": calls, "reference": reference}
        if op == "release":
            self.prepared = self.call = None
            return {}
        if op == "source_checks":
            return {"checks": source_checks(request["case"], request["checks"], int(request["seed"]))}
        return {"error": f"unknown op {op!r}; valid ops: hello, prepare, warm, round, rounds, release, source_checks"}


def source_checks(case_id: str, checks: Sequence[str], seed: int) -> dict[str, dict[str, Any]]:
    """A case's API-path checks decided here, as the pytest process would decide them."""
    from lstm_cases import registry

    case = registry.get_case(case_id)
    out = {}
    for name in checks:
        check, decided_on = api_path.decide(api_path.CHECKS[name], case, seed)
        out[name] = {"check": asdict(check), "seed": decided_on}
    api_path.forget_source_models()  # the worker's memory is the timing's again
    return out


def serve(requests: IO[str], answers: IO[str], threads: dict[str, Any] | None = None) -> None:
    """The worker's loop: one answer per request line (module docstring)."""
    server = WorkerServer(timing.Slowdown.from_env(), threads or {})
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            answer = {"error": f"not a JSON request: {line.strip()[:200]!r}"}
        else:
            answer = server.answer(request)
        answers.write(ANSWER + json.dumps(answer) + "\n")
        answers.flush()


def main() -> int:
    answers, sys.stdout = sys.stdout, sys.stderr  # only answers on stdout
    threads = timing.apply_threads(timing.parse_threads(os.environ.get(timing.THREADS_ENV)))
    serve(sys.stdin, answers, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
