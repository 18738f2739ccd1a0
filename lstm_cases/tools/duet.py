"""Time two installations of lstm-bench side by side on one machine: a duet.

    python -m lstm_cases.tools.duet --base BASE_PYTHON --head HEAD_PYTHON -o duet.json
        [--case ID ...] [--kind KIND ...] [--profile quick] [--rounds N] [--max-rounds M]
        [--order abba|random] [--order-seed S] [--seed S] [--threads T] [--process-pairs 1|2] [--slow-head SPEC]
    python -m reports.gate duet.json        # exit 1 on a regression, 3 when it cannot judge

Each side is a Python interpreter with lstm-bench installed (a venv of another commit, or a tox env's
python for another stack); it runs ``python -m lstm_cases.timing_worker`` from an empty folder, so it
imports its own installation. Two processes run per side, in two process pairs (``reports.duet``,
rule 4: pairs cancel the machine's drift, not what sets one process apart from another). Per case,
every process builds a fresh model under the same seed, and all must agree on its parameter count and
input shape; per steady-state kind (train_step, then predict, then single_call) all warm the head's
plan, then time it in pairs of rounds: one side's round right after the other's, the order within
pairs balanced (ABBA, or shuffled with a recorded seed), the process pairs taking turns. A round is a
few calls of the plan's work (``CALLS``), and its time the fastest of them. A benchmark the paired rule
cannot judge after --rounds pairs per process pair (its test at alpha over the number of benchmarks,
so that a flag survives the gate's false-discovery control) gets more, --rounds at a time, up to
--max-rounds; where its two process pairs disagree, a third pair of processes, started the first time
one is needed, times it too. One process times while the others wait: never two at once.

The record (``lstm_bench``, kind ``duet``) holds both sides' stacks and commits, the plans and every
pair with its order and the machine's reference before each round; written whole or not at all.
Exit status 0 once written, 2 with one line for bad input or a side that cannot take part.
"""

from __future__ import annotations

import argparse
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
from reports.duet import SIDES, Pairs, judge_duet, judge_pairs, load_duet, processes_disagree, settled
from reports.duet_view import verdict_table

PROG = "python -m lstm_cases.tools.duet"
DEFAULT_ROUNDS = 8  # pairs per process pair, then as many again while the rule cannot judge it
DEFAULT_MAX_ROUNDS = 24
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


def everyone(sides: list[DuetSide], request: dict[str, Any]) -> list[dict[str, Any]]:
    """The same untimed request to every process at once (building and warming), then their answers."""
    for side in sides:
        side.send(request)
    return [side.receive() for side in sides]


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

    return Pairs(case, kind, plan, **{c: col(c) for c in Pairs.COLUMNS}, process=col("process"))


class ProcessPair:
    """One base and one head process (rule 4 of ``reports.duet``), started when first needed; the second
    and third must report the first's commit and stack."""

    def __init__(self, index: int, args: argparse.Namespace, envs: dict[str, dict[str, str]], folder: str) -> None:
        self.index, self.args, self.envs, self.folder = index, args, envs, folder
        self.sides: dict[str, DuetSide] = {}
        self.hellos: dict[str, dict[str, Any]] = {}
        self.case: str | None = None
        self.prepared: dict[str, dict[str, Any]] = {}

    def start(self, first: ProcessPair | None = None) -> dict[str, dict[str, Any]]:
        """The processes started and greeted (once); their hellos."""
        if not self.sides:
            which = f"process pair {self.index + 1}"
            for name in SIDES:
                self.sides[name] = DuetSide(name, getattr(self.args, name), self.envs[name], self.folder, which)
            self.hellos = {name: side.hello() for name, side in self.sides.items()}
            for name, hello in self.hellos.items():
                if first is not None and (hello["commit"], hello["stack"]) != (
                    first.hellos[name]["commit"],
                    first.hellos[name]["stack"],
                ):
                    raise Refused(f"{name} side: {which} reports another commit or stack than process pair 1")
        return self.hellos

    def close(self) -> None:
        for side in self.sides.values():
            side.close()


def processes_of(pairs: list[ProcessPair]) -> list[DuetSide]:
    """Every process of ``pairs``, base before head within each."""
    return [side for pair in pairs for side in pair.sides.values()]


def prepare(pairs: list[ProcessPair], case: str, args: argparse.Namespace) -> None:
    """The case's fresh model built in every process of ``pairs`` at once (each pair's answers kept)."""
    request = {"op": "prepare", "case": case, "profile": args.profile, "seed": args.seed}
    answers = everyone(processes_of(pairs), request)
    for i, pair in enumerate(pairs):
        pair.prepared = dict(zip(SIDES, answers[2 * i : 2 * i + 2], strict=True))
        pair.case = case


def release(pairs: list[ProcessPair]) -> None:
    everyone(processes_of([pair for pair in pairs if pair.case is not None]), {"op": "release"})
    for pair in pairs:
        pair.case = None


def check_model(case: str, pairs: list[ProcessPair]) -> None:
    """Every process built the same model as the first base process."""
    reference = pairs[0].prepared["base"]
    for pair in pairs:
        for name, built in pair.prepared.items():
            where = f"{name} side" + ("" if pair.index == 0 else f" (process pair {pair.index + 1})")
            for key, what in (("params", "parameters"), ("input_shape", "input shape")):
                if built[key] != reference[key]:
                    raise Refused(
                        f"{where}: {case} builds a model with {what} {built[key]}, the base side {reference[key]}: "
                        "not the same model, so its timings do not compare"
                    )


def time_benchmark(
    pairs: list[ProcessPair],
    spare: ProcessPair | None,
    case: str,
    kind: str,
    args: argparse.Namespace,
    rng: random.Random,
) -> tuple[list[dict[str, Any]], list[ProcessPair]]:
    """One benchmark's pairs of rounds over the process pairs taking turns, --rounds per process pair at a
    time while it is not settled; ``spare`` (a third process pair) joins where the first two disagree."""
    plan = pairs[0].prepared["head"]["plans"][kind]
    everyone(processes_of(pairs), {"op": "warm", "plan": plan})
    rounds: list[dict[str, Any]] = []
    each = args.rounds
    timing_pairs = list(pairs)
    while True:
        done = {p.index: sum(r["process"] == p.index for r in rounds) for p in timing_pairs}
        orders = {
            p.index: pair_orders(each - done[p.index], args.order, rng, start=done[p.index]) for p in timing_pairs
        }
        for i in range(max(len(o) for o in orders.values())):
            for pair in timing_pairs:  # the process pairs take turns, each balanced on its own
                if i < len(orders[pair.index]):
                    timed = time_pairs(pair.sides, [orders[pair.index][i]], CALLS[kind])
                    rounds += [{**r, "process": pair.index} for r in timed]
        timed = as_pairs(case, kind, plan, rounds)
        if settled(timed, args.planned):
            break
        if spare is not None and spare not in timing_pairs and processes_disagree(timed):
            spare.start(pairs[0])
            if spare.case != case:
                prepare([spare], case, args)
                check_model(case, [pairs[0], spare])
            everyone(processes_of([spare]), {"op": "warm", "plan": plan})
            timing_pairs.append(spare)
            continue  # the third catches up with the others, then the benchmark is judged again
        if each >= args.max_rounds:
            break
        each = min(args.max_rounds, each + args.rounds)
    return rounds, timing_pairs


def run_case(
    pairs: list[ProcessPair],
    spare: ProcessPair | None,
    case: str,
    args: argparse.Namespace,
    rng: random.Random,
    log: Any,
) -> tuple[list[dict[str, Any]], str | None]:
    """Every selected kind of one case in duet; (benchmarks, why skipped)."""
    prepare(pairs, case, args)
    first = pairs[0].prepared
    unavailable = {name: a["unavailable"] for name, a in first.items() if "unavailable" in a}
    if unavailable:
        release(pairs)
        if len(set(unavailable.values())) == 1 and len(unavailable) == 2:
            return [], unavailable["base"]
        return [], "; ".join(f"{name} side: {why}" for name, why in unavailable.items())
    check_model(case, pairs)
    out = []
    for kind in (k for k in GATED if k in args.kind):
        rounds, timed_by = time_benchmark(pairs, spare, case, kind, args, rng)
        plan = first["head"]["plans"][kind]
        judged = judge_pairs([as_pairs(case, kind, plan, rounds)])[0]
        print(f"{PROG}: {case} {kind}: {len(rounds)} pairs, {judged.describe()}", file=log, flush=True)
        base_plan = first["base"]["plans"][kind]
        out.append(
            {
                "case": case,
                "kind": kind,
                "plan": plan,
                "plan_from": "head",
                "calls_per_round": CALLS[kind],
                "base_plan": None if base_plan == plan else base_plan,
                "params": first["head"]["params"],
                "input_shape": first["head"]["input_shape"],
                "process_pairs": len(timed_by),
                "rounds": rounds,
                "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
            }
        )
    release([*pairs, *([spare] if spare is not None else [])])
    return out, None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, metavar="PYTHON", help="the base installation's python")
    parser.add_argument("--head", required=True, metavar="PYTHON", help="the head installation's python")
    parser.add_argument("--case", action="append", default=[], help="a case (repeatable; default: every case)")
    parser.add_argument("--kind", action="append", default=[], help=f"one of {', '.join(GATED)} (repeatable)")
    parser.add_argument("--profile", default="quick", help=f"{' or '.join(PROFILES)} (default quick)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="pairs per process pair, and per extension")
    parser.add_argument("--max-rounds", type=int, default=DEFAULT_MAX_ROUNDS, help="most pairs per process pair")
    parser.add_argument("--order", default="abba", help=f"order within pairs: {' or '.join(ORDERS)}")
    parser.add_argument("--order-seed", type=int, default=None, help="seed of the random order (recorded)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fresh models (default 0)")
    parser.add_argument("--threads", default=None, help="threads per framework pool on both sides (default 1)")
    parser.add_argument(
        "--process-pairs",
        type=int,
        default=2,
        help="1 or 2 process pairs per benchmark (default 2, and a third where two disagree; 1 for studies)",
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
    if args.process_pairs not in (1, 2):
        raise Refused(f"--process-pairs must be 1 or 2, got {args.process_pairs}")
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
    benchmarks, skipped = [], []
    envs = {"base": side_env(threads, None), "head": side_env(threads, args.slow_head)}
    with tempfile.TemporaryDirectory() as folder:
        pairs = [ProcessPair(k, args, envs, folder) for k in range(args.process_pairs)]
        spare = ProcessPair(2, args, envs, folder) if args.process_pairs == 2 else None
        try:
            hellos = pairs[0].start()
            for pair in pairs[1:]:
                pair.start(pairs[0])
            cases = args.case or hellos["head"]["cases"]
            untimed = [c for c in cases if c in hellos["head"].get("untimed", {})]
            if untimed:
                raise Refused(f"--case {untimed[0]}: {hellos['head']['untimed'][untimed[0]]}")
            for name, hello in hellos.items():
                lacking = [c for c in cases if c not in hello["cases"]]
                if lacking and (args.case or name == "head"):
                    raise Refused(f"{name} side lacks case {lacking[0]!r}; its cases: {', '.join(hello['cases'])}")
                for case in lacking:  # every case by default: one the head adds has nothing to compare with
                    skipped.append({"case": case, "why": "new in the head: the base side lacks it"})
                    print(f"{PROG}: {case}: skipped: new in the head, the base side lacks it", flush=True)
            cases = [c for c in cases if c in hellos["base"]["cases"]]
            args.planned = len(cases) * len(args.kind)  # the benchmarks the gate's false-discovery control spans
            print(f"{PROG}: base {hellos['base']['commit']}, head {hellos['head']['commit']}", flush=True)
            for case in cases:
                done, why = run_case(pairs, spare, case, args, rng, sys.stdout)
                benchmarks += done
                if why:
                    skipped.append({"case": case, "why": why})
                    print(f"{PROG}: {case}: skipped: {why}", flush=True)
        except (Refused, TimingWorkerError) as err:
            print(f"{PROG}: error: {err}", file=sys.stderr)
            return 2
        finally:
            for pair in [*pairs, *([spare] if spare is not None else [])]:
                pair.close()
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
        "process_pairs": args.process_pairs,
        "sides": {
            name: {k: hellos[name][k] for k in ("python", "commit", "package", "stack", "threads", "slowdown")}
            for name in SIDES
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
