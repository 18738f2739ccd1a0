"""The cost of a run, measured by the run itself: where its wall time went.

Two kinds of time. Measuring is what the suite exists to time: the timed training of every seed
(``train_seconds``) and the timed rounds of the steady-state benchmarks in every process. The
harness's own time is everything else, split by concern (start-up, contract, preparation,
evaluation, steady-state benchmarks beyond their timed rounds, API-path checks, claims, ...).

A ``Ledger`` keeps exclusive time: ``charge(concern)`` is a block whose time, less the time of the
blocks and measured seconds inside it, goes to its concern; ``measured(kind, seconds)`` books
seconds that a timer already took (the training's own clock, pytest-benchmark's rounds, a worker's
rounds) and takes them out of the block around them. The start-up is charged from the process's
start, where the platform says when that was. What no block holds is "unaccounted": a test keeps it
within 5% of the wall time.

The run installs one ledger (``install``); the module functions charge it and do nothing when none
is installed (tools that prepare or train outside a run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

TIMED_TRAINING = "timed training"
TIMED_ROUNDS = "timed steady-state rounds"
MEASURING = (TIMED_TRAINING, TIMED_ROUNDS)
# The harness's concerns, in the order the closing line and the report show them.
START_UP = "start-up"
BETWEEN_TESTS = "between tests"
CLOSING = "closing"
HARNESS = (
    START_UP,
    "contract",
    "steady-state benchmarks",
    "preparation",
    "whole-recipe runs",
    "evaluation",
    "API-path checks",
    "claims",
    "other tests",
    BETWEEN_TESTS,
    CLOSING,
)
UNACCOUNTED_LIMIT = 0.05  # of the wall time; tests/test_costs.py holds a run to it


class CostError(RuntimeError):
    """The ledger was used out of order (a block closed that is not the innermost, measured seconds
    larger than the block around them); ``str()`` is one line."""


def process_start() -> tuple[float, str]:
    """This process's start on ``time.perf_counter``'s clock, and what that start is: "process start"
    where the platform says (Linux /proc), else "cost clock start" (the ledger's creation)."""
    now = time.perf_counter()
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of proc(5): start time in clock ticks since boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, AttributeError):  # not Linux
        return now, "cost clock start"
    return now - max(age, 0.0), "process start"


@dataclass
class _Block:
    concern: str
    case: str | None
    start: float
    inner: float = 0.0  # seconds of nested blocks and measured seconds


@dataclass
class Ledger:
    """Exclusive seconds per (concern, case) since ``origin`` (module docstring)."""

    origin: float
    origin_is: str = "process start"
    clock: Any = time.perf_counter
    seconds: dict[tuple[str, str | None], float] = field(default_factory=dict)
    _open: list[_Block] = field(default_factory=list)
    _last_test_end: float | None = None

    @classmethod
    def from_process_start(cls) -> Ledger:
        origin, what = process_start()
        return cls(origin=origin, origin_is=what)

    def _book(self, concern: str, case: str | None, seconds: float) -> None:
        key = (concern, case)
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds

    @contextmanager
    def charge(self, concern: str, case: str | None = None) -> Iterator[None]:
        block = _Block(concern, case, self.clock())
        self._open.append(block)
        try:
            yield
        finally:
            if not self._open or self._open[-1] is not block:
                raise CostError(f"cost block {concern!r} closed while another block was innermost")
            self._open.pop()
            elapsed = self.clock() - block.start
            if block.inner > elapsed * 1.001 + 1e-3:
                why = f"{block.inner:.3f} s measured inside {elapsed:.3f} s"
                raise CostError(f"cost block {concern!r} ({case}): {why}")
            self._book(concern, case, max(elapsed - block.inner, 0.0))
            if self._open:
                self._open[-1].inner += elapsed

    def measured(self, kind: str, seconds: float, case: str | None = None) -> None:
        """Seconds another timer took (``MEASURING`` kinds), booked (to ``case``, else the open block's)
        and taken out of the open block."""
        if kind not in MEASURING:
            raise ValueError(f"unknown measuring kind {kind!r}; valid kinds: {', '.join(MEASURING)}")
        if case is None and self._open:
            case = self._open[-1].case
        self._book(kind, case, seconds)
        if self._open:
            self._open[-1].inner += seconds

    @contextmanager
    def test(self, concern: str, case: str | None = None) -> Iterator[None]:
        """One test, from its setup to its report: the time since the previous test (or since the
        origin, for the first) goes to the start-up or to "between tests"."""
        now = self.clock()
        if self._last_test_end is None:
            self._book(START_UP, None, now - self.origin)
        else:
            self._book(BETWEEN_TESTS, None, now - self._last_test_end)
        with self.charge(concern, case):
            yield
        self._last_test_end = self.clock()

    def split(self) -> dict[str, Any]:
        """The cost so far, as the record keeps it (the time since the last test is "closing")."""
        now = self.clock()
        seconds = dict(self.seconds)
        after_tests = self._last_test_end is not None
        last = (CLOSING, None) if after_tests else (START_UP, None)
        seconds[last] = seconds.get(last, 0.0) + now - (self._last_test_end if after_tests else self.origin)
        wall = now - self.origin

        def total(concern: str) -> float:
            return sum(v for (c, _case), v in seconds.items() if c == concern)

        measuring = {kind: round(total(kind), 3) for kind in MEASURING}
        concerns = list(HARNESS) + sorted({c for c, _ in seconds} - set(HARNESS) - set(MEASURING))
        harness = {c: round(total(c), 3) for c in concerns if total(c) > 0}
        per_case: dict[str, dict[str, float]] = {}
        for (concern, case), value in sorted(seconds.items(), key=lambda kv: (str(kv[0][1]), kv[0][0])):
            if case is not None and value >= 0.001:  # a skipped test's instant is no cost
                per_case.setdefault(case, {})[concern] = round(value, 3)
        measuring_total, harness_total = sum(measuring.values()), sum(harness.values())
        return {
            "wall_seconds": round(wall, 3),
            "from": self.origin_is,
            "measuring_seconds": round(measuring_total, 3),
            "harness_seconds": round(harness_total, 3),
            "harness_per_measuring": round(harness_total / measuring_total, 4) if measuring_total else None,
            "unaccounted_seconds": round(wall - measuring_total - harness_total, 3),
            "measuring": measuring,
            "harness": harness,
            "per_case": per_case,
        }


# --------------------------------------------------------------------------- the run's ledger

_ACTIVE: Ledger | None = None


def install(ledger: Ledger) -> None:
    global _ACTIVE
    _ACTIVE = ledger


def uninstall() -> None:
    global _ACTIVE
    _ACTIVE = None


def active() -> Ledger | None:
    return _ACTIVE


@contextmanager
def charge(concern: str, case: str | None = None) -> Iterator[None]:
    """A block of the installed ledger (nothing without one)."""
    if _ACTIVE is None:
        yield
        return
    with _ACTIVE.charge(concern, case):
        yield


def measured(kind: str, seconds: float, case: str | None = None) -> None:
    """Measured seconds booked in the installed ledger (nothing without one)."""
    if _ACTIVE is not None:
        _ACTIVE.measured(kind, seconds, case)


# --------------------------------------------------------------------------- the closing line


def _s(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def closing_lines(cost: Mapping[str, Any]) -> list[str]:
    """The run's cost, as its closing lines say it."""
    ratio = cost.get("harness_per_measuring")
    measuring = ", ".join(f"{kind} {_s(v)}" for kind, v in cost["measuring"].items())
    harness = ", ".join(f"{concern} {_s(v)}" for concern, v in cost["harness"].items())
    return [
        f"lstm-bench: cost: wall {_s(cost['wall_seconds'])} (from {cost['from']}); "
        f"measuring {_s(cost['measuring_seconds'])} ({measuring})",
        f"lstm-bench: cost: harness {_s(cost['harness_seconds'])}"
        + (f" = {ratio:.2f} x measuring" if ratio is not None else "")
        + f" ({harness}); unaccounted {_s(cost['unaccounted_seconds'])}",
    ]
