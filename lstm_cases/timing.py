"""Steady-state timing: a freshly built model of a case, warmed, then timed in equal rounds.

The whole-recipe run (``runner.train``, the ``train`` benchmark) times one seed's training with
its tracing and compilation: one round per seed, too few to catch a small regression. The
steady-state benchmarks time a warmed model in many rounds of a fixed amount of work:

  train_step   k gradient steps of the case's own training call per round (``runner.step_call``:
               ``fit`` on the recipe's tf.data pipeline or arrays, with its batch size and the
               steps_per_execution the case compiled with), on a fresh, untrained model
  predict      ``predict`` over the case's inputs (the first k batches where a full predict is
               longer than a round)
  single_call  one direct model call on one sample

A plan fixes a round's work from the case alone, never from a clock, so that every run and every
stack times the same work and rounds compare one to one: k = min(a full pass or predict, WORK
/ (batch x timesteps x parameters)) steps or batches, at least 1, where the product is a rough cost of
one step (about 30-300 ms a round for the quick profile on the 2-core machine). A clock-calibrated k,
as first built, came out different between runs of a loaded machine (the calibration call itself is
noisy), and rounds of different work do not compare: a fixed per-call cost weighs differently. Each
process makes WARMUP untimed calls (the first traces; the worker processes make theirs while the
pytest process makes its own: untimed work side by side), then ROUNDS timed rounds of one call each,
one process at a time
(pytest-benchmark's own calibration gives one iteration for calls this long). The pytest process times
with pytest-benchmark, the others (``lstm_cases.timing_worker``) with the same clock,
``time.perf_counter``.

Process settings, fixed before the framework runs anything and stated in the run header and the
record: the framework's thread pools (``--threads``, default 1: on the 2-core machine TensorFlow's
default pools, one thread per core each, made the single call's between-process spread x1.6 alone and
x2.2 beside a busy core, against x1.2 and x1.05 with one thread each; see docs/timing.md). A
test-only slowdown (LSTM_BENCH_SLOWDOWN) adds busy work to every timed call, proportional to the
call's own time.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lstm_cases import compat, runner
from lstm_cases.core import Case, CaseData
from lstm_cases.record import costs
from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import process_spread

UNITS = {"train_step": "steps", "predict": "batches", "single_call": "samples"}
# The work of a round, in batch x timesteps x parameters (module docstring): training steps, and
# predict batches (forward only: cheaper per sample).
WORK: Mapping[str, Mapping[str, float]] = {
    "quick": {"train_step": 5e8, "predict": 1e9},
    "full": {"train_step": 2.5e9, "predict": 5e9},
}
ROUNDS: Mapping[str, int] = {"quick": 6, "full": 20}  # timed rounds in each process
WARMUP = 2  # untimed calls before the timed rounds; the first traces
PROCESSES = 2  # processes that time each benchmark (the pytest process and one worker)

THREADS_ENV = "LSTM_BENCH_THREADS"
PROCESSES_ENV = "LSTM_BENCH_TIMING_PROCESSES"
SLOWDOWN_ENV = "LSTM_BENCH_SLOWDOWN"
DEFAULT_THREADS = 1


# --------------------------------------------------------------------------- process settings


def parse_threads(text: str | None, source: str = f"--threads / {THREADS_ENV}") -> int | None:
    """Threads per framework pool: a number >= 1, or "default" (None: the framework's own choice)."""
    if text is None or text == "":
        return DEFAULT_THREADS
    if text == "default":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError(f"{source} must be a number >= 1 or 'default', got {text!r}")


def parse_processes(text: str | None, source: str = f"--timing-processes / {PROCESSES_ENV}") -> int:
    """Processes that time each steady-state benchmark: a number >= 1."""
    if text is None or text == "":
        return PROCESSES
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError(f"{source} must be a number >= 1, got {text!r}")


def apply_threads(threads: int | None) -> dict[str, Any]:
    """Set the framework's intra- and inter-op pools to ``threads`` (None: leave the defaults) before
    it runs anything; the settings in effect, for the record. RuntimeError (one line) when too late."""
    facts: dict[str, Any] = {
        "threads": "default" if threads is None else threads,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    backend = compat.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if threads is not None:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            except RuntimeError as err:  # TensorFlow already ran an op in this process
                raise RuntimeError(f"cannot set TensorFlow's thread pools to {threads}: {err}") from None
        # 0 means TensorFlow's default: one thread per core for each pool.
        facts["intra_op_threads"] = tf.config.threading.get_intra_op_parallelism_threads()
        facts["inter_op_threads"] = tf.config.threading.get_inter_op_parallelism_threads()
    elif backend == "torch":
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
            try:
                torch.set_num_interop_threads(threads)
            except RuntimeError as err:  # torch already ran parallel work in this process
                raise RuntimeError(f"cannot set torch's inter-op threads to {threads}: {err}") from None
        facts["intra_op_threads"] = torch.get_num_threads()
        facts["inter_op_threads"] = torch.get_num_interop_threads()
    else:  # JAX: XLA's CPU pools are set by XLA_FLAGS before import, which the harness does not do
        facts["xla_flags"] = os.environ.get("XLA_FLAGS")
    return facts


def threads_text(threads: int | None) -> str:
    if threads is None:
        return "framework default (one per core per pool)"
    return f"{threads} intra-op and {threads} inter-op thread(s)"


# --------------------------------------------------------------------------- test-only slowdown

SLOWDOWN_KINDS: Mapping[str, tuple[str, ...]] = {
    **{kind: (kind,) for kind in GATED},
    "train": ("train_step",),
    "inference": ("predict", "single_call"),
}


@dataclass(frozen=True)
class Slowdown:
    """Busy work added to every timed call of some kinds: a call of kind K, factor f, is followed by a
    spin of (f - 1) x its own time, so the call costs f times as much. For the detection-power study
    only; a run with one says so in its header, its summary, its record and every slowed benchmark."""

    factors: Mapping[str, float] = field(default_factory=dict)  # kind -> factor > 1

    @classmethod
    def parse(cls, text: str | None) -> Slowdown:
        """``"train:1.2"``, ``"predict:1.5,single_call:1.1"``; ValueError (one line) on anything else."""
        factors: dict[str, float] = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            name, _, value = part.strip().partition(":")
            if name not in SLOWDOWN_KINDS:
                raise ValueError(
                    f"{SLOWDOWN_ENV}: unknown kind {name!r}; valid kinds: {', '.join(SLOWDOWN_KINDS)} (e.g. train:1.2)"
                )
            try:
                factor = float(value)
            except ValueError:
                factor = float("nan")
            if not 1 < factor <= 10:
                raise ValueError(f"{SLOWDOWN_ENV}: factor of {name!r} must be a number in (1, 10], got {value!r}")
            factors.update(dict.fromkeys(SLOWDOWN_KINDS[name], factor))
        return cls(factors)

    @classmethod
    def from_env(cls) -> Slowdown:
        return cls.parse(os.environ.get(SLOWDOWN_ENV))

    def __bool__(self) -> bool:
        return bool(self.factors)

    def factor(self, kind: str) -> float:
        return self.factors.get(kind, 1.0)

    def describe(self) -> str:
        return ", ".join(f"{kind} x{factor:g}" for kind, factor in self.factors.items())

    def wrap(self, kind: str, call: Callable[[], Any]) -> Callable[[], Any]:
        factor = self.factor(kind)
        if factor == 1.0:
            return call

        def slowed() -> Any:
            start = time.perf_counter()
            out = call()
            end = time.perf_counter()
            until = end + (end - start) * (factor - 1)
            while time.perf_counter() < until:  # busy, like real work: it competes for the core
                pass
            return out

        return slowed


# --------------------------------------------------------------------------- plans and calls


@dataclass(frozen=True)
class Plan:
    """The work of one round of one benchmark, and how it was warmed: the same in every process."""

    kind: str
    units: int  # steps (train_step), batches (predict) or samples (single_call) per round
    full_units: int  # the units of a full pass / predict over every input
    warmup: int  # untimed calls before the timed rounds (the first traces)
    rounds: int  # timed rounds in each process

    def describe(self) -> dict[str, Any]:
        """The plan as the benchmark's ``extra_info`` states it."""
        return {
            "warmup": self.warmup,
            "rounds_per_process": self.rounds,
            f"{UNITS[self.kind]}_per_round": self.units,
            "units": UNITS[self.kind],
            "full_units": self.full_units,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fingerprint(self, processes: int) -> str:
        """What makes two benchmarks' rounds comparable, hashed: the kind, the work of a round, the case's
        full pass, the warm-up, the rounds, the processes and the machine's reference. Timings of two
        fingerprints are other work: the reports never compare them."""
        facts = {**self.as_dict(), "processes": processes, "reference": REFERENCE}
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Plan:
        return cls(**{k: raw[k] for k in ("kind", "units", "full_units", "warmup", "rounds")})


_LAST_DATA: dict[tuple[str, str, int], CaseData] = {}


def _data(case: Case, profile: str, seed: int) -> CaseData:
    key = (case.id, profile, seed)
    if key not in _LAST_DATA:
        _LAST_DATA.clear()
        _LAST_DATA[key] = case.build_data(seed, profile)
    return _LAST_DATA[key]


def fresh(case: Case, profile: str, seed: int) -> runner.Prepared:
    """A freshly built, untrained model of the case and its data (the data of the last case asked
    for is kept: the three kinds of one case build it once)."""
    compat.set_random_seed(seed)
    data = _data(case, profile, seed)
    recipe = case.recipe(profile)
    model = case.build_model(data, recipe)
    return runner.Prepared(case=case, profile=profile, seed=seed, data=data, model=model, recipe=recipe)


def full_units(prepared: runner.Prepared, kind: str) -> int:
    if kind == "train_step":
        return runner.steps_per_pass(prepared)
    if kind == "predict":
        return runner.predict_batches(prepared)
    if kind == "single_call":
        return 1
    raise ValueError(f"unknown timing kind {kind!r}; valid kinds: {', '.join(GATED)}")


def make_call(prepared: runner.Prepared, kind: str, units: int) -> Callable[[], Any]:
    """The call a round makes (unslowed)."""
    if kind == "train_step":
        return runner.step_call(prepared, units)
    if kind == "predict":
        batches = None if units >= runner.predict_batches(prepared) else units
        return lambda: runner.predict_all(prepared, batches)
    return lambda: runner.single_call(prepared)


def step_cost(prepared: runner.Prepared, kind: str) -> float:
    """A rough cost of one training step or predict batch: batch x timesteps x parameters."""
    x = prepared.data.x
    batch = (prepared.recipe.batch_size or len(x)) if kind == "train_step" else runner.predict_batch_size(prepared)
    timesteps = x.shape[1] if x.ndim >= 3 else 1
    return float(batch * timesteps * prepared.model.count_params())


def plan_for(prepared: runner.Prepared, kind: str, profile: str, rounds: int | None = None) -> Plan:
    """The round's work from the case alone (module docstring): the same on every run and stack."""
    full = full_units(prepared, kind)
    units = 1 if kind == "single_call" else max(1, min(full, int(WORK[profile][kind] / step_cost(prepared, kind))))
    return Plan(kind, units, full, WARMUP, ROUNDS[profile] if rounds is None else rounds)


def planned_call(prepared: runner.Prepared, plan: Plan, slowdown: Slowdown) -> Callable[[], Any]:
    """The call of one round of the plan, with the test-only slowdown where one is set."""
    return slowdown.wrap(plan.kind, make_call(prepared, plan.kind, plan.units))


def warm_up(prepared: runner.Prepared, plan: Plan) -> None:
    """The plan's untimed calls (unslowed); the first traces. Inference first gets one step per execution,
    as after ``runner.train``: the fast-input recipes compile a whole pass per execution, which Keras 3
    unrolls in ``predict`` (a trace of 20 s and more). Once, before the warm-up: it drops the traced
    predict function."""
    if plan.kind != "train_step" and prepared.recipe.fast_input:
        compat.single_step_execution(prepared.model)
    call = make_call(prepared, plan.kind, plan.units)
    for _ in range(plan.warmup):
        call()


# --------------------------------------------------------------------------- the machine's reference

REFERENCE = "tanh over 131,072 float32 values 10 times, then 50,000 steps of a Python loop (no framework)"
_REFERENCE_VALUES = np.linspace(-1.0, 1.0, 131_072, dtype=np.float32)


def reference_seconds() -> float:
    """Seconds of a fixed piece of work with no framework in it (``REFERENCE``: vector math on one
    thread, and interpreter work, as a framework's dispatch is), timed right before every timed round
    in every process: how fast the machine runs at that moment. The comparison rule divides a
    process's rounds by its reference, so that the machine's drift between runs (other programs, the
    host's load on a shared VM) cancels, and a change of the framework's own speed does not."""
    start = time.perf_counter()
    values = _REFERENCE_VALUES
    for _ in range(10):
        values = np.tanh(values * np.float32(1.0001) + np.float32(1e-4))
    total = 0
    for i in range(50_000):
        total += i & 7
    return time.perf_counter() - start


def time_rounds(call: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of each of ``rounds`` calls, and of the reference timed right before each (the worker
    processes' timer; pytest-benchmark's is the same ``time.perf_counter``)."""
    out, references = [], []
    for _ in range(rounds):
        references.append(reference_seconds())
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out, references


# --------------------------------------------------------------------------- a benchmark


@dataclass
class SteadyTiming:
    """A session's steady-state timing: its settings, and the worker processes (``timing_worker``)."""

    profile: str
    seed: int  # the fresh models are built under the run's first seed
    threads: int | None
    processes: int
    slowdown: Slowdown
    workers: Any = None  # timing_worker.TimingWorkers (processes - 1 of them), started on first use or by start
    timed: set[str] = field(default_factory=set)  # the cases this session timed

    def facts(self) -> dict[str, Any]:
        """What the record states about steady-state timing (besides the thread facts)."""
        return {
            "processes": self.processes,
            "rounds_per_process": ROUNDS[self.profile],
            "warmup_calls": WARMUP,
            "work_per_round": dict(WORK[self.profile]),
            "seed": self.seed,
            "slowdown": dict(self.slowdown.factors),
            "reference": REFERENCE,
        }

    def run(self, benchmark: Any, case: Case, kind: str) -> None:
        """One steady-state benchmark: plan, warm-up, the pytest process's rounds (pytest-benchmark), then
        every worker's; ``extra_info`` gets the plan, each worker's rounds and the between-process spread."""
        benchmark.group = kind
        info: dict[str, Any] = {"case": case.id, "kind": kind}
        if not benchmark.enabled:  # --benchmark-disable: pedantic calls once, untimed
            prepared = fresh(case, self.profile, self.seed)
            self.timed.add(case.id)
            call = make_call(prepared, kind, full_units(prepared, kind))
            benchmark.pedantic(call, rounds=1, warmup_rounds=0)
            benchmark.extra_info.update(info)
            return
        # The workers build and warm while this process does: untimed work side by side. They are asked
        # before this process builds, so that neither waits for the other's building.
        if self.workers:
            self.workers.prepare(case.id, self.profile, self.seed)
        try:
            prepared = fresh(case, self.profile, self.seed)  # a case whose data is not given skips here
            self.timed.add(case.id)
            plan = plan_for(prepared, kind, self.profile)
            if self.workers:
                self.workers.warm(plan)
            warm_up(prepared, plan)
        except BaseException:  # the workers' answers to this benchmark must not reach the next one
            if self.workers:
                self.workers.settle()
            raise
        if self.workers:
            self.workers.ready(plan)
        own_references: list[float] = []
        benchmark.pedantic(
            planned_call(prepared, plan, self.slowdown),
            setup=lambda: own_references.append(reference_seconds()),  # untimed, right before each round
            rounds=plan.rounds,
            warmup_rounds=0,
        )
        own = list(benchmark.stats.stats.data)
        costs.measured(costs.TIMED_ROUNDS, sum(own), case.id)
        del prepared  # a worker builds its own
        measured = self.workers.rounds(plan) if self.workers else []
        others = [rounds for rounds, _ in measured]
        costs.measured(costs.TIMED_ROUNDS, sum(sum(r) for r in others), case.id)
        rounds = [own, *others]
        info.update(plan.describe())
        info["processes"] = len(rounds)
        info["plan_fingerprint"] = plan.fingerprint(len(rounds))
        info["other_process_rounds"] = others  # the pytest process's rounds are stats.data
        # the machine's reference before each round, process by process (the pytest process first)
        info["reference_rounds"] = [own_references, *(references for _, references in measured)]
        info["process_medians"] = [statistics.median(r) for r in rounds]
        info["process_spread"] = process_spread(rounds)
        if hasattr(os, "getloadavg"):  # other programs' work shows here (this run itself adds about 1)
            info["load_average"] = round(os.getloadavg()[0], 2)
            info["cpu_count"] = os.cpu_count()
        if self.slowdown.factor(kind) != 1.0:
            info["slowdown"] = self.slowdown.factor(kind)  # TEST-ONLY: these rounds were slowed on purpose
        benchmark.extra_info.update(info)

    def start(self) -> None:
        """Start the worker processes now (they import the framework while the session does untimed work)."""
        if self.workers is not None:
            self.workers.start()

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()


def header_lines(s: Any) -> list[str]:
    """The run header's lines about timing, from the run's ``settings.Settings``."""
    lines = [
        f"lstm-bench: timing: {threads_text(s.threads)} (--threads); steady-state benchmarks: "
        f"{ROUNDS[s.profile]} rounds of fixed work in each of {s.processes} process(es) "
        f"(--timing-processes), after {WARMUP} warm-up calls, each round after the machine's reference"
    ]
    return lines + ([slowdown_line(s.slowdown)] if s.slowdown else [])


def slowdown_line(slowdown: Slowdown) -> str:
    """The run header's and summary's warning about a test-only slowdown."""
    return (
        f"lstm-bench: TEST-ONLY SLOWDOWN {SLOWDOWN_ENV}={os.environ.get(SLOWDOWN_ENV)}: "
        f"{slowdown.describe()}; these timings are deliberately slowed (the record says so)"
    )
