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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_cases.record import KEY, RecordMismatch, commit_of_document, merge_documents
from lstm_cases.sweep_record import check_schema, is_sweep
from lstm_cases.sweep_record import merge as merge_sweeps
from reports.atomic import write_atomic
from reports.command import error
from reports.load import InputError, Run, load_run

PROG = "python -m reports merge"


# --------------------------------------------------------------------------- command line


def _alike(runs: list[Run]) -> str | None:
    """One line naming two files that are not parts of one run, and how they differ."""
    facts = {
        "commits": lambda run: commit_of_document(run.raw),
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
