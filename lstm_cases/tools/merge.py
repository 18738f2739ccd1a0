"""``python -m lstm_cases.tools.merge FILES... -o OUT.json``: join the parts of one run into one file.

The parts are the shards of a run (``pytest bench --shard K/N``, every K of one N), the result
files of one process's xdist workers, or the shards of a sweep run (``python -m
lstm_cases.tools.sweep --shard K/N``). The merged file reads like one unsharded run to the
report and the gate: ``lstm_cases.record.merge`` joins the parts seed by seed, and the claims are
judged on the joined seeds by this checkout's rules. That is why the merge is a command of the
harness and not of the reports, which read records only. Parts of different commits, stacks,
profiles or seed lists are refused with one line naming the files; so are overlapping parts and an
incomplete set of shards. Shards' timings come from different machines, or from one machine at
different times.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.load import InputError, Run, load_run, read_json, record_of
from lstm_cases.record.merge import RecordMismatch, commit_of_document, merge_documents, merge_records
from lstm_cases.record.schema import KEY, SWEEP, kind_of
from lstm_cases.record.summary import totals
from lstm_cases.recording import judge_merged
from lstm_cases.sweep_record import judge as judge_sweep
from reports.command import error

PROG = "python -m lstm_cases.tools.merge"


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


def _sweep_records(paths: Sequence[Path]) -> list[dict[str, Any]] | None:
    """The files' sweep records when the first file is one (InputError, one line, for any file that
    is not); None when it is not (a bench run's parts: ``load_run`` reads them)."""
    docs = [read_json(path, "a result file") for path in paths]
    first = docs[0].get(KEY) if isinstance(docs[0], dict) else None
    if not isinstance(first, dict) or kind_of(first) != SWEEP:
        return None
    return [record_of(path, doc, SWEEP) for path, doc in zip(paths, docs, strict=True)]


def _write_sweeps(paths: Sequence[Path], records: list[dict[str, Any]], out: Path) -> int:
    try:
        merged = merge_records(records, judge_sweep, [str(p) for p in paths])
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
    try:
        sweeps = _sweep_records(args.files)
        if sweeps is not None:
            return _write_sweeps(args.files, sweeps, args.out)
        runs = [load_run(path) for path in args.files]
    except InputError as err:
        return error(PROG, str(err))
    problem = _alike(runs)
    if problem:
        return error(PROG, problem)
    names = ", ".join(str(p) for p in args.files)
    try:
        merged = merge_documents([run.raw for run in runs], judge_merged, [str(p) for p in args.files])
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
    record = merged[KEY]
    shards = f"{record['merged_shards']} shards" if record.get("merged_shards") else f"{len(runs)} parts"
    print(
        f"merged {len(runs)} files ({shards}) into {args.out}: {len(record['cases'])} case(s), "
        f"{len(merged['benchmarks'])} benchmark(s); {totals(record)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
