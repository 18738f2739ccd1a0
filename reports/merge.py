"""``python -m reports merge FILES... -o OUT.json``: join the parts of one run into one result file.

The parts are the shards of a run (``pytest bench --shard K/N``, every K of one N) or the
result files of one process's xdist workers; or the shards of a sweep run
(``python -m lstm_cases.tools.sweep --shard K/N``, joined by ``lstm_cases.sweep_record.merge``).
The merged file reads like one unsharded run
to the report and the gate: each case's per-seed lists joined in seed order, its claims
judged on the joined seeds (by this checkout's rules, ``lstm_cases.record.merge_records``),
each case's training benchmark one benchmark whose rounds are every seed's, in seed order,
with its statistics computed again (pytest-benchmark's ``Stats``); the steady-state
benchmarks (train_step, predict, single_call) come from the shard that timed them (the one
holding the last seed). The merged
record says ``"merged_shards": N``.

Parts of different commits, stacks, profiles or seed lists are refused with one line naming
the files; so are overlapping parts (a seed of a case twice) and an incomplete set of shards.
Shards' timings come from different machines, or from one machine at different times.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_benchmark.stats import Stats

from lstm_cases.record import KEY, RecordMismatch, merge_records
from lstm_cases.sweep_record import check_schema, is_sweep
from lstm_cases.sweep_record import merge as merge_sweeps
from reports.atomic import write_atomic
from reports.command import error
from reports.load import InputError, Run, as_dict, load_run

PROG = "python -m reports merge"


def _commit(doc: Mapping[str, Any]) -> str | None:
    return as_dict(doc.get("commit_info")).get("id") or None


def _join_train(case: str, parts: list[tuple[Mapping[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """One training benchmark from the shards' (one timed round per seed, in seed order)."""
    rounds = []
    for doc, bench in parts:
        seeds = doc[KEY]["cases"][case]["seeds"]
        data = as_dict(bench.get("stats")).get("data") or []
        if len(data) != len(seeds):
            raise RecordMismatch(f"the training benchmark of {case!r} has {len(data)} rounds for {len(seeds)} seeds")
        rounds += zip(seeds, data, strict=True)
    stats = Stats()
    for _seed, seconds in sorted(rounds):
        stats.update(seconds)
    return {**parts[0][1], "stats": {**stats.as_dict(), "data": stats.data}}


def _last_seed(doc: Mapping[str, Any], case: str) -> int:
    seeds = doc[KEY]["cases"].get(case, {}).get("seeds") or [-1]
    return max(seeds)


def merge_benchmarks(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The parts' benchmarks, one per test (``fullname``): a case's training benchmark joined, any
    other from the part holding the case's last seed. Benchmarks of no case are kept as they are."""
    grouped: dict[str, list[tuple[Mapping[str, Any], dict[str, Any]]]] = {}
    loose: list[dict[str, Any]] = []
    for doc in docs:
        for bench in doc.get("benchmarks", []):
            if isinstance(as_dict(bench.get("extra_info")).get("case"), str):
                grouped.setdefault(str(bench.get("fullname") or bench.get("name")), []).append((doc, bench))
            else:
                loose.append(bench)
    merged = []
    for parts in grouped.values():
        info = parts[0][1]["extra_info"]
        if len(parts) == 1:
            merged.append(parts[0][1])
        elif info.get("kind") == "train":
            merged.append(_join_train(info["case"], parts))
        else:
            merged.append(max(parts, key=lambda part: _last_seed(part[0], info["case"]))[1])
    return merged + loose


def merge_documents(docs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parts of one run (pytest-benchmark JSON with the ``lstm_bench`` record) as one document:
    machine, commit and date from the first part. RecordMismatch (one line) when they do not join."""
    commits = {_commit(doc) for doc in docs} - {None}
    if len(commits) > 1:
        raise RecordMismatch(f"parts of different commits: {', '.join(sorted(c[:10] for c in commits))}")
    missing = sum(KEY not in doc for doc in docs)
    if missing:
        raise RecordMismatch(f"{missing} part(s) without an {KEY!r} record")
    record = merge_records([doc[KEY] for doc in docs])
    return {**docs[0], "benchmarks": merge_benchmarks(docs), KEY: record}


# --------------------------------------------------------------------------- command line


def _alike(runs: list[Run]) -> str | None:
    """One line naming two files that are not parts of one run, and how they differ."""
    facts = {
        "commits": lambda run: _commit(run.raw),
        "stacks": lambda run: run.base_label() if run.stack else None,
        "stack versions": lambda run: json.dumps(run.stack, sort_keys=True),
        "profiles": lambda run: run.profile,
        "seed lists": lambda run: run.seeds,
    }
    for what, fact in facts.items():
        first = fact(runs[0])
        for run in runs[1:]:
            if fact(run) != first:
                shown = [str(v)[:60] for v in (first, fact(run))]
                return (
                    f"{runs[0].path} and {run.path} are from different {what} ({shown[0]} vs {shown[1]}): "
                    "only the parts of one run merge"
                )
    return None


def _sweep_records(paths: Sequence[Path]) -> list[dict[str, Any]] | int | None:
    """The files' sweep records (``lstm_cases.sweep_record``) when every file is one; None when
    none is (a bench run's parts); 2 (one line said) for a mix or a file that cannot be read."""
    records = []
    for path in paths:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # load_run says what is wrong with it, in one line
        records.append(doc[KEY] if is_sweep(doc) else None)
    if all(record is None for record in records):
        return None
    if any(record is None for record in records):
        plain = paths[records.index(None)]
        return error(PROG, f"{plain} is not a sweep record: sweep shards merge only with each other")
    return records


def _write_sweeps(paths: Sequence[Path], records: list[dict[str, Any]], out: Path) -> int:
    names = [str(p) for p in paths]
    try:
        for name, record in zip(names, records, strict=True):
            check_schema(record, name)
        merged = merge_sweeps(records, names)
    except RecordMismatch as err:
        return error(PROG, str(err))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, json.dumps({KEY: merged}, indent=1))
    except OSError as err:
        return error(PROG, f"{err.filename or out}: cannot write: {err.strerror or err}")
    cells = sum(len(entry["cells"]) for entry in merged["sweeps"].values())
    print(f"merged {len(records)} sweep shards into {out}: {len(merged['sweeps'])} claim(s), {cells} cells judged")
    return 0


def main(argv: list[str] | None = None) -> int:
    """0 when the merged file is written; 2 (one line on stderr) when the files do not merge."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    parser.add_argument("files", nargs="+", type=Path, metavar="PART.json", help="shards' (or workers') result files")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT.json", help="the merged result file")
    args = parser.parse_args(argv)
    sweeps = _sweep_records(args.files)
    if sweeps is not None:
        return sweeps if isinstance(sweeps, int) else _write_sweeps(args.files, sweeps, args.out)
    try:
        runs = [load_run(path) for path in args.files]
    except InputError as err:
        return error(PROG, str(err))
    problem = _alike(runs)
    if problem:
        return error(PROG, problem)
    names = ", ".join(str(p) for p in args.files)
    try:
        merged = merge_documents([run.raw for run in runs])
    except RecordMismatch as err:
        return error(PROG, f"{names}: {err}")
    shard = merged[KEY].get("shard")
    if shard:  # every part is the one shard (e.g. one file)
        return error(PROG, f"{names}: only shard {shard}: a merged run needs all {shard.split('/')[1]}")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, json.dumps(merged, indent=4))
    except OSError as err:
        return error(PROG, f"{err.filename or args.out}: cannot write: {err.strerror or err}")
    from lstm_cases.summary import totals

    record = merged[KEY]
    shards = f"{record['merged_shards']} shards" if record.get("merged_shards") else f"{len(runs)} parts"
    print(
        f"merged {len(runs)} files ({shards}) into {args.out}: {len(record['cases'])} case(s), "
        f"{len(merged['benchmarks'])} benchmark(s); {totals(record)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
