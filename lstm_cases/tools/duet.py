"""Time two installations of lstm-bench side by side on one machine: a duet.

    python -m lstm_cases.tools.duet --base BASE_PYTHON --head HEAD_PYTHON -o duet.json
        [--case ID ...] [--kind KIND ...] [--profile quick] [--rounds N] [--max-rounds M]
        [--order abba|random] [--order-seed S] [--seed S] [--threads T] [--no-repeat] [--slow-head SPEC]
    python -m reports.gate duet.json        # exit 1 on a regression, 3 when it cannot judge

Each side is a Python interpreter with lstm-bench installed (a venv of another commit, or a tox env's
python for another stack); it runs ``python -m lstm_cases.timing_worker`` from an empty folder, so it
imports its own installation. Per case, both sides build a fresh model under the same seed and must
agree on its parameter count and input shape; per steady-state kind (train_step, then predict, then
single_call) both warm the head's plan, then time it in pairs of rounds: one side's round right
after the other's, the order within pairs balanced (ABBA, or shuffled with a recorded seed). A round
is a few calls of the plan's work (``CALLS``), and its time the fastest of them. A
benchmark the paired rule (``reports.duet``) cannot judge after --rounds pairs (its test at alpha over the
number of benchmarks, so that a flag survives the gate's false-discovery control) gets more, --rounds at
a time, up to --max-rounds. One side times while the other waits: never both at once.

A benchmark whose pairs could flag it (``reports.duet``, rule 4) is timed again by two other processes, one
per installation, started the first time one is needed (--no-repeat: never): pairs cancel the machine's
drift, not what sets one process apart from another, so a flag must show in both pairs of processes.

The record (``lstm_bench``, kind ``duet``) holds both sides' stacks and commits, the plans and every
pair with its order and the machine's reference before each round; written whole or not at all.
Exit status 0 once written, 2 with one line for bad input or a side that cannot take part.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shlex
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstm_cases import timing
from lstm_cases.core import PROFILES
from lstm_cases.record.schema import DUET, GATED, KEY, SCHEMA
from lstm_cases.timing_worker import PROTOCOL, TimingWorkerError, Worker, commit_of
from lstm_cases.tools.measure_claims import ROOT, write_json_atomic
from reports.compare import FASTER, SLOWER, WITHIN
from reports.duet import Pairs, judge_duet, judge_pairs, load_duet, repeat_decided, settled, to_repeat
from reports.duet_view import verdict_table

PROG = "python -m lstm_cases.tools.duet"
DEFAULT_ROUNDS = 10  # pairs per benchmark, then as many again while the rule cannot judge it
DEFAULT_MAX_ROUNDS = 40
# Calls per round; a round's time is its fastest call (an interruption only adds time). Fewer than
# these left the pairs' spread two to five times wider here (docs/timing.md, "Duets").
CALLS = {"train_step": 3, "predict": 3, "single_call": 5}
ORDERS = ("abba", "random")


class Refused(Exception):
    """A side that cannot take part, or bad input; ``str()`` is one line naming the side and the thing."""


class DuetSide:
    """One installation's worker process, seen from the driver."""

    def __init__(self, name: str, python: str, env: dict[str, str], folder: str, which: str = "side") -> None:
        self.name = name
        self.worker = Worker(f"{name} {which} ({python})", env, python=python, cwd=folder)
        self.facts: dict[str, Any] = {}

    def send(self, request: dict[str, Any]) -> None:
        self.worker.send(request)

    def receive(self) -> dict[str, Any]:
        answer = self.worker.receive()
        if "error" in answer:
            raise Refused(f"{self.name} side: {answer['error']}")
        return answer

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.send(request)
        return self.receive()

    def hello(self) -> dict[str, Any]:
        try:
            answer = self.ask({"op": "hello"})
        except TimingWorkerError as err:
            raise Refused(
                f"{self.name} side speaks another worker protocol (no duet handshake, protocol {PROTOCOL}): {err}"
            ) from None
        if answer.get("protocol") != PROTOCOL:
            raise Refused(f"{self.name} side speaks worker protocol {answer.get('protocol')!r}, this driver {PROTOCOL}")
        self.facts = answer
        return answer

    def close(self) -> None:
        self.worker.close()


def both(sides: dict[str, DuetSide], request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The same untimed request to both sides at once (building and warming), then both answers."""
    for side in sides.values():
        side.send(request)
    return {name: side.receive() for name, side in sides.items()}


def side_env(threads: int | None, slowdown: str | None) -> dict[str, str]:
    """A side's environment: this one's, without anything that would make it import another checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", timing.SLOWDOWN_ENV)}
    env[timing.THREADS_ENV] = "default" if threads is None else str(threads)
    if slowdown:
        env[timing.SLOWDOWN_ENV] = slowdown
    return env


def pair_orders(count: int, order: str, rng: random.Random, start: int = 0) -> list[tuple[str, str]]:
    """Which side times first in each pair: ABBA (base-head, head-base, ...) or shuffled halves."""
    if order == "abba":
        return [("base", "head") if (start + i) % 2 == 0 else ("head", "base") for i in range(count)]
    firsts = ["base", "head"] * (count // 2) + (["base"] if count % 2 else [])
    rng.shuffle(firsts)
    return [(f, "head" if f == "base" else "base") for f in firsts]


def time_pairs(sides: dict[str, DuetSide], orders: list[tuple[str, str]], calls: int) -> list[dict[str, Any]]:
    """Pairs of rounds, one side's right after the other's: each round's fastest call, and all of them."""
    out = []
    for first, second in orders:
        timed = {name: sides[name].ask({"op": "round", "calls": calls}) for name in (first, second)}
        pair: dict[str, Any] = {"first": first}
        for name in ("base", "head"):
            pair[name] = min(timed[name]["calls"])
            pair[f"{name}_calls"] = timed[name]["calls"]
            pair[f"{name}_reference"] = timed[name]["reference"]
        out.append(pair)
    return out


def as_pairs(case: str, kind: str, plan: dict[str, Any], rounds: list[dict[str, Any]]) -> Pairs:
    def col(key: str) -> tuple[Any, ...]:
        return tuple(r[key] for r in rounds)

    return Pairs(case, kind, plan, col("base"), col("head"), col("base_reference"), col("head_reference"), col("first"))


def check_model(case: str, prepared: dict[str, dict[str, Any]]) -> None:
    base, head = prepared["base"], prepared["head"]
    for key, what in (("params", "parameters"), ("input_shape", "input shape")):
        if base[key] != head[key]:
            raise Refused(
                f"head side: {case} builds a model with {what} {head[key]}, the base side {base[key]}: "
                "not the same model, so its timings do not compare"
            )


def prepare(sides: dict[str, DuetSide], case: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    return both(sides, {"op": "prepare", "case": case, "profile": args.profile, "seed": args.seed})


class RepeatSides:
    """Two more processes, one per installation, for rule 4 of ``reports.duet``: started the first time a
    benchmark could be flagged, they time it again, so that a flag rests on two pairs of processes."""

    def __init__(
        self, args: argparse.Namespace, envs: dict[str, dict[str, str]], folder: str, first: dict[str, dict[str, Any]]
    ) -> None:
        """``first``: the first processes' hellos, which the repeat processes must match."""
        self.args, self.envs, self.folder, self.first = args, envs, folder, first
        self.sides: dict[str, DuetSide] = {}
        self.case: str | None = None

    def for_case(self, case: str) -> dict[str, DuetSide]:
        """The repeat processes with the case's fresh model built."""
        if not self.sides:
            for name in ("base", "head"):
                self.sides[name] = DuetSide(name, getattr(self.args, name), self.envs[name], self.folder, "repeat")
            for name, side in self.sides.items():
                hello, first = side.hello(), self.first[name]
                if (hello["commit"], hello["stack"]) != (first["commit"], first["stack"]):
                    raise Refused(f"{name} side: a second process reports another commit or stack than the first")
        if self.case != case:
            self.release()
            check_model(case, prepare(self.sides, case, self.args))
            self.case = case
        return self.sides

    def release(self) -> None:
        if self.case is not None:
            both(self.sides, {"op": "release"})
            self.case = None

    def close(self) -> None:
        for side in self.sides.values():
            side.close()


def repeat_rounds(
    sides: dict[str, DuetSide], pairs: Pairs, direction: str, calls: int, args: argparse.Namespace, rng: random.Random
) -> list[dict[str, Any]]:
    """The repeat's pairs: as many as the first's extensions, until it bears the flag out or cannot."""
    both(sides, {"op": "warm", "plan": pairs.plan})
    rounds: list[dict[str, Any]] = []
    while len(rounds) < args.max_rounds:
        rounds += time_pairs(sides, pair_orders(args.rounds, args.order, rng, start=len(rounds)), calls)
        repeated = dataclasses.replace(pairs, repeat=as_pairs(pairs.case, pairs.kind, pairs.plan, rounds))
        if repeat_decided(repeated, direction):
            break
    return rounds


def run_case(
    sides: dict[str, DuetSide],
    case: str,
    args: argparse.Namespace,
    rng: random.Random,
    log: Any,
    repeat: RepeatSides | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Every selected kind of one case in duet; (benchmarks, why skipped)."""
    prepared = prepare(sides, case, args)
    unavailable = {name: a["unavailable"] for name, a in prepared.items() if "unavailable" in a}
    if unavailable:
        both(sides, {"op": "release"})
        if len(set(unavailable.values())) == 1 and len(unavailable) == 2:
            return [], unavailable["base"]
        return [], "; ".join(f"{name} side: {why}" for name, why in unavailable.items())
    check_model(case, prepared)
    out = []
    for kind in (k for k in GATED if k in args.kind):
        plan = prepared["head"]["plans"][kind]
        both(sides, {"op": "warm", "plan": plan})
        rounds: list[dict[str, Any]] = []
        while True:
            rounds += time_pairs(sides, pair_orders(args.rounds, args.order, rng, start=len(rounds)), CALLS[kind])
            pairs = as_pairs(case, kind, plan, rounds)
            if len(rounds) >= args.max_rounds or settled(pairs, args.planned):
                break
        repeated: list[dict[str, Any]] = []
        direction = to_repeat(pairs) if repeat is not None else None
        if direction and repeat is not None:
            repeated = repeat_rounds(repeat.for_case(case), pairs, direction, CALLS[kind], args, rng)
            pairs = dataclasses.replace(pairs, repeat=as_pairs(case, kind, plan, repeated))
        judged = judge_pairs([pairs])[0]
        print(f"{PROG}: {case} {kind}: {len(rounds)} pairs, {judged.describe()}", file=log, flush=True)
        base_plan = prepared["base"]["plans"][kind]
        out.append(
            {
                "case": case,
                "kind": kind,
                "plan": plan,
                "plan_from": "head",
                "calls_per_round": CALLS[kind],
                "base_plan": None if base_plan == plan else base_plan,
                "params": prepared["head"]["params"],
                "input_shape": prepared["head"]["input_shape"],
                "rounds": rounds,
                **({"repeat_rounds": repeated} if repeated else {}),  # rule 4: two other processes' pairs
                "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
            }
        )
    both(sides, {"op": "release"})
    if repeat is not None:
        repeat.release()
    return out, None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, metavar="PYTHON", help="the base installation's python")
    parser.add_argument("--head", required=True, metavar="PYTHON", help="the head installation's python")
    parser.add_argument("--case", action="append", default=[], help="a case (repeatable; default: every case)")
    parser.add_argument("--kind", action="append", default=[], help=f"one of {', '.join(GATED)} (repeatable)")
    parser.add_argument("--profile", default="quick", help=f"{' or '.join(PROFILES)} (default quick)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="pairs per benchmark, and per extension")
    parser.add_argument("--max-rounds", type=int, default=DEFAULT_MAX_ROUNDS, help="most pairs per benchmark")
    parser.add_argument("--order", default="abba", help=f"order within pairs: {' or '.join(ORDERS)}")
    parser.add_argument("--order-seed", type=int, default=None, help="seed of the random order (recorded)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fresh models (default 0)")
    parser.add_argument("--threads", default=None, help="threads per framework pool on both sides (default 1)")
    parser.add_argument(
        "--repeat",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time a benchmark that could be flagged again in two other processes (default: on)",
    )
    parser.add_argument(
        "--slow-head", default=None, metavar="SPEC", help="TEST-ONLY: the head side's slowdown, e.g. train:1.1"
    )
    parser.add_argument("-o", "--out", type=Path, help="the duet record to write (JSON)")
    return parser


def check_args(args: argparse.Namespace) -> int | None:
    """Bad input as Refused (one line); the threads setting."""
    if args.out is None:
        raise Refused("-o OUT.json is required: where the duet record goes")
    for name in ("base", "head"):
        python = getattr(args, name)
        if not (Path(python).is_file() and os.access(python, os.X_OK)):
            raise Refused(f"--{name} {python!r} is not an executable file: give a python with lstm-bench installed")
        setattr(args, name, str(Path(python).absolute()))  # not resolved: a venv's python is a link out of it
    if args.profile not in PROFILES:
        raise Refused(f"unknown profile {args.profile!r}; valid profiles: {', '.join(PROFILES)}")
    bad = [k for k in args.kind if k not in GATED]
    if bad:
        raise Refused(f"unknown kind {bad[0]!r}; valid kinds: {', '.join(GATED)}")
    args.kind = args.kind or list(GATED)
    if args.order not in ORDERS:
        raise Refused(f"unknown order {args.order!r}; valid orders: {', '.join(ORDERS)}")
    if args.rounds < 2 or args.max_rounds < args.rounds:
        raise Refused(f"--rounds must be >= 2 and --max-rounds >= --rounds, got {args.rounds} and {args.max_rounds}")
    if os.environ.get(timing.SLOWDOWN_ENV):
        raise Refused(f"{timing.SLOWDOWN_ENV} is set: a duet slows only its head side, with --slow-head SPEC")
    if args.slow_head:
        timing.Slowdown.parse(args.slow_head)  # ValueError: one line
    return timing.parse_threads(args.threads, "--threads")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    started, wall = datetime.now(timezone.utc), time.perf_counter()
    try:
        threads = check_args(args)
    except (Refused, ValueError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    order_seed = args.order_seed if args.order_seed is not None else random.SystemRandom().randrange(2**31)
    rng = random.Random(order_seed)
    sides: dict[str, DuetSide] = {}
    benchmarks, skipped = [], []
    envs = {"base": side_env(threads, None), "head": side_env(threads, args.slow_head)}
    with tempfile.TemporaryDirectory() as folder:
        repeat: RepeatSides | None = None
        try:
            for name, env in envs.items():
                sides[name] = DuetSide(name, getattr(args, name), env, folder)
            hellos = {name: side.hello() for name, side in sides.items()}
            repeat = RepeatSides(args, envs, folder, hellos) if args.repeat else None
            cases = args.case or hellos["head"]["cases"]
            args.planned = len(cases) * len(args.kind)  # the benchmarks the gate's false-discovery control spans
            for name, hello in hellos.items():
                lacking = [c for c in cases if c not in hello["cases"]]
                if lacking:
                    raise Refused(f"{name} side lacks case {lacking[0]!r}; its cases: {', '.join(hello['cases'])}")
            print(f"{PROG}: base {hellos['base']['commit']}, head {hellos['head']['commit']}", flush=True)
            for case in cases:
                done, why = run_case(sides, case, args, rng, sys.stdout, repeat)
                benchmarks += done
                if why:
                    skipped.append({"case": case, "why": why})
                    print(f"{PROG}: {case}: skipped: {why}", flush=True)
        except (Refused, TimingWorkerError) as err:
            print(f"{PROG}: error: {err}", file=sys.stderr)
            return 2
        finally:
            for side in sides.values():
                side.close()
            if repeat is not None:
                repeat.close()
    record = {
        "schema": SCHEMA,
        "kind": DUET,
        "protocol": PROTOCOL,
        "created": started.isoformat(timespec="seconds"),
        "command": " ".join([PROG, *(shlex.quote(a) for a in argv)]),
        "driver_commit": commit_of(ROOT),
        "profile": args.profile,
        "seed": args.seed,
        "mode": "alternate",
        "order": args.order,
        "order_seed": order_seed,
        "rounds": args.rounds,
        "max_rounds": args.max_rounds,
        "repeat": args.repeat,
        "sides": {
            name: {k: hellos[name][k] for k in ("python", "commit", "package", "stack", "threads", "slowdown")}
            for name in sides
        },
        "benchmarks": benchmarks,
        "skipped": skipped,
        "wall_seconds": round(time.perf_counter() - wall, 1),
    }
    write_json_atomic(args.out, {KEY: record})
    judged = judge_duet(load_duet(args.out))
    print(f"\n{verdict_table(judged)}\n")
    words = {SLOWER: "SLOWER", FASTER: "FASTER", WITHIN: "within factor"}
    counts = ", ".join(f"{sum(c.outcome == outcome for c in judged)} {word}" for outcome, word in words.items())
    unjudged = sum(not c.judged_ok for c in judged)
    print(f"{PROG}: {len(benchmarks)} benchmarks in {record['wall_seconds']:.0f} s ({counts}, {unjudged} not judged): "
          f"wrote {args.out}; judge it with python -m reports.gate {args.out}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
