"""``python -m reports headline PATH [PATH ...]``: each result file's verdicts in a few lines of Markdown.

Made for a CI job summary (``>> "$GITHUB_STEP_SUMMARY"``): one row per result file (a folder
stands for the result files in it), with its stack, profile, seeds, whether it timed anything,
how many claims passed, failed, failed as expected or passed unexpectedly, and which did not
pass, case by case. Printed on stdout; exit status 0, or 2 with one line on stderr when a
path holds no result file. Reads results only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lstm_cases.summary import STATUSES, verdict_rows
from reports.command import error
from reports.history import find_files
from reports.load import InputError, Run, load_runs
from reports.markdown import code, table

PROG = "python -m reports headline"


def headline(runs: list[Run]) -> str:
    """The Markdown: a title, one row per run, and one line on what did not pass."""
    rows, failing = [], 0
    for run in runs:
        cases = verdict_rows(run.record)
        counts = {status: sum(row[status] for row in cases) for status in STATUSES}
        failing += counts["fail"] + counts["xpass"]
        off = [f"{code(row['case'])}: {row['not passing']}" for row in cases if row["not passing"]]
        rows.append(
            [
                code(run.path.name),
                run.base_label(),
                run.profile,
                ", ".join(map(str, run.seeds)),
                "yes" if run.has_benchmarks else "no (claims only)",
                *counts.values(),
                "; ".join(off),
            ]
        )
    headers = ["file", "stack", "profile", "seeds", "timings", *STATUSES, "not passing"]
    verdict = (
        f"**{failing} claim verdict(s) fail or pass unexpectedly.**"
        if failing
        else "Every claim holds, or fails where it is expected to."
    )
    title = f"## lstm-bench: {len(runs)} result file(s)"
    return "\n".join([title, "", table(headers, rows, "lllllrrrrl"), "", verdict, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="result files, or folders of them")
    args = parser.parse_args(argv)
    files = find_files(args.paths)
    if not files:
        return error(PROG, f"{', '.join(map(str, args.paths))}: no result file")
    try:
        runs = load_runs(files)
    except InputError as err:
        return error(PROG, str(err))
    print(headline(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
