"""Run claim-validity sweeps: a claim's rule judged over a grid of recipes x seeds.

    python -m lstm_cases.tools.sweep --list
    python -m lstm_cases.tools.sweep --claim timestep_window/beats_feature_window -o results/sweep.json
    python -m lstm_cases.tools.sweep --all -o results/sweeps.json [--seeds 3] [--shard K/N]
    python -m lstm_cases.tools.sweep --claim KEY --axis epochs=20,50 -o small.json   # a smaller grid first
    python -m lstm_cases.tools.sweep --judge-again results/sweep.json               # after a rule changed
    python -m reports sweep results/sweep.json -o report/sweep/                      # the maps

Each claim that declares a ``Sweep`` (``lstm_cases.sweep``) is trained in every cell of its
grid on every seed (the case and, for a paired claim, the case it compares with), its rule is
judged per cell, and one record is written (``lstm_cases.sweep_record``), whole or not at all.
The backend: ``--backend``, else ``KERAS_BACKEND`` if set, else the fastest one installed
(``FASTEST_FIRST``), among those every selected sweep allows; the record says which and why.
``--shard K/N`` runs a deterministic 1/N of the (claim, cell, seed) units; join the shards'
files with ``python -m lstm_cases.tools.merge``. Exit status 2 with one line for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from lstm_cases import registry
from lstm_cases.core import TRAIN_SECONDS, DataError, DataUnavailable
from lstm_cases.record.merge import RecordMismatch
from lstm_cases.record.schema import KEY, SCHEMA, SWEEP
from lstm_cases.shards import parse_shard
from lstm_cases.sweep import Sweep, cell_case, check
from lstm_cases.sweep_record import declared, judge, plan, sweep_entry
from lstm_cases.tools.measure_claims import commit_id, write_json_atomic

PROG = "python -m lstm_cases.tools.sweep"
DEFAULT_SEEDS = 3
# Fastest first on this suite's CPU models (docs/sweeps.md: one cell timed on each); torch last: unmeasured.
FASTEST_FIRST = ("jax", "tensorflow", "torch")


def installed_backends() -> list[str]:
    """The Keras backends this environment can run (JAX and torch need Keras 3)."""
    try:
        keras3 = int(version("keras").split(".")[0]) >= 3
    except PackageNotFoundError:
        keras3 = False
    found = [name for name in ("tensorflow", "jax", "torch") if find_spec(name) is not None]
    return [name for name in found if name == "tensorflow" or keras3]


def choose_backends(
    requested: str | None, allowed: dict[str, tuple[str, ...]], installed: list[str]
) -> dict[str, tuple[str, str]]:
    """Per sweep key, (backend, why): ``requested`` (or ``KERAS_BACKEND``) for all, else each
    claim's fastest installed among those it allows. ValueError (one line) where none fits."""
    if requested is None and os.environ.get("KERAS_BACKEND"):
        requested, source = os.environ["KERAS_BACKEND"], "KERAS_BACKEND set in the environment"
    else:
        source = "--backend"
    if requested is not None and requested not in installed:
        raise ValueError(f"backend {requested!r} ({source}) is not installed; installed: {', '.join(installed)}")
    chosen = {}
    for key, backends in allowed.items():
        if requested is not None:
            if backends and requested not in backends:
                raise ValueError(f"sweep {key} runs only on {', '.join(backends)}, not {requested!r} ({source})")
            chosen[key] = (requested, f"{requested}: {source}")
            continue
        fits = [name for name in FASTEST_FIRST if name in installed and (not backends or name in backends)]
        if not fits:
            raise ValueError(
                f"sweep {key} runs only on {' or '.join(backends)}; installed: {', '.join(installed) or 'none'}"
            )
        limited = f"; this claim runs only on {' or '.join(backends)}" if backends else ""
        chosen[key] = (fits[0], f"{fits[0]}: the fastest installed (installed: {', '.join(installed)}){limited}")
    return chosen


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``epochs=20,50`` -> ("epochs", [20, 50]); values read as JSON (numbers, null), else strings."""
    field, sep, raw = text.partition("=")
    if not sep or not field or not raw:
        raise ValueError(f"--axis must be FIELD=V1,V2,... (e.g. epochs=20,50), got {text!r}")
    values = []
    for token in raw.split(","):
        try:
            values.append(json.loads(token))
        except ValueError:
            values.append(token)
    return field, values


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--claim", action="append", default=[], metavar="CASE/CLAIM", help="a swept claim (repeatable)")
    parser.add_argument("--all", action="store_true", help="every claim that declares a sweep")
    parser.add_argument("--list", action="store_true", help="list the declared sweeps and their grids, run nothing")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="seeds per cell (default 3)")
    parser.add_argument("--seed-base", type=int, default=0)
    parser.add_argument("--backend", help="jax, tensorflow or torch (default: the fastest installed)")
    parser.add_argument("--shard", help="K/N: run a deterministic 1/N of the (claim, cell, seed) units")
    parser.add_argument("--axis", action="append", default=[], metavar="FIELD=V1,V2", help="replace an axis's values")
    parser.add_argument(
        "--judge-again",
        type=Path,
        metavar="RECORD.json",
        help="judge a whole run's record again by this checkout's rules (no training); -o (default: in place)",
    )
    parser.add_argument("-o", "--out", type=Path, help="the record to write (JSON)")
    return parser


def judge_again(path: Path, out: Path | None) -> int:
    """``--judge-again``: the record's cells judged by the rules declared now, written whole."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        print(f"{PROG}: error: {path}: cannot read a sweep record ({err})", file=sys.stderr)
        return 2
    record = doc.get(KEY) if isinstance(doc, dict) else None
    if not isinstance(record, dict) or record.get("kind") != SWEEP or record.get("shard"):
        print(f"{PROG}: error: {path}: not a whole sweep run's record (merge shards first)", file=sys.stderr)
        return 2
    try:
        judge(record)
        record["judged_again_at"] = commit_id()  # the rules' commit; "commit" stays the one that trained
    except RecordMismatch as err:
        print(f"{PROG}: error: {path}: {err}", file=sys.stderr)
        return 2
    write_json_atomic(out or path, {KEY: record})
    print(f"judged {path} again by this checkout's rules: wrote {out or path}")
    return 0


def _grid(sweep: Sweep) -> str:
    return " x ".join(f"{axis.name} {list(axis.values)}" for axis in sweep.axes)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.judge_again is not None:
        return judge_again(args.judge_again, args.out)
    sweeps_declared = declared()
    if args.list:
        for key, (_case, claim) in sweeps_declared.items():
            sweep = claim.sweep
            print(f"{key}: {_grid(sweep)} ({len(sweep.points())} cells; base {sweep.profile})")
        return 0
    try:
        selected = list(sweeps_declared) if args.all else args.claim
        if not selected:
            swept = ", ".join(sweeps_declared)
            raise ValueError(f"name a swept claim with --claim or pass --all; swept claims: {swept}")
        unknown = [key for key in selected if key not in sweeps_declared]
        if unknown:
            raise ValueError(f"no sweep declared for {', '.join(unknown)}; swept claims: {', '.join(sweeps_declared)}")
        if args.out is None:
            raise ValueError("-o OUT.json is required: where the record goes")
        if args.seeds < 1:
            raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
        shard = parse_shard(args.shard) if args.shard else None
        overrides = dict(parse_axis(text) for text in args.axis)
        sweeps = {}
        for key in selected:
            sweep = sweeps_declared[key][1].sweep
            mine = {f: v for f, v in overrides.items() if f in sweep.fields}
            sweeps[key] = sweep.with_values(mine) if mine else sweep
        unused = [f for f in overrides if not any(f in s.fields for s in sweeps.values())]
        if unused:
            raise ValueError(f"--axis {', '.join(unused)}: no selected sweep has that axis")
        for key, sweep in sweeps.items():
            case, claim = sweeps_declared[key]
            check(case, sweep, registry.get_case(claim.compare_to) if claim.compare_to else None)
        seeds = list(range(args.seed_base, args.seed_base + args.seeds))
        chosen = choose_backends(args.backend, {k: s.backends for k, s in sweeps.items()}, installed_backends())
        groups: dict[str, list[str]] = {}
        for key in selected:
            groups.setdefault(chosen[key][0], []).append(key)
        for keys in groups.values():
            plan(keys, sweeps, seeds, shard)  # each backend's part is dealt to the shards on its own
    except ValueError as err:
        parser.exit(2, f"{PROG}: error: {err}\n")
    if len(groups) > 1:
        return _run_groups(args, argv, groups, sweeps)
    backend = next(iter(groups))
    os.environ["KERAS_BACKEND"] = backend  # before Keras is imported: the backend is fixed at import
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    mine = plan(selected, sweeps, seeds, shard)
    claims = {key: sweeps_declared[key] for key in selected}
    return _run(args, argv, claims, sweeps, seeds, shard, mine, {key: chosen[key][1] for key in selected})


def _part_options(args: argparse.Namespace, sweeps: dict[str, Sweep], keys: list[str]) -> list[str]:
    """The options of one backend's part: the run's, with only the --axis values its claims have."""
    options = ["--seeds", str(args.seeds), "--seed-base", str(args.seed_base)]
    options += ["--backend", args.backend] if args.backend else []
    options += ["--shard", args.shard] if args.shard else []
    for text in args.axis:
        if any(parse_axis(text)[0] in sweeps[key].fields for key in keys):
            options += ["--axis", text]
    return options


def _run_groups(args: argparse.Namespace, argv: list[str], groups: dict[str, list[str]], sweeps: dict) -> int:
    """Claims that run on different backends: one process per backend (a process has one), then one record."""
    records, out = [], args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as folder:
        for backend, keys in groups.items():
            part = Path(folder) / f"{backend}.json"
            print(f"# {len(keys)} sweep(s) on {backend}, in a process of their own", flush=True)
            claims = [arg for key in keys for arg in ("--claim", key)]
            options = _part_options(args, sweeps, keys)
            done = subprocess.run([sys.executable, "-m", "lstm_cases.tools.sweep", *claims, *options, "-o", str(part)])
            if done.returncode != 0:
                failed = f"the {backend} part failed (exit {done.returncode}); nothing written"
                print(f"{PROG}: error: {failed}", file=sys.stderr)
                return done.returncode
            records.append(json.loads(part.read_text(encoding="utf-8"))[KEY])
    record = {**records[0], "command": " ".join([PROG, *(shlex.quote(a) for a in argv)]), "sweeps": {}}
    for part_record in records:
        record["sweeps"].update(part_record["sweeps"])
    write_json_atomic(out, {KEY: record})
    print(f"wrote {out}: {len(record['sweeps'])} sweep(s) on {', '.join(groups)}")
    return 0


def _run(args, argv, claims, sweeps, seeds, shard, mine, whys: dict[str, str]) -> int:
    """Every selected sweep (``claims``: key -> (case, claim)) in this process, on the backend set in
    the environment."""
    from lstm_cases import compat, runner

    stack = compat.stack()
    print(f"# sweeps on {compat.stack_label(stack)}; seeds {seeds}; shard {shard or 'none'}", flush=True)
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": SWEEP,
        "profile": None,
        "seeds": seeds,
        "seed_base": args.seed_base,
        "commit": commit_id(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join([PROG, *(shlex.quote(a) for a in argv)]),
        "shard": str(shard) if shard else None,
        "sweeps": {},
    }
    profiles = {sweep.profile for sweep in sweeps.values()}
    if len(profiles) > 1:
        print(f"{PROG}: error: the selected sweeps have different base profiles {sorted(profiles)}", file=sys.stderr)
        return 2
    record["profile"] = profiles.pop()
    start = time.perf_counter()
    for key, (case, claim) in claims.items():
        sweep = sweeps[key]
        partner = registry.get_case(claim.compare_to) if claim.compare_to else None
        entry = sweep_entry(case, claim, sweep, stack, whys[key])
        print(f"# {key}: {whys[key]}", flush=True)
        record["sweeps"][key] = entry
        points = sweep.points()
        for index, point in enumerate(points):
            cell_seeds = [seed for seed in seeds if (key, index, seed) in mine]
            if not cell_seeds:
                continue
            others = [] if partner is not None else None
            cell: dict[str, Any] = {"index": index, "point": point, "seeds": cell_seeds, "values": [], "others": others}
            cell["train_seconds"] = []
            for seed in cell_seeds:
                try:
                    ran = runner.run_case(cell_case(case, sweep.profile, point), sweep.profile, [seed])
                    other = None
                    if partner is not None:
                        partner_case = cell_case(partner, sweep.profile, sweep.partner_point(point))
                        other = runner.run_case(partner_case, sweep.profile, [seed]).values(claim.metric)[0]
                except (DataUnavailable, DataError) as err:
                    print(f"{PROG}: error: {key}: {err}", file=sys.stderr)
                    return 2
                cell["values"].append(ran.values(claim.metric)[0])
                cell["train_seconds"].append(ran.values(TRAIN_SECONDS)[0])
                if others is not None:
                    others.append(other)
                versus = f" vs {other:.4g}" if other is not None else ""
                print(
                    f"{key} cell {index + 1}/{len(points)} {point} seed {seed}: "
                    f"{claim.metric} {cell['values'][-1]:.4g}{versus} ({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
            entry["cells"].append(cell)
            compat.keras().backend.clear_session()  # hundreds of models in one process: keep it lean
    if shard is None:
        judge(record)
        for key, entry in record["sweeps"].items():
            counts = {}
            for cell in entry["cells"]:
                counts[cell["outcome"]] = counts.get(cell["outcome"], 0) + 1
            print(f"{key}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    write_json_atomic(args.out, {KEY: record})
    print(f"wrote {args.out} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
